"""Numbered questions ('Question 5: ...', 'Q5. ...', '5. ...'): the number is not the question.

Files written for reading in order number their questions. In a shuffled review the
number is noise, and in an id it would tie the card to its place; so ids never carry
it, and the Question field drops it unless `question_numbers = true`.
"""

from __future__ import annotations

import dataclasses
import re

from ..records import SourceFile

# 'Question 5', optionally followed by '.', ':', ')' or a dash; 'Q5' and a bare '5' only
# with one of '.', ':', ')' (so that 'Q4 results' or '5 reasons why' stay as written).
_NUMBER = re.compile(r"^(?:question\s*#?\s*\d+\s*[.:)\-–—]?|(?:q\s*#?\s*)?\d+[.:)])\s+(?=\S)",
                     re.IGNORECASE)


def without_number(question: str) -> str:
    """The question without a leading number, or as it is when it has none."""
    return _NUMBER.sub("", question, count=1)


def unnumbered(source: SourceFile) -> SourceFile:
    """The file with every card's question stripped of its number."""
    cards = tuple(dataclasses.replace(card, question=without_number(card.question))
                  if _NUMBER.match(card.question) else card for card in source.cards)
    return dataclasses.replace(source, cards=cards)
