"""Scan: card files -> rendered notes, file by file, and every problem of the deck."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import Problem
from ..notetypes import BUILTIN
from ..package.writer import CollectionFormat
from ..project.atomic import Staged
from ..project.config import Config
from ..project.sources import check_ids, load_media, no_cards
from ..records import CardRef, MediaFile, NoteType, RenderedNote
from ..source.fieldmap import empty_first_fields
from ..source.validate import duplicate_questions
from ..speed.bundles import DeckReader
from ..speed.parallel import RenderOptions

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
