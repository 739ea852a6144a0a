"""Screenshots of a real card for the share kit, as Anki shows it, in headless Chromium.

The card's HTML comes from the official Anki engine (the package imported into a scratch
collection), so templates, CSS and fields are exactly what users get. The page is built
like Anki's reviewer (`<body class="card">`, night mode adds `nightMode night_mode`), with
MathJax 3 from node_modules configured as Anki configures it, typeset before the shot, at a
fixed viewport and scale. Both engines are heavy optional dependencies (the `share` extra:
`pip install 'deckbuild[share]'`); without them, or without Chromium or MathJax, the kit
is written without screenshots and says why. The only module importing anki or playwright.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DeckError, Problem, display_path
from ..markdown.mathjax import MATHJAX_BUNDLE, mathjax_config
from ..project.config import Config

if TYPE_CHECKING:  # playwright is imported only when screenshots are taken
    from playwright.sync_api import Browser, Route

ORIGIN = "http://card.invalid/"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--hide-scrollbars", "--font-render-hinting=none",
                 "--disable-lcd-text", "--force-color-profile=srgb"]
REVIEWER_CONFIG = mathjax_config(startup="{typeset: false}",
                                 options="{renderActions: {addMenu: []}}")


@dataclass(frozen=True)
class Shot:
    name: str
    side: str  # "question" or "answer"
    width: int  # CSS px = image px (scale 1)
    height: int
    night: bool


SHOTS = (
    Shot("front-1000.png", "question", 1000, 700, False),
    Shot("back-1000.png", "answer", 1000, 700, False),
    Shot("back-360.png", "answer", 360, 740, False),
    Shot("back-360-night.png", "answer", 360, 740, True),
)


def chromium_path() -> Path:
    return Path(os.environ.get("DECKBUILD_CHROMIUM", "/usr/bin/chromium"))


def mathjax_folder(config: Config) -> Path:
    return config.root / "node_modules" / "mathjax"


def missing_requirements(config: Config) -> list[str]:
    """What screenshots need and this machine lacks, as instructions."""
    missing = []
    for package in ("anki", "playwright"):
        if importlib.util.find_spec(package) is None:  # found, not imported: both are slow to load
            missing.append(f"the {package} package is not installed "
                           "(pip install 'deckbuild[share]')")
    if not os.access(chromium_path(), os.X_OK):
        missing.append(f"no Chromium at {chromium_path()} (install chromium, or set "
                       "DECKBUILD_CHROMIUM)")
    if not (mathjax_folder(config) / MATHJAX_BUNDLE).is_file():
        missing.append("MathJax 3 is not in node_modules/mathjax (run `npm install`)")
    return missing


@dataclass(frozen=True)
class CardFaces:
    question: str
    answer: str


def showcase(cards: list[CardFaces]) -> CardFaces:
    """The card to show: the shortest answer with display math and code, else with either,
    else the shortest; ties keep deck order."""
    def rank(card: CardFaces) -> tuple[int, int]:
        math = '<div class="arithmatex">' in card.answer
        code = 'class="highlight"' in card.answer
        return (0 if math and code else 1 if math or code else 2, len(card.answer))
    return min(cards, key=rank)


def engine_faces(package: Path, folder: Path) -> tuple[list[CardFaces], Path]:
    """Import the package into a fresh collection; every card's HTML and the media folder."""
    from anki.collection import Collection
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions()))
        cards = [col.get_card(i) for i in col.find_cards("", order="c.nid, c.ord")]
        faces = [CardFaces(card.question(), card.answer()) for card in cards]
        media = Path(col.media.dir())
    finally:
        col.close()
    return faces, media


def reviewer_page(face: str) -> str:
    """A reviewer-like page in day mode around one face of a card, as the engine rendered it."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>card</title>
<script>{REVIEWER_CONFIG}</script>
<script src="/mathjax/{MATHJAX_BUNDLE}"></script>
<style>html, body {{ margin: 0; }} body {{ padding: 16px; min-height: 100vh;
  box-sizing: border-box; }}</style>
</head><body class="card">
{face}
</body></html>"""


# Typesets like Anki's reviewer, waits for fonts and images, then reports what MathJax
# left undone: formulas still in TeX, or typeset with an error.
TYPESET_JS = r"""async () => {
  await MathJax.startup.promise;
  await MathJax.typesetPromise();
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map((i) => i.decode().catch(() => null)));
  const left = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest("script, style, pre, code, mjx-container")) continue;
    if (/\\[()[\]]/.test(n.textContent)) left.push(n.textContent.trim().slice(0, 60));
  }
  const errors = document.querySelectorAll("mjx-merror").length;
  return {left: left, errors: errors};
}"""


def take_screenshots(config: Config, package: Path, folder: Path) -> dict[str, bytes]:
    """PNG bytes by file name, one per SHOTS entry, of the showcase card (for `folder`)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        faces, media = engine_faces(package, Path(tmp))
        card = showcase(faces)
        folders = (mathjax_folder(config), media)
        shown = display_path(folder, config.root)
        shots: dict[str, bytes] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
            try:
                for side, face in (("question", card.question), ("answer", card.answer)):
                    wanted = [shot for shot in SHOTS if shot.side == side]
                    shots.update(_shoot(browser, reviewer_page(face), wanted, folders, shown))
            finally:
                browser.close()
    return {shot.name: shots[shot.name] for shot in SHOTS}


class _Site:
    """Serves the page, MathJax and the collection's media under ORIGIN; refuses the rest."""

    def __init__(self, page_html: str, mathjax: Path, media: Path) -> None:
        self.page_html, self.mathjax, self.media = page_html, mathjax.resolve(), media.resolve()

    def __call__(self, route: Route) -> None:
        url = route.request.url
        path = url[len(ORIGIN):].split("?", 1)[0] if url.startswith(ORIGIN) else None
        if path is None:
            route.abort()  # a card never reaches the network
        elif path in ("", "index.html"):
            route.fulfill(body=self.page_html, content_type="text/html; charset=utf-8")
        else:
            base, rest = (self.mathjax, path[8:]) if path.startswith("mathjax/") \
                else (self.media, path)
            target = (base / rest).resolve()
            if target.is_file() and target.is_relative_to(base):
                route.fulfill(path=str(target))
            else:
                route.fulfill(status=404, body="not found")


# Night mode as Anki sets it, then two frames so that the new layout is painted.
_MODE_JS = """(night) => new Promise((done) => {
  for (const name of ["nightMode", "night_mode"]) document.body.classList.toggle(name, night);
  requestAnimationFrame(() => requestAnimationFrame(done));
})"""


def _shoot(browser: Browser, page_html: str, shots: list[Shot], folders: tuple[Path, Path],
           shown: str) -> dict[str, bytes]:
    """One page for one face: typeset once, then each size and mode in turn."""
    first = shots[0]
    page = browser.new_page(viewport={"width": first.width, "height": first.height},
                            device_scale_factor=1, color_scheme="light")
    try:
        page.route("**/*", _Site(page_html, *folders))
        page.goto(ORIGIN + "index.html")
        report = page.evaluate(TYPESET_JS)
        if report["left"] or report["errors"]:
            left = len(report["left"])
            raise DeckError(Problem(
                f"{shown}/{first.name}", 0,
                f"MathJax did not typeset the card ({left} formula{'s' if left != 1 else ''} "
                f"left as TeX, e.g. {report['left'][:1]}; {report['errors']} errors); "
                "no screenshot taken"))
        taken = {}
        for shot in shots:
            page.set_viewport_size({"width": shot.width, "height": shot.height})
            page.evaluate(_MODE_JS, shot.night)
            taken[shot.name] = page.screenshot(animations="disabled", caret="hide")
        return taken
    finally:
        page.close()
