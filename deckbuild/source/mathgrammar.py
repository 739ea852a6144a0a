"""What is math and what is a dollar sign: the one grammar of the checks and the renderer.

docs/writing-cards.md (Math) states it for authors. In short, for `$`:

- `$$...$$` is display math. It may span lines; when it opens a line, blank ones too.
- `$...$` is inline math, within one paragraph (no blank line inside). The opening `$`
  has no space after it and the closing `$` none before it: `$x$`.
- A price is not math: a `$` right after a digit opens nothing (`5$`), and a closing `$`
  right before a digit closes nothing (`$5 and $10`: two dollar signs), nor does one
  after a space (`$5 and the rate $r$`: a price, then math).
- A padded span (`$ x $`, as Typora and Obsidian accept it) is refused by `check` with
  the fix, never shipped as raw dollars; `import` writes it as `$x$`.
- `\\$` is a dollar sign; the first unescaped `$` after an opening one closes it (for
  `$$`, the first unescaped `$$`); `$$` and `$` with nothing inside are not math.
- Nothing inside code (fences, indented code, code spans) is math.

These are the rules of markdown-it's dollarmath plugin with the options in
DOLLARMATH_OPTIONS, which the tests use as an independent oracle.

`\\(...\\)` and `\\[...\\]` are math too, never prices. Each is closed by the first
unescaped closer of its kind in the same paragraph. An opener that no closer follows there is
what CommonMark calls an escaped bracket: text, shown as `(` or `[` (`- \\[x] done` is a
checkbox written so that it is not a task list), as on GitHub.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# markdown-it's dollarmath with these options reads `$` exactly as this module does.
DOLLARMATH_OPTIONS = {"allow_labels": False, "allow_space": False, "allow_digits": False,
                      "allow_blank_lines": True, "double_inline": True}

# What markdown-it calls whitespace (isWhiteSpace): a `$` next to one of these is padded.
_WHITESPACE = frozenset("\t\n\v\f\r \u00a0\u1680\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B))
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MATH_TOKEN = re.compile(r"\\\\|\\\$|\$\$|\$|\\\(|\\\)|\\\[|\\\]")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_CLOSER = {"$$": "$$", "\\[": "\\]", "\\(": "\\)", "$": "$"}


@dataclass(frozen=True)
class DollarMath:
    """One `$` or `$$` span of a text: [start, end) holds the delimiters, `tex` what is inside."""

    start: int
    end: int
    tex: str
    display: bool


def escaped(text: str, pos: int) -> bool:
    """Whether the character at `pos` follows an odd number of backslashes."""
    count = 0
    while pos - count - 1 >= 0 and text[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def dollar_math_at(text: str, pos: int) -> DollarMath | None:
    """The math that the `$` at `pos` opens, or None when it is a dollar sign."""
    if text[pos: pos + 1] != "$" or escaped(text, pos) or pos + 1 >= len(text):
        return None
    if pos > 0 and text[pos - 1].isdigit():
        return None  # 5$: a price
    display = text[pos + 1] == "$"
    if text[pos + 1] in _WHITESPACE:
        return None  # `$ `: a dollar sign (or a padded span, which check refuses)
    search = pos + (2 if display else 1)
    while True:
        end = text.find("$", search)
        if end < 0:
            return None
        if escaped(text, end):
            search = end + 1
            continue
        if display:
            if end + 1 >= len(text):
                return None
            if text[end + 1] != "$":
                search = end + 1
                continue
            end += 1
        break
    if text[end + 1: end + 2].isdigit() or text[end - 1] in _WHITESPACE:
        return None  # $5 and $10, $5 and the rate $: the second dollar is a price's
    tex = text[pos + 2: end - 1] if display else text[pos + 1: end]
    if not tex or _BLANK_LINE.search(tex) and not (display and _starts_line(text, pos)):
        return None  # empty, or across paragraphs (only a `$$` block holds blank lines)
    return DollarMath(pos, end + 1, tex, display)


def display_block(text: str) -> str | None:
    """The TeX of a paragraph that is display math on lines of its own, else None.

    It opens with `$$` and ends at the first line that ends with `$$` (blank lines may come
    between); on one line, `$$...$$` is the whole line. The paragraph must end there."""
    lines = text.strip().split("\n")
    first = lines[0].strip()
    if not first.startswith("$$"):
        return None
    if len(first) > 3 and first.endswith("$$"):
        return first[2:-2] if len(lines) == 1 else None
    if "$$" in first[2:]:
        return None  # closed inside the line and followed by text: not a block
    for index, line in enumerate(lines[1:], start=1):
        if line.strip().endswith("$$"):
            if index != len(lines) - 1:
                return None
            return "\n".join([first[2:], *lines[1:index], line.rstrip()[:-2]])
    return None


def bracket_math_end(text: str, pos: int) -> int | None:
    """For the unescaped `\\(` or `\\[` at `pos`: the end of its closer, when one follows
    in the same paragraph (no blank line between); else None, an escaped bracket."""
    opener = text[pos: pos + 2]
    if opener not in ("\\(", "\\[") or escaped(text, pos):
        return None
    closer = _CLOSER[opener]
    blank = _BLANK_LINE.search(text, pos + 2)
    limit = blank.start() if blank else len(text)
    found = text.find(closer, pos + 2, limit)
    while found >= 0 and escaped(text, found):
        found = text.find(closer, found + 1, limit)
    return found + 2 if found >= 0 else None


def _starts_line(text: str, pos: int) -> bool:
    """Whether only spaces stand before `pos` on its line."""
    return not text[text.rfind("\n", 0, pos) + 1: pos].strip(" \t")


def refused_closer(text: str, pos: int) -> int | None:
    """For a `$` that opens no math only because of the price rule (its closing `$` is
    right before a digit), where that closing `$` is; else None."""
    if text[pos: pos + 1] != "$" or escaped(text, pos) or text[pos + 1: pos + 2] in ("", "$"):
        return None
    if pos > 0 and text[pos - 1].isdigit() or text[pos + 1].isdigit() or \
            text[pos + 1] in _WHITESPACE:
        return None  # a price or a lone dollar sign, not math written next to a number
    end = pos + 1
    while (end := text.find("$", end)) >= 0 and escaped(text, end):
        end += 1
    if end < 0 or not text[end + 1: end + 2].isdigit() or text[end - 1] in _WHITESPACE or \
            _BLANK_LINE.search(text[pos:end]):
        return None
    return end


def padded_span_at(text: str, pos: int) -> DollarMath | None:
    """A padded span `$ x $` opened at `pos` (which the grammar does not typeset): both
    dollars padded inside, a non-digit first, in one paragraph; None if it is not one."""
    if text[pos: pos + 2] not in ("$ ", "$\t") or escaped(text, pos) or (
            pos > 0 and text[pos - 1] in "$0123456789"):
        return None
    end = pos + 1
    while (end := text.find("$", end)) >= 0 and escaped(text, end):
        end += 1
    if end < 0 or text[end - 1] not in _WHITESPACE or text[end + 1: end + 2] in ("$",) or \
            text[end + 1: end + 2].isdigit():
        return None
    tex = text[pos + 1: end]
    if not tex.strip() or tex.strip()[0].isdigit() or _BLANK_LINE.search(tex):
        return None  # `$ 5 and $ 6` are prices
    return DollarMath(pos, end + 1, tex, False)


def opens_inline(text: str, pos: int) -> bool:
    """Whether a `$` that finds no closing `$` was meant to open math: `$x` does, while
    `$5`, `5$`, `$ ` and a final `$` are dollar signs."""
    following = text[pos + 1: pos + 2]
    return (bool(following) and not following.isspace() and not following.isdigit()
            and not (pos > 0 and text[pos - 1].isdigit()))


def closers_in(line: str) -> frozenset[str]:
    """The closers of `\\(` and `\\[` math that a line holds outside code spans."""
    if "\\" not in line:
        return frozenset()
    prose = _CODE_SPAN.sub(lambda m: " " * len(m.group()), line)
    return frozenset(m.group() for m in _MATH_TOKEN.finditer(prose)) & {"\\)", "\\]"}


def math_left_open(text: str, opened: str | None,
                   closed_later: Callable[[str], bool] = lambda closer: False) -> str | None:
    """The math delimiter still open after a line of a paragraph (code spans ignored),
    given the one open before it: what keeps the lines of a formula in one paragraph.

    `closed_later(closer)` says whether a later line of the paragraph holds that closer:
    a `\\(` or `\\[` that nothing closes opens no math (an escaped bracket)."""
    if "$" not in text and "\\" not in text:
        return opened  # every math token holds one of the two; most lines have neither
    line = text.strip()
    if opened is None and len(line) > 3 and line.startswith("$$") and line.endswith("$$"):
        return None  # a line that opens and closes display math is one block, whatever is inside
    prose = _CODE_SPAN.sub(lambda m: " " * len(m.group()), text)  # same length: same offsets
    found = [m for m in _MATH_TOKEN.finditer(prose) if m.group() not in ("\\\\", "\\$")]
    tokens = [m.group() for m in found]
    for index, token in enumerate(tokens):
        if opened is None:
            if token == "$":
                opens = opens_inline(prose, found[index].start())
            elif token == "$$":
                opens = True
            else:  # `\\(` or `\\[`: math only if closed on this line or a later one
                opens = token in ("\\(", "\\[") and (_CLOSER[token] in tokens[index + 1:]
                                                     or closed_later(_CLOSER[token]))
            opened = token if opens else None
        elif token == _CLOSER[opened]:
            opened = None
    return opened
