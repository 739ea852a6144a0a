"""`import DECK.apkg` proven with the official Anki engine: a deck made in Anki becomes a
project whose first build updates every user's notes in place, history kept."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from apkg_support import ROOT, build, export, import_apkg, make_deck
from support import AnkiCollection

from deckbuild.importers.apkg.fidelity import normal_form

pytest.importorskip("anki")
pytest.importorskip("markdownify")

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"


def notes_of(col) -> dict[str, tuple[list[str], list[str]]]:
    """guid -> (fields, tags) of every note in the collection."""
    found = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        found[note.guid] = (list(note.fields), sorted(note.tags))
    return found


def media_digests(col) -> dict[str, str]:
    folder = Path(col.media.dir())
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.is_file()}


def listed_differences(output: str) -> set[str]:
    """The GUIDs `import` says will differ after a build."""
    return {line.split(": note ", 1)[1].split(": field ", 1)[0]
            for line in output.splitlines() if "differs after a build" in line}


def study(col, count: int) -> None:
    col.decks.select(col.decks.id_for_name(ROOT))
    for _ in range(count):
        card = col.sched.getCard()
        assert card is not None
        col.sched.answerCard(card, 3)


@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b", "anki21"])
def test_the_first_build_updates_every_note_in_place(tmp_path, legacy):
    author = make_deck(tmp_path / "author")
    original = export(author, tmp_path / "deck.apkg", legacy=legacy)
    written = notes_of(author)
    author.close()
    output = import_apkg(original, tmp_path / "project")
    pyproject = (tmp_path / "project" / "pyproject.toml").read_text()
    assert 'name = "Imported Deck"' in pyproject
    assert 'description = "Made in <b>Anki</b>."' in pyproject
    built = build(tmp_path / "project", int(time.time()) + 60)

    user = AnkiCollection(tmp_path / "user")
    first = user.import_package(original)
    assert len(first.new) == len(written) == 13
    study(user.col, 4)
    types = sorted((m.id, m.name) for m in user.col.models.all_names_and_ids())
    stock = {m["id"]: m.get("originalStockKind") for m in user.col.models.all()}
    cards = sorted(user.col.db.list("select id from cards"))
    history = user.col.db.all("select id, cid, ease from revlog")
    assert len(history) == 4

    log = user.import_package(built)
    assert (len(log.new), len(log.conflicting), len(log.duplicate)) == (0, 0, 0)
    assert len(log.updated) == 13  # every note, in place
    assert sorted(user.col.db.list("select id from cards")) == cards  # no card added
    assert user.col.db.all("select id, cid, ease from revlog") == history
    # The deck's own note types were updated in place: no copy was added.
    assert sorted((m.id, m.name) for m in user.col.models.all_names_and_ids()) == types
    # ...and keep their stock kind (Image Occlusion's editor depends on it).
    assert {m["id"]: m.get("originalStockKind") for m in user.col.models.all()} == stock
    now = notes_of(user.col)
    assert set(now) == set(written)
    media = media_digests(user.col)
    differing = {guid for guid, (fields, tags) in now.items()
                 if [normal_form(f, media) for f in fields]
                 != [normal_form(f, media) for f in written[guid][0]]}
    assert all(now[guid][1] == written[guid][1] for guid in now)  # tags kept
    # Every difference is one `import` listed, and it listed none that is not one: here
    # the inline style the build's sanitiser removes.
    assert differing == listed_differences(output)
    assert [now[g][0][0] for g in differing] == ["<div><span>red</span> word</div>"]


def test_a_second_import_of_the_same_build_changes_nothing(tmp_path):
    author = make_deck(tmp_path / "author")
    original = export(author, tmp_path / "deck.apkg")
    author.close()
    import_apkg(original, tmp_path / "project")
    stamp = int(time.time()) + 60
    first = build(tmp_path / "project", stamp).read_bytes()
    again = build(tmp_path / "project", stamp + 100).read_bytes()
    assert first == again  # nothing changed: the same bytes, the recorded mods


def test_the_real_ankidroid_package_builds_and_round_trips(tmp_path):
    package = CORPUS / "apkg-ankidroid-templates.apkg"
    if not package.exists():
        pytest.skip(f"corpus package absent: {package}")
    output = import_apkg(package, tmp_path / "project")
    built = build(tmp_path / "project", int(time.time()) + 60)
    user = AnkiCollection(tmp_path / "user")
    first = user.import_package(package)
    assert len(first.new) == 48
    original = notes_of(user.col)
    cards = sorted(user.col.db.list("select id from cards"))
    log = user.import_package(built)
    assert (len(log.new), len(log.conflicting), len(log.duplicate)) == (0, 0, 0)
    assert sorted(user.col.db.list("select id from cards")) == cards
    now = notes_of(user.col)
    media = media_digests(user.col)
    differing = {guid for guid in now
                 if [normal_form(f, media) for f in now[guid][0]]
                 != [normal_form(f, media) for f in original[guid][0]]}
    assert differing == listed_differences(output)
    assert len(differing) <= 3


def test_what_does_not_convert_is_listed_with_its_note_never_dropped(tmp_path):
    from apkg_support import add

    author = make_deck(tmp_path / "author")
    sound = tmp_path / "hello.mp3"
    sound.write_bytes(b"ID3 not really a sound")
    assert author.media.add_file(str(sound)) == "hello.mp3"
    font = tmp_path / "_font.woff"
    font.write_bytes(b"wOFF")
    author.media.add_file(str(font))
    vocab = author.models.by_name("Vocabulary (7 fields)")
    vocab["css"] += '\n@font-face { font-family: f; src: url("_font.woff"); }'
    author.models.update_dict(vocab)
    add(author, "Basic", ROOT, {"Front": "Say it [sound:hello.mp3]",
                                "Back": 'A <img src="not in the package.png"> picture'},
        ["paren(tag)"])
    original = export(author, tmp_path / "deck.apkg")
    author.close()
    output = import_apkg(original, tmp_path / "project")
    listed = [line for line in output.splitlines() if ": note " in line]
    expected = [
        "field 'Front' kept as HTML (no Markdown comes back the same), sanitised: "
        "style= on <span> removed",
        "image 'not in the package.png' not carried: the package does not hold the file",
        "tag 'paren(tag)' not carried",
        "media file not carried: a sound",
        "media file not carried: not shown by any card's field (a template's own file",
    ]
    for what in expected:
        assert any(what in line for line in listed), (what, output)
    assert "media/hello.mp3" in output and "media/_font.woff" in output
    built = build(tmp_path / "project", int(time.time()) + 60)  # and it builds
    assert built.exists()
    text = (tmp_path / "project" / "cards" / "deck.md").read_text()
    assert "Say it [sound:hello.mp3]" in text  # the sound's text stays in its field
    # Kept as HTML, sanitised as a build would: the card holds what users will get.
    assert "## <div><span>red</span> word</div>" in text and "style=" not in text


def test_a_package_deckbuild_built_imports_and_round_trips(tmp_path):
    """collection.anki2, the legacy format genanki writes (deckbuild's own packages)."""
    from support import make_project

    source = make_project(tmp_path / "source", mini=True)
    original = build(source, 1_700_000_000)
    output = import_apkg(original, tmp_path / "project")
    assert "from collection.anki2" in output
    built = build(tmp_path / "project", 1_700_000_100)
    user = AnkiCollection(tmp_path / "user")
    assert len(user.import_package(original).new) == 3
    before = notes_of(user.col)
    log = user.import_package(built)
    assert (len(log.new), len(log.conflicting), len(log.updated)) == (0, 0, 3)
    media = media_digests(user.col)
    assert {g: [normal_form(f, media) for f in v[0]] for g, v in notes_of(user.col).items()} \
        == {g: [normal_form(f, media) for f in v[0]] for g, v in before.items()}


def test_import_writes_nothing_on_a_dry_run_nor_into_a_folder_that_holds_files(tmp_path):
    from apkg_support import run
    from support import snapshot

    author = make_deck(tmp_path / "author")
    original = export(author, tmp_path / "deck.apkg")
    author.close()
    dry = run("--project", str(tmp_path / "new"), "import", "--dry-run", str(original))
    assert dry.exit_code == 0 and "Dry run: would write" in dry.output
    assert not (tmp_path / "new").exists()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    before = snapshot(taken)
    refused = run("--project", str(taken), "import", str(original))
    assert refused.exit_code == 1 and "not empty" in refused.output
    assert snapshot(taken) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deckbuild")] == []
