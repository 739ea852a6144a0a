"""The pure parts of `import DECK.apkg` and `pull`: GUIDs in card files, named fields,
the deck's own note types, HTML -> Markdown, and the normal form fields compare in."""

from __future__ import annotations

import dataclasses
import html as html_lib
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckbuild.markdown.render import Renderer
from deckbuild.package.writer import front_shows_field
from deckbuild.source.ids import decode_guid, encode_guid, guid_for, note_guid
from deckbuild.source.parse import parse_source

markdownify = pytest.importorskip("markdownify")

from deckbuild.importers.apkg.fidelity import normal_form  # noqa: E402
from deckbuild.importers.apkg.html2md import as_html, to_markdown  # noqa: E402

NO_MEDIA = lambda src: None  # noqa: E731
# Anki's GUIDs are base91 over printable ASCII; anything may reach a card file, though.
GUIDS = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)


@given(GUIDS | st.text(min_size=1, max_size=12))
@example("ab-->cd")  # would end the comment
@example("50%25")  # reads as an escape unless % is escaped itself
def test_a_guid_survives_its_card_file(guid):
    written = encode_guid(guid)
    assert "-->" not in written and not any(c.isspace() for c in written)
    text = f"## Q\n<!-- id: q -->\n<!-- guid: {written} -->\n\nA\n"
    source, problems = parse_source(text, "cards/x.md")
    assert not [p for p in problems if p.is_error]
    assert source.cards[0].guid == guid == decode_guid(written)


def test_a_stated_guid_wins_over_the_namespace():
    assert note_guid("ns", "q", "AbC+/=") == "AbC+/="
    assert note_guid("ns", "q", None, "known") == "known"
    assert note_guid("ns", "q") == guid_for("ns", "q")


def test_a_bad_guid_is_an_error_at_its_line():
    source, problems = parse_source("## Q\n<!-- id: q -->\n<!-- guid: %zz%ff -->\n\nA\n",
                                    "cards/x.md")
    assert [(p.line, p.is_error) for p in problems] == [(3, True)]
    assert source.cards[0].guid is None


def test_named_fields_and_empty_fields_of_the_decks_own_type():
    text = ("## \n<!-- id: w -->\n<!-- type: vocab -->\n\n"
            "<!-- field: Example -->\nJe suis **là**.\n\n---\n\n<!-- field: Notes -->\nnote\n")
    source, problems = parse_source(text, "cards/x.md", ["vocab"])
    assert not problems
    (card,) = source.cards
    assert (card.question, card.answer) == ("", "")
    assert card.named == (("Example", "Je suis **là**.\n\n---", 5), ("Notes", "note", 10))
    # Without the type, the same card is a built-in one: empty heading and body are errors.
    _, problems = parse_source(text.replace("<!-- type: vocab -->\n", ""), "cards/x.md")
    assert {p.message for p in problems} >= {"empty question", "card has no answer"}


def test_each_named_field_lands_in_its_field_and_a_stray_one_is_an_error():
    text = ("## la maison\n<!-- id: w -->\n<!-- type: vocab -->\n\nthe house\n\n"
            "<!-- field: Notes -->\nfeminine\n\n<!-- field: Nope -->\nlost?\n")
    source, _ = parse_source(text, "cards/x.md", ["vocab"])
    card = dataclasses.replace(source.cards[0], layout=("Word", "Meaning", "Example", "Notes"))
    note, problems = Renderer().render(card, "g", "d", (), ())
    assert note.fields == ("la maison", "the house", "", "feminine")
    assert [(p.line, p.is_error) for p in problems] == [(10, True)]
    assert "has no field 'Nope'" in problems[0].message


@pytest.mark.parametrize("front, filled, shown", [
    ("{{Front}}", {"Front"}, True),
    ("{{#Add Reverse}}{{Back}}{{/Add Reverse}}", {"Back"}, False),
    ("{{#Add Reverse}}{{Back}}{{/Add Reverse}}", {"Back", "Add Reverse"}, True),
    ("{{^Hint}}{{Word}}{{/Hint}}", {"Word", "Hint"}, False),
    ("{{type:Back}} {{FrontSide}}", {"Back"}, True),
    ("<b>static</b> {{Tags}}", {"Front"}, False),
])
def test_a_standard_card_is_made_only_when_its_front_shows_a_field(front, filled, shown):
    assert front_shows_field(front, filled) is shown


@pytest.mark.parametrize("html, markdown", [
    ("x \\(a_1^2\\) y", "x $a_1^2$ y"),
    ("see \\[\\sum_i x_i\\] here", "see\n\n$$\\sum_i x_i$$\n\nhere"),
    ('<pre><code class="language-python">def f():\n    return 1</code></pre>',
     "```python\ndef f():\n    return 1\n```"),
    ("<div>one</div><div>two</div>", "one<br>\ntwo"),
    ("a<br>b", "a<br>\nb"),
    ("{{c1::Paris::city}} is in {{c2::France}}", "{{c1::Paris::city}} is in {{c2::France}}"),
    ("<b>bold</b> and <i>it</i>", "**bold** and *it*"),
])
def test_the_rules_of_html_to_markdown(html, markdown):
    assert to_markdown(html, NO_MEDIA) == markdown


def test_images_of_packaged_files_become_markdown_images_and_others_stay_named():
    media = {"a.png": "../media/a.png"}.get
    assert to_markdown('<img src="a.png"> <img src="gone.jpg">', media) == \
        '![](../media/a.png) <img src="gone.jpg"/>'


_TEXT = st.text(alphabet="ab \n\\$*_#&<>\"", max_size=8).map(html_lib.escape)
FRAGMENTS = st.recursive(
    _TEXT,
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["b", "i", "div", "span", "li"]), st.lists(inner, max_size=3))
        .map(lambda t: f"<{t[0]}>{''.join(t[1])}</{t[0]}>"),
        st.lists(inner, max_size=3).map(lambda parts: f"<pre>{''.join(parts)}</pre>"),
        st.just("<br>"),
        st.just('<span style="color: red">x</span>'),
    ),
    max_leaves=8,
)


@given(st.lists(FRAGMENTS, max_size=4).map("".join))
def test_the_html_fallback_is_one_line_that_keeps_its_text(html):
    kept = as_html(html, NO_MEDIA)
    assert "\n" not in kept and kept.startswith("<div>")
    assert normal_form(kept) == normal_form(f"<div>{html}</div>")


@pytest.mark.parametrize("a, b", [
    ("<div>Hello&nbsp;<b>x</b></div><div>two</div>", "<p>Hello <strong>x</strong><br/>\ntwo</p>"),
    ('<img src="a.png" alt="">', '<img src="a-1234.png">'),
    ('<span class="x" style="color: red">r</span>', '<span style="color: red" class="x">r</span>'),
    ("<pre><code>x = 1</code></pre>",
     '<div class="language-text highlight"><pre><span></span><code>x = 1</code></pre></div>'),
])
def test_what_compares_equal(a, b):
    assert normal_form(a, {"a.png": "d1"}) == normal_form(b, {"a-1234.png": "d1"})


@pytest.mark.parametrize("a, b", [
    ('<span style="color: red">r</span>', "<span>r</span>"),
    ("<b>x</b>", "x"),
    ('<img src="a.png">', '<img src="b.png">'),
    ("<pre>x  y</pre>", "<pre>x y</pre>"),
    ("one two", "one<br>two"),
])
def test_what_does_not(a, b):
    assert normal_form(a, {"a.png": "d1", "b.png": "d2"}) != \
        normal_form(b, {"a.png": "d1", "b.png": "d2"})


def test_without_the_extra_import_says_how_to_install_it(tmp_path, monkeypatch):
    from apkg_support import run

    package = tmp_path / "deck.apkg"
    package.write_bytes(b"PK")
    for name in [m for m in sys.modules if m.startswith("deckbuild.importers.apkg")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "markdownify", None)
    result = run("--project", str(tmp_path / "p"), "import", str(package))
    assert result.exit_code == 1
    assert "pip install 'deckbuild[anki]'" in result.output
    assert not Path(tmp_path / "p").exists()


# Fields as Anki's editor writes them: lines in <div>s, <br>, &nbsp;, bold and italics,
# MathJax, code, lists, links, cloze deletions, and inline styles.
_WORDS = st.sampled_from(["alpha", "beta", "x_1", "a*b", "#tag", "1.", "- item", "[x]",
                          "5 $", "\\", "&amp;", "&lt;b&gt;", "`q`", "{{c1::gap}}",
                          "\\(x^2\\)", "\\[\\frac{a}{b}\\]", "&nbsp;", "é", "<br>"])
_TEXT_RUN = st.lists(_WORDS, min_size=1, max_size=4).map(" ".join)
_INLINE = st.recursive(
    st.one_of(_TEXT_RUN, _TEXT_RUN.map(lambda t: f'<a href="https://example.org/x">{t}</a>')),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["b", "i", "u", "code", "sub", "sup"]), inner)
        .map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>"),
        inner.map(lambda t: f'<span style="color: rgb(1, 2, 3);">{t}</span>'),
    ),
    max_leaves=5,
)
_BLOCK = st.one_of(
    _INLINE,
    _INLINE.map(lambda t: f"<div>{t}</div>"),
    st.lists(_INLINE, min_size=1, max_size=3).map(
        lambda items: "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"),
    st.text(alphabet="ab =()<>\n", min_size=1, max_size=20).map(
        lambda code: f'<pre><code class="language-python">{html_lib.escape(code)}</code></pre>'),
)
EDITOR_FIELDS = st.lists(_BLOCK, min_size=1, max_size=4).map("".join)


@settings(max_examples=40, deadline=None)
@given(EDITOR_FIELDS, EDITOR_FIELDS)
@example("alpha", '<span style="color: red">5 $</span>')  # a '$' in HTML kept as it is
def test_an_imported_field_builds_and_differs_only_where_the_sanitiser_cuts(front, back):
    from deckbuild.importers.apkg.convert import MediaMap, Shape, own_form, write_card
    from deckbuild.markdown.sanitize import removed_parts

    media = MediaMap(Path("/nonexistent-project"), {})
    renderer = Renderer(media.index)
    shape = Shape("editor", ("Front", "Back"), "standard", 0)
    form = own_form(shape, "g", True, "card", [], "cards/x.md", renderer)
    written = write_card((front, back), form, "cards/x.md", media)
    source, problems = parse_source(written.text, "cards/x.md", ["editor"])
    assert len(source.cards) == 1
    card = dataclasses.replace(source.cards[0], layout=shape.fields)
    note, found = renderer.render(card, "g", "", (), ())
    assert not [p for p in problems + found if p.is_error], written.text
    for i, original in enumerate((front, back)):
        same = normal_form(note.fields[i]) == normal_form(original)
        assert same == (i not in written.differ)  # what import says is what a build does
        if not same:  # only markup the sanitiser removes is ever lost
            assert removed_parts(original), (original, note.fields[i], written.text)
