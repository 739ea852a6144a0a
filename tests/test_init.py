"""`deckbuild init`: a project of its own that builds, and imports into Anki, as it is."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner
from support import snapshot, without_docs

from deckbuild.cli import cli
from deckbuild.notetypes import BASIC
from deckbuild.project.config import DECK_KEYS, NOTETYPE_KEYS, load_config, tomllib
from deckbuild.project.scaffold import Identity, pyproject_text

ALL_FILES = ["pyproject.toml", "README.md", ".gitignore", "cards/01-getting-started.md",
             "media/learning-curve.png"]
TEMPLATES = ["templates/front.html", "templates/back.html", "templates/style.css"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), obj={})


def init(folder: Path, *args: str):
    result = invoke("init", str(folder), *args)
    assert result.exit_code == 0, result.output
    return result


def files_below(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_init_then_build_gives_a_package_the_engine_imports(tmp_path, anki):
    project = tmp_path / "new deck"
    result = init(project, "--name", "My Deck")
    assert files_below(project) == sorted(ALL_FILES)
    assert f"Created in {project}: " + ", ".join(ALL_FILES) in result.output
    assert f"Next: 'deckbuild build --project '{project}'', then import" in result.output
    built = invoke("build", "--project", str(project))
    assert built.exit_code == 0, built.output
    assert built.output.startswith("Built ") and "Warning" not in built.output
    package = project / "dist" / "my-deck-0.1.0.apkg"
    log = anki.import_package(package)
    col = anki.col
    assert len(log.new) == col.note_count() == col.card_count() == 2
    assert col.decks.id_for_name("My Deck::Getting started")
    (nid,) = col.find_notes('"Id:what-a-card-holds"')
    note = col.get_note(nid)
    assert note.note_type()["name"] == "My Deck Q&A"
    assert [f["name"] for f in note.note_type()["flds"]] == list(BASIC.fields)
    answer = note.cards()[0].answer()
    assert r"\(e^{i\pi} + 1 = 0\)" in answer and r"\[ \bar{x} =" in answer
    assert '<span class="k">def</span>' in answer and 'class="qa-answer"' in answer
    (image,) = re.findall(r'src="([^"]+)"', note["Answer"])
    assert (Path(col.media.dir()) / image).read_bytes() == \
        (project / "media/learning-curve.png").read_bytes()


def test_two_inits_never_share_an_id(tmp_path):
    configs = []
    for folder in ("a", "b"):
        init(tmp_path / folder, "--name", "Same Name")
        configs.append(load_config(tmp_path / folder))
    a, b = configs
    assert a.name == b.name
    ids = [a.deck_id, a.notetype.id, b.deck_id, b.notetype.id]
    assert len(set(ids)) == 4
    assert a.guid_namespace != b.guid_namespace
    assert all(10**12 < i < 2**53 for i in ids)  # like Anki's own ids, and safe in JavaScript
    drawn = [Identity.fresh("x") for _ in range(300)]
    numbers = [n for i in drawn for n in (i.deck_id, i.notetype_id)]
    assert len(set(numbers)) == len(numbers)
    assert len({i.guid_namespace for i in drawn}) == len(drawn)


def test_init_never_overwrites_and_lists_what_is_there(tmp_path):
    project = tmp_path / "p"
    (project / "cards").mkdir(parents=True)
    (project / "README.md").write_text("mine\n")
    (project / "cards" / "01-getting-started.md").write_text("# mine\n")
    before = snapshot(project)
    result = invoke("init", str(project), "--name", "X")
    assert result.exit_code == 1
    assert without_docs(result.output).splitlines() == [
        f"Error: {project}/README.md: already exists; init never overwrites a file (nothing "
        "was written)",
        f"Error: {project}/cards/01-getting-started.md: already exists; init never overwrites "
        "a file (nothing was written)"]
    assert snapshot(project) == before


def test_init_in_the_current_folder_defaults_the_name_to_the_folders(tmp_path, monkeypatch):
    project = tmp_path / "Organic Chemistry"
    project.mkdir()
    monkeypatch.chdir(project)
    result = invoke("init")
    assert result.exit_code == 0, result.output
    assert "Next: 'deckbuild build', then import" in result.output
    config = load_config(project)
    assert (config.name, config.slug) == ("Organic Chemistry", "organic-chemistry")


def test_init_templates_copies_the_built_in_ones_and_the_project_uses_them(tmp_path):
    project = tmp_path / "p"
    init(project, "--name", "X", "--templates")
    assert files_below(project) == sorted(ALL_FILES + TEMPLATES)
    for name in BASIC.files():
        assert (project / "templates" / name).read_bytes() == (BASIC.folder / name).read_bytes()
    assert load_config(project).templates_dir == project / "templates"
    (project / "templates" / "front.html").write_text('<div class="mine">{{Question}}</div>\n')
    assert invoke("build", "--project", str(project)).exit_code == 0


def test_init_templates_in_an_existing_project_writes_only_the_templates(tmp_path):
    project = tmp_path / "p"
    init(project, "--name", "X")
    pyproject = (project / "pyproject.toml").read_bytes()
    result = init(project, "--templates")
    assert result.output.strip() == f"Created in {project}: " + ", ".join(TEMPLATES)
    assert (project / "pyproject.toml").read_bytes() == pyproject
    again = invoke("init", str(project), "--templates")
    assert again.exit_code == 1 and again.output.count("already exists") == 3


def test_the_pyproject_shows_every_setting_and_its_true_default(tmp_path):
    project = tmp_path / "p"
    init(project, "--name", 'Tom\'s "Deck" – 2', "--templates")
    text = (project / "pyproject.toml").read_text()
    shown = set(re.findall(r"(?m)^(?:# )?([a-z_]+) = ", text))
    assert shown == (set(DECK_KEYS) - {"notetype"}) | set(NOTETYPE_KEYS)
    as_written = load_config(project)
    assert as_written.name == 'Tom\'s "Deck" – 2'
    # Uncommenting every commented setting changes nothing: the defaults shown are the defaults.
    (project / "pyproject.toml").write_text(re.sub(r"(?m)^# ([a-z_]+ = )", r"\1", text))
    data = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["deckbuild"]
    assert set(data) == set(DECK_KEYS) and set(data["notetype"]) == set(NOTETYPE_KEYS)
    assert load_config(project) == as_written


def test_pyproject_text_is_valid_toml_for_any_name():
    identity = Identity(1234567890123, 1234567890124, "ns")
    for name in ("A", 'Quote " and \\ backslash', "Ünïcödé 日本語", "tab\there"):
        data = tomllib.loads(pyproject_text(name, identity))["tool"]["deckbuild"]
        assert (data["name"], data["deck_id"], data["notetype"]["id"]) == (
            name, 1234567890123, 1234567890124)


def test_python_build_py_init_works_too(tmp_path):
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    project = tmp_path / "p"
    result = subprocess.run([sys.executable, "build.py", "init", str(project), "--name", "X"],
                            cwd=repo, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Next: 'python build.py build --project " in result.stdout
    assert files_below(project) == sorted(ALL_FILES)


def test_new_ids_rewrites_only_the_three_identity_values(tmp_path):
    from support import make_project

    project = make_project(tmp_path / "copied", {"a.md": "# S\n\n## Q?\n<!-- id: q -->\nA.\n"})
    path = project / "pyproject.toml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))  # line endings are kept too
    before, old = path.read_bytes(), load_config(project)
    result = invoke("init", "--new-ids", "--project", str(project))
    assert result.exit_code == 0, result.output
    new = load_config(project)
    assert "New ids in " in result.output and f"deck_id {old.deck_id} -> {new.deck_id}" in \
        result.output
    changed = [(a, b) for a, b in zip(before.split(b"\r\n"), path.read_bytes().split(b"\r\n"),
                                      strict=True) if a != b]
    assert [a.split(b" =")[0] for a, _ in changed] == [b"deck_id", b"guid_namespace", b"id"]
    assert len({old.deck_id, old.notetype.id, new.deck_id, new.notetype.id}) == 4
    assert old.guid_namespace != new.guid_namespace
    assert new.notetype.name == old.notetype.name and new.name == old.name
    assert invoke("build", "--project", str(project)).exit_code == 0
    again = invoke("init", "--new-ids", str(project))
    assert again.exit_code == 0 and load_config(project).deck_id != new.deck_id


def test_new_ids_refuses_what_it_cannot_rewrite(tmp_path):
    project = tmp_path / "p"
    project.mkdir()
    assert invoke("init", "--new-ids", str(project)).output.startswith(
        "Error: pyproject.toml: no pyproject.toml in")
    text = ('[tool.deckbuild]\nname = "X"\nversion = "1"\ndeck_id = 1500000000001\n'
            'guid_namespace = "x"\nnotetype = { id = 1500000000002 }\n')
    (project / "pyproject.toml").write_text(text)
    result = invoke("init", "--new-ids", str(project))
    assert result.exit_code == 1
    assert result.output == ("Error: pyproject.toml:6: no 'id = ...' line of its own under "
                             "[tool.deckbuild.notetype] to rewrite; write one\n")
    assert (project / "pyproject.toml").read_text() == text
    assert invoke("init", "--new-ids", "--templates", str(project)).exit_code == 2
