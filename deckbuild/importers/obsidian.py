"""(i) Obsidian_to_Anki's inline style: a question paragraph whose last line ends in a tag
(`#flashcard`, `#fc`, `#card`), the answer below it up to the next question; the
`<!--ID: 123-->` line the plugin writes once the card is in Anki is listed as left out.

The plugin's heading style (`## Question`, answer, `<!--ID: n-->`) is read by `headings`;
its id lines and `TARGET DECK` line are left out, and reported, there as here.
"""

from __future__ import annotations

import re

from .layout import Layout, place
from .records import Document, Found, Line, Split
from .text import OBSIDIAN_ID

_TAGGED = re.compile(r"^(?P<q>.*?)\s*#(?:flashcards?|fc|card|anki)\s*$", re.IGNORECASE)


def split(doc: Document) -> Split:
    """Cards from tagged question paragraphs."""
    tagged = [line for line in doc.lines if not line.code and _TAGGED.match(line.text)]
    if not tagged:
        return Split(())
    starts = [_paragraph_start(doc, line.number) for line in tagged]
    stops = sorted(set(starts) | {h.number for h in doc.headings})
    cards = []
    for start, tag in zip(starts, tagged, strict=True):
        # The id line the plugin writes after an answer is listed, not a boundary: text
        # written below it before the next question is still this card's answer.
        end = min((n for n in stops if n > tag.number), default=len(doc.lines) + 1) - 1
        question = [line.text for line in doc.span(start, tag.number)]
        question[-1] = _TAGGED.match(question[-1]).group("q")  # type: ignore[union-attr]
        first = next((text for text in question if text.strip()), "")
        if not first.strip():  # the tag alone on its line: the question is the line above
            continue
        rest = tuple(Line(start + index, text) for index, text in enumerate(question)
                     if index > question.index(first))
        answer = doc.span(tag.number + 1, end)
        cards.append(Found(first.strip(), start, (start, end), answer, front=rest))
    return place(doc, cards, doc.headings, "questions are paragraphs tagged #flashcard")


def _paragraph_start(doc: Document, number: int) -> int:
    """The first line of the paragraph that ends on this line."""
    start = number
    while start > 1 and not doc.line(start - 1).blank and not doc.line(start - 1).code \
            and not OBSIDIAN_ID.match(doc.line(start - 1).text) \
            and not doc.line(start - 1).text.lstrip().startswith("#"):
        start -= 1
    return start


LAYOUT = Layout("obsidian", "Obsidian_to_Anki's inline cards (a question ending in #flashcard)",
                split)
