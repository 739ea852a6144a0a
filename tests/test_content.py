"""The shipped deck: 38 cards in five sections, each one well-formed, sized and cited.

Cards are read with deckbuild's own parser and built into a real package, so these tests
see exactly what users import.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from support import REPO, make_project, read_apkg

from deckbuild.bundles import section_tag
from deckbuild.config import load_config
from deckbuild.pipeline import build
from deckbuild.records import Card, SourceFile
from deckbuild.sources import check_ids, load_sources

SECTIONS = {
    "Fundamentals": 8,
    "Techniques and Approaches": 6,
    "Practical Implementation": 8,
    "Advanced Topics": 8,
    "Domains, Challenges and Deployment": 8,
}
MIN_WORDS, MAX_WORDS = 60, 220
MIN_FORMULA_CARDS, MIN_CODE_CARDS = 10, 8
# Cards whose canonical paper must be cited in Extra: card id -> surnames that must appear.
CITATIONS = {
    "knowledge-distillation-teacher-student": ("Hinton",),
    "domain-adaptation-bound-and-feature-alignment": ("Ganin", "Ben-David"),
    "domain-task-adaptive-pretraining-dapt-tapt": ("Gururangan",),
    "multimodal-transfer-clip-zero-shot-vlm-fine-tuning": ("Radford",),
    "robust-fine-tuning-wise-ft-model-soups-merging": ("Wortsman", "Ilharco"),
    "speech-transfer-wav2vec2-hubert-whisper": ("Baevski", "Hsu"),
    "catastrophic-forgetting-ewc-rehearsal-lwf": ("Kirkpatrick",),
    "peft-adapters-lora-prefix-prompt-tuning": ("Hu, E. J.",),
    "meta-learning-maml-vs-transfer-learning": ("Finn",),
    "transferability-estimation-source-model-selection": ("Nguyen", "You, K."),
}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])([^$]+?)(?<![\s\\])\$(?!\d)|\\\((.+?)\\\)", re.S)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")


# ---- reading the deck ---------------------------------------------------------------


def shipped_files() -> list[SourceFile]:
    files, problems = load_sources(load_config(REPO))
    assert [str(p) for p in problems if p.is_error] == []
    return files


FILES = shipped_files()
CARDS = [card for source in FILES for card in source.cards]


def per_card(test):
    return pytest.mark.parametrize("card", CARDS, ids=[c.id or c.question for c in CARDS])(test)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> dict:
    project = make_project(tmp_path_factory.mktemp("deck") / "p", shipped=True)
    report = build(load_config(project), now=1_700_000_000)
    return read_apkg(Path(report.path))


# ---- splitting a card's Markdown into prose, code and math ----------------------------


def split_code(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """(text outside fences, [(info string's first word, code)]) for one card body."""
    outside: list[str] = []
    blocks: list[tuple[str, str]] = []
    fence: tuple[str, str, list[str]] | None = None
    for line in markdown.split("\n"):
        if fence is None:
            opened = _FENCE.match(line)
            if opened:
                fence = (opened.group(1), opened.group(2), [])
            else:
                outside.append(line)
        elif line.strip().startswith(fence[0]) and set(line.strip()) == {fence[0][0]}:
            blocks.append((fence[1], "\n".join(fence[2])))
            fence = None
        else:
            fence[2].append(line)
    assert fence is None, "unclosed code fence"
    return "\n".join(outside), blocks


def split_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """(text with every formula removed, [(TeX, is display)]); code must be removed first."""
    text = _INLINE_CODE.sub(" ", text)
    found: list[tuple[str, bool]] = []

    def taker(display: bool):
        def take(match: re.Match[str]) -> str:
            found.append((next(g for g in match.groups() if g is not None), display))
            return " "
        return take

    text = _DISPLAY_MATH.sub(taker(True), text)
    text = _INLINE_MATH.sub(taker(False), text)
    return text, found


def prose(card: Card) -> str:
    outside, _ = split_code(card.answer)
    text, _ = split_math(outside)
    return re.sub(r"<!--.*?-->", " ", text, flags=re.S)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def formulas(card: Card) -> list[tuple[str, bool]]:
    outside, _ = split_code(card.answer)
    return split_math(outside)[1]


def code_blocks(card: Card) -> list[tuple[str, str]]:
    return split_code(card.answer)[1]


def tex_problems(tex: str) -> list[str]:
    """Structural problems that break MathJax or an Anki field; [] when the TeX is sound."""
    problems = []
    if "}}" in tex:
        problems.append("'}}' in math (write '} }')")
    if "\n\n" in tex or re.search(r"<[a-zA-Z/]", tex):
        problems.append("blank line or HTML inside math")
    depth = 0
    for token in re.findall(r"\\[{}]|[{}]", tex):
        if token in ("{", "}"):
            depth += 1 if token == "{" else -1
            if depth < 0:
                problems.append("'}' without its '{'")
                break
    if depth > 0:
        problems.append("'{' never closed")
    lefts = re.findall(r"\\(left|right)(?![a-zA-Z])", tex)
    depth = 0
    for word in lefts:
        depth += 1 if word == "left" else -1
        if depth < 0:
            break
    if depth != 0:
        problems.append("unbalanced \\left / \\right")
    if not tex.strip():
        problems.append("empty formula")
    return problems


# ---- the deck as a whole --------------------------------------------------------------


def test_sections_in_order_with_their_card_counts():
    assert [(f.section, len(f.cards)) for f in FILES] == list(SECTIONS.items())


def test_built_package_has_38_notes_in_five_subdecks(package):
    decks = {str(d["id"]): d["name"] for d in package["decks"].values()}
    per_deck = Counter(decks[str(did)] for _, _, did, _, _ in package["cards"])
    root = "Transfer Learning Interview Questions"
    assert len(package["notes"]) == sum(SECTIONS.values()) == 38
    assert per_deck == {f"{root}::{name}": count for name, count in SECTIONS.items()}
    guids = [guid for _, guid, *_ in package["notes"]]
    assert len(set(guids)) == len(guids)


def test_ids_are_present_and_unique():
    assert check_ids(card for source in FILES for card in source.cards) == []
    ids = [card.id for card in CARDS]
    assert len(set(ids)) == len(ids) == 38


def test_enough_cards_carry_a_formula_and_code():
    assert sum(bool(formulas(card)) for card in CARDS) >= MIN_FORMULA_CARDS
    assert sum(bool(code_blocks(card)) for card in CARDS) >= MIN_CODE_CARDS


@pytest.mark.parametrize("card_id,names", CITATIONS.items())
def test_canonical_papers_are_cited_in_extra(card_id, names, package):
    (card,) = [c for c in CARDS if c.id == card_id]
    for name in names:
        assert name in card.extra, f"{card_id}: Extra does not cite {name}"
    (fields,) = [f for f in (flds.split("\x1f") for *_, flds in package["notes"]) if f[-1] == card_id]
    assert fields[2].strip(), f"{card_id}: the built Extra field is empty"


# ---- every card -----------------------------------------------------------------------


@per_card
def test_answer_prose_is_phone_sized(card):
    words = word_count(prose(card))
    assert MIN_WORDS <= words <= MAX_WORDS, f"{card.path}:{card.line}: {words} words of prose"


@per_card
def test_card_has_a_topic_tag_beside_its_section(card):
    file_tags = next(f.tags for f in FILES if f.path == card.path)
    topics = set(card.tags) | set(file_tags)
    topics.discard(section_tag(card.section))
    assert topics, f"{card.path}:{card.line}: no topic tag"


@per_card
def test_code_blocks_name_a_known_language(card):
    for language, _ in code_blocks(card):
        assert language, f"{card.path}:{card.line}: a code block names no language"
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            pytest.fail(f"{card.path}:{card.line}: Pygments does not know {language!r}")


@per_card
def test_torchvision_code_uses_weights_not_pretrained(card):
    for _, code in code_blocks(card):
        if "timm" not in code:
            assert not re.search(r"\bpretrained\s*=", code), f"{card.path}:{card.line}"


@per_card
def test_math_delimiters_balance_and_every_formula_is_sound(card):
    outside, _ = split_code(card.answer)
    rest, found = split_math(outside)
    stray = re.findall(r"(?<!\\)\$|\\[()\[\]]", rest)
    assert not stray, f"{card.path}:{card.line}: unmatched math delimiter(s) {stray}"
    for tex, _ in found:
        assert tex_problems(tex) == [], f"{card.path}:{card.line}: {tex!r}"


# ---- every formula through MathJax 3 itself -------------------------------------------

_MATHJAX = REPO / "node_modules" / "mathjax"
_MATHJAX_CHECK = """
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
require(process.argv[1]).init({
  loader: {load: ['input/tex-base', '[tex]/ams']},
  tex: {packages: ['base', 'ams'], formatError: (jax, err) => { throw err; }},
}).then((MathJax) => {
  const bad = [];
  for (const [tex, display] of items) {
    try {
      const mml = MathJax.tex2mml(tex, {display});
      if (/<merror|mathcolor="red"/.test(mml)) bad.push([tex, 'rendered as an error']);
    } catch (err) { bad.push([tex, err.message]); }
  }
  process.stdout.write(JSON.stringify(bad));
});
"""


def test_every_formula_parses_in_mathjax_3_with_base_and_ams():
    node = shutil.which("node")
    if node is None or not (_MATHJAX / "package.json").exists():
        pytest.skip("needs node and `npm install` (MathJax 3 in node_modules/)")
    items = [item for card in CARDS for item in formulas(card)]
    assert len(items) >= MIN_FORMULA_CARDS
    result = subprocess.run([node, "-e", _MATHJAX_CHECK, str(_MATHJAX)], input=json.dumps(items),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_checks_themselves_catch_broken_cards():
    bad = Card("x", "Q?", "A $\\frac{a}{b}}$ and $x\n\n```\ncode\n```\n", "", "", (), "S",
               "cards/x.md", 1)
    assert code_blocks(bad) == [("", "code")]
    assert tex_problems("\\frac{a}{b}}") and tex_problems("\\left( x")
    assert tex_problems("a^{b}}") and not tex_problems("\\left( x^{2} \\right)")
    rest, _ = split_math(split_code(bad.answer)[0])
    assert re.findall(r"(?<!\\)\$", rest)
    rest, found = split_math("with $a_T the error and $b$ here")
    assert found == [("b", False)] and "$" in rest
    assert word_count(prose(Card("y", "Q?", "One two `x = 1` $a+b$ three.\n```python\nfour\n```",
                                 "", "", (), "S", "cards/y.md", 1))) == 3
