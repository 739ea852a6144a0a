"""The built-in note types other than basic, read from their folders (or templates/<type>/).

Kept apart from notetype.py so that a build whose cards are all cached never imports
Markdown to get them (their CSS is basic's, which already holds the code styles).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DeckError, Problem, display_path
from ..notetypes import REGISTRY, BuiltinNoteType
from ..records import CardTemplate, NoteType
from ..source.ids import notetype_id_for

if TYPE_CHECKING:
    from ..project.config import Config, NoteTypeSpec

SPECIAL_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
_REFERENCE = re.compile(r"\{\{([^{}]*)\}\}")


def other_notetypes(config: Config, basic: NoteType) -> dict[str, NoteType]:
    """The built-in types other than basic, beside the project's `basic` note type."""
    types: dict[str, NoteType] = {}
    problems: list[Problem] = []
    for builtin in REGISTRY:
        if builtin.key != "basic":
            types[builtin.key] = _load_builtin(config, builtin, basic, problems)
    for spec in config.own_types:
        types[spec.key] = _load_own(config, spec, problems)
    if problems:
        raise DeckError(problems)
    return types


def type_file(config: Config, builtin: BuiltinNoteType, name: str) -> Path:
    """templates/<type>/<name> when the project has it (it overrides), else the built-in file."""
    own = config.templates_dir / builtin.key / name
    return own if own.is_file() else builtin.folder / name


def _load_builtin(config: Config, builtin: BuiltinNoteType, basic: NoteType,
                  problems: list[Problem]) -> NoteType:
    templates = []
    for name, front_file, back_file in builtin.templates:
        front_path, back_path = (type_file(config, builtin, f) for f in (front_file, back_file))
        front = read_file(front_path, config.root, problems)
        back = read_file(back_path, config.root, problems)
        templates.append(CardTemplate(name, front, back))
        for path, text in ((front_path, front), (back_path, back)):
            problems += check_references(text, builtin.fields,
                                         display_path(path, config.root))
    # The shared CSS is basic's (with the code styles), then the type's own rules.
    own_css = (read_file(type_file(config, builtin, builtin.extra_css), config.root, problems)
               if builtin.extra_css else "")
    css = f"{basic.css.rstrip()}\n\n{own_css}" if own_css.strip() else basic.css
    return NoteType(
        id=notetype_id_for(basic.id, builtin.key),
        name=f"{basic.name} ({builtin.key})",
        fields=builtin.fields,
        templates=tuple(templates),
        css=css,
        sort_field=builtin.fields.index(builtin.sort_field),
        kind=builtin.kind,
    )


def _load_own(config: Config, spec: NoteTypeSpec, problems: list[Problem]) -> NoteType:
    """One of [[tool.deckbuild.notetypes]], from templates/<key>/, with the code styles."""
    from ..markdown.render import code_css

    folder = config.templates_dir / spec.key
    templates = []
    for t in spec.templates:
        front = read_file(folder / t.front, config.root, problems)
        back = read_file(folder / t.back, config.root, problems)
        templates.append(CardTemplate(t.name, front, back))
        # Not checked for unknown fields: an adopted deck's templates are as its users have
        # them (an unknown field shows Anki's own message on the card there already).
    if not templates:
        problems.append(Problem("pyproject.toml", 0,
                                f"note type {spec.key!r} has no card templates"))
    css = read_file(folder / spec.css, config.root, problems)
    css = f"{css.rstrip()}\n\n{code_css(config.code_style_light, config.code_style_dark)}"
    return NoteType(id=spec.id, name=spec.name, fields=spec.fields, templates=tuple(templates),
                    css=css, sort_field=spec.fields.index(spec.sort_field), kind=spec.kind,
                    stock=spec.stock)


def read_file(path: Path, root: Path, problems: list[Problem]) -> str:
    """A template file's text with LF line ends; a problem (and "") when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(display_path(path, root), 0, f"cannot read: {exc}"))
        return ""


def check_references(text: str, fields: tuple[str, ...], path: str,
                     severity: str = "error") -> list[Problem]:
    """Every {{Field}} a template uses must exist (Anki shows an error card otherwise).
    An adopted deck's templates are as its users have them: there it is a warning."""
    problems = []
    for m in _REFERENCE.finditer(text):
        name = m.group(1).strip().lstrip("#^/").strip()
        name = name.rsplit(":", 1)[-1].strip()  # filters such as text:, hint:, cloze:
        if name and name not in fields and name not in SPECIAL_FIELDS:
            line = text.count("\n", 0, m.start()) + 1
            problems.append(Problem(path, line, f"template uses unknown field {name!r}",
                                    severity))
    return problems
