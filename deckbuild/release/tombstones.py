"""Tombstones: a note removed from the sources reaches users as a retired note.

Imports never delete notes, so a removed note would linger in every user's collection with
no sign that it is gone. For a number of releases (`keep_retired`, default 3) the package
carries it once more: the same GUID and fields, a notice at the top of its first field, and
the retired tag, so that users can find, suspend or delete it. Its fields come from the lock
(recorded when the tombstone was first made) or, for a note removed since the previous
release, from that release's package.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

from ..records import RenderedNote
from .lock import Lock, Retired


@dataclass(frozen=True)
class Plan:
    """The tombstones a version ships."""

    ship: tuple[str, ...]  # card ids, sorted
    unrecorded: tuple[str, ...]  # those whose fields the lock does not hold yet


def plan(lock: Lock, version: str, current: set[str], keep: int) -> Plan:
    """Which removed notes `version` ships as tombstones.

    A released version ships exactly what it shipped. Otherwise every note of the previous
    release (or tombstone it shipped) that the sources no longer hold, unless its tombstone
    has already shipped in `keep` releases."""
    released = lock.release(version)
    if released is not None:
        return Plan(released.retired, tuple(i for i in released.retired if i not in lock.retired))
    earlier = [r for r in lock.releases if r.version != version]
    if not earlier or keep <= 0:
        return Plan((), ())
    last = earlier[-1]
    candidates = (set(last.notes) | set(last.retired)) - current
    ship = tuple(sorted(i for i in candidates
                        if sum(1 for r in earlier if i in r.retired) < keep))
    return Plan(ship, tuple(i for i in ship if i not in lock.retired))


@dataclass(frozen=True)
class Removed:
    """A removed note as the previous release shipped it."""

    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    notetype: str  # the built-in note type's name


def notice_html(text: str, version: str) -> str:
    """The visible line at the top of a tombstone's first field."""
    return f'<p class="deckbuild-retired"><b>{html.escape(text.format(version=version))}</b></p>'


def from_removed(card_id: str, removed: Removed, tag: str, text: str, version: str,
                 path: str) -> RenderedNote:
    """A new tombstone: the released note with the notice and the retired tag."""
    fields = (notice_html(text, version) + (removed.fields[0] if removed.fields else ""),
              *removed.fields[1:])
    tags = tuple(sorted({*removed.tags, tag}))
    return RenderedNote(card_id, removed.guid, fields, tags, removed.deck, (), path, 0,
                        notetype=removed.notetype or "basic")


def from_record(card_id: str, retired: Retired, path: str) -> RenderedNote:
    """A tombstone exactly as it was first made (the lock keeps its fields)."""
    return RenderedNote(card_id, retired.guid, retired.fields, retired.tags, retired.deck, (),
                        path, 0, notetype=retired.notetype or "basic")


def tombstones(p: Plan, lock: Lock, removed: Mapping[str, Removed], tag: str, text: str,
               version: str, path: str) -> tuple[list[RenderedNote], list[str]]:
    """The tombstone notes of a plan, and the card ids whose fields could not be found."""
    notes, missing = [], []
    for card_id in p.ship:
        recorded = lock.retired.get(card_id)
        if recorded is not None:
            notes.append(from_record(card_id, recorded, path))
        elif card_id in removed:
            notes.append(from_removed(card_id, removed[card_id], tag, text, version, path))
        else:
            missing.append(card_id)
    return notes, missing
