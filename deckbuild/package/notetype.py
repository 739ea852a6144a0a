"""templates/ -> the note type: fields, card templates and CSS (with code styles)."""

from __future__ import annotations

from ..errors import DeckError, Problem, display_path
from ..markdown.render import code_css
from ..project.config import Config
from ..records import CardTemplate, NoteType
from .builtin_types import check_references, other_notetypes, read_file


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
    return {"basic": basic, **other_notetypes(config, basic)}


def _read(config: Config, name: str, problems: list[Problem]) -> str:
    return read_file(config.templates_dir / name, config.root, problems)


__all__ = ["check_references", "load_notetype", "load_notetypes"]
