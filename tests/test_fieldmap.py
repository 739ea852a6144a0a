"""Each field of the note type gets one part of the card: by its name, or by the map."""

from __future__ import annotations

from pathlib import Path

from support import make_project

from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.source.fieldmap import field_parts

SHIPPED = ("Question", "Answer", "Extra", "Source", "Id")


def test_default_fields_receive_the_part_of_their_name():
    assert field_parts(SHIPPED, {}) == (SHIPPED, [])
    assert field_parts(("question", "ANSWER"), {}) == (("Question", "Answer"), [])


def test_the_map_names_a_part_for_any_field():
    parts, problems = field_parts(("Front", "Back", "Notes"),
                                  {"Front": "question", "Back": "answer", "Notes": "extra"})
    assert (parts, problems) == (("Question", "Answer", "Extra"), [])


def test_a_map_that_is_not_a_table_is_an_error_and_fields_keep_their_names():
    parts, problems = field_parts(SHIPPED, ["Question"])
    assert parts == SHIPPED
    assert [p.message.split(" must")[0] for p in problems] == ["tool.deckbuild.notetype.map"]


def test_a_custom_note_type_fills_every_field_in_anki(tmp_path: Path, anki):
    project = make_project(tmp_path / "p", {"a.md": (
        "# S\n\n## What is *negative* transfer?\n<!-- id: negative -->\n\n"
        "When the source **hurts** the target.\n\n<!-- extra -->\nRosenstein et al.\n")})
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'fields = ["Question", "Answer", "Extra", "Source", "Id"]\nsort_field = "Question"',
        'fields = ["Front", "Back", "Notes"]\nsort_field = "Front"\n'
        'map = { Front = "question", Back = "answer", Notes = "extra" }'))
    (project / "templates" / "front.html").write_text("{{Front}}")
    (project / "templates" / "back.html").write_text(
        '{{FrontSide}}<hr id="answer">{{Back}}{{Notes}}')
    anki.import_package(Path(build(load_config(project), now=1_700_000_000).path))
    (nid,) = anki.col.find_notes("")
    note = anki.col.get_note(nid)
    assert note["Front"] == "What is <em>negative</em> transfer?"
    assert note["Back"] == "<p>When the source <strong>hurts</strong> the target.</p>"
    assert note["Notes"] == "<p>Rosenstein et al.</p>"
    assert "<strong>hurts</strong>" in note.cards()[0].answer()


def test_a_first_field_is_empty_when_it_shows_neither_text_nor_an_image():
    from deckbuild.records import RenderedNote
    from deckbuild.source.fieldmap import empty_first_fields

    def note(first: str, line: int) -> RenderedNote:
        return RenderedNote("x", "g", (first, "A"), (), "D", (), "cards/a.md", line)

    notes = [note("", 1), note("<p> </p>", 2), note("Q?", 3), note('<img src="a.png">', 4),
             note("<em>Q</em>", 5)]
    assert [p.line for p in empty_first_fields(notes, ("Front", "Back"), SHIPPED[:2])] == [1, 2]
    assert empty_first_fields(notes, ("Front", "Back"), ("", "Answer")) == []


def test_changing_the_map_updates_notes_without_a_schema_change(tmp_path: Path):
    from click.testing import CliRunner

    from deckbuild.cli import cli

    project = make_project(tmp_path / "p", mini=True)

    def run(*args: str):
        return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})

    assert run("build", "--timestamp", "1700000000").exit_code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'sort_field = "Question"', 'sort_field = "Question"\nmap = { Id = "source" }'))
    result = run("build", "--timestamp", "1700000100")
    assert result.exit_code == 0, result.output
    assert "(3 new or changed)" in result.output  # every Id field now holds the source
