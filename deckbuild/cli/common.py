"""What every command shares: the project option, the config, the build lock, reports."""

from __future__ import annotations

import errno
import os
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import DeckError, count
from ..project.config import Config, load_config
from ..records import BuildReport
from .doclinks import with_docs

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


def fail(exc: DeckError) -> None:
    for problem in exc.problems:
        click.echo(f"Error: {with_docs(problem)}", err=True)
    sys.exit(1)


def config_of(ctx: click.Context) -> Config:
    return load_config(ctx.obj["project"], ctx.obj.get("version"), command_name(ctx))


def command_name(ctx: click.Context) -> str:
    return ctx.obj.get("command", "deckbuild")


def program_name(argv0: str) -> str:
    """How the user ran us, for hints: 'python build.py' or 'deckbuild'."""
    base = os.path.basename(argv0)
    if base.endswith(".py"):
        return f"python {argv0}"
    return base or "deckbuild"


def locked(config: Config) -> AbstractContextManager[object]:
    """The project's build lock, saying on stderr when it waits for another build."""
    from ..project.buildlock import project_lock

    return project_lock(config, on_wait=lambda path: click.echo(
        f"Waiting for another build in this project ({path})...", err=True))


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


# Errors of the disk or the file system rather than of deckbuild: reported without the
# "this is a bug" hint. A build that stops on one leaves dist/ and the lock as they were.
MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def _set_project(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["project"] = value


# Each command takes --project too, after its name: `deckbuild build --project DIR`.
project_option = click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=None,
    expose_value=False, is_eager=True, callback=_set_project,
    help="Project folder (holds pyproject.toml); default: the current folder.")


timestamp_option = click.option(
    "--timestamp", type=click.IntRange(min=0), default=None,
    help="Build time in Unix seconds for changed notes (default: SOURCE_DATE_EPOCH, else now).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def echo_warning(warning: object) -> None:
    """A warning as `check` shows it (`path:line: warning: message`), on stderr."""
    click.echo(str(warning), err=True)


def echo_report(report: BuildReport, verb: str) -> None:
    for warning in report.warnings:
        echo_warning(warning)
    for line in report.advice:
        click.echo(f"Note: {line}", err=True)
    shown = os.path.relpath(report.path)
    if report.up_to_date:
        click.echo(f"{shown} is up to date: nothing changed since it was built.")
        return
    if not report.written:
        click.echo(f"{shown} is released and unchanged; left as it is.")
        return
    click.echo(f"{verb} {shown}: {count(report.notes, 'note')} ({report.changed} new or "
               f"changed), {count(report.cards, 'card')}, {count(report.media, 'media file')} "
               f"in {report.seconds:.2f} s")


no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Render every card afresh, without reading or writing the cache in .deckbuild-cache/.")
schema_option = click.option(
    "--allow-schema-change", is_flag=True,
    help="Accept a change of fields or templates (users get a copy of the note type).")
identity_option = click.option(
    "--allow-identity-change", is_flag=True,
    help="Accept a new deck name, deck id, note type id or GUID namespace (see the error "
         "for what importing users get).")


class RenderProgress:
    """A progress bar on stderr once rendering has run ~2 s; nothing when not a terminal."""

    DELAY = 2.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: ProgressBar[int] | None = None
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


def npm_global_root() -> Path | None:
    """Where `npm install -g` puts packages, when npm is there to say."""
    import subprocess

    try:
        found = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(found) if found else None
