"""templates/ -> the note type: fields, card templates and CSS (with code styles)."""

from __future__ import annotations

import re
from pathlib import Path

from .config import Config
from .errors import DeckError, Problem, display_path
from .ids import notetype_id_for
from .notetypes import REGISTRY, BuiltinNoteType
from .records import CardTemplate, NoteType
from .render import code_css

SPECIAL_FIELDS = {"FrontSide", "Tags", "Type", "Deck", "Subdeck", "Card", "CardFlag", "CardID"}
_REFERENCE = re.compile(r"\{\{([^{}]*)\}\}")


def load_notetype(config: Config) -> NoteType:
    """Read each template file and the CSS; every problem is reported at once."""
    spec = config.notetype
    if not config.templates_dir.is_dir():
        raise DeckError(Problem(display_path(config.templates_dir, config.root), 0, (
            f"no templates folder: create it ('{config.command} init --templates' writes the "
            "built-in templates to templates/), or remove the 'templates' setting from "
            "[tool.deckbuild] to use the built-in ones")))
    problems: list[Problem] = []
    templates = []
    for t in spec.templates:
        front = _read(config, t.front, problems)
        back = _read(config, t.back, problems)
        templates.append(CardTemplate(t.name, front, back))
        for name, text in ((t.front, front), (t.back, back)):
            problems += check_references(text, spec.fields, display_path(
                config.templates_dir / name, config.root))
    css = _read(config, spec.css, problems)
    if not templates:
        problems.append(Problem("pyproject.toml", 0, "the note type has no card templates"))
    if problems:
        raise DeckError(problems)
    css = f"{css.rstrip()}\n\n{code_css(config.code_style_light, config.code_style_dark)}"
    return NoteType(
        id=spec.id,
        name=spec.name,
        fields=spec.fields,
        templates=tuple(templates),
        css=css,
        sort_field=spec.fields.index(spec.sort_field),
        kind=spec.kind,
    )


def load_notetypes(config: Config) -> dict[str, NoteType]:
    """Every built-in type by name: basic is the project's own note type (its templates/ and
    [tool.deckbuild.notetype]); the others share its CSS, with their own ids and schemas."""
    basic = load_notetype(config)
    types = {"basic": basic}
    problems: list[Problem] = []
    for builtin in REGISTRY:
        if builtin.key != "basic":
            types[builtin.key] = _load_builtin(config, builtin, basic, problems)
    if problems:
        raise DeckError(problems)
    return types


def type_folder(config: Config, builtin: BuiltinNoteType) -> Path:
    """templates/<type>/ when the project has one (it overrides), else the built-in files."""
    own = config.templates_dir / builtin.key
    return own if own.is_dir() else builtin.folder


def _load_builtin(config: Config, builtin: BuiltinNoteType, basic: NoteType,
                  problems: list[Problem]) -> NoteType:
    folder = type_folder(config, builtin)
    templates = []
    for name, front_file, back_file in builtin.templates:
        front = _read_file(folder / front_file, config.root, problems)
        back = _read_file(folder / back_file, config.root, problems)
        templates.append(CardTemplate(name, front, back))
        for file, text in ((front_file, front), (back_file, back)):
            problems += check_references(text, builtin.fields,
                                         display_path(folder / file, config.root))
    # The shared CSS is basic's (with the code styles), then the type's own rules.
    own_css = (_read_file(folder / builtin.extra_css, config.root, problems)
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


def _read(config: Config, name: str, problems: list[Problem]) -> str:
    return _read_file(config.templates_dir / name, config.root, problems)


def _read_file(path: Path, root: Path, problems: list[Problem]) -> str:
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(display_path(path, root), 0, f"cannot read: {exc}"))
        return ""


def check_references(text: str, fields: tuple[str, ...], path: str) -> list[Problem]:
    """Every {{Field}} a template uses must exist (Anki shows an error card otherwise)."""
    problems = []
    for m in _REFERENCE.finditer(text):
        name = m.group(1).strip().lstrip("#^/").strip()
        name = name.rsplit(":", 1)[-1].strip()  # filters such as text:, hint:, cloze:
        if name and name not in fields and name not in SPECIAL_FIELDS:
            line = text.count("\n", 0, m.start()) + 1
            problems.append(Problem(path, line, f"template uses unknown field {name!r}"))
    return problems
