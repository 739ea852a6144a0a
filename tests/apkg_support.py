"""Anki packages made with the official engine, as Anki's editor would have made them."""

from __future__ import annotations

import base64
from pathlib import Path

from click.testing import CliRunner

from deckbuild.cli import cli

ROOT = "Imported Deck"
# A 1x1 PNG: media only needs to be a file Anki takes.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                       "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
VOCAB_FIELDS = ("Word", "Meaning", "Example", "Notes", "Audio", "Picture", "Source")


def _custom_type(col):
    mm = col.models
    m = mm.new("Vocabulary (7 fields)")
    for name in VOCAB_FIELDS:
        mm.add_field(m, mm.new_field(name))
    recognition = mm.new_template("Recognition")
    recognition["qfmt"] = "{{Word}}<br>{{#Picture}}{{Picture}}{{/Picture}}"
    recognition["afmt"] = "{{FrontSide}}<hr id=answer>{{Meaning}}<div>{{Example}}</div>"
    production = mm.new_template("Production")
    production["qfmt"] = "{{Meaning}}"
    production["afmt"] = "{{FrontSide}}<hr id=answer>{{Word}}<br>{{Notes}}"
    mm.add_template(m, recognition)
    mm.add_template(m, production)
    m["css"] = ".card { font-family: serif; }"
    mm.add(m)
    return mm.by_name("Vocabulary (7 fields)")


def add(col, type_name: str, deck: str, fields: dict[str, str], tags=()):
    model = col.models.by_name(type_name)
    note = col.new_note(model)
    for name, value in fields.items():
        note[name] = value
    note.tags = list(tags)
    col.add_note(note, col.decks.id(deck))
    return note


def make_deck(folder: Path):
    """A collection holding every stock note type, a custom one, nested decks, media,
    hierarchical tags and the HTML Anki's editor writes. Returns the open collection."""
    from anki.collection import Collection

    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    image = folder / "diagram.png"
    image.write_bytes(PNG)
    name = col.media.add_file(str(image))
    assert name == "diagram.png"
    _custom_type(col)
    ch1, part = f"{ROOT}::Chapter 1", f"{ROOT}::Chapter 1::Part A"
    add(col, "Basic", ch1, {"Front": "<div>What is <b>2+2</b>?</div>",
                            "Back": "<div>4&nbsp;exactly</div><div>second line</div>"},
        ["math::arith", "easy"])
    add(col, "Basic", ch1, {"Front": "Euler's identity",
                            "Back": "\\(e^{i\\pi} + 1 = 0\\) and \\[\\int_0^1 x\\,dx\\]"})
    add(col, "Basic", part, {"Front": "A function in Python",
                             "Back": '<pre><code class="language-python">def f():\n'
                                     '    return 1</code></pre>'}, ["code::python"])
    add(col, "Basic", part, {"Front": "The diagram", "Back": 'See <img src="diagram.png">'})
    add(col, "Basic", ROOT, {"Front": '<span style="color: rgb(255, 0, 0);">red</span> word',
                             "Back": "a <i>styled</i> note"})
    add(col, "Basic (and reversed card)", ROOT, {"Front": "Hund", "Back": "dog"}, ["de"])
    add(col, "Basic (optional reversed card)", ROOT,
        {"Front": "Katze", "Back": "cat", "Add Reverse": "y"})
    add(col, "Basic (optional reversed card)", ROOT, {"Front": "Maus", "Back": "mouse"})
    add(col, "Basic (type in the answer)", ROOT, {"Front": "Capital of France?", "Back": "Paris"})
    add(col, "Cloze", ch1, {"Text": "The {{c1::mitochondria}} is the {{c2::powerhouse}} of "
                                    "the cell", "Back Extra": "<i>biology</i>"})
    add(col, "Image Occlusion", part, {
        "Occlusion": "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}",
        "Image": '<img src="diagram.png">', "Header": "Label the part"})
    add(col, "Vocabulary (7 fields)", ch1, {
        "Word": "la maison", "Meaning": "the house", "Example": "<div>Je suis à la "
        "<b>maison</b>.</div>", "Notes": "feminine", "Source": "textbook, p. 3"}, ["fr::a1"])
    add(col, "Vocabulary (7 fields)", ch1, {"Word": "le chat", "Meaning": "the cat",
                                            "Picture": '<img src="diagram.png">'})
    deck = col.decks.by_name(ROOT)
    deck["desc"] = "Made in <b>Anki</b>."
    col.decks.save(deck)
    return col


def export(col, path: Path, legacy: bool = False, root: str = ROOT) -> Path:
    """The root deck as Anki exports it: collection.anki21b, or the legacy collection.anki21."""
    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions

    options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False,
                                       with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options,
                            limit=DeckIdLimit(col.decks.id_for_name(root)))
    return path


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), obj={})
    return result


def import_apkg(package: Path, project: Path):
    result = run("--project", str(project), "import", str(package))
    assert result.exit_code == 0, result.output
    return result.output


def build(project: Path, timestamp: int) -> Path:
    result = run("--project", str(project), "build", "--timestamp", str(timestamp))
    assert result.exit_code == 0, result.output
    (package,) = (project / "dist").glob("*.apkg")
    return package
