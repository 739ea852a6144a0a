"""`build` is `check` plus writing: on any damaged copy of a project both fail together,
with the same errors, and a failed build leaves dist/, the lock and the cache as they were.

A hypothesis property over mutations of the mini project (tests/data/mini): cards
duplicated, moved or deleted; ids removed, repeated or garbled; fences, math and front
matter broken; stray lines inserted; now and then one more change beside the cards (a
setting, a schema change, a damaged lock, a missing image). Every command runs through
click's CliRunner.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support import make_project, snapshot

from deckbuild.cli import cli

EXAMPLES = 300 if os.environ.get("CI") else 40
TIMESTAMP = "1700000000"
SNIPPETS = [
    "```", "```python", "~~~", "$", "$$", "\\(", "\\]", "$x_1 < x_2", "<!-- id: gradient-step -->",
    "<!-- id: Bad Id -->", "<!-- id: -->", "<!-- extra -->", "<!-- tags: a\"b -->",
    "<!-- source: a book -->", "<!-- colour: red -->", "---", "***", "# Title", "## ",
    "## Another question?", "section: Elsewhere", "tags: [a, b", "stray text", "| a | b | c |",
    "![x](../media/nope.png)", "<script>alert(1)</script>", "## Q5. A numbered question?",
    "```nosuchlanguage", "", "---\nsection: Twice\n---",
]
# Changes beside the cards: settings added under [tool.deckbuild.notetype] or
# [tool.deckbuild], the lock damaged, an image removed, a field added (see configure).
SETTINGS = [
    ("notetype", 'map = { Extra = "source" }'), ("notetype", 'map = { Question = "answer" }'),
    ("notetype", 'map = { Hint = "extra" }'), ("notetype", "map = 3"),
    ("deck", "question_numbers = true"), ("deck", 'question_numbers = "no"'),
    ("deck", "colour = 1"),
    ("lock", '{"format": '),  # a damaged lock file
    ("media", "layers.png"),  # an image the cards use, removed
    # A schema change, which the lock written by the first build refuses (a field in the
    # middle: one added at the end is growth, allowed).
    ("fields", '"Hint", "Source", "Id"]\nmap = { Hint = "extra" }'),
]
OPERATIONS = ["delete_line", "duplicate_line", "insert", "replace", "splice", "duplicate_card",
              "copy_card_to_other_file", "delete_card"]
mutation = st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10**6), st.integers(0, 10**6),
                     st.sampled_from(SNIPPETS))


@pytest.fixture(scope="module")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project after one good build: dist/, the lock and the cache all exist."""
    project = make_project(tmp_path_factory.mktemp("mini") / "p", mini=True)
    result = run(project, "build", "--timestamp", TIMESTAMP)
    assert result.exit_code == 0, result.output
    assert (project / "deck.lock.json").exists() and (project / ".deckbuild-cache").is_dir()
    return project


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def card_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each `## ` block, ignoring fences: rough on purpose, it is a mutator."""
    starts = [i for i, line in enumerate(lines) if re.match(r"## ", line)]
    return list(zip(starts, [*starts[1:], len(lines)][:len(starts)], strict=True))


def mutate(files: dict[str, list[str]], op: str, a: int, b: int, snippet: str) -> None:
    names = sorted(files)
    name, other = names[a % len(names)], names[(a + 1) % len(names)]
    lines = files[name]
    at = b % (len(lines) + 1)
    spans = card_spans(lines)
    if op == "delete_line" and lines:
        del lines[at % len(lines)]
    elif op == "duplicate_line" and lines:
        lines.insert(at % len(lines), lines[at % len(lines)])
    elif op == "insert":
        lines[at:at] = snippet.split("\n")
    elif op == "replace" and lines:
        lines[at % len(lines):at % len(lines) + 1] = snippet.split("\n")
    elif op == "splice" and lines:
        line = lines[at % len(lines)]
        column = b % (len(line) + 1)
        lines[at % len(lines)] = line[:column] + snippet + line[column:]
    elif spans:
        start, end = spans[b % len(spans)]
        block = lines[start:end]
        if op == "duplicate_card":
            lines[end:end] = block
        elif op == "copy_card_to_other_file":
            files[other] += ["", *block]
        elif op == "delete_card":
            del lines[start:end]


def state(project: Path) -> dict[str, dict[str, bytes]]:
    """What a failed build must not touch."""
    lock = project / "deck.lock.json"
    return {"dist": snapshot(project / "dist"), "cache": snapshot(project / ".deckbuild-cache"),
            "lock": {"deck.lock.json": lock.read_bytes()} if lock.exists() else {}}


def assert_build_is_check(project: Path, strict: bool) -> int:
    flags = ["--strict"] if strict else []
    before = state(project)
    built = run(project, "build", "--timestamp", TIMESTAMP, *flags)
    after = state(project)
    checked = run(project, "check", *flags)
    for result in (built, checked):
        assert result.exit_code in (0, 1), result.output
        assert "internal error" not in result.output and "Traceback" not in result.output
    assert built.exit_code == checked.exit_code, (built.output, checked.output)
    reported = sorted(checked.stdout.splitlines())  # (the summary is on stderr)
    if built.exit_code:
        assert after == before
        shown = sorted(line.removeprefix("Error: ") for line in built.output.splitlines())
        expected = reported if strict else [x for x in reported if ": warning: " not in x]
        assert shown == expected
    else:
        warned = sorted(line for line in built.output.splitlines() if ": warning: " in line)
        assert warned == reported
    return built.exit_code


def configure(project: Path, table: str, line: str) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    if table == "lock":
        (project / "deck.lock.json").write_text(line)
    elif table == "media":
        (project / "media" / line).unlink()
    elif table == "fields":
        text = text.replace('"Source", "Id"]', line, 1)
    else:
        header = "[tool.deckbuild.notetype]\n" if table == "notetype" else "[tool.deckbuild]\n"
        text = text.replace(header, f"{header}{line}\n", 1)
    pyproject.write_text(text)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(mutation, min_size=1, max_size=3), st.none() | st.sampled_from(SETTINGS))
def test_build_fails_exactly_when_check_does(built_mini: Path, mutations, setting):
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(shutil.copytree(built_mini, Path(tmp) / "p", symlinks=True))
        if setting is not None:
            configure(project, *setting)
        cards = project / "cards"
        files = {p.name: p.read_text(encoding="utf-8").split("\n") for p in cards.glob("*.md")}
        for m in mutations:
            mutate(files, *m)
        for name, lines in files.items():
            (cards / name).write_text("\n".join(lines), encoding="utf-8")
        codes = (assert_build_is_check(project, strict=False),
                 assert_build_is_check(project, strict=True))
        event(f"exit codes (plain, strict): {codes}")


def test_a_repeated_card_fails_build_like_check(built_mini: Path, tmp_path: Path):
    """The example that once crashed the writer: a card pasted twice into its own file."""
    project = Path(shutil.copytree(built_mini, tmp_path / "p", symlinks=True))
    files = {p.name: p.read_text(encoding="utf-8").split("\n")
             for p in (project / "cards").glob("*.md")}
    mutate(files, "duplicate_card", 1, 0, "")
    for name, lines in files.items():
        (project / "cards" / name).write_text("\n".join(lines), encoding="utf-8")
    assert_build_is_check(project, strict=False)
    assert "cards/more.md:13: duplicate id 'one-benefit' (first used at cards/more.md:7)" in run(
        project, "check").output


def test_strict_build_and_check_agree_on_a_warning_beside_a_refused_schema_change(
        built_mini: Path, tmp_path: Path):
    """Under --strict a warning is fatal, but the guards' errors are still reported."""
    project = Path(shutil.copytree(built_mini, tmp_path / "p", symlinks=True))
    configure(project, *SETTINGS[-1])
    basics = project / "cards" / "basics.md"
    basics.write_text(basics.read_text().replace("# Basics\n", "# Basics\n\nAn intro.\n"))
    assert_build_is_check(project, strict=True)
    assert "the note type's schema changed" in run(project, "build", "--strict").output


def test_a_damaged_lock_is_reported_with_the_cards_problems(built_mini: Path, tmp_path: Path):
    project = Path(shutil.copytree(built_mini, tmp_path / "p", symlinks=True))
    configure(project, "lock", '{"format": ')
    basics = project / "cards" / "basics.md"
    basics.write_text(basics.read_text().replace("<!-- id: gradient-step -->\n", ""))
    assert_build_is_check(project, strict=False)
    output = run(project, "check").output
    assert "deck.lock.json:1: unreadable lock file" in output and "card has no id" in output
