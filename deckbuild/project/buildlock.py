"""One writer at a time per project: the lock that build, release, ids and preview hold.

Two builds started at once in one project would each rename a package and a lock
file into place, and could leave the package of one beside the lock file of the
other. The lock file `.deckbuild-cache/build.lock` (git-ignored, beside the cache)
serialises them: a second build waits for the first, and is told so through
`on_wait` (the core never prints). Holding it also makes it safe to remove what a
killed build left behind: no other build can be writing those temporary files.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator

from ..errors import display_path
from .atomic import leftovers
from .config import CACHE_DIR, Config

LOCK_FILE = "build.lock"


@contextlib.contextmanager
def project_lock(config: Config, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the project's build lock (waiting for it if another build has it)."""
    from filelock import FileLock, Timeout  # only the commands that write load it

    path = config.root / CACHE_DIR / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(display_path(path, config.root))
        lock.acquire()
    try:
        remove_leftovers(config)
        yield
    finally:
        lock.release()


def remove_leftovers(config: Config) -> None:
    """Delete the temporary files and folders of builds that were killed."""
    found = (leftovers(config.dist_dir, "*.apkg") + leftovers(config.lock_path.parent,
                                                              config.lock_path.name)
             + leftovers(config.cards_dir, "*.md", recursive=True))
    for path in found:
        path.unlink(missing_ok=True)
    if config.dist_dir.is_dir():
        # A preview's or a share kit's staging folder, or an old one set aside for removal.
        for folder in [*config.dist_dir.glob(".preview-*"),
                       *(config.dist_dir / "share").glob(".kit-*")]:
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
