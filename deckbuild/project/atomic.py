"""Outputs put in place whole: written beside their targets, then renamed over them.

A rename within a folder is atomic, so a reader, or a build killed at any moment,
finds the old file or the new one, never part of one. The outputs of one build (the
package and the lock file) are staged first and put in place together at the end;
when a rename fails with an exception, the files already renamed are put back, so
dist/ and the lock file are exactly as they were. Only a kill between two renames
can leave a new package beside the old lock file: each is whole, and the next build
makes them agree again.

Temporary files are named `.<target name>.<random>.tmp`; a build killed before its
renames leaves them behind, and the next build that holds the project lock
(buildlock.py) removes them.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

MODE = 0o644  # outputs are ordinary files: readable by all, written by the owner
SUFFIX = ".tmp"


class Staged:
    """Files written to temporary names beside their targets; commit() renames them in order.

    As a context manager: committed when the block ends normally, discarded when it
    raises.
    """

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path, int]] = []  # (temporary file, target, mode)

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def stage(self, target: Path, mode: int = MODE) -> Path:
        """A new empty temporary file beside `target`, to be renamed over it on commit()."""
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=SUFFIX, dir=target.parent)
        os.close(fd)
        self._files.append((Path(name), target, mode))
        return Path(name)

    def write(self, target: Path, data: bytes, mode: int = MODE) -> None:
        """Stage `data` as the next content of `target`."""
        with open(self.stage(target, mode), "wb") as f:
            f.write(data)

    def commit(self) -> None:
        """Flush every staged file to disk, then rename each over its target, in order.

        If a rename fails, the targets already replaced get their old content back
        (a hard link kept the old file) and the error is raised. On a file system
        without hard links a replaced target keeps its new content: each file is still
        whole, as after a kill between two renames.
        """
        files, self._files = self._files, []
        # (target, a link to its old file, or None when it had none or no link was made)
        replaced: list[tuple[Path, Path | None, bool]] = []
        try:
            for tmp, _, mode in files:
                _settle(tmp, mode)
            for tmp, target, _ in files:
                replaced.append((target, _keep_old(target), target.exists()))
                os.replace(tmp, target)
        except BaseException:
            for target, old, existed in reversed(replaced):
                if old is not None:
                    os.replace(old, target)
                elif not existed:
                    target.unlink(missing_ok=True)
            raise
        finally:
            for path in [tmp for tmp, *_ in files] + [old for _, old, _ in replaced if old]:
                path.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove every staged file; the targets stay as they are."""
        files, self._files = self._files, []
        for tmp, *_ in files:
            tmp.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes, mode: int = MODE) -> None:
    """Replace `path` with `data` in one step."""
    with Staged() as staged:
        staged.write(path, data, mode)


def _settle(path: Path, mode: int) -> None:
    """Its mode, and the data on disk before the rename makes it visible."""
    os.chmod(path, mode)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _keep_old(target: Path) -> Path | None:
    """A hard link to the file now at `target` (None if there is none, or no links here)."""
    if not target.exists():
        return None
    old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old{SUFFIX}")
    try:
        os.link(target, old)
    except OSError:
        return None
    return old


def leftovers(folder: Path, target_pattern: str, recursive: bool = False) -> list[Path]:
    """Temporary files a killed build left beside targets matching `target_pattern`."""
    if not folder.is_dir():
        return []
    pattern = f".{target_pattern}.*{SUFFIX}"
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return sorted(p for p in found if p.is_file())
