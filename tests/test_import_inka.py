"""inka's notes: `---` sections opening with `Deck:`, `1.` questions, `> ` answers, clozes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.importers import import_sources
from deckbuild.importers.inka import clozes

_FILE = """# Notes

A guide that is longer than the cards, with its own headings.

---
Deck: Chemie::Basis
Tags: chem eins

1. Was ist ein Atom?
> Der kleinste Baustein
> eines Elements.

<!--ID:1234567890-->
2. {Wasser} ist {c3::H2O}.
---

## Guide

""" + "".join(f"""
### Part {n}

Prose about the tool, line one.
Prose about the tool, line two.
Prose about the tool, line three.
""" for n in range(4))


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("notes.md", "notes", text)]).files
    return imported


def test_notes_in_deck_sections_are_cards_even_when_headings_read_more_of_the_file():
    imported = _import(_FILE)
    assert imported.layout == "inka"
    assert imported.problems == ()  # the guide outside the sections is not an error
    basic, cloze = imported.cards
    assert (basic.question, basic.answer) == ("Was ist ein Atom?", "Der kleinste Baustein\neines Elements.")
    assert basic.section == cloze.section == "Chemie Basis"
    assert basic.tags == cloze.tags == ("chem", "eins")
    assert cloze.notetype == "cloze"
    assert cloze.answer == "{{c1::Wasser}} ist {{c3::H2O}}."


def test_deck_tags_and_id_lines_are_listed_as_inkas_markup():
    reasons = {item.line: item.reason for item in _import(_FILE).left_out}
    assert reasons[6].startswith("inka's deck")
    assert reasons[7].startswith("inka's tags")
    assert reasons[13] == "inka's note id"
    assert reasons[3] == "not in any card"


def test_a_rule_without_a_deck_line_opens_no_section():
    imported = _import("# T\n\n---\n\n1. Was ist X?\n> X.\n---\n")
    assert imported.layout != "inka"


_PLAIN = st.text(st.characters(blacklist_characters="{}$`\n", blacklist_categories=("Cs",)))


@given(_PLAIN)
def test_text_without_braces_is_unchanged(text: str) -> None:
    assert clozes(text) == text


@given(st.lists(st.tuples(_PLAIN, _PLAIN.filter(str.strip)), min_size=1, max_size=5))
def test_each_deletion_is_numbered_in_order_and_math_braces_are_kept(parts: list[tuple[str, str]]) -> None:
    text = "".join(f"{before}{{{inside}}} $x^{{2}}$ `{{k}}`" for before, inside in parts)
    expected = "".join(f"{before}{{{{c{n}::{inside}}}}} $x^{{2}}$ `{{k}}`"
                       for n, (before, inside) in enumerate(parts, start=1))
    assert clozes(text) == expected
