"""Frozen records passed between the build stages. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Card:
    """One question and answer as written in a source file (Markdown, no HTML yet)."""

    id: str | None
    question: str
    answer: str
    extra: str
    source: str
    tags: tuple[str, ...]
    section: str
    path: str  # as shown to the user, relative to the project
    line: int  # line of the card's `## ` heading
    id_line: int = 0  # line of the id comment, 0 when the card has none
    answer_line: int = 0  # first line of the answer body
    extra_line: int = 0  # first line of the extra text, 0 when the card has none
    source_line: int = 0  # line of the '<!-- source: -->' comment, 0 when the card has none
    notetype: str = "basic"  # the built-in note type's name (notetypes.REGISTRY)
    # The rest of the front below the heading (code, options), up to `<!-- answer -->`.
    front: str = ""
    front_line: int = 0
    # The GUID the card states ('<!-- guid: -->'), for a note adopted from an existing
    # deck; None: made from the deck's namespace and the card's id (source/ids.py).
    guid: str | None = None
    # Fields named by '<!-- field: Name -->' markers: (name, Markdown, first line).
    named: tuple[tuple[str, str, int], ...] = ()
    # For a note type of the project's own ([[tool.deckbuild.notetypes]]): its fields in
    # order (the heading fills the first, the body the second, markers the others) and
    # whether it is a cloze type. Empty for the built-in types.
    layout: tuple[str, ...] = ()
    cloze: bool = False


@dataclass(frozen=True)
class CardRef:
    """What the deck-wide checks need of a card, without its text."""

    id: str | None
    question: str
    path: str
    line: int
    id_line: int
    front: str = ""

    @classmethod
    def of(cls, card: Card) -> CardRef:
        return cls(card.id, card.question, card.path, card.line, card.id_line, card.front)


@dataclass(frozen=True)
class SourceFile:
    """A parsed cards/*.md file."""

    path: str
    section: str
    tags: tuple[str, ...]
    cards: tuple[Card, ...]


@dataclass(frozen=True)
class RenderedNote:
    """A card rendered to the HTML fields Anki stores, plus where it goes."""

    card_id: str
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    media: tuple[str, ...]  # packaged media names the fields reference
    path: str
    line: int
    # lock.note_hash of this note when already known (a cached note carries it).
    digest: str = field(default="", compare=False, repr=False)
    notetype: str = "basic"  # the built-in note type's name (notetypes.REGISTRY)


@dataclass(frozen=True)
class CardTemplate:
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteType:
    """A note type as Anki stores it; its schema is fields, templates, sort field, kind."""

    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[CardTemplate, ...]
    css: str
    sort_field: int = 0
    kind: str = "standard"  # "standard" or "cloze"
    # Anki's originalStockKind (1 Basic ... 6 Image Occlusion; 0 none): an adopted stock
    # type keeps it, or users' Anki would lose what depends on it (Image Occlusion's editor).
    stock: int = 0

    def schema(self) -> dict[str, object]:
        """What Anki compares to decide whether an update is in place or a copy."""
        return {
            "fields": list(self.fields),
            "templates": [t.name for t in self.templates],
            "sort_field": self.fields[self.sort_field],
            "kind": self.kind,
        }


@dataclass(frozen=True)
class DeckInfo:
    id: int
    name: str
    description: str


@dataclass(frozen=True)
class MediaFile:
    """A file from media/ as packaged: its readable, content-hashed name."""

    source: str  # path relative to the project
    name: str  # name inside the package
    data_path: str  # absolute path to read the bytes from


@dataclass(frozen=True)
class PackageSpec:
    """What the package holds besides its notes (those are streamed in before)."""

    notetype: NoteType
    notetype_mod: int
    decks: tuple[DeckInfo, ...]
    media: tuple[MediaFile, ...]
    timestamp: int
    # The other built-in note types the notes use: (type name, mod).
    others: tuple[tuple[str, int], ...] = ()
    # The note types' stable ids: (note type id, field ids, template ids, originalStockKind
    # or 0); () for a package without them (a version released before they were written).
    ids: tuple[tuple[int, tuple[int, ...], tuple[int, ...], int], ...] = ()


@dataclass(frozen=True)
class BuildReport:
    path: str
    notes: int
    cards: int
    media: int
    seconds: float
    warnings: tuple[str, ...] = field(default=())
    changed: int = 0  # notes whose content is new or changed since the lock
    written: bool = True  # False when the package in dist/ was left as it was
    up_to_date: bool = False  # True when nothing changed since the build that wrote it
    advice: tuple[str, ...] = field(default=())  # migration notes after a schema change
    kit: str = ""  # the share kit's folder, after a release
    canonical: bool = True  # False: the package was patched (same content, other bytes)
