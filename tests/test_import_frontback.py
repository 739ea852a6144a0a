"""Markdown2Anki's `# Front side` / `# Back side` blocks with tabs."""

from __future__ import annotations

from pathlib import Path

from deckbuild.importers import import_sources

_OWN = Path(__file__).resolve().parent / "corpus" / "fr-frontback-tabs.md"


def _import(text: str):  # type: ignore[no-untyped-def]
    (imported,) = import_sources([("cards.md", "cards", text)]).files
    return imported


def test_blocks_with_a_front_side_are_cards_and_their_markup_is_read_not_missed():
    imported = _import(_OWN.read_text(encoding="utf-8"))
    assert imported.layout == "frontback"
    assert imported.problems == ()  # tab headings are markup, not lines left out
    basic, cloze, front_only = imported.cards
    assert basic.question == "Que fait la commande `git stash` ?"
    assert basic.answer.startswith("Elle met de côté") and "**Exemple**" in basic.answer
    assert (cloze.notetype, cloze.question) == ("cloze", "Rappel")
    assert "Ajoutez" in cloze.extra
    # No back side: the front's right tab answers.
    assert (front_only.question, front_only.answer) == ("Quelle commande crée une branche ?",
                                                        "`git branch nom`")
    reasons = {item.line: item.reason for item in imported.left_out}
    assert reasons[3] == "Markdown2Anki's side or tab group"
    assert reasons[7] == "Markdown2Anki's tab name"
    # A back with no front and a front with no left tab are listed, not cards.
    assert reasons[57] == reasons[66] == "not in any card"
    assert "a question without an answer" not in reasons.values()


def test_a_deletion_inside_code_is_refused_with_what_to_do():
    text = ("# Front side\n\n## Left tabs\n\n### Cloze\nImport it:\n```python\n"
            "import {{c1::os}}\n```\n\n---\n\n" + _OWN.read_text(encoding="utf-8"))
    imported = _import(text)
    assert [(p.line, "--layout" in p.message) for p in imported.problems] == [(8, True)]
