"""(a) The native layout: `## Question` headings with `<!-- id: ... -->` comments under them.

Read with the build's own parser, so tags, source, extra, note types and existing ids are
kept. A file may hold several `# Section`s (the native format has one per file): each is
read on its own.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import Problem
from ..source.parse import parse_source
from .layout import Layout, default_section
from .records import Document, Found, Line, Placed, Split
from .text import OBSIDIAN_ID

_META = re.compile(r"^\s*<!--\s*(?:id|tags|source|type)\s*:", re.IGNORECASE)
# What the parser says of a part with no section or no cards: such lines are left out.
_PART_PROBLEMS = ("no section", "no cards")


def split(doc: Document) -> Split:
    """Cards exactly as `build` reads them; only a file with card comments is native."""
    if not _has_card_comments(doc):
        return Split(())
    cards: list[Placed] = []
    problems: list[Problem] = []
    for first, last in _parts(doc):
        placed, found = _read_part(doc, first, last)
        cards += placed
        problems += found
    return Split(tuple(cards), "the native format", tuple(problems))


def _parts(doc: Document) -> list[tuple[int, int]]:
    """Line ranges that each hold one section: split before every `# ` heading but the first."""
    starts = [h.number for h in doc.headings
              if h.level == 1 and doc.line(h.number).text.lstrip().startswith("#")][1:]
    bounds = [1, *starts, len(doc.lines) + 1]
    return [(a, b - 1) for a, b in zip(bounds, bounds[1:], strict=False) if a <= b - 1]


def _read_part(doc: Document, first: int, last: int) -> tuple[list[Placed], list[Problem]]:
    offset = first - 1
    text = "\n".join(line.text for line in doc.span(first, last))
    source, problems = parse_source(text, doc.path)
    section = source.section or default_section(doc)
    starts = [card.line + offset for card in source.cards] + [last + 1]
    section_lines = _section_lines(doc, first, starts[0], source.section)
    placed = []
    for card, next_start in zip(source.cards, starts[1:], strict=True):
        answer = tuple(Line(0, text) for text in card.answer.split("\n"))
        found = Found(card.question, card.line + offset, (card.line + offset, next_start - 1),
                      answer, id=card.id, tags=tuple(dict.fromkeys(source.tags + card.tags)),
                      source=card.source, extra=card.extra, native=True,
                      notetype="" if card.notetype == "basic" else card.notetype,
                      front=tuple(Line(0, text) for text in card.front.split("\n"))
                      if card.front else ())
        placed.append(Placed(found, section, section_lines))
    errors = [replace(p, line=p.line + offset) for p in problems
              if p.is_error and not p.message.startswith(_PART_PROBLEMS)]
    return placed, errors


def _has_card_comments(doc: Document) -> bool:
    for heading in doc.headings:
        if heading.level != 2:
            continue
        below = next((line for line in doc.lines[heading.number:] if not line.blank), None)
        if below is not None and not below.code and _META.match(below.text) \
                and not OBSIDIAN_ID.match(below.text):
            return True
    return False


def _section_lines(doc: Document, first: int, first_card: int, section: str) -> frozenset[int]:
    """Front matter and the `# Section` heading: what gave the part its section and tags."""
    used: set[int] = set()
    if first == 1 and doc.lines and doc.lines[0].text.strip() == "---":
        end = next((line.number for line in doc.lines[1:] if line.text.strip() == "---"), 0)
        used.update(range(1, end + 1))
    for heading in doc.headings:
        if heading.level == 1 and first <= heading.number < first_card and heading.text == section:
            used.add(heading.number)
            break
    return frozenset(used)


LAYOUT = Layout("native", "deckbuild's own format (`## Question` and `<!-- id: -->`)", split)
