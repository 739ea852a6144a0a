"""Ids that never depend on a card's place: an upstream file changes (questions inserted,
deleted, reordered, edited) and is imported again over the project; every card that
survives keeps its id, and in Anki only the edited notes change."""

from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support import make_project

from deckbuild.cli import cli
from deckbuild.importers import import_sources
from deckbuild.importers.matching import Previous
from deckbuild.source.ids import is_valid_id
from deckbuild.source.parse import parse_source

# Words of several scripts; questions and answers are drawn unique, as real ones are.
WORDS = ["что", "такое", "градиент", "什么", "是", "梯度", "勾配", "とは", "ما", "هو", "التدرج",
         "what", "is", "a", "gradient", "¿qué", "es", "λ", "3", "?", "？", "؟"]


@dataclass(frozen=True)
class Card:
    key: int  # who the card is, across versions
    question: str
    answer: str


def _text(words: list[str]) -> str:
    return " ".join(words)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Card], list[Card], set[int]]:
    """(old file, new file, keys of the cards edited in place)."""
    # A text opens with a word (a heading of only `3` or `?` is numbering, not a question);
    # a question ends in a question mark of its script (headings that mostly ask, and at the
    # end do not, are back matter: a lone `## что` after `## what` would be one).
    texts = st.tuples(st.sampled_from(WORDS[:-4]), st.lists(st.sampled_from(WORDS), max_size=4)
                      ).map(lambda t: _text([t[0], *t[1]]))
    asked = st.tuples(texts, st.sampled_from(["?", "？", "؟"])).map("".join)
    count = draw(st.integers(1, 8))
    questions = draw(st.lists(asked, min_size=count + 4, max_size=count + 4, unique=True))
    answers = draw(st.lists(texts, min_size=count + 8, max_size=count + 8, unique=True))
    old = [Card(n, questions[n], answers[n]) for n in range(count)]
    new = list(old)
    edited: set[int] = set()
    spare_q, spare_a = iter(questions[count:]), iter(answers[count:])
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["insert", "delete", "edit-q", "edit-a", "swap"]))
        if action == "insert" and (q := next(spare_q, None)) is not None:
            new.insert(draw(st.integers(0, len(new))), Card(100 + len(new), q, next(spare_a)))
        elif len(new) > 1 and action == "delete":  # a file with no question is an error
            new.pop(draw(st.integers(0, len(new) - 1)))
        elif new and action.startswith("edit"):
            index = draw(st.integers(0, len(new) - 1))
            card = new[index]
            if card.key in edited or card.key >= 100:
                continue  # one edit per card: a card edited twice over is another card
            q = next(spare_q, None) if action == "edit-q" else card.question
            if q is None:
                continue
            new[index] = Card(card.key, q, next(spare_a) if action == "edit-a" else card.answer)
            edited.add(card.key)
        elif len(new) > 1:
            i, j = draw(st.integers(0, len(new) - 1)), draw(st.integers(0, len(new) - 1))
            new[i], new[j] = new[j], new[i]
    return old, new, edited


def _file(cards: list[Card]) -> str:
    return "# Вопросы\n\n" + "".join(f"## {c.question}\n\n{c.answer}\n\n" for c in cards)


def _import(cards: list[Card], previous: list[Previous]) -> dict[int, str]:
    (imported,) = import_sources([("up.md", "up", _file(cards))], previous=previous).files
    assert imported.problems == ()
    by_line = {card.line: card.id for card in imported.cards}
    lines = [n for n, text in enumerate(_file(cards).split("\n"), 1) if text.startswith("## ")]
    return {card.key: by_line[line] for card, line in zip(cards, lines, strict=True)}


def _previous(cards: list[Card], ids: dict[int, str]) -> list[Previous]:
    """The project's cards as `import --force` reads them back from the written file."""
    text = "# S\n\n" + "".join(f"## {c.question}\n<!-- id: {ids[c.key]} -->\n\n{c.answer}\n\n"
                                for c in cards)
    source, problems = parse_source(text, "cards/up.md")
    assert problems == []
    return [Previous(c.id or "", c.question, c.answer, source.path, c.line)
            for c in source.cards]


@settings(max_examples=60, deadline=None)
@given(histories())
def test_every_surviving_card_keeps_its_id_whatever_happens_upstream(history):
    old, new, _ = history
    before = _import(old, [])
    assert all(is_valid_id(i) for i in before.values())
    after = _import(new, _previous(old, before))
    for card in new:
        if card.key in before:
            assert after[card.key] == before[card.key], card
        else:  # a new card never takes the id of a card that was there
            assert after[card.key] not in before.values()
    assert len(set(after.values())) == len(after)


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args], obj={})
    assert result.exit_code == 0, result.output
    return result


def test_anki_sees_only_the_edited_notes_change_after_a_reimport(tmp_path, anki):
    project = make_project(tmp_path / "p")
    upstream = tmp_path / "вопросы.md"
    old = [Card(0, "Что такое градиент?", "Вектор частных производных."),
           Card(1, "什么是过拟合？", "模型记住了训练集。"),
           Card(2, "ما هو التعلم بالنقل؟", "إعادة استخدام نموذج مدرب."),
           Card(3, "What is a learning rate?", "The size of a step."),
           Card(4, "勾配消失とは？", "深い層で勾配が小さくなる現象。")]
    upstream.write_text(_file(old), encoding="utf-8")
    run("import", upstream, "--project", project)
    run("--project", project, "build", "--timestamp", "1700000000")
    first = anki.import_package(next((project / "dist").glob("*.apkg")))
    assert len(first.new) == 5
    # Upstream: a question inserted first, one deleted, two moved, one answer edited and one
    # question reworded.
    new = [Card(9, "Зачем нужен dropout?", "Против переобучения."), old[3],
           Card(1, old[1].question, "模型记住了训练集，却不会泛化。"), old[0],
           Card(4, "勾配消失問題とは？", old[4].answer)]
    upstream.write_text(_file(new), encoding="utf-8")
    run("import", upstream, "--project", project, "--force")
    run("--project", project, "build", "--timestamp", "1700000100")
    second = anki.import_package(next((project / "dist").glob("*.apkg")))
    col = anki.col
    # One note new, the two edited ones updated, the two moved ones unchanged ("duplicate" in
    # Anki's log: the same note with the same content); none added twice.
    assert (len(second.new), len(second.updated), len(second.duplicate)) == (1, 2, 2)
    assert not second.conflicting and not second.first_field_match
    assert col.note_count() == 6  # the deleted card stays in the collection, as Anki does
    updated = sorted(col.get_note(log.id.nid)["Question"] for log in second.updated)
    assert updated == ["什么是过拟合？", "勾配消失問題とは？"]
    # Each note is found by its id, whatever its script (`Id:` search in the browser).
    for nid in col.find_notes(""):
        note_id = col.get_note(nid)["Id"]
        assert col.find_notes(f'"Id:{note_id}"') == [nid], note_id
