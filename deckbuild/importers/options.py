"""Marked options of a quiz: a list whose items carry a mark that says which are right.

Quiz generators and authors mark options as `- (x) right` / `- ( ) wrong`, or as GitHub
checkboxes `- [x] right` / `- [ ] wrong`, written `- \\[x]` when the author keeps GitHub
from making a task list of them. An option may hold more lines below it, indented further
(a table, a second paragraph). On a card, the options go on the front without their marks
and the right ones are the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .records import Line
from .text import indent_of, outdent, split_front

OPTION = re.compile(r"^(?P<indent>[ \t]*)[-*+][ \t]+"
                    r"(?:\((?P<paren>[xX ✓✔]?)\)|\\?\[(?P<box>[xX ✓✔]?)\])(?P<text>.*)$")


@dataclass(frozen=True)
class Option:
    right: bool
    lines: tuple[str, ...]  # its first line's text, then the lines under it (outdented)


@dataclass(frozen=True)
class Options:
    """The options of one list, found in a card's lines."""

    start: int      # the index of the first option among the lines read
    end: int        # the index after the last non-blank line that belongs to an option
    items: tuple[Option, ...]
    last_line: int  # the source number of that line

    def front(self, number: int) -> tuple[Line, ...]:
        """The options as a Markdown list without their marks (after a blank line)."""
        return _listed([option.lines for option in self.items], number)

    def answer(self, number: int) -> tuple[Line, ...]:
        """The right options as a Markdown list."""
        return _listed([option.lines for option in self.items if option.right], number)


def read_options(lines: Sequence[Line]) -> Options | None:
    """The first list of marked options among the lines, or None if there is none."""
    first = next((i for i, line in enumerate(lines) if not line.code and OPTION.match(line.text)),
                 None)
    if first is None:
        return None
    margin = indent_of(lines[first].text)
    items: list[tuple[bool, list[str]]] = []
    end, last = first, lines[first].number
    for index in range(first, len(lines)):
        line = lines[index]
        option = None if line.code else OPTION.match(line.text)
        if option and indent_of(line.text) == margin:
            mark = option.group("paren") if option.group("paren") is not None \
                else option.group("box")
            items.append((mark.strip() != "", [option.group("text").strip()]))
        elif line.blank or indent_of(line.text) > margin:
            items[-1][1].append(outdent(line.text, margin + 2))
            if line.blank:
                continue
        else:
            break
        end, last = index + 1, line.number
    options = tuple(Option(right, tuple(texts)) for right, texts in items)
    return Options(first, end, options, last)


def front_and_answer(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """(rest of the front, answer) of a card's body: split at its answer block (text.py's
    split_front), else after a quiz's marked options; else all of it is the answer."""
    before, rest = split_front(lines)
    return (before, rest) if before else quiz_split(rest) or (before, rest)


def quiz_split(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], tuple[Line, ...]] | None:
    """(front, answer) of an answer that ends in a quiz's marked options, some right and some
    wrong: what stands above them and the options go on the front, the right ones are the
    answer. None when the lines end otherwise (a checklist inside an answer stays where it is)."""
    options = read_options(lines)
    if options is None or len(options.items) < 2 or \
            len({option.right for option in options.items}) < 2 or \
            any(not line.blank for line in lines[options.end:]):
        return None
    number = lines[options.start].number
    before = list(lines[:options.start])
    while before and before[-1].blank:
        before.pop()
    front = tuple(before) + options.front(number) if before else options.front(number)[1:]
    return front, options.answer(options.last_line)


def _listed(options: list[tuple[str, ...]], number: int) -> tuple[Line, ...]:
    """Options as a Markdown list: each first line after `- `, its other lines under it."""
    out: list[Line] = [Line(number, "")]
    for lines in options:
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        first, rest = (lines[0], lines[1:]) if lines else ("", ())
        out.append(Line(number, f"- {first}".rstrip()))
        out += [Line(number, f"  {text}" if text.strip() else "") for text in rest]
    return tuple(out)
