"""A deck's identity: its name and id, its note-type ids and its GUID namespace.

Each of them is how Anki recognises what a user already has. The lock records them, and
a build refuses to change one without --allow-identity-change, saying what importing
users would get (measured with the Anki engine: tests/test_identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import Problem
from .config import Config

ALLOW_FLAG = "--allow-identity-change"


@dataclass(frozen=True)
class Identity:
    """The recorded identity; None where a lock written before these records has none."""

    deck_name: str | None = None
    deck_id: int | None = None
    notetype_ids: tuple[int, ...] | None = None
    guid_namespace: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = {"deck_name": self.deck_name, "deck_id": self.deck_id,
                "notetype_ids": None if self.notetype_ids is None else list(self.notetype_ids),
                "guid_namespace": self.guid_namespace}
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Identity:
        ids = data.get("notetype_ids")
        return cls(
            deck_name=None if data.get("deck_name") is None else str(data["deck_name"]),
            deck_id=None if data.get("deck_id") is None else int(data["deck_id"]),
            notetype_ids=None if ids is None else tuple(int(i) for i in ids),
            guid_namespace=None if data.get("guid_namespace") is None
            else str(data["guid_namespace"]),
        )


def identity_of(config: Config) -> Identity:
    """The identity a build from this configuration gives its package."""
    return Identity(config.name, config.deck_id,
                    (config.notetype.id, *(spec.id for spec in config.own_types)),
                    config.guid_namespace)


@dataclass(frozen=True)
class IdentityKey:
    """One part of the identity: where it is set, and what changing it does to users."""

    attribute: str
    label: str
    setting: str
    consequence: str


KEYS = (
    IdentityKey(
        "deck_name", "the deck name", "tool.deckbuild.name",
        "Anki matches decks by their full name, so importing users get a new deck (with new "
        "subdecks) beside the old one: the cards they already have stay in the old deck, "
        "their notes are still updated in place, and only new cards go to the new deck. A "
        "deck shared on AnkiWeb stops receiving share updates."),
    IdentityKey(
        "deck_id", "the deck id", "tool.deckbuild.deck_id",
        "Anki matches decks by their full name and gives them its own ids, so importing "
        "users see no difference; but a changed deck id usually means pyproject.toml came "
        "from another deck, whose note type and GUID namespace may be shared too."),
    IdentityKey(
        "notetype_ids", "the note type id", "tool.deckbuild.notetype.id",
        "Importing users get a copy of the note type named '<name>+', and every note they "
        "already have conflicts with it: none of them receives updates again."),
    IdentityKey(
        "guid_namespace", "the GUID namespace", "tool.deckbuild.guid_namespace",
        "Every note's GUID changes, so every importing user gets every note a second time, "
        "as a new note without review history, beside the one they have."),
)


def _changed(key: IdentityKey, recorded: Identity, current: Identity) -> bool:
    old, new = getattr(recorded, key.attribute), getattr(current, key.attribute)
    if old is None:
        return False  # not recorded yet: adopted without complaint
    if key.attribute == "notetype_ids":
        return not set(old) <= set(new)  # a note type added is not a change of identity
    return bool(old != new)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return repr(value) if isinstance(value, str) else str(value)


def identity_problems(recorded: Identity | None, current: Identity, lock_shown: str,
                      ) -> list[Problem]:
    """One problem per part of the recorded identity that this build would change."""
    if recorded is None:
        return []
    return [
        Problem("pyproject.toml", 0,
                f"{key.label} changed from {_shown(getattr(recorded, key.attribute))} to "
                f"{_shown(getattr(current, key.attribute))} ({key.setting}; {lock_shown} "
                f"records the old value). {key.consequence} Restore the old value, or rebuild "
                f"with {ALLOW_FLAG} to accept the change and record the new one")
        for key in KEYS if _changed(key, recorded, current)
    ]


# This repository's own deck. Its ids in another deck mix both decks in users' collections.
EXAMPLE = Identity("Transfer Learning Interview Questions", 1764145200001, (1764145200000,),
                   "transfer-learning-interview-questions")
_SHARED = {
    "deck_id": "the same deck id (harmless in Anki, which matches decks by name, but a sign "
               "of a copied configuration)",
    "notetype_ids": "the same note type id (one note type holds both decks' notes, with the "
                    "name, templates and CSS of the deck imported last)",
    "guid_namespace": "the same GUID namespace (a card id used in both decks is one note, "
                      "whose fields the deck imported last overwrites)",
}


def example_ids_problem(current: Identity) -> Problem | None:
    """Refuse the example deck's ids under another deck's name (a copied pyproject.toml)."""
    if current.deck_name == EXAMPLE.deck_name:
        return None
    shared = [key for key in KEYS if key.attribute in _SHARED
              and set(_as_tuple(getattr(current, key.attribute)))
              & set(_as_tuple(getattr(EXAMPLE, key.attribute)))]
    if not shared:
        return None
    settings = ", ".join(key.setting for key in shared)
    effects = "; ".join(_SHARED[key.attribute] for key in shared)
    return Problem(
        "pyproject.toml", 0,
        f"{settings} {'is' if len(shared) == 1 else 'are'} those of the example deck "
        f"{EXAMPLE.deck_name!r}, but this deck is {current.deck_name!r}. A collection that has "
        f"both would get {effects}. Run `deckbuild init --new-ids` for fresh ids, or change "
        f"{settings} yourself")


def _as_tuple(value: object) -> tuple[object, ...]:
    return value if isinstance(value, tuple) else (value,)
