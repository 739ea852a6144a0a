"""Reading the project's inputs: card files and media, with their problems."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem, display_path
from ..records import Card, CardRef, MediaFile, SourceFile
from ..source.parse import decode_source, parse_source
from .config import Config

MAX_MEDIA_BYTES = 100 * 1024 * 1024
_ANKI_STRIPPED = re.compile(r'[\[\]<>:"/?*^\\|\x00-\x1f]')


def card_paths(config: Config) -> tuple[list[Path], list[Problem]]:
    """Sorted card files; links that leave the project are refused."""
    if not config.cards_dir.is_dir():
        return [], [Problem(display_path(config.cards_dir, config.root), 0, "no cards folder")]
    paths, problems = [], []
    for path in sorted(config.cards_dir.rglob("*.md")):
        problem = _outside_project(path, config)
        if problem:
            problems.append(problem)
        elif path.is_file():
            paths.append(path)
    return paths, problems


def _outside_project(path: Path, config: Config) -> Problem | None:
    try:
        path.resolve().relative_to(config.root)
    except ValueError:
        return Problem(display_path(path, config.root), 0,
                       "symbolic link to a file outside the project is refused")
    return None


def load_sources(config: Config) -> tuple[list[SourceFile], list[Problem]]:
    """Parse every card file; all problems from all files are returned together."""
    paths, problems = card_paths(config)
    files = []
    for path in paths:
        shown = display_path(path, config.root)
        text, decode_problems = decode_source(path.read_bytes(), shown)
        problems += decode_problems
        if decode_problems:
            continue
        source, found = parse_source(text, shown, [spec.key for spec in config.own_types])
        files.append(source)
        problems += found
    if not files and not problems:
        problems.append(no_cards(config))
    return files, problems


def no_cards(config: Config) -> Problem:
    return Problem(display_path(config.cards_dir, config.root), 0,
                   "no cards: the folder has no .md files")


def check_ids(cards: Iterable[Card | CardRef], command: str = "deckbuild") -> list[Problem]:
    """Every card needs an id, and no two cards may share one (they would be one note).

    `command` is how the user runs deckbuild, for the hint."""
    problems = []
    seen: dict[str, str] = {}
    for card in cards:
        if card.id is None:
            problems.append(Problem(card.path, card.line, f"card has no id: {card.question!r}"
                                    f" (run '{command} ids' to add one)"))
        elif card.id in seen:
            problems.append(Problem(card.path, card.id_line,
                                    f"duplicate id {card.id!r} (first used at {seen[card.id]})"))
        else:
            seen[card.id] = f"{card.path}:{card.id_line}"
    return problems


def media_name(path: Path, data_hash: str) -> str:
    """A packaged name that keeps a readable stem and changes when the content does."""
    stem = unicodedata.normalize("NFC", path.stem)
    stem = _ANKI_STRIPPED.sub("", stem).strip(" .") or "media"
    stem = re.sub(r"\s+", "-", stem)
    suffix = _ANKI_STRIPPED.sub("", path.suffix.lower())
    tail = f"-{data_hash[:8]}{suffix}"
    encoded = stem.encode("utf-8")[: 120 - len(tail.encode("utf-8"))]
    return encoded.decode("utf-8", "ignore") + tail


def load_media(config: Config) -> tuple[list[MediaFile], list[Problem]]:
    """Every file under media/, hashed and named; problems for what Anki cannot take."""
    if not config.media_dir.is_dir():
        return [], []
    files, problems = [], []
    seen_lower: dict[str, str] = {}
    for path in sorted(p for p in config.media_dir.rglob("*") if not p.is_dir()):
        shown = display_path(path, config.root)
        if path.name.startswith(".") or path.name == "README.md":
            continue
        problem = _outside_project(path, config)
        if problem:
            problems.append(problem)
            continue
        if os.path.getsize(path) >= MAX_MEDIA_BYTES:
            problems.append(Problem(shown, 0, "media file is 100 MiB or larger; Anki refuses it"))
            continue
        key = shown.lower()
        if key in seen_lower:
            problems.append(Problem(shown, 0, f"differs from {seen_lower[key]} only by case"))
            continue
        seen_lower[key] = shown
        digest = file_digest(path, "sha1")
        files.append(MediaFile(shown, media_name(path, digest), str(path.resolve())))
    return files, problems


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks (media files may be large)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
