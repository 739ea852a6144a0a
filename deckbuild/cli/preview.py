"""`deckbuild preview`: every card in one offline page."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..errors import count
from .common import config_of, echo_warning, locked, npm_global_root, project_option
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="watch-preview.md#previews-and-screenshots",
    short_help="Write dist/preview/: every card in one offline page.",
    groups=[("MathJax", ["mathjax"])],
    examples=[("deckbuild preview", "then open dist/preview/index.html in a browser"),
              ("deckbuild preview --mathjax ~/lib/mathjax", "with MathJax 3 from that folder")])
@project_option
@click.option("--mathjax", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="MathJax 3's npm package folder (default: node_modules/mathjax in the project, "
                   "then $DECKBUILD_MATHJAX, then the global npm folder).")
@click.pass_context
def preview(ctx: click.Context, mathjax: Path | None) -> None:
    """Write dist/preview/: every card in one offline page (needs MathJax 3 from npm)."""
    from ..live.preview import mathjax_places, write_preview

    config = config_of(ctx)
    places = mathjax_places(config, mathjax, os.environ.get("DECKBUILD_MATHJAX"),
                            None if mathjax else npm_global_root)
    with locked(config):
        report = write_preview(config, places)
    for warning in report.warnings:
        echo_warning(warning)
    click.echo(f"Wrote {os.path.relpath(report.path)}: {count(report.cards, 'card')}; "
               "open it in a browser (works offline)")
