"""(f) Bold question paragraphs: `**What is X?**` alone on its line, the answer below it."""

from __future__ import annotations

import re

from .layout import Layout, place, region_end
from .records import Document, Found, Line, Split
from .text import clean_question, looks_like_question, strip_label

# The whole line in bold, maybe with a short mark after it (a difficulty emoji, say).
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<q>[^*_\s].*?)\1[ \t]*(?P<mark>[^\w\s*_]{0,4})[ \t]*$")


def split(doc: Document) -> Split:
    """Cards from bold question lines; an answer runs to the next one or the next heading."""
    questions = [line for line in doc.lines if _is_question(doc, line)]
    if not questions:
        return Split(())
    stops = sorted({line.number for line in questions} | {h.number for h in doc.headings})
    cards = []
    for line in questions:
        match = _BOLD_LINE.match(line.text)
        assert match is not None
        end = region_end(doc, line.number, stops)
        cards.append(Found(clean_question(match.group("q")).text, line.number,
                           (line.number, end), doc.span(line.number + 1, end)))
    # `## Question 3` headings above bold questions are the `numbered` layout's, not sections.
    sections = [h for h in doc.headings if clean_question(h.text).text]
    return place(doc, cards, sections, "questions are bold lines of their own")


def _is_question(doc: Document, line: Line) -> bool:
    if line.code or strip_label(line.text) != line.text:
        return False
    match = _BOLD_LINE.match(line.text)
    if not match or not looks_like_question(clean_question(match.group("q"))):
        return False
    # A paragraph of its own: a bold first line of a longer paragraph is emphasis.
    before = doc.line(line.number - 1) if line.number > 1 else None
    return before is None or before.blank or before.code or before.text.lstrip().startswith("#")


LAYOUT = Layout("bold", "bold question lines (`**What is X?**`) with the answer below", split)
