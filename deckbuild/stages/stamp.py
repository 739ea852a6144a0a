"""Stamp: mod times from the lock, and the identity, release and schema guards."""

from __future__ import annotations

from typing import Any

from ..errors import DeckError, Problem, display_path
from ..project.config import Config
from ..project.identity import example_ids_problem, identity_of, identity_problems
from ..records import RenderedNote
from ..release.contract import growth
from ..release.guards import (
    growth_advice,
    guard_released,
    migration_advice,
    schema_problem,
    type_change_problems,
)
from ..release.lock import (
    Lock,
    LockMemo,
    Release,
    notetype_hash,
    read_lock,
)
from ..release.stamper import Stamped, Stamper


def checked_lock(config: Config, lock: Lock, stamper: Stamper, problems: list[Problem],
                 strict: bool, allow_schema_change: bool, have_notetype: bool,
                 allow_identity_change: bool = False,
                 ) -> tuple[Stamped, Release | None, tuple[str, ...]]:
    """Raise what check_all would report as errors (all problems under --strict), else
    the guarded lock. As in check_all, the guards run when nothing else is an error."""
    fatal = problems if strict else [p for p in problems if p.is_error]
    if not have_notetype or any(p.is_error for p in problems):
        raise DeckError(fatal or problems)
    try:
        guarded = guard(config, lock, stamper, allow_schema_change, allow_identity_change)
    except DeckError as exc:
        raise DeckError(fatal + exc.problems) from None
    if fatal:
        raise DeckError(fatal)
    return guarded


def guard(config: Config, lock: Lock, stamper: Stamper, allow_schema_change: bool,
          allow_identity_change: bool = False,
          ) -> tuple[Stamped, Release | None, tuple[str, ...]]:
    """The stamped lock, after the identity, release and schema guards (which raise)."""
    lock_shown = display_path(config.lock_path, config.root)
    identity = identity_of(config)
    problems = [p for p in [example_ids_problem(identity)] if p is not None]
    identity_changes = identity_problems(lock.identity, identity, lock_shown)
    if not allow_identity_change:
        problems += identity_changes
    stamped = stamper.finish().with_identity(identity)
    released = lock.release(config.version)
    if released is not None:
        try:
            guard_released(released, stamped.current, notetype_hash(stamper.notetype), config,
                           identity_changed=bool(identity_changes), types=stamped.type_hashes)
        except DeckError as exc:
            problems += exc.problems
    advice: tuple[str, ...] = ()
    # A note type may grow (contract.py) in a version built with ids: renamed fields need
    # users to have the ids already, from the previous release.
    with_ids = released is None or released.ids
    earlier = [r for r in lock.releases if r.version != config.version]
    renames = bool(earlier) and earlier[-1].ids

    def grown(change: dict[str, Any]) -> bool:
        return with_ids and growth(change["old"], change["new"], renames) == "grown"

    if not allow_schema_change:
        problems += type_change_problems(stamped.type_changes)
        problems += [schema_problem(change, lock_shown)
                     for _, change in sorted(stamped.other_schema_changes.items())
                     if not grown(change)]
    if stamped.schema_change is not None:
        if grown(stamped.schema_change):
            advice = growth_advice(stamped.schema_change, config.notetype.name)
        else:
            if not allow_schema_change:
                problems.append(schema_problem(stamped.schema_change, lock_shown))
            advice = migration_advice(stamped.schema_change, config.notetype.name)
    if problems:
        raise DeckError(problems)
    return stamped, released, advice


def writable(batch: list[RenderedNote], written_ids: set[str]) -> list[RenderedNote]:
    """The notes the package can take: a missing or repeated id (in this batch or an
    earlier one) is an error reported after the scan, and never reaches the writer."""
    kept = []
    for note in batch:
        if note.card_id and note.card_id not in written_ids:
            written_ids.add(note.card_id)
            kept.append(note)
    return kept


def read_lock_or_empty(config: Config, memo: LockMemo | None = None,
                       ) -> tuple[Lock, list[Problem]]:
    """The lock, or an empty one and why it cannot be read (reported with the rest)."""
    try:
        return read_lock(config.lock_path, display_path(config.lock_path, config.root),
                         memo), []
    except DeckError as exc:
        return Lock(), list(exc.problems)
