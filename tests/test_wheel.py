"""The wheel, installed in a fresh venv, has everything a new deck needs: init -> build -> Anki.

An editable install reads templates and the starter files from the source tree; this
installs the built wheel (its dependencies from the package index or pip's cache) and
runs it away from the source tree, so that missing package data fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from deckbuild.notetypes import BASIC

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.wheel


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the bin folder of a fresh venv with it installed), made once per session."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"  # a copy: building in place would leave build/ in the repo
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "deckbuild", source / "deckbuild",
                    ignore=shutil.ignore_patterns("__pycache__"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", work / "dist",
        source, cwd=work)
    (wheel,) = (work / "dist").glob("deckbuild-*.whl")
    venv.EnvBuilder(with_pip=True).create(work / "venv")
    bin_dir = work / "venv" / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=work)
    return wheel, bin_dir


def test_the_wheel_holds_the_built_in_templates_and_the_starter_files(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in BASIC.files():
        assert f"deckbuild/notetypes/basic/{name}" in names
    for name in ("README.md", "gitignore", "cards/01-getting-started.md",
                 "media/learning-curve.png"):
        assert f"deckbuild/project/starter/{name}" in names


def test_init_build_and_import_from_an_installed_wheel(installed, tmp_path, anki):
    _, bin_dir = installed
    where = run(bin_dir / "python", "-c", "import deckbuild; print(deckbuild.__file__)",
                cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(bin_dir.parent)  # not the source tree
    project = tmp_path / "x"
    run(bin_dir / "deckbuild", "init", project, "--name", "X", cwd=tmp_path)
    built = run(bin_dir / "deckbuild", "build", "--project", project, cwd=tmp_path)
    assert "Built " in built.stdout and "Warning" not in built.stderr
    log = anki.import_package(project / "dist" / "x-0.1.0.apkg")
    col = anki.col
    assert len(log.new) == col.note_count() == 2
    assert col.decks.id_for_name("X::Getting started")
    (nid,) = col.find_notes('"Id:what-a-card-holds"')
    note = col.get_note(nid)
    assert 'class="qa-answer"' in note.cards()[0].answer()
    (image,) = re.findall(r'src="([^"]+)"', note["Answer"])
    assert (Path(col.media.dir()) / image).is_file()


def test_init_templates_from_an_installed_wheel(installed, tmp_path):
    _, bin_dir = installed
    project = tmp_path / "y"
    run(bin_dir / "deckbuild", "init", project, "--templates", cwd=tmp_path)
    for name in BASIC.files():
        assert (project / "templates" / name).read_bytes() == (BASIC.folder / name).read_bytes()


def test_init_import_every_layout_and_build_from_an_installed_wheel(installed, tmp_path, anki):
    """The issue's path for a new author, in one project: init, import one file of each of
    the five layouts, build; the engine gets every question in its subdeck."""
    from import_corpus import CORPUS, EXPECTED

    _, bin_dir = installed
    project = tmp_path / "x"
    run(bin_dir / "deckbuild", "init", project, "--name", "X", cwd=tmp_path)
    chosen = {layout: sorted(name for name, e in EXPECTED.items() if e.layout == layout)[0]
              for layout in ("native", "headings", "numbered", "list", "details")}
    for name in chosen.values():
        reported = run(bin_dir / "deckbuild", "import", CORPUS / name, "--project", project,
                       cwd=tmp_path).stdout
        assert f"layout '{EXPECTED[name].layout}'" in reported, reported
    run(bin_dir / "deckbuild", "build", "--project", project, cwd=tmp_path)
    log = anki.import_package(project / "dist" / "x-0.1.0.apkg")
    col = anki.col
    expected = [EXPECTED[name] for name in chosen.values()]
    imported = sum(len(e.questions) for e in expected)
    assert len(log.new) == col.note_count() == imported + 2  # and init's two sample cards
    used = {col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")}
    assert used == {"X::Getting started"} | {f"X::{s}" for e in expected for s in e.sections}
