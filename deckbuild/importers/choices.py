"""(l) Quiz items with marked options: a numbered question (`1.`, `1*.`; numbers may restart)
and its options `- (x) right` / `- ( ) wrong` or `- [x]` / `- [ ]`, one or more right, as
quiz generators write them (HtmlGenerator and similar); options.py reads them.

Everything between the question and its options (code, an image, a table, the actual
question after a figure) stays on the front, and so do the options, without their marks; the
answer is the right option(s). Options may be indented (four spaces, which CommonMark would
read as code) and hold more lines below them (a table). Questions inside an HTML comment are
the author's drafts and are left out.
"""

from __future__ import annotations

import re

from .layout import Layout, place
from .options import read_options
from .records import Document, Found, Line, Split
from .text import RULE, indent_of, outdent

_QUESTION = re.compile(r"^ {0,3}\d+\*?[.)][ \t]+(?P<q>\S.*)$")
_COMMENT_OPEN = "<!--"
_COMMENT_CLOSE = "-->"


def split(doc: Document) -> Split:
    """A card per numbered question that is followed by marked options."""
    hidden = commented(doc)
    questions = [line for line in doc.lines if not line.code and line.number not in hidden
                 and _QUESTION.match(line.text)]
    stops = sorted({line.number for line in questions} | {h.number for h in doc.headings}
                   | {line.number for line in doc.lines if not line.code and RULE.match(line.text)}
                   | {min(block) for block in _runs(hidden)})
    cards = []
    for question in questions:
        end = min((n for n in stops if n > question.number), default=len(doc.lines) + 1) - 1
        found = _card(doc, question, end)
        if found:
            cards.append(found)
    if not cards:
        return Split(())
    return place(doc, cards, doc.headings,
                 "questions are numbered items followed by '(x)' / '( )' or '[x]' / '[ ]' options")


def _card(doc: Document, question: Line, end: int) -> Found | None:
    body = doc.span(question.number + 1, end)
    options = read_options(body)
    if options is None or len(options.items) < 2 or not any(o.right for o in options.items):
        return None
    text = _QUESTION.match(question.text).group("q").strip()  # type: ignore[union-attr]
    # What stands before the options may be indented like them (a fence under the question).
    before_options = body[:options.start]
    width = min((indent_of(line.text) for line in before_options if not line.blank), default=0)
    before = [Line(line.number, outdent(line.text, width), line.code) for line in before_options]
    while before and before[-1].blank:
        before.pop()
    front = tuple(before) + options.front(question.number)
    return Found(text, question.number, (question.number, options.last_line),
                 options.answer(options.last_line), front=front)


def commented(doc: Document) -> set[int]:
    """Numbers of the lines inside HTML comments (outside code)."""
    inside: set[int] = set()
    open_ = False
    for line in doc.lines:
        if line.code and not open_:
            continue
        text = line.text
        start = open_
        position = 0
        while True:
            if open_:
                close = text.find(_COMMENT_CLOSE, position)
                if close < 0:
                    break
                open_, position = False, close + len(_COMMENT_CLOSE)
            else:
                opening = text.find(_COMMENT_OPEN, position)
                if opening < 0:
                    break
                open_, position, start = True, opening + len(_COMMENT_OPEN), start or \
                    not text[:opening].strip()
        if start or open_:
            inside.add(line.number)
    return inside


def _runs(numbers: set[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return runs


LAYOUT = Layout("choices", "numbered questions with `- (x)` / `- ( )` or `- [x]` / `- [ ]` "
                "options (the answer is the right ones)", split)
