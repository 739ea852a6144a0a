"""Imported cards, built and imported with the official Anki engine, for every layout."""

from __future__ import annotations

import html
import re

import pytest
from click.testing import CliRunner
from import_corpus import EXPECTED, LAYOUT_NAMES, corpus_files
from support import make_project

from deckbuild.cli import cli

DECK = "Transfer Learning Interview Questions"


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_each_layout_imports_into_anki_with_its_notes_and_subdecks(tmp_path, anki, layout):
    project = make_project(tmp_path / "p")
    files = corpus_files(layout)
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", *map(str, files), "--project", str(project)], obj={})
    assert imported.exit_code == 0, imported.output
    built = runner.invoke(cli, ["--project", str(project), "build", "--timestamp", "1700000000"],
                          obj={})
    assert built.exit_code == 0, built.output
    log = anki.import_package(next((project / "dist").glob("*.apkg")))
    expected = [EXPECTED[path.name] for path in files]
    questions = sorted(q for e in expected for q in e.questions)
    col = anki.col
    assert len(log.new) == col.note_count() == col.card_count() == len(questions)
    got = sorted(_text(col.get_note(nid)["Question"].split('<div class="tl-front">')[0])
                 for nid in col.find_notes(""))
    assert got == questions
    subdecks = {f"{DECK}::{section}" for e in expected for section in e.sections}
    used = {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")}
    assert used == subdecks
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        assert "{{" not in card.answer()
        assert not re.search(r"(?i)<summary>[^<]*(<b>)?[^<]*answer", card.answer())
        # No `Answer:` / `A:` label is left at the start of an answer.
        assert not re.match(r"(?i)(answer|ans|a)\s*[:.]", _text(card.note()["Answer"]))


def _text(field: str) -> str:
    """A field as plain text, its inline math written back as `$...$`."""
    text = html.unescape(re.sub(r"<[^>]+>", "", field)).strip()
    return text.replace("\\(", "$").replace("\\)", "$")
