"""Table rows with more cells than their header: the renderer drops the extra cells.

Rows are split by Python-Markdown's own table processor (the renderer's), so a `|`
inside a code span or escaped as `\\|` is not a cell border here either. Code blocks
are skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from .errors import Problem
from .records import Card

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def extra_cells(card: Card) -> list[Problem]:
    """A warning at each table row of the card that has more cells than its header."""
    problems = []
    for text, first in ((card.answer, card.answer_line), (card.extra, card.extra_line)):
        for offset, cells, header in _long_rows(text.split("\n")):
            problems.append(Problem(card.path, first + offset, f"table row has {cells} cells "
                                    f"but its header has {header}: the last {cells - header} "
                                    "are left out (in a cell, write '|' as '\\|', or as "
                                    "'\\vert' in math)", "warning"))
    return problems


@functools.cache
def _splitter() -> Any:
    """The renderer's table processor; imported here, as a cached build needs no Markdown."""
    import markdown
    from markdown.extensions.tables import TableProcessor

    # test() and _split_row() are what the renderer runs on each table; the latter is
    # private, which the pinned Markdown version makes safe (test_tables.py checks it).
    return TableProcessor(markdown.Markdown().parser, {"use_align_attribute": False})


def _long_rows(lines: list[str]) -> Iterator[tuple[int, int, int]]:
    """(line index, cells, header cells) of each row longer than its table's header."""
    if not any("|" in line for line in lines):
        return
    splitter = _splitter()
    index, fence = 0, None
    while index < len(lines):
        line = lines[index]
        opened = _FENCE.match(line)
        if fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
        elif opened:
            fence = opened.group(1)
        elif ("|" in line and index + 1 < len(lines) and "-" in lines[index + 1]
              and splitter.test(None, f"{line}\n{lines[index + 1]}")):
            header = len(splitter.separator)
            index += 2
            while index < len(lines) and lines[index].strip():
                cells = len(splitter._split_row(lines[index].strip(" ")))
                if cells > header:
                    yield index, cells, header
                index += 1
            continue
        index += 1
