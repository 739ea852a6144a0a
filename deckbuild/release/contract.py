"""The modern note-type contract: stable field and template ids, and what may change.

Anki 23.10+ matches a package's fields and templates to the collection's by `id` when both
sides have one, else by name. With ids, merging note types can add a field, and a renamed
field keeps its content. Each id is derived from the note type's id and the field's or
template's name when first released, recorded in the lock, and never changed: a field
renamed in place (same position, the old name gone) keeps the id it had.

A note type may grow in a new version: fields added at the end, templates added at the end,
fields or templates renamed in place. Removing or reordering them, changing the sort field
or the kind stays a schema change the build refuses.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import Any

from ..records import NoteType
from .lock import Lock

# Anki's originalStockKind of the built-in types, by deckbuild's name for them (it drives
# Anki's "Restore to Default"; 1 Basic, 2 and reversed, 4 type-in, 5 Cloze).
STOCK_KIND = {"basic": 1, "reversed": 2, "type-in": 4, "cloze": 5}

Ids = tuple[tuple[str, int], ...]  # (name, id) in order


def derived_id(notetype_id: int, part: str, name: str) -> int:
    """A field's or template's id: a signed 64-bit number from the note type id and name."""
    digest = hashlib.sha256(f"{notetype_id}\x1f{part}\x1f{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def assign(notetype_id: int, part: str, names: Sequence[str], recorded: Ids) -> Ids:
    """Ids for `names`: the recorded one for a known name; the recorded one of the name a
    field had at this position when that name is gone (a rename); else a derived one."""
    known = dict(recorded)
    gone = [name for name, _ in recorded if name not in names]
    ids = []
    for index, name in enumerate(names):
        if name in known:
            ids.append((name, known[name]))
        elif index < len(recorded) and recorded[index][0] in gone:
            ids.append((name, recorded[index][1]))
        else:
            ids.append((name, derived_id(notetype_id, part, name)))
    return tuple(ids)


def growth(old: dict[str, Any], new: dict[str, Any], renames: bool = True) -> str:
    """How a note type's schema changed: "" when it did not; "grown" when fields or templates
    were only added at the end or (with `renames`: users have the ids) renamed in place;
    otherwise "incompatible"."""
    if old == new:
        return ""
    old_fields, new_fields = list(old.get("fields") or []), list(new.get("fields") or [])
    old_tmpls, new_tmpls = list(old.get("templates") or []), list(new.get("templates") or [])
    if old.get("kind") != new.get("kind") or len(new_fields) < len(old_fields) \
            or len(new_tmpls) < len(old_tmpls):
        return "incompatible"
    for before, after in ((old_fields, new_fields), (old_tmpls, new_tmpls)):
        # In place: each old name kept at its position, or renamed to a name that is new.
        for index, name in enumerate(before):
            if after[index] != name and (not renames or after[index] in before
                                         or name in after):
                return "incompatible"
    old_sort, new_sort = old.get("sort_field"), new.get("sort_field")
    if old_sort not in old_fields or new_sort not in new_fields \
            or old_fields.index(old_sort) != new_fields.index(new_sort):
        return "incompatible"  # Anki rewrites every note when the sort field moves
    return "grown"


def describe_growth(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What grew, in words: 'field "Hint" added', 'field "Extra" renamed to "Notes"'."""
    parts = []
    for key, noun in (("fields", "field"), ("templates", "template")):
        before, after = list(old.get(key) or []), list(new.get(key) or [])
        parts += [f"{noun} {a!r} renamed to {b!r}" for a, b in zip(before, after, strict=False)
                  if a != b]
        parts += [f"{noun} {b!r} added" for b in after[len(before):]]
    return parts


# (note type id, field ids, template ids, originalStockKind or 0): what the package writes.
PackageIds = tuple[tuple[int, tuple[int, ...], tuple[int, ...], int], ...]


def with_ids(lock: Lock, types: Sequence[tuple[str, NoteType]], stock: dict[str, int]
             ) -> tuple[Lock, PackageIds, bool]:
    """The lock with ids recorded for each note type (key, type) of the package, the ids
    the package carries, and whether the lock gained any. `stock` gives the
    originalStockKind of each key (STOCK_KIND for the built-in types)."""
    notetypes = dict(lock.notetypes)
    spec = []
    changed = False
    for key, notetype in types:
        entry = notetypes.get(str(notetype.id))
        if entry is None:
            continue
        fields = assign(notetype.id, "field", notetype.fields, entry.field_ids)
        templates = assign(notetype.id, "template", [t.name for t in notetype.templates],
                           entry.template_ids)
        if (fields, templates) != (entry.field_ids, entry.template_ids):
            notetypes[str(notetype.id)] = dataclasses.replace(entry, field_ids=fields,
                                                              template_ids=templates)
            changed = True
        spec.append((notetype.id, tuple(i for _, i in fields), tuple(i for _, i in templates),
                     stock.get(key, 0)))
    return dataclasses.replace(lock, notetypes=notetypes), tuple(sorted(spec)), changed
