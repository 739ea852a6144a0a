"""Import, pure: source files' text in, native card files and a report out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ..errors import Problem
from ..source.ids import content_id, slug, slugify
from . import headings
from .emit import native_markdown, read_back
from .labels import unlabel
from .layout import Layout, noise
from .lines import read_document
from .matching import Fresh, Previous, match_ids
from .notes import import_warnings
from .options import front_and_answer
from .records import Document, ImportedCard, ImportedFile, LeftOut, Output, Split
from .registry import LAYOUTS, layout_named, recognise
from .text import OBSIDIAN_ID, PAGE_LINK, RULE, clean_answer, clean_front, split_source

# An answer of only question marks, dots or dashes (`???`, `...`, `–`): still to be written.
_PLACEHOLDER = re.compile(r"\s*[?？؟.…\-–—_*]+\s*")


@dataclass(frozen=True)
class ImportResult:
    files: tuple[ImportedFile, ...]

    @property
    def problems(self) -> list[Problem]:
        return sorted(p for f in self.files for p in f.problems)


def import_sources(sources: Sequence[tuple[str, str, str]], taken: Iterable[str] = (),
                   layout: str | None = None, previous: Sequence[Previous] = (),
                   question_level: int | None = None) -> ImportResult:
    """Each (shown path, file stem, text) -> native cards; new ids avoid `taken` and each other.

    A new card that is one of `previous` (the cards of the files the import replaces, found by
    question and answer) keeps its id. `question_level` reads question headings at that level.
    """
    chosen = layout_named(layout) if layout else None
    if question_level is not None:
        chosen = headings.at_level_layout(question_level)
    drafts = [_draft(read_document(text, path, stem), chosen) for path, stem, text in sources]
    ids, matched = _ids([d for d in drafts if d.cards], set(taken), previous)
    files = [_finish(draft, ids, matched, forced=chosen is not None) for draft in drafts]
    return ImportResult(tuple(files))


def import_document(doc: Document, taken: set[str], layout: Layout | None = None) -> ImportedFile:
    """One document: recognise its layout, clean its cards, give ids, write native text.

    New ids are added to `taken`.
    """
    draft = _draft(doc, layout)
    ids, matched = _ids([draft] if draft.cards else [], taken, ())
    taken.update(ids.values())
    return _finish(draft, ids, matched, forced=layout is not None)


@dataclass(frozen=True)
class _Draft:
    """A document read in its layout, its cards cleaned but without ids yet."""

    doc: Document
    layout: Layout
    split: Split
    cards: tuple[ImportedCard, ...]
    held: frozenset[int]
    left: tuple[LeftOut, ...]
    problems: tuple[Problem, ...]


def _draft(doc: Document, layout: Layout | None) -> _Draft:
    forced = layout is not None
    if layout is None:
        layout, split, _ = recognise(doc)
    else:
        split = layout.split(doc)
    split = unlabel(split)
    if not split.cards:
        names = ", ".join(known.name for known in LAYOUTS)
        message = (f"no questions found in the '{layout.name}' layout" if forced
                   else f"no questions found: none of the known layouts ({names}) fits; "
                   "give --question-level N if the questions are level-N headings")
        return _Draft(doc, layout, split, (), frozenset(), (),
                      tuple(split.problems) or (Problem(doc.path, 1, message),))
    cards, held, left, problems = _cards(doc, split)
    if not cards:
        problems.append(Problem(doc.path, 1, f"no questions with an answer found in the "
                                f"'{layout.name}' layout"))
    return _Draft(doc, layout, split, tuple(cards), frozenset(held), tuple(left),
                  tuple(problems))


def _ids(drafts: list[_Draft], taken: set[str], previous: Sequence[Previous]
         ) -> tuple[dict[tuple[str, int], str], list[Problem]]:
    """{(path, line): id} for every card: its own id, else the id of the card it was (see
    matching.py), else one made from its text (never from its place in the file)."""
    cards = [card for draft in drafts for card in draft.cards]
    paths = [draft.doc.path for draft in drafts for _ in draft.cards]
    ids: dict[tuple[str, int], str] = {}
    problems: list[Problem] = []
    explicit = {card.id for card in cards if card.id}
    for path, card in zip(paths, cards, strict=True):
        if card.id:
            if card.id in taken:
                problems.append(Problem(path, card.line, f"id {card.id!r} is already used in "
                                        "the project or by another imported card"))
            taken.add(card.id)
            ids[(path, card.line)] = card.id
    fresh = [(path, card) for path, card in zip(paths, cards, strict=True) if not card.id]
    found, warnings = match_ids([Fresh(c.question, c.answer, p, c.line) for p, c in fresh],
                                [old for old in previous if old.id not in explicit])
    problems += warnings
    for index, (path, card) in enumerate(fresh):
        if index in found and found[index] not in taken:
            ids[(path, card.line)] = found[index]
            taken.add(found[index])
    # A new id is never an old card's (its history would move to another card), and a question
    # asked twice gives both cards a hashed id: which comes first must not matter.
    avoid = taken | {old.id for old in previous}
    unmatched = [(path, card) for path, card in fresh if (path, card.line) not in ids]
    twice = {s for s, n in Counter(slug(card.question) for _, card in unmatched).items() if n > 1}
    for path, card in unmatched:
        new = content_id(card.question, card.answer, avoid | twice)
        ids[(path, card.line)] = new
        avoid.add(new)
        taken.add(new)
    return ids, problems


def _finish(draft: _Draft, ids: dict[tuple[str, int], str], matched: list[Problem],
            forced: bool) -> ImportedFile:
    doc, split = draft.doc, draft.split
    left_out = _left_out(doc, set(draft.held), list(draft.left))
    if not draft.cards:
        return ImportedFile(doc.path, draft.layout.name, "", (), left_out, (), draft.problems)
    cards = [replace(card, id=ids[(doc.path, card.line)]) for card in draft.cards]
    # The layout's own markup (tab headings, deck lines) was read, not missed.
    read = {item.line for item in split.left}
    problems = list(draft.problems) + _mostly_left_out(
        doc, tuple(item for item in left_out if item.line not in read), draft.layout,
        forced or split.marked)
    outputs, written = _outputs(doc, cards)
    own = [p for p in matched if p.path == doc.path]
    errors = [p for p in own if p.is_error]
    return ImportedFile(doc.path, draft.layout.name, split.detail, tuple(cards), left_out,
                        tuple(outputs), tuple(sorted(split.problems + tuple(problems)
                                                     + tuple(written) + tuple(errors))),
                        tuple(import_warnings(doc.path, cards))
                        + tuple(p for p in own if not p.is_error), split.labels)


def _mostly_left_out(doc: Document, left_out: tuple[LeftOut, ...], layout: Layout,
                     forced: bool) -> list[Problem]:
    """An error when most of the file's lines land in no card (unless a layout was chosen):
    the layout read it wrongly, and the user should say where the questions are."""
    counted = doc.filled - noise(doc)
    missing = [item for item in left_out if item.line in counted]
    if forced or not counted or len(missing) * 2 <= len(counted):
        return []
    levels = sorted({h.level for h in doc.headings})
    hint = (f"give --question-level N if the questions are level-N headings (this file has "
            f"levels {', '.join(map(str, levels))})" if levels else "give --layout NAME")
    return [Problem(doc.path, missing[0].line,
                    f"{len(missing)} of {len(counted)} lines land in no card in the "
                    f"'{layout.name}' layout: {hint}, or --layout {layout.name} to keep what "
                    "it found")]


def _cards(doc: Document, split: Split
           ) -> tuple[list[ImportedCard], set[int], list[LeftOut], list[Problem]]:
    """Cleaned cards (ids only where the source gave one), the source lines they hold, lines
    left out, and problems."""
    cards: list[ImportedCard] = []
    held: set[int] = set()
    left: list[LeftOut] = []
    problems: list[Problem] = []
    left += split.left
    for placed in split.cards:
        found, section = placed.card, placed.section
        front = ""
        if found.native:
            answer, dropped = "\n".join(line.text for line in found.answer), list[LeftOut]()
            front = "\n".join(line.text for line in found.front)
        else:
            before, rest = (found.front, found.answer) if found.front \
                else front_and_answer(found.answer)
            front = clean_front(before)
            answer_lines, dropped = clean_answer(rest)
            answer = "\n".join(answer_lines)
        if not found.question or not answer.strip() or _PLACEHOLDER.fullmatch(answer):
            left.append(LeftOut(found.line, doc.line(found.line).text.strip(),
                                "a question without an answer"))
            left += [LeftOut(line.number, line.text.strip(), "a placeholder answer")
                     for line in found.answer if line.number and not line.blank
                     and _PLACEHOLDER.fullmatch(line.text)]
            continue
        left += dropped
        held.update(placed.section_lines)
        held.update(set(range(found.region[0], found.region[1] + 1)) - {d.line for d in dropped})
        question, source = (found.question, found.source) if found.native \
            else split_source(found.question)
        cards.append(ImportedCard(found.id or "", question, answer, section, found.line,
                                  found.tags, source, found.extra, found.notetype, front))
    return cards, held, left, problems


def _left_out(doc: Document, held: set[int], left: list[LeftOut]) -> tuple[LeftOut, ...]:
    """Every non-blank line not held by a card or section, each once, in line order."""
    listed = {item.line: item for item in left}
    for number in sorted(doc.filled - held - set(listed)):
        text = doc.line(number).text
        reason = "separator" if RULE.match(text) else \
            "link within the page" if PAGE_LINK.match(text) else \
            "Obsidian_to_Anki's note id" if OBSIDIAN_ID.match(text) else "not in any card"
        listed[number] = LeftOut(number, text.strip(), reason)
    return tuple(listed[n] for n in sorted(listed))


def _outputs(doc: Document, cards: list[ImportedCard]) -> tuple[list[Output], list[Problem]]:
    """One file per section (the native format has one section per file), in document order."""
    sections = list(dict.fromkeys(card.section for card in cards))
    stem = slugify(doc.stem)
    outputs, problems = [], []
    for index, section in enumerate(sections, start=1):
        name = f"{stem}.md" if len(sections) == 1 else f"{stem}-{index:02d}-{slugify(section)}.md"
        members = [card for card in cards if card.section == section]
        text = native_markdown(section, members)
        problems += read_back(text, name, members, doc.path)
        outputs.append(Output(name, section, text, len(members)))
    return outputs, problems
