"""A field's HTML as Anki's editor writes it -> Markdown (markdownify plus Anki's own rules).

The rules: MathJax's \\(…\\) and \\[…\\] become $…$ and $$…$$; <pre><code> becomes a fence
with the language its class names; <br> and the editor's bare <div> lines become line
breaks; cloze deletions ({{c1::…}}) stay as they are; an image of a file the package holds
becomes a Markdown image of media/. Whether the result is faithful is decided by the
caller, which renders it back and compares (convert.py); as_html() is the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup, NavigableString, Tag
from markdownify import MarkdownConverter

# Where a packaged file is, from the card file (None: the package does not hold it).
MediaPath = Callable[[str], "str | None"]

_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_TOKEN = re.compile(r"MATHTOKEN(\d+)Z")
_PLAIN_URL = re.compile(r"^[^\s()<>]+$")
_LANGUAGE = re.compile(r"^(?:language-|lang-)?([\w+#.-]+)$")


def _language(tag: Tag) -> str:
    """The language a <pre><code> names in its class (language-x, lang-x or x), else ''."""
    for element in (tag, tag.find("code")):
        if isinstance(element, Tag):
            for name in element.get("class") or []:
                if name.startswith(("language-", "lang-")):
                    m = _LANGUAGE.match(name)
                    return m.group(1) if m else ""
    return ""


class _Converter(MarkdownConverter):
    def __init__(self, media: MediaPath, **options: Any) -> None:
        super().__init__(**options)
        self._media = media

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A line break stays <br> (a visible mark; Markdown's trailing spaces are not)."""
        return "<br>\n"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        src = str(el.get("src") or "")
        path = self._media(src)
        extra = set(el.attrs) - {"src", "alt"}
        if path is None or extra or not _PLAIN_URL.match(path):
            # Not a file of the package, or more than Markdown says: inline HTML, pointed
            # at media/ when the file is there.
            if path is not None:
                el = _copy_with(el, "src", path)
            return str(el)
        alt = str(el.get("alt") or "").replace("]", "\\]")
        return f"![{alt}]({path})"


def _copy_with(el: Tag, name: str, value: str) -> Tag:
    soup = BeautifulSoup(str(el), "html.parser")
    copy = soup.find(el.name)
    assert isinstance(copy, Tag)
    copy[name] = value
    return copy


def _editor_lines(soup: BeautifulSoup) -> None:
    """Anki's editor writes a line as <div>…</div>: a bare <div> becomes a line break."""
    for div in reversed(soup.find_all("div")):
        if div.attrs:
            continue
        before = div.previous_sibling
        if before is not None and not (isinstance(before, Tag) and before.name == "br") \
                and not (isinstance(before, NavigableString) and not str(before).strip()
                         and before.previous_sibling is None):
            div.insert_before(soup.new_tag("br"))
        after = div.next_sibling
        if after is not None and not (isinstance(after, Tag) and after.name == "br"):
            div.insert_after(soup.new_tag("br"))
        div.unwrap()


def to_markdown(html: str, media: MediaPath, escape_misc: bool = False) -> str:
    """The field as Markdown (not yet known to be faithful)."""
    maths: list[str] = []

    def keep(m: re.Match[str]) -> str:
        inline, display = m.group(1), m.group(2)
        # Display math is a block of its own in Markdown (and shows as one in Anki).
        maths.append(f"${_unescape(inline)}$" if inline is not None
                     else f"\n\n$${_unescape(display)}$$\n\n")
        return f"MATHTOKEN{len(maths) - 1}Z"

    protected = _MATH.sub(keep, html)
    soup = BeautifulSoup(protected, "html.parser")
    _editor_lines(soup)
    converter = _Converter(media, heading_style="ATX", bullets="-", newline_style="backslash",
                           code_language_callback=_language, escape_misc=escape_misc,
                           escape_asterisks=True, escape_underscores=True)
    text = converter.convert_soup(soup)
    text = _TOKEN.sub(lambda m: maths[int(m.group(1))], text)
    text = re.sub(r"(\$\$\n\n)[ \t]+", r"\1", text)  # the space after display math
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.split("\n")))
    return text.strip("\n")


def _unescape(tex: str) -> str:
    import html as html_lib

    return html_lib.unescape(tex)


def as_html(html: str, media: MediaPath) -> str:
    """The field kept as HTML, on one line (a blank line would end it inside Markdown),
    in a <div> (so Markdown reads none of it), images pointed at media/."""
    soup = BeautifulSoup(html, "html.parser")
    for img in soup.find_all("img"):
        path = media(str(img.get("src") or ""))
        if path is not None:
            img["src"] = path
    for pre in soup.find_all("pre"):
        for text in pre.find_all(string=True):
            if "\n" in text:
                text.replace_with(_Raw(str(text)))
    out = str(soup)
    out = out.replace("\r\n", "\n").replace("\n", " ").replace("\x00", "")
    # A '$' is text here, not math: as an entity no check reads it as a delimiter.
    return f"<div>{out.replace('$', '&#36;')}</div>"


class _Raw(NavigableString):
    """Text whose newlines are written as &#10; (inside <pre>, where they show)."""

    def output_ready(self, formatter: object = "minimal") -> str:
        from html import escape

        return escape(str(self), quote=False).replace("\n", "&#10;")
