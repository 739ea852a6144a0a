"""The math grammar's cases, through the official Anki engine and MathJax 3 in Chromium:
every formula typesets without error, and prices stay prices on the card."""

from __future__ import annotations

from pathlib import Path

from browser_support import Face, launch_chromium, open_reviewer, require_browser
from support import AnkiCollection, make_project

from deckbuild.pipeline import build
from deckbuild.project.config import load_config

CARDS = """# Grammar

## What rate does the schedule start at?
<!-- id: rate -->

A rate of $0.5$, halved every $k$ steps, costs $5 and $10 a month.

## Which set is it?
<!-- id: set -->

It is $\\{x \\mid x > 0\\}$, and in display:

$$
S = \\{x \\mid x > 0\\}

\\quad\\text{(positive)}
$$

## Is math inside details shown?
<!-- id: details -->

<details open>
<summary>Derivation</summary>

The loss $L = -\\log p$ falls.

</details>
"""


def test_the_grammars_cases_typeset_in_anki_without_errors(tmp_path: Path) -> None:
    require_browser()
    project = make_project(tmp_path / "p", {"grammar.md": CARDS})
    package = Path(build(load_config(project), now=1_700_000_000).path)
    anki = AnkiCollection(tmp_path / "anki")
    try:
        anki.import_package(package)
        faces = []
        for card_id in anki.col.find_cards(""):
            card = anki.col.get_card(card_id)
            faces.append(Face(card.note()["Id"], "answer", card.answer()))
    finally:
        anki.close()
    with launch_chromium() as browser:
        page, site, report = open_reviewer(browser, faces, 360, night=False)
        text = page.inner_text("body")
    assert report["untypeset"] == [] and report["mathErrors"] == [], report
    assert report["leftoverTex"] == [], report["leftoverTex"]
    assert report["counts"]["arithmatex"] == 5  # 0.5, k, the set, its display (blank line inside), L
    assert "costs $5 and $10 a month" in text
    assert site.refused == []
