"""MathJax 3 as Anki configures it, and where to find the npm package on this machine.

The preview page, the live preview and the share kit's screenshots all typeset with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeckError, Problem
from ..project.config import Config

MATHJAX_BUNDLE = "es5/tex-chtml-full.js"
MATHJAX_FONTS = "es5/output/chtml/fonts/woff-v2"

# Anki's own MathJax 3 settings (ts/mathjax in ankitects/anki): \(..\) inline, \[..\] display,
# no $ and no \$ escapes, errors shown as the TeX source.
ANKI_TEX = """{
    inlineMath: [["\\\\(", "\\\\)"]],
    displayMath: [["\\\\[", "\\\\]"]],
    processEscapes: false,
    processEnvironments: false,
    processRefs: false,
    packages: {"[+]": ["noerrors", "mathtools", "mhchem"], "[-]": ["textmacros"]}
  }"""


def mathjax_config(**sections: str) -> str:
    """`window.MathJax = {...}` with Anki's TeX settings and the given other sections."""
    parts = [f"  tex: {ANKI_TEX}", *(f"  {name}: {value}" for name, value in sections.items())]
    return "window.MathJax = {\n" + ",\n".join(parts) + "\n};"


MATHJAX_CONFIG = mathjax_config(options="{renderActions: {addMenu: []}}")


@dataclass(frozen=True)
class MathJaxPlace:
    """Where MathJax 3's npm package may be, and how the user told us about it."""

    label: str
    locate: Callable[[], Path | None]  # the folder, found only when asked (npm is slow)
    explicit: bool = False  # given on the command line: used or refused, never skipped


def mathjax_places(config: Config, option: Path | None, environment: str | None,
                   npm_root: Callable[[], Path | None] | None) -> list[MathJaxPlace]:
    """Where to look, in order: --mathjax, the project, $DECKBUILD_MATHJAX, npm's global root."""
    if option is not None:
        return [MathJaxPlace("--mathjax", lambda: option, explicit=True)]
    project = config.root / "node_modules" / "mathjax"
    places = [MathJaxPlace("the project", lambda: project),
              MathJaxPlace("$DECKBUILD_MATHJAX", lambda: Path(environment) if environment else None)]
    if npm_root is not None:
        places.append(MathJaxPlace("the global npm folder",
                                   lambda: (root / "mathjax") if (root := npm_root()) else None))
    return places


def has_mathjax(folder: Path) -> bool:
    return (folder / MATHJAX_BUNDLE).is_file() and (folder / MATHJAX_FONTS).is_dir()


def find_mathjax(config: Config, places: list[MathJaxPlace]) -> Path:
    """The first place holding MathJax 3; else an error that says how to get it."""
    looked = []
    for place in places:
        folder = place.locate()
        if folder is not None and has_mathjax(folder):
            return folder
        if place.explicit:
            raise DeckError(Problem(str(folder), 0, f"no MathJax 3 here ({MATHJAX_BUNDLE} is "
                                    "missing): give the folder of the npm package 'mathjax'"))
        looked.append(f"{place.label} ({folder})" if folder else f"{place.label} (unset)")
    pinned = (config.root / "package.json").is_file() and \
        '"mathjax"' in (config.root / "package.json").read_text(encoding="utf-8", errors="replace")
    get = "`npm install`" if pinned else "`npm install mathjax@3`"
    raise DeckError(Problem(
        "node_modules/mathjax", 0,
        f"MathJax 3 not found (looked in {', '.join(looked)}); run {get} in the project "
        "folder, or pass --mathjax DIR (the npm package's folder), then try again"))
