"""`pull EXPORTED.apkg`: edits made in Anki, back into the card files.

A note was edited in Anki when its mod time in the export is newer than the one the
project's last build gave it (the lock records it) and its fields or tags differ from what
the cards give now. Each such edit is shown as a diff of the card's Markdown at file:line.
With `apply`, it is written into the card file when the card did not change in Markdown
since that build and every field converts faithfully (convert.write_card renders it back
to check); otherwise both sides are shown and nothing is overwritten. A card keeps its id
and its GUID; only its fields and tags change.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...markdown.render import Renderer
from ...project.config import Config
from ...records import Card, MediaFile, RenderedNote, SourceFile
from ...release.lock import Lock, note_hash
from .convert import MEDIA, MediaMap, Shape, write_card
from .fidelity import normal_form
from .read import AnkiNote, AnkiPackage


@dataclass(frozen=True)
class Edit:
    """One note edited in Anki: where its card is, the diff, and what happens to it."""

    path: str
    line: int
    card_id: str
    diff: str
    status: str  # "applied", "to apply", "conflict" or "not faithful"
    why: tuple[str, ...] = ()


@dataclass
class PullReport:
    edits: list[Edit] = field(default_factory=list)
    unchanged: int = 0
    unknown: int = 0  # notes of the export that no card of the project has


def _blocks(text: str, cards: Sequence[Card]) -> dict[int, tuple[int, int]]:
    """Card heading line -> (first, end) line indexes (0-based, end exclusive) of its text,
    without the blank lines after it."""
    lines = text.split("\n")
    starts = [card.line for card in cards] + [len(lines) + 1]
    blocks = {}
    for here, after in zip(starts, starts[1:], strict=False):
        end = after - 1
        while end > here and not lines[end - 1].strip():
            end -= 1
        blocks[here] = (here - 1, end)
    return blocks


def plan_pull(config: Config, lock: Lock, notes: Sequence[RenderedNote],
              sources: Sequence[SourceFile], project_media: Sequence[MediaFile],
              package: AnkiPackage) -> tuple[PullReport, dict[str, str], dict[str, str]]:
    """The edits, the card files' new texts (for the edits that can be applied) and the
    media files they need (media/<name> -> file to copy)."""
    shapes = {spec.key: Shape(spec.key, spec.fields, spec.kind,
                              spec.fields.index(spec.sort_field)) for spec in config.own_types}
    cards = {(card.path, card.line): card for source in sources for card in source.cards}
    by_guid = {note.guid: note for note in notes}
    media = _media(config, project_media, package)
    renderer = Renderer(media.index)
    texts: dict[str, str] = {}
    report = PullReport()
    exported = {note.guid: note for note in package.notes}
    for guid, theirs in sorted(exported.items(), key=lambda item: item[1].id):
        ours = by_guid.get(guid)
        entry = lock.notes.get(ours.card_id) if ours is not None else None
        if ours is None or entry is None or entry.guid != guid:
            report.unknown += 1
            continue
        if theirs.mod <= entry.mod or not _edited(theirs, ours, media):
            report.unchanged += 1
            continue
        card = cards[(ours.path, ours.line)]
        path = config.root / ours.path
        text = texts.get(ours.path) or path.read_text(encoding="utf-8")
        file_cards = [c for c in cards.values() if c.path == ours.path]
        first, end = _blocks(text, sorted(file_cards, key=lambda c: c.line))[card.line]
        lines = text.split("\n")
        old = "\n".join(lines[first:end])
        shape = shapes.get(card.notetype)
        if shape is None:
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, "", "not faithful", (
                f"a card of the built-in type {card.notetype!r}: deckbuild writes edits back "
                "into cards of the deck's own note types only; make this edit by hand",)))
            continue
        tags = tuple(t for t in theirs.tags if t not in _file_tags(sources, ours.path))
        written = write_card(theirs.fields, tags, guid, ours.card_id, shape, ours.path,
                             renderer, media, state_guid=card.guid is not None)
        new = written.text.rstrip("\n")
        diff = "".join(difflib.unified_diff(
            (old + "\n").splitlines(keepends=True), (new + "\n").splitlines(keepends=True),
            f"{ours.path}:{ours.line} (Markdown)", f"{ours.path}:{ours.line} (edited in Anki)"))
        if note_hash(ours) != entry.hash:
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, diff, "conflict", (
                "the card also changed in Markdown since the last build: both versions are "
                "shown, neither is overwritten; merge them by hand",)))
        elif written.differ:
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, diff, "not faithful",
                                     tuple(written.listed)))
        else:
            texts[ours.path] = "\n".join([*lines[:first], new, *lines[end:]])
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, diff, "to apply",
                                     tuple(written.listed)))
    new_media = {media.files[src][0]: media.files[src][1] for src in media.used
                 if not (config.root / media.files[src][0]).exists()}
    return report, texts, new_media


def _file_tags(sources: Sequence[SourceFile], path: str) -> set[str]:
    return {tag for source in sources if source.path == path for tag in source.tags}


def _edited(theirs: AnkiNote, ours: RenderedNote, media: MediaMap) -> bool:
    if sorted(theirs.tags) != sorted(ours.tags):
        return True
    return [normal_form(f, media.digest) for f in theirs.fields] != \
        [normal_form(f, media.by_packaged) for f in ours.fields]


def _media(config: Config, project_media: Sequence[MediaFile], package: AnkiPackage) -> MediaMap:
    """Images by the names the export's fields use: the packaged names of the project's
    files, and files first added in Anki (media/<name> once pulled)."""
    files = {m.name: (m.source, m.data_path) for m in project_media}
    folder = Path(package.media_dir)
    known = {hashlib.sha1(Path(m.data_path).read_bytes()).hexdigest() for m in project_media}
    for name in package.media:
        if name in files:
            continue
        data = folder / name
        if hashlib.sha1(data.read_bytes()).hexdigest() in known:
            continue  # a renamed copy of a project file: its packaged name is there
        files[name] = (f"{MEDIA}/{name}", str(data))
    return MediaMap(config.root, files)


def apply_pull(root: Path, texts: dict[str, str], media: dict[str, str]) -> None:
    """Write the new card texts (each file replaced whole, atomically) and copy new media."""
    for relative, source in sorted(media.items()):
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for relative, text in sorted(texts.items()):
        target = root / relative
        fd, scratch = tempfile.mkstemp(prefix=".pull-", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.replace(scratch, target)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
