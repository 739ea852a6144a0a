"""cloze: Anki's {{c1::...}} deletions in the card's text, the heading as context."""

from __future__ import annotations

from . import REGISTRY, BuiltinNoteType

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
