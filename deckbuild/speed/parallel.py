"""Rendering cards: known renderings reused, the rest rendered, in a process pool when many.

Markdown and Pygments are imported only when something has to be rendered, so a
build whose cards and templates are all cached never loads them. Results are the
same, in the same order, whatever the cache holds and however many workers run.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..errors import DeckError, Problem
from ..package.writer import CollectionFormat, collection_format
from ..project.config import Config
from ..records import Card, MediaFile, NoteType, RenderedNote
from ..release.lock import content_hash
from .cache import (
    RenderCache,
    Rendered,
    card_key,
    digest_of,
    notetype_from,
    notetype_value,
    relative_problems,
    tree_files,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..markdown.render import Renderer
    from .memcache import LayeredCache, MemoryLayer

PARALLEL_MIN = 1000  # fewer misses than this render in-process: a pool's start-up costs more
# ...unless this process has at least this many cached cards to read meanwhile: then one
# worker renders the misses while this process reads, and its start-up is hidden.
BESIDE_MIN = 2000
CHUNK = 200  # cards per task, and per progress report

Placed = tuple[Card, str, str, tuple[str, ...]]  # card, guid, deck, tags
Progress = Callable[[int, int], None]  # (cards done, cards in all)
_Output = tuple[tuple[str, ...], tuple[str, ...], list[Problem]]  # fields, media, problems


@dataclass(frozen=True)
class RenderOptions:
    """How to render: worker processes (0 = one per CPU), the disk cache, progress reports.

    A resident process (`watch`) keeps `memory` in front of the disk cache across builds,
    and may count the cards actually rendered with `on_render`.
    """

    jobs: int = 0
    cache: bool = True
    progress: Progress | None = None
    memory: MemoryLayer | None = field(default=None, compare=False)
    on_render: Callable[[Sequence[Card]], None] | None = field(default=None, compare=False)


def notetype_for(config: Config, cache: RenderCache | LayeredCache | None,
                 version: str) -> tuple[NoteType | None, list[Problem]]:
    """The note type from templates/, or from the cache when nothing it reads changed."""
    key = "notetype:" + digest_of([("code", version), ("config", repr(config)),
                                   *tree_files(config.templates_dir)])
    if cache is not None:
        cached = notetype_from(cache.get_many([key]).get(key))
        if cached is not None:
            return cached, []
    from ..package.notetype import load_notetype

    try:
        notetype = load_notetype(config)
    except DeckError as exc:
        return None, list(exc.problems)
    if cache is not None:
        # Written with the build's other entries, when it succeeds: a failed build leaves
        # the cache as it was.
        cache.put(key, notetype_value(notetype))
    return notetype, []


def collection_format_for(notetype: NoteType, cache: RenderCache | LayeredCache | None,
                          version: str) -> CollectionFormat:
    """genanki's schema and JSON for this note type, from the cache when it has them."""
    key = "collection:" + digest_of([("code", version), ("notetype", repr(notetype))])
    if cache is not None:
        cached = CollectionFormat.from_value(cache.get_many([key]).get(key))
        if cached is not None:
            return cached
    fmt = collection_format(notetype)
    if cache is not None:
        cache.put(key, fmt.value())
    return fmt


def card_keys(config: Config, cards: Sequence[Card], media: Sequence[MediaFile],
              version: str) -> list[str]:
    """Each card's render-cache key."""
    names = {m.data_path: m.name for m in media}
    media_digest = digest_of([("root", str(config.root)), ("media", str(config.media_dir)),
                              *sorted(names.items())])
    salt = digest_of([("code", version), ("fields", "\x1f".join(config.notetype.fields)),
                      ("parts", "\x1f".join(config.notetype.parts))])
    return [card_key(salt, card, media_digest) for card in cards]


# Each rendered card with its cache key and its problems relative to the card (None when
# they cannot be put that way), so that a later build can reuse it.
Reusable = tuple[str, "tuple[tuple[str, int, str, str], ...] | None"]
NotesResult = Callable[[], tuple[list[RenderedNote], list[Problem], list[Reusable]]]


def start_notes(config: Config, placed: Sequence[Placed], media: Sequence[MediaFile],
                context: RenderContext, known: Mapping[str, Rendered],
                version: str) -> NotesResult:
    """Every placed card's note, in order: cards found in `known` (by key) are reused, the
    rest rendered. Returns at once: the workers render while the caller goes on, and
    calling the result waits for them."""
    keys = card_keys(config, [card for card, *_ in placed], media, version)
    misses = [i for i, key in enumerate(keys) if key not in known]
    context.skip(len(placed) - len(misses))
    outputs = context.start([placed[i][0] for i in misses])
    return lambda: _merge(placed, keys, known, dict(zip(misses, outputs(), strict=True)))


def _merge(placed: Sequence[Placed], keys: list[str], known: Mapping[str, Rendered],
           fresh: dict[int, _Output],
           ) -> tuple[list[RenderedNote], list[Problem], list[Reusable]]:
    notes, problems, reusable = [], [], []
    for i, (card, guid, deck, tags) in enumerate(placed):
        if i in fresh:
            values, used, found = fresh[i]
            relative = relative_problems(card, found)
        else:
            rendered = known[keys[i]]
            values, used, found = rendered.fields, rendered.media, rendered.located(card)
            relative = rendered.problems
        notes.append(RenderedNote(card_id=card.id or "", guid=guid, fields=values, tags=tags,
                                  deck=deck, media=used, path=card.path, line=card.line,
                                  digest=content_hash(values, tags, deck, card.notetype),
                                  notetype=card.notetype))
        problems += found
        reusable.append((keys[i], relative))
    return notes, problems, reusable


def jobs_for(requested: int, misses: int, beside: int = 0, resident: bool = False) -> int:
    """Worker processes for `misses` cards to render (0: render in this process).

    `beside` counts the cards this process reads from the cache while they render.
    Asking for one job (-j 1) always renders in this process, and so does a resident
    process (`watch`) an edit's few cards: its renderer is warm, a worker would only add
    its start-up.
    """
    if requested == 1 or misses == 0 or resident and misses < PARALLEL_MIN:
        return 0
    available = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                 else os.cpu_count()) or 1
    if misses < PARALLEL_MIN:
        # One worker hides its start-up only behind enough other work, on another CPU.
        return 1 if beside >= BESIDE_MIN and available > 1 else 0
    jobs = min(requested if requested > 0 else available, -(-misses // CHUNK))
    # A lone worker helps only beside this process, on a second CPU.
    return jobs if jobs > 1 or available > 1 else 0


MediaArgs = tuple[Path, Path, dict[str, str]]


class RenderContext:
    """Renders cards in this process (`jobs` 0) or in a pool of `jobs` workers, started
    when first needed (or by warm()) and kept for the whole build. Reports progress as
    (done, total)."""

    def __init__(self, media: MediaArgs, field_names: tuple[str, ...], jobs: int,
                 total: int, progress: Progress | None = None,
                 on_render: Callable[[Sequence[Card]], None] | None = None,
                 renderers: dict[object, Any] | None = None) -> None:
        self._media, self._field_names, self._jobs = media, field_names, jobs
        self._total, self._done, self._progress = total, 0, progress
        self._on_render = on_render
        # A resident process keeps its renderers across builds, by the media they resolve.
        self._renderers: dict[object, Any] = {} if renderers is None else renderers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> RenderContext:
        return self

    def warm(self) -> None:
        """Start the workers now, if any: they import Markdown and Pygments while this
        process parses the cards they will render."""
        if self._jobs:
            self._started_pool().submit(_ready)

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def skip(self, count: int) -> None:
        """Count cards that needed no rendering."""
        self._report(count)

    def start(self, cards: list[Card]) -> Callable[[], list[_Output]]:
        """Start rendering; the returned function waits for every card's output, in order.

        With workers the chunks are queued at once, so they keep rendering while the
        caller handles earlier results; in this process the work happens on the call.
        """
        chunks = [cards[i:i + CHUNK] for i in range(0, len(cards), CHUNK)]
        if not chunks:
            return list
        if self._on_render is not None:
            self._on_render(cards)
        if self._jobs == 0:
            return lambda: self._collect(chunks, (self._render_here(c) for c in chunks))
        results = self._started_pool().map(_render_chunk, chunks,
                                           [self._field_names] * len(chunks))
        return lambda: self._collect(chunks, results)

    def _started_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Imported here: a build that renders in its own process never loads multiprocessing.
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self._jobs, initializer=_init_worker,
                                             initargs=(self._media,))
        return self._pool

    def renderer(self) -> Renderer:
        """This process's renderer for the build's media, made once (Markdown and Pygments
        are imported then)."""
        root, media_dir, names = self._media
        key = (root, media_dir, tuple(sorted(names.items())))
        if key not in self._renderers:
            self._renderers.clear()  # the media changed: the old ones resolve wrongly
            self._renderers[key] = _new_renderer(self._media)
        return cast("Renderer", self._renderers[key])

    def _render_here(self, chunk: list[Card]) -> list[_Output]:
        return list(_render_chunk_with(self.renderer(), chunk, self._field_names))

    def _collect(self, chunks: list[list[Card]], results: Iterable[list[_Output]],
                 ) -> list[_Output]:
        outputs: list[_Output] = []
        for chunk, result in zip(chunks, results, strict=True):
            outputs += result
            self._report(len(chunk))
        return outputs

    def _report(self, count: int) -> None:
        self._done += count
        if self._progress is not None and count:
            self._progress(min(self._done, self._total), self._total)


def _new_renderer(media: MediaArgs) -> Renderer:
    from ..markdown.render import MediaIndex, Renderer

    return Renderer(MediaIndex(*media))


_worker_renderer: Renderer | None = None


def _ready() -> None:
    """A first task, so that the workers start and run their initializer."""


def _init_worker(media: MediaArgs) -> None:
    global _worker_renderer
    # Ctrl-C is the build's to handle: it shuts the pool down, without a traceback per worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_renderer = _new_renderer(media)


def _render_chunk(cards: list[Card], field_names: tuple[str, ...]) -> list[_Output]:
    assert _worker_renderer is not None
    return list(_render_chunk_with(_worker_renderer, cards, field_names))


def _render_chunk_with(renderer: Renderer, cards: list[Card],
                       field_names: tuple[str, ...]) -> Iterator[_Output]:
    for card in cards:
        note, problems = renderer.render(card, "", "", (), field_names)
        yield note.fields, note.media, problems
