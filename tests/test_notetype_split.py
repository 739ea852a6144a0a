"""What each built-in note type makes of a card's body, as properties over generated cards.

split() is pure: these run in milliseconds, where the engine tests (test_notetypes_anki.py)
take seconds, and check every rule of it: the type-in answer is the first paragraph as
one line of escaped plain text, the rest explains it; a reversed card warns when its
answer would be a poor front; a cloze deletion inside a fenced block is an error at its
line; a cloze note has one card per distinct deletion number.
"""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.notetypes.cloze_type import cloze_numbers
from deckbuild.notetypes.cloze_type import split as cloze_split
from deckbuild.notetypes.reversed_type import MAX_FRONT_WORDS
from deckbuild.notetypes.reversed_type import split as reversed_split
from deckbuild.notetypes.typein_type import TYPED
from deckbuild.notetypes.typein_type import split as typein_split
from deckbuild.records import Card


def card(answer: str, answer_line: int = 7) -> Card:
    return Card("x", "Q", answer, "", "", (), "S", "cards/a.md", 5, 6, answer_line)


# Lines with the characters HTML escapes and surrounding spaces; never blank.
text_line = st.text(st.sampled_from("abX <>&\"'é"), min_size=1, max_size=12).filter(str.strip)
paragraph = st.lists(text_line, min_size=1, max_size=3)


@settings(max_examples=300)
@given(paragraph, st.lists(text_line, max_size=4), st.integers(1, 500),
       st.sampled_from(["\n\n", "\n  \n", "\n\t\n"]))
def test_type_in_takes_the_first_paragraph_as_the_answer_to_type(first, rest, line, gap):
    body = "\n".join(first) + (gap + "\n".join(rest) if rest else "")
    out, parts, problems = typein_split(card(body, line))
    typed = " ".join(piece.strip() for piece in first)
    assert parts == {TYPED: html.escape(typed, quote=False)}
    assert html.unescape(parts[TYPED]) == typed and "<" not in parts[TYPED]
    # The explanation: from the blank line on, without the line breaks around it.
    assert out.answer == ((gap[1:] + "\n".join(rest)).strip("\n") if rest else "")
    assert (out.question, out.id, out.line, out.answer_line) == ("Q", "x", 5, line)
    if len(first) == 1:
        assert problems == []
    else:
        assert [(p.path, p.line, p.severity) for p in problems] == [("cards/a.md", line + 1,
                                                                      "error")]
        assert problems[0].message == ("the answer to type must be one line: put a blank line "
                                       "after it, the explanation below")


@given(st.sampled_from(["", "\nexplained", "  \nexplained"]), st.integers(1, 99))
def test_a_type_in_card_without_an_answer_line_is_an_error_at_its_heading(body, line):
    out, parts, problems = typein_split(card(body, line))
    assert [(p.path, p.line, p.severity, p.message) for p in problems] == [
        ("cards/a.md", 5, "error", "type-in card has no answer to type: its first paragraph "
                                   "is the exact answer")]
    assert out.answer == body.strip("\n")  # the body is all explanation
    assert parts == {TYPED: ""}


@given(st.integers(0, 2 * MAX_FRONT_WORDS), st.booleans(), st.integers(1, 99))
def test_a_reversed_card_warns_on_a_long_answer_or_a_code_block(words, fenced, line):
    body = " ".join(["w"] * words) + ("\n```\ncode\n```" if fenced else "")
    body = body.strip() or "x"
    count = len(body.split())
    out, parts, problems = reversed_split(card(body, line))
    assert out == card(body, line) and parts == {}
    if count > MAX_FRONT_WORDS:
        why = f"it has {count} words (more than {MAX_FRONT_WORDS})"
    elif fenced:
        why = "it holds a code block"
    else:
        assert problems == []
        return
    assert [(p.path, p.line, p.severity, p.message) for p in problems] == [
        ("cards/a.md", line, "warning", f"the answer is a poor front for the reversed card: "
                                        f"{why}; shorten it, or use type 'basic'")]


def test_a_reversed_answer_of_the_limit_is_no_warning_and_one_more_word_is():
    assert reversed_split(card(" ".join(["w"] * MAX_FRONT_WORDS)))[2] == []
    assert len(reversed_split(card(" ".join(["w"] * (MAX_FRONT_WORDS + 1))))[2]) == 1
    assert len(reversed_split(card("a\n   ~~~\nb\n~~~"))[2]) == 1  # indented, tildes


numbers = st.lists(st.integers(0, 130), max_size=6)


@given(numbers)
def test_a_cloze_has_one_card_per_distinct_deletion_number(ns):
    text = " ".join(f"{{{{c{n}::w{n}}}}}" for n in ns) + " {{c::not one}} {c3::nor this}"
    assert cloze_numbers(text) == tuple(sorted(set(ns) - {0}))


fence = st.sampled_from(["```", "````", "~~~", "~~~~"])


@settings(max_examples=200)
@given(st.lists(st.one_of(
    st.tuples(st.just("open"), fence, st.sampled_from(["", "python", " "])),
    st.tuples(st.just("close"), fence, st.sampled_from(["", "  ", " x"])),
    st.tuples(st.just("text"), st.sampled_from(["plain", "{{c1::a}}", "{{c12::b}}", "`{{c2::c}}`"]),
              st.just("")),
), max_size=8), st.integers(1, 99))
def test_a_deletion_inside_a_code_block_is_an_error_at_its_line(lines, start):
    # The model: a fence opens a block; a line of only the same character, at least as
    # many, closes it; a deletion on a line inside is an error at that line.
    body, expected, open_fence = [], [], ""
    for offset, (_, a, b) in enumerate(lines):
        line = a + b
        body.append(line)
        marker = re.match(r"^\s*(`{3,}|~{3,})", line)
        if open_fence and marker and marker.group(1)[0] == open_fence[0] \
                and len(marker.group(1)) >= len(open_fence) and not line.strip().strip(
                    open_fence[0]):
            open_fence = ""
        elif not open_fence and marker:
            open_fence = marker.group(1)
        elif open_fence and "{{c" in line:
            expected.append(start + offset)
    out, parts, problems = cloze_split(card("\n".join(body), start))
    assert out == card("\n".join(body), start) and parts == {}
    assert [(p.path, p.line, p.severity) for p in problems] == [
        ("cards/a.md", n, "error") for n in expected]
    assert all("a deletion inside a code block" in p.message for p in problems)


def test_a_fence_is_closed_only_by_its_own_character_at_least_as_long():
    body = "```\n~~~\n{{c1::a}}\n``\n{{c2::b}}\n````x\n{{c3::c}}\n````\n{{c4::d}}"
    assert [p.line for p in cloze_split(card(body, 10))[2]] == [12, 14, 16]
