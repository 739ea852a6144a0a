"""Every card of the shipped deck, as the Anki engine renders it, in headless Chromium.

At 360 px (a phone) and 1000 px, day and night: math typeset without errors, no TeX left
in the text, code highlighted, nothing wider than the screen, readable contrast, images
and fonts loaded, nothing fetched from the network. Also the preview page, from file://.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    MATHJAX,
    Face,
    device_scale,
    engine_faces,
    open_reviewer,
    require_browser,
    screenshot,
)
from click.testing import CliRunner
from support import REPO, make_project

from deckbuild.cli import cli
from deckbuild.live.preview import write_preview
from deckbuild.package.notetype import load_notetype
from deckbuild.project.config import load_config
from deckbuild.project.sources import load_sources

SHIPPED_CARDS = 119  # 38 full cards, 26 cloze cards (Key Formulas), 55 Key Facts
VIEWS = [(360, False), (360, True), (1000, False), (1000, True)]
VIEW_IDS = ["360-day", "360-night", "1000-day", "1000-night"]


def showcase(faces: list[Face]) -> list[str]:
    """A few cards worth a screenshot: the shortest with display math and code, one with a table."""
    answers = sorted((f for f in faces if f.side == "answer"), key=lambda f: len(f.html))
    both = [f.card for f in answers
            if '<div class="arithmatex">' in f.html and '<div class="language-' in f.html]
    table = [f.card for f in answers if "<table>" in f.html]
    return list(dict.fromkeys(both[:1] + table[:1]))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> tuple[list[Face], Path]:
    root = tmp_path_factory.mktemp("shipped")
    return engine_faces(make_project(root / "p", shipped=True), root / "anki")


def showcase_path(card: str, width: int, night: bool) -> Path:
    return ARTIFACTS / f"{card}-{width}-{'night' if night else 'day'}.png"


@pytest.fixture(scope="module")
def views(chromium, shipped):
    """One page per width and mode holding all cards, measured once; screenshots on the way."""
    faces, media = shipped
    measured: dict[tuple[int, bool], tuple[dict, list[str]]] = {}
    for card in showcase(faces):  # a screenshot left by an earlier run proves nothing
        for width, night in VIEWS:
            showcase_path(card, width, night).unlink(missing_ok=True)

    def view(width: int, night: bool) -> tuple[dict, list[str]]:
        if (width, night) not in measured:
            page, site, report = open_reviewer(chromium, faces, width, night, media)
            for card in showcase(faces):
                screenshot(page, card, "answer", showcase_path(card, width, night).stem)
            page.close()
            measured[width, night] = report, site.refused
        return measured[width, night]

    return view


def test_the_engine_renders_every_shipped_card(shipped):
    faces, _ = shipped
    assert len({f.card for f in faces}) == SHIPPED_CARDS
    assert all("<style>" in f.html and ("tl-card" in f.html or "qa-card qa-cloze" in f.html)
               for f in faces)


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_every_formula_is_typeset_without_errors_or_unknown_macros(views, width, night):
    report, _ = views(width, night)
    assert report["untypeset"] == []
    assert report["mathErrors"] == []
    assert report["counts"]["math"] >= report["counts"]["arithmatex"] > 0


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_no_tex_delimiters_left_in_visible_text(views, width, night):
    assert views(width, night)[0]["leftoverTex"] == []


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_every_code_block_is_highlighted(views, width, night):
    report, _ = views(width, night)
    assert report["unhighlighted"] == []
    assert report["counts"]["code"] > 0


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_nothing_is_wider_than_the_screen(views, width, night):
    report, _ = views(width, night)
    assert report["overflow"] == [], "cards wider than the screen (px over)"
    assert report["pageWidth"] <= report["viewport"] == width
    assert report["notScrolling"] == [], "code, tables and display math must scroll inside"
    assert report["verticalScroll"] == [], "sideways scrolling must not add vertical scrollbars"


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_text_and_every_code_token_are_readable(views, width, night):
    report, _ = views(width, night)
    assert report["contrast"] == [], "contrast ratio below 4.5"
    assert report["counts"]["codeTokens"] > 100


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_fonts_load_and_nothing_comes_from_the_network(views, width, night):
    report, refused = views(width, night)
    assert report["fonts"] == []
    assert refused == []


# Per Key Formulas face: its deletions (text, shown, typeset math inside), its visible text,
# and the math outside the deletions (the cue), typeset or not.
KEY_FORMULAS_JS = r"""
() => Array.from(document.querySelectorAll("section.face"))
  .filter((s) => s.dataset.card.startsWith("formula-")).map((s) => ({
    card: s.dataset.card, side: s.dataset.side, text: s.innerText,
    context: (s.querySelector(".qa-context") || {}).innerText || "",
    // the deck's CSS lays the cloze cards out as the full cards (the Extra's dashed rule)
    extra: (() => { const e = s.querySelector(".qa-extra");
                    return e ? getComputedStyle(e).borderTopStyle : ""; })(),
    cloze: Array.from(s.querySelectorAll(".cloze")).map((el) => ({
      text: el.innerText.trim(), shown: el.getClientRects().length > 0,
      math: el.querySelectorAll("mjx-container").length,
      tex: el.querySelectorAll(".arithmatex").length})),
    // the formula fits the width, none of it hidden behind a sideways scroll
    scrolls: Array.from(s.querySelectorAll(".qa-text p, .qa-text .arithmatex, .qa-text mjx-container"))
      .some((el) => el.scrollWidth > el.clientWidth + 1),
    cue: Array.from(s.querySelectorAll(".qa-text .arithmatex"))
      .filter((el) => !el.closest(".cloze"))
      .map((el) => el.querySelector("mjx-container") !== null),
  }))
"""


@pytest.mark.parametrize(("width", "night"), [(360, False), (1000, True)],
                         ids=["360-day", "1000-night"])
def test_key_formulas_hide_one_term_and_typeset_front_and_back(chromium, shipped, width, night):
    faces, media = shipped
    formula_faces = [f for f in faces if f.card.startswith("formula-")]
    assert len(formula_faces) == 2 * 26
    page, site, report = open_reviewer(chromium, formula_faces, width, night, media)
    seen = {(f["card"], f["side"]): f for f in page.evaluate(KEY_FORMULAS_JS)}
    page.close()
    assert site.refused == []
    for check in ("untypeset", "mathErrors", "leftoverTex", "overflow", "contrast"):
        assert report[check] == [], check
    with_math = 0
    for card in {card for card, _ in seen}:
        front, back = seen[card, "question"], seen[card, "answer"]
        for face in (front, back):
            assert "{{c" not in face["text"] and "}}" not in face["text"], card
            assert "$" not in face["text"] and "\\(" not in face["text"], card
            assert face["context"] and all(face["cue"]), card  # cue typeset on both sides
            assert not face["scrolls"], f"{card}: the formula does not fit {width} px"
        # the front shows one blank, [...] or its hint, and nothing of the hidden term
        assert [c["text"][:1] + c["text"][-1:] for c in front["cloze"]] == ["[]"], card
        assert front["cloze"][0]["shown"] and front["cloze"][0]["tex"] == 0, card
        # the back shows the term, its math typeset
        (revealed,) = back["cloze"]
        assert revealed["shown"] and revealed["text"] and revealed["math"] == revealed["tex"]
        assert revealed["text"] not in front["text"], card
        assert back["extra"] == "dashed", card
        with_math += revealed["math"] > 0
    # every note whose hidden term holds math shows it typeset on the back
    files, _ = load_sources(load_config(REPO))
    expected = sum(1 for source in files for note in source.cards
                   if note.notetype == "cloze" and re.search(r"\{\{c\d+::[^}]*\$", note.answer))
    assert with_math == expected >= 10


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> tuple[list[Face], Path]:
    root = tmp_path_factory.mktemp("mini")
    return engine_faces(make_project(root / "p", mini=True), root / "anki")


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
def test_images_load_in_the_reviewer(chromium, mini, night):
    faces, media = mini
    page, site, report = open_reviewer(chromium, faces, 360, night, media)
    page.close()
    assert report["counts"]["images"] >= 1
    assert report["images"] == []
    assert site.refused == []


@pytest.fixture(scope="module")
def starter(tmp_path_factory) -> tuple[list[Face], Path]:
    """The sample cards of a new project, with the built-in note type."""
    from deckbuild.project.scaffold import Identity, init_files, write_files

    root = tmp_path_factory.mktemp("starter")
    project = root / "p"
    write_files(project, init_files(project, "Starter", Identity.fresh("Starter"), False))
    return engine_faces(project, root / "anki")


@pytest.mark.parametrize(("width", "night"), VIEWS, ids=VIEW_IDS)
def test_the_built_in_note_type_renders_a_new_decks_cards(chromium, starter, width, night):
    faces, media = starter
    assert len(faces) == 4 and all('class="qa-card"' in f.html for f in faces)
    page, site, report = open_reviewer(chromium, faces, width, night, media)
    screenshot(page, "what-a-card-holds", "answer",
               f"starter-{width}-{'night' if night else 'day'}")
    page.close()
    assert report["counts"]["math"] >= report["counts"]["arithmatex"] > 0
    assert report["counts"]["code"] > 0 and report["counts"]["images"] == 1
    for check in ("untypeset", "mathErrors", "leftoverTex", "unhighlighted", "overflow",
                  "notScrolling", "verticalScroll", "contrast", "images", "fonts"):
        assert report[check] == [], check
    assert report["pageWidth"] <= report["viewport"] == width
    assert site.refused == []


def test_screenshots_are_written(chromium, views, shipped):
    cards = showcase(shipped[0])
    for width, night in VIEWS:
        views(width, night)
    assert len(cards) >= 2
    page = chromium.new_page()
    for card in cards:
        for width, night in VIEWS:
            # Written by this run (the fixture deleted older ones), and an image Chromium
            # decodes to the card's size: the screen less the page's 8 px margins, in device
            # pixels, and taller than a few lines.
            data = base64.b64encode(showcase_path(card, width, night).read_bytes()).decode()
            page.set_content(f'<img src="data:image/png;base64,{data}">')
            size = page.evaluate("""() => { const i = document.querySelector("img");
                return i.decode().then(() => [i.naturalWidth, i.naturalHeight]); }""")
            scale = device_scale(width)
            assert size[0] == (width - 16) * scale and size[1] >= 200 * scale, (card, width, size)
    page.close()


def test_the_checks_catch_broken_cards(chromium):
    css = load_notetype(load_config(Path(__file__).resolve().parent.parent)).css
    broken = {
        "unknown-macro": r'<span class="arithmatex">\(\nosuchmacro{x}\)</span>',
        "tex-error": r'<span class="arithmatex">\(x^\)</span>',
        "raw-dollars": r"<p>Costs $$x^2$$ here.</p>",
        "not-typeset": '<span class="arithmatex">no math inside</span>',
        "plain-code": "<pre><code>x = 1</code></pre>",
        "too-wide": '<div style="width: 2000px">wide</div>',
        "grey-code": '<div class="highlight"><pre><span class="c" style="color: #333333">'
                     "dim</span></pre></div>",
        "no-scroll": '<div class="highlight" style="overflow-x: visible"><pre style="overflow: '
                     'visible"><span class="k">x</span></pre></div>',
        "broken-image": '<img src="missing.png">',
        "remote-image": '<img src="https://example.com/x.png">',
    }
    faces = [Face(name, "answer", f"<style>{css}</style>{html}") for name, html in broken.items()]
    page, site, report = open_reviewer(chromium, faces, 360, True)
    page.close()

    def flagged(key: str) -> set[str]:
        return {item["card"].split(":")[0] for item in report[key]}

    assert flagged("mathErrors") == {"unknown-macro", "tex-error"}
    assert flagged("leftoverTex") == {"raw-dollars"}
    assert flagged("untypeset") == {"not-typeset"}
    assert flagged("unhighlighted") == {"plain-code"}
    assert flagged("overflow") == {"too-wide"}
    assert report["pageWidth"] > report["viewport"]
    assert "grey-code" in flagged("contrast")
    assert flagged("notScrolling") == {"no-scroll"}
    assert flagged("images") == {"broken-image", "remote-image"}
    assert site.refused == ["https://example.com/x.png"]


# --- the preview page -----------------------------------------------------------------------


def test_preview_without_mathjax_is_a_clear_error(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    result = CliRunner(env={"DECKBUILD_MATHJAX": None, "NPM_CONFIG_PREFIX": str(tmp_path)}).invoke(
        cli, ["--project", str(project), "preview"], obj={})
    assert result.exit_code == 1
    assert result.output.startswith("Error: node_modules/mathjax: MathJax 3 not found (looked in ")
    assert "run `npm install mathjax@3` in the project folder, or pass --mathjax DIR" in result.output
    assert not (project / "dist" / "preview").exists()


def test_preview_command_writes_a_self_contained_folder(tmp_path):
    if not (MATHJAX / "es5").is_dir():
        require_browser()  # skips (or fails under CI=true) with the reason
    project = make_project(tmp_path / "p", mini=True)
    os.symlink(MATHJAX.parent, project / "node_modules")
    result = CliRunner().invoke(cli, ["--project", str(project), "preview"], obj={})
    assert result.exit_code == 0, result.output
    assert "preview/index.html: 3 cards" in result.output
    out = project / "dist" / "preview"
    page = (out / "index.html").read_text()
    assert '<script src="mathjax/tex-chtml-full.js"></script>' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert (out / "mathjax" / "tex-chtml-full.js").is_file()
    assert list((out / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    (image,) = re.findall(r'<img alt="Layer diagram" src="([^"]+)"', page)
    assert (out / image).read_bytes() == (project / "media" / "layers.png").read_bytes()
    assert [p.name for p in (project / "dist").iterdir() if p.name.startswith(".")] == []


def test_preview_page_works_offline_with_typeset_math_and_switches(chromium, tmp_path):
    project = make_project(tmp_path / "p", shipped=True)
    index = Path(write_preview(load_config(project), mathjax=MATHJAX).path)
    page = chromium.new_page(viewport={"width": 1200, "height": 900})
    fetched: list[str] = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
               else (fetched.append(route.request.url), route.abort()))
    page.goto(index.as_uri())
    page.evaluate("window.pvReady.then(() => document.fonts.ready)")
    state = page.evaluate("""() => ({
      cards: document.querySelectorAll("article.pv-card").length,
      math: document.querySelectorAll(".pv-screen mjx-container").length,
      untypeset: Array.from(document.querySelectorAll(".arithmatex"))
        .filter(e => !e.querySelector("mjx-container")).length,
      errors: document.querySelectorAll("mjx-merror").length,
      fonts: Array.from(document.fonts).filter(f => f.status === "error").length,
      count: document.getElementById("pv-count").textContent,
    })""")
    # Every formula the page was written with, typeset once: counted in the file, not the DOM.
    formulas = index.read_text(encoding="utf-8").count('class="arithmatex"')
    assert formulas > SHIPPED_CARDS
    assert state == {"cards": SHIPPED_CARDS, "math": formulas, "untypeset": 0, "errors": 0,
                     "fonts": 0, "count": f"{SHIPPED_CARDS} of {SHIPPED_CARDS} cards"}
    assert fetched == []

    screen_style = "getComputedStyle(document.querySelector('.pv-screen'))"
    assert page.evaluate(f"{screen_style}.backgroundColor") == "rgb(255, 255, 255)"
    page.check("#pv-night")
    assert page.evaluate("document.body.className.split(' ').sort().join(' ')") == \
        "nightMode night_mode pv"
    assert page.evaluate(f"{screen_style}.backgroundColor") == "rgb(30, 30, 30)"
    page.check("#pv-phone")
    assert page.evaluate("document.querySelector('.pv-screen').getBoundingClientRect().width") == 360
    assert page.evaluate("document.querySelectorAll('.pv-screen.pv-overflow').length") == 0

    visible = "document.querySelectorAll('article.pv-card:not([hidden])').length"
    section = page.evaluate("document.querySelector('#pv-section option:nth-child(2)').value")
    page.select_option("#pv-section", section)
    expected = page.evaluate(f"document.querySelectorAll('article[data-section=\"{section}\"]').length")
    assert 0 < page.evaluate(visible) == expected < SHIPPED_CARDS
    page.select_option("#pv-section", "")
    page.select_option("#pv-tag", "theory")
    tagged = page.evaluate("Array.from(document.querySelectorAll('article.pv-card'))"
                           ".filter(a => a.dataset.tags.split(' ').includes('theory')).length")
    assert 0 < page.evaluate(visible) == tagged < SHIPPED_CARDS
    assert page.evaluate("document.getElementById('pv-count').textContent") == \
        f"{tagged} of {SHIPPED_CARDS} cards"
    page.screenshot(path=str(_artifact("preview-phone-night.png")))
    page.close()


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def test_missing_browser_skips_locally_and_fails_under_ci(monkeypatch):
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium not found at /nonexistent"):
        browser_support.require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: browser tests may not be skipped"):
        browser_support.require_browser()
