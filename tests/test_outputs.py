"""Outputs: ordinary file modes, and several files put in place together or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, make_project

from deckbuild.cli import cli
from deckbuild.project import atomic
from deckbuild.project.atomic import Staged, leftovers

MATHJAX = REPO / "node_modules" / "mathjax"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_every_output_is_an_ordinary_file(tmp_path, umask_022):
    project = make_project(tmp_path / "p", mini=True)
    runner = CliRunner()
    result = runner.invoke(cli, ["--project", str(project), "release", "--timestamp",
                                 "1700000000"], obj={})
    assert result.exit_code == 0, result.output
    (package,) = (project / "dist").glob("*.apkg")
    assert mode(package) == 0o644
    assert mode(project / "deck.lock.json") == 0o644
    assert mode(project / ".deckbuild-cache" / "cache.sqlite") == 0o644
    assert mode(project / ".deckbuild-cache") == 0o755


def test_the_lock_file_is_0644_whatever_the_umask(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    old = os.umask(0o077)
    try:
        result = CliRunner().invoke(cli, ["--project", str(project), "build"], obj={})
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert mode(project / "deck.lock.json") == 0o644
    (package,) = (project / "dist").glob("*.apkg")
    assert mode(package) == 0o644


def test_ids_keeps_a_card_files_own_mode(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": "# A\n\n## What is it?\n\nThis.\n"})
    card = project / "cards" / "a.md"
    card.chmod(0o640)
    result = CliRunner().invoke(cli, ["--project", str(project), "ids"], obj={})
    assert result.exit_code == 0, result.output
    assert "<!-- id: what-is-it -->" in card.read_text()
    assert mode(card) == 0o640


@pytest.mark.skipif(not MATHJAX.is_dir(), reason="MathJax 3 not installed (npm install)")
def test_preview_files_are_ordinary(tmp_path, umask_022):
    from deckbuild.live.preview import write_preview
    from deckbuild.project.config import load_config

    project = make_project(tmp_path / "p", mini=True)
    report = write_preview(load_config(project), mathjax=MATHJAX)
    page = Path(report.path)
    assert mode(page) == 0o644 and mode(page.parent) == 0o755
    assert all(mode(p) == 0o644 for p in page.parent.rglob("*") if p.is_file())
    write_preview(load_config(project), mathjax=MATHJAX)  # replacing it leaves nothing beside it
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["preview"]


# --- Staged: several files, all renamed or none ---------------------------------------------

def test_staged_files_replace_their_targets_in_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "sub" / "b"
    a.write_bytes(b"old a")
    with Staged() as staged:
        staged.write(a, b"new a")
        staged.write(b, b"new b")
        assert a.read_bytes() == b"old a" and not b.exists()  # nothing moves before the end
    assert a.read_bytes() == b"new a" and b.read_bytes() == b"new b"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "sub"]


def test_an_error_in_the_block_discards_everything(tmp_path):
    a = tmp_path / "a"
    a.write_bytes(b"old a")
    with pytest.raises(RuntimeError), Staged() as staged:
        staged.write(a, b"new a")
        staged.write(tmp_path / "b", b"new b")
        raise RuntimeError("later step failed")
    assert [p.name for p in tmp_path.iterdir()] == ["a"] and a.read_bytes() == b"old a"


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_rename_puts_back_the_files_already_replaced(tmp_path, monkeypatch, error):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(Path(dst).name)
        if len(calls) == 3:  # a and b are in place; c fails
            raise error
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(type(error)), Staged() as staged:
        for path in (a, b, c):
            staged.write(path, b"new " + path.name.encode())
    assert calls[:3] == ["a", "b", "c"]
    assert a.read_bytes() == b"old a" and b.read_bytes() == b"old b" and not c.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_leftovers_match_only_temporary_files_of_the_target(tmp_path):
    for name in (".d.apkg.x1.tmp", ".d.apkg.x1.old.tmp", "d.apkg", ".hidden", "x.tmp"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in leftovers(tmp_path, "*.apkg")] == [".d.apkg.x1.old.tmp",
                                                                ".d.apkg.x1.tmp"]


def test_leftovers_are_searched_in_subfolders_only_when_asked(tmp_path):
    # Card files may sit in subfolders of cards/; dist/ keeps the share kits' own staging.
    (tmp_path / "sub").mkdir()
    for path in (tmp_path / ".a.md.x1.tmp", tmp_path / "sub" / ".b.md.x2.tmp"):
        path.write_bytes(b"")
    assert leftovers(tmp_path, "*.md") == [tmp_path / ".a.md.x1.tmp"]
    assert leftovers(tmp_path, "*.md", recursive=True) == [tmp_path / ".a.md.x1.tmp",
                                                           tmp_path / "sub" / ".b.md.x2.tmp"]
    assert leftovers(tmp_path / "missing", "*.md", recursive=True) == []


def test_without_hard_links_a_failed_rename_leaves_whole_files(tmp_path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real = os.replace

    def link(src, dst):
        raise OSError(1, "Operation not permitted")

    def replace(src, dst):
        if Path(dst) == b:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "link", link)
    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError), Staged() as staged:
        staged.write(a, b"new a")
        staged.write(b, b"new b")
    # The old a cannot come back, but nothing is lost or half-written.
    assert a.read_bytes() == b"new a" and b.read_bytes() == b"old b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_the_next_build_removes_staging_folders_that_a_killed_one_left(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    kit = project / "dist" / "share" / "1.0.0"
    kit.mkdir(parents=True)
    (kit / "title.txt").write_text("a whole kit stays")
    for name in ("share/.kit-x1/title.txt", "share/.kit-old-x1/title.txt", ".preview-x2/index.html"):
        (project / "dist" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "dist" / name).write_text("left by a killed build")
    result = CliRunner().invoke(cli, ["--project", str(project), "build"], obj={})
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "dist" / "share").iterdir()) == ["1.0.0"]
    assert (kit / "title.txt").read_text() == "a whole kit stays"
    assert not (project / "dist" / ".preview-x2").exists()


def test_a_new_share_kit_replaces_the_old_one_whole(tmp_path, monkeypatch):
    from deckbuild.release import share

    target = tmp_path / "share" / "1.0.0"
    share._replace_folder(target, {"a.txt": b"old", "sub/b.txt": b"old"})
    renames = []
    real = Path.rename

    def rename(self, dest):
        renames.append((self.name, Path(dest).name))
        return real(self, dest)

    monkeypatch.setattr(Path, "rename", rename)
    share._replace_folder(target, {"a.txt": b"new"})
    # The old kit is moved aside whole before the new one takes its place.
    assert renames[0][0] == "1.0.0" and renames[0][1].startswith(".kit-old-")
    assert renames[1][1] == "1.0.0"
    assert sorted(p.name for p in target.parent.iterdir()) == ["1.0.0"]
    assert (target / "a.txt").read_bytes() == b"new" and not (target / "sub").exists()


def test_discarding_forgets_the_staged_files_even_when_one_is_gone(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    staged = atomic.Staged()
    staged.write(target, b"new")
    gone = staged.stage(tmp_path / "other.bin")
    gone.unlink()
    staged.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]
    staged.commit()  # nothing is left to put in place
    assert target.read_bytes() == b"old"


def test_a_staged_file_is_hidden_beside_its_target_even_in_a_new_folder(tmp_path):
    target = tmp_path / "share" / "1.0.0" / "kit.txt"
    staged = Staged()
    path = staged.stage(target)
    assert path.parent == target.parent
    assert path.name.startswith(".kit.txt.") and path.name.endswith(".tmp")
    staged.discard()
