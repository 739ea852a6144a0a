"""Quiz items with marked options (`- (x)`, `- [x]`, `- \\[x]`): the options on the front,
the right ones on the back."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

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


def test_checkbox_marks_are_options_too_escaped_or_not():
    for box, empty in (("[x]", "[ ]"), ("\\[x]", "\\[ ]"), ("[X]", "[]")):
        imported = _import(f"# Quiz\n\n1. Which is prime?\n   - {empty} 4\n   - {box} 5\n")
        assert imported.layout == "choices", box
        (card,) = imported.cards
        assert (card.front, card.answer) == ("- 4\n- 5", "- 5")


def test_a_heading_over_marked_options_puts_them_on_the_front():
    text = ("# Kuis\n\n#### Q1. Mana yang prima?\n\n- \\[ ] 4\n- \\[x] 5\n\n"
            "#### Q2. Mana yang genap?\n\n```text\n2 3\n```\n\n- [x] 2\n- [ ] 3\n")
    imported = _import(text)
    first, second = imported.cards
    assert (first.question, first.front, first.answer) == ("Mana yang prima?", "- 4\n- 5", "- 5")
    assert second.front == "```text\n2 3\n```\n\n- 2\n- 3"
    assert second.answer == "- 2"
    assert not imported.left_out


def test_a_checklist_that_is_not_a_quiz_stays_in_the_answer():
    done = "## How do I release?\n\n- [x] Bump the version\n- [x] Tag it\n"
    followed = "## How do I release?\n\n- [x] Bump\n- [ ] Tag\n\nThen push the tag.\n"
    for text in (done, followed):  # every box ticked; text after the list
        (card,) = _import(text).cards
        assert card.front == ""
        assert "[x] Bump" in card.answer.replace("\\", "")


_WORDS = st.text(alphabet=st.sampled_from("abcdefghij xyzäöüßçğışñ你好ـب"), min_size=1,
                 max_size=12).map(str.strip).filter(bool)


@given(options=st.lists(st.tuples(st.booleans(), _WORDS), min_size=2, max_size=6,
                        unique_by=lambda option: option[1]),
       mark=st.sampled_from([("(x)", "( )"), ("[x]", "[ ]"), ("\\[x]", "\\[ ]")]),
       heading=st.booleans())
def test_any_quiz_has_its_options_on_the_front_and_the_marked_ones_as_answer(
        options: list[tuple[bool, str]], mark: tuple[str, str], heading: bool):
    assume(len({right for right, _ in options}) == 2)  # some right, some wrong
    lines = [f"- {mark[0] if right else mark[1]} {text}" for right, text in options]
    question = "### 1. Pick?" if heading else "1. Pick?"
    (card,) = _import("# Quiz\n\n" + question + "\n\n" + "\n".join(lines) + "\n").cards
    assert card.front == "\n".join(f"- {text}" for _, text in options)
    assert card.answer == "\n".join(f"- {text}" for right, text in options if right)
