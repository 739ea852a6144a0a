"""The scratch collection.anki2 of a build: filled and zipped here or in a worker process.

A big deck's rows go to a worker process (CollectionProcess), which inserts them while
the build reads and stamps the next notes. A thread would not do: SQLite releases the
GIL for each row's insert and needs it back for the next one, so a thread inserting
beside busy Python code waits at every row. Both kinds receive the same rows in the
same order and so write the same bytes (tested).
"""

from __future__ import annotations

import contextlib
import pickle
import queue
import signal
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .archive import Member, write_zip

if TYPE_CHECKING:  # multiprocessing is loaded only when a worker starts
    from multiprocessing.connection import Connection

# Room for the rows of several thousand notes: fewer pages written out and read back
# while note ids arrive in no order (the file's bytes do not depend on it).
_CACHE_KIB = 8192
_QUEUED = 8  # messages the worker holds before the sender waits

T = TypeVar("T")
Row = tuple[Any, ...]


class Collection:
    """collection.anki2 at `path`, built in this process."""

    def __init__(self, path: Path, schema: str, col: str) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = sqlite3.connect(path)
        # A scratch file: no journal and no fsync (neither changes the file's bytes).
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        self._conn.executescript(schema)
        self._conn.executescript(col)
        self._conn.execute("BEGIN")

    def insert(self, notes: Sequence[Row], cards: Sequence[Row]) -> None:
        assert self._conn is not None
        self._conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
        self._conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                               cards)

    def seal(self, col: Row) -> None:
        """(mod, models, decks) into the collection row; the file is then whole and closed."""
        assert self._conn is not None
        self._conn.execute("UPDATE col SET mod = ?, models = ?, decks = ?", col)
        self._conn.commit()
        self.close()

    def finish(self, col: Row, members: Sequence[Member], out: Path, timestamp: int) -> None:
        """seal(col); then the zip of the collection and `members`."""
        self.seal(col)
        write_zip(out, [("collection.anki2", self._path), *members], timestamp)

    def finish_with(self, col: Row, members: Sequence[Member], out: Path, timestamp: int,
                    meanwhile: Callable[[], T]) -> T:
        self.finish(col, members, out, timestamp)
        return meanwhile()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class CollectionProcess:
    """The same collection, built by a worker process fed through a pipe."""

    def __init__(self, path: Path, schema: str, col: str) -> None:
        import multiprocessing  # here: a small build never starts the worker

        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, name="deckbuild-package",
                                                args=(child, path, schema, col), daemon=True)
        self._process.start()
        child.close()

    def insert(self, notes: Sequence[Row], cards: Sequence[Row]) -> None:
        self._send("insert", (list(notes), list(cards)))

    def finish_with(self, col: Row, members: Sequence[Member], out: Path, timestamp: int,
                    meanwhile: Callable[[], T]) -> T:
        """finish() in the worker, with `meanwhile` run here as it zips; errors are raised."""
        self._send("finish", (col, list(members), out, timestamp))
        result = meanwhile()
        try:
            error = self._conn.recv()
        except (EOFError, OSError):
            error = RuntimeError("the package writer process stopped unexpectedly")
        self.close()
        if error is not None:
            raise error
        return result

    def _send(self, op: str, args: tuple[Any, ...]) -> None:
        try:
            self._conn.send_bytes(pickle.dumps((op, args), pickle.HIGHEST_PROTOCOL))
        except OSError as exc:  # the worker is gone: its reason comes with finish_with
            raise RuntimeError("the package writer process stopped unexpectedly") from exc

    def close(self) -> None:
        if self._process.is_alive():
            with contextlib.suppress(OSError):
                self._conn.send_bytes(pickle.dumps(("close", ())))
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
        self._conn.close()


def _serve(conn: Connection, path: Path, schema: str, col: str) -> None:
    """The worker: a thread keeps reading the pipe, so the sender rarely waits, while this
    one inserts. After an error the rest is read and ignored; finish reports it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    messages: queue.Queue[bytes | None] = queue.Queue(maxsize=_QUEUED)

    def read() -> None:
        while True:
            try:
                messages.put(conn.recv_bytes())
            except (EOFError, OSError):
                messages.put(None)
                return

    threading.Thread(target=read, daemon=True).start()
    collection: Collection | None = None
    error: BaseException | None = None
    try:
        collection = Collection(path, schema, col)
    except BaseException as exc:  # reported by finish
        error = exc
    while (data := messages.get()) is not None:
        op, args = pickle.loads(data)
        if op == "close":
            break
        if error is None and collection is not None:
            try:
                if op == "finish":
                    collection.finish(*args)
                else:
                    collection.insert(*args)
            except BaseException as exc:
                error = exc
        if op == "finish":
            conn.send(_picklable(error))
            break
    if collection is not None:
        collection.close()


def _picklable(error: BaseException | None) -> BaseException | None:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
