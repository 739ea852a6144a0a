"""genanki's part of a package, gathered once as plain data, matches genanki's own output."""

from __future__ import annotations

import json

import genanki

from deckbuild.package import CollectionFormat, collection_format
from deckbuild.records import CardTemplate, DeckInfo, NoteType

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
