"""`deckbuild COMMAND --help`: a one-line summary, the options in groups, examples, the docs page.

A command made with `cls=HelpCommand` names its option groups and examples beside its
options; the group lists its commands in the order they were added (a newcomer's order),
not alphabetically.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .doclinks import docs_link

# Options a command does not place go here, with --help.
GENERAL = "Options"


class HelpCommand(click.Command):
    """A click command whose help shows grouped options, examples and its docs page."""

    def __init__(self, *args: object, groups: Sequence[tuple[str, Sequence[str]]] = (),
                 examples: Sequence[tuple[str, str]] = (), docs: str = "commands.md",
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.groups = [(title, tuple(names)) for title, names in groups]
        self.examples = list(examples)
        self.docs = docs

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for title, rows in grouped_options(self, ctx):
            with formatter.section(title):
                formatter.write_dl(rows)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        if self.examples:
            ran = (ctx.find_root().obj or {}).get("command", "deckbuild")
            with formatter.section("Examples"):
                for line, what in self.examples:
                    formatter.write_text(f"$ {ran}{line.removeprefix('deckbuild')}")
                    with formatter.indentation():
                        formatter.write_text(what)
        formatter.write_paragraph()
        formatter.write_text(f"Docs: {docs_link(self.docs)}")


def grouped_options(command: click.Command,
                    ctx: click.Context) -> list[tuple[str, list[tuple[str, str]]]]:
    """(group title, help rows) in the command's order of groups; the rest under Options."""
    placed = {name: title for title, names in getattr(command, "groups", ()) for name in names}
    titles = [title for title, _ in getattr(command, "groups", ())]
    if GENERAL not in titles:
        titles.append(GENERAL)
    rows: dict[str, list[tuple[str, str]]] = {title: [] for title in titles}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None:
            rows[placed.get(param.name or "", GENERAL)].append(record)
    unknown = set(placed) - {p.name for p in command.get_params(ctx)}
    if unknown:
        raise ValueError(f"{command.name}: no option named {', '.join(sorted(unknown))}")
    return [(title, rows[title]) for title in titles if rows[title]]


class OrderedGroup(click.Group):
    """Lists its commands in the order they were added, and ends with the docs' home page."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        formatter.write_text(f"'{ctx.command_path} COMMAND --help' shows a command's options and "
                             "examples.")
        formatter.write_text(f"Docs: {docs_link('index.md')}")
