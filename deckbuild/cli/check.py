"""`deckbuild check`: every problem as path:line: message; writes nothing."""

from __future__ import annotations

import sys

import click

from ..errors import DeckError, count
from .common import config_of, project_option, strict_option
from .doclinks import with_docs
from .helptext import HelpCommand


@click.command(
    "check", cls=HelpCommand, docs="building.md#what-check-reports",
    short_help="List every problem as path:line: message; write nothing.",
    groups=[("Checks", ["strict", "share"])],
    examples=[("deckbuild check", "every problem, warnings included; exit 1 on an error"),
              ("deckbuild check --share --strict", "also what sharing on AnkiWeb needs; "
                                                   "warnings count as errors")])
@project_option
@strict_option
@click.option("--share", is_flag=True,
              help="Also check what sharing on AnkiWeb needs (limits, deck name, package).")
@click.pass_context
def check_command(ctx: click.Context, strict: bool, share: bool = False) -> None:
    """Validate everything without writing; list every problem as path:line: message,
    then a summary (on stderr): files and cards checked, errors and warnings."""
    from ..pipeline import check_all, check_share, source_counts

    check = check_share if share else check_all
    scope = ""
    try:
        config = config_of(ctx)
        problems = check(config)
        files, cards = source_counts(config)
        scope = f" {count(files, 'card file')}, {count(cards, 'card')}:"
    except DeckError as exc:  # a configuration that cannot be read: listed like the rest
        problems = sorted(exc.problems)
    for problem in problems:  # an error (any problem, with --strict) ends with its docs page
        click.echo(with_docs(problem) if problem.is_error or strict else str(problem))
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    fatal = f" ({'it fails' if warnings == 1 else 'they fail'} under --strict)" \
        if strict and warnings else ""
    click.echo(f"Checked{scope} {count(errors, 'error')}, {count(warnings, 'warning')}{fatal}.",
               err=True)
    if any(p.is_error or strict for p in problems):
        sys.exit(1)
