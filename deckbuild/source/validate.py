"""Checks on a card's Markdown that the renderer would silently get wrong."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import Problem
from ..records import Card, CardRef

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_TOKEN = re.compile(r"\\\\|\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")
_CLOSER = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}
_HTML_IN_MATH = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def _prose_lines(text: str) -> list[str]:
    """The text with fenced code blanked and inline code spans removed (lines kept)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            out.append("")
        else:
            out.append(_CODE_SPAN.sub(" ", line))
    return out


def math_problems(card: Card) -> list[Problem]:
    """Unbalanced $, $$, \\( and \\[; raw HTML or TeX comments inside math."""
    if "$" not in card.answer and "\\" not in card.answer:
        return []  # every math token holds one of the two
    problems: list[Problem] = []
    lines = _prose_lines(card.answer)
    opened: tuple[str, int, int] | None = None  # (delimiter, line index, column after it)
    for index, line in enumerate(lines):
        if opened and opened[0] == "$" and not line.strip():
            problems.append(_unbalanced(card, opened))
            opened = None
        for m in _TOKEN.finditer(line):
            token = m.group()
            if token in ("\\\\", "\\$"):
                continue
            if opened is None:
                if token == "$" and not _opens_inline(line, m.end()):
                    continue  # a price such as $5, or a lone dollar sign
                if token in ("\\)", "\\]"):
                    problems.append(Problem(card.path, card.answer_line + index,
                                            f"'{token}' closes math that was never opened"))
                    continue
                opened = (token, index, m.end())
            elif token == _CLOSER[opened[0]]:
                if token == "$" and line[m.start() - 1: m.start()].isspace():
                    continue
                problems += _math_content(card, opened, lines, index, m.start())
                opened = None
    if opened:
        problems.append(_unbalanced(card, opened))
    return problems


def _opens_inline(line: str, end: int) -> bool:
    """`$x` opens math; `$5`, `$ ` and a final `$` are plain dollar signs."""
    following = line[end: end + 1]
    return bool(following) and not following.isspace() and not following.isdigit()


def _unbalanced(card: Card, opened: tuple[str, int, int]) -> Problem:
    return Problem(card.path, card.answer_line + opened[1],
                   f"unbalanced math: '{opened[0]}' is never closed")


def _math_content(card: Card, opened: tuple[str, int, int], lines: list[str], end_index: int,
                  end_col: int) -> list[Problem]:
    start_index, start_col = opened[1], opened[2]
    if start_index == end_index:
        tex = lines[start_index][start_col:end_col]
    else:
        tex = "\n".join([lines[start_index][start_col:], *lines[start_index + 1:end_index],
                         lines[end_index][:end_col]])
    line = card.answer_line + start_index
    problems = []
    if _HTML_IN_MATH.search(tex):
        problems.append(Problem(card.path, line, "raw HTML inside math; MathJax shows it as "
                                "text or fails (write TeX only)"))
    if re.search(r"(?<!\\)%", tex):
        problems.append(Problem(card.path, line, "TeX comment '%' inside math; write '\\%'"))
    return problems


def duplicate_questions(cards: Iterable[Card | CardRef]) -> list[Problem]:
    """The same question twice is almost always a copy-paste slip (a warning)."""
    seen: dict[str, str] = {}
    problems = []
    for card in cards:
        key = " ".join(card.question.lower().split())
        if key and key in seen:
            problems.append(Problem(card.path, card.line, f"same question as {seen[key]}",
                                    "warning"))
        else:
            seen.setdefault(key, f"{card.path}:{card.line}")
    return problems
