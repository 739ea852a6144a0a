"""Random Q&A-shaped Markdown through `import`: no crash, nothing lost silently, valid output."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckbuild.importers import import_sources
from deckbuild.source.parse import parse_source

EXAMPLES = 1000 if os.environ.get("CI") else 200
fuzz = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

words = st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "what", "why", "is",
                                  "model", "`code`", "$x$", "**bold**", "Q1:", "1.", "?"]),
                 min_size=1, max_size=6).map(" ".join)
lines = st.one_of(
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 6), words),
    st.builds(lambda n: f"## Question {n}", st.integers(1, 9)),
    st.builds(lambda text: f"**{text}**", words),
    st.builds(lambda n, text: f"{n}. **{text}?**", st.integers(1, 9), words),
    st.builds(lambda text: f"   {text}", words),
    st.builds(lambda text: f"Q: {text}?", words),
    st.builds(lambda n, text: f"{n}.  ### {text}?", st.integers(1, 9), words),
    # (A section heading keeps only a link's text: the address holds no tracked word.)
    st.builds(lambda text: f"### {text} [[src](https://example.org/page)]", words),
    st.builds(lambda text: f"<details><summary>{text}</summary>", words),
    st.builds(lambda lead, text: f"{lead} <details><summary>{text}</summary>", words, words),
    st.builds(lambda text: f"</details> {text}", words),
    st.sampled_from(["<details>", "</details>", "<summary>Answer</summary>", "**Answer:**",
                     "A: yes", "---", "```", "```python", "~~~", "## inside?", "# title",
                     "<!-- id: some-id -->", "<!-- extra -->", "[top](#top)", "", "", ""]),
    words,
)
documents = st.lists(lines, max_size=30).map("\n".join)


@fuzz
@given(documents)
def test_random_documents_import_without_loss(text):
    (imported,) = import_sources([("doc.md", "doc", text)]).files
    written = "\n".join(out.text for out in imported.outputs)
    listed = {item.line for item in imported.left_out}
    found = set(_words(written))
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip() and number not in listed:
            lost = [w for w in _words(line) if w not in found]
            assert not lost, (number, line, lost)
    if imported.problems:
        return
    assert imported.cards
    for out in imported.outputs:
        parsed, problems = parse_source(out.text, out.name)
        assert not [p for p in problems if p.is_error], problems
        assert len(parsed.cards) == out.cards


def _words(text: str) -> list[str]:
    return re.findall(r"alpha|beta|gamma|delta|model|code|bold", text)


bits = st.sampled_from(["# ", "### ", "\n", "\n\n", "```", "~~~", "**", "__", "1. ", "Q: ", "A: ",
                        "<details>", "</details>", "<summary>", "</summary>", "?", "   ", "\t",
                        "\r\n", "\r", "\ufeff", "<!-- id: x -->", "<h2>", "</h2>", "===", "---"])
any_text = st.lists(st.one_of(bits, st.text(max_size=6)), max_size=40).map("".join)


@fuzz
@given(any_text)
def test_any_text_imports_without_crashing(text):
    (imported,) = import_sources([("any.md", "any", text)]).files
    assert imported.cards or imported.problems
    lines = [item.line for item in imported.left_out]
    assert lines == sorted(set(lines))
