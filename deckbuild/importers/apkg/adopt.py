"""The adoption, recorded in the lock: the deck's ids are the project's own from now on.

The identity (deck name and id, note type ids, GUID namespace) makes the identity guard
accept them; each note type's schema, with the ids its fields and templates have in Anki,
makes the first build update it in place (same id, same schema, same field and template
ids), newer than anything users have.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...project.config import Config
from ...project.identity import identity_of
from ...release.lock import Lock, NoteTypeLock
from .read import AnkiNoteType


def adoption_lock(config: Config, notetypes: Sequence[AnkiNoteType]) -> Lock:
    """The lock of a project just imported: no note built yet, its ids recorded."""
    entries = {}
    for nt in notetypes:
        schema = {"fields": list(nt.fields), "templates": [t.name for t in nt.templates],
                  "sort_field": nt.fields[nt.sort_field], "kind": nt.kind}
        # No hash and no mod: the first build stamps the note type as changed, newer than
        # every user's copy, so that it is updated in place.
        entries[str(nt.id)] = NoteTypeLock(
            nt.name, schema, "", 0, _ids(nt.fields, nt.field_ids),
            _ids(tuple(t.name for t in nt.templates), nt.template_ids))
    return Lock(notetypes=entries, identity=identity_of(config))


def _ids(names: tuple[str, ...], ids: tuple[int | None, ...]) -> tuple[tuple[str, int], ...]:
    """(name, id) of each, when Anki has every one: a deck made before Anki 23.10 has none,
    so its users match by name, and the build gives them ids of its own."""
    known = [(name, i) for name, i in zip(names, ids, strict=False) if i is not None]
    return tuple(known) if len(known) == len(names) else ()
