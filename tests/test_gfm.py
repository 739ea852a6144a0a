"""GitHub's block structure: what authors write for GitHub renders with GitHub's blocks.

cmark-gfm (GitHub's renderer) is the oracle. Both renders are reduced to a tree of blocks
(tests/gfm_oracle.py) and must be equal:
- on every file of tests/data/gfm-corpus/: Q&A files written the way GitHub authors write
  them, each rendered whole (title, `## Question N:` headings and `---` separators too),
  and each card's body as parse_source cuts it. hand-*.md were written whole, each around
  a habit (lazy lines, setext headings, `1)` lists, a text line under a table, fences in
  quotes and items, reference links); composed-*.md put together hand-written answer
  fragments in varied habits (bullet characters, 2- or 4-space nesting, fences and tables
  right under a colon line, ordered lists from 3, `\\|` in cells, `---`/`***` separators);
- on documents generated from a grammar of the same constructs (hypothesis; 2,000
  examples under CI=true).
The intended differences (README, "GitHub compatibility") are kept out of both.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gfm_oracle import block_tree, our_html, trees
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckbuild.markdown.gfmblocks import delimiter_aligns, math_left_open, parse_blocks, split_row
from deckbuild.source.parse import parse_source

CORPUS = sorted((Path(__file__).parent / "data" / "gfm-corpus").glob("*.md"))
EXAMPLES = 2000 if os.environ.get("CI") else 200


# --- the pure block phase ------------------------------------------------------------

def test_table_rows_split_at_unescaped_pipes_only():
    assert split_row("| a | `b\\|c` | d \\| e |") == ["a", "`b\\|c`", "d \\| e"]
    assert split_row("a | b") == ["a", "b"]
    assert split_row("| `x|y` |") == ["`x", "y`"]  # GitHub splits inside code spans too


def test_delimiter_rows_give_alignments():
    assert delimiter_aligns("|:--|:-:|--:|---|") == ["left", "center", "right", None]
    assert delimiter_aligns("--|--") == [None, None]
    assert delimiter_aligns("| a |") is None
    assert delimiter_aligns(":--") == ["left"]  # under a paragraph line: a one-column table


def test_math_left_open_follows_delimiters():
    assert math_left_open("where $$", None) == "$$"
    assert math_left_open("x = 1", "$$") == "$$"
    assert math_left_open("x $$ and", "$$") is None
    assert math_left_open("costs $5 and $10", None) is None
    assert math_left_open("`$` then \\(a", None, lambda closer: closer == "\\)") == "\\("
    # A `\\(` or `\\[` that nothing closes, here or later, is an escaped bracket.
    assert math_left_open("`$` then \\(a", None) is None
    assert math_left_open("- \\[x] done", None, lambda closer: closer == "\\)") is None
    assert math_left_open("\\[ a \\] then \\[b", None) is None
    assert math_left_open("$a \\$ b$", None) is None
    assert math_left_open("`model.eval()` $\\alpha_i$ $\\alpha_i$", None) is None


def test_looseness_is_a_blank_line_between_items_or_their_blocks():
    tight = parse_blocks(["- a", "  - b", "", "  - c", "- d"]).children[0]
    assert not tight.loose()
    assert tight.children[0].children[1].loose()
    assert parse_blocks(["- a", "", "- b"]).children[0].loose()
    assert parse_blocks(["1. a", "", "   b"]).children[0].loose()


def test_math_is_never_cut_by_block_structure():
    doc = parse_blocks(["Where:", "$$", "- a + b", "> c", "$$", "- item"])
    assert [b.kind for b in doc.children] == ["para", "para", "list"]
    assert doc.children[1].lines == ["$$", "- a + b", "> c", "$$"]


def test_display_math_under_or_over_a_text_line_is_a_block_of_its_own():
    # As on GitHub: `Where:` then `$$` is a paragraph, then display math, then text.
    doc = parse_blocks(["Where:", "$$", "x", "$$", "so", "\\[", "y", "\\]"])
    assert [b.lines for b in doc.children] == [["Where:"], ["$$", "x", "$$"], ["so"],
                                               ["\\[", "y", "\\]"]]
    html = our_html("Bound:\n$$\\epsilon_T \\le \\epsilon_S$$\nWhere:")
    assert html == ('<p>Bound:</p>\n<div class="arithmatex">\\[\\epsilon_T \\le '
                    '\\epsilon_S\\]</div>\n<p>Where:</p>')
    assert our_html("Costs $5 and $10") == "<p>Costs $5 and $10</p>"  # prices, not math


# --- rendering: the shapes the issue measured ----------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("A domain consists of:\n- **Feature space** X\n- **Marginal** P(X)",
     "<p>A domain consists of:</p>\n<ul>\n<li><strong>Feature space</strong> X</li>\n"
     "<li><strong>Marginal</strong> P(X)</li>\n</ul>"),
    ("Freeze it:\n```python\nx = 1\n```\nThen train.",
     '<p>Freeze it:</p>\n<div class="language-python highlight"><pre><span></span><code>'
     '<span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>\n'
     "</code></pre></div>\n<p>Then train.</p>"),
    ("- a\n  - b\n    - c",
     "<ul>\n<li>a<ul>\n<li>b<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n</ul>"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
    ("| op | code |\n|---|---|\n| or | `a \\| b` |",
     "<table>\n<thead>\n<tr>\n<th>op</th>\n<th>code</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
     "<td>or</td>\n<td><code>a | b</code></td>\n</tr>\n</tbody>\n</table>"),
    ("| norm |\n|---|\n| $\\|x\\|$ |",
     "<table>\n<thead>\n<tr>\n<th>norm</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n"
     '<td><span class="arithmatex">\\(\\|x\\|\\)</span></td>\n</tr>\n</tbody>\n</table>'),
    ("Quote:\n> ask why", "<p>Quote:</p>\n<blockquote>\n<p>ask why</p>\n</blockquote>"),
    ("Rule:\n### Details", "<p>Rule:</p>\n<h3>Details</h3>"),
])
def test_github_shapes_render_as_github_does(text, expected):
    assert our_html(text) == expected
    ours, github = trees(text)
    assert ours == github


def test_math_that_looks_like_blocks_stays_math():
    html = our_html("Where:\n\n$$\n- a\n| b |\n$$\n\nand $-x$ too")
    assert html == ('<p>Where:</p>\n<div class="arithmatex">\\[ - a | b | \\]</div>\n'
                    '<p>and <span class="arithmatex">\\(-x\\)</span> too</p>')


def test_display_math_alone_is_a_block_in_a_tight_item_too():
    html = our_html("- a\n- $$\n  x\n  $$")
    assert html == '<ul>\n<li>a</li>\n<li>\n<div class="arithmatex">\\[ x \\]</div>\n</li>\n</ul>'


def test_link_reference_definitions_are_links_not_text():
    html = our_html("See [the survey][s].\n\n[s]: https://example.org/s \"Survey\"\nAfter.")
    assert html == ('<p>See <a href="https://example.org/s" title="Survey">the survey</a>.</p>\n'
                    "<p>After.</p>")


def test_a_code_fence_keeps_its_lines():
    html = our_html("Steps:\n```text\n- not a list\n| not | a table |\n> not a quote\n```")
    assert "- not a list\n| not | a table |\n&gt; not a quote" in html
    assert "<ul>" not in html and "<table>" not in html and "<blockquote>" not in html


# --- the oracle: the corpus -----------------------------------------------------------

def test_the_corpus_is_big_enough():
    assert len(CORPUS) >= 100


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_file_has_githubs_blocks(path):
    text = path.read_text(encoding="utf-8")
    ours, github = trees(text)
    assert ours == github
    source, _ = parse_source(text, f"cards/{path.name}")
    for card in source.cards:  # and each card's body as deckbuild renders it
        ours, github = trees(card.answer)
        assert ours == github, card.line


# --- the oracle: generated documents ----------------------------------------------------

WORDS = ["model", "domain", "source", "target", "layers", "weights", "freeze", "train", "data",
         "loss", "shift", "feature", "space", "label", "task", "head", "encoder", "batch"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
inline_bit = st.one_of(
    words, words.map(lambda w: f"**{w}**"), words.map(lambda w: f"*{w}*"),
    st.sampled_from(["`model.eval()`", "`x[0]`", "$\\alpha_i$", "$x^2 + y$", "\\(p(y|x)\\)",
                     "[paper](https://example.org/p)", "(see below)", "e.g.", "a\\|b",
                     # a backslash escapes any ASCII punctuation: `\<tag>` is text, not HTML
                     "\\<data item>", "\\<b>", "\\&"]))
text_line = st.lists(inline_bit, min_size=1, max_size=4).map(" ".join)
colon_line = text_line.map(lambda t: t + ":")
# Lines close to a block start: escaped, a marker without its space, a number, emphasis
# (but `>` needs no space: that one is a quote).
near_miss = st.sampled_from(["\\- not a list", "1\\. not a list", "\\# no heading", "\\> no quote",
                             "-no space", "+1 for this", "#hashtag", "2019 was a year", ">no space",
                             "*emphasis* first", "**bold**: first", "\\| a | b |",
                             # any ASCII punctuation escapes: `\<tag>` is text, not HTML
                             "\\<data item>, \\<lock type>", "a \\<b> and \\& \\\" \\@"])
paragraph = st.lists(st.one_of(text_line, colon_line, near_miss), min_size=1, max_size=3).map(
    "\n".join)
heading = st.tuples(st.integers(1, 4), st.integers(1, 30), words).map(
    lambda t: f"{'#' * t[0]} Question {t[1]}: {t[2]}?")
rule = st.sampled_from(["---", "***", "___", "- - -"])
code_line = st.sampled_from(["x = 1", "- not a list", "# comment", "| a | b |", "> no", "1. no",
                             "", "    indented()", "for layer in model.layers:",
                             "    layer.trainable = False", "$not math$"])
tex = st.lists(st.sampled_from(["a", "x_i", "y^2", "+", "=", "\\frac{a}{b}", "\\sum_i", " ",
                                "\\lVert w \\rVert"]), min_size=1, max_size=6).map("".join).filter(
    # TeX whose line would start a block on GitHub (`+ b`, `= c`) is an intended difference.
    lambda t: t.strip()[:1].isalpha() or t.strip()[:1] == "\\")


# A line of one complete tag (CommonMark's HTML block start 7), then maybe text: raw HTML
# up to a blank line, unless it would interrupt a paragraph.
html_tag = st.sampled_from(['<img src="a.png" width="300">', "<img src=a.png alt='x' />", "<br/>",
                            "</em>", '<span class="note">', "<kbd>", "<a href=\"#x\">"])
# (A blank line ends it: a fence right under it is code here, raw text on GitHub.)
html_block = st.tuples(html_tag, st.sampled_from(["", "", "\n**not bold**", "\n- not a list"])
                       ).map(lambda t: "".join(t) + "\n")
indented_code = st.lists(code_line.filter(bool), min_size=1, max_size=2).map(
    lambda lines: "\n".join("    " + line for line in lines))


@st.composite
def fence(draw, indent: str = "") -> str:
    marker = draw(st.sampled_from(["```", "~~~", "````"]))
    # Any info string makes a fence code, beyond a language name too.
    lang = draw(st.sampled_from(["python", "text", "", "bash", "tut:silent", "scala tut:silent",
                                 "{.python}", 'python title="x"', "js:title"]))
    body = draw(st.lists(code_line, min_size=1, max_size=4))
    lines = [f"{marker}{lang}", *body, marker]
    return "\n".join(indent + line if line else "" for line in lines)


@st.composite
def table(draw) -> str:
    n = draw(st.integers(1, 4))
    cell = st.one_of(words, st.sampled_from(["`a\\|b`", "x \\| y", "**b**", "$w_t$",
                                             "`model.fit()`", ""]))
    header = draw(st.lists(words, min_size=n, max_size=n))
    aligns = draw(st.lists(st.sampled_from(["---", ":--", "--:", ":-:"]), min_size=n,
                           max_size=n))
    rows = draw(st.lists(st.lists(cell, min_size=max(n - 1, 1), max_size=n + 1), max_size=3))
    outer = draw(st.booleans())

    def row(cells: list[str]) -> str:
        inner = " | ".join(cells)
        return f"| {inner} |" if outer else inner

    return "\n".join([row(header), row(aligns), *(row(r) for r in rows)])


@st.composite
def list_block(draw, depth: int = 0, fences: bool = True) -> str:
    ordered = draw(st.booleans())
    start = draw(st.integers(0, 12)) if ordered else 0
    # An ordered list from 3 cannot interrupt a paragraph line: on GitHub it is then text,
    # and a fence nested in that text is text too; here a fence is always code (intended).
    fences = fences and not (ordered and start != 1)
    delimiter = draw(st.sampled_from([".", ")"]))
    bullet = draw(st.sampled_from(["-", "*", "+"]))
    loose = draw(st.booleans()) and draw(st.booleans())
    items = []
    for index in range(draw(st.integers(1, 4))):
        marker = f"{start + index}{delimiter}" if ordered else bullet
        width = len(marker) + 1
        task = draw(st.sampled_from(["", "", "[x] ", "[ ] ", "[X] "]))  # task list items
        lines = [f"{marker} {task}{draw(text_line)}"]
        for _ in range(draw(st.integers(0, 2))):
            parts = (["more", "lazy", "para", "quote", "table", "heading", "code", "html"]
                     + ["nested"] * (depth < 2) + ["fence"] * fences)
            part = draw(st.sampled_from(parts))
            pad = " " * width
            if part == "more":
                lines.append(pad + draw(text_line))
            elif part == "lazy":
                lines.append(draw(text_line))
            elif part == "nested":
                # The item's text column (2, 3 or 4), 4 spaces, or off by one or two.
                step = draw(st.sampled_from([width, 4, width, 4, width - 1, width + 1, width + 2]))
                nested = draw(list_block(depth + 1, fences))
                indent = "\t" if step == 4 and draw(st.booleans()) else " " * step
                lines.append("\n".join(indent + line if line else ""
                                       for line in nested.split("\n")))
            elif part == "fence":
                lines.append(draw(fence(pad)))
            elif part == "html":
                lines.append("\n".join(pad + row for row in draw(html_block).split("\n")))
            elif part == "quote":
                lines.append(pad + "> " + draw(text_line))
            elif part == "table":
                lines.append("\n".join(pad + row for row in draw(table()).split("\n")))
            elif part == "heading":
                lines.append(pad + draw(st.one_of(heading, rule)))
            elif part == "code":
                lines.append("\n" + "\n".join(pad + row for row in draw(indented_code).split("\n")))
            else:
                lines.append("\n" + pad + draw(text_line))
        items.append("\n".join(lines))
    return ("\n\n" if loose else "\n").join(items)


quote_line = st.one_of(text_line, text_line.map(lambda t: "- " + t),
                       text_line.map(lambda t: "> " + t), st.just("```python\nx = 1\n```"),
                       table(), list_block(1), st.just(""))
quote = st.lists(quote_line, min_size=1, max_size=3).map(
    lambda parts: "\n".join("> " + line for part in parts for line in part.split("\n")))
setext = st.tuples(text_line, st.sampled_from(["===", "---", "-"])).map("\n".join)
display_math = tex.map(lambda t: f"$$\n{t}\n$$")
block = st.one_of(paragraph, paragraph, heading, setext, rule, fence(), table(), list_block(),
                  quote, display_math, indented_code, html_block)


@st.composite
def document(draw) -> str:
    blocks = draw(st.lists(block, min_size=1, max_size=6))
    text = blocks[0]
    for nxt in blocks[1:]:
        # Directly after the line before, as GitHub authors often write, or after a blank.
        text += draw(st.sampled_from(["\n", "\n\n"])) + nxt
    return text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_generated_documents_have_githubs_blocks(text):
    ours, github = trees(text)
    assert ours == github, text


@pytest.mark.parametrize("text", [
    "a | b\n--|--\nx | y\n | ",           # a lone pipe ends the table
    "model\n:--",                          # a one-column table without pipes
    "- a\n3. b",                           # a new list, not a lazy line
    "> q\n3. b",
    "1. a\n  - b",                         # two spaces do not reach the text of `1. `
    "- a\n - b\n  - c\n   - d\n    - e",    # the last line is a lazy continuation
    "p\n    code",                         # indented code cannot interrupt a paragraph
    "- a\n\n      code",
    "a\nb\n---",                           # a setext heading of two lines
    "* a\n- b",                            # another bullet character, another list
    "- a\n\u00a0\n- b",                     # a no-break space is text, not a blank line
    "-\n        code()\n    x = 1",          # text after indented code in a tight item
    "- a\n  x | y\n  --|--\n- b",             # a table without rows loosens the list
    "- a\n  - c\n    x | y\n    --|--\n- b",   # ... from inside a nested item too
    "- a\n  x | y\n  --|--\n  1 | 2\n- b",     # but not with a row
    "- a\n  ***\n\n- b",                    # a blank line after a rule does not loosen
    "- a\n  ***\n\n  c",
    "- a\n  - ***\n\n  c\n- b",
    "> - a\n>   ***\n> \n>   c",              # ... nor does a quote's blank line
    '<img src="a.png">\n$$\na\n$$',            # display math ends an HTML block
    "- [x] model\n  more\n  ---",             # a setext heading keeps the task box
    "> - [x] model",                         # GitHub shows no task box in a quote
    "- a\n<img src=a.png>\n*b*",               # an HTML block after a lazy-able paragraph
    "a\n<img src=a.png>\n*b*",                 # ... but it cannot interrupt a paragraph
])
def test_cases_found_on_the_way(text):
    ours, github = trees(text)
    assert ours == github


def test_a_fence_right_under_an_html_block_is_code():
    # GitHub keeps it as raw text in the HTML block; here a fence is always code (intended).
    html = our_html('<img src="a.png">\n```python\nx = 1\n```')
    assert html.startswith('<img src="a.png">') and '<div class="language-python' in html


def test_task_list_items_show_a_ballot_box():
    assert our_html("- [x] done\n- [ ] open") == "<ul>\n<li>\u2611 done</li>\n<li>\u2610 open</li>\n</ul>"


def test_the_oracle_sees_structure():
    # The comparison is not blind: the old reading of a list after a paragraph line differs.
    assert block_tree("<p>a\n- b</p>") != trees("a\n- b")[1]
