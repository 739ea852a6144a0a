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


_timestamp_option = click.option(
    "--timestamp", type=click.IntRange(min=0), default=None,
    help="Build time in Unix seconds for changed notes (default: SOURCE_DATE_EPOCH, else now).")
_strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def _echo_report(report, verb: str) -> None:
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for line in report.advice:
        click.echo(f"Note: {line}", err=True)
    shown = os.path.relpath(report.path)
    if report.up_to_date:
        click.echo(f"{shown} is up to date: nothing changed since it was built.")
        return
    if not report.written:
        click.echo(f"{shown} is released and unchanged; left as it is.")
        return
    click.echo(f"{verb} {shown}: {report.notes} notes ({report.changed} new or changed), "
               f"{report.cards} cards, {report.media} media files in {report.seconds:.2f} s")


_schema_option = click.option(
    "--allow-schema-change", is_flag=True,
    help="Accept a change of fields or templates (users get a copy of the note type).")


class _RenderProgress:
    """A progress bar on stderr once rendering has run ~2 s; nothing when not a terminal."""

    DELAY = 2.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if done >= total or not sys.stderr.isatty() \
                    or time.monotonic() - self.started < self.DELAY:
                return
            self.bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
        self.bar.update(done - self.shown)
        self.shown = done
        if done >= total:
            self.bar.render_finish()


@cli.command()
@_timestamp_option
@_strict_option
@_schema_option
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for rendering many uncached cards (0: one per CPU; "
                   "1: none, the whole build runs in one process).")
@click.option("--no-cache", is_flag=True,
              help="Render every card afresh, without reading or writing .deckbuild-cache/.")
@click.pass_context
def build(ctx: click.Context, timestamp: int | None = None, strict: bool = False,
          allow_schema_change: bool = False, jobs: int = 0, no_cache: bool = False) -> None:
    """Build dist/<deck>-<version>.apkg from cards/, media/ and templates/."""
    from .parallel import RenderOptions
    from .pipeline import build as run_build

    options = RenderOptions(jobs=jobs, cache=not no_cache, progress=_RenderProgress())
    report = run_build(_config(ctx), now=build_time(timestamp), strict=strict,
                       allow_schema_change=allow_schema_change, render=options)
    _echo_report(report, "Built")


@cli.command()
@_timestamp_option
@_strict_option
@_schema_option
@click.pass_context
def release(ctx: click.Context, timestamp: int | None, strict: bool,
            allow_schema_change: bool) -> None:
    """Build the current version, write dist/share/<version>/ and mark it released in the lock.

    Runs `check --share` first. A released version's content is frozen: later changes need a
    version bump, and its package in dist/ is never overwritten. Commit the lock file afterwards.
    """
    from .pipeline import release as run_release

    config = _config(ctx)
    report = run_release(config, now=build_time(timestamp), strict=strict,
                         allow_schema_change=allow_schema_change)
    _echo_report(report, "Built")
    click.echo(f"Wrote the share kit {os.path.relpath(report.kit)}/ (see README: Share on AnkiWeb).")
    click.echo(f"Released version {config.version}; commit {os.path.relpath(config.lock_path)}.")


@cli.command()
@click.argument("packages", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def diff(ctx: click.Context, packages: tuple[Path, ...]) -> None:
    """Show what changed: the sources against the last release, or OLD.apkg against NEW.apkg."""
    from .diff import diff_sides, format_diff, side_from_build, side_from_package, side_from_release
    from .lock import read_lock
    from .pipeline import check

    if len(packages) not in (0, 2):
        raise click.UsageError("give no package (diff against the last release) or two")
    if packages:
        old, new = side_from_package(packages[0]), side_from_package(packages[1])
    else:
        config = _config(ctx)
        lock = read_lock(config.lock_path, os.path.relpath(config.lock_path))
        previous = [r for r in lock.releases if r.version != config.version] or list(lock.releases)
        if not previous:
            raise DeckError("no release recorded in the lock file yet: run 'python build.py release'")
        checked = check(config)
        if checked.errors:
            raise DeckError(checked.errors)
        old = side_from_release(previous[-1], lock)
        decks = tuple(sorted({n.deck for n in checked.notes}))
        new = side_from_build(f"{config.version} (sources)", checked.notes, checked.notetype, decks)
    for line in format_diff(diff_sides(old, new)):
        click.echo(line)


@cli.command("check")
@_strict_option
@click.option("--share", is_flag=True,
              help="Also check what sharing on AnkiWeb needs (limits, deck name, package).")
@click.pass_context
def check_command(ctx: click.Context, strict: bool, share: bool = False) -> None:
    """Validate everything without writing; list every problem as path:line: message."""
    from .pipeline import check_all, check_share

    problems = (check_share if share else check_all)(_config(ctx))
    for problem in problems:
        click.echo(str(problem))
    if any(p.is_error or strict for p in problems):
        sys.exit(1)


@cli.command()
@click.pass_context
def ids(ctx: click.Context) -> None:
    """Write a readable id under every card that has none (nothing else changes)."""
    from .rewrite import add_missing_ids

    added = add_missing_ids(_config(ctx))
    for item in added:
        click.echo(f"{item.path}:{item.line}: id {item.id}")
    click.echo(f"Added {len(added)} id{'s' if len(added) != 1 else ''}.")


@cli.command()
@click.pass_context
def preview(ctx: click.Context) -> None:
    """Write dist/preview/: every card in one offline page (needs `npm install`)."""
    from .preview import write_preview

    report = write_preview(_config(ctx))
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {os.path.relpath(report.path)}: {report.cards} cards; "
               "open it in a browser (works offline)")


def main() -> None:
    """Entry point for `python build.py` and the `deckbuild` script."""
    logging.basicConfig(format="%(levelname)s: %(message)s")
    cli(obj={})
