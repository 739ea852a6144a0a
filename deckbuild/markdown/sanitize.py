"""Safe HTML for shared decks: an allowlist applied with nh3. The only module importing nh3.

A shared deck's fields run inside every importer's Anki, so anything that can run
script (tags, event handlers, javascript: URLs, styles) is removed; what cards need
(formatting, tables, images, Pygments markup, math spans) stays.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "var",
}
_COMMON = {"class", "title", "lang", "dir"}
ATTRIBUTES = {tag: set(_COMMON) for tag in TAGS}
ATTRIBUTES["a"] |= {"href"}
ATTRIBUTES["img"] |= {"src", "alt", "width", "height"}
ATTRIBUTES["td"] |= {"style", "colspan", "rowspan", "align"}
ATTRIBUTES["th"] |= {"style", "colspan", "rowspan", "align"}
ATTRIBUTES["ol"] |= {"start"}
STYLE_PROPERTIES = {"text-align"}
URL_SCHEMES = {"http", "https", "mailto"}
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)


def may_be_unsafe(markdown_source: str) -> bool:
    """Whether Markdown source can yield unsafe HTML: raw HTML needs '<', links need ']'.

    Markdown's own output for anything else is built from the allowlisted tags.
    """
    return "<" in markdown_source or "]" in markdown_source


def sanitize(html: str) -> str:
    """Apply the allowlist; comments are dropped, links get rel=noopener."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     filter_style_properties=STYLE_PROPERTIES, strip_comments=True)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()  # attribute values arrive unescaped
        self.removed: list[str] = []

    def parse_marked_section(self, i: int, *report: int) -> int:
        # HTML, and so nh3, reads '<![' outside SVG and MathML as a comment up to the next
        # '>' (which sanitize() drops); Python before 3.13 raises on '<![x' instead.
        return self.parse_bogus_comment(i)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.removed.append(f"<{tag}>")
            return
        for name, value in attrs:
            if name not in ATTRIBUTES[tag]:
                self.removed.append(f"{name}= on <{tag}>")
            elif name in ("href", "src") and value:
                unsafe = _UNSAFE_URL.match(_plain_url(value))
                if unsafe:
                    self.removed.append(f"{unsafe.group(1)}: URL on <{tag}>")


def _plain_url(value: str) -> str:
    """A URL as browsers read its scheme: tabs, newlines and other controls ignored."""
    return re.sub(r"[\x00-\x20]", "", value)


def removed_parts(html: str) -> list[str]:
    """What sanitize() takes out of `html`, for a warning that says so."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return sorted(set(finder.removed))
