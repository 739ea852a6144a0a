"""Cloze and type-in cards from the engine, in headless Chromium at phone and desktop width."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Face, open_reviewer
from support import AnkiCollection, make_project
from test_notetypes_anki import MIXED

from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.speed.parallel import RenderOptions

VIEWS = [(360, False), (360, True), (1000, False), (1000, True)]
VIEW_IDS = ["360-day", "360-night", "1000-day", "1000-night"]
# Where the engine leaves [[type:Answer]], Anki's reviewer puts a text box on the front and
# the comparison of what was typed on the back; this page does the same, as Anki names them.
TYPE_BOX = '<input type="text" id="typeans">'
TYPE_RESULT = '<div id="typeans"><span class="typeGood">AdamW</span></div>'


def _reviewer_side(html: str, side: str) -> str:
    return html.replace("[[type:Answer]]", TYPE_BOX if side == "question" else TYPE_RESULT)


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> list[Face]:
    root = tmp_path_factory.mktemp("types")
    project = make_project(root / "p", {"mixed.md": MIXED})
    package = Path(build(load_config(project), now=1_700_000_000,
                         render=RenderOptions(cache=False)).path)
    anki = AnkiCollection(root / "anki")
    try:
        anki.import_package(package)
        found = []
        for card_id in anki.col.find_cards(""):
            card = anki.col.get_card(card_id)
            name = f"{card.note()['Id']}-{card.ord}"
            found += [Face(name, side, _reviewer_side(getattr(card, side)(), side))
                      for side in ("question", "answer")]
    finally:
        anki.close()
    return sorted(found, key=lambda f: (f.card, f.side != "question"))


# Per face: what each deletion shows, whether it is visible, and the type-in box's size.
CLOZE_JS = r"""
() => Array.from(document.querySelectorAll("section.face")).map((s) => ({
  card: s.dataset.card, side: s.dataset.side,
  cloze: Array.from(s.querySelectorAll(".cloze")).map((el) => ({
    text: el.textContent.trim(), shown: el.getClientRects().length > 0,
    color: getComputedStyle(el).color})),
  text: s.innerText,
  base: (() => { const t = s.querySelector(".qa-text");
                 return t ? getComputedStyle(t).color : ""; })(),
  box: (() => { const b = s.querySelector("input#typeans");
                return b ? {width: b.getBoundingClientRect().width,
                            shown: b.getClientRects().length > 0} : null; })(),
}))
"""


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_cloze_hides_and_reveals_and_type_in_has_its_box(chromium, faces, width, night):
    page, site, report = open_reviewer(chromium, faces, width, night)
    seen = {(f["card"], f["side"]): f for f in page.evaluate(CLOZE_JS)}
    page.close()
    assert site.refused == []
    assert not (report["untypeset"] or report["mathErrors"] or report["leftoverTex"]), report
    assert report["overflow"] == [] and report["contrast"] == [], report
    # c1: both deletions numbered 1 hide; the front shows [...], the back the text and math
    front, back = seen[("transfer-risk-0", "question")], seen[("transfer-risk-0", "answer")]
    assert [c["text"] for c in front["cloze"]] == ["[...]", "[...]"]
    assert "negative transfer" not in front["text"] and "Transfer risk" in front["text"]
    assert [c["text"] for c in back["cloze"]][0] == "negative transfer"
    assert all(c["shown"] for c in front["cloze"] + back["cloze"])
    # c2 has a hint: the front shows it in brackets
    assert [c["text"] for c in seen[("transfer-risk-1", "question")]["cloze"]] == [
        "[what to compare with]"]
    assert "from-scratch baseline" in seen[("transfer-risk-1", "answer")]["text"]
    # c3 in a list item, c4 in a table cell
    assert "requires_grad_(False)" not in seen[("transfer-risk-2", "question")]["text"]
    assert "requires_grad_(False)" in seen[("transfer-risk-2", "answer")]["text"]
    assert "LoRA" not in seen[("transfer-risk-3", "question")]["text"]
    assert "LoRA" in seen[("transfer-risk-3", "answer")]["text"]
    # the deletion stands out from the text around it, by day and by night
    assert back["base"] and all(c["color"] != back["base"] for c in back["cloze"])
    box = seen[("bert-optimizer-0", "question")]["box"]
    assert box is not None and box["shown"] and 0 < box["width"] <= width
    assert "AdamW" in seen[("bert-optimizer-0", "answer")]["text"]
    assert "AdamW" not in seen[("bert-optimizer-0", "question")]["text"]


def test_preview_filters_by_type_and_typesets_every_card(chromium, tmp_path):
    from browser_support import MATHJAX

    from deckbuild.live.preview import write_preview

    project = make_project(tmp_path / "p", {"mixed.md": MIXED})
    index = Path(write_preview(load_config(project), mathjax=MATHJAX).path)
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    page.goto(index.as_uri())
    page.evaluate("window.pvReady")
    state = page.evaluate("""() => ({
      faces: document.querySelectorAll(".pv-screen").length,
      untypeset: Array.from(document.querySelectorAll(".arithmatex"))
        .filter(e => !e.querySelector("mjx-container")).length,
      errors: document.querySelectorAll("mjx-merror").length,
      box: document.querySelectorAll("input#typeans").length,
    })""")
    # basic 1 card, reversed 2, cloze 4, type-in 1: a front and a back each
    assert state == {"faces": 2 * 8, "untypeset": 0, "errors": 0, "box": 1}
    count = "document.getElementById('pv-count').textContent"
    visible = ("Array.from(document.querySelectorAll('article.pv-card:not([hidden])'))"
               ".map(a => a.id)")
    page.select_option("#pv-type", "cloze")
    assert page.evaluate(visible) == ["card-transfer-risk"]
    assert page.evaluate(count) == "1 of 4 cards"
    page.select_option("#pv-type", "reversed")
    assert page.evaluate(visible) == ["card-linear-probing"]
    page.select_option("#pv-type", "")
    assert page.evaluate(count) == "4 of 4 cards"
    page.close()
