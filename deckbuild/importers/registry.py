"""The layouts `import` knows, in order of preference when two read a file equally well."""

from __future__ import annotations

from . import (
    bold,
    choices,
    details,
    frontback,
    headings,
    inka,
    lists,
    native,
    numbered,
    obsidian,
    qa,
    separated,
    table,
)
from .layout import Layout, coverage
from .records import Document, Split
from .text import Question, looks_like_question

LAYOUTS: tuple[Layout, ...] = (
    native.LAYOUT,
    numbered.LAYOUT,
    headings.LAYOUT,
    details.LAYOUT,
    lists.LAYOUT,
    bold.LAYOUT,
    qa.LAYOUT,
    table.LAYOUT,
    obsidian.LAYOUT,
    separated.LAYOUT,
    inka.LAYOUT,
    choices.LAYOUT,
    frontback.LAYOUT,
)


def layout_named(name: str) -> Layout:
    """The registered layout of this name (KeyError if none)."""
    for layout in LAYOUTS:
        if layout.name == name:
            return layout
    raise KeyError(name)


def recognise(doc: Document) -> tuple[Layout, Split, float]:
    """The layout that reads the most of the document as cards, with its split and score.

    A reading guessed from the text's shape (headings, bold lines) with a card that does not
    ask and holds several questions that markup names as such (two `<details>` Q&A blocks
    under the heading `Concept check` of lecture notes) reads sections: the marked questions
    win, though they read less of the file."""
    read: list[tuple[Layout, Split, float]] = []
    best: tuple[Layout, Split, float] | None = None
    for layout in LAYOUTS:
        split = layout.split(doc)
        score = coverage(doc, split) * split.weight
        read.append((layout, split, score))
        # Equal reach: the layout that finds more cards in it reads the file more finely.
        # A tool's own markup beats any reading guessed from prose.
        if best is None or (split.marked and bool(split.cards), score, len(split.cards)) \
                > (best[1].marked and bool(best[1].cards), best[2], len(best[1].cards)):
            best = (layout, split, score)
    assert best is not None
    if best[0].explicit or best[1].marked:
        return best
    finer = [r for r in read if r[0].explicit and _sections(best[1], r[1])]
    return max(finer, key=lambda r: (r[2], len(r[1].cards)), default=best)


def _sections(outer: Split, inner: Split) -> bool:
    """Whether a card of `outer` that does not ask (its numbering aside) holds two or more
    cards of `inner` within its lines: then `outer` reads that section as a question."""
    starts = [placed.card.line for placed in inner.cards]
    for placed in outer.cards:
        first, last = placed.card.region
        if sum(1 for line in starts if first < line <= last) >= 2 and \
                not looks_like_question(Question(placed.card.question, numbered=False)):
            return True
    return False
