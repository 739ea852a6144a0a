"""Import built packages with the official Anki engine and check what users get."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import genanki
import pytest
from support import REPO, AnkiCollection, make_project, read_apkg

from deckbuild.notetypes.cloze_type import cloze_numbers
from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.project.sources import load_sources
from deckbuild.speed.parallel import RenderOptions

MATH = r"\theta_{t+1} = \theta_t - \eta \nabla_\theta \mathcal{L}(\theta_t)"


def _build(project: Path, now: int, cache: bool = True, **options: bool) -> Path:
    return Path(build(load_config(project), now=now, render=RenderOptions(cache=cache),
                      **options).path)


ROOT_DECK = "Transfer Learning Interview Questions"
KEY_FORMULAS = f"{ROOT_DECK}::Key Formulas"
KEY_FACTS = f"{ROOT_DECK}::Key Facts"
# A deletion as the Text field holds it: its number and its HTML, up to a hint or its end.
_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^{}]*?)?\}\}", re.S)


def _visible(html: str) -> str:
    """The text a card shows: its HTML without tags (and so without their attributes)."""
    return re.sub(r"<[^>]*>", "", html)


def shipped_cloze_cards() -> int:
    """How many cloze cards the shipped sources make: one per distinct deletion number."""
    files, _ = load_sources(load_config(REPO))
    return sum(len(cloze_numbers(card.answer)) for source in files for card in source.cards
               if card.notetype == "cloze")


def shipped_fact_notes() -> int:
    """How many Key Facts notes the shipped sources hold (Basic notes, one card each)."""
    files, _ = load_sources(load_config(REPO))
    return sum(len(source.cards) for source in files if source.section == "Key Facts")


def test_shipped_deck_imports_and_every_card_renders(tmp_path, anki):
    project = make_project(tmp_path / "p", shipped=True)
    log = anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    assert len(log.new) == col.note_count() > 0
    full = f'-"note:Transfer Learning Q&A (cloze)" -"deck:{KEY_FACTS}"'
    basic = col.find_cards(full)
    assert len(basic) == len(col.find_notes(full)) == 38
    for card_id in basic:
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert "{{" not in question + answer
        assert card.note()["Question"] in answer
        assert not re.search(r"(?<!\\)\$\$", answer)
    ours = [m.name for m in col.models.all_names_and_ids() if m.name.startswith("Transfer")]
    assert sorted(ours) == ["Transfer Learning Q&A", "Transfer Learning Q&A (cloze)"]


def test_key_formulas_are_cloze_cards_in_their_own_subdeck(tmp_path, anki):
    project = make_project(tmp_path / "p", shipped=True)
    anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    cloze = col.find_cards('"note:Transfer Learning Q&A (cloze)"')
    assert len(cloze) == shipped_cloze_cards() >= 20
    assert sorted(cloze) == sorted(col.find_cards(f'"deck:{KEY_FORMULAS}"'))
    assert {col.decks.name(col.get_card(card_id).did) for card_id in cloze} == {KEY_FORMULAS}
    for card_id in cloze:
        card = col.get_card(card_id)
        note = card.note()
        question, answer = card.question(), card.answer()
        assert "{{" not in question + answer and "}}" not in question + answer
        assert note["Context"] in question and note["Extra"] in answer
        hidden = [html for number, html in _DELETION.findall(note["Text"])
                  if int(number) == card.ord + 1]
        assert hidden, f"{note['Id']}: card {card.ord + 1} hides nothing"
        for html in hidden:  # gone from the front (Anki keeps it only in an attribute)
            assert _visible(html) not in _visible(question), note["Id"]
            assert html in answer, note["Id"]
        assert re.search(r"\[(\.\.\.|[^\]<]+)\]", question), f"{note['Id']}: no blank on the front"
        # the search the Extra gives finds the full card, in this very collection
        (search,) = re.findall(r"search: <code>(Id:[a-z0-9-]+)</code>", note["Extra"])
        (full,) = col.find_notes(f'"{search}"')
        assert col.get_note(full).note_type()["name"] == "Transfer Learning Q&A"
        assert col.get_note(full)["Question"] in note["Extra"]


def test_key_facts_are_basic_cards_in_their_own_subdeck_linking_to_their_full_card(tmp_path, anki):
    project = make_project(tmp_path / "p", shipped=True)
    anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    facts = col.find_cards(f'"deck:{KEY_FACTS}"')
    assert len(facts) == shipped_fact_notes() >= 40
    for card_id in facts:
        note = col.get_card(card_id).note()
        assert note.note_type()["name"] == "Transfer Learning Q&A"
        (search,) = re.findall(r"search: <code>(Id:[a-z0-9-]+)</code>", note["Extra"])
        (full,) = col.find_notes(f'"{search}"')
        assert col.decks.name(col.get_note(full).cards()[0].did) not in (KEY_FACTS, KEY_FORMULAS)
        assert col.get_note(full)["Question"] in note["Extra"]


def test_a_package_deflated_in_many_blocks_imports_whole(tmp_path, anki, monkeypatch):
    from deckbuild.package import archive

    monkeypatch.setattr(archive, "BLOCK", 4096)  # the collection in some fifty blocks
    project = make_project(tmp_path / "p", shipped=True)
    package = _build(project, 1_700_000_000)
    assert package.read_bytes().count(b"\x00\x00\xff\xff") >= 40  # a sync flush per block
    log = anki.import_package(package)
    assert len(log.new) == anki.col.note_count() == 38 + shipped_cloze_cards() + shipped_fact_notes()
    for card_id in anki.col.find_cards(""):
        assert "{{" not in anki.col.get_card(card_id).answer()


def test_math_and_code_survive_the_engine(tmp_path, anki):
    project = make_project(tmp_path / "p", mini=True)
    anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    (nid,) = col.find_notes('"Id:gradient-step"')
    answer = col.get_note(nid).cards()[0].answer()
    assert f"\\[ {MATH} \\]" in answer  # TeX intact; its newlines are spaces
    assert r"\(a_i * b_j\)" in answer
    assert '<span class="k">for</span>' in answer
    assert "## not a card either" in answer
    assert col.decks.id_for_name("Transfer Learning Interview Questions::Basics")
    assert col.decks.id_for_name("Transfer Learning Interview Questions::More Topics")
    (image_note,) = col.find_notes('"Id:freeze-layers"')
    (name,) = re.findall(r'src="([^"]+)"', col.get_note(image_note)["Answer"])
    assert re.fullmatch(r"layers-[0-9a-f]{8}\.png", name)
    assert (Path(col.media.dir()) / name).read_bytes() == (project / "media/layers.png").read_bytes()


def test_edit_rebuild_reimport_updates_in_place_and_keeps_reviews(tmp_path, anki, render_cache):
    project = make_project(tmp_path / "p", mini=True)
    anki.import_package(_build(project, 1_700_000_000, render_cache))
    col = anki.col
    col.decks.select(col.decks.id_for_name("Transfer Learning Interview Questions"))
    answered = 0
    for _ in range(3):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
        answered += 1
    revlog_before = col.db.list("select id from revlog order by id")
    assert len(revlog_before) == answered
    notes_before = col.note_count()

    edited = tmp_path / "edited"
    shutil.copytree(project, edited)
    path = edited / "cards" / "basics.md"
    path.write_text(path.read_text().replace("It moves the parameters", "It steps the weights"))
    log = anki.import_package(_build(edited, 1_700_000_100, render_cache))

    # Only the edited note is updated; the untouched ones keep their mod and are skipped.
    assert [note.fields[-1] for note in log.updated] == ["gradient-step"]
    assert not log.new and not log.conflicting
    assert len(log.duplicate) == notes_before - 1
    assert col.note_count() == notes_before
    (nid,) = col.find_notes('"Id:gradient-step"')
    assert "It steps the weights" in col.get_note(nid)["Answer"]
    guids = col.db.list("select guid from notes")
    assert len(guids) == len(set(guids))
    assert col.db.list("select id from revlog order by id") == revlog_before


def test_inline_formula_and_python_block_render_intact(tmp_path, anki):
    card = ("# Optimisation\n\n## What is one gradient-descent step?\n<!-- id: gd-step -->\n\n"
            f"The update is ${MATH}$ for learning rate $\\eta$.\n\n"
            "```python\nfor x, y in loader:\n    loss = loss_fn(model(x), y)\n```\n")
    project = make_project(tmp_path / "p", {"opt.md": card})
    anki.import_package(_build(project, 1_700_000_000))
    (nid,) = anki.col.find_notes('"Id:gd-step"')
    answer = anki.col.get_note(nid).cards()[0].answer()
    assert f'<span class="arithmatex">\\({MATH}\\)</span>' in answer
    assert '<span class="k">for</span> <span class="n">x</span>' in answer
    assert '<span class="n">loss_fn</span>' in answer


# --- identity comes from ids, with the render cache and without it -------------------------

NAMESPACE = "transfer-learning-interview-questions"
MINI_IDS = ["freeze-layers", "gradient-step", "one-benefit"]


def _guids(col) -> dict[str, str]:
    return {col.get_note(n)["Id"]: col.get_note(n).guid for n in col.find_notes("")}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_reworded_question_updates_the_same_note(tmp_path, anki, render_cache):
    project = make_project(tmp_path / "p", mini=True)
    anki.import_package(_build(project, 1_700_000_000, render_cache))
    _edit(project / "cards" / "basics.md", "What does gradient descent do on step $t$?",
          "What does one gradient-descent step do?")
    log = anki.import_package(_build(project, 1_700_000_100, render_cache))
    assert [n.fields[-1] for n in log.updated] == ["gradient-step"] and not log.new
    assert anki.col.note_count() == 3
    assert _guids(anki.col) == {i: genanki.guid_for(NAMESPACE, i) for i in MINI_IDS}
    (nid,) = anki.col.find_notes('"Id:gradient-step"')
    assert anki.col.get_note(nid)["Question"] == "What does one gradient-descent step do?"


def test_a_card_moved_to_another_file_updates_the_same_note(tmp_path, anki, render_cache):
    project = make_project(tmp_path / "p", mini=True)
    anki.import_package(_build(project, 1_700_000_000, render_cache))
    basics = project / "cards" / "basics.md"
    text = basics.read_text()
    card = text[text.index("## Which layers"):]
    basics.write_text(text.replace(card, ""))
    with (project / "cards" / "more.md").open("a") as f:
        f.write("\n" + card)
    log = anki.import_package(_build(project, 1_700_000_100, render_cache))
    # Its subdeck and tags changed with the file: updated in place, never a new note.
    assert [n.fields[-1] for n in log.updated] == ["freeze-layers"] and not log.new
    assert _guids(anki.col) == {i: genanki.guid_for(NAMESPACE, i) for i in MINI_IDS}
    (nid,) = anki.col.find_notes('"Id:freeze-layers"')
    assert "extra-tag" in anki.col.get_note(nid).tags


def test_a_new_guid_namespace_gives_every_note_a_new_guid(tmp_path, anki, render_cache):
    project = make_project(tmp_path / "p", mini=True)
    anki.import_package(_build(project, 1_700_000_000, render_cache))
    _edit(project / "pyproject.toml", f'guid_namespace = "{NAMESPACE}"',
          'guid_namespace = "another-namespace"')
    # The identity guard refuses this by default; the test shows what the override costs.
    package = _build(project, 1_700_000_100, render_cache, allow_identity_change=True)
    fresh = AnkiCollection(tmp_path / "fresh")
    try:
        fresh.import_package(package)
        assert _guids(fresh.col) == {i: genanki.guid_for("another-namespace", i)
                                     for i in MINI_IDS}
    finally:
        fresh.close()
    log = anki.import_package(package)
    assert sorted(n.fields[-1] for n in log.new) == MINI_IDS and not log.updated
    assert anki.col.note_count() == 6


def test_a_file_without_a_section_puts_its_cards_in_the_deck_itself(tmp_path, anki):
    project = make_project(tmp_path / "p", {
        "a.md": "## Loose card?\n<!-- id: loose -->\n<!-- tags: t -->\n\nIn the deck itself.\n",
        "b.md": "# Sub\n\n## Filed card?\n<!-- id: filed -->\n\nIn a subdeck.\n"})
    package = _build(project, 1_700_000_000)
    assert sorted(n[4] for n in read_apkg(package)["notes"]) == [" sub ", " t "]  # no empty tag
    log = anki.import_package(package)
    col = anki.col
    assert len(log.new) == 2
    root = "Transfer Learning Interview Questions"
    names = sorted(d.name for d in col.decks.all_names_and_ids())
    assert names == ["Default", root, f"{root}::Sub"]
    (loose,) = col.find_cards('"Id:loose"')
    assert col.decks.name(col.get_card(loose).did) == root
    (filed,) = col.find_cards('"Id:filed"')
    assert col.decks.name(col.get_card(filed).did) == f"{root}::Sub"
    assert col.get_note(col.get_card(loose).nid).tags == ["t"]
    assert "Version 1.0.0" in col.decks.by_name(root)["desc"]


def test_shipped_release_updates_1_1_0_in_place_without_duplicates_and_keeps_reviews(tmp_path, anki):
    """The shipped update, as a 1.1.0 user gets it: 1.1.0 rebuilt from the commit that
    released it, studied, then the current release (1.2.x) imported with the default options."""
    from deckbuild.release.previous import export_tree, release_commit

    found = release_commit(REPO, REPO / "deck.lock.json", "1.1.0")
    if found is None:
        pytest.skip("needs the repository's git history to rebuild 1.1.0")
    commit, toplevel, prefix = found
    old_tree = export_tree(toplevel, commit, prefix, tmp_path / "old")
    assert old_tree is not None
    old_pkg = _build(old_tree, 1_700_000_000)
    new_tree = tmp_path / "new"  # the deck as released: its version, lock and tombstones
    for part in ("cards", "media", "templates"):
        shutil.copytree(REPO / part, new_tree / part)
    for name in ("pyproject.toml", "deck.lock.json"):
        shutil.copy2(REPO / name, new_tree / name)
    new_pkg = _build(new_tree, 1_700_000_000)

    anki.import_package(old_pkg)
    col = anki.col
    old_guids = {guid: nid for nid, guid in col.db.all("select id, guid from notes")}
    assert len(old_guids) == 64
    col.decks.select(col.decks.id_for_name(ROOT_DECK))
    for _ in range(10):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)
    reviewed = col.db.all("select cid, id from revlog order by id")
    assert len(reviewed) == 10

    log = anki.import_package(new_pkg)
    assert not log.conflicting
    rows = col.db.all("select id, guid from notes")
    guids = [guid for _, guid in rows]
    assert len(guids) == len(set(guids))  # no note twice
    ids = [col.get_note(nid)["Id"] for nid, _ in rows]
    assert len(ids) == len(set(ids))
    # 1.1.0's 64 notes all kept their note ids; 1.2 added 55 Key Facts and 5 new cards
    assert {guid: nid for nid, guid in rows if guid in old_guids} == old_guids
    assert len(rows) == 64 + 60
    assert col.db.all("select cid, id from revlog order by id") == reviewed
    assert all(col.db.scalar("select count() from cards where id = ?", cid) for cid, _ in reviewed)
    # the five replaced cards stay, marked retired; the corrections arrived in place
    retired = col.find_notes('"tag:deckbuild::retired"')
    assert sorted(col.get_note(n)["Id"] for n in retired) == [
        "evaluate-whether-transfer-helped", "finetuning-learning-rate-optimizer-schedule",
        "nlp-transfer-embeddings-to-llms", "role-of-pretrained-models",
        "transfer-learning-small-target-dataset"]
    (definition,) = col.find_notes('"Id:transfer-learning-definition-vs-traditional-ml"')
    assert "target task or domain" in col.get_note(definition)["Answer"]
    assert len(col.find_cards(f'"deck:{KEY_FACTS}"')) == shipped_fact_notes()
