"""(c) Numbered headings (`## Question 3`) whose question is the first bold line below."""

from __future__ import annotations

import re

from .layout import Layout, coverage, place, region_end
from .records import Document, Found, Heading, Line, Split
from .text import clean_question, looks_like_question

_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<q>.+?)\1\s*(?P<rest>.*)$")


def split(doc: Document) -> Split:
    """Cards from `## Question N` headings followed by a bold question."""
    numbers = [h for h in doc.headings if _number_only(h.text)]
    levels = sorted({h.level for h in numbers}, reverse=True)
    splits = [_at_level(doc, numbers, level) for level in levels]
    return max(splits, key=lambda s: (coverage(doc, s), len(s.cards)), default=Split(()))


def _at_level(doc: Document, numbers: list[Heading], level: int) -> Split:
    stops = [h.number for h in doc.headings if h.level <= level]
    cards = []
    for heading in numbers:
        if heading.level != level:
            continue
        found = _card(doc, heading.number, region_end(doc, heading.number, stops))
        if found:
            cards.append(found)
    above = [h for h in doc.headings if h.level < level]
    return place(doc, cards, above,
                 f"questions are the bold lines under numbered level-{level} headings")


def _alone(doc: Document, line: Line) -> bool:
    """The line is a paragraph by itself."""
    return line.number == len(doc.lines) or doc.line(line.number + 1).blank


def _number_only(text: str) -> bool:
    question = clean_question(text)
    return question.numbered and not question.text


def _unheaded(text: str) -> str:
    """A line without the `### ` that makes it a heading."""
    return re.sub(r"^\s{0,3}#{1,6}[ \t]+", "", text)


def _card(doc: Document, start: int, end: int) -> Found | None:
    body = doc.span(start + 1, end)
    first = next((line for line in body if not line.blank), None)
    if first is None or first.code:
        return None
    bold = _BOLD_LINE.match(first.text)
    if bold:
        question, rest = bold.group("q"), bold.group("rest")
    elif _alone(doc, first) and looks_like_question(clean_question(_unheaded(first.text))):
        question, rest = _unheaded(first.text), ""  # a question line (or heading) of its own
    else:
        return None
    answer = doc.span(first.number + 1, end)
    if rest.strip():
        answer = (Line(first.number, rest),) + answer
    return Found(clean_question(question).text, first.number, (start, end), answer)


LAYOUT = Layout("numbered", "numbered headings (`## Question 3`) with the question in bold below",
                split)
