"""(j) Cards between separator lines, front and back split by a line holding only `?` or `%`
(markdown-flashcards and similar): `____`, the front, `?`, the back, `____`.

Only blocks that hold such a line are cards; the others (a legend, an introduction) are
listed as left out. The first line of the front is the question, the rest of it stays on
the front.
"""

from __future__ import annotations

from .layout import Layout, place
from .records import Document, Found, Split
from .text import FRONT_BACK, RULE


def split(doc: Document) -> Split:
    """A card per block between separators that a lone `?` or `%` line splits."""
    breaks = [line.number for line in doc.lines if not line.code and RULE.match(line.text)]
    headings = {h.number for h in doc.headings} | {h.underline for h in doc.headings}
    bounds = [0, *breaks, len(doc.lines) + 1]
    cards = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        block = list(doc.span(start + 1, stop - 1))
        # A heading ends the block before it: what follows it is another part of the file.
        cut = next((i for i, line in enumerate(block) if line.number in headings), len(block))
        block = block[:cut]
        middle = next((i for i, line in enumerate(block)
                       if not line.code and FRONT_BACK.match(line.text)), None)
        filled = [line for line in block[:middle or 0] if not line.blank]
        if middle is None or not filled:
            continue
        first = filled[0]
        front = tuple(line for line in block[:middle] if line.number > first.number)
        cards.append(Found(first.text.strip(), first.number, (first.number, block[-1].number),
                           tuple(block[middle:]), front=front))
    if not cards:
        return Split(())
    return place(doc, cards, doc.headings,
                 "cards are blocks between separators, front and back split by '?'")


LAYOUT = Layout("separated", "blocks between `---` separators with a lone `?` between front "
                "and back", split)
