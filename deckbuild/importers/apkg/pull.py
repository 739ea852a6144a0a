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

import dataclasses
import difflib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import Problem
from ...markdown.render import Renderer
from ...notetypes import REGISTRY
from ...notetypes.typein_type import TYPED
from ...project.config import Config
from ...records import Card, MediaFile, RenderedNote, SourceFile
from ...release.lock import Lock, note_hash
from ...source.ids import notetype_id_for
from ...source.numbering import without_number
from ...source.parse import parse_source
from .convert import MEDIA, CardForm, MediaMap, Shape, carried_tags, own_form, write_card
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
    # Notes of the export that no card of the project's last build has: (GUID, the text
    # of their first field), e.g. notes added in Anki; pull never writes them.
    unknown: list[tuple[str, str]] = field(default_factory=list)


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
    cards = {(card.path, card.line): card for source in sources for card in source.cards}
    by_guid = {note.guid: note for note in notes}
    media = _media(config, project_media, package)
    renderer = Renderer(media.index)
    originals: dict[str, list[str]] = {}
    newlines: dict[str, str] = {}
    replaced: dict[str, list[tuple[int, int, str]]] = {}
    report = PullReport()
    exported = {note.guid: note for note in package.notes}
    for guid, theirs in sorted(exported.items(), key=lambda item: item[1].id):
        ours = by_guid.get(guid)
        entry = lock.notes.get(ours.card_id) if ours is not None else None
        if ours is None or entry is None or entry.guid != guid:
            plain = re.sub(r"<[^>]*>", " ", theirs.fields[0] if theirs.fields else "")
            report.unknown.append((guid, " ".join(plain.split())[:60]))
            continue
        if theirs.mod <= entry.mod or not _edited(theirs, ours, media):
            report.unchanged += 1
            continue
        card = cards[(ours.path, ours.line)]
        changed_type = _type_changed(config, card, theirs, ours)
        if changed_type:
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, "", "not faithful",
                                     (changed_type,)))
            continue
        if ours.path not in originals:
            raw = (config.root / ours.path).read_bytes().decode("utf-8")
            # The file's own line ends are kept: only the edited cards' lines change.
            newlines[ours.path] = "\r\n" if "\r\n" in raw else "\n"
            originals[ours.path] = raw.replace("\r\n", "\n").split("\n")
        lines = originals[ours.path]
        file_cards = sorted((c for c in cards.values() if c.path == ours.path),
                            key=lambda c: c.line)
        first, end = _blocks("\n".join(lines), file_cards)[card.line]
        old = "\n".join(lines[first:end])
        source = next(s for s in sources if s.path == ours.path)
        tags, listed = carried_tags(tuple(t for t in theirs.tags
                                          if t not in _implied_tags(config, source)))
        form = _form(config, card, ours, old, tags, renderer)
        if isinstance(form, str):
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, "", "not faithful",
                                     (form,)))
            continue
        written = write_card(theirs.fields, form, ours.path, media)
        listed += written.listed
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
                                     tuple(listed)))
        else:
            replaced.setdefault(ours.path, []).append((first, end, new))
            report.edits.append(Edit(ours.path, ours.line, ours.card_id, diff, "to apply",
                                     tuple(listed)))
    texts = {}
    for path, changes in replaced.items():
        lines = list(originals[path])
        for first, end, new in sorted(changes, reverse=True):  # later blocks first
            lines[first:end] = new.split("\n")
        texts[path] = newlines[path].join(lines)
    new_media = {media.files[src][0]: media.files[src][1] for src in media.used
                 if not (config.root / media.files[src][0]).exists()}
    return report, texts, new_media


def _type_changed(config: Config, card: Card, theirs: AnkiNote,
                  ours: RenderedNote) -> str:
    """Why the exported note cannot be written into this card: another note type, or one
    whose fields changed in Anki ("" when neither)."""
    own = {spec.key: spec.id for spec in config.own_types}
    expected = own.get(card.notetype) or notetype_id_for(config.notetype.id, card.notetype)
    if theirs.notetype_id != expected:
        return (f"its note type in Anki ({theirs.notetype_id}) is not the card's "
                f"({expected}): make this edit by hand")
    if len(theirs.fields) != len(ours.fields):
        return (f"its note type has {len(theirs.fields)} fields in Anki and "
                f"{len(ours.fields)} here: change the note type in pyproject.toml and "
                "templates/ first")
    return ""


def _implied_tags(config: Config, source: SourceFile) -> set[str]:
    """The tags a card gets from its file: the front matter's, and its section's."""
    implied = set(source.tags)
    if source.section and config.section_tags:
        implied.add(re.sub(r"[^a-z0-9]+", "-", source.section.lower()).strip("-"))
    return implied


_META = re.compile(r"^\s*<!--\s*([A-Za-z][\w-]*)\s*:.*-->\s*$")


def _form(config: Config, card: Card, ours: RenderedNote, old: str, tags: list[str],
          renderer: Renderer) -> CardForm | str:
    """How this card's note is written back, or why it is not."""
    own = {spec.key: spec for spec in config.own_types}
    spec = own.get(card.notetype)
    if spec is not None:
        shape = Shape(spec.key, spec.fields, spec.kind, spec.fields.index(spec.sort_field))
        return own_form(shape, ours.guid, card.guid is not None, ours.card_id, tags,
                        ours.path, renderer)
    if card.front.strip():
        return ("the card has text above '<!-- answer -->', which its Question field holds "
                "with the heading: make this edit by hand")
    if card.notetype == "basic":
        names, parts = config.notetype.fields, config.notetype.parts
    else:
        builtin = REGISTRY.get(card.notetype)
        assert builtin is not None
        names, parts = builtin.fields, builtin.parts
    # The card's own comments under its heading, but tags and source: those are rewritten.
    kept = []
    for line in old.split("\n")[1:]:
        meta = _META.match(line)
        if line.strip() and not meta:
            break
        if meta and meta.group(1).lower() not in ("tags", "source"):
            kept.append(line)
    where = {part: i for i, part in enumerate(parts) if part}

    def assemble(mds: list[str]) -> str:
        def part(name: str) -> str:
            return mds[where[name]] if name in where else ""

        lines = [f"## {part('Question')}".rstrip(), *kept]
        if tags:
            lines.append(f"<!-- tags: {' '.join(tags)} -->")
        if part("Source"):
            lines.append(f"<!-- source: {part('Source')} -->")
        lines.append("")
        body = [text for text in (part(TYPED), part("Answer")) if text]
        if body:
            lines += ["\n\n".join(body), ""]
        if part("Extra"):
            lines += ["<!-- extra -->", part("Extra"), ""]
        return "\n".join(lines)

    def read(text: str) -> tuple[tuple[str, ...], list[Problem]]:
        source, problems = parse_source(text, ours.path, [s.key for s in config.own_types])
        if len(source.cards) != 1:
            return (), [Problem(ours.path, 1, f"the card text reads as {len(source.cards)} "
                                "cards")]
        read_card = dataclasses.replace(source.cards[0], notetype=card.notetype)
        if not config.question_numbers:
            read_card = dataclasses.replace(read_card,
                                            question=without_number(read_card.question))
        note, found = renderer.render(read_card, ours.guid, ours.deck, ours.tags, parts)
        return note.fields, problems + found

    inline = frozenset(i for i, part in enumerate(parts) if part in ("Question", "Source", TYPED))
    fixed = frozenset(i for i, part in enumerate(parts) if part in ("Id", ""))
    return CardForm(names, inline, fixed, assemble, read)


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
