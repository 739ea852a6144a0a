"""(b) Question headings at any level: `#### Q1: ...`, `### **Q6: ...**`, `### 1. ...`.

Of the levels that hold question-like headings, the one that reads the most of the file
as cards is the question level; the nearest heading above it names the section.
"""

from __future__ import annotations

from .layout import Layout, coverage, place, region_end
from .records import Document, Found, Heading, Split
from .text import clean_question, looks_like_question


def split(doc: Document) -> Split:
    """Cards from question headings; each answer runs to the next heading at its level or above."""
    questions = [h for h in doc.headings if looks_like_question(clean_question(h.text))]
    levels = sorted({h.level for h in questions}, reverse=True)
    # Numbered sub-headings inside long answers can outnumber the questions: reach decides.
    splits = [_at_level(doc, questions, level) for level in levels]
    return max(splits, key=lambda s: (coverage(doc, s), len(s.cards)), default=Split(()))


def _at_level(doc: Document, questions: list[Heading], level: int) -> Split:
    stops = [h.number for h in doc.headings if h.level <= level]
    cards = []
    for heading in questions:
        if heading.level != level:
            continue
        end = region_end(doc, heading.number, stops)
        cards.append(Found(clean_question(heading.text).text, heading.number,
                           (heading.number, end), doc.span(heading.number + 1, end)))
    above = [h for h in doc.headings if h.level < level]
    detail = f"questions are level-{level} headings"
    if above:
        detail += ", sections the headings above them"
    return place(doc, cards, above, detail)


LAYOUT = Layout("headings", "question headings at any level (`### Q1: ...`, `#### **...?**`)",
                split)
