"""Import, pure: source files' text in, native card files and a report out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import Problem
from ..source.ids import slugify, unique_slug
from .emit import native_markdown, read_back
from .layout import Layout
from .lines import read_document
from .notes import import_warnings
from .records import Document, ImportedCard, ImportedFile, LeftOut, Output, Split
from .registry import LAYOUTS, layout_named, recognise
from .text import PAGE_LINK, RULE, clean_answer, split_source


@dataclass(frozen=True)
class ImportResult:
    files: tuple[ImportedFile, ...]

    @property
    def problems(self) -> list[Problem]:
        return sorted(p for f in self.files for p in f.problems)


def import_sources(sources: Sequence[tuple[str, str, str]], taken: Iterable[str] = (),
                   layout: str | None = None) -> ImportResult:
    """Each (shown path, file stem, text) -> native cards; new ids avoid `taken` and each other."""
    used = set(taken)
    chosen = layout_named(layout) if layout else None
    files = []
    for path, stem, text in sources:
        doc = read_document(text, path, stem)
        files.append(import_document(doc, used, chosen))
    return ImportResult(tuple(files))


def import_document(doc: Document, taken: set[str], layout: Layout | None = None) -> ImportedFile:
    """One document: recognise its layout, clean its cards, give ids, write native text.

    New ids are added to `taken`.
    """
    forced = layout is not None
    if layout is None:
        layout, split, _ = recognise(doc)
    else:
        split = layout.split(doc)
    if not split.cards:
        names = ", ".join(known.name for known in LAYOUTS)
        message = (f"no questions found in the '{layout.name}' layout" if forced
                   else f"no questions found: none of the known layouts ({names}) fits")
        return ImportedFile(doc.path, layout.name, "", (), _left_out(doc, set(), []), (),
                            tuple(split.problems) or (Problem(doc.path, 1, message),))
    cards, held, left, problems = _cards(doc, split, taken)
    if not cards:
        problems.append(Problem(doc.path, 1, f"no questions with an answer found in the "
                                f"'{layout.name}' layout"))
    outputs, written = _outputs(doc, cards)
    return ImportedFile(doc.path, layout.name, split.detail, tuple(cards),
                        _left_out(doc, held, left), tuple(outputs),
                        tuple(sorted(split.problems + tuple(problems) + tuple(written))),
                        tuple(import_warnings(doc.path, cards)))


def _cards(doc: Document, split: Split, taken: set[str]
           ) -> tuple[list[ImportedCard], set[int], list[LeftOut], list[Problem]]:
    """Cleaned cards with ids, the source lines they hold, lines left out, and problems."""
    cards: list[ImportedCard] = []
    held: set[int] = set()
    left: list[LeftOut] = []
    problems: list[Problem] = []
    for placed in split.cards:
        found, section = placed.card, placed.section
        if found.native:
            answer, dropped = "\n".join(line.text for line in found.answer), []
        else:
            answer_lines, dropped = clean_answer(found.answer)
            answer = "\n".join(answer_lines)
        if not found.question or not answer.strip():
            left.append(LeftOut(found.line, doc.line(found.line).text.strip(),
                                "a question without an answer"))
            continue
        left += dropped
        held.update(placed.section_lines)
        held.update(set(range(found.region[0], found.region[1] + 1)) - {d.line for d in dropped})
        if found.id and found.id in taken:
            problems.append(Problem(doc.path, found.line, f"id {found.id!r} is already used in "
                                    "the project or by another imported card"))
        question, source = (found.question, found.source) if found.native \
            else split_source(found.question)
        card_id = found.id or unique_slug(question, taken)
        taken.add(card_id)
        cards.append(ImportedCard(card_id, question, answer, section, found.line, found.tags, source,
                          found.extra, found.notetype))
    return cards, held, left, problems


def _left_out(doc: Document, held: set[int], left: list[LeftOut]) -> tuple[LeftOut, ...]:
    """Every non-blank line not held by a card or section, each once, in line order."""
    listed = {item.line: item for item in left}
    for number in sorted(doc.filled - held - set(listed)):
        text = doc.line(number).text
        reason = "separator" if RULE.match(text) else \
            "link within the page" if PAGE_LINK.match(text) else "not in any card"
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
