"""Which cards a note makes: worked out once per pattern of filled fields, the same as
asking every template's front for every note."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.package.builtin_types import other_notetypes
from deckbuild.package.notetype import load_notetype
from deckbuild.package.writer import card_ordinals, front_shows_field
from deckbuild.project.config import load_config
from deckbuild.records import RenderedNote

REPO = Path(__file__).resolve().parent.parent


def _types():
    config = load_config(REPO)
    basic = load_notetype(config)
    return {"basic": basic, **other_notetypes(config, basic)}


TYPES = _types()
STANDARD = sorted(name for name, t in TYPES.items() if t.kind != "cloze")


def _reference(note: RenderedNote, notetype) -> list[int]:
    filled = {name for name, value in zip(notetype.fields, note.fields, strict=False)
              if value.strip()}
    made = [i for i, t in enumerate(notetype.templates) if front_shows_field(t.front, filled)]
    return made or [0]


def test_some_type_makes_a_card_only_when_a_field_is_filled():
    """The property below needs a type whose cards depend on which fields are filled."""
    assert any(len(TYPES[name].templates) > 1 for name in STANDARD), STANDARD


@pytest.mark.parametrize("name", STANDARD)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_card_ordinals_are_those_of_every_front_asked(name, data):
    notetype = TYPES[name]
    for _ in range(3):  # several notes in a row: earlier patterns are remembered
        fields = tuple(data.draw(st.sampled_from(["", " ", "x", "<b>y</b>"]))
                       for _ in notetype.fields)
        note = RenderedNote("id", "guid", fields, (), "Deck", (), "a.md", 1, notetype=name)
        assert card_ordinals(note, notetype) == _reference(note, notetype)
