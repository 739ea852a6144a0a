"""GitHub's renderer (cmark-gfm) as an oracle: both renders reduced to a tree of blocks.

A node is (tag, detail, children): p and h1-h6 carry the words of their text, ul/ol the
number of items and the start, table its cells per row, li and blockquote their children,
pre and hr nothing. What is not a block is dropped: inline markup, code highlighting
(our `<div class="highlight">` is its `<pre>`), and math, which is a paragraph's content
(arithmatex's display `<div>` is a paragraph, as `$$…$$` is one on GitHub).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

from deckbuild.markdown.render import Renderer

_BLOCKS = {"p", "ul", "ol", "li", "pre", "table", "tr", "th", "td", "blockquote", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"hr", "br", "img", "input", "col", "wbr"}
_WORD = re.compile(r"[A-Za-z0-9]+")
RENDERER = Renderer()


def gfm_html(text: str) -> str:
    """GitHub's HTML: cmark-gfm with the table extension (raw HTML kept, as GitHub does),
    with display math as a block of its own, as GitHub shows it (see `math_apart`)."""
    return cmarkgfm.github_flavored_markdown_to_html(math_apart(text),
                                                     options=Options.CMARK_OPT_UNSAFE)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def math_apart(text: str) -> str:
    """Blank lines around top-level display math that sits right under or over text.

    cmark-gfm knows no math; on GitHub a `$$` or `\\[` line starts display math, a block of
    its own, even right under a paragraph line. deckbuild reads such a line at the margin as
    never a lazy continuation of a quote or list item either. Only lines at the margin are
    moved apart (in lists a blank line would also change looseness), never in a code fence.
    """
    out: list[str] = []
    fence, closer, after = "", "", False
    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence) and set(stripped) == {fence[0]} else fence
        elif (m := _FENCE.match(line)) is not None and not closer:
            fence = m.group(1)
        elif not closer and line[:1] != " " and stripped.startswith(("$$", "\\[")):
            opener = stripped[:2]
            want = "$$" if opener == "$$" else "\\]"
            if out and out[-1].strip():
                out.append("")
            rest = stripped[2:]
            if want not in rest:
                closer = want
            else:
                after = True
            out.append(line)
            continue
        elif closer:
            if closer in stripped:
                closer, after = "", True
            out.append(line)
            continue
        if after and stripped:
            out.append("")
        after = False
        out.append(line)
    return "\n".join(out)


def our_html(text: str) -> str:
    return RENDERER.to_html(text)


def block_tree(html: str) -> list[tuple]:
    """The blocks of an HTML fragment as nested tuples (see the module's docstring)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return [_normal(node) for node in builder.root[2]]


def trees(text: str) -> tuple[list[tuple], list[tuple]]:
    """(ours, GitHub's) block trees of one Markdown text."""
    return block_tree(our_html(text)), block_tree(gfm_html(text))


class _TreeBuilder(HTMLParser):
    """Nodes are [tag, text parts, children, start, the HTML tag that closes it]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list = ["root", [], [], 1, ""]
        self.stack: list[list] = [self.root]
        self.opaque = 0                          # depth inside pre / highlighted code

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if self.opaque:
            self.opaque += tag not in _VOID
        elif tag == "div" and "highlight" in classes or tag == "pre":
            self._open("pre", tag, 1)
            self.opaque = 1
        elif tag == "div" and "arithmatex" in classes:
            self._open("p", tag, 1)
        elif tag in _BLOCKS:
            self._open(tag, tag, int(attributes.get("start") or 1))
            if tag in _VOID:
                self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.opaque:
            if tag not in _VOID:
                self.opaque -= 1
                if self.opaque == 0:
                    self.stack.pop()
        elif len(self.stack) > 1 and self.stack[-1][4] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.opaque:
            self.stack[-1][1].append(data)

    def _open(self, tag: str, source: str, start: int) -> None:
        node: list = [tag, [], [], start, source]
        self.stack[-1][2].append(node)
        self.stack.append(node)


def _normal(node: list) -> tuple:
    tag, texts, children = node[:3]
    if tag in ("ul", "ol"):
        _tight_display_math(node)
    kids = [_normal(child) for child in children]
    words = tuple(_WORD.findall(" ".join(texts)))
    if tag in ("ul", "ol"):
        return (tag, len(kids), node[3], tuple(kids))
    if tag == "table":
        rows = [kid for kid in _descendants(node) if kid[0] == "tr"]
        return ("table", tuple(sum(1 for c in row[2] if c[0] in ("th", "td")) for row in rows),
                tuple(w for cell in _descendants(node) if cell[0] in ("th", "td")
                      for w in _WORD.findall(" ".join(cell[1]))))
    if tag in ("pre", "hr"):
        return (tag,)
    return (tag, words, tuple(kids))


def _tight_display_math(listing: list) -> None:
    """A tight list item holding only display math shows it as a block here (the README's
    "Math is never cut"), where GitHub keeps it in the item's text: the same item."""
    items = [child for child in listing[2] if child[0] == "li"]
    if any(kid[4] == "p" for item in items for kid in item[2]):
        return  # a loose list: its items' paragraphs are blocks on both sides
    for item in items:
        if len(item[2]) == 1 and item[2][0][4] == "div" and not item[2][0][2] \
                and not _WORD.search(" ".join(item[1])):
            item[1].extend(item[2][0][1])
            item[2].clear()


def _descendants(node: list):
    for child in node[2]:
        yield child
        yield from _descendants(child)
