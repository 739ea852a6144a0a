"""The previous release's package, found in dist/ or rebuilt from git: a build of its own,
so this stage sits above write (which ships the tombstones it yields)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..errors import DeckError, display_path
from ..project.config import Config, load_config
from ..release.lock import Lock
from ..release.previous import candidates, export_tree, is_release, release_commit
from ..release.tombstones import Removed
from ..speed.parallel import RenderOptions
from .previous import PreviousNotes, removed_from, type_keys
from .stamp import read_lock_or_empty
from .write import write_build


def previous_notes(config: Config) -> PreviousNotes:
    """The notes of the previous release's package, found (or rebuilt) when first asked."""
    def load() -> tuple[dict[str, Removed] | None, str]:
        lock, _ = read_lock_or_empty(config)
        with previous_package(config, lock) as (path, how):
            return removed_from(config, path, how)
    return load


@contextmanager
def previous_package(config: Config, lock: Lock) -> Iterator[tuple[Path | None, str]]:
    """The previous release's package and where it came from; (None, why) when it cannot be
    had. Looked for in dist/ (where `release` leaves it), else rebuilt from the git commit
    that recorded the release; used only if its notes are the ones the lock recorded."""
    earlier = [r for r in lock.releases if r.version != config.version]
    if not earlier:
        yield None, "no earlier release is recorded in the lock"
        return
    last = earlier[-1]
    names = type_keys(config)
    for kept in candidates(config.dist_dir, config.slug, last.version):
        if kept.is_file() and is_release(kept, last, names):
            yield kept, display_path(kept, config.root)
            return
    wanted = display_path(candidates(config.dist_dir, config.slug, last.version)[0], config.root)
    found = release_commit(config.root, config.lock_path, last.version)
    if found is None:
        yield None, (f"the package of {last.version} is not in {wanted}, and no git commit of "
                     "the lock records that release to rebuild it from; put the released "
                     f"package at {wanted}")
        return
    commit, toplevel, prefix = found
    with tempfile.TemporaryDirectory(prefix="deckbuild-previous-") as tmp:
        path: Path | None = None
        why = ""
        root = export_tree(toplevel, commit, prefix, Path(tmp) / "src")
        if root is None:
            why = f"git could not export commit {commit[:12]}"
        else:
            try:
                old = replace(load_config(root, command=config.command),
                              dist_dir=Path(tmp) / "dist")
                write_build(old, last.timestamp, strict=False, allow_schema_change=True,
                            render=RenderOptions(cache=False), allow_identity_change=True,
                            previous=previous_notes(old))
                path = old.package_path
            except DeckError as exc:
                why = f"rebuilding it from git commit {commit[:12]} failed: {exc.problems[0]}"
        if path is not None and not is_release(path, last, names):
            path, why = None, (f"its rebuild from git commit {commit[:12]} differs from the "
                               f"release the lock recorded; put the released package at {wanted}")
        if path is None:
            yield None, why
        else:
            yield path, f"rebuilt from git commit {commit[:12]}"
