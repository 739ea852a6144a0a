"""An Anki package's content -> the files of a deckbuild project (pure: no file is written).

Every note becomes a card of the project's own note type made from its Anki note type
(ids, fields, templates and CSS kept), in the card file of its deck, with its GUID. Each
field is converted to Markdown, then rendered back exactly as a build would and compared
with the original (fidelity.py); a field whose Markdown does not come back the same is
kept as HTML, and what still differs is listed with its note, never dropped silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...errors import DeckError, Problem
from ...markdown.render import MediaIndex, Renderer
from ...markdown.sanitize import removed_parts, sanitize
from ...notetypes import BASIC, REGISTRY
from ...project.config import default_slug
from ...project.sources import media_name
from ...source.ids import encode_guid, random_id, random_namespace, slugify, unique_slug
from ...source.parse import TAG_RE, parse_source
from .fidelity import normal_form
from .html2md import MediaPath, as_html, to_markdown
from .read import AnkiNote, AnkiNoteType, AnkiPackage

_SRC = re.compile(r"""<img\b[^>]*?\bsrc=(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
_TAGS = re.compile(r"<[^>]*>")
CARDS = "cards"
MEDIA = "media"


@dataclass(frozen=True)
class Listed:
    """Something of a note that does not convert faithfully, and where its card is."""

    path: str
    line: int
    guid: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: note {self.guid}: {self.what}"


@dataclass(frozen=True)
class TypePlan:
    key: str
    source: AnkiNoteType
    files: dict[str, str]  # templates/<key>/<name> -> text
    template_files: tuple[tuple[str, str, str], ...]  # (name, front file, back file)


@dataclass
class ProjectPlan:
    """What `import DECK.apkg` writes: text files, media to copy, and what it lists."""

    name: str
    deck_id: int
    notetype_id: int
    namespace: str
    description: str = ""  # the root deck's, as Anki shows it above the deck
    texts: dict[str, str] = field(default_factory=dict)  # relative path -> text
    media: dict[str, str] = field(default_factory=dict)  # media/<name> -> file to copy
    listed: list[Listed] = field(default_factory=list)
    notes: int = 0
    markdown_fields: int = 0
    html_fields: int = 0
    differing_notes: int = 0


def root_deck(notes: tuple[AnkiNote, ...], path: str) -> str:
    """The deck every note is in or under; several top-level decks are refused."""
    tops = sorted({note.deck.split("::")[0] for note in notes})
    if len(tops) != 1:
        raise DeckError(Problem(path, 0, "the package's notes are in several top-level decks ("
                                + ", ".join(tops) + "): export one deck (with its subdecks) "
                                "per package and import each as its own project"))
    return tops[0]


def _type_key(nt: AnkiNoteType, taken: set[str]) -> str:
    base = slugify(nt.name, 40)
    if base in REGISTRY or base == "card":
        base = f"anki-{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def _type_plan(nt: AnkiNoteType, key: str) -> TypePlan:
    files: dict[str, str] = {f"templates/{key}/style.css": nt.css}
    names: list[tuple[str, str, str]] = []
    used: set[str] = set()
    for t in nt.templates:
        stem = unique_slug(t.name, used)
        used.add(stem)
        front, back = f"{stem}-front.html", f"{stem}-back.html"
        files[f"templates/{key}/{front}"] = t.front
        files[f"templates/{key}/{back}"] = t.back
        names.append((t.name, front, back))
    return TypePlan(key, nt, files, tuple(names))


def _toml(value: object) -> str:
    """A TOML value (JSON's strings, numbers, arrays and booleans are TOML's too)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def pyproject_text(plan: ProjectPlan, types: list[TypePlan], source: str) -> str:
    lines = [
        f"# Imported from {Path(source).name} by `deckbuild import`: the ids below are the",
        "# deck's own (its users' notes and note types), recorded in deck.lock.json.",
        "[tool.deckbuild]",
        f"name = {_toml(plan.name)}",
        f"slug = {_toml(default_slug(plan.name) or 'deck')}",
        'version = "1.0.0"',
        f"deck_id = {plan.deck_id}",
        *([f"description = {_toml(plan.description)}"] if plan.description else []),
        f"guid_namespace = {_toml(plan.namespace)}",
        "# Kept as the deck has them: question numbers, and no tag from a card file's section.",
        "question_numbers = true",
        "section_tags = false",
        "",
        "# deckbuild's own note type, for cards written without a type.",
        "[tool.deckbuild.notetype]",
        f"id = {plan.notetype_id}",
        "",
    ]
    for t in types:
        nt = t.source
        lines += [
            f"# {nt.name}: its cards say '<!-- type: {t.key} -->'; its files are in "
            f"templates/{t.key}/.",
            "[[tool.deckbuild.notetypes]]",
            f"key = {_toml(t.key)}",
            f"id = {nt.id}",
            f"name = {_toml(nt.name)}",
            f"kind = {_toml(nt.kind)}",
            f"fields = {_toml(list(nt.fields))}",
            f"sort_field = {_toml(nt.fields[nt.sort_field])}",
            'css = "style.css"',
            "templates = [",
            *(f"  {_toml({'name': n, 'front': f, 'back': b})}," for n, f, b in t.template_files),
            "]",
            *([f"stock = {nt.stock}"] if nt.stock else []),
            "",
        ]
    return "\n".join(lines)


class MediaMap:
    """The images a card may show, as the project holds them (or will once written).

    `files` maps a name as fields write it to (path in the project, file with its bytes):
    an imported package's `x.png` is media/x.png; for `pull`, a packaged name such as
    `x-1a2b3c4d.png` is the project's media/x.png. Images compare by content."""

    def __init__(self, root: Path, files: dict[str, tuple[str, str]]) -> None:
        self.root = root.resolve()
        self.files = files
        self.digest = {src: hashlib.sha1(Path(data).read_bytes()).hexdigest()
                       for src, (_, data) in files.items()}
        packaged = {src: media_name(Path(relative), self.digest[src])
                    for src, (relative, _) in files.items()}
        self.index = MediaIndex(self.root, self.root / MEDIA, {
            str((self.root / relative).resolve()): packaged[src]
            for src, (relative, _) in files.items()})
        # A packaged name -> the content it stands for.
        self.by_packaged = {packaged[src]: self.digest[src] for src in files}
        self.used: set[str] = set()

    def path_from(self, card_path: str) -> MediaPath:
        """The relative path of an image from this card file (None: no such file)."""
        folder = (self.root / card_path).parent

        def path(src: str) -> str | None:
            if src not in self.files:
                return None
            self.used.add(src)
            target = self.root / self.files[src][0]
            return Path(os.path.relpath(target, folder)).as_posix()

        return path


def package_media(package: AnkiPackage, root: Path) -> MediaMap:
    folder = Path(package.media_dir)
    return MediaMap(root, {name: (f"{MEDIA}/{name}", str(folder / name))
                           for name in package.media})


@dataclass(frozen=True)
class Shape:
    """What a card is written for: its type's key, fields, kind and sort field."""

    key: str
    fields: tuple[str, ...]
    kind: str
    sort_field: int


@dataclass
class Written:
    """One note's card text, and what of it is not faithful."""

    text: str
    listed: list[str]
    differ: dict[int, str]  # field index -> how it differs after a build
    markdown: int = 0  # fields written as Markdown
    html: int = 0  # fields kept as HTML


@dataclass(frozen=True)
class CardForm:
    """How a note's fields are written as a card, and read back as a build would.

    `assemble` makes the card's text from each field's Markdown (fields in `fixed` are not
    written: "" is passed); `read` renders that text to the fields a build gives the note,
    or says why it cannot (an error found in it)."""

    names: tuple[str, ...]
    inline: frozenset[int]  # fields written on one line (a heading, a comment)
    fixed: frozenset[int]
    assemble: Callable[[list[str]], str]
    read: Callable[[str], tuple[tuple[str, ...], list[Problem]]]


def carried_tags(tags: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(the tags a card can hold, what is listed for each one it cannot)."""
    good = [tag for tag in tags if TAG_RE.match(tag)]
    listed = [f"tag {tag!r} not carried: card tags allow letters, digits and - _ : . + / & "
              "(a build replaces the note's tags, so users lose it)"
              for tag in tags if not TAG_RE.match(tag)]
    return good, listed


def own_form(shape: Shape, guid: str, stated: bool, card_id: str, tags: list[str], path: str,
             renderer: Renderer) -> CardForm:
    """A card of one of the deck's own note types: heading, body, '<!-- field: -->'s."""

    def read(text: str) -> tuple[tuple[str, ...], list[Problem]]:
        source, problems = parse_source(text, path, [shape.key])
        if len(source.cards) != 1:
            return (), [Problem(path, 1, f"the card text reads as {len(source.cards)} cards")]
        card = replace(source.cards[0], layout=shape.fields, cloze=shape.kind == "cloze")
        rendered, found = renderer.render(card, guid, "", (), ())
        return rendered.fields, problems + found

    return CardForm(shape.fields, frozenset({0}), frozenset(),
                    lambda mds: _card_text(guid if stated else None, shape, card_id, tags, mds),
                    read)


def write_card(fields: tuple[str, ...], form: CardForm, path: str, media: MediaMap) -> Written:
    """The card text of a note, each field in the most readable form that a build turns
    back into the same field; what does not come back the same is listed."""
    to_media = media.path_from(path)
    choices = [_Forms("" if i in form.fixed else html, i in form.inline, to_media)
               for i, html in enumerate(fields)]
    chosen = [0] * len(choices)
    text, differ = "", {}
    for _ in range(4):
        text = form.assemble([c.get(k) for c, k in zip(choices, chosen, strict=True)])
        differ = _differences(text, fields, form, media)
        movable = [i for i in differ if choices[i].has_after(chosen[i])]
        if not movable:
            break
        for i in movable:
            chosen[i] = choices[i].last() if _errors_in(differ[i]) else chosen[i] + 1
    written = Written(text, [], differ)
    for i, html in enumerate(fields):
        if not html.strip() or i in form.fixed:
            continue
        if choices[i].is_html(chosen[i]):
            written.html += 1
            removed = removed_parts(html)
            written.listed.append(
                f"field {form.names[i]!r} kept as HTML (no Markdown comes back the same)"
                + (f", sanitised: {', '.join(removed)} removed" if removed else ""))
        else:
            written.markdown += 1
    for i, why in sorted(differ.items()):
        written.listed.append(f"field {form.names[i]!r} differs after a build: {why}")
    return written


def plan_project(package: AnkiPackage, root: Path) -> ProjectPlan:
    """The project for `package`, to be written at `root`."""
    if not package.notes:
        raise DeckError(Problem(package.path, 0, "the package holds no notes"))
    name = root_deck(package.notes, package.path)
    plan = ProjectPlan(name=name, deck_id=package.deck_ids.get(name) or random_id(),
                       notetype_id=random_id(), namespace=random_namespace(name),
                       description=package.descriptions.get(name, ""))
    taken: set[str] = set()
    types = {nt.id: _type_plan(nt, _type_key(nt, taken)) for nt in package.notetypes}
    for t in types.values():
        plan.texts.update(t.files)
    # deckbuild's own note type (for cards written without a type) reads templates/ too.
    for file in BASIC.files():
        plan.texts[f"templates/{file}"] = (BASIC.folder / file).read_text(encoding="utf-8")
    plan.texts["pyproject.toml"] = pyproject_text(plan, list(types.values()), package.path)
    media = package_media(package, root)
    renderer = Renderer(media.index)
    by_deck: dict[str, list[AnkiNote]] = {}
    for note in package.notes:
        by_deck.setdefault(note.deck, []).append(note)
    files_taken: set[str] = set()
    ids: set[str] = set()
    for deck in sorted(by_deck):
        section = deck[len(name) + 2:] if deck != name else ""
        stem = unique_slug(section.replace("::", " "), files_taken) if section else \
            unique_slug("deck", files_taken)
        files_taken.add(stem)
        path = f"{CARDS}/{stem}.md"
        parts = [f"# {section}\n"] if section else []
        line = parts[0].count("\n") + 2 if parts else 1
        for note in sorted(by_deck[deck], key=lambda n: n.id):
            t = types[note.notetype_id]
            text = _card(note, t, path, line, renderer, media, plan, ids)
            parts.append(text)
            line += text.count("\n") + 1
            plan.notes += 1
        plan.texts[path] = "\n".join(parts)
    for src in sorted(media.used):
        relative, data = media.files[src]
        plan.media[relative] = data
    _list_media(package, media, plan)
    return plan


def _list_media(package: AnkiPackage, media: MediaMap, plan: ProjectPlan) -> None:
    """Files the package holds that no card shows: sounds, and templates' own files."""
    sounds = {m.group(1) for note in package.notes for f in note.fields
              for m in _SOUND.finditer(f)}
    for name in sorted(set(media.files) - media.used):
        why = ("a sound: deckbuild packages images only, so the card keeps its [sound:] text "
               "but the file is not packaged" if name in sounds else
               "not shown by any card's field (a template's own file, such as a font, is not "
               "packaged by deckbuild)")
        plan.listed.append(Listed(f"{MEDIA}/{name}", 0, "-", f"media file not carried: {why}"))


def _card(note: AnkiNote, t: TypePlan, path: str, line: int, renderer: Renderer,
          media: MediaMap, plan: ProjectPlan, ids: set[str]) -> str:
    """The card of one imported note; what does not convert is listed with it."""
    nt = t.source
    card_id = unique_slug(_TAGS.sub(" ", note.fields[nt.sort_field]) or "card", ids)
    ids.add(card_id)
    shape = Shape(t.key, nt.fields, nt.kind, nt.sort_field)
    tags, listed = carried_tags(note.tags)
    form = own_form(shape, note.guid, True, card_id, tags, path, renderer)
    written = write_card(note.fields, form, path, media)
    listed += written.listed
    sources = {"".join(groups) for f in note.fields for groups in _SRC.findall(f)}
    missing = sorted(src for src in sources
                     if src not in media.files and "/" not in src and ":" not in src)
    listed += [f"image {src!r} not carried: the package does not hold the file; the card "
               "keeps its name, for the collections that have it" for src in missing]
    if len(note.decks) > 1:
        listed.insert(0, f"its cards are in several decks ({', '.join(note.decks)}): it goes "
                      f"to {note.deck!r}; Anki never moves users' existing cards")
    plan.markdown_fields += written.markdown
    plan.html_fields += written.html
    if written.differ:
        plan.differing_notes += 1
    plan.listed += [Listed(path, line, note.guid, what) for what in listed]
    return written.text


class _Forms:
    """A field's forms, most readable first, made only when asked for: its Markdown, its
    Markdown with every character Markdown could read escaped, and its HTML (the last)."""

    def __init__(self, html: str, inline: bool, media: MediaPath) -> None:
        self._html, self._inline, self._media = html, inline, media
        self._made: list[tuple[str, bool]] = []  # (form, whether it is the HTML)
        self._steps = 0
        if not html.strip():
            self._made, self._steps = [("", False)], 3

    def _next(self) -> bool:
        """Make the next form; False when there is none."""
        while self._steps < 3:
            step, self._steps = self._steps, self._steps + 1
            if step == 2:  # sanitised as a build would: the card holds what users get
                form = as_html(sanitize(self._html), self._media)
            else:
                form = to_markdown(self._html, self._media, escape_misc=step == 1)
                if self._inline:  # a heading or a comment: its line breaks stay <br>
                    form = form.replace("<br>\n", "<br>")
                    if "\n" in form:
                        continue
            if all(form != made for made, _ in self._made):
                self._made.append((form, step == 2))
                return True
        return False

    def get(self, index: int) -> str:
        while len(self._made) <= index and self._next():
            pass
        return self._made[min(index, len(self._made) - 1)][0]

    def has_after(self, index: int) -> bool:
        self.get(index + 1)
        return len(self._made) > index + 1

    def last(self) -> int:
        while self._next():
            pass
        return len(self._made) - 1

    def is_html(self, index: int) -> bool:
        self.get(index)
        return self._made[min(index, len(self._made) - 1)][1]


def _card_text(guid: str | None, shape: Shape, card_id: str, tags: list[str],
               fields: list[str]) -> str:
    lines = [f"## {fields[0]}".rstrip(), f"<!-- id: {card_id} -->",
             *([f"<!-- guid: {encode_guid(guid)} -->"] if guid is not None else []),
             f"<!-- type: {shape.key} -->"]
    if tags:
        lines.append(f"<!-- tags: {' '.join(tags)} -->")
    lines.append("")
    if len(fields) > 1 and fields[1]:
        lines += [fields[1], ""]
    for name, value in zip(shape.fields[2:], fields[2:], strict=True):
        if value:
            lines += [f"<!-- field: {name} -->", value, ""]
    return "\n".join(lines)


def _errors_in(why: str) -> bool:
    return why.startswith("error")


def _differences(text: str, fields: tuple[str, ...], form: CardForm,
                 media: MediaMap) -> dict[int, str]:
    """Field index -> how it differs once this card text is built (or what stops it)."""
    rendered, problems = form.read(text)
    errors = [p for p in problems if p.is_error]
    differ: dict[int, str] = {}
    for i, (old, new) in enumerate(zip(fields, rendered, strict=False)):
        if i in form.fixed:
            continue
        a = normal_form(old, media.digest)
        b = normal_form(new, media.by_packaged)
        if a != b:
            differ[i] = f"Anki has {_short(a)}, the build {_short(b)}"
    if errors:
        why = "error: " + "; ".join(p.message for p in errors)
        for i in range(len(fields)):
            if fields[i].strip() and i not in form.fixed:
                differ[i] = why
    return differ


def _short(text: str) -> str:
    text = text.replace("\n", "⏎")
    return repr(text if len(text) <= 80 else text[:77] + "...")
