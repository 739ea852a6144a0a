"""The previous release's package, for the tombstones of removed notes and the rehearsal.

Looked for in dist/ (where `release` leaves it), else rebuilt from the git commit that
recorded the release (a build of those sources in a scratch folder); used only if its
notes are exactly the ones the lock recorded for that release.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from ..errors import DeckError, Problem, display_path
from ..project.config import Config
from ..records import RenderedNote
from ..release.lock import Lock
from ..release.tombstones import Removed

# The notes of the previous release's package, by card id (None when it cannot be had, with
# the reason): where the tombstones of notes removed since then take their fields.
PreviousNotes = Callable[[], "tuple[dict[str, Removed] | None, str]"]


def type_keys(config: Config) -> dict[str, str]:
    """A package's note type name -> the key of the type in this project."""
    from ..release.previous import builtin_names

    return builtin_names(config.notetype.name, {s.name: s.key for s in config.own_types})


def removed_from(config: Config, path: Path | None, how: str
                 ) -> tuple[dict[str, Removed] | None, str]:
    """The notes of the package at `path` by card id; (None, how) without one."""
    from ..release.previous import removed_notes

    return (None, how) if path is None else (removed_notes(path, type_keys(config)), how)


def tombstone_notes(config: Config, lock: Lock, current: set[str],
                    previous: PreviousNotes | None) -> tuple[list[RenderedNote], list[Problem]]:
    """The tombstones this version ships, and a warning for each removed note whose fields
    can be found neither in the lock nor in the previous release's package."""
    from ..release.tombstones import plan, tombstones

    shown = display_path(config.lock_path, config.root)
    todo = plan(lock, config.version, current, config.retire.keep)
    if not todo.ship:
        return [], []
    removed, why = (previous or _finder(config, lock))() if todo.unrecorded else ({}, "")
    notes, missing = tombstones(todo, lock, removed or {}, config.retire.tag, config.retire.text,
                                config.version, shown)
    last = next((r.version for r in reversed(lock.releases) if r.version != config.version), "")
    return notes, [Problem(shown, 0, f"card {card_id!r} was removed since {last}, but its "
                           f"tombstone cannot be written: {why}. Users keep the old note with "
                           "no sign that it is retired", "warning") for card_id in missing]


def _finder(config: Config, lock: Lock) -> PreviousNotes:
    """Finds (or rebuilds) the previous release's package when first called."""
    def load() -> tuple[dict[str, Removed] | None, str]:
        with previous_package(config, lock) as (path, how):
            return removed_from(config, path, how)
    return load


@contextmanager
def previous_package(config: Config, lock: Lock) -> Iterator[tuple[Path | None, str]]:
    """The previous release's package and where it came from; (None, why) when it cannot be
    had. Looked for in dist/ (where `release` leaves it), else rebuilt from the git commit
    that recorded the release; used only if its notes are the ones the lock recorded."""
    from ..project.config import load_config
    from ..release.previous import candidates, export_tree, is_release, release_commit
    from ..speed.parallel import RenderOptions
    from .write import write_build

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
                            render=RenderOptions(cache=False), allow_identity_change=True)
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
