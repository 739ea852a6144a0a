"""Dollar math in Python-Markdown, read by the one grammar in source/mathgrammar.py.

arithmatex keeps `\\(...\\)`, `\\[...\\]` and `\\begin{env}` blocks; `$` and `$$` are read
here, so that what the checks call math is exactly what is typeset. The markup is
arithmatex's generic markup, which Anki's MathJax reads: `<span class="arithmatex">\\(x\\)</span>`
inline, `<div class="arithmatex">\\[x\\]</div>` for display math that is a paragraph of its
own, and `<span class="arithmatex">\\[x\\]</span>` for display math inside running text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.util import AtomicString

from ..source import mathgrammar
from ..source.mathgrammar import bracket_math_end, dollar_math_at

_STASHED = re.compile("[\x02\x03]")  # an inline placeholder: code, already taken
_TAG = re.compile(r"(<!--.*?-->|<[A-Za-z/!][^>]*>)", re.DOTALL)
_VERBATIM = re.compile(r"<(/?)(code|pre|script|style|kbd|samp)\b", re.IGNORECASE)


def _escape(tex: str) -> str:
    """HTML escaping of display math, as arithmatex's block writes it."""
    return tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


class DollarMathProcessor(InlineProcessor):
    """`$x$` and `$$x$$` inside text; a `$` the grammar calls a dollar sign stays text."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(r"\$", md)

    def handleMatch(self, m: re.Match[str], data: str  # type: ignore[override]  # noqa: N802
                    ) -> tuple[etree.Element | None, int | None, int | None]:
        found = dollar_math_at(data, m.start())
        if found is None or _STASHED.search(found.tex):
            return None, None, None  # a code span inside: code comes first
        element = etree.Element("span", {"class": "arithmatex"})
        wrap = "\\[{}\\]" if found.display else "\\({}\\)"
        element.text = AtomicString(wrap.format(found.tex))
        return element, found.start, found.end


class BracketMathProcessor(InlineProcessor):
    """`\\[x\\]` inside running text: display math there, as `$$x$$` is. (arithmatex
    reads `\\[` only as a block of its own, and without this Markdown's escapes would make
    it a bracket.) A `\\[` that nothing closes in its paragraph stays an escaped bracket."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(r"\\\[", md)

    def handleMatch(self, m: re.Match[str], data: str  # type: ignore[override]  # noqa: N802
                    ) -> tuple[etree.Element | None, int | None, int | None]:
        end = bracket_math_end(data, m.start())
        if end is None or _STASHED.search(data, m.start(), end):
            return None, None, None
        element = etree.Element("span", {"class": "arithmatex"})
        element.text = AtomicString(data[m.start(): end])
        return element, m.start(), end


def display_block(parent: etree.Element, text: str) -> bool:
    """Add display math that is a whole paragraph (`$$...$$`) as a block; False if it is not."""
    tex = mathgrammar.display_block(text)
    if tex is None or not tex.strip():
        return False
    element = etree.SubElement(parent, "div", {"class": "arithmatex"})
    element.text = AtomicString("\\[" + _escape(tex) + "\\]")
    return True


def typeset_in_html(block: str) -> str:
    """Raw HTML (a `<details>` block, say) with the math in its text typeset as Markdown's
    is; text inside code, pre, script and style, and the tags themselves, are left alone."""
    if "$" not in block:
        return block
    parts = _TAG.split(block)
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            m = _VERBATIM.match(part)
            if m:
                depth = max(0, depth + (-1 if m.group(1) else 1))
        elif depth == 0 and "$" in part:
            parts[index] = _typeset_text(part)
    return "".join(parts)


def _typeset_text(text: str) -> str:
    out, pos, start = [], 0, 0
    while (pos := text.find("$", pos)) >= 0:
        found = dollar_math_at(text, pos)
        if found is None:
            pos += 1
            continue
        wrap = "\\[{}\\]" if found.display else "\\({}\\)"
        tex = found.tex.replace("\n", " ")
        out += [text[start:pos], f'<span class="arithmatex">{wrap.format(tex)}</span>']
        pos = start = found.end
    return "".join(out) + text[start:]


class RawHtmlMath(Postprocessor):
    """Typesets the math in raw HTML blocks before they are put back into the page (Markdown
    leaves their text alone, so `$x$` in a `<details>` block would reach Anki as dollars)."""

    def run(self, text: str) -> str:
        stash = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(stash):
            if isinstance(block, str) and "$" in block:
                stash[index] = typeset_in_html(block)
        return text
