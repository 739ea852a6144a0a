"""The catalogue of bad inputs: tests/cases/*.case, one project each.

A case file is a description, then sections:
  === file PATH      the text of a file in the project (cards/, templates/, media/ ...)
  === bytes PATH     a Python bytes literal written as the file's raw bytes
  === sub PATH       OLD, a line '---->', NEW: a replacement inside an existing file
  === expect CODE    the exit code of `build` and `check`, then one expected message per line
Every expected message must be printed by both commands. Each case starts from a project
that was built once (its card then removed); a failing case leaves dist/ and the lock as
they were.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, read_apkg, snapshot, unsafe_markup, without_docs

from deckbuild.cli import cli

BASE = "# Base\n\n## A card built before the case?\n<!-- id: base -->\n\nYes.\n"
CASES = sorted((Path(__file__).parent / "cases").glob("*.case"))


def load_case(path: Path) -> tuple[list[tuple[str, str, str]], int, list[str]]:
    sections: list[tuple[str, str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("=== "):
            kind, _, arg = line[4:].partition(" ")
            sections.append((kind, arg, []))
        elif sections:
            sections[-1][2].append(line)
    files = [(kind, arg, "\n".join(body)) for kind, arg, body in sections if kind != "expect"]
    (expect,) = [(arg, body) for kind, arg, body in sections if kind == "expect"]
    return files, int(expect[0]), [m for m in expect[1] if m.strip()]


def apply(project: Path, kind: str, target: str, body: str) -> None:
    path = project / target
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "file":
        path.write_text(body.rstrip("\n") + "\n", encoding="utf-8")
    elif kind == "bytes":
        path.write_bytes(ast.literal_eval(body.strip()))
    elif kind == "sub":
        old, new = body.split("\n---->\n")
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {target}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    else:
        raise AssertionError(f"unknown section {kind!r}")


def with_deck_line(message: str, project: Path) -> str:
    """`{deck+N}` in an expected message: N lines below the project's [tool.deckbuild] line
    (test projects copy this repository's settings, whose length changes)."""
    lines = (project / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    deck = lines.index("[tool.deckbuild]") + 1
    return re.sub(r"\{deck\+(\d+)\}", lambda m: str(deck + int(m.group(1))), message)


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path, tmp_path: Path):
    files, code, messages = load_case(case)
    # A project that was built before: it has a package and a lock the failure must not touch.
    project = make_project(tmp_path / "p", {"base.md": BASE})
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    (project / "cards" / "base.md").unlink()
    (project / "dist" / "earlier.apkg").write_bytes(b"an earlier build")
    for kind, target, body in files:
        apply(project, kind, target, body)
    before = snapshot(project / "dist")
    lock_before = (project / "deck.lock.json").read_bytes()
    messages = [with_deck_line(m, project) for m in messages]

    checked = run(project, "check")
    assert checked.exit_code == code, checked.output
    assert without_docs(checked.stdout).splitlines() == messages  # exactly these (stderr: summary)

    built = run(project, "build")
    assert built.exit_code == code, built.output
    assert "Traceback" not in built.output
    for message in messages:
        prefix = "" if ": warning: " in message else "Error: "  # a warning reads as in check
        assert f"{prefix}{message}" in without_docs(built.output).splitlines()
    if code:
        assert snapshot(project / "dist") == before
        assert (project / "deck.lock.json").read_bytes() == lock_before


UNSAFE = [c for c in CASES if c.stem.startswith("unsafe-")]


@pytest.mark.parametrize("case", UNSAFE, ids=[c.stem for c in UNSAFE])
def test_each_unsafe_case_reaches_the_package_safe(case: Path, tmp_path: Path):
    files, code, _ = load_case(case)
    project = make_project(tmp_path / "p")
    for kind, target, body in files:
        apply(project, kind, target, body)
    assert unsafe_markup((project / "cards" / "a.md").read_text())  # the case is unsafe
    assert run(project, "build").exit_code == code == 0
    (note,) = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    assert unsafe_markup(note[5]) == []
    assert "here." in note[5] or "there." in note[5] or "<b>bold</b>" in note[5]


def test_unsafe_html_never_reaches_the_package(tmp_path: Path):
    project = make_project(tmp_path / "p", {"a.md": (
        "# S\n\n## Q?\n<!-- id: q -->\nHi <img src=../media/x.png onerror=alert(1)> "
        '<script>alert(2)</script>\n<a href="javascript:alert(3)">x</a> <b>kept</b>\n')})
    (project / "media" / "x.png").write_bytes(b"an image")
    assert run(project, "build").exit_code == 0
    (note,) = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    fields = note[5]
    assert unsafe_markup(fields) == []
    for bad in ("onerror", "<script", "alert(2)", "javascript:"):
        assert bad not in fields
    assert re.search(r'<img src="x-[0-9a-f]{8}\.png">', fields) and "<b>kept</b>" in fields


def test_strict_turns_warnings_into_failures(tmp_path: Path):
    project = make_project(tmp_path / "p", {"a.md": "# S\n\n## Q?\n<!-- id: q -->\n```nope\nx\n```\n"})
    assert run(project, "check").exit_code == 0
    assert run(project, "check", "--strict").exit_code == 1
    result = run(project, "build", "--strict")
    assert result.exit_code == 1 and "unknown code language 'nope'" in result.output
    assert not (project / "dist").exists()


def test_bom_and_crlf_build_the_same_package_as_lf(tmp_path: Path):
    text = "# S\n\n## Q with $x_1$?\n<!-- id: q -->\n\n```python\nx = 1\n```\n\n| a | b |\n|---|---|\n"
    plain = make_project(tmp_path / "lf", {"a.md": text})
    windows = make_project(tmp_path / "crlf")
    (windows / "cards" / "a.md").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    for project in (plain, windows):
        assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    name = "transfer-learning-interview-questions-1.0.0.apkg"
    assert (plain / "dist" / name).read_bytes() == (windows / "dist" / name).read_bytes()


@pytest.mark.parametrize("folder", ["cards", "media"])
def test_symlink_out_of_the_project_is_refused(tmp_path: Path, folder: str):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# S\n\n## Q?\n<!-- id: leak -->\nsecret\n")
    project = make_project(tmp_path / "p", {"a.md": "# S\n\n## Q?\n<!-- id: q -->\nA.\n"})
    (project / folder / "link.md").symlink_to(outside / "secret.md")
    result = run(project, "build")
    assert result.exit_code == 1
    assert (f"Error: {folder}/link.md: symbolic link to a file outside the project is refused"
            in result.output)


def test_a_one_megabyte_card_builds(tmp_path: Path):
    paragraph = "Transfer learning reuses what a model learned. " * 20 + "\n\n"
    body = paragraph * (1_000_000 // len(paragraph) + 1)
    project = make_project(tmp_path / "p", {"a.md": f"# S\n\n## Big?\n<!-- id: big -->\n{body}"})
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    (note,) = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    assert len(note[5]) > 1_000_000
