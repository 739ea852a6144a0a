"""The `deckbuild` group: its commands in the order a newcomer meets them, and the exit codes."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..errors import DeckError
from .build import build
from .check import check_command
from .common import MACHINE_ERRORS, fail, program_name
from .diff import diff
from .helptext import OrderedGroup
from .ids import ids
from .importing import import_command
from .init import init
from .preview import preview
from .pull import pull
from .release import release
from .watch import watch


class _Group(OrderedGroup):
    """Turns a user's mistake into `Error: ...` and anything unexpected into a short report.

    Without a command it builds, and so it takes build's options too: `deckbuild --strict`
    is `deckbuild build --strict`.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        own, rest = _split_group_options(self, ctx, list(args))
        if rest and rest[0].startswith("-") and rest[0] != "--":
            args = [*own, "build", *rest]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            fail(exc)
        # BrokenPipeError: what read the output stopped (`| head`); click ends quietly.
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                BrokenPipeError):
            raise
        except OSError as exc:
            if exc.errno not in MACHINE_ERRORS:
                _internal_error(exc)
            # The machine's problem, not a bug: say what, and where when known.
            where = f"{os.path.relpath(exc.filename)}: " if exc.filename else ""
            click.echo(f"Error: {where}{exc.strerror}", err=True)
            sys.exit(1)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            _internal_error(exc)


def _internal_error(exc: Exception) -> None:
    if os.environ.get("DECKBUILD_DEBUG"):
        traceback.print_exc()
    click.echo(f"Error: internal error: {type(exc).__name__}: {exc}\n"
               "This is a bug in deckbuild; please report it with the command you ran "
               "(set DECKBUILD_DEBUG=1 for details).", err=True)
    sys.exit(1)


def _split_group_options(group: click.Group, ctx: click.Context,
                         args: list[str]) -> tuple[list[str], list[str]]:
    """(the group's own leading options with their values, everything from the first other)."""
    takes_value = {name for p in group.get_params(ctx) if isinstance(p, click.Option)
                   and not p.is_flag and not p.count for name in p.opts}
    flags = {name for p in group.get_params(ctx) if isinstance(p, click.Option)
             for name in p.opts} - takes_value
    own: list[str] = []
    while args:
        head = args[0]
        if head in takes_value and len(args) > 1:
            own += args[:2]
            del args[:2]
        elif head in flags or head.split("=", 1)[0] in takes_value:
            own.append(args.pop(0))
        else:
            break
    return own, args


@click.group(cls=_Group, invoke_without_command=True)
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project folder (holds pyproject.toml).")
@click.version_option(__version__, prog_name="deckbuild")
@click.pass_context
def cli(ctx: click.Context, project: Path) -> None:
    """Build a versioned, update-safe Anki package from Markdown cards.

    Without a command, builds the deck: `deckbuild --strict` is `deckbuild build --strict`.
    Start a new deck with `deckbuild init DIR --name "My Deck"`.
    """
    ctx.ensure_object(dict)
    ctx.obj["project"] = project
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


for command in (init, import_command, build, check_command, watch, preview, release, diff, ids,
                pull):
    cli.add_command(command)


def main() -> None:
    """Entry point for `python build.py` and the `deckbuild` script."""
    logging.basicConfig(format="%(levelname)s: %(message)s")
    cli(obj={"command": program_name(sys.argv[0])})
