"""An .apkg, read with the official Anki engine (the `anki` extra): every format Anki
writes (collection.anki2, collection.anki21, zstd collection.anki21b) is imported into a
scratch collection, and its notes, note types, decks and media are read from there."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DeckError, Problem

INSTALL_HINT = ("reading an Anki package needs the official Anki engine and markdownify: "
                "pip install 'deckbuild[anki]' (or: pip install anki==26.9.3 markdownify==1.2.3)")


@dataclass(frozen=True)
class AnkiTemplate:
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class AnkiNoteType:
    id: int
    name: str
    kind: str  # "standard" or "cloze"
    fields: tuple[str, ...]
    sort_field: int
    templates: tuple[AnkiTemplate, ...]
    css: str
    stock: int  # Anki's originalStockKind: 0 none, 1 Basic ... 6 Image Occlusion
    # The ids Anki 23.10+ matches fields and templates by (None where the deck has none).
    field_ids: tuple[int | None, ...] = ()
    template_ids: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class AnkiNote:
    guid: str
    notetype_id: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str  # the deck of its first card
    decks: tuple[str, ...]  # every deck its cards are in
    mod: int
    id: int


@dataclass(frozen=True)
class AnkiPackage:
    path: str
    format: str  # the collection member read: collection.anki2, .anki21 or .anki21b
    notetypes: tuple[AnkiNoteType, ...]
    notes: tuple[AnkiNote, ...]
    deck_ids: dict[str, int]  # deck name -> id in the package (legacy formats), else {}
    media_dir: str  # the scratch collection's media folder (valid until the reader closes)
    media: tuple[str, ...]  # names of the media files the package holds
    descriptions: dict[str, str] = field(default_factory=dict)  # deck name -> its description


def collection_member(names: list[str]) -> str:
    for member in ("collection.anki21b", "collection.anki21", "collection.anki2"):
        if member in names:
            return member
    return ""


class PackageReader:
    """`with PackageReader(path) as package:` the package's content; files vanish after."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._dir = tempfile.mkdtemp(prefix="deckbuild-apkg-")

    def __enter__(self) -> AnkiPackage:
        try:
            return self._read()
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def _read(self) -> AnkiPackage:
        shown = str(self._path)
        try:
            with zipfile.ZipFile(self._path) as zf:
                member = collection_member(zf.namelist())
                deck_ids = _legacy_deck_ids(zf, member, self._dir)
        except (OSError, zipfile.BadZipFile) as exc:
            raise DeckError(Problem(shown, 0, f"not an Anki package: {exc}")) from None
        if not member:
            raise DeckError(Problem(shown, 0, "not an Anki package: no collection inside"))
        try:
            from anki.collection import Collection
            from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest
        except ImportError:
            raise DeckError(Problem(shown, 0, INSTALL_HINT)) from None
        col = Collection(str(Path(self._dir) / "scratch.anki2"))
        try:
            # A new collection has the stock note types: renamed out of the way, so that the
            # package's own keep their names (a clash would add them as "Basic+").
            for model in col.models.all():
                model["name"] = f"deckbuild scratch {model['id']}"
                col.models.update_dict(model)
            try:
                col.import_anki_package(ImportAnkiPackageRequest(
                    package_path=str(self._path.resolve()),
                    options=ImportAnkiPackageOptions(with_scheduling=False)))
            except Exception as exc:  # the engine's own error names what is wrong
                raise DeckError(Problem(shown, 0, f"Anki cannot read this package: {exc}")) \
                    from None
            col.models._clear_cache()
            return self._content(col, shown, member, deck_ids)
        finally:
            col.close()

    def _content(self, col: object, shown: str, member: str,
                 deck_ids: dict[str, int]) -> AnkiPackage:
        from anki.collection import Collection
        from anki.decks import DeckId
        from anki.models import NotetypeId

        assert isinstance(col, Collection)
        decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
        notes = []
        used_types: set[int] = set()
        for nid in sorted(col.find_notes("")):
            note = col.get_note(nid)
            cards = sorted(note.cards(), key=lambda c: c.ord)
            names = tuple(dict.fromkeys(decks.get(c.odid or c.did, "") for c in cards))
            notes.append(AnkiNote(note.guid, int(note.mid), tuple(note.fields),
                                  tuple(note.tags), names[0] if names else "", names,
                                  int(note.mod), int(note.id)))
            used_types.add(int(note.mid))
        notetypes = []
        for mid in sorted(used_types):
            model = col.models.get(NotetypeId(mid))
            assert model is not None
            notetypes.append(AnkiNoteType(
                id=int(model["id"]), name=str(model["name"]),
                kind="cloze" if model["type"] == 1 else "standard",
                fields=tuple(f["name"] for f in model["flds"]),
                sort_field=int(model["sortf"]),
                templates=tuple(AnkiTemplate(t["name"], t["qfmt"], t["afmt"])
                                for t in model["tmpls"]),
                css=str(model["css"]), stock=int(model.get("originalStockKind") or 0),
                field_ids=tuple(_id(f.get("id")) for f in model["flds"]),
                template_ids=tuple(_id(t.get("id")) for t in model["tmpls"])))
        descriptions = {}
        for deck_id, name in decks.items():
            deck = col.decks.get(DeckId(deck_id), default=False)
            if deck and deck.get("desc"):
                descriptions[name] = str(deck["desc"])
        media_dir = col.media.dir()
        media = tuple(sorted(p.name for p in Path(media_dir).iterdir() if p.is_file()))
        return AnkiPackage(shown, member, tuple(notetypes), tuple(notes), deck_ids, media_dir,
                           media, descriptions)


def _id(value: object) -> int | None:
    return int(value) if isinstance(value, int) and value else None


def _legacy_deck_ids(zf: zipfile.ZipFile, member: str, scratch: str) -> dict[str, int]:
    """The decks' own ids, from a legacy collection's JSON (Anki remaps ids on import and
    matches decks by name, so these are kept for the record; anki21b gives none here)."""
    if member not in ("collection.anki21", "collection.anki2"):
        return {}
    target = Path(scratch) / "legacy.sqlite"
    target.write_bytes(zf.read(member))
    conn = sqlite3.connect(target)
    try:
        (decks,) = conn.execute("SELECT decks FROM col").fetchone()
        return {str(d["name"]): int(d["id"]) for d in json.loads(decks).values()}
    except (sqlite3.DatabaseError, ValueError, TypeError, KeyError):
        return {}
    finally:
        conn.close()
        target.unlink()
