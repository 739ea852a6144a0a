"""Every built-in note type, mixed in one file, imported with the official Anki engine."""

from __future__ import annotations

import re
from pathlib import Path

from support import make_project

from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.speed.parallel import RenderOptions

MIXED = """\
---
type: reversed
---
# Mixed

## What is fine-tuning?
<!-- id: fine-tuning -->
<!-- type: basic -->

Training a pretrained model further on the target task.

## Linear probing
<!-- id: linear-probing -->

Training only a new head on frozen features.

## Transfer risk
<!-- id: transfer-risk -->
<!-- type: cloze -->

When source knowledge *hurts* the target, that is {{c1::negative transfer}}; a
{{c2::from-scratch **baseline**::what to compare with}} detects it, and
{{c1::$\\epsilon_{T_{t}}$}} is the target error.

- a deletion in a list: {{c3::`requires_grad_(False)`}}

| term | meaning |
|---|---|
| {{c4::LoRA}} | low-rank adapters |

## Which optimizer does BERT fine-tuning usually use?
<!-- id: bert-optimizer -->
<!-- type: type-in -->

AdamW

Adam with *decoupled* weight decay; see [the paper](https://arxiv.org/abs/1711.05101).
"""


def _build(project: Path, now: int, **options: bool) -> Path:
    return Path(build(load_config(project), now=now, render=RenderOptions(cache=False),
                      **options).path)


def _text(html: str) -> str:
    """What the card shows: its text without tags (Anki keeps a deletion in data-cloze)."""
    return re.sub(r"<[^>]*>", "", html)


def _notes_by_id(col) -> dict:
    return {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}


def test_four_types_in_one_file_give_the_expected_cards(tmp_path: Path, anki):
    project = make_project(tmp_path / "p", {"mixed.md": MIXED})
    report = build(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    assert (report.notes, report.cards) == (4, 1 + 2 + 4 + 1)
    log = anki.import_package(Path(report.path))
    col = anki.col
    assert len(log.new) == 4 and not log.conflicting
    notes = _notes_by_id(col)
    counts = {card_id: len(note.cards()) for card_id, note in notes.items()}
    assert counts == {"fine-tuning": 1, "linear-probing": 2, "transfer-risk": 4,
                      "bert-optimizer": 1}
    kinds = {card_id: note.note_type()["name"] for card_id, note in notes.items()}
    assert kinds == {"fine-tuning": "Transfer Learning Q&A",
                     "linear-probing": "Transfer Learning Q&A (reversed)",
                     "transfer-risk": "Transfer Learning Q&A (cloze)",
                     "bert-optimizer": "Transfer Learning Q&A (type-in)"}
    assert notes["bert-optimizer"]["Answer"] == "AdamW"
    assert "decoupled" in notes["bert-optimizer"]["Explanation"]
    assert notes["transfer-risk"]["Context"] == "Transfer risk"


def test_every_card_renders_through_the_engine(tmp_path: Path, anki):
    project = make_project(tmp_path / "p", {"mixed.md": MIXED})
    anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    seen = {}
    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert "{{" not in question + answer and "}}" not in question + answer
        seen[(card.note()["Id"], card.ord)] = (_text(question), answer)
    assert len(seen) == 8
    # reversed: the second card asks from the answer side
    front, back = seen[("linear-probing", 1)]
    assert "frozen features" in front and "Linear probing" not in front
    assert "Linear probing" in back
    # cloze: each ordinal hides its own deletion, shows the others, and the hint
    front, back = seen[("transfer-risk", 0)]
    assert "negative transfer" not in front and "[...]" in front
    assert "negative transfer" in back and "Transfer risk" in front
    # a '}}' of TeX inside a deletion does not end it: the whole formula is hidden
    assert "epsilon" not in front and "\\epsilon_{T_{t} }\\)" in back
    front, _ = seen[("transfer-risk", 1)]
    assert "negative transfer" in front and "[what to compare with]" in front
    assert "<strong>baseline</strong>" in seen[("transfer-risk", 1)][1]
    front, back = seen[("transfer-risk", 2)]
    assert "requires_grad_" not in front and "<code>requires_grad_(False)</code>" in back
    front, back = seen[("transfer-risk", 3)]
    assert "LoRA" not in front and "LoRA" in back and "<td>" in back
    # type-in: the engine leaves [[type:Answer]] where the reviewer puts its box, front
    # and back (where the reviewer compares what was typed with the field)
    front, back = seen[("bert-optimizer", 0)]
    assert "[[type:Answer]]" in front and "AdamW" not in front
    assert "[[type:Answer]]" in back and "decoupled" in back


def test_edits_update_every_type_in_place_and_keep_reviews(tmp_path: Path, anki):
    project = make_project(tmp_path / "p", {"mixed.md": MIXED})
    anki.import_package(_build(project, 1_700_000_000))
    col = anki.col
    cards_before = set(col.find_cards(""))
    for card_id in cards_before:  # a review on every card
        card = col.get_card(card_id)
        card.start_timer()
        col.sched.answerCard(card, 3)
    reviewed = {cid: col.get_card(cid).reps for cid in cards_before}
    edited = (MIXED.replace("a new head", "a new linear head")
              .replace("is the target error", "is the target's error")
              .replace("usually use?", "use, usually?")
              .replace("Training a pretrained", "Training a pre-trained"))
    (project / "cards" / "mixed.md").write_text(edited)
    log = anki.import_package(_build(project, 1_700_000_100))
    assert len(log.updated) == 4 and not log.new and not log.conflicting
    assert set(col.find_cards("")) == cards_before
    assert {cid: col.get_card(cid).reps for cid in cards_before} == reviewed
    notes = _notes_by_id(col)
    assert "linear head" in notes["linear-probing"]["Answer"]
    assert "target's error" in notes["transfer-risk"]["Text"]


# -- generated notes of every type: the engine's cards are the packaged ones -------------

import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# Text with HTML and the characters HTML escapes, in every field.
HTML_WORDS = ["plain", "<b>bold</b>", "a &amp; b", "x < y", "<i>it</i>", "5 > 3", "&", "\"q\""]
words = st.lists(st.sampled_from(HTML_WORDS), min_size=1, max_size=3).map(" ".join)
# Deletion numbers of one and two digits: c1 and c10 are different cards.
numbers = st.lists(st.sampled_from([1, 2, 3, 9, 10, 11, 12, 19, 21]), min_size=1, max_size=4,
                   unique=True)
note = st.one_of(
    st.tuples(st.just("basic"), words, words, words),
    st.tuples(st.just("reversed"), words, words, words),
    st.tuples(st.just("type-in"), words, words, words),
    st.tuples(st.just("cloze"), words, numbers, words),
)


def card_text(i: int, spec: tuple) -> str:
    kind, question, body, extra = spec
    head = f"## {question} {i}\n<!-- id: n{i} -->\n<!-- type: {kind} -->\n\n"
    if kind == "cloze":
        text = " and ".join(f"{{{{c{n}::w{n} {question}}}}}" for n in body)
        return f"{head}{text}\n\n"
    if kind == "type-in":
        return f"{head}{body} {i}\n\n{extra}\n\n"
    return f"{head}{body} {i}\n\n"


def packaged_cards(package: Path) -> dict[str, list[int]]:
    """Card ordinals per note Id (the last field), as the package holds them."""
    with zipfile.ZipFile(package) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            rows = conn.execute("SELECT n.flds, c.ord FROM cards c JOIN notes n ON c.nid = n.id")
            found: dict[str, list[int]] = {}
            for fields, ordinal in rows:
                found.setdefault(fields.split("\x1f")[-1], []).append(ordinal)
        finally:
            conn.close()
    return {k: sorted(v) for k, v in found.items()}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # each example: the engine
@given(st.lists(note, min_size=1, max_size=6))
def test_the_engine_makes_the_cards_we_packaged_and_shows_their_answers(tmp_path_factory, notes):
    from support import AnkiCollection

    tmp = tmp_path_factory.mktemp("types")
    project = make_project(tmp / "p", {"gen.md": "# Generated\n\n" + "".join(
        card_text(i, spec) for i, spec in enumerate(notes))})
    package = _build(project, 1_700_000_000)
    ours = packaged_cards(package)
    anki = AnkiCollection(tmp / "anki")
    try:
        anki.import_package(package)
        col = anki.col
        by_id = _notes_by_id(col)
        # The engine generates every card its templates call for, and none is empty.
        col.after_note_updates(list(col.find_notes("")), mark_modified=False)
        theirs = {key: sorted(c.ord for c in n.cards()) for key, n in _notes_by_id(col).items()}
        assert theirs == ours
        assert not col.get_empty_cards().notes
        for i, (kind, _, body, _) in enumerate(notes):
            cards = {c.ord: c for c in by_id[f"n{i}"].cards()}
            expected = {"basic": [0], "type-in": [0], "reversed": [0, 1],
                        "cloze": [n - 1 for n in sorted(body)] if kind == "cloze" else []}[kind]
            assert sorted(cards) == expected, (kind, body)
            if kind == "cloze":
                for n in body:  # each card hides its own deletion and shows it on the back
                    front, back = cards[n - 1].question(), cards[n - 1].answer()
                    assert f"w{n} " not in _text(front) and f"w{n} " in _text(back), n
            elif kind == "type-in":
                # What is compared with the typed answer is the line as written, as text.
                typed = by_id[f"n{i}"]["Answer"]
                assert "<" not in typed
                assert col._backend.html_to_text_line(text=typed, preserve_media_filenames=True) \
                    == f"{body} {i}"
                assert "[[type:Answer]]" in cards[0].question()
            else:
                back = _text(cards[0].answer())
                assert f" {i}" in back
    finally:
        anki.close()
