"""The share kit: dist/share/<version>/, everything AnkiWeb's Share form and a release page need.

AnkiWeb has no upload API; the author imports the package into Anki desktop, syncs, and
shares the synced deck on AnkiWeb. The kit holds the package (the bytes of dist/<slug>-<version>.apkg),
title.txt, tags.txt, support-url.txt (when configured), listing.md (the description to
paste), release-notes.md and, when the `share` extra is installed, screenshots/ of a real
card. Every file is a function of the sources and the lock, so the kit reproduces.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DeckError, Problem, display_path
from ..project.config import Config, RetireSpec
from ..records import NoteType
from .diff import (
    DeckDiff,
    NoteState,
    Side,
    anki_search,
    diff_sides,
    moved_searches,
    plain,
    side_from_release,
)
from .lock import Lock, Release, notetype_hash
from .rehearsal import Rehearsal
from .rehearsal_report import rehearsal_md
from .sharecheck import (
    PackageFacts,
    description_problems,
    package_problems,
    read_package_facts,
    schema_warning,
    settings_problems,
)

LISTED_CHANGES = 30  # per kind in listing.md; release-notes.md lists every change
SAMPLES = 3


@dataclass(frozen=True)
class Shared:
    """A version about to be (or just) released, as the kit and its checks see it."""

    lock: Lock  # this build's lock: every current note's hash, question and deck
    notetype: NoteType
    card_ids: tuple[str, ...]  # the current notes, in build order
    previous: Release | None  # the last release of another version
    package: Path
    rehearsal: Rehearsal | None = None  # the update replayed with Anki's engine
    retired: tuple[str, ...] = ()  # the card ids of the tombstones it ships
    retire: RetireSpec = field(default_factory=RetireSpec)
    # card id -> the deck of its cards in the previous release (from its package; else the
    # lock's before this build), so that moved notes can be told.
    old_decks: dict[str, str] = field(default_factory=dict)

    @property
    def has_id_field(self) -> bool:
        return "Id" in self.notetype.fields


@dataclass(frozen=True)
class KitReport:
    path: str  # the kit's folder
    files: tuple[str, ...]
    warnings: tuple[str, ...]


def previous_release(lock: Lock, version: str, notetype_id: int) -> Release | None:
    """The last release of another version; a release recorded without its note type's schema
    gets the schema the lock recorded before this build."""
    earlier = [r for r in lock.releases if r.version != version]
    if not earlier:
        return None
    last = earlier[-1]
    recorded = lock.notetypes.get(str(notetype_id))
    if last.schema is None and recorded is not None:
        return dataclasses.replace(last, schema=recorded.schema)
    return last


def changes(shared: Shared, version: str) -> DeckDiff | None:
    """What changed since the previous release, exactly as `diff` computes it."""
    if shared.previous is None:
        return None
    notes = shared.lock.notes
    current = {i: NoteState(i, notes[i].guid, plain(notes[i].question), notes[i].hash,
                            notes[i].deck) for i in shared.card_ids}
    decks = tuple(sorted({notes[i].deck for i in shared.card_ids}))
    # The released schema, not the lock's: the lock records the schema of the last build.
    old = dataclasses.replace(side_from_release(shared.previous, shared.lock),
                              schema=shared.previous.schema)
    old = dataclasses.replace(old, notes={i: dataclasses.replace(
        n, deck=shared.old_decks.get(i, "")) for i, n in old.notes.items()})
    return diff_sides(old, Side(version, current, decks, notetype_hash(shared.notetype),
                           shared.notetype.schema()))


def md(text: str) -> str:
    """Plain text made safe inside a Markdown paragraph or list item."""
    escaped = "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text)
    return " ".join(escaped.split())


def _subdeck(config: Config, deck: str) -> str:
    return deck[len(config.name) + 2:] if deck.startswith(config.name + "::") else deck


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def samples(shared: Shared) -> list[str]:
    """Three questions, one per subdeck in turn, as plain text."""
    by_deck: dict[str, list[str]] = {}
    for card_id in shared.card_ids:
        note = shared.lock.notes[card_id]
        by_deck.setdefault(note.deck, []).append(plain(note.question))
    picked: list[str] = []
    row = 0
    while len(picked) < SAMPLES and any(row < len(qs) for qs in by_deck.values()):
        picked += [qs[row] for _, qs in sorted(by_deck.items()) if row < len(qs)]
        row += 1
    return picked[:SAMPLES]


def _change_lines(d: DeckDiff, limit: int | None) -> list[str]:
    lines = []
    for title, notes in (("New", d.added), ("Updated", d.changed), ("Removed", d.removed)):
        shown = notes if limit is None else notes[:limit]
        lines += [f"- {title}: {md(n.question or n.id)}" for n in shown]
        if len(notes) > len(shown):
            lines.append(f"- … and {len(notes) - len(shown):,} more {title.lower()} "
                         "(see the release notes)")
    return lines


def _summary(d: DeckDiff) -> str:
    return (f"Since version {d.old}: {len(d.added):,} new, {len(d.changed):,} updated, "
            f"{len(d.removed):,} removed.")


def listing_md(config: Config, shared: Shared, facts: PackageFacts) -> str:
    """The AnkiWeb description: coverage, counts, samples, version, changes, updates, licence."""
    share, d = config.share, changes(shared, config.version)
    lines = [config.description.strip(), ""] if config.description.strip() else []
    lines += [f"**Version {config.version}** · {_plural(len(shared.card_ids), 'note')} · "
              f"{_plural(facts.cards, 'card')}", "", "## What's inside", ""]
    lines += [f"- {md(_subdeck(config, deck))}: {_plural(n, 'card')}"
              for deck, n in facts.cards_per_deck]
    lines += ["", "Note types:", ""]
    lines += [f"- {md(name)}: {_plural(n, 'card')}" for name, n in facts.cards_per_notetype]
    lines += ["", "## Sample questions", ""] + [f"- {md(q)}" for q in samples(shared)]
    lines += ["", f"## What's new in {config.version}", ""]
    if d is None:
        lines.append("The first release.")
    else:
        lines += [_summary(d), ""] + (_change_lines(d, LISTED_CHANGES) or ["- No note changed."])
        if d.notetype_changed and not d.schema_changed:
            lines.append("- The card layout (templates or styling) changed.")
    lines += ["", "## Updates", "",
              "Download the deck again (or import a newer package) to update: notes you already "
              "have are updated in place and new ones are added. Your cards keep their review "
              "history and scheduling, and your own edits and tags stay on every note the new "
              "version did not change. Nothing is ever deleted: notes removed from the deck stay "
              "in your collection."]
    if d is not None and d.schema_changed:
        lines += ["", "This version changes the note type's fields or templates: see the release "
                      "notes before updating, or your progress may not carry over."]
    if share.license.strip() or share.attribution.strip():
        lines += ["", "## Licence"]
        lines += [f"\n{x.strip()}" for x in (share.license, share.attribution) if x.strip()]
    return "\n".join(lines).strip() + "\n"


def release_notes_md(config: Config, shared: Shared, facts: PackageFacts,
                     advice: str = "") -> str:
    """The body of a release page: this version's changes, the import steps, removed notes."""
    package = config.package_path.name
    d = changes(shared, config.version)
    lines = [f"# {md(config.name)} {config.version}", "",
             f"{_plural(len(shared.card_ids), 'note')}, {_plural(facts.cards, 'card')}. "
             f"Package: `{package}`.", "", "## Changes", ""]
    if d is None:
        lines.append("The first release.")
    else:
        lines += [_summary(d), ""] + (_change_lines(d, None) or ["- No note changed."])
        lines += [f"- New subdeck: {md(_subdeck(config, x))}" for x in d.decks_added]
        lines += [f"- Subdeck no longer used: {md(_subdeck(config, x))} (cards you have there "
                  "stay where they are)" for x in d.decks_removed]
        if d.notetype_changed and not d.schema_changed:
            lines.append("- The card layout (templates or styling) changed; it updates in place.")
    if advice:
        lines += ["", "## Note type change", "", advice]
    lines += ["", "## Import", "",
              f"1. Download `{package}`.",
              "2. Anki desktop: *File → Import…*, choose the file and import with the default "
              "options. AnkiDroid: *Import*; AnkiMobile: open the file with Anki.",
              "3. Notes you already have are updated in place, new ones are added, and review "
              "history and scheduling are kept. Your own edits and tags stay on the notes this "
              "version did not change.",
              "", "Users of the shared deck on AnkiWeb get the same by downloading it again."]
    if d is not None and d.removed:
        lines += ["", "## Removed notes", "",
                  f"Imports never delete notes: the {_plural(len(d.removed), 'note')} removed in "
                  "this version stay in your collection. "]
        if shared.has_id_field:
            lines[-1] += "To find them, paste this search into the Browse window:"
            lines += ["", "```", anki_search(n.id for n in d.removed), "```"]
        else:
            lines[-1] += "Their questions are listed under Changes."
    if d is not None and d.moved:
        lines += ["", "## Moved notes", "",
                  f"{_plural(len(d.moved), 'note')} moved to another subdeck. Anki never moves "
                  "cards you already have: they stay where they were, and only new cards go to "
                  "the new subdeck. To move them, paste this search into the Browse window, "
                  "select all cards and use *Change Deck*:", "", "```",
                  *moved_searches(d.moved), "```"]
    if shared.retired:
        tag = shared.retire.tag
        lines += ["", "## Retired notes", "",
                  f"{_plural(len(shared.retired), 'note')} removed from the deck "
                  f"{'is' if len(shared.retired) == 1 else 'are'} shipped once more as retired: "
                  f"each gains the tag `{tag}` and a line at the top of the card saying so. "
                  "To suspend or delete them, paste this search into the Browse window:",
                  "", "```", f"tag:{tag}", "```"]
    if shared.rehearsal is not None:
        lines += ["", rehearsal_md(shared.rehearsal).rstrip()]
    return "\n".join(lines).rstrip() + "\n"


def share_problems(config: Config, shared: Shared, facts: PackageFacts) -> list[Problem]:
    """Everything `check --share` reports, given a built package."""
    kit = display_path(kit_dir(config), config.root)
    return sorted(set(settings_problems(config, shared.previous)
                      + package_problems(facts)
                      + schema_warning(config, shared.previous, shared.notetype.schema())
                      + description_problems(listing_md(config, shared, facts),
                                             f"{kit}/listing.md")))


def kit_dir(config: Config) -> Path:
    return config.dist_dir / "share" / config.version


def kit_files(config: Config, shared: Shared, facts: PackageFacts) -> dict[str, bytes]:
    """Every text file of the kit, and the package, by name."""
    advice = next((p.message for p in schema_warning(config, shared.previous,
                                                     shared.notetype.schema())), "")
    files: dict[str, str | bytes] = {
        config.package_path.name: shared.package.read_bytes(),
        "title.txt": config.share.title,
        "tags.txt": " ".join(config.share.tags),
        "listing.md": listing_md(config, shared, facts),
        "release-notes.md": release_notes_md(config, shared, facts, advice),
    }
    if config.share.support_url:
        files["support-url.txt"] = config.share.support_url
    return {name: value if isinstance(value, bytes) else
            (value if value.endswith("\n") else value + "\n").encode("utf-8")
            for name, value in files.items()}


def write_kit(config: Config, shared: Shared, strict: bool = False) -> KitReport:
    """Check, then replace dist/share/<version>/ with a fresh kit; raise on a share error."""
    from .screenshots import missing_requirements, take_screenshots

    facts = read_package_facts(shared.package, display_path(config.package_path, config.root))
    problems = share_problems(config, shared, facts)
    missing = missing_requirements(config)
    if missing:
        problems.append(screenshots_skipped(config, missing))
    errors = [p for p in problems if p.is_error or strict]
    if errors:
        raise DeckError(errors)
    files = kit_files(config, shared, facts)
    target = kit_dir(config)
    if not missing:
        shots = take_screenshots(config, shared.package, target / "screenshots")
        files.update({f"screenshots/{name}": data for name, data in shots.items()})
    _replace_folder(target, files)
    return KitReport(str(target), tuple(sorted(files)), tuple(str(p) for p in problems))


def screenshots_skipped(config: Config, missing: list[str]) -> Problem:
    return Problem(display_path(kit_dir(config), config.root) + "/screenshots", 0,
                   "screenshots are skipped: " + "; ".join(missing), "warning")


def _replace_folder(target: Path, files: dict[str, bytes]) -> None:
    """Write every file into a staging folder, then swap it in: no half-written kit."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kit-", dir=target.parent))
    staging.chmod(0o755)
    try:
        for name, data in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        # The old kit is set aside (a name the next build's clean-up knows) before the new
        # one takes its place, so a kill leaves either kit whole, never a half-deleted one.
        aside = target.with_name(f".kit-old-{staging.name[len('.kit-'):]}")
        if target.exists():
            target.rename(aside)
        staging.rename(target)
        shutil.rmtree(aside, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
