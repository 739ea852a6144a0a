"""Labels a file repeats before its questions or answers are found by repetition, in any
language, taken off the cards and named in the report."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deckbuild.importers import import_sources
from deckbuild.importers.report import report_lines


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("faq.md", "faq", text)]).files
    return imported


_FAQ = """# FAQ

* **Otázka:  Co je přenos učení?**

  > **ODPOVĚĎ:** Použití modelu naučeného na jedné úloze jako základu pro jinou.
  >
  > Šetří data i čas.
  >
  >
* **Otázka:  Proč zmrazit první vrstvy?**

  > **ODPOVĚĎ:** Učí se obecné rysy, které se hodí i jinde.
  >
  >
"""


def test_labels_repeated_by_a_faq_are_taken_off_and_reported():
    imported = _import(_FAQ)
    first, second = imported.cards
    assert first.question == "Co je přenos učení?"
    assert first.answer == ("Použití modelu naučeného na jedné úloze jako základu pro jinou.\n\n"
                            "Šetří data i čas.")
    assert second.answer == "Učí se obecné rysy, které se hodí i jinde."
    assert imported.labels == ("Otázka:", "ODPOVĚĎ:")
    assert "labels taken off: 'Otázka:' before questions, 'ODPOVĚĎ:' before answers" in \
        "\n".join(report_lines(imported, "cards"))


def test_a_lead_word_that_only_some_cards_share_is_their_text():
    text = ("## Docker: what is a volume?\n\nNote: storage that outlives a container.\n\n"
            "## What is an image?\n\nA read-only template.\n\n"
            "## What is a layer?\n\nOne step of an image's build.\n")
    imported = _import(text)
    assert [card.question for card in imported.cards][0] == "Docker: what is a volume?"
    assert imported.cards[0].answer.startswith("Note: storage")
    assert imported.labels == ()


# Words of several scripts, two letters or more: what a label may be.
_LABEL = st.text(alphabet=st.sampled_from("abcxyzäöšžčΑΒΓαβγДЖЯдия"), min_size=2, max_size=9)
_TEXT = st.text(alphabet=st.sampled_from("abcdefghij klmnoprstu"), min_size=3, max_size=30
                ).map(str.strip).filter(lambda t: len(t) >= 3)


@given(asked=_LABEL, answered=_LABEL, pairs=st.lists(st.tuples(_TEXT, _TEXT), min_size=2,
                                                     max_size=6, unique_by=lambda p: p[0]),
       quoted=st.booleans())
def test_any_repeated_label_comes_off_and_only_it(asked: str, answered: str,
                                                 pairs: list[tuple[str, str]], quoted: bool):
    quote = "  > " if quoted else "  "
    text = "# Quiz\n\n" + "".join(f"* **{asked}: {q}?**\n\n{quote}**{answered}:** {a}\n"
                                  for q, a in pairs)
    imported = _import(text)
    assert [(card.question, card.answer) for card in imported.cards] == [
        (f"{q}?", a) for q, a in pairs]
    assert [label.casefold() for label in imported.labels] == [f"{asked}:".casefold(),
                                                                f"{answered}:".casefold()]


def test_a_label_alone_on_its_line_goes_with_the_blank_lines_under_it():
    text = ("# ראיון\n\n### Q1: \"למה React?\"\n\n**תשובה:**\n\nמהיר וקל לתחזוקה.\n\n"
            "### Q2: \"למה Redis?\"\n\n**תשובה:**\nמטמון מהיר.\n\n"
            "### מה להדגיש:\n\n1. עומק טכני\n")
    imported = _import(text)
    assert [card.answer for card in imported.cards] == ["מהיר וקל לתחזוקה.", "מטמון מהיר.",
                                                        "1. עומק טכני"]
    assert imported.labels == ("תשובה:",)  # two answers of three: more than half
