"""The math grammar (docs/writing-cards.md, Math): what is math, what is a price.

One grammar (deckbuild/source/mathgrammar.py) serves the checks and the renderer; the
property test holds both to an independent reader, markdown-it's dollarmath plugin with
the options the grammar documents.
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deckbuild.errors import Problem
from deckbuild.markdown.render import Renderer
from deckbuild.records import Card
from deckbuild.source.mathgrammar import DOLLARMATH_OPTIONS, dollar_math_at
from deckbuild.source.validate import math_problems

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")
dollarmath = pytest.importorskip("mdit_py_plugins.dollarmath",
                                 reason="mdit-py-plugins is in the test extra")

RENDERER = Renderer()
FIELDS = ("Question", "Answer", "Extra", "Source", "Id")
ANSWER_LINE = 6


def card(answer: str) -> Card:
    return Card("q", "Q?", answer, "", "", (), "S", "cards/x.md", 3, 4, ANSWER_LINE)


def answer_html(text: str) -> tuple[str, list[Problem]]:
    note, problems = RENDERER.render(card(text), "g", "D", (), FIELDS)
    return note.fields[1], problems


def test_the_examples_of_the_grammar():
    assert answer_html("a rate of $0.5$, then")[0] == (
        '<p>a rate of <span class="arithmatex">\\(0.5\\)</span>, then</p>')
    assert math_problems(card("a rate of $0.5$, then")) == []
    assert answer_html("$5 and $10")[0] == "<p>$5 and $10</p>"
    assert math_problems(card("$5 and $10")) == []
    # A price, then math in the same paragraph: the price's `$` opens nothing.
    shown, problems = answer_html("A share costs $5 and the rate is $r$.")
    assert shown == ('<p>A share costs $5 and the rate is '
                     '<span class="arithmatex">\\(r\\)</span>.</p>') and problems == []
    # Backslashes are TeX's: `\{` stays `\{`, inline and in display math.
    assert "\\(\\{x\\}\\)" in answer_html("Set $\\{x\\}$.")[0]
    assert "\\[ \\{x\\} \\]" in answer_html("$$\n\\{x\\}\n$$")[0]


def test_math_in_raw_html_is_typeset_and_code_in_it_is_not():
    shown, problems = answer_html("<details>\n<summary>Answer</summary>\n\nThe loss $L$ falls."
                                  "\n\n</details>\n\n<pre><code>echo $HOME $PATH</code></pre>")
    assert '<span class="arithmatex">\\(L\\)</span> falls.' in shown
    assert "<pre><code>echo $HOME $PATH</code></pre>" in shown and problems == []
    fenced, _ = answer_html("```sh\necho $a$ $b$\n```")
    assert "arithmatex" not in fenced


def test_display_math_holds_blank_lines():
    shown, problems = answer_html("Where\n\n$$\na = b\n\n+ c \\{d\\}\n$$\n\ndone")
    assert shown == ('<p>Where</p>\n<div class="arithmatex">\\[ a = b  + c \\{d\\} \\]</div>\n'
                     '<p>done</p>')
    assert problems == []


def test_a_padded_span_is_refused_with_its_fix_and_never_shipped_raw():
    problems = math_problems(card("Intro\n\nthe loss $ L(x) $ here"))
    assert problems == [Problem("cards/x.md", ANSWER_LINE + 2,
                                "'$ L(x) $' is not typeset: math has no space inside its "
                                "dollars (write $L(x)$, or '\\$' for a dollar sign)")]
    assert problems[0].is_error  # build fails exactly when check reports it
    # Prices with a space are not padded math.
    assert math_problems(card("It costs $ 5 and $ 6 a month.")) == []


def test_math_refused_as_a_price_is_a_warning_that_strict_turns_into_an_error():
    [problem] = math_problems(card("so $x$5 apples"))
    assert problem.severity == "warning" and problem.line == ANSWER_LINE
    assert "'$x$5' is read as dollar signs" in problem.message


# --- the oracle ------------------------------------------------------------------------

ORACLE = markdown_it.MarkdownIt("commonmark").use(dollarmath.dollarmath_plugin,
                                                  **DOLLARMATH_OPTIONS)
_TYPESET = re.compile(r'<(span|div) class="arithmatex">.*?</\1>', re.DOTALL)


def oracle_spans(text: str) -> list[tuple[str, bool, tuple[int, int]]]:
    """(TeX, display, lines) of every math span markdown-it's dollarmath finds (an empty
    `$$$$` block shows nothing either way: not counted)."""
    found = []
    for token in ORACLE.parse(text):
        if token.type in ("math_block", "math_block_label"):
            found.append((token.content, True, tuple(token.map)))
        for child in token.children or ():
            if child.type.startswith("math_inline"):
                found.append((child.content, child.type == "math_inline_double",
                              tuple(token.map)))
    return [span for span in found if span[0].strip()]


def oracle_misreads(text: str) -> bool:
    """dollarmath looks one character before a paragraph's first `$` at src[-1], which
    Python reads as the paragraph's last character: a paragraph that starts with `$` and
    ends in a digit or a backslash is misread (the grammar does not copy that slip). Its
    block rule also ends `$$` at a line ending in `\\$$`, escaped or not (a TODO of the
    plugin's)."""
    # (Not the plugin's slip, but a known difference: as on GitHub, `$$` right under a text
    # line opens display math of its own; in CommonMark it cannot interrupt the paragraph.
    # test_gfm holds that rule.)
    if re.search(r"[^\n]\n *\$\$", text) or "$$$" in text:
        return True  # (and three dollars in a row are read differently by every tool)
    return "\\$$" in text or any(
        t.type == "inline" and t.content.startswith("$") and t.content[-1:] in "0123456789\\"
        for t in ORACLE.parse(text))


def typeset_as(tex: str, display: bool) -> str:
    tex = html.escape(tex.replace("\n", " "), quote=display)
    return f"\\[{tex}\\]" if display else f"\\({tex}\\)"


PIECES = ["x", "y", "a b", "5", "0.5", "10", "\\{", "\\}", "\\alpha", "\\$", "\\", "+", ",",
          ".", "=", "(", ")", "^2", "_i", "text", "$", "$", "$", "$$", " ", " ", "\n",
          "\n\n", "\n$$\n", "$$\n", "\n\n<details>\n", "\n</details>\n\n", "<b>", "</b>"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=24).map("".join))
def test_every_span_markdown_it_finds_is_typeset_or_reported(text: str) -> None:
    text = text.strip()
    assume(text and not oracle_misreads(text))
    shown, problems = answer_html(text)
    errors = [p for p in problems if p.is_error]
    flat = " ".join(shown.split())  # TeX reads a run of spaces and newlines as one space
    for tex, display, (first, last) in oracle_spans(text):
        lines = range(ANSWER_LINE + first, ANSWER_LINE + last)
        expected = " ".join(typeset_as(tex, display).split())
        assert expected in flat or any(p.line in lines for p in problems), (
            text, tex, shown, problems)
    if not errors and "\\$" not in text:  # (an escaped `\$` is meant to show as `$`)
        # No field holds `$`-TeX: what is left outside the typeset math reads as no math.
        rest = html.unescape(re.sub(r"<[^>]+>", "\n\n", _TYPESET.sub(" ", shown)))
        assert oracle_spans(rest) == [], (text, shown)


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=16).map("".join))
@settings(max_examples=200, deadline=None)
def test_the_grammar_finds_what_markdown_it_finds_on_one_line(text: str) -> None:
    line = " ".join(text.split())
    # (a line starting with `$$` is a block, one with a tag may be raw HTML: not text)
    assume(line and not oracle_misreads(line) and not line.startswith("$$") and "<" not in line)
    ours, pos = [], 0
    while pos < len(line):
        found = dollar_math_at(line, pos) if line[pos] == "$" else None
        if found is not None:
            if found.tex.strip():
                ours.append((found.tex, found.display))
            pos = found.end
        elif line[pos] == "\\":
            pos += 2  # an escape: markdown-it's escape rule takes the next character
        else:
            pos += 1
    theirs = [(tex, display) for tex, display, _ in oracle_spans(line)]
    assert ours == theirs, line
