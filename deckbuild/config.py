"""Frozen configuration from [tool.deckbuild] in pyproject.toml."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DeckError, Problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

KNOWN_KEYS = {
    "name", "slug", "version", "description", "deck_id", "guid_namespace", "cards",
    "media", "templates", "dist", "code_style_light", "code_style_dark", "notetype", "lock",
    *("title", "tags", "support_url", "license", "attribution"),  # the AnkiWeb listing
}
NOTETYPE_KEYS = {"id", "name", "fields", "sort_field", "css", "templates", "kind"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteTypeSpec:
    id: int
    name: str
    fields: tuple[str, ...]
    sort_field: str
    css: str
    templates: tuple[TemplateSpec, ...]
    kind: str = "standard"


@dataclass(frozen=True)
class ShareSpec:
    """What the AnkiWeb listing says beside the cards; its limits are checked by `check --share`."""

    title: str = ""
    tags: tuple[str, ...] = ()
    support_url: str = ""
    license: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class Config:
    root: Path
    name: str
    slug: str
    version: str
    description: str
    deck_id: int
    guid_namespace: str
    cards_dir: Path
    media_dir: Path
    templates_dir: Path
    dist_dir: Path
    lock_path: Path
    code_style_light: str
    code_style_dark: str
    notetype: NoteTypeSpec
    warnings: tuple[Problem, ...] = ()
    share: ShareSpec = field(default_factory=ShareSpec)

    @property
    def package_path(self) -> Path:
        return self.dist_dir / f"{self.slug}-{self.version}.apkg"


def load_config(root: Path, version: str | None = None) -> Config:
    """Read [tool.deckbuild] from root/pyproject.toml; `version` overrides the file's."""
    root = root.resolve()
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeckError(Problem("pyproject.toml", 0, f"no pyproject.toml in {root}")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeckError(Problem("pyproject.toml", 0, f"invalid TOML: {exc}")) from None
    section = data.get("tool", {}).get("deckbuild")
    if not isinstance(section, dict):
        raise DeckError(Problem("pyproject.toml", 0, "no [tool.deckbuild] table"))
    return _config_from(root, section, version)


def _config_from(root: Path, t: dict[str, Any], version: str | None) -> Config:
    problems: list[Problem] = []
    warnings = [
        Problem("pyproject.toml", 0, f"unknown key tool.deckbuild.{k}", "warning")
        for k in sorted(set(t) - KNOWN_KEYS)
    ]

    def need(table: dict[str, Any], key: str, kind: type, where: str) -> Any:
        value = table.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(Problem("pyproject.toml", 0,
                                    f"{where}.{key} must be a {kind.__name__}"))
            return kind()
        return value

    name = need(t, "name", str, "tool.deckbuild")
    slug = t.get("slug") or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        problems.append(Problem("pyproject.toml", 0, "tool.deckbuild.slug must be kebab-case"))
    version = version or need(t, "version", str, "tool.deckbuild")
    if not _VERSION.match(version):
        problems.append(Problem("pyproject.toml", 0, f"invalid version {version!r}"))
    deck_id = need(t, "deck_id", int, "tool.deckbuild")
    nt = t.get("notetype", {})
    if not isinstance(nt, dict):
        nt = {}
    warnings += [
        Problem("pyproject.toml", 0, f"unknown key tool.deckbuild.notetype.{k}", "warning")
        for k in sorted(set(nt) - NOTETYPE_KEYS)
    ]
    notetype = NoteTypeSpec(
        id=need(nt, "id", int, "tool.deckbuild.notetype"),
        name=need(nt, "name", str, "tool.deckbuild.notetype"),
        fields=tuple(need(nt, "fields", list, "tool.deckbuild.notetype")),
        sort_field=need(nt, "sort_field", str, "tool.deckbuild.notetype"),
        css=nt.get("css", "style.css"),
        templates=tuple(
            TemplateSpec(str(x.get("name")), str(x.get("front")), str(x.get("back")))
            for x in need(nt, "templates", list, "tool.deckbuild.notetype")
            if isinstance(x, dict)
        ),
        kind=nt.get("kind", "standard"),
    )
    if notetype.sort_field not in notetype.fields:
        problems.append(Problem("pyproject.toml", 0,
                                "tool.deckbuild.notetype.sort_field must name one of its fields"))
    problems += _share_problems(t)
    if problems:
        raise DeckError(problems)
    return Config(
        root=root,
        name=name,
        slug=slug,
        version=version,
        description=str(t.get("description", "")),
        deck_id=deck_id,
        guid_namespace=str(t.get("guid_namespace", slug)),
        cards_dir=root / str(t.get("cards", "cards")),
        media_dir=root / str(t.get("media", "media")),
        templates_dir=root / str(t.get("templates", "templates")),
        dist_dir=root / str(t.get("dist", "dist")),
        lock_path=root / str(t.get("lock", "deck.lock.json")),
        code_style_light=str(t.get("code_style_light", "default")),
        code_style_dark=str(t.get("code_style_dark", "github-dark")),
        notetype=notetype,
        warnings=tuple(warnings),
        share=_share_from(t, name),
    )


def _share_problems(t: dict[str, Any]) -> list[Problem]:
    """Types of the listing keys (their AnkiWeb limits are `check --share`'s business)."""
    problems = [Problem("pyproject.toml", 0, f"tool.deckbuild.{key} must be a string")
                for key in ("title", "support_url", "license", "attribution")
                if not isinstance(t.get(key, ""), str)]
    tags = t.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(x, str) and x and not any(
            c.isspace() for c in x) for x in tags):
        problems.append(Problem("pyproject.toml", 0, "tool.deckbuild.tags must be a list of "
                                "tags without spaces, e.g. tags = [\"machine-learning\"]"))
    return problems


def _share_from(t: dict[str, Any], name: str) -> ShareSpec:
    return ShareSpec(title=t.get("title") or name, tags=tuple(t.get("tags", ())),
                     support_url=t.get("support_url", "").strip(), license=t.get("license", ""),
                     attribution=t.get("attribution", ""))
