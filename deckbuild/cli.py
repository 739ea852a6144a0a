"""The command line: options -> config -> stage -> exit code. The only module using click."""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback
from pathlib import Path

import click

from . import __version__
from .config import Config, load_config
from .errors import DeckError

log = logging.getLogger("deckbuild")


def _fail(exc: DeckError) -> None:
    for problem in exc.problems:
        click.echo(f"Error: {problem}", err=True)
    sys.exit(1)


def _config(ctx: click.Context) -> Config:
    return load_config(ctx.obj["project"], ctx.obj.get("version"))


def build_time(timestamp: int | None) -> int:
    """--timestamp, else SOURCE_DATE_EPOCH, else the clock: read here, passed to the core."""
    if timestamp is not None:
        return timestamp
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise click.UsageError("SOURCE_DATE_EPOCH must be a whole number of seconds")
        return int(epoch)
    return int(time.time())


class _Group(click.Group):
    """Turns a user's mistake into `Error: ...` and anything unexpected into a short report."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            _fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("DECKBUILD_DEBUG"):
                traceback.print_exc()
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc}\n"
                       "This is a bug in deckbuild; please report it with the command you ran "
                       "(set DECKBUILD_DEBUG=1 for details).", err=True)
            sys.exit(1)


@click.group(cls=_Group, invoke_without_command=True)
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project folder (holds pyproject.toml).")
@click.version_option(__version__, prog_name="deckbuild")
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """Build a versioned, update-safe Anki package from Markdown cards.

    Without a command, builds the deck (same as `build`).
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


@cli.command()
@click.option("--timestamp", type=click.IntRange(min=0), default=None,
              help="Build time in Unix seconds (default: SOURCE_DATE_EPOCH, else now).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.pass_context
def build(ctx: click.Context, timestamp: int | None = None, strict: bool = False) -> None:
    """Build dist/<deck>-<version>.apkg from cards/, media/ and templates/."""
    from .pipeline import build as run_build

    config = _config(ctx)
    report = run_build(config, now=build_time(timestamp), strict=strict)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    shown = os.path.relpath(report.path)
    click.echo(f"Built {shown}: {report.notes} notes, {report.cards} cards, "
               f"{report.media} media files in {report.seconds:.2f} s")


@cli.command()
@click.pass_context
def ids(ctx: click.Context) -> None:
    """Write a readable id under every card that has none (nothing else changes)."""
    from .rewrite import add_missing_ids

    added = add_missing_ids(_config(ctx))
    for item in added:
        click.echo(f"{item.path}:{item.line}: id {item.id}")
    click.echo(f"Added {len(added)} id{'s' if len(added) != 1 else ''}.")


def main() -> None:
    """Entry point for `python build.py` and the `deckbuild` script."""
    logging.basicConfig(format="%(levelname)s: %(message)s")
    cli(obj={})
