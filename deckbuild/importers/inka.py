"""(k) inka's notes: sections between `---` lines that open with `Deck:` (and `Tags:`), each
note a numbered line `1. Question`, its answer the `> ` blockquote lines below; a note with no
blockquote whose text holds `{deletions}` is a cloze note.

The deck names the cards' section and the tags are the cards' tags; both lines, and the
`<!--ID:…-->` comments inka writes above a note once it is in Anki, are listed as inka's
markup. Lines outside the sections (a title, a format guide) are left out.
"""

from __future__ import annotations

import re

from .layout import Layout, default_section
from .records import Document, Found, LeftOut, Line, Placed, Split
from .text import RULE

_DECK = re.compile(r"^\s*Deck:\s*(?P<value>.*?)\s*$")
_TAGS = re.compile(r"^\s*Tags:\s*(?P<value>.*?)\s*$")
_NOTE = re.compile(r"^(?P<number>\d+)\.\s+(?P<text>\S.*)$")
_QUOTE = re.compile(r"^\s{0,3}> ?")
_INKA_ID = re.compile(r"^\s*<!--\s*ID:\s*\d+\s*-->\s*$", re.IGNORECASE)
# `{{c1::x}}` (Anki's), `{c1::x}` and `{x}` (inka's); math and inline code are skipped.
_SKIP = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$|`+[^`]*`+")
_DELETION = re.compile(r"\{\{c\d+::.*?\}\}|\{(?:c(?P<n>\d+)::)?(?P<text>[^{}\n]+)\}")


def split(doc: Document) -> Split:
    """A card per numbered note inside inka's `---` / `Deck:` sections."""
    cards: list[Placed] = []
    markup: list[LeftOut] = []
    for start, end in _sections(doc):
        body = list(doc.span(start + 1, end - 1))
        deck, tags = "", ()
        for line in body:
            if line.code:
                continue
            if _DECK.match(line.text):
                deck = _DECK.match(line.text).group("value")  # type: ignore[union-attr]
                markup.append(LeftOut(line.number, line.text.strip(), "inka's deck (the section)"))
            elif _TAGS.match(line.text):
                tags = tuple(_TAGS.match(line.text).group("value").split())  # type: ignore[union-attr]
                markup.append(LeftOut(line.number, line.text.strip(), "inka's tags (the cards' tags)"))
            elif _INKA_ID.match(line.text):
                markup.append(LeftOut(line.number, line.text.strip(), "inka's note id"))
        section = deck.replace("::", " ").strip() or default_section(doc)
        starts = [line.number for line in body if not line.code and _NOTE.match(line.text)]
        stops = starts[1:] + [end]
        for first, stop in zip(starts, stops, strict=True):
            found = _note(doc, first, stop, tags, section)
            cards.append(Placed(found, section))
    if not cards:
        return Split(())
    return Split(tuple(cards), "cards are inka's numbered notes in '---' / 'Deck:' sections",
                 left=tuple(markup), marked=True)


def _sections(doc: Document) -> list[tuple[int, int]]:
    """(opening, closing) `---` line numbers of each section whose first line is `Deck:`."""
    rules = [line.number for line in doc.lines if not line.code and RULE.match(line.text)]
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(rules) - 1:
        opening = rules[index]
        first = next((line for line in doc.lines[opening:] if not line.blank), None)
        if first is not None and not first.code and _DECK.match(first.text):
            found.append((opening, rules[index + 1]))
            index += 2
        else:
            index += 1
    return found


def _note(doc: Document, first: int, stop: int, tags: tuple[str, ...], section: str) -> Found:
    """The note from its numbered line to the line before `stop`: question lines, then `> `
    answer lines; without an answer, text with deletions is a cloze note."""
    lines = [line for line in doc.span(first, stop - 1) if not _INKA_ID.match(line.text)]
    while lines and lines[-1].blank:
        lines.pop()
    last = lines[-1].number
    quoted = next((i for i, line in enumerate(lines) if not line.code
                   and _QUOTE.match(line.text)), None)
    head = lines if quoted is None else lines[:quoted]
    question = _NOTE.match(head[0].text).group("text").strip()  # type: ignore[union-attr]
    if quoted is not None:
        answer = tuple(Line(line.number, _QUOTE.sub("", line.text, count=1), line.code)
                       for line in lines[quoted:])
        return Found(question, first, (first, last), answer, tags=tags, front=tuple(head[1:]))
    text = [question] + [line.text for line in head[1:]]
    clozed = clozes("\n".join(text))
    if clozed == "\n".join(text):  # no deletions: a question with no answer
        return Found(question, first, (first, last), ())
    body = tuple(Line(line.number, content)
                 for line, content in zip(head, clozed.split("\n"), strict=True))
    return Found(section, first, (first, last), body, tags=tags, notetype="cloze")


def clozes(text: str) -> str:
    """inka's deletions as Anki's: `{x}` -> `{{cN::x}}` numbered in order, `{c2::x}` ->
    `{{c2::x}}`; Anki's own are kept; braces in math or inline code are not deletions."""
    out: list[str] = []
    counter = 0
    position = 0
    for skip in [*_SKIP.finditer(text), None]:
        end = skip.start() if skip else len(text)
        piece = text[position:end]
        pieces: list[str] = []
        last = 0
        for match in _DELETION.finditer(piece):
            pieces.append(piece[last:match.start()])
            if match.group(0).startswith("{{"):
                pieces.append(match.group(0))
            else:
                counter += 1
                number = match.group("n") or str(counter)
                pieces.append(f"{{{{c{number}::{match.group('text')}}}}}")
            last = match.end()
        pieces.append(piece[last:])
        out.append("".join(pieces))
        if skip:
            out.append(skip.group(0))
            position = skip.end()
    return "".join(out)


LAYOUT = Layout("inka", "inka's notes: `---` sections with `Deck:`, `1.` questions, `> ` answers, "
                "`{cloze}` notes", split)
