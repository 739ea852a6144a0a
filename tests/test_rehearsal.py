"""The rehearsal's choices that need no engine: which note its user edits."""

from __future__ import annotations

from deckbuild.release.rehearsal import PackageNote, pick_edited

TAG = "deckbuild::retired"


def note(card_id: str, text: str, *tags: str) -> PackageNote:
    return PackageNote("g-" + card_id, card_id, text, (text, card_id), tags, "D", 1, "T")


def packages(*pairs: tuple[PackageNote, PackageNote]) -> tuple[dict, dict]:
    return {o.guid: o for o, _ in pairs}, {n.guid: n for _, n in pairs}


def test_the_user_edits_the_first_note_this_version_changes():
    old, new = packages((note("a", "x"), note("a", "x")), (note("c", "x"), note("c", "y")),
                        (note("b", "x"), note("b", "y")))
    assert pick_edited(old, new, TAG) == "g-b"


def test_a_tombstone_is_the_last_choice_so_that_its_tag_is_seen_arriving():
    old, new = packages((note("a", "x"), note("a", "Retired. x", TAG)),
                        (note("b", "x"), note("b", "x")))
    assert pick_edited(old, new, TAG) == "g-b"
    old, new = packages((note("a", "x"), note("a", "Retired. x", TAG)))
    assert pick_edited(old, new, TAG) == "g-a"
    assert pick_edited({}, new, TAG) == ""
