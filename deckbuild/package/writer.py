"""Notes and a PackageSpec -> .apkg bytes on disk. Uses genanki (with ids.guid_for).

genanki supplies the schema-11 collection layout and the note type and deck JSON,
gathered once per note type into a CollectionFormat: plain data that the build
caches, so that a rebuild from the cache does not import genanki at all. The rows
are made here, with per-note mod times and ids derived from GUIDs, and go to a
scratch collection (collection.py) that is zipped deterministically (archive.py) to a
temporary file, renamed into place with the lock file (atomic.py), so a failed build
leaves dist/ as it was.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..notetypes.cloze_type import cloze_numbers
from ..project.atomic import Staged
from ..records import CardTemplate, DeckInfo, NoteType, PackageSpec, RenderedNote
from ..source.ids import card_id_for, deck_id_for, note_id_for
from .archive import Member
from .collection import Collection, CollectionProcess, Row

_TAG = re.compile(r"<[^>]*>")
T = TypeVar("T")


def nothing() -> Any:
    """No work beside the zip (the default of `finish`'s `meanwhile`)."""
    return None
# Decks of fewer notes (as the lock counts them) are written in the build's own process:
# starting a worker costs more than it saves.
WORKER_MIN_NOTES = 2000


@dataclass(frozen=True)
class CollectionFormat:
    """What genanki contributes to a package, as plain data."""

    schema: str  # SQL creating the schema-11 tables
    col: str  # SQL inserting the collection row
    decks: dict[str, object]  # the collection's own decks ("Default")
    model: dict[str, object]  # the note type's JSON; the writer sets "mod" and "did"
    deck: dict[str, object]  # a deck's JSON; the writer sets "id", "name", "desc" and "mod"

    def value(self) -> dict[str, object]:
        return {"schema": self.schema, "col": self.col, "decks": self.decks,
                "model": self.model, "deck": self.deck}

    @classmethod
    def from_value(cls, value: object) -> CollectionFormat | None:
        """A cached format, or None for anything else."""
        if not isinstance(value, dict) or set(value) != {"schema", "col", "decks", "model",
                                                          "deck"}:
            return None
        if not (isinstance(value["schema"], str) and isinstance(value["col"], str)
                and all(isinstance(value[k], dict) for k in ("decks", "model", "deck"))):
            return None
        return cls(value["schema"], value["col"], value["decks"], value["model"], value["deck"])

    def model_json(self, mod: int, deck_id: int) -> dict[str, object]:
        return {**self.model, "mod": mod, "did": deck_id}

    def deck_json(self, deck: DeckInfo, mod: int) -> dict[str, object]:
        return {**self.deck, "id": deck.id, "name": deck.name, "desc": deck.description,
                "mod": mod}


def collection_format(notetype: NoteType) -> CollectionFormat:
    """The schema, the default decks and the JSON shapes, from genanki."""
    import genanki
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    spec = genanki.Model(
        model_id=notetype.id,
        name=notetype.name,
        fields=[{"name": name} for name in notetype.fields],
        templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in notetype.templates],
        css=notetype.css,
        model_type=genanki.Model.CLOZE if notetype.kind == "cloze" else genanki.Model.FRONT_BACK,
        sort_field_index=notetype.sort_field,
    )
    try:
        model = spec.to_json(0, 0)
    except Exception:  # genanki's template parser (chevron) refuses the template
        # An adopted deck's template that chevron cannot read (Anki reads it): `req`,
        # which Anki recomputes on import, then says every template may use any field.
        spec._req = [[i, "any", list(range(len(notetype.fields)))]
                     for i in range(len(notetype.templates))]
        model = spec.to_json(0, 0)
    model["latexsvg"] = False
    if notetype.stock:
        model["originalStockKind"] = notetype.stock
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(APKG_SCHEMA)
        conn.executescript(APKG_COL)
        (decks,) = conn.execute("SELECT decks FROM col").fetchone()
    finally:
        conn.close()
    # A JSON round trip: the same plain data whether it comes from here or the cache.
    fmt = CollectionFormat.from_value(json.loads(json.dumps({
        "schema": APKG_SCHEMA, "col": APKG_COL, "decks": json.loads(decks), "model": model,
        "deck": genanki.Deck(deck_id=0, name="").to_json()})))
    assert fmt is not None
    return fmt


class PackageWriter:
    """Notes go into a scratch collection as they come; finish() zips it into place.

    With `in_worker` a worker process inserts the rows (see collection.py) while this
    one goes on reading notes; the bytes are the same either way. Nothing reaches
    `target` until finish(); leaving the `with` block without it (an error found later
    in the build) deletes the scratch files.
    """

    canonical = True  # the bytes any build of the same sources writes (see NotesWriter)

    def __init__(self, notetype: NoteType, fmt: CollectionFormat, root_deck_id: int,
                 in_worker: bool = False, *, root_deck_name: str,
                 others: dict[str, tuple[NoteType, CollectionFormat]] | None = None) -> None:
        # Every note type by built-in name: basic is the project's own.
        self._types = {"basic": (notetype, fmt), **(others or {})}
        self.cards = 0  # cards written so far
        self._root_deck_id = root_deck_id
        self._rows = Rows({name: nt for name, (nt, _) in self._types.items()}, root_deck_id,
                          root_deck_name)
        self._position = 0
        self._dir = tempfile.TemporaryDirectory(prefix="deckbuild-")
        db_path = Path(self._dir.name) / "collection.anki2"
        kind = CollectionProcess if in_worker else Collection
        self._collection: Collection | CollectionProcess | None = kind(db_path, fmt.schema,
                                                                       fmt.col)

    def __enter__(self) -> PackageWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, notes: Sequence[RenderedNote], mods: Sequence[int]) -> None:
        """Rows for these notes and their cards, after those added before."""
        assert self._collection is not None
        stamped = [(note, mod, note_id_for(note.guid))
                   for note, mod in zip(notes, mods, strict=True)]
        self._collection.insert([self._rows.note(*row) for row in stamped],
                                list(self._card_rows(stamped)))

    def finish(self, spec: PackageSpec, target: Path,
               meanwhile: Callable[[], T] = nothing, outputs: Staged | None = None) -> T:
        """Note type, decks and time into the collection; zip it beside `target`.

        The zip is staged in `outputs`, which puts it in place with the build's other
        outputs; without `outputs` it is renamed into place at once. `meanwhile` runs
        while a worker zips (after the zip otherwise); its result is returned.
        """
        assert self._collection is not None
        if outputs is None:
            with Staged() as own:
                return self.finish(spec, target, meanwhile, own)
        col = col_row(spec, self._types, self._root_deck_id)
        members = media_members(spec)
        out = outputs.stage(target)
        collection, self._collection = self._collection, None
        return collection.finish_with(col, members, out, spec.timestamp, meanwhile)

    def close(self) -> None:
        if self._collection is not None:
            self._collection.close()
            self._collection = None
        self._dir.cleanup()

    def _card_rows(self, stamped: list[tuple[RenderedNote, int, int]]) -> Iterator[Row]:
        for note, mod, note_id in stamped:
            rows = self._rows.cards(note, mod, note_id, self._position)
            self.cards += len(rows)
            yield from rows
            self._position += 1


class NotesWriter(Protocol):
    """What a build needs of its package writer (PackageWriter is one): the stamped notes
    come in file by file, then finish() stages the package in `outputs`."""

    @property
    def cards(self) -> int:
        """Cards written so far."""

    @property
    def canonical(self) -> bool:
        """After finish(): whether the package has the bytes any build of these sources
        writes (a patched one holds the same content in another SQLite layout)."""

    def __enter__(self) -> NotesWriter: ...

    def __exit__(self, *exc: object) -> None: ...

    def add(self, notes: Sequence[RenderedNote], mods: Sequence[int]) -> None: ...

    def finish(self, spec: PackageSpec, target: Path, meanwhile: Callable[[], T] = ...,
               outputs: Staged | None = None) -> T: ...


class PassingWriter:
    """A NotesWriter that passes everything on to another; wrappers override what they add."""

    def __init__(self, writer: NotesWriter) -> None:
        self._writer = writer

    def __enter__(self) -> PassingWriter:
        self._writer.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._writer.__exit__(*exc)

    @property
    def cards(self) -> int:
        return self._writer.cards

    @property
    def canonical(self) -> bool:
        return self._writer.canonical

    def add(self, notes: Sequence[RenderedNote], mods: Sequence[int]) -> None:
        self._writer.add(notes, mods)

    def finish(self, spec: PackageSpec, target: Path, *args: Any, **kwargs: Any) -> Any:
        return self._writer.finish(spec, target, *args, **kwargs)


# The seam between a build and the package it writes: called with PackageWriter's
# arguments (note type, format, root deck id, in_worker=, root_deck_name=, others=), it
# returns a NotesWriter. PackageWriter writes every package from scratch; a resident
# process (`watch`) may keep a factory with state across rebuilds in its place
# (livepackage.LivePackage patches the package it wrote before).
WriterFactory = Callable[..., NotesWriter]


class Rows:
    """The rows of the notes and cards tables for notes of these types (by built-in name)."""

    def __init__(self, types: dict[str, NoteType], root_deck_id: int,
                 root_deck_name: str) -> None:
        self._types = types
        self._root_deck_id = root_deck_id
        self._root_deck_name = root_deck_name  # notes in it go to the root deck itself
        self._deck_ids: dict[str, int] = {}

    def deck_id(self, name: str) -> int:
        if name not in self._deck_ids:
            self._deck_ids[name] = deck_id_for(self._root_deck_id, self._root_deck_name, name)
        return self._deck_ids[name]

    def note(self, note: RenderedNote, mod: int, note_id: int) -> Row:
        """The note's row; its mod time is `mod`."""
        notetype = self._types[note.notetype]
        field = note.fields[notetype.sort_field]
        sort_text = (_TAG.sub("", field) if "<" in field else field).strip()
        # Anki's checksum: the first 8 hex digits of the SHA-1 of the sort field.
        checksum = int.from_bytes(hashlib.sha1(sort_text.encode("utf-8")).digest()[:4], "big")
        tags = f" {' '.join(note.tags)} " if note.tags else ""
        return (note_id, note.guid, notetype.id, mod, -1, tags,
                "\x1f".join(note.fields), sort_text, checksum, 0, "")

    def cards(self, note: RenderedNote, mod: int, note_id: int, position: int) -> list[Row]:
        """The rows of the note's cards; `position` is the note's place in the deck (its
        cards' due number: new cards are shown in the order of the files)."""
        deck_id = self.deck_id(note.deck)
        return [(card_id_for(note_id, ordinal), note_id, deck_id, ordinal, mod,
                 -1, 0, 0, position, 0, 0, 0, 0, 0, 0, 0, 0, "")
                for ordinal in card_ordinals(note, self._types[note.notetype])]


def col_row(spec: PackageSpec, types: dict[str, tuple[NoteType, CollectionFormat]],
            root_deck_id: int) -> Row:
    """(mod, models, decks) of the collection row: `types` by built-in name, basic the
    project's own type."""
    fmt = types["basic"][1]
    models = {str(spec.notetype.id): fmt.model_json(spec.notetype_mod, root_deck_id)}
    for name, mod in spec.others:
        notetype, other = types[name]
        models[str(notetype.id)] = other.model_json(mod, root_deck_id)
    for notetype_id, field_ids, template_ids, stock in spec.ids:
        model: Any = models.get(str(notetype_id))
        if model is None:
            continue
        # New lists and dicts: the format's own are shared (and cached).
        model["flds"] = [{**f, "id": i} for f, i in zip(model["flds"], field_ids, strict=True)]
        model["tmpls"] = [{**t, "id": i}
                          for t, i in zip(model["tmpls"], template_ids, strict=True)]
        if stock:
            model["originalStockKind"] = stock
    decks = {**fmt.decks, **{str(d.id): fmt.deck_json(d, spec.timestamp) for d in spec.decks}}
    return (spec.timestamp * 1000, json.dumps(models, sort_keys=True),
            json.dumps(decks, sort_keys=True))


def media_members(spec: PackageSpec) -> list[Member]:
    """The zip members after the collection: the media map, then each file by its index."""
    media_map = {str(i): m.name for i, m in enumerate(spec.media)}
    return [("media", json.dumps(media_map, sort_keys=True).encode()),
            *((str(i), Path(m.data_path)) for i, m in enumerate(spec.media))]


def card_ordinals(note: RenderedNote, notetype: NoteType) -> list[int]:
    """The ordinals of a note's cards, as Anki makes them: one per template, or for a
    cloze note one per distinct deletion number in any of its fields (c1 is ordinal 0;
    with none, Anki still makes the first card, which shows its cloze error)."""
    if notetype.kind != "cloze":
        filled = frozenset(name for name, value in zip(notetype.fields, note.fields,
                                                       strict=False) if value.strip())
        return list(_standard_ordinals(tuple(t.front for t in notetype.templates), filled))
    numbers = set().union(*(cloze_numbers(field) for field in note.fields))
    return [n - 1 for n in sorted(numbers)] or [0]


@functools.lru_cache(maxsize=1024)
def _standard_ordinals(fronts: tuple[str, ...], filled: frozenset[str]) -> tuple[int, ...]:
    """card_ordinals of a standard note whose filled fields are `filled` (a deck's notes
    share a few such patterns: each is worked out once)."""
    made = tuple(i for i, front in enumerate(fronts) if front_shows_field(front, set(filled)))
    return made or (0,)


_MUSTACHE = re.compile(r"\{\{([#^/]?)([^{}]*)\}\}")
_NOT_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}


def front_shows_field(front: str, filled: set[str]) -> bool:
    """Whether a template's front shows a non-empty field: Anki makes a card of a standard
    note type only then ("optional reversed" leaves its second card out so). Sections
    {{#F}}…{{/F}} show when F is not empty, {{^F}}…{{/F}} when it is."""
    shown: list[bool] = []
    for m in _MUSTACHE.finditer(front):
        sigil, name = m.group(1), m.group(2).strip()
        if sigil == "#":
            shown.append(name in filled)
        elif sigil == "^":
            shown.append(name not in filled)
        elif sigil == "/":
            if shown:
                shown.pop()
        else:
            field = name.rsplit(":", 1)[-1].strip()
            if all(shown) and field in filled and field not in _NOT_FIELDS:
                return True
    return False


def query_package(path: Path, notes_query: str) -> tuple[str, str, list[tuple[Any, ...]]]:
    """(models JSON, decks JSON, the rows of `notes_query`) of a schema-11 .apkg, read with
    SQLite from its collection (collection.anki21 when present, else collection.anki2)."""
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
        names = zf.namelist()
        member = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
        zf.extract(member, tmp)
        conn = sqlite3.connect(Path(tmp) / member)
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            return models_json, decks_json, conn.execute(notes_query).fetchall()
        finally:
            conn.close()


def read_package(path: Path) -> tuple[list[NoteType], list[tuple[str, int, list[str], list[str],
                                                                   str]], list[str]]:
    """(note types, notes as (guid, note type id, fields, tags, deck), deck names) of an .apkg."""
    models_json, decks_json, rows = query_package(
        path, "SELECT n.guid, n.mid, n.flds, n.tags, MIN(c.did) FROM notes n "
              "JOIN cards c ON c.nid = n.id GROUP BY n.id ORDER BY n.id")
    decks = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
    notetypes = [
        NoteType(
            id=int(m["id"]),
            name=m["name"],
            fields=tuple(f["name"] for f in m["flds"]),
            templates=tuple(CardTemplate(t["name"], t["qfmt"], t["afmt"]) for t in m["tmpls"]),
            css=m["css"],
            sort_field=int(m["sortf"]),
            kind="cloze" if m["type"] == 1 else "standard",
        )
        for m in json.loads(models_json).values()
    ]
    notes = [(guid, int(mid), flds.split("\x1f"), tags.split(), decks.get(did, ""))
             for guid, mid, flds, tags, did in rows]
    used = {deck for *_, deck in notes}
    return notetypes, notes, sorted(d for d in decks.values() if d in used)
