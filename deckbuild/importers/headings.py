"""(b) Question headings at any level: `#### Q1: ...`, `### **Q6: ...**`, `### 1. ...`.

The level that holds the most question-like headings is the question level; the nearest
heading above it names the section.
"""

from __future__ import annotations

from collections import Counter

from .layout import Layout, place, region_end
from .records import Document, Found, Split
from .text import clean_question, looks_like_question


def split(doc: Document) -> Split:
    """Cards from question headings; each answer runs to the next heading at its level or above."""
    questions = [h for h in doc.headings if looks_like_question(clean_question(h.text))]
    if not questions:
        return Split(())
    counts = Counter(h.level for h in questions)
    level = max(counts, key=lambda lv: (counts[lv], lv))
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
