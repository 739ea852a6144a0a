"""Formulas drawn by GitHub's old math renderer become math when a file is imported."""

from __future__ import annotations

import pytest

from deckbuild.importers import import_sources
from deckbuild.importers.mathimages import math_images

RENDER = "https://render.githubusercontent.com/render/math?math="


@pytest.mark.parametrize("line, expected", [
    (f'the weights <img src="{RENDER}\\beta"> that fit', "the weights $\\beta$ that fit"),
    (f"so ![w]({RENDER}w_{{t%2B1}}) follows", "so $w_{t+1}$ follows"),
    (f"<img src='{RENDER}a%20%2B%20b' alt='x'>", "$$a + b$$"),
    (f'  <img src="{RENDER}\\frac{{1}}{{2}} (x_1, y_1)">  ', "  $$\\frac{1}{2} (x_1, y_1)$$  "),
    (f'<img src="{RENDER}x%26y"> and <img src="{RENDER}z">', "$x&y$ and $z$"),
    (f'the code `{RENDER}q` stays', f"the code `{RENDER}q` stays"),
])
def test_images_of_the_math_renderer_become_math(line, expected):
    assert math_images(line) == expected


def test_other_images_and_empty_formulas_stay_images():
    for line in ('<img src="https://example.org/render/math?math=x">',
                 f'<img src="{RENDER}">', "![plot](../media/plot.png)"):
        assert math_images(line) == line


def test_an_imported_answer_carries_the_formula_and_no_image_warning():
    text = ("# Regression\n\n**How is the normal equation written?**\n\n"
            f'It is <img src="{RENDER}\\beta = (X^{{T}}X)^{{-1}}X^{{T}}y">.\n\n'
            f'<img src="{RENDER}y = X\\beta">\n\n'
            "```python\n"
            f'url = "{RENDER}x"\n'
            "```\n")
    (imported,) = import_sources([("normal.md", "normal", text)]).files
    (card,) = imported.cards
    assert card.answer == ("It is $\\beta = (X^{T}X)^{-1}X^{T}y$.\n\n$$y = X\\beta$$\n\n"
                           f'```python\nurl = "{RENDER}x"\n```')
    assert not [p for p in imported.problems if "image" in p.message]
