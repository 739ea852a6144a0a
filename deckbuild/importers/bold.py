"""(f) Bold question paragraphs: `**What is X?**` alone on its line, the answer below it."""

from __future__ import annotations

import re

from .layout import Layout, line_questions, own_paragraph
from .records import Document, Line, Split
from .text import clean_question, looks_like_question, strip_label

# The whole line in bold, maybe with a short mark after it (a difficulty emoji, say).
_BOLD_LINE = re.compile(r"^(\*\*|__)(?P<q>[^*_\s].*?)\1[ \t]*(?P<mark>[^\w\s*_]{0,4})[ \t]*$")


def split(doc: Document) -> Split:
    """Cards from bold question lines; an answer runs to the next one or the next heading."""
    questions = [(line, question) for line in doc.lines
                 for question in [_question(doc, line)] if question]
    if not questions:
        return Split(())
    return line_questions(doc, questions, "questions are bold lines of their own")


def _question(doc: Document, line: Line) -> str:
    """The question on this line, or '' when it holds none."""
    if line.code or strip_label(line.text) != line.text:
        return ""
    match = _BOLD_LINE.match(line.text)
    if not match or not own_paragraph(doc, line):
        return ""
    question = clean_question(match.group("q"))
    return question.text if looks_like_question(question) else ""


LAYOUT = Layout("bold", "bold question lines (`**What is X?**`) with the answer below", split)
