"""The registry of built-in note types: each kind's schema and where its files are."""

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
