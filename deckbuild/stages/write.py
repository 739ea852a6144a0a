"""Write: stamped notes -> the package and the lock, staged and put in place together."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..package.writer import WORKER_MIN_NOTES, PackageWriter, WriterFactory
from ..project.atomic import Staged
from ..project.config import Config
from ..records import BuildReport, DeckInfo, NoteType, PackageSpec
from ..release.contract import STOCK_KIND, PackageIds, with_ids
from ..release.diff import changelog_html
from ..release.lock import Lock, lock_text, write_lock_text
from ..release.stamper import Stamper
from ..source.ids import subdeck_id_for
from ..speed.parallel import RenderOptions
from .previous import PreviousNotes, tombstone_notes
from .scan import PLACEHOLDER_NOTETYPE, DeckScan
from .stamp import checked_lock, read_lock_or_empty, writable


def deck_infos(config: Config, decks: set[str] | tuple[str, ...],
               changelog: str = "") -> tuple[DeckInfo, ...]:
    """The root deck (fixed id, carries the description) and one subdeck per section."""
    description = "\n".join(x for x in (config.description, f"<p>Version {config.version}</p>",
                                         changelog) if x)
    root = DeckInfo(config.deck_id, config.name, description)
    return (root, *(DeckInfo(subdeck_id_for(config.deck_id, name), name, "")
                    for name in sorted(set(decks) - {config.name})))


@dataclass(frozen=True)
class Built:
    """What one build wrote, and what a release records of it."""

    report: BuildReport
    lock: Lock
    notetype: NoteType
    card_ids: tuple[str, ...]
    decks: tuple[str, ...]
    package_time: int
    type_hashes: dict[str, str] = field(default_factory=dict)  # other note types used
    retired: tuple[str, ...] = ()  # the card ids of the tombstones it wrote
    ids: bool = False  # its note types carry field and template ids


def write_build(config: Config, now: int, strict: bool, allow_schema_change: bool,
                render: RenderOptions | None = None,
                allow_identity_change: bool = False, write_the_lock: bool = True,
                package: WriterFactory = PackageWriter,
                previous: PreviousNotes | None = None) -> Built:
    """Scan, stamp and write in one pass: notes stream file by file into the package; the
    package and the lock are put in place together, or (on any error) neither is."""
    started = time.perf_counter()
    render = render or RenderOptions()
    memo = render.memory.lock if render.memory is not None else None
    lock, lock_problems = read_lock_or_empty(config, memo)
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
        stamper = Stamper(lock, notetype, now, scan.others, memo)
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
        retired, retired_problems = tombstone_notes(config, lock, set(stamper.current),
                                                    previous)
        retired = writable(retired, written_ids)
        retired_mods = [stamper.mod_for_tombstone(note, config.version) for note in retired]
        if scan.notetype is not None and retired:
            writer.add(retired, retired_mods)
        decks.update(note.deck for note in retired)
        newest = max(newest, *retired_mods, 0)
        problems = sorted(set(problems + lock_problems + stamper.warnings + retired_problems))
        stamped, released, advice = checked_lock(config, lock, stamper, problems, strict,
                                                 allow_schema_change, scan.notetype is not None,
                                                 allow_identity_change)
        target = config.package_path
        written = not (released is not None and target.exists())
        package_time = max(newest, stamped.notetype_mod, *stamped.type_mods.values())
        card_ids = tuple(stamped.current)
        final_lock = stamped.lock
        # Field and template ids from the first version built with them; never in a version
        # released without them (its package stays byte for byte the same).
        ids: PackageIds = ()
        ids_changed = False
        if released is None or released.ids:
            final_lock, ids, ids_changed = with_ids(final_lock, [
                ("basic", notetype), *((name, scan.others[name]) for name in stamped.type_mods)],
                {**STOCK_KIND, **{spec.key: spec.stock for spec in config.own_types}})
        # A release writes the lock itself, with its record, once its share kit is written.
        new_lock = write_the_lock and (stamped.lock_changed or ids_changed
                                       or not config.lock_path.exists())
        text = ""
        if written:
            changelog = changelog_html(stamped.lock, card_ids, notetype, config.version)
            # The lock's text is made while the package is zipped.
            text = writer.finish(PackageSpec(notetype, stamped.notetype_mod,
                                             deck_infos(config, decks, changelog), media,
                                             package_time, tuple(sorted(stamped.type_mods.items())),
                                             ids),
                                 target,
                                 meanwhile=lambda: lock_text(final_lock, memo) if new_lock else "",
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
    return Built(report, final_lock, notetype, card_ids, tuple(sorted(decks)), package_time,
                 stamped.type_hashes, stamped.retired, bool(ids))
