"""`deckbuild ids`: a readable id under every card that has none."""

from __future__ import annotations

import click

from .common import config_of, locked, project_option
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="writing-cards.md#ids-are-identity",
    short_help="Write a readable id under every card that has none.",
    examples=[("deckbuild ids", "in the project in the current folder"),
              ("deckbuild ids --project my-deck", "in my-deck/")])
@project_option
@click.pass_context
def ids(ctx: click.Context) -> None:
    """Write a readable id under every card that has none (nothing else changes)."""
    from ..project.rewrite import add_missing_ids

    config = config_of(ctx)
    with locked(config):
        added = add_missing_ids(config)
    for item in added:
        click.echo(f"{item.path}:{item.line}: id {item.id}")
    click.echo(f"Added {len(added)} id{'s' if len(added) != 1 else ''}.")
