"""`Q:`/`A:` pairs inside plain code fences: cards, kept literal, winning over the headings."""

from __future__ import annotations

from gfm_oracle import gfm_html
from hypothesis import example, given, settings
from hypothesis import strategies as st

from deckbuild.importers import import_sources
from deckbuild.importers.qa import literal

_GUIDE = "".join(f"## Part {n}\n\nAdvice, line one.\nAdvice, line two.\nAdvice, line three.\n\n"
                 for n in range(5))
_PAIRS = """### Quiz

```
Q: What does *x do?
A: It unpacks x,
   as in f(*x).

Q: And <b>?
A: Nothing.
```
"""


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("guide.md", "guide", text)]).files
    return imported


def test_pairs_in_a_plain_fence_are_cards_even_under_a_long_guide():
    imported = _import("# Guide\n\n" + _GUIDE + _PAIRS)
    assert imported.layout == "qa"
    assert imported.problems == ()
    assert [c.question for c in imported.cards] == ["What does &#42;x do?", "And &#60;b&#62;?"]
    assert imported.cards[0].answer == "It unpacks x,\\\nas in f(&#42;x)."
    assert {c.section for c in imported.cards} == {"Quiz"}


def test_a_fence_with_anything_but_pairs_or_a_language_is_no_card_block():
    for fence in ("```\nQ: What?\nA: That.\nnpm test\n```\n", "```python\nQ: What?\nA: That.\n```\n",
                  "```\nQ: What?\n```\n"):
        assert _import("# Guide\n\n" + _GUIDE + fence).layout != "qa" or \
            not any(c.line > 20 for c in _import("# Guide\n\n" + _GUIDE + fence).cards)


# Lines as a fence holds them: any characters but line breaks; or lines of punctuation.
_LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc"),
                              blacklist_characters="\x85\u2028\u2029"), min_size=1)
_MARKS = st.text(st.characters(whitelist_categories=("Ll", "Po", "Sm", "Pd", "Zs")), min_size=1)
_LINES = st.lists(_LINE | _MARKS, min_size=1, max_size=4).map("\n".join).filter(str.strip)


@example("&amp; &#35;")
@example("0\n[")
@example("\\[x\\] \\(y\\)")
@example("*a* _b_ `c` [d](e) <b>f</b> ~~g~~ $h$ \\i")
@example("1. first")
@example("- item")
@example("# heading")
@example("> quote")
@example("***")
@example("a\n===")
@settings(max_examples=300)
@given(_LINES)
def test_literal_text_renders_as_it_was_written(text: str) -> None:
    # cmark-gfm, an independent reader, shows the escaped line as the fence showed it.
    lines = [literal(line.strip()) for line in text.split("\n") if line.strip()]
    rendered = gfm_html("\\\n".join(lines))
    assert _visible(rendered) == _visible_source(text.strip())


def _visible(html: str) -> str:
    import html as html_lib
    import re
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", html)).split())


def _visible_source(text: str) -> str:
    return " ".join(" ".join(line.strip() for line in text.split("\n")).split())
