"""Whole source files, parsed and rendered, cached as one entry each.

A rebuild after editing one card re-reads every file but re-parses and re-renders
only the edited one (and, inside it, only the cards whose text changed: those come
from the per-card cache). An entry's key covers the file's bytes and path,
deckbuild itself and the settings that shape its notes, plus the media names when
the file has an image; a damaged or foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

from .cache import RenderCache, code_version
from .config import Config
from .errors import Problem, display_path
from .ids import guid_for
from .parallel import Placed, RenderOptions, card_keys, notetype_for, render_notes
from .parse import decode_source, parse_source
from .records import Card, MediaFile, NoteType, RenderedNote, SourceFile
from .sources import card_paths


def section_tag(section: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def place(config: Config, source: SourceFile) -> list[Placed]:
    """Each card with its GUID, subdeck and tags."""
    deck = f"{config.name}::{source.section}"
    return [(card, guid_for(config.guid_namespace, card.id or ""), deck,
             tuple(sorted({*source.tags, *card.tags, section_tag(source.section)})))
            for card in source.cards]


def load_deck(config: Config, media: Sequence[MediaFile], options: RenderOptions,
              ) -> tuple[NoteType | None, list[SourceFile], list[RenderedNote], list[Problem]]:
    """Every card file parsed and rendered, in name order, with all their problems."""
    paths, problems = card_paths(config)
    cache = RenderCache(config.root) if options.cache else None
    try:
        version = code_version()
        notetype, found = notetype_for(config, cache, version)
        problems += found
        salt = _salt(config, version, media)
        raw = [(display_path(p, config.root), p.read_bytes()) for p in paths]
        keys = [_file_key(salt, shown, data) for shown, data in raw]
        hits = cache.get_many(keys) if cache is not None else {}
        files: list[SourceFile | None] = []
        notes: list[list[RenderedNote]] = []
        missed: list[int] = []
        for index, key in enumerate(keys):
            bundle = _from_value(hits.get(key))
            if bundle is None:
                files.append(None)
                notes.append([])
                missed.append(index)
            else:
                files.append(bundle[0])
                notes.append(bundle[1])
                problems += bundle[2]
        problems += _render_missed(config, cache, version, media, options, raw, keys, missed,
                                   files, notes)
        if cache is not None:
            cards = [card for f in files if f is not None for card in f.cards]
            cache.flush(keep={*keys, *card_keys(config, cards, media, version)})
    finally:
        if cache is not None:
            cache.close()
    parsed = [f for f in files if f is not None]
    if not parsed and not problems:
        problems.append(Problem(display_path(config.cards_dir, config.root), 0,
                                "no cards: the folder has no .md files"))
    return notetype, parsed, [n for group in notes for n in group], problems


def _render_missed(config: Config, cache: RenderCache | None, version: str,
                   media: Sequence[MediaFile], options: RenderOptions,
                   raw: list[tuple[str, bytes]], keys: list[str], missed: list[int],
                   files: list[SourceFile | None], notes: list[list[RenderedNote]],
                   ) -> list[Problem]:
    problems: list[Problem] = []
    parsed: dict[int, tuple[SourceFile, list[Problem]]] = {}
    for index in missed:
        shown, data = raw[index]
        text, found = decode_source(data, shown)
        if found:
            problems += found
            continue
        parsed[index] = parse_source(text, shown)
    placed = [p for index in parsed for p in place(config, parsed[index][0])]
    rendered, found = render_notes(config, placed, media, options, cache, version)
    by_path: dict[str, list[Problem]] = {}
    for problem in found:
        by_path.setdefault(problem.path, []).append(problem)
    start = 0
    for index, (source, parse_problems) in parsed.items():
        count = len(source.cards)
        file_notes = rendered[start:start + count]
        start += count
        file_problems = parse_problems + by_path.get(source.path, [])
        files[index], notes[index] = source, file_notes
        problems += file_problems
        if cache is not None:
            cache.put(keys[index], _to_value(source, file_notes, file_problems))
    return problems


def _salt(config: Config, version: str, media: Sequence[MediaFile]) -> str:
    h = hashlib.sha256()
    for part in (version, config.name, config.guid_namespace, "\x1f".join(config.notetype.fields),
                 str(config.root), str(config.media_dir)):
        h.update(part.encode() + b"\0")
    h.update(repr(sorted((m.data_path, m.name) for m in media)).encode())
    return h.hexdigest()


def _file_key(salt: str, shown: str, data: bytes) -> str:
    h = hashlib.sha256(salt.encode() + b"\0" + shown.encode() + b"\0")
    h.update(data)
    return "file:" + h.hexdigest()


def _to_value(source: SourceFile, notes: list[RenderedNote],
              problems: list[Problem]) -> dict[str, Any]:
    return {
        "file": [source.path, source.section, list(source.tags)],
        "cards": [list(astuple(card)) for card in source.cards],
        "notes": [[n.guid, n.deck, list(n.tags), list(n.fields), list(n.media)] for n in notes],
        "problems": [list(astuple(p)) for p in problems],
    }


def _from_value(value: object) -> tuple[SourceFile, list[RenderedNote], list[Problem]] | None:
    """A cached bundle, or None for anything that is not exactly one."""
    if not isinstance(value, dict) or set(value) != {"file", "cards", "notes", "problems"}:
        return None
    try:
        path, section, tags = value["file"]
        cards = tuple(Card(card_id, question, answer, extra, src, tuple(card_tags), card_section,
                           card_path, line, id_line, answer_line)
                      for card_id, question, answer, extra, src, card_tags, card_section,
                      card_path, line, id_line, answer_line in value["cards"])
        if len(cards) != len(value["notes"]):
            return None
        notes = [RenderedNote(card.id or "", guid, tuple(fields), tuple(note_tags), deck,
                              tuple(media), card.path, card.line)
                 for card, (guid, deck, note_tags, fields, media) in zip(cards, value["notes"],
                                                                         strict=True)]
        problems = [Problem(p_path, p_line, message, severity)
                    for p_path, p_line, message, severity in value["problems"]]
        source = SourceFile(path, section, tuple(tags), cards)
    except (TypeError, ValueError):
        return None
    return source, notes, problems
