"""Tombstones as plain data: which removed notes a version ships, and how the lock keeps them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.release.lock import Lock, Release, Retired, lock_text, read_lock
from deckbuild.release.tombstones import Removed, from_removed, plan


def release(version: str, notes: set[str], retired: tuple[str, ...] = ()) -> Release:
    return Release(version, 0, "", {i: "h" for i in notes}, (), retired=retired)


def test_a_note_removed_since_the_last_release_is_shipped_and_needs_its_fields():
    lock = Lock(releases=(release("1.0.0", {"a", "b"}),))
    assert plan(lock, "1.1.0", {"a"}, keep=3).ship == ("b",)
    assert plan(lock, "1.1.0", {"a"}, keep=3).unrecorded == ("b",)
    assert plan(lock, "1.1.0", {"a", "b"}, keep=3).ship == ()  # back in the sources
    assert plan(lock, "1.1.0", {"a"}, keep=0).ship == ()


def test_a_released_version_ships_exactly_what_it_shipped():
    lock = Lock(releases=(release("1.0.0", {"a", "b"}), release("1.1.0", {"a"}, ("b",))))
    assert plan(lock, "1.1.0", {"a"}, keep=3).ship == ("b",)
    assert plan(lock, "1.0.0", {"a", "b"}, keep=3).ship == ()


@given(st.integers(min_value=1, max_value=6), st.integers(min_value=0, max_value=8))
def test_a_tombstone_ships_in_keep_releases_then_is_dropped(keep, later):
    """Release after release with the note gone: it ships `keep` times, never more."""
    releases = [release("1.0.0", {"a", "b"})]
    for n in range(later + 1):
        version = f"1.{n + 1}.0"
        lock = Lock(releases=tuple(releases))
        ship = plan(lock, version, {"a"}, keep).ship
        releases.append(release(version, {"a"}, ship))
    shipped = [r.version for r in releases if "b" in r.retired]
    assert shipped == [f"1.{n + 1}.0" for n in range(min(keep, later + 1))]


def test_the_lock_keeps_a_tombstone_and_the_releases_that_shipped_it(tmp_path):
    note = from_removed("b", Removed("g<1>", ("Q <b>x</b>", "A"), ("t",), "D::S", "cloze"),
                        "deckbuild::retired", "Retired in {version}.", "1.1.0", "deck.lock.json")
    assert note.fields[0] == ('<p class="deckbuild-retired"><b>Retired in 1.1.0.</b></p>'
                              "Q <b>x</b>")
    assert note.tags == ("deckbuild::retired", "t") and note.notetype == "cloze"
    retired = Retired(note.guid, note.fields, note.tags, note.deck, "cloze", "1.1.0", "h", 7)
    lock = Lock(releases=(release("1.0.0", {"a", "b"}), release("1.1.0", {"a"}, ("b",))),
                retired={"b": retired})
    path = tmp_path / "deck.lock.json"
    path.write_text(lock_text(lock))
    again = read_lock(path, "deck.lock.json")
    assert again.retired == {"b": retired}
    assert again.releases == lock.releases
    assert again.max_mod() == 7
    # A lock without tombstones is written exactly as before there were any.
    assert '"retired"' not in lock_text(Lock(releases=(release("1.0.0", {"a"}),)))
