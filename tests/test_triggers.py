"""Inline patterns skipped on text without their characters: the same HTML, always."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from deckbuild.markdown.render import Renderer
from deckbuild.markdown.triggers import TriggeredInlineProcessor, needed_characters
from deckbuild.source.parse import parse_source

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = 2000 if os.environ.get("CI") else 400
FIELDS = ("Question", "Answer", "Extra", "Source", "Id")


def _stock_renderer() -> Renderer:
    """A Renderer with Python-Markdown's own inline processor: every pattern, every text."""
    renderer = Renderer()
    md = renderer._md
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    return renderer


FAST, STOCK = Renderer(), _stock_renderer()


def test_the_renderer_uses_the_triggered_processor() -> None:
    assert isinstance(FAST._md.treeprocessors["inline"], TriggeredInlineProcessor)
    assert not isinstance(STOCK._md.treeprocessors["inline"], TriggeredInlineProcessor)


@pytest.mark.parametrize(("pattern", "needed"), [
    (r"\[", {"["}),
    (r"(?<!\!)\[", {"["}),  # a look-behind needs nothing
    (r"\*|_", {"*", "_"}),  # either branch
    (r"(?<!\\)`|\$", {"`", "$"}),
    (r"a+b", {"a"}),
    (r"(?i)a", None), (re.compile("a", re.IGNORECASE), None),  # other letters match too
    (r"(?:x)", None),  # letters only where no flag group can ignore case
    (r"(?:x)\$", {"$"}),
    (r"(\*{2})(.+?)\1", {"*"}),
    (r"(?:x|y)?\$", {"$"}),  # an optional part needs nothing; the `$` is needed
    (r"[&<]", {"&", "<"}),
    (r"  \n", {"\n"}),  # of sets as small, the rarer character
    (r"a\*", {"*"}),
    (r"x*", None), (r"[^<]", None), (r".", None), (r"\w+", None), (r"(a)|\s", None),
    (r"^$", None), (r"(?=a)", None), (r"a|", None),
])
def test_needed_characters(pattern: str | re.Pattern[str], needed: set[str] | None) -> None:
    found = needed_characters(pattern)
    assert (None if found is None else set(found)) == needed


def test_the_patterns_of_a_card_need_these_characters() -> None:
    """Pinned: a new Markdown or pymdown-extensions that changes them shows here."""
    patterns = FAST._md.inlinePatterns
    needed = {item.name: needed_characters(patterns[item.name].getCompiledRegExp())
              for item in patterns._priority}
    assert {name: None if chars is None else "".join(sorted(chars))
            for name, chars in needed.items()} == {
        "backtick": "\\`", "deckbuild-math": "$", "deckbuild-bracket-math": "\\",
        "arithmatex-inline": "\\", "escape": "\\",
        "reference": "[",
        "link": "[", "image_link": "!", "image_reference": "!", "short_reference": "[",
        "short_image_ref": "!", "autolink": "<", "automail": "<", "linebreak": "\n",
        "html": "<", "entity": "&", "em_strong": "*_", "delimiter": "~",
    }


inline_bits = st.sampled_from([
    "`", "``", "*", "**", "_", "__", "~", "~~", "$", "$$", "\\", "\\(", "\\)", "\\$", "\\*",
    "[", "]", "(", ")", "![", "[a]: /u", "<", ">", "<b>", "</b>", "<http://x.y>", "<a@b.c>",
    "&", "&amp;", "&#35;", "  \n", "\n", " ", "a", "word", "x_i", "{==", "==}", "+",
    "- ", "1. ", "> ", "| a | b |\n|---|---|\n| c | d |\n", "```\ncode\n```\n", "\n\n",
])
inline_text = st.lists(st.one_of(inline_bits, st.text(max_size=4)), max_size=30).map("".join)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inline_text)
def test_same_html_as_every_pattern_on_every_text(text: str) -> None:
    assert FAST.to_html(text) == STOCK.to_html(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inline_text)
def test_a_pattern_only_matches_text_with_its_characters(text: str) -> None:
    patterns = FAST._md.inlinePatterns
    for item in patterns._priority:
        regex = patterns[item.name].getCompiledRegExp()
        needed = needed_characters(regex)
        if needed is not None and regex.search(text):
            assert any(c in text for c in needed), (item.name, text)


def test_same_notes_for_the_shipped_cards_and_the_benchmark_mixes() -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    import mixes  # the benchmark's corpus shapes: code, math, tables, prose

    texts = [card for path in sorted((REPO / "cards").glob("*.md"))
             for card in parse_source(path.read_text(encoding="utf-8"), path.name)[0].cards]
    bench = [part for mix in mixes.LEANING.values() for i in range(60) for part in mix(i)]
    for card in texts:
        assert FAST.render(card, "", "", (), FIELDS) == STOCK.render(card, "", "", (), FIELDS)
    for text in bench:
        assert FAST.to_html(text) == STOCK.to_html(text), text
    assert re.search(r"<table>", "".join(FAST.to_html(t) for t in bench))


def test_math_checks_skip_only_text_without_dollar_or_backslash() -> None:
    """math_problems and the math-aware block parser skip text holding neither `$` nor
    `\\`: every math token they look for holds one of the two."""
    from deckbuild.markdown import gfmblocks
    from deckbuild.records import Card
    from deckbuild.source import mathgrammar, validate

    for token_re in (validate._TOKEN, mathgrammar._MATH_TOKEN):
        assert needed_characters(token_re) == {"$", "\\"}

    def card(answer: str) -> Card:
        return Card("q", "Q?", answer, "", "", (), "S", "cards/x.md", 3, 4, 6)

    # An opener of math with a backslash alone that nothing closes: still found.
    [problem] = validate.math_problems(card("Here \\( x opens\n\nand never closes."))
    assert "opens no math" in problem.message and problem.line == 6  # its answer line
    assert validate.math_problems(card("No math at all: 5 > 3.")) == []
    # A paragraph whose \[ is left open, and closed later, keeps its next lines as math.
    assert gfmblocks.math_left_open("a \\[ x", None, lambda closer: True) == "\\["
    assert gfmblocks.math_left_open("plain words", "\\[") == "\\["
    assert gfmblocks.math_left_open("y \\] done", "\\[") is None


def test_unknown_fence_languages_are_warned_with_backticks_and_tildes() -> None:
    from deckbuild.records import Card

    for fence in ("```", "~~~"):
        card = Card("q", "Q?", f"Code:\n\n{fence}nosuchlang\nx\n{fence}", "", "", (), "S",
                    "cards/x.md", 3, 4, 6)
        _, problems = FAST.render(card, "", "", (), FIELDS)
        assert [(p.line, p.severity) for p in problems] == [(8, "warning")], fence
