"""cloze: Anki's {{c1::...}} deletions in the card's text, the heading as context."""

from __future__ import annotations

import re

from ..errors import Problem
from ..records import Card
from .registry import REGISTRY, BuiltinNoteType

_OPENER = re.compile(r"\{\{c(\d+)::")  # how Anki finds a cloze note's cards
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def cloze_numbers(text: str) -> tuple[int, ...]:
    """The distinct deletion numbers of a cloze field, as Anki counts its cards (c1, c2…)."""
    return tuple(sorted({int(n) for n in _OPENER.findall(text)} - {0}))


def split(card: Card) -> tuple[Card, dict[str, str], list[Problem]]:
    """The card as it is; an error for a deletion inside a code block, which the
    highlighting splits into pieces Anki no longer reads as a deletion."""
    problems, fence = [], ""
    for offset, line in enumerate(card.answer.split("\n")):
        opened = _FENCE.match(line)
        if fence and opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = ""
        elif not fence and opened:
            fence = opened.group(1)
        elif fence and _OPENER.search(line):
            problems.append(Problem(card.path, card.answer_line + offset, "a deletion inside a "
                                    "code block is not one to Anki (the highlighting splits it): "
                                    "put it in inline code or outside the block"))
    return card, {}, problems


CLOZE = REGISTRY.register(BuiltinNoteType(
    key="cloze",
    fields=("Text", "Context", "Extra", "Source", "Id"),
    sort_field="Text",
    templates=(("Cloze", "front.html", "back.html"),),
    css="style.css",
    kind="cloze",
    # The card's body holds the deletions; its heading is the context above them.
    parts=("Answer", "Question", "Extra", "Source", "Id"),
    extra_css="type.css",
    split=split,
))
