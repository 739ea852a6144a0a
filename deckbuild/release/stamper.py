"""Stamping: a mod time for every note of a build, from the lock (docs/releasing.md).

Anki updates a note on import only when the incoming mod time is strictly newer than the
one in the collection. So a note keeps its recorded mod while its content is unchanged
(users' own edits and tags on it survive re-imports), and gets a fresh one, newer than
anything recorded, when its content changes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem
from ..notetypes.cloze_type import cloze_numbers
from ..project.identity import Identity
from ..records import NoteType, RenderedNote
from .lock import (
    Lock,
    LockMemo,
    NoteLock,
    NoteTypeLock,
    Retired,
    note_hash,
    notetype_hash,
    question_field,
)


@dataclass(frozen=True)
class Stamped:
    """The lock after this build, and what the build changed."""

    lock: Lock
    mods: tuple[int, ...]
    notetype_mod: int
    changed: tuple[str, ...]  # card ids whose content is new or changed
    schema_change: dict[str, Any] | None  # {"old": ..., "new": ...} when the schema differs
    notetype_changed: bool = False
    current: dict[str, str] = field(default_factory=dict)  # card id -> hash, build order
    identity_changed: bool = False  # the lock records a new or a first identity
    # Notes whose built-in type differs from the one recorded: (note, old type name).
    type_changes: tuple[tuple[RenderedNote, str], ...] = ()
    # The other note types' mods (by type name), for the notes of those types.
    type_mods: dict[str, int] = field(default_factory=dict)
    # Schema changes of the other note types, by type name.
    other_schema_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The hashes of the other note types the notes use, by type name.
    type_hashes: dict[str, str] = field(default_factory=dict)
    retired: tuple[str, ...] = ()  # the card ids of the tombstones this build wrote
    retired_changed: bool = False  # a tombstone is new or its content changed

    @property
    def lock_changed(self) -> bool:
        """Whether the lock must be written again (otherwise it is exactly as read)."""
        return bool(self.changed) or self.notetype_changed or self.identity_changed \
            or self.retired_changed

    def with_identity(self, identity: Identity) -> Stamped:
        """This result with `identity` recorded in its lock."""
        return dataclasses.replace(
            self, lock=dataclasses.replace(self.lock, identity=identity),
            identity_changed=self.identity_changed or self.lock.identity != identity)


class Stamper:
    """Mod times one note at a time, so a build need not hold every note at once."""

    def __init__(self, lock: Lock, notetype: NoteType, now: int,
                 others: dict[str, NoteType] | None = None, memo: LockMemo | None = None,
                 ) -> None:
        self._lock = lock
        self._memo = memo
        types = (notetype, others or {})
        self._held = memo.stamps if memo is not None and memo.types == types else {}
        self._stamps: dict[str, tuple[RenderedNote, NoteLock]] = {}
        self.notetype = notetype
        self._others = others or {}
        self._used: set[str] = set()
        self._type_changes: list[tuple[RenderedNote, str]] = []
        self.warnings: list[Problem] = []  # deletions renumbered or removed on known notes
        self._fresh = max(now, lock.max_mod() + 1)
        self._notes: dict[str, NoteLock] = dict(lock.notes)
        self._changed: list[str] = []
        self.current: dict[str, str] = {}  # card id -> content hash, in build order
        self._question = question_field(notetype)
        self._retired: dict[str, Retired] = dict(lock.retired)
        self._tombstones: list[str] = []
        self._retired_changed = False

    def mod_for_tombstone(self, note: RenderedNote, version: str) -> int:
        """A tombstone's mod: the recorded one while its content is unchanged, else fresh.
        It is kept apart from the notes: the sources no longer hold it."""
        digest = note_hash(note)
        old = self._retired.get(note.card_id)
        if old is not None and old.hash == digest and old.guid == note.guid:
            mod, first = old.mod, old.version
        else:
            mod, first = self._fresh, old.version if old is not None else version
            self._retired_changed = True
        kind = "" if note.notetype == "basic" else note.notetype
        self._retired[note.card_id] = Retired(note.guid, note.fields, note.tags, note.deck, kind,
                                              first, digest, mod)
        self._tombstones.append(note.card_id)
        return mod

    def mod_for(self, note: RenderedNote) -> int:
        """The recorded mod if the note's content is unchanged, else one newer than all.

        In a resident process, a note that is the very object stamped by the last build,
        whose lock entry is the very one made for it then (with the same note types), is
        not stamped again: its entry is the same."""
        old = self._lock.notes.get(note.card_id)
        held = self._held.get(note.card_id)
        if old is not None and held is not None and held[0] is note and held[1] is old:
            self.current[note.card_id] = old.hash
            if old.notetype and old.notetype in self._others:
                self._used.add(old.notetype)
            self._stamps[note.card_id] = held
            return old.mod
        digest = note_hash(note)
        if old is not None and old.hash == digest and old.guid == note.guid:
            mod = old.mod
        else:
            mod = self._fresh
            self._changed.append(note.card_id)
        self.current[note.card_id] = digest
        kind = "" if note.notetype == "basic" else note.notetype
        if old is not None and old.guid == note.guid and old.notetype != kind:
            self._type_changes.append((note, old.notetype or "basic"))
        question, numbers = self._question, tuple[int, ...]()
        # A type that could not be loaded was reported: its notes are stamped, not written.
        notetype = self._others.get(kind) if kind else None
        if notetype is not None:
            self._used.add(kind)
            question = question_field(notetype)
            if notetype.kind == "cloze":
                # Anki makes a cloze note's cards from the deletions in all its fields.
                numbers = tuple(sorted({n for f in note.fields for n in cloze_numbers(f)}))
                if old is not None and old.guid == note.guid and old.cloze:
                    self.warnings += deletion_warnings(note, old.cloze, numbers)
        entry = NoteLock(note.guid, digest, mod, note.fields[question], note.deck, kind,
                         numbers)
        self._notes[note.card_id] = entry
        self._stamps[note.card_id] = (note, entry)
        return mod

    def finish(self) -> Stamped:
        """The lock after this build; the note type is stamped like a note."""
        notetype = self.notetype
        key = str(notetype.id)
        digest = notetype_hash(notetype)
        old_type = self._lock.notetypes.get(key)
        schema_change = None
        if old_type is not None and old_type.schema != notetype.schema():
            schema_change = {"old": old_type.schema, "new": notetype.schema()}
        type_mod = old_type.mod if old_type is not None and old_type.hash == digest \
            else self._fresh
        notetypes = dict(self._lock.notetypes)
        notetypes[key] = NoteTypeLock(notetype.name, notetype.schema(), digest, type_mod,
                                      *_ids_of(old_type))
        changed = old_type is None or old_type.hash != digest
        type_mods, schema_changes, type_hashes = {}, {}, {}
        for name in sorted(self._used):  # the other types, once notes use them
            other = self._others[name]
            entry, stamped = self._stamp_type(other)
            notetypes[str(other.id)] = entry
            type_mods[name] = entry.mod
            type_hashes[name] = entry.hash
            changed = changed or stamped
            old = self._lock.notetypes.get(str(other.id))
            if old is not None and old.schema != other.schema():
                schema_changes[name] = {"old": old.schema, "new": other.schema()}
        new_lock = Lock(self._notes, notetypes, self._lock.releases, self._lock.identity,
                        self._retired)
        if self._memo is not None:
            self._memo.stamps, self._memo.types = self._stamps, (self.notetype, self._others)
        return Stamped(new_lock, (), type_mod, tuple(self._changed), schema_change,
                       changed, dict(self.current), type_changes=tuple(self._type_changes),
                       type_mods=type_mods, other_schema_changes=schema_changes,
                       type_hashes=type_hashes, retired=tuple(self._tombstones),
                       retired_changed=self._retired_changed)

    def _stamp_type(self, notetype: NoteType) -> tuple[NoteTypeLock, bool]:
        """A note type's lock entry: its recorded mod while its hash is unchanged."""
        digest = notetype_hash(notetype)
        old = self._lock.notetypes.get(str(notetype.id))
        if old is not None and old.hash == digest:
            return old, False
        return NoteTypeLock(notetype.name, notetype.schema(), digest, self._fresh,
                            *_ids_of(old)), True


def _ids_of(entry: NoteTypeLock | None) -> tuple[tuple[tuple[str, int], ...], ...]:
    """The recorded field and template ids of a note type's lock entry: never lost."""
    return ((), ()) if entry is None else (entry.field_ids, entry.template_ids)


def deletion_warnings(note: RenderedNote, old: tuple[int, ...],
                      new: tuple[int, ...]) -> list[Problem]:
    """Anki keeps a cloze card's history by its number: renumbering moves it to another
    deletion, and a removed number leaves users an empty card."""
    gone, added = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    if not gone:
        return []
    shown = ", ".join(f"c{n}" for n in gone)
    if added:
        message = (f"deletion numbers changed ({_numbers(old)} -> {_numbers(new)}): review "
                   "history stays with the number, so it moves to another deletion; keep "
                   "the published numbers and give new deletions new ones")
    else:
        message = (f"deletion {shown} removed from a published note: users keep its card, "
                   "empty (Tools > Empty Cards removes it), with its review history")
    return [Problem(note.path, note.line, message, "warning")]


def _numbers(numbers: tuple[int, ...]) -> str:
    return " ".join(f"c{n}" for n in numbers)


def stamp(lock: Lock, notes: tuple[RenderedNote, ...], notetype: NoteType, now: int) -> Stamped:
    """Keep recorded mods for unchanged content; give changed content a mod newer than all."""
    stamper = Stamper(lock, notetype, now)
    mods = tuple(stamper.mod_for(note) for note in notes)
    return dataclasses.replace(stamper.finish(), mods=mods)
