"""`deckbuild release`: build the version, write its share kit, record it in the lock."""

from __future__ import annotations

import os

import click

from .common import (
    build_time,
    config_of,
    echo_report,
    identity_option,
    locked,
    no_cache_option,
    project_option,
    schema_option,
    strict_option,
    timestamp_option,
)
from .doclinks import docs_link
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="releasing.md#releases",
    short_help="Build this version, write its share kit and mark it released.",
    groups=[("Checks", ["strict"]), ("Output", ["timestamp"]),
            ("Guards", ["allow_schema_change", "allow_identity_change"]),
            ("Rehearsal", ["rehearse", "allow_conflicts"]), ("Speed", ["no_cache"])],
    examples=[("deckbuild release", "release the version in pyproject.toml; commit the lock after"),
              ("deckbuild release --strict", "stop on any warning too")])
@project_option
@timestamp_option
@strict_option
@schema_option
@no_cache_option
@identity_option
@click.option("--allow-conflicts", is_flag=True,
              help="Release even if the rehearsal finds notes Anki would not update under its "
                   "default import options.")
@click.option("--rehearse/--no-rehearse", default=True, show_default=True,
              help="Replay the update from the previous release with Anki's engine (needs the "
                   "`anki` package).")
@click.pass_context
def release(ctx: click.Context, timestamp: int | None, strict: bool,
            allow_schema_change: bool, allow_identity_change: bool,
            no_cache: bool = False, allow_conflicts: bool = False,
            rehearse: bool = True) -> None:
    """Build the current version, write dist/share/<version>/ and mark it released in the lock.

    Runs `check --share` first, then rehearses the update from the previous release with
    Anki's own engine (docs/releasing.md). A released version's content is frozen: later
    changes need a version bump, and its package in dist/ is never overwritten. Commit the
    lock file afterwards.
    """
    from ..pipeline import RenderOptions
    from ..pipeline import release as run_release

    config = config_of(ctx)
    with locked(config):
        report = run_release(config, now=build_time(timestamp), strict=strict,
                             allow_schema_change=allow_schema_change,
                             render=RenderOptions(cache=not no_cache),
                             allow_identity_change=allow_identity_change, rehearse=rehearse,
                             allow_conflicts=allow_conflicts)
    echo_report(report, "Built")
    click.echo(f"Wrote the share kit {os.path.relpath(report.kit)}/ "
               f"(see {docs_link('sharing.md#in-anki-desktop')}).")
    click.echo(f"Released version {config.version}; commit {os.path.relpath(config.lock_path)}.")
