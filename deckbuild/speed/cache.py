"""A content-hash cache on disk: card files parsed and rendered, the note type, builds.

Lives in `<project>/.deckbuild-cache/cache.sqlite`. An entry's key is a hash of
everything its output depends on: the deckbuild sources, the pinned versions of
Markdown, pymdown-extensions, Pygments and genanki, the Python version, the settings
that shape notes and the file's own bytes (see bundles.py). Inside a file entry each
card keeps its own key (its text, plus the media names when it has an image), so
that an edited file re-renders only its changed cards. A hit needs no Markdown,
Pygments or genanki at all. Every value carries a checksum and is validated before
use; a damaged, foreign or unreadable entry counts as a miss, and a damaged database
file is replaced. The cache never changes output.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import platform
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..project.config import CACHE_DIR
from ..records import Card, CardTemplate, NoteType

CACHE_FILE = "cache.sqlite"
FORMAT = "deckbuild-cache-4"
MARSHAL_VERSION = 4
# The libraries that shape output: (distribution, the package it installs).
PINNED = (("markdown", "markdown"), ("pymdown-extensions", "pymdownx"),
          ("pygments", "pygments"), ("genanki", "genanki"))
_BATCH = 500
BUSY_TIMEOUT = 5.0  # seconds to wait for another process writing the cache (`check`)
_PENDING_BYTES = 4 << 20  # queued entries are written once they hold this much
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the whole deckbuild package


@dataclass(frozen=True)
class Rendered:
    """What one card renders to, independent of where it sits in its file.

    Problem lines are stored relative to the card: ("card", 0) is its heading line,
    ("answer", k) the k-th line of its answer body.
    """

    fields: tuple[str, ...]
    media: tuple[str, ...]
    problems: tuple[tuple[str, int, str, str], ...]

    def located(self, card: Card) -> list[Problem]:
        """The problems with absolute lines for this card."""
        return [Problem(card.path, (card.answer_line if base == "answer" else card.line) + offset,
                        message, severity)
                for base, offset, message, severity in self.problems]


def relative_problems(card: Card, problems: Iterable[Problem]) -> tuple[
        tuple[str, int, str, str], ...] | None:
    """Problems as offsets from the card, or None when one is not about this card."""
    out = []
    for p in problems:
        if p.path != card.path:
            return None
        if card.answer_line and p.line >= card.answer_line:
            out.append(("answer", p.line - card.answer_line, p.message, p.severity))
        elif p.line == card.line:
            out.append(("card", 0, p.message, p.severity))
        else:
            return None
    return tuple(out)


@functools.cache
def code_version() -> str:
    """Hash of the renderer's inputs other than cards: our sources and pinned libraries."""
    h = hashlib.sha256(FORMAT.encode())
    h.update(platform.python_version().encode())
    for name, package in PINNED:
        h.update(f"\0{name}={installed_version(name, package)}".encode())
    for path in sorted(_PACKAGE_DIR.rglob("*.py")):
        h.update(b"\0" + path.relative_to(_PACKAGE_DIR).as_posix().encode() + b"\0"
                 + path.read_bytes())
    return h.hexdigest()


def installed_version(name: str, package: str) -> str:
    """What identifies the installed version of a distribution, cheaply.

    The names of its metadata folders next to its package ("pygments-2.19.1.dist-info":
    standard names carry the version). importlib.metadata says the same but costs more
    to import than a small build's rendering, so it is only the fallback.
    """
    spec = importlib.util.find_spec(package)
    wanted = re.sub(r"[-_.]+", "_", name).lower()
    if spec is not None and spec.submodule_search_locations:
        site = Path(next(iter(spec.submodule_search_locations))).parent
        with contextlib.suppress(OSError):
            found = sorted(entry for entry in os.listdir(site)
                           if entry.endswith((".dist-info", ".egg-info"))
                           and re.sub(r"[-_.]+", "_", entry.split("-")[0]).lower() == wanted)
            if found:
                return ",".join(found)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def card_key(salt: str, card: Card, media_digest: str) -> str:
    """Key of a card's rendering: its text, id and file (images resolve relative to it)."""
    parts: tuple[str, ...] = (salt, card.id or "", card.path, card.question, card.answer,
                              card.extra, card.source, card.notetype)
    parts += (card.front,) if card.front else ()
    if card.layout:  # a card of the project's own note type: its fields and named parts
        parts += ("\x1e".join(card.layout), str(card.cloze),
                  *(f"{name}\x1e{text}\x1e{line}" for name, text, line in card.named))
    # Only Markdown images reach the media index; other cards do not depend on media/.
    if any("![" in text or "<img" in text
           for text in (*parts[3:7], *((card.front,) if card.front else ()),
                        *(text for _, text, _ in card.named))):
        parts += (media_digest,)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def digest_of(items: Iterable[tuple[str, bytes | str]]) -> str:
    h = hashlib.sha256()
    for name, data in items:
        h.update(name.encode() + b"\0")
        h.update(data if isinstance(data, bytes) else data.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


class RenderCache:
    """Key -> value store in one SQLite file; every failure degrades to a miss."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self._conn: sqlite3.Connection | None = None
        self._pending: list[tuple[str, bytes, str]] = []
        self._pending_bytes = 0
        self._open()

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect()
        except (OSError, sqlite3.DatabaseError) as exc:
            if _busy(exc):  # another process is writing it: a miss this time, not damage
                return
            self._discard_file()
            try:
                self._conn = self._connect()
            except (OSError, sqlite3.DatabaseError):
                self._conn = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("CREATE TABLE IF NOT EXISTS entries "
                     "(key TEXT PRIMARY KEY, value BLOB NOT NULL, sum TEXT NOT NULL)")
        conn.execute("SELECT count(*) FROM entries").fetchone()
        return conn

    def _discard_file(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def get_many(self, keys: list[str]) -> dict[str, object]:
        """The decoded, checksum-verified values found for `keys`."""
        found: dict[str, object] = {}
        for key, value, checksum in self._select(keys, "key, value, sum"):
            decoded = _decode(value, checksum)
            if decoded is not None:
                found[key] = decoded
        return found

    def present(self, keys: list[str]) -> set[str]:
        """Which of `keys` have an entry (not yet checked: get_many does that)."""
        return {key for (key,) in self._select(keys, "key")}

    def _select(self, keys: list[str], columns: str) -> list[tuple[Any, ...]]:
        """Rows for `keys`, in batches; a database that fails to answer is replaced."""
        if self._conn is None:
            return []
        rows: list[tuple[object, ...]] = []
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start:start + _BATCH]
                marks = ",".join("?" * len(batch))
                rows += self._conn.execute(
                    f"SELECT {columns} FROM entries WHERE key IN ({marks})", batch)
        except sqlite3.DatabaseError as exc:
            if not _busy(exc):
                self._discard_file()
                self._open()
            return []
        return rows

    def put(self, key: str, value: object) -> None:
        """Queue an entry; written by flush(), and in batches so that few are held at once."""
        data = _encode(value)
        self._pending.append((key, data, _checksum(data)))
        self._pending_bytes += len(data)
        if len(self._pending) >= _BATCH or self._pending_bytes >= _PENDING_BYTES:
            self.flush()

    def flush(self, keep: set[str] | None = None,
              then: Callable[[], object] | None = None) -> None:
        """Write queued entries; drop entries not in `keep` once they outnumber it.

        `then` runs inside the transaction, before it is committed: if it raises, the
        cache keeps what it had. The build puts its outputs in place there, so that a
        failed build leaves the cache as it was too.
        """
        pending, self._pending, self._pending_bytes = self._pending, [], 0
        written = self._conn is not None
        try:
            if self._conn is not None:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany("INSERT OR REPLACE INTO entries VALUES (?,?,?)", pending)
                if keep is not None:
                    self._prune(keep)
        except sqlite3.DatabaseError:  # a cache that cannot be written only costs speed
            self._rollback()
            written = False
        except BaseException:
            self._rollback()
            raise
        try:
            if then is not None:
                then()
        except BaseException:
            if written:
                self._rollback()
            raise
        if written and self._conn is not None:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError:
                self._rollback()

    def _rollback(self) -> None:
        assert self._conn is not None
        with contextlib.suppress(sqlite3.Error):
            self._conn.execute("ROLLBACK")

    def _prune(self, keep: set[str]) -> None:
        """Drop file entries (and their path pointers) that no current file uses."""
        assert self._conn is not None
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        self._conn.execute("DELETE FROM keep")
        self._conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
        self._conn.execute("DELETE FROM entries WHERE (key LIKE 'file:%' OR key LIKE 'path:%') "
                           "AND key NOT IN (SELECT key FROM keep)")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _busy(exc: BaseException) -> bool:
    """Whether SQLite gave up waiting for another connection (the file is fine)."""
    return isinstance(exc, sqlite3.OperationalError) and "is locked" in str(exc)


def _checksum(data: bytes) -> str:
    # Against damage on disk, not tampering: CRC-32 reads gigabytes a second.
    return f"crc32:{zlib.crc32(data):08x}"


def _encode(value: Any) -> bytes:
    # marshal: the fastest codec for plain lists, dicts and strings. Its format can change
    # between Python versions, which are part of every key (code_version).
    return marshal.dumps(value, MARSHAL_VERSION)


def _decode(value: object, checksum: object) -> object | None:
    if not isinstance(value, bytes) or checksum != _checksum(value):
        return None
    try:
        return marshal.loads(value)
    except (ValueError, TypeError, EOFError):
        return None


def notetype_value(notetype: NoteType) -> dict[str, object]:
    return {"id": notetype.id, "name": notetype.name, "fields": list(notetype.fields),
            "templates": [[t.name, t.front, t.back] for t in notetype.templates],
            "css": notetype.css, "sort_field": notetype.sort_field, "kind": notetype.kind,
            "stock": notetype.stock}


def notetype_from(value: object) -> NoteType | None:
    """A cached note type, or None when the entry does not match today's record exactly."""
    expected = {f.name for f in fields(NoteType)}
    if not isinstance(value, dict) or set(value) != expected:
        return None
    try:
        templates = tuple(CardTemplate(*(str(x) for x in t)) for t in value["templates"])
        notetype = NoteType(id=value["id"], name=value["name"], fields=tuple(value["fields"]),
                            templates=templates, css=value["css"],
                            sort_field=value["sort_field"], kind=value["kind"],
                            stock=value["stock"])
    except (TypeError, ValueError):
        return None
    if notetype_value(notetype) != value:
        return None
    return notetype


def tree_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    """(relative name, bytes) of every file below a folder, in name order."""
    for path in tree_paths(folder):
        yield path.relative_to(folder).as_posix(), path.read_bytes()


def tree_paths(folder: Path) -> list[Path]:
    """Every file below a folder, in name order."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
