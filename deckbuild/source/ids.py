"""The only place ids are made: GUIDs, note/card/deck ids, and new card ids."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable

# Ids Anki stores are signed 64-bit, and JavaScript in the reviewer reads them as
# doubles: keep them below 2**53 and well above real millisecond timestamps' range
# of collisions with ids Anki makes itself (those are near 1.7e12).
_ID_BASE = 1 << 50
_ID_SPAN = 1 << 52


# A new deck's own ids are drawn at random from the range of Anki's millisecond
# timestamps (years 2004 to 2039), where Anki's own deck and note type ids live:
# two decks made anywhere never share one, whatever their names.
_RANDOM_BASE = 1 << 40
_RANDOM_SPAN = 1 << 40


def random_id() -> int:
    """A fresh deck or note type id, unpredictable and unique in practice."""
    return _RANDOM_BASE + secrets.randbelow(_RANDOM_SPAN)


def random_namespace(name: str) -> str:
    """A fresh GUID namespace: readable from the deck's name, unique from a random token."""
    return f"{slugify(name, 40)}-{secrets.token_hex(8)}"


def guid_for(namespace: str, card_id: str) -> str:
    """A note's GUID: from the deck's namespace and the card's written id, nothing else."""
    import genanki  # here: a build from the cache does not need it (35 ms to import)

    return genanki.guid_for(namespace, card_id)


def note_guid(namespace: str, card_id: str, stated: str | None = None,
              known: str | None = None) -> str:
    """The GUID a card's note gets: the one the card states (a note adopted from an
    existing deck keeps the GUID users have), else one made before (`known`), else
    guid_for(namespace, card_id)."""
    return stated or known or guid_for(namespace, card_id)


# What a '<!-- guid: -->' value may hold as it is: Anki's GUIDs are printable ASCII;
# '%', '>' (so that no GUID ends the comment early) and anything else are %XX-escaped.
_GUID_SAFE = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"%", ">"}


def encode_guid(guid: str) -> str:
    """A GUID as written in a card file (decode_guid reads it back)."""
    return "".join(ch if ch in _GUID_SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8"))
                   for ch in guid)


def decode_guid(text: str) -> str:
    """The GUID a '<!-- guid: -->' value states."""
    from urllib.parse import unquote

    return unquote(text, errors="strict")


def _stable_int(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return _ID_BASE + int.from_bytes(digest[:8], "big") % _ID_SPAN


def note_id_for(guid: str) -> int:
    """Note id inside the package (Anki remaps it; derived so builds are reproducible)."""
    return _stable_int("note", guid)


def card_id_for(note_id: int, ordinal: int) -> int:
    """Card ids only need to be unique among cards: the note's id plus the template's place."""
    return note_id + ordinal


def notetype_id_for(base_id: int, key: str) -> int:
    """A built-in note type's id beside the project's own (basic keeps that one itself).

    Derived from the project's note type id and the type's name: fixed for the deck, and
    distinct for every type, so each keeps its notes and review history across versions."""
    return base_id if key == "basic" else _stable_int("notetype", str(base_id), key)


def subdeck_id_for(root_id: int, name: str) -> int:
    """Subdecks match by name on import; their id only needs to be stable."""
    return _stable_int("deck", str(root_id), name)


def deck_id_for(root_id: int, root_name: str, name: str) -> int:
    """The id of the deck `name`: the root deck's own, or a subdeck's."""
    return root_id if name == root_name else subdeck_id_for(root_id, name)


# A card id: lowercase letters of any script (with their combining marks, as Devanagari
# writes vowels), digits, '-' and '_', starting with a letter or digit and ending with one or
# a mark. The one place the rule lives; `parse` refuses ids it does not allow.
_WIDE = 0x2E80  # CJK and beyond: a character reads as much as two Latin ones


def _letter(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def is_valid_id(text: str) -> bool:
    """A card id as `parse` accepts it (and Anki's `Id:` search finds it)."""
    return bool(text) and text[0].isalnum() and _letter(text[-1]) \
        and all(_letter(char) or char in "-_" for char in text) and text == text.lower()


def _folded(char: str) -> str:
    """A Latin letter without its accents (`é` -> `e`); any other character as it is."""
    base = unicodedata.normalize("NFKD", char)
    return base[0] if base[:1].isascii() and base[:1].isalnum() else char


def _width(text: str) -> int:
    return sum(2 if ord(char) >= _WIDE else 1 for char in text)


def _words(text: str) -> list[str]:
    """Runs of letters, digits and combining marks (a mark never starts a word)."""
    words, current = [], ""
    for char in text:
        if char.isalnum() or (current and _letter(char)):
            current += char
        elif current:
            words.append(current)
            current = ""
    return [*words, current] if current else words


def slug(text: str, limit: int = 60) -> str:
    """A readable id from a question, in its own script: lowercase words joined by hyphens,
    cut at a word (a word longer than the limit, as a sentence of Chinese is, is cut); '' when
    the text holds no letter or digit."""
    text = re.sub(r"\$[^$]*\$|`[^`]*`", " ", unicodedata.normalize("NFKC", text))
    folded = "".join(_folded(char) for char in text).lower()
    words = _words(folded)
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if _width(candidate) > limit and out:
            break
        out = candidate
        while _width(out) > limit:
            out = out[:-1]
    return out if is_valid_id(out) else ""


def slugify(text: str, limit: int = 60) -> str:
    """slug(text), or 'card' when the text gives none."""
    return slug(text, limit) or "card"


def content_hash(*parts: str, size: int = 8) -> str:
    """A short hex digest of the parts: what an id falls back to, the same on every run."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:size]


def content_id(question: str, answer: str, taken: Iterable[str]) -> str:
    """An id from the card's own text, never from its place in a file: the question's slug;
    when that is empty or taken, the slug (or `q`) with a short hash of question and answer.
    Only identical cards need the hash to be salted, and which of them gets which id is moot."""
    used = set(taken)
    base = slug(question)
    if base and base not in used:
        return base
    salt = 0
    while True:
        digest = content_hash(question, answer, *([str(salt)] if salt else []))
        candidate = f"{base or 'q'}-{digest}"
        if candidate not in used:
            return candidate
        salt += 1


def unique_slug(text: str, taken: Iterable[str]) -> str:
    """slugify(text), with -2, -3 ... appended until it is not in `taken`."""
    used = set(taken)
    base = slugify(text)
    found, n = base, 2
    while found in used:
        found, n = f"{base}-{n}", n + 1
    return found
