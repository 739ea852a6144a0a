"""build(config) -> report: parse -> check -> render -> package. Sequences the stages."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .bundles import load_deck
from .config import Config
from .diff import changelog_html
from .errors import DeckError, Problem, display_path
from .freshness import input_digest, record, recorded_warnings
from .ids import subdeck_id_for
from .lock import Lock, Release, Stamped, note_hash, notetype_hash, read_lock, stamp, with_release, write_lock
from .package import write_package
from .parallel import RenderOptions
from .records import BuildReport, DeckInfo, MediaFile, NoteType, PackageSpec, RenderedNote
from .sources import check_ids, load_media
from .validate import duplicate_questions


@dataclass(frozen=True)
class Checked:
    """The result of every check, before anything is written."""

    notetype: NoteType
    notes: tuple[RenderedNote, ...]
    media: tuple[MediaFile, ...]
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check(config: Config, render: RenderOptions | None = None) -> Checked:
    """Parse, validate and render everything; collect every problem; write nothing."""
    problems: list[Problem] = list(config.warnings)
    media, found = load_media(config)
    problems += found
    notetype, files, notes, found = load_deck(config, media, render or RenderOptions())
    problems += found + check_ids(files) + duplicate_questions(files)
    used = {name for note in notes for name in note.media}
    problems += [Problem(m.source, 0, "media file is not used by any card", "warning")
                 for m in media if m.name not in used]
    if notetype is None:
        notetype = NoteType(0, "", (), (), "")
    return Checked(notetype, tuple(notes), tuple(m for m in media if m.name in used),
                   tuple(sorted(set(problems))))


def deck_infos(config: Config, notes: tuple[RenderedNote, ...],
               changelog: str = "") -> tuple[DeckInfo, ...]:
    """The root deck (fixed id, carries the description) and one subdeck per section."""
    description = "\n".join(x for x in (config.description, f"<p>Version {config.version}</p>",
                                         changelog) if x)
    root = DeckInfo(config.deck_id, config.name, description)
    subdecks = sorted({note.deck for note in notes})
    return (root, *(DeckInfo(subdeck_id_for(config.deck_id, name), name, "")
                    for name in subdecks))


def build(config: Config, now: int, strict: bool = False,
          allow_schema_change: bool = False, render: RenderOptions | None = None) -> BuildReport:
    """Check everything, stamp mod times from the lock, write the package, then the lock.

    With the render cache on, a build whose inputs are exactly those of the build that
    wrote the package in dist/ (and whose package is untouched) stops early: it would
    write the same bytes.
    """
    render = render or RenderOptions()
    if not render.cache:
        return _build(config, now, strict, allow_schema_change, render)[0]
    started = time.perf_counter()
    digest = input_digest(config, f"strict={strict} schema={allow_schema_change}")
    warnings = recorded_warnings(config, digest)
    if warnings is not None:
        return BuildReport(path=str(config.package_path), notes=0, cards=0, media=0,
                           seconds=time.perf_counter() - started, warnings=tuple(warnings),
                           written=False, up_to_date=True)
    report = _build(config, now, strict, allow_schema_change, render)[0]
    if report.written:
        record(config, input_digest(config, f"strict={strict} schema={allow_schema_change}"),
               list(report.warnings))
    return report


def _build(config: Config, now: int, strict: bool, allow_schema_change: bool,
           render: RenderOptions | None = None) -> tuple[BuildReport, Checked, Lock, int]:
    started = time.perf_counter()
    checked = check(config, render)
    errors = checked.problems if strict else checked.errors
    if errors:
        raise DeckError(list(errors))
    stamped, released, advice = stamp_from_lock(config, checked, now, allow_schema_change)
    target = config.package_path
    written = not (released is not None and target.exists())
    package_time = max((*stamped.mods, stamped.notetype_mod))
    if written:
        spec = PackageSpec(
            notetype=checked.notetype,
            notetype_mod=stamped.notetype_mod,
            decks=deck_infos(config, checked.notes, changelog_html(
                stamped.lock, checked.notes, checked.notetype, config.version)),
            notes=checked.notes,
            mods=stamped.mods,
            media=checked.media,
            timestamp=package_time,
        )
        write_package(spec, target)
        if stamped.lock_changed or not config.lock_path.exists():
            write_lock(config.lock_path, stamped.lock)
    report = BuildReport(
        path=str(target),
        notes=len(checked.notes),
        cards=len(checked.notes) * len(checked.notetype.templates),
        media=len(checked.media),
        seconds=time.perf_counter() - started,
        warnings=tuple(str(w) for w in checked.warnings),
        changed=len(stamped.changed),
        written=written,
        advice=advice,
    )
    return report, checked, stamped.lock, package_time


def stamp_from_lock(config: Config, checked: Checked, now: int, allow_schema_change: bool,
                    ) -> tuple[Stamped, Release | None, tuple[str, ...]]:
    """Mod times from the lock, after the release and schema guards (which raise)."""
    lock_shown = display_path(config.lock_path, config.root)
    lock = read_lock(config.lock_path, lock_shown)
    released = lock.release(config.version)
    if released is not None:
        guard_released(released, checked, config)
    stamped = stamp(lock, checked.notes, checked.notetype, now)
    advice: tuple[str, ...] = ()
    if stamped.schema_change is not None:
        if not allow_schema_change:
            raise DeckError(schema_problem(stamped.schema_change, lock_shown))
        advice = migration_advice(stamped.schema_change, config.notetype.name)
    return stamped, released, advice


def check_all(config: Config, render: RenderOptions | None = None) -> list[Problem]:
    """Every problem `build` would stop at, and every warning, without writing anything."""
    checked = check(config, render)
    problems = list(checked.problems)
    if not checked.errors:
        try:
            stamp_from_lock(config, checked, 0, allow_schema_change=False)
        except DeckError as exc:
            problems += exc.problems
    return sorted(set(problems))


def release(config: Config, now: int, strict: bool = False,
            allow_schema_change: bool = False) -> BuildReport:
    """Build the current version and record it in the lock as released."""
    report, checked, lock, package_time = _build(config, now, strict, allow_schema_change)
    decks = tuple(d.name for d in deck_infos(config, checked.notes))
    write_lock(config.lock_path, with_release(lock, config.version, package_time, checked.notes,
                                              checked.notetype, decks))
    return report


def guard_released(released: Release, checked: Checked, config: Config) -> None:
    """A released version's content is frozen: any change needs a new version."""
    current = {n.card_id: note_hash(n) for n in checked.notes}
    if current != released.notes or notetype_hash(checked.notetype) != released.notetype_hash:
        changed = sorted(k for k in current.keys() | released.notes.keys()
                         if current.get(k) != released.notes.get(k))
        detail = f" ({len(changed)} notes differ, e.g. {changed[0]!r})" if changed else \
            " (the note type differs)"
        raise DeckError(Problem("pyproject.toml", 0,
                                f"version {config.version} is already released and the content "
                                f"changed{detail}; bump [tool.deckbuild] version"))


def schema_problem(change: dict[str, object], lock_shown: str) -> Problem:
    old, new = change["old"], change["new"]
    return Problem(lock_shown, 0,
                   f"the note type's schema changed ({describe_schema_change(old, new)}). Users "
                   "who import this get a copy of the note type named '<name>+', and every "
                   "existing note stops receiving updates. Revert the change, or rebuild with "
                   "--allow-schema-change to accept it and record the new schema")


def describe_schema_change(old: object, new: object) -> str:
    assert isinstance(old, dict) and isinstance(new, dict)
    parts = [f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
             for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]
    return "; ".join(parts)


def migration_advice(change: dict[str, object], name: str) -> tuple[str, ...]:
    return (
        f"The note type's schema changed: {describe_schema_change(change['old'], change['new'])}.",
        "For the release notes: import this version with 'Merge note types' ticked and "
        "'Update notes' set to 'Always' (Anki 23.10 or later). Anki then converts the existing "
        "notes to the new note type and updates them, keeping review history, but it "
        "overwrites users' own edits to these notes and needs a one-way full sync. With the "
        f"default options Anki adds a copy '{name}+' and existing notes get no updates.",
    )
