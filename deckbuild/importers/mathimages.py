"""Formulas that GitHub once drew as images, turned back into math; padded math tightened.

READMEs written before GitHub rendered `$...$` often show a formula as an image from
GitHub's math renderer, `render.githubusercontent.com/render/math?math=TEX`. That service
is gone, and a card must work offline anyway; the TeX is all in the address, so the image
becomes inline math, or display math when it stands alone on its line.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from ..source.mathgrammar import dollar_math_at, padded_span_at

_RENDERER = r"https?://render\.githubusercontent\.com/render/math\?"
_IMAGE = re.compile(r"<img\s[^>]*?src\s*=\s*([\"'])(?P<a>" + _RENDERER + r"[^\"']*)\1[^>]*>"
                    r"|!\[[^\]]*\]\(\s*(?P<b>" + _RENDERER + r"[^)\s]*)\s*\)", re.IGNORECASE)


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def tighten_padded(line: str) -> str:
    """Padded math (`$ x $`, as Typora and Obsidian accept it) written as `$x$`, which the
    math grammar typesets (and `check` refuses the padded form); code spans are left alone."""
    if "$ " not in line and "$\t" not in line:
        return line
    code = [m.span() for m in _CODE_SPAN.finditer(line)]
    out, pos, start = [], 0, 0
    while (pos := line.find("$", pos)) >= 0:
        tight = None if any(a <= pos < b for a, b in code) else dollar_math_at(line, pos)
        if tight is not None:  # `$m$ and $v$`: the dollar closing $m$ opens nothing
            pos = tight.end
            continue
        found = None if any(a <= pos < b for a, b in code) else padded_span_at(line, pos)
        if found is None:
            pos += 1
            continue
        out += [line[start:pos], f"${found.tex.strip()}$"]
        pos = start = found.end
    return "".join(out) + line[start:]


def math_images(line: str) -> str:
    """The line with each image of GitHub's math renderer replaced by its TeX as math."""
    if "render.githubusercontent.com" not in line:
        return line
    alone = _IMAGE.fullmatch(line.strip()) is not None

    def tex(match: re.Match[str]) -> str:
        address = html.unescape(match.group("a") or match.group("b"))
        found = parse_qs(urlsplit(address).query).get("math")
        if not found or not found[0].strip():
            return match.group(0)  # nothing to show: left for the image warning
        formula = found[0].strip()
        return f"$${formula}$$" if alone else f"${formula}$"

    return _IMAGE.sub(tex, line)
