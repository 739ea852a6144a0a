"""The checks on a card's math that the renderer would silently get wrong (validate.py)."""

from __future__ import annotations

from deckbuild.parse import parse_source
from deckbuild.validate import math_problems


def problems(answer: str) -> list[str]:
    source, parsed = parse_source(f"# S\n\n## Q?\n<!-- id: q -->\n{answer}\n", "cards/a.md")
    assert parsed == []
    return [str(p) for p in math_problems(source.cards[0])]


def test_comparisons_across_the_lines_of_display_math_are_not_html():
    assert problems("$$\n0 <\nx > 1\n$$") == []
    assert problems("$$\na <b\n> c\n$$") == [
        "cards/a.md:5: raw HTML inside math; MathJax shows it as text or fails (write TeX only)"]


def test_a_tex_comment_is_found_on_any_line_of_display_math():
    assert problems("$$\na = b\n50% of c\n$$") == [
        "cards/a.md:5: TeX comment '%' inside math; write '\\%'"]
    assert problems("$$\na = b\n50\\% of c\n$$") == []
