"""`diff`: what changed between versions, and exactly what the report tells the author."""

from __future__ import annotations

import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, make_project

from deckbuild.cli import cli
from deckbuild.package.writer import read_package
from deckbuild.pipeline import check
from deckbuild.project.config import load_config
from deckbuild.release.diff import (
    NoteState,
    Side,
    anki_search,
    changelog_html,
    diff_sides,
    format_diff,
    plain,
    side_from_package,
    side_from_release,
)
from deckbuild.release.lock import Lock, NoteLock, Release, notetype_hash

OLD = "transfer-learning-interview-questions-1.0.0.apkg"
NEW = "transfer-learning-interview-questions-1.1.0.apkg"

# The example in docs/releasing.md: one card edited, one added, one removed, a subdeck renamed.
_PAGE = (REPO / "docs" / "releasing.md").read_text(encoding="utf-8")
_SHOWN = _PAGE.split("## What changed: diff", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
HEADER, *REPORT = _SHOWN.splitlines()


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def released(tmp_path):
    """1.0.0 released (its package kept aside), then 1.1.0 edited as in docs/releasing.md."""
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release", "--timestamp", "1700000000").exit_code == 0
    shutil.copy(project / "dist" / OLD, tmp_path / OLD)
    edit(project / "pyproject.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    edit(project / "cards" / "more.md", "section: More Topics", "section: Benefits")
    basics = project / "cards" / "basics.md"
    text = basics.read_text()
    basics.write_text(text[: text.index("## Which layers")] + "## What is a source domain?\n"
                      "<!-- id: source-domain -->\nWhere the knowledge comes from.\n")
    return project


def test_diff_against_the_last_release_prints_the_docs_report(released):
    result = run(released, "diff")
    assert result.exit_code == 0, result.output
    assert HEADER == "Changes from 1.0.0 to 1.1.0 (sources):"
    assert result.output.splitlines() == [HEADER, *REPORT]


def test_diff_of_two_packages_prints_the_same_report(released, tmp_path):
    assert run(released, "build", "--timestamp", "1700000100").exit_code == 0
    result = run(released, "diff", str(tmp_path / OLD), str(released / "dist" / NEW))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"Changes from {OLD} to {NEW}:", *REPORT]


def test_a_package_reads_back_as_the_note_type_notes_and_decks_it_was_built_from(released):
    assert run(released, "build", "--timestamp", "1700000100").exit_code == 0
    checked = check(load_config(released))
    notetypes, notes, decks = read_package(released / "dist" / NEW)
    assert notetypes == [checked.notetype]
    # The removed card ships once more as a tombstone (docs/releasing.md); the rest are the sources.
    retired = [n for n in notes if "deckbuild::retired" in n[3]]
    assert [n[2][-1] for n in retired] == ["freeze-layers"]
    notes = [n for n in notes if n not in retired]
    assert notes == [(n.guid, checked.notetype.id, list(n.fields), list(n.tags), n.deck)
                     for n in sorted(checked.notes, key=lambda n: _note_id(n.guid))]
    assert decks == ["Transfer Learning Interview Questions::Basics",
                     "Transfer Learning Interview Questions::Benefits"]
    side = side_from_package(released / "dist" / NEW)
    assert side.label == NEW
    assert side.by_type == {checked.notetype.id: (notetype_hash(checked.notetype),
                                                  checked.notetype.schema())}
    assert {i: (s.guid, s.question) for i, s in side.notes.items()} == {
        n.card_id: (n.guid, plain(n.fields[0])) for n in checked.notes}


def _note_id(guid: str) -> int:
    from deckbuild.source.ids import note_id_for
    return note_id_for(guid)


def test_packages_with_other_css_or_schema_say_so(released, tmp_path):
    assert run(released, "build", "--timestamp", "1700000100").exit_code == 0
    old = tmp_path / "css.apkg"
    shutil.copy(released / "dist" / NEW, old)
    with (released / "templates" / "style.css").open("a") as css:
        css.write("\n.card { color: black; }\n")
    edit(released / "pyproject.toml", 'version = "1.1.0"', 'version = "1.2.0"')
    assert run(released, "build", "--timestamp", "1700000200").exit_code == 0
    new = released / "dist" / "transfer-learning-interview-questions-1.2.0.apkg"
    out = run(released, "diff", str(old), str(new)).output.splitlines()
    assert out[-2:] == ["  - Unchanged notes (3) keep their mod time: users' own edits and "
                        "tags on them are left alone.",
                        "  - Templates or CSS changed: the note type is updated in place."]
    edit(released / "pyproject.toml", 'sort_field = "Question"', 'sort_field = "Answer"')
    edit(released / "pyproject.toml", 'version = "1.2.0"', 'version = "1.3.0"')
    result = run(released, "build", "--timestamp", "1700000300", "--allow-schema-change")
    assert result.exit_code == 0, result.output
    out = run(released, "diff", str(new), str(
        released / "dist" / "transfer-learning-interview-questions-1.3.0.apkg")).output
    assert "  - The note type's SCHEMA changed: Anki adds a copy named '<name>+' and existing " \
        "notes get no updates unless users tick 'Merge note types'." in out.splitlines()
    assert "Templates or CSS changed" not in out


def state(card_id: str, digest: str = "h", question: str = "Q?") -> NoteState:
    return NoteState(card_id, f"guid-{card_id}", question, digest)


def side(label: str, *notes: NoteState, decks: tuple[str, ...] = ("D",), notetype: str = "t",
         schema: dict[str, object] | None = None) -> Side:
    return Side(label, {n.id: n for n in notes}, decks, notetype, schema)


def test_counts_are_singular_or_plural_and_notes_are_listed_in_id_order():
    old = side("1", state("a"), state("b"), state("c"))
    new = side("2", state("c", "changed"), state("b", "changed"), state("e"), state("d"))
    lines = format_diff(diff_sides(old, new))
    assert lines[:7] == ["Changes from 1 to 2:", "  added (2)", "    + d: Q?", "    + e: Q?",
                         "  changed (2)", "    ~ b: Q?", "    ~ c: Q?"]
    assert "  - 2 new notes added and 2 notes updated in place; review history is kept." in lines
    assert lines[-1] == '    "Id:a"'
    assert not any("Unchanged notes" in line for line in lines)


def test_nothing_new_or_changed_says_nothing_about_updates():
    lines = format_diff(diff_sides(side("1", state("a")), side("2", state("a"))))
    assert lines == ["Changes from 1 to 2:", "  added (0)", "  changed (0)", "  removed (0)",
                     "  unchanged (1)", "What importing users get:",
                     "  - Unchanged notes (1) keep their mod time: users' own edits and tags "
                     "on them are left alone."]


def test_a_schema_is_compared_only_when_both_sides_know_it():
    schema = {"fields": ["Q"]}
    other = {"fields": ["R"]}
    assert diff_sides(side("1", schema=schema), side("2", schema=other)).schema_changed
    assert not diff_sides(side("1", schema=schema), side("2", schema=schema)).schema_changed
    assert not diff_sides(side("1", schema=None), side("2", schema=other)).schema_changed
    assert not diff_sides(side("1", schema=schema), side("2", schema=None)).schema_changed
    assert diff_sides(side("1", notetype="x"), side("2", notetype="y")).notetype_changed
    assert not diff_sides(side("1"), side("2")).notetype_changed


def test_the_search_for_removed_notes_escapes_what_anki_reads_as_wildcards():
    assert anki_search(["a_b", "c*d", 'e"f', "g\\h", "i:j", "plain"]) == (
        r'"Id:a\_b" OR "Id:c\*d" OR "Id:e\"f" OR "Id:g\\h" OR "Id:i\:j" OR "Id:plain"')


def test_questions_are_shown_as_plain_text():
    assert plain("  <b>Tom</b> &amp; <i>Jerry</i> &lt;3 ") == "Tom & Jerry <3"


def test_a_release_side_names_notes_the_lock_still_knows():
    lock = Lock(notes={"a": NoteLock("ga", "h1", 5, "<b>A?</b>")},
                notetypes={})
    release = Release("1.0.0", 1, "nt", {"a": "h0", "gone": "h2"}, ("D",))
    side_ = side_from_release(release, lock)
    assert side_.label == "1.0.0" and side_.decks == ("D",) and side_.notetype_hash == "nt"
    assert side_.notes == {"a": NoteState("a", "ga", "A?", "h0"),
                           "gone": NoteState("gone", "", "", "h2")}
    assert side_.schema is None


def test_the_changelog_lists_new_then_updated_up_to_the_limit():
    notes = {i: NoteLock(f"g{i}", "new" if i != "kept" else "same", 1, f"<b>{i} &amp; co?</b>")
             for i in ("a", "b", "c", "kept")}
    notes["x"] = NoteLock("gx", "same", 1, "X?")
    release = Release("1.0.0", 1, "nt", {"a": "old", "kept": "same", "gone": "h"}, ())
    lock = Lock(notes=notes, releases=(release,))
    from deckbuild.records import CardTemplate, NoteType
    notetype = NoteType(1, "T", ("Question",), (CardTemplate("Card 1", "{{Question}}", ""),), "")
    text = changelog_html(lock, ("a", "b", "c", "kept"), notetype, "1.1.0", limit=2)
    assert text == ("<p>Changes since 1.0.0: 2 new, 1 updated, 1 removed.</p>\n"
                    "<ul><li>New: b &amp; co?</li><li>New: c &amp; co?</li>"
                    "<li>and 1 more</li></ul>")
    assert changelog_html(lock, ("a", "b", "c", "kept"), notetype, "1.1.0", limit=3) == (
        "<p>Changes since 1.0.0: 2 new, 1 updated, 1 removed.</p>\n"
        "<ul><li>New: b &amp; co?</li><li>New: c &amp; co?</li><li>Updated: a &amp; co?</li></ul>")
    assert changelog_html(lock, ("kept",), notetype, "1.1.0") == (
        "<p>Changes since 1.0.0: 0 new, 0 updated, 2 removed.</p>")
    six = {f"n{i}": NoteLock(f"g{i}", "h", 1, f"Q{i}?") for i in range(6)}
    text = changelog_html(Lock(notes=six, releases=(release,)), tuple(six), notetype, "1.1.0")
    assert text.count("<li>New: ") == 5 and text.endswith("<li>and 1 more</li></ul>")
    # The version being built is not a previous release, and with none there is no changelog.
    assert changelog_html(Lock(notes=notes, releases=(release,)), ("a",), notetype, "1.0.0") == ""


def test_a_cloze_note_is_named_by_its_heading(released):
    (released / "cards" / "cloze.md").write_text(
        "---\ntype: cloze\n---\n# Basics\n\n## Risks of transfer\n<!-- id: risks -->\n\n"
        "Source knowledge can {{c1::hurt}} the target.\n")
    out = run(released, "diff").output.splitlines()
    assert out[1:4] == ["  added (2)", "    + risks: Risks of transfer",
                        "    + source-domain: What is a source domain?"]


def test_diff_from_the_sources_reports_a_schema_change_not_yet_built(released):
    edit(released / "pyproject.toml", 'sort_field = "Question"', 'sort_field = "Answer"')
    out = run(released, "diff").output.splitlines()
    assert "  - The note type's SCHEMA changed: Anki adds a copy named '<name>+' and existing " \
        "notes get no updates unless users tick 'Merge note types'." in out


def test_only_changed_notes_still_say_they_update_in_place():
    lines = format_diff(diff_sides(side("1", state("a")), side("2", state("a", "edited"))))
    assert "  - 0 new notes added and 1 note updated in place; review history is kept." in lines
    lines = format_diff(diff_sides(side("1"), side("2", state("a"))))
    assert "  - 1 new note added and 0 notes updated in place; review history is kept." in lines


def test_packages_of_several_note_types_diff_and_read_back_their_kinds(released, tmp_path):
    (released / "cards" / "cloze.md").write_text(
        "---\ntype: cloze\n---\n# Basics\n\n## Risks of transfer\n<!-- id: risks -->\n\n"
        "Source knowledge can {{c1::hurt}} the target.\n")
    assert run(released, "build", "--timestamp", "1700000100").exit_code == 0
    new = released / "dist" / NEW
    notetypes, _, _ = read_package(new)
    assert sorted(t.kind for t in notetypes) == ["cloze", "standard"]
    shutil.copy(new, tmp_path / "copy.apkg")
    out = run(released, "diff", str(new), str(tmp_path / "copy.apkg")).output.splitlines()
    assert out[1:8] == ["  added (0)", "  changed (0)", "  removed (0)", "  unchanged (4)",
                        "What importing users get:",
                        "  - Unchanged notes (4) keep their mod time: users' own edits and tags "
                        "on them are left alone."]
    with (released / "templates" / "style.css").open("a") as css:
        css.write("\n.card { color: black; }\n")
    edit(released / "pyproject.toml", 'version = "1.1.0"', 'version = "1.2.0"')
    assert run(released, "build", "--timestamp", "1700000200").exit_code == 0
    newer = released / "dist" / "transfer-learning-interview-questions-1.2.0.apkg"
    out = run(released, "diff", str(tmp_path / "copy.apkg"), str(newer)).output.splitlines()
    assert out[-1] == "  - Templates or CSS changed: the note type is updated in place."


def by_type(**types: tuple[str, dict[str, object]]) -> dict[int, tuple[str, dict[str, object]]]:
    return {int(key[1:]): value for key, value in types.items()}


def test_packages_compare_every_note_type_they_share_by_id():
    def diff(old: dict, new: dict):
        return diff_sides(Side("1", {}, (), "", by_type=old), Side("2", {}, (), "", by_type=new))

    a, b = {"fields": ["Q"]}, {"fields": ["R"]}
    same = diff(by_type(t1=("h", a), t2=("k", b)), by_type(t1=("h", a), t2=("k", b)))
    assert (same.notetype_changed, same.schema_changed) == (False, False)
    second = diff(by_type(t1=("h", a), t2=("k", b)), by_type(t1=("h", a), t2=("k2", b)))
    assert (second.notetype_changed, second.schema_changed) == (True, False)
    schema = diff(by_type(t1=("h", a), t2=("k", b)), by_type(t1=("h", a), t2=("k", a)))
    assert (schema.notetype_changed, schema.schema_changed) == (False, True)
    # A type only one side has is new or gone, not changed.
    added = diff(by_type(t1=("h", a)), by_type(t1=("h", a), t2=("k", b)))
    assert (added.notetype_changed, added.schema_changed) == (False, False)
    moved = diff(by_type(t1=("h", a)), by_type(t2=("k", b)))
    assert (moved.notetype_changed, moved.schema_changed) == (False, False)
    # A side that is not a package compares its one main type, whatever the other holds.
    mixed = diff_sides(Side("1", {}, (), "h", a, by_type=by_type(t1=("h", a))),
                       Side("2", {}, (), "k", b))
    assert (mixed.notetype_changed, mixed.schema_changed) == (True, True)


def test_a_package_exported_by_newer_anki_is_read_from_its_collection_anki21(released,
                                                                             tmp_path):
    """Anki 2.1.50+ exports the real collection as collection.anki21 beside a stub
    collection.anki2 that only asks to update Anki."""
    assert run(released, "build", "--timestamp", "1700000100").exit_code == 0
    built = released / "dist" / NEW
    stub = tmp_path / "stub.anki2"
    sqlite3.connect(stub).close()
    exported = tmp_path / "exported.apkg"
    with zipfile.ZipFile(built) as src, zipfile.ZipFile(exported, "w") as dst:
        dst.writestr("collection.anki21", src.read("collection.anki2"))
        dst.write(stub, "collection.anki2")
        dst.writestr("media", src.read("media"))
    assert read_package(exported) == read_package(built)


def test_a_release_side_knows_each_notes_deck_from_the_lock():
    from test_lock import NOTETYPE

    from deckbuild.release.diff import NoteState, side_from_release
    from deckbuild.release.lock import Lock, NoteLock, with_release

    lock = Lock(notes={"a": NoteLock("g", "h", 1, "Q?", "D::S"), "b": NoteLock("g2", "h2", 1)})
    lock = with_release(lock, "1.0.0", 100, ("a", "b"), NOTETYPE, ("D::S",))
    side = side_from_release(lock.releases[-1], lock)
    assert side.notes["a"] == NoteState("a", "g", "Q?", "h", "D::S")
    assert side.notes["b"].deck == ""


def test_notes_moved_to_the_root_deck_are_searched_by_their_ids():
    from deckbuild.release.diff import NoteState, moved_searches

    moved = ((NoteState("first-card", "g1", "Q1", "h1", "Deck"), "Deck::Old"),
             (NoteState("second-card", "g2", "Q2", "h2", "Deck"), "Deck::Old"))
    (search,) = moved_searches(moved)
    assert search.startswith('"deck:Deck::Old" (')
    assert "first-card" in search and "second-card" in search
