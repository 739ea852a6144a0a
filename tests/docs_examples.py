"""The command examples of the docs, read from their pages (docs/testing.md: Examples).

A fenced block marked `console` is an example: lines starting with `$ ` are commands,
the lines under each are what it prints (stdout and stderr together). In the expected
output `...` stands for any text within a line (times, hashes, paths), and a line that
is only `...` for any number of lines. A command exits 0 unless it ends with a comment
`# exit N`. `cd DIR` changes the folder of the commands after it.

The comment `<!-- example: SETUP -->` above a block says where it runs: `empty` (the
default), `new` (a project made by `deckbuild init . --name "My Deck"`) or `deck` (a
copy of this repository's deck). A block titled with a path (```` ```markdown
title="cards/02-more.md" ````) between the previous example and this one is written
there first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted((REPO / "docs").glob("*.md"))

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_SETUP = re.compile(r"^<!--\s*example:\s*(?P<setup>[\w-]+)\s*-->$")
_TITLE = re.compile(r'\btitle="(?P<title>[^"]+)"')
_EXIT = re.compile(r"\s+#\s*exit\s+(?P<code>\d+)\s*$")
SETUPS = ("empty", "new", "deck")


@dataclass(frozen=True)
class Step:
    command: str
    expected: tuple[str, ...]
    exit_code: int = 0


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    setup: str
    files: tuple[tuple[str, str], ...] = ()
    steps: tuple[Step, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass(frozen=True)
class Block:
    line: int  # of the opening fence, 1-based
    info: str
    body: str
    above: str  # the nearest non-blank line above the fence


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, outermost only."""
    lines = text.split("\n")
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opened = _FENCE.match(lines[index])
        if not opened:
            index += 1
            continue
        fence = opened["fence"]
        end = index + 1
        while end < len(lines):
            closing = lines[end].strip()
            if closing.startswith(fence) and set(closing) == {fence[0]}:
                break
            end += 1
        above = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        found.append(Block(index + 1, opened["info"].strip(), "\n".join(lines[index + 1:end]),
                           above))
        index = end + 1
    return found


def parse_steps(body: str) -> tuple[Step, ...]:
    """A console block's commands, each with the lines it prints and its exit status."""
    steps: list[Step] = []
    command: str | None = None
    expected: list[str] = []
    for line in body.split("\n"):
        if line.startswith("$ "):
            if command is not None:
                steps.append(_step(command, expected))
            command, expected = line[2:], []
        elif command is None:
            if line.strip():
                raise ValueError(f"output before the first command: {line!r}")
        else:
            expected.append(line)
    if command is not None:
        steps.append(_step(command, expected))
    return tuple(steps)


def _step(command: str, expected: list[str]) -> Step:
    status = _EXIT.search(command)
    while expected and not expected[-1].strip():
        expected.pop()
    return Step(command, tuple(expected), int(status["code"]) if status else 0)


def examples(page: Path) -> list[Example]:
    text = page.read_text(encoding="utf-8")
    found: list[Example] = []
    files: list[tuple[str, str]] = []
    for block in blocks(text):
        language = block.info.split()[0] if block.info.split() else ""
        title = _TITLE.search(block.info)
        if title and language != "console":
            files.append((title["title"], block.body + "\n"))
            continue
        if language != "console":
            continue
        marked = _SETUP.match(block.above)
        setup = marked["setup"] if marked else "empty"
        if setup not in SETUPS:
            raise ValueError(f"{page.name}:{block.line}: unknown example setup {setup!r}")
        found.append(Example(page.name, block.line, setup, tuple(files), parse_steps(block.body)))
        files = []
    return found


def matches(expected: tuple[str, ...] | list[str], actual: list[str]) -> bool:
    """Whether printed lines match expected ones, `...` standing for what varies."""
    return _match_lines(list(expected), actual)


def _match_lines(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    head = expected[0]
    if head.strip() == "...":
        return any(_match_lines(expected[1:], actual[skip:]) for skip in range(len(actual) + 1))
    if not actual:
        return False
    line = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(line, actual[0]) is not None and _match_lines(expected[1:], actual[1:])
