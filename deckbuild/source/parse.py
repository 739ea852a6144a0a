"""Markdown source files -> cards. Fence-aware; produces no HTML."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from ..errors import Problem
from ..notetypes import REGISTRY
from ..records import Card, SourceFile
from .ids import decode_guid, is_valid_id

BOM = "\ufeff"
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_H1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_H2 = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_META = re.compile(r"^\s*<!--\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*-->\s*$")
_EXTRA = re.compile(r"^\s*<!--\s*extra\s*-->\s*$", re.IGNORECASE)
# Ends the rest of the front (code, answer options under the question) where the answer starts.
_ANSWER = re.compile(r"^\s*<!--\s*answer\s*-->\s*$", re.IGNORECASE)
# A thematic break: three or more '-', '*' or '_' (the same one), spaces between allowed.
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
# Starts a named field of a card of the project's own note type (see Card.named).
_FIELD = re.compile(r"^\s*<!--\s*field\s*:\s*(.*?)\s*-->\s*$", re.IGNORECASE)
_GUID = re.compile(r"^[!-~]{1,200}$")
NOT_IN_CARD = "not part of any card: cards start at a '## ' heading; this text is left out"
TAG_RE = re.compile(r"^[\w][\w\-:.+/&]*$")
CARD_META_KEYS = ("id", "tags", "source", "type", "guid")
FRONT_MATTER_KEYS = ("section", "tags", "type")


def decode_source(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Bytes -> text without BOM; invalid UTF-8 is an error naming line and byte offset."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return "", [Problem(path, line, f"invalid UTF-8 at byte offset {exc.start}")]
    return text.removeprefix(BOM), []


def split_tags(value: str) -> list[str]:
    """Tags are written space- or comma-separated."""
    return [t for t in re.split(r"[\s,]+", value.strip()) if t]


@dataclass
class _Named:
    """A field started by '<!-- field: Name -->': its lines and thematic breaks."""

    name: str
    line: int
    lines: list[str] = field(default_factory=list)
    breaks: set[int] = field(default_factory=set)


@dataclass
class _Draft:
    question: str
    line: int
    meta: dict[str, tuple[str, int]] = field(default_factory=dict)
    answer: list[str] = field(default_factory=list)
    front: list[str] | None = None  # set by a `<!-- answer -->` line: what came before it
    front_line: int = 0
    extra: list[str] | None = None
    answer_line: int = 0
    extra_line: int = 0
    in_meta: bool = True
    # Indexes (into answer, or extra once it started) of thematic breaks outside code.
    breaks: set[int] = field(default_factory=set)
    named: list[_Named] = field(default_factory=list)


@dataclass
class _Preamble:
    """What comes before the first card: the section's heading, and text no card holds."""

    path: str
    section: str
    problems: list[Problem]
    in_text: bool = False  # inside a block of text that is part of no card

    def heading(self, title: str, number: int) -> None:
        if self.section:
            self.problems.append(Problem(self.path, number, "not part of any card: the section "
                                         f"is already {self.section!r}, so this '# ' heading "
                                         "is left out", "warning"))
        else:
            self.section = title
        self.in_text = False

    def line(self, raw: str, number: int, in_code: bool) -> None:
        """One warning per block of text; a blank line or a separator ends a block.
        A one-line HTML comment is the author's note, unless it holds a card key."""
        if not in_code and _COMMENT.match(raw) and not _card_key(raw):
            return
        if in_code or (raw.strip() and not _BREAK.match(raw)):
            if not self.in_text:
                self.problems.append(Problem(self.path, number, NOT_IN_CARD, "warning"))
            self.in_text = True
        else:
            self.in_text = False


def parse_source(text: str, path: str,
                 custom: Collection[str] = ()) -> tuple[SourceFile, list[Problem]]:
    """Split one file's text into cards; collect every problem found.

    `custom` names the project's own note types ([[tool.deckbuild.notetypes]]): a card of
    one may leave its heading or body empty (an empty field)."""
    lines = text.removeprefix(BOM).replace("\r\n", "\n").split("\n")
    problems: list[Problem] = []
    front, start = _front_matter(lines, path, problems)
    front_lines = {key: number for number in range(2, start)
                   for key in [lines[number - 1].partition(":")[0].strip()] if key in front}
    preamble = _Preamble(path, front.get("section", ""), problems)
    drafts: list[_Draft] = []
    fence: tuple[str, int] | None = None  # (marker, line) of the open fence
    for number in range(start + 1, len(lines) + 1):
        raw = lines[number - 1]
        current = drafts[-1] if drafts else None
        in_code = fence is not None
        # Headings and fences start with '#', '`' or '~' (after at most three spaces).
        lead = raw.lstrip(" ")[:1] if fence is None else ""
        if lead == "#":
            m2 = _H2.match(raw)
            if m2:
                drafts.append(_Draft((m2.group(1) or "").strip(), number))
                continue
            m1 = _H1.match(raw)
            if m1 and current is None:
                preamble.heading((m1.group(1) or "").strip(), number)
                continue
            if m1:
                problems.append(Problem(path, number,
                                        "a '# ' heading inside a card; use '###' or deeper"))
        elif lead in ("`", "~"):
            opened = _opening(raw)
            if opened:
                fence = (opened.group(1), number)
                in_code = True
        elif fence is not None and _closes(raw, fence[0]):
            fence = None
        if current is not None:
            _add_line(current, raw, number, in_code, problems, path)
        else:
            preamble.line(raw, number, in_code)
    section = preamble.section
    if fence is not None:
        problems.append(Problem(path, fence[1], "code fence is never closed"))
    file_tags = tuple(split_tags(front.get("tags", "")))
    problems += _check_tags(file_tags, path, 1)
    default_type = _type_name(front["type"], path, front_lines["type"], problems, "basic",
                              custom) if "type" in front else "basic"
    cards = tuple(_finish(d, section, path, problems, default_type, custom) for d in drafts)
    if not cards and start < len(lines):
        problems.append(Problem(path, 1, "no cards: a card starts with a '## Question' heading"))
    return SourceFile(path, section, file_tags, cards), problems


def fence_openings(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(index, info string) of each line that opens a code fence; lines inside one are code."""
    marker = None
    for index, raw in enumerate(lines):
        if marker is None:
            opened = _opening(raw)
            if opened:
                marker = opened.group(1)
                yield index, opened.group(2)
        elif _closes(raw, marker):
            marker = None


def _opening(raw: str) -> re.Match[str] | None:
    """The fence a line opens (marker, info string); a backtick fence's info string cannot
    hold a backtick (such a line is inline code)."""
    opened = _FENCE_OPEN.match(raw)
    if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
        return opened
    return None


def _closes(raw: str, marker: str) -> bool:
    stripped = raw.strip()
    return (len(raw) - len(raw.lstrip(" ")) <= 3 and stripped.startswith(marker)
            and set(stripped) == {marker[0]})


def _add_line(d: _Draft, raw: str, number: int, in_code: bool, problems: list[Problem],
              path: str) -> None:
    if not in_code and "<!--" in raw and _FIELD.match(raw):
        _start_field(d, _FIELD.match(raw).group(1), number, problems, path)  # type: ignore[union-attr]
        return
    if d.named:
        _add_named(d.named[-1], raw, number, in_code, problems, path)
        return
    if d.in_meta and not in_code:
        if not raw.strip():
            return
        meta = _META.match(raw)
        if meta and not _EXTRA.match(raw):
            key = meta.group(1).lower()
            if key in d.meta:
                problems.append(Problem(path, number, f"'{key}' given twice for this card"))
            elif key not in CARD_META_KEYS:
                problems.append(Problem(path, number, f"unknown card key '{key}' (known: "
                                        + ", ".join(CARD_META_KEYS) + ")", "warning"))
            d.meta[key] = (meta.group(2), number)
            return
    d.in_meta = False
    if not in_code and "<!--" in raw and _EXTRA.match(raw):
        if d.extra is None:
            d.extra = []
            d.breaks = set()
            return
        problems.append(Problem(path, number, "a second '<!-- extra -->' marker in one card"))
    elif not in_code and "<!--" in raw and _ANSWER.match(raw):
        if d.front is None and d.extra is None:
            d.front, d.front_line = _without_separators(d.answer, d.breaks), d.answer_line
            d.answer, d.answer_line, d.breaks = [], 0, set()
            return
        problems.append(Problem(path, number, "a second '<!-- answer -->' marker in one card"
                                if d.front is not None else "'<!-- answer -->' after "
                                "'<!-- extra -->': the answer comes before the extra text"))
    elif not in_code and "<!--" in raw and _card_key(raw):
        problems.append(Problem(path, number, f"'<!-- {_card_key(raw)}: -->' is read only "
                                "directly under the card's heading; here it is left out",
                                "warning"))
    target = d.answer if d.extra is None else d.extra
    if not target and not raw.strip():
        return
    if d.extra is None and not d.answer_line:
        d.answer_line = number
    if d.extra is not None and not d.extra_line:
        d.extra_line = number
    if not in_code and _BREAK.match(raw):
        d.breaks.add(len(target))
    target.append(raw)


def _start_field(d: _Draft, name: str, number: int, problems: list[Problem], path: str) -> None:
    d.in_meta = False
    if not name:
        problems.append(Problem(path, number, "'<!-- field: -->' names no field"))
    elif any(f.name == name for f in d.named):
        problems.append(Problem(path, number, f"field {name!r} given twice for this card"))
    d.named.append(_Named(name, number))


def _add_named(f: _Named, raw: str, number: int, in_code: bool, problems: list[Problem],
               path: str) -> None:
    if not in_code and "<!--" in raw and (_EXTRA.match(raw) or _card_key(raw)):
        problems.append(Problem(path, number, "inside a '<!-- field: -->' this marker is read "
                                "as text; card keys go under the heading, and a field marker "
                                "takes the place of '<!-- extra -->'", "warning"))
    if not f.lines and not raw.strip():
        return
    if not in_code and _BREAK.match(raw):
        f.breaks.add(len(f.lines))
    f.lines.append(raw)


def _card_key(raw: str) -> str:
    """The card key a comment line gives ('id', 'tags', 'source'), else ''."""
    meta = _META.match(raw)
    key = meta.group(1).lower() if meta else ""
    return key if key in CARD_META_KEYS else ""


def _without_separators(lines: list[str], breaks: set[int]) -> list[str]:
    """The lines without the thematic breaks that end them: those separate cards."""
    end = len(lines)
    while True:
        while end and not lines[end - 1].strip():
            end -= 1
        if end - 1 not in breaks:
            return lines[:end]
        end -= 1


def _type_name(value: str, path: str, line: int, problems: list[Problem],
               default: str, custom: Collection[str] = ()) -> str:
    """A known note type's name; an unknown one is an error (and the default is used)."""
    name = value.strip().lower()
    if name in REGISTRY or name in custom:
        return name
    problems.append(Problem(path, line, f"unknown note type {value.strip()!r} (known: "
                            + ", ".join([*REGISTRY.names(), *sorted(custom)]) + ")"))
    return default


def _finish(d: _Draft, section: str, path: str, problems: list[Problem],
            default_type: str, custom: Collection[str] = ()) -> Card:
    card_id, id_line = d.meta.get("id", (None, 0))
    guid = None
    if "guid" in d.meta:
        value, guid_line = d.meta["guid"]
        try:
            guid = decode_guid(value)
        except UnicodeDecodeError:
            guid = ""
        if not _GUID.match(value) or not guid:
            problems.append(Problem(path, guid_line, f"invalid guid {value!r}: printable ASCII "
                                    "without spaces, at most 200 characters"))
            guid = None
    if card_id is not None and not is_valid_id(card_id):
        problems.append(Problem(path, id_line, f"invalid id {card_id!r}: use lowercase "
                                "letters (of any script), digits, '-' and '_'"))
    tags_value, tags_line = d.meta.get("tags", ("", d.line))
    tags = tuple(split_tags(tags_value))
    problems += _check_tags(tags, path, tags_line)
    if d.named:
        last = d.named[-1]
        last.lines = _without_separators(last.lines, last.breaks)
    elif d.extra is None:
        d.answer = _without_separators(d.answer, d.breaks)
    else:
        d.extra = _without_separators(d.extra, d.breaks)
    notetype = default_type
    if "type" in d.meta:
        notetype = _type_name(d.meta["type"][0], path, d.meta["type"][1], problems, default_type,
                              custom)
    answer = "\n".join(d.answer).strip("\n")
    source, source_line = d.meta.get("source", ("", 0))
    own_type = notetype in custom  # its fields may be empty, as in Anki
    if not d.question and not own_type:
        problems.append(Problem(path, d.line, "empty question"))
    if not answer.strip() and not own_type:
        problems.append(Problem(path, d.line, "card has no answer"))
    front = "\n".join(d.front or []).strip("\n")
    if d.front is not None and not front.strip():
        problems.append(Problem(path, d.line, "'<!-- answer -->' with nothing above it: "
                                "leave it out, or put the rest of the question above it",
                                "warning"))
    return Card(
        id=card_id,
        question=d.question,
        answer=answer,
        front=front,
        front_line=d.front_line,
        extra="\n".join(d.extra or []).strip("\n"),
        source=source,
        tags=tags,
        section=section,
        path=path,
        line=d.line,
        id_line=id_line,
        answer_line=d.answer_line or d.line,
        extra_line=d.extra_line,
        source_line=source_line,
        notetype=notetype,
        guid=guid,
        named=tuple((f.name, "\n".join(f.lines).strip("\n"), f.line) for f in d.named),
    )


def _check_tags(tags: tuple[str, ...], path: str, line: int) -> list[Problem]:
    return [Problem(path, line, f"invalid tag {t!r}: letters, digits and - _ : . + / & only")
            for t in tags if not TAG_RE.match(t)]


def _front_matter(lines: list[str], path: str,
                  problems: list[Problem]) -> tuple[dict[str, str], int]:
    """Optional `---` block of `key: value` lines at the top; returns (values, lines used)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    end = next((n for n in range(2, len(lines) + 1) if lines[n - 1].strip() == "---"), 0)
    if not end:
        problems.append(Problem(path, 1, "invalid front matter: no closing '---'"))
        return {"section": "?"}, len(lines)
    values: dict[str, str] = {}
    for number in range(2, end):
        raw = lines[number - 1]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        key, sep, value = raw.partition(":")
        key = key.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][\w-]*", key):
            problems.append(Problem(path, number, "invalid front matter: expected 'key: value'"))
            continue
        if key not in FRONT_MATTER_KEYS:
            problems.append(Problem(path, number, f"unknown front matter key '{key}'", "warning"))
            continue
        values[key] = value.strip().strip("[]").strip("\"'")
    return values, end
