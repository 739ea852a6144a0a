"""sanitize() takes a shortcut around highlighted code blocks: its output must be nh3's on the
whole HTML, byte for byte, whatever the code and whatever surrounds the block."""

from __future__ import annotations

import nh3
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckbuild.markdown.render import Renderer
from deckbuild.markdown.sanitize import ATTRIBUTES, STYLE_PROPERTIES, TAGS, URL_SCHEMES, sanitize

_renderer = Renderer()


def _whole(html: str) -> str:
    """nh3 on the whole of `html`, as sanitize() was before its shortcut."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     filter_style_properties=STYLE_PROPERTIES, strip_comments=True)


CODE_CHARS = st.sampled_from(list("abc xyz_()[]{}<>&;\"'#=\t\n\\*`$|-:/.,!?0")
                             + ["\xa0", "é", "→", "&quot;", "&#39;", "&amp;", "&nbsp;", "\r",
                                "\0", "</code>", "</pre></div>", "<span>", "\u2028"])
CODE = st.lists(CODE_CHARS, max_size=40).map("".join)
LANGUAGES = st.sampled_from(["python", "js", "bash", "sql", "json", "text", "html", "nosuch",
                             ""])
# What may come before and after a block: nothing, Markdown, or raw HTML that changes how
# the parser reads what follows (an unclosed formatting element, a table, a comment).
AROUND = st.sampled_from([
    "", "Some *text* and `code` [a link](https://example.org).", "<b>bold, never closed",
    "<i>x</i>", "<table><tr><td>cell", "<div>", "</div>", "<!-- note", "<script>alert(1)",
    "<code>open code", "<p>para", "- item\n- item", "> quote", "<span class=\"x\">",
    '<div class="deckbuild-sanitize-block-0">', "$x < y$ and ]",
    # ...or reads it as text, or as foreign content: then no block is there at all.
    "a <textarea> b", "a <xmp> b", "<plaintext>", "a <style> b", "a <title> b", "<template>",
    "a <noscript> b", "a <iframe> b", "<svg><desc>", "<math><mi>", "<select><option>",
])


@settings(max_examples=400, deadline=None)
@given(before=AROUND, code=CODE, language=LANGUAGES, after=AROUND, nested=st.booleans(),
       second=st.one_of(st.none(), CODE))
def test_sanitize_equals_nh3_on_the_whole_html(before, code, language, after, nested, second):
    fence = f"```{language}\n{code}\n```"
    if nested:  # a block inside a list item
        fence = "- item\n\n" + "\n".join("    " + line for line in fence.split("\n"))
    text = f"{before}\n\n{fence}\n\n{after}]"
    if second is not None:
        text += f"\n\n```python\n{second}\n```\n"
    html = _renderer.to_html(text)
    assert sanitize(html) == _whole(html)


_BLOCK = '<div class="language-python highlight"><pre><span></span><code>{}</code></pre></div>'


@settings(max_examples=200, deadline=None)
@given(html=st.lists(st.sampled_from([
    '<div class="language-python highlight"><pre><span></span><code>', "</code></pre></div>",
    '<span class="n">', "</span>", "x", "&quot;", "&#39;", "&amp;", "&", "<b>", "</b>", "\xa0",
    "<table>", "<td>", '"', "<", ">", "\r", "<code>", "</code>", "<textarea>", "<svg>",
    "<template>", "<select>",
]), max_size=30).map("".join))
@example(html=_BLOCK.format("a & b &notin; c &not d &#x27; &#39; &quot; &lt;"))
@example(html=_BLOCK.format('<span class="n">x</span><span class="o">&gt;</span>\xa0\r\n'))
def test_sanitize_equals_nh3_on_any_mix_of_block_parts(html):
    assert sanitize(html) == _whole(html)


def test_a_plain_block_is_taken_the_short_way():
    """The shortcut is taken (the properties above would pass without it too)."""
    html = _renderer.to_html('```python\nprint("hi" & \'there\')\n```\n\n[x]')
    calls: list[str] = []

    class Counting:
        def clean(self, text: str) -> str:
            calls.append(text)
            return _whole(text)

    import deckbuild.markdown.sanitize as module

    real = module._CLEANER
    module._CLEANER = Counting()  # type: ignore[assignment]
    try:
        assert sanitize(html) == _whole(html)
    finally:
        module._CLEANER = real
    assert len(calls) == 1 and "print" not in calls[0]


def _found_by_parser(html: str) -> list[str]:
    """removed_parts() without its shortcut: the HTML parser on every input."""
    from deckbuild.markdown.sanitize import _Finder

    finder = _Finder()
    finder.feed(html)
    finder.close()
    return sorted(set(finder.removed))


TAG_PARTS = st.sampled_from([
    "<p>", "</p>", "<P>", "<b>", "<script>", "<style>", "<img src=\"a.png\">",
    '<a href="https://x.org">', '<a href="javascript:alert(1)">', '<a href="java\nscript:x">',
    '<a href="&#106;avascript:x">', "<a href='javascript:x'>", '<img src="data:x">',
    '<span class="n">', '<span onclick="x">', '<td style="text-align: left">', "<br/>",
    '<ol start="3">', "<!-- c -->", "<![CDATA[x]]>", "text", " < ", "&amp;", "&lt;x&gt;",
    '<div id="x">', "<iframe>", "</a>", '<th align="left" colspan="2">', "<x-y>", "<svg>",
])


@settings(max_examples=300, deadline=None)
@given(html=st.lists(TAG_PARTS, max_size=12).map("".join))
def test_removed_parts_is_what_the_parser_finds(html):
    from deckbuild.markdown.sanitize import removed_parts

    assert removed_parts(html) == _found_by_parser(html)
