"""Strangers' files: questions found from the file's structure in any language, numbered
chapters kept as sections, files that mostly land in no card refused, and ids that never
depend on a card's place."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from support import make_project

from deckbuild.cli import cli
from deckbuild.importers import import_sources
from deckbuild.importers.mathimages import tighten_padded
from deckbuild.source.ids import is_valid_id, slug
from deckbuild.source.parse import parse_source


def _import(text: str, name: str = "doc.md", **options):
    (imported,) = import_sources([(name, name[:-3], text)], **options).files
    return imported


def run(*args: str | Path):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


# Each: a file cut in the habits of a real one, and the questions a reader finds in it.
CASES = {
    "full-width question marks": (
        "# 深度学习\n\n## 什么是过拟合？\n\n模型记住了训练集。\n\n## 如何防止过拟合？\n\n"
        "正则化、早停和更多数据。\n",
        ["什么是过拟合？", "如何防止过拟合？"]),
    "Japanese": (
        "# 機械学習\n\n### 勾配消失とは？\n\n深い層で勾配が小さくなる現象。\n\n"
        "### 学習率の役割\n\n一歩の大きさを決める。\n",
        ["勾配消失とは？", "学習率の役割"]),
    "Arabic question mark": (
        "# التعلم العميق\n\n## ما هو التعلم بالنقل؟\n\nإعادة استخدام نموذج مدرب.\n\n"
        "## لماذا نجمد الطبقات؟\n\nلحفظ الميزات العامة.\n",
        ["ما هو التعلم بالنقل؟", "لماذا نجمد الطبقات؟"]),
    "Greek asks with a semicolon, in a bullet list of bold questions": (
        "# Νευρωνικά δίκτυα\n\n## Βασικά\n\n* **Τι είναι ένας νευρώνας;**\n\n"
        "  Ένα σταθμισμένο άθροισμα.\n\n* **Τι κάνει η συνάρτηση ενεργοποίησης;**\n\n"
        "  Εισάγει μη γραμμικότητα.\n\n## Εκπαίδευση\n\n* **Βάρη και πόλωση**\n\n"
        "  Οι παράμετροι που μαθαίνει το δίκτυο.\n",
        ["Τι είναι ένας νευρώνας;", "Τι κάνει η συνάρτηση ενεργοποίησης;", "Βάρη και πόλωση"]),
    "Russian without a question mark": (
        "# Нейросети\n\n### 4 Зачем нужен dropout\n\nЧтобы сеть не переобучалась.\n\n"
        "### 5 Что такое батч-нормализация\n\nНормировка активаций по батчу.\n",
        ["Зачем нужен dropout", "Что такое батч-нормализация"]),
    "numbering without a trailing dot under numbered sections": (
        "# 第三章\n\n## 3.1 基础\n\n### 3.1.1 批归一化的作用\n\n稳定每层输入的分布。\n\n"
        "### 3.1.2 激活函数的作用\n\n引入非线性。\n\n## 3.2 优化\n\n### 3.2.1 动量的作用\n\n"
        "平滑梯度方向。\n",
        ["批归一化的作用", "激活函数的作用", "动量的作用"]),
    "numbered chapters over numbered questions": (
        "# Neural networks\n\n## 1. Basics\n\n### 1.1. What is a neuron?\n\nA weighted sum and an "
        "activation.\n\n### 1.2. What is a layer?\n\nNeurons side by side.\n\n## 2. Training\n\n"
        "### 2.1. What is backpropagation?\n\nThe chain rule, layer by layer.\n",
        ["What is a neuron?", "What is a layer?", "What is backpropagation?"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_questions_are_found_from_structure_in_any_language(name):
    text, questions = CASES[name]
    imported = _import(text)
    assert imported.problems == ()
    assert [card.question for card in imported.cards] == questions
    # At most the title is left out: every other line is in a card or names a section.
    assert {item.line for item in imported.left_out} <= {1}


def test_numbered_chapters_name_the_sections():
    imported = _import(CASES["numbered chapters over numbered questions"][0])
    assert [card.section for card in imported.cards] == ["Basics", "Basics", "Training"]


def test_a_file_that_mostly_lands_in_no_card_is_an_error_that_suggests_the_level():
    text = ("# Notes\n\n" + "".join(f"Line {n} of a long text that asks nothing.\n\n"
                                    for n in range(12)) + "## What is a tensor?\n\nAn array.\n")
    imported = _import(text)
    (problem,) = imported.problems
    assert problem.is_error and problem.line == 3
    assert "12 of 15 lines land in no card" in problem.message
    assert "--question-level N" in problem.message and "levels 1, 2" in problem.message
    # Saying where the questions are is the user's answer: then it is no error.
    assert _import(text, question_level=2).problems == ()


def test_question_level_reads_every_heading_at_that_level(tmp_path):
    source = tmp_path / "terms.md"
    source.write_text("# Terms\n\n## Tensor\n\nAn array.\n\n### Rank\n\nIts number of axes.\n\n"
                      "## Gradient\n\nThe vector of partial derivatives.\n", encoding="utf-8")
    project = make_project(tmp_path / "p")
    result = run("import", source, "--project", project, "--question-level", "3", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "layout 'headings' (questions are level-3 headings" in result.output
    assert "  1 card in 1 section" in result.output
    both = run("import", source, "--project", project, "--question-level", "2", "--layout", "qa")
    assert both.exit_code != 0 and "not both" in both.output


@pytest.mark.parametrize("question, expected", [
    ("什么是过拟合？", "什么是过拟合"),
    ("Что такое dropout?", "что-такое-dropout"),
    ("ما هو التعلم بالنقل؟", "ما-هو-التعلم-بالنقل"),
    ("Qu'est-ce qu'une époque ?", "qu-est-ce-qu-une-epoque"),
    ("勾配消失とは？", "勾配消失とは"),
])
def test_slugs_keep_the_letters_of_every_script_and_parse_as_ids(question, expected):
    assert slug(question) == expected
    text = f"# S\n\n## {question}\n<!-- id: {expected} -->\n\nAn answer.\n"
    source, problems = parse_source(text, "s.md")
    assert problems == [] and source.cards[0].id == expected


def test_no_id_is_ever_made_from_a_card_s_place():
    text = "# S\n\n## ???\n\nOne.\n\n## ???\n\nTwo.\n\n## Same?\n\nA.\n\n## Same?\n\nB.\n"
    ids = [card.id for card in _import(text).cards]
    assert len(set(ids)) == 4 and all(is_valid_id(i) for i in ids)
    assert not any(i == "card" or i.endswith(("-2", "-3")) for i in ids), ids
    reordered = "# S\n\n## Same?\n\nB.\n\n## ???\n\nTwo.\n\n## Same?\n\nA.\n\n## ???\n\nOne.\n"
    again = {card.answer: card.id for card in _import(reordered).cards}
    assert again == {card.answer: card.id for card in _import(text).cards}


def _write(path: Path, questions: list[tuple[str, str]]) -> None:
    path.write_text("# Вопросы\n\n" + "".join(f"## {q}\n\n{a}\n\n" for q, a in questions),
                    encoding="utf-8")


def _ids(project: Path) -> dict[str, str]:
    """{question: id} of every card in the project."""
    found = {}
    for path in sorted((project / "cards").glob("*.md")):
        source, _ = parse_source(path.read_text(encoding="utf-8"), path.name)
        found.update({card.question: card.id for card in source.cards})
    return found


def test_reimport_with_force_keeps_every_card_s_id_when_the_upstream_file_changes(tmp_path):
    project = make_project(tmp_path / "p")
    upstream = tmp_path / "вопросы.md"
    cards = [("Что такое ООП?", "Парадигма."), ("Что такое класс?", "Шаблон объекта."),
             ("Что такое объект?", "Экземпляр класса.")]
    _write(upstream, cards)
    assert run("import", upstream, "--project", project).exit_code == 0
    before = _ids(project)
    # Upstream gains a question at the top, edits one answer and one question.
    _write(upstream, [("Что такое интерфейс?", "Контракт."), ("Что такое ООП?", "Парадигма."),
                      ("Что такое класс?", "Шаблон объекта, с полями и методами."),
                      ("Что такое объект в ООП?", "Экземпляр класса.")])
    result = run("import", upstream, "--project", project, "--force")
    assert result.exit_code == 0, result.output
    after = _ids(project)
    assert after["Что такое ООП?"] == before["Что такое ООП?"]
    assert after["Что такое класс?"] == before["Что такое класс?"]
    assert after["Что такое объект в ООП?"] == before["Что такое объект?"]
    assert after["Что такое интерфейс?"] not in before.values()


def test_an_ambiguous_match_is_reported_and_never_guessed(tmp_path):
    project = make_project(tmp_path / "p")
    upstream = tmp_path / "quiz.md"
    _write(upstream, [("What is the output?", "1"), ("What is the output?", "2")])
    assert run("import", upstream, "--project", project).exit_code == 0
    before = set(_ids(project).values()) | {
        card.id for card in parse_source((project / "cards" / "quiz.md").read_text(), "q")[0].cards}
    # Both answers change: each new card's question matches two old ones.
    _write(upstream, [("What is the output?", "3"), ("What is the output?", "4")])
    result = run("import", upstream, "--project", project, "--force")
    assert result.exit_code == 0, result.output
    assert result.output.count("matches 2 existing cards") == 2
    source, _ = parse_source((project / "cards" / "quiz.md").read_text(), "q")
    assert not {card.id for card in source.cards} & before


def test_a_table_whose_first_column_asks_is_read_whatever_its_header_says():
    rows = "".join(f"| Що таке {word}? | {word} є {word} |\n" for word in ("IP", "DNS", "порт"))
    imported = _import(f"# Мережі\n\n| Тема | Коротко |\n|---|---|\n{rows}")
    assert imported.layout == "table"
    assert [card.question for card in imported.cards] == [
        "Що таке IP?", "Що таке DNS?", "Що таке порт?"]
    assert [item.line for item in imported.left_out] == [3, 4]  # the header rows, listed
    # A table of terms, not questions, stays text: no table layout reads it.
    terms = "".join(f"| {word} | {word} є {word} |\n" for word in ("IP", "DNS", "порт"))
    assert _import(f"# Мережі\n\n| Тема | Коротко |\n|---|---|\n{terms}").layout != "table"


def test_a_placeholder_answer_makes_no_card_and_its_lines_are_listed():
    text = "# S\n\n## Was ist ein Lexer?\n\n???\n\n## Was ist ein Parser?\n\nEr baut Bäume.\n"
    imported = _import(text)
    assert [card.question for card in imported.cards] == ["Was ist ein Parser?"]
    assert [(item.line, item.reason) for item in imported.left_out] == [
        (3, "a question without an answer"), (5, "a placeholder answer")]


def test_a_bare_number_among_question_headings_is_a_question_and_numbering_headings_are_not():
    quiz = ("# Histoire\n\n### Napoléon est un...\n\nEmpereur.\n\n### 1515\n\nMarignan.\n\n"
            "### Qui a écrit Candide ?\n\nVoltaire.\n")
    assert [card.question for card in _import(quiz).cards] == [
        "Napoléon est un...", "1515", "Qui a écrit Candide ?"]
    numbered = ("## #1\n\n### 고유값이란?\n\n스칼라입니다.\n\n## #2\n\n### 표본이란?\n\n일부입니다.\n")
    assert [card.question for card in _import(numbered).cards] == ["고유값이란?", "표본이란?"]


def test_an_answer_heading_answers_the_heading_above_it():
    text = ("# 演習\n\n## 練習問題\n`map`を使って積を求めよ。\n\n## 解答\n\n```scala\nv1.map(_ * 2)\n```\n\n"
            "## 練習問題\n`for`で書け。\n\n## 解答\n\n```scala\nfor (a <- v1) yield a\n```\n")
    imported = _import(text)
    assert [(c.question, c.front, c.answer.split("\n")[1]) for c in imported.cards] == [
        ("練習問題", "`map`を使って積を求めよ。", "v1.map(_ * 2)"),
        ("練習問題", "`for`で書け。", "for (a <- v1) yield a")]
    assert len({card.id for card in imported.cards}) == 2


def test_a_closing_answer_key_that_repeats_the_questions_is_no_question():
    # Two of the three questions are error messages: no question mark, no question word.
    questions = ["Each child in a list should have a unique key prop",
                 "Too many re-renders", "¿Qué es el binding?"]
    answer = "Una línea de la respuesta.\n\n```jsx\n<li key={id}>{name}</li>\n```\n"
    text = ("# Errores\n\n" + "".join(f"## {q}\n\n{answer}\n" for q in questions)
            + "## Solucionario\n\n" + "".join(f"### {q}\n\n1. **a)**\n\n" for q in questions))
    imported = _import(text)
    assert [card.question for card in imported.cards] == questions
    assert [item.text for item in imported.left_out][:2] == ["## Solucionario",
                                                              f"### {questions[0]}"]


def test_a_quiz_heading_over_a_repeated_label_is_the_question_and_all_below_is_front():
    block = ("## 第 {n} 题\n\n**类型：** 单选题\n\n### 题目\n\n{q}\n\n- A. 甲\n- B. 乙\n\n"
             "<details>\n<summary>查看答案</summary>\n\n**正确答案：** B\n\n</details>\n\n")
    text = "# CSS 测验\n\n" + "".join(block.format(n=n, q=q) for n, q in
                                     ((1, "哪个属性让元素脱离文档流？"), (2, "盒模型包含什么？")))
    imported = _import(text)
    assert [(c.question, c.section) for c in imported.cards] == [
        ("第 1 题", "CSS 测验"), ("第 2 题", "CSS 测验")]
    assert imported.cards[0].front.startswith("**类型：** 单选题\n\n### 题目\n\n哪个属性")
    assert [c.answer for c in imported.cards] == ["B", "B"]
    assert imported.left_out == ()


@given(st.lists(st.one_of(st.sampled_from(["masie", "moving", "at", "z", "prędkością", "и", "速度"]),
                          st.sampled_from(["$m$", "$v$", "$\\alpha$", "$x_i$", "$E=mc^2$"])),
                min_size=1, max_size=8))
def test_text_between_tight_formulas_is_never_read_as_padded_math(words):
    # `mass $m$ moving at $v$`: the dollar that closes $m$ opens no padded span.
    line = " ".join(words) + "."
    assert tighten_padded(line) == line


_NOTES_WITH_A_CHECK = """# Kontinuitätsgleichung

## 1. Herleitung

Die Masse in einem Kontrollvolumen ändert sich nur durch Zu- und Abfluss.

$$\\frac{\\partial \\rho}{\\partial t} + \\nabla \\cdot (\\rho \\mathbf{u}) = 0$$

## 2. Inkompressibel

Mit konstanter Dichte bleibt $\\nabla \\cdot \\mathbf{u} = 0$.

## Verständnisfragen

<details>
<summary><b>1. Welcher Term fällt bei inkompressibler Strömung weg?</b></summary>

Die zeitliche Ableitung der Dichte.

</details>

<details>
<summary><b>2. Warum hat die Gleichung keinen Diffusionsterm?</b></summary>

Masse wird nur mit der Strömung transportiert.

</details>
"""


def test_marked_questions_under_one_heading_of_notes_are_the_questions():
    """Lecture notes whose chapters are numbered, with a section of <details> questions:
    the headings are sections, the marked questions the cards, and the notes are listed."""
    imported = _import(_NOTES_WITH_A_CHECK)
    assert imported.layout == "details" and imported.problems == ()
    assert [(card.question, card.section) for card in imported.cards] == [
        ("Welcher Term fällt bei inkompressibler Strömung weg?", "Verständnisfragen"),
        ("Warum hat die Gleichung keinen Diffusionsterm?", "Verständnisfragen")]
    assert [item.line for item in imported.left_out] == [1, 3, 5, 7, 9, 11]


def test_question_headings_keep_their_questions_whatever_their_answers_hold():
    text = ("# Notes\n\n## What is a residual block?\n\nIt adds its input to its output.\n\n"
            "<details><summary>Why does it help?</summary>\n\nGradients flow.\n\n</details>\n\n"
            "<details><summary>Where was it introduced?</summary>\n\nResNet.\n\n</details>\n\n"
            "## What is dropout?\n\nRandomly zeroing activations while training.\n")
    imported = _import(text)
    assert imported.layout == "headings"
    assert [card.question for card in imported.cards] == [
        "What is a residual block?", "What is dropout?"]
