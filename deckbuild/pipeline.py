"""build(config) -> report: parse -> check -> render -> stamp -> package.

check() holds every note (for `check`, `preview` and `diff`); build() streams them
file by file into the package, keeping only what the lock and the checks need.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import DeckError, Problem, display_path
from .notetypes import BUILTIN
from .package.writer import WORKER_MIN_NOTES, CollectionFormat, PackageWriter, WriterFactory
from .project.atomic import Staged
from .project.config import Config
from .project.identity import example_ids_problem, identity_of, identity_problems
from .project.sources import check_ids, load_media, no_cards
from .records import (
    BuildReport,
    CardRef,
    DeckInfo,
    MediaFile,
    NoteType,
    PackageSpec,
    RenderedNote,
)
from .release.diff import changelog_html
from .release.guards import guard_released, migration_advice, schema_problem, type_change_problems
from .release.lock import (
    Lock,
    Release,
    Stamped,
    Stamper,
    lock_text,
    notetype_hash,
    read_lock,
    with_release,
    write_lock,
    write_lock_text,
)
from .source.fieldmap import empty_first_fields
from .source.ids import subdeck_id_for
from .source.validate import duplicate_questions
from .speed.bundles import DeckReader
from .speed.freshness import input_digest, record, recorded_warnings, sources_digest
from .speed.memcache import MemoryLayer
from .speed.parallel import RenderOptions

# The pipeline is the one door into speed/: callers pass these, never import speed/ itself.
__all__ = ["Checked", "MemoryLayer", "RenderOptions", "build", "check", "check_all", "check_share",
           "deck_infos", "release"]

PLACEHOLDER_NOTETYPE = NoteType(0, "", ("Question",), (), "")


@dataclass(frozen=True)
class Checked:
    """The result of every check, before anything is written."""

    notetype: NoteType
    notes: tuple[RenderedNote, ...]
    media: tuple[MediaFile, ...]
    problems: tuple[Problem, ...]
    others: dict[str, NoteType] = field(default_factory=dict)  # the other built-in types

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


class DeckScan:
    """One pass over the deck: notes come out file by file; problems are gathered."""

    def __init__(self, config: Config, render: RenderOptions,
                 outputs: Staged | None = None) -> None:
        self._config = config
        self.problems: list[Problem] = list(config.problems)
        self._media, found = load_media(config)
        self.problems += found
        self._reader = DeckReader(config, self._media, render, outputs)
        self._cards: list[CardRef] = []
        self._used: set[str] = set()
        self._files = 0

    def __enter__(self) -> DeckScan:
        self._reader.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._reader.__exit__(*exc)

    @property
    def notetype(self) -> NoteType | None:
        return self._reader.notetype

    @property
    def others(self) -> dict[str, NoteType]:
        """The built-in note types other than basic, by name."""
        return self._reader.others

    def other_formats(self) -> dict[str, tuple[NoteType, CollectionFormat]]:
        return {name: (nt, self._reader.collection_format(nt)) for name, nt in self.others.items()}

    def collection_format(self, notetype: NoteType) -> CollectionFormat:
        return self._reader.collection_format(notetype)

    def notes(self) -> Iterator[list[RenderedNote]]:
        """Each card file's notes, in order."""
        for result in self._reader.files():
            self._files += 1
            self.problems += result.problems
            # A card with an error at its heading (an empty question) needs no second one.
            flagged = {(p.path, p.line) for p in result.problems if p.is_error}
            unflagged = [n for n in result.notes if (n.path, n.line) not in flagged]
            self.problems += empty_first_fields(
                [n for n in unflagged if n.notetype == "basic"],
                self._config.notetype.fields, self._config.notetype.parts)
            for name, builtin in BUILTIN.items():
                if name != "basic":
                    self.problems += empty_first_fields(
                        [n for n in unflagged if n.notetype == name], builtin.fields,
                        builtin.parts)
            self._cards += result.cards
            self._used.update(name for note in result.notes for name in note.media)
            yield result.notes

    def finish(self) -> tuple[list[Problem], tuple[MediaFile, ...]]:
        """Every problem, sorted, and the media files the cards use."""
        problems = self.problems + self._reader.problems
        if not self._files and not problems:
            problems.append(no_cards(self._config))
        problems += check_ids(self._cards, self._config.command) + duplicate_questions(self._cards)
        problems += [Problem(m.source, 0, "media file is not used by any card", "warning")
                     for m in self._media if m.name not in self._used]
        return sorted(set(problems)), tuple(m for m in self._media if m.name in self._used)


def check(config: Config, render: RenderOptions | None = None) -> Checked:
    """Parse, validate and render everything; collect every problem; write nothing."""
    with DeckScan(config, render or RenderOptions()) as scan:
        notes = tuple(note for batch in scan.notes() for note in batch)
        problems, media = scan.finish()
        notetype = scan.notetype or PLACEHOLDER_NOTETYPE
    return Checked(notetype, notes, media, tuple(problems), scan.others)


def deck_infos(config: Config, decks: set[str] | tuple[str, ...],
               changelog: str = "") -> tuple[DeckInfo, ...]:
    """The root deck (fixed id, carries the description) and one subdeck per section."""
    description = "\n".join(x for x in (config.description, f"<p>Version {config.version}</p>",
                                         changelog) if x)
    root = DeckInfo(config.deck_id, config.name, description)
    return (root, *(DeckInfo(subdeck_id_for(config.deck_id, name), name, "")
                    for name in sorted(set(decks) - {config.name})))


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
        return _build(config, now, strict, allow_schema_change, render,
                      allow_identity_change=allow_identity_change, package=package).report
    started = time.perf_counter()
    options = f"strict={strict} schema={allow_schema_change} identity={allow_identity_change}"
    sources = sources_digest(config, options)
    # A writer that patches its own packages takes one it patched for up to date.
    warnings = recorded_warnings(config, input_digest(sources, config),
                                 patched_ok=getattr(package, "patches", False))
    if warnings is not None:
        return BuildReport(path=str(config.package_path), notes=0, cards=0, media=0,
                           seconds=time.perf_counter() - started, warnings=tuple(warnings),
                           written=False, up_to_date=True)
    report = _build(config, now, strict, allow_schema_change, render,
                    allow_identity_change=allow_identity_change, package=package).report
    if report.written:
        # The lock may have changed: the inputs of the next build are the ones now on disk.
        record(config, input_digest(sources, config), list(report.warnings), report.canonical)
    return report


@dataclass(frozen=True)
class _Built:
    report: BuildReport
    lock: Lock
    notetype: NoteType
    card_ids: tuple[str, ...]
    decks: tuple[str, ...]
    package_time: int
    type_hashes: dict[str, str] = field(default_factory=dict)  # other note types used


def _build(config: Config, now: int, strict: bool, allow_schema_change: bool,
           render: RenderOptions | None = None,
           allow_identity_change: bool = False, write_the_lock: bool = True,
           package: WriterFactory = PackageWriter) -> _Built:
    started = time.perf_counter()
    lock, lock_problems = _read_lock(config)
    render = render or RenderOptions()
    # A big deck's rows go to a worker process, unless one process was asked for (-j 1).
    in_worker = len(lock.notes) >= WORKER_MIN_NOTES and render.jobs != 1
    # Exits in reverse order: the package is zipped, then the package and the lock file
    # are renamed into place together, inside the cache's transaction (or, on an error,
    # none of the three changes).
    with Staged() as outputs, DeckScan(config, render, outputs) as scan, \
            package(scan.notetype or PLACEHOLDER_NOTETYPE,
                          scan.collection_format(scan.notetype or PLACEHOLDER_NOTETYPE),
                          config.deck_id, in_worker=in_worker,
                          root_deck_name=config.name, others=scan.other_formats()) as writer:
        notetype = scan.notetype or PLACEHOLDER_NOTETYPE
        stamper = Stamper(lock, notetype, now, scan.others)
        decks: set[str] = set()
        newest = 0
        written_ids: set[str] = set()
        for batch in scan.notes():
            batch = writable(batch, written_ids)
            batch_mods = [stamper.mod_for(note) for note in batch]
            if scan.notetype is not None:
                writer.add(batch, batch_mods)
            decks.update(note.deck for note in batch)
            newest = max(newest, max(batch_mods, default=0))
        problems, media = scan.finish()
        problems = sorted(set(problems + lock_problems + stamper.warnings))
        stamped, released, advice = _checked(config, lock, stamper, problems, strict,
                                             allow_schema_change, scan.notetype is not None,
                                             allow_identity_change)
        target = config.package_path
        written = not (released is not None and target.exists())
        package_time = max(newest, stamped.notetype_mod, *stamped.type_mods.values())
        card_ids = tuple(stamped.current)
        final_lock = stamped.lock
        # A release writes the lock itself, with its record, once its share kit is written.
        new_lock = write_the_lock and (stamped.lock_changed or not config.lock_path.exists())
        text = ""
        if written:
            changelog = changelog_html(stamped.lock, card_ids, notetype, config.version)
            # The lock's text is made while the package is zipped.
            text = writer.finish(PackageSpec(notetype, stamped.notetype_mod,
                                             deck_infos(config, decks, changelog), media,
                                             package_time, tuple(sorted(stamped.type_mods.items()))),
                                 target,
                                 meanwhile=lambda: lock_text(final_lock) if new_lock else "",
                                 outputs=outputs)
        if text:
            write_lock_text(config.lock_path, text, outputs)
    report = BuildReport(
        path=str(target),
        notes=len(card_ids),
        cards=writer.cards,
        media=len(media),
        seconds=time.perf_counter() - started,
        warnings=tuple(str(p) for p in problems if not p.is_error),
        changed=len(stamped.changed),
        written=written,
        advice=advice,
        canonical=writer.canonical,
    )
    return _Built(report, final_lock, notetype, card_ids, tuple(sorted(decks)), package_time,
                  stamped.type_hashes)


def _checked(config: Config, lock: Lock, stamper: Stamper, problems: list[Problem],
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
    if not allow_schema_change:
        problems += type_change_problems(stamped.type_changes)
        problems += [schema_problem(change, lock_shown)
                     for _, change in sorted(stamped.other_schema_changes.items())]
    if stamped.schema_change is not None:
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


def _read_lock(config: Config) -> tuple[Lock, list[Problem]]:
    """The lock, or an empty one and why it cannot be read (reported with the rest)."""
    try:
        return read_lock(config.lock_path, display_path(config.lock_path, config.root)), []
    except DeckError as exc:
        return Lock(), list(exc.problems)


def check_all(config: Config, render: RenderOptions | None = None) -> list[Problem]:
    """Every problem `build` would stop at, and every warning, without writing anything."""
    checked = check(config, render)
    lock, lock_problems = _read_lock(config)
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


def release(config: Config, now: int, strict: bool = False, allow_schema_change: bool = False,
            render: RenderOptions | None = None,
            allow_identity_change: bool = False) -> BuildReport:
    """Build the current version, record it in the lock as released, and write its share kit.

    A share error in the settings stops the release before anything is written.
    """
    from .release.share import Shared, previous_release, write_kit  # only releases need these
    from .release.sharecheck import settings_problems

    before, _ = _read_lock(config)
    previous = previous_release(before, config.version, config.notetype.id)
    share_errors = [p for p in settings_problems(config, previous) if p.is_error]
    if share_errors:
        raise DeckError(share_errors)
    built = _build(config, now, strict, allow_schema_change, render,
                   allow_identity_change=allow_identity_change, write_the_lock=False)
    released = with_release(built.lock, config.version, built.package_time, built.card_ids,
                            built.notetype, built.decks, built.type_hashes)
    # The kit is written before the lock: an error in it (a share check of the package, a
    # screenshot of untypeset math) leaves the version unreleased and the lock as it was.
    # Killed in between, the lock is the old one beside whole new files, as after a build.
    kit = write_kit(config, Shared(released, built.notetype, built.card_ids, previous,
                                   config.package_path), strict)
    write_lock(config.lock_path, released)
    return replace(built.report, warnings=built.report.warnings + kit.warnings, kit=kit.path)

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
            built = _build(scratch, 0, strict=False, allow_schema_change=True)
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
