"""(i) Obsidian_to_Anki's cards: its blocks (`START`, the note type, the front, `Back:`, the
back, `END`; `START_CARD`/`END_CARD` too), or its inline style: a question paragraph whose
last line ends in a tag (`#flashcard`, `#fc`, `#card`), the answer below it up to the next
question. The `<!--ID: 123-->` line the plugin writes once the card is in Anki is listed as
left out.

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
    """Cards from tagged question paragraphs, or from START ... END blocks."""
    blocks = _blocks(doc)
    if blocks:
        return place(doc, blocks, doc.headings, "cards are Obsidian_to_Anki's START ... END blocks")
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


def _blocks(doc: Document) -> list[Found]:
    """`START` (or `START_CARD`), the note type's name, the front, `Back:` and the back, `END`.
    The markers and the note type's line are left out (and listed)."""
    cards: list[Found] = []
    opened: int | None = None
    for line in doc.lines:
        if line.code:
            continue
        if _START.match(line.text):
            opened = line.number
        elif _END.match(line.text) and opened is not None:
            found = _block(doc, opened, line.number)
            if found:
                cards.append(found)
            opened = None
    return cards


def _block(doc: Document, start: int, end: int) -> Found | None:
    body = list(doc.span(start + 1, end - 1))
    filled = [line for line in body if not line.blank]
    if len(filled) < 2:
        return None
    kind, rest = filled[0], [line for line in body if line.number > filled[0].number]
    back = next((i for i, line in enumerate(rest) if not line.code and _BACK.match(line.text)),
                None)
    if back is None:
        return None
    first = _question_line(rest[:back])
    if first is None:
        return None
    label = rest[back]
    after = _BACK.sub("", label.text, count=1)
    answer = ((Line(label.number, after),) if after.strip() else ()) + tuple(rest[back + 1:])
    return Found(first.text.strip(), first.number, (kind.number + 1, end - 1), answer,
                 front=tuple(line for line in rest[:back] if line.number != first.number))


# A line that cannot stand alone as a question (it opens math, code, a list, a table, an
# image): the question is then the front's first line of prose, the rest stays in order.
_NOT_PROSE = re.compile(r"^\s*(?:\$\$|\\\[|`{3,}|~{3,}|[-*+] |\d+[.)] |\||!\[|<|>)")


def _question_line(lines: list[Line]) -> Line | None:
    filled: list[Line] = []
    prose: list[Line] = []
    in_math = False
    for line in lines:
        if line.blank or line.code:
            continue
        filled.append(line)
        if not in_math and not _NOT_PROSE.match(line.text):
            prose.append(line)
        in_math ^= line.text.count("$$") % 2 == 1  # inside display math: no question
    found = prose or filled
    return found[0] if found else None


_START = re.compile(r"^\s*START(?:_CARD)?\s*$")
_END = re.compile(r"^\s*END(?:_CARD)?\s*$")
_BACK = re.compile(r"^\s*Back:[ \t]*")


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
