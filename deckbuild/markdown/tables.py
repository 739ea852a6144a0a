"""Table rows with more cells than their header: the renderer drops the extra cells.

Rows are split as the renderer splits them (deckbuild.gfmblocks, GitHub's rule): every
`|` not escaped as `\\|` is a cell border, inside a code span too. Code blocks are
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem
from ..records import Card
from .gfmblocks import delimiter_aligns, split_row

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


def _long_rows(lines: list[str]) -> Iterator[tuple[int, int, int]]:
    """(line index, cells, header cells) of each row longer than its table's header."""
    if not any("|" in line for line in lines):
        return
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
              and _is_header(line, lines[index + 1])):
            header = len(split_row(line))
            index += 2
            while index < len(lines) and lines[index].strip():
                cells = len(split_row(lines[index]))
                if cells > header:
                    yield index, cells, header
                index += 1
            continue
        index += 1


def _is_header(line: str, below: str) -> bool:
    """A header row: its delimiter row below has one cell per header cell, as on GitHub."""
    aligns = delimiter_aligns(below)
    return aligns is not None and len(aligns) == len(split_row(line))
