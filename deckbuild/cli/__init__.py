"""The command line: options -> config -> stage -> exit code. The only module using click."""

from __future__ import annotations

import errno
import logging
import os
import shlex
import sys
import time
import traceback
from pathlib import Path

import click

from .. import __version__
from ..errors import DeckError
from ..project.config import Config, load_config


def _fail(exc: DeckError) -> None:
    for problem in exc.problems:
        click.echo(f"Error: {problem}", err=True)
    sys.exit(1)


def _config(ctx: click.Context) -> Config:
    return load_config(ctx.obj["project"], ctx.obj.get("version"), _command(ctx))


def _command(ctx: click.Context) -> str:
    return ctx.obj.get("command", "deckbuild")


def program_name(argv0: str) -> str:
    """How the user ran us, for hints: 'python build.py' or 'deckbuild'."""
    base = os.path.basename(argv0)
    if base.endswith(".py"):
        return f"python {argv0}"
    return base or "deckbuild"


def _locked(config: Config):
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
_MACHINE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


class _Group(click.Group):
    """Turns a user's mistake into `Error: ...` and anything unexpected into a short report.

    Without a command it builds, and so it takes build's options too: `deckbuild --strict`
    is `deckbuild build --strict`.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        own, rest = _split_group_options(self, ctx, list(args))
        if rest and rest[0].startswith("-") and rest[0] != "--":
            args = [*own, "build", *rest]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except DeckError as exc:
            _fail(exc)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as exc:
            if exc.errno not in _MACHINE_ERRORS:
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


def _set_project(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["project"] = value


# Each command takes --project too, after its name: `deckbuild build --project DIR`.
_project_option = click.option(
    "--project", type=click.Path(file_okay=False, path_type=Path), default=None,
    expose_value=False, is_eager=True, callback=_set_project,
    help="Project folder (holds pyproject.toml); default: the current folder.")


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


_no_cache_option = click.option(
    "--no-cache", is_flag=True,
    help="Render every card afresh, without reading or writing the cache in .deckbuild-cache/.")
_schema_option = click.option(
    "--allow-schema-change", is_flag=True,
    help="Accept a change of fields or templates (users get a copy of the note type).")
_identity_option = click.option(
    "--allow-identity-change", is_flag=True,
    help="Accept a new deck name, deck id, note type id or GUID namespace (see the error "
         "for what importing users get).")


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
@_project_option
@_timestamp_option
@_strict_option
@_schema_option
@_identity_option
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for rendering many uncached cards (0: one per CPU; "
                   "1: none, the whole build runs in one process).")
@_no_cache_option
@click.pass_context
def build(ctx: click.Context, timestamp: int | None = None, strict: bool = False,
          allow_schema_change: bool = False, allow_identity_change: bool = False, jobs: int = 0,
          no_cache: bool = False) -> None:
    """Build dist/<deck>-<version>.apkg from cards/, media/ and templates/."""
    from ..pipeline import build as run_build
    from ..speed.parallel import RenderOptions

    options = RenderOptions(jobs=jobs, cache=not no_cache, progress=_RenderProgress())
    config = _config(ctx)
    with _locked(config):
        report = run_build(config, now=build_time(timestamp), strict=strict,
                           allow_schema_change=allow_schema_change, render=options,
                           allow_identity_change=allow_identity_change)
    _echo_report(report, "Built")


@cli.command()
@_project_option
@_timestamp_option
@_strict_option
@_schema_option
@_no_cache_option
@_identity_option
@click.pass_context
def release(ctx: click.Context, timestamp: int | None, strict: bool,
            allow_schema_change: bool, allow_identity_change: bool,
            no_cache: bool = False) -> None:
    """Build the current version, write dist/share/<version>/ and mark it released in the lock.

    Runs `check --share` first. A released version's content is frozen: later changes need a
    version bump, and its package in dist/ is never overwritten. Commit the lock file afterwards.
    """
    from ..pipeline import release as run_release
    from ..speed.parallel import RenderOptions

    config = _config(ctx)
    with _locked(config):
        report = run_release(config, now=build_time(timestamp), strict=strict,
                             allow_schema_change=allow_schema_change,
                             render=RenderOptions(cache=not no_cache),
                             allow_identity_change=allow_identity_change)
    _echo_report(report, "Built")
    click.echo(f"Wrote the share kit {os.path.relpath(report.kit)}/ (see README: Share on AnkiWeb).")
    click.echo(f"Released version {config.version}; commit {os.path.relpath(config.lock_path)}.")


@cli.command()
@_project_option
@click.argument("packages", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def diff(ctx: click.Context, packages: tuple[Path, ...]) -> None:
    """Show what changed: the sources against the last release, or OLD.apkg against NEW.apkg."""
    from ..pipeline import check
    from ..release.diff import diff_sides, format_diff, side_from_build, side_from_package, side_from_release
    from ..release.lock import read_lock

    if len(packages) not in (0, 2):
        raise click.UsageError("give no package (diff against the last release) or two")
    if packages:
        old, new = side_from_package(packages[0]), side_from_package(packages[1])
    else:
        config = _config(ctx)
        lock = read_lock(config.lock_path, os.path.relpath(config.lock_path))
        previous = [r for r in lock.releases if r.version != config.version] or list(lock.releases)
        if not previous:
            raise DeckError("no release recorded in the lock file yet: run "
                            f"'{_command(ctx)} release'")
        checked = check(config)
        if checked.errors:
            raise DeckError(checked.errors)
        old = side_from_release(previous[-1], lock)
        decks = tuple(sorted({n.deck for n in checked.notes}))
        new = side_from_build(f"{config.version} (sources)", checked.notes, checked.notetype, decks,
                              checked.others)
    for line in format_diff(diff_sides(old, new)):
        click.echo(line)


@cli.command("check")
@_project_option
@_strict_option
@click.option("--share", is_flag=True,
              help="Also check what sharing on AnkiWeb needs (limits, deck name, package).")
@click.pass_context
def check_command(ctx: click.Context, strict: bool, share: bool = False) -> None:
    """Validate everything without writing; list every problem as path:line: message."""
    from ..pipeline import check_all, check_share

    check = check_share if share else check_all
    try:
        problems = check(_config(ctx))
    except DeckError as exc:  # a configuration that cannot be read: listed like the rest
        problems = sorted(exc.problems)
    for problem in problems:
        click.echo(str(problem))
    if any(p.is_error or strict for p in problems):
        sys.exit(1)


@cli.command()
@_project_option
@click.pass_context
def ids(ctx: click.Context) -> None:
    """Write a readable id under every card that has none (nothing else changes)."""
    from ..source.rewrite import add_missing_ids

    config = _config(ctx)
    with _locked(config):
        added = add_missing_ids(config)
    for item in added:
        click.echo(f"{item.path}:{item.line}: id {item.id}")
    click.echo(f"Added {len(added)} id{'s' if len(added) != 1 else ''}.")


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_project_option
@click.option("--layout", default=None, metavar="NAME",
              help="Read every file in this one layout instead of recognising it "
                   "(an unknown name lists the known ones).")
@click.option("--force", is_flag=True, help="Replace card files that already exist.")
@click.option("--dry-run", is_flag=True, help="Show what would be written; write nothing.")
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...], layout: str | None,
                   force: bool, dry_run: bool) -> None:
    """Turn Markdown Q&A files into card files: cards/<name>.md, with ids.

    Recognises the native format, question headings at any level, `## Question N` headings
    with a bold question, numbered lists of bold questions, <details> blocks, bold question
    lines and `Q:` lines. Reports what it found, and every line it left out, before writing.
    """
    from ..errors import display_path
    from ..importers import LAYOUTS, plan_import, report_lines, write_import

    names = [known.name for known in LAYOUTS]
    if layout is not None and layout not in names:
        raise click.BadParameter(f"unknown layout {layout!r} (known: {', '.join(names)})",
                                 param_hint="'--layout'")
    config = _config(ctx)
    with _locked(config):  # no build reads cards/ while they are planned and written
        plan = plan_import(config, files, layout, force)
        folder = display_path(config.cards_dir, config.root)
        for imported in plan.result.files:
            for line in report_lines(imported, folder):
                click.echo(line)
        cards = sum(len(f.cards) for f in plan.result.files)
        if dry_run:
            click.echo(f"Dry run: would write {len(plan.targets)} files with {cards} cards.")
            return
        write_import(plan)
    replaced = f" (replaced {len(plan.replaced)})" if plan.replaced else ""
    command = _command(ctx)
    click.echo(f"Wrote {len(plan.targets)} card files{replaced} with {cards} cards; "
               f"check them with '{command} check --strict', then '{command} build'.")


@cli.command()
@_project_option
@click.option("--mathjax", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="MathJax 3's npm package folder (default: node_modules/mathjax in the project, "
                   "then $DECKBUILD_MATHJAX, then the global npm folder).")
@click.pass_context
def preview(ctx: click.Context, mathjax: Path | None) -> None:
    """Write dist/preview/: every card in one offline page (needs MathJax 3 from npm)."""
    from ..live.preview import mathjax_places, write_preview

    config = _config(ctx)
    places = mathjax_places(config, mathjax, os.environ.get("DECKBUILD_MATHJAX"),
                            None if mathjax else _npm_global_root)
    with _locked(config):
        report = write_preview(config, places)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Wrote {os.path.relpath(report.path)}: {report.cards} cards; "
               "open it in a browser (works offline)")


@cli.command()
@_project_option
@_timestamp_option
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
    rebuilder = Rebuilder(ctx.obj["project"], lambda: _config(ctx),
                          lambda: build_time(timestamp), _locked, package=live)
    server = _live_preview(ctx, port, mathjax) if preview else None
    shown_warnings: set[str] = set()

    def report(outcome) -> None:
        if server is not None:  # first: once the line is out, the page shows the rebuild
            server.publish(outcome, rebuilder.written)
        click.echo(f"{time.strftime('%H:%M:%S')} "
                   f"{summary(outcome, os.path.relpath(outcome.package or '.'))}")
        for error in outcome.errors:
            click.echo(f"Error: {error}", err=True)
        for warning in outcome.warnings:
            if warning not in shown_warnings:
                click.echo(f"Warning: {warning}", err=True)
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


def _live_preview(ctx: click.Context, port: int, mathjax: Path | None):
    from ..live.livepreview import LivePreview
    from ..live.preview import find_mathjax, mathjax_places

    config = _config(ctx)
    places = mathjax_places(config, mathjax, os.environ.get("DECKBUILD_MATHJAX"),
                            None if mathjax else _npm_global_root)
    try:
        server = LivePreview(find_mathjax(config, places), port)
    except OSError as exc:
        raise click.BadParameter(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}",
                                 param_hint="'--port'") from None
    server.start()
    click.echo(f"Serving the preview at {server.url} (Ctrl-C stops)")
    return server


def _npm_global_root() -> Path | None:
    """Where `npm install -g` puts packages, when npm is there to say."""
    import subprocess

    try:
        found = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30,
                               check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(found) if found else None


@cli.command()
@_project_option
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
        click.echo(f"Next: '{_command(ctx)} build{where}', then import the package from "
                   "dist/ into Anki.")


def _new_ids(ctx: click.Context, root: Path, other_options: bool) -> None:
    from ..project.scaffold import Identity, write_new_ids

    if other_options:
        raise click.UsageError("--new-ids changes only the ids: give it without --name or "
                               "--templates")
    old = load_config(root, command=_command(ctx))
    identity = Identity.fresh(old.name)
    write_new_ids(root, identity)
    click.echo(f"New ids in {os.path.join(str(root), 'pyproject.toml')}: deck_id "
               f"{old.deck_id} -> {identity.deck_id}, guid_namespace {old.guid_namespace!r} -> "
               f"{identity.guid_namespace!r}, notetype id {old.notetype.id} -> "
               f"{identity.notetype_id}.")
    click.echo("Anyone who imported the deck with the old ids gets it again as a separate "
               "deck and note type.", err=True)


def main() -> None:
    """Entry point for `python build.py` and the `deckbuild` script."""
    logging.basicConfig(format="%(levelname)s: %(message)s")
    cli(obj={"command": program_name(sys.argv[0])})
