"""Rehearse: a release's update replayed with Anki's engine before the version is recorded,
and where the previous release put each note's cards."""

from __future__ import annotations

from pathlib import Path

from ..errors import DeckError, Problem, display_path
from ..project.config import Config
from ..release import rehearsal as engine
from ..release.lock import Lock
from ..release.rehearsal import Rehearsal
from ..release.rehearsal_report import conflict_problem_text
from .rebuild import previous_package
from .stamp import read_lock_or_empty


def previous_decks(config: Config, lock: Lock, package: Path | None) -> dict[str, str]:
    """card id -> the deck of its cards in the previous release: read from its package when
    there is one, else the lock's record of the last build."""
    if package is not None:
        return {n.card_id: n.deck for n in engine.package_notes(package).values()}
    return {card_id: note.deck for card_id, note in lock.notes.items()}


def released_decks(config: Config) -> dict[str, str]:
    """previous_decks() of the last release, for `diff` (its package found or rebuilt)."""
    lock, _ = read_lock_or_empty(config)
    with previous_package(config, lock) as (path, _how):
        return previous_decks(config, lock, path)


def restore_package(target: Path, old_bytes: bytes | None) -> None:
    """Put back the package that was in dist/ before a refused release."""
    if old_bytes is None:
        target.unlink(missing_ok=True)
    else:
        target.write_bytes(old_bytes)


def rehearse_release(config: Config, lock: Lock, previous_path: Path | None, how: str, wanted: bool,
              allow_conflicts: bool, grown: bool = False
              ) -> tuple[Rehearsal | None, tuple[str, ...]]:
    """The rehearsal of this release's update, or None and a warning saying why it was
    skipped; raises when it finds conflicting notes and they are not allowed (a note type
    that grew conflicts under the default options by nature: merging must resolve it)."""
    earlier = [r for r in lock.releases if r.version != config.version]
    shown = display_path(config.package_path, config.root)
    if not wanted or not earlier:
        return None, ()
    last = earlier[-1].version
    if not engine.available():
        return None, (str(Problem(shown, 0, f"the release rehearsal with Anki's engine was "
                                  f"skipped: the `anki` package is not installed; "
                                  f"{engine.INSTALL_HINT}", "warning")),)
    if previous_path is None:
        return None, (str(Problem(shown, 0, f"the release rehearsal was skipped: no package of "
                                  f"{last}: {how}", "warning")),)
    result = engine.rehearse(previous_path, config.package_path, last, config.version,
                      config.retire.tag)
    if result.conflicts and not allow_conflicts and not (grown and result.merging_resolves):
        raise DeckError(Problem(shown, 0, conflict_problem_text(result)))
    return result, ()
