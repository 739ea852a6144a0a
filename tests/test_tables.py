"""A table row with more cells than its header is reported exactly when the renderer drops cells."""

from __future__ import annotations

import pytest

from deckbuild.markdown.render import Renderer
from deckbuild.markdown.tables import extra_cells
from deckbuild.records import Card

FIELDS = ("Question", "Answer", "Extra", "Source", "Id")


def card(answer: str, extra: str = "") -> Card:
    return Card("t", "Q?", answer, extra, "", (), "S", "cards/x.md", 3, 4, 6, extra_line=20)


def test_the_warning_names_the_row_whose_cells_the_renderer_drops():
    # As on GitHub, a `|` splits cells inside a code span too, unless written as `\|`.
    answer = ("Norms:\n\n| norm | formula |\n|---|---|\n| L1 | sum of |x_i| |\n"
              "| L2 | `a\\|b` and c\\|d |\n| L3 | `p|q` |\n")
    problems = extra_cells(card(answer))
    assert [(p.line, p.severity) for p in problems] == [(10, "warning"), (12, "warning")]
    assert "table row has 4 cells but its header has 2" in problems[0].message
    assert "table row has 3 cells but its header has 2" in problems[1].message
    note, _ = Renderer().render(card(answer), "g", "D", (), FIELDS)
    assert "x_i" not in note.fields[1]  # the cells the warnings are about are gone
    assert "q</code>" not in note.fields[1]
    assert "<code>a|b</code>" in note.fields[1] and "c|d" in note.fields[1]


def test_rows_in_code_and_rows_that_fit_are_not_reported():
    answer = "```\n| a | b |\n|---|---|\n| 1 | 2 | 3 |\n```\n\n| a | b |\n|---|---|\n| 1 |\n"
    assert extra_cells(card(answer)) == []


def test_extra_text_is_checked_at_its_own_lines():
    problems = extra_cells(card("A.", extra="| a |\n|---|\n| x | y |"))
    assert [p.line for p in problems] == [22]


LONG = "| a | b |\n|---|---|\n| 1 | 2 | 3 |"


@pytest.mark.parametrize(("answer", "lines"), [
    # a shorter run of the fence's character inside the block does not close it
    ("````\n```\n" + LONG + "\n````", []),
    # the block ends at its closing fence: a table after it is checked
    ("```\ncode\n```\n" + LONG, [6 + 5]),
    ("~~~~\n~~~ not a close\n" + LONG + "\n~~~~\n" + LONG, [6 + 8]),
    # a setext heading's underline is not a delimiter row: no table without a `|`
    ("Title\n---\nx | y | z", []),
    # a delimiter row with another number of cells than the header: no table, as on GitHub
    ("a | b\n--|--|--\nx | y | z", []),
    ("a | b | c\n--|--\nx | y | z | w", []),
    # a `|` on the last line, with no line below for a delimiter row
    ("Text.\n\nJust a | pipe", []),
    (LONG + "\n\nx | y", [6 + 2]),
    # every row of every table, wherever the table starts
    ("| a | b |\n|---|---|\n| 1 | 2 |\n| 1 | 2 | 3 |\n| 4 | 5 | 6 | 7 |", [6 + 3, 6 + 4]),
    (LONG + "\n\n" + LONG, [6 + 2, 6 + 6]),
    ("Text.\n" + LONG, [6 + 3]),
])
def test_only_rows_of_real_tables_outside_code_are_reported(answer, lines):
    assert [p.line for p in extra_cells(card(answer))] == lines
    if not lines and "`" not in answer and "~" not in answer:  # nor does the renderer
        note, _ = Renderer().render(card(answer), "g", "D", (), FIELDS)
        assert "<table>" not in note.fields[1]
