"""`init`: a new deck project, with ids of its own, that builds as it is.

The files come from package data (deckbuild/starter/, deckbuild/notetypes/) and one
generated pyproject.toml. Nothing is ever overwritten: every file is created exclusively,
after checking that none of them is there.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeckError, Problem
from ..notetypes import DEFAULT as DEFAULT_NOTETYPE
from ..source.ids import random_id, random_namespace
from .config import default_notetype_name, default_slug, key_lines, tomllib

STARTER = Path(__file__).resolve().parent / "starter"
# (name in the project, name in STARTER)
STARTER_FILES = (("README.md", "README.md"), (".gitignore", "gitignore"),
                 ("cards/01-getting-started.md", "cards/01-getting-started.md"),
                 ("media/learning-curve.png", "media/learning-curve.png"))
FIRST_VERSION = "0.1.0"


@dataclass(frozen=True)
class NewFile:
    path: str  # relative to the project, with '/'
    data: bytes


@dataclass(frozen=True)
class Identity:
    """What makes a deck itself in every user's collection: drawn once, never changed."""

    deck_id: int
    notetype_id: int
    guid_namespace: str

    @classmethod
    def fresh(cls, name: str) -> Identity:
        deck_id = random_id()
        notetype_id = random_id()
        while notetype_id == deck_id:
            notetype_id = random_id()
        return cls(deck_id, notetype_id, random_namespace(name))


def _replacing(value: str) -> Callable[[re.Match[str]], str]:
    """A substitution that keeps the key and its `=` (group 1) and writes `value` after it."""
    return lambda m: m.group(1) + value


def is_project(root: Path) -> bool:
    """Does root/pyproject.toml already hold a [tool.deckbuild] table?"""
    path = root / "pyproject.toml"
    return path.is_file() and "[tool.deckbuild]" in path.read_text(encoding="utf-8",
                                                                   errors="replace")


def init_files(root: Path, name: str, identity: Identity, templates: bool) -> list[NewFile]:
    """The files `init` writes: a whole project, or only the templates for an existing one."""
    copied = template_files() if templates else []
    if templates and is_project(root):
        return copied
    pyproject = pyproject_text(name, identity)
    readme = (STARTER / "README.md").read_text(encoding="utf-8").replace("{name}", name)
    files = [NewFile("pyproject.toml", pyproject.encode()), NewFile("README.md", readme.encode())]
    files += [NewFile(path, (STARTER / source).read_bytes())
              for path, source in STARTER_FILES if path != "README.md"]
    return files + copied


def template_files() -> list[NewFile]:
    """The built-in note type's templates and CSS, to customise in templates/."""
    folder = DEFAULT_NOTETYPE.folder
    return [NewFile(f"templates/{name}", (folder / name).read_bytes())
            for name in DEFAULT_NOTETYPE.files()]


def write_files(root: Path, files: list[NewFile]) -> None:
    """Create every file, or none: any file already there is listed in one error."""
    if root.exists() and not root.is_dir():
        raise DeckError(Problem(str(root), 0, "is a file, not a folder"))
    present = [f.path for f in files if (root / f.path).exists()]
    if present:
        raise DeckError([Problem(str(root / path), 0, "already exists; init never overwrites "
                                 "a file (nothing was written)") for path in present])
    for f in files:
        path = root / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # exclusive: a file that appeared meanwhile is kept
            out.write(f.data)


IDENTITY_KEYS = ("tool.deckbuild.deck_id", "tool.deckbuild.guid_namespace",
                 "tool.deckbuild.notetype.id")
_VALUE = re.compile(r'^(\s*[A-Za-z0-9_-]+\s*=\s*)("[^"\\]*"|\'[^\']*\'|[0-9_]+)')


def with_new_ids(text: str, identity: Identity) -> str:
    """The pyproject text with the deck's three identity values replaced; nothing else."""
    lines = text.splitlines(keepends=True)
    where = key_lines(text)
    values = (str(identity.deck_id), _toml(identity.guid_namespace), str(identity.notetype_id))
    problems = []
    for key, value in zip(IDENTITY_KEYS, values, strict=True):
        number = where.get(key, 0)
        line = lines[number - 1] if number else ""
        if not _VALUE.match(line):
            table, _, name = key.rpartition(".")
            problems.append(Problem("pyproject.toml", number or where.get(table, 0),
                                    f"no '{name} = ...' line of its own under [{table}] to "
                                    "rewrite; write one"))
            continue
        lines[number - 1] = _VALUE.sub(_replacing(value), line, count=1)
    new = "".join(lines)
    if not problems:
        deck = tomllib.loads(new)["tool"]["deckbuild"]
        if (deck.get("deck_id"), deck.get("guid_namespace"), deck.get("notetype", {}).get("id")) \
                != (identity.deck_id, identity.guid_namespace, identity.notetype_id):
            problems.append(Problem("pyproject.toml", 0, "could not rewrite the ids; change "
                                    + ", ".join(IDENTITY_KEYS) + " by hand"))
    if problems:
        raise DeckError(problems)
    return new


def write_new_ids(root: Path, identity: Identity) -> None:
    """Rewrite root/pyproject.toml with new ids, atomically."""
    path = root / "pyproject.toml"
    text = with_new_ids(path.read_bytes().decode("utf-8"), identity)  # line endings kept
    fd, tmp = tempfile.mkstemp(prefix=".pyproject.", dir=root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def pyproject_text(name: str, identity: Identity) -> str:
    """[tool.deckbuild] with this deck's identity, and every other setting at its default."""
    builtin = DEFAULT_NOTETYPE
    fields = ", ".join(json.dumps(f) for f in builtin.fields)
    templates = ", ".join(f"{{ name = {json.dumps(t)}, front = {json.dumps(front)}, back = "
                          f"{json.dumps(back)} }}" for t, front, back in builtin.templates)
    return f"""\
# An Anki deck built with deckbuild: `deckbuild build` writes dist/<slug>-<version>.apkg.
# A setting that is commented out has the value shown, as its default.

[tool.deckbuild]
name = {_toml(name)}  # the deck's name in Anki; keep it once shared
version = "{FIRST_VERSION}"  # names the package; bump it for every release
# This deck's identity, drawn at random by `deckbuild init`. Never change it once the
# deck is shared, and never copy it into another deck: their notes would mix.
deck_id = {identity.deck_id}
guid_namespace = {_toml(identity.guid_namespace)}
# slug = {_toml(default_slug(name))}  # the package's file name
# description = ""  # shown on the deck's overview in Anki
# cards = "cards"  # the card files, *.md, read in name order
# media = "media"  # images the cards show
# templates = "templates"  # your own templates (default: templates/ if it exists, else
#                          # the built-in ones; `deckbuild init --templates` copies them out)
# dist = "dist"  # where packages are written
# lock = "deck.lock.json"  # mod times and releases: commit it with the cards
# code_style_light = "default"  # Pygments style of code in day mode
# code_style_dark = "github-dark"  # and in night mode
# question_numbers = false  # keep "Question 5:" and the like in the Question field
# section_tags = true  # each card is tagged with its section's name
# notetypes = []  # note types of an adopted Anki deck, as [[tool.deckbuild.notetypes]]
#                 # tables (docs/importing.md); `import DECK.apkg` writes them
# The AnkiWeb listing that `release` writes to dist/share/<version>/:
# title = ""  # at most 60 characters (default: the deck's name)
# tags = []  # such as ["machine-learning", "interview"]; at most 60 characters in all
# support_url = ""  # optional: where users report mistakes
# license = ""  # such as "Cards: CC BY 4.0"
# attribution = ""  # who wrote the cards
# A card removed from cards/ ships in the next releases as retired (docs/releasing.md):
# retired_tag = "deckbuild::retired"  # the tag it gains
# retired_text = "Retired in {{version}}. Suspend or delete this card."  # shown on the card
# keep_retired = 3  # how many releases ship it before it is dropped

[tool.deckbuild.notetype]
id = {identity.notetype_id}  # the note type's identity: random too, never change or reuse it
# name = {_toml(default_notetype_name(name))}
# Fields and templates are frozen once the deck is shared (Anki would copy the note type).
# fields = [{fields}]
# sort_field = {_toml(builtin.sort_field)}
# css = {_toml(builtin.css)}
# templates = [{templates}]
# kind = {_toml(builtin.kind)}
# For fields of other names, the part of a card that fills each one, such as
# {{ Front = "question", Back = "answer" }} (question, answer, extra, source or id):
# map = {{}}
"""


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)
