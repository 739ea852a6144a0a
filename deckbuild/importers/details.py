"""(e) `<details><summary>Question</summary> answer </details>` blocks.

A summary that only says "Answer" (or "Show answer", ...) takes its question from above
the block: the nearest line if it reads as a question, else the nearest heading; what lies
between (code, answer options) opens the answer.
"""

from __future__ import annotations

import re

from .layout import Layout, place
from .records import Document, Found, Heading, Line, Split
from .text import LABEL_WORDS, RULE, clean_question, looks_like_question

_OPEN = re.compile(r"<details(?:\s[^>]*)?>", re.IGNORECASE)
_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary(?:\s[^>]*)?>(?P<q>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_LABEL = re.compile(r"\s*(?:<(?:b|strong)>)?\s*" + LABEL_WORDS
                    + r"\s*[:.]?\s*(?:</(?:b|strong)>)?\s*", re.IGNORECASE)


def split(doc: Document) -> Split:
    """Cards from top-level <details> blocks with a <summary>."""
    cards: list[Found] = []
    used_headings: set[int] = set()
    number = 1
    while number <= len(doc.lines):
        line = doc.line(number)
        if line.code or not _OPEN.search(line.text):
            number += 1
            continue
        end = _block_end(doc, number)
        if end is None:  # never closed: its lines are listed as left out
            break
        found = _card(doc, number, end, cards[-1].region[1] if cards else 0)
        if found:
            cards.append(found)
            used_headings.update(range(found.region[0], found.region[1] + 1))  # none a section
        number = end + 1
    headings = [h for h in doc.headings if h.number not in used_headings]
    return place(doc, cards, headings, "questions are <summary> lines of <details> blocks")


def _block_end(doc: Document, start: int) -> int | None:
    """The line holding the </details> that closes the block opened on `start`, if any."""
    depth = 0
    for line in doc.lines[start - 1:]:
        if line.code:
            continue
        depth += len(_OPEN.findall(line.text)) - len(_CLOSE.findall(line.text))
        if depth <= 0:
            return line.number
    return None


def _card(doc: Document, start: int, end: int, previous_end: int) -> Found | None:
    block = doc.span(start, end)
    text = "\n".join(line.text for line in block)
    summary = _SUMMARY.search(text)
    opening = _OPEN.search(block[0].text)
    if not summary or opening is None or block[0].text[:opening.start()].strip():
        return None  # text before the block on its line: not a block of its own
    first = start
    before: tuple[Line, ...] = ()
    question = " ".join(summary.group("q").split())
    if _LABEL.fullmatch(question):
        above = _line_above(doc, start, previous_end)
        if above is None:
            return None
        first, question, before = above.number, above.text.lstrip("#"), doc.span(above.number + 1,
                                                                                   start - 1)
    # Code and options between the question and its answer are the rest of the question.
    answer = _answer_lines(block, summary.end(), text)
    if is_navigation(answer):
        return None  # a language switcher or a table of contents: its lines are listed
    tail = text[list(_CLOSE.finditer(text))[-1].end():].strip()
    if tail:  # `</details> more text`: the text is the answer's too
        answer += (Line(end, tail),)
    cleaned = clean_question(question).text
    return Found(cleaned, first, (first, end), answer, front=before) if cleaned else None


_LINK_ITEM = re.compile(r"\[[^\]]*\]\([^)]*\)|<a\s[^>]*>.*?</a\s*>", re.IGNORECASE)
# What may stand between links in a list of them: list markers, separators, layout tags.
_BETWEEN = re.compile(r"(?:\s|[-*+|·•,/]|\d+[.)]|</?(?:p|br|ul|ol|li|div|span|b|strong|sub|sup|"
                      r"nav)(?:\s[^>]*)?/?>)*", re.IGNORECASE)


def is_navigation(lines: tuple[Line, ...]) -> bool:
    """Whether a block holds nothing but links (two or more), as a language switcher or a
    table of contents does: navigation, not an answer. Decided by structure, not words."""
    text = "\n".join(line.text for line in lines)
    links = _LINK_ITEM.findall(text)
    return len(links) >= 2 and _BETWEEN.fullmatch(_LINK_ITEM.sub(" ", text)) is not None


def _line_above(doc: Document, start: int, previous_end: int) -> Line | None:
    """The question of an "Answer" block: the nearest prose line above it if it reads as a
    question, else the nearest heading above (past code and options), else that line."""
    prose = [line for line in doc.span(previous_end + 1, start - 1)
             if not line.blank and not line.code]
    if not prose or RULE.match(prose[-1].text):
        return None
    nearest = prose[-1]
    if looks_like_question(clean_question(nearest.text.lstrip("#"))):
        return nearest
    headings = {h.number: h for h in doc.headings}
    found = next((line for line in reversed(prose) if line.number in headings), None)
    if found is None:
        return nearest
    # `## 第 1 题` over `### 题目` (a label every question repeats): the outer heading, one of
    # several at its level, whose part of the file holds this one answer block only, is the
    # card's own heading (a title over the whole file is not).
    for line in prose:
        outer = headings.get(line.number)
        if outer is not None and outer.level < headings[found.number].level \
                and sum(h.level == outer.level for h in doc.headings) > 1 \
                and _one_block(doc, outer, start):
            return line
    return found


def _one_block(doc: Document, heading: Heading, start: int) -> bool:
    """The heading's part of the file (to the next heading at its level or above) holds the
    answer block opening on `start` and no other."""
    stop = next((h.number for h in doc.headings
                 if h.number > heading.number and h.level <= heading.level), len(doc.lines) + 1)
    opened = [line.number for line in doc.span(heading.number + 1, stop - 1)
              if not line.code and _OPEN.match(line.text.lstrip())]
    return opened == [start]


def _answer_lines(block: tuple[Line, ...], after: int, text: str) -> tuple[Line, ...]:
    """The block's lines after </summary> up to its last </details>, cut inside lines."""
    closing = list(_CLOSE.finditer(text))
    stop = closing[-1].start() if closing else len(text)
    lines: list[Line] = []
    offset = 0
    for line in block:
        begin, finish = offset, offset + len(line.text)
        offset = finish + 1
        piece_start, piece_end = max(begin, after), min(finish, stop)
        if piece_start > piece_end or (piece_start == piece_end and begin < after):
            continue
        piece = text[piece_start:piece_end]
        lines.append(Line(line.number, piece if begin >= after else piece.strip(), line.code))
    return tuple(lines)


LAYOUT = Layout("details", "<details><summary>question</summary> answer </details> blocks", split,
                explicit=True)
