"""(m) Markdown2Anki's cards: blocks between separators (`---`, `***`), each a `# Front side`
and usually a `# Back side` (`# frontside` too), each side holding `## Left tabs` /
`## Right tabs` and `### Tab` headings.

The question is the first line of the front's first left tab (or, if that is not prose, the
tab's name); the rest of the front stays on the front, other tabs under their names in bold.
The back side is the answer. A front with `{{c1::…}}` deletions is a cloze note (the first
tab's name its context, the back its extra); a front with no back side answers with its right
tabs. Blocks that are not cards (a back with no front, a front with no left tab or nothing in
it, `#frontside` with no space, which is no heading) are listed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..errors import Problem
from .layout import Layout, place
from .records import Document, Found, Heading, LeftOut, Line, Split
from .text import RULE

_CLOZE = re.compile(r"\{\{c\d+::")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_NOT_PROSE = re.compile(r"^\s*(?:`{3,}|~{3,}|\||!\[|<|\$\$)")


def _key(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text).lower()


_SIDES = {"frontside": "front", "backside": "back"}
_GROUPS = {"lefttabs": "left", "leftside": "left", "lefttab": "left",
           "righttabs": "right", "rightside": "right", "righttab": "right"}


def split(doc: Document) -> Split:
    """A card per block with a front side that has a left tab with something in it."""
    breaks = [line.number for line in doc.lines if not line.code and RULE.match(line.text)]
    bounds = [0, *breaks, len(doc.lines) + 1]
    headings = {h.number: h for h in doc.headings}
    cards = []
    unnamed: list[int] = []  # the lines of tab names that no field shows
    for start, stop in zip(bounds, bounds[1:], strict=False):
        found = _card(doc, [headings[n] for n in range(start + 1, stop) if n in headings], stop,
                      unnamed)
        if found:
            cards.append(found)
    if not cards:
        return Split(())
    split = place(doc, cards, (), "cards are Markdown2Anki's '# Front side' / '# Back side' blocks")
    markup = tuple(LeftOut(h.number, doc.line(h.number).text.strip(), "Markdown2Anki's side or "
                           "tab group") for h in doc.headings
                   if h.level == 1 and _key(h.text) in _SIDES
                   or h.level == 2 and _key(h.text) in _GROUPS)
    markup += tuple(LeftOut(n, doc.line(n).text.strip(), "Markdown2Anki's tab name")
                    for n in unnamed)
    # Anki finds no deletion that code highlighting splits: the user must move it out.
    problems = tuple(Problem(doc.path, line.number, "a {{c1::…}} deletion inside a code block "
                             "is not one to Anki (the highlighting splits it): move it out of "
                             "the code, or give --layout headings to import the file as notes")
                     for card in cards if card.notetype == "cloze"
                     for line in card.answer if line.code and _CLOZE.search(line.text))
    return replace(split, left=markup, problems=problems)


_Tab = tuple[str, str, list[Line], int]  # group (left/right), name, content lines, name's line


def _card(doc: Document, headings: list[Heading], stop: int, unnamed: list[int]
          ) -> Found | None:
    """The card of one block, or None; the tab names it does not show go to `unnamed`."""
    sides = [h for h in headings if h.level == 1 and _key(h.text) in _SIDES]
    fronts = [h for h in sides if _SIDES[_key(h.text)] == "front"]
    if not fronts:
        return None
    front_heading = fronts[0]
    back_heading = next((h for h in sides if _SIDES[_key(h.text)] == "back"
                         and h.number > front_heading.number), None)
    front_end = back_heading.number if back_heading else stop
    front = _tabs(doc, headings, front_heading.number, front_end)
    back = _tabs(doc, headings, back_heading.number, stop) if back_heading else []
    left = [tab for tab in front if tab[0] == "left" and any(not ln.blank for ln in tab[2])]
    if not left:
        return None
    first = left[0]
    others = [tab for tab in front if tab is not first]
    last = max(line.number for line in doc.span(front_heading.number, stop - 1)
               if not line.blank)
    region = (front_heading.number, last)
    text = "\n".join(line.text for tab in front for line in tab[2])
    if _CLOZE.search(text):
        body = _lines(first[2]) + _named(others)
        return Found(first[1], front_heading.number, region, body, extra=_text(_named(back)),
                     notetype="cloze")
    content = [line for line in first[2] if not line.blank]
    opening = content[0]
    if _NOT_PROSE.match(opening.text) or opening.code:
        question, rest = first[1], first[2]
    else:
        question = opening.text.lstrip("#").strip()
        rest = [line for line in first[2] if line.number != opening.number]
        unnamed.append(first[3])
    if not back:  # no back side: the front's right tabs answer it
        back = [tab for tab in others if tab[0] == "right"]
        others = [tab for tab in others if tab[0] != "right"]
    if not back:
        return Found(question, front_heading.number, region, ())
    answer = _lines(back[0][2]) + _named(back[1:])
    unnamed.append(back[0][3])
    return Found(question, opening.number, region, answer,
                 front=tuple(_lines(rest) + _named(others)))


def _tabs(doc: Document, headings: list[Heading], start: int, stop: int) -> list[_Tab]:
    """The tabs of a side: each `###` tab's lines, in its `##` group (left if none)."""
    tabs: list[_Tab] = []
    group = "left"
    marks = sorted((h for h in headings if start < h.number < stop
                    and (h.level == 2 and _key(h.text) in _GROUPS or h.level == 3)),
                   key=lambda h: h.number)
    for index, heading in enumerate(marks):
        if heading.level == 2:
            group = _GROUPS[_key(heading.text)]
            continue
        end = marks[index + 1].number if index + 1 < len(marks) else stop
        tabs.append((group, heading.text.strip(), list(doc.span(heading.number + 1, end - 1)),
                     heading.number))
    return tabs


def _lines(lines: list[Line]) -> tuple[Line, ...]:
    kept = list(lines)
    while kept and kept[0].blank:
        kept.pop(0)
    while kept and kept[-1].blank:
        kept.pop()
    return tuple(kept)


def _named(tabs: list[_Tab]) -> tuple[Line, ...]:
    """Tabs under their names in bold, a blank line between."""
    out: list[Line] = []
    for _, name, lines, _line in tabs:
        body = _lines(lines)
        if not body:
            continue
        out += [Line(0, ""), Line(body[0].number, f"**{name}**"), Line(0, ""), *body]
    return tuple(out)


def _text(lines: tuple[Line, ...]) -> str:
    return "\n".join(line.text for line in lines).strip("\n")


LAYOUT = Layout("frontback", "Markdown2Anki's `# Front side` / `# Back side` blocks with tabs",
                split)
