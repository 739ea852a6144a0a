"""reversed: basic's fields, and a second card that asks from the answer side."""

from __future__ import annotations

import re

from ..errors import Problem
from ..records import Card
from .registry import REGISTRY, BuiltinNoteType

MAX_FRONT_WORDS = 40
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def split(card: Card) -> tuple[Card, dict[str, str], list[Problem]]:
    """The card as it is; a warning when its answer would make a poor front to recall from."""
    words = len(card.answer.split())
    why = (f"it has {words} words (more than {MAX_FRONT_WORDS})" if words > MAX_FRONT_WORDS
           else "it holds a code block" if _FENCE.search(card.answer) else "")
    if not why:
        return card, {}, []
    return card, {}, [Problem(card.path, card.answer_line, f"the answer is a poor front for "
                              f"the reversed card: {why}; shorten it, or use type 'basic'",
                              "warning")]


REVERSED = REGISTRY.register(BuiltinNoteType(
    key="reversed",
    fields=("Question", "Answer", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),
               ("Card 2", "reverse-front.html", "reverse-back.html")),
    css="style.css",
    parts=("Question", "Answer", "Extra", "Source", "Id"),
    split=split,
))
