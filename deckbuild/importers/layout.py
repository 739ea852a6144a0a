"""What every layout is: a name, a one-line description and a split; its score is its reach."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .lines import section_for
from .records import Document, Found, Heading, Line, Placed, Split
from .text import PAGE_LINK, RULE, clean_question, clean_title


@dataclass(frozen=True)
class Layout:
    """One way of writing Q&A in Markdown that `import` recognises."""

    name: str
    description: str  # one line, for the report and --help
    split: Callable[[Document], Split]
    # Its questions are marked as such by their markup (a `<summary>`, a `Q:` label), not
    # guessed from the shape of the text, as headings and bold lines are.
    explicit: bool = False

    def score(self, doc: Document) -> float:
        """How much of the document this layout reads as cards: 0 (none) to 1 (every line),
        weighed by how sure the layout is that what it found are questions."""
        split = self.split(doc)
        return coverage(doc, split) * split.weight


def coverage(doc: Document, split: Split) -> float:
    """The share of non-blank lines that the split puts in cards or section headings."""
    filled = doc.filled - noise(doc)
    if not split.cards or not filled:
        return 0.0
    held: set[int] = set()
    for placed in split.cards:
        held.update(placed.section_lines)
        held.update(range(placed.card.region[0], placed.card.region[1] + 1))
    return len(held & filled) / len(filled)


def noise(doc: Document) -> set[int]:
    """Separators and links within the page: left out by every layout, so they do not count."""
    return {line.number for line in doc.lines
            if not line.code and (RULE.match(line.text) or PAGE_LINK.match(line.text))}


def default_section(doc: Document) -> str:
    """The section of cards under no heading: the front matter's title, else the file's name."""
    title = _front_matter_title(doc)
    if title:
        return title
    words = doc.stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) or "Imported"


def _front_matter_title(doc: Document) -> str:
    """`title:` in a `---` block at the top (as static-site pages have), if any."""
    if not doc.lines or doc.lines[0].text.strip() != "---":
        return ""
    for line in doc.lines[1:]:
        if line.text.strip() == "---":
            break
        key, _, value = line.text.partition(":")
        if key.strip().lower() == "title":
            return value.strip().strip("\"'")
    return ""


def place(doc: Document, cards: Iterable[Found], candidates: Iterable[Heading],
          detail: str) -> Split:
    """Give each card the last candidate heading above it as its section."""
    headings = sorted(candidates, key=lambda h: h.number)
    placed: list[Placed] = []
    for card in cards:
        heading = section_for(headings, card.line)
        if heading is None:
            placed.append(Placed(card, default_section(doc)))
        else:
            lines = frozenset(filter(None, (heading.number, heading.underline)))
            placed.append(Placed(card, clean_title(heading.text) or default_section(doc), lines))
    return Split(tuple(placed), detail)


def region_end(doc: Document, start: int, stops: Iterable[int]) -> int:
    """The last line before the first stop after `start` (or the document's last line)."""
    return min((n for n in stops if n > start), default=len(doc.lines) + 1) - 1


def line_questions(doc: Document, questions: list[tuple[Line, str]], detail: str) -> Split:
    """Cards from question lines (line, question): each answer runs to the next question or
    heading; the nearest heading above names the section."""
    stops = sorted({line.number for line, _ in questions} | {h.number for h in doc.headings})
    cards = []
    for line, question in questions:
        end = region_end(doc, line.number, stops)
        cards.append(Found(question, line.number, (line.number, end), doc.span(line.number + 1, end)))
    # `## Question 3` headings above question lines are the `numbered` layout's, not sections.
    sections = [h for h in doc.headings if clean_question(h.text).text]
    return place(doc, cards, sections, detail)


def own_paragraph(doc: Document, line: Line) -> bool:
    """The line starts a paragraph (a bold first line of a longer paragraph is emphasis)."""
    before = doc.line(line.number - 1) if line.number > 1 else None
    return before is None or before.blank or before.code or before.text.lstrip().startswith("#")
