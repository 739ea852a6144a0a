"""Strangers' files: the invariants of `import` on every file of both corpora.

- tests/corpus/: files written for this project in the habits of real ones (15 languages,
  the layouts `import` knows, math, HTML and images), with tests/corpus/manifest.json;
- ../shared/corpus/ beside the clone: public files nobody here wrote, never copied into the
  project (MANIFEST.md there says where each comes from). Absent, its tests skip saying so;
  under CI=true it must be there.

Each file is imported once (pure), and once into a fresh project that is built and imported
into the official Anki engine; every invariant below reads those shared results:

- lines:  every non-blank line lands in a card or is listed, and nothing listed is Q&A;
- count:  as many cards as the manifest's hand count;
- blocks: each field's block structure is cmark-gfm's (tests/gfm_oracle.py);
- build:  the project builds after `import` with no hand edits, or `import` exits non-zero
          and says what to do;
- engine: Anki imports the package with one note per card;
- math:   every math span markdown-it-py's dollarmath finds in a card is typeset, or `check`
          names its line; no field ships `$`-TeX;
- images: every image, Markdown or HTML, is in the package or named by `import` or `check`.

A file that an invariant does not hold for yet is listed in KNOWN with the reason; those are
strict xfails, so the day the invariant holds the list must shrink.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from gfm_oracle import trees
from support import REPO, make_project, read_apkg

from deckbuild.cli import cli
from deckbuild.importers import ImportedFile, import_sources

OWN = Path(__file__).resolve().parent / "corpus"
SHARED = REPO.parent / "shared" / "corpus"
TIMESTAMP = "1700000000"


@dataclass(frozen=True)
class Entry:
    corpus: str  # "own" or "shared"
    path: Path
    expected_cards: int
    non_qa: str  # the manifest's "non-QA lines"

    @property
    def id(self) -> str:
        return f"{self.corpus}/{self.path.name}"


def _entries(folder: Path, corpus: str) -> list[Entry]:
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return []
    return [Entry(corpus, folder / e["file"], int(e["expected_cards"]), str(e["non-QA lines"]))
            for e in json.loads(manifest.read_text(encoding="utf-8"))
            if e["file"].endswith(".md")]  # packages are `import DECK.apkg`'s, tested there


ENTRIES = _entries(OWN, "own") + _entries(SHARED, "shared")
INVARIANTS = ("lines", "count", "blocks", "build", "engine", "math", "images")

# (corpus/file, invariant): why it does not hold yet. Strict: an entry that starts to hold
# fails the run until it is taken off.
KNOWN: dict[tuple[str, str], str] = {}
for _name, _why in {
}.items():
    KNOWN[(f"shared/{_name}", "blocks")] = "the renderer differs from cmark-gfm: " + _why
for _name, _why in {
}.items():
    KNOWN[(f"shared/{_name}", "lines")] = _why
_SHARED_LAYOUTS = "a layout import does not know yet"
for _name, _why in {
}.items():
    KNOWN[(f"shared/{_name}", "count")] = _why


def _params() -> list:
    params = []
    for entry in ENTRIES:
        for invariant in INVARIANTS:
            reason = KNOWN.get((entry.id, invariant))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(entry, invariant, id=f"{entry.id}-{invariant}",
                                       marks=marks))
    return params


def test_both_corpora_are_there_and_the_own_one_is_wide_enough():
    own = [e for e in ENTRIES if e.corpus == "own"]
    manifest = json.loads((OWN / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in OWN.glob("*.md")) == sorted(e.path.name for e in own)
    assert len(own) >= 40
    languages = {e["language"] for e in manifest}
    assert {"zh", "ja", "ru"} <= languages and languages & {"ar", "fa"} and len(languages) >= 6
    assert all(e["expected_cards"] > 0 for e in manifest)
    known = {e.id for e in ENTRIES}
    assert {name for name, _ in KNOWN} <= known or not SHARED.is_dir(), "stale KNOWN entries"
    if os.environ.get("CI") == "true":
        assert SHARED.is_dir(), f"CI needs the shared corpus at {SHARED}"


@pytest.mark.parametrize(("entry", "invariant"), _params())
def test_invariant(entry: Entry, invariant: str, tmp_path_factory: pytest.TempPathFactory):
    if not entry.path.is_file():
        pytest.skip(f"{entry.path} is absent (the shared corpus lives beside the clone)")
    CHECKS[invariant](entry, tmp_path_factory)


# --- what each file gives, computed once ---------------------------------------------------

@cache
def imported(path: Path) -> ImportedFile:
    text = path.read_bytes().decode("utf-8")
    (result,) = import_sources([(path.name, path.stem, text)]).files
    return result


@dataclass(frozen=True)
class Built:
    project: Path
    importing: Result
    build: Result | None
    check: Result | None
    package: Path | None


_BUILT: dict[Path, Built] = {}


def built(path: Path, factory: pytest.TempPathFactory) -> Built:
    """The file imported into a fresh project, then checked and built (once per file)."""
    if path not in _BUILT:
        project = make_project(factory.mktemp("corpus") / "p")
        runner = CliRunner()
        importing = runner.invoke(cli, ["import", str(path), "--project", str(project)], obj={})
        build = check = None
        package = None
        if importing.exit_code == 0:
            check = runner.invoke(cli, ["--project", str(project), "check"], obj={})
            build = runner.invoke(cli, ["--project", str(project), "build", "--timestamp",
                                        TIMESTAMP], obj={})
            package = next((project / "dist").glob("*.apkg"), None)
        _BUILT[path] = Built(project, importing, build, check, package)
    return _BUILT[path]


def _ranges(text: str) -> set[int] | None:
    """The line numbers of a manifest's `1-16, 28` ranges, or None when it is prose."""
    if not re.fullmatch(r"\s*(?:\d+(?:-\d+)?\s*(?:,\s*|$))*", text):
        return None
    lines: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        first, _, last = part.partition("-")
        lines.update(range(int(first), int(last or first) + 1))
    return lines


# Words that import takes off on purpose: answer labels, markup, other tools' annotations.
_TAKEN_OFF = {
    "answer", "answers", "ans", "solution", "back", "question", "questions", "details", "summary", "br",
    "strong", "code", "div", "span", "id", "tags", "extra", "type", "fc", "flashcard",
    "flashcards", "card", "anki", "respuesta", "réponse", "ответ", "答案", "正确答案", "查看答案",
    "정답", "답", "解答", "答え", "正解",
}
_NOT_MARKUP = {"not in any card"}
_WORD = re.compile(r"[^\W\d_]{2,}")
_ANCHOR = re.compile(r"<a\s+(?:name|id)=[^>]*>\s*</a>", re.IGNORECASE)  # markup for a TOC


def _words(text: str) -> Counter[str]:
    return Counter(w for w in _WORD.findall(text.casefold()) if w not in _TAKEN_OFF)


def check_lines(entry: Entry, factory: pytest.TempPathFactory) -> None:
    """Each non-blank line's words are in a field, a section name or the list of lines left
    out; and no line the manifest counts as Q&A is left out."""
    result = imported(entry.path)
    lines = entry.path.read_bytes().decode("utf-8").splitlines()
    listed = {item.line for item in result.left_out}
    assert all(lines[n - 1].strip() for n in listed)
    source = Counter[str]()
    for number, line in enumerate(lines, start=1):
        if line.strip() and number not in listed:
            source += _words(_ANCHOR.sub("", line))
    for label in result.labels:  # taken off, and named in the report: not lost silently
        source -= Counter({word: source[word] for word in _words(label)})
    landed = Counter[str]()
    for card in result.cards:
        for text in (card.question, card.front, card.answer, card.extra, card.source,
                     card.section, " ".join(card.tags), card.id.replace("-", " ")):
            landed += _words(text)
    lost = source - landed
    assert not lost, f"words of {entry.path.name} in no card and not listed: {sorted(lost)}"
    non_qa = _ranges(entry.non_qa)
    if non_qa is not None:  # other tools' markup (ids, tag links, separators) may be listed
        plain = {item.line for item in result.left_out if item.reason in _NOT_MARKUP}
        qa = sorted(plain - non_qa)
        assert not qa, f"Q&A lines listed as left out: {qa}"


def check_count(entry: Entry, factory: pytest.TempPathFactory) -> None:
    assert len(imported(entry.path).cards) == entry.expected_cards


def check_blocks(entry: Entry, factory: pytest.TempPathFactory) -> None:
    for card in imported(entry.path).cards:
        for field in (card.front, card.answer, card.extra):
            if field:
                ours, github = trees(field)
                assert ours == github, (card.line, field)


def check_build(entry: Entry, factory: pytest.TempPathFactory) -> None:
    done = built(entry.path, factory)
    if done.importing.exit_code != 0:
        # Refused: the message must name the file and say what to give.
        assert done.importing.exit_code == 1, done.importing.output
        assert entry.path.name in done.importing.output
        assert re.search(r"give --|--layout|--question-level", done.importing.output), \
            done.importing.output
        return
    assert done.build is not None and done.build.exit_code == 0, done.build.output
    assert done.package is not None


def check_engine(entry: Entry, factory: pytest.TempPathFactory) -> None:
    done = built(entry.path, factory)
    if done.importing.exit_code != 0:
        pytest.skip("import refused the file (the build invariant checks it says why)")
    assert done.package is not None, done.build.output if done.build else ""
    from support import AnkiCollection

    collection = AnkiCollection(factory.mktemp("anki"))
    try:
        log = collection.import_package(done.package)
        col = collection.col
        cards = len(imported(entry.path).cards)
        assert len(log.new) == col.note_count() == cards
        assert not log.duplicate and not log.conflicting
    finally:
        collection.close()


def check_math(entry: Entry, factory: pytest.TempPathFactory) -> None:
    """Hook for the math invariant (documented grammar, markdown-it-py's dollarmath as the
    oracle): every span it finds in a card is typeset, or `check` names its line; no field
    holds `$`-TeX. Runs once the oracle is installed."""
    spans = math_spans()
    done = built(entry.path, factory)
    if done.package is None:
        pytest.skip("no package to read")
    fields = [field for row in read_apkg(done.package)["notes"] for field in row[5].split("\x1f")]
    named = {int(n) for n in re.findall(r":(\d+):", done.check.output if done.check else "")}
    typeset_fields = [" ".join(html.unescape(f).split()) for f in fields if "arithmatex" in f]
    # The oracle reads the source file itself (lines import listed left out are blanked), so
    # that a span import damaged on the way is found missing.
    listed = {item.line for item in imported(entry.path).left_out}
    lines = entry.path.read_bytes().decode("utf-8").splitlines()
    source = "\n".join("" if n in listed else line for n, line in enumerate(lines, 1))
    for tex in spans(source):
        flat = " ".join(tex.split())
        typeset = any(flat in field for field in typeset_fields)
        assert typeset or named, tex
    for field in fields:
        assert not re.search(r"(?<![\\\w])\$[^$\s<>]+\$(?!\w)", _without_code(field)), field


def check_images(entry: Entry, factory: pytest.TempPathFactory) -> None:
    """Every image in a card's text is in the package, or `import` or `check` names it."""
    done = built(entry.path, factory)
    if done.importing.exit_code != 0:  # nothing written, so no image is lost
        pytest.skip("import refused the file (the build invariant checks it says why)")
    said = done.importing.output + (done.check.output if done.check else "")
    media = set(read_apkg(done.package)["media"]) if done.package else set()
    for card in imported(entry.path).cards:
        for source in _IMAGES.findall(card.front + "\n" + card.answer):
            link = next(part for part in source if part)
            name = link.rsplit("/", 1)[-1].split("?")[0]
            assert name in media or link in said or name in said, (card.line, link)


_IMAGES = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\s[^>]*?src\s*=\s*[\"']([^\"']+)",
                     re.IGNORECASE)


def _without_code(html: str) -> str:
    return re.sub(r"<(pre|code)\b.*?</\1>", "", html, flags=re.DOTALL | re.IGNORECASE)


def math_spans() -> Callable[[str], list[str]]:
    """The TeX of each `$…$` and `$$…$$` span markdown-it-py's dollarmath finds."""
    markdown_it = pytest.importorskip("markdown_it")
    dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath")
    parser = markdown_it.MarkdownIt("commonmark").use(dollarmath.dollarmath_plugin,
                                                      allow_space=False, allow_digits=False,
                                                      double_inline=True)

    def spans(text: str) -> list[str]:
        found = []
        for token in parser.parse(text):
            for child in [token, *(token.children or [])]:
                if child.type.startswith("math"):
                    found.append(child.content.strip())
        return found

    return spans


CHECKS: dict[str, Callable[[Entry, pytest.TempPathFactory], None]] = {
    "lines": check_lines, "count": check_count, "blocks": check_blocks, "build": check_build,
    "engine": check_engine, "math": check_math, "images": check_images,
}


# --- generated files: layouts, languages, math and images mixed ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

QUESTIONS = {  # per language: question openers, and words
    "zh": (["什么是", "为什么需要", "如何理解"], ["梯度", "过拟合", "批归一化", "学习率"]),
    "ja": (["", ""], ["勾配消失", "正則化", "過学習", "学習率"]),
    "ru": (["Что такое", "Зачем нужен", "Как работает"], ["градиент", "dropout", "слой"]),
    "ar": (["ما هو", "لماذا نستخدم", "متى يكون"], ["التدرج", "النموذج", "الطبقة"]),
    "fa": (["چرا", "چگونه"], ["گرادیان", "مدل", "لایه"]),
    "en": (["What is", "Why do we use", "Explain"], ["gradient", "dropout", "momentum"]),
    "es": (["¿Qué es", "¿Por qué usar"], ["gradiente", "capa", "modelo"]),
}
MARKS = {"zh": "？", "ja": "とは？", "ru": "?", "ar": "؟", "fa": "؟", "en": "?", "es": "?"}
LAYOUTS = ("headings2", "headings3", "bold", "list", "details", "qa", "table", "obsidian")


@st.composite
def generated_cards(draw: st.DrawFn) -> list[tuple[str, str]]:
    """(question, answer) pairs in one or several languages, with math and images."""
    count = draw(st.integers(1, 6))
    cards = []
    for index in range(count):
        language = draw(st.sampled_from(sorted(QUESTIONS)))
        openers, words = QUESTIONS[language]
        topic = " ".join(draw(st.lists(st.sampled_from(words), min_size=1, max_size=3)))
        opener = draw(st.sampled_from(openers))
        question = f"{opener} {topic} {index + 1}".strip() + MARKS[language]
        answer = draw(st.sampled_from(words)) + " " + draw(st.sampled_from(words))
        extra = draw(st.sampled_from(["", " $x^2 + y_i$", " $\\alpha$.",
                                      " ![diagram](img/d.png)", " <b>bold</b>"]))
        cards.append((question, answer + extra))
    return cards


def render(layout: str, cards: list[tuple[str, str]]) -> str:
    """The cards written in one layout, with a title, as files in the corpora write them."""
    out = ["# Title", ""]
    for number, (question, answer) in enumerate(cards, start=1):
        out += {
            "headings2": [f"## {question}", "", answer, ""],
            "headings3": [f"### {number}. {question}", "", answer, ""],
            "bold": [f"**{question}**", "", answer, ""],
            "list": [f"{number}. **{question}**", "", f"   {answer}", ""],
            "details": ["<details>", f"<summary>{question}</summary>", "", answer, "",
                        "</details>", ""],
            "qa": [f"Q: {question}", f"A: {answer}", ""],
            "table": ([] if number > 1 else ["| Question | Answer |", "| --- | --- |"])
            + [f"| {question} | {answer} |"],
            "obsidian": [f"{question} #flashcard", answer, f"<!--ID: {1700000000000 + number}-->",
                         ""],
        }[layout]
    return "\n".join(out) + "\n"


@settings(max_examples=500 if os.environ.get("CI") else 100, deadline=None)
@given(st.sampled_from(LAYOUTS), generated_cards())
def test_generated_files_keep_every_question_every_line_and_githubs_blocks(layout, cards):
    text = render(layout, cards)
    (result,) = import_sources([("gen.md", "gen", text)]).files
    assert result.problems == ()
    assert [card.question for card in result.cards] == [q for q, _ in cards]
    listed = {item.line for item in result.left_out}
    kept = "\n".join(line for n, line in enumerate(text.split("\n"), 1) if n not in listed)
    landed = Counter[str]()
    for card in result.cards:
        landed += _words(" ".join((card.question, card.front, card.answer, card.section)))
        for field in (card.front, card.answer):
            if field:
                ours, github = trees(field)
                assert ours == github, field
    assert not _words(kept) - landed - Counter(["title"] * 9)
    ids = [card.id for card in result.cards]
    assert len(set(ids)) == len(ids)
    # Math stays TeX for the renderer; every image is named by a warning.
    assert [a.count("$") for _, a in cards] == [c.answer.count("$") for c in result.cards]
    images = sum("![" in a for _, a in cards)
    assert sum("image 'img/d.png'" in w.message for w in result.warnings) == images
