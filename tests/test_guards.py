"""What a build refuses, and the exact words it refuses with (guards.py)."""

from __future__ import annotations

import pytest
from support import make_project

from deckbuild.errors import DeckError, Problem
from deckbuild.project.config import load_config
from deckbuild.records import RenderedNote
from deckbuild.release.guards import (
    describe_schema_change,
    guard_released,
    migration_advice,
    schema_problem,
    type_change_problems,
)
from deckbuild.release.lock import Release

RELEASED = Release("1.0.0", 1, "nt-hash", {"a": "h1", "b": "h2"}, ("D",), types={"cloze": "c1"})
BUMP = "version 1.0.0 is already released and the content changed{}; bump [tool.deckbuild] version"
OLD = {"fields": ["Question", "Answer"], "sort_field": "Question", "templates": ["Card 1"]}
NEW = {"fields": ["Answer", "Question"], "sort_field": "Question", "templates": ["Card 1"]}


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(make_project(tmp_path_factory.mktemp("guards") / "p"))


def refusal(config, current, notetype_hash="nt-hash", identity_changed=False, types=None) -> str:
    with pytest.raises(DeckError) as caught:
        guard_released(RELEASED, current, notetype_hash, config, identity_changed,
                       {"cloze": "c1"} if types is None else types)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.severity) == ("pyproject.toml", 0, "error")
    return problem.message


def test_the_released_content_builds_again(config):
    guard_released(RELEASED, {"a": "h1", "b": "h2"}, "nt-hash", config, False, {"cloze": "c1"})


def test_a_changed_note_names_how_many_differ_and_the_first(config):
    assert refusal(config, {"a": "h1", "b": "new"}) == BUMP.format(
        " (1 note differs, e.g. 'b')")
    assert refusal(config, {"c": "h3", "b": "h2", "a": "x"}) == BUMP.format(
        " (2 notes differ, e.g. 'a')")
    assert refusal(config, {"a": "h1"}) == BUMP.format(" (1 note differs, e.g. 'b')")


def test_a_changed_note_type_or_identity_says_which(config):
    same = {"a": "h1", "b": "h2"}
    assert refusal(config, same, notetype_hash="other") == BUMP.format(
        " (the note type differs)")
    assert refusal(config, same, types={"cloze": "c2"}) == BUMP.format(
        " (the note type differs)")
    assert refusal(config, same, types={}) == BUMP.format(" (the note type differs)")
    assert refusal(config, same, identity_changed=True) == BUMP.format(
        " (the deck's identity differs)")


def test_no_other_types_is_the_same_as_none_recorded(config):
    plain = Release("1.0.0", 1, "nt-hash", {"a": "h1"}, ("D",))
    guard_released(plain, {"a": "h1"}, "nt-hash", config)
    guard_released(plain, {"a": "h1"}, "nt-hash", config, types={})


def test_a_schema_change_names_every_part_that_changed():
    assert describe_schema_change(OLD, NEW) == (
        "fields: ['Question', 'Answer'] -> ['Answer', 'Question']")
    assert describe_schema_change({"a": 1, "b": 2}, {"b": 3, "c": 4}) == (
        "a: 1 -> None; b: 2 -> 3; c: None -> 4")
    assert describe_schema_change(OLD, OLD) == ""


def test_the_schema_problem_says_what_users_would_get_and_how_to_go_on():
    problem = schema_problem({"old": OLD, "new": NEW}, "deck.lock.json")
    assert problem == Problem(
        "deck.lock.json", 0,
        "the note type's schema changed (fields: ['Question', 'Answer'] -> ['Answer', "
        "'Question']). Users who import this get a copy of the note type named '<name>+', and "
        "every existing note stops receiving updates. Revert the change, or rebuild with "
        "--allow-schema-change to accept it and record the new schema")


def test_the_migration_advice_is_two_lines_for_the_release_notes():
    assert migration_advice({"old": OLD, "new": NEW}, "My Q&A") == (
        "The note type's schema changed: fields: ['Question', 'Answer'] -> ['Answer', "
        "'Question'].",
        "For the release notes: import this version with 'Merge note types' ticked and "
        "'Update notes' set to 'Always' (Anki 23.10 or later). Anki then converts the existing "
        "notes to the new note type and updates them, keeping review history, but it "
        "overwrites users' own edits to these notes and needs a one-way full sync. With the "
        "default options Anki adds a copy 'My Q&A+' and existing notes get no updates.",
    )


def test_a_card_that_changed_its_type_is_refused_at_its_line():
    note = RenderedNote("risk", "g", ("x",), (), "D", (), "cards/a.md", 12, notetype="cloze")
    assert type_change_problems(((note, "basic"),)) == [Problem(
        "cards/a.md", 12,
        "card 'risk' changed its note type from 'basic' to 'cloze': Anki would not update it "
        "(users keep the old note). Give the card a new id to publish it as a new note, or "
        "change its type back (--allow-schema-change builds it anyway)")]
    assert type_change_problems(()) == []


def test_the_advice_for_a_grown_note_type_says_how_to_import_and_what_each_choice_keeps():
    from deckbuild.release.guards import growth_text

    text = growth_text("My Type")
    assert text.startswith("For the release notes: in Anki 23.10 or later, import this version "
                           "with 'Merge note types' ticked.")
    assert "renamed fields keep their content, and every card keeps its review history. Set " \
        "'Update notes' to 'Always' as well to get this version's text changes at once (it " \
        "replaces your own edits to these notes); with 'If newer' they arrive with the next " \
        "update." in text
    assert text.endswith("Without merging, Anki adds a copy 'My Type+' and your existing notes "
                         "get no updates.")


def test_the_growth_advice_names_what_the_new_version_adds():
    from deckbuild.records import CardTemplate, NoteType
    from deckbuild.release.guards import GROWN, growth_advice

    card = CardTemplate("Card 1", "{{Question}}", "{{Answer}}")
    old = NoteType(1, "T", ("Question", "Answer"), (card,), "").schema()
    new = NoteType(1, "T", ("Question", "Answer", "Hint"), (card,), "").schema()
    first, second = growth_advice({"old": old, "new": new}, "T")
    assert first.startswith(f"{GROWN}: ") and "Hint" in first
    assert "Hint" not in growth_advice({"old": old, "new": old}, "T")[0]
    assert second.endswith("Without merging, Anki adds a copy 'T+' and your existing notes "
                           "get no updates.")
