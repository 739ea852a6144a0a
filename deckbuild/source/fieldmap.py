"""Which part of a card fills each field of the note type, and what would be lost.

A card has five parts: its question, answer, extra text, source and id. Each field of
the note type receives one of them, named in [tool.deckbuild.notetype] `map` or, for a
field called Question, Answer, Extra, Source or Id, by its name. The renderer knows the
parts by those default field names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..errors import Problem
from ..records import RenderedNote, SourceFile

PARTS = {"question": "Question", "answer": "Answer", "extra": "Extra", "source": "Source",
         "id": "Id"}
WHERE = "tool.deckbuild.notetype.map"
_CHOICES = ", ".join(PARTS)
_TAG = re.compile(r"<(?!img\b)[^>]*>")


def field_parts(fields: Iterable[str], mapping: object) -> tuple[tuple[str, ...], list[Problem]]:
    """The part (as its default field name) each field receives, and every mapping problem."""
    fields = tuple(fields)
    problems: list[Problem] = []
    if not isinstance(mapping, Mapping):
        problems.append(_config_problem(f"{WHERE} must be a table such as "
                                        '{ Front = "question", Back = "answer" }'))
        mapping = {}
    for name, part in mapping.items():
        if name not in fields:
            problems.append(_config_problem(f"{WHERE} names {name!r}, which is not a field of "
                                            "the note type"))
        elif not isinstance(part, str) or part not in PARTS:
            problems.append(_config_problem(f"{WHERE}.{name} must be one of {_CHOICES}"))
    parts = []
    for name in fields:
        part = mapping.get(name, name.lower() if name.lower() in PARTS else None)
        if not isinstance(part, str):
            problems.append(_config_problem(f"field {name!r} of the note type is filled by "
                                            f"nothing: map it in {WHERE} to one of {_CHOICES}"))
        parts.append(PARTS.get(part, ""))
    for part in ("question", "answer"):
        if PARTS[part] not in parts:
            problems.append(_config_problem(f"no field of the note type receives the card's "
                                            f"{part}: map one in {WHERE}"))
    return tuple(parts), problems


def _config_problem(message: str) -> Problem:
    return Problem("pyproject.toml", 0, message)


def unreceived(source: SourceFile, parts: tuple[str, ...]) -> list[Problem]:
    """Extra text or a source that no field of the note type would receive."""
    problems = []
    for card in source.cards:
        if card.extra.strip() and PARTS["extra"] not in parts:
            problems.append(Problem(card.path, card.extra_line, "no field of the note type "
                                    f"receives '<!-- extra -->' text: map one to extra in {WHERE}"))
        if card.source.strip() and PARTS["source"] not in parts:
            problems.append(Problem(card.path, card.source_line, "no field of the note type "
                                    f"receives '<!-- source: -->': map one to source in {WHERE}"))
    return problems


def empty_first_fields(notes: Iterable[RenderedNote], fields: tuple[str, ...],
                       parts: tuple[str, ...]) -> list[Problem]:
    """Notes whose first field shows nothing: Anki would give them a blank front."""
    if not parts or not parts[0]:
        return []  # the field receives nothing at all: the configuration's error says so
    return [Problem(note.path, note.line, f"the first field {fields[0]!r} is empty: Anki would "
                    "show a blank card")
            for note in notes if note.fields and _blank(note.fields[0])]


def _blank(html: str) -> bool:
    """True when the HTML shows nothing: no text and no image (most fields have no tag)."""
    return not html.strip() or ("<" in html and not _TAG.sub("", html).strip())
