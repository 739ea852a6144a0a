"""`deckbuild import DECK.apkg`: an existing Anki deck becomes a project that keeps its ids."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import DeckError, Problem

INSTALL_HINT = ("reading an Anki package needs the official Anki engine and markdownify: "
                "pip install 'deckbuild[anki]' (or: pip install anki==26.9.3 markdownify==1.2.3)")


def import_package(package: Path, root: Path, dry_run: bool, command: str) -> None:
    """Read the package, plan the project (each card rendered back and compared), list what
    does not convert, write the project and record its adopted ids in the lock."""
    try:
        from ..importers.apkg import PackageReader, check_target, plan_project, write_project
    except ImportError:  # markdownify (and bs4) come with the extra
        raise DeckError(Problem(str(package), 0, INSTALL_HINT)) from None
    from ..importers.apkg.adopt import adoption_lock
    from ..project.config import load_config
    from ..release.lock import write_lock

    check_target(root)
    with PackageReader(package) as content:
        plan = plan_project(content, root)
        for item in plan.listed:
            click.echo(str(item))
        click.echo(f"{plan.notes} notes from {content.format}: {plan.markdown_fields} fields "
                   f"in Markdown, {plan.html_fields} kept as HTML; {plan.differing_notes} "
                   "notes differ after a build (listed above).")
        if dry_run:
            click.echo(f"Dry run: would write {len(plan.texts) + len(plan.media)} files "
                       f"to {root}.")
            return
        write_project(plan, root)
        notetypes = content.notetypes
    config = load_config(root, command=command)
    # The adoption: the deck's and note types' ids are this project's own from now on.
    write_lock(config.lock_path, adoption_lock(config, notetypes))
    click.echo(f"Wrote the project to {root}; '{command} --project {root} build' updates "
               "every user's notes in place.")


def run(files: tuple[Path, ...], root: Path | None, dry_run: bool, command: str) -> None:
    if len(files) != 1:
        raise click.UsageError("import one .apkg at a time (into its own project folder)")
    package = files[0]
    target = root if root is not None else Path(package.stem)
    try:
        import_package(package, target, dry_run, command)
    except DeckError as exc:
        for problem in exc.problems:
            click.echo(f"Error: {problem}", err=True)
        raise SystemExit(1) from None
