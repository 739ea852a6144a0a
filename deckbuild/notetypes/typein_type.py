"""type-in: the first paragraph is the exact answer to type; the rest explains it."""

from __future__ import annotations

from . import REGISTRY, BuiltinNoteType

TYPED, EXPLANATION = "Typed", "Explanation"  # the parts only this type has

TYPE_IN = REGISTRY.register(BuiltinNoteType(
    key="type-in",
    fields=("Question", "Answer", "Explanation", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),),
    css="style.css",
    # Anki compares what was typed with the Answer field as plain text.
    parts=("Question", TYPED, EXPLANATION, "Extra", "Source", "Id"),
    extra_css="type.css",
))
