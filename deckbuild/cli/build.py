"""`deckbuild build`: check, then write dist/<slug>-<version>.apkg."""

from __future__ import annotations

import click

from .common import (
    RenderProgress,
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
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="building.md",
    short_help="Check everything, then write dist/<deck>-<version>.apkg.",
    groups=[("Checks", ["strict"]), ("Output", ["timestamp"]),
            ("Guards", ["allow_schema_change", "allow_identity_change"]),
            ("Speed", ["jobs", "no_cache"])],
    examples=[("deckbuild build", "build the project in the current folder"),
              ("deckbuild build --strict --project my-deck", "build my-deck/, warnings stop it")])
@project_option
@timestamp_option
@strict_option
@schema_option
@identity_option
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for rendering many uncached cards (0: one per CPU; "
                   "1: none, the whole build runs in one process).")
@no_cache_option
@click.pass_context
def build(ctx: click.Context, timestamp: int | None = None, strict: bool = False,
          allow_schema_change: bool = False, allow_identity_change: bool = False, jobs: int = 0,
          no_cache: bool = False) -> None:
    """Build dist/<deck>-<version>.apkg from cards/, media/ and templates/."""
    from ..pipeline import RenderOptions
    from ..pipeline import build as run_build

    options = RenderOptions(jobs=jobs, cache=not no_cache, progress=RenderProgress())
    config = config_of(ctx)
    with locked(config):
        report = run_build(config, now=build_time(timestamp), strict=strict,
                           allow_schema_change=allow_schema_change, render=options,
                           allow_identity_change=allow_identity_change)
    echo_report(report, "Built")
