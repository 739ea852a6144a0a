"""(d) A numbered list of bold questions, each answer indented under its item."""

from __future__ import annotations

import re

from .layout import Layout, place
from .records import Document, Found, Line, Split
from .text import clean_question

_ITEM = re.compile(r"^ {0,3}\d+[.)][ \t]+(\*\*|__)(?P<q>.+?)\1[ \t]*(?P<rest>.*)$")


def split(doc: Document) -> Split:
    """Cards from `1. **Question?**` items; an answer ends at a line back at the margin."""
    items = [line for line in doc.lines if not line.code and _question(line)]
    if not items:
        return Split(())
    stops = sorted({line.number for line in items} | {h.number for h in doc.headings})
    cards = []
    for item in items:
        match = _ITEM.match(item.text)
        assert match is not None
        end = _answer_end(doc, item.number, stops)
        answer = doc.span(item.number + 1, end)
        if match.group("rest").strip():
            answer = (Line(item.number, "   " + match.group("rest")),) + answer
        cards.append(Found(clean_question(match.group("q")).text, item.number,
                           (item.number, end), answer))
    return place(doc, cards, doc.headings, "questions are bold items of a numbered list")


def _question(line: Line) -> bool:
    match = _ITEM.match(line.text)
    if not match:
        return False
    # `1. **Term** explained ...` is a list of terms; a question then ends in '?'.
    return not match.group("rest").strip() or match.group("q").rstrip().endswith(("?", ":"))


def _answer_end(doc: Document, start: int, stops: list[int]) -> int:
    """Indented answers end at the first line back at the margin; unindented ones at a stop."""
    stop = min((n for n in stops if n > start), default=len(doc.lines) + 1)
    body = doc.span(start + 1, stop - 1)
    first = next((line for line in body if not line.blank), None)
    if first is None or not first.text[:1].isspace():
        return stop - 1
    end = start
    for line in body:
        if not line.blank and not line.code and not line.text[:1].isspace():
            break
        end = line.number
    return end


LAYOUT = Layout("list", "a numbered list of bold questions with indented answers", split)
