"""build(config) -> report: parse -> check -> render -> package. Sequences the stages."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from .config import Config
from .errors import DeckError, Problem
from .ids import guid_for, subdeck_id_for
from .notetype import load_notetype
from .package import write_package
from .records import BuildReport, DeckInfo, MediaFile, NoteType, PackageSpec, RenderedNote
from .render import MediaIndex, Renderer
from .sources import check_ids, load_media, load_sources


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


def section_tag(section: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def check(config: Config) -> Checked:
    """Parse, validate and render everything; collect every problem; write nothing."""
    problems: list[Problem] = list(config.warnings)
    files, found = load_sources(config)
    problems += found + check_ids(files)
    media, found = load_media(config)
    problems += found
    notetype: NoteType | None = None
    try:
        notetype = load_notetype(config)
    except DeckError as exc:
        problems += exc.problems
    index = MediaIndex(config.root, config.media_dir,
                       {m.data_path: m.name for m in media})
    renderer = Renderer(index)
    notes = []
    for source in files:
        deck = f"{config.name}::{source.section}"
        for card in source.cards:
            tags = tuple(sorted({*source.tags, *card.tags, section_tag(source.section)}))
            note, found = renderer.render(card, guid_for(config.guid_namespace, card.id or ""),
                                          deck, tags, config.notetype.fields)
            notes.append(note)
            problems += found
    used = {name for note in notes for name in note.media}
    problems += [Problem(m.source, 0, "media file is not used by any card", "warning")
                 for m in media if m.name not in used]
    if notetype is None:
        notetype = NoteType(0, "", (), (), "")
    return Checked(notetype, tuple(notes), tuple(m for m in media if m.name in used),
                   tuple(sorted(set(problems))))


def deck_infos(config: Config, notes: tuple[RenderedNote, ...]) -> tuple[DeckInfo, ...]:
    """The root deck (fixed id, carries the description) and one subdeck per section."""
    description = f"{config.description}\n\nVersion {config.version}".strip()
    root = DeckInfo(config.deck_id, config.name, description)
    subdecks = sorted({note.deck for note in notes})
    return (root, *(DeckInfo(subdeck_id_for(config.deck_id, name), name, "")
                    for name in subdecks))


def build(config: Config, now: int, strict: bool = False) -> BuildReport:
    """Check everything, then write dist/<slug>-<version>.apkg atomically."""
    started = time.perf_counter()
    checked = check(config)
    errors = checked.problems if strict else checked.errors
    if errors:
        raise DeckError(list(errors))
    mods = tuple(now for _ in checked.notes)
    spec = PackageSpec(
        notetype=checked.notetype,
        notetype_mod=now,
        decks=deck_infos(config, checked.notes),
        notes=checked.notes,
        mods=mods,
        media=checked.media,
        timestamp=now,
    )
    write_package(spec, config.package_path)
    return BuildReport(
        path=str(config.package_path),
        notes=len(checked.notes),
        cards=len(checked.notes) * len(checked.notetype.templates),
        media=len(checked.media),
        seconds=time.perf_counter() - started,
        warnings=tuple(str(w) for w in checked.warnings),
        changed=len(checked.notes),
    )
