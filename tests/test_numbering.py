"""Question numbers stay out of ids, and out of the Question field unless asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, read_apkg

from deckbuild.cli import cli
from deckbuild.source.numbering import without_number


@pytest.mark.parametrize("heading,question", [
    ("Question 5: What is negative transfer?", "What is negative transfer?"),
    ("question 12. Why freeze layers?", "Why freeze layers?"),
    ("Question 3 - What is a domain?", "What is a domain?"),
    ("Q5. What is fine-tuning?", "What is fine-tuning?"),
    ("Q5: What is fine-tuning?", "What is fine-tuning?"),
    ("5. What is fine-tuning?", "What is fine-tuning?"),
    ("17) What is fine-tuning?", "What is fine-tuning?"),
])
def test_a_leading_number_is_removed(heading, question):
    assert without_number(heading) == question


@pytest.mark.parametrize("heading", [
    "What is transfer learning?", "5 reasons to fine-tune?", "Q4 results: a trap?",
    "2.5 times faster: why?", "Question 5:", "Q-learning: what is it?", "1.5B parameters: why?",
])
def test_other_headings_are_kept(heading):
    assert without_number(heading) == heading


NUMBERED = ("# S\n\n## Question 1: What is a domain?\n\nA feature space and a distribution.\n\n"
            "---\n\n## Q2. What is a task?\n\nA label space and a function.\n")


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def test_ids_leave_the_number_out(tmp_path: Path):
    project = make_project(tmp_path / "p", {"a.md": NUMBERED})
    result = run(project, "ids")
    assert result.exit_code == 0, result.output
    text = (project / "cards" / "a.md").read_text()
    assert "<!-- id: what-is-a-domain -->" in text and "<!-- id: what-is-a-task -->" in text


@pytest.mark.parametrize("setting,questions", [
    ("", ["What is a domain?", "What is a task?"]),
    ("question_numbers = false", ["What is a domain?", "What is a task?"]),
    ("question_numbers = true", ["Question 1: What is a domain?", "Q2. What is a task?"]),
])
def test_the_question_field_shows_the_number_only_when_asked(tmp_path: Path, setting, questions):
    project = make_project(tmp_path / "p", {"a.md": NUMBERED})
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.deckbuild]\n",
                                                       f"[tool.deckbuild]\n{setting}\n"))
    assert run(project, "ids").exit_code == 0
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    notes = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    assert sorted(n[5].split("\x1f")[0] for n in notes) == sorted(questions)


def test_switching_the_setting_renders_again_despite_the_cache(tmp_path: Path):
    project = make_project(tmp_path / "p", {"a.md": NUMBERED})
    assert run(project, "ids").exit_code == 0
    assert run(project, "build").exit_code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "[tool.deckbuild]\n", "[tool.deckbuild]\nquestion_numbers = true\n"))
    assert run(project, "build").exit_code == 0
    notes = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    assert "Q2. What is a task?" in [n[5].split("\x1f")[0] for n in notes]
