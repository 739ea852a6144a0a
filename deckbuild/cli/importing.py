"""`deckbuild import`: existing Markdown Q&A files -> card files with ids."""

from __future__ import annotations

from pathlib import Path

import click

from .common import command_name, config_of, locked, project_option
from .helptext import HelpCommand


@click.command(
    "import", cls=HelpCommand, docs="importing.md",
    short_help="Turn Markdown Q&A files or an Anki deck into card files with ids.",
    groups=[("Reading", ["layout", "question_level"]), ("Writing", ["force", "dry_run"])],
    examples=[("deckbuild import interview.md --dry-run", "show the cards found; write nothing"),
              ("deckbuild import deck.apkg --project my-deck", "an Anki deck into a new project "
                                                              "that keeps its ids")])
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.option("--layout", default=None, metavar="NAME",
              help="Read every file in this one layout instead of recognising it "
                   "(an unknown name lists the known ones).")
@click.option("--question-level", type=click.IntRange(1, 6), default=None, metavar="N",
              help="The questions are the level-N headings (`### ` is 3); each answer runs to "
                   "the next heading at that level or above.")
@click.option("--force", is_flag=True,
              help="Replace card files that already exist; cards found again by their question "
                   "and answer keep their ids.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...], layout: str | None,
                   question_level: int | None, force: bool, dry_run: bool) -> None:
    """Turn Markdown Q&A files into card files: cards/<name>.md, with ids; or an Anki
    package (DECK.apkg) into a new project in --project DIR that keeps every id.

    Recognises the native format, question headings at any level, `## Question N` headings
    with a bold question, numbered lists of bold questions, <details> blocks, bold question
    lines and `Q:` lines. Reports what it found, and every line it left out, before writing.
    """
    if any(f.suffix.lower() == ".apkg" for f in files):  # an Anki deck: a new project
        from .anki_package import run

        project = Path(ctx.obj["project"])
        return run(files, None if project == Path(".") else project, dry_run,
                   command_name(ctx))
    from ..errors import count, display_path
    from ..importers import LAYOUTS, plan_import, report_lines, write_import

    names = [known.name for known in LAYOUTS]
    if layout is not None and layout not in names:
        raise click.BadParameter(f"unknown layout {layout!r} (known: {', '.join(names)})",
                                 param_hint="'--layout'")
    config = config_of(ctx)
    with locked(config):  # no build reads cards/ while they are planned and written
        if layout is not None and question_level is not None:
            raise click.UsageError("give --layout or --question-level, not both")
        plan = plan_import(config, files, layout, force, question_level)
        folder = display_path(config.cards_dir, config.root)
        for imported in plan.result.files:
            for line in report_lines(imported, folder):
                click.echo(line)
        cards = sum(len(f.cards) for f in plan.result.files)
        if dry_run:
            click.echo(f"Dry run: would write {count(len(plan.targets), 'file')} with "
                       f"{count(cards, 'card')}.")
            return
        write_import(plan)
    replaced = f" (replaced {len(plan.replaced)})" if plan.replaced else ""
    images = f" and {count(len(plan.media), 'image')} in media/" if plan.media else ""
    command = command_name(ctx)
    click.echo(f"Wrote {count(len(plan.targets), 'card file')}{replaced} with "
               f"{count(cards, 'card')}{images}; "
               f"check them with '{command} check --strict', then '{command} build'.")
