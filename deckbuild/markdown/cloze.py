"""A Python-Markdown extension that keeps Anki's cloze deletions whole in a cloze card.

`{{c1::text}}` and `{{c1::text::hint}}` pass through Markdown unchanged (braces and
colons mean nothing to it), so emphasis, inline code, links and math inside a deletion
render as anywhere else, in a list item or a table cell too. What Markdown cannot see is
where Anki will end a deletion: at the first `}}` of the field's HTML, even one inside
TeX. This tree processor walks the card's elements in document order, after the inline
patterns ran (math and code are elements of their own by then), and follows the
deletions as Anki will read them:

- a `}}` inside math in an open deletion is TeX, so it becomes `} }` (the same formula:
  TeX ignores the space), and the deletion ends where the author meant;
- a `}}` inside inline code in an open deletion cannot be changed, and is reported;
- deletions numbered c0, a deletion never closed, a `{{` that opens none, and a card
  without any deletion are reported.

It only acts while `active` (on the Text field of a cloze note); the renderer
registers it after the inline patterns (those run at priority 20).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown import Markdown
from markdown.treeprocessors import Treeprocessor

_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}|\{\{")
_DOUBLE_CLOSE = re.compile(r"\}(?=\})")


@dataclass
class ClozeScan:
    """What one field's deletions look like to Anki: numbers in order, and what is wrong
    (each problem as (a piece of source text to find the line by, message))."""

    numbers: list[int] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    open: list[str] = field(default_factory=list)  # the source near each open deletion

    @property
    def depth(self) -> int:
        return len(self.open)


NO_DELETION = "cloze card has no deletion: mark one as {{c1::text}} (or {{c1::text::hint}})"


class ClozeTreeprocessor(Treeprocessor):
    """Follows deletions through the tree; fixes `}}` in math, reports the rest."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.active = False
        self.scan = ClozeScan()

    def run(self, root: etree.Element) -> None:
        if not self.active:
            return
        self.scan = ClozeScan()
        self._walk(root)
        if self.scan.open:
            self.scan.problems.append((self.scan.open[-1], "a deletion is never closed: end it "
                                                           "with '}}'"))
        if not self.scan.numbers:
            self.scan.problems.append(("", NO_DELETION))

    def _walk(self, element: etree.Element) -> None:
        kind = _kind(element)
        if kind == "math":
            if self.scan.depth and element.text and "}}" in element.text:
                element.text = type(element.text)(_DOUBLE_CLOSE.sub("} ", element.text))
        elif kind == "code":
            if self.scan.depth and "}}" in "".join(element.itertext()):
                self.scan.problems.append(("}}", "'}}' inside code ends the deletion early in "
                                                 "Anki: take the code out of the deletion"))
        else:
            self._text(element.text)
            for child in element:
                self._walk(child)
        self._text(element.tail)

    def _text(self, text: str | None) -> None:
        for m in _TOKEN.finditer(text or ""):
            token = m.group(0)
            if m.group(1) is not None:
                number = int(m.group(1))
                if number == 0:
                    self.scan.problems.append(("{{c0::", "'{{c0::' is no deletion number: "
                                                         "numbers start at c1"))
                self.scan.numbers.append(number)
                self.scan.open.append(_near(text or "", m.start()))
            elif token == "}}":
                if self.scan.open:
                    self.scan.open.pop()
            else:
                self.scan.problems.append((_near(text or "", m.start()), "'{{' opens no "
                                           "deletion: write {{c1::text}}"))


def _kind(element: etree.Element) -> str:
    if "arithmatex" in element.get("class", ""):
        return "math"
    return "code" if element.tag in ("code", "pre") else ""


def _near(text: str, start: int) -> str:
    """A piece of the source around a position, to find its line by."""
    return text[start:start + 20].split("\n")[0]
