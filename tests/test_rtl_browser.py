"""Right-to-left cards with the built-in note type, from the engine, in headless Chromium:
each paragraph, item and question aligns to the start of its own script."""

from __future__ import annotations

import shutil

import pytest
from browser_support import Face, engine_faces, open_reviewer
from click.testing import CliRunner

from deckbuild.cli import cli

CARDS = """# שפות

## מהי למידת העברה?
<!-- id: he-transfer -->

שימוש במודל שאומן על משימה אחת.

- שכבות מוקפאות
- A list item in English

An English sentence in the same answer.

## ما هو التعلم بالنقل؟
<!-- id: ar-transfer -->

إعادة استخدام نموذج مدرب مسبقاً.

| المصطلح الذي نشرحه في هذا الجدول | المعنى |
|---|---|
| ضبط دقيق | تدريب إضافي |
"""

# Per block of text: its words, and how far its text stays from each side of its box.
GAPS_JS = r"""
() => Array.from(document.querySelectorAll(
    "section.face .qa-question, section.face p, section.face li, section.face td:first-child")).map((el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const lines = Array.from(range.getClientRects());
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const left = box.left + parseFloat(style.paddingLeft);
  const right = box.right - parseFloat(style.paddingRight);
  return {text: el.textContent.trim(),
          left: Math.min(...lines.map((r) => r.left)) - left,
          right: right - Math.max(...lines.map((r) => r.right))};
})
"""


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> list[Face]:
    root = tmp_path_factory.mktemp("rtl")
    project = root / "p"  # a new project, as `init` makes it: the built-in note type
    assert CliRunner().invoke(cli, ["init", str(project)], obj={}).exit_code == 0
    shutil.rmtree(project / "cards")
    (project / "cards").mkdir()
    (project / "cards" / "langs.md").write_text(CARDS, encoding="utf-8")
    return engine_faces(project, root / "anki")[0]


def _rtl(text: str) -> bool:
    """Whether the first letter of the text is Hebrew or Arabic."""
    first = next(c for c in text if c.isalpha())
    return "\u0590" <= first <= "\u06ff"


@pytest.mark.parametrize("width", [360, 1000])
def test_each_block_aligns_to_the_start_of_its_own_script(chromium, faces, width):
    page, site, report = open_reviewer(chromium, faces, width, night=False)
    blocks = page.evaluate(GAPS_JS)
    page.close()
    assert site.refused == [] and report["overflow"] == [], report
    texts = {block["text"] for block in blocks}
    assert {"מהי למידת העברה?", "ما هو التعلم بالنقل؟", "A list item in English",
            "An English sentence in the same answer.", "ضبط دقيق"} <= texts
    for block in blocks:
        near, far = (block["right"], block["left"]) if _rtl(block["text"]) else \
            (block["left"], block["right"])
        # At its start, short of the other side (a cell: its column is wider than it).
        assert near <= 2 and far > 10, block
