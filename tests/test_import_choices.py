"""Quiz items with `- (x)` / `- ( )` options: options on the front, the right ones on the back."""

from __future__ import annotations

from deckbuild.importers import import_sources
from deckbuild.importers.lines import read_document


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("quiz.md", "quiz", text)]).files
    return imported


_QUIZ = """# Quiz

1*. Which are even?

    ```text
    2, 3, 4
    ```

    - (x) 2
    - ( ) 3
    - (x) 4

1. Which is prime?

- ( ) 4
- (x) 5
  (the only one here)
"""


def test_the_options_are_on_the_front_and_the_right_ones_are_the_answer():
    imported = _import(_QUIZ)
    assert imported.layout == "choices"
    even, prime = imported.cards
    assert even.question == "Which are even?"
    assert even.front == "```text\n2, 3, 4\n```\n\n- 2\n- 3\n- 4"
    assert even.answer == "- 2\n- 4"
    assert prime.front == "- 4\n- 5\n  (the only one here)"
    assert prime.answer == "- 5\n  (the only one here)"


def test_a_draft_in_an_html_comment_is_no_card_and_its_open_fence_hides_nothing():
    text = "<!--\n1. Draft?\n```\nunfinished\n- (x) a\n- ( ) b -->\n\n" + _QUIZ
    imported = _import(text)
    assert [card.question for card in imported.cards] == ["Which are even?", "Which is prime?"]
    doc = read_document(text, "quiz.md", "quiz")
    assert not any(line.code for line in doc.lines[:6])


def test_a_numbered_list_without_marked_options_is_not_a_quiz():
    for options in ("- 4\n- 5\n", "- ( ) 4\n- ( ) 6\n", "- (x) 5\n"):  # none marked right
        imported = _import("# Notes\n\n1. Which is prime?\n\n" + options)
        assert imported.layout != "choices"
