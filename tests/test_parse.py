from __future__ import annotations

from deckbuild.source.parse import NOT_IN_CARD, decode_source, fence_openings, parse_source


def parse(text: str):
    return parse_source(text, "cards/x.md")


def test_cards_split_on_level_two_headings_with_metadata():
    source, problems = parse(
        "# Basics\n\n## First?\n<!-- id: first -->\n<!-- tags: a b -->\n\nOne.\n\n"
        "## Second?\n<!-- id: second -->\nTwo.\n<!-- extra -->\nCited.\n"
    )
    assert problems == []
    assert source.section == "Basics"
    first, second = source.cards
    assert (first.id, first.question, first.answer, first.tags) == ("first", "First?", "One.",
                                                                     ("a", "b"))
    assert (first.line, first.id_line, first.answer_line) == (3, 4, 7)
    assert (second.answer, second.extra) == ("Two.", "Cited.")


def test_split_is_fence_aware():
    text = ("# S\n\n## Q?\n<!-- id: q -->\n\n```python\n# comment\n## not a card\n"
            "<!-- extra -->\n```\n\n~~~\n## also code\n~~~\n")
    source, problems = parse(text)
    assert problems == []
    assert len(source.cards) == 1
    assert "## not a card" in source.cards[0].answer
    assert source.cards[0].extra == ""


def test_unclosed_fence_is_reported_at_its_line():
    _, problems = parse("# S\n\n## Q?\n<!-- id: q -->\n\n```python\nx = 1\n")
    assert [str(p) for p in problems] == ["cards/x.md:6: code fence is never closed"]


def test_missing_answer_and_empty_question():
    _, problems = parse("# S\n\n##\n<!-- id: a -->\nText\n\n## Q?\n<!-- id: b -->\n")
    assert [str(p) for p in problems] == ["cards/x.md:3: empty question",
                                          "cards/x.md:7: card has no answer"]


def test_front_matter_names_section_and_tags():
    source, problems = parse("---\nsection: Front\ntags: one, two\n---\n\n## Q?\n<!-- id: q -->\nA\n")
    assert problems == []
    assert (source.section, source.tags) == ("Front", ("one", "two"))
    assert source.cards[0].line == 6


def test_front_matter_errors_and_unknown_keys():
    _, problems = parse("---\nsection: S\ncolour: red\nbroken line\n---\n## Q?\n<!-- id: q -->\nA\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:3: warning: unknown front matter key 'colour'",
        "cards/x.md:4: invalid front matter: expected 'key: value'",
    ]


def test_invalid_ids_and_tags():
    _, problems = parse("# S\n## Q?\n<!-- id: Bad Id -->\n<!-- tags: ok bad\"tag -->\nA\n")
    messages = [p.message for p in problems]
    assert any("invalid id 'Bad Id'" in m for m in messages)
    assert any("invalid tag 'bad\"tag'" in m for m in messages)


def test_no_cards_is_an_error_but_no_section_is_not():
    _, problems = parse("just text\n")
    assert {p.message.split(":")[0] for p in problems} == {"no cards", "not part of any card"}
    source, problems = parse("## Q?\n<!-- id: q -->\nA\n")
    assert (source.section, len(source.cards), problems) == ("", 1, [])


def test_crlf_and_bom_parse_like_lf():
    lf, _ = parse("# S\n\n## Q?\n<!-- id: q -->\n\nA\n")
    crlf, _ = parse("\ufeff# S\r\n\r\n## Q?\r\n<!-- id: q -->\r\n\r\nA\r\n")
    assert lf == crlf


def test_invalid_utf8_names_line_and_offset():
    text, problems = decode_source(b"# S\n\n## Q\xff?\n", "cards/x.md")
    assert text == ""
    assert str(problems[0]) == "cards/x.md:3: invalid UTF-8 at byte offset 9"
    _, problems = decode_source(b"\n\xff", "cards/x.md")  # a newline as the first byte
    assert str(problems[0]) == "cards/x.md:2: invalid UTF-8 at byte offset 1"


def test_decoding_drops_only_a_leading_bom():
    assert decode_source(b"\xef\xbb\xbf# S\n", "cards/x.md") == ("# S\n", [])
    assert decode_source(b"# S\n\xef\xbb\xbf", "cards/x.md") == ("# S\n\ufeff", [])


def test_text_before_the_first_card_is_reported_once_per_block():
    text = ("# S\n\nAn intro\nin two lines.\n\n---\n\n```python\nx = 1\n\ny = 2\n```\n"
            "# Again\n\n## Q?\n<!-- id: q -->\nA.\n")
    source, problems = parse(text)
    assert [(p.line, p.severity) for p in problems] == [(3, "warning"), (8, "warning"),
                                                         (13, "warning")]
    assert problems[0].message.startswith("not part of any card")
    assert "the section is already 'S'" in problems[2].message
    assert source.section == "S" and source.cards[0].answer == "A."


def test_a_title_beside_front_matter_is_reported():
    _, problems = parse("---\nsection: Front\n---\n# Title\n\n## Q?\n<!-- id: q -->\nA\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:4: warning: not part of any card: the section is already 'Front', so this "
        "'# ' heading is left out"]


def test_a_separator_that_ends_a_card_is_not_content():
    text = ("# S\n\n## One?\n<!-- id: one -->\nA.\n\n---\n\n## Two?\n<!-- id: two -->\n"
            "B.\n\n***\n\nstill B.\n<!-- extra -->\nCited.\n\n_ _ _\n\n## Three?\n"
            "<!-- id: three -->\n```\n---\n```\n---\n")
    source, problems = parse(text)
    assert problems == []
    one, two, three = source.cards
    assert one.answer == "A."
    assert (two.answer, two.extra) == ("B.\n\n***\n\nstill B.", "Cited.")
    assert three.answer == "```\n---\n```"


def test_a_separator_inside_code_at_the_end_stays():
    source, problems = parse("# S\n\n## Q?\n<!-- id: q -->\n~~~\n***\n")
    assert source.cards[0].answer == "~~~\n***"
    assert [p.message for p in problems] == ["code fence is never closed"]


def test_a_comment_before_the_first_card_is_a_note_unless_it_holds_a_card_key():
    _, problems = parse("# S\n<!-- markdownlint-disable MD025 -->\n<!-- id: early -->\n\n"
                        "## Q?\n<!-- id: q -->\nA\n")
    assert [(p.line, p.message) for p in problems] == [(3, NOT_IN_CARD)]


def answers(text: str) -> list[str]:
    source, problems = parse("# S\n\n## Q?\n<!-- id: q -->\n" + text)
    assert problems == []
    return [card.answer for card in source.cards]


def test_a_fence_closes_only_with_its_own_marker_at_most_three_spaces_in():
    # A shorter fence, another marker, a fence with text after it, or one indented four
    # spaces is code: the heading after it stays inside the block.
    for inside in ("````\n```\n## R?\n````", "~~~\n```\n## R?\n~~~", "```\n``` x\n## R?\n```",
                   "```\n    ```\n## R?\n```"):
        assert answers(inside + "\n") == [inside]
    assert answers("```\ncode\n   ```\n## R?\n<!-- id: r -->\nB\n") == ["```\ncode\n   ```", "B"]
    assert answers("```\ncode\n`````\n## R?\n<!-- id: r -->\nB\n") == ["```\ncode\n`````", "B"]


def test_a_card_key_below_the_answer_start_is_a_warning_other_comments_are_notes():
    source, problems = parse("# S\n\n## Q?\n<!-- id: q -->\nA\n<!-- source: s -->\n"
                             "<!-- note: n -->\n<!-- TAGS: t -->\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:6: warning: '<!-- source: -->' is read only directly under the card's "
        "heading; here it is left out",
        "cards/x.md:8: warning: '<!-- tags: -->' is read only directly under the card's "
        "heading; here it is left out"]
    assert source.cards[0].source == "" and source.cards[0].tags == ()


def test_a_card_key_given_twice_is_an_error_at_the_second():
    _, problems = parse("# S\n\n## Q?\n<!-- id: q -->\n<!-- tags: a -->\n<!-- ID: r -->\nA.\n")
    assert [str(p) for p in problems] == ["cards/x.md:6: 'id' given twice for this card"]


def test_a_second_extra_marker_is_an_error_at_its_line():
    _, problems = parse("# S\n\n## Q?\n<!-- id: q -->\nA.\n<!-- extra -->\nE.\n<!-- extra -->\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:8: a second '<!-- extra -->' marker in one card"]


def test_only_lines_that_open_a_fence_are_fence_openings():
    lines = ["``` not`a fence: inline code", "text",
             "~~~ py`thon",  # a tilde fence may have backticks in its info string
             "```", "~~~",  # a backtick line inside the tilde fence; then its end
             "```` sh", "```", "````"]  # a shorter fence inside a longer one is text
    assert list(fence_openings(lines)) == [(2, " py`thon"), (5, " sh")]


def test_a_front_matter_value_with_a_colon_is_reported_at_its_own_line():
    _, problems = parse("---\ntags: a\ntype: cloze: old\n---\n# S\n\n## Q?\nA\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:3: unknown note type 'cloze: old' (known: basic, reversed, cloze, type-in)"]


def test_a_top_heading_inside_a_card_is_an_error_at_its_line():
    source, problems = parse("# S\n\n## Q?\nA\n# Oops\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:5: a '# ' heading inside a card; use '###' or deeper"]
    assert source.cards[0].answer == "A\n# Oops"


def test_every_card_carries_its_section_and_zero_for_lines_it_lacks():
    source, problems = parse("# Basics\n\n## Q?\nA\n\n## R?\n<!-- source: book -->\nB\n")
    assert problems == []
    first, second = source.cards
    assert (first.section, second.section) == ("Basics", "Basics")
    assert (first.id_line, first.source_line, first.source) == (0, 0, "")
    assert (second.source_line, second.source) == (7, "book")


def test_an_empty_top_heading_names_no_section():
    source, problems = parse("#\n\n## Q?\nA\n")
    assert (source.section, problems) == ("", [])


def test_lines_that_start_with_inline_code_or_indented_headings():
    source, problems = parse("# S\n\n   ## Indented?\n`x` starts this line.\n")
    assert problems == []
    [card] = source.cards
    assert (card.question, card.answer) == ("Indented?", "`x` starts this line.")


def test_a_file_with_no_card_says_so_on_its_first_line():
    _, problems = parse("# Only a title\n\nSome text\n")
    assert "cards/x.md:1: no cards: a card starts with a '## Question' heading" in [
        str(p) for p in problems]


def test_answer_and_extra_keep_their_indentation_and_their_letters():
    source, _ = parse("# S\n\n## Q?\n\n    X = 1\nends with X\n\n<!-- extra -->\n\n"
                      "    X = 2\nmore X\n\n")
    card = source.cards[0]
    assert (card.answer, card.extra) == ("    X = 1\nends with X", "    X = 2\nmore X")


def test_front_matter_edges():
    # Empty, and closed on the last line.
    assert parse("---\n---\n# S\n\n## Q?\nA\n")[0].section == "S"
    source, problems = parse("---\nsection: S\n---")
    assert (source.section, problems) == ("S", [])
    # Never closed: one error, and a placeholder section so no other error follows.
    source, problems = parse("---\nsection: S\n\n## Q?\nA\n")
    assert (source.section, [str(p) for p in problems]) == (
        "?", ["cards/x.md:1: invalid front matter: no closing '---'"])


def test_front_matter_lines_blank_comments_bad_and_unknown():
    source, problems = parse("---\n\n  # a comment\nTitle: x\njustaword\n"
                             "section: Part 1: XGBoost\ntags: [a, b]\n---\n\n## Q?\nA\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:4: warning: unknown front matter key 'Title'",
        "cards/x.md:5: invalid front matter: expected 'key: value'"]
    assert (source.section, source.tags) == ("Part 1: XGBoost", ("a", "b"))
    source, problems = parse("---\ntags: \"a b\"\nsection: 'XGBoost X'\n---\n\n## Q?\nA\n")
    assert (source.section, source.tags, problems) == ("XGBoost X", ("a", "b"), [])
    assert parse("---\nsection: XGBoost X\n---\n\n## Q?\nA\n")[0].section == "XGBoost X"


def test_an_unknown_type_falls_back_to_the_files_type_then_basic():
    source, problems = parse("---\ntype: cloze\n---\n# S\n\n## Q?\n<!-- type: nonsense -->\n"
                             "A {{c1::x}}\n")
    assert [str(p) for p in problems] == [
        "cards/x.md:7: unknown note type 'nonsense' (known: basic, reversed, cloze, type-in)"]
    assert source.cards[0].notetype == "cloze"
    source, problems = parse("---\ntype: nonsense\n---\n# S\n\n## Q?\nA\n")
    assert [p.line for p in problems] == [2]
    assert source.cards[0].notetype == "basic"


def test_an_answer_marker_ends_the_rest_of_the_front():
    text = ("# S\n\n## What is logged?\n<!-- id: q -->\n\n```js\nconsole.log(1)\n```\n\n"
            "<!-- answer -->\n\n1\n\n<!-- extra -->\nMore.\n")
    source, problems = parse_source(text, "s.md")
    (card,) = source.cards
    assert problems == []
    assert (card.front, card.front_line, card.answer, card.answer_line, card.extra) == (
        "```js\nconsole.log(1)\n```", 6, "1", 12, "More.")
    # Without the marker everything is the answer, as before.
    plain, _ = parse_source(text.replace("<!-- answer -->\n", ""), "s.md")
    assert plain.cards[0].front == "" and plain.cards[0].answer.startswith("```js")
    twice, problems = parse_source(text.replace("1\n\n<!--", "1\n\n<!-- answer -->\n<!--"), "s.md")
    assert [p.message for p in problems] == ["a second '<!-- answer -->' marker in one card"]


def test_an_answer_marker_with_nothing_above_it_is_a_warning_not_an_error():
    from deckbuild.source.parse import parse_source

    text = "# S\n\n## Q?\n<!-- id: q -->\n<!-- answer -->\nA.\n"
    _, problems = parse_source(text, "cards/a.md")
    (problem,) = [p for p in problems if "answer -->" in p.message]
    assert problem.severity == "warning" and not problem.is_error
