"""Checks on a card's Markdown that the renderer would silently get wrong."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from ..errors import Problem
from ..records import Card, CardRef
from .mathgrammar import (
    bracket_math_end,
    dollar_math_at,
    escaped,
    opens_inline,
    padded_span_at,
    refused_closer,
)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+).+?\1")
_TOKEN = re.compile(r"\\\\|\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")
_CLOSER = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}
_OPENER = {"\\]": "\\[", "\\)": "\\("}
_PAIR = {"(": ")", "[": "]", ")": "(", "]": "["}
# Code written as HTML holds no math (the renderer leaves it alone too).
_HTML_CODE = re.compile(r"<(pre|code|kbd|samp|script|style)\b[^>]*>.*?</\1\s*>",
                        re.IGNORECASE | re.DOTALL)
_HTML_IN_MATH = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


def _prose_lines(text: str) -> list[str]:
    """The text with fenced code blanked and inline code spans spaced out (lines and
    columns kept)."""
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
            out.append(_CODE_SPAN.sub(lambda c: " " * len(c.group()), line))
    return out


def math_problems(card: Card) -> list[Problem]:
    """Math the renderer cannot typeset, by the grammar of mathgrammar.py: `$$` never
    closed, a `$` that opens math but never closes, a padded `$ x $`, math refused as a
    price (a warning), a `\\(` or `\\[` that nothing closes and a closer that closes
    nothing, unless plainly an escaped bracket (warnings: they show as brackets), and raw
    HTML or TeX comments inside math; in the question, the answer and the extra text, each
    at its own line."""
    parts = [(card.question, card.line), (card.answer, card.answer_line)]
    if card.extra:
        parts.append((card.extra, card.extra_line or card.answer_line))
    return [problem for text, line in parts for problem in _text_math_problems(card.path, text,
                                                                               line)]


def _text_math_problems(path: str, source: str, first_line: int) -> list[Problem]:
    if "$" not in source and "\\" not in source:
        return []  # every math token holds one of the two
    text = _HTML_CODE.sub(_blank, "\n".join(_prose_lines(source)))
    problems: list[Problem] = []

    def at(pos: int, message: str, severity: str = "error") -> None:
        problems.append(Problem(path, first_line + text.count("\n", 0, pos), message, severity))

    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        token, pos = m.group(), m.end()
        if token in ("\\\\", "\\$"):
            continue
        if token in ("\\)", "\\]"):
            if not _escaped_bracket(text, m.start()):
                at(m.start(), f"'{token}' closes no math, so it shows as '{token[1]}' (open the "
                   f"math with '{_OPENER[token]}', or write '{token[1]}')", "warning")
            continue
        if token in ("\\(", "\\["):
            end = bracket_math_end(text, m.start())
            if end is None:
                if not _escaped_bracket(text, m.start()):
                    at(m.start(), f"'{token}' opens no math: nothing closes it in its paragraph, "
                       f"so it shows as '{token[1]}' (close the math with '{_CLOSER[token]}', "
                       f"or write '{token[1]}')", "warning")
                continue
            _math_content(text[m.end():end - 2], at, m.start())
            pos = end
            continue
        found = dollar_math_at(text, m.start())
        if found is None and token == "$$":
            found = dollar_math_at(text, m.start() + 1)
            if found is None and not _later_double(text, m.end()):
                at(m.start(), "unbalanced math: '$$' is never closed")
                continue
            pos = m.start() + 1
            if found is None:
                continue
        if found is not None:
            _math_content(found.tex, at, found.start)
            pos = found.end
            continue
        refused = refused_closer(text, m.start())
        padded = padded_span_at(text, m.start())
        if padded is not None:
            at(m.start(), f"{text[padded.start:padded.end]!r} is not typeset: math has no space "
               f"inside its dollars (write ${padded.tex.strip()}$, or '\\$' for a dollar sign)")
            pos = padded.end
        elif refused is not None:
            shown = text[m.start(): refused + 2]
            at(m.start(), f"{shown!r} is read as dollar signs, not math: a digit follows the "
               "closing '$' (put a space before the digit, or write '\\$' for a dollar sign)",
               "warning")
        elif opens_inline(text, m.start()):
            at(m.start(), "unbalanced math: '$' is never closed")
    return problems


def _escaped_bracket(text: str, pos: int) -> bool:
    """Whether the `\\(`, `\\)`, `\\[` or `\\]` at `pos`, which is no math, is plainly a
    bracket: paired on its line with a plain one (`\\[x]`, `(a\\)`), or a number's `\\)`
    that keeps a line from starting a list (`1\\)`)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line, at = text[start: end if end >= 0 else len(text)], pos - start
    bracket = line[at + 1]
    if bracket in "([":
        return _PAIR[bracket] in line[at + 2:]
    before = line[:at]
    return _PAIR[bracket] in before or bool(re.fullmatch(r"\s*\d{1,9}", before))


def _blank(match: re.Match[str]) -> str:
    """Spaces for what a match covers, its newlines kept (so lines and columns hold)."""
    return re.sub(r"[^\n]", " ", match.group())


def _later_double(text: str, pos: int) -> bool:
    """Whether an unescaped `$$` follows `pos`."""
    while (pos := text.find("$$", pos)) >= 0:
        if not escaped(text, pos):
            return True
        pos += 1
    return False


def _math_content(tex: str, at: Callable[[int, str], None], start: int) -> None:
    """Raw HTML and TeX comments inside math (MathJax cannot show either as meant)."""
    if _HTML_IN_MATH.search(tex):
        at(start, "raw HTML inside math; MathJax shows it as text or fails (write TeX only)")
    if re.search(r"(?<!\\)%", tex):
        at(start, "TeX comment '%' inside math; write '\\%'")


def duplicate_questions(cards: Iterable[Card | CardRef]) -> list[Problem]:
    """The same question twice is almost always a copy-paste slip (a warning)."""
    seen: dict[str, str] = {}
    problems = []
    for card in cards:
        # A quiz's fronts differ below a shared question ("What is the output?").
        key = " ".join((card.question + " " + card.front).lower().split())
        if key and key in seen:
            problems.append(Problem(card.path, card.line, f"same question as {seen[key]}",
                                    "warning"))
        else:
            seen.setdefault(key, f"{card.path}:{card.line}")
    return problems
