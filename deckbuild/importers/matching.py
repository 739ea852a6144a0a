"""Re-importing: each new card takes the id of the card it was, found by its text, not its place.

A card of the project (from a file the import replaces) and a new card are the same card when
their question and answer both match; failing that, when only the question matches, or only
the answer (one was edited upstream). When a text matches more than one card on either side,
nothing is guessed: the new card gets a fresh id, and the import says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import Problem


@dataclass(frozen=True)
class Previous:
    """A card already in the project, in a card file the import is about to replace."""

    id: str
    question: str
    answer: str
    path: str
    line: int


@dataclass(frozen=True)
class Fresh:
    """A card the import made, before it has an id."""

    question: str
    answer: str
    path: str
    line: int


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def match_ids(fresh: Sequence[Fresh], previous: Sequence[Previous]
              ) -> tuple[dict[int, str], list[Problem]]:
    """{index into fresh: the previous card's id} and a warning per ambiguous match."""
    matched: dict[int, str] = {}
    used: set[int] = set()
    problems: list[Problem] = []
    keys: tuple[tuple[str, Callable[[Fresh | Previous], str]], ...] = (
        ("question and answer", lambda c: _norm(c.question) + "\x1f" + _norm(c.answer)),
        ("question", lambda c: _norm(c.question)),
        ("answer", lambda c: _norm(c.answer)))
    ambiguous: set[int] = set()
    for what, key in keys:
        new_by: dict[str, list[int]] = defaultdict(list)
        old_by: dict[str, list[int]] = defaultdict(list)
        for index, card in enumerate(fresh):
            if index not in matched and index not in ambiguous:
                new_by[key(card)].append(index)
        for index, old in enumerate(previous):
            if index not in used:
                old_by[key(old)].append(index)
        for text, news in new_by.items():
            olds = old_by.get(text, [])
            if not olds or not text.strip("\x1f"):
                continue
            if what == "question and answer" or (len(news) == 1 and len(olds) == 1):
                # Identical cards are interchangeable: pair them in order.
                for new, taken in zip(news, olds, strict=False):
                    matched[new] = previous[taken].id
                    used.add(taken)
                continue
            ids = ", ".join(previous[old].id for old in olds)
            for new in news:
                ambiguous.add(new)
                problems.append(Problem(
                    fresh[new].path, fresh[new].line,
                    f"its {what} matches {len(olds)} existing cards ({ids}) and {len(news)} "
                    "imported ones: not guessed, it gets a new id (write the old one under "
                    "its heading to keep that card's review history)", "warning"))
    return matched, problems
