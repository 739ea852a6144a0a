"""basic: one card, question on the front, answer on the back (the shipped deck's type)."""

from __future__ import annotations

from .registry import REGISTRY, BuiltinNoteType

# The schema of this repository's own deck, so that projects stay compatible with it.
BASIC = REGISTRY.register(BuiltinNoteType(
    key="basic",
    fields=("Question", "Answer", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),),
    css="style.css",
    parts=("Question", "Answer", "Extra", "Source", "Id"),
))
