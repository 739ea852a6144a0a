"""The previous release's package, for the tombstones of removed notes and the rehearsal.

Looked for in dist/ (where `release` leaves it), else rebuilt from the git commit that
recorded the release (a build of those sources in a scratch folder); used only if its
notes are exactly the ones the lock recorded for that release.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import Problem, display_path
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
    removed: dict[str, Removed] | None = {}
    why = ""
    if todo.unrecorded:
        removed, why = previous() if previous is not None else (
            None, "the previous release's package was not looked for")
    notes, missing = tombstones(todo, lock, removed or {}, config.retire.tag, config.retire.text,
                                config.version, shown)
    last = next((r.version for r in reversed(lock.releases) if r.version != config.version), "")
    return notes, [Problem(shown, 0, f"card {card_id!r} was removed since {last}, but its "
                           f"tombstone cannot be written: {why}. Users keep the old note with "
                           "no sign that it is retired", "warning") for card_id in missing]
