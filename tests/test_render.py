from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deckbuild.markdown.render import Renderer, code_css
from deckbuild.records import Card

FIELDS = ("Question", "Answer", "Extra", "Source", "Id")


def card(answer: str, question: str = "Q?") -> Card:
    return Card("q", question, answer, "", "", (), "S", "cards/x.md", 3, 4, 6)


def render(answer: str, question: str = "Q?"):
    note, problems = Renderer().render(card(answer, question), "g", "D::S", ("s",), FIELDS)
    return dict(zip(FIELDS, note.fields, strict=True)), problems


def test_inline_math_keeps_tex_untouched():
    fields, _ = render(r"Use $a_i * b_j$ and \(x^2\) here.")
    assert r"\(a_i * b_j\)" in fields["Answer"]
    assert r"\(x^2\)" in fields["Answer"]
    assert "<em>" not in fields["Answer"]


def test_display_math_from_dollars_and_brackets():
    fields, _ = render("$$\n\\sum_i x_i\n$$\n\n\\[\\frac{a}{b}\\]")
    assert fields["Answer"].count(r"\[") == 2
    assert r"\sum_i x_i" in fields["Answer"]
    assert "$$" not in fields["Answer"]


def test_dollar_amounts_stay_text():
    fields, _ = render("It costs $5 and $10.")
    assert "arithmatex" not in fields["Answer"]
    assert "$5 and $10" in fields["Answer"]


def test_math_html_characters_are_escaped_not_parsed():
    fields, _ = render(r"$x < y$ and $a > b$")
    assert r"\(x &lt; y\)" in fields["Answer"]


def test_fenced_code_is_highlighted_with_classes():
    fields, _ = render("```python\ndef f(x):\n    return x  # done\n```")
    html = fields["Answer"]
    assert '<div class="language-python highlight">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html
    assert "\n" in html  # never one long line


def test_unknown_language_warns_and_renders_plain():
    fields, problems = render("```nosuchlang\nfor x in <b>y</b> & z: pass\n```")
    assert [str(p) for p in problems] == [
        "cards/x.md:6: warning: unknown code language 'nosuchlang'; shown as plain text"]
    # Plain text: escaped, no token spans (a code lexer would mark 'for', 'in', 'pass').
    assert fields["Answer"] == (
        '<div class="language-text highlight"><pre><span></span><code>'
        "for x in &lt;b&gt;y&lt;/b&gt; &amp; z: pass\n</code></pre></div>")


def test_a_fence_with_any_info_string_is_code_its_language_the_first_word():
    fields, problems = render("```tut:silent\nval x = 1\n```\n\n```scala tut:silent\n"
                              "val y = 2\n```\n\n```python title=\"f.py\"\nz = 3\n```")
    assert [str(p) for p in problems] == [
        "cards/x.md:6: warning: unknown code language 'tut:silent'; shown as plain text"]
    html = fields["Answer"]
    assert html.count("<code>") == 3 and "<p>" not in html
    assert ('<div class="language-text highlight"><pre><span></span><code>val x = 1\n'
            in html)
    assert '<div class="language-scala highlight">' in html
    assert '<div class="language-python highlight">' in html


def test_a_fence_that_asks_for_plain_text_renders_it_without_a_warning():
    for name in ("plaintext", "Plain", "txt", "nohighlight", "none"):
        fields, problems = render(f"```{name}\nfor x in y: pass\n```")
        assert problems == []
        assert fields["Answer"] == render("```nosuchlang\nfor x in y: pass\n```")[0]["Answer"]


def test_a_fence_shown_inside_a_longer_fence_is_code_not_a_language():
    # A README shows Markdown with a fence in it; only the outer fence names a language.
    _, problems = render("````markdown\n```nosuchlang\nx\n```\n````\n\n"
                         "```bash\n```alsonot\n```\n\n~~~ {.nolang}\ny\n~~~")
    assert [str(p) for p in problems] == [
        "cards/x.md:16: warning: unknown code language 'nolang'; shown as plain text"]


def test_question_is_inline_html():
    fields, _ = render("A", question="What is `x` and $y_1$?")
    assert fields["Question"] == 'What is <code>x</code> and <span class="arithmatex">\\(y_1\\)</span>?'


def test_tables_lists_and_renderer_reuse_do_not_leak_state():
    renderer = Renderer()
    first, _ = renderer.render(card("| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y"), "g", "D", (),
                               FIELDS)
    second, _ = renderer.render(card("plain"), "g", "D", (), FIELDS)
    assert "<table>" in first.fields[1] and "<li>x</li>" in first.fields[1]
    assert second.fields[1] == "<p>plain</p>"


def test_code_css_has_day_rules_and_night_rules_under_anki_classes():
    css = code_css("default", "github-dark")
    assert re.search(r"^\.highlight \.k \{", css, re.M)
    assert ".nightMode .highlight .k" in css and ".night_mode .highlight .k" in css


def markdown_inline(renderer: Renderer, text: str) -> str:
    """What Markdown itself makes of one line, without the wrapping paragraph."""
    html = renderer.to_html(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


# Lines the shortcut may take: a letter, then words and its own punctuation.
_plain = st.from_regex(r"[A-Za-z][A-Za-z0-9 ,;:?'\"()/.%=+-]{0,30}", fullmatch=True)
# Markdown syntax and odd spacing that the shortcut must leave to Markdown, each on its own.
SYNTAX = [" *em* ", "*em*", " **strong** ", " _em_ ", " __strong__ ", " `code` ", " & ",
          "&amp;", " <b>b</b> ", " < ", ">", "\\*", " [l](u) ", "~~s~~", "  ", " ", "#", "!", "|",
          "\t", "@", "^", "{", "~", "[", "\u00e9"]


@given(_plain)
def test_plain_question_shortcut_matches_markdown(text):
    renderer = Renderer()
    assert renderer.inline_html(text) == markdown_inline(renderer, text)


@pytest.mark.parametrize("piece", SYNTAX)
def test_lines_with_markdown_syntax_are_left_to_markdown(piece):
    renderer = Renderer()
    for text in (f"Word{piece}end", f"A question,{piece}", f"Is x{piece}y (z)?"):
        assert renderer.inline_html(text) == markdown_inline(renderer, text)


def test_markdown_links_to_scripts_are_removed_and_reported():
    fields, problems = render("A [trap](javascript:alert(1)) and [ok](https://example.com).")
    assert "javascript:" not in fields["Answer"]
    assert 'href="https://example.com"' in fields["Answer"]
    assert "unsafe HTML removed: javascript: URL on <a>" in problems[-1].message


def test_the_allowlist_is_ours_not_the_sanitisers_defaults():
    # Tags, URL schemes and style properties that nh3 allows by default but cards do not.
    from deckbuild.markdown.sanitize import removed_parts, sanitize
    assert sanitize("<center>a</center><font color=red>b</font>") == "ab"
    assert sanitize('<a href="ftp://example.org/x">c</a>') == '<a rel="noopener noreferrer">c</a>'
    assert sanitize('<table><tr><td style="color: red; text-align: left">d</td></tr></table>') \
        == '<table><tbody><tr><td style="text-align:left">d</td></tr></tbody></table>'
    assert sanitize("e<!-- a note -->f") == "ef"
    assert removed_parts("<center>a</center>") == ["<center>"]


def test_an_unsafe_image_source_is_named_in_the_warning():
    from deckbuild.markdown.sanitize import removed_parts

    assert removed_parts('<img src="javascript:alert(1)">') == ["javascript: URL on <img>"]
    assert removed_parts('<a href="javascript:a:b">x</a>') == ["javascript: URL on <a>"]
    # Only a link's or an image's address is a URL; an address may be left empty.
    assert removed_parts('<a title="javascript:x" href="https://example.org">x</a>') == []
    assert removed_parts("<a href>x</a>") == []
