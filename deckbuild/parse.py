"""Markdown source files -> cards. Fence-aware; produces no HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import Problem
from .records import Card, SourceFile

BOM = "\ufeff"
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_H1 = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_H2 = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_META = re.compile(r"^\s*<!--\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*-->\s*$")
_EXTRA = re.compile(r"^\s*<!--\s*extra\s*-->\s*$", re.IGNORECASE)
ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
TAG_RE = re.compile(r"^[\w][\w\-:.+/&]*$")
CARD_META_KEYS = ("id", "tags", "source")
FRONT_MATTER_KEYS = ("section", "tags")


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
class _Draft:
    question: str
    line: int
    meta: dict[str, tuple[str, int]] = field(default_factory=dict)
    answer: list[str] = field(default_factory=list)
    extra: list[str] | None = None
    answer_line: int = 0
    in_meta: bool = True


def parse_source(text: str, path: str) -> tuple[SourceFile, list[Problem]]:
    """Split one file's text into cards; collect every problem found."""
    lines = text.removeprefix(BOM).replace("\r\n", "\n").split("\n")
    problems: list[Problem] = []
    front, start = _front_matter(lines, path, problems)
    section = front.get("section", "")
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
                section = section or (m1.group(1) or "").strip()
                continue
            if m1:
                problems.append(Problem(path, number,
                                        "a '# ' heading inside a card; use '###' or deeper"))
        elif lead in ("`", "~"):
            opened = _FENCE_OPEN.match(raw)
            if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
                fence = (opened.group(1), number)
                in_code = True
        elif fence is not None and _closes(raw, fence[0]):
            fence = None
        if current is not None:
            _add_line(current, raw, number, in_code, problems, path)
    if fence is not None:
        problems.append(Problem(path, fence[1], "code fence is never closed"))
    file_tags = tuple(split_tags(front.get("tags", "")))
    problems += _check_tags(file_tags, path, 1)
    cards = tuple(_finish(d, section, path, problems) for d in drafts)
    if not cards and start < len(lines):
        problems.append(Problem(path, 1, "no cards: a card starts with a '## Question' heading"))
    return SourceFile(path, section, file_tags, cards), problems


def _closes(raw: str, marker: str) -> bool:
    stripped = raw.strip()
    return (len(raw) - len(raw.lstrip(" ")) <= 3 and stripped.startswith(marker)
            and set(stripped) == {marker[0]})


def _add_line(d: _Draft, raw: str, number: int, in_code: bool, problems: list[Problem],
              path: str) -> None:
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
    d.in_meta = False
    if not in_code and "<!--" in raw and _EXTRA.match(raw):
        if d.extra is None:
            d.extra = []
            return
        problems.append(Problem(path, number, "a second '<!-- extra -->' marker in one card"))
    target = d.answer if d.extra is None else d.extra
    if not target and not raw.strip():
        return
    if d.extra is None and not d.answer_line:
        d.answer_line = number
    target.append(raw)


def _finish(d: _Draft, section: str, path: str, problems: list[Problem]) -> Card:
    card_id, id_line = d.meta.get("id", (None, 0))
    if card_id is not None and not ID_RE.match(card_id):
        problems.append(Problem(path, id_line, f"invalid id {card_id!r}: use lowercase "
                                "letters, digits, '-' and '_'"))
    tags_value, tags_line = d.meta.get("tags", ("", d.line))
    tags = tuple(split_tags(tags_value))
    problems += _check_tags(tags, path, tags_line)
    if not d.question:
        problems.append(Problem(path, d.line, "empty question"))
    answer = "\n".join(d.answer).strip("\n")
    if not answer.strip():
        problems.append(Problem(path, d.line, "card has no answer"))
    return Card(
        id=card_id,
        question=d.question,
        answer=answer,
        extra="\n".join(d.extra or []).strip("\n"),
        source=d.meta.get("source", ("", 0))[0],
        tags=tags,
        section=section,
        path=path,
        line=d.line,
        id_line=id_line,
        answer_line=d.answer_line or d.line,
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
