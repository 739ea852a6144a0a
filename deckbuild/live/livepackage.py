"""The package of a resident build (`watch`): an edit rewrites only what it changed.

A LivePackage is a package.WriterFactory that a resident process keeps across builds.
Its first package is written as PackageWriter writes it (the same bytes), and it keeps
that package's collection.anki2 (in a private folder), the zip's deflated blocks
(blockzip.py) and what each note's rows were made from. A later build's notes are
compared with those: the rows of changed, added, removed and moved notes, and the
collection row when the note types or decks changed, are updated in place in one
transaction (never a VACUUM, so untouched pages stay where they were); then only the
blocks whose bytes changed are deflated again, and the zip is written whole beside the
target, to be renamed into place with the build's other outputs.

Such a package holds exactly what a fresh build would (tests compare their dumps); only
its SQLite page layout differs, so it says it is not canonical: the build records it as
such, and only a build through a LivePackage takes it for up to date (an ordinary
`build` of the same sources writes the canonical bytes again). A change of what the
collection was set up with (a note type's fields or templates, the root deck) writes a
new one from scratch.
A failed build changes nothing kept: rows are updated only when finish() is reached.
A failure while they are updated drops the kept package (the next build writes one from
scratch); a failure after their commit leaves kept blocks that the next build checks
again.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from ..package.archive import write_zip
from ..package.blockzip import Block, Entry, deflate_bytes, deflate_file, fits, write_blocks
from ..package.collection import Collection, Row
from ..package.writer import CollectionFormat, Rows, col_row, media_members, nothing
from ..project.atomic import Staged
from ..records import NoteType, PackageSpec, RenderedNote
from ..release.lock import note_hash
from ..source.ids import note_id_for

T = TypeVar("T")
COLLECTION = "collection.anki2"


class _Note(NamedTuple):
    """What a kept note's rows were made from (its content by hash), and its cards' ids."""

    content: tuple[str, tuple[str, ...]]  # _content(note)
    mod: int
    position: int
    note_id: int
    card_ids: tuple[int, ...]


@dataclass
class _Kept:
    """The last package: its collection (open), its rows' sources and its zip's blocks."""

    base: tuple[object, ...]
    path: Path
    conn: sqlite3.Connection
    notes: dict[str, _Note]  # by GUID
    col: Row
    blocks: list[Block]

    def close(self) -> None:
        self.conn.close()
        self.path.unlink(missing_ok=True)


class LivePackage:
    """Package writers that patch the package they wrote before (see the module's doc)."""

    patches = True  # a build through it takes a package it patched for up to date

    def __init__(self, folder: Path | None = None) -> None:
        self._tmp = None if folder else tempfile.TemporaryDirectory(prefix="deckbuild-live-")
        self.folder = folder or Path(self._tmp.name)  # type: ignore[union-attr]
        self.folder.mkdir(parents=True, exist_ok=True)
        self._kept: _Kept | None = None
        self._media: dict[tuple[str, str, int, int], Entry] = {}
        self._names = (f"{COLLECTION}.{n}" for n in itertools.count())

    def __call__(self, notetype: NoteType, fmt: CollectionFormat, root_deck_id: int,
                 in_worker: bool = False, *, root_deck_name: str,
                 others: dict[str, tuple[NoteType, CollectionFormat]] | None = None,
                 ) -> LiveWriter:
        """A writer for one build, as package.PackageWriter is called (`in_worker` aside:
        the rows of an edit are few)."""
        return LiveWriter(self, {"basic": (notetype, fmt), **(others or {})}, root_deck_id,
                          root_deck_name)

    def close(self) -> None:
        """The kept collection and the scratch folder (when it made one) removed."""
        if self._kept is not None:
            self._kept.close()
            self._kept = None
        if self._tmp is not None:
            self._tmp.cleanup()


class LiveWriter:
    """One build's writer: the package written from scratch, or the kept one patched."""

    def __init__(self, live: LivePackage, types: dict[str, tuple[NoteType, CollectionFormat]],
                 root_deck_id: int, root_deck_name: str) -> None:
        self._live = live
        self._types = types
        self._root_deck_id = root_deck_id
        self._rows = Rows({name: nt for name, (nt, _) in types.items()}, root_deck_id,
                          root_deck_name)
        self._base = _base(types, root_deck_id, root_deck_name)
        kept = live._kept
        self.canonical = kept is None or kept.base != self._base  # written from scratch
        self.cards = 0
        self._added = 0  # notes in a new collection
        self._incoming: list[tuple[RenderedNote, int]] = []  # a patch's notes
        self._notes: dict[str, _Note] = {}  # a new collection's notes
        self._fresh: Collection | None = None
        if self.canonical:
            fmt = types["basic"][1]
            self._path = live.folder / next(live._names)
            self._path.unlink(missing_ok=True)
            self._fresh = Collection(self._path, fmt.schema, fmt.col)

    def __enter__(self) -> LiveWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, notes: Sequence[RenderedNote], mods: Sequence[int]) -> None:
        """These notes and their mod times, after those added before."""
        if self._fresh is None:
            self._incoming += zip(notes, mods, strict=True)
            return
        note_rows, card_rows = [], []
        for note, mod in zip(notes, mods, strict=True):
            note_id, position = note_id_for(note.guid), self._added
            cards = self._rows.cards(note, mod, note_id, position)
            note_rows.append(self._rows.note(note, mod, note_id))
            card_rows += cards
            self._notes[note.guid] = _Note(_content(note), mod, position, note_id,
                                           tuple(card[0] for card in cards))
            self._added += 1
        self.cards += len(card_rows)
        self._fresh.insert(note_rows, card_rows)

    def finish(self, spec: PackageSpec, target: Path,
               meanwhile: Callable[[], T] = nothing, outputs: Staged | None = None) -> T:
        """The package, staged in `outputs` (renamed into place at once without it), as
        PackageWriter.finish writes it; `meanwhile` runs after the zip."""
        if outputs is None:
            with Staged() as own:
                return self.finish(spec, target, meanwhile, own)
        col = col_row(spec, self._types, self._root_deck_id)
        kept = self._sealed(col) if self._fresh is not None else self._patched(col)
        media = media_members(spec)
        entries = [Entry(COLLECTION, tuple(kept.blocks)), *self._media_entries(media)]
        out = outputs.stage(target)
        if fits(entries):
            write_blocks(out, entries, spec.timestamp)
        else:  # Zip64: archive.py writes it (from scratch) as a fresh build would
            write_zip(out, [(COLLECTION, kept.path), *media], spec.timestamp)
        return meanwhile()

    def close(self) -> None:
        """After finish(), nothing to do; before it (a failed build), the kept package stays."""
        if self._fresh is not None:
            self._fresh.close()
            self._fresh = None
            self._path.unlink(missing_ok=True)

    def _sealed(self, col: Row) -> _Kept:
        """The collection written from scratch, closed, read whole into blocks, kept."""
        assert self._fresh is not None
        self._fresh.seal(col)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            blocks, _ = deflate_file(self._path, pool=pool)
        kept = _Kept(self._base, self._path, _open(self._path), self._notes, col, blocks)
        self._fresh = None  # kept now: close() leaves it
        if self._live._kept is not None:
            self._live._kept.close()
        self._live._kept = kept
        return kept

    def _patched(self, col: Row) -> _Kept:
        """The kept collection with this build's changes, and its blocks deflated anew
        where they changed."""
        kept = self._live._kept
        assert kept is not None
        notes, changes = self._changes(kept.notes)
        kept.conn.execute("BEGIN")
        try:  # one transaction: committed whole, or rolled back on an error
            changes.apply(kept.conn)
            if col != kept.col:
                kept.conn.execute("UPDATE col SET mod = ?, models = ?, decks = ?", col)
            kept.conn.execute("COMMIT")
        except BaseException:
            # Rolled back, the kept collection would do; but the next build starts afresh,
            # whatever made this one fail.
            with contextlib.suppress(sqlite3.Error):
                kept.conn.execute("ROLLBACK")
            self._live._kept = None
            kept.close()
            raise
        kept.notes, kept.col = notes, col
        # The blocks change only once deflated: until then the kept ones still match
        # their digests, and a failure here leaves the next build to find the changes.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            kept.blocks, _ = deflate_file(kept.path, kept.blocks, pool)
        return kept

    def _changes(self, before: dict[str, _Note]) -> tuple[dict[str, _Note], _Changes]:
        """The kept notes after this build, and the row changes that make them so."""
        notes: dict[str, _Note] = {}
        changes = _Changes()
        cards = 0
        for position, (note, mod) in enumerate(self._incoming):
            old = before.get(note.guid)
            content = _content(note)
            if old is None or old.mod != mod or old.content != content:
                new = changes.note(self._rows, note, mod, position, content, old)
            elif old.position != position:
                new = old._replace(position=position)
                changes.moved.append((position, old.note_id))
            else:
                new = old
            notes[note.guid] = new
            cards += len(new.card_ids)
        self.cards += cards
        for guid in before.keys() - notes.keys():
            changes.removed_notes.append((before[guid].note_id,))
            changes.removed_cards += [(card_id,) for card_id in before[guid].card_ids]
        return notes, changes

    def _media_entries(self, members: Iterable[tuple[str, Path | bytes]]) -> list[Entry]:
        """The media map and files as zip entries; a file already deflated (the same name,
        path, size and time) is not read again."""
        entries = []
        cache, self._live._media = self._live._media, {}
        for name, src in members:
            if isinstance(src, bytes):
                entries.append(Entry(name, deflate_bytes(src)))
                continue
            stat = src.stat()
            key = (name, str(src), stat.st_size, stat.st_mtime_ns)
            entry = cache.get(key) or Entry(name, tuple(deflate_file(src)[0]))
            self._live._media[key] = entry
            entries.append(entry)
        return entries


class _Changes:
    """Row changes of one build, applied in one transaction."""

    def __init__(self) -> None:
        self.new_notes: list[Row] = []
        self.notes: list[Row] = []
        self.new_cards: list[Row] = []
        self.cards: list[Row] = []
        self.moved: list[tuple[int, int]] = []  # (due, note id)
        self.removed_notes: list[tuple[int]] = []
        self.removed_cards: list[tuple[int]] = []

    def note(self, rows: Rows, note: RenderedNote, mod: int, position: int,
             content: tuple[str, tuple[str, ...]], old: _Note | None) -> _Note:
        """The rows of a new or changed note; what is kept of it."""
        note_id = old.note_id if old else note_id_for(note.guid)
        row = rows.note(note, mod, note_id)
        if old is None:
            self.new_notes.append(row)
        else:  # the columns that can change, then the id
            self.notes.append((row[2], row[3], row[5], row[6], row[7], row[8], row[0]))
        before = set(old.card_ids) if old else set()
        cards = rows.cards(note, mod, note_id, position)
        for card in cards:
            if card[0] in before:
                self.cards.append((card[2], card[4], card[8], card[0]))
            else:
                self.new_cards.append(card)
        card_ids = tuple(card[0] for card in cards)
        self.removed_cards += [(card_id,) for card_id in before - set(card_ids)]
        return _Note(content, mod, position, note_id, card_ids)

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.executemany("DELETE FROM cards WHERE id = ?", self.removed_cards)
        conn.executemany("DELETE FROM notes WHERE id = ?", self.removed_notes)
        conn.executemany("UPDATE notes SET mid = ?, mod = ?, tags = ?, flds = ?, sfld = ?, "
                         "csum = ? WHERE id = ?", self.notes)
        conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", self.new_notes)
        conn.executemany("UPDATE cards SET did = ?, mod = ?, due = ? WHERE id = ?", self.cards)
        conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         self.new_cards)
        conn.executemany("UPDATE cards SET due = ? WHERE nid = ?", self.moved)


def _content(note: RenderedNote) -> tuple[str, tuple[str, ...]]:
    """What a note's rows are made of, besides its GUID, mod time and place: the hash the
    lock keeps of its fields, tags, deck and type (a note from the render cache carries
    it), and its tags, whose order the hash ignores."""
    return note_hash(note), note.tags


def _base(types: dict[str, tuple[NoteType, CollectionFormat]], root_deck_id: int,
          root_deck_name: str) -> tuple[object, ...]:
    """What the kept collection was set up with: rows made for another base differ in
    ways a patch does not follow (note type ids and schemas, card ordinals, deck ids)."""
    return (root_deck_id, root_deck_name,
            tuple(sorted((name, nt.id, nt.fields, tuple(t.name for t in nt.templates),
                          nt.sort_field, nt.kind, fmt.schema, fmt.col)
                         for name, (nt, fmt) in types.items())))


def _open(path: Path) -> sqlite3.Connection:
    """The kept collection, for updates: a rollback journal in memory (a failed update
    is undone; the file is scratch), deleted rows overwritten (a removed card's text
    must not stay in free pages of the package)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = MEMORY")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA secure_delete = ON")
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA cache_size = -8192")
    return conn
