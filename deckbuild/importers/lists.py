"""(d) A list of bold questions, each answer indented under its item.

Numbered (`1. **What is X?**`) or not (`* **What is X?**`, as FAQ pages write them); also
`1. ### What is X?`, a list whose items are headings, as some long READMEs number them. A
bullet list of bold lines may be terms as well as questions: it weighs as much as its items
look like questions.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .labels import repeated_label
from .layout import Layout, place
from .records import Document, Found, Line, Split
from .text import clean_question, indent_of, looks_like_question, outdent

_ITEM = re.compile(r"^ {0,3}(?:\d+[.)]|[-*+])[ \t]+(\*\*|__)(?P<q>.+?)\1[ \t]*(?P<rest>.*)$")
_BULLET = re.compile(r"^ {0,3}[-*+][ \t]")
_HEADING_ITEM = re.compile(r"^ {0,3}\d+[.)][ \t]+#{1,6}[ \t]+(?P<q>.+?)(?:[ \t]+#+)?[ \t]*$")


def split(doc: Document) -> Split:
    """Cards from `1. **Question?**` items; an answer ends at a line back at the margin."""
    items = [(line, q) for line in doc.lines if not line.code for q in [_question(line)] if q]
    if not items:
        return Split(())
    stops = sorted({line.number for line, _ in items} | {h.number for h in doc.headings})
    cards = []
    questions = {line.number for line, _ in items}
    for item, (question, rest) in items:
        end = _answer_end(doc, item.number, stops, questions)
        answer = doc.span(item.number + 1, end)
        if rest.strip():
            answer = (Line(item.number, "   " + rest),) + answer
        cards.append(Found(clean_question(question).text, item.number, (item.number, end),
                           _outdented(answer)))
    placed = place(doc, cards, doc.headings, "questions are list items, bold or headings")
    bullets = [clean_question(q) for line, (q, _) in items if _BULLET.match(line.text)]
    if not bullets or repeated_label([q.text for q in bullets]):
        return placed  # numbered, or labelled as questions (`* **Otázka:** …`)
    asking = sum(looks_like_question(question) for question in bullets)
    return replace(placed, weight=0.5 + 0.5 * asking / len(bullets))


def _question(line: Line) -> tuple[str, str] | None:
    """(question, text after it on the line) when the line is a question item."""
    heading = _HEADING_ITEM.match(line.text)
    if heading:
        return heading.group("q"), ""
    match = _ITEM.match(line.text)
    if not match:
        return None
    # `1. **Term** explained ...` is a list of terms; a question then ends in '?'.
    if match.group("rest").strip() and not match.group("q").rstrip().endswith(("?", ":")):
        return None
    return match.group("q"), match.group("rest")


def _answer_end(doc: Document, start: int, stops: list[int], questions: set[int]) -> int:
    """An answer runs to the next question. Before a heading or the end, an indented answer
    ends at the first line back at the margin (what follows the list is not the answer)."""
    stop = min((n for n in stops if n > start), default=len(doc.lines) + 1)
    body = doc.span(start + 1, stop - 1)
    first = next((line for line in body if not line.blank), None)
    if stop in questions or first is None or not first.text[:1].isspace():
        return stop - 1
    end = start
    for line in body:
        if not line.blank and not line.code and not line.text[:1].isspace():
            break
        end = line.number
    return end


def _outdented(answer: tuple[Line, ...]) -> tuple[Line, ...]:
    """Lines without the item's indentation (that of the answer's first line), so that a
    paragraph back at the margin does not leave the rest indented like code."""
    first = next((line for line in answer if not line.blank), None)
    width = indent_of(first.text) if first else 0
    return tuple(Line(line.number, outdent(line.text, width), line.code) for line in answer)


LAYOUT = Layout("list", "a list of bold questions with indented answers", split)
