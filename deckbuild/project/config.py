"""Frozen configuration from [tool.deckbuild] in pyproject.toml.

Every setting but a deck's identity has a default: a minimal table holds name, version,
deck_id, guid_namespace and the note type's id (under [tool.deckbuild.notetype]).
Errors teach: a missing key names itself and shows a line to add, a wrong type says
what was found, and an unknown key suggests the closest known one.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DeckError, Problem
from ..notetypes import DEFAULT as DEFAULT_NOTETYPE
from ..source.fieldmap import field_parts
from ..source.ids import random_id, random_namespace

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Each key with the TOML type it must have; REQUIRED lists those without a default.
DECK_KEYS: dict[str, type] = {
    "name": str, "version": str, "deck_id": int, "guid_namespace": str, "slug": str,
    "description": str, "cards": str, "media": str, "templates": str, "dist": str,
    "lock": str, "code_style_light": str, "code_style_dark": str, "notetype": dict,
    "question_numbers": bool,
    # Note types of the deck's own, beside `notetype` (an imported deck's: `import X.apkg`),
    # and whether a card file's section also becomes a tag (an imported deck keeps its own).
    "notetypes": list, "section_tags": bool,
    # the AnkiWeb listing (its limits are `check --share`'s business)
    "title": str, "tags": list, "support_url": str, "license": str, "attribution": str,
    # tombstones of notes removed from the sources (docs/releasing.md)
    "retired_tag": str, "retired_text": str, "keep_retired": int,
}
NOTETYPE_KEYS: dict[str, type] = {
    "id": int, "name": str, "fields": list, "sort_field": str, "css": str, "templates": list,
    "kind": str, "map": dict,
}
# One of [[tool.deckbuild.notetypes]]: its files are in templates/<key>/. `stock` is Anki's
# originalStockKind of a stock type (1 Basic ... 6 Image Occlusion), kept for "Restore".
OWN_NOTETYPE_KEYS: dict[str, type] = {
    "key": str, "id": int, "name": str, "fields": list, "sort_field": str, "css": str,
    "templates": list, "kind": str, "stock": int,
}
_OWN_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
REQUIRED = ("tool.deckbuild.name", "tool.deckbuild.version", "tool.deckbuild.deck_id",
            "tool.deckbuild.guid_namespace", "tool.deckbuild.notetype.id")
KNOWN_KEYS = set(DECK_KEYS)
# The project's scratch folder: the render cache, the build lock, recorded inputs.
CACHE_DIR = ".deckbuild-cache"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")
_TOML_TYPES = {str: "a string", int: "an integer", bool: "a boolean (true/false)",
               float: "a decimal number", list: "an array", dict: "a table"}


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
    # The card part each field receives, by its default field name (fieldmap.PARTS).
    parts: tuple[str, ...] = ()
    key: str = ""  # for one of [[tool.deckbuild.notetypes]]: the name cards give as type
    stock: int = 0


@dataclass(frozen=True)
class ShareSpec:
    """What the AnkiWeb listing says beside the cards; its limits are checked by `check --share`."""

    title: str = ""
    tags: tuple[str, ...] = ()
    support_url: str = ""
    license: str = ""
    attribution: str = ""


@dataclass(frozen=True)
class RetireSpec:
    """How a note removed from the sources reaches users: a tombstone with this tag and this
    notice ({version} is the version that retired it), shipped in this many releases."""

    tag: str = "deckbuild::retired"
    text: str = "Retired in {version}. Suspend or delete this card."
    keep: int = 3


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
    question_numbers: bool = False  # keep 'Question 5:' and the like in the Question field
    # Found in the configuration and reported with the cards' problems: unknown keys
    # (warnings) and a field map that would leave fields blank or lose a part (errors).
    problems: tuple[Problem, ...] = ()
    share: ShareSpec = field(default_factory=ShareSpec)
    own_types: tuple[NoteTypeSpec, ...] = ()  # [[tool.deckbuild.notetypes]]
    section_tags: bool = True
    retire: RetireSpec = field(default_factory=RetireSpec)
    # How the user runs deckbuild ('deckbuild', 'python build.py'), for hints; not an input.
    command: str = field(default="deckbuild", repr=False, compare=False)

    @property
    def package_path(self) -> Path:
        return self.dist_dir / f"{self.slug}-{self.version}.apkg"


def default_slug(name: str) -> str:
    """The package's file name when no slug is given: the name in kebab-case."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def default_notetype_name(deck_name: str) -> str:
    return f"{deck_name} Q&A"


def load_config(root: Path, version: str | None = None, command: str = "deckbuild") -> Config:
    """Read [tool.deckbuild] from root/pyproject.toml; `version` overrides the file's."""
    root = root.resolve()
    path = root / "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise DeckError(Problem("pyproject.toml", 0, f"no pyproject.toml in {root}; run "
                                f"'{command} init' to start a deck there")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeckError(Problem("pyproject.toml", 0, f"invalid TOML: {exc}")) from None
    section = data.get("tool", {}).get("deckbuild")
    if not isinstance(section, dict):
        raise DeckError(Problem("pyproject.toml", 0, "no [tool.deckbuild] table; run "
                                f"'{command} init --name \"My Deck\"' in an empty folder to "
                                "see a complete one"))
    return _Reader(root, text, command).config(section, version)


class _Reader:
    """Checks one [tool.deckbuild] table, collecting every problem with its line."""

    def __init__(self, root: Path, text: str, command: str) -> None:
        self.root, self.command = root, command
        self.lines = key_lines(text)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.deferred: list[Problem] = []  # reported with the cards' problems, not at once

    def problem(self, key: str, message: str, severity: str = "error") -> None:
        line = 0
        while key and not line:  # the key's line, else its table's, else the one above
            line, key = self.lines.get(key, 0), key.rpartition(".")[0]
        (self.problems if severity == "error" else self.warnings).append(
            Problem("pyproject.toml", line, message, severity))

    def get(self, table: dict[str, Any], where: str, key: str, kinds: dict[str, type],
            default: Any = None) -> Any:
        """table[key] when it has the right type; else a problem, and the default."""
        name = f"{where}.{key}"
        if key not in table:
            if name in REQUIRED:
                unknown = [k for k in table if k not in kinds]
                typo = difflib.get_close_matches(key, unknown, n=1, cutoff=0.6)
                hint = f" ('{typo[0]}' looks like a misspelling of it)" if typo else ""
                self.problem(f"{where}.{typo[0]}" if typo else name,
                             f"missing key {name}{hint}: {self.example(name)}")
            return default
        value, kind = table[key], kinds[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            found = _TOML_TYPES.get(type(value), type(value).__name__)
            self.problem(name, f"{name} must be {_TOML_TYPES[kind]}, found {found} "
                         f"({_short(value)}); {self.example(name)}")
            return default
        return value

    def example(self, name: str) -> str:
        """A line that would be right for `name`, to copy."""
        key = name.rpartition(".")[2]
        where = "[tool.deckbuild.notetype]" if ".notetype." in name else "[tool.deckbuild]"
        if key in ("deck_id", "id"):
            return (f"add a line like '{key} = {random_id()}' under {where} (a random number "
                    f"drawn for you; never reuse another deck's)")
        if key == "guid_namespace":
            return (f"add a line like 'guid_namespace = \"{random_namespace('my deck')}\"' "
                    f"under {where} (random, for a new deck; a deck already shared without one "
                    f"used its slug: write that to keep its notes)")
        values = {"name": '"My Deck"', "version": '"1.0.0"', "slug": '"my-deck"',
                  "fields": '["Question", "Answer", "Extra", "Source", "Id"]',
                  "templates": '[{ name = "Card 1", front = "front.html", back = "back.html" }]',
                  "notetype": f"{{ id = {random_id()} }}"}
        kind = (OWN_NOTETYPE_KEYS if ".notetypes." in name else
                NOTETYPE_KEYS if ".notetype." in name else DECK_KEYS)[key]
        value = values.get(key, {str: '"..."', list: "[...]", dict: "{ ... }",
                                 bool: "false"}.get(kind, "..."))
        return f"for example '{key} = {value}' under {where}"

    def unknown(self, table: dict[str, Any], where: str, known: dict[str, type]) -> None:
        for key in sorted(set(table) - set(known)):
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else \
                f" (known: {', '.join(sorted(known))})"
            self.problem(f"{where}.{key}", f"unknown key {where}.{key}{hint}", "warning")

    def config(self, t: dict[str, Any], version: str | None) -> Config:
        where = "tool.deckbuild"
        self.unknown(t, where, DECK_KEYS)
        name = self.get(t, where, "name", DECK_KEYS, "")
        slug = self.get(t, where, "slug", DECK_KEYS, None) or default_slug(name)
        if (slug or "name" in t) and not _SLUG.match(slug):
            self.problem(f"{where}.slug", f"tool.deckbuild.slug must be kebab-case (lowercase "
                         f"letters, digits and '-'), found {slug!r}")
        version = version or self.get(t, where, "version", DECK_KEYS, "0")
        if not _VERSION.match(version):
            self.problem(f"{where}.version", f"invalid version {version!r}")
        deck_id = self.get(t, where, "deck_id", DECK_KEYS, 0)
        namespace = self.get(t, where, "guid_namespace", DECK_KEYS, "")
        if "guid_namespace" in t and not namespace:
            self.problem(f"{where}.guid_namespace", "tool.deckbuild.guid_namespace is empty")
        notetype = self.notetype(self.get(t, where, "notetype", DECK_KEYS, {}), name)
        paths = {key: self.root / self.get(t, where, key, DECK_KEYS, default)
                 for key, default in (("cards", "cards"), ("media", "media"), ("dist", "dist"),
                                      ("lock", "deck.lock.json"))}
        question_numbers = self.get(t, where, "question_numbers", DECK_KEYS, False)
        share = self.share(t, where, name)
        own_types = self.own_types(self.get(t, where, "notetypes", DECK_KEYS, []))
        section_tags = self.get(t, where, "section_tags", DECK_KEYS, True)
        retire = self.retire(t, where)
        if self.problems:
            raise DeckError(self.problems)
        return Config(
            root=self.root, name=name, slug=slug, version=version,
            description=self.get(t, where, "description", DECK_KEYS, ""),
            deck_id=deck_id, guid_namespace=namespace,
            cards_dir=paths["cards"], media_dir=paths["media"],
            templates_dir=self.templates_dir(self.get(t, where, "templates", DECK_KEYS)),
            dist_dir=paths["dist"], lock_path=paths["lock"],
            code_style_light=self.get(t, where, "code_style_light", DECK_KEYS, "default"),
            code_style_dark=self.get(t, where, "code_style_dark", DECK_KEYS, "github-dark"),
            notetype=notetype,
            question_numbers=question_numbers,
            problems=tuple(self.warnings + self.deferred), command=self.command, share=share,
            own_types=own_types, section_tags=section_tags, retire=retire,
        )

    def own_types(self, items: list[Any]) -> tuple[NoteTypeSpec, ...]:
        """[[tool.deckbuild.notetypes]]: each with a key, an id, fields and templates."""
        from ..notetypes import REGISTRY

        where = "tool.deckbuild.notetypes"
        specs: list[NoteTypeSpec] = []
        for item in items:
            if not isinstance(item, dict):
                self.problem(where, f"each of {where} must be a table, found {_short(item)}")
                continue
            self.unknown(item, where, OWN_NOTETYPE_KEYS)
            key = self.get(item, where, "key", OWN_NOTETYPE_KEYS, "")
            if not _OWN_KEY.match(key) or key in REGISTRY:
                self.problem(f"{where}.key", f"{where}.key must be kebab-case and not a built-in "
                             f"type's name ({', '.join(REGISTRY.names())}), found {key!r}")
            if key in {s.key for s in specs}:
                self.problem(f"{where}.key", f"note type key {key!r} is given twice")
            fields = self.get(item, where, "fields", OWN_NOTETYPE_KEYS, [])
            if not fields or not all(isinstance(f, str) and f for f in fields) \
                    or len(set(fields)) != len(fields):
                self.problem(f"{where}.fields", f"{where}.fields of {key!r} must be distinct "
                             "non-empty names")
                fields = fields if fields and all(isinstance(f, str) for f in fields) else ["?"]
            sort_field = self.get(item, where, "sort_field", OWN_NOTETYPE_KEYS, fields[0])
            if sort_field not in fields:
                self.problem(f"{where}.sort_field", f"{where}.sort_field of {key!r} must name "
                             f"one of its fields, found {sort_field!r}")
                sort_field = fields[0]
            kind = self.get(item, where, "kind", OWN_NOTETYPE_KEYS, "standard")
            if kind not in ("standard", "cloze"):
                self.problem(f"{where}.kind", f"{where}.kind must be 'standard' or 'cloze'")
            id_ = self.get(item, where, "id", OWN_NOTETYPE_KEYS, 0)
            if "id" not in item:
                self.problem(where, f"{where} {key!r} has no id: {self.example(where + '.id')}")
            specs.append(NoteTypeSpec(
                id=id_, name=self.get(item, where, "name", OWN_NOTETYPE_KEYS, key),
                fields=tuple(fields), sort_field=sort_field,
                css=self.get(item, where, "css", OWN_NOTETYPE_KEYS, "style.css"),
                templates=self.templates(item, where, ()), kind=kind, key=key,
                stock=self.get(item, where, "stock", OWN_NOTETYPE_KEYS, 0)))
        return tuple(specs)

    def retire(self, t: dict[str, Any], where: str) -> RetireSpec:
        """The tombstones' tag, notice and how many releases ship them."""
        default = RetireSpec()
        tag = self.get(t, where, "retired_tag", DECK_KEYS, default.tag)
        if not tag or any(c.isspace() for c in tag):
            self.problem(f"{where}.retired_tag", f"{where}.retired_tag must be one tag without "
                         f"spaces, found {_short(tag)}")
        text = self.get(t, where, "retired_text", DECK_KEYS, default.text)
        try:
            text.format(version="1.0.0")
        except (KeyError, IndexError, ValueError):
            self.problem(f"{where}.retired_text", f"{where}.retired_text may use only "
                         f"{{version}} in braces, found {_short(text)}")
        keep = self.get(t, where, "keep_retired", DECK_KEYS, default.keep)
        if keep < 0:
            self.problem(f"{where}.keep_retired", f"{where}.keep_retired must be 0 or more "
                         f"releases, found {keep}")
        return RetireSpec(tag, text, keep)

    def share(self, t: dict[str, Any], where: str, name: str) -> ShareSpec:
        """The AnkiWeb listing's settings; the title defaults to the deck's name."""
        tags = self.get(t, where, "tags", DECK_KEYS, [])
        if not all(isinstance(x, str) and x and not any(c.isspace() for c in x) for x in tags):
            self.problem(f"{where}.tags", f"{where}.tags must be a list of tags without "
                         f"spaces, found {_short(tags)}; for example "
                         "'tags = [\"machine-learning\"]' under [tool.deckbuild]")
            tags = []
        text = {key: self.get(t, where, key, DECK_KEYS, "")
                for key in ("title", "support_url", "license", "attribution")}
        return ShareSpec(title=text["title"] or name, tags=tuple(tags),
                         support_url=text["support_url"].strip(), license=text["license"],
                         attribution=text["attribution"])

    def templates_dir(self, value: str | None) -> Path:
        """The folder named in the config, else the project's templates/, else the built-in."""
        if value is not None:
            return self.root / value
        own = self.root / "templates"
        return own if own.is_dir() else DEFAULT_NOTETYPE.folder

    def notetype(self, nt: dict[str, Any], deck_name: str) -> NoteTypeSpec:
        where, builtin = "tool.deckbuild.notetype", DEFAULT_NOTETYPE
        self.unknown(nt, where, NOTETYPE_KEYS)
        fields = self.get(nt, where, "fields", NOTETYPE_KEYS, list(builtin.fields))
        if not fields or not all(isinstance(f, str) and f for f in fields):
            self.problem(f"{where}.fields", f"{where}.fields must be a non-empty array of names")
            fields = list(builtin.fields)
        sort_field = self.get(nt, where, "sort_field", NOTETYPE_KEYS, builtin.sort_field)
        if sort_field not in fields:
            self.problem(f"{where}.sort_field",
                         f"{where}.sort_field must name one of its fields, found {sort_field!r}")
        parts, found = field_parts(fields, nt.get("map", {}))
        self.deferred += found
        return NoteTypeSpec(
            id=self.get(nt, where, "id", NOTETYPE_KEYS, 0),
            name=self.get(nt, where, "name", NOTETYPE_KEYS, default_notetype_name(deck_name)),
            fields=tuple(fields),
            sort_field=sort_field,
            css=self.get(nt, where, "css", NOTETYPE_KEYS, builtin.css),
            templates=self.templates(nt, where, builtin.templates),
            kind=self.get(nt, where, "kind", NOTETYPE_KEYS, builtin.kind),
            parts=parts,
        )

    def templates(self, nt: dict[str, Any], where: str,
                  default: tuple[tuple[str, str, str], ...]) -> tuple[TemplateSpec, ...]:
        items = self.get(nt, where, "templates", NOTETYPE_KEYS, None)
        if items is None:
            return tuple(TemplateSpec(*t) for t in default)
        specs = []
        for item in items:
            if not (isinstance(item, dict)
                    and all(isinstance(item.get(k), str) for k in ("name", "front", "back"))):
                self.problem(f"{where}.templates", f"each of {where}.templates must be a table "
                             f"with strings name, front and back, found {_short(item)}; "
                             f"{self.example(where + '.templates')}")
                continue
            specs.append(TemplateSpec(item["name"], item["front"], item["back"]))
        return tuple(specs)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\s\"]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def key_lines(text: str) -> dict[str, int]:
    """Line numbers of tables and keys ('tool.deckbuild', 'tool.deckbuild.deck_id', ...).

    tomllib reads values but keeps no positions; this only locates them for messages, so
    it reads headers and `key =` lines and nothing else (0 stands for "not found").
    """
    found: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = re.sub(r"\s+", "", header.group(1)).replace('"', "")
            found.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key and table:
            found.setdefault(f"{table}.{key.group(1)}", number)
    return found
