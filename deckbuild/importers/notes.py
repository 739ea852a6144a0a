"""What `check` will say about imported cards, said before they are written."""

from __future__ import annotations

import posixpath
import re

from ..errors import Problem
from .records import ImportedCard

_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\s[^>]*?src=[\"']([^\"']+)", re.IGNORECASE)


def import_warnings(path: str, cards: list[ImportedCard]) -> list[Problem]:
    """Repeated questions, and images that are not (yet) files in media/."""
    warnings: list[Problem] = []
    seen: dict[str, int] = {}
    for card in cards:
        key = " ".join((card.question + " " + card.front).lower().split())
        if key in seen:
            warnings.append(Problem(path, card.line, f"the same question as line {seen[key]}: "
                                    "`check` warns about it; make the questions differ",
                                    "warning"))
        seen.setdefault(key, card.line)
        for match in _IMAGE.finditer(card.answer):
            source = match.group(1) or match.group(2)
            if not source.startswith("../media/"):
                name = posixpath.basename(source.split("?")[0]) or "image"
                how = "download" if "://" in source else "copy"
                warnings.append(Problem(path, card.line, f"image {source!r}: {how} it into media/ "
                                        f"and link it as ../media/{name}", "warning"))
    return warnings
