"""`deckbuild import` end to end: files written, refusals, and a round trip through `build`."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from import_corpus import CORPUS, EXPECTED, corpus_files
from support import REPO, make_project, read_apkg, snapshot, without_docs

from deckbuild.cli import cli
from deckbuild.importers import import_sources

DECK = "Transfer Learning Interview Questions"


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


def test_import_reports_then_writes_files_that_check_strict_accepts(tmp_path):
    project = make_project(tmp_path / "p")
    result = run("import", *corpus_files(), "--project", project)
    assert result.exit_code == 0, result.output
    assert "headings-ml-basics.md: layout 'headings' (questions are level-4 headings" in result.output
    assert "  4 cards in 2 sections: Fundamentals (2), Model Evaluation (2)\n" in result.output
    assert "  left out, in no card (9 lines):\n    1: # Machine Learning Interview Questions\n" \
        in result.output
    assert "    20: **[⬆ Back to Top](#table-of-contents)**  (link within the page)\n" in result.output
    assert "cards/list-nlp-02-models.md (2 cards)" in result.output
    assert result.output.endswith("Wrote 25 card files with 52 cards; check them with "
                                  "'deckbuild check --strict', then 'deckbuild build'.\n")
    check = run("--project", project, "check", "--strict")
    assert (check.exit_code, check.stdout) == (0, "")


def test_round_trip_fields_and_subdecks_match_the_sources(tmp_path):
    project = make_project(tmp_path / "p")
    assert run("import", *corpus_files(), "--project", project).exit_code == 0
    built = run("--project", project, "build", "--timestamp", "1700000000")
    assert built.exit_code == 0, built.output
    package = read_apkg(next((project / "dist").glob("*.apkg")))
    decks = {str(d["id"]): d["name"] for d in package["decks"].values()}
    deck_of = {nid: decks[str(did)] for _, nid, did, _, _ in package["cards"]}
    notes = {flds.split("\x1f")[4]: (flds.split("\x1f") + [tags], deck_of[nid])
             for nid, _, _, _, tags, flds in package["notes"]}
    # The same pure import gives the ids and each card's source line.
    sources = [(p.name, p.stem, p.read_text(encoding="utf-8")) for p in corpus_files()]
    assert len(notes) == sum(len(e.questions) for e in EXPECTED.values()) == 52
    for imported in import_sources(sources).files:
        expected = EXPECTED[imported.path]
        fields = [notes[card.id] for card in imported.cards]
        # A quiz's code and options follow the question on the front, in their own block.
        assert [_text(f[0].split('<div class="tl-front">')[0]) for f, _ in fields] == \
            list(expected.questions)
        assert [_text(f[3]) for f, _ in fields if f[3]] == (
            ["src"] if imported.path == "headings-python.md" else
            ["Kingma and Ba 2015"] if imported.path == "native-optimizers.md" else [])
        assert {deck for _, deck in fields} == {f"{DECK}::{s}" for s in expected.sections}
        _answers_hold_their_source_lines(imported, [f for f, _ in fields])


def _answers_hold_their_source_lines(imported, fields):
    """Every source line after a card's question line, up to the next card, is in its note
    (fields and tags)."""
    lines = (CORPUS / imported.path).read_text(encoding="utf-8").split("\n")
    left = {item.line for item in imported.left_out}
    starts = [card.line for card in imported.cards]
    sections = set(imported.sections)
    for index, card in enumerate(imported.cards):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines) + 1
        words = set(_words(" ".join(fields[index])))
        for number in range(card.line + 1, end):
            line = lines[number - 1]
            if number in left or _text(line).lstrip("# ") in sections:
                continue
            # Of a card comment, only the value is content (tags, source); <!-- extra --> none.
            line = re.sub(r"<!--\s*\w+\s*(:|-->)", "", line)
            if line.lstrip().startswith(("```", "~~~")):
                line = ""  # a fence's language names the highlighter; it is no text
            missing = [w for w in _words(line) if w not in words]
            assert not missing, f"{imported.path}:{number}: {line!r} lost {missing}"


def _text(field: str) -> str:
    """A field as plain text, its inline math written back as `$...$`."""
    text = html.unescape(re.sub(r"<[^>]+>", "", field)).strip()
    return text.replace("\\(", "$").replace("\\)", "$")


# Words of labels and <details> wrappers, which come off: the rest of a line must stay.
LABELS = {"answer", "question", "details", "summary", "show", "solution"}


def _words(text: str) -> list[str]:
    text = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>', r" \1 ", text)  # a link's address is text
    text = html.unescape(re.sub(r"</?[A-Za-z][^>]*>", " ", text))
    return [w for w in re.findall(r"[a-z0-9]{3,}", text.lower())
            if w not in LABELS]


def test_existing_card_files_are_never_overwritten_without_force(tmp_path):
    project = make_project(tmp_path / "p")
    source = CORPUS / "headings-deep-learning.md"
    assert run("import", source, "--project", project).exit_code == 0
    written = project / "cards" / "headings-deep-learning.md"
    written.write_text(written.read_text() + "\nMy own note.\n")
    before = snapshot(project / "cards")
    again = run("import", source, CORPUS / "list-git.md", "--project", project)
    assert again.exit_code == 1
    assert again.output == ("Error: cards/headings-deep-learning.md: already exists; import "
                            "never overwrites a card file (give --force to replace it)\n")
    assert snapshot(project / "cards") == before  # not even list-git.md was written
    forced = run("import", source, "--force", "--project", project)
    assert forced.exit_code == 0, forced.output
    assert "Wrote 1 card file (replaced 1) with 4 cards" in forced.output
    text = written.read_text()
    assert "My own note." not in text
    # Re-importing gives the replaced cards their old ids, not `-2` copies.
    assert "<!-- id: what-is-a-vanishing-gradient -->" in text


def test_dry_run_reports_and_writes_nothing(tmp_path):
    project = make_project(tmp_path / "p")
    result = run("--project", project, "import", "--dry-run", CORPUS / "list-nlp.md")
    assert result.exit_code == 0, result.output
    assert "4 cards in 2 sections: Basics (2), Models (2)" in result.output
    assert result.output.endswith("Dry run: would write 2 files with 4 cards.\n")
    assert snapshot(project / "cards") == {}


def test_new_ids_do_not_collide_with_cards_already_in_the_project(tmp_path):
    card = "# Old\n\n## What is a p-value?\n<!-- id: what-is-a-p-value -->\n\nOld answer.\n"
    project = make_project(tmp_path / "p", {"old.md": card})
    assert run("import", CORPUS / "numbered-statistics.md", "--project", project).exit_code == 0
    text = (project / "cards" / "numbered-statistics.md").read_text()
    # Not `-2`: the taken slug gets a hash of the card's own text, never a counter.
    assert re.search(r"## What is a p-value\?\n<!-- id: what-is-a-p-value-[0-9a-f]{8} -->", text)
    built = run("--project", project, "build")
    assert built.exit_code == 0, built.output


@pytest.mark.parametrize(("name", "data", "message"), [
    ("bad.md", b"# T\n\xff\n", "Error: {path}:2: invalid UTF-8 at byte offset 4\n"),
    ("prose.md", b"# Notes\n\nOnly prose.\n", "Error: {path}:1: no questions found: none of the "
     "known layouts (native, numbered, headings, details, list, bold, qa, table, obsidian, "
     "separated, inka, choices, frontback) fits; give --question-level N if the questions are "
     "level-N headings\n"),
])
def test_bad_input_is_reported_with_its_line_and_nothing_is_written(tmp_path, name, data, message):
    project = make_project(tmp_path / "p")
    path = tmp_path / name
    path.write_bytes(data)
    result = run("import", path, CORPUS / "list-git.md", "--project", project)
    assert result.exit_code == 1
    assert without_docs(result.output).endswith(message.format(path=path))
    assert "Traceback" not in result.output
    assert snapshot(project / "cards") == {}


def test_two_sources_that_would_write_one_file_are_refused(tmp_path):
    project = make_project(tmp_path / "p")
    (tmp_path / "a").mkdir()
    copy = tmp_path / "a" / "list-git.md"
    copy.write_bytes((CORPUS / "list-git.md").read_bytes())
    result = run("import", CORPUS / "list-git.md", copy, "--project", project)
    assert result.exit_code == 1
    assert f"Error: {copy}: would write cards/list-git.md, as {CORPUS / 'list-git.md'} does" \
        in result.output


def test_a_layout_can_be_forced_and_an_unknown_one_is_refused(tmp_path):
    project = make_project(tmp_path / "p")
    forced = run("import", "--dry-run", "--layout", "details", CORPUS / "list-nlp.md",
                 "--project", project)
    assert forced.exit_code == 1
    assert "list-nlp.md:1: no questions found in the 'details' layout" in forced.output
    unknown = run("import", "--layout", "faq", CORPUS / "list-nlp.md", "--project", project)
    assert unknown.exit_code == 2
    assert unknown.output.endswith("Error: Invalid value for '--layout': unknown layout 'faq' "
                                   "(known: native, numbered, headings, details, list, bold, qa, "
                                   "table, obsidian, separated, inka, choices, frontback)\n")


def test_build_py_runs_import(tmp_path):
    project = make_project(tmp_path / "p")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "import",
                             str(CORPUS / "details-cloud.md"), "--project", str(project)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # The hint names the command as it was run.
    assert result.stdout.endswith(f"check them with 'python {REPO / 'build.py'} check --strict', "
                                  f"then 'python {REPO / 'build.py'} build'.\n")
    assert sorted(p.name for p in (project / "cards").iterdir()) == [
        "details-cloud-01-compute.md", "details-cloud-02-storage.md"]


def test_the_docs_example_report_is_what_import_prints(tmp_path, monkeypatch):
    page = (REPO / "docs" / "importing.md").read_text(encoding="utf-8")
    section = page.split("## Importing existing Markdown", 1)[1]
    example = section.split("```\n", 2)[1]
    project = make_project(tmp_path / "p")
    (tmp_path / "interview.md").write_bytes((CORPUS / "headings-ml-basics.md").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = run("import", "interview.md", "--project", project)
    assert result.exit_code == 0, result.output
    assert result.output == example


def test_import_warns_of_what_check_will_refuse_or_warn_about(tmp_path):
    project = make_project(tmp_path / "p")
    source = tmp_path / "faq.md"
    source.write_text("# FAQ\n\n### What is the output?\n\n```js\n1 + '1'\n```\n\n'11'\n\n"
                      "### What is the output?\n\n![chart](img/chart.png)\n", encoding="utf-8")
    result = run("import", source, "--project", project)
    assert result.exit_code == 0, result.output
    # The image's warning names the image's own line (13), not its question's (11); the
    # missing image becomes a link, so the project builds.
    assert ("  warning: line 11: the same question as line 3: `check` warns about it; make the "
            "questions differ\n"
            "  warning: line 13: image 'img/chart.png' not found next to the imported file: "
            "linked instead of shown (put the file in media/ and link it as "
            "../media/NAME)\n") in result.output
    check = run("--project", project, "check")
    assert check.exit_code == 0
    assert check.output.startswith("cards/faq.md:12: warning: same question as cards/faq.md:3\n")


def test_an_unreadable_file_is_an_error_not_a_traceback(tmp_path):
    from deckbuild.errors import DeckError
    from deckbuild.importers import plan_import
    from deckbuild.project.config import load_config

    project = make_project(tmp_path / "p")
    folder = tmp_path / "notes.md"  # a folder where a file is expected: reading it fails
    folder.mkdir()
    with pytest.raises(DeckError) as caught:
        plan_import(load_config(project), [folder, CORPUS / "list-git.md"])
    assert [str(p) for p in caught.value.problems] == [f"{folder}: cannot read it: Is a directory"]
    assert snapshot(project / "cards") == {}


def test_a_card_file_that_appears_after_the_plan_is_not_overwritten(tmp_path):
    from deckbuild.errors import DeckError
    from deckbuild.importers import plan_import, write_import
    from deckbuild.project.config import load_config

    project = make_project(tmp_path / "p")
    plan = plan_import(load_config(project), [CORPUS / "list-git.md"])
    (project / "cards" / "list-git.md").write_text("mine\n", encoding="utf-8")
    with pytest.raises(DeckError, match="appeared while importing; left as it is"):
        write_import(plan)
    assert (project / "cards" / "list-git.md").read_text() == "mine\n"


def test_a_file_given_twice_is_refused_before_anything_is_written(tmp_path):
    project = make_project(tmp_path / "p")
    source = CORPUS / "list-git.md"
    result = run("import", source, source, "--project", project)
    assert result.exit_code == 1
    assert result.output == f"Error: {source}: given twice\n"
    assert snapshot(project / "cards") == {}
