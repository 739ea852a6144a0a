"""Cards -> the native Markdown of one cards file, checked by reading it back with the parser."""

from __future__ import annotations

import re

from ..errors import Problem
from ..source.parse import parse_source
from .records import ImportedCard

_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def native_markdown(section: str, cards: list[ImportedCard]) -> str:
    """`# Section`, then per card `## Question`, its comments and its answer."""
    out = [f"# {section}", ""]
    for card in cards:
        out += [f"## {card.question}", f"<!-- id: {card.id} -->"]
        if card.tags:
            out.append(f"<!-- tags: {' '.join(card.tags)} -->")
        if card.source:
            out.append(f"<!-- source: {card.source} -->")
        if card.notetype:
            out.append(f"<!-- type: {card.notetype} -->")
        if card.front:
            out += ["", _demoted(card.front), "", "<!-- answer -->"]
        out += ["", _demoted(card.answer)]
        if card.extra:
            out += ["", "<!-- extra -->", card.extra]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _demoted(answer: str) -> str:
    """Headings in an answer pushed to level 3 or deeper: `#` and `##` would end the card."""
    lines = answer.split("\n")
    headings = _prose_headings(lines)
    shift = max(0, 3 - min((len(m.group(2)) for _, m in headings), default=3))
    for index, match in headings if shift else ():
        hashes = "#" * min(6, len(match.group(2)) + shift)
        lines[index] = match.group(1) + hashes + lines[index][match.end():]
    return "\n".join(lines)


def _prose_headings(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    """(index, match) of each heading line outside code fences."""
    found, fence = [], ""
    for index, line in enumerate(lines):
        opened, heading = _FENCE.match(line), _HEADING.match(line)
        if fence:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = ""
        elif opened:
            fence = opened.group(1)
        elif heading:
            found.append((index, heading))
    return found


def read_back(text: str, name: str, cards: list[ImportedCard], source: str) -> list[Problem]:
    """Problems if the written file would not give back exactly these cards."""
    parsed, problems = parse_source(text, name)
    # Point at the source card whose written text holds the error.
    starts = [c.line for c in parsed.cards]
    wrong = [Problem(source, cards[min(len(cards), sum(s <= p.line for s in starts) or 1) - 1].line,
                     f"cannot be written as a native card: {p.message}")
             for p in problems if p.is_error]
    for card, got in zip(cards, parsed.cards, strict=False):
        if (got.question, got.id, got.answer, got.extra, got.front) != \
                (card.question, card.id, _demoted(card.answer), card.extra,
                 _demoted(card.front) if card.front else ""):
            wrong.append(Problem(source, card.line, "cannot be written as a native card: its "
                                 "answer would read back differently"))
    if len(parsed.cards) != len(cards) and not wrong:
        wrong.append(Problem(source, cards[0].line, "cannot be written as native cards: "
                             f"{len(cards)} cards would read back as {len(parsed.cards)}"))
    return wrong
