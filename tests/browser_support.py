"""Headless Chromium as a stand-in for Anki's reviewer: load card HTML, typeset, measure.

The page is built like Anki's reviewer (`<body class="card">`, night mode adds `nightMode
night_mode`) with MathJax 3 from node_modules configured as Anki configures it. Pages and
files are served from memory and disk under a fake origin; any other request is refused and
recorded, so a card that reaches for the network fails the tests.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support import AnkiCollection

from deckbuild.live.preview import mathjax_config
from deckbuild.pipeline import build
from deckbuild.project.config import load_config

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("DECKBUILD_CHROMIUM", "/usr/bin/chromium"))
MATHJAX = REPO / "node_modules" / "mathjax"
MATHJAX_BUNDLE = MATHJAX / "es5" / "tex-chtml-full.js"
ARTIFACTS = REPO / "tests" / "artifacts"
ORIGIN = "http://reviewer.test/"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]

# Anki's reviewer settings for MathJax 3; the tests start typesetting themselves.
ANKI_MATHJAX_CONFIG = mathjax_config(startup="{typeset: false}")


def missing_requirements() -> list[str]:
    """What the browser tests need and this machine lacks, as instructions."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not MATHJAX_BUNDLE.is_file():
        missing.append("MathJax 3 not found in node_modules/mathjax (run `npm install`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package is missing (pip install -e '.[test]')")
    return missing


def require_browser() -> None:
    """Skip with the reason locally; under CI=true a missing requirement is a failure."""
    missing = missing_requirements()
    if not missing:
        return
    reason = "browser tests need: " + "; ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@contextmanager
def launch_chromium() -> Iterator[object]:
    """The system Chromium driven by playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Face:
    """One side of one card as the engine rendered it."""

    card: str
    side: str  # "question" or "answer"
    html: str


def package_faces(package: Path, folder: Path) -> tuple[list[Face], Path]:
    """Import a package with the official engine in `folder`, and take each card's HTML
    (question and answer, by the note's Id) and the collection's media folder."""
    anki = AnkiCollection(folder)
    try:
        anki.import_package(package)
        col = anki.col
        faces = []
        for card_id in col.find_cards(""):
            card = col.get_card(card_id)
            name = card.note()["Id"]
            faces += [Face(name, "question", card.question()), Face(name, "answer", card.answer())]
        media = Path(col.media.dir())
    finally:
        anki.close()
    return sorted(faces, key=lambda f: (f.card, f.side != "question")), media


def engine_faces(project: Path, folder: Path) -> tuple[list[Face], Path]:
    """Build the project, import it with the official engine, and take each card's HTML."""
    return package_faces(Path(build(load_config(project), now=1_700_000_000).path), folder)


def reviewer_html(faces: list[Face], night: bool) -> str:
    """Many cards in one page, each side in a <section> with the engine's HTML as is."""
    classes = "card nightMode night_mode" if night else "card"
    sections = "\n".join(
        f'<section class="face" data-card="{html.escape(f.card)}" data-side="{f.side}">'
        f"\n{f.html}\n</section>" for f in faces)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>{ANKI_MATHJAX_CONFIG}</script>
<script src="/mathjax/es5/tex-chtml-full.js"></script>
<style>section.face {{ padding-bottom: 12px; border-bottom: 1px dashed #888888; }}</style>
</head><body class="{classes}">
{sections}
</body></html>"""


@dataclass
class Site:
    """Serves the page, MathJax and a media folder under ORIGIN; refuses everything else."""

    page: str
    media: Path | None = None
    refused: list[str] = field(default_factory=list)

    def handle(self, route) -> None:
        url = route.request.url
        if not url.startswith(ORIGIN):
            self.refused.append(url)
            route.abort()
            return
        path = url[len(ORIGIN):].split("?", 1)[0]
        if path in ("", "index.html"):
            route.fulfill(body=self.page, content_type="text/html; charset=utf-8")
            return
        if path.startswith("mathjax/"):
            target = MATHJAX / path[len("mathjax/"):]
        else:
            target = (self.media or Path("/nonexistent")) / path
        if target.is_file():
            route.fulfill(path=str(target))
        else:
            route.fulfill(status=404, body="not found")


def device_scale(width: int) -> int:
    """Device pixels per CSS pixel: a phone-width page is shot at a phone's density."""
    return 2 if width < 600 else 1


def open_reviewer(browser, faces: list[Face], width: int, night: bool,
                  media: Path | None = None):
    """A page at `width` CSS px showing `faces`, typeset; returns (page, site, report)."""
    scale = device_scale(width)
    page = browser.new_page(viewport={"width": width, "height": 800}, device_scale_factor=scale)
    site = Site(reviewer_html(faces, night), media)
    page.route("**/*", site.handle)
    page.goto(ORIGIN + "index.html")
    report = page.evaluate(CHECKS_JS)
    return page, site, report


def screenshot(page, card: str, side: str, name: str, folder: Path = ARTIFACTS) -> Path:
    """One card side as shown in the page, to a PNG under tests/artifacts/."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.locator(f'section.face[data-card="{card}"][data-side="{side}"]').screenshot(path=str(path))
    return path


# Runs after the page loaded: typesets like Anki's reviewer, waits for fonts, then measures.
# Every list holds problems; `counts` proves the checks had something to look at.
CHECKS_JS = r"""
async () => {
  await MathJax.startup.promise;
  await MathJax.typesetPromise();
  await document.fonts.ready;
  const where = (el) => {
    const s = el.closest("section.face");
    return s ? s.dataset.card + ":" + s.dataset.side : "?";
  };
  const visible = (el) => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== "hidden";
  const r = {untypeset: [], mathErrors: [], leftoverTex: [], unhighlighted: [], notScrolling: [],
             verticalScroll: [], overflow: [], contrast: [], images: [], fonts: [], counts: {}};

  // Math: every arithmatex span/div became MathJax output, with no error and no unknown macro.
  const boxes = Array.from(document.querySelectorAll(".face .arithmatex"));
  for (const el of boxes) {
    if (!el.querySelector("mjx-container")) {
      r.untypeset.push({card: where(el), text: el.textContent.slice(0, 80)});
    }
  }
  let items = 0;
  for (const item of MathJax.startup.document.math) {
    items++;
    const mml = MathJax.startup.toMML(item.root);
    const err = mml.match(/<merror[^>]*data-mjx-error="([^"]*)"/) || mml.match(/<merror/);
    const undef = mml.match(/<mtext[^>]*mathcolor="red"[^>]*>(\\[^<]*)</);
    if (err || undef) {
      r.mathErrors.push({card: where(item.typesetRoot), tex: item.math.slice(0, 80),
                         error: err ? (err[1] || "merror") : "unknown macro " + undef[1]});
    }
  }
  for (const el of document.querySelectorAll(".face mjx-merror")) {
    r.mathErrors.push({card: where(el), tex: "", error: el.getAttribute("data-mjx-error") || "merror"});
  }
  r.counts.math = items;
  r.counts.arithmatex = boxes.length;

  // Visible text outside code and math must hold no TeX delimiter MathJax left behind.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el.closest(".face")) continue;
    if (el.closest("style, script, mjx-assistive-mml") || !visible(el)) continue;
    texts.push(el);
    if (el.closest("pre, code, mjx-container")) continue;
    const m = n.textContent.match(/\\[()[\]]|\$\$/);
    if (m) r.leftoverTex.push({card: where(el), text: n.textContent.trim().slice(0, 80)});
  }

  // Code: every block highlighted by Pygments (token spans inside div.highlight).
  const pres = Array.from(document.querySelectorAll(".face pre"));
  for (const pre of pres) {
    const box = pre.closest(".highlight");
    if (!box || !pre.querySelector("span[class]")) {
      r.unhighlighted.push({card: where(pre), text: pre.textContent.slice(0, 60)});
    }
  }
  r.counts.code = pres.length;

  // Wide things scroll inside themselves; nothing widens the page.
  const wide = ".face .highlight, .face pre, .face div.arithmatex, .face table, " +
               ".face mjx-container[display='true']";
  for (const el of document.querySelectorAll(wide)) {
    const ox = getComputedStyle(el).overflowX;
    if (ox !== "auto" && ox !== "scroll") {
      r.notScrolling.push({card: where(el), element: el.tagName.toLowerCase() + "." +
                           el.className, overflowX: ox});
    }
  }
  for (const el of document.querySelectorAll(".face *")) {
    const oy = getComputedStyle(el).overflowY;
    if ((oy === "auto" || oy === "scroll") && el.scrollHeight > el.clientHeight + 1) {
      r.verticalScroll.push({card: where(el), element: el.tagName.toLowerCase(),
                             px: el.scrollHeight - el.clientHeight});
    }
  }
  const root = document.documentElement;
  r.viewport = root.clientWidth;
  r.pageWidth = root.scrollWidth;
  for (const s of document.querySelectorAll("section.face")) {
    const extra = s.scrollWidth - s.clientWidth;
    if (extra > 0) r.overflow.push({card: where(s), px: extra});
  }

  // Contrast (WCAG) of every visible text element and formula against its effective background.
  const rgba = (c) => {
    const m = c.match(/rgba?\(([^)]*)\)/);
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, base) => [0, 1, 2].map((i) => top[i] * top[3] + base[i] * (1 - top[3]));
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const lum = (c) => {
    const [R, G, B] = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  const hex = (c) => "#" + c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const checked = new Set([...texts, ...document.querySelectorAll(".face mjx-container")]);
  let tokens = 0;
  for (const el of checked) {
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const token = !!el.closest(".highlight");
    if (token) tokens++;
    if (ratio < 4.5) {
      r.contrast.push({card: where(el), element: el.tagName.toLowerCase() +
                       (el.className ? "." + el.className : ""), ratio: Math.round(ratio * 100) / 100,
                       color: hex(fg), background: hex(bg), text: el.textContent.trim().slice(0, 40)});
    }
  }
  r.counts.textElements = checked.size;
  r.counts.codeTokens = tokens;

  // Images and fonts loaded.
  const imgs = Array.from(document.querySelectorAll(".face img"));
  for (const img of imgs) {
    if (!img.complete || img.naturalWidth === 0) {
      r.images.push({card: where(img), src: img.getAttribute("src")});
    }
  }
  r.counts.images = imgs.length;
  for (const f of document.fonts) if (f.status === "error") r.fonts.push(f.family);
  return r;
}
"""
