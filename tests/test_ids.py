from __future__ import annotations

import hashlib

import genanki
from hypothesis import given
from hypothesis import strategies as st

from deckbuild.project.rewrite import insert_ids
from deckbuild.source.ids import (
    card_id_for,
    deck_id_for,
    guid_for,
    is_valid_id,
    note_id_for,
    notetype_id_for,
    random_id,
    random_namespace,
    slugify,
    subdeck_id_for,
    unique_slug,
)


def test_guid_comes_from_namespace_and_id_only():
    assert guid_for("deck", "negative-transfer") == genanki.guid_for("deck", "negative-transfer")
    assert guid_for("deck", "a") != guid_for("deck", "b")
    assert guid_for("deck", "a") != guid_for("other", "a")


def test_guid_is_the_one_users_have_had_since_the_first_release():
    # deck.lock.json records this GUID for the card since 1.0.0: collections hold it.
    assert guid_for("transfer-learning-interview-questions", "negative-transfer") == "F#776Uf2q_"


def test_note_and_card_ids_follow_their_definition():
    guid = "F#776Uf2q_"
    # The definition: 2**50 + the first 8 bytes of sha256("note" US guid) modulo 2**52.
    digest = hashlib.sha256(f"note\x1f{guid}".encode()).digest()
    expected = 2**50 + int.from_bytes(digest[:8], "big") % 2**52
    assert note_id_for(guid) == expected == 4720560362297414
    assert [card_id_for(expected, ordinal) for ordinal in (0, 1, 2)] == [
        expected, expected + 1, expected + 2]


@given(st.text(max_size=20))
def test_note_ids_are_readable_by_javascript_and_above_ankis_own(guid):
    assert 2**50 <= note_id_for(guid) < 2**50 + 2**52 < 2**53


def test_slugify_reads_well():
    assert slugify("What is transfer learning, and why?") == "what-is-transfer-learning-and-why"
    assert slugify("Négative transfer: $\\alpha$ and `code`") == "negative-transfer-and"
    assert slugify("???") == "card"
    assert len(slugify("word " * 40)) <= 60


def test_unique_slug_appends_a_counter():
    assert unique_slug("Same", {"same", "same-2"}) == "same-3"
    assert unique_slug("Same", {"same"}) == "same-2"
    assert unique_slug("Same", {"same-2"}) == "same"


def test_a_slug_is_cut_at_a_word_and_never_longer_than_its_limit():
    assert slugify("aaa bbb", 7) == "aaa-bbb"  # exactly the limit
    assert slugify("aaa bbb", 6) == "aaa"
    assert slugify("aaa bbb ccc", 6) == "aaa"  # the first word too long ends the slug
    assert slugify("abcdefgh", 5) == "abcde"  # one long word is cut
    assert slugify("x " * 40) == "-".join(["x"] * 30)  # 59 characters: under the default 60
    assert slugify("Tom's `x` $y$ and ok") == "tom-s-and-ok"


def test_fresh_ids_are_in_the_range_of_ankis_own_and_namespaces_read_as_the_deck():
    ids = {random_id() for _ in range(50)}
    assert len(ids) == 50 and all(2**40 <= i < 2**41 for i in ids)
    namespace = random_namespace("My Deck: Ünïcode " + "long " * 20)
    slug, token = namespace.rsplit("-", 1)
    assert slug == slugify("My Deck: Ünïcode " + "long " * 20, 40)
    assert len(token) == 16 and int(token, 16) >= 0
    assert random_namespace("A") != random_namespace("A")
    assert random_namespace("a" * 41).startswith("a" * 40 + "-")  # the slug is cut at 40


def test_note_type_and_deck_ids_are_fixed_for_the_deck_and_distinct():
    assert notetype_id_for(42, "basic") == 42
    cloze = notetype_id_for(42, "cloze")
    digest = hashlib.sha256(b"notetype\x1f42\x1fcloze").digest()
    assert cloze == 2**50 + int.from_bytes(digest[:8], "big") % 2**52
    assert len({cloze, notetype_id_for(42, "reversed"), notetype_id_for(43, "cloze")}) == 3
    assert deck_id_for(7, "Root", "Root") == 7
    assert deck_id_for(7, "Root", "Root::Sub") == subdeck_id_for(7, "Root::Sub")
    digest = hashlib.sha256(b"deck\x1f7\x1fRoot::Sub").digest()
    assert subdeck_id_for(7, "Root::Sub") == 2**50 + int.from_bytes(digest[:8], "big") % 2**52


@given(st.text(max_size=200))
def test_slugs_are_always_valid_ids(text):
    assert is_valid_id(slugify(text))


def test_insert_ids_keeps_crlf_and_everything_else():
    text = "# S\r\n\r\n## Q?\r\nA\r\n## R?"
    out = insert_ids(text, [(3, "q"), (5, "r")])
    assert out == "# S\r\n\r\n## Q?\r\n<!-- id: q -->\r\nA\r\n## R?\r\n<!-- id: r -->\r\n"


def test_when_the_hashed_id_is_taken_too_the_next_salt_is_tried_in_order():
    from deckbuild.source.ids import content_hash, content_id, slug

    base = slug("Why freeze the backbone?")
    first = f"{base}-{content_hash('Why freeze the backbone?', 'Speed.')}"
    second = f"{base}-{content_hash('Why freeze the backbone?', 'Speed.', '1')}"
    assert content_id("Why freeze the backbone?", "Speed.", {base}) == first
    assert content_id("Why freeze the backbone?", "Speed.", {base, first}) == second
