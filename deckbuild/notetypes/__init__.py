"""Built-in note types: each one is a schema plus a folder of template files (package data).

A project that names no templates folder and has no templates/ of its own uses the
built-in templates; one without a full [tool.deckbuild.notetype] table gets the
built-in schema. `deckbuild init --templates` copies a folder out for customising.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuiltinNoteType:
    """A note type shipped with deckbuild: its frozen schema and where its files are."""

    key: str
    fields: tuple[str, ...]
    sort_field: str
    templates: tuple[tuple[str, str, str], ...]  # (template name, front file, back file)
    css: str
    kind: str = "standard"

    @property
    def folder(self) -> Path:
        return _HERE / self.key

    def files(self) -> tuple[str, ...]:
        """The names of its files in `folder`, in a fixed order."""
        return (*(name for _, front, back in self.templates for name in (front, back)), self.css)


# The schema of this repository's own deck, so that projects stay compatible with it.
BASIC = BuiltinNoteType(
    key="basic",
    fields=("Question", "Answer", "Extra", "Source", "Id"),
    sort_field="Question",
    templates=(("Card 1", "front.html", "back.html"),),
    css="style.css",
)

BUILTIN: dict[str, BuiltinNoteType] = {nt.key: nt for nt in (BASIC,)}
DEFAULT = BASIC
