"""Strangers' files as a phone shows them: imported quizzes and formulas in headless
Chromium with MathJax 3, in Anki's reviewer's page, at 360 px, day and night."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import Face, open_reviewer, package_faces, screenshot
from click.testing import CliRunner
from support import make_project

from deckbuild.cli import cli

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = ["en-quiz-js-output.md", "zh-quiz-options-details.md", "ru-quiz-answer-line.md",
         "zh-headings3-numbered-dl.md", "ar-headings2-qmark.md", "en-obsidian-flashcard-tag.md"]


@pytest.fixture(scope="module")
def faces(tmp_path_factory) -> tuple[list[Face], Path]:
    root = tmp_path_factory.mktemp("strangers")
    project = make_project(root / "p")
    runner = CliRunner()
    done = runner.invoke(cli, ["import", *(str(CORPUS / f) for f in FILES), "--project",
                               str(project)], obj={})
    assert done.exit_code == 0, done.output
    built = runner.invoke(cli, ["--project", str(project), "build", "--timestamp", "1700000000"],
                          obj={})
    assert built.exit_code == 0, built.output
    return package_faces(next((project / "dist").glob("*.apkg")), root / "anki")


def test_a_quiz_shows_its_code_and_options_on_the_front(faces):
    fronts = {f.card: f.html for f in faces[0] if f.side == "question"}
    quiz = [html for html in fronts.values() if "language-javascript" in html]
    assert len(quiz) == 2
    assert all('class="tl-front"' in html and "<li>A: <code>" in html for html in quiz)
    # The back shows the front once (as Anki's {{FrontSide}}), then only the answer.
    backs = [f.html for f in faces[0] if f.side == "answer" and "language-javascript" in f.html]
    assert len(backs) == 2 and all(html.count("language-javascript") == 1 for html in backs)


@pytest.mark.parametrize("night", [False, True], ids=["day", "night"])
def test_imported_cards_typeset_highlight_and_fit_a_phone(chromium, faces, night):
    cards, media = faces
    page, site, report = open_reviewer(chromium, cards, 360, night, media)
    quiz = next(f.card for f in cards if f.side == "question" and "language-javascript" in f.html)
    screenshot(page, quiz, "question", f"strangers-quiz-360-{'night' if night else 'day'}")
    page.close()
    assert report["counts"]["math"] > 0 and report["counts"]["code"] > 0
    for check in ("untypeset", "mathErrors", "leftoverTex", "unhighlighted", "overflow",
                  "notScrolling", "verticalScroll", "contrast", "fonts"):
        assert report[check] == [], check
    assert report["pageWidth"] <= report["viewport"] == 360
    assert site.refused == []
