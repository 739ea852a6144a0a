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


_CLEANER = nh3.Cleaner(tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                       filter_style_properties=STYLE_PROPERTIES, strip_comments=True)

# The start of a highlighted code block as render.highlight_fence writes it (Pygments,
# wrapcode=True), and its end.
_BLOCK_START = re.compile(r'<div class="([\w+#. -]*)"><pre><span></span><code>')
_BLOCK_END = "</code></pre></div>"
_SPAN = re.compile(r'<span class="[\w -]*">[^<>\r\0]*</span>')  # one token, its text escaped
_NOT_TEXT = re.compile(r"[<>\r\0]")  # left outside the spans: not plain escaped text
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|#39);)")
_MARK = "deckbuild-sanitize-block-"


def sanitize(html: str) -> str:
    """Apply the allowlist; comments are dropped, links get rel=noopener.

    The same as nh3 on the whole of `html`, cheaper: a highlighted code block whose parts
    are only Pygments' spans and escaped text is swapped for a short stand-in of the same
    shape before nh3 runs. When the stand-in comes back unchanged, nothing around the block
    changes how it is read (no formatting element reopened inside it, nothing moved), and
    the block comes out as html5ever writes such text: the quote escapes decoded, a
    no-break space escaped (_as_cleaned). Anything else goes through nh3 whole.
    """
    if _MARK in html:
        return _CLEANER.clean(html)
    parts: list[str] = []
    blocks: list[str] = []
    done = 0
    while (start := _BLOCK_START.search(html, done)) is not None:
        end = html.find(_BLOCK_END, start.end())
        if end < 0:
            break
        inner = html[start.end():end]
        if _plain_code(inner):
            parts += [html[done:start.end()], f'<span class="{_MARK}{len(blocks)}">x</span>']
            blocks.append(inner)
        else:
            parts.append(html[done:end])
        parts.append(_BLOCK_END)
        done = end + len(_BLOCK_END)
    if not blocks:
        return _CLEANER.clean(html)
    cleaned = _CLEANER.clean("".join(parts) + html[done:])
    for n, inner in enumerate(blocks):
        mark = f'<code><span class="{_MARK}{n}">x</span></code>'
        if cleaned.count(mark) != 1 or cleaned.count(f"{_MARK}{n}\"") != 1:
            return _CLEANER.clean(html)
        cleaned = cleaned.replace(mark, f"<code>{_as_cleaned(inner)}</code>", 1)
    return cleaned


def _plain_code(inner: str) -> bool:
    """Whether a code block's inside is spans one level deep around escaped text only."""
    return (_NOT_TEXT.search(_SPAN.sub("", inner)) is None
            and _BARE_AMPERSAND.search(inner) is None)


def _as_cleaned(inner: str) -> str:
    """A plain code block's inside as html5ever serialises it: text escapes only &, <, >
    and the no-break space, so the quotes Pygments escaped come back as themselves."""
    return inner.replace("&quot;", '"').replace("&#39;", "'").replace("\xa0", "&nbsp;")


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


# A tag as Markdown writes one: lower case, each attribute double-quoted, no entity in it.
_PLAIN_TAG = re.compile(r'</?([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"<>&]*")*)\s*/?>')
_PLAIN_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"<>&]*)"')


def removed_parts(html: str) -> list[str]:
    """What sanitize() takes out of `html`, for a warning that says so."""
    if _only_allowed(html):
        return []
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return sorted(set(finder.removed))


def _only_allowed(html: str) -> bool:
    """Whether every '<' in `html` opens a plain tag (see _PLAIN_TAG) that the allowlist
    keeps whole, with safe URLs: then _Finder would find nothing to remove. Anything
    else (a comment, raw text, an odd tag) is left to _Finder."""
    start = html.find("<")
    while start >= 0:
        tag = _PLAIN_TAG.match(html, start)
        if tag is None or tag.group(1) not in TAGS:
            return False
        allowed = ATTRIBUTES[tag.group(1)]
        for name, value in _PLAIN_ATTRIBUTE.findall(tag.group(2)):
            if name not in allowed or (name in ("href", "src") and value
                                       and _UNSAFE_URL.match(_plain_url(value))):
                return False
        start = html.find("<", tag.end())
    return True
