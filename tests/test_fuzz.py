"""Random Markdown and Unicode through parse and render: no crash, nothing that runs script
survives sanitising, math TeX intact."""

from __future__ import annotations

import html
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import unsafe_markup

from deckbuild.markdown.render import Renderer
from deckbuild.records import Card
from deckbuild.source.parse import parse_source
from deckbuild.source.validate import math_problems

EXAMPLES = 2000 if os.environ.get("CI") else 300
FIELDS = ("Question", "Answer", "Extra", "Source", "Id")
RENDERER = Renderer()
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

markdown_bits = st.sampled_from([
    "# ", "## ", "### ", "\n", "\n\n", "```", "```python\n", "~~~", "`", "*", "_", "**", "$",
    "$$", "\\(", "\\)", "\\[", "\\]", "<!-- id: x -->", "<!-- extra -->", "<b>", "</b>",
    "<script>", "| a | b |\n|---|---|\n", "- ", "1. ", "> ", "![i](../media/x.png)", "[l](u)",
    "---\n", "\\", "&amp;", "<", ">", "{", "}", "\t", "\r\n", "\ufeff", "é", "漢字", "🙂",
    # Attempts at script: handlers, script URLs (also disguised), script-capable tags.
    "<img src=x onerror=alert(1)>", "<b onclick='x()'>", " onmouseover=x ", "<svg onload=x>",
    '<a href="javascript:x()">', "<a href=' JaVaScRiPt:x()'>", '<a href="jav&#x09;ascript:x">',
    "[l](javascript:x())", "[l](data:text/html,x)", '<img src="data:image/png;base64,AA">',
    "<iframe src=//e.com>", "<object data=x>", "<style>", "<p style='x' onfocus=x>",
])
markdown_text = st.lists(st.one_of(markdown_bits, st.text(max_size=8)), max_size=40).map("".join)
# TeX that Markdown must not touch: letters, operators, sub/superscripts, braces, commands
# (comparisons spaced, as `<a>` would be an HTML tag, which the checks reject in math).
tex = st.lists(st.sampled_from([
    "a", "b", "x_i", "y^2", "*", "_", "+", "-", "=", " < ", " > ", "&", "\\alpha", "\\frac{a}{b}",
    "\\sum_{i=1}^{n}", "{", "}", " ", "\\mathcal{L}", "|", "'", "\\|", "\\{", "\\}",
]), min_size=1, max_size=12).map("".join).filter(
    lambda t: t.strip() == t and t.count("{") == t.count("}"))


@fuzz
@given(markdown_text)
def test_random_markdown_never_crashes(text):
    source, problems = parse_source(text, "cards/x.md")
    for problem in problems:
        assert problem.path == "cards/x.md" and problem.line >= 0
    for card in source.cards:
        note, _ = RENDERER.render(card, "g", "D::S", (), FIELDS)
        for field in note.fields:
            assert unsafe_markup(field) == []  # no on...= handler, script URL or script tag


one_line = markdown_text.map(lambda t: " ".join(t.split()))


@settings(max_examples=EXAMPLES // 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_line, markdown_text, markdown_text, one_line)
def test_nothing_that_runs_script_survives_sanitising(question, answer, extra, source):
    # Straight to the renderer: random text seldom parses into a card at all.
    card = Card("q", question, answer, extra, source, (), "S", "cards/x.md", 3, 4, 5)
    note, _ = RENDERER.render(card, "g", "D::S", (), FIELDS)
    for field in note.fields:
        assert unsafe_markup(field) == []  # no on...= handler, script URL or script tag


def card_with(answer: str) -> Card:
    return Card("q", "Q?", answer, "", "", (), "S", "cards/x.md", 3, 4, 5)


@fuzz
@given(st.lists(st.tuples(markdown_text.filter(lambda t: not set(t) & set("$\\<`")),
                          tex, st.booleans()), min_size=1, max_size=4))
def test_tex_inside_math_comes_out_unchanged(parts):
    # Prose without raw HTML or code spans, which may legitimately swallow what follows.
    answer = "".join(f"word {prose!r} " + (f"\n\n$$\n{t}\n$$\n\n" if display else f"${t}$ ")
                     for prose, t, display in parts)
    assert not math_problems(card_with(answer))
    note, _ = RENDERER.render(card_with(answer), "g", "D::S", (), FIELDS)
    body = note.fields[1]
    for _, t, display in parts:
        wrapped = f"\\[ {t} \\]" if display else f"\\({t}\\)"
        assert html.escape(wrapped, quote=False) in body
