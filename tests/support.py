"""Shared test helpers: make projects, build them, read and import packages."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def make_project(root: Path, cards: dict[str, str] | None = None, *, shipped: bool = False,
                 mini: bool = False) -> Path:
    """A project folder: the repo's pyproject and templates, plus the given cards."""
    root.mkdir(parents=True, exist_ok=True)
    # Test projects are at 1.0.0, whatever version the shipped deck is at.
    head, table, deck = (REPO / "pyproject.toml").read_text(encoding="utf-8").partition(
        "[tool.deckbuild]")
    deck = re.sub(r'(?m)^version = "[^"]*"$', 'version = "1.0.0"', deck, count=1)
    pyproject = head + table + deck
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "cards").mkdir()
    (root / "media").mkdir()
    if shipped:
        shutil.copytree(REPO / "cards", root / "cards", dirs_exist_ok=True)
        shutil.copytree(REPO / "media", root / "media", dirs_exist_ok=True)
    if mini:
        shutil.copytree(DATA / "mini", root, dirs_exist_ok=True)
    for name, text in (cards or {}).items():
        (root / "cards" / name).write_text(text, encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below a folder with its bytes, to prove nothing was written."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def read_apkg(path: Path) -> dict:
    """A package's content as plain data: notes, cards, note types, decks, media."""
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("collection.anki2", tmp)
        media = json.loads(zf.read("media"))
        media_bytes = {name: zf.read(index) for index, name in media.items()}
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
            notes = conn.execute(
                "SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
            cards = conn.execute("SELECT id, nid, did, ord, due FROM cards ORDER BY id").fetchall()
        finally:
            conn.close()
    return {
        "models": json.loads(models_json),
        "decks": json.loads(decks_json),
        "notes": notes,
        "cards": cards,
        "media": media_bytes,
        "names": zipfile.ZipFile(path).namelist(),
    }


def dump_apkg(path: Path) -> dict:
    """Normalised JSON-able dump for golden comparisons (no ids or times)."""
    data = read_apkg(path)
    decks = {str(d["id"]): d["name"] for d in data["decks"].values()}
    by_note = {nid: decks[str(did)] for _, nid, did, _, _ in data["cards"]}
    notetypes = [
        {
            "name": m["name"],
            "fields": [f["name"] for f in m["flds"]],
            "templates": [{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]}
                          for t in m["tmpls"]],
            "sortf": m["sortf"],
            "css": m["css"].split("\n"),  # the whole text, a line per item for readable diffs
        }
        for m in data["models"].values()
    ]
    return {
        "notetypes": notetypes,
        "decks": sorted(d["name"] for d in data["decks"].values()),
        "descriptions": {d["name"]: d["desc"] for d in data["decks"].values() if d["desc"]},
        "notes": [
            {"guid": guid, "deck": by_note[nid], "tags": tags.split(), "fields": flds.split("\x1f")}
            for nid, guid, _, _, tags, flds in sorted(data["notes"], key=lambda n: n[1])
        ],
        "media": sorted(data["media"]),
    }


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            # Browsers ignore whitespace and control characters inside a URL's scheme.
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower().partition(":")[0]
            if name.lower().startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            elif scheme in ("javascript", "vbscript", "data") and ":" in (value or ""):
                self.found.append(f"{scheme}: in {name}= on <{tag}>")
        if tag in ("script", "iframe", "object", "embed", "svg", "style"):
            self.found.append(f"<{tag}>")


def unsafe_markup(html: str) -> list[str]:
    """Event handlers, script URLs and script-capable tags in HTML, as a browser parses it."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.found


class AnkiCollection:
    """A fresh collection in the official engine, importing as the GUI's defaults do."""

    def __init__(self, folder: Path) -> None:
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(folder / "collection.anki2"))

    def import_package(self, path: Path):
        from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

        request = ImportAnkiPackageRequest(package_path=str(path),
                                           options=ImportAnkiPackageOptions())
        log = self.col.import_anki_package(request).log
        # pylib caches note types in Python; Anki's GUI drops that cache after an import.
        self.col.models._clear_cache()
        return log

    def close(self) -> None:
        self.col.close()


_JSON_COLUMNS = ("conf", "models", "decks", "dconf", "tags")


def package_dump(path: Path) -> dict:
    """Everything a package holds, as plain data, but not how SQLite lays it out: every
    row of every table (the collection row's JSON parsed), the schema, the media map
    and each file's bytes, and the zip's members in order."""
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
        assert zf.testzip() is None  # every member's CRC-32 and length hold
        names = zf.namelist()
        zf.extract("collection.anki2", tmp)
        media_map = json.loads(zf.read("media"))
        media = {name: zf.read(index) for index, name in media_map.items()}
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tables = {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                      for table in ("notes", "cards", "revlog", "graves")}
            cursor = conn.execute("SELECT * FROM col")
            columns = [c[0] for c in cursor.description]
            (col,) = cursor.fetchall()
            schema = sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        finally:
            conn.close()
    return {
        **tables,
        "col": {name: json.loads(value) if name in _JSON_COLUMNS else value
                for name, value in zip(columns, col, strict=True)},
        "schema": schema,
        "media_map": media_map,
        "media": media,
        "members": names,
    }


def without_docs(output: str) -> str:
    """Printed problems without the docs page each error ends with (tests/test_help.py checks it)."""
    return re.sub(r" \(see (?:docs/|https?://)\S+\)$", "", output, flags=re.M)
