"""Cleaning what a layout found: numbering off questions, labels off answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .mathimages import math_images, tighten_padded
from .records import LeftOut, Line

# `Q1:`, `Q 1.`, `Question 1:`, `Question #1 -`, `Q:`, `1.`, `1)`, `1.2.`, `3.1.1 `, `#1`.
_NUMBERING = re.compile(
    r"^(?:(?:q|ques|question|problem)\.?\s*#?\s*\d+[a-z]?(?:\s*[:.)\-–—]|\s|$)"
    r"|(?:q|question)\s*[:.]\s"
    r"|#?\d+(?:\.\d+)*[.):](?:\s|$)"
    r"|\d+(?:\.\d+)+\s"
    r"|#\d+(?:\s|$))\s*",
    re.IGNORECASE)
_WRAP = re.compile(r"^(\*\*|__|\*|_)(?P<inner>.+?)\1$")
_BOLD_LEAD = re.compile(r"^(\*\*|__)(?P<inner>[^*_]{1,24}?)\1\s*")
_HTML_TAG = re.compile(r"</?(?:b|strong|em|i|p|span|h[1-6])(?:\s[^>]*)?>"
                       r"|<a\s+(?:name|id)=[^>]*>\s*</a>", re.IGNORECASE)  # anchors for a TOC
_CODE_TAG = re.compile(r"</?code>", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# `[[src](url)]`, `[[src]](url)`, `[source](url)`, `([source](url))` ending a question.
_SOURCE_LINK = re.compile(r"\s*\(?\[\[?(?P<label>src|source)\]?\]?\((?P<url>[^)\s]+)\)\]?\)?\s*$",
                          re.IGNORECASE)
_QUESTION_WORDS = frozenset(re.findall(r"\w+",
    "what why how when where which who whom whose is are was were can could should would "
    "does do did will explain describe define compare contrast give differentiate "
    "distinguish discuss summarize summarise"))

# The word that labels an answer, in the languages of the corpora.
_ANSWER_WORDS = (r"(?:(?:the\s+)?(?:correct\s+)?answers?|ans|solution|réponse|respuesta|resposta|"
                 r"antwort|lösung|ответ|答案|正确答案|解答|答え|正解|정답|답|الإجابة|الجواب|پاسخ)")
# A heading or line that is only an answer's label: `## 解答`, `### Answer`, `**Ответ:**`.
ANSWER_LABEL = re.compile(r"^\s*(?:\*\*|__)?\s*" + _ANSWER_WORDS + r"\s*(?:\*\*|__)?\s*[:：.]?\s*$",
                          re.IGNORECASE)
# `**Answer:**`, `**Answer**:`, `Answer:`, `Ans.`, `A:`, `**A:**`, `_A:_`, `**Solution:**`,
# `**Ответ:**`, `答案：` at an answer's start.
_LABEL = re.compile(
    r"^\s*(?:(?P<w>\*\*|__|\*|_)" + _ANSWER_WORDS + r"\s*[:：.]?\s*(?P=w)\s*[:：.]?"
    r"|(?P<w2>\*\*|__|\*|_)a\s*(?::(?P=w2)|(?P=w2)\s*:)"
    r"|" + _ANSWER_WORDS + r"\s*[:：.]|a\s*:)[ \t]*",
    re.IGNORECASE)
LABEL_WORDS = r"(?:answers?|ans|a|solution|show(?: the)? answer|reveal(?: the)? answer|" \
               r"click(?: here)? to (?:expand|see|show)(?: the)?(?: answer)?|show|expand|" \
               r"查看答案|显示答案|答案|解答|答え|答えを見る|정답|답|정답 보기|ответ|показать ответ|" \
               r"réponse|voir la réponse|respuesta|ver respuesta|resposta|antwort|lösung|" \
               r"الإجابة|الجواب|پاسخ)"
_DETAILS_OPEN = re.compile(r"^\s*<details(?:\s[^>]*)?>\s*$", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"^\s*</details>\s*$", re.IGNORECASE)
_LABEL_SUMMARY = re.compile(
    r"^\s*(?:<details(?:\s[^>]*)?>\s*)?<summary(?:\s[^>]*)?>\s*(?:<(?:b|strong)>)?\s*"
    + LABEL_WORDS + r"\s*[:.]?\s*(?:</(?:b|strong)>)?\s*</summary>\s*$", re.IGNORECASE)
_PARAGRAPH_TAG = re.compile(r"^\s*</?p>\s*$", re.IGNORECASE)
PAGE_LINK = re.compile(r"^\s*(?:\*\*|__)?\s*\[[^\]]*\]\(#[^)]*\)\s*(?:\*\*|__)?\s*$")
# A thematic break, or a `<br/>` alone on its line: separators between questions.
RULE = re.compile(r"^\s{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$|^\s*<br\s*/?>\s*$", re.IGNORECASE)


# The question marks of Latin and other scripts, the full-width one of Chinese and Japanese,
# the Arabic one (also Persian and Urdu) and the Greek one (U+037E).
QUESTION_MARKS = ("?", "？", "؟", "\u037e")
# Greek text asks with a semicolon, which most keyboards type as the ASCII one.
_GREEK_ASKS = re.compile(r"[\u0370-\u03ff\u1f00-\u1fff][)»\"']*;$")


# A line that starts the answer of a quiz (what is above it is the rest of the question):
# `**Answer:** B`, `Correct answer: B`, `Ответ:`, `答案：`, `<details><summary>Answer</summary>`.
_ANSWER_START = re.compile(r"^\s*(?:\*\*|__)?\s*" + _ANSWER_WORDS + r"\s*(?:\*\*|__)?\s*[:：.]",
                           re.IGNORECASE)


def split_front(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], tuple[Line, ...]]:
    """(rest of the front, answer): a quiz's code and options stand between its question and
    the answer block (`<details>` that hides an answer, or an `Answer:` line); the front is
    empty when the answer starts at once."""
    prose = [index for index, line in enumerate(lines) if not line.code and not line.blank]
    for order, index in enumerate(prose):
        text = lines[index].text
        if FRONT_BACK.match(text):  # mdanki: `%` (or `?`) alone between front and back
            return lines[:index], lines[index:]
        following = lines[prose[order + 1]].text if order + 1 < len(prose) else ""
        starts = bool(_ANSWER_START.match(text) or _LABEL_SUMMARY.match(text)) or (
            bool(_DETAILS_OPEN.match(text)) and bool(_LABEL_SUMMARY.match(following)))
        if starts:
            if order == 0:
                return (), lines
            return lines[:index], lines[index:]
    return (), lines


def clean_front(lines: tuple[Line, ...]) -> str:
    """The rest of a front as Markdown: dedented, without blank lines around it."""
    texts = _dedent([line.text for line in lines])
    while texts and not texts[-1].strip():
        texts.pop()
    return "\n".join(texts)


@dataclass(frozen=True)
class Question:
    text: str
    numbered: bool  # had `Q1:`-style numbering


def clean_question(raw: str) -> Question:
    """The question without numbering, emphasis around it, or HTML tags."""
    text = _CODE_TAG.sub("`", _HTML_TAG.sub("", raw)).strip()
    text = _LINK.sub(r"\1", text) if _LINK.fullmatch(text) else text
    text = unwrap(text)
    lead = _BOLD_LEAD.match(text)  # `**Q6:** What is ...`
    if lead and _NUMBERING.match(lead.group("inner") + " "):
        text = text[lead.end():].lstrip(":.)-–— ")  # `**Q6**: What ...` too
    stripped = _NUMBERING.sub("", text, count=1)
    numbered = stripped != text
    return Question(unwrap(stripped.strip()), numbered)


def split_source(question: str) -> tuple[str, str]:
    """(question, link) when the question ends with a `[[src](url)]`-style link to its source."""
    found = _SOURCE_LINK.search(question)
    if not found or not question[:found.start()].strip():
        return question, ""
    return question[:found.start()].rstrip(), f"[{found.group('label')}]({found.group('url')})"


def unwrap(text: str) -> str:
    """`**text**` -> `text` when the emphasis wraps the whole of it."""
    while True:
        wrapped = _WRAP.match(text)
        if not wrapped or "**" in wrapped.group("inner") or "__" in wrapped.group("inner"):
            return text
        text = wrapped.group("inner").strip()


def looks_like_question(question: Question) -> bool:
    """Numbered, ending in '?', or opening with a question or instruction word."""
    text = split_source(question.text)[0]
    if not text:
        return False
    first = re.split(r"[^A-Za-z]+", text.lower().lstrip("*_`\"' "), maxsplit=1)[0]
    end = text.rstrip(" *_")
    return question.numbered or end.endswith(QUESTION_MARKS) or bool(_GREEK_ASKS.search(end)) \
        or first in _QUESTION_WORDS


def clean_title(raw: str) -> str:
    """A section heading as a subdeck name: no numbering, emphasis or link markup."""
    text = _LINK.sub(r"\1", _HTML_TAG.sub("", raw)).replace("`", "").strip()
    # `2.3.5 — Quick Reference`: the number and the dash after it go.
    text = re.sub(r"^\d+(?:\.\d+)*[.):]?\s+(?:[-–—]\s+)?", "", unwrap(text))
    return unwrap(text).strip(" :*_") or raw.strip()


def strip_label(text: str) -> str:
    """The line without a leading `**Answer:**`-style label."""
    return _LABEL.sub("", text, count=1)


# Lines other flashcard tools write around a card, which are not its text.
OBSIDIAN_ID = re.compile(r"^\s*<!--\s*ID:\s*\d+\s*-->\s*$")
_TAG_LINKS = re.compile(r"^\s*(?:\[#[^\]\s]+\]\([^)]*\)\s*)+$")  # mdanki: [#tag](./x.md)
FRONT_BACK = re.compile(r"^\s*[%?]\s*$")  # mdanki's (and others') line between front and back


def _marker(text: str) -> str:
    """Why a line of another tool's markup is left out of an answer, or ''."""
    if OBSIDIAN_ID.match(text):
        return "Obsidian_to_Anki's note id"
    if _TAG_LINKS.match(text):
        return "tag links"
    if FRONT_BACK.match(text):
        return "front/back separator"
    return ""


def clean_answer(lines: tuple[Line, ...]) -> tuple[list[str], list[LeftOut]]:
    """Answer text (labels and answer-hiding <details> removed, dedented) and lines left out."""
    kept: list[Line] = []
    left: list[LeftOut] = []
    hidden = _answer_wrappers(lines)
    labelled = False
    for line in lines:
        if line.number in hidden or (not line.code and _PARAGRAPH_TAG.match(line.text)):
            continue  # the card's back already hides the answer; <p> only helped GitHub
        if not line.code:
            line = Line(line.number, tighten_padded(math_images(line.text)), line.code)
            if PAGE_LINK.match(line.text):
                left.append(LeftOut(line.number, line.text.strip(), "link within the page"))
                continue
            marker = _marker(line.text)
            if marker:
                left.append(LeftOut(line.number, line.text.strip(), marker))
                continue
            if not labelled and not line.blank:
                labelled = True
                unlabelled = strip_label(line.text)
                if unlabelled != line.text:
                    if not unlabelled.strip():
                        continue
                    indent = line.text[:len(line.text) - len(line.text.lstrip())]
                    line = Line(line.number, indent + unlabelled, line.code)
        labelled = labelled or not line.blank
        if not (line.blank and not line.code and kept and kept[-1].blank and not kept[-1].code):
            kept.append(line)
    while kept and (kept[-1].blank or (not kept[-1].code and RULE.match(kept[-1].text))):
        if not kept[-1].blank:
            left.append(LeftOut(kept[-1].number, kept[-1].text.strip(), "separator"))
        kept.pop()
    return _dedent([line.text for line in kept]), left


def _answer_wrappers(lines: tuple[Line, ...]) -> set[int]:
    """Lines of `<details><summary>Answer</summary>` ... `</details>` wrappers, not their content."""
    hidden: set[int] = set()
    opened: list[bool] = []  # per open <details>: is it an answer wrapper (hidden)?
    prose = [line for line in lines if not line.code and not line.blank]
    for index, line in enumerate(prose):
        text = line.text
        if _LABEL_SUMMARY.match(text):
            hidden.add(line.number)
            if re.match(r"^\s*<details", text, re.IGNORECASE):
                opened.append(True)
        elif _DETAILS_OPEN.match(text):
            following = prose[index + 1].text if index + 1 < len(prose) else ""
            wrapper = bool(_LABEL_SUMMARY.match(following)) and "<details" not in following.lower()
            opened.append(wrapper)
            if wrapper:
                hidden.add(line.number)
        elif _DETAILS_CLOSE.match(text):
            if not opened or opened.pop():
                hidden.add(line.number)
        else:
            lowered = text.lower()
            opened += [False] * lowered.count("<details")
            for _ in range(lowered.count("</details>")):
                if opened:
                    opened.pop()
    return hidden


def _dedent(texts: list[str]) -> list[str]:
    """Remove the indentation all lines share (a tab counts 4); nothing else changes."""
    cut = min((indent_of(t) for t in texts if t.strip()), default=0)
    out = []
    for text in texts:
        if not text.strip():
            out.append("")
        else:
            out.append(outdent(text, cut))
    while out and not out[0]:
        out.pop(0)
    return out


def outdent(text: str, width: int) -> str:
    """Text without up to `width` columns of indentation; tabs further in stay tabs."""
    column = 0
    for index, char in enumerate(text):
        if column >= width or char not in " \t":
            return " " * (column - width) + text[index:]
        column = column + 1 if char == " " else (column // 4 + 1) * 4
    return ""


def indent_of(text: str) -> int:
    """Columns of leading whitespace (a tab counts up to the next multiple of 4)."""
    return len(text[:len(text) - len(text.lstrip(" \t"))].expandtabs(4))
