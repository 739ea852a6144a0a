"""What a resident process knows of a file's bytes, for as long as its status is unchanged.

`watch` builds again after every save, and most of the files a build reads (the card files
it hashes, the package it checks) are as they were. A file whose inode, size, modification
time and change time are those seen around its reading has the same bytes: the change time
moves on every write, and no tool can set it back. A file written in the last two seconds is
not remembered, as a second write within one tick of a coarse clock would keep its times
(git's index treats such "racy" entries the same way).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

RACY_NS = 2_000_000_000  # a file changed this recently is read again next time

_Signature = tuple[int, int, int, int, int]


class FileMemo:
    """Values computed from files' bytes, by file and kind, kept while the files are unchanged."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], tuple[_Signature, object]] = {}

    def value(self, path: Path, kind: str, compute: Callable[[Path], T]) -> T:
        """compute(path), or what it gave when the file was last read as it is now."""
        key = (os.fspath(path), kind)
        before = _signature(path)
        entry = self._known.get(key)
        if entry is not None and entry[0] == before:
            return entry[1]  # type: ignore[return-value]
        found = compute(path)
        after = _signature(path)
        if after == before and time.time_ns() - max(after[3], after[4]) > RACY_NS:
            self._known[key] = (after, found)
        else:
            self._known.pop(key, None)
        return found


def value(memo: FileMemo | None, path: Path, kind: str, compute: Callable[[Path], T]) -> T:
    """compute(path), through the memo when there is one."""
    return compute(path) if memo is None else memo.value(path, kind, compute)


def _signature(path: Path) -> _Signature:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
