"""`deckbuild diff`: what changed since the last release, or between two packages."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import click

from ..errors import DeckError, Problem, display_path
from .common import command_name, config_of, project_option
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="releasing.md#what-changed-diff",
    short_help="Show what changed since the last release, and what users will get.",
    groups=[("Rehearsal", ["rehearse"])],
    examples=[("deckbuild diff", "the sources against the last release"),
              ("deckbuild diff dist/deck-1.0.0.apkg dist/deck-1.1.0.apkg", "two packages")])
@project_option
@click.argument("packages", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rehearse", is_flag=True,
              help="Replay the update with Anki's engine and print what users get, note by note.")
@click.pass_context
def diff(ctx: click.Context, packages: tuple[Path, ...], rehearse: bool = False) -> None:
    """Show what changed: the sources against the last release, or OLD.apkg against NEW.apkg."""
    from ..pipeline import check, released_decks
    from ..release.diff import diff_sides, format_diff, side_from_build, side_from_package, side_from_release
    from ..release.lock import read_lock

    if len(packages) not in (0, 2):
        raise click.UsageError("give no package (diff against the last release) or two")
    if rehearse:
        from ..pipeline import rehearse_update
        from ..release.rehearsal_report import format_rehearsal

        config = None if packages else config_of(ctx)
        for line in format_rehearsal(rehearse_update(config, *packages)):
            click.echo(line)
        return
    if packages:
        old, new = side_from_package(packages[0]), side_from_package(packages[1])
    else:
        config = config_of(ctx)
        lock = read_lock(config.lock_path, os.path.relpath(config.lock_path))
        previous = [r for r in lock.releases if r.version != config.version] or list(lock.releases)
        if not previous:
            raise DeckError(Problem(display_path(config.lock_path, config.root), 0,
                                    "no release recorded in the lock file yet: run "
                                    f"'{command_name(ctx)} release'"))
        checked = check(config)
        if checked.errors:
            raise DeckError(checked.errors)
        old = side_from_release(previous[-1], lock)
        placed = released_decks(config)  # where the release put each note's cards
        old = replace(old, notes={i: replace(n, deck=placed.get(i, n.deck))
                                  for i, n in old.notes.items()})
        decks = tuple(sorted({n.deck for n in checked.notes}))
        new = side_from_build(f"{config.version} (sources)", checked.notes, checked.notetype, decks,
                              checked.others)
    for line in format_diff(diff_sides(old, new)):
        click.echo(line)
