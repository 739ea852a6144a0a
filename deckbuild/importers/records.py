"""Frozen records of an import: the scanned document, the cards found, what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem


@dataclass(frozen=True)
class Line:
    """One source line; `code` is true for fence lines and everything between them."""

    number: int
    text: str
    code: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Heading:
    """An ATX heading outside code: `### Text` is level 3."""

    number: int
    level: int
    text: str
    underline: int = 0  # the `===` line under a setext heading


@dataclass(frozen=True)
class Document:
    """A Markdown file as lines, with its headings, ready for the layouts to read."""

    path: str  # as shown to the user
    stem: str  # the file name without its extension
    lines: tuple[Line, ...]
    headings: tuple[Heading, ...]

    def line(self, number: int) -> Line:
        return self.lines[number - 1]

    def span(self, first: int, last: int) -> tuple[Line, ...]:
        """Lines first..last (1-based, inclusive)."""
        return self.lines[first - 1:last]

    @property
    def filled(self) -> frozenset[int]:
        """Numbers of the non-blank lines: each must land in a card or be left out."""
        return frozenset(line.number for line in self.lines if not line.blank)


@dataclass(frozen=True)
class LeftOut:
    """A non-blank source line that is in no card, and why."""

    line: int
    text: str
    reason: str = "not in any card"


@dataclass(frozen=True)
class Found:
    """A card as a layout found it: its question, answer lines and the source lines it holds."""

    question: str
    line: int  # the question's line
    region: tuple[int, int]  # first and last source line the card holds
    answer: tuple[Line, ...]  # the answer's source lines, not yet cleaned
    id: str | None = None
    tags: tuple[str, ...] = ()
    source: str = ""
    extra: str = ""
    native: bool = False  # the answer is already clean native Markdown
    notetype: str = ""  # a note type other than basic, as the native format gave it
    front: tuple[Line, ...] = ()  # the rest of the front: what stands between question and answer


@dataclass(frozen=True)
class Placed:
    """A found card in its section; `section_lines` gave the section its name."""

    card: Found
    section: str
    section_lines: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Split:
    """What a layout made of a document: its cards in their sections, in document order."""

    cards: tuple[Placed, ...]
    detail: str = ""  # how the layout read this document, for the report
    problems: tuple[Problem, ...] = ()
    # How sure the layout is that what it found are questions (1: sure): its reach is weighed
    # by this when layouts compete for a file.
    weight: float = 1.0
    # Lines the layout reads as its tool's markup (deck names, tag lines), listed with why.
    left: tuple[LeftOut, ...] = ()
    # The cards are marked by a tool's own syntax (inka's `Deck:` sections), not guessed from
    # prose: such a split wins over any guess, and what it leaves out is that tool's notes.
    marked: bool = False
    # Labels the file repeats before its questions or answers, taken off the cards (labels.py).
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportedCard:
    """A finished card: cleaned question and answer, its id and its section."""

    id: str
    question: str
    answer: str
    section: str
    line: int
    tags: tuple[str, ...] = ()
    source: str = ""
    extra: str = ""
    notetype: str = ""  # a note type other than basic
    front: str = ""  # the rest of the front (code, options), written above `<!-- answer -->`


@dataclass(frozen=True)
class Output:
    """One native cards file to write."""

    name: str  # file name inside the cards folder
    section: str
    text: str
    cards: int


@dataclass(frozen=True)
class ImportedFile:
    """The import of one source file: layout, cards, left-out lines, files to write."""

    path: str
    layout: str
    detail: str
    cards: tuple[ImportedCard, ...]
    left_out: tuple[LeftOut, ...]
    outputs: tuple[Output, ...]
    problems: tuple[Problem, ...] = field(default=())
    warnings: tuple[Problem, ...] = field(default=())  # what `check` will say of the cards
    labels: tuple[str, ...] = ()  # repeated labels taken off questions and answers

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(card.section for card in self.cards))
