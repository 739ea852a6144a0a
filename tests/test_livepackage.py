"""The resident package: patched after each edit, it holds exactly what a fresh build writes."""

from __future__ import annotations

import errno
import random
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import AnkiCollection, make_project, package_dump, snapshot

from deckbuild.errors import DeckError
from deckbuild.live import livepackage
from deckbuild.live.livepackage import LivePackage
from deckbuild.package import archive
from deckbuild.package.writer import PackageWriter, collection_format
from deckbuild.pipeline import build
from deckbuild.project import atomic
from deckbuild.project.config import load_config
from deckbuild.records import CardTemplate, DeckInfo, MediaFile, NoteType, PackageSpec, RenderedNote
from deckbuild.release.lock import content_hash

NOW = 1_700_000_000
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2e9b7e60000000049454e44ae426082")


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 4 KiB: the small decks' collections span dozens of them."""
    monkeypatch.setattr(archive, "BLOCK", 4096)


@pytest.fixture
def live():
    package = LivePackage()
    yield package
    package.close()


class Pair:
    """One project built by a resident LivePackage, its twin by fresh builds; every edit
    goes to both, and both build at the same time."""

    def __init__(self, tmp_path: Path, live: LivePackage) -> None:
        self.live = make_project(tmp_path / "live", shipped=True, mini=True)
        self.fresh = make_project(tmp_path / "fresh", shipped=True, mini=True)
        self.package = live
        self.now = NOW

    def edit(self, change: Callable[[Path], None]) -> None:
        change(self.live)
        change(self.fresh)

    def build(self):
        """(the live build's report, the fresh one's)."""
        self.now += 100
        fresh = build(load_config(self.fresh), now=self.now)
        return build(load_config(self.live), now=self.now, package=self.package), fresh


def replace_in(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def add_media(root: Path) -> None:
    (root / "media" / "curve.png").write_bytes(PNG)
    replace_in("cards/basics.md", "../media/layers.png", "../media/curve.png")(root)


NEW_CARD = """## What is a frozen layer?
<!-- id: frozen-layer -->
<!-- tags: fine-tuning -->

A layer whose weights the optimiser does not change.

"""
CLOZE_CARD = """## Freezing
<!-- id: freezing-cloze -->
<!-- type: cloze -->

A frozen layer keeps its {{c1::weights}} and trains {{c2::nothing}}.

"""


def move_card(root: Path) -> None:
    replace_in("cards/basics.md", NEW_CARD, "")(root)
    replace_in("cards/more.md", "## Name one benefit", NEW_CARD + "## Name one benefit")(root)


# (what the edit does, the edit, whether the kept collection is patched: None for either)
EDITS = [
    ("change a card's answer", replace_in("cards/basics.md", "It moves the parameters",
                                          "It steps the parameters"), True),
    ("add a card", replace_in("cards/basics.md", "## Which layers", NEW_CARD + "## Which layers"),
     True),
    ("change tags", replace_in("cards/basics.md", "<!-- tags: optimization theory -->",
                               "<!-- tags: optimization -->"), True),
    ("reorder tags (the content hash sorts them)",
     replace_in("cards/basics.md", "<!-- tags: fine-tuning vision -->",
                "<!-- tags: vision fine-tuning -->"), True),
    ("move a card to another file and subdeck", move_card, True),
    ("remove a card", replace_in("cards/more.md", NEW_CARD, ""), True),
    ("rename a subdeck", replace_in("cards/basics.md", "# Basics", "# Foundations"), True),
    ("edit a media reference", add_media, True),
    ("change the note type's CSS", replace_in("templates/style.css", ".card {",
                                              ".card { letter-spacing: 0.01em;"), True),
    ("add the first cloze card", replace_in("cards/more.md", "## Name one benefit",
                                            CLOZE_CARD + "## Name one benefit"), True),
    ("remove a deletion from a cloze card", replace_in("cards/more.md", "{{c2::nothing}}",
                                                       "nothing"), True),
]


def test_after_each_edit_the_patched_package_holds_what_a_fresh_build_writes(
        tmp_path, live, small_blocks):
    pair = Pair(tmp_path, live)
    first, fresh = pair.build()
    assert first.canonical
    assert Path(first.path).read_bytes() == Path(fresh.path).read_bytes()
    for what, change, patched in EDITS:
        pair.edit(change)
        ours, fresh = pair.build()
        assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path)), what
        assert (ours.notes, ours.cards, ours.changed) == \
            (fresh.notes, fresh.cards, fresh.changed), what
        if patched is not None:
            assert ours.canonical is not patched, what
        assert ours.canonical == (Path(ours.path).read_bytes() == Path(fresh.path).read_bytes())


def test_the_first_package_has_the_bytes_of_a_build_and_a_later_build_writes_them_again(
        tmp_path, live):
    pair = Pair(tmp_path, live)
    ours, fresh = pair.build()
    assert Path(ours.path).read_bytes() == Path(fresh.path).read_bytes()
    pair.edit(EDITS[0][1])
    ours, fresh = pair.build()
    assert not ours.canonical
    patched = Path(ours.path).read_bytes()
    assert patched != Path(fresh.path).read_bytes()
    # An ordinary build of the same sources does not take the patched package for its own.
    again = build(load_config(pair.live), now=pair.now)
    assert again.written and not again.up_to_date
    assert Path(again.path).read_bytes() == Path(fresh.path).read_bytes()


def test_an_edit_deflates_only_the_blocks_it_changed(tmp_path, live, small_blocks, monkeypatch):
    pair = Pair(tmp_path, live)
    pair.build()
    deflated = []
    real = livepackage.deflate_file

    def counting(path, kept=(), pool=None):
        blocks, fresh = real(path, kept, pool)
        if path.name.startswith("collection"):
            deflated.append((fresh, len(blocks)))
        return blocks, fresh

    monkeypatch.setattr(livepackage, "deflate_file", counting)
    pair.edit(EDITS[0][1])
    ours, fresh = pair.build()
    assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path))
    ((fresh_blocks, blocks),) = deflated
    assert blocks > 30 and fresh_blocks <= 6  # the header page, the note's, its cards', col


def test_a_build_with_an_error_leaves_the_package_and_the_kept_state(tmp_path, live):
    pair = Pair(tmp_path, live)
    pair.build()
    pair.edit(EDITS[0][1])
    pair.build()
    dist = snapshot(pair.live / "dist")
    card_file = pair.live / "cards" / "basics.md"
    good = card_file.read_bytes()
    replace_in("cards/basics.md", "<!-- id: gradient-step -->\n", "")(pair.live)
    with pytest.raises(DeckError, match="basics.md"):
        build(load_config(pair.live), now=pair.now + 50, package=live)
    assert snapshot(pair.live / "dist") == dist
    card_file.write_bytes(good)
    pair.edit(EDITS[2][1])
    ours, fresh = pair.build()
    assert not ours.canonical
    assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path))


@pytest.mark.parametrize("stage", ["rows", "zip"])
def test_a_failure_while_patching_leaves_the_package_and_the_next_build_catches_up(
        tmp_path, live, small_blocks, monkeypatch, stage):
    pair = Pair(tmp_path, live)
    pair.build()
    dist = snapshot(pair.live / "dist")
    lock = (pair.live / "deck.lock.json").read_bytes()

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if stage == "rows":  # the rows are written, then the transaction fails
        apply = livepackage._Changes.apply

        def apply_then_fail(self, conn):
            apply(self, conn)
            no_space()

        monkeypatch.setattr(livepackage._Changes, "apply", apply_then_fail)
    else:  # the rows are committed, the zip is written but not whole
        write_blocks = livepackage.write_blocks

        def write_then_fail(out, entries, timestamp):
            write_blocks(out, entries, timestamp)
            no_space()

        monkeypatch.setattr(livepackage, "write_blocks", write_then_fail)
    pair.edit(EDITS[1][1])  # a new card: a second insert of its rows would fail
    pair.now += 100
    with pytest.raises(OSError, match="No space"):
        build(load_config(pair.live), now=pair.now, package=live)
    assert snapshot(pair.live / "dist") == dist
    assert (pair.live / "deck.lock.json").read_bytes() == lock
    assert not list((pair.live / "dist").glob(".*.tmp"))
    monkeypatch.undo()
    monkeypatch.setattr(archive, "BLOCK", 4096)
    pair.now -= 100
    ours, fresh = pair.build()
    assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path))
    # After a failed transaction the package is written afresh; after a failed zip, patched.
    assert ours.canonical is (stage == "rows")
    pair.edit(EDITS[2][1])
    ours, fresh = pair.build()
    assert not ours.canonical
    assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path))


def test_media_already_deflated_are_not_read_again(tmp_path, live, monkeypatch):
    pair = Pair(tmp_path, live)
    pair.build()
    read = []
    real = livepackage.deflate_file
    monkeypatch.setattr(livepackage, "deflate_file",
                        lambda path, *rest: read.append(path.name) or real(path, *rest))
    pair.edit(EDITS[0][1])
    ours, fresh = pair.build()
    dump = package_dump(Path(ours.path))
    assert dump == package_dump(Path(fresh.path))
    assert [name for name in dump["media"] if name.startswith("layers-")]
    assert [name for name in read if not name.startswith("collection")] == []


# The writer alone, on random decks: any sequence of them, patched, dumps as written afresh.
# Notes may carry their content hash, as notes from the render cache do.
BASIC = NoteType(1607392319, "Q/A", ("Question", "Answer"),
                 (CardTemplate("Card 1", "{{Question}}", "{{Answer}}"),
                  CardTemplate("Card 2", "{{Answer}}", "{{Question}}")), ".card { color: red; }")
CLOZE = NoteType(1607392320, "Cloze", ("Text", "Extra"),
                 (CardTemplate("Cloze", "{{cloze:Text}}", "{{cloze:Text}}"),), "", kind="cloze")
DECKS = ("D", "D::One", "D::Two")

TAGS = ((), ("t",), ("t", "u"), ("u", "t"))  # the same content hash in either order
note_state = st.tuples(st.integers(0, 3), st.sampled_from(DECKS), st.sampled_from(TAGS),
                       st.sampled_from(["basic", "cloze"]), st.integers(1, 3), st.booleans())
# A step: notes changed or added, notes removed, the order, the CSS, the media.
deck_step = st.tuples(
    st.dictionaries(st.integers(0, 11), note_state, max_size=12),
    st.sets(st.integers(0, 11), max_size=3),
    st.integers(0, 2**16), st.booleans(), st.lists(st.sampled_from("ab"), unique=True))


def written(tmp: Path, package, state, name: str) -> tuple[Path, int]:
    notes_by_id, seed, red, media_names = state
    order = sorted(notes_by_id)
    random.Random(seed).shuffle(order)
    notes, mods = [], []
    for i in order:
        variant, deck, tags, kind, mod, hashed = notes_by_id[i]
        text = f"text {i} " + " ".join(f"{{{{c{n}::w{n}}}}}" for n in range(1, variant + 2))
        fields = (text, "extra") if kind == "cloze" else (f"Q{i}", f"A{variant}")
        digest = content_hash(fields, tags, deck, kind) if hashed else ""
        notes.append(RenderedNote(f"c{i}", f"g{i}", fields, tags, deck, (), "cards/a.md", i,
                                  digest=digest, notetype=kind))
        mods.append(mod)
    basic = replace(BASIC, css=".card { color: blue; }") if red else BASIC
    media = tuple(MediaFile(f"media/{m}.png", f"{m}.png", str(tmp / f"{m}.png"))
                  for m in media_names)
    spec = PackageSpec(basic, 5, tuple(DeckInfo(9 + k, d, "") for k, d in enumerate(DECKS)),
                       media, 100 + len(notes), (("cloze", 6),))
    target = tmp / name / "d.apkg"
    with package(basic, collection_format(basic), 9, root_deck_name="D",
                 others={"cloze": (CLOZE, collection_format(CLOZE))}) as writer:
        half = len(notes) // 2
        writer.add(notes[:half], mods[:half])
        writer.add(notes[half:], mods[half:])
        writer.finish(spec, target)
    return target, writer.cards


@settings(max_examples=30, deadline=None)
@given(st.lists(deck_step, min_size=2, max_size=5))
def test_any_sequence_of_decks_patched_dumps_as_written_afresh(tmp_path_factory, steps):
    tmp = tmp_path_factory.mktemp("decks")
    for m in "ab":
        (tmp / f"{m}.png").write_bytes(PNG + m.encode())
    live = LivePackage()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(archive, "BLOCK", 1024)
            patch.setattr(atomic, "_settle", lambda path, mode: None)  # no fsync: not the point
            notes: dict[int, tuple] = {}
            for step, (changed, removed, *rest) in enumerate(steps):
                notes = {i: n for i, n in {**notes, **changed}.items() if i not in removed}
                state = (notes, *rest)
                ours, our_cards = written(tmp, live, state, f"live{step}")
                fresh, cards = written(tmp, PackageWriter, state, f"fresh{step}")
                assert our_cards == cards
                assert package_dump(ours) == package_dump(fresh)
    finally:
        live.close()


def test_notes_with_the_same_content_hash_differ_by_the_order_of_their_tags():
    def note(tags: tuple[str, ...], fields=("Q", "A"), hashed: bool = True) -> RenderedNote:
        return RenderedNote("c", "g", fields, tags, "D", (), "cards/a.md", 1,
                            digest=content_hash(fields, tags, "D") if hashed else "")

    content = livepackage._content
    assert content(note(("a", "b"))) == content(note(("a", "b")))
    assert content(note(("a", "b"))) != content(note(("b", "a")))
    assert content(note(("a",))) != content(note(("a",), ("Q", "B")))
    assert content(note(("a",))) != content(note(("a",), ("Q", "B"), hashed=False))
    assert content(note(("a",))) == content(note(("a",), hashed=False))


def anki_state(col) -> list[tuple]:
    """Each note as a user's collection has it: GUID, type, fields, tags, cards' decks."""
    decks = {d.id: d.name for d in col.decks.all_names_and_ids()}
    state = []
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = sorted((card.ord, decks[card.did], card.question(), card.answer())
                       for card in note.cards())
        state.append((note.guid, note.note_type()["name"], note.note_type()["css"],
                      list(note.fields), sorted(note.tags), cards))
    return sorted(state)


def test_anki_imports_the_patched_packages_as_the_fresh_ones(tmp_path, live, anki,
                                                              small_blocks):
    pair = Pair(tmp_path, live)
    twin = AnkiCollection(tmp_path / "anki-fresh")
    try:
        ours, fresh = pair.build()
        anki.import_package(Path(ours.path))
        twin.import_package(Path(fresh.path))
        for _, change, _ in EDITS[:5] + EDITS[6:10]:  # all but the removal
            pair.edit(change)
        ours, fresh = pair.build()
        assert not ours.canonical
        log, twin_log = anki.import_package(Path(ours.path)), twin.import_package(Path(fresh.path))
        assert [len(x) for x in (log.new, log.updated, log.conflicting)] == \
            [len(x) for x in (twin_log.new, twin_log.updated, twin_log.conflicting)]
        assert log.updated and log.new and not log.conflicting
        assert anki_state(anki.col) == anki_state(twin.col)
        assert sorted(anki.col.media.check().unused) == sorted(twin.col.media.check().unused)
    finally:
        twin.close()


def test_past_the_plain_zip_limits_the_patched_collection_goes_into_a_zip64(
        tmp_path, live, monkeypatch):
    monkeypatch.setattr(archive, "_MAX_ENTRIES", 3)  # the collection, the map and an image
    pair = Pair(tmp_path, live)
    pair.build()
    pair.edit(EDITS[0][1])
    ours, fresh = pair.build()
    assert not ours.canonical
    assert Path(ours.path).read_bytes()[4] == 45  # version 4.5 to extract: Zip64
    assert package_dump(Path(ours.path)) == package_dump(Path(fresh.path))


def test_watch_patches_its_package_and_takes_it_for_up_to_date_until_a_build(tmp_path, live):
    from deckbuild.live.watch import Rebuilder
    from deckbuild.project.buildlock import project_lock

    pair = Pair(tmp_path, live)
    rebuilder = Rebuilder(pair.live, lambda: load_config(pair.live), lambda: pair.now,
                          project_lock, package=live)
    assert rebuilder.rebuild().written
    build(load_config(pair.fresh), now=pair.now)
    pair.edit(EDITS[0][1])
    pair.now += 100
    outcome = rebuilder.rebuild()
    assert outcome.ok and outcome.written
    fresh = build(load_config(pair.fresh), now=pair.now)
    package = Path(outcome.package)
    patched = package.read_bytes()
    assert patched != Path(fresh.path).read_bytes()
    assert package_dump(package) == package_dump(Path(fresh.path))
    # Saved again without a change: the watch finds its patched package up to date.
    card = pair.live / "cards" / "basics.md"
    card.write_bytes(card.read_bytes())
    again = rebuilder.rebuild()
    assert again.ok and not again.written and package.read_bytes() == patched
    # An ordinary build does not: it writes the canonical bytes, which the watch then takes.
    assert build(load_config(pair.live), now=pair.now).written
    assert package.read_bytes() == Path(fresh.path).read_bytes()
    assert not rebuilder.rebuild().written


def test_a_removed_cards_text_does_not_linger_in_the_patched_collection(tmp_path, live):
    pair = Pair(tmp_path, live)
    pair.build()
    pair.edit(EDITS[1][1])  # add a card
    pair.build()
    pair.edit(replace_in("cards/basics.md", NEW_CARD, ""))
    ours, _ = pair.build()
    assert not ours.canonical
    with zipfile.ZipFile(ours.path) as zf:
        collection = zf.read("collection.anki2")
    assert b"does not change" not in collection and b"frozen-layer" not in collection


# -- generated edit sequences: what `watch` writes is what a fresh build writes -------------

GEN_BLOCK = 4096  # the zip's blocks, so that media and the collection span several
ANSWERS = ["It moves the parameters.", "A <b>bold</b> claim & a `code <i>` span.",
           "Line one.\n\nLine two, with $x^2$.", "- a list\n- of two"]
MEDIA_SIZES = [3, GEN_BLOCK - 1, GEN_BLOCK, GEN_BLOCK + 1, 2 * GEN_BLOCK]

GEN_TYPES = ("basic", "cloze", "reversed", "type-in")  # card i is of type i % 4, for good:
# a card that changes its type is an error (Anki would not update it)
card_op = st.tuples(st.just("card"), st.integers(0, 5), st.integers(0, len(ANSWERS) - 1))
media_op = st.tuples(st.just("media"), st.integers(0, 2), st.sampled_from(MEDIA_SIZES),
                     st.integers(0, 255))
edit_op = st.one_of(
    card_op, card_op, media_op,
    st.tuples(st.just("same-size"), st.integers(0, 2)),  # new bytes, same size (and name)
    st.tuples(st.just("drop"), st.integers(0, 5)),
    st.tuples(st.just("folder"), st.integers(0, 5), st.integers(1, 2)),  # made while watching
    st.tuples(st.just("template"), st.sampled_from(["cloze", "reversed", "type-in"]),
              st.integers(0, 3)),
)


class Sources:
    """The generated part of a project: cards in folders, media files and template files,
    written out whole after each edit (into the watched project and its fresh twin)."""

    def __init__(self) -> None:
        self.cards: dict[int, tuple[str, int, int]] = {}  # i -> (type, answer, folder)
        self.media: dict[int, bytes] = {}
        self.templates: dict[str, int] = {}

    def apply(self, op: tuple) -> None:
        kind, *args = op
        if kind == "card":
            i, answer = args
            self.cards[i] = (GEN_TYPES[i % 4], answer, self.cards.get(i, ("", 0, 0))[2])
        elif kind == "media":
            k, size, seed = args
            self.media[k] = bytes((seed + 7 * n) % 256 for n in range(size))
        elif kind == "same-size" and args[0] in self.media:
            old = self.media[args[0]]
            self.media[args[0]] = bytes(b ^ 0x5A for b in old)
        elif kind == "drop":
            self.cards.pop(args[0], None)
        elif kind == "folder" and args[0] in self.cards:
            notetype, answer, _ = self.cards[args[0]]
            self.cards[args[0]] = (notetype, answer, args[1])
        elif kind == "template":
            self.templates[args[0]] = args[1]

    def card(self, i: int, depth: int) -> str:
        notetype, answer, _ = self.cards[i]
        up = "../" * depth
        images = "".join(f"\n\n![m{k}]({up}../media/gen{k}.png)" for k in sorted(self.media)
                         if k == i % 3)
        if notetype == "cloze":
            text = " ".join(f"{{{{c{n}::w{n} {ANSWERS[answer][:12]}}}}}"
                            for n in (1, 2, 10, 11)[: 2 + answer % 3])
            return (f"## Cloze {i}\n<!-- id: gen-{i} -->\n<!-- type: cloze -->\n\n"
                    f"{text}{images}\n\n")
        typed = f"answer {i}\n\n" if notetype == "type-in" else ""
        return (f"## Question {i}?\n<!-- id: gen-{i} -->\n<!-- type: {notetype} -->\n\n"
                f"{typed}{ANSWERS[answer]}{images}\n\n")

    def write(self, root: Path) -> None:
        import shutil

        for folder in ("cards/gen", "cards/gen1", "cards/gen2"):
            shutil.rmtree(root / folder, ignore_errors=True)
        for folder in sorted({f for _, _, f in self.cards.values()}):
            path = root / "cards" / (f"gen{folder}" if folder else "gen") / "g.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            depth = 1
            path.write_text(f"# Generated {folder}\n\n" + "".join(
                self.card(i, depth) for i, (_, _, f) in sorted(self.cards.items())
                if f == folder), encoding="utf-8")
        for old in (root / "media").glob("gen*.png"):
            old.unlink()
        for k, data in self.media.items():
            (root / "media" / f"gen{k}.png").write_bytes(data)
        from deckbuild.notetypes.registry import REGISTRY

        for key, version in self.templates.items():
            own = root / "templates" / key
            own.mkdir(exist_ok=True)
            front = (REGISTRY.get(key).folder / "front.html").read_text(encoding="utf-8")
            (own / "front.html").write_text(f"<div class=v{version}></div>\n{front}",
                                            encoding="utf-8")


@settings(max_examples=10, deadline=None)
@given(st.lists(edit_op, min_size=2, max_size=4))
def test_watchs_package_equals_a_fresh_build_after_any_edits(tmp_path_factory, ops):
    from deckbuild.live.watch import Rebuilder
    from deckbuild.project.buildlock import project_lock

    tmp = tmp_path_factory.mktemp("watched")
    live_root = make_project(tmp / "live", mini=True)
    fresh_root = make_project(tmp / "fresh", mini=True)
    live = LivePackage()
    now = [NOW]
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(archive, "BLOCK", GEN_BLOCK)
            patch.setattr(atomic, "_settle", lambda path, mode: None)  # no fsync: not the point
            rebuilder = Rebuilder(live_root, lambda: load_config(live_root), lambda: now[0],
                                  project_lock, package=live)
            assert rebuilder.rebuild().ok
            build(load_config(fresh_root), now=now[0])
            sources = Sources()
            for op in ops:
                sources.apply(op)
                sources.write(live_root)
                sources.write(fresh_root)
                now[0] += 100
                outcome = rebuilder.rebuild()
                fresh = build(load_config(fresh_root), now=now[0])
                assert outcome.ok, (op, outcome)
                assert package_dump(Path(outcome.package)) == package_dump(Path(fresh.path)), op
    finally:
        live.close()
