"""(a) The native layout: `## Question` headings with `<!-- id: ... -->` comments under them.

Read with the build's own parser, so tags, source, extra and existing ids are kept.
"""

from __future__ import annotations

import re

from ..parse import parse_source
from .layout import Layout, default_section
from .records import Document, Found, Line, Placed, Split

_META = re.compile(r"^\s*<!--\s*(?:id|tags|source)\s*:", re.IGNORECASE)


def split(doc: Document) -> Split:
    """Cards exactly as `build` reads them; only a file with card comments is native."""
    if not _has_card_comments(doc):
        return Split(())
    source, problems = parse_source("\n".join(line.text for line in doc.lines), doc.path)
    section = source.section or default_section(doc)
    starts = [card.line for card in source.cards] + [len(doc.lines) + 1]
    section_lines = _section_lines(doc, starts[0], source.section)
    cards = []
    for card, next_start in zip(source.cards, starts[1:], strict=True):
        answer = tuple(Line(0, text) for text in card.answer.split("\n"))
        found = Found(card.question, card.line, (card.line, next_start - 1), answer, id=card.id,
                      tags=tuple(dict.fromkeys(source.tags + card.tags)), source=card.source,
                      extra=card.extra, native=True)
        cards.append(Placed(found, section, section_lines))
    errors = tuple(p for p in problems if p.is_error and not p.message.startswith("no section"))
    return Split(tuple(cards), "the native format", errors)


def _has_card_comments(doc: Document) -> bool:
    for heading in doc.headings:
        if heading.level != 2:
            continue
        below = next((line for line in doc.lines[heading.number:] if not line.blank), None)
        if below is not None and not below.code and _META.match(below.text):
            return True
    return False


def _section_lines(doc: Document, first_card: int, section: str) -> frozenset[int]:
    """Front matter and the `# Section` heading: what gave the file its section and tags."""
    used: set[int] = set()
    if doc.lines and doc.lines[0].text.strip() == "---":
        end = next((line.number for line in doc.lines[1:] if line.text.strip() == "---"), 0)
        used.update(range(1, end + 1))
    for heading in doc.headings:
        if heading.level == 1 and heading.number < first_card and heading.text == section:
            used.add(heading.number)
            break
    return frozenset(used)


LAYOUT = Layout("native", "deckbuild's own format (`## Question` and `<!-- id: -->`)", split)
