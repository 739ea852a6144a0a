"""reversed: basic's fields, and a second card that asks from the answer side."""

from __future__ import annotations

from . import REGISTRY, BuiltinNoteType

REVERSED = REGISTRY.register(BuiltinNoteType(
    key="reversed",
    fields=("Question", "Answer", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),
               ("Card 2", "reverse-front.html", "reverse-back.html")),
    css="style.css",
    parts=("Question", "Answer", "Extra", "Source", "Id"),
))
