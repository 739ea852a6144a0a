"""Five successive releases imported in order into one collection with the real Anki engine."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from click.testing import CliRunner
from support import make_project

from deckbuild.cli import cli

ROOT_DECK = "Transfer Learning Interview Questions"
NOTETYPE = "Transfer Learning Q&A"


def release_with(project: Path, version: str, timestamp: int, *extra: str,
                 cache: bool = True) -> Path:
    pyproject = project / "pyproject.toml"
    head, sep, deck = pyproject.read_text().partition("[tool.deckbuild]")
    deck = re.sub(r'^version = "[^"]+"$', f'version = "{version}"', deck, count=1, flags=re.M)
    pyproject.write_text(head + sep + deck)
    result = CliRunner().invoke(cli, ["--project", str(project), "release", "--timestamp",
                                      str(timestamp), *extra,
                                      *(() if cache else ("--no-cache",))], obj={})
    assert result.exit_code == 0, result.output
    return project / "dist" / f"transfer-learning-interview-questions-{version}.apkg"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def answer_some(col, count: int) -> None:
    col.decks.select(col.decks.id_for_name(ROOT_DECK))
    for _ in range(count):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)


CLOZE_AND_REVERSED = """
## Kinds of tuning
<!-- id: tuning-kinds -->
<!-- type: cloze -->

{{c1::Fine-tuning}} updates the pretrained weights; {{c2::linear probing::a frozen variant}}
trains only a head.

## Domain shift
<!-- id: domain-shift -->
<!-- type: reversed -->

A change in the input distribution between source and target.
"""


def card_counts(col) -> dict[str, int]:
    """Cards of each note that is not basic, by card id."""
    counts = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        if note.note_type()["name"] != NOTETYPE:
            counts[note["Id"]] = len(note.cards())
    return counts


def note_by_id(col, card_id: str):
    (nid,) = col.find_notes(f'"Id:{card_id}"')
    return col.get_note(nid)


def ids_of(notes) -> list[str]:
    return sorted(note.fields[-1] for note in notes)


def test_five_releases_merge_cleanly(tmp_path, anki, render_cache):
    project = make_project(tmp_path / "p", mini=True)
    release = functools.partial(release_with, cache=render_cache)
    cards = project / "cards"
    col = anki.col

    # 1.0.0: three cards.
    log = anki.import_package(release(project, "1.0.0", 1_700_000_000))
    assert len(log.new) == 3
    answer_some(col, 2)
    # The user edits and tags a note that the next versions leave alone.
    mine = note_by_id(col, "one-benefit")
    mine["Extra"] = "my own mnemonic"
    mine.tags.append("my-tag")
    col.update_note(mine)

    # 1.1.0: an answer edited, a basic, a cloze and a reversed card added.
    edit(cards / "basics.md", "It moves the parameters against the gradient",
         "It moves the weights a small step against the gradient")
    (cards / "new.md").write_text("# Added\n\n## What is a source domain?\n<!-- id: source-domain"
                                  " -->\n<!-- tags: theory -->\n\nWhere the knowledge comes from.\n"
                                  + CLOZE_AND_REVERSED)
    log = anki.import_package(release(project, "1.1.0", 1_700_100_000))
    assert ids_of(log.updated) == ["gradient-step"]
    assert ids_of(log.new) == ["domain-shift", "source-domain", "tuning-kinds"]
    assert card_counts(col) == {"domain-shift": 2, "tuning-kinds": 2}
    assert "a small step" in note_by_id(col, "gradient-step")["Answer"]
    answer_some(col, 2)

    # 1.2.0: a card removed, the CSS changed.
    basics = cards / "basics.md"
    text = basics.read_text()
    basics.write_text(text[: text.index("## Which layers")])
    with (project / "templates" / "style.css").open("a") as css:
        css.write("\n.tl-question { letter-spacing: 0.01em; }\n")
    log = anki.import_package(release(project, "1.2.0", 1_700_200_000))
    # The removed card reaches users as a tombstone: its note gains the retired tag.
    assert not log.new and ids_of(log.updated) == ["freeze-layers"] and not log.conflicting
    assert "deckbuild::retired" in note_by_id(col, "freeze-layers").tags
    notetype = col.models.by_name(NOTETYPE)
    assert "letter-spacing: 0.01em" in notetype["css"]
    answer_some(col, 1)

    # 1.3.0: template text changed, a question reworded under the same id.
    edit(project / "templates" / "back.html", '<hr id="answer">', '<hr id="answer">\n  <!-- v -->')
    edit(cards / "new.md", "What is a source domain?", "What is the source domain?")
    log = anki.import_package(release(project, "1.3.0", 1_700_300_000))
    assert ids_of(log.updated) == ["source-domain"] and not log.new
    assert "<!-- v -->" in col.models.by_name(NOTETYPE)["tmpls"][0]["afmt"]
    assert note_by_id(col, "source-domain")["Question"] == "What is the source domain?"

    # 1.4.0: edits of every type and another card, with reviews in between.
    revlog_before = col.db.list("select id from revlog order by id")
    cards_before = col.db.list("select id from cards order by id")
    edit(cards / "new.md", "Where the knowledge comes from.", "Where the pre-training data lives.")
    edit(cards / "new.md", "trains only a head", "trains only a new head")
    edit(cards / "new.md", "A change in the input distribution", "A shift of the input distribution")
    with (cards / "new.md").open("a") as f:
        f.write("\n## What is a target domain?\n<!-- id: target-domain -->\n\nWhere it is used.\n")
    log = anki.import_package(release(project, "1.4.0", 1_700_400_000))
    assert ids_of(log.updated) == ["domain-shift", "source-domain", "tuning-kinds"]
    assert ids_of(log.new) == ["target-domain"] and not log.conflicting
    assert "a new head" in note_by_id(col, "tuning-kinds")["Text"]
    assert "A shift" in note_by_id(col, "domain-shift")["Answer"]
    assert set(cards_before) < set(col.db.list("select id from cards"))  # the same cards

    # After all five: nothing duplicated or lost.
    guids = col.db.list("select guid from notes")
    assert len(guids) == len(set(guids)) == 7  # 3 + 4 added; the removed one stays
    assert col.db.list("select id from revlog order by id") == revlog_before
    assert len(revlog_before) == 5
    ours = [m.name for m in col.models.all_names_and_ids() if m.name.startswith(NOTETYPE)]
    assert sorted(ours) == [NOTETYPE, f"{NOTETYPE} (cloze)", f"{NOTETYPE} (reversed)"]
    assert card_counts(col) == {"domain-shift": 2, "tuning-kinds": 2}
    mine = note_by_id(col, "one-benefit")
    assert mine["Extra"] == "my own mnemonic" and "my-tag" in mine.tags
    assert (project / ".deckbuild-cache" / "cache.sqlite").exists() == render_cache
    assert "letter-spacing" in col.models.by_name(NOTETYPE)["css"]
    # The removed note is still there, and diff's search finds it.
    result = CliRunner().invoke(cli, ["--project", str(project), "diff"], obj={})
    assert result.exit_code == 0
    old_release = project / "dist" / "transfer-learning-interview-questions-1.1.0.apkg"
    new_release = project / "dist" / "transfer-learning-interview-questions-1.2.0.apkg"
    result = CliRunner().invoke(cli, ["diff", str(old_release), str(new_release)], obj={})
    (search,) = [line.strip() for line in result.output.splitlines() if '"Id:' in line]
    found = col.find_notes(search)
    assert [col.get_note(n)["Id"] for n in found] == ["freeze-layers"]


def test_schema_change_with_merge_note_types_keeps_history(tmp_path, anki, render_cache):
    """What the schema guard's advice tells users to do, checked with the engine."""
    from anki.import_export_pb2 import (
        IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )

    project = make_project(tmp_path / "p", mini=True)
    release = functools.partial(release_with, cache=render_cache)
    anki.import_package(release(project, "1.0.0", 1_700_000_000))
    answer_some(anki.col, 2)
    edit(project / "pyproject.toml", '"Source", "Id"]',
         '"Source", "Id", "Hint"]\nmap = { Hint = "source" }')
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    new = release(project, "2.0.0", 1_700_100_000, "--allow-schema-change", "--allow-conflicts")
    col = anki.col
    plain = anki.import_package(new)
    assert plain.conflicting and not plain.updated  # what users suffer without merging
    merged = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(new), options=ImportAnkiPackageOptions(
            merge_notetypes=True, update_notes=IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS))).log
    col.models._clear_cache()
    assert sorted(n.fields[4] for n in merged.updated) == ["freeze-layers", "gradient-step",
                                                            "one-benefit"]
    assert [m.name for m in col.models.all_names_and_ids() if m.name.startswith(NOTETYPE)] == [
        NOTETYPE]
    assert "Faster training." in note_by_id(col, "one-benefit")["Answer"]
    assert len(col.db.list("select id from revlog")) == 2
    assert len(set(col.db.list("select guid from notes"))) == col.note_count() == 3
    assert (project / ".deckbuild-cache" / "cache.sqlite").exists() == render_cache
