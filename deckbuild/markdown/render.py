"""Cards -> the HTML fields Anki stores: Markdown, math shielded, code highlighted.

With gfm.py (GitHub's block structure, a Markdown extension), the only module that
imports Markdown and Pygments. Math is protected inside the parser by arithmatex
(generic mode), so TeX reaches Anki's MathJax untouched as \\(...\\) and \\[...\\];
fenced code is highlighted with CSS classes, which the note type styles for day and night.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import markdown
from markdown.treeprocessors import Treeprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ..errors import Problem, display_path
from ..notetypes import REGISTRY
from ..notetypes.cloze_type import cloze_numbers
from ..records import Card, RenderedNote
from ..source.parse import fence_openings
from ..source.validate import math_problems
from .cloze import NO_DELETION, ClozeScan, ClozeTreeprocessor
from .mathspans import BracketMathProcessor, DollarMathProcessor, RawHtmlMath
from .sanitize import may_be_unsafe, removed_parts, sanitize
from .triggers import TriggeredInlineProcessor


@functools.lru_cache(maxsize=64)
def _fence_lexer(language: str) -> tuple[Lexer, str]:
    """The lexer for a fence's language and the name its class uses (unknown: plain text)."""
    try:
        return get_lexer_by_name(language, stripnl=True), language
    except ClassNotFound:
        lexer = get_lexer_by_name("text", stripnl=True)
        return lexer, lexer.aliases[0]


@functools.lru_cache(maxsize=64)
def _fence_formatter(css_class: str) -> HtmlFormatter:
    return HtmlFormatter(cssclass=css_class, wrapcode=True)


def highlight_fence(source: str, language: str, *args: object, **kwargs: object) -> str:
    """A fenced block as `<div class="language-x highlight"><pre><code>` with Pygments' classes."""
    lexer, name = _fence_lexer(language)
    return highlight(source, lexer, _fence_formatter(f"language-{name} highlight")).rstrip("\n")


def accept_fence_options(*args: object, **kwargs: object) -> bool:
    """Fence options such as hl_lines are accepted (and not used)."""
    return True


EXTENSIONS = [
    "deckbuild.markdown.gfm",  # GitHub's block structure: lists, tables, quotes, headings
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.arithmatex",
    "pymdownx.tilde",
]
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    # Every fence goes through _highlight_fence: the same markup as pymdownx.highlight's,
    # with one lexer and one formatter per language instead of new ones per block.
    "pymdownx.superfences": {
        "custom_fences": [{"name": "*", "class": "highlight", "format": highlight_fence,
                           "validator": accept_fence_options}],
        # A fence with any info string is code, as on GitHub (`tut:silent`, `scala tut:silent`):
        # the language is its first word, read by superfences; one it cannot read is plain text.
        "relaxed_headers": True,
    },
    "pymdownx.highlight": {
        "use_pygments": True,
        "noclasses": False,
        "css_class": "highlight",
        "guess_lang": False,
        "pygments_lang_class": True,
    },
    # `$` and `$$` are read by the math grammar (mathspans.py); arithmatex keeps the rest.
    "pymdownx.arithmatex": {"generic": True, "inline_syntax": ["round"],
                            "block_syntax": ["square", "begin"]},
    "pymdownx.tilde": {"subscript": False},
}
# A fence's language: the first word of its info string (`{.python}`: python).
_FENCE_INFO = re.compile(r"\s*\{?\s*\.?([^\s{}]+)")
# Text Markdown would pass through unchanged: no markup characters, no block syntax.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,;:?'\"()/.%=+-]*")
_HIGHLIGHTED = re.compile(r'<div class="[^"]*highlight"><pre>.*?</pre></div>', re.DOTALL)
_REMOTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class MediaIndex:
    """Resolves image references to packaged names; `names` maps absolute path -> name."""

    root: Path
    media_dir: Path
    names: dict[str, str]

    def resolve(self, src: str, card_path: str) -> tuple[str | None, str | None]:
        """(packaged name, None) or (None, why not)."""
        if _REMOTE.match(src) or src.startswith("//"):
            return None, f"remote image {src!r}: put the file in media/ (cards work offline)"
        if src.startswith("/") or re.match(r"^[a-zA-Z]:[\\/]", src):
            return None, f"absolute image path {src!r}: use a path relative to the card file"
        target = ((self.root / card_path).parent / src).resolve()
        try:
            target.relative_to(self.media_dir.resolve())
        except ValueError:
            return None, f"image {src!r} is outside media/"
        name = self.names.get(str(target))
        if name is None:
            return None, f"image {src!r} not found in media/{self._case_hint(target)}"
        return name, None

    def _case_hint(self, target: Path) -> str:
        """Names are case-sensitive on phones and Linux: point at a file that differs only by case."""
        wanted = str(target).lower()
        for path in sorted(self.names):
            if path.lower() == wanted:
                shown = display_path(Path(path), self.root)
                return f" (there is {shown}: names differ only by case, which breaks on phones)"
        return ""


class _ImageRewriter(Treeprocessor):
    """Points <img src> at the packaged media name and records what it found."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.media: MediaIndex | None = None
        self.card_path = ""
        self.used: list[str] = []
        self.errors: list[tuple[str, str]] = []  # (src, message)

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            # A raw newline inside math breaks it on some Anki clients; to TeX it is a space.
            if "arithmatex" in element.get("class", "") and element.text and "\n" in element.text:
                element.text = type(element.text)(element.text.replace("\n", " "))
        for img in root.iter("img"):
            src = img.get("src", "")
            if self.media is None:
                self.errors.append((src, "images need a media/ folder"))
                continue
            name, why = self.media.resolve(src, self.card_path)
            if name is None:
                self.errors.append((src, why or "bad image"))
            else:
                img.set("src", name)
                self.used.append(name)


class Renderer:
    """One reused Markdown instance; render() is called once per card."""

    def __init__(self, media: MediaIndex | None = None) -> None:
        self._md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        # The same inline processing, without the pattern searches that cannot match.
        self._md.treeprocessors.register(TriggeredInlineProcessor(self._md), "inline", 20)
        # After code spans (190), before backslash escapes (180): TeX keeps its backslashes.
        self._md.inlinePatterns.register(DollarMathProcessor(self._md), "deckbuild-math", 189.95)
        self._md.inlinePatterns.register(BracketMathProcessor(self._md), "deckbuild-bracket-math",
                                         189.94)
        # Math in raw HTML blocks, before they are put back (raw_html runs at 30).
        self._md.postprocessors.register(RawHtmlMath(self._md), "deckbuild-html-math", 35)
        self._images = _ImageRewriter(self._md)
        self._md.treeprocessors.register(self._images, "deckbuild-images", 0)
        # After the inline patterns (20), before escaped characters come back (0).
        self._cloze = ClozeTreeprocessor(self._md)
        self._md.treeprocessors.register(self._cloze, "deckbuild-cloze", 15)
        self._images.media = media

    def to_html(self, text: str, card_path: str = "") -> str:
        """Markdown -> HTML (one block of fields' worth)."""
        self._md.reset()
        self._images.card_path = card_path
        html = self._md.convert(text)
        return _raw_images(html, self._images, card_path) if _IMG_TAG.search(text) else html

    def inline_html(self, text: str, card_path: str = "") -> str:
        """Markdown of one line -> HTML without the wrapping paragraph."""
        if _PLAIN.fullmatch(text) and "  " not in text and text == text.strip():
            return text  # what Markdown would return, without the cost of running it
        html = self.to_html(text, card_path)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return html

    def render(self, card: Card, guid: str, deck: str, tags: tuple[str, ...],
               field_names: tuple[str, ...]) -> tuple[RenderedNote, list[Problem]]:
        """Render one card to its note; problems carry the card's file and line.

        `field_names` gives, for each field, the card part it holds by its default field
        name (Question, Answer, Extra, Source or Id; see fieldmap.py). A card of another
        built-in type fills that type's fields, after the type's own reading of it."""
        self._images.used, self._images.errors = [], []
        if card.layout:
            return self._render_own(card, guid, deck, tags)
        builtin = REGISTRY.get(card.notetype)
        own: dict[str, str] = {}
        type_problems: list[Problem] = []
        if builtin is not None and card.notetype != "basic":
            field_names = builtin.parts
            if builtin.split is not None:
                card, own, type_problems = builtin.split(card)
        cloze = builtin is not None and builtin.kind == "cloze"
        self._cloze.active = cloze
        try:
            answer = self.to_html(card.answer, card.path)
        finally:
            self._cloze.active = False
        if cloze:
            type_problems += [Problem(card.path, _line_of(card, needle) if needle else card.line,
                                      message) for needle, message in self._cloze.scan.problems]
        raw = {
            "Question": self.inline_html(card.question, card.path)
            + (f'<div class="tl-front">{self.to_html(card.front, card.path)}</div>'
               if card.front else ""),
            "Answer": answer,
            "Extra": self.to_html(card.extra, card.path) if card.extra else "",
            "Source": self.inline_html(card.source, card.path) if card.source else "",
        }
        problems = type_problems + _code_language_warnings(card) + math_problems(card)
        values = {**raw, **own}
        sources = {"Question": card.question + ("\n" + card.front if card.front else ""),
                   "Answer": card.answer,
                   "Extra": card.extra,
                   "Source": card.source}
        values.update(_sanitized(card, sources, raw, problems))
        values["Id"] = card.id or ""
        for src, message in self._images.errors:
            problems.append(Problem(card.path, _line_of(card, src), message))
        note = RenderedNote(
            card_id=card.id or "",
            guid=guid,
            fields=tuple(values.get(name, "") for name in field_names),
            tags=tags,
            deck=deck,
            media=tuple(sorted(set(self._images.used))),
            path=card.path,
            line=card.line,
            notetype=card.notetype,
        )
        return note, problems


    def block_html(self, text: str, card_path: str = "") -> str:
        """Markdown of a whole field -> HTML; one paragraph alone is unwrapped, as Anki's
        editor stores a line of text without a <p> around it."""
        html = self.to_html(text, card_path)
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return html

    def _render_own(self, card: Card, guid: str, deck: str,
                    tags: tuple[str, ...]) -> tuple[RenderedNote, list[Problem]]:
        """A card of one of the project's own note types: the heading fills its first field,
        the body its second, each '<!-- field: Name -->' the field it names."""
        layout = card.layout
        problems: list[Problem] = []
        sources = {layout[0]: card.question}
        if len(layout) > 1:
            sources[layout[1]] = card.answer
        elif card.answer.strip():
            problems.append(Problem(card.path, card.answer_line, f"note type {card.notetype!r} "
                                    "has one field, the heading: this text is in no field"))
        for name, text, line in card.named:
            if name not in layout:
                problems.append(Problem(card.path, line, f"note type {card.notetype!r} has no "
                                        f"field {name!r} (its fields: {', '.join(layout)}); "
                                        "this text is in no field"))
            elif name in layout[:2]:
                problems.append(Problem(card.path, line, f"field {name!r} is the card's "
                                        f"{'heading' if name == layout[0] else 'body'}: write "
                                        "it there; this text is in no field"))
            else:
                sources[name] = text
        self._cloze.active = card.cloze
        raw: dict[str, str] = {}
        found: list[tuple[str, str]] = []  # each field's cloze problems
        try:
            for name, text in sources.items():
                self._cloze.scan = ClozeScan()
                if not text:
                    raw[name] = ""
                elif name == layout[0]:
                    raw[name] = self.inline_html(text, card.path)
                else:
                    raw[name] = self.block_html(text, card.path)
                found += [(needle, message) for needle, message in self._cloze.scan.problems
                          if message != NO_DELETION]
        finally:
            self._cloze.active = False
        if card.cloze:
            # The deletions may be in any field, and in HTML Markdown passes through.
            if not any(cloze_numbers(value) for value in raw.values()):
                found.append(("", NO_DELETION))
            problems += [Problem(card.path, _line_of(card, needle) if needle else card.line,
                                 message) for needle, message in found]
        problems += _code_language_warnings(card) + math_problems(card)
        raw.update(_sanitized(card, sources, raw, problems))
        for src, message in self._images.errors:
            if _collection_file(src):
                # An adopted deck's image its package did not hold: its users' collections
                # have the file by this name, so the field keeps it as it is.
                problems.append(Problem(card.path, _line_of(card, src), f"image {src!r} is "
                                        "not in media/: kept by name, for the collections "
                                        "that have it (new users see no picture)", "warning"))
            else:
                problems.append(Problem(card.path, _line_of(card, src), message))
        note = RenderedNote(
            card_id=card.id or "", guid=guid,
            fields=tuple(raw.get(name, "") for name in layout),
            tags=tags, deck=deck, media=tuple(sorted(set(self._images.used))),
            path=card.path, line=card.line, notetype=card.notetype)
        return note, problems


_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)
# An <img>'s src, quoted or not (HTML allows `<img src=a.png>`).
_RAW_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc\s*=\s*)(?:(["\'])(.*?)\2|([^"\'\s>]+))',
                          re.IGNORECASE | re.DOTALL)


def _sanitized(card: Card, sources: dict[str, str], raw: dict[str, str],
               problems: list[Problem]) -> dict[str, str]:
    """The fields whose source may hold unsafe HTML, sanitised; a warning names what went.

    Decided on the source text: a line that looks like a fence to us may not be one to
    Markdown (e.g. ```<img ...>), and then what follows it is HTML, not code."""
    unsafe = [name for name, text in sources.items() if may_be_unsafe(text)]
    removed = sorted({part for name in unsafe
                      for part in removed_parts(_HIGHLIGHTED.sub("", raw[name]))})
    if removed:
        problems.append(Problem(card.path, card.line, "unsafe HTML removed: "
                                + ", ".join(removed), "warning"))
    return {name: sanitize(raw[name]) for name in unsafe}


def _collection_file(src: str) -> bool:
    """A bare media name as Anki's fields hold them (no folder, no scheme): a file of the
    user's collection."""
    return bool(src) and "/" not in src and "\\" not in src and ":" not in src


def _raw_images(html: str, images: _ImageRewriter, card_path: str) -> str:
    """Raw HTML <img> follows the rules of Markdown images: a file in media/ gets its
    packaged name (its sizing attributes stay; the sanitiser keeps only safe ones), and
    a remote, absolute, missing or outside image is an error at its own line."""
    media = images.media
    packaged = set(media.names.values()) if media is not None else set()
    reported = {src for src, _ in images.errors}

    def swap(m: re.Match[str]) -> str:
        quote, written = m.group(2) or "", m.group(3) if m.group(2) else m.group(4)
        src = unescape(written)
        if src in packaged or src in reported or src.startswith("data:"):
            return m.group(0)  # a Markdown image, done already; or an inline picture
        if media is None:
            images.errors.append((src, "images need a media/ folder"))
            return m.group(0)
        name, why = media.resolve(src, card_path)
        if name is None:
            images.errors.append((src, why or "bad image"))
            reported.add(src)
            return m.group(0)
        images.used.append(name)
        return f"{m.group(1)}{quote}{name}{quote}"

    return _RAW_IMG_SRC.sub(swap, html)


def _line_of(card: Card, needle: str) -> int:
    """Best line for a problem about `needle`: the line of the card that holds it (body,
    then extra text, then the heading), else the card's heading."""
    if not needle:
        return card.line
    parts = [(card.answer, card.answer_line), (card.extra, card.extra_line)]
    for text, first in parts:
        for offset, line in enumerate(text.split("\n")):
            if first and (needle in line or needle in unescape(line)):
                return first + offset
    return card.line


def _code_language_warnings(card: Card) -> list[Problem]:
    if "```" not in card.answer and "~~~" not in card.answer:
        return []  # no line can open a fence
    problems = []
    for offset, info in fence_openings(card.answer.split("\n")):
        m = _FENCE_INFO.match(info)
        if m and not known_language(m.group(1)):
            problems.append(Problem(card.path, card.answer_line + offset,
                                    f"unknown code language {m.group(1)!r}; shown as plain text",
                                    "warning"))
    return problems


# Names that ask for no highlighting (GitHub and highlight.js read them so): plain text,
# as intended, so no warning.
PLAIN_TEXT_NAMES = frozenset({"plaintext", "plain", "txt", "nohighlight", "none"})


@functools.lru_cache(maxsize=256)
def known_language(name: str) -> bool:
    if name.lower() in PLAIN_TEXT_NAMES:
        return True
    try:
        get_lexer_by_name(name)
    except ClassNotFound:
        return False
    return True


def code_css(light: str, dark: str) -> str:
    """Pygments rules for the day style, and the night style under Anki's night classes."""
    day = HtmlFormatter(style=light).get_style_defs(".highlight")
    night = HtmlFormatter(style=dark).get_style_defs(
        [".nightMode .highlight", ".night_mode .highlight"])
    return (f"/* code, day: pygments {light} */\n{day}\n"
            f"/* code, night: pygments {dark} */\n{night}\n")
