"""`import` in a project: read the given files, plan the card files, write them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import DeckError, Problem, display_path
from ..project.config import Config
from ..project.sources import load_sources
from ..source.parse import decode_source
from .convert import ImportResult, import_sources
from .images import Fetch, MediaPlan, bring_images, fetch_url
from .matching import Previous


@dataclass(frozen=True)
class ImportPlan:
    result: ImportResult
    targets: tuple[tuple[Path, str], ...]  # (path, text) of each card file to write
    replaced: tuple[Path, ...]  # files that exist and would be overwritten
    media: tuple[tuple[Path, bytes], ...] = ()  # images brought into media/


def plan_import(config: Config, files: Sequence[Path], layout: str | None = None,
                force: bool = False, question_level: int | None = None,
                fetch: Fetch | None = fetch_url) -> ImportPlan:
    """Import the files; errors for unreadable files, clashes, and files that exist (unless force).

    `layout` must be a registered layout's name (KeyError otherwise).
    """
    sources, problems = [], []
    seen: set[Path] = set()
    for path in files:
        if path.resolve() in seen:
            problems.append(Problem(str(path), 0, "given twice"))
            continue
        seen.add(path.resolve())
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Problem(str(path), 0, f"cannot read it: {exc.strerror or exc}"))
            continue
        text, found = decode_source(data, str(path))
        problems += found
        sources.append((str(path), path.stem, text))
    if problems:
        raise DeckError(problems)
    existing = _cards_by_file(config)
    result = import_sources(sources, {c.id for cards in existing.values() for c in cards}, layout,
                            question_level=question_level)
    targets = _targets(config, result)
    replaced = tuple(path for path, _ in targets if path.exists())
    if replaced and force:
        # A replaced file's ids are free again: each card found again by its question and
        # answer keeps its id, wherever it moved to.
        kept = {c.id for path, cards in existing.items() if path not in replaced for c in cards}
        previous = [c for path in replaced for c in existing.get(path, [])]
        result = import_sources(sources, kept, layout, previous, question_level)
    problems = list(result.problems) + _clashes(config, result)
    if replaced and not force:
        problems += [Problem(display_path(path, config.root), 0, "already exists; import never "
                             "overwrites a card file (give --force to replace it)")
                     for path in replaced]
    if problems:
        raise DeckError(problems)
    # Only for a plan that holds: images are copied and downloaded once it is known good.
    result, media = _bring_images(config, result, {p: t for p, _, t in sources}, fetch)
    return ImportPlan(result, _targets(config, result), replaced, media)


def _bring_images(config: Config, result: ImportResult, texts: dict[str, str],
                  fetch: Fetch | None) -> tuple[ImportResult, tuple[tuple[Path, bytes], ...]]:
    """Each card file with its images in media/ (images.py); what could not be had is
    linked instead and listed with the image's line."""
    link = Path(os.path.relpath(config.media_dir, config.cards_dir)).as_posix() + "/"
    plan = MediaPlan(config.media_dir, link, fetch)
    files = []
    for imported in result.files:
        outputs, found = [], []
        for out in imported.outputs:
            text, problems = bring_images(out.text, Path(imported.path), plan,
                                          texts.get(imported.path, ""), imported.path)
            outputs.append(replace(out, text=text))
            found += problems
        # The images are dealt with here: the plain import's image notes no longer hold.
        kept = [w for w in imported.warnings if not w.message.startswith("image '")]
        files.append(replace(imported, outputs=tuple(outputs),
                             warnings=tuple(sorted(kept + found))))
    media = tuple((config.media_dir / name, data) for name, data in sorted(plan.files.items()))
    return ImportResult(tuple(files)), media


def write_import(plan: ImportPlan) -> None:
    """Write every planned card file (only after the whole plan is known to be good).

    A card file that appeared since the plan was made is left as it is, and is an error.
    """
    for path, data in plan.media:
        if path.is_file() and path.read_bytes() == data:
            continue  # the same image, from an earlier import
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:  # a name taken by other bytes was never chosen
            out.write(data)
    for path, text in plan.targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("wb" if path in plan.replaced else "xb") as out:
                out.write(text.encode("utf-8"))
        except FileExistsError:
            raise DeckError(Problem(str(path), 0, "appeared while importing; left as it is "
                                    "(import again to see what is there)")) from None


def _cards_by_file(config: Config) -> dict[Path, list[Previous]]:
    """The project's cards with ids, per file (parse problems are check's business)."""
    files, _ = load_sources(config) if config.cards_dir.is_dir() else ([], [])
    return {config.root / source.path: [Previous(c.id, c.question, c.answer, source.path, c.line)
                                        for c in source.cards if c.id] for source in files}


def _targets(config: Config, result: ImportResult) -> tuple[tuple[Path, str], ...]:
    return tuple((config.cards_dir / out.name, out.text) for f in result.files for out in f.outputs)


def _clashes(config: Config, result: ImportResult) -> list[Problem]:
    """Two source files that would write the same card file (same name in two folders)."""
    seen: dict[Path, str] = {}
    problems = []
    for imported in result.files:
        for out in imported.outputs:
            path = config.cards_dir / out.name
            if path in seen and seen[path] != imported.path:
                problems.append(Problem(imported.path, 0, f"would write {display_path(path, config.root)}"
                                        f", as {seen[path]} does: rename one of the two files"))
            seen.setdefault(path, imported.path)
    return problems
