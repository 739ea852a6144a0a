"""`pull EXPORTED.apkg` with the official Anki engine: a note edited in Anki comes back into
its card file, and nothing else changes."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from apkg_support import ROOT, build, export, import_apkg, make_deck, run
from support import AnkiCollection, snapshot

from deckbuild.importers.apkg.fidelity import normal_form

pytest.importorskip("anki")
pytest.importorskip("markdownify")


def note_with(col, text: str):
    (nid,) = col.find_notes(f'"{text}"')
    return col.get_note(nid)


def fields_of(col) -> dict[str, list[str]]:
    return {col.get_note(nid).guid: list(col.get_note(nid).fields) for nid in col.find_notes("")}


@pytest.fixture
def published(tmp_path):
    """An imported project, built, and a user's collection that has that build."""
    author = make_deck(tmp_path / "author")
    original = export(author, tmp_path / "deck.apkg")
    author.close()
    project = tmp_path / "project"
    import_apkg(original, project)
    built = build(project, int(time.time()) - 100)  # built before the edits below
    user = AnkiCollection(tmp_path / "user")
    assert len(user.import_package(built).new) == 13
    yield project, user
    user.close()


def edit_in_anki(user, tmp_path: Path, **fields: str) -> Path:
    note = note_with(user.col, "la maison")
    for name, value in fields.items():
        note[name] = value
    user.col.update_note(note)
    return export(user.col, tmp_path / "exported.apkg")


def test_pull_apply_carries_an_edit_into_markdown_and_nothing_else(published, tmp_path):
    project, user = published
    exported = edit_in_anki(user, tmp_path, Meaning="the <b>house</b>",
                            Notes="feminine<div>plural: les maisons</div>")
    before = snapshot(project / "cards")
    shown = run("--project", str(project), "pull", str(exported))
    assert shown.exit_code == 0, shown.output
    assert "cards/chapter-1.md:" in shown.output and "(to apply)" in shown.output
    assert "+the **house**" in shown.output
    assert snapshot(project / "cards") == before  # without --apply nothing is written

    applied = run("--project", str(project), "pull", "--apply", str(exported))
    assert applied.exit_code == 0, applied.output
    after = snapshot(project / "cards")
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["chapter-1.md"]
    old, new = before["chapter-1.md"].decode(), after["chapter-1.md"].decode()
    removed = sorted(set(old.splitlines()) - set(new.splitlines()))
    added = sorted(set(new.splitlines()) - set(old.splitlines()))
    assert removed == ["feminine", "the house"]
    assert added == ["feminine<br>", "plural: les maisons", "the **house**"]
    assert "<!-- id: la-maison -->" in new  # ids never change

    expected = fields_of(user.col)
    rebuilt = build(project, int(time.time()) + 100)
    log = user.import_package(rebuilt)
    # Only the edited note is updated (the engine logs the others, unchanged, as duplicates
    # of the notes it has: it adds none of them).
    assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 1)
    assert user.col.note_count() == 13
    now = fields_of(user.col)
    assert {g: [normal_form(f) for f in v] for g, v in now.items()} == \
        {g: [normal_form(f) for f in v] for g, v in expected.items()}
    again = run("--project", str(project), "pull", str(exported))
    assert "0 notes edited in Anki" in again.output  # the edit is the project's now


def test_a_card_changed_in_markdown_too_is_shown_both_ways_never_overwritten(published,
                                                                              tmp_path):
    project, user = published
    exported = edit_in_anki(user, tmp_path, Meaning="the home")
    cards = project / "cards" / "chapter-1.md"
    cards.write_text(cards.read_text().replace("the house", "a house"))
    before = snapshot(project / "cards")
    result = run("--project", str(project), "pull", "--apply", str(exported))
    assert result.exit_code == 0, result.output
    assert "(conflict)" in result.output
    assert "-a house" in result.output and "+the home" in result.output
    assert snapshot(project / "cards") == before


def test_an_edit_that_does_not_convert_faithfully_is_listed_not_applied(published, tmp_path):
    project, user = published
    exported = edit_in_anki(user, tmp_path, Meaning='<span style="color: red">the house</span>')
    before = snapshot(project / "cards")
    result = run("--project", str(project), "pull", "--apply", str(exported))
    assert result.exit_code == 0, result.output
    assert "(not faithful)" in result.output and "style= on <span>" in result.output
    assert snapshot(project / "cards") == before
    assert ROOT


def test_pull_apply_works_on_a_deckbuild_project_of_built_in_types(tmp_path):
    """A deck written in Markdown from the start: its author fixes a typo in Anki."""
    from support import make_project

    project = make_project(tmp_path / "p", mini=True)
    more = project / "cards" / "more.md"
    more.write_bytes(more.read_bytes().replace(b"\n", b"\r\n"))  # written on Windows
    built = build(project, int(time.time()) - 100)
    user = AnkiCollection(tmp_path / "user")
    assert len(user.import_package(built).new) == 3
    (nid,) = user.col.find_notes('"Id:one-benefit"')
    note = user.col.get_note(nid)
    note["Answer"] = note["Answer"].replace("converges faster", "converges much faster")
    user.col.update_note(note)
    exported = export(user.col, tmp_path / "exported.apkg", root="Transfer Learning "
                      "Interview Questions")
    before = snapshot(project / "cards")
    result = run("--project", str(project), "pull", "--apply", str(exported))
    assert result.exit_code == 0, result.output
    assert "cards/more.md:6: card 'one-benefit' edited in Anki (applied)" in result.output
    after = snapshot(project / "cards")
    assert [n for n in after if after[n] != before[n]] == ["more.md"]
    old, new = before["more.md"].decode(), after["more.md"].decode()
    assert old.replace("converges faster", "converges much faster") == new  # CRLF kept
    rebuilt = build(project, int(time.time()) + 100)
    log = user.import_package(rebuilt)
    assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 1)
    user.close()


def test_a_note_whose_type_changed_in_anki_is_listed_not_written(published, tmp_path):
    project, user = published
    mm = user.col.models
    vocab = mm.by_name("Vocabulary (7 fields)")
    mm.add_field(vocab, mm.new_field("Gender"))
    mm.update_dict(vocab)
    exported = edit_in_anki(user, tmp_path, Gender="f")
    before = snapshot(project / "cards")
    result = run("--project", str(project), "pull", "--apply", str(exported))
    assert result.exit_code == 0, result.output
    assert "has 8 fields in Anki and 7 here" in result.output
    assert snapshot(project / "cards") == before


def test_an_image_added_in_anki_comes_into_media_and_a_new_note_is_named(published,
                                                                         tmp_path):
    from apkg_support import PNG, add

    project, user = published
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG[:-1] + b"\x01")  # other bytes than the deck's diagram
    assert user.col.media.add_file(str(photo)) == "photo.png"
    add(user.col, "Basic", ROOT, {"Front": "Added on the phone", "Back": "new"})
    exported = edit_in_anki(user, tmp_path, Notes='feminine <img src="photo.png">')
    result = run("--project", str(project), "pull", "--apply", str(exported))
    assert result.exit_code == 0, result.output
    assert "('Added on the phone') is not in the project's last build" in result.output
    assert (project / "media" / "photo.png").read_bytes() == photo.read_bytes()
    assert "feminine ![](../media/photo.png)" in (project / "cards" / "chapter-1.md").read_text()
    expected = fields_of(user.col)
    log = user.import_package(build(project, int(time.time()) + 100))
    assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 1)
    media = {p.name: p.read_bytes() for p in Path(user.col.media.dir()).iterdir()}
    digests = {name: hashlib.sha1(data).hexdigest() for name, data in media.items()}
    assert {g: [normal_form(f, digests) for f in v] for g, v in fields_of(user.col).items()} \
        == {g: [normal_form(f, digests) for f in v] for g, v in expected.items()}
