"""`deckbuild init`: a new project with ids of its own, or new ids for a copied one."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from ..project.config import load_config
from .common import command_name, project_option
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="getting-started.md#start-your-own-deck",
    short_help="Start a new deck: settings with ids of its own and a sample card.",
    groups=[("New deck", ["folder", "name", "templates"]), ("Existing deck", ["new_ids"])],
    examples=[('deckbuild init my-deck --name "My Deck"', "a new project in my-deck/"),
              ("deckbuild init --templates", "copy the built-in templates to templates/ to "
                                             "customise them")])
@project_option
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", help="The deck's name in Anki (default: the folder's name).")
@click.option("--templates", is_flag=True,
              help="Also copy the built-in templates to templates/ for customising (in an "
                   "existing project: only them).")
@click.option("--new-ids", is_flag=True,
              help="In an existing project, draw a new deck id, note type id and GUID "
                   "namespace (for a copied pyproject.toml; never for a deck already shared).")
@click.pass_context
def init(ctx: click.Context, folder: Path | None, name: str | None, templates: bool,
         new_ids: bool) -> None:
    """Start a deck in FOLDER (default: the current one): settings with ids of its own,
    a sample card, .gitignore and a README. Never overwrites a file."""
    from ..project.scaffold import Identity, init_files, write_files

    given = folder or ctx.obj["project"]
    root = given.absolute()
    if new_ids:
        _new_ids(ctx, root, templates or name is not None)
        return
    name = (name or root.name).strip()
    if not name:
        raise click.UsageError("give the deck a name with --name")
    files = init_files(root, name, Identity.fresh(name), templates)
    write_files(root, files)
    click.echo(f"Created in {given}: " + ", ".join(f.path for f in files))
    if any(f.path == "pyproject.toml" for f in files):
        where = "" if str(given) == "." else f" --project {shlex.quote(str(given))}"
        click.echo(f"Next: '{command_name(ctx)} build{where}', then import the package from "
                   "dist/ into Anki.")


def _new_ids(ctx: click.Context, root: Path, other_options: bool) -> None:
    from ..project.scaffold import Identity, write_new_ids

    if other_options:
        raise click.UsageError("--new-ids changes only the ids: give it without --name or "
                               "--templates")
    old = load_config(root, command=command_name(ctx))
    identity = Identity.fresh(old.name)
    write_new_ids(root, identity)
    click.echo(f"New ids in {os.path.join(str(root), 'pyproject.toml')}: deck_id "
               f"{old.deck_id} -> {identity.deck_id}, guid_namespace {old.guid_namespace!r} -> "
               f"{identity.guid_namespace!r}, notetype id {old.notetype.id} -> "
               f"{identity.notetype_id}.")
    click.echo("Anyone who imported the deck with the old ids gets it again as a separate "
               "deck and note type.", err=True)
