"""The package writer: genanki's JSON as plain data, and the same bytes in or out of a worker."""

from __future__ import annotations

import dataclasses
import json
import sqlite3

import genanki
import pytest

from deckbuild.package.writer import (
    CollectionFormat,
    PackageWriter,
    PassingWriter,
    card_ordinals,
    collection_format,
)
from deckbuild.records import CardTemplate, DeckInfo, NoteType, PackageSpec, RenderedNote

NOTETYPE = NoteType(1607392319, "Q/A", ("Question", "Answer"),
                    (CardTemplate("Card 1", "{{Question}}", "{{FrontSide}}<hr>{{Answer}}"),),
                    ".card { color: black; }", sort_field=0)


def test_note_type_and_deck_json_equal_genanki_for_any_mod_and_deck():
    fmt = collection_format(NOTETYPE)
    model = genanki.Model(NOTETYPE.id, NOTETYPE.name, fields=[{"name": "Question"},
                                                              {"name": "Answer"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Question}}",
                                      "afmt": "{{FrontSide}}<hr>{{Answer}}"}],
                          css=NOTETYPE.css, sort_field_index=0)
    expected = {**model.to_json(1_700_000_123, 42), "latexsvg": False}
    assert json.dumps(fmt.model_json(1_700_000_123, 42), sort_keys=True) == \
        json.dumps(expected, sort_keys=True)
    deck = genanki.Deck(deck_id=7, name="A::B", description="<p>v1</p>").to_json()
    deck["mod"] = 99
    assert fmt.deck_json(DeckInfo(7, "A::B", "<p>v1</p>"), 99) == deck
    assert fmt.model["req"] == [[0, "all", [0]]]  # card 1 needs the Question


def test_a_format_survives_the_cache_and_anything_else_is_refused():
    fmt = collection_format(NOTETYPE)
    assert CollectionFormat.from_value(fmt.value()) == fmt
    assert CollectionFormat.from_value({**fmt.value(), "model": "x"}) is None
    assert CollectionFormat.from_value({"schema": fmt.schema}) is None
    assert CollectionFormat.from_value(None) is None


def _note(card_id: str, answer: str = "A") -> RenderedNote:
    return RenderedNote(card_id, f"guid-{card_id}", (f"Q {card_id}", answer), (), "D::S", (),
                        "cards/a.md", 1)


def _spec() -> PackageSpec:
    return PackageSpec(NOTETYPE, 5, (DeckInfo(9, "D", ""), DeckInfo(10, "D::S", "")), (), 100)


@pytest.mark.parametrize("in_worker", [False, True])
def test_the_worker_process_writes_the_same_bytes(tmp_path, in_worker):
    fmt = collection_format(NOTETYPE)
    target = tmp_path / "dist" / "d.apkg"
    with PackageWriter(NOTETYPE, fmt, 9, root_deck_name="D", in_worker=in_worker) as writer:
        writer.add([_note(str(i)) for i in range(300)], [7] * 300)
        writer.add([_note(f"b{i}") for i in range(5)], [8] * 5)
        assert writer.finish(_spec(), target, meanwhile=lambda: "lock text") == "lock text"
    data = target.read_bytes()
    with PackageWriter(NOTETYPE, fmt, 9, root_deck_name="D", in_worker=not in_worker) as writer:
        writer.add([_note(str(i)) for i in range(300)], [7] * 300)
        writer.add([_note(f"b{i}") for i in range(5)], [8] * 5)
        writer.finish(_spec(), target)
    assert target.read_bytes() == data
    assert sorted(p.name for p in target.parent.iterdir()) == ["d.apkg"]


@pytest.mark.parametrize("in_worker", [False, True])
def test_an_error_while_writing_is_raised_and_leaves_no_package(tmp_path, in_worker):
    target = tmp_path / "dist" / "d.apkg"
    target.parent.mkdir()
    fmt = collection_format(NOTETYPE)
    # The same note id twice: in a worker, the error arrives with finish().
    with PackageWriter(NOTETYPE, fmt, 9, root_deck_name="D", in_worker=in_worker) as writer, \
            pytest.raises(sqlite3.IntegrityError):
        writer.add([_note("a")], [1])
        writer.add([_note("a", "other")], [1])
        writer.finish(_spec(), target)
    assert list(target.parent.iterdir()) == []


def test_a_worker_that_dies_is_an_error_not_a_hang(tmp_path):
    target = tmp_path / "dist" / "d.apkg"
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D",
                       in_worker=True) as writer:
        writer.add([_note("a")], [1])
        writer._collection._process.kill()
        with pytest.raises(RuntimeError, match="stopped unexpectedly"):
            writer.add([_note("b")], [1])
            writer.finish(_spec(), target)
    assert list(target.parent.iterdir()) == []


def test_a_package_file_that_cannot_be_made_still_stops_the_worker(tmp_path, monkeypatch):
    from deckbuild.project import atomic

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    target = tmp_path / "dist" / "d.apkg"
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D",
                       in_worker=True) as writer:
        writer.add([_note("a")], [1])
        process = writer._collection._process
        monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
        with pytest.raises(PermissionError):
            writer.finish(_spec(), target)
    assert not process.is_alive()
    assert not target.exists()


def _rows(package, query: str) -> list[tuple]:
    import tempfile
    import zipfile
    from pathlib import Path

    with zipfile.ZipFile(package) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()


def test_the_package_holds_each_row_as_anki_reads_it(tmp_path):
    """What Anki compares on import: note mods and checksums, card places, and the note
    type's and decks' mods, all from the build's inputs."""
    import hashlib

    from deckbuild.source.ids import note_id_for, subdeck_id_for

    target = tmp_path / "d.apkg"
    first = RenderedNote("a", "guid-a", ("<b>Q</b> a ", "A"), ("t2", "t1"), "D::S", (),
                         "cards/a.md", 1)
    in_root = dataclasses.replace(_note("c"), deck="D")  # a card of the top deck itself
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D") as writer:
        writer.add([first, _note("b")], [7, 8])
        writer.add([in_root], [9])
        writer.finish(_spec(), target)
    checksum = int(hashlib.sha1(b"Q a").hexdigest()[:8], 16)
    # Every column: the last two of a note (flags, data) and of a card (odue, odid, flags,
    # data) are always empty in a new deck.
    assert _rows(target, "SELECT id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data "
                         "FROM notes ORDER BY mod") == [
        (note_id_for("guid-a"), "guid-a", NOTETYPE.id, 7, -1, " t2 t1 ", "<b>Q</b> a \x1fA",
         "Q a", checksum, 0, ""),
        (note_id_for("guid-b"), "guid-b", NOTETYPE.id, 8, -1, "", "Q b\x1fA", "Q b",
         int(hashlib.sha1(b"Q b").hexdigest()[:8], 16), 0, ""),
        (note_id_for("guid-c"), "guid-c", NOTETYPE.id, 9, -1, "", "Q c\x1fA", "Q c",
         int(hashlib.sha1(b"Q c").hexdigest()[:8], 16), 0, "")]
    deck = subdeck_id_for(9, "D::S")
    new = (0, 0, 0, 0, 0, 0, 0, 0, "")  # ivl, factor, reps, lapses, left, odue, odid, flags, data
    assert _rows(target, "SELECT id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, "
                         "reps, lapses, left, odue, odid, flags, data FROM cards "
                         "ORDER BY due") == [
        (note_id_for("guid-a"), note_id_for("guid-a"), deck, 0, 7, -1, 0, 0, 0, *new),
        (note_id_for("guid-b"), note_id_for("guid-b"), deck, 0, 8, -1, 0, 0, 1, *new),
        (note_id_for("guid-c"), note_id_for("guid-c"), 9, 0, 9, -1, 0, 0, 2, *new)]
    ((mod, models_text, decks_text),) = _rows(target, "SELECT mod, models, decks FROM col")
    assert mod == 100 * 1000
    models = json.loads(models_text)
    assert models_text == json.dumps(models, sort_keys=True)
    model = models[str(NOTETYPE.id)]
    assert (model["mod"], model["did"]) == (5, 9)
    decks = json.loads(decks_text)
    assert decks_text == json.dumps(decks, sort_keys=True)
    assert {k: (d["name"], d["mod"]) for k, d in decks.items() if k != "1"} == {
        "9": ("D", 100), "10": ("D::S", 100)}


def test_every_note_type_in_the_package_has_its_own_mod_and_the_root_deck(tmp_path):
    other = NoteType(77, "Q/A reversed", NOTETYPE.fields, NOTETYPE.templates, NOTETYPE.css)
    spec = PackageSpec(NOTETYPE, 5, (DeckInfo(9, "D", ""),), (), 100, others=(("reversed", 6),))
    target = tmp_path / "d.apkg"
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D",
                       others={"reversed": (other, collection_format(other))}) as writer:
        writer.add([dataclasses.replace(_note("a"), notetype="reversed")], [7])
        writer.finish(spec, target)
    ((models_text,),) = _rows(target, "SELECT models FROM col")
    models = json.loads(models_text)
    assert {k: (m["mod"], m["did"]) for k, m in models.items()} == {
        str(NOTETYPE.id): (5, 9), "77": (6, 9)}


def test_the_media_map_is_sorted_json(tmp_path):
    from deckbuild.records import MediaFile

    files = []
    for i in range(12):  # "10" and "11" sort before "2"
        path = tmp_path / f"m{i}.png"
        path.write_bytes(b"png %d" % i)
        files.append(MediaFile(f"media/m{i}.png", f"m{i}.png", str(path)))
    spec = PackageSpec(NOTETYPE, 5, (DeckInfo(9, "D", ""),), tuple(files), 100)
    target = tmp_path / "d.apkg"
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D") as writer:
        writer.add([_note("a")], [7])
        writer.finish(spec, target)
    import zipfile

    with zipfile.ZipFile(target) as zf:
        text = zf.read("media").decode()
        assert text == json.dumps({str(i): f"m{i}.png" for i in range(12)}, sort_keys=True)
        assert [zf.read(str(i)) for i in range(12)] == [b"png %d" % i for i in range(12)]


def test_notes_and_mods_of_other_lengths_are_refused(tmp_path):
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D") as writer:
        with pytest.raises(ValueError):
            writer.add([_note("a"), _note("b")], [7])
        writer.add([_note("a")], [7])  # nothing of the refused call was written
        writer.finish(_spec(), tmp_path / "d.apkg")
    assert _rows(tmp_path / "d.apkg", "SELECT guid FROM notes") == [("guid-a",)]


def test_closing_twice_is_harmless(tmp_path):
    with PackageWriter(NOTETYPE, collection_format(NOTETYPE), 9, root_deck_name="D") as writer:
        writer.add([_note("a")], [7])
        writer.close()
    writer.close()


CLOZE = NoteType(5, "Cloze", ("Text", "Extra"),
                 (CardTemplate("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>{{Extra}}"),),
                 "", kind="cloze")


def _cloze(*fields: str) -> RenderedNote:
    return RenderedNote("z", "guid-z", fields, (), "D", (), "cards/z.md", 1)


def test_a_cloze_note_has_one_card_per_distinct_deletion_number():
    assert card_ordinals(_cloze("{{c2::a}} {{c1::b}} {{c2::c}} {{c4::d}}", ""), CLOZE) == [0, 1, 3]
    # No deletion at all: Anki still makes the first card (it shows the cloze error).
    assert card_ordinals(_cloze("no deletion", "c3::"), CLOZE) == [0]
    assert card_ordinals(_note("a"), NOTETYPE) == [0]
    two = dataclasses.replace(NOTETYPE, templates=NOTETYPE.templates * 2)
    assert card_ordinals(_note("a"), two) == [0, 1]


def test_engine_makes_no_other_cards_than_the_package_holds_for_a_cloze_type_of_its_own(
        tmp_path, anki):
    """An author's own cloze type (kind = "cloze") with deletions in several fields: asking
    the engine to generate the note's cards adds none and removes none."""
    own = NoteType(1700000000001, "Mine", ("Front", "Back", "Notes"),
                   (CardTemplate("C", "{{cloze:Front}}", "{{cloze:Front}}<hr>{{Back}}"),),
                   "", kind="cloze")
    notes = [_cloze("{{c1::x}} {{c2::y}}", "{{c4::z}}", "{{c2::again}}"),
             dataclasses.replace(_cloze("none", "", ""), card_id="w", guid="guid-w")]
    target = tmp_path / "d.apkg"
    with PackageWriter(own, collection_format(own), 9, root_deck_name="D") as writer:
        writer.add(notes, [7, 7])
        writer.finish(PackageSpec(own, 5, (DeckInfo(9, "D", ""),), (), 100), target)
    anki.import_package(target)
    col = anki.col

    def cards() -> list[tuple[str, int]]:
        return sorted((col.get_card(c).note().guid, col.get_card(c).ord)
                      for c in col.find_cards(""))

    assert cards() == [("guid-w", 0), ("guid-z", 0), ("guid-z", 1), ("guid-z", 3)]
    col.after_note_updates(list(col.find_notes("")), mark_modified=False, generate_cards=True)
    assert cards() == [("guid-w", 0), ("guid-z", 0), ("guid-z", 1), ("guid-z", 3)]


def test_a_passing_writer_hands_every_call_to_the_writer_it_wraps(tmp_path):
    calls = []

    class Recording:
        cards, canonical = 3, False

        def __enter__(self):
            calls.append("enter")
            return self

        def __exit__(self, *exc):
            calls.append(("exit", exc))

        def add(self, notes, mods):
            calls.append(("add", notes, mods))

        def finish(self, spec, target, *args, **kwargs):
            calls.append(("finish", spec, target, args, kwargs))
            return "result"

    with PassingWriter(Recording()) as writer:
        assert (writer.cards, writer.canonical) == (3, False)
        writer.add(["n"], [1])
        assert writer.finish("spec", tmp_path, "meanwhile", outputs="staged") == "result"
    assert calls == ["enter", ("add", ["n"], [1]),
                     ("finish", "spec", tmp_path, ("meanwhile",), {"outputs": "staged"}),
                     ("exit", (None, None, None))]


def test_a_stock_kind_is_written_into_the_note_types_json():
    from deckbuild.package.writer import collection_format
    from deckbuild.records import CardTemplate, NoteType

    card = CardTemplate("Card 1", "{{Front}}", "{{Back}}")
    stock = NoteType(7, "Basic", ("Front", "Back"), (card,), "", stock=1)
    assert collection_format(stock).model["originalStockKind"] == 1
    assert "originalStockKind" not in collection_format(
        NoteType(7, "Mine", ("Front", "Back"), (card,), "")).model


def test_a_template_genankis_parser_refuses_still_makes_a_note_type_whose_cards_anki_decides():
    from deckbuild.package.writer import collection_format
    from deckbuild.records import CardTemplate, NoteType

    card = CardTemplate("Card 1", "{{#Front}}{{Front}}", "{{Back}}")  # a section never closed
    model = collection_format(NoteType(7, "X", ("Front", "Back"), (card,), "")).model
    assert model["req"] == [[0, "any", [0, 1]]]
