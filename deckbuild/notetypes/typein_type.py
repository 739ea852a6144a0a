"""type-in: the first paragraph is the exact answer to type; the rest explains it."""

from __future__ import annotations

import dataclasses
import html

from ..errors import Problem
from ..records import Card
from .registry import REGISTRY, BuiltinNoteType

TYPED = "Typed"  # the part only this type has: the answer to type, as plain text


def split(card: Card) -> tuple[Card, dict[str, str], list[Problem]]:
    """The card with the explanation as its answer, the typed answer (escaped plain text,
    which Anki compares with what was typed), and what is wrong with that answer."""
    lines = card.answer.split("\n")
    end = next((i for i, line in enumerate(lines) if not line.strip()), len(lines))
    first, rest = lines[:end], "\n".join(lines[end:]).strip("\n")
    problems = []
    if not first or not first[0].strip():
        problems.append(Problem(card.path, card.line, "type-in card has no answer to type: "
                                "its first paragraph is the exact answer"))
    elif len(first) > 1:
        problems.append(Problem(card.path, card.answer_line + 1, "the answer to type must be "
                                "one line: put a blank line after it, the explanation below"))
    typed = " ".join(line.strip() for line in first)
    return dataclasses.replace(card, answer=rest), {TYPED: html.escape(typed, quote=False)}, \
        problems


TYPE_IN = REGISTRY.register(BuiltinNoteType(
    key="type-in",
    fields=("Question", "Answer", "Explanation", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),),
    css="style.css",
    # Anki compares what was typed with the Answer field as plain text; the rest of the
    # card's body explains it.
    parts=("Question", TYPED, "Answer", "Extra", "Source", "Id"),
    extra_css="type.css",
    split=split,
))
