"""Lock file, reproducible bytes, schema guard, releases and diff, through the CLI."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, read_apkg, snapshot

from deckbuild.cli import cli

PACKAGE = "transfer-learning-interview-questions-1.0.0.apkg"


def run(project: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, ["--project", str(project), *args], obj={})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_same_sources_give_the_same_bytes_and_leave_no_temp_files(tmp_path, monkeypatch):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    first = make_project(tmp_path / "a", mini=True)
    second = make_project(tmp_path / "b", mini=True)
    for project in (first, second):
        assert run(project, env={"SOURCE_DATE_EPOCH": "1700000000"}).exit_code == 0
    data = (first / "dist" / PACKAGE).read_bytes()
    assert data == (second / "dist" / PACKAGE).read_bytes()
    # A rebuild from the same sources and lock, at any later time, is the same package.
    assert run(first, "build", "--timestamp", "1800000000").exit_code == 0
    assert (first / "dist" / PACKAGE).read_bytes() == data
    assert sorted(p.name for p in (first / "dist").iterdir()) == [PACKAGE]
    assert list(private_tmp.iterdir()) == []  # genanki-style leaked sqlite files would be here


def test_rebuild_without_changes_keeps_every_mod(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    lock_before = (project / "deck.lock.json").read_text()
    assert run(project, "build", "--timestamp", "1700009999").exit_code == 0
    assert (project / "deck.lock.json").read_text() == lock_before
    notes = read_apkg(project / "dist" / PACKAGE)["notes"]
    assert {n[3] for n in notes} == {1700000000}


def test_an_edit_moves_only_that_notes_mod(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    edit(project / "cards" / "more.md", "Training converges faster.", "Training is faster.")
    result = run(project, "build", "--timestamp", "1700000500")
    assert "3 notes (1 new or changed)" in result.output
    lock = json.loads((project / "deck.lock.json").read_text())
    mods = {card_id: entry["mod"] for card_id, entry in lock["notes"].items()}
    assert mods == {"gradient-step": 1700000000, "freeze-layers": 1700000000,
                    "one-benefit": 1700000500}


def _move_within_file(cards: Path) -> None:
    text = (cards / "basics.md").read_text()
    first, _, second = text.partition("## Which layers")
    head, _, card = first.partition("## What does")
    (cards / "basics.md").write_text(f"{head}## Which layers{second.rstrip()}\n\n## What does{card}")


def _move_to_another_file(cards: Path) -> None:
    text = (cards / "basics.md").read_text()
    kept, _, moved = text.partition("## Which layers")
    (cards / "basics.md").write_text(kept)
    (cards / "basics-more.md").write_text(f"# Basics\n\n## Which layers{moved}")


def _insert_blank_lines(cards: Path) -> None:
    for path in cards.glob("*.md"):
        lines = path.read_text().split("\n")
        spaced = [f"\n\n\n{line}" if line.startswith("## ") and following.startswith("<!-- id:")
                  else line for line, following in zip(lines, lines[1:] + [""], strict=True)]
        path.write_text("\n".join(spaced) + "\n\n\n")  # the start may be front matter


def _reorder_files(cards: Path) -> None:
    (cards / "basics.md").rename(cards / "z-basics.md")
    (cards / "more.md").rename(cards / "a-more.md")


@pytest.mark.parametrize("cache", [True, False], ids=["cache", "no-cache"])
@pytest.mark.parametrize("change", [_move_within_file, _move_to_another_file, _insert_blank_lines,
                                    _reorder_files], ids=lambda f: f.__name__.strip("_"))
def test_moves_blank_lines_and_file_order_keep_every_guid_and_mod(tmp_path, change, cache):
    project = make_project(tmp_path / "p", mini=True)
    options = () if cache else ("--no-cache",)
    assert run(project, "build", "--timestamp", "1700000000", *options).exit_code == 0
    lock_before = json.loads((project / "deck.lock.json").read_text())["notes"]
    notes_before = {(guid, mod) for _, guid, _, mod, _, _ in read_apkg(project / "dist" / PACKAGE)
                    ["notes"]}
    sources_before = snapshot(project / "cards")
    change(project / "cards")
    assert snapshot(project / "cards") != sources_before
    result = run(project, "build", "--timestamp", "1700000500", *options)
    assert result.exit_code == 0, result.output
    assert "3 notes (0 new or changed)" in result.output
    assert json.loads((project / "deck.lock.json").read_text())["notes"] == lock_before
    notes_after = {(guid, mod) for _, guid, _, mod, _, _ in read_apkg(project / "dist" / PACKAGE)
                   ["notes"]}
    assert notes_after == notes_before and len(notes_after) == 3


def test_schema_change_is_refused_then_allowed_with_advice(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project).exit_code == 0
    before = snapshot(project / "dist")
    # A field in the middle (one added at the end is growth, allowed: test_contract_anki.py).
    edit(project / "pyproject.toml", 'fields = ["Question", "Answer", "Extra", "Source", "Id"]',
         'fields = ["Question", "Answer", "Hint", "Extra", "Source", "Id"]\n'
         'map = { Hint = "source" }')
    result = run(project, "build")
    assert result.exit_code == 1
    assert "the note type's schema changed (fields:" in result.output
    assert "'<name>+'" in result.output and "--allow-schema-change" in result.output
    assert snapshot(project / "dist") == before
    result = run(project, "build", "--allow-schema-change")
    assert result.exit_code == 0, result.output
    assert "Merge note types" in result.output
    assert run(project, "build").exit_code == 0  # the new schema is now the recorded one


def test_a_field_swap_that_keeps_the_sort_field_is_refused(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project).exit_code == 0
    edit(project / "pyproject.toml", '["Question", "Answer", "Extra", "Source", "Id"]',
         '["Question", "Extra", "Answer", "Source", "Id"]')
    result = run(project, "build")
    assert result.exit_code == 1
    assert ("the note type's schema changed (fields: ['Question', 'Answer', 'Extra', 'Source', "
            "'Id'] -> ['Question', 'Extra', 'Answer', 'Source', 'Id'])") in result.output
    assert "sort_field" not in result.output


def test_template_rename_is_a_schema_change(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project).exit_code == 0
    edit(project / "pyproject.toml", 'name = "Card 1"', 'name = "Recall"')
    result = run(project, "build")
    assert result.exit_code == 1 and "templates: ['Card 1'] -> ['Recall']" in result.output


def test_released_version_is_frozen_and_never_overwritten(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    result = run(project, "release", "--timestamp", "1700000000")
    assert result.exit_code == 0, result.output
    assert "Released version 1.0.0" in result.output
    package = project / "dist" / PACKAGE
    data = package.read_bytes()
    result = run(project, "build", "--timestamp", "1700000100")
    assert result.exit_code == 0 and "released and unchanged" in result.output
    assert package.read_bytes() == data
    package.unlink()  # a lost release file is rebuilt to the same bytes
    assert run(project, "build", "--timestamp", "1700000200").exit_code == 0
    assert package.read_bytes() == data
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    result = run(project, "build")
    assert result.exit_code == 1
    assert "version 1.0.0 is already released" in result.output
    assert "bump [tool.deckbuild] version" in result.output
    assert package.read_bytes() == data


def test_diff_against_last_release_and_between_packages(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release").exit_code == 0
    old_package = tmp_path / "old.apkg"
    shutil.copy(project / "dist" / PACKAGE, old_package)
    edit(project / "pyproject.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    edit(project / "cards" / "more.md", "section: More Topics", "section: Extras")
    basics = project / "cards" / "basics.md"
    text = basics.read_text()
    basics.write_text(text[: text.index("## Which layers")] +
                      "## A new card?\n<!-- id: new-card -->\nYes.\n")
    result = run(project, "diff")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Changes from 1.0.0 to 1.1.0 (sources):" in out
    assert "+ new-card: A new card?" in out
    assert "~ one-benefit: Name one benefit of transfer learning." in out
    assert "- freeze-layers: Which layers should you freeze?" in out
    assert "unchanged (1)" in out
    assert "Subdeck 'Transfer Learning Interview Questions::More Topics' is gone" in out
    assert '"Id:freeze-layers"' in out
    assert run(project, "build").exit_code == 0
    result = run(project, "diff", str(old_package),
                 str(project / "dist" / "transfer-learning-interview-questions-1.1.0.apkg"))
    assert result.exit_code == 0, result.output
    assert "+ new-card" in result.output and "~ one-benefit" in result.output
    assert "- freeze-layers" in result.output
    description = read_apkg(project / "dist" /
                            "transfer-learning-interview-questions-1.1.0.apkg")["decks"]
    root = next(d for d in description.values() if d["name"] == "Transfer Learning Interview "
                "Questions")
    assert "Version 1.1.0" in root["desc"]
    assert "Changes since 1.0.0: 1 new, 1 updated, 1 removed." in root["desc"]


def test_diff_right_after_a_release_reports_no_change(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release").exit_code == 0
    result = run(project, "diff")
    assert result.exit_code == 0
    assert "added (0)" in result.output and "removed (0)" in result.output
    assert "subdeck" not in result.output.lower()


def test_diff_tells_the_deck_itself_from_a_subdeck(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release").exit_code == 0
    edit(project / "pyproject.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    (project / "cards" / "loose.md").write_text("## Loose?\n<!-- id: loose -->\nYes.\n")
    out = run(project, "diff").output
    assert "  - Cards now go to the deck 'Transfer Learning Interview Questions' itself too, " \
        "beside its subdecks." in out
    assert "New subdeck" not in out
    assert run(project, "release").exit_code == 0
    edit(project / "pyproject.toml", 'version = "1.1.0"', 'version = "1.2.0"')
    (project / "cards" / "loose.md").unlink()
    out = run(project, "diff").output
    assert "  - No card goes to the deck 'Transfer Learning Interview Questions' itself any " \
        "more: cards users already have there stay where they are" in out


def test_diff_names_a_note_type_the_new_version_adds(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release").exit_code == 0
    edit(project / "pyproject.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    (project / "cards" / "formulas.md").write_text(
        "---\ntype: cloze\n---\n# Formulas\n\n## Gap\n<!-- id: gap -->\n\n"
        "Transfer is negative when the gap is {{c1::positive}}.\n")
    out = run(project, "diff").output
    assert "  - New note type 'cloze': importing adds it beside the others; nothing to " \
        "choose." in out
    assert run(project, "release").exit_code == 0
    edit(project / "pyproject.toml", 'version = "1.1.0"', 'version = "1.2.0"')
    out = run(project, "diff").output
    assert "New note type" not in out


def test_a_release_records_its_note_types_schema(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release").exit_code == 0
    lock = json.loads((project / "deck.lock.json").read_text())
    assert lock["releases"][0]["schema"] == {
        "fields": ["Question", "Answer", "Extra", "Source", "Id"], "kind": "standard",
        "sort_field": "Question", "templates": ["Card 1"]}
    # Releases recorded before the schema was kept still read, without one.
    del lock["releases"][0]["schema"]
    (project / "deck.lock.json").write_text(json.dumps(lock))
    from deckbuild.release.lock import read_lock
    assert read_lock(project / "deck.lock.json", "deck.lock.json").releases[0].schema is None
