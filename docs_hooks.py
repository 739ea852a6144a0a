"""MkDocs hook: MathJax 3 from node_modules into the built site, so its formulas work offline.

`npm install` puts MathJax in node_modules (as for the preview page and the browser tests).
Without it the site still builds, and formulas show as their TeX.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

MATHJAX = Path(__file__).resolve().parent / "node_modules" / "mathjax" / "es5"
FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2")


def on_post_build(config: Any, **_: Any) -> None:
    if not (MATHJAX / FILES[0]).is_file():
        return
    target = Path(config["site_dir"]) / "assets" / "mathjax"
    for name in FILES:
        source, copy = MATHJAX / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, dirs_exist_ok=True)
        else:
            shutil.copy2(source, copy)
