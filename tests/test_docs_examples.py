"""Every command example in the docs is run and its output compared (docs/testing.md)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docs_examples import PAGES, REPO, Example, blocks, examples, matches, parse_steps
from hypothesis import given
from hypothesis import strategies as st

ALL = [example for page in PAGES for example in examples(page)]
BIN = Path(sys.executable).parent


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DECKBUILD_", "SOURCE_DATE"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "80"  # click wraps help to the terminal, at most 80 columns: the docs show 80
    return env


def _prepare(example: Example, root: Path, env: dict[str, str]) -> None:
    root.mkdir()
    if example.setup == "deck":
        for name in ("pyproject.toml", "deck.lock.json", "build.py"):
            shutil.copy2(REPO / name, root / name)
        for name in ("cards", "media", "templates"):
            shutil.copytree(REPO / name, root / name)
    elif example.setup == "new":
        made = subprocess.run(["deckbuild", "init", ".", "--name", "My Deck"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
    for name, text in example.files:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("example", ALL, ids=[e.name for e in ALL])
def test_the_docs_example_prints_what_the_page_shows(example: Example, tmp_path: Path):
    env = _environment()
    folder = tmp_path / "example"
    _prepare(example, folder, env)
    for step in example.steps:
        words = shlex.split(step.command, comments=True)
        if words[:1] == ["cd"]:
            folder = folder / words[1]
            continue
        ran = subprocess.run(["bash", "-c", step.command], cwd=folder, env=env, timeout=300,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        printed = ran.stdout.rstrip("\n").split("\n") if ran.stdout.strip() else []
        shown = "\n".join(step.expected)
        assert matches(step.expected, printed), (
            f"docs/{example.name}: `{step.command}` printed\n{ran.stdout}\nthe page shows\n{shown}")
        assert ran.returncode == step.exit_code, (
            f"docs/{example.name}: `{step.command}` exited {ran.returncode}\n{ran.stdout}")


def test_the_docs_have_examples_and_every_setup_is_used():
    assert len(ALL) >= 4
    assert {e.setup for e in ALL} == {"empty", "new", "deck"}


def test_a_block_that_shows_a_prompt_is_a_tested_example():
    """A `$ command` in a block of another language would be shown but never run."""
    for page in PAGES:
        for block in blocks(page.read_text(encoding="utf-8")):
            if block.info.split()[:1] != ["console"]:
                assert not re.search(r"(?m)^\$ ", block.body), f"{page.name}:{block.line}"


def test_the_readme_starts_a_deck_with_the_commands_the_docs_example_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Start your own deck", 1)[1]
    shown = [line.split("#", 1)[0].strip() for line in section.split("```sh\n", 1)[1]
             .split("```", 1)[0].splitlines()]
    example = next(e for e in ALL if e.page == "getting-started.md" and e.setup == "empty"
                   and any(s.command.startswith("deckbuild init my-deck") for s in e.steps))
    assert len(shown) == 5
    assert shown == [s.command for s in example.steps]


def test_the_readme_stays_short_and_its_links_reach_files():
    """The README is the front door (at most 150 lines); the rest is in docs/ (issue 29)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)|src=\"([^\"]+)\"", readme)
    local = [a or b for a, b in targets if not (a or b).startswith(("http://", "https://"))]
    assert len(local) >= 10
    for target in local:
        assert (REPO / target).is_file(), target


def test_the_readme_card_is_a_card_that_checks_clean(tmp_path: Path):
    from support import make_project

    from deckbuild.pipeline import check_all
    from deckbuild.project.config import load_config
    from deckbuild.speed.parallel import RenderOptions

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    card = readme.split("~~~markdown\n", 1)[1].split("~~~", 1)[0]
    project = make_project(tmp_path / "p", {"a.md": "# Fundamentals\n\n" + card})
    assert check_all(load_config(project), RenderOptions(cache=False)) == []


def test_the_watch_line_the_docs_show_is_the_line_watch_prints():
    """watch runs until stopped, so its line is made here from the outcome the page describes."""
    from deckbuild.live.watch import Changes, Outcome, summary

    page = (REPO / "docs" / "watch-preview.md").read_text(encoding="utf-8")
    (shown,) = page.split("Each rebuild prints one line, for example\n\n```text\n", 1)[1] \
        .split("```", 1)[0].splitlines()
    package = "dist/transfer-learning-interview-questions-1.1.0.apkg"
    outcome = Outcome(0.03, package, changes=Changes(changed=("negative-transfer",)))
    assert shown == f"14:02:07 {summary(outcome, package)}"


# ---- the reading of examples ------------------------------------------------------------

def test_commands_outputs_exit_codes_and_setup_are_read_from_a_page(tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n```markdown title=\"cards/a.md\"\n## Q\n```\n\n<!-- example: new -->\n"
        "```console\n$ deckbuild check  # exit 1\ncards/a.md:1: card has no id\n\n"
        "$ cd sub\n$ ls\n```\n\n```sh\n$ not an example\n```\n\n"
        "~~~console\n$ echo ```\n```\n~~~\n", encoding="utf-8")
    first, second = examples(page)
    assert (first.line, first.setup, first.files) == (8, "new", (("cards/a.md", "## Q\n"),))
    assert [(s.command, s.expected, s.exit_code) for s in first.steps] == [
        ("deckbuild check  # exit 1", ("cards/a.md:1: card has no id",), 1),
        ("cd sub", (), 0), ("ls", (), 0)]
    assert (second.setup, second.files, second.steps[0].expected) == ("empty", (), ("```",))


def test_output_before_the_first_command_is_refused():
    with pytest.raises(ValueError):
        parse_steps("Built it\n$ deckbuild build")


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n.\r"),
                max_size=20)


@given(st.lists(_text, max_size=5))
def test_lines_without_a_wildcard_match_only_themselves(lines):
    assert matches(lines, lines)
    assert not matches(lines, [*lines, "more"])
    if lines:
        assert not matches(lines, [*lines[:-1], lines[-1] + "x"])


@given(_text, _text, _text, st.lists(_text, max_size=4))
def test_a_wildcard_stands_for_any_text_in_a_line_or_any_lines(before, varying, after, extra):
    assert matches([f"{before}...{after}"], [before + varying + after])
    assert matches(["first", "...", "last"], ["first", *extra, "last"])
    assert not matches(["first", "...", "last"], ["first", *extra])
