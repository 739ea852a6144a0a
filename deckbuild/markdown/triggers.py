"""Inline patterns tried only on text that holds a character they cannot match without.

Python-Markdown tries every inline pattern on every run of text, one regular-expression
search and a round of bookkeeping each: most of a card's rendering time goes there, and
almost all of those searches find nothing. Each pattern's expression names characters
that any match must contain (a `\\[` for links, a `$` for math, a backtick for code):
`needed_characters` reads them from the compiled expression with the standard library's
own parser, and `TriggeredInlineProcessor` skips a pattern on text that has none of them.
A skipped pattern is one whose search would have failed, so the HTML is the same.
"""

from __future__ import annotations

import re
import sys
from typing import cast

from markdown import Markdown, util
from markdown.treeprocessors import InlineProcessor

if sys.version_info >= (3, 11):  # Python 3.11 moved the expression parser, unchanged
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as sre
    import sre_parse

# A character class this large is no use as a trigger (and ranges such as [^x] are skipped).
_MAX_CLASS = 64
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}


def needed_characters(pattern: str | re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of `pattern` holds at least one (None: no such set).

    Sound, not complete: None whenever the parse holds something not understood here.
    Letters only from an expression that surely heeds case: ignoring it, Unicode matches
    a letter with others (`k` with the Kelvin sign), so any flag group gives None."""
    source = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
    flags = pattern.flags if isinstance(pattern, re.Pattern) else 0
    try:
        parsed = sre_parse.parse(source)
    except Exception:  # noqa: BLE001 - an expression this parser reads differently: no skipping
        return None
    found = _sequence(list(parsed))
    if found is None:
        return None
    may_ignore_case = flags & re.IGNORECASE or "(?" in source
    if may_ignore_case and any(c.lower() != c.upper() for c in found):
        return None
    return frozenset(found)


def _sequence(items: list[tuple[object, object]]) -> set[str] | None:
    """Every item of a sequence is matched: the smallest set any one of them needs."""
    best: set[str] | None = None
    for op, arg in items:
        found = _item(op, arg)
        if found is not None and (best is None or _rank(found) < _rank(best)):
            best = found
    return best


def _rank(chars: set[str]) -> tuple[int, bool]:
    """Fewer characters first; among as many, rarer ones before letters, digits, spaces."""
    return len(chars), any(c.isalnum() or c == " " for c in chars)


def _item(op: object, arg: object) -> set[str] | None:
    if op is sre.LITERAL:
        return {chr(arg)}  # type: ignore[arg-type]
    if op is sre.IN:
        return _char_class(arg)  # type: ignore[arg-type]
    if op is sre.SUBPATTERN:
        return _sequence(list(arg[-1]))  # type: ignore[index]
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(list(arg))  # type: ignore[call-overload]
    if op in _REPEATS:
        low, _, body = cast("tuple[int, int, list[tuple[object, object]]]", arg)
        return _sequence(list(body)) if low >= 1 else None
    if op is sre.BRANCH:
        union: set[str] = set()
        for alternative in arg[1]:  # type: ignore[index]
            found = _sequence(list(alternative))
            if found is None:
                return None
            union |= found
        return union
    return None  # anchors, look-arounds, back-references, any character, categories


def _char_class(items: list[tuple[object, object]]) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in items:
        if op is sre.LITERAL:
            chars.add(chr(arg))  # type: ignore[arg-type]
        elif op is sre.RANGE and arg[1] - arg[0] < _MAX_CLASS:  # type: ignore[index]
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))  # type: ignore[index]
        else:  # negation, categories, wide ranges
            return None
    return chars if len(chars) <= _MAX_CLASS else None


def _any_of(chars: frozenset[str] | None) -> re.Pattern[str] | None:
    """One search for any of `chars` (in a fixed order: the same expression every run)."""
    return None if chars is None else re.compile("[" + "".join(
        re.escape(c) for c in sorted(chars)) + "]")


class TriggeredInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, minus the searches that cannot succeed."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self._triggers: list[re.Pattern[str] | None] = []
        self._patterns: list[object] = []

    def run(self, tree, ancestors=None):  # type: ignore[no-untyped-def]
        # The registry may change between documents (it does not in deckbuild): read once
        # per document, as the base class reads it once per text.
        patterns = list(self.inlinePatterns)
        if patterns != self._patterns:
            self._patterns = patterns
            self._triggers = [_any_of(needed_characters(p.getCompiledRegExp()))
                              for p in patterns]
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        """The base class's loop over the patterns, which skips a pattern whose characters
        are not in the text (as a failed search would, starting the next one from 0)."""
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns, triggers = self._patterns, self._triggers
        start = 0
        while patternIndex < len(patterns):
            needed = triggers[patternIndex]
            if needed is not None and needed.search(data) is None:
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(patterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data
