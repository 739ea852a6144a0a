"""What a build must refuse: changing a released version, or the note type's schema."""

from __future__ import annotations

from ..errors import DeckError, Problem, count
from ..project.config import Config
from ..records import RenderedNote
from .lock import Release


def guard_released(released: Release, current: dict[str, str], notetype_hash: str,
                   config: Config, identity_changed: bool = False,
                   types: dict[str, str] | None = None) -> None:
    """A released version's content and identity are frozen: a change needs a new version.
    `types` are the hashes of the other built-in note types the notes use."""
    types_changed = (types or {}) != released.types
    if current != released.notes or notetype_hash != released.notetype_hash or identity_changed \
            or types_changed:
        changed = sorted(k for k in current.keys() | released.notes.keys()
                         if current.get(k) != released.notes.get(k))
        differ = "differs" if len(changed) == 1 else "differ"
        detail = f" ({count(len(changed), 'note')} {differ}, e.g. {changed[0]!r})" if changed else \
            " (the note type differs)" if notetype_hash != released.notetype_hash or \
            types_changed else \
            " (the deck's identity differs)"
        raise DeckError(Problem("pyproject.toml", 0,
                                f"version {config.version} is already released and the content "
                                f"changed{detail}; bump [tool.deckbuild] version"))


def schema_problem(change: dict[str, object], lock_shown: str) -> Problem:
    old, new = change["old"], change["new"]
    return Problem(lock_shown, 0,
                   f"the note type's schema changed ({describe_schema_change(old, new)}). Users "
                   "who import this get a copy of the note type named '<name>+', and every "
                   "existing note stops receiving updates. Revert the change, or rebuild with "
                   "--allow-schema-change to accept it and record the new schema")


def describe_schema_change(old: object, new: object) -> str:
    assert isinstance(old, dict) and isinstance(new, dict)
    parts = [f"{key}: {old.get(key)!r} -> {new.get(key)!r}"
             for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]
    return "; ".join(parts)


def migration_advice(change: dict[str, object], name: str) -> tuple[str, ...]:
    return (
        f"The note type's schema changed: {describe_schema_change(change['old'], change['new'])}.",
        "For the release notes: import this version with 'Merge note types' ticked and "
        "'Update notes' set to 'Always' (Anki 23.10 or later). Anki then converts the existing "
        "notes to the new note type and updates them, keeping review history, but it "
        "overwrites users' own edits to these notes and needs a one-way full sync. With the "
        f"default options Anki adds a copy '{name}+' and existing notes get no updates.",
    )


def type_change_problems(changes: tuple[tuple[RenderedNote, str], ...]) -> list[Problem]:
    """A published card moved to another note type: Anki would report a conflict, not update."""
    return [Problem(note.path, note.line,
                    f"card {note.card_id!r} changed its note type from {old!r} to "
                    f"{note.notetype!r}: Anki would not update it (users keep the old note). "
                    "Give the card a new id to publish it as a new note, or change its type "
                    "back (--allow-schema-change builds it anyway)")
            for note, old in changes]


GROWN = "The note type grew"  # the first line of growth_advice()


def growth_advice(change: dict[str, object], name: str) -> tuple[str, ...]:
    """For the release notes of a note type that grew: what to tick, and what happens if not."""
    from .contract import describe_growth

    old, new = change["old"], change["new"]
    assert isinstance(old, dict) and isinstance(new, dict)
    return (f"{GROWN}: {'; '.join(describe_growth(old, new))}.", growth_text(name))


def growth_text(name: str) -> str:
    return ("For the release notes: in Anki 23.10 or later, import this version with 'Merge "
            "note types' ticked. Anki adds the new fields and templates to your note type in "
            "place, renamed fields keep their content, and every card keeps its review "
            "history. Set 'Update notes' to 'Always' as well to get this version's text "
            "changes at once (it replaces your own edits to these notes); with 'If newer' "
            "they arrive with the next update. Without merging, Anki adds a copy "
            f"'{name}+' and your existing notes get no updates.")
