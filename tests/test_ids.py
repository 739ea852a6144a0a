from __future__ import annotations

import genanki
from hypothesis import given
from hypothesis import strategies as st

from deckbuild.ids import card_id_for, guid_for, note_id_for, slugify, unique_slug
from deckbuild.parse import ID_RE
from deckbuild.rewrite import insert_ids


def test_guid_comes_from_namespace_and_id_only():
    assert guid_for("deck", "negative-transfer") == genanki.guid_for("deck", "negative-transfer")
    assert guid_for("deck", "a") != guid_for("deck", "b")
    assert guid_for("deck", "a") != guid_for("other", "a")


def test_package_ids_are_stable_and_in_range():
    guid = guid_for("deck", "a")
    assert note_id_for(guid) == note_id_for(guid)
    assert card_id_for(note_id_for(guid), 0) != card_id_for(note_id_for(guid), 1)
    assert 0 < note_id_for(guid) < 2**53


def test_slugify_reads_well():
    assert slugify("What is transfer learning, and why?") == "what-is-transfer-learning-and-why"
    assert slugify("Négative transfer: $\\alpha$ and `code`") == "negative-transfer-and"
    assert slugify("???") == "card"
    assert len(slugify("word " * 40)) <= 60


def test_unique_slug_appends_a_counter():
    assert unique_slug("Same", {"same", "same-2"}) == "same-3"


@given(st.text(max_size=200))
def test_slugs_are_always_valid_ids(text):
    assert ID_RE.match(slugify(text))


def test_insert_ids_keeps_crlf_and_everything_else():
    text = "# S\r\n\r\n## Q?\r\nA\r\n## R?"
    out = insert_ids(text, [(3, "q"), (5, "r")])
    assert out == "# S\r\n\r\n## Q?\r\n<!-- id: q -->\r\nA\r\n## R?\r\n<!-- id: r -->\r\n"
