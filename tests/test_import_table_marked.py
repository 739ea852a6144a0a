"""A `| Question | Answer |` table after long notes: its rows are the cards, the notes listed."""

from __future__ import annotations

from deckbuild.importers import import_sources
from deckbuild.importers.text import clean_title

_NOTES = "".join(f"## 1.{n} — Part {n}\n\nNotes, line one.\nNotes, line two.\nNotes, line three.\n\n"
                 for n in range(6))


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("notes.md", "notes", text)]).files
    return imported


def test_a_table_whose_header_names_questions_and_answers_wins_over_long_notes():
    text = _NOTES + "## 1.9 — Review\n\n| Question | Answer |\n|---|---|\n| What is X? | X. |\n"
    imported = _import(text)
    assert imported.layout == "table"
    assert imported.problems == ()
    assert [(c.section, c.question, c.answer) for c in imported.cards] == [("Review", "What is X?", "X.")]


def test_a_table_that_names_only_questions_does_not_outweigh_the_notes():
    text = _NOTES + "## 1.9 — Review\n\n| Question | Where |\n|---|---|\n| What is X? | X. |\n"
    assert _import(text).layout == "headings"


def test_a_numbered_section_title_loses_its_number_and_dash():
    assert clean_title("2.3.5 — Quick Reference") == "Quick Reference"
    assert clean_title("4 - Basics") == "Basics"
    assert clean_title("Trade-offs") == "Trade-offs"
