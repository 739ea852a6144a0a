"""Whole source files, parsed and rendered, cached as one entry each.

A rebuild after editing one card re-reads every file but re-parses and re-renders
only the edited one (and, inside it, only the cards whose text changed: those come
from the per-card cache). An entry's key covers the file's bytes and path,
deckbuild itself and the settings that shape its notes, plus the media names when
the file has an image; a damaged or foreign entry is a miss.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

from ..errors import DeckError, Problem, display_path
from ..markdown.tables import extra_cells
from ..package.builtin_types import other_notetypes
from ..package.writer import CollectionFormat
from ..project.atomic import Staged
from ..project.config import Config
from ..project.sources import card_paths
from ..records import CardRef, MediaFile, NoteType, RenderedNote, SourceFile
from ..release.lock import note_hash
from ..source.fieldmap import unreceived
from ..source.ids import note_guid
from ..source.numbering import unnumbered
from ..source.parse import decode_source, parse_source
from . import filememo
from .cache import Rendered, code_version
from .memcache import open_cache
from .parallel import (
    NotesResult,
    Placed,
    RenderContext,
    RenderOptions,
    Reusable,
    collection_format_for,
    jobs_for,
    notetype_for,
    start_notes,
)


def section_tag(section: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", section.lower()).strip("-")


def place(config: Config, source: SourceFile, guids: Mapping[str, str]) -> list[Placed]:
    """Each card with its GUID (from `guids`, card id -> GUID, when there), deck and tags.

    A file with a section puts its cards in that subdeck; one without, in the deck itself."""
    deck = f"{config.name}::{source.section}" if source.section else config.name
    tags = (section_tag(source.section),) if source.section and config.section_tags else ()
    return [(card, note_guid(config.guid_namespace, card.id or "", card.guid,
                             guids.get(card.id or "")),
             deck, tuple(sorted({*source.tags, *card.tags, *tags})))
            for card in source.cards]


def with_layouts(config: Config, source: SourceFile) -> tuple[SourceFile, list[Problem]]:
    """Cards of the project's own note types get their fields; what such a card or a
    built-in one holds that no field receives is an error at its line."""
    own = {spec.key: spec for spec in config.own_types}
    if not own and not any(card.named for card in source.cards):
        return source, []
    cards, problems = [], []
    for card in source.cards:
        spec = own.get(card.notetype)
        if spec is None:
            problems += [Problem(card.path, line, "'<!-- field: -->' is read only in cards of "
                                 "the deck's own note types ([[tool.deckbuild.notetypes]]); "
                                 "this text is in no field") for _, _, line in card.named]
            cards.append(card)
            continue
        if card.extra.strip():
            problems.append(Problem(card.path, card.extra_line, f"note type {spec.key!r} has "
                                    "no extra text: name its field with '<!-- field: Name -->'"))
        if card.front.strip():
            problems.append(Problem(card.path, card.front_line, f"note type {spec.key!r} has "
                                    "no front below the heading: name its field with "
                                    "'<!-- field: Name -->' instead of '<!-- answer -->'"))
        if card.source.strip():
            problems.append(Problem(card.path, card.source_line, f"note type {spec.key!r} has "
                                    "no source: name its field with '<!-- field: Name -->'"))
        cards.append(dataclasses.replace(card, layout=spec.fields, cloze=spec.kind == "cloze"))
    return dataclasses.replace(source, cards=tuple(cards)), problems


@dataclass(frozen=True)
class FileResult:
    """One card file, rendered: its cards as the deck-wide checks see them, its notes and
    problems; `reusable` keys each note's rendering."""

    path: str
    cards: tuple[CardRef, ...]
    notes: list[RenderedNote]
    problems: list[Problem]
    reusable: list[Reusable]


# Parsed files waiting for their notes: (cache key, source, parse problems).
Group = list[tuple[str, SourceFile, list[Problem]]]


class DeckReader:
    """The note type, then every card file parsed and rendered, one file at a time.

    Files come in name order; cached files cost a read, the others are parsed and
    rendered in groups of about GROUP cards (through one worker pool for the build),
    so a build never needs more than a group's cards and notes at once.
    """

    GROUP = 4000
    # The first group is small: the workers start on its cards while the next is parsed.
    FIRST_GROUP = 400

    def __init__(self, config: Config, media: Sequence[MediaFile], options: RenderOptions,
                 outputs: Staged | None = None) -> None:
        self._config, self._media, self._options = config, media, options
        self._outputs = outputs  # put in place inside the cache's last transaction
        self._cache = open_cache(config.root, options.memory) if options.cache else None
        self._version = code_version()
        self._salt = _salt(config, self._version, media)
        self._keep: set[str] = set()
        self.notetype, self.problems = notetype_for(config, self._cache, self._version)
        # The other built-in types, beside the project's own (basic); used when notes are.
        self.others: dict[str, NoteType] = {}
        if self.notetype is not None:
            try:
                self.others = other_notetypes(config, self.notetype)
            except DeckError as exc:  # reported; and without every type, nothing is written
                self.problems += exc.problems
                self.notetype = None
        self._paths, found = card_paths(config)
        self.problems += found

    def collection_format(self, notetype: NoteType) -> CollectionFormat:
        """genanki's part of the package for `notetype` (cached like renderings)."""
        return collection_format_for(notetype, self._cache, self._version)

    def __enter__(self) -> DeckReader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._cache is not None:
            try:
                if exc[0] is None:
                    self._cache.flush(keep=self._keep,
                                      then=self._outputs.commit if self._outputs else None)
            finally:
                self._cache.close()

    def files(self) -> Iterator[FileResult]:
        """Each file's cards, notes and problems; unreadable files add to self.problems."""
        keyed, sizes = [], {}
        memory = self._options.memory
        for path in self._paths:
            shown = display_path(path, self._config.root)
            key, size = filememo.value(memory.files if memory is not None else None, path,
                                         "key:" + self._salt, partial(self._key_of, shown))
            keyed.append((path, shown, key))
            sizes[key] = size
        cached = self._cache.present([k for *_, k in keyed]) if self._cache is not None else set()
        todo = sum(size for key, size in sizes.items() if key not in cached)
        names = {m.data_path: m.name for m in self._media}
        jobs = jobs_for(self._options.jobs, todo, beside=sum(sizes.values()) - todo,
                        resident=memory is not None)
        context = RenderContext((self._config.root, self._config.media_dir, names),
                                self._config.notetype.parts, jobs, todo, self._options.progress,
                                self._options.on_render,
                                memory.renderers if memory is not None else None)
        with context:
            if todo <= self.GROUP:
                yield from self._few_to_render(keyed, cached, context)
            else:
                yield from self._many_to_render(keyed, cached, context)
            if memory is not None:
                context.renderer()  # warm for the next edit, whatever this build needed

    def _key_of(self, shown: str, path: Path) -> tuple[str, int]:
        """A card file's cache key, and about its number of cards."""
        data = path.read_bytes()
        return _file_key(self._salt, shown, data), data.count(b"\n## ") + 1

    def _few_to_render(self, keyed: list[tuple[Path, str, str]], cached: set[str],
                       context: RenderContext) -> Iterator[FileResult]:
        """The files to render are parsed and started first, so that they render (in a
        worker, when there is enough else to do) while the cached files are read."""
        group = [parsed for path, shown, key in keyed if key not in cached
                 if (parsed := self._parse(path, shown)) is not None]
        running: deque[tuple[Group, NotesResult]] = deque()
        yield from self._finish(running, group, context, keep=1)
        ready: dict[str, FileResult] = {}
        for path, shown, key in keyed:
            bundle = self._cached(key) if key in cached else None
            if bundle is not None:
                self._remember(key, bundle.path)
                yield bundle
            elif key in cached:  # an entry that failed its checks: render the file now
                parsed = self._parse(path, shown)
                yield from self._finish(deque(), [parsed] if parsed else [], context, keep=0)
            else:
                if not ready:
                    ready = {r.path: r for r in self._finish(running, [], context, keep=0)}
                if shown in ready:
                    yield ready.pop(shown)

    def _many_to_render(self, keyed: list[tuple[Path, str, str]], cached: set[str],
                        context: RenderContext) -> Iterator[FileResult]:
        """Files in order, rendered in groups of about GROUP cards, two groups in flight."""
        pending: Group = []
        running: deque[tuple[Group, NotesResult]] = deque()
        group = self.FIRST_GROUP
        context.warm()  # so many to render that the workers will be needed
        for path, shown, key in keyed:
            bundle = self._cached(key) if key in cached else None
            if bundle is not None:
                yield from self._finish(running, pending, context, keep=0)
                pending = []
                self._remember(key, bundle.path)
                yield bundle
                continue
            parsed = self._parse(path, shown)
            if parsed is None:
                continue
            pending.append(parsed)
            if sum(len(p[1].cards) for p in pending) >= group:
                # Two groups in flight: the workers render one while this process
                # stores and writes the one before.
                yield from self._finish(running, pending, context, keep=1)
                pending, group = [], self.GROUP
        yield from self._finish(running, pending, context, keep=0)

    def _parse(self, path: Path, shown: str) -> tuple[str, SourceFile, list[Problem]] | None:
        """(cache key, parsed file, its problems); None when it cannot be decoded."""
        data = path.read_bytes()
        text, found = decode_source(data, shown)
        if found:
            self.problems += found
            return None
        source, parse_problems = parse_source(text, shown,
                                              [spec.key for spec in self._config.own_types])
        source, found = with_layouts(self._config, source)
        parse_problems += found
        if not self._config.question_numbers:
            source = unnumbered(source)
        parse_problems += unreceived(source, self._config.notetype.parts)
        parse_problems += [p for card in source.cards for p in extra_cells(card)]
        return _file_key(self._salt, shown, data), source, parse_problems

    def _finish(self, running: deque[tuple[Group, NotesResult]], pending: Group,
                context: RenderContext, keep: int) -> Iterator[FileResult]:
        """Start rendering `pending`, then yield finished groups until `keep` still run."""
        if pending:
            known, guids = self._previously_rendered([source.path for _, source, _ in pending])
            placed = [p for _, source, _ in pending for p in place(self._config, source, guids)]
            running.append((pending, start_notes(self._config, placed, self._media, context,
                                                 known, self._version)))
        while len(running) > keep:
            group, result = running.popleft()
            yield from self._results(group, *result())

    def _cached(self, key: str) -> FileResult | None:
        """The bundle cached under `key`: in a resident process, decoded once and kept."""
        assert self._cache is not None
        memory = self._options.memory
        if memory is not None and key in memory.bundles:
            return memory.bundles[key]
        result = _from_value(self._cache.get_many([key]).get(key))
        if result is not None:
            self._hold(key, result)
        return result

    def _hold(self, key: str, result: FileResult) -> None:
        """Keep a bundle decoded in the resident process's memory (when there is one)."""
        memory = self._options.memory
        if memory is not None:
            memory.bundles[key] = result
            memory.values.pop(key, None)

    def _previously_rendered(self, paths: list[str]) -> tuple[dict[str, Rendered],
                                                              dict[str, str]]:
        """The cards of these files' last cached versions: renderings by card key (after an
        edit, the cards that did not change are not rendered again) and GUIDs by card id
        (when made in the same namespace)."""
        known: dict[str, Rendered] = {}
        guids: dict[str, str] = {}
        if self._cache is None:
            return known, guids
        pointers = [p for p in self._cache.get_many([self._path_key(path) for path in paths])
                    .values() if isinstance(p, dict) and isinstance(p.get("key"), str)]
        held: dict[str, FileResult] = (self._options.memory.bundles
                                       if self._options.memory is not None else {})
        values = self._cache.get_many([p["key"] for p in pointers if p["key"] not in held])
        for pointer in pointers:
            previous = held.get(pointer["key"]) or _from_value(values.get(pointer["key"]))
            if previous is None:
                continue
            same_namespace = pointer.get("namespace") == self._config.guid_namespace
            for note, (card_key, relative) in zip(previous.notes, previous.reusable,
                                                  strict=True):
                if relative is not None:
                    known[card_key] = Rendered(note.fields, note.media, relative)
                if same_namespace and note.card_id:
                    guids[note.card_id] = note.guid
        return known, guids

    def _path_key(self, path: str) -> str:
        return "path:" + hashlib.sha256(f"{self._version}\0{path}".encode()).hexdigest()

    def _remember(self, key: str, path: str) -> None:
        self._keep.update((key, self._path_key(path)))

    def _results(self, group: Group, rendered: list[RenderedNote], found: list[Problem],
                 reusable: list[Reusable]) -> Iterator[FileResult]:
        by_path: dict[str, list[Problem]] = {}
        for problem in found:
            by_path.setdefault(problem.path, []).append(problem)
        start = 0
        for key, source, parse_problems in group:
            end = start + len(source.cards)
            result = FileResult(source.path, tuple(CardRef.of(card) for card in source.cards),
                                rendered[start:end],
                                parse_problems + by_path.get(source.path, []),
                                reusable[start:end])
            start = end
            if self._cache is not None:
                self._cache.put(key, _to_value(result))
                self._hold(key, result)
                self._cache.put(self._path_key(source.path),
                                {"key": key, "namespace": self._config.guid_namespace})
                self._remember(key, source.path)
            yield result


def _salt(config: Config, version: str, media: Sequence[MediaFile]) -> str:
    h = hashlib.sha256()
    for part in (version, config.name, config.guid_namespace, "\x1f".join(config.notetype.fields),
                 "\x1f".join(config.notetype.parts), str(config.question_numbers),
                 repr(config.own_types), str(config.section_tags),
                 str(config.root), str(config.media_dir)):
        h.update(part.encode() + b"\0")
    h.update(repr(sorted((m.data_path, m.name) for m in media)).encode())
    return h.hexdigest()


def _file_key(salt: str, shown: str, data: bytes) -> str:
    h = hashlib.sha256(salt.encode() + b"\0" + shown.encode() + b"\0")
    h.update(data)
    return "file:" + h.hexdigest()


def _row(record: CardRef | Problem) -> list[Any]:
    """A record's fields in order (dataclasses.astuple would deep-copy every value)."""
    return [getattr(record, f.name) for f in fields(record)]


def _to_value(result: FileResult) -> dict[str, Any]:
    notes, problems = result.notes, result.problems
    return {
        "file": result.path,
        "cards": [_row(card) for card in result.cards],
        "notes": [[n.guid, n.deck, list(n.tags), list(n.fields), list(n.media), card_key,
                   None if relative is None else [list(p) for p in relative], note_hash(n),
                   n.notetype]
                  for n, (card_key, relative) in zip(notes, result.reusable, strict=True)],
        "problems": [_row(p) for p in problems],
    }


def _from_value(value: object) -> FileResult | None:
    """A cached bundle, or None for anything that is not exactly one."""
    if not isinstance(value, dict) or set(value) != {"file", "cards", "notes", "problems"}:
        return None
    try:
        path = value["file"]
        if not isinstance(path, str):
            return None
        cards = tuple(CardRef(card_id, question, card_path, line, id_line, front)
                      for card_id, question, card_path, line, id_line, front in value["cards"])
        if len(cards) != len(value["notes"]):
            return None
        notes, reusable = [], []
        for card, row in zip(cards, value["notes"], strict=True):
            guid, deck, note_tags, note_fields, media, card_key, relative, digest, kind = row
            if not (isinstance(digest, str) and len(digest) == 64 and isinstance(kind, str)):
                raise ValueError("not a note hash")
            notes.append(RenderedNote(card.id or "", guid, tuple(note_fields), tuple(note_tags),
                                      deck, tuple(media), card.path, card.line, digest, kind))
            reusable.append((card_key, None if relative is None else tuple(
                (base, int(offset), message, severity)
                for base, offset, message, severity in relative)))
        problems = [Problem(p_path, p_line, message, severity)
                    for p_path, p_line, message, severity in value["problems"]]
    except (TypeError, ValueError):
        return None
    return FileResult(path, cards, notes, problems, reusable)
