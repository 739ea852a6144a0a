"""(b) Question headings at any level: `#### Q1: ...`, `### **Q6: ...**`, `### 2.3.7 批归一化`.

The questions are the repeated heading level that holds the content, whatever the language:
each level is read as if all its headings were questions, and the level that reads the most
of the file as cards wins. A question mark (`?`, `？`, `؟`), numbering or a question word
only tips the balance between levels; labels repeated under every question (`### Example`)
and headings that only number a question (`## #3`) never make a level of questions. Of two
levels that read the file about equally well, the deeper one with more cards is the question
level, so numbered chapters (`## 1. Basics` over `### 1.1 ...`) stay sections.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from .layout import Layout, coverage, place, region_end
from .records import Document, Found, Line, Split
from .text import ANSWER_LABEL, clean_question, looks_like_question

# `4 Зачем нужен dropout`, `2.3.7 批归一化`: numbering before the words, with or without a dot.
_LEADING_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?[ \t]+(?=\S)")
_NUMBER_ONLY = re.compile(r"^\s*#?\d+(?:\.\d+)*[.):]?\s*$")
_SENTENCE_ENDS = (".", ":", "!", "。", "：", "！", "।")
_CLOSE = 0.1  # levels whose reach differs by less than this read the file about equally well


def split(doc: Document) -> Split:
    """Cards from question headings; each answer runs to the next heading at its level or above."""
    numbering = _numbering(doc)
    levels = sorted({h.level for h in doc.headings if h.number not in numbering})
    scored = []
    for level in levels:
        found, hint = _at_level(doc, level)
        if found.cards:
            scored.append((_reach(doc, found, level) * hint, level, hint, found))
    if not scored:
        return Split(())
    best = max(score for score, _, _, _ in scored)
    # Near the best: the deepest level with the most cards (chapters above stay sections).
    _, _, hint, chosen = max((len(s.cards), level, hint, s) for score, level, hint, s in scored
                             if score >= best - _CLOSE)
    return replace(chosen, weight=hint)


def at_level_layout(level: int) -> Layout:
    """The layout that reads every level-`level` heading as a question (--question-level)."""
    return Layout("headings", f"questions are level-{level} headings",
                  lambda doc: _at_level(doc, level, forced=True)[0])


def _answer_key(doc: Document, start: int, end: int, cards: list[Found]) -> bool:
    """The region's own headings repeat questions above it (mostly): an answer key such as a
    closing `## Solucionario` whose `###` headings name the questions they answer."""
    inside = [clean_question(h.text).text.casefold() for h in doc.headings if start < h.number <= end]
    asked = {card.question.casefold() for card in cards}
    return len(inside) >= 2 and sum(text in asked for text in inside) * 2 > len(inside)


def _numbering(doc: Document) -> set[int]:
    """Lines of headings that only number what follows (`## #3`, `## 12.`): where most of a
    level's headings are bare numbers. A bare number among questions (`### 1515`, a quiz on
    dates) is a question."""
    found: set[int] = set()
    for level in {h.level for h in doc.headings}:
        at_level = [h for h in doc.headings if h.level == level]
        bare = [h.number for h in at_level if _NUMBER_ONLY.match(h.text)]
        if len(bare) * 2 >= len(at_level):
            found.update(bare)
    return found


def _reach(doc: Document, split: Split, level: int) -> float:
    """The share of lines the split holds, not counting headings above the level: a title or
    chapter heading that names no section is structure, not content lost."""
    above = {h.number for h in doc.headings if h.level < level}
    kept = Document(doc.path, doc.stem, tuple(
        Line(line.number, "" if line.number in above else line.text, line.code)
        for line in doc.lines), doc.headings)
    return coverage(kept, split)


def _at_level(doc: Document, level: int, forced: bool = False) -> tuple[Split, float]:
    """Every heading at the level as a question, and how much they look like questions:
    1 when all do (or are numbered), down to 0.5 when none does, and down by the share of
    them whose text repeats (labels such as `### Example`, not questions). The top level,
    when it is one heading that does not look like a question, is a title."""
    stops = [h.number for h in doc.headings if h.level <= level]
    numbering = _numbering(doc)
    at_level = [h for h in doc.headings if h.level == level and h.number not in numbering]
    numbered = sum(1 for h in at_level if _LEADING_NUMBER.match(h.text)) * 2 > len(at_level)
    read = []
    for heading in at_level:
        text = _LEADING_NUMBER.sub("", heading.text) if numbered else heading.text
        question = clean_question(text)
        read.append((heading, question, numbered or looks_like_question(question)))
    # Where most headings ask, those at the end that neither ask nor read as a sentence
    # (`Contributing`, `References`) are back matter, not questions.
    asking = sum(looks for _, _, looks in read) * 3 >= len(read) * 2
    while asking and read and not read[-1][2] \
            and not read[-1][1].text.rstrip(" *_").endswith(_SENTENCE_ENDS):
        read.pop()
    cards: list[Found] = []
    looks = 0
    for heading, question, asks in read:
        end = region_end(doc, heading.number, stops)
        if cards and ANSWER_LABEL.match(heading.text) and cards[-1].region[1] == heading.number - 1:
            # `## 練習問題` then `## 解答`: the answer heading's body answers the card above,
            # whose own body is the rest of its front.
            asked = cards.pop()
            cards.append(replace(asked, region=(asked.region[0], end), front=asked.answer,
                                 answer=doc.span(heading.number + 1, end)))
            continue
        if _answer_key(doc, heading.number, end, cards):
            continue  # `## Solutions` over `### <a question above>`: the key, not a question
        looks += asks
        cards.append(Found(question.text, heading.number, (heading.number, end),
                           doc.span(heading.number + 1, end)))
    above = [h for h in doc.headings if h.level < level and h.number not in numbering]
    detail = f"questions are level-{level} headings"
    if above:
        detail += ", sections the headings above them"
    if not cards:
        return Split(()), 0.0
    counts = Counter(" ".join(card.question.casefold().split()) for card in cards)
    repeated = sum(n for n in counts.values() if n > 1) / len(cards)
    top = min(h.level for h in doc.headings)
    if len(cards) == 1 and not looks and not forced and level == top:
        return Split(()), 0.0  # one top heading that asks nothing is a title, not a question
    hint = (0.5 + 0.5 * looks / len(cards)) * (1 - repeated / 2)
    return place(doc, cards, above, detail), hint


LAYOUT = Layout("headings", "question headings at any level (`### Q1: ...`, `## 2.3 批归一化`)",
                split)
