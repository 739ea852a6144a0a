"""(c) Numbered headings (`## Question 3`) whose question is the first bold line below."""

from __future__ import annotations

import re
from collections import Counter

from .layout import Layout, place, region_end
from .records import Document, Found, Line, Split
from .text import clean_question

_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<q>.+?)\1\s*(?P<rest>.*)$")


def split(doc: Document) -> Split:
    """Cards from `## Question N` headings followed by a bold question."""
    numbers = [h for h in doc.headings if _number_only(h.text)]
    if not numbers:
        return Split(())
    counts = Counter(h.level for h in numbers)
    level = max(counts, key=lambda lv: (counts[lv], lv))
    stops = [h.number for h in doc.headings if h.level <= level]
    cards = []
    for heading in numbers:
        if heading.level != level:
            continue
        end = region_end(doc, heading.number, stops)
        found = _card(doc, heading.number, end)
        if found:
            cards.append(found)
    above = [h for h in doc.headings if h.level < level]
    return place(doc, cards, above,
                 f"questions are the bold lines under numbered level-{level} headings")


def _number_only(text: str) -> bool:
    question = clean_question(text)
    return question.numbered and not question.text


def _card(doc: Document, start: int, end: int) -> Found | None:
    body = doc.span(start + 1, end)
    first = next((line for line in body if not line.blank), None)
    if first is None or first.code:
        return None
    bold = _BOLD_LINE.match(first.text)
    if bold:
        question, rest = bold.group("q"), bold.group("rest")
    elif first.text.rstrip().endswith("?"):
        question, rest = first.text, ""
    else:
        return None
    answer = doc.span(first.number + 1, end)
    if rest.strip():
        answer = (Line(first.number, rest),) + answer
    return Found(clean_question(question).text, first.number, (start, end), answer)


LAYOUT = Layout("numbered", "numbered headings (`## Question 3`) with the question in bold below",
                split)
