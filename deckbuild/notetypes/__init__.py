"""Built-in note types: each one is a schema plus a folder of template files (package data).

Each type is one small module (basic_type, reversed_type, cloze_type, typein_type) that
registers its BuiltinNoteType here; the build asks the registry by name, never a chain of
`if type == ...`. A project that names no templates folder and has no templates/ of its
own uses the built-in templates; one without a full [tool.deckbuild.notetype] table gets
the built-in schema. `deckbuild init --templates` copies a folder out for customising,
and templates/<type>/ overrides the built-in files of one of the other types.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..errors import Problem
    from ..records import Card

# A type's own reading of a card before rendering: the card to render, parts of its own
# (already HTML), and problems at the card's lines.
Split = Callable[["Card"], "tuple[Card, dict[str, str], list[Problem]]"]

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuiltinNoteType:
    """A note type shipped with deckbuild: its frozen schema and where its files are.

    `parts` names, for each field, the part of a card it receives (fieldmap.PARTS' values,
    or a part of the type's own such as the typed answer); `extra_css` is a file of the
    type's folder appended to the shared CSS."""

    key: str
    fields: tuple[str, ...]
    sort_field: str
    templates: tuple[tuple[str, str, str], ...]  # (template name, front file, back file)
    css: str
    kind: str = "standard"
    parts: tuple[str, ...] = ()
    extra_css: str = ""
    split: Split | None = None

    @property
    def folder(self) -> Path:
        return _HERE / self.key

    def files(self) -> tuple[str, ...]:
        """The names of its files in `folder`, in a fixed order."""
        names = (*(name for _, front, back in self.templates for name in (front, back)),
                 self.css, self.extra_css)
        return tuple(name for name in names if name and (self.folder / name).is_file())


class Registry:
    """Named note types in the order they were registered (Python-Markdown's Registry, small)."""

    def __init__(self) -> None:
        self._types: dict[str, BuiltinNoteType] = {}

    def register(self, notetype: BuiltinNoteType) -> BuiltinNoteType:
        if notetype.key in self._types:
            raise ValueError(f"note type {notetype.key!r} is registered twice")
        self._types[notetype.key] = notetype
        return notetype

    def get(self, key: str) -> BuiltinNoteType | None:
        return self._types.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._types

    def __iter__(self) -> Iterator[BuiltinNoteType]:
        return iter(self._types.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._types)


REGISTRY = Registry()

# The modules register themselves on import, in this order (basic first: the default).
from . import basic_type, reversed_type, cloze_type, typein_type  # noqa: E402, I001

BASIC = basic_type.BASIC
BUILTIN: dict[str, BuiltinNoteType] = {nt.key: nt for nt in REGISTRY}
DEFAULT = BASIC
__all__ = ["BASIC", "BUILTIN", "DEFAULT", "REGISTRY", "BuiltinNoteType", "Registry",
           "cloze_type", "reversed_type", "typein_type"]
