"""(l) Quiz items with marked options: a numbered question (`1.`, `1*.`; numbers may restart)
and its options `- (x) right` / `- ( ) wrong`, one or more right, as quiz generators write
them (HtmlGenerator and similar).

Everything between the question and its options (code, an image, a table, the actual
question after a figure) stays on the front, and so do the options, without their marks; the
answer is the right option(s). Options may be indented (four spaces, which CommonMark would
read as code) and hold more lines below them (a table). Questions inside an HTML comment are
the author's drafts and are left out.
"""

from __future__ import annotations

import re

from .layout import Layout, place
from .records import Document, Found, Line, Split
from .text import RULE, indent_of, outdent

_QUESTION = re.compile(r"^ {0,3}\d+\*?[.)][ \t]+(?P<q>\S.*)$")
_OPTION = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+\((?P<mark>[xX ✓✔]?)\)(?P<text>.*)$")
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
                 "questions are numbered items followed by '(x)' / '( )' options")


def _card(doc: Document, question: Line, end: int) -> Found | None:
    body = [line for line in doc.span(question.number + 1, end)]
    first = next((i for i, line in enumerate(body) if not line.code
                  and _OPTION.match(line.text)), None)
    if first is None:
        return None
    margin = indent_of(body[first].text)
    options: list[tuple[bool, list[str]]] = []
    last = body[first].number
    for line in body[first:]:
        option = None if line.code else _OPTION.match(line.text)
        if option and indent_of(line.text) == margin:
            options.append((option.group("mark").strip() != "", [option.group("text").strip()]))
            last = line.number
        elif line.blank or indent_of(line.text) > margin:
            options[-1][1].append(outdent(line.text, margin + 2))
            last = line.number if not line.blank else last
        else:
            break
    if len(options) < 2 or not any(right for right, _ in options):
        return None
    text = _QUESTION.match(question.text).group("q").strip()  # type: ignore[union-attr]
    # What stands before the options may be indented like them (a fence under the question).
    width = min((indent_of(line.text) for line in body[:first] if not line.blank), default=0)
    before = [Line(line.number, outdent(line.text, width), line.code) for line in body[:first]]
    while before and before[-1].blank:
        before.pop()
    shown = _listed([lines for _, lines in options], question.number)
    right = _listed([lines for ok, lines in options if ok], last)
    front = tuple(before) + shown
    return Found(text, question.number, (question.number, last), right, front=front)


def _listed(options: list[list[str]], number: int) -> tuple[Line, ...]:
    """Options as a Markdown list: each first line after `- `, its other lines under it."""
    out: list[Line] = [Line(number, "")]
    for lines in options:
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        first, rest = (lines[0], lines[1:]) if lines else ("", [])
        out.append(Line(number, f"- {first}".rstrip()))
        out += [Line(number, f"  {text}" if text.strip() else "") for text in rest]
    return tuple(out)


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


LAYOUT = Layout("choices", "numbered questions with `- (x)` / `- ( )` options (the answer is "
                "the right ones)", split)
