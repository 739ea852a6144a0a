"""`deckbuild --help` and `deckbuild COMMAND --help`, and the docs pages errors point to."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from markdown.extensions.toc import slugify
from support import REPO, make_project

from deckbuild.cli import cli, doclinks
from deckbuild.cli.doclinks import DOCS_FOR, docs_link, docs_page, with_docs, with_docs_line
from deckbuild.cli.helptext import GENERAL, HelpCommand, grouped_options
from deckbuild.errors import Problem

NEWCOMER_ORDER = ["init", "import", "build", "check", "watch", "preview", "release", "diff", "ids"]
COMMANDS = list(cli.commands.values())


def anchors(page: str) -> set[str]:
    """The anchors MkDocs gives a page's headings (the toc extension's slugs)."""
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^(`{3,}|~{3,}).*?^\1", "", text)  # headings in code are not headings
    return {slugify(m.group(1).replace("`", ""), "-") for m in re.finditer(r"(?m)^#{1,6} (.+)$", text)}


def exists(link: str) -> bool:
    page, _, anchor = link.partition("#")
    return (REPO / "docs" / page).is_file() and (not anchor or anchor in anchors(page))


def run(*args: str):
    return CliRunner().invoke(cli, list(args), obj={"command": "deckbuild"},
                              terminal_width=80)


def test_the_commands_are_listed_in_the_order_a_newcomer_meets_them():
    listing = run("--help").output.split("Commands:\n", 1)[1]
    names = [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]
    assert sorted(names) == sorted(cli.commands)
    assert [n for n in names if n in NEWCOMER_ORDER] == NEWCOMER_ORDER
    assert names[:len(NEWCOMER_ORDER)] == NEWCOMER_ORDER  # new commands come after these


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name or "" for c in COMMANDS])
def test_every_command_has_a_summary_grouped_options_two_examples_and_its_page(
        command: click.Command):
    assert isinstance(command, HelpCommand)
    summary = command.get_short_help_str(limit=1000)
    assert summary == command.short_help and "\n" not in summary and len(summary) <= 70
    listing = run("--help").output
    assert f"  {command.name} " in listing and summary in listing  # shown whole, not cut
    ctx = click.Context(command, info_name=command.name)
    titles = [title for title, _ in grouped_options(command, ctx)]
    placed = {name for _, names in command.groups for name in names}
    own = {p.name for p in command.params if isinstance(p, click.Option)} - {"project"}
    assert own <= placed, f"options in no group: {own - placed}"
    assert titles[-1] == GENERAL  # --project and --help last, under Options
    assert len(command.examples) >= 2
    for line, what in command.examples:
        words = shlex.split(line)
        assert words[:2] == ["deckbuild", command.name] and what
        # Every option an example uses is one the command takes, with a value where needed.
        parser = command.make_parser(click.Context(command, info_name=command.name))
        parser.parse_args(words[2:])
    assert exists(command.docs), command.docs
    shown = run(command.name or "", "--help")
    assert shown.exit_code == 0
    assert shown.output.rstrip().endswith(f"Docs: docs/{command.docs}")
    assert f"$ {command.examples[0][0]}\n" in shown.output


def test_an_example_with_an_option_the_command_lacks_is_caught():
    command = cli.commands["build"]
    parser = command.make_parser(click.Context(command, info_name="build"))
    with pytest.raises(click.NoSuchOption):
        parser.parse_args(["--no-such-option"])


def test_help_names_the_command_as_it_was_run():
    shown = CliRunner().invoke(cli, ["ids", "--help"], obj={"command": "python build.py"})
    assert "$ python build.py ids --project my-deck\n" in shown.output


# ---- errors point to the docs --------------------------------------------------------------

@pytest.mark.parametrize("pattern,page", DOCS_FOR)
def test_every_page_errors_point_to_exists_with_its_anchor(pattern: str, page: str):
    assert exists(page), page


def test_a_problem_ends_with_its_page_and_the_site_url_when_one_is_configured(monkeypatch):
    problem = Problem("cards/a.md", 5, "unbalanced math: '$' is never closed")
    assert with_docs(problem) == ("cards/a.md:5: unbalanced math: '$' is never closed "
                                  "(see docs/writing-cards.md#math)")
    unexplained = Problem("", 0, "No space left on device")
    assert with_docs(unexplained) == str(unexplained)
    monkeypatch.setattr(doclinks, "site_url", lambda: "https://deckbuild.example/docs/")
    assert docs_link("writing-cards.md#math") == "https://deckbuild.example/docs/writing-cards/#math"
    assert docs_link("index.md") == "https://deckbuild.example/docs/"
    assert docs_link("importing.md") == "https://deckbuild.example/docs/importing/"


def test_a_line_watch_prints_ends_with_the_page_of_its_message():
    line = "cards/a.md:6: image '../media/x.png' not found in media/"
    assert with_docs_line(line) == f"{line} (see docs/writing-cards.md#images)"
    assert with_docs_line("No space left on device") == "No space left on device"


CASES = sorted((Path(__file__).parent / "cases").glob("*.case"))


def test_every_error_of_the_catalogue_of_bad_inputs_names_a_page_that_explains_it():
    """tests/cases holds every kind of bad input the checks know: each error gets a page."""
    from test_bad_input import load_case

    messages = [m for case in CASES for m in load_case(case)[2]]
    errors = [m for m in messages if ": warning: " not in m]
    assert len(errors) > 30
    for line in errors:
        message = line.split(": ", 1)[1] if re.match(r"^\S+?(:\d+)?: ", line) else line
        page = docs_page(Problem("", 0, message))
        assert page is not None, f"no docs page for: {line}"
        assert exists(page)


def test_build_and_check_print_the_page_after_each_error(tmp_path: Path):
    project = make_project(tmp_path / "p", {"a.md": "# S\n\n## Q?\n<!-- id: q -->\n\n$x\n"})
    checked = run("--project", str(project), "check")
    assert checked.exit_code == 1
    assert checked.output.splitlines()[0] == ("cards/a.md:6: unbalanced math: '$' is never "
                                              "closed (see docs/writing-cards.md#math)")
    built = run("--project", str(project), "build")
    assert built.exit_code == 1
    assert built.output == ("Error: cards/a.md:6: unbalanced math: '$' is never closed "
                            "(see docs/writing-cards.md#math)\n")
