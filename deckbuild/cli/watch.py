"""`deckbuild watch`: build, then rebuild on every save; optionally serve a live preview."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when a command runs: `deckbuild --help` stays quick
    from ..live.livepreview import LivePreview
    from ..live.watch import Outcome

from .common import (
    build_time,
    config_of,
    echo_warning,
    locked,
    npm_global_root,
    project_option,
    timestamp_option,
)
from .doclinks import with_docs_line
from .helptext import HelpCommand


@click.command(
    cls=HelpCommand, docs="watch-preview.md",
    short_help="Build, then rebuild on every save; optionally serve a live preview.",
    groups=[("Output", ["timestamp"]), ("Live preview", ["preview", "port", "mathjax"])],
    examples=[("deckbuild watch", "rebuild dist/ on every save until Ctrl-C"),
              ("deckbuild watch --preview --port 8000", "also serve the preview on "
                                                        "http://127.0.0.1:8000/")])
@project_option
@timestamp_option
@click.option("--preview", is_flag=True,
              help="Also serve the preview page on 127.0.0.1; it reloads after each rebuild.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="The preview's port (0: a free one, printed).")
@click.option("--mathjax", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="MathJax 3's npm package folder for the preview (as for `preview`).")
@click.pass_context
def watch(ctx: click.Context, timestamp: int | None, preview: bool, port: int,
          mathjax: Path | None) -> None:
    """Build, then rebuild on every save in cards/, media/, templates/ and pyproject.toml.

    Each rebuild prints one line; errors are listed as path:line: message and the last good
    package stays in dist/. Ctrl-C stops.
    """
    from ..live.livepackage import LivePackage
    from ..live.watch import Rebuilder, run, summary

    # After the first build, an edit patches the package rather than writing it afresh.
    live = LivePackage()
    rebuilder = Rebuilder(ctx.obj["project"], lambda: config_of(ctx),
                          lambda: build_time(timestamp), locked, package=live)
    server = _live_preview(ctx, port, mathjax) if preview else None
    shown_warnings: set[str] = set()

    def report(outcome: Outcome) -> None:
        if server is not None:  # first: once the line is out, the page shows the rebuild
            server.publish(outcome, rebuilder.written)
        click.echo(f"{time.strftime('%H:%M:%S')} "
                   f"{summary(outcome, os.path.relpath(outcome.package or '.'))}")
        if outcome.trace and os.environ.get("DECKBUILD_DEBUG"):
            click.echo(outcome.trace.rstrip("\n"), err=True)
        for error in outcome.errors:
            click.echo(f"Error: {with_docs_line(error)}", err=True)
        for warning in outcome.warnings:
            if warning not in shown_warnings:
                echo_warning(warning)
        shown_warnings.update(outcome.warnings)

    try:
        run(rebuilder, report)
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            server.close()
        live.close()
    click.echo("Stopped watching.")


def _live_preview(ctx: click.Context, port: int, mathjax: Path | None) -> LivePreview:
    from ..live.livepreview import LivePreview
    from ..live.preview import find_mathjax, mathjax_places

    config = config_of(ctx)
    places = mathjax_places(config, mathjax, os.environ.get("DECKBUILD_MATHJAX"),
                            None if mathjax else npm_global_root)
    try:
        server = LivePreview(find_mathjax(config, places), port)
    except OSError as exc:
        raise click.BadParameter(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}",
                                 param_hint="'--port'") from None
    server.start()
    click.echo(f"Serving the preview at {server.url} (Ctrl-C stops)")
    return server
