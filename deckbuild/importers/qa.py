"""(g) `Q:` / `A:` lines: `Q: What is X?` (or `**Q1:** What is X?`), the answer below it."""

from __future__ import annotations

import re

from .layout import Layout, line_questions, own_paragraph
from .records import Document, Line, Split
from .text import clean_question

# `Q:`, `Q1.`, `Question 3:`, with or without bold around the label; the question follows.
_Q_LINE = re.compile(r"^(?:\*\*|__)?(?:q|question)\s*\d*\s*[:.)](?:\*\*|__)?\s+\S", re.IGNORECASE)


def split(doc: Document) -> Split:
    """Cards from `Q:` lines; an answer (its `A:` label removed) runs to the next `Q:`."""
    questions = [(line, question) for line in doc.lines
                 for question in [_question(doc, line)] if question]
    if not questions:
        return Split(())
    return line_questions(doc, questions, "questions are lines starting with 'Q:'")


def _question(doc: Document, line: Line) -> str:
    if line.code or not _Q_LINE.match(line.text) or not own_paragraph(doc, line):
        return ""
    return clean_question(line.text).text


LAYOUT = Layout("qa", "`Q:` lines with the answer below (`A:` labels come off)", split)
