"""Cloze deletions survive Markdown; bad ones are errors at their line."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_project

from deckbuild.markdown.render import Renderer
from deckbuild.pipeline import check_all
from deckbuild.project.config import load_config
from deckbuild.records import Card
from deckbuild.speed.parallel import RenderOptions

CLOZE_PARTS = ("Answer", "Question", "Extra", "Source", "Id")


def _render(answer: str, notetype: str = "cloze") -> tuple[str, list[str]]:
    card = Card("c", "Context", answer, "", "", (), "S", "a.md", 3, 4, 6, notetype=notetype)
    note, problems = Renderer().render(card, "g", "d", (), CLOZE_PARTS)
    return note.fields[0], [str(p) for p in problems]


@pytest.mark.parametrize(("source", "html"), [
    ("{{c1::*negative* transfer}}", "<p>{{c1::<em>negative</em> transfer}}</p>"),
    ("{{c1::`model.eval()`::a method}}", "<p>{{c1::<code>model.eval()</code>::a method}}</p>"),
    ("{{c2::[LoRA](https://example.org/lora)}}",
     '<p>{{c2::<a href="https://example.org/lora" rel="noopener noreferrer">LoRA</a>}}</p>'),
    ("- freeze {{c1::the backbone}}\n- train {{c2::the head}}",
     "<ul>\n<li>freeze {{c1::the backbone}}</li>\n<li>train {{c2::the head}}</li>\n</ul>"),
    ("| a | b |\n|---|---|\n| {{c1::x}} | y |", "<td>{{c1::x}}</td>"),
    ("{{c1::$\\epsilon_T$}}", '<p>{{c1::<span class="arithmatex">\\(\\epsilon_T\\)</span>}}</p>'),
])
def test_markdown_inside_and_around_a_deletion_renders(source: str, html: str):
    rendered, problems = _render(source)
    assert html in rendered and problems == []


def test_a_double_brace_in_math_inside_a_deletion_never_ends_it():
    rendered, problems = _render("{{c1::$\\frac{1}{n_{s}}$}} and $\\frac{a}{b_{i}}$")
    assert problems == []
    assert "{{c1::<span class=\"arithmatex\">\\(\\frac{1}{n_{s} }\\)</span>}}" in rendered
    assert "\\frac{a}{b_{i}}" in rendered  # outside a deletion the TeX stays as written


def test_the_same_text_in_a_basic_card_is_left_alone():
    rendered, problems = _render("{{c1::$\\frac{1}{n_{s}}$}}", notetype="basic")
    assert "n_{s}}" in rendered and problems == []


@pytest.mark.parametrize(("source", "expected"), [
    ("no deletion at all", ["a.md:3: cloze card has no deletion: mark one as {{c1::text}} "
                            "(or {{c1::text::hint}})"]),
    ("first\n\n{{c0::zero}}", ["a.md:8: '{{c0::' is no deletion number: numbers start at c1"]),
    ("{{c1::fine}}\n\n{{c2::never closed", ["a.md:8: a deletion is never closed: end it "
                                            "with '}}'"]),
    ("{{c1::fine}} and {{c2:typo}}", ["a.md:6: '{{' opens no deletion: write {{c1::text}}"]),
    ("{{c1::`a}}b`}}", ["a.md:6: '}}' inside code ends the deletion early in Anki: take the "
                       "code out of the deletion"]),
    ("{{c1::x}}\n\n```python\ny = {{c2::f(x)}}\n```\n\n~~~\n{{c3::z}}\n~~~",
     ["a.md:9: a deletion inside a code block is not one to Anki (the highlighting splits it): "
      "put it in inline code or outside the block",
      "a.md:13: a deletion inside a code block is not one to Anki (the highlighting splits "
      "it): put it in inline code or outside the block"]),
])
def test_bad_deletions_are_errors_at_their_line(source: str, expected: list[str]):
    assert _render(source)[1] == expected


def test_check_reports_cloze_errors_and_the_reversed_warning(tmp_path: Path):
    long_answer = " ".join(["word"] * 41)
    project = make_project(tmp_path / "p", {"a.md": (
        "---\ntype: cloze\n---\n# S\n\n## Context\n<!-- id: a -->\n\nno deletion\n\n"
        "## B\n<!-- id: b -->\n<!-- type: reversed -->\n\n" + long_answer + "\n\n"
        "## C\n<!-- id: c -->\n<!-- type: reversed -->\n\nShort.\n\n```python\nx = 1\n```\n")})
    problems = [str(p) for p in check_all(load_config(project), RenderOptions(cache=False))]
    assert problems == [
        "cards/a.md:6: cloze card has no deletion: mark one as {{c1::text}} (or "
        "{{c1::text::hint}})",
        "cards/a.md:15: warning: the answer is a poor front for the reversed card: it has 41 "
        "words (more than 40); shorten it, or use type 'basic'",
        "cards/a.md:21: warning: the answer is a poor front for the reversed card: it holds a "
        "code block; shorten it, or use type 'basic'"]


CLOZE_CARD = ("---\ntype: cloze\n---\n# S\n\n## Transfer\n<!-- id: t -->\n\n"
              "{{c1::Negative transfer}} hurts; {{c2::a baseline}} detects it; "
              "{{c3::LoRA}} adapts cheaply.\n")


def _warnings(project: Path) -> list[str]:
    return [str(p) for p in check_all(load_config(project), RenderOptions(cache=False))
            if not p.is_error]


def test_the_lock_keeps_deletion_numbers_and_changes_to_them_are_warnings(tmp_path: Path):
    import json

    from deckbuild.pipeline import build

    project = make_project(tmp_path / "p", {"a.md": CLOZE_CARD})
    build(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    recorded = json.loads((project / "deck.lock.json").read_text())["notes"]["t"]
    # the lock (and diff) name a cloze note by its heading, the Context field
    assert (recorded["cloze"], recorded["question"]) == ([1, 2, 3], "Transfer")
    card = project / "cards" / "a.md"
    card.write_text(CLOZE_CARD.replace("{{c3::LoRA}}", "LoRA"))
    assert _warnings(project) == [
        "cards/a.md:6: warning: deletion c3 removed from a published note: users keep its "
        "card, empty (Tools > Empty Cards removes it), with its review history"]
    card.write_text(CLOZE_CARD.replace("{{c3::LoRA}}", "{{c4::LoRA}}"))
    assert _warnings(project) == [
        "cards/a.md:6: warning: deletion numbers changed (c1 c2 c3 -> c1 c2 c4): review "
        "history stays with the number, so it moves to another deletion; keep the published "
        "numbers and give new deletions new ones"]
    report = build(load_config(project), now=1_700_000_100, render=RenderOptions(cache=False))
    assert len(report.warnings) == 1 and "deletion numbers changed" in report.warnings[0]
    card.write_text(CLOZE_CARD.replace("{{c3::LoRA}} adapts cheaply.",
                                       "{{c4::LoRA}} adapts cheaply; {{c5::QLoRA}} too."))
    assert _warnings(project) == []  # a new number is a new card, nothing moves
    card.write_text(CLOZE_CARD.replace("{{c2::a baseline}}", "a baseline").replace(
        "{{c3::LoRA}}", "LoRA"))
    assert _warnings(project) == [
        "cards/a.md:6: warning: deletion c2, c4 removed from a published note: users keep its "
        "card, empty (Tools > Empty Cards removes it), with its review history"]
