"""A `<details>` block that holds only links (a language switcher, a table of contents) is
navigation, not a card: decided by the block's structure, in any language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.importers import import_sources

CARDS = """
<details>
<summary>What is dropout?</summary>

It zeroes random activations while training, so units cannot co-adapt.
</details>

<details>
<summary>Зачем нужна нормализация батча?</summary>

Она выравнивает распределение активаций в каждом мини-батче.
</details>
"""

SWITCHERS = {
    "markdown list": "- [English](README.md)\n- [中文](README_zh-CN.md)\n- [日本語](README_ja.md)",
    "one line": "[English](README.md) | [Español](README.es.md) | [العربية](README.ar.md)",
    "html anchors": '<p>\n<a href="README.md">English</a> ·\n<a href="README.ru.md">Русский</a>\n</p>',
    "numbered toc": "1. [Basics](#basics)\n2. [Training](#training)\n3. [Tricks](#tricks)",
}


def imported(text: str):
    [result] = import_sources([("faq.md", "faq", text)]).files
    return result


@pytest.mark.parametrize("summary", ["🌐 Language", "Other languages", "目录", "Contents"])
@pytest.mark.parametrize("shape", list(SWITCHERS))
def test_a_details_block_of_links_is_navigation_not_a_card(shape: str, summary: str) -> None:
    text = (f"# FAQ\n\n<details>\n<summary>{summary}</summary>\n\n{SWITCHERS[shape]}\n\n"
            f"</details>\n{CARDS}")
    result = imported(text)
    assert [c.question for c in result.cards] == ["What is dropout?",
                                                  "Зачем нужна нормализация батча?"]
    left = {item.line for item in result.left_out}
    switcher = set(range(3, 3 + 5 + SWITCHERS[shape].count("\n")))
    lines = text.split("\n")
    assert {n for n in switcher if lines[n - 1].strip()} <= left  # listed, never lost


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["[a](x.md)", "see [the docs](https://d.org)",
                                 "Words that explain it.", "- [b](y.md)"]), min_size=1,
                max_size=5))
def test_a_block_with_any_prose_stays_a_card(body: list[str]) -> None:
    prose = any(not part.lstrip("- ").startswith("[") for part in body)
    links = sum(part.count("](") for part in body)
    text = "# FAQ\n\n<details>\n<summary>Where is it?</summary>\n\n" + "\n".join(body) + \
        "\n\n</details>\n" + CARDS
    questions = [c.question for c in imported(text).cards]
    assert ("Where is it?" in questions) == (prose or links < 2)
