"""The lock file: per-note content hashes and mod times, note-type schemas, releases.

Anki updates a note on import only when the incoming mod time is strictly newer than
the one in the collection. So a note keeps its recorded mod while its content is
unchanged (users' own edits and tags on it survive re-imports), and gets a fresh one,
newer than anything recorded, when its content changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import DeckError, Problem
from ..project.atomic import Staged, write_atomically
from ..project.identity import Identity
from ..records import NoteType, RenderedNote

LOCK_FORMAT = 1
# The C string encoder json.dumps(..., ensure_ascii=False) uses, without its per-call setup.
_string = json.encoder.encode_basestring


class NoteLock(NamedTuple):
    """One note's line in the lock (a named tuple: a large deck reads and stamps many)."""

    guid: str
    hash: str
    mod: int
    question: str = ""
    deck: str = ""
    notetype: str = ""  # the built-in note type's name; "" for basic (as before there were others)
    cloze: tuple[int, ...] = ()  # a cloze note's deletion numbers (its cards' ordinals + 1)


@dataclass(frozen=True)
class NoteTypeLock:
    name: str
    schema: dict[str, Any]
    hash: str
    mod: int
    # The stable ids of its fields and templates, (name, id) in order, once a version is
    # built with them (contract.py); () before.
    field_ids: tuple[tuple[str, int], ...] = ()
    template_ids: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Release:
    version: str
    timestamp: int
    notetype_hash: str
    notes: dict[str, str]  # card id -> content hash
    decks: tuple[str, ...]
    # The note type's schema when released (absent from releases recorded before it was kept).
    schema: dict[str, Any] | None = None
    # The hashes of the other built-in note types its notes use, by type name.
    types: dict[str, str] = field(default_factory=dict)
    # The card ids of the tombstones it shipped (notes removed from the sources).
    retired: tuple[str, ...] = ()
    # Whether its note types carry field and template ids (contract.py).
    ids: bool = False


@dataclass(frozen=True)
class Retired:
    """A note removed from the sources, as its tombstone ships: everything needed to write it
    again in later releases (its last released fields, tags, deck and note type)."""

    guid: str
    fields: tuple[str, ...]  # the tombstone's fields: the released ones, the notice first
    tags: tuple[str, ...]  # the released tags and the retired tag
    deck: str
    notetype: str  # the built-in note type's name ("" for basic, as in NoteLock)
    version: str  # the version that first shipped the tombstone
    hash: str
    mod: int


@dataclass(frozen=True)
class Lock:
    notes: dict[str, NoteLock] = field(default_factory=dict)
    notetypes: dict[str, NoteTypeLock] = field(default_factory=dict)
    releases: tuple[Release, ...] = ()
    identity: Identity | None = None  # None in a lock written before it was recorded
    retired: dict[str, Retired] = field(default_factory=dict)  # card id -> its tombstone

    def max_mod(self) -> int:
        mods = [n.mod for n in self.notes.values()] + [t.mod for t in self.notetypes.values()] \
            + [r.mod for r in self.retired.values()]
        return max(mods, default=0)

    def release(self, version: str) -> Release | None:
        return next((r for r in self.releases if r.version == version), None)

    @property
    def last_release(self) -> Release | None:
        return self.releases[-1] if self.releases else None


@dataclass
class LockMemo:
    """What a resident process (`watch`) keeps of the lock between builds: the text last
    read or written with the Lock it holds, and each note's line of that text. A build
    whose lock file still holds `text` takes `lock` instead of parsing it again, and a
    note whose entry is unchanged keeps its line."""

    text: str | None = None
    lock: Lock | None = None
    lines: dict[str, tuple[NoteLock, str]] = field(default_factory=dict)  # by card id
    # The last build's stamps: each note (the very object) with the entry made for it, and
    # the note types they were made with (see Stamper.mod_for).
    stamps: dict[str, tuple[RenderedNote, NoteLock]] = field(default_factory=dict)
    types: tuple[object, ...] = ()


def note_hash(note: RenderedNote) -> str:
    """What the package carries for a note: fields, tags, deck (each length-prefixed)."""
    return note.digest or content_hash(note.fields, note.tags, note.deck, note.notetype)


def content_hash(fields: Iterable[str], tags: Iterable[str], deck: str,
                 notetype: str = "basic") -> str:
    """note_hash of a note with these fields, tags and deck (and note type, when not basic:
    basic notes keep the hashes they had before there were other types)."""
    parts = [*fields, " ".join(sorted(tags)), deck, *([notetype] if notetype != "basic" else [])]
    payload = "".join(f"{len(part)}:{part}" for part in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def notetype_hash(notetype: NoteType) -> str:
    payload = json.dumps([notetype.name, [[t.name, t.front, t.back] for t in notetype.templates],
                          notetype.css, notetype.schema()], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def question_field(notetype: NoteType) -> int:
    """Where a note keeps its question: the Question field (a cloze note's heading is its
    Context), else the sort field."""
    for name in ("Question", "Context"):
        if name in notetype.fields:
            return notetype.fields.index(name)
    return notetype.sort_field


def question_text(note: RenderedNote, notetype: NoteType) -> str:
    return note.fields[question_field(notetype)]


def with_release(lock: Lock, version: str, timestamp: int, card_ids: Iterable[str],
                 notetype: NoteType, decks: tuple[str, ...],
                 types: dict[str, str] | None = None, retired: Iterable[str] = (),
                 ids: bool = False) -> Lock:
    """The lock with `version` recorded as released (its note hashes and deck names)."""
    record = Release(
        version=version,
        timestamp=timestamp,
        notetype_hash=notetype_hash(notetype),
        notes={card_id: lock.notes[card_id].hash for card_id in card_ids},
        decks=tuple(sorted(decks)),
        schema=notetype.schema(),
        types=dict(types or {}),
        retired=tuple(sorted(retired)),
        ids=ids,
    )
    others = tuple(r for r in lock.releases if r.version != version)
    return dataclasses.replace(lock, releases=(*others, record))


# -- reading and writing -------------------------------------------------------------

def _note_from(data: dict[str, Any]) -> NoteLock:
    return NoteLock(str(data["guid"]), str(data["hash"]), int(data["mod"]),
                    str(data.get("question", "")), str(data.get("deck", "")),
                    str(data.get("type", "")), tuple(int(n) for n in data.get("cloze", ())))


def _ids_from(data: dict[str, Any]) -> tuple[tuple[tuple[str, int], ...], ...]:
    return tuple(tuple((str(name), int(id_)) for name, id_ in data.get(part, ()))
                 for part in ("fields", "templates"))


def _retired_from(data: dict[str, Any]) -> Retired:
    return Retired(str(data["guid"]), tuple(str(x) for x in data["fields"]),
                   tuple(str(x) for x in data["tags"]), str(data["deck"]),
                   str(data.get("type", "")), str(data["version"]), str(data["hash"]),
                   int(data["mod"]))


def _retired_json(r: Retired) -> dict[str, Any]:
    data: dict[str, Any] = {"deck": r.deck, "fields": list(r.fields), "guid": r.guid,
                            "hash": r.hash, "mod": r.mod, "tags": list(r.tags),
                            "version": r.version}
    if r.notetype:
        data["type"] = r.notetype
    return data


def read_lock(path: Path, shown: str, memo: LockMemo | None = None) -> Lock:
    """Read the lock; a missing file is an empty lock, a broken one an error. With a
    `memo`, a text read or written before is not parsed again."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Lock()
    except (OSError, UnicodeDecodeError) as exc:
        raise DeckError(Problem(shown, 0, f"unreadable lock file: {exc}")) from None
    if memo is not None and memo.lock is not None and memo.text == text:
        return memo.lock
    lock = parse_lock(text, shown)
    if memo is not None:
        memo.text, memo.lock = text, lock
    return lock


def parse_lock(text: str, shown: str) -> Lock:
    """The lock a lock file's text holds; a broken one is an error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeckError(Problem(shown, exc.lineno, f"unreadable lock file: {exc}")) from None
    try:
        if data.get("format") != LOCK_FORMAT:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return Lock(
            notes={k: _note_from(v) for k, v in data["notes"].items()},
            notetypes={k: NoteTypeLock(v["name"], v["schema"], v["hash"], int(v["mod"]),
                                       *_ids_from(v.get("ids", {})))
                       for k, v in data["notetypes"].items()},
            releases=tuple(
                Release(r["version"], int(r["timestamp"]), r["notetype_hash"],
                        {str(k): str(v) for k, v in r["notes"].items()}, tuple(r["decks"]),
                        r.get("schema"), {str(k): str(v) for k, v in r.get("types", {}).items()},
                        tuple(str(x) for x in r.get("retired", ())), bool(r.get("ids", False)))
                for r in data.get("releases", [])),
            identity=Identity.from_json(data["identity"]) if "identity" in data else None,
            retired={str(k): _retired_from(v) for k, v in data.get("retired", {}).items()},
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DeckError(Problem(shown, 0, f"invalid lock file: {exc}")) from None


def _entries(mapping: dict[str, Any], indent: str) -> str:
    """A JSON object with one compact entry per line, in key order."""
    if not mapping:
        return "{}"
    lines = [f"{indent}  {_string(key)}: {_value(mapping[key])}" for key in sorted(mapping)]
    return "{\n" + ",\n".join(lines) + f"\n{indent}}}"


def _note_entries(notes: dict[str, NoteLock], memo: LockMemo | None) -> str:
    """_entries(notes, "  "), each unchanged note's line taken from `memo` (which then
    holds the lines of these notes only)."""
    if memo is None or not notes:
        return _entries(notes, "  ")
    held, lines = memo.lines, {}
    for key in sorted(notes):
        entry = notes[key]
        kept = held.get(key)
        lines[key] = kept if kept is not None and kept[0] == entry else \
            (entry, f"    {_string(key)}: {_value(entry)}")
    memo.lines = lines
    return "{\n" + ",\n".join(line for _, line in lines.values()) + "\n  }"


def _value(value: Any) -> str:
    """json.dumps(value, sort_keys=True, ensure_ascii=False), faster for a lock's values."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, NoteLock):
        cloze = f'"cloze": {json.dumps(list(value.cloze))}, ' if value.cloze else ""
        return (f'{{{cloze}"deck": {_string(value.deck)}, "guid": {_string(value.guid)}, '
                f'"hash": {_string(value.hash)}, "mod": {int(value.mod)}, '
                f'"question": {_string(value.question)}'
                + (f', "type": {_string(value.notetype)}}}' if value.notetype else "}"))
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def lock_text(lock: Lock, memo: LockMemo | None = None) -> str:
    """Sorted JSON with one line per note: diffs of the lock read like the change.

    With a `memo` (a resident process's), unchanged notes' lines are reused, and the memo
    then holds this text and `lock`, for the next build's read_lock."""
    notetypes = {k: {"name": v.name, "schema": v.schema, "hash": v.hash, "mod": v.mod,
                     **({"ids": {"fields": [list(x) for x in v.field_ids],
                                 "templates": [list(x) for x in v.template_ids]}}
                        if v.field_ids or v.template_ids else {})}
                 for k, v in lock.notetypes.items()}
    releases = []
    for r in lock.releases:
        fields = {"decks": list(r.decks), "notetype_hash": r.notetype_hash,
                  "timestamp": r.timestamp, "version": r.version}
        if r.schema is not None:
            fields["schema"] = r.schema
        if r.types:
            fields["types"] = r.types
        if r.retired:
            fields["retired"] = list(r.retired)
        if r.ids:
            fields["ids"] = True
        head = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        releases.append(f"    {head[:-1]}, \"notes\": {_entries(dict(r.notes), '    ')}}}")
    release_text = "[\n" + ",\n".join(releases) + "\n  ]" if releases else "[]"
    identity = "" if lock.identity is None else \
        f'  "identity": {json.dumps(lock.identity.to_json(), sort_keys=True, ensure_ascii=False)},\n'
    retired = {k: _retired_json(v) for k, v in lock.retired.items()}
    retired_text = f'  "retired": {_entries(retired, "  ")},\n' if retired else ""
    text = (f'{{\n  "format": {LOCK_FORMAT},\n{identity}'
            f'  "notes": {_note_entries(lock.notes, memo)},\n'
            f'  "notetypes": {_entries(notetypes, "  ")},\n'
            f'{retired_text}'
            f'  "releases": {release_text}\n}}\n')
    if memo is not None:
        memo.text, memo.lock = text, lock
    return text


def write_lock(path: Path, lock: Lock) -> bool:
    """Write atomically; return False (and write nothing) when the text is unchanged."""
    return write_lock_text(path, lock_text(lock))


def write_lock_text(path: Path, text: str, outputs: Staged | None = None) -> bool:
    """write_lock() of a lock_text() made earlier; staged in `outputs` when given."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    if outputs is None:
        write_atomically(path, text.encode("utf-8"))
    else:
        outputs.write(path, text.encode("utf-8"))
    return True
