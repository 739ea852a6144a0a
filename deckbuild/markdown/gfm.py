"""A Python-Markdown extension that gives a card GitHub's block structure.

Authors write Markdown for GitHub: a list, a fence, a table or a quote right under a
paragraph line, lists nested by two spaces, ordered lists from 3. Python-Markdown reads
those differently, so this one block processor takes over the block phase: the lines go
through gfmblocks (GitHub's rules, no HTML) and the tree it returns becomes elements.
Everything else stays Python-Markdown's: the fences are already highlighted placeholders
(superfences runs first, as a preprocessor), inline Markdown and math are processed later
in the elements' text, and display math alone in a paragraph goes to arithmatex's block
processor as before. No kept extension does this: mdx_truly_sane_lists (last released
in 2022) only sets a fixed nesting indent, pymdownx.fancylists adds Pandoc's list styles,
and neither lets a block interrupt a paragraph.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as etree
from typing import cast

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor, ReferenceProcessor
from markdown.util import AtomicString, code_escape

from .gfmblocks import Block, parse_blocks
from .mathspans import display_block

_CODE_SPAN = re.compile(r"(`+)(?!`)(.*?)(?<!`)\1(?!`)")
# A task list item's marker, first in the paragraph that starts on the item's line.
_TASK = re.compile(r"\[([ xX])\][ \t]+(?=\S)")
# Shown as a ballot box character: GitHub's disabled <input> checkbox would be removed by
# the sanitiser, and a character renders the same in every Anki client, day and night.
TASK_BOXES = {" ": "\u2610", "x": "\u2611", "X": "\u2611"}  # ☐ unchecked, ☑ checked


class GitHubBlocks(BlockProcessor):
    """Lays out the whole document at once, by GitHub's block rules."""

    _quotes = 0  # how many block quotes the block being laid out is in

    def test(self, parent: etree.Element, block: str) -> bool:
        return True

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        # The parser split the text at blank lines; joined again, it is the text as it was.
        text = "\n\n".join(blocks)
        del blocks[:]
        self._children(parent, parse_blocks(text.split("\n")), tight=False)

    def _children(self, parent: etree.Element, block: Block, tight: bool) -> None:
        for child in block.children:
            if child.kind in ("para", "stash"):
                self._paragraph(parent, child, tight)
            elif child.kind == "html":
                self._raw_html(parent, child)
            else:
                self._element(parent, child)

    def _paragraph(self, parent: etree.Element, block: Block, tight: bool) -> None:
        """A <p>, or in a tight list item its bare text; display math alone is a block."""
        text = self._text(block)
        if not text or block.kind == "para" and self._math_alone(parent, text):
            return  # nothing but link reference definitions, or arithmatex's block
        if tight:
            _append_text(parent, text)
        else:
            etree.SubElement(parent, "p").text = text

    def _raw_html(self, parent: etree.Element, block: Block) -> None:
        """An HTML block goes out as written, in no paragraph, as on GitHub (the fields'
        sanitiser still cleans it); its text is not Markdown."""
        placeholder = self.parser.md.htmlStash.store("\n".join(block.lines))
        if len(parent) and parent[-1].tag == "pre":
            # pymdownx.highlight replaces an indented code block's element, tail and all.
            etree.SubElement(parent, "div").text = f"\n{placeholder}\n"
        elif len(parent):
            last = parent[-1]
            last.tail = f"{(last.tail or '').rstrip()}\n{placeholder}\n"
        else:
            parent.text = f"{(parent.text or '').rstrip()}\n{placeholder}\n"

    def _text(self, block: Block) -> str:
        """A paragraph's text, after the link reference definitions it starts with."""
        text = _para_text(block)
        if block.kind != "para" or "reference" not in self.parser.blockprocessors:
            return text
        references = cast(ReferenceProcessor, self.parser.blockprocessors["reference"])
        while (m := references.RE.match(text)) is not None:
            # Registered by Python-Markdown's own processor, as before; GitHub's rule that
            # definitions only open a paragraph is kept by matching at its start.
            blocks = [text[: m.end()]]
            references.run(etree.Element("div"), blocks)
            text = text[m.end():].lstrip("\n")
        return text

    def _element(self, parent: etree.Element, block: Block) -> None:
        kind = block.kind
        if kind == "heading":
            etree.SubElement(parent, f"h{block.level}").text = _para_text(block).strip()
        elif kind == "hr":
            etree.SubElement(parent, "hr")
        elif kind == "code":
            lines = list(block.lines)
            while lines and not lines[-1].strip():
                lines.pop()
            code = etree.SubElement(etree.SubElement(parent, "pre"), "code")
            code.text = AtomicString(code_escape("\n".join(lines)) + "\n")
        elif kind == "table":
            _table(parent, block)
        elif kind == "quote":
            self._quotes += 1
            try:
                self._children(etree.SubElement(parent, "blockquote"), block, tight=False)
            finally:
                self._quotes -= 1
        elif kind == "list":
            self._list(parent, block)

    def _list(self, parent: etree.Element, block: Block) -> None:
        ordered = block.marker in ".)"
        element = etree.SubElement(parent, "ol" if ordered else "ul")
        if ordered and block.number != 1:
            element.set("start", str(block.number))
        tight = not block.loose()
        for item in block.children:
            if not self._quotes:  # (GitHub shows no task box in a quote)
                _task_box(item)
            self._children(etree.SubElement(element, "li"), item, tight)

    def _math_alone(self, parent: etree.Element, text: str) -> bool:
        """Display math that is a paragraph of its own is a block: `$$` by the math grammar,
        `\\[` and `\\begin` by arithmatex's block processor."""
        if display_block(parent, text):
            return True
        processors = self.parser.blockprocessors
        if "arithmatex-block" not in processors:
            return False
        math_block = processors["arithmatex-block"]
        if not math_block.test(parent, text):
            return False
        math_block.run(parent, [text])
        return True


def _task_box(item: Block) -> None:
    """`- [x] done` / `- [ ] open`: the marker becomes a checked or unchecked box (GFM's
    task list items)."""
    first = item.children[0] if item.children else None
    if (first is None or first.start != item.start or not first.lines
            or first.kind != "para" and first.marker != "setext"):
        return
    if (m := _TASK.match(first.lines[0])) is not None:
        first.lines[0] = f"{TASK_BOXES[m.group(1)]} {first.lines[0][m.end():]}"


def _para_text(block: Block) -> str:
    return "\n".join(block.lines).rstrip()


def _append_text(parent: etree.Element, text: str) -> None:
    """A tight list item holds its paragraphs' text directly, as Python-Markdown's do."""
    if len(parent) and parent[-1].tag == "pre":
        # pymdownx.highlight replaces an indented code block's element, tail and all.
        etree.SubElement(parent, "span").text = text
    elif len(parent):
        last = parent[-1]
        last.tail = f"{last.tail}\n{text}" if last.tail else text
    else:
        parent.text = f"{parent.text}\n{text}" if parent.text else text


def _table(parent: etree.Element, block: Block) -> None:
    """The table as Python-Markdown's tables extension writes it (thead, tbody, aligns)."""
    table = etree.SubElement(parent, "table")
    header, rows = block.cells[0], block.cells[1:]
    _row(etree.SubElement(table, "thead"), "th", header, block.aligns)
    if rows:
        body = etree.SubElement(table, "tbody")
        for cells in rows:
            _row(body, "td", cells, block.aligns)


def _row(parent: etree.Element, tag: str, cells: list[str], aligns: list[str | None]) -> None:
    tr = etree.SubElement(parent, "tr")
    for index, align in enumerate(aligns):
        cell = etree.SubElement(tr, tag)
        cell.text = _unescape_pipes(cells[index]) if index < len(cells) else ""
        if align:
            cell.set("style", f"text-align: {align};")


def _unescape_pipes(cell: str) -> str:
    """In a table cell `\\|` is a pipe, inside code too (as on GitHub); math keeps its `\\|`."""
    return _CODE_SPAN.sub(lambda m: m.group(0).replace("\\|", "|"), cell)


class GitHubBlocksExtension(Extension):
    """Registers the block processor ahead of all others."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.parser.blockprocessors.register(GitHubBlocks(md.parser), "github-blocks", 200)
        # A backslash escapes any ASCII punctuation, as in CommonMark (`\\<tag>` is text).
        md.ESCAPED_CHARS.extend(c for c in string.punctuation if c not in md.ESCAPED_CHARS)


def makeExtension(**kwargs: object) -> GitHubBlocksExtension:  # noqa: N802
    """Python-Markdown's entry point for `deckbuild.gfm`."""
    return GitHubBlocksExtension(**kwargs)
