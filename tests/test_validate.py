"""The checks `check` runs on one card's Markdown: where math and code begin and end."""

from __future__ import annotations

from deckbuild.errors import Problem
from deckbuild.records import Card
from deckbuild.source.validate import duplicate_questions, math_problems


def card(answer: str, question: str = "Q?", line: int = 3) -> Card:
    return Card("q", question, answer, "", "", (), "S", "cards/x.md", line, 0, line + 2)


def test_inline_math_is_not_carried_across_a_code_block():
    # A fence ends the paragraph, so the `$` before it never closes: the `$` after the block
    # opens nothing either (nothing follows it).
    answer = "Inline $x opens\n```\ncode\n```\nand y$"
    assert math_problems(card(answer)) == [
        Problem("cards/x.md", 5, "unbalanced math: '$' is never closed")]


def test_a_shorter_fence_inside_a_longer_one_is_code_not_its_end():
    # A README that shows Markdown: the inner ``` lines are text of the outer ```` block.
    answer = "Write it so:\n````md\n```\n$x\n```\n````\nDone."
    assert math_problems(card(answer)) == []
    assert math_problems(card("````\n```python\n````\n$x")) == [
        Problem("cards/x.md", 8, "unbalanced math: '$' is never closed")]


def test_a_dollar_sign_before_inline_code_opens_no_math():
    assert math_problems(card("Shell variables read as $`HOME`, not as math.")) == []


def test_questions_differing_only_in_case_and_spaces_are_duplicates():
    cards = [card("A", "What is  Fine-tuning?", 3), card("A", "what is fine-tuning?", 9)]
    assert duplicate_questions(cards) == [
        Problem("cards/x.md", 9, "same question as cards/x.md:3", "warning")]


def test_words_that_only_uppercase_alike_are_not_duplicates():
    # German: Masse (mass) and Maße (measures) are different words; only their upper case
    # is the same (MASSE).
    cards = [card("A", "Was ist Masse?", 3), card("A", "Was ist Maße?", 9)]
    assert duplicate_questions(cards) == []
