"""Which docs page explains a problem, and how to name a page to the user.

A page is named `docs/<page>.md#<anchor>` (the docs folder of deckbuild's repository), or,
when deckbuild's package metadata gives a Documentation URL (`[project.urls]` in its
pyproject.toml), that site's address of the page. Problems are matched by kind: the
first rule whose pattern is found in a problem's message names its page (DOCS_FOR).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import metadata

from ..errors import Problem

# (pattern searched in the message, page#anchor that explains that kind of problem).
# The tests check that each anchor exists in docs/ and that the catalogue of bad inputs
# (tests/cases) gets a page for every error it holds.
DOCS_FOR: tuple[tuple[str, str], ...] = (
    (r"unbalanced math|closes math that was never opened|inside math|math that",
     "writing-cards.md#math"),
    (r"^(absolute |remote )?image |^media file is|differs from .* only by case",
     "writing-cards.md#images"),
    (r"code fence|code language", "writing-cards.md#code"),
    (r"unsafe HTML", "writing-cards.md#safe-html-for-sharing"),
    (r"no id|invalid id|duplicate id|id .* is already used", "writing-cards.md#ids-are-identity"),
    (r"deletion|cloze|answer to type|type-in|unknown note type|changed its note type|poor front",
     "writing-cards.md#note-types-basic-reversed-cloze-type-in"),
    (r"^unknown key tool\.deckbuild\.\w+[;( ]|tool\.deckbuild\.\w+ must|no pyproject\.toml|"
     r"\[tool\.deckbuild\] table|invalid TOML|init never overwrites",
     "getting-started.md#start-your-own-deck"),
    (r"already released", "releasing.md#releases"),
    (r"schema|identity|deck name|deck id|GUID namespace|note type id", "releasing.md#guards"),
    (r"field|notetype\.map|template uses|card templates", "writing-cards.md#the-note-type-frozen"),
    (r"table row", "writing-cards.md#github-compatibility"),
    (r"AnkiWeb|scheduling data|missing from the package|description is|title|support URL|tags are",
     "sharing.md#what-check-share-reports"),
    (r"MathJax", "watch-preview.md#previews-and-screenshots"),
    (r"not part of any card|no cards|empty question|no answer|front matter|card key|"
     r"extra -->|source: -->|invalid tag|same question|invalid UTF-8",
     "writing-cards.md#the-format"),
)
_RULES = tuple((re.compile(pattern), page) for pattern, page in DOCS_FOR)


def docs_page(problem: Problem) -> str | None:
    """The page#anchor that explains this kind of problem, if the docs have one."""
    for pattern, page in _RULES:
        if pattern.search(problem.message):
            return page
    return None


def docs_link(page: str) -> str:
    """How to name a page to the user: the site's URL when one is configured, else docs/…"""
    site = site_url()
    if not site:
        return f"docs/{page}"
    name, _, anchor = page.partition("#")
    stem = name.removesuffix(".md")
    address = f"{site.rstrip('/')}/" + ("" if stem == "index" else f"{stem}/")
    return address + (f"#{anchor}" if anchor else "")


def with_docs(problem: Problem) -> str:
    """A problem as printed: `path:line: message`, then the page that explains it."""
    page = docs_page(problem)
    return f"{problem} (see {docs_link(page)})" if page else str(problem)


def with_docs_line(line: str) -> str:
    """A problem already printed as `path:line: message` (as watch reports them), with its page."""
    where = re.match(r"^[^\s:]+(?::\d+)?: ", line)
    page = docs_page(Problem("", 0, line[where.end():] if where else line))
    return f"{line} (see {docs_link(page)})" if page else line


@lru_cache(maxsize=1)
def site_url() -> str | None:
    """The Documentation URL of deckbuild's package metadata, if it has one."""
    try:
        urls = metadata.metadata("deckbuild").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("documentation", "docs") and url.strip():
            return url.strip()
    return None
