"""The preview page: every card, front and back, in one offline page an author opens in a browser.

dist/preview/ holds index.html (the note types' CSS, every card of every note (both
directions of a reversed note, each deletion of a cloze note), section, tag and type
filters, a day/night switch and a phone-width switch), the media the cards use, and a
local copy of MathJax 3 configured as Anki configures it, so the page works from file://.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeckError
from ..markdown.mathjax import (  # noqa: F401 - the preview's MathJax, importable from here
    MATHJAX_BUNDLE,
    MATHJAX_CONFIG,
    MATHJAX_FONTS,
    MathJaxPlace,
    find_mathjax,
    has_mathjax,
    mathjax_config,
    mathjax_places,
)
from ..package.writer import card_ordinals
from ..pipeline import check
from ..project.config import Config
from ..records import NoteType, RenderedNote

PHONE_WIDTH = 360
# The page is offline: images come from its own folder (or the page's own server), never
# from the network, even when a card names a remote image (which check reports).
OFFLINE_IMAGES = "img-src 'self' file: data: blob:"

PAGE_CSS = """
body.pv { margin: 0; font-family: system-ui, sans-serif; background: #f3f3f3; color: #1a1a1a; }
body.pv.nightMode { background: #111111; color: #e0e0e0; }
.pv-bar { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 0.4em 1.2em;
  align-items: center; padding: 0.6em 1em; background: #dcdcdc; font-size: 15px; }
.nightMode .pv-bar { background: #2a2a2a; }
.pv-card { margin: 1.2em 1em; }
.pv-label { font-size: 13px; font-weight: normal; margin: 0 0 0.3em; opacity: 0.8; }
.pv-faces { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.pv-face { flex: 1 1 24em; min-width: 0; }
.pv-side { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; opacity: 0.7; }
.pv-screen { box-sizing: border-box; padding: 8px; overflow-x: auto;
  border: 1px solid #bbbbbb; border-radius: 6px; }
.pv-phone .pv-face { flex: 0 0 auto; }
.pv-phone .pv-screen { width: PHONEpx; }
.pv-screen.pv-overflow { outline: 3px solid #d00000; }
/* On a phone the bar is two short rows: the title (cut to one line) with the count, then
   the filters and the night switch without their label words (each select names what it
   holds). The phone-width switch is moot on a phone, so it is not shown there. */
@media (max-width: 480px) {
  .pv-bar { gap: 0.25em 0.5em; padding: 0.3em 0.5em; font-size: 13px; }
  .pv-bar strong { order: -2; flex: 1 1 50%; min-width: 0; white-space: nowrap;
    overflow: hidden; text-overflow: ellipsis; }
  #pv-count { order: -1; white-space: nowrap; }
  .pv-word { display: none; }
  .pv-bar select { max-width: 6.8em; font-size: 12px; }
  .pv-bar input { margin: 0 0.2em 0 0; }
  .pv-bar .pv-wide { display: none; }
}
""".replace("PHONE", str(PHONE_WIDTH))

PAGE_JS = """
(function () {
  var body = document.body, cards = Array.from(document.querySelectorAll(".pv-card"));
  var section = document.getElementById("pv-section"), tag = document.getElementById("pv-tag");
  var kind = document.getElementById("pv-type");
  var night = document.getElementById("pv-night"), phone = document.getElementById("pv-phone");
  var count = document.getElementById("pv-count");
  function markOverflow() {
    document.querySelectorAll(".pv-screen").forEach(function (s) {
      var extra = s.scrollWidth - s.clientWidth;
      s.classList.toggle("pv-overflow", extra > 0);
      s.title = extra > 0 ? "wider than the screen by " + extra + " px" : "";
    });
  }
  function filter() {
    var shown = 0;
    cards.forEach(function (c) {
      var ok = (!section.value || c.dataset.section === section.value) &&
               (!tag.value || c.dataset.tags.split(" ").indexOf(tag.value) >= 0) &&
               (!kind.value || c.dataset.type === kind.value);
      c.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + " of " + cards.length + " cards";
  }
  function mode() {
    body.classList.toggle("nightMode", night.checked);
    body.classList.toggle("night_mode", night.checked);
    body.classList.toggle("pv-phone", phone.checked);
    markOverflow();
  }
  section.onchange = tag.onchange = kind.onchange = filter;
  night.onchange = phone.onchange = mode;
  filter();
  mode();
  window.pvReady = MathJax.startup.promise.then(markOverflow);
})();
"""


@dataclass(frozen=True)
class PreviewReport:
    path: str  # the page, index.html
    cards: int
    warnings: tuple[str, ...]


def write_preview(config: Config, places: list[MathJaxPlace] | None = None,
                  mathjax: Path | None = None) -> PreviewReport:
    """Check the deck, then replace dist/preview/ with a fresh offline preview page.

    MathJax comes from the first of `places` that has it (default: `mathjax`, else the
    project's node_modules)."""
    source = find_mathjax(config, places if places is not None
                          else mathjax_places(config, mathjax, None, None))
    checked = check(config)
    if checked.errors:
        raise DeckError(checked.errors)
    page = preview_html(config, checked.notetype, checked.notes, checked.others)
    config.dist_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".preview-", dir=config.dist_dir))
    old = staging.with_name(staging.name + "-old")
    staging.chmod(0o755)  # mkdtemp makes it private; the page is meant to be opened or served
    try:
        (staging / "index.html").write_text(page, encoding="utf-8")
        # The bundle finds its fonts relative to itself: mathjax/output/chtml/fonts/woff-v2.
        shutil.copytree(source / MATHJAX_FONTS, staging / "mathjax" / Path(MATHJAX_FONTS).relative_to("es5"))
        shutil.copy2(source / MATHJAX_BUNDLE, staging / "mathjax" / Path(MATHJAX_BUNDLE).name)
        for media in checked.media:
            shutil.copy2(media.data_path, staging / media.name)
        target = config.dist_dir / "preview"
        # Moved aside whole, never deleted in place: a killed run leaves the old page or
        # the new one (or, between the two renames, none), never part of one.
        if target.exists():
            target.rename(old)
        staging.rename(target)
    finally:
        for folder in (staging, old):
            if folder.exists():
                shutil.rmtree(folder)
    return PreviewReport(str(target / "index.html"), len(checked.notes),
                         tuple(str(w) for w in checked.warnings))


def preview_html(config: Config, notetype: NoteType, notes: tuple[RenderedNote, ...],
                 others: dict[str, NoteType] | None = None) -> str:
    """The whole page as one string; the cards' HTML is used exactly as rendered."""
    title = html.escape(f"{config.name} {config.version} – preview")
    sections = sorted({_subdeck(n.deck) for n in notes})
    tags = sorted({t for n in notes for t in n.tags})
    types = {"basic": notetype, **(others or {})}
    used = [name for name in types if any(n.notetype == name for n in notes)]
    cards = "\n".join(_card_html(types[note.notetype], note) for note in notes)
    # The other types' CSS is basic's plus rules of their own: those are added once each.
    css = notetype.css + "".join(types[name].css.removeprefix(notetype.css.rstrip())
                                 for name in used if name != "basic")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{OFFLINE_IMAGES}">
<title>{title}</title>
<style>
{css}
</style>
<style>{PAGE_CSS}</style>
<script>
{MATHJAX_CONFIG}
</script>
<script src="mathjax/tex-chtml-full.js"></script>
</head>
<body class="pv">
<header class="pv-bar">
<strong>{title}</strong>
<label><span class="pv-word">Section </span>{_select("pv-section", sections, "sections")}</label>
<label><span class="pv-word">Tag </span>{_select("pv-tag", tags, "tags")}</label>
<label><span class="pv-word">Type </span>{_select("pv-type", used, "types")}</label>
<label><input type="checkbox" id="pv-night"> Night</label>
<label class="pv-wide"><input type="checkbox" id="pv-phone">Phone width ({PHONE_WIDTH} px)</label>
<span id="pv-count"></span>
</header>
<main id="pv-cards">
{cards}
</main>
<script>{PAGE_JS}</script>
</body>
</html>
"""


def _select(element_id: str, values: list[str], what: str) -> str:
    options = "".join(f'<option value="{html.escape(v)}">{html.escape(v)}</option>' for v in values)
    return (f'<select id="{element_id}" aria-label="{what}"><option value="">All {what}</option>'
            f'{options}</select>')


def _card_html(notetype: NoteType, note: RenderedNote) -> str:
    values = _template_values(notetype, note)
    faces = []
    for ordinal in card_ordinals(note, notetype):
        template = notetype.templates[0 if notetype.kind == "cloze" else ordinal]
        card = (f"c{ordinal + 1} " if notetype.kind == "cloze" else
                f"{template.name} " if len(notetype.templates) > 1 else "")
        front = fill_template(template.front, values, ordinal)
        back = fill_template(template.back, {**values, "FrontSide": front}, ordinal, back=True)
        faces += [(f"{card}Front", front), (f"{card}Back", back)]
    screens = "\n".join(
        f'<div class="pv-face"><div class="pv-side">{side}</div>'
        f'<div class="card pv-screen">{face}</div></div>' for side, face in faces)
    label = html.escape(f"{_subdeck(note.deck)} · {note.card_id} · {note.path}:{note.line}")
    return (f'<article class="pv-card" id="card-{html.escape(note.card_id)}" '
            f'data-section="{html.escape(_subdeck(note.deck))}" '
            f'data-tags="{html.escape(" ".join(note.tags))}" '
            f'data-type="{html.escape(note.notetype)}">\n'
            f'<h2 class="pv-label">{label}</h2>\n<div class="pv-faces">\n{screens}\n</div>\n</article>')


def _template_values(notetype: NoteType, note: RenderedNote) -> dict[str, str]:
    values = dict(zip(notetype.fields, note.fields, strict=True))
    values.update(Deck=note.deck, Subdeck=_subdeck(note.deck), Tags=" ".join(note.tags),
                  Type=notetype.name)
    return values


def _subdeck(deck: str) -> str:
    return deck.rsplit("::", 1)[-1]


_CONDITIONAL = re.compile(r"\{\{([#^])\s*([^}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.S)
_REPLACEMENT = re.compile(r"\{\{\s*([^#^/{}][^{}]*?)\s*\}\}")


def fill_template(template: str, values: dict[str, str], ordinal: int = 0,
                  back: bool = False) -> str:
    """Anki's card template language, as much as a preview needs: fields, {{#F}}/{{^F}},
    {{cloze:F}} for the card of deletion `ordinal` + 1, and {{type:F}}'s answer box."""

    def conditional(m: re.Match[str]) -> str:
        present = bool(values.get(m.group(2), "").strip())
        keep = present if m.group(1) == "#" else not present
        return fill_template(m.group(3), values, ordinal, back) if keep else ""

    def replacement(m: re.Match[str]) -> str:
        *filters, name = (part.strip() for part in m.group(1).split(":"))
        value = values.get(name, "")
        if "cloze" in filters:
            return cloze_side(value, ordinal + 1, back)
        if "type" in filters:
            return (f'<div id="typeans">{value}</div>' if back else
                    '<input type="text" id="typeans" placeholder="type the answer">')
        return value

    text = _CONDITIONAL.sub(conditional, template)
    return _REPLACEMENT.sub(replacement, text)


_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.S)


def cloze_side(text: str, number: int, back: bool) -> str:
    """A cloze field as Anki shows the card of deletion `number`: hidden (as [...] or its
    hint) on the front, marked on the back; the other deletions show their text."""

    def deletion(m: re.Match[str]) -> str:
        if int(m.group(1)) != number:
            return m.group(2)
        shown = m.group(2) if back else f"[{m.group(3) or '...'}]"
        return f'<span class="cloze">{shown}</span>'

    return _DELETION.sub(deletion, text)

