"""Labels a file repeats before its questions or answers, in any language.

`**Otázka:** …` over `> **ODPOVĚĎ:** …`, `Pregunta: …` over `Respuesta: …`: a word that
opens most of a file's questions (or answers), followed by a colon, labels them; it is no
part of the card. What is a label is found from the file's structure, the repetition, not
from a list of words. An answer that is one block quote opened by its label (a FAQ's way of
setting answers apart) loses the quote with the label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from .records import Found, Line, Placed, Split

# A label: one to three words (letters of any script) and a colon, bold or not, at the start.
_LEAD = re.compile(r"^(?P<w>\*\*|__)?(?P<label>[^\W\d_]+(?:[ \t][^\W\d_]+){0,2})[ \t]*[:：]"
                   r"[ \t]*(?P=w)?[ \t]*")
_QUOTE = re.compile(r"^[ \t]*>[ \t]?")


def unlabel(split: Split) -> Split:
    """The split without the labels its file repeats before questions and answers; the
    labels it took off are named in `labels` and in its detail, for the report."""
    cards = split.cards
    asked = _repeated([_lead(card.card.question) for card in cards])
    answered = _repeated([_lead(_first(card.card.answer)[1]) for card in cards])
    if asked is None and answered is None:
        return split
    labels = tuple(_shown(cards, asked, answered))
    named = ", ".join(f"'{label}' before {where}" for label, where in zip(
        labels, [w for w, found in (("questions", asked), ("answers", answered)) if found],
        strict=True))
    return replace(split, cards=tuple(replace(card, card=_unlabelled(card.card, asked, answered))
                                      for card in cards),
                   labels=labels, detail=f"{split.detail}; labels taken off: {named}")


def _shown(cards: Sequence[Placed], asked: str | None, answered: str | None) -> list[str]:
    """The labels as the file writes them (their first use), with their colon."""
    shown = []
    for label, texts in ((asked, [card.card.question for card in cards]),
                         (answered, [_first(card.card.answer)[1] for card in cards])):
        if label is None:
            continue
        for text in texts:
            found = _lead_match(text)
            if found and found.group("label").casefold() == label:
                shown.append(found.group("label") + ":")
                break
    return shown


def repeated_label(texts: Sequence[str]) -> str | None:
    """The label (casefolded) that opens most of these texts, if one does: a file that
    labels its questions `Otázka:` says by that where they are, in any language."""
    return _repeated([_lead(text) for text in texts])


def _unlabelled(found: Found, asked: str | None, answered: str | None) -> Found:
    question = _without(found.question, asked) or found.question
    answer = found.answer
    index, first = _first(answer)
    quoted = _QUOTE.match(first)
    rest = _without(first[quoted.end():] if quoted else first, answered) if index >= 0 else None
    if rest is not None:
        line = answer[index]
        # The label alone on its line: the answer is what follows it.
        head = (*answer[:index], Line(line.number, rest, line.code)) if rest else answer[:index]
        body = answer[index + 1:]
        if quoted and all(_QUOTE.match(line.text) or line.blank for line in body):
            body = _unquoted(body)
        while not rest and body and body[0].blank:
            body = body[1:]
        answer = (*head, *body)
    return replace(found, question=question, answer=answer)


def _unquoted(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    """The lines out of their block quote; the quote's trailing empty lines go."""
    out = []
    for line in lines:
        quoted = _QUOTE.match(line.text)
        out.append(Line(line.number, line.text[quoted.end():] if quoted else line.text, line.code))
    while out and not out[-1].text.strip():
        out.pop()
    return tuple(out)


def _first(lines: Sequence[Line]) -> tuple[int, str]:
    """The index and text of the first line with text (-1, '' when none)."""
    for index, line in enumerate(lines):
        if not line.blank and not line.code:
            return index, line.text.strip()
    return -1, ""


def _lead_match(text: str) -> re.Match[str] | None:
    """The label opening a text, after a quote marker when there is one."""
    quoted = _QUOTE.match(text)
    return _LEAD.match(text[quoted.end():] if quoted else text)


def _lead(text: str) -> str | None:
    """The label opening a text (after a quote marker), casefolded, or None. It may be
    alone on its line (`**Ответ:**`, then the answer below it)."""
    found = _lead_match(text)
    return None if found is None else found.group("label").casefold()


def _repeated(leads: list[str | None]) -> str | None:
    """The label that opens at least two of the texts and more than half of them, if one does."""
    counts = Counter(lead for lead in leads if lead is not None)
    if not counts:
        return None
    label, count = counts.most_common(1)[0]
    return label if count >= 2 and count * 2 > len(leads) else None


def _without(text: str, label: str | None) -> str | None:
    """The text without its leading label, when it opens with that label ('' when the label
    is all of it); else None."""
    if label is None:
        return None
    found = _LEAD.match(text)
    if found is None or found.group("label").casefold() != label:
        return None
    return text[found.end():] if text[found.end():].strip() else ""

