"""Lines of Markdown -> GitHub's block structure (a tree of Block records); no HTML.

The block phase of the CommonMark/GFM algorithm, as cmark-gfm runs it: open containers
(block quotes, list items) are matched line by line, then new blocks are opened, else the
line continues a paragraph (lazily, too) or a table. Leaves are paragraphs, headings
(ATX and setext), thematic breaks, tables, indented code and stash lines: by the time the
block phase runs, every fenced code block and raw HTML block is one placeholder line.

One deliberate difference: math is never cut by block structure. While a paragraph has
math open ($, $$, \\( or \\[), every following non-blank line continues it, whatever it
looks like, and while `$$` is open, blank lines do too (source/mathgrammar.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..source.mathgrammar import closers_in, math_left_open

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_HR = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_QUOTE = re.compile(r" {0,3}> ?")
_ITEM = re.compile(r"( {0,3})([-+*]|(\d{1,9})([.)]))(?= |$)( *)")
_STASH = re.compile(r" *\x02wzxhzdk:\d+\x03 *$")  # Python-Markdown's htmlStash placeholder
# CommonMark's HTML block start condition 7: a line of one complete open or closing tag.
_ATTRIBUTE = r"""[ \t]+[A-Za-z_:][\w.:-]*(?:[ \t]*=[ \t]*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
_HTML_LINE = re.compile(rf" {{0,3}}(?:<([A-Za-z][A-Za-z0-9-]*)(?:{_ATTRIBUTE})*[ \t]*/?>"
                        r"|</([A-Za-z][A-Za-z0-9-]*)[ \t]*>)[ \t]*$")
_RAW_TEXT_TAGS = {"script", "style", "pre", "textarea"}  # start condition 1, not 7
_DELIMITER_CELL = re.compile(r" *:?-+:? *$")
_DELIMITER_CHARS = set("|:- \t")
_PIPE = re.compile(r"(?<!\\)\|")
_SPACE = " \t"  # a blank line is spaces and tabs only (a no-break space is text)


@dataclass(eq=False)
class Block:
    """One block: kind is root, quote, list, item, para, heading, hr, table, code, stash
    or html (raw HTML lines, kept as they are, up to a blank line).

    Mutable while the parser fills it; gfm.py turns the finished tree into elements.
    """

    kind: str
    start: int
    end: int
    children: list[Block] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    width: int = 0          # item: columns from the item's start to its content
    marker: str = ""        # list and item: "-", "*", "+", "." or ")"; heading: "setext"
    number: int = 1         # ordered list: the first item's number
    level: int = 0          # heading: 1-6
    math: str | None = None  # para: the math delimiter still open at its last line
    display: bool = False    # para: it opened with display math ($$ or \[), which it holds alone
    cells: list[list[str]] = field(default_factory=list)  # table: header first, then rows
    aligns: list[str | None] = field(default_factory=list)

    def loose(self) -> bool:
        """A list is loose when a blank line separates two items or two blocks of an item."""
        items = self.children
        if any(_gap(blocks) for blocks in [items, *(item.children for item in items)]):
            return True
        # cmark-gfm also counts a table with no body row as ending in a blank line.
        # (for a child that some block follows, in its item or after the item)
        return any(_ends_in_bare_table(child)
                   for i, item in enumerate(items) for j, child in enumerate(item.children)
                   if i < len(items) - 1 or j < len(item.children) - 1)


def parse_blocks(lines: list[str]) -> Block:
    """The block tree of a document whose tabs are expanded and fences already stashed."""
    parser = _Parser(lines)
    for number, line in enumerate(lines):
        parser.add(number, line)
    return parser.root


def split_row(line: str) -> list[str]:
    """A table row's cells: split at every `|` not escaped by a backslash, as GitHub does."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.strip() for cell in _PIPE.split(text)]


def delimiter_aligns(line: str) -> list[str | None] | None:
    """The alignments of a table's delimiter row, or None if the line is not one."""
    cells = split_row(line)
    if not all(_DELIMITER_CELL.match(c) for c in cells):
        return None
    return [{(True, True): "center", (True, False): "left", (False, True): "right"}.get(
        (c.startswith(":"), c.endswith(":"))) for c in cells]


def _ends_in_bare_table(block: Block) -> bool:
    """Whether a block, or the last block of a list or item inside it, is a header-only table."""
    while block.kind in ("list", "item") and block.children:
        block = block.children[-1]
    return block.kind == "table" and len(block.cells) == 1


def _gap(blocks: list[Block]) -> bool:
    """Whether a blank line stands between two consecutive blocks."""
    return any(b.start > a.end + 1 for a, b in zip(blocks, blocks[1:], strict=False))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


class _Parser:
    """cmark's line loop, reduced to the blocks above."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.number = 0  # the line being taken
        self._closers: dict[str, list[int]] | None = None  # closer -> lines holding it
        self.root = Block("root", 0, 0)
        self.stack: list[Block] = [self.root]   # open containers: root, quotes, items
        self.leaf: Block | None = None          # the open leaf of stack[-1]
        self.rule: Block | None = None          # the rule that the last non-blank line was

    def add(self, number: int, line: str) -> None:
        """Take one line: continue or close the open blocks, open new ones."""
        self.number = number
        depth, pos = 1, 0
        while depth < len(self.stack):
            after = self._continues(self.stack[depth], line, pos)
            if after < 0:
                break
            depth, pos = depth + 1, after
        if line[pos:].strip(_SPACE):
            self.rule = None  # (a quote's `>` alone is a blank line inside the quote)
        all_matched = depth == len(self.stack)
        rest = line[pos:]
        leaf = self.leaf
        if leaf is not None and leaf.kind == "para" and leaf.math and (
                rest.strip(_SPACE) or leaf.math == "$$" and leaf.display):
            # Math is never cut (lazily, too); display math between `$$` holds blank lines.
            self._extend_para(leaf, number, rest)
            return
        if (leaf is not None and leaf.kind == "html" and all_matched and rest.strip(_SPACE)
                and not self._opens_display(rest)):
            # An HTML block ends at a blank line, at the end of its container, and (as a
            # paragraph does) where display math starts: math is a block of its own. A fence
            # in it is already a placeholder for its highlighted code, which is put back.
            leaf.lines.append(rest)
            self._touch(number, True)
            return
        if (leaf is not None and leaf.kind == "code" and all_matched
                and (_indent(rest) >= 4 or not rest.strip(_SPACE))):
            leaf.lines.append(rest[4:])
            self._touch(number, bool(rest.strip(_SPACE)))
            return
        self._open_blocks(number, line, pos, depth, all_matched)

    @staticmethod
    def _continues(block: Block, line: str, pos: int) -> int:
        """The position after this container's prefix on the line, or -1 if it ends here."""
        rest = line[pos:]
        if block.kind == "quote":
            m = _QUOTE.match(rest)
            return pos + m.end() if m else -1
        if not rest.strip(_SPACE):
            # An item whose first line was only its marker ends at a blank line.
            return pos if block.children else -1
        return pos + block.width if _indent(rest) >= block.width else -1

    def _open_blocks(self, number: int, line: str, pos: int, depth: int, all_matched: bool) -> None:
        """After the matched containers: new blocks, a lazy line, or text for the open leaf."""
        maybe_lazy = self.leaf is not None and self.leaf.kind == "para"
        tip = self.leaf if all_matched and maybe_lazy else None  # what a start would interrupt
        found = self._starts(number, line, pos, tip, maybe_lazy)
        if found is None:
            return  # the line turned the paragraph into a setext heading or a table
        opened, new_leaf, pos = found
        rest = line[pos:]
        if (not opened and new_leaf is None and not all_matched and maybe_lazy
                and rest.strip(_SPACE) and self.leaf is not None
                and not self._own_block(self.leaf, rest)):
            assert self.leaf is not None
            self._extend_para(self.leaf, number, rest)
            return
        self._close_to(depth)
        container = self.stack[-1]
        for block in opened:
            self._attach(container, block)
            self.stack.append(block)
            container = block
            self.leaf = None
        if new_leaf is not None:
            container.children.append(new_leaf)
            self.leaf = new_leaf if new_leaf.kind in ("code", "html") else None
            self._touch(number, True)
            self.rule = new_leaf if new_leaf.kind == "hr" else None
        else:
            self._add_text(container, number, rest)

    def _starts(self, number: int, line: str, pos: int, tip: Block | None, maybe_lazy: bool
                ) -> tuple[list[Block], Block | None, int] | None:
        """(new containers, a new leaf, position after them); None if the line was taken."""
        opened: list[Block] = []   # outermost first
        while True:
            rest = line[pos:]
            indent = _indent(rest)
            interrupting = tip is not None and not opened
            if indent >= 4:
                if not maybe_lazy and rest.strip(_SPACE):
                    return opened, Block("code", number, number, lines=[rest[4:]]), pos
                return opened, None, pos
            first = rest[indent: indent + 1]
            if not first or first.isalpha():
                return opened, None, pos  # most lines: blank or text, which start no block
            if (m := _QUOTE.match(rest)) is not None:
                opened.append(Block("quote", number, number))
                pos += m.end()
                continue
            if (m := _ATX.match(rest)) is not None:
                return opened, Block("heading", number, number, level=len(m.group(1)),
                                     lines=[m.group(2) or ""]), pos
            if _STASH.match(rest):
                return opened, Block("stash", number, number, lines=[rest.strip()]), pos
            if not interrupting and _html_block_start(rest):
                # (start condition 7 cannot interrupt a paragraph of its own container)
                return opened, Block("html", number, number, lines=[rest]), pos
            if interrupting and tip is not None and (m := _SETEXT.match(rest)) is not None:
                tip.kind, tip.level = "heading", 1 if m.group(1)[0] == "=" else 2
                tip.marker = "setext"  # (its text may begin with a task box, as a paragraph's)
                self._touch(number, True)
                self.leaf = None
                return None
            if _HR.match(rest):
                return opened, Block("hr", number, number), pos
            item = self._item(rest, interrupting)
            if item is not None:
                opened.append(Block("item", number, number, width=item[0], marker=item[1],
                                    number=item[2]))
                pos += min(item[0], len(rest))
                continue
            if interrupting and tip is not None and self._table_start(tip, rest, number):
                return None
            return opened, None, pos

    def _add_text(self, container: Block, number: int, rest: str) -> None:
        """A line that opens nothing: it ends, continues or starts a leaf of the container."""
        leaf = self.leaf
        if not rest.strip(_SPACE):
            if leaf is not None and leaf.kind != "code":
                self.leaf = None
            if self.rule is not None:
                # cmark-gfm does not count blank lines after a rule towards a loose list.
                self.rule.end = number
                self._touch(number, True)
        elif leaf is not None and leaf.kind == "para" and not self._own_block(leaf, rest):
            self._extend_para(leaf, number, rest)
        elif (leaf is not None and leaf.kind == "table" and rest.strip() != "|"
              and not self._opens_display(rest)):
            leaf.cells.append(split_row(rest))
            self._touch(number, True)
        else:  # (a lone `|` has no cell: GitHub ends a table there and starts a paragraph)
            self.leaf = Block("para", number, number, display=self._opens_display(rest))
            container.children.append(self.leaf)
            self._extend_para(self.leaf, number, rest)

    def _item(self, rest: str, interrupting: bool) -> tuple[int, str, int] | None:
        """(content width, marker, number) of a list item starting the text, else None."""
        m = _ITEM.match(rest)
        if m is None:
            return None
        empty = not rest[m.end():].strip(_SPACE)
        number = int(m.group(3)) if m.group(3) else 1
        if interrupting and (empty or number != 1):
            return None
        marker_end = m.end(2)
        spaces = len(m.group(5))
        width = marker_end + 1 if empty or spaces >= 5 else marker_end + spaces
        return width, m.group(4) or m.group(2), number

    def _table_start(self, para: Block, rest: str, number: int) -> bool:
        """Turn the paragraph's last line into a table header if `rest` is its delimiter row."""
        if para.math or "-" not in rest or not set(rest) <= _DELIMITER_CHARS:
            return False
        aligns = delimiter_aligns(rest)
        if aligns is None:
            return False
        header = split_row(para.lines[-1])
        if len(header) != len(aligns):
            return False
        para.lines.pop()
        container = self.stack[-1]
        if not para.lines:
            container.children.remove(para)
        table = Block("table", number - 1, number, cells=[header], aligns=aligns)
        container.children.append(table)
        self.leaf = table
        self._touch(number, True)
        return True

    def _attach(self, container: Block, item_or_quote: Block) -> None:
        """Add a new container; an item joins the list before it if that list is of its kind."""
        if item_or_quote.kind != "item":
            container.children.append(item_or_quote)
            return
        last = container.children[-1] if container.children else None
        if last is None or last.kind != "list" or last.marker != item_or_quote.marker:
            last = Block("list", item_or_quote.start, item_or_quote.start,
                         marker=item_or_quote.marker, number=item_or_quote.number)
            container.children.append(last)
        last.children.append(item_or_quote)

    def _close_to(self, depth: int) -> None:
        if depth < len(self.stack):
            del self.stack[depth:]
            self.leaf = None

    def _closed_later(self, closer: str) -> bool:
        """Whether a line after the one being taken, before the next blank line, holds
        `closer` (`\\)` or `\\]`): what tells math from an escaped bracket."""
        if self._closers is None:
            self._closers = {"\\)": [], "\\]": []}
            for index, line in enumerate(self.lines):
                for found in closers_in(line):
                    self._closers[found].append(index)
        rows = self._closers[closer]
        at = bisect.bisect_right(rows, self.number)
        if at == len(rows):
            return False
        return all(self.lines[n].strip(_SPACE) for n in range(self.number + 1, rows[at]))

    def _opens_display(self, text: str) -> bool:
        """Whether a line opens display math: `$$` first on it, or a `\\[` that closes."""
        rest = text.lstrip(" ")
        if rest.startswith("$$"):
            return True
        return rest.startswith("\\[") and (
            "\\]" in closers_in(rest[2:]) or self._closed_later("\\]"))

    def _own_block(self, para: Block, text: str) -> bool:
        """Display math is a block of its own, as on GitHub: the line that opens it under a
        paragraph line starts a new paragraph (and its closing line ends that one)."""
        return para.math is None and self._opens_display(text)

    def _extend_para(self, para: Block, number: int, text: str) -> None:
        para.lines.append(text.lstrip(" "))
        para.math = math_left_open(text, para.math, self._closed_later)
        self._touch(number, True)
        if para.display and para.math is None:
            self.leaf = None  # display math ends with its closing line: a block of its own

    def _touch(self, number: int, content: bool) -> None:
        """A line with content extends every open block to it (the basis of looseness)."""
        if not content:
            return
        for block in self.stack:
            block.end = number
            for child in block.children[-1:]:
                if child.kind == "list":
                    child.end = number
        if self.leaf is not None:
            self.leaf.end = number


def _html_block_start(text: str) -> bool:
    """Whether a line opens an HTML block by CommonMark's start condition 7."""
    m = _HTML_LINE.match(text)
    return m is not None and (m.group(1) or m.group(2)).lower() not in _RAW_TEXT_TAGS

