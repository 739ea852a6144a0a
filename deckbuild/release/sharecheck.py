"""What AnkiWeb's Share form and its users will hold against a release: `check --share`.

Limits of the Share form (Anki desktop, Share on a deck): a title of at most 60
characters, a description of at most 65,000, tags of at most 60 in all and a support URL
of at most 180. A shared deck is a synced deck, so the author's collection must also pass
AnkiWeb's sync limits; see SIZE_LIMITS.
"""

from __future__ import annotations

import html.parser
import json
import re
import sqlite3
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, display_path
from ..project.config import Config
from .guards import describe_schema_change, migration_advice
from .lock import Release

TITLE_MAX = 60
DESCRIPTION_MAX = 65_000
TAGS_MAX = 60
SUPPORT_URL_MAX = 180
# Anki refuses a full upload to AnkiWeb of a collection over 250 MB uncompressed or 100 MB
# compressed (its client-side defaults, MAX_UPLOAD_MEGS_UNCOMP/COMP), and media sync skips
# files of 100 MiB or more. The package's collection must fit with room for the author's
# other decks, so reaching either collection limit is an error.
COLLECTION_MAX = 250 * 1000 * 1000
COLLECTION_COMPRESSED_MAX = 100 * 1000 * 1000
MEDIA_FILE_MAX = 100 * 1024 * 1024
_SCHEDULED = ("type", "queue", "ivl", "factor", "reps", "lapses", "left", "odue", "odid",
              "flags")


@dataclass(frozen=True)
class PackageFacts:
    """What the share checks and the listing need to know of a built .apkg."""

    shown: str  # the package's path as the user reads it
    collection_size: int  # bytes of collection.anki2, uncompressed
    collection_compressed: int
    largest_media: tuple[str, int]  # (name, bytes); ("", 0) without media
    cards_per_deck: tuple[tuple[str, int], ...]  # sorted by deck name
    cards_per_notetype: tuple[tuple[str, int], ...]
    scheduled: tuple[str, ...]  # scheduling data found, e.g. "3 cards with reps"
    missing_media: tuple[str, ...]  # referenced by a field, absent from the package

    @property
    def cards(self) -> int:
        return sum(n for _, n in self.cards_per_deck)


class _Sources(html.parser.HTMLParser):
    """The media names a field refers to: <img src>, <audio>/<source> src, [sound:x]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key == "src" and value and "://" not in value and not value.startswith("data:"):
                self.names.add(value)


def media_references(fields: str) -> set[str]:
    """Media names used by a note's fields (joined by any separator)."""
    parser = _Sources()
    parser.feed(fields)
    parser.close()
    return parser.names | set(re.findall(r"\[sound:([^\]]+)\]", fields))


def template_references(model: dict) -> set[str]:
    """Media a note type's templates and CSS use (`_font.woff` and the like)."""
    names = set().union(*(media_references(t.get("qfmt", "") + t.get("afmt", ""))
                          for t in model.get("tmpls", [])))
    urls = re.findall(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""", model.get("css", ""))
    return names | {u for u in urls if "://" not in u and not u.startswith("data:")}


RETIRED_MARK = 'class="deckbuild-retired"'  # in a tombstone's first field (tombstones.py)


def read_package_facts(path: Path, shown: str) -> PackageFacts:
    """Open the .apkg as Anki will: its collection, its media map and its members."""
    with zipfile.ZipFile(path) as zf, tempfile.TemporaryDirectory() as tmp:
        info = zf.getinfo("collection.anki2")
        media_map = json.loads(zf.read("media"))
        members = {i.filename: i.file_size for i in zf.infolist()}
        zf.extract(info, tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            decks = {int(k): v["name"] for k, v in
                     json.loads(conn.execute("SELECT decks FROM col").fetchone()[0]).items()}
            model_json = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
            models = {int(k): v["name"] for k, v in model_json.items()}
            # Tombstones (retired notes) are not part of what the deck holds.
            rows = conn.execute("SELECT c.did, n.mid FROM cards c JOIN notes n ON n.id = c.nid"
                                " WHERE instr(n.flds, ?) = 0", (RETIRED_MARK,)).fetchall()
            scheduled = [f"{n} card{'s' if n != 1 else ''} with {column}" for column in _SCHEDULED
                         for (n,) in [conn.execute(f"SELECT count(*) FROM cards WHERE {column} "
                                                   "NOT IN (0, '')").fetchone()] if n]
            reviews = conn.execute("SELECT count(*) FROM revlog").fetchone()[0]
            # A tombstone's pictures were shipped with the note it retires: users have them.
            used = set().union(*(media_references(f) for (f,) in conn.execute(
                                     "SELECT flds FROM notes WHERE instr(flds, ?) = 0",
                                     (RETIRED_MARK,))),
                               *(template_references(m) for m in model_json.values()))
        finally:
            conn.close()
    if reviews:
        scheduled.append(f"{reviews} review log entr{'ies' if reviews != 1 else 'y'}")
    packaged = {name: members.get(index, -1) for index, name in media_map.items()}
    largest = max(((n, s) for n, s in packaged.items()), key=lambda x: (x[1], x[0]),
                  default=("", 0))
    return PackageFacts(
        shown=shown,
        collection_size=info.file_size,
        collection_compressed=info.compress_size,
        largest_media=largest,
        cards_per_deck=tuple(sorted(Counter(decks.get(d, "?") for d, _ in rows).items())),
        cards_per_notetype=tuple(sorted(Counter(models.get(m, "?") for _, m in rows).items())),
        scheduled=tuple(scheduled),
        missing_media=tuple(sorted(n for n in used if packaged.get(n, -1) < 0)),
    )


def key_line(config: Config, key: str) -> int:
    """The line of `key = ...` in [tool.deckbuild] of pyproject.toml (0 when not there)."""
    try:
        lines = (config.root / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    inside = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.replace(" ", "") == "[tool.deckbuild]"
        elif inside and re.match(rf"{re.escape(key)}\s*=", stripped):
            return number
    return 0


def settings_problems(config: Config, previous: Release | None) -> list[Problem]:
    """The listing's own fields against the Share form, and the deck name against the last release."""
    share = config.share

    def at(key: str, message: str, severity: str = "error") -> Problem:
        return Problem("pyproject.toml", key_line(config, key), message, severity)

    problems = []
    if not share.title.strip():
        problems.append(at("title", "the AnkiWeb title is empty: set tool.deckbuild.title"))
    if len(share.title) > TITLE_MAX:
        problems.append(at("title", f"the AnkiWeb title is {len(share.title)} characters; the "
                                    f"Share form allows at most {TITLE_MAX}: {share.title!r}"))
    tags = " ".join(share.tags)
    if len(tags) > TAGS_MAX:
        problems.append(at("tags", f"the AnkiWeb tags are {len(tags)} characters in all; the "
                                   f"Share form allows at most {TAGS_MAX}: {tags!r}"))
    url = share.support_url
    if len(url) > SUPPORT_URL_MAX:
        problems.append(at("support_url", f"the support URL is {len(url)} characters; the Share "
                                          f"form allows at most {SUPPORT_URL_MAX}: {url!r}"))
    if url and not re.match(r"https?://[^\s/]+", url):
        problems.append(at("support_url", f"the support URL must start with https:// or "
                                          f"http://: {url!r}"))
    if not config.description.strip():
        problems.append(at("description", "the description is empty: the AnkiWeb listing "
                                          "would not say what the deck covers", "warning"))
    roots = sorted({deck.split("::", 1)[0] for deck in previous.decks}) if previous else []
    if previous is not None and roots and config.name not in roots:
        problems.append(at("name", f"the deck is named {config.name!r} but release "
                                   f"{previous.version} was {roots[0]!r}: importing it makes a "
                                   "new deck, and sharing that deck breaks the AnkiWeb share's "
                                   "updates; keep the released name"))
    return problems


def package_problems(facts: PackageFacts) -> list[Problem]:
    """The built package against AnkiWeb's size limits; no scheduling data; no missing media."""
    problems = []

    def over(what: str, size: int, limit: int) -> None:
        if size > limit:
            problems.append(Problem(facts.shown, 0, f"{what} is {size:,} bytes; AnkiWeb refuses "
                                                    f"more than {limit:,}"))

    over("collection.anki2 (uncompressed)", facts.collection_size, COLLECTION_MAX)
    over("collection.anki2 (compressed)", facts.collection_compressed, COLLECTION_COMPRESSED_MAX)
    name, size = facts.largest_media
    if size >= MEDIA_FILE_MAX:
        problems.append(Problem(facts.shown, 0, f"media file {name!r} is {size:,} bytes; AnkiWeb "
                                                f"syncs no file of {MEDIA_FILE_MAX:,} or more"))
    if facts.scheduled:
        problems.append(Problem(facts.shown, 0, "the package holds scheduling data ("
                                + ", ".join(facts.scheduled) + "); a shared deck must not"))
    if facts.missing_media:
        problems.append(Problem(facts.shown, 0, "media files used by notes or templates are "
                                "missing from the package: " + ", ".join(facts.missing_media)))
    return problems


def schema_warning(config: Config, previous: Release | None,
                   schema: dict[str, object]) -> list[Problem]:
    """A schema change since the last release, with the migration advice for its notes."""
    if previous is None or previous.schema is None or previous.schema == schema:
        return []
    from .contract import growth
    from .guards import growth_text

    change = describe_schema_change(previous.schema, schema)
    if previous.ids and growth(previous.schema, schema) == "grown":
        return [Problem(display_path(config.lock_path, config.root), 0,
                        f"the note type grew since release {previous.version} ({change}). "
                        + growth_text(config.notetype.name), "warning")]
    return [Problem(display_path(config.lock_path, config.root), 0,
                    f"the note type's schema changed since release {previous.version} ({change}): "
                    "users of the shared deck keep their progress on an update only when the "
                    "note type is unchanged. "
                    + migration_advice({"old": previous.schema, "new": schema},
                                       config.notetype.name)[1], "warning")]


def description_problems(listing: str, shown: str) -> list[Problem]:
    """The AnkiWeb description (listing.md) against the Share form's limit."""
    if len(listing) <= DESCRIPTION_MAX:
        return []
    return [Problem(shown, 0, f"the AnkiWeb description is {len(listing):,} characters; the Share "
                              f"form allows at most {DESCRIPTION_MAX:,}: shorten "
                              "tool.deckbuild.description")]
