"""(g) `Q:` / `A:` lines: `Q: What is X?` (or `**Q1:** What is X?`), the answer below it.

Pairs may also sit in a plain code fence (no language named), as guides write them to keep
their lines apart: a fence that holds only `Q:` lines, `A:` lines and their indented
continuations is a block of cards. Such pairs are marked (they win over a reading of the
file's headings; the guide around them is listed), and their text is kept literal: each line
stays a line, and nothing in it is read as Markdown.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .layout import Layout, line_questions, own_paragraph, place
from .records import Document, Found, Line, Split
from .text import clean_question

# `Q:`, `Q1.`, `Question 3:`, with or without bold around the label; the question follows.
_Q_LINE = re.compile(r"^(?:\*\*|__)?(?:q|question)\s*\d*\s*[:.)](?:\*\*|__)?\s+\S", re.IGNORECASE)


def split(doc: Document) -> Split:
    """Cards from `Q:` lines; an answer (its `A:` label removed) runs to the next `Q:`."""
    fenced = [card for block in _fences(doc) for card in _pairs(doc, block)]
    if fenced:
        return replace(place(doc, fenced, doc.headings,
                             "questions are 'Q:' lines in plain code fences"), marked=True)
    questions = [(line, question) for line in doc.lines
                 for question in [_question(doc, line)] if question]
    if not questions:
        return Split(())
    return line_questions(doc, questions, "questions are lines starting with 'Q:'")


def _question(doc: Document, line: Line) -> str:
    if line.code or not _Q_LINE.match(line.text) or not own_paragraph(doc, line):
        return ""
    return clean_question(line.text).text


_FENCE_Q = re.compile(r"^\s*(?:q|question)\s*\d*\s*[:.)]\s+(?P<text>\S.*)$", re.IGNORECASE)
_FENCE_A = re.compile(r"^\s*(?:a|answer)\s*\d*\s*[:.)]\s*(?P<text>.*)$", re.IGNORECASE)
_PLAIN_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*$")
# What Markdown (or math) would read in a line that was code: escaped, to show as written.
_MARKUP = re.compile(r"([\\`*_\[\]<>#|~$&])")
_LIST_START = re.compile(r"^(\s*(?:\d+)?)([.)+=-])")


def _fences(doc: Document) -> list[list[Line]]:
    """The inner lines of each plain fence (no language named)."""
    blocks: list[list[Line]] = []
    inner: list[Line] | None = None
    for line in doc.lines:
        if not line.code:
            inner = None
            continue
        if inner is None:
            inner = []
            if _PLAIN_FENCE.match(line.text):
                blocks.append(inner)
            continue
        inner.append(line)
    # The closing fence line was collected as content: take it off.
    return [block[:-1] if block and _PLAIN_FENCE.match(block[-1].text) else block
            for block in blocks]


def _pairs(doc: Document, block: list[Line]) -> list[Found]:
    """The cards of a fence that holds only Q:/A: pairs (with indented continuations), or
    none if anything else is in it."""
    pairs: list[tuple[Line, list[Line]]] = []
    side = ""
    for line in block:
        if line.blank:
            continue
        if _FENCE_Q.match(line.text):
            pairs.append((line, []))
            side = "q"
        elif pairs and side == "q" and not pairs[-1][1] and _FENCE_A.match(line.text):
            pairs[-1][1].append(line)
            side = "a"
        elif side == "a" and line.text[:1] in " \t":
            pairs[-1][1].append(line)
        else:
            return []
    if not pairs or any(not answer for _, answer in pairs):
        return []
    first, last = block[0].number - 1, block[-1].number + 1  # the fence lines
    cards = []
    for index, (question, answer) in enumerate(pairs):
        start = first if index == 0 else question.number
        end = last if index == len(pairs) - 1 else pairs[index + 1][0].number - 1
        label = _FENCE_A.match(answer[0].text)
        texts = [label.group("text") if label else ""] + [line.text.strip() for line in answer[1:]]
        numbers = [line.number for line in answer]
        kept = [(n, t) for n, t in zip(numbers, texts, strict=True) if t.strip()]
        lines = tuple(Line(n, literal(t) + ("\\" if i < len(kept) - 1 else ""))
                      for i, (n, t) in enumerate(kept))
        text = _FENCE_Q.match(question.text).group("text").strip()  # type: ignore[union-attr]
        cards.append(Found(literal(text), question.number, (start, end), lines))
    return cards


def literal(text: str) -> str:
    """Text that was code, as Markdown that shows it as written: Markdown's punctuation as
    character references (a backslash escape would make `\\[` and `\\(` math delimiters)."""
    escaped = _MARKUP.sub(lambda m: f"&#{ord(m.group(1))};", text)
    return _LIST_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", escaped)


LAYOUT = Layout("qa", "`Q:` lines with the answer below (`A:` labels come off)", split,
                explicit=True)
