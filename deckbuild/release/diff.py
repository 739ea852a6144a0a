"""What changed between two versions of the deck, and what each change means for users."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..package.writer import read_package
from ..records import NoteType, RenderedNote
from .lock import Lock, Release, note_hash, notetype_hash, question_text

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class NoteState:
    id: str
    guid: str
    question: str  # plain text
    hash: str
    deck: str = ""  # where its cards go ("" when not known)


@dataclass(frozen=True)
class Side:
    """One version of the deck as the diff sees it."""

    label: str
    notes: dict[str, NoteState]
    decks: tuple[str, ...]
    notetype_hash: str
    schema: dict[str, object] | None = None
    # The built-in types other than basic that the notes use; None when not known.
    types: frozenset[str] | None = None
    # A package's note types by id, as (templates-and-CSS hash, schema); None when not read
    # from a package. Two packages compare every type they share, not only a single one.
    by_type: dict[int, tuple[str, dict[str, object]]] | None = None


@dataclass(frozen=True)
class DeckDiff:
    old: str
    new: str
    added: tuple[NoteState, ...]
    changed: tuple[NoteState, ...]
    unchanged: tuple[NoteState, ...]
    removed: tuple[NoteState, ...]
    decks_added: tuple[str, ...]
    decks_removed: tuple[str, ...]
    notetype_changed: bool
    schema_changed: bool
    types_added: tuple[str, ...] = ()
    # Notes in both whose deck changed: (note as now, the deck its cards stay in).
    moved: tuple[tuple[NoteState, str], ...] = ()


def plain(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip()


def side_from_release(release: Release, lock: Lock) -> Side:
    notes = {}
    for card_id, digest in release.notes.items():
        known = lock.notes.get(card_id)
        notes[card_id] = NoteState(card_id, known.guid if known else "",
                                   plain(known.question) if known else "", digest,
                                   known.deck if known else "")
    schemas = [t.schema for t in lock.notetypes.values()]
    return Side(release.version, notes, release.decks, release.notetype_hash,
                schemas[0] if len(schemas) == 1 else None, frozenset(release.types))


def side_from_build(label: str, notes: tuple[RenderedNote, ...], notetype: NoteType,
                    decks: tuple[str, ...], others: dict[str, NoteType] | None = None) -> Side:
    """The checked sources as a diff side; `others` are the built-in types beside basic."""
    types = {"basic": notetype, **(others or {})}
    states = {n.card_id: NoteState(n.card_id, n.guid,
                                   plain(question_text(n, types.get(n.notetype, notetype))),
                                   note_hash(n), n.deck) for n in notes}
    used = frozenset(n.notetype for n in notes) - {"basic"}
    return Side(label, states, tuple(sorted(decks)), notetype_hash(notetype), notetype.schema(),
                used)


def diff_sides(old: Side, new: Side) -> DeckDiff:
    """Notes match by id (= GUID), exactly as Anki matches them on import."""
    def pick(ids: set[str], side: Side) -> tuple[NoteState, ...]:
        return tuple(side.notes[i] for i in sorted(ids))

    both = old.notes.keys() & new.notes.keys()
    changed = {i for i in both if old.notes[i].hash != new.notes[i].hash}
    return DeckDiff(
        old=old.label,
        new=new.label,
        added=pick(new.notes.keys() - old.notes.keys(), new),
        changed=pick(changed, new),
        unchanged=pick(both - changed, new),
        removed=pick(old.notes.keys() - new.notes.keys(), old),
        decks_added=tuple(sorted(set(new.decks) - set(old.decks))),
        decks_removed=tuple(sorted(set(old.decks) - set(new.decks))),
        notetype_changed=any(a != b for a, b, _, _ in _shared_types(old, new)),
        schema_changed=any(a is not None and b is not None and a != b
                           for _, _, a, b in _shared_types(old, new)),
        types_added=tuple(sorted(new.types - old.types))
        if old.types is not None and new.types is not None else (),
        moved=tuple((new.notes[i], old.notes[i].deck) for i in sorted(both)
                    if old.notes[i].deck and new.notes[i].deck
                    and old.notes[i].deck != new.notes[i].deck),
    )


def _shared_types(old: Side, new: Side) -> list[tuple[str, str, object, object]]:
    """(old hash, new hash, old schema, new schema) of each note type both sides have: every
    type with the same id when both are packages, else the one main type of each."""
    if old.by_type is not None and new.by_type is not None:
        return [(old.by_type[i][0], new.by_type[i][0], old.by_type[i][1], new.by_type[i][1])
                for i in sorted(old.by_type.keys() & new.by_type.keys())]
    return [(old.notetype_hash, new.notetype_hash, old.schema, new.schema)]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def format_diff(d: DeckDiff) -> list[str]:
    """Human-readable report: every note by id and question, then what users will see."""
    lines = [f"Changes from {d.old} to {d.new}:"]
    for title, mark, notes in (("added", "+", d.added), ("changed", "~", d.changed),
                               ("removed", "-", d.removed)):
        lines.append(f"  {title} ({len(notes)})")
        lines += [f"    {mark} {n.id}: {n.question}" for n in notes]
    if d.moved:
        lines.append(f"  moved ({len(d.moved)})")
        lines += [f"    > {n.id}: {_subdeck(old)} -> {_subdeck(n.deck)}" for n, old in d.moved]
    lines.append(f"  unchanged ({len(d.unchanged)})")
    lines.append("What importing users get:")
    if d.added or d.changed:
        lines.append(f"  - {_n(len(d.added), 'new note')} added and {_n(len(d.changed), 'note')} "
                     "updated in place; review history is kept.")
    if d.unchanged:
        lines.append(f"  - Unchanged notes ({len(d.unchanged)}) keep their mod time: users' "
                     "own edits and tags on them are left alone.")
    if d.schema_changed:
        lines.append("  - The note type's SCHEMA changed: Anki adds a copy named '<name>+' and "
                     "existing notes get no updates unless users tick 'Merge note types'.")
    elif d.notetype_changed:
        lines.append("  - Templates or CSS changed: the note type is updated in place.")
    for name in d.types_added:
        lines.append(f"  - New note type '{name}': importing adds it beside the others; "
                     "nothing to choose.")
    for deck in d.decks_added:
        # A name without '::' is the deck itself, holding the cards of files without a section.
        lines.append(f"  - New subdeck {deck!r}: new cards go there." if "::" in deck else
                     f"  - Cards now go to the deck {deck!r} itself too, beside its subdecks.")
    for deck in d.decks_removed:
        where = f"Subdeck {deck!r} is gone from the package" if "::" in deck else \
            f"No card goes to the deck {deck!r} itself any more"
        lines.append(f"  - {where}: cards users already have there stay where they are (Anki "
                     "never moves existing cards).")
    if d.moved:
        lines.append(f"  - Moved notes ({len(d.moved)}) keep their existing cards in the old "
                     "subdeck (Anki never moves existing cards); only new users get them in the "
                     "new one. To move them by hand, search in Anki's browser, then Change Deck:")
        lines += ["    " + search for search in moved_searches(d.moved)]
    if d.removed:
        lines.append(f"  - Removed notes ({len(d.removed)}) stay in users' collections "
                     "(imports never delete); the next releases ship them as retired notes "
                     "(tombstones). To find them, search in Anki's browser:")
        lines.append("    " + anki_search(n.id for n in d.removed))
    return lines


def anki_search(card_ids: Iterable[str]) -> str:
    """An Anki browser search for notes by their Id field (`_` and `*` are wildcards there)."""
    def term(card_id: str) -> str:
        escaped = re.sub(r'([_*"\\:])', r"\\\1", card_id)
        return f'"Id:{escaped}"'
    return " OR ".join(term(i) for i in card_ids)


def section_tag(deck: str) -> str:
    """The tag a note of this (sub)deck carries: its section's name, as the build tags it."""
    return re.sub(r"[^a-z0-9]+", "-", deck.rpartition("::")[2].lower()).strip("-")


def moved_search(old_deck: str, new_deck: str) -> str:
    """An Anki search for the cards left in `old_deck` by notes that now belong in
    `new_deck`: Anki never moves existing cards, and the note carries the new section's tag."""
    escaped = re.sub(r'([_*"\\:])', r"\\\1", old_deck).replace("\\:\\:", "::")
    return f'"deck:{escaped}" tag:{section_tag(new_deck)}'


def moved_searches(moved: tuple[tuple[NoteState, str], ...]) -> list[str]:
    """One Anki search per (old subdeck, new deck) pair that selects the cards left behind:
    by the new section's tag, or by the notes' ids when they moved to the root deck."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for note, old in moved:
        pairs.setdefault((old, note.deck), []).append(note.id)
    return [moved_search(old, deck) if "::" in deck
            else f'"deck:{old}" ({anki_search(ids)})' for (old, deck), ids in sorted(pairs.items())]


def _subdeck(deck: str) -> str:
    return deck.partition("::")[2] or deck


def changelog_html(lock: Lock, card_ids: tuple[str, ...], notetype: NoteType,
                   version: str, limit: int = 5) -> str:
    """A short 'what changed since the last release' for the deck description.

    `lock` is this build's: it holds every current note's hash and question.
    """
    previous = [r for r in lock.releases if r.version != version]
    if not previous:
        return ""
    old = side_from_release(previous[-1], lock)
    current = {i: NoteState(i, lock.notes[i].guid, plain(lock.notes[i].question),
                            lock.notes[i].hash) for i in card_ids}
    d = diff_sides(old, Side(version, current, (), notetype_hash(notetype)))
    parts = [f"<p>Changes since {html.escape(old.label)}: {len(d.added)} new, "
             f"{len(d.changed)} updated, {len(d.removed)} removed.</p>"]
    items = [("New", n) for n in d.added] + [("Updated", n) for n in d.changed]
    if items:
        shown = "".join(f"<li>{kind}: {html.escape(n.question)}</li>" for kind, n in items[:limit])
        more = f"<li>and {len(items) - limit} more</li>" if len(items) > limit else ""
        parts.append(f"<ul>{shown}{more}</ul>")
    return "\n".join(parts)


RETIRED_TAG = "deckbuild::retired"  # [tool.deckbuild] retired_tag's default


def side_from_package(path: Path, retired_tag: str = RETIRED_TAG) -> Side:
    """A built .apkg as a diff side; notes are named by their Id field when there is one.
    Tombstones (notes with the retired tag) are not part of the deck: they are removed notes."""
    notetypes, rows, decks = read_package(path)
    by_id = {t.id: t for t in notetypes}
    notes = {}
    for guid, mid, fields, tags, deck in rows:
        if retired_tag in tags:
            continue
        notetype = by_id[mid]
        named = dict(zip(notetype.fields, fields, strict=False))
        card_id = named.get("Id") or guid
        rendered = RenderedNote(card_id, guid, tuple(fields), tuple(tags), deck, (), "", 0)
        notes[card_id] = NoteState(card_id, guid, plain(question_text(rendered, notetype)),
                                   note_hash(rendered), deck)
    return Side(path.name, notes, tuple(decks), "",
                by_type={t.id: (notetype_hash(t), t.schema()) for t in notetypes})
