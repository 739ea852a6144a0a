"""The build, in the order the data moves; each step is a stage module (deckbuild.stages).

    config -> scan (parse, check, render: card files -> notes) -> stamp (mod times from the
    lock; identity, release and schema guards) -> write (package + lock, in place together)

check() holds every note (for `check`, `preview` and `diff`); build() streams them file by
file into the package. release() is a build that also writes the share kit and records the
version. The pipeline is the one door into speed/ (the render cache, workers, freshness):
callers pass RenderOptions and MemoryLayer from here, never import speed/ themselves.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DeckError, Problem, display_path
from .package.writer import PackageWriter, WriterFactory
from .project.config import Config
from .project.sources import load_sources
from .records import BuildReport
from .release.guards import GROWN
from .release.lock import read_lock, with_release, write_lock
from .release.stamper import Stamper
from .speed.freshness import input_digest, record, recorded_warnings, sources_digest
from .speed.memcache import MemoryLayer
from .speed.parallel import RenderOptions
from .stages.previous import removed_from
from .stages.rebuild import previous_notes, previous_package
from .stages.rehearse import previous_decks, rehearse_release, released_decks, restore_package
from .stages.scan import PLACEHOLDER_NOTETYPE, Checked, DeckScan
from .stages.stamp import guard, read_lock_or_empty
from .stages.write import deck_infos, write_build

if TYPE_CHECKING:
    from .release.rehearsal import Rehearsal

__all__ = ["Checked", "MemoryLayer", "PLACEHOLDER_NOTETYPE", "RenderOptions", "build", "check",
           "check_all", "check_share", "deck_infos", "rehearse_update", "release",
           "released_decks",
           "source_counts"]


def check(config: Config, render: RenderOptions | None = None) -> Checked:
    """Parse, validate and render everything; collect every problem; write nothing."""
    with DeckScan(config, render or RenderOptions()) as scan:
        notes = tuple(note for batch in scan.notes() for note in batch)
        problems, media = scan.finish()
        notetype = scan.notetype or PLACEHOLDER_NOTETYPE
    return Checked(notetype, notes, media, tuple(problems), scan.others)


def source_counts(config: Config) -> tuple[int, int]:
    """(card files, cards) of the project as parsed, for `check`'s summary."""
    files, _ = load_sources(config) if config.cards_dir.is_dir() else ([], [])
    return len(files), sum(len(source.cards) for source in files)


def check_all(config: Config, render: RenderOptions | None = None) -> list[Problem]:
    """Every problem `build` would stop at, and every warning, without writing anything."""
    checked = check(config, render)
    lock, lock_problems = read_lock_or_empty(config)
    problems = list(checked.problems) + lock_problems
    if not any(p.is_error for p in problems):
        stamper = Stamper(lock, checked.notetype, 0, checked.others)
        for note in checked.notes:
            stamper.mod_for(note)
        problems += stamper.warnings
        try:
            guard(config, lock, stamper, allow_schema_change=False)
        except DeckError as exc:
            problems += exc.problems
    return sorted(set(problems))


def build(config: Config, now: int, strict: bool = False,
          allow_schema_change: bool = False, render: RenderOptions | None = None,
          allow_identity_change: bool = False,
          package: WriterFactory = PackageWriter) -> BuildReport:
    """Check everything, stamp mod times from the lock, write the package, then the lock.

    With the render cache on, a build whose inputs are exactly those of the build that
    wrote the package in dist/ (and whose package is untouched) stops early: it would
    write the same bytes. `package` makes the writer of the package (see WriterFactory).
    """
    render = render or RenderOptions()
    if not render.cache:
        return write_build(config, now, strict, allow_schema_change, render,
                           allow_identity_change=allow_identity_change, package=package,
                           previous=previous_notes(config)).report
    started = time.perf_counter()
    options = f"strict={strict} schema={allow_schema_change} identity={allow_identity_change}"
    sources = sources_digest(config, options,
                             render.memory.files if render.memory is not None else None)
    # A writer that patches its own packages takes one it patched for up to date.
    warnings = recorded_warnings(config, input_digest(sources, config),
                                 patched_ok=getattr(package, "patches", False))
    if warnings is not None:
        return BuildReport(path=str(config.package_path), notes=0, cards=0, media=0,
                           seconds=time.perf_counter() - started, warnings=tuple(warnings),
                           written=False, up_to_date=True)
    report = write_build(config, now, strict, allow_schema_change, render,
                         allow_identity_change=allow_identity_change, package=package,
                         previous=previous_notes(config)).report
    if report.written:
        # The lock may have changed: the inputs of the next build are the ones now on disk.
        record(config, input_digest(sources, config), list(report.warnings), report.canonical)
    return report


def release(config: Config, now: int, strict: bool = False, allow_schema_change: bool = False,
            render: RenderOptions | None = None,
            allow_identity_change: bool = False, rehearse: bool = True,
            allow_conflicts: bool = False) -> BuildReport:
    """Build the current version, rehearse its update with Anki's engine, record it in the
    lock as released, and write its share kit.

    A share error in the settings stops the release before anything is written; so does a
    rehearsal that finds conflicting notes (unless `allow_conflicts`), leaving dist/ as it was.
    """
    from .release.share import Shared, previous_release, write_kit  # only releases need these
    from .release.sharecheck import settings_problems

    before, _ = read_lock_or_empty(config)
    previous = previous_release(before, config.version, config.notetype.id)
    share_errors = [p for p in settings_problems(config, previous) if p.is_error]
    if share_errors:
        raise DeckError(share_errors)
    target = config.package_path
    old_bytes = target.read_bytes() if target.exists() else None
    with previous_package(config, before) as (previous_path, how):
        built = write_build(config, now, strict, allow_schema_change, render,
                            allow_identity_change=allow_identity_change, write_the_lock=False,
                            previous=lambda: removed_from(config, previous_path, how))
        old_decks = previous_decks(config, before, previous_path)
        try:
            grown = any(line.startswith(GROWN) for line in built.report.advice)
            rehearsal, skipped = rehearse_release(config, before, previous_path, how,
                                                  rehearse, allow_conflicts, grown)
        except DeckError:
            restore_package(target, old_bytes)
            raise
    released = with_release(built.lock, config.version, built.package_time, built.card_ids,
                            built.notetype, built.decks, built.type_hashes, built.retired,
                            built.ids)
    # The kit is written before the lock: an error in it (a share check of the package, a
    # screenshot of untypeset math) leaves the version unreleased and the lock as it was.
    # Killed in between, the lock is the old one beside whole new files, as after a build.
    kit = write_kit(config, Shared(released, built.notetype, built.card_ids, previous,
                                   config.package_path, rehearsal=rehearsal,
                                   retired=built.retired, retire=config.retire,
                                   old_decks=old_decks), strict)
    write_lock(config.lock_path, released)
    return replace(built.report, warnings=built.report.warnings + skipped + kit.warnings,
                   kit=kit.path)


def rehearse_update(config: Config | None, old: Path | None = None,
                    new: Path | None = None) -> Rehearsal:
    """`diff --rehearse`: the rehearsal of OLD -> NEW, or (with `config`) of the last
    release -> the current sources, built in a scratch folder (the lock is left alone)."""
    from .release.diff import RETIRED_TAG
    from .release.rehearsal import INSTALL_HINT, available, rehearse

    if not available():
        raise DeckError(f"the rehearsal needs Anki's engine: {INSTALL_HINT}")
    if config is None:
        assert old is not None and new is not None
        return rehearse(old, new, retired_tag=RETIRED_TAG)
    lock = read_lock(config.lock_path, display_path(config.lock_path, config.root))
    with previous_package(config, lock) as (previous_path, how), \
            tempfile.TemporaryDirectory(prefix="deckbuild-rehearse-") as tmp:
        if previous_path is None:
            raise DeckError(Problem(display_path(config.lock_path, config.root), 0,
                                    f"nothing to rehearse against: {how}"))
        scratch = replace(config, dist_dir=Path(tmp), lock_path=Path(tmp) / "deck.lock.json")
        if config.lock_path.exists():
            shutil.copyfile(config.lock_path, scratch.lock_path)
        path = previous_path
        write_build(scratch, int(time.time()), strict=False, allow_schema_change=True,
                    render=RenderOptions(cache=False), allow_identity_change=True,
                    previous=lambda: removed_from(config, path, how))
        last = next(r.version for r in reversed(lock.releases) if r.version != config.version)
        return rehearse(previous_path, scratch.package_path, last,
                        f"{config.version} (sources)", config.retire.tag)


def check_share(config: Config) -> list[Problem]:
    """check_all(), then the share checks on a package built in a scratch folder."""
    from .release.screenshots import missing_requirements
    from .release.share import Shared, previous_release, screenshots_skipped, share_problems
    from .release.sharecheck import read_package_facts, settings_problems

    problems = check_all(config)
    lock = read_lock(config.lock_path, display_path(config.lock_path, config.root))
    previous = previous_release(lock, config.version, config.notetype.id)
    problems += settings_problems(config, previous)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = replace(config, dist_dir=Path(tmp), lock_path=Path(tmp) / "deck.lock.json")
        if config.lock_path.exists():
            shutil.copyfile(config.lock_path, scratch.lock_path)
        try:  # a schema change is already reported; the package is checked as if accepted
            built = write_build(scratch, 0, strict=False, allow_schema_change=True,
                                previous=previous_notes(scratch))
        except DeckError:
            built = None  # check_all() reported why there is no package
        if built is not None:
            shared = Shared(built.lock, built.notetype, built.card_ids, previous,
                            scratch.package_path)
            problems += share_problems(config, shared, read_package_facts(
                scratch.package_path, display_path(config.package_path, config.root)))
    missing = missing_requirements(config)
    if missing:
        problems.append(screenshots_skipped(config, missing))
    return sorted(set(problems))
