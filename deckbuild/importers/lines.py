"""Fence-aware reading of a Markdown file into lines and headings (no Markdown parser)."""

from __future__ import annotations

import re

from .records import Document, Heading, Line

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_DETAILS_OPEN = re.compile(r"<details(?:\s[^>]*)?>", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_HTML_HEADING = re.compile(r"^\s*<h([1-6])(?:\s[^>]*)?>(?P<text>.*?)</h\1\s*>\s*$", re.IGNORECASE)
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")


def read_document(text: str, path: str, stem: str) -> Document:
    """Split text into numbered lines, marking fenced code so that nothing splits it."""
    raw = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines: list[Line] = []
    headings: list[Heading] = []
    fence = ""
    comment = False  # inside an HTML comment block: no fence or heading starts there
    folded = 0  # <details> blocks open here: a heading inside one is part of its content
    for number, content in enumerate(raw, start=1):
        if fence:
            if _closes(content, fence):
                fence = ""
            lines.append(Line(number, content, code=True))
            continue
        if comment or _COMMENT_OPEN.match(content):
            # `<!--` at the margin opens an HTML block that runs to the line holding `-->`
            # (CommonMark): a fence or heading in a commented-out draft is neither.
            comment = "-->" not in content[content.find("<!--") + 4 if not comment else 0:]
            lines.append(Line(number, content))
            continue
        opened = _FENCE.match(content)
        # A backtick fence's info string may not hold a backtick (that is inline code).
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            fence = opened.group(1)
            lines.append(Line(number, content, code=True))
            continue
        lines.append(Line(number, content))
        folded = _folded(folded, content)
        heading = None if folded else _heading(lines)
        if heading:
            headings.append(heading)
    return Document(path, stem, tuple(lines), tuple(headings))


def _folded(depth: int, content: str) -> int:
    """How many <details> blocks are open after this line."""
    if "details" not in content.lower():
        return depth
    return max(0, depth + len(_DETAILS_OPEN.findall(content)) - len(_DETAILS_CLOSE.findall(content)))


def _heading(lines: list[Line]) -> Heading | None:
    """The heading that the last line is (ATX or HTML), or ends (a setext `=====` underline)."""
    line = lines[-1]
    atx = _HEADING.match(line.text)
    if atx:
        return Heading(line.number, len(atx.group(1)), (atx.group(2) or "").strip())
    html = _HTML_HEADING.match(line.text)
    if html:  # `<h1 align="center">Title</h1>`, as READMEs centre their titles
        return Heading(line.number, int(html.group(1)), html.group("text").strip())
    if _SETEXT_H1.match(line.text) and len(lines) > 1 and _titles(lines[-2]):
        # `Title` over `=====`: the title of many READMEs (`---` underlines are too ambiguous).
        return Heading(line.number - 1, 1, lines[-2].text.strip(), underline=line.number)
    return None


def _titles(line: Line) -> bool:
    return not line.code and not line.blank and not _HEADING.match(line.text) \
        and not line.text.startswith(("    ", "\t", "<", "-", "*", ">"))


def _closes(content: str, fence: str) -> bool:
    stripped = content.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def section_for(headings: list[Heading], line: int) -> Heading | None:
    """The last of these headings above a line: the section a card there belongs to."""
    above = None
    for heading in headings:
        if heading.number >= line:
            break
        above = heading
    return above
