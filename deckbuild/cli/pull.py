"""`deckbuild pull EXPORTED.apkg`: edits made in Anki, shown as Markdown diffs, or applied."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DeckError, Problem
from .anki_package import INSTALL_HINT
from .common import config_of, locked, project_option
from .helptext import HelpCommand


@click.command(
    "pull", cls=HelpCommand, docs="importing.md#edits-made-in-anki-pull",
    short_help="Bring edits made in Anki back into the card files, as diffs.",
    groups=[("Writing", ["apply_"])],
    examples=[("deckbuild pull exported.apkg", "show each card edited in Anki as a diff; "
                                               "write nothing"),
              ("deckbuild pull exported.apkg --apply", "write those edits into the card files")])
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@project_option
@click.option("--apply", "apply_", is_flag=True,
              help="Write the edits into the card files where the conversion is faithful "
                   "(cards also changed in Markdown since the last build are never touched).")
@click.pass_context
def pull(ctx: click.Context, package: Path, apply_: bool) -> None:
    """Compare a package exported from Anki with the last build: each note edited in Anki
    is shown as a diff of its card at file:line; --apply writes the edits back."""
    try:
        from ..importers.apkg import PackageReader
        from ..importers.apkg.pull import apply_pull, plan_pull
    except ImportError:  # markdownify (and bs4) come with the extra
        raise DeckError(Problem(str(package), 0, INSTALL_HINT)) from None
    from ..errors import display_path
    from ..pipeline import check
    from ..project.sources import load_media, load_sources
    from ..release.lock import read_lock

    config = config_of(ctx)
    with locked(config):  # no build writes the cards or the lock meanwhile
        lock = read_lock(config.lock_path, display_path(config.lock_path, config.root))
        if not lock.notes:
            raise DeckError(Problem(display_path(config.lock_path, config.root), 0,
                                    "no build recorded yet: pull compares an export with what "
                                    "the last build wrote; build first"))
        checked = check(config)
        sources, _ = load_sources(config)
        media, _ = load_media(config)
        with PackageReader(package) as content:
            report, texts, new_media = plan_pull(config, lock, checked.notes, sources, media,
                                                 content)
            for edit in report.edits:
                status = "applied" if apply_ and edit.status == "to apply" else edit.status
                click.echo(f"{edit.path}:{edit.line}: card {edit.card_id!r} edited in Anki "
                           f"({status})")
                for why in edit.why:
                    click.echo(f"  {why}")
                if edit.diff:
                    click.echo(edit.diff.rstrip("\n"))
            for guid, text in report.unknown:
                click.echo(f"note {guid} ({text!r}) is not in the project's last build (added "
                           "in Anki?): write it as a card by hand")
            if apply_:
                apply_pull(config.root, texts, new_media)
    applicable = sum(edit.status == "to apply" for edit in report.edits)
    left = len(report.edits) - applicable
    verb = "applied" if apply_ else "can be applied with --apply"
    click.echo(f"{len(report.edits)} notes edited in Anki: {applicable} {verb}, {left} left "
               f"as they are (listed above); {report.unchanged} unchanged"
               + (f", {len(report.unknown)} not in this project's last build" if report.unknown
                  else "") + ".")
