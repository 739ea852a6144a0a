"""The identity guard: deck name, deck id, note type id and GUID namespace, once recorded,
change only with --allow-identity-change; the example deck's ids stay the example's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, read_apkg, snapshot, without_docs

from deckbuild.cli import cli
from deckbuild.project.identity import Identity, example_ids_problem, identity_problems

NAME = 'name = "Transfer Learning Interview Questions"'
DECK_ID = "deck_id = 1764145200001"
NOTETYPE_ID = "id = 1764145200000"
NAMESPACE = 'guid_namespace = "transfer-learning-interview-questions"'
# A deck of one's own: fresh ids, not the example deck's.
OWN = {NAME: 'name = "My Deck"', DECK_ID: "deck_id = 4242000001", NOTETYPE_ID: "id = 4242000000",
       NAMESPACE: 'guid_namespace = "my-deck"'}
RESTORE = ("Restore the old value, or rebuild with --allow-identity-change to accept the change "
           "and record the new one")
RECORDED = "deck.lock.json records the old value"

# Each identity key changed on its own: the edit, the lock's new record, the full error.
CHANGES = {
    "deck_name": (
        OWN[NAME], 'name = "Renamed Deck"', ("deck_name", "Renamed Deck"),
        "the deck name changed from 'My Deck' to 'Renamed Deck' "
        f"(tool.deckbuild.name; {RECORDED}). Anki matches decks by their full name, so "
        "importing users get a new deck (with new subdecks) beside the old one: the cards they "
        "already have stay in the old deck, their notes are still updated in place, and only "
        "new cards go to the new deck. A deck shared on AnkiWeb stops receiving share updates."),
    "deck_id": (
        OWN[DECK_ID], "deck_id = 4242000999", ("deck_id", 4242000999),
        f"the deck id changed from 4242000001 to 4242000999 (tool.deckbuild.deck_id; "
        f"{RECORDED}). Anki matches decks by their full name and gives them its own ids, so "
        "importing users see no difference; but a changed deck id usually means pyproject.toml "
        "came from another deck, whose note type and GUID namespace may be shared too."),
    "notetype_id": (
        OWN[NOTETYPE_ID], "id = 4242000998", ("notetype_ids", [4242000998]),
        f"the note type id changed from 4242000000 to 4242000998 "
        f"(tool.deckbuild.notetype.id; {RECORDED}). Importing users get a copy of the note "
        "type named '<name>+', and every note they already have conflicts with it: none of "
        "them receives updates again."),
    "guid_namespace": (
        OWN[NAMESPACE], 'guid_namespace = "another"', ("guid_namespace", "another"),
        "the GUID namespace changed from 'my-deck' to 'another' "
        f"(tool.deckbuild.guid_namespace; {RECORDED}). Every note's GUID changes, so every "
        "importing user gets every note a second time, as a new note without review history, "
        "beside the one they have."),
}


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def own_project(root: Path) -> Path:
    """The mini deck under a name and ids of its own."""
    project = make_project(root, mini=True)
    for line, own in OWN.items():
        edit(project / "pyproject.toml", line, own)
    return project


def lock_identity(project: Path) -> dict:
    return json.loads((project / "deck.lock.json").read_text())["identity"]


def test_the_first_build_records_the_identity(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build").exit_code == 0
    assert lock_identity(project) == {
        "deck_name": "Transfer Learning Interview Questions", "deck_id": 1764145200001,
        "notetype_ids": [1764145200000], "guid_namespace": "transfer-learning-interview-questions"}


@pytest.mark.parametrize("key", CHANGES)
def test_each_identity_change_alone_is_refused_then_accepted_with_the_flag(tmp_path, key):
    old, new, (field, recorded), message = CHANGES[key]
    project = own_project(tmp_path / "p")
    assert run(project, "build").exit_code == 0
    before = snapshot(project / "dist"), (project / "deck.lock.json").read_bytes()
    edit(project / "pyproject.toml", old, new)

    checked = run(project, "check")
    assert checked.exit_code == 1
    assert without_docs(checked.stdout).splitlines() == [f"pyproject.toml: {message} {RESTORE}"]
    built = run(project, "build")
    assert built.exit_code == 1
    assert without_docs(built.output).splitlines() == [f"Error: pyproject.toml: {message} {RESTORE}"]
    assert (snapshot(project / "dist"), (project / "deck.lock.json").read_bytes()) == before

    accepted = run(project, "build", "--allow-identity-change")
    assert accepted.exit_code == 0, accepted.output
    assert lock_identity(project)[field] == recorded
    assert run(project, "check").stdout == ""  # the new value is now the recorded one
    edit(project / "pyproject.toml", new, old)  # and going back is a change in its turn
    assert run(project, "build").exit_code == 1


def test_release_takes_the_flag_too(tmp_path):
    project = own_project(tmp_path / "p")
    assert run(project, "release", "--timestamp", "1700000000").exit_code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.0.0"', 'version = "1.1.0"'))
    edit(pyproject, OWN[DECK_ID], "deck_id = 4242000999")
    refused = run(project, "release", "--timestamp", "1700000100")
    assert refused.exit_code == 1 and "the deck id changed" in refused.output
    accepted = run(project, "release", "--timestamp", "1700000100", "--allow-identity-change")
    assert accepted.exit_code == 0, accepted.output
    assert lock_identity(project)["deck_id"] == 4242000999
    assert json.loads((project / "deck.lock.json").read_text())["releases"][-1]["version"] == "1.1.0"


def test_a_released_versions_identity_is_frozen_even_with_the_flag(tmp_path):
    project = own_project(tmp_path / "p")
    assert run(project, "release", "--timestamp", "1700000000").exit_code == 0
    edit(project / "pyproject.toml", OWN[NOTETYPE_ID], "id = 4242000998")
    result = run(project, "build", "--allow-identity-change")
    assert result.exit_code == 1
    assert without_docs(result.output).splitlines() == [
        "Error: pyproject.toml: version 1.0.0 is already released and the content changed (the "
        "deck's identity differs); bump [tool.deckbuild] version"]
    edit(project / "pyproject.toml", 'version = "1.0.0"', 'version = "1.1.0"')
    assert run(project, "build", "--allow-identity-change").exit_code == 0
    assert lock_identity(project)["notetype_ids"] == [4242000998]


def test_a_lock_without_identity_adopts_the_current_one(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    lock = project / "deck.lock.json"
    older = json.loads(lock.read_text())
    del older["identity"]  # as the locks written before it was recorded
    lock.write_text(json.dumps(older))
    assert run(project, "build", "--timestamp", "1700000050").exit_code == 0  # nothing else new
    assert lock_identity(project)["guid_namespace"] == "transfer-learning-interview-questions"
    lock.write_text(json.dumps(older))
    edit(project / "pyproject.toml", NAMESPACE, 'guid_namespace = "another"')
    result = run(project, "build", "--timestamp", "1700000100")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert lock_identity(project)["guid_namespace"] == "another"
    edit(project / "pyproject.toml", 'guid_namespace = "another"', NAMESPACE)
    assert run(project, "build").exit_code == 1


def test_renaming_a_copy_of_the_example_deck_reports_both_problems(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    edit(project / "pyproject.toml", 'name = "Transfer Learning Interview Questions"',
         'name = "My Own Deck"')
    result = run(project, "build", "--timestamp", "1700000100")
    assert result.exit_code == 1
    first, second = result.output.splitlines()
    assert first.startswith("Error: pyproject.toml: the deck name changed from 'Transfer "
                            "Learning Interview Questions' to 'My Own Deck'")
    assert second.startswith("Error: pyproject.toml: tool.deckbuild.deck_id, "
                             "tool.deckbuild.notetype.id, tool.deckbuild.guid_namespace are "
                             "those of the example deck")


def test_a_partly_recorded_identity_reads_back_as_recorded():
    for data in ({}, {"deck_id": 1}, {"deck_name": "D"}, {"notetype_ids": [2, 3]},
                 {"guid_namespace": "ns"}, {"deck_name": None, "deck_id": None}):
        identity = Identity.from_json(data)
        assert identity.to_json() == {k: v for k, v in data.items() if v is not None}
    assert Identity.from_json({"deck_id": "7", "notetype_ids": ["8"]}) == Identity(
        deck_id=7, notetype_ids=(8,))


def test_a_partly_recorded_identity_guards_what_it_records():
    recorded = Identity(deck_id=1, guid_namespace="ns")
    assert identity_problems(recorded, Identity("New name", 1, (9,), "ns"), "lock") == []
    (problem,) = identity_problems(recorded, Identity("New name", 2, (9,), "ns"), "lock")
    assert problem.message.startswith("the deck id changed from 1 to 2")


def test_adding_a_note_type_is_not_an_identity_change():
    recorded = Identity("D", 1, (10,), "ns")
    assert identity_problems(recorded, Identity("D", 1, (10, 11), "ns"), "lock") == []
    (problem,) = identity_problems(recorded, Identity("D", 1, (11, 12), "ns"), "lock")
    assert problem.message.startswith("the note type id changed from 10 to 11, 12")


EXAMPLE_MESSAGE = (
    "pyproject.toml: {keys} {verb} those of the example deck 'Transfer Learning Interview "
    "Questions', but this deck is 'My Own Deck'. A collection that has both would get {effects}. "
    "Run `deckbuild init --new-ids` for fresh ids, or change {keys} yourself")
SHARED_EFFECT = {
    "tool.deckbuild.deck_id": "the same deck id (harmless in Anki, which matches decks by name, "
                              "but a sign of a copied configuration)",
    "tool.deckbuild.notetype.id": "the same note type id (one note type holds both decks' "
                                  "notes, with the name, templates and CSS of the deck imported "
                                  "last)",
    "tool.deckbuild.guid_namespace": "the same GUID namespace (a card id used in both decks is "
                                     "one note, whose fields the deck imported last overwrites)",
}
FRESH = {DECK_ID: "deck_id = 4242000001", NOTETYPE_ID: "id = 4242000000",
         NAMESPACE: 'guid_namespace = "my-own-deck"'}
KEY_OF = {DECK_ID: "tool.deckbuild.deck_id", NOTETYPE_ID: "tool.deckbuild.notetype.id",
          NAMESPACE: "tool.deckbuild.guid_namespace"}


@pytest.mark.parametrize("kept", [[DECK_ID, NOTETYPE_ID, NAMESPACE], [DECK_ID], [NOTETYPE_ID],
                                  [NAMESPACE]], ids=["all", "deck-id", "notetype-id", "namespace"])
def test_the_example_decks_ids_under_another_name_are_refused(tmp_path, kept):
    project = make_project(tmp_path / "p", mini=True)
    edit(project / "pyproject.toml", NAME, 'name = "My Own Deck"')
    for line, fresh in FRESH.items():
        if line not in kept:
            edit(project / "pyproject.toml", line, fresh)
    keys = ", ".join(KEY_OF[line] for line in kept)
    expected = EXAMPLE_MESSAGE.format(keys=keys, verb="is" if len(kept) == 1 else "are",
                                      effects="; ".join(SHARED_EFFECT[KEY_OF[k]] for k in kept))
    checked = run(project, "check")
    assert checked.exit_code == 1 and without_docs(checked.stdout).splitlines() == [expected]
    built = run(project, "build", "--allow-identity-change")  # not an identity change to allow
    assert built.exit_code == 1 and without_docs(built.output).splitlines() == [f"Error: {expected}"]
    assert not (project / "dist").exists() and not (project / "deck.lock.json").exists()


def test_fresh_ids_under_another_name_build(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    edit(project / "pyproject.toml", NAME, 'name = "My Own Deck"')
    for line, fresh in FRESH.items():
        edit(project / "pyproject.toml", line, fresh)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    assert lock_identity(project) == {"deck_name": "My Own Deck", "deck_id": 4242000001,
                                      "notetype_ids": [4242000000],
                                      "guid_namespace": "my-own-deck"}


def test_the_example_deck_itself_is_not_refused():
    assert example_ids_problem(Identity("Transfer Learning Interview Questions", 1764145200001,
                                        (1764145200000,),
                                        "transfer-learning-interview-questions")) is None
    assert example_ids_problem(Identity("Other", 1, (2,), "other")) is None


# -- why: what importing users get, measured with the engine --------------------------------

def two_builds(tmp_path: Path, key: str) -> tuple[Path, Path]:
    """The mini deck built, then one identity key changed (accepted) and one answer edited."""
    old, new, _, _ = CHANGES[key]
    project = own_project(tmp_path / "p")
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    package = project / "dist" / "transfer-learning-interview-questions-1.0.0.apkg"
    first = package.rename(tmp_path / "first.apkg")
    edit(project / "pyproject.toml", old, new)
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    result = run(project, "build", "--timestamp", "1700000100", "--allow-identity-change")
    assert result.exit_code == 0, result.output
    return first, package


def test_engine_a_new_namespace_duplicates_every_note(tmp_path, anki):
    first, second = two_builds(tmp_path, "guid_namespace")
    assert len(anki.import_package(first).new) == 3
    log = anki.import_package(second)
    assert len(log.new) == 3 and not log.updated
    assert anki.col.note_count() == 6
    questions = anki.col.db.list("select sfld from notes")
    assert len(set(questions)) == 3  # each question twice


def test_engine_a_new_notetype_id_adds_a_copy_and_every_note_conflicts(tmp_path, anki):
    first, second = two_builds(tmp_path, "notetype_id")
    anki.import_package(first)
    log = anki.import_package(second)
    assert len(log.conflicting) == 3 and not log.updated and not log.new
    names = [m.name for m in anki.col.models.all_names_and_ids()]
    assert "Transfer Learning Q&A" in names and "Transfer Learning Q&A+" in names


def test_engine_a_new_deck_name_adds_a_deck_and_leaves_the_cards(tmp_path, anki):
    first, second = two_builds(tmp_path, "deck_name")
    anki.import_package(first)
    log = anki.import_package(second)
    # Every note's subdeck changed, so every note is updated in place; no note is added.
    assert len(log.updated) == 3 and not log.new and not log.conflicting
    col = anki.col
    decks = {d.name for d in col.decks.all_names_and_ids()}
    assert {"My Deck", "Renamed Deck"} <= decks
    where = {col.decks.name(did) for did in col.db.list("select did from cards")}
    assert where and all(name.startswith("My Deck::") for name in where)
    assert "Faster training." in " ".join(col.db.list("select flds from notes"))


def test_engine_a_new_deck_id_alone_changes_nothing_for_users(tmp_path, anki):
    first, second = two_builds(tmp_path, "deck_id")
    anki.import_package(first)
    decks = sorted(d.name for d in anki.col.decks.all_names_and_ids())
    log = anki.import_package(second)
    assert len(log.updated) == 1 and not log.new and not log.conflicting
    assert sorted(d.name for d in anki.col.decks.all_names_and_ids()) == decks
    assert read_apkg(second)["decks"].keys() != read_apkg(first)["decks"].keys()


def test_engine_the_example_ids_in_another_deck_mix_both_decks(tmp_path, anki, monkeypatch):
    """What the example-ids check prevents: a copy that kept the ids, imported after it."""
    from deckbuild.stages import stamp

    example = make_project(tmp_path / "example", mini=True)
    assert run(example, "build", "--timestamp", "1700000000").exit_code == 0
    copy = make_project(tmp_path / "copy", {"x.md": (
        "# Other\n\n## Name one benefit of transfer learning.\n<!-- id: one-benefit -->\n\n"
        "The copy's answer.\n\n## A card of the copy's own?\n<!-- id: own -->\n\nYes.\n")})
    edit(copy / "pyproject.toml", NAME, 'name = "My Own Deck"')
    edit(copy / "pyproject.toml", 'name = "Transfer Learning Q&A"', 'name = "My Q&A"')
    with (copy / "templates" / "style.css").open("a") as css:
        css.write("\n.mine { color: teal; }\n")
    monkeypatch.setattr(stamp, "example_ids_problem", lambda identity: None)
    assert run(copy, "build", "--timestamp", "1700000100").exit_code == 0

    anki.import_package(next((example / "dist").glob("*.apkg")))
    log = anki.import_package(next((copy / "dist").glob("*.apkg")))
    col = anki.col
    assert len(log.new) == 1 and len(log.updated) == 1  # the shared card id: one note
    ours = [m for m in col.models.all() if m["name"] in ("Transfer Learning Q&A", "My Q&A")]
    assert [m["name"] for m in ours] == ["My Q&A"] and ".mine" in ours[0]["css"]
    assert {col.models.get(col.get_note(n).mid)["name"] for n in col.find_notes("")} == {"My Q&A"}
    (shared,) = col.find_notes('"Id:one-benefit"')
    assert "The copy's answer." in col.get_note(shared)["Answer"]
