"""`ids`: write a readable id under every card that lacks one, changing nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DeckError, display_path
from ..source.ids import unique_slug
from ..source.numbering import without_number
from ..source.parse import BOM, decode_source, parse_source
from .atomic import write_atomically
from .config import Config
from .sources import card_paths


@dataclass(frozen=True)
class AddedId:
    path: str
    line: int
    id: str


def insert_ids(text: str, additions: list[tuple[int, str]]) -> str:
    """Insert `<!-- id: x -->` after each given heading line, in the line's own ending."""
    lines = text.splitlines(keepends=True)
    for line, card_id in sorted(additions, reverse=True):
        heading = lines[line - 1]
        crlf = heading.endswith("\r\n") or (not heading.endswith("\n") and "\r\n" in text)
        ending = "\r\n" if crlf else "\n"
        if not heading.endswith(("\n", "\r")):
            lines[line - 1] = heading + ending
        lines.insert(line, f"<!-- id: {card_id} -->{ending}")
    return "".join(lines)


def add_missing_ids(config: Config) -> list[AddedId]:
    """Give every card without an id one (a slug of its question, unique in the deck)."""
    paths, problems = card_paths(config)
    parsed = []
    for path in paths:
        shown = display_path(path, config.root)
        raw = path.read_bytes()
        text, decode_problems = decode_source(raw, shown)
        problems += decode_problems
        if not decode_problems:
            source, _ = parse_source(text, shown)
            parsed.append((path, raw, source))
    if problems:
        raise DeckError(problems)
    taken = {c.id for _, _, s in parsed for c in s.cards if c.id}
    added: list[AddedId] = []
    for path, raw, source in parsed:
        todo = []
        for card in source.cards:
            if card.id is None:
                new_id = unique_slug(without_number(card.question), taken)
                taken.add(new_id)
                todo.append((card.line, new_id))
                added.append(AddedId(source.path, card.line + 1, new_id))
        if todo:
            text = raw.decode("utf-8")
            has_bom = text.startswith(BOM)
            body = insert_ids(text.removeprefix(BOM), todo)
            write_atomically(path, ((BOM if has_bom else "") + body).encode("utf-8"),
                             path.stat().st_mode & 0o7777)  # a source keeps its own mode
    return added
