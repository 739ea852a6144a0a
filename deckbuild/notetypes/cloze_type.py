"""cloze: Anki's {{c1::...}} deletions in the card's text, the heading as context."""

from __future__ import annotations

import re

from . import REGISTRY, BuiltinNoteType

_OPENER = re.compile(r"\{\{c(\d+)::")  # how Anki finds a cloze note's cards


def cloze_numbers(text: str) -> tuple[int, ...]:
    """The distinct deletion numbers of a cloze field, as Anki counts its cards (c1, c2…)."""
    return tuple(sorted({int(n) for n in _OPENER.findall(text)} - {0}))

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
))
