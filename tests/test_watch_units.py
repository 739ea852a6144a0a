"""The pure parts of `watch`: which saves start a rebuild, and the line a rebuild prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_project

from deckbuild.live.watch import Changes, Outcome, WatchSet, changes_between, shorten, summary
from deckbuild.project.config import load_config


@pytest.fixture
def watched(tmp_path: Path) -> WatchSet:
    project = make_project(tmp_path / "p", mini=True)
    return WatchSet.of(project, load_config(project))


def _keeps(watched: WatchSet, relative: str) -> bool:
    root = watched.files[0].parent
    return watched(None, str(root / relative))


@pytest.mark.parametrize("relative", [
    "pyproject.toml", "cards/basics.md", "cards/sub/new.md", "media/layers.png",
    "templates/front.html", "templates/style.css",
])
def test_a_save_to_a_source_starts_a_rebuild(watched, relative):
    assert _keeps(watched, relative)


@pytest.mark.parametrize("relative", [
    # editors' swap, backup, lock and probe files
    "cards/.basics.md.swp", "cards/.basics.md.swx", "cards/basics.md~", "cards/4913",
    "cards/.#basics.md", "cards/#basics.md#", "cards/basics.md___jb_tmp___",
    "cards/.basics.md.kate-swp", "media/.DS_Store",
    # deckbuild's own temporary files (an `ids` run writes cards/ through them)
    "cards/.basics.md.1a2b3c.tmp",
    # what builds write, and what is no source at all
    "dist/deck-1.0.0.apkg", "dist/preview/index.html", ".deckbuild-cache/cache.sqlite",
    ".deckbuild-cache/build.lock", "deck.lock.json", "README.md", "node_modules/x/y.js",
])
def test_other_files_do_not(watched, relative):
    assert not _keeps(watched, relative)


def test_the_folders_are_the_configured_ones(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    (project / "notes").mkdir()
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace('cards = "cards"', 'cards = "notes"')
                                            .replace('dist = "dist"', 'dist = "notes/out"'))
    watched = WatchSet.of(project, load_config(project))
    assert _keeps(watched, "notes/a.md")
    assert not _keeps(watched, "cards/a.md")
    assert not _keeps(watched, "notes/out/deck-1.0.0.apkg")  # dist inside a watched folder
    assert str(project / "notes") in watched.paths()


def test_without_templates_of_its_own_nothing_of_deckbuild_is_watched(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    for path in (project / "templates").iterdir():
        path.unlink()
    (project / "templates").rmdir()
    watched = WatchSet.of(project, load_config(project))
    assert all(Path(p).is_relative_to(project) for p in watched.paths())
    assert sorted(watched.paths()) == sorted(str(project / p) for p in
                                             ("pyproject.toml", "cards", "media"))


def test_changes_are_found_by_what_the_package_holds():
    before = {"a": 1, "b": 2, "c": 3}
    after = [("b", 2), ("a", 9), ("d", 4)]
    assert changes_between(before, after) == Changes(changed=("a",), added=("d",),
                                                     removed=("c",))
    assert changes_between(before, list(before.items())) == Changes()
    assert not Changes() and Changes(removed=("x",))
    assert Changes(changed=("a",), added=("d",)).first == "a"
    assert Changes(added=("d",)).first == "d" and Changes(removed=("c",)).first == ""


def test_many_ids_are_shortened():
    assert shorten(["a"]) == "a"
    assert shorten(["a", "b", "c"]) == "a, b, c"
    assert shorten(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"


def test_each_rebuild_is_one_line():
    path = "dist/deck-1.0.0.apkg"
    assert summary(Outcome(0.214, path, notes=38, first=True), path) == \
        "Built in 0.21 s: 38 notes -> dist/deck-1.0.0.apkg"
    changed = Outcome(0.05, path, changes=Changes(changed=("a", "b", "c", "d"), added=("n",)))
    assert summary(changed, path) == \
        "Rebuilt in 0.05 s: changed a, b, c and 1 more; added n -> dist/deck-1.0.0.apkg"
    assert summary(Outcome(0.01, path), path) == \
        "Rebuilt in 0.01 s: no card changed -> dist/deck-1.0.0.apkg"
    assert summary(Outcome(0.01, path, written=False), path) == \
        "Checked in 0.01 s: no card changed; dist/deck-1.0.0.apkg is up to date"
    failed = Outcome(0.03, path, errors=("cards/a.md:3: empty answer", "cards/b.md:1: x"))
    assert summary(failed, path) == "Failed in 0.03 s: 2 errors; kept dist/deck-1.0.0.apkg"
    never = Outcome(0.03, path, errors=("cards/a.md:3: empty answer",), kept=False)
    assert summary(never, path) == "Failed in 0.03 s: 1 error; no package written yet"
    for outcome in (changed, failed):
        assert "\n" not in summary(outcome, path)
