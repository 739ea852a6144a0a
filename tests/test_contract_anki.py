"""The modern note-type contract, proven with Anki's engine: field and template ids that
Anki's "merge note types" follows, and note types that grow between versions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from support import REPO, make_project
from test_rehearsal_anki import edit, notes_of, release, run, section, set_version

pytest.importorskip("anki")

SLUG = "transfer-learning-interview-questions"
NOTETYPE = "Transfer Learning Q&A"


def models_of(package: Path) -> dict[str, dict]:
    with zipfile.ZipFile(package) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            (models,) = conn.execute("SELECT models FROM col").fetchone()
        finally:
            conn.close()
    return {m["name"]: m for m in json.loads(models).values()}


def shipped_copy(root: Path) -> Path:
    """The shipped deck's sources and lock, as they are now."""
    root.mkdir()
    for name in ("pyproject.toml", "deck.lock.json"):
        shutil.copy(REPO / name, root / name)
    for name in ("cards", "media", "templates"):
        shutil.copytree(REPO / name, root / name)
    return root


def released_1_1_0(root: Path) -> Path:
    """The shipped deck's 1.1.0 package (released without ids), rebuilt from the git commit
    that recorded it."""
    from deckbuild.release.previous import export_tree, release_commit

    found = release_commit(REPO, REPO / "deck.lock.json", "1.1.0")
    if found is None:
        pytest.skip("needs the repository's git history (the commit that released 1.1.0)")
    commit, toplevel, prefix = found
    project = export_tree(toplevel, commit, prefix, root)
    assert project is not None
    assert run(project, "build").exit_code == 0
    return project / "dist" / f"{SLUG}-1.1.0.apkg"


def answer_all(col) -> int:
    answered = 0
    for deck in col.decks.all_names_and_ids():
        col.decks.select(deck.id)
        while (card := col.sched.getCard()) is not None and answered < 10:
            col.sched.answerCard(card, 3)
            answered += 1
    return answered


def test_the_next_package_of_the_shipped_deck_imports_over_1_1_0_without_conflicts(
        tmp_path, anki):
    """1.1.0 is released without ids; the sources on main, built as the next version, carry
    them, and Anki, finding no ids in the user's copy, matches by name: nothing conflicts
    under the default options."""
    old = released_1_1_0(tmp_path / "old")
    assert all("id" not in f for m in models_of(old).values() for f in m["flds"])
    anki.import_package(old)
    answered = answer_all(anki.col)
    project = shipped_copy(tmp_path / "deck")
    set_version(project, "99.0.0")  # a version not released yet: it carries the ids
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    new = project / "dist" / f"{SLUG}-99.0.0.apkg"
    models = models_of(new)
    ours = models[NOTETYPE]
    assert all(isinstance(f["id"], int) for f in ours["flds"])
    assert all(isinstance(t["id"], int) for t in ours["tmpls"])
    assert ours["originalStockKind"] == 1 and models[f"{NOTETYPE} (cloze)"]["originalStockKind"] == 5
    log = anki.import_package(new)
    assert len(log.conflicting) == 0
    assert log.updated and not log.missing_notetype
    assert [m.name for m in anki.col.models.all_names_and_ids() if m.name.endswith("+")] == []
    assert len(anki.col.db.list("select id from revlog")) == answered
    # The lock records the ids, so that later versions keep them.
    lock = json.loads((project / "deck.lock.json").read_text())
    entry = lock["notetypes"][str(ours["id"])]
    assert [i for _, i in entry["ids"]["fields"]] == [f["id"] for f in ours["flds"]]


def grow(project: Path) -> None:
    """Rename Extra to Notes in place, add a Hint field at the end, edit one answer."""
    edit(project / "pyproject.toml", 'fields = ["Question", "Answer", "Extra", "Source", "Id"]',
         'fields = ["Question", "Answer", "Notes", "Source", "Id", "Hint"]\n'
         'map = { Notes = "extra", Hint = "source" }')
    back = project / "templates" / "back.html"
    back.write_text(back.read_text().replace("Extra", "Notes"))
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")


def test_a_note_type_that_grows_updates_every_note_under_merge_and_keeps_history(
        tmp_path, anki):
    from anki.import_export_pb2 import (
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    first = models_of(project / "dist" / f"{SLUG}-1.0.0.apkg")[NOTETYPE]
    anki.import_package(project / "dist" / f"{SLUG}-1.0.0.apkg")
    answered = answer_all(anki.col)
    grow(project)
    # Growth needs no --allow-schema-change, and the rehearsal does not refuse it: merging
    # resolves every conflict of the default options.
    output = release(project, "1.1.0", 1_700_100_000)
    assert "The note type grew: field 'Extra' renamed to 'Notes'; field 'Hint' added." in output
    new = project / "dist" / f"{SLUG}-1.1.0.apkg"
    grown = models_of(new)[NOTETYPE]
    # The renamed field keeps its id; the added one gets a new one.
    ids = [f["id"] for f in first["flds"]]
    assert [f["id"] for f in grown["flds"]][:5] == ids and grown["flds"][5]["id"] not in ids
    notes = notes_of(project, "1.1.0")
    assert "| conflicting (not updated) | 3 |" in section(notes, "Import with default options")
    always = section(notes, "Import with merge note types on, update")
    assert "| updated | 2 |" in always  # and the user's edited note:
    assert "| updated, replacing the user's own edit | 1 |" in always
    assert "Tick 'Merge note types' when you import this version" in notes
    col = anki.col
    extra_before = {col.get_note(n)["Id"]: col.get_note(n)["Extra"] for n in col.find_notes("")}
    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(new), options=ImportAnkiPackageOptions(
            merge_notetypes=True, update_notes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS))).log
    col.models._clear_cache()
    assert len(log.updated) == 3 and not log.conflicting
    assert [m.name for m in col.models.all_names_and_ids() if m.name.startswith(NOTETYPE)] == [
        NOTETYPE]
    assert col.models.field_names(col.models.by_name(NOTETYPE)) == [
        "Question", "Answer", "Notes", "Source", "Id", "Hint"]
    after = {col.get_note(n)["Id"]: col.get_note(n) for n in col.find_notes("")}
    assert {k: n["Notes"] for k, n in after.items()} == extra_before  # renamed: content kept
    assert "Faster training." in after["one-benefit"]["Answer"]
    assert after["freeze-layers"]["Hint"] == "Yosinski et al. 2014"
    assert len(col.db.list("select id from revlog")) == answered


def test_a_template_added_at_the_end_is_growth_and_merging_adds_its_cards(tmp_path, anki):
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    anki.import_package(project / "dist" / f"{SLUG}-1.0.0.apkg")
    cards_before = set(anki.col.db.list("select id from cards"))
    edit(project / "pyproject.toml",
         'templates = [{ name = "Card 1", front = "front.html", back = "back.html" }]',
         'templates = [{ name = "Card 1", front = "front.html", back = "back.html" }, '
         '{ name = "Reverse", front = "reverse.html", back = "back.html" }]')
    (project / "templates" / "reverse.html").write_text("{{Answer}}\n")
    release(project, "1.1.0", 1_700_100_000)
    log = anki.col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(project / "dist" / f"{SLUG}-1.1.0.apkg"),
        options=ImportAnkiPackageOptions(merge_notetypes=True))).log
    anki.col.models._clear_cache()
    assert not log.conflicting
    cards = set(anki.col.db.list("select id from cards"))
    assert cards_before < cards and len(cards) == 2 * len(cards_before)


def test_removing_or_reordering_fields_stays_refused(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    set_version(project, "1.1.0")
    edit(project / "cards" / "basics.md", "<!-- source: Yosinski et al. 2014 -->\n", "")
    back = project / "templates" / "back.html"
    back.write_text(back.read_text().replace("Source", "Extra"))
    for fields in ('["Question", "Answer", "Extra", "Id"]',
                   '["Question", "Answer", "Source", "Extra", "Id"]'):
        text = (project / "pyproject.toml").read_text()
        (project / "pyproject.toml").write_text(text.replace(
            'fields = ["Question", "Answer", "Extra", "Source", "Id"]', f"fields = {fields}"))
        result = run(project, "release")
        assert result.exit_code == 1 and "the note type's schema changed" in result.output
        (project / "pyproject.toml").write_text(text)
