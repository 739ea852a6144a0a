"""When two field HTMLs show the same thing: the normal form the round trip compares.

Differences that do not change what a card shows are normalised away, and nothing else:
attribute order; runs of whitespace (and &nbsp;, which Anki's editor writes for a typed
space); entities; <b>/<strong> and <i>/<em>; a line break written as <br>, as an
attribute-less <div> or as a <p> (block boundaries, collapsed); the markup of highlighted
code (a <pre> compares by its text); the span MathJax's delimiters are wrapped in; and an
image's file name, which compares by the file's content (`media` maps a name to a digest),
since a build gives every media file a content-hashed name.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Mapping
from html.parser import HTMLParser

_BLOCK = {"div", "p", "br", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
          "thead", "tbody", "tr", "blockquote", "hr", "pre", "dl", "dt", "dd", "figure"}
_SAME = {"b": "strong", "i": "em"}
_SPACE = re.compile(r"[\s\u00a0]+")
_DISPLAY_MATH = re.compile(r"(\\\[.*?\\\])", re.DOTALL)
_VOID = {"br", "img", "hr", "input", "wbr", "col", "area", "source"}
BREAK = "\n"


class _Normaliser(HTMLParser):
    def __init__(self, media: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=True)
        self.media = media
        self.out: list[str] = []
        self.pre = 0  # depth inside <pre>: its text compares exactly, its markup not at all
        self.pre_text: list[str] = []
        self.dropped: list[bool] = []  # for each open tag: whether its end is dropped too

    def _boundary(self) -> None:
        self.out.append(BREAK)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = _SAME.get(tag, tag)
        if self.pre:
            if tag not in _VOID:
                self.dropped.append(True)
            return
        if tag == "pre":
            self.pre, self.pre_text = 1, []
            self._boundary()
            if tag not in _VOID:
                self.dropped.append(True)
            return
        shown = _attributes(tag, attrs, self.media)
        plain = not shown
        # Wrappers that only lay out: a bare block, highlighted code's box, a math span.
        classes = dict(attrs).get("class") or ""
        wrapper = (tag in ("div", "p") and plain) or (tag in ("div", "span") and (
            "highlight" in classes.split() or "arithmatex" in classes.split()) and
            set(dict(attrs)) == {"class"})
        if tag in _BLOCK or wrapper and tag == "div":
            self._boundary()
        if not wrapper and tag != "br":
            self.out.append(f"<{tag}{shown}>")
        if tag not in _VOID:
            self.dropped.append(wrapper or tag == "br")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = _SAME.get(tag, tag)
        if tag in _VOID:
            return
        dropped = self.dropped.pop() if self.dropped else True
        if self.pre:
            if tag == "pre":
                self.pre = 0
                self.out.append("<pre>" + "".join(self.pre_text).strip("\n") + "</pre>")
                self._boundary()
            return
        if not dropped:
            self.out.append(f"</{tag}>")
        if tag in _BLOCK:
            self._boundary()

    def handle_data(self, data: str) -> None:
        if self.pre:
            self.pre_text.append(data)
            return
        for part in _DISPLAY_MATH.split(data):
            if part.startswith("\\[") and part.endswith("\\]"):
                # Display math is a block of its own wherever it is written.
                self._boundary()
                self.out.append(_SPACE.sub(" ", part))
                self._boundary()
            else:
                self.out.append(_SPACE.sub(" ", part))


def _attributes(tag: str, attrs: list[tuple[str, str | None]], media: Mapping[str, str]) -> str:
    items = []
    for name, value in sorted(attrs):
        value = value or ""
        if tag == "img" and name == "src":
            value = media.get(value, value)
        if name == "rel" or (name == "alt" and not value):
            continue  # the sanitiser adds rel=noopener to links; an empty alt shows nothing
        items.append(f' {name}="{html_lib.escape(_SPACE.sub(" ", value).strip())}"')
    return "".join(items)


def normal_form(html: str, media: Mapping[str, str] | None = None) -> str:
    """The field as compared: lines of text and tags, whitespace collapsed."""
    parser = _Normaliser(media or {})
    parser.feed(html)
    parser.close()
    text = "".join(parser.out)
    lines = [line.strip() for line in text.split(BREAK)]
    return BREAK.join(line for line in lines if line)


def same_field(a: str, b: str, media_a: Mapping[str, str] | None = None,
               media_b: Mapping[str, str] | None = None) -> bool:
    return normal_form(a, media_a) == normal_form(b, media_b)
