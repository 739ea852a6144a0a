"""A card written as for GitHub, built, imported with the Anki engine and shown in Chromium.

The issue's shapes as a reader sees them: the list under a colon line is a list (nested by
two spaces), the fence under a paragraph line is a highlighted block and not a paragraph
the browser has to split (which left an empty <p> behind), the ordered list counts from 3,
and `\\|` in a table cell's code is a pipe.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Face, launch_chromium, open_reviewer, require_browser
from support import AnkiCollection, make_project

from deckbuild.pipeline import build
from deckbuild.project.config import load_config

CARD = """# Fundamentals

## What makes up a domain?
<!-- id: domain-parts -->

A domain consists of:
- **Feature space** $\\mathcal{X}$
- **Marginal distribution** $P(X)$
  - estimated from a sample
  - never from the labels

Freeze the backbone:
```python
for p in model.parameters():
    p.requires_grad = False
```
Then train the head.

Continuing from step 2:

3. Unfreeze the top block
4. Fine-tune everything

Operators:
| Operator | Code |
|---|---|
| or | `a \\| b` |
"""

SHAPE_JS = """() => {
  const s = document.querySelector('section.face[data-side="answer"]');
  const ps = [...s.querySelectorAll('p')];
  return {
    bullets: s.querySelectorAll('ul > li').length,
    nested: s.querySelectorAll('li > ul > li').length,
    emptyParagraphs: ps.filter(p => !p.textContent.trim() && !p.children.length).length,
    codeInParagraph: s.querySelectorAll('p div.highlight, p pre').length,
    highlighted: s.querySelectorAll('div.highlight pre').length,
    orderedStart: [...s.querySelectorAll('ol')].map(ol => ol.start),
    orderedItems: s.querySelectorAll('ol > li').length,
    cells: [...s.querySelectorAll('td')].map(td => td.textContent),
  };
}"""


@pytest.fixture(scope="module")
def answer(tmp_path_factory) -> tuple[Face, Path]:
    """The card's back as the official engine renders it, and the collection's media."""
    root = tmp_path_factory.mktemp("gfm")
    project = make_project(root / "p", {"fundamentals.md": CARD})
    html, media = engine_answer(project, root / "anki")
    return Face("domain-parts", "answer", html), media


def engine_answer(project: Path, collection: Path) -> tuple[str, Path]:
    """The back of the project's one card as the official engine renders it once imported,
    and the collection's media folder."""
    package = Path(build(load_config(project), now=1_700_000_000).path)
    anki = AnkiCollection(collection)
    try:
        anki.import_package(package)
        (card_id,) = anki.col.find_cards("")
        return anki.col.get_card(card_id).answer(), Path(anki.col.media.dir())
    finally:
        anki.close()


def test_a_github_style_card_has_githubs_blocks_in_the_reviewer(answer):
    require_browser()
    face, media = answer
    with launch_chromium() as browser:
        page, site, report = open_reviewer(browser, [face], 360, False, media)
        shape = page.evaluate(SHAPE_JS)
        page.close()
    assert shape == {
        "bullets": 4, "nested": 2, "emptyParagraphs": 0, "codeInParagraph": 0,
        "highlighted": 1, "orderedStart": [3], "orderedItems": 2, "cells": ["or", "a | b"],
    }
    assert report["mathErrors"] == [] and report["unhighlighted"] == []
    assert report["overflow"] == [] and site.refused == []


TASKS_CARD = """# Fundamentals

## Which steps are done?
<!-- id: steps-done -->

Progress:

- [x] freeze the backbone
- [ ] fine-tune everything

<img src="../media/dot.png" alt="a dot" width="40">

```scala tut:silent
val frozen = true
```
"""

TASKS_JS = """() => {
  const s = document.querySelector('section.face[data-side="answer"]');
  const items = [...s.querySelectorAll('ul > li')];
  const glyph = li => {  // the first character of the item, as laid out
    const range = document.createRange();
    range.setStart(li.firstChild, 0);
    range.setEnd(li.firstChild, 1);
    return range.getBoundingClientRect().width;
  };
  const img = s.querySelector('img');
  return {
    boxes: items.map(li => li.textContent.trim().slice(0, 2)),
    glyphWidths: items.map(glyph),
    inputs: s.querySelectorAll('input').length,
    imgInParagraph: !!s.querySelector('p img'),
    imgLoaded: img ? img.complete && img.naturalWidth > 0 : false,
    imgWidth: img ? Math.round(img.getBoundingClientRect().width) : 0,
    code: [...s.querySelectorAll('div.highlight pre')].map(pre => pre.textContent.trim()),
  };
}"""


def _png() -> bytes:
    """A 2x2 opaque PNG, written here."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + b"\x20\x60\xa0" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
def test_task_boxes_an_html_image_line_and_an_info_string_fence_in_the_reviewer(
        tmp_path, night):
    """GitHub's task list items, `<img>` line (an HTML block) and `scala tut:silent` fence,
    imported with the Anki engine and shown at phone width."""
    require_browser()
    project = make_project(tmp_path / "p", {"fundamentals.md": TASKS_CARD})
    (project / "media" / "dot.png").write_bytes(_png())
    html, media = engine_answer(project, tmp_path / "anki")
    with launch_chromium() as browser:
        page, site, report = open_reviewer(browser, [Face("steps-done", "answer", html)], 360,
                                           night, media)
        shape = page.evaluate(TASKS_JS)
        page.close()
    assert shape["boxes"] == ["\u2611 ", "\u2610 "] and shape["inputs"] == 0
    assert all(width >= 6 for width in shape["glyphWidths"]), shape  # a glyph, not nothing
    assert not shape["imgInParagraph"] and shape["imgLoaded"] and shape["imgWidth"] == 40
    assert shape["code"] == ["val frozen = true"]
    assert report["overflow"] == [] and site.refused == []
