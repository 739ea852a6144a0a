"""`watch`: build once, then rebuild after every burst of saves, in one resident process.

The loop is a caller of the ordinary build (pipeline.build), not a second pipeline.
Between rebuilds it keeps the render cache's entries in memory (memcache.py), so that a
one-card edit re-renders one card; the notes of the last package, to say which cards
changed and to feed the live preview (livepreview.py); and the package seam: the
object that turns the stamped notes into the package (package.WriterFactory: the
command passes a livepackage.LivePackage, which patches the package it wrote before;
PackageWriter, which writes each from scratch, by default). Every rebuild holds the
project's build lock, as `build` does, so the two wait for each other.
"""

from __future__ import annotations

import re
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ..errors import DeckError
from ..package.writer import NotesWriter, PackageWriter, PassingWriter, WriterFactory
from ..pipeline import MemoryLayer, RenderOptions, build, check
from ..project.config import CACHE_DIR, Config
from ..records import Card, MediaFile, NoteType, PackageSpec, RenderedNote

DEBOUNCE_MS = 1600  # the longest a burst of saves is gathered into one rebuild
STEP_MS = 50  # this long without a new event ends a burst
TICK_MS = 100  # the watcher's first report comes after this long (then the first build)
SHOWN = 3  # card ids named in a rebuild's line; more are counted

# Files editors write beside the one being edited (swap, backup, lock and scratch files),
# and the temporary files of deckbuild's own atomic writes.
EDITOR_FILES = re.compile(
    r"""(\.sw[a-p]|\.swx|~|\.tmp|\.bak|\.kate-swp|___jb_(tmp|old)___)$  # suffixes
      | ^(\.\#|\#.*\#$)                                               # emacs
      | ^(4913|\.DS_Store)$                                           # vim's probe, macOS
    """, re.X)


@dataclass(frozen=True)
class WatchSet:
    """What a save must touch to start a rebuild: the configured folders and pyproject.toml."""

    files: tuple[Path, ...]
    folders: tuple[Path, ...]
    ignored: tuple[Path, ...]  # inside a watched folder, yet never a source (dist/, the cache)

    @classmethod
    def of(cls, root: Path, config: Config | None) -> WatchSet:
        """The sources of `config` (the default folders while the settings cannot be read)."""
        if config is None:
            folders = [root / "cards", root / "media", root / "templates"]
            ignored = [root / "dist"]
        else:
            folders = [config.cards_dir, config.media_dir]
            # Without templates/ of its own the deck uses the built-in ones: nothing to watch.
            if config.templates_dir.resolve().is_relative_to(root):
                folders.append(config.templates_dir)
            ignored = [config.dist_dir]
        return cls((root / "pyproject.toml",), tuple(p.resolve() for p in folders),
                   tuple(p.resolve() for p in [*ignored, root / CACHE_DIR]))

    def paths(self) -> list[str]:
        """The paths to give the watcher: those that exist (it refuses the others)."""
        return [str(p) for p in (*self.files, *self.folders) if p.exists()]

    def absent(self) -> tuple[Path, ...]:
        """The configured folders that do not exist (yet): no watcher can watch them."""
        return tuple(p for p in self.folders if not p.exists())

    def __call__(self, _change: object, path: str) -> bool:
        """Whether a change at `path` is a change of the deck's sources."""
        changed = Path(path)
        if changed in self.files:
            return True
        if any(changed.is_relative_to(p) for p in self.ignored):
            return False
        return any(changed.is_relative_to(p) for p in self.folders) \
            and not EDITOR_FILES.search(changed.name)


@dataclass(frozen=True)
class Changes:
    """Cards whose note changed, was added or was removed since the last package."""

    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def first(self) -> str:
        """The card to show first: the first changed or added one in deck order."""
        return (self.changed + self.added)[0] if self.changed or self.added else ""

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def note_key(note: RenderedNote) -> tuple[object, ...]:
    """What a reader of the package sees of a note (not where in its file it sits)."""
    return (note.guid, note.fields, note.tags, note.deck, note.media, note.notetype)


def changes_between(before: Mapping[str, object], after: Sequence[tuple[str, object]]) -> Changes:
    """The cards that differ between two {card id: note key} states; `after` in deck order."""
    now = dict(after)
    return Changes(
        changed=tuple(i for i, key in after if i in before and before[i] != key),
        added=tuple(i for i, _ in after if i not in before),
        removed=tuple(sorted(i for i in before if i not in now)))


def shorten(ids: Sequence[str], limit: int = SHOWN) -> str:
    """'a, b, c and 4 more': the first `limit` ids, then a count."""
    if len(ids) <= limit:
        return ", ".join(ids)
    return f"{', '.join(ids[:limit])} and {len(ids) - limit} more"


@dataclass(frozen=True)
class Written:
    """What the last package holds, as the preview shows it."""

    config: Config
    notetype: NoteType
    others: dict[str, NoteType]
    notes: tuple[RenderedNote, ...]
    media: tuple[MediaFile, ...]


@dataclass(frozen=True)
class Outcome:
    """One rebuild: how long it took, what changed, and the problems that stopped it."""

    seconds: float
    package: str  # the package's path, whether written now or kept from before
    errors: tuple[str, ...] = ()  # 'file:line: message'; none when the rebuild succeeded
    warnings: tuple[str, ...] = ()
    changes: Changes = field(default_factory=Changes)
    notes: int = 0
    first: bool = False  # the build that starts the watch
    written: bool = True  # False: the package in dist/ already held these sources
    kept: bool = True  # after an error: a package from before is in dist/
    trace: str = ""  # after an internal error (a bug): its traceback, for DECKBUILD_DEBUG

    @property
    def ok(self) -> bool:
        return not self.errors


def summary(outcome: Outcome, shown: str) -> str:
    """The one line a rebuild prints; `shown` is the package's path as the user reads it."""
    took = f"in {outcome.seconds:.2f} s"
    if not outcome.ok:
        count = f"{len(outcome.errors)} error{'s' if len(outcome.errors) != 1 else ''}"
        return f"Failed {took}: {count}; " + (f"kept {shown}" if outcome.kept
                                                else "no package written yet")
    if outcome.first:
        what = f"{outcome.notes} notes"
    else:
        changes = outcome.changes
        parts = [f"{verb} {shorten(ids)}" for verb, ids in
                 (("changed", changes.changed), ("added", changes.added),
                  ("removed", changes.removed)) if ids]
        what = "; ".join(parts) or "no card changed"
    if not outcome.written:
        return f"Checked {took}: {what}; {shown} is up to date"
    return f"{'Built' if outcome.first else 'Rebuilt'} {took}: {what} -> {shown}"


class Recording:
    """The package seam, with a record kept of the notes that went into the package."""

    def __init__(self, package: WriterFactory) -> None:
        self.package = package
        self.patches = getattr(package, "patches", False)  # see pipeline.build
        self.pending: tuple[NoteType, dict[str, NoteType], list[RenderedNote],
                            tuple[MediaFile, ...]] | None = None

    def __call__(self, notetype: NoteType, fmt: object, root_deck_id: int,
                 **options: object) -> _RecordingWriter:
        writer = self.package(notetype, fmt, root_deck_id, **options)
        given = cast("dict[str, tuple[NoteType, object]]", options.get("others") or {})
        others = {name: pair[0] for name, pair in given.items()}
        return _RecordingWriter(self, writer, others)


class _RecordingWriter(PassingWriter):
    """A package writer that passes everything on and, once the package is made, records it."""

    def __init__(self, recording: Recording, writer: NotesWriter,
                 others: dict[str, NoteType]) -> None:
        super().__init__(writer)
        self._recording, self._others = recording, others
        self._notes: list[RenderedNote] = []

    def add(self, notes: Sequence[RenderedNote], mods: Sequence[int]) -> None:
        self._notes += notes
        super().add(notes, mods)

    def finish(self, spec: PackageSpec, target: Path, *args: Any, **kwargs: Any) -> Any:
        result = super().finish(spec, target, *args, **kwargs)
        self._recording.pending = (spec.notetype, self._others, self._notes, spec.media)
        return result


Locked = Callable[[Config], AbstractContextManager[object]]


def internal_error(exc: Exception) -> str:
    """The error line of a rebuild that an unexpected exception ended."""
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return ("internal error: a render worker stopped before it finished (killed?); "
                "the next save builds again")
    return (f"internal error: {type(exc).__name__}: {exc} (a bug in deckbuild: please "
            "report it; set DECKBUILD_DEBUG=1 for the traceback)")


class Rebuilder:
    """Builds the project again and again in this process, keeping what a rebuild reuses."""

    def __init__(self, root: Path, load: Callable[[], Config], now: Callable[[], int],
                 locked: Locked, package: WriterFactory = PackageWriter) -> None:
        self.root = root.resolve()
        self._load, self._now, self._locked = load, now, locked
        self._recording = Recording(package)
        self.memory = MemoryLayer()
        self.config: Config | None = None
        self.written: Written | None = None  # the last package's notes
        self.rendered = 0  # cards the last rebuild rendered (the others came from memory)
        # The last package's notes by card id, each with its note_key (see _keys).
        self._keys: dict[str, tuple[RenderedNote, tuple[object, ...]]] = {}

    def _count(self, cards: Sequence[Card]) -> None:
        self.rendered += len(cards)

    def rebuild(self) -> Outcome:
        """One build of the current sources; errors are returned, never raised."""
        started = time.perf_counter()
        first, self.rendered = self.written is None, 0
        before = {i: key for i, (_, key) in self._keys.items()}
        render = RenderOptions(memory=self.memory, on_render=self._count)
        package = str(self.config.package_path) if self.config else ""
        trace = ""
        try:
            config = self.config = self._load()
            package = str(config.package_path)
            with self._locked(config):
                self._recording.pending = None
                report = build(config, self._now(), render=render, package=self._recording)
                self.written = self._written(config, render)
        except DeckError as exc:
            errors = tuple(str(p) for p in exc.problems if p.is_error) \
                or tuple(str(p) for p in exc.problems)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            errors = (f"{where}{exc.strerror or exc}",)
        except Exception as exc:  # noqa: BLE001 - a bug, or a killed worker, must not end watch
            errors, trace = (internal_error(exc),), traceback.format_exc()
        else:
            errors = ()
        if errors:
            return Outcome(time.perf_counter() - started, package, errors=errors,
                           kept=bool(package) and Path(package).is_file(),
                           trace=trace)
        assert self.written is not None  # set by the build that just succeeded
        self._keys = self._keys_of(self.written.notes)
        after = [(i, key) for i, (_, key) in self._keys.items()]
        return Outcome(time.perf_counter() - started, package, warnings=report.warnings,
                       changes=changes_between(before, after), notes=len(after), first=first,
                       written=report.written and not report.up_to_date)

    def _keys_of(self, notes: Sequence[RenderedNote]) -> dict[str, tuple[RenderedNote,
                                                                        tuple[object, ...]]]:
        """Each note's note_key by card id, in deck order; a note that is the very object of
        the last package (an unchanged file's, kept in memory) keeps the key it had."""
        held, keys = self._keys, {}
        for note in notes:
            kept = held.get(note.card_id)
            keys[note.card_id] = kept if kept is not None and kept[0] is note \
                else (note, note_key(note))
        return keys

    def _written(self, config: Config, render: RenderOptions) -> Written:
        """What the package now in dist/ holds: recorded as it was written, or, when the
        build left it as it was, checked afresh (from memory: nothing is rendered)."""
        if self._recording.pending is not None:
            notetype, others, notes, media = self._recording.pending
            return Written(config, notetype, others, tuple(notes), media)
        checked = check(config, render)
        if checked.errors:  # the sources changed since the check inside build
            raise DeckError(checked.errors)
        return Written(config, checked.notetype, checked.others, checked.notes, checked.media)


def run(rebuilder: Rebuilder, report: Callable[[Outcome], None],
        stop: threading.Event | None = None, debounce: int = DEBOUNCE_MS,
        step: int = STEP_MS) -> None:
    """Build, then rebuild after each burst of saves to the sources, until `stop` is set.

    The watcher starts before the first build, so that a save made during it is seen.
    Ctrl-C and SIGTERM end it with KeyboardInterrupt, raised between two rebuilds or
    inside one (which then leaves dist/ as it was, as an interrupted build does).
    """
    from watchfiles import Change, watch  # only `watch` loads it

    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) \
        if threading.current_thread() is threading.main_thread() else None
    phase = "start"  # then "watching"; "restarted" while a new watcher catches up
    errors: tuple[str, ...] = ()  # those of the last rebuild
    try:
        while stop is None or not stop.is_set():
            watched = WatchSet.of(rebuilder.root, rebuilder.config)
            absent = watched.absent()
            for changes in watch(*watched.paths() or [str(rebuilder.root)], watch_filter=watched,
                                 debounce=debounce, step=step, stop_event=stop,
                                 rust_timeout=TICK_MS, yield_on_timeout=True):
                if any(folder.exists() for folder in absent):
                    # A configured folder was made: a new watcher watches it, and its first
                    # tick rebuilds for what was saved in it meanwhile.
                    phase = "start" if phase == "start" else "restarted"
                    break
                if phase == "watching" and not changes:
                    continue  # a tick: the watcher is running; nothing was saved
                outcome = rebuilder.rebuild()
                # A new watcher's first tick rebuilds for the saves made while no watcher
                # ran; it says nothing when there were none.
                if phase != "restarted" or changes or outcome.changes or outcome.written \
                        or outcome.errors != errors:
                    report(outcome)
                errors = outcome.errors
                phase = "watching"
                # A file watched by itself (pyproject.toml) is lost when an editor replaces
                # it, and the settings may name other folders: then a new watcher starts.
                # A folder made inside a watched one is watched from when the watcher sees
                # it: what was saved in it before then is caught by a new watcher's tick.
                if any(Path(path) in watched.files for _, path in changes) or \
                        any(change == Change.added and Path(path).is_dir()
                            for change, path in changes) or \
                        WatchSet.of(rebuilder.root, rebuilder.config).paths() != watched.paths():
                    phase = "restarted"
                    break
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
