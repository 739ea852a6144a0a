"""(h) A table of questions and answers: `| Question | Answer |`, one card per row.

A table is one of questions when its header names them (`Question`, `Q`, `Вопрос`, `问题`,
`سؤال`, ...) in its first column or an answer in its second, or when most cells of its first
column ask (`?`, `？`, `؟`, numbering, a question word); other tables (a comparison, a list
of terms) stay inside the answers that hold them. Further columns join the answer as
`**Header:** cell` lines.

A header that names both (`| Question | Answer |`, `| Term | Definition |`) marks its rows
as cards as plainly as a tool's syntax: such tables win over a reading of the file's
headings (lecture notes that end in a quick-reference table), and the notes are listed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .layout import Layout, place
from .records import Document, Found, Line, Split
from .text import clean_question, looks_like_question

_ROW = re.compile(r"^\s{0,3}\|?(?P<cells>.*\|.*?)\|?\s*$")
_DELIMITER = re.compile(r"^\s{0,3}\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$")
_QUESTION_HEADER = re.compile(
    r"^(?:\*\*)?\s*(?:q|question|questions|вопрос|вопросы|问题|問題|题目|質問|설문|질문|سؤال|"
    r"السؤال|پرسش|سوال|pregunta|pergunta|frage|câu hỏi|term|front)\s*(?:\*\*)?$", re.IGNORECASE)
_ANSWER_HEADER = re.compile(
    r"^(?:\*\*)?\s*(?:a|answer|answers|ответ|ответы|答案|回答|答え|답변|답|إجابة|الإجابة|الجواب|"
    r"پاسخ|respuesta|resposta|antwort|réponse|trả lời|câu trả lời|definition|back)\s*(?:\*\*)?$",
    re.IGNORECASE)


def cells(text: str) -> list[str]:
    """The cells of a table row; `\\|` is a pipe inside a cell."""
    inner = text.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def split(doc: Document) -> Split:
    """A card per row of every question-and-answer table outside code."""
    cards: list[Found] = []
    labelled = False  # a header names both questions and answers
    number = 1
    while number < len(doc.lines):
        header, delimiter = doc.line(number), doc.line(number + 1)
        if header.code or delimiter.code or not _DELIMITER.match(delimiter.text) \
                or not _ROW.match(header.text):
            number += 1
            continue
        names = cells(header.text)
        row = number + 2
        rows = []
        while row <= len(doc.lines) and not doc.line(row).blank and not doc.line(row).code \
                and "|" in doc.line(row).text:
            rows.append(row)
            row += 1
        firsts = [cells(doc.line(n).text)[0] for n in rows]
        asking = sum(looks_like_question(clean_question(text)) for text in firsts)
        # The header names questions or answers, or most first cells ask (in any language).
        if len(names) >= 2 and (_QUESTION_HEADER.match(names[0]) or _ANSWER_HEADER.match(names[1])
                                or (rows and asking * 3 >= len(rows) * 2)):
            found = [card for n in rows if (card := _card(n, cells(doc.line(n).text), names))]
            cards += found
            labelled |= bool(found) and bool(_QUESTION_HEADER.match(names[0])
                                             and _ANSWER_HEADER.match(names[1]))
        number = row
    # The header and delimiter rows are in no card: import lists them.
    split = place(doc, cards, doc.headings, "questions are the rows of question-and-answer tables")
    return replace(split, marked=labelled)


def _card(row: int, values: list[str], names: list[str]) -> Found | None:
    question = values[0] if values else ""
    if not question.strip():
        return None
    answer = [values[1] if len(values) > 1 else ""]
    answer += [f"**{name}:** {value}" for name, value in zip(names[2:], values[2:], strict=False)
               if value]
    text = "\n\n".join(part for part in answer if part.strip())
    return Found(question, row, (row, row), tuple(Line(row, part) for part in text.split("\n")))


LAYOUT = Layout("table", "tables whose header reads `| Question | Answer |` (in any language)",
                split)
