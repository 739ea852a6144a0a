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
    """The layout that reads the most of the document as cards, with its split and score."""
    best: tuple[Layout, Split, float] | None = None
    for layout in LAYOUTS:
        split = layout.split(doc)
        score = coverage(doc, split) * split.weight
        # Equal reach: the layout that finds more cards in it reads the file more finely.
        # A tool's own markup beats any reading guessed from prose.
        if best is None or (split.marked and bool(split.cards), score, len(split.cards)) \
                > (best[1].marked and bool(best[1].cards), best[2], len(best[1].cards)):
            best = (layout, split, score)
    assert best is not None
    return best
