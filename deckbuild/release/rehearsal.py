"""The release rehearsal: the update from the previous release, replayed with Anki's own engine.

A scratch collection imports the previous release's package, studies some cards (answered
through the scheduler, so they have review history), and has one note edited as a user
would (with a mod time newer than the new package's). Then the new package is imported
with the options a user gets by just clicking Import (merge note types off, update notes
if newer), and, in a second scratch collection replaying the same steps, with merging on.

Each note of either package ends up in one outcome: new, updated, unchanged, conflicting
(not updated), skipped because the user edited it, left behind (removed from the sources),
retired (a tombstone reached the user's note). Cards that stay in their old subdeck, note
types added as copies ('Name+') and whether every reviewed card kept its history are
reported beside them.

The `anki` package is optional (the `share` extra): it is imported only here, lazily;
`available()` says whether it can be.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..package.writer import query_package
from .diff import plain

INSTALL_HINT = "pip install 'deckbuild[rehearsal]' (the official Anki engine, the `anki` package)"
STUDIED = 5  # cards answered in the scratch collection before the update
USER_EDIT = " (my own note)"  # what the rehearsal's user appends to one field

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
CONFLICTING, USER_EDITED, NOT_NEWER = "conflicting", "user-edited", "not-newer"
OVERWRITTEN = "overwritten"
LEFT_BEHIND, RETIRED, OTHER = "left-behind", "retired", "other"
OUTCOMES = (NEW, UPDATED, UNCHANGED, CONFLICTING, USER_EDITED, OVERWRITTEN, NOT_NEWER,
            LEFT_BEHIND, RETIRED, OTHER)


def available() -> bool:
    """Whether the official Anki engine can be imported."""
    return importlib.util.find_spec("anki") is not None


@dataclass(frozen=True)
class PackageNote:
    guid: str
    card_id: str  # the Id field, else the GUID
    question: str  # the first field, as plain text
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str  # the deck of its first card
    mod: int
    notetype: str  # the note type's name
    id: int = 0  # its id in the package (the engine logs a conflicting note by it)


def package_notes(path: Path) -> dict[str, PackageNote]:
    """The notes of a schema-11 .apkg by GUID, read with SQLite (no engine needed)."""
    models_json, decks_json, rows = query_package(
        path, "SELECT n.guid, n.mid, n.flds, n.tags, n.mod, n.id, "
              "(SELECT c.did FROM cards c WHERE c.nid = n.id ORDER BY c.ord LIMIT 1) "
              "FROM notes n ORDER BY n.id")
    models = {int(k): v for k, v in json.loads(models_json).items()}
    decks = {int(k): v["name"] for k, v in json.loads(decks_json).items()}
    notes = {}
    for guid, mid, flds, tags, mod, nid, did in rows:
        model = models.get(int(mid), {"name": "", "flds": []})
        fields = tuple(flds.split("\x1f"))
        named = dict(zip((f["name"] for f in model["flds"]), fields, strict=False))
        notes[guid] = PackageNote(guid, named.get("Id") or guid, plain(fields[0])[:120], fields,
                                  tuple(tags.split()), decks.get(did, ""), int(mod),
                                  model["name"], int(nid))
    return notes


@dataclass(frozen=True)
class Pass:
    """One import of the new package into a collection that holds the previous release."""

    label: str
    merge: bool
    outcomes: dict[str, tuple[str, ...]]  # outcome -> card ids, sorted
    moved: tuple[tuple[str, str, str], ...]  # (card id, where its cards stay, the new deck)
    copies: tuple[str, ...]  # note types the import added as a copy ('Name+')
    reviews_before: int
    reviews_after: int
    history_kept: bool  # every reviewed card is there, with its note and every review
    always: bool = False  # update notes "Always" rather than "If newer"

    def ids(self, outcome: str) -> tuple[str, ...]:
        return self.outcomes.get(outcome, ())


@dataclass(frozen=True)
class Rehearsal:
    old: str  # the previous release's label
    new: str
    studied: int
    edited: str  # the card id of the note the rehearsal's user edited ("" when none)
    passes: tuple[Pass, ...]  # default options, then merging on
    questions: dict[str, str] = field(default_factory=dict)  # card id -> question
    retired_tag: str = ""

    @property
    def default(self) -> Pass:
        return self.passes[0]

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Notes that do not update under the options a user gets by clicking Import."""
        return self.default.ids(CONFLICTING)

    @property
    def merging_resolves(self) -> bool:
        """Whether ticking 'Merge note types' leaves no note conflicting."""
        return all(not p.ids(CONFLICTING) for p in self.passes if p.merge)


def _options(merge: bool, always: bool = False) -> Any:
    from anki.import_export_pb2 import (
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        ImportAnkiPackageOptions,
    )

    # Everything else at the defaults a new collection starts with: note types updated if
    # newer, no scheduling, no deck presets.
    update = IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS if always else \
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    return ImportAnkiPackageOptions(merge_notetypes=merge, update_notes=update)


def _import(col: Any, path: Path, merge: bool, always: bool = False) -> Any:
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(path), options=_options(merge, always))).log
    col.models._clear_cache()  # pylib caches note types; Anki's GUI drops them after an import
    return log


def _study(col: Any, count: int) -> int:
    """Answer up to `count` cards (Good) through the scheduler, from every deck."""
    answered = 0
    for deck in col.decks.all_names_and_ids(skip_empty_default=True, include_filtered=False):
        if "::" in deck.name:
            continue
        col.decks.select(deck.id)
        while answered < count:
            card = col.sched.getCard()
            if card is None:
                break
            col.sched.answerCard(card, 3)
            answered += 1
    return answered


def pick_edited(old: dict[str, PackageNote], new: dict[str, PackageNote],
                retired_tag: str = "") -> str:
    """The GUID of the note the rehearsal's user edits: the first (by card id) that the new
    package changes, so that the report shows what happens to a user's edit; else the first
    note both packages hold; "" when they share none. A tombstone is the last choice: the
    report should show the others gaining the retired tag."""
    both = sorted((old[g].card_id, g) for g in old.keys() & new.keys())
    retired = {g for _, g in both if retired_tag and retired_tag in new[g].tags}
    changed = [g for _, g in both if old[g].fields != new[g].fields or old[g].tags != new[g].tags]
    live = [g for g in changed if g not in retired]
    kept = [g for _, g in both if g not in retired]
    return (live or kept or changed or [""])[0]


def _edit(col: Any, guid: str, newest: int) -> None:
    """Edit a note as a user would, leaving it newer than anything in the new package."""
    (nid,) = col.db.list("select id from notes where guid = ?", guid)
    note = col.get_note(nid)
    names = [f["name"] for f in note.note_type()["flds"]]
    index = next((i for i, name in enumerate(names) if name != "Id"), 0)
    note.fields[index] += USER_EDIT
    col.update_note(note)
    col.db.execute("update notes set mod = max(mod, ?) where id = ?", newest + 1, nid)


def _words(text: str) -> str:
    return " ".join(plain(text).split())


def _by_fields(notes: dict[str, PackageNote], logged: list[str]) -> str:
    """The GUID of the package note the engine logged with these fields (HTML stripped):
    by its card id among them (the Id field), else by all its fields' text; "" if unsure."""
    words = [" ".join(f.split()) for f in logged]
    found = [g for g, n in notes.items() if n.card_id != g and n.card_id in words]
    if len(found) != 1:
        found = [g for g, n in notes.items() if [_words(f) for f in n.fields] == words]
    return found[0] if len(found) == 1 else ""


def _replay(folder: Path, old_pkg: Path, new_pkg: Path, old: dict[str, PackageNote],
            new: dict[str, PackageNote], edited: str, merge: bool,
            retired_tag: str, always: bool = False) -> tuple[Pass, int]:
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    db: Any = col.db  # open while the collection is
    try:
        first = _import(col, old_pkg, merge=False)
        del first
        studied = _study(col, STUDIED)
        if edited:
            _edit(col, edited, max((n.mod for n in new.values()), default=0))
        reviewed = db.all("select id, cid from revlog order by id")
        notetypes_before = {m.id for m in col.models.all_names_and_ids()}
        log = _import(col, new_pkg, merge, always)
        by_nid = dict(db.all("select id, guid from notes"))
        listed: dict[str, str] = {}
        for name, outcome in (("new", NEW), ("updated", UPDATED), ("duplicate", UNCHANGED),
                              ("conflicting", CONFLICTING), ("first_field_match", OTHER),
                              ("missing_notetype", OTHER), ("missing_deck", OTHER),
                              ("empty_first_field", OTHER)):
            for entry in getattr(log, name):
                # A note the import did not write (a conflicting one) has an id of its own.
                guid = by_nid.get(entry.id.nid) or _by_fields(new, list(entry.fields))
                if guid:
                    listed.setdefault(guid, outcome)
        outcomes: dict[str, list[str]] = {}
        for guid, note in new.items():
            outcome = listed.get(guid, UNCHANGED)
            changed = guid in old and (old[guid].fields, old[guid].tags) != (note.fields,
                                                                             note.tags)
            if outcome == UNCHANGED and changed:
                outcome = USER_EDITED if guid == edited else NOT_NEWER
            elif outcome == UPDATED and guid == edited:
                outcome = OVERWRITTEN
            elif outcome == UPDATED and retired_tag and retired_tag in note.tags \
                    and guid in old and retired_tag not in old[guid].tags:
                outcome = RETIRED
            outcomes.setdefault(outcome, []).append(note.card_id)
        for guid in old.keys() - new.keys():
            outcomes.setdefault(LEFT_BEHIND, []).append(old[guid].card_id)
        moved = []
        for guid, note in sorted(new.items(), key=lambda item: item[1].card_id):
            if guid not in old:
                continue
            decks = db.list("select distinct d.name from cards c join notes n on n.id = c.nid"
                                " join decks d on d.id = c.did where n.guid = ?", guid)
            stays = sorted({d.replace("\x1f", "::") for d in decks} - {note.deck})
            if stays:
                moved.append((note.card_id, ", ".join(stays), note.deck))
        # A type the package brings is new; one under another name is a copy ('Name+').
        shipped = {n.notetype for n in new.values()}
        copies = tuple(sorted(m.name for m in col.models.all_names_and_ids()
                              if m.id not in notetypes_before and m.name not in shipped))
        after = db.all("select id, cid from revlog order by id")
        cards = set(db.list("select id from cards"))
        kept = set(map(tuple, reviewed)) <= set(map(tuple, after)) \
            and all(cid in cards for _, cid in reviewed)
        label = ("merge note types on, update notes always" if always else
                 "merge note types on" if merge else "default options")
        return Pass(label, merge, {k: tuple(sorted(v)) for k, v in outcomes.items()},
                    tuple(moved), copies, len(reviewed), len(after), kept, always), studied
    finally:
        col.close()


def rehearse(old_pkg: Path, new_pkg: Path, old_label: str = "", new_label: str = "",
             retired_tag: str = "") -> Rehearsal:
    """Replay the update from `old_pkg` to `new_pkg` twice (default options, then merging
    on), each in a fresh scratch collection. Needs the `anki` package (see available())."""
    old, new = package_notes(old_pkg), package_notes(new_pkg)
    edited = pick_edited(old, new, retired_tag)
    passes = []
    studied = 0
    with tempfile.TemporaryDirectory(prefix="deckbuild-rehearsal-") as tmp:
        # The options a user gets by clicking Import; then 'Merge note types' ticked; then
        # also 'Update notes: Always' (a merge rewrites the notes it converts, so under 'If
        # newer' their changes wait for the next version).
        for n, (merge, always) in enumerate(((False, False), (True, False), (True, True))):
            done, studied = _replay(Path(tmp) / str(n), old_pkg, new_pkg, old, new, edited,
                                    merge, retired_tag, always)
            passes.append(done)
    # A note by its question in the new package; a tombstone by the one it had.
    questions = {n.card_id: n.question for n in (*new.values(), *old.values())
                 if n.guid not in old or n is old[n.guid] or retired_tag not in n.tags}
    questions.update({n.card_id: n.question for n in new.values()
                      if not retired_tag or retired_tag not in n.tags})
    return Rehearsal(old_label or old_pkg.name, new_label or new_pkg.name, studied,
                     new[edited].card_id if edited in new else "", tuple(passes), questions,
                     retired_tag)
