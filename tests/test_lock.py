from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from deckbuild.errors import DeckError
from deckbuild.project.identity import Identity
from deckbuild.records import CardTemplate, NoteType, RenderedNote
from deckbuild.release.lock import (
    Lock,
    notetype_hash,
    read_lock,
    with_release,
    write_lock,
)
from deckbuild.release.stamper import Stamper, stamp

NOTETYPE = NoteType(1, "T", ("Question", "Answer"), (CardTemplate("Card 1", "{{Question}}",
                                                                  "{{Answer}}"),), "css")


def note(card_id: str, answer: str = "a") -> RenderedNote:
    return RenderedNote(card_id, f"g-{card_id}", (f"Q {card_id}", answer), ("t",), "D::S", (),
                        "cards/x.md", 1)


def test_first_build_stamps_everything_with_now():
    result = stamp(Lock(), (note("a"), note("b")), NOTETYPE, 100)
    assert result.mods == (100, 100) and result.notetype_mod == 100
    assert result.changed == ("a", "b")


def test_unchanged_notes_keep_their_mod_and_changed_ones_get_a_newer_one():
    first = stamp(Lock(), (note("a"), note("b")), NOTETYPE, 100).lock
    second = stamp(first, (note("a"), note("b", "edited"), note("c")), NOTETYPE, 50)
    assert second.mods == (100, 101, 101)  # never older than what users already have
    assert second.changed == ("b", "c")
    assert second.notetype_mod == 100
    again = stamp(second.lock, (note("a"), note("b", "edited"), note("c")), NOTETYPE, 999)
    assert again.mods == second.mods and again.changed == ()
    assert again.lock == second.lock


def test_notetype_css_change_gets_a_new_mod_but_is_not_a_schema_change():
    first = stamp(Lock(), (note("a"),), NOTETYPE, 100).lock
    restyled = NoteType(1, "T", NOTETYPE.fields, NOTETYPE.templates, "new css")
    result = stamp(first, (note("a"),), restyled, 200)
    assert result.notetype_mod == 200 and result.schema_change is None
    assert result.mods == (100,)
    assert result.notetype_changed and result.lock_changed  # the new mod is recorded
    assert not stamp(result.lock, (note("a"),), restyled, 300).lock_changed


def test_a_note_types_hash_is_the_one_locks_have_recorded():
    # Locks in users' repositories hold these hashes: a different one would give every
    # importing user a note type "update" that changes nothing.
    german = NoteType(1, "Karten für Übung", ("Frage", "Antwort"),
                      (CardTemplate("Karte 1", "{{Frage}} – ?", "{{Antwort}} ✓"),),
                      '.card { font-family: "Noto Sans"; } /* é */')
    assert notetype_hash(german) == (
        "6131d034c3add852f54d1881fd51996cf35f9fd1aee6189e027cd18b7c1fc1a0")


def test_stamping_keeps_the_recorded_identity():
    identity = Identity("D", 1, (2,), "ns")
    lock = dataclasses.replace(stamp(Lock(), (note("a"),), NOTETYPE, 100).lock,
                               identity=identity)
    assert stamp(lock, (note("a"),), NOTETYPE, 200).lock.identity == identity


@pytest.mark.parametrize("changed", [
    NoteType(1, "T", ("Question", "Answer", "Extra"), NOTETYPE.templates, "css"),
    NoteType(1, "T", ("Answer", "Question"), NOTETYPE.templates, "css"),
    NoteType(1, "T", NOTETYPE.fields, (CardTemplate("Renamed", "{{Question}}", "x"),), "css"),
    NoteType(1, "T", NOTETYPE.fields, NOTETYPE.templates, "css", sort_field=1),
    NoteType(1, "T", NOTETYPE.fields, NOTETYPE.templates, "css", kind="cloze"),
])
def test_schema_changes_are_detected(changed):
    first = stamp(Lock(), (note("a"),), NOTETYPE, 100).lock
    assert stamp(first, (note("a"),), changed, 200).schema_change is not None


TWO = (CardTemplate("Card 1", "{{Question}}", "{{Answer}}"),
       CardTemplate("Card 2", "{{Answer}}", "{{Question}}"))
BASE = NoteType(1, "T", ("Question", "Answer", "Extra"), TWO, "css")


# One change each, the sort field ("Question") unchanged: only the changed part may differ.
@pytest.mark.parametrize(("changed", "part"), [
    (NoteType(1, "T", ("Question", "Extra", "Answer"), TWO, "css"), "fields"),
    (NoteType(1, "T", ("Answer", "Question", "Extra"), TWO, "css", sort_field=1), "fields"),
    (NoteType(1, "T", ("Question", "Answer", "Notes"), TWO, "css"), "fields"),
    (NoteType(1, "T", ("Question", "Answer", "Extra", "Hint"), TWO, "css"), "fields"),
    (NoteType(1, "T", ("Question", "Answer"), TWO, "css"), "fields"),
    (NoteType(1, "T", BASE.fields, TWO[::-1], "css"), "templates"),
    (NoteType(1, "T", BASE.fields, (TWO[0], CardTemplate("Reverse", "x", "y")), "css"),
     "templates"),
    (NoteType(1, "T", BASE.fields, (*TWO, CardTemplate("Card 3", "x", "y")), "css"), "templates"),
    (NoteType(1, "T", BASE.fields, TWO[:1], "css"), "templates"),
], ids=["swap-fields", "swap-with-sort-field", "rename-field", "add-field", "remove-field",
        "swap-templates", "rename-template", "add-template", "remove-template"])
def test_each_schema_change_alone_is_detected_by_its_own_cause(changed, part):
    first = stamp(Lock(), (note("a"),), BASE, 100).lock
    change = stamp(first, (note("a"),), changed, 200).schema_change
    assert change is not None
    assert [k for k in change["old"] if change["old"][k] != change["new"][k]] == [part]
    assert change["new"]["sort_field"] == change["old"]["sort_field"] == "Question"


def test_lock_round_trips_through_sorted_json(tmp_path: Path):
    result = stamp(Lock(), (note("b"), note("a")), NOTETYPE, 100)
    lock = with_release(result.lock, "1.0.0", 100, ("b", "a"), NOTETYPE, ("D::S",))
    path = tmp_path / "deck.lock.json"
    assert write_lock(path, lock) is True
    assert write_lock(path, lock) is False  # unchanged text is not rewritten
    assert read_lock(path, "deck.lock.json") == lock
    text = path.read_text()
    assert text.index('"a"') < text.index('"b"')


def test_a_broken_lock_is_a_located_error(tmp_path: Path):
    path = tmp_path / "deck.lock.json"
    path.write_text("{\n  broken")
    with pytest.raises(DeckError) as info:
        read_lock(path, "deck.lock.json")
    assert str(info.value).startswith("deck.lock.json:2: unreadable lock file")


def test_each_lock_line_is_the_sorted_json_of_its_entry(tmp_path: Path):
    import json

    awkward = 'quote " back \\ tab \t nl \n ctrl \x01 é 中 \u2028 </script>'
    notes = (RenderedNote("k\"ey", "g\\1", (awkward, "a"), ("t",), f"D::{awkward}", (),
                          "cards/x.md", 1),)
    lock = stamp(Lock(), notes, NOTETYPE, 100).lock
    path = tmp_path / "deck.lock.json"
    write_lock(path, with_release(lock, "1.0.0", 100, ("k\"ey",), NOTETYPE, ("D::S",)))
    data = json.loads(path.read_text(encoding="utf-8"))
    (entry,) = data["notes"].values()
    key = json.dumps('k"ey')
    expected = f"    {key}: {json.dumps(entry, sort_keys=True, ensure_ascii=False)}"
    assert expected in path.read_text(encoding="utf-8").split("\n")
    assert entry["question"] == awkward and entry["deck"] == f"D::{awkward}"
    assert read_lock(path, "deck.lock.json").notes == lock.notes


def test_a_release_records_its_notes_sorted_decks_and_types_and_replaces_its_own_version():
    lock = stamp(Lock(), (note("a"), note("b")), NOTETYPE, 100).lock
    first = with_release(lock, "1.0.0", 100, ["a"], NOTETYPE, ("D::b", "D::a"))
    (release,) = first.releases
    assert (release.version, release.timestamp, release.decks) == ("1.0.0", 100, ("D::a", "D::b"))
    assert release.notes == {"a": lock.notes["a"].hash}
    assert release.schema == NOTETYPE.schema() and release.types == {}
    both = with_release(first, "1.1.0", 200, ["a", "b"], NOTETYPE, (), {"cloze": "h"})
    assert [r.version for r in both.releases] == ["1.0.0", "1.1.0"]
    assert both.releases[1].types == {"cloze": "h"}
    again = with_release(both, "1.0.0", 300, ["b"], NOTETYPE, ())
    assert [(r.version, r.timestamp) for r in again.releases] == [("1.1.0", 200), ("1.0.0", 300)]
    assert again.last_release == again.releases[-1] and again.release("1.1.0") == both.releases[1]
    assert Lock().last_release is None and again.release("2.0.0") is None


REVERSED = NoteType(2, "T reversed", ("Question", "Answer"),
                    (CardTemplate("Card 1", "{{Question}}", "{{Answer}}"),
                     CardTemplate("Card 2", "{{Answer}}", "{{Question}}")), "css")


def stamp_typed(lock: Lock, reversed_type: NoteType, now: int):
    stamper = Stamper(lock, NOTETYPE, now, {"reversed": reversed_type})
    for n in (note("a"), dataclasses.replace(note("r"), notetype="reversed")):
        stamper.mod_for(n)
    return stamper.finish()


def test_another_note_type_is_stamped_like_the_main_one():
    first = stamp_typed(Lock(), REVERSED, 100)
    entry = first.lock.notetypes["2"]
    assert (entry.name, entry.schema, entry.mod) == ("T reversed", REVERSED.schema(), 100)
    assert first.type_mods == {"reversed": 100} and first.lock_changed
    again = stamp_typed(first.lock, REVERSED, 200)
    assert again.lock.notetypes["2"] == entry and again.type_mods == {"reversed": 100}
    assert not again.notetype_changed and not again.lock_changed
    restyled = dataclasses.replace(REVERSED, css="css, restyled")
    changed = stamp_typed(first.lock, restyled, 200)
    assert changed.changed == () and changed.type_mods == {"reversed": 200}
    assert changed.notetype_changed and changed.lock_changed  # the lock records the new mod
    assert changed.other_schema_changes == {}
    two = dataclasses.replace(REVERSED, templates=REVERSED.templates[:1])
    reshaped = stamp_typed(first.lock, two, 200)
    assert reshaped.other_schema_changes == {
        "reversed": {"old": REVERSED.schema(), "new": two.schema()}}
    assert reshaped.schema_change is None  # the main note type is unchanged


def test_a_note_recorded_before_questions_and_decks_were_kept_reads_with_none(tmp_path: Path):
    path = tmp_path / "deck.lock.json"
    path.write_text('{"format": 1, "notes": {"a": {"guid": "g", "hash": "h", "mod": "5"}}, '
                    '"notetypes": {}}')
    assert read_lock(path, "deck.lock.json").notes["a"] == ("g", "h", 5, "", "", "", ())


def test_lock_lines_hold_only_what_each_entry_has_sorted_and_readable(tmp_path: Path):
    import json

    from deckbuild.release.lock import lock_text

    named = NoteType(1, "Karten für Übung", NOTETYPE.fields, NOTETYPE.templates, "css")
    lock = stamp(Lock(), (note("a"),), named, 100).lock
    text = lock_text(lock)
    data = json.loads(text)
    assert set(data["notes"]["a"]) == {"deck", "guid", "hash", "mod", "question"}
    entry = data["notetypes"]["1"]
    assert f'    "1": {json.dumps(entry, sort_keys=True, ensure_ascii=False)}' in text.split("\n")
    assert "Karten für Übung" in text
    typed = dataclasses.replace(lock, notes={"a": lock.notes["a"]._replace(
        notetype="cloze", cloze=(1, 2))})
    assert set(json.loads(lock_text(typed))["notes"]["a"]) == {
        "cloze", "deck", "guid", "hash", "mod", "question", "type"}
    empty = lock_text(Lock())
    assert empty == '{\n  "format": 1,\n  "notes": {},\n  "notetypes": {},\n  "releases": []\n}\n'
    identity = Identity("Déck", 5, (6,), "ns")
    line = lock_text(dataclasses.replace(Lock(), identity=identity)).split("\n")[2]
    assert line == '  "identity": {"deck_id": 5, "deck_name": "Déck", "guid_namespace": "ns", ' \
        '"notetype_ids": [6]},'
    path = tmp_path / "deck.lock.json"
    path.write_text(empty)
    assert read_lock(path, "deck.lock.json") == Lock()


def test_a_release_line_is_sorted_and_readable():
    import json

    from deckbuild.release.lock import lock_text

    lock = stamp(Lock(), (note("a"),), NOTETYPE, 100).lock
    released = with_release(lock, "1.0.0", 100, ["a"], NOTETYPE, ("Karten::Übung",),
                            {"cloze": "h"})
    (line,) = [ln for ln in lock_text(released).split("\n") if '"version"' in ln]
    assert "Karten::Übung" in line
    head = line.strip()
    assert head.endswith(', "notes": {')  # one note per line follows
    keys = list(json.loads(head.removesuffix(', "notes": {') + "}"))
    assert keys == ["decks", "notetype_hash", "schema", "timestamp", "types", "version"]


def test_a_notes_hash_is_its_fields_tags_deck_and_type_as_locks_record_them():
    import hashlib

    from deckbuild.release.lock import note_hash

    basic = RenderedNote("a", "g", ("Q?", "A."), ("t2", "t1"), "D::S", (), "cards/x.md", 1)
    # The definition: each part length-prefixed; tags sorted; the type only when not basic.
    payload = "2:Q?2:A.5:t1 t24:D::S"
    assert note_hash(basic) == hashlib.sha256(payload.encode()).hexdigest() == (
        "d7ac182f09d85194f128ef0521cf9363a854ff052f4036a226d3f3993532b8e9")
    cloze = dataclasses.replace(basic, notetype="cloze")
    assert note_hash(cloze) == hashlib.sha256(f"{payload}5:cloze".encode()).hexdigest()


def test_a_sessions_first_mod_is_one_after_nothing():
    # With SOURCE_DATE_EPOCH=0 and an empty lock, notes get mod 1: newer than none.
    assert stamp(Lock(), (note("a"),), NOTETYPE, 0).mods == (1,)


def test_the_question_is_the_question_field_whatever_the_sort_field():
    from deckbuild.release.lock import question_field

    by_answer = dataclasses.replace(NOTETYPE, sort_field=1)
    assert question_field(by_answer) == 0
    context = NoteType(3, "C", ("Text", "Context"), NOTETYPE.templates, "", 0, "cloze")
    assert question_field(context) == 1
    assert question_field(NoteType(4, "F", ("Front", "Back"), NOTETYPE.templates, "", 1)) == 1


CLOZE = NoteType(3, "T cloze", ("Text", "Context"), (CardTemplate("Cloze", "{{cloze:Text}}",
                                                                  "{{cloze:Text}}"),), "css", 0,
                 "cloze")


def test_a_note_moved_to_another_type_and_every_lost_deletion_are_reported():
    def cloze(card_id: str, text: str) -> RenderedNote:
        return dataclasses.replace(note(card_id), fields=(text, "Ctx"), notetype="cloze")

    stamper = Stamper(Lock(), NOTETYPE, 100, {"cloze": CLOZE})
    for n in (note("moved"), cloze("x", "{{c1::a}} {{c2::b}}"), cloze("y", "{{c1::a}} {{c2::b}}")):
        stamper.mod_for(n)
    lock = stamper.finish().lock
    assert lock.notes["moved"].notetype == "" and lock.notes["x"].notetype == "cloze"
    stamper = Stamper(lock, NOTETYPE, 200, {"cloze": CLOZE})
    moved = cloze("moved", "{{c1::m}}")
    for n in (moved, cloze("x", "{{c1::a}} b"), cloze("y", "{{c1::a}} b")):
        stamper.mod_for(n)
    assert stamper.finish().type_changes == ((moved, "basic"),)
    assert [w.message[:26] for w in stamper.warnings] == ["deletion c2 removed from a"] * 2


def test_a_lock_that_is_not_utf8_or_of_another_format_is_a_located_error(tmp_path: Path):
    path = tmp_path / "deck.lock.json"
    path.write_bytes(b'{"format": 1, "notes": {"\xff": 1}}')
    with pytest.raises(DeckError) as info:
        read_lock(path, "deck.lock.json")
    assert str(info.value) == ("deck.lock.json: unreadable lock file: 'utf-8' codec can't "
                               "decode byte 0xff in position 25: invalid start byte")
    path.write_text('{"format": 1, "notes": {}, "notetypes": {}}')
    assert read_lock(path, "deck.lock.json") == Lock()  # no releases recorded yet
    path.write_text('{"format": 2, "notes": {}, "notetypes": {}}')
    with pytest.raises(DeckError) as info:
        read_lock(path, "deck.lock.json")
    assert str(info.value) == "deck.lock.json: invalid lock file: unknown format 2"


def test_a_release_records_the_cards_it_retired_sorted():
    lock = stamp(Lock(), (note("b"), note("a")), NOTETYPE, 100).lock
    lock = with_release(lock, "1.0.0", 100, ("b",), NOTETYPE, ("D::S",), retired=("z", "a"))
    assert lock.releases[-1].retired == ("a", "z")
    assert with_release(lock, "1.0.1", 200, ("b",), NOTETYPE, ("D::S",)).releases[-1].retired == ()


def test_a_note_types_field_and_template_ids_survive_the_lock_file():
    from deckbuild.release.lock import NoteTypeLock, lock_text, parse_lock

    entry = NoteTypeLock("T", {"fields": ["Question", "Answer"]}, "h", 5,
                         (("Question", 11), ("Answer", 12)), (("Card 1", 21),))
    text = lock_text(Lock(notetypes={"basic": entry}))
    again = parse_lock(text, "deck.lock.json").notetypes["basic"]
    assert (again.field_ids, again.template_ids) == (entry.field_ids, entry.template_ids)
