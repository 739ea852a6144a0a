"""The render cache kept in memory by a resident process (`watch`), in front of the disk.

Entries are content-keyed (see cache.py), so one never goes stale: a rebuild in the
same process finds every unchanged file and card here, decoded, without reading or
unmarshalling the database. Writes go to both layers; the disk keeps its
transaction (a failed build leaves it as it was), and memory drops the file entries
that the last successful build no longer used, as the disk does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..release.lock import LockMemo
from .cache import RenderCache
from .filememo import FileMemo


class MemoryLayer:
    """Decoded cache values by key, kept across the builds of one process.

    `bundles` holds whole card files as bundles.py reads them (its FileResult records, by
    file key), so that an unchanged file costs a lookup, not a decoding of its notes; such
    a file's raw value is then not kept in `values` as well. `lock` spares the lock file's
    parsing and most of its writing (release.lock.LockMemo). `renderers` keeps the Markdown
    renderer warm for the few cards an edit changes (parallel.RenderContext), by the media
    it resolves images against; `files`, what was computed from files that have not changed
    since (filememo.py).
    """

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.bundles: dict[str, Any] = {}  # bundles.FileResult by file key
        self.lock = LockMemo()  # the lock last read or written, and its notes' lines
        self.renderers: dict[object, Any] = {}  # markdown.render.Renderer by media
        self.files = FileMemo()  # digests of files read before, while they are unchanged


class LayeredCache:
    """A RenderCache with a MemoryLayer in front: the same methods, memory first."""

    def __init__(self, memory: MemoryLayer, disk: RenderCache) -> None:
        self._memory, self._disk = memory.values, disk
        self._bundles = memory.bundles

    def get_many(self, keys: list[str]) -> dict[str, object]:
        found = {key: self._memory[key] for key in keys if key in self._memory}
        missing = [key for key in keys if key not in found]
        if missing:
            from_disk = self._disk.get_many(missing)
            self._memory.update(from_disk)
            found.update(from_disk)
        return found

    def present(self, keys: list[str]) -> set[str]:
        held = {key for key in keys if key in self._memory or key in self._bundles}
        return held | self._disk.present([key for key in keys if key not in held])

    def put(self, key: str, value: object) -> None:
        self._memory[key] = value
        self._disk.put(key, value)

    def flush(self, keep: set[str] | None = None,
              then: Callable[[], object] | None = None) -> None:
        self._disk.flush(keep, then)
        if keep is not None:
            for key in [k for k in self._memory if k.startswith(("file:", "path:"))
                        and k not in keep]:
                del self._memory[key]
            for key in [k for k in self._bundles if k not in keep]:
                del self._bundles[key]

    def close(self) -> None:
        self._disk.close()


def open_cache(root: Path, memory: MemoryLayer | None) -> RenderCache | LayeredCache:
    """The project's render cache, with `memory` in front when given."""
    disk = RenderCache(root)
    return disk if memory is None else LayeredCache(memory, disk)
