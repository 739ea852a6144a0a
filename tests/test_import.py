"""`import`, pure: layouts recognised, questions and answers cleaned, nothing lost silently."""

from __future__ import annotations

import re

import pytest
from import_corpus import CORPUS, EXPECTED, LAYOUT_NAMES

from deckbuild.importers import LAYOUTS, import_sources
from deckbuild.importers.lines import read_document
from deckbuild.importers.text import clean_question, strip_label
from deckbuild.source.ids import content_hash


def _import(name: str, text: str | None = None, taken=()):
    path = CORPUS / name
    text = path.read_text(encoding="utf-8") if text is None else text
    (imported,) = import_sources([(name, path.stem, text)], taken).files
    return imported


def test_the_corpus_covers_every_layout_with_several_files():
    # Tables and Obsidian_to_Anki's cards are in tests/corpus/ (see test_corpus.py).
    assert [layout.name for layout in LAYOUTS] == [*LAYOUT_NAMES, "table", "obsidian", "separated",
                                                   "inka", "choices", "frontback"]
    for name in LAYOUT_NAMES:
        assert sum(e.layout == name for e in EXPECTED.values()) >= 2, name
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_is_recognised_as_its_own_layout(name):
    expected = EXPECTED[name]
    doc = read_document((CORPUS / name).read_text(encoding="utf-8"), name, name[:-3])
    scores = {layout.name: layout.score(doc) for layout in LAYOUTS}
    own = scores.pop(expected.layout)
    assert own >= 0.5, own
    # No other layout reads more of it; an equal reach would need as many cards.
    assert all(score <= own for score in scores.values()), scores
    imported = _import(name)
    assert imported.layout == expected.layout
    assert imported.problems == ()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_questions_sections_and_left_out_lines(name):
    expected = EXPECTED[name]
    imported = _import(name)
    assert tuple(c.question.replace("`", "") for c in imported.cards) == expected.questions
    assert imported.sections == expected.sections
    assert tuple(item.line for item in imported.left_out) == expected.left_out


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_filled_line_is_in_a_card_or_listed_as_left_out(name):
    """Each non-blank source line's words are in the written card file, or the line is listed."""
    imported = _import(name)
    written = " ".join(out.text for out in imported.outputs)
    words = set(_words(written))
    listed = {item.line: item for item in imported.left_out}
    lines = (CORPUS / name).read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if number in listed:
            assert listed[number].text == line.strip()
            continue
        missing = [w for w in _words(line) if w not in words]
        assert not missing, f"{name}:{number}: {line!r} lost {missing}"


# Words of labels and <details> wrappers, which come off: the rest of a line must stay.
LABELS = {"answer", "question", "details", "summary", "show", "solution"}


def _words(text: str) -> list[str]:
    text = re.sub(r"</?[A-Za-z][^>]*>", " ", text)
    return [w for w in re.findall(r"[a-z0-9]{3,}", text.lower())
            if w not in LABELS]


def test_native_files_keep_ids_tags_source_and_extra():
    imported = _import("native-optimizers.md")
    first, second = imported.cards
    assert (first.id, first.tags, first.extra) == ("momentum-sgd", ("imported", "optimization"),
                                                   "Polyak (1964).")
    assert second.id == "why-does-adam-keep-two-moving-averages"  # added, as `ids` would
    assert second.source == "Kingma and Ba 2015"
    (out,) = imported.outputs
    assert "<!-- id: momentum-sgd -->\n<!-- tags: imported optimization -->" in out.text
    assert "<!-- extra -->\nPolyak (1964)." in out.text


def test_native_files_keep_each_cards_note_type():
    text = ("---\ntype: cloze\n---\n# Types\n\n## Risk\n<!-- id: risk -->\n\n"
            "{{c1::Negative transfer}} hurts.\n\n## Probe\n<!-- id: probe -->\n"
            "<!-- type: reversed -->\n\nA head on frozen features.\n\n## Plain\n"
            "<!-- id: plain -->\n<!-- type: basic -->\n\nText.\n")
    imported = _import("native-types.md", text)
    assert [c.notetype for c in imported.cards] == ["cloze", "reversed", ""]
    (out,) = imported.outputs
    assert "<!-- id: risk -->\n<!-- type: cloze -->" in out.text
    assert "<!-- id: probe -->\n<!-- type: reversed -->" in out.text
    assert "<!-- id: plain -->\n\nText." in out.text


def test_new_ids_avoid_ids_in_use_and_each_other_by_their_content_not_their_place():
    text = "# T\n\n### Q1: What is X?\nOne.\n\n### Q2: What is X?\nTwo.\n"
    imported = _import("headings-x.md", text, taken={"what-is-x"})
    one, two = (f"what-is-x-{content_hash('What is X?', a)}" for a in ("One.", "Two."))
    assert [c.id for c in imported.cards] == [one, two]
    swapped = "# T\n\n### Q2: What is X?\nTwo.\n\n### Q1: What is X?\nOne.\n"
    again = _import("headings-x.md", swapped, taken={"what-is-x"})
    assert [c.id for c in again.cards] == [two, one]


def test_a_native_id_already_in_use_is_an_error_at_its_line():
    imported = _import("native-regularisation.md", taken={"dropout-test-time"})
    assert [str(p) for p in imported.problems] == [
        "native-regularisation.md:8: id 'dropout-test-time' is already used in the project "
        "or by another imported card"]


def test_fences_are_never_split_or_searched_for_questions():
    text = ("# Shell\n\n### What does this print?\n\n```bash\n### Q2: not a question?\n"
            "## nor a section\n```\n\nNothing.\n")
    imported = _import("fences.md", text)
    (card,) = imported.cards
    assert card.answer == ("```bash\n### Q2: not a question?\n## nor a section\n```\n\n"
                           "Nothing.")
    assert imported.left_out == ()


def test_headings_in_answers_are_pushed_below_the_card_heading():
    text = "# What is a tensor?\n\nAn array.\n\n## Shape\n\nIts sizes.\n\n# What is a scalar?\n\nA number.\n"
    imported = _import("tensors.md", text)
    assert [c.question for c in imported.cards] == ["What is a tensor?", "What is a scalar?"]
    (out,) = imported.outputs
    assert "\n### Shape\n" in out.text and "\n## Shape" not in out.text
    assert imported.problems == ()


def test_a_file_with_no_questions_is_an_error_naming_the_layouts():
    imported = _import("notes.md", "# Notes\n\nJust prose.\n")
    assert [str(p) for p in imported.problems] == [
        "notes.md:1: no questions found: none of the known layouts (native, numbered, headings, "
        "details, list, bold, qa, table, obsidian, separated, inka, choices, frontback) fits; "
        "give --question-level N if the questions are level-N headings"]
    assert [item.line for item in imported.left_out] == [1, 3]


def test_a_question_without_an_answer_is_left_out_with_the_reason():
    text = "# T\n\n### Q1: What is X?\n\n### Q2: What is Y?\n\nY.\n"
    imported = _import("empty.md", text)
    assert [c.question for c in imported.cards] == ["What is Y?"]
    assert [(i.line, i.reason) for i in imported.left_out] == [(3, "a question without an answer")]


@pytest.mark.parametrize(("raw", "question"), [
    ("Q1: What is X?", "What is X?"),
    ("**Q6: What is X?**", "What is X?"),
    ("**Q6:** What is X?", "What is X?"),
    ("**Q6**: What is X?", "What is X?"),
    ("Question 12: Why?", "Why?"),
    ("Question #3 - How?", "How?"),
    ("1. What is X?", "What is X?"),
    ("12) What is X?", "What is X?"),
    ("__What is X?__", "What is X?"),
    ("<b>What is <code>x</code>?</b>", "What is `x`?"),
    ("What is 3D convolution?", "What is 3D convolution?"),
    ("1.5x faster: why?", "1.5x faster: why?"),
    ("**A** vs **B**: which?", "**A** vs **B**: which?"),
    ('What is X? <a name="x"></a>', "What is X?"),
])
def test_numbering_and_emphasis_come_off_questions(raw, question):
    assert clean_question(raw).text == question


@pytest.mark.parametrize(("raw", "answer"), [
    ("**Answer:** It is.", "It is."),
    ("**Answer**: It is.", "It is."),
    ("Answer: It is.", "It is."),
    ("A: It is.", "It is."),
    ("**A:** It is.", "It is."),
    ("_Answer:_ It is.", "It is."),
    ("Ans. It is.", "It is."),
    ("**Solution:** It is.", "It is."),
    ("**Answer:**", ""),
    ("Answers vary by model.", "Answers vary by model."),
    ("A model is...", "A model is..."),
    ("**A** is a letter.", "**A** is a letter."),
])
def test_answer_labels_come_off(raw, answer):
    assert strip_label(raw) == answer


def test_answers_are_dedented_but_code_keeps_its_blank_lines_and_tabs():
    text = ("1. **What is a Makefile rule?**\n\n\tA target, its inputs and a recipe:\n\n"
            "\t```make\n\tall: x\n\t\tcc -o all x.c\n\n\n\tclean:\n\t\trm all\n\t```\n")
    (card,) = _import("make.md", text).cards
    assert card.answer == ("A target, its inputs and a recipe:\n\n```make\nall: x\n\tcc -o all x.c"
                           "\n\n\nclean:\n\trm all\n```")


def test_headings_inside_details_blocks_are_answer_content():
    block = ("###### {n}. What is `typeof {v}`?\n\n<details><summary><b>Answer</b></summary>\n\n"
             "#### Answer: {a}\n\nIt is `{r}`.\n</details>\n\n")
    text = "# Quiz\n\n" + block.format(n=1, v="null", a="B", r='"object"') \
        + block.format(n=2, v="NaN", a="A", r='"number"')
    imported = _import("quiz.md", text)
    assert imported.sections == ("Quiz",)
    assert [c.answer for c in imported.cards] == [
        '#### Answer: B\n\nIt is `"object"`.', '#### Answer: A\n\nIt is `"number"`.']
    assert imported.left_out == ()


def test_a_bold_line_inside_a_paragraph_is_emphasis_not_a_question():
    text = ("# Q\n\n**What is a tie?**\n\nEqual scores.\nAnd then:\n**What about ties?**\n"
            "They are broken at random.\n\n**What is a draw?**\n\nA tie.\n")
    imported = _import("ties.md", text)
    assert [c.question for c in imported.cards] == ["What is a tie?", "What is a draw?"]
    assert imported.cards[0].answer == ("Equal scores.\nAnd then:\n**What about ties?**\n"
                                        "They are broken at random.")


@pytest.mark.parametrize("layout", ["details", None])
def test_an_answer_summary_takes_the_question_above_and_code_and_options_stay_in_front(layout):
    text = ("# Quiz\n\n### 1. What is logged?\n\n```js\nconsole.log(typeof null)\n```\n\n"
            "- A: `\"null\"`\n- B: `\"object\"`\n\n<details><summary>Answer</summary>\n\nB\n"
            "</details>\n")
    (imported,) = import_sources([("quiz.md", "quiz", text)], layout=layout).files
    (card,) = imported.cards
    assert card.question == "What is logged?"
    assert card.front == '```js\nconsole.log(typeof null)\n```\n\n- A: `"null"`\n- B: `"object"`'
    assert card.answer == "B"
    (out,) = imported.outputs
    assert '- B: `"object"`\n\n<!-- answer -->\n\nB\n' in out.text


@pytest.mark.parametrize("label", ["**Answer:** B", "Answer: B", "**Ответ:** B", "答案：B"])
def test_an_answer_line_ends_the_front_of_a_quiz_under_a_heading(label):
    text = (f"# Quiz\n\n## What is logged?\n\n```js\nconsole.log(1 + '1')\n```\n\n"
            f"- A: 2\n- B: 11\n\n{label}\n\nString concatenation.\n\n"
            "## What is 2 + 2?\n\n4\n")
    first, second = _import("quiz.md", text).cards
    assert first.front == "```js\nconsole.log(1 + '1')\n```\n\n- A: 2\n- B: 11"
    assert first.answer == "B\n\nString concatenation."
    assert (second.front, second.answer) == ("", "4")


def test_the_question_level_is_the_one_that_reads_most_of_the_file():
    features = "".join(f"#### {n}. Feature {n}\nDetail {n}.\n\n" for n in range(1, 5))
    text = (f"# Python\n\n## 1. What are the key features of Python?\n\nSeveral:\n\n{features}"
            "## 2. How is Python executed?\n\nCompiled to bytecode, then interpreted.\n")
    imported = _import("py.md", text)
    assert [c.question for c in imported.cards] == [
        "What are the key features of Python?", "How is Python executed?"]
    assert "#### 3. Feature 3\nDetail 3." in imported.cards[0].answer
    assert imported.left_out == ()


def test_list_items_may_be_headings_and_answers_may_come_back_to_the_margin():
    text = ("# React\n\n1.  ### What is state?\n\n    Data a component owns.\n\n"
            "    ### Example\n\n    ```js\n    const [n, setN] = useState(0);\n    ```\n\n"
            "A paragraph the author left at the margin.\n\n"
            "    **Note:** indented again.\n\n2.  ### What are props?\n\n    Inputs from the parent.\n"
            "\n## Disclaimer\n\nNot official.\n")
    imported = _import("react.md", text)
    assert imported.layout == "list"
    assert [c.question for c in imported.cards] == ["What is state?", "What are props?"]
    assert imported.cards[0].answer == (
        "Data a component owns.\n\n### Example\n\n```js\nconst [n, setN] = useState(0);\n```\n\n"
        "A paragraph the author left at the margin.\n\n**Note:** indented again.")
    assert [item.line for item in imported.left_out] == [21, 23]  # the disclaimer


def test_an_empty_section_heading_gives_the_file_name_as_section():
    imported = _import("web-basics.md", "##\n\n### What is HTTP?\n\nA protocol.\n")
    assert imported.sections == ("Web basics",)
    assert imported.problems == ()


def test_a_card_that_cannot_be_written_natively_is_an_error_at_its_source_line():
    text = ("# T\n\n### What is A?\n\nA.\n\n### What is B?\n\n<!-- note: kept? -->\nB.\n\n"
            "### What is C?\n\n```python\nnever closed\n")
    imported = _import("bad.md", text)
    assert [str(p) for p in imported.problems] == [
        "bad.md:7: cannot be written as a native card: its answer would read back differently",
        "bad.md:12: cannot be written as a native card: code fence is never closed"]


def test_numbered_headings_take_a_plain_question_line_and_the_level_that_reads_most():
    steps = "".join(f"### {n}.\n\n**{step}**\n\n" for n, step in enumerate(
        ["State the hypotheses.", "Compute the statistic.", "Compare it."], start=1))
    text = (f"# Stats\n\n## Question 1\n\n**What are the steps of a t-test?**\n\n{steps}"
            "## Question 2\n\nExplain what a p-value measures.\n\nSurprise under the null.\n")
    imported = _import("stats.md", text)
    assert imported.layout == "numbered"
    assert [c.question for c in imported.cards] == [
        "What are the steps of a t-test?", "Explain what a p-value measures."]
    assert imported.cards[0].answer.startswith("### 1.\n\n**State the hypotheses.**")
    assert imported.problems == ()


@pytest.mark.parametrize(("raw", "question", "source"), [
    ("What is bias? [[src](https://example.org/a)]", "What is bias?", "[src](https://example.org/a)"),
    ("What is bias? [[src]](https://example.org/a)", "What is bias?", "[src](https://example.org/a)"),
    ("What is bias? ([source](https://example.org/a))", "What is bias?",
     "[source](https://example.org/a)"),
    ("What is [a source](https://example.org/a)?", "What is [a source](https://example.org/a)?", ""),
    ("Bias or variance? [[src](https://example.org/a)]", "Bias or variance?",
     "[src](https://example.org/a)"),
])
def test_a_source_link_ending_a_question_goes_to_the_source_field(raw, question, source):
    (card,) = _import("src.md", f"# T\n\n### {raw}\n\nAn answer.\n").cards
    assert (card.question, card.source) == (question, source)
    assert card.id in ("what-is-bias", "bias-or-variance") or not source


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_importing_a_written_file_again_gives_it_back_unchanged(name):
    """What import writes is native: read again, it is copied as it is, ids and all."""
    for out in _import(name).outputs:
        (again,) = import_sources([(out.name, out.name[:-3], out.text)]).files
        assert again.layout == "native"
        assert again.left_out == () and again.problems == ()
        assert [o.text for o in again.outputs] == [out.text]


def test_an_html_heading_names_a_section():
    text = ('<div align="center">\n<h1 align="center">Browser <b>Quiz</b></h1>\n</div>\n\n'
            "### 1. What does `defer` do on a script?\n\nRuns it after parsing, in order.\n")
    imported = _import("quiz.md", text)
    assert imported.sections == ("Browser Quiz",)
    assert [item.line for item in imported.left_out] == [1, 3]


def test_a_native_file_with_several_sections_is_read_section_by_section():
    text = ("# Optimisation\n\n## What is a learning rate?\n<!-- id: learning-rate -->\n\n"
            "The step size.\n\n# Regularisation\n\n## What is dropout?\n<!-- id: dropout -->\n"
            "<!-- tags: nets -->\n\nZeroing random units while training.\n\n```python\n"
            "# not a section\nx = 1\n```\n")
    imported = _import("deck.md", text)
    assert imported.layout == "native"
    assert imported.sections == ("Optimisation", "Regularisation")
    assert [(c.id, c.line, c.tags) for c in imported.cards] == [
        ("learning-rate", 3, ()), ("dropout", 10, ("nets",))]
    assert imported.cards[1].answer.endswith("```python\n# not a section\nx = 1\n```")
    assert [out.name for out in imported.outputs] == ["deck-01-optimisation.md",
                                                      "deck-02-regularisation.md"]
    assert imported.left_out == () and imported.problems == ()


def test_cards_under_no_heading_take_the_front_matter_title_as_section():
    text = ('---\ntitle: "Coding Questions"\nlayout: page\n---\n\nQuestion: What is `0.1 + 0.2`?\n\n'
            "`0.30000000000000004`\n")
    imported = _import("coding.md", text)
    assert imported.sections == ("Coding Questions",)
    assert [item.line for item in imported.left_out] == [1, 2, 3, 4]
