"""A Q&A file written for GitHub, imported with the Anki engine: nothing extra, nothing lost."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support import make_project

from deckbuild.cli import cli

GITHUB_STYLE = """# Transfer Learning Q&A

Answers to common interview questions, one per heading.

---

## Question 1: What is a domain?
<!-- id: domain -->

A feature space and a marginal distribution over it.

---

## Question 2: What is a task?
<!-- id: task -->

A label space and a predictive function.

***

Learned from the data.

___
"""


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def test_separators_numbers_and_the_intro(tmp_path: Path, anki):
    project = make_project(tmp_path / "p", {"qa.md": GITHUB_STYLE})
    checked = run(project, "check")
    assert checked.stdout.splitlines() == [
        "cards/qa.md:3: warning: not part of any card: cards start at a '## ' heading; this "
        "text is left out"]
    assert run(project, "build", "--strict").exit_code == 1
    built = run(project, "build", "--timestamp", "1700000000")
    assert built.exit_code == 0, built.output
    anki.import_package(next((project / "dist").glob("*.apkg")))
    notes = {anki.col.get_note(n)["Id"]: anki.col.get_note(n) for n in anki.col.find_notes("")}
    assert notes["domain"]["Question"] == "What is a domain?"
    assert notes["domain"]["Answer"] == "<p>A feature space and a marginal distribution over it.</p>"
    # The break inside the answer stays; the ones that end cards are gone.
    assert notes["task"]["Answer"].count("<hr") == 1
    assert notes["task"]["Answer"].endswith("<p>Learned from the data.</p>")
