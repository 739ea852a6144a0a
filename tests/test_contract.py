"""Field and template ids (contract.py) as plain data: derived once, recorded, never changed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.release.contract import assign, derived_id, growth

names = st.lists(st.text("abcdefgh", min_size=1, max_size=4), min_size=1, max_size=6,
                 unique=True)


@given(names, names)
def test_recorded_ids_never_change_and_new_names_get_derived_ones(first, added):
    recorded = assign(7, "field", first, ())
    assert recorded == tuple((n, derived_id(7, "field", n)) for n in first)
    grown = first + [n for n in added if n not in first]
    again = assign(7, "field", grown, recorded)
    assert again[:len(first)] == recorded
    assert all(i == derived_id(7, "field", n) for n, i in again[len(first):])


@given(names, st.data())
def test_a_field_renamed_in_place_keeps_its_id(first, data):
    recorded = assign(1, "field", first, ())
    index = data.draw(st.integers(0, len(first) - 1))
    renamed = list(first)
    renamed[index] = "Z" + first[index]
    ids = assign(1, "field", renamed, recorded)
    assert [i for _, i in ids] == [i for _, i in recorded]
    assert growth({"fields": first, "templates": ["C"], "sort_field": first[0], "kind": "s"},
                  {"fields": renamed, "templates": ["C"],
                   "sort_field": renamed[0], "kind": "s"}) == "grown"


def schema(fields: list[str], templates: tuple[str, ...] = ("Card 1",)) -> dict[str, object]:
    return {"fields": fields, "templates": list(templates), "sort_field": fields[0],
            "kind": "standard"}


def test_what_counts_as_growth():
    old = schema(["Q", "A", "Id"])
    assert growth(old, old) == ""
    assert growth(old, schema(["Q", "A", "Id", "Hint"])) == "grown"
    assert growth(old, schema(["Q", "A", "Id"], ("Card 1", "Card 2"))) == "grown"
    assert growth(old, schema(["Q", "Answer", "Id"])) == "grown"
    assert growth(old, schema(["Q", "Answer", "Id"]), renames=False) == "incompatible"
    assert growth(old, schema(["Q", "Id"])) == "incompatible"  # removed
    assert growth(old, schema(["Q", "Id", "A"])) == "incompatible"  # reordered
    assert growth(old, schema(["Q", "Hint", "A", "Id"])) == "incompatible"  # in the middle
    assert growth(schema(["Q", "A"]), schema(["Q", "X", "A"])) == "incompatible"
    assert growth(old, {**schema(["Q", "A", "Id"]), "sort_field": "A"}) == "incompatible"
    assert growth(old, {**schema(["Q", "A", "Id"]), "kind": "cloze"}) == "incompatible"
    assert growth(old, schema(["Q", "A", "Id"], ())) == "incompatible"
