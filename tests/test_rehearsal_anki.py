"""The release rehearsal: every release replays its update with Anki's own engine.

Each test releases a small project twice and reads what the rehearsal found in the share
kit's release-notes.md, or imports the packages into a scratch collection itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project

from deckbuild.cli import cli

pytest.importorskip("anki")

SLUG = "transfer-learning-interview-questions"
NO_BROWSER = {"DECKBUILD_CHROMIUM": "/nonexistent/chromium"}
ROOT = "Transfer Learning Interview Questions"


def run(project: Path, *args: str):
    return CliRunner(env=NO_BROWSER).invoke(cli, ["--project", str(project), *args], obj={})


def set_version(project: Path, version: str) -> None:
    path = project / "pyproject.toml"
    head, sep, deck = path.read_text().partition("[tool.deckbuild]")
    path.write_text(head + sep + re.sub(r'(?m)^version = "[^"]*"$', f'version = "{version}"',
                                        deck, count=1))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def release(project: Path, version: str, timestamp: int, *extra: str) -> str:
    set_version(project, version)
    result = run(project, "release", "--timestamp", str(timestamp), *extra)
    assert result.exit_code == 0, result.output
    return result.output


def notes_of(project: Path, version: str) -> str:
    return (project / "dist" / "share" / version / "release-notes.md").read_text()


def section(text: str, title: str) -> str:
    """The lines of a '### title' section of the release notes, up to the next heading."""
    start = text.index(f"### {title}")
    end = text.find("\n#", start + 1)
    return text[start:end if end >= 0 else None]


def every_kind_of_change(project: Path) -> None:
    """Edit an answer, move a file to another section, remove a card, add one."""
    cards = project / "cards"
    edit(cards / "basics.md", "It moves the parameters against the gradient",
         "It moves the weights a small step against the gradient")
    edit(cards / "more.md", "section: More Topics", "section: Benefits")
    basics = cards / "basics.md"
    text = basics.read_text()
    basics.write_text(text[: text.index("## Which layers")]
                      + "## What is a source domain?\n<!-- id: source-domain -->\n\nWhere the "
                        "knowledge comes from.\n")


def test_the_rehearsal_reports_each_note_in_the_release_notes(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    every_kind_of_change(project)
    release(project, "1.1.0", 1_700_100_000)
    notes = notes_of(project, "1.1.0")
    assert "## Rehearsal with Anki's engine" in notes
    default = section(notes, "Import with default options")
    # The user edited the first changed note (gradient-step): Anki skips its update.
    assert "| skipped because the user edited it | 1 |" in default
    assert "- gradient-step: What does gradient descent do" in default
    assert "| new | 1 |" in default  # source-domain
    # one-benefit moved: updated (its tag), and its card stays in the old subdeck.
    assert "| updated | 1 |" in default
    assert f"- one-benefit: stays in {ROOT}::More Topics, now belongs in {ROOT}::Benefits" \
        in default
    # freeze-layers was removed: its tombstone reaches the user's note.
    assert "| retired (the user's note gains the retired tag) | 1 |" in default
    assert "- freeze-layers: " in default
    assert "every reviewed card kept its history" in default
    assert "conflicting" not in default
    merged = section(notes, "Import with merge note types on")
    assert "| skipped because the user edited it | 1 |" in merged
    # The search that selects the cards left in the old subdeck, by the new section's tag.
    assert f'"deck:{ROOT}::More Topics" tag:benefits' in notes
    assert "## Retired notes" in notes and "tag:deckbuild::retired" in notes
    # The changes say so too (from diff, with the engine or without it).
    moved = notes[notes.index("## Moved notes"):]
    assert moved.index(f'"deck:{ROOT}::More Topics" tag:benefits') < moved.index("\n## ")


def test_the_moved_notes_search_selects_exactly_the_cards_left_behind(tmp_path, anki):
    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    anki.import_package(project / "dist" / f"{SLUG}-1.0.0.apkg")
    every_kind_of_change(project)
    release(project, "1.1.0", 1_700_100_000)
    anki.import_package(project / "dist" / f"{SLUG}-1.1.0.apkg")
    # Given twice: under Moved notes (from diff) and by the rehearsal.
    (search,) = {line for line in notes_of(project, "1.1.0").splitlines()
                 if line.startswith('"deck:')}
    found = anki.col.find_cards(search)
    assert [anki.col.get_card(c).note()["Id"] for c in found] == ["one-benefit"]


def test_diff_rehearse_prints_the_rehearsal_of_the_sources(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    every_kind_of_change(project)
    set_version(project, "1.1.0")
    lock_before = (project / "deck.lock.json").read_text()
    result = run(project, "diff", "--rehearse")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Rehearsal of the update from 1.0.0 to 1.1.0 (sources)")
    assert "skipped because the user edited it: 1\n      gradient-step:" in out
    assert "retired (the user's note gains the retired tag): 1\n      freeze-layers:" in out
    assert f"one-benefit stays in '{ROOT}::More Topics'" in out
    # diff writes nothing: no lock change, no package of the sources.
    assert (project / "deck.lock.json").read_text() == lock_before
    assert not (project / "dist" / f"{SLUG}-1.1.0.apkg").exists()
    old, new = (project / "dist" / f"{SLUG}-1.0.0.apkg", tmp_path / "new.apkg")
    release(project, "1.1.0", 1_700_100_000)
    (project / "dist" / f"{SLUG}-1.1.0.apkg").rename(new)
    result = run(project, "diff", "--rehearse", str(old), str(new))
    assert result.exit_code == 0, result.output
    assert "skipped because the user edited it: 1" in result.output


def add_a_field_in_the_middle(project: Path) -> None:
    edit(project / "pyproject.toml", 'fields = ["Question", "Answer", "Extra", "Source", "Id"]',
         'fields = ["Question", "Answer", "Hint", "Extra", "Source", "Id"]\n'
         'map = { Hint = "source" }')


def test_a_release_with_conflicting_notes_is_refused_and_dist_is_left_as_it_was(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    add_a_field_in_the_middle(project)
    set_version(project, "2.0.0")
    lock_before = (project / "deck.lock.json").read_text()
    result = run(project, "release", "--timestamp", "1700100000", "--allow-schema-change")
    assert result.exit_code == 1, result.output
    assert "the release rehearsal found 3 conflicting notes under Anki's default import " \
           "options" in result.output
    assert "--allow-conflicts" in result.output
    assert not (project / "dist" / f"{SLUG}-2.0.0.apkg").exists()
    assert not (project / "dist" / "share" / "2.0.0").exists()
    assert (project / "deck.lock.json").read_text() == lock_before
    # Allowed, the release notes say what users get and which options to tick.
    result = run(project, "release", "--timestamp", "1700100000", "--allow-schema-change",
                 "--allow-conflicts")
    assert result.exit_code == 0, result.output
    notes = notes_of(project, "2.0.0")
    assert "| conflicting (not updated) | 3 |" in section(notes, "Import with default options")
    assert "Note types added as a copy: Transfer Learning Q&A+" in notes


def test_without_anki_the_release_says_what_it_skipped_and_how_to_install_it(tmp_path,
                                                                            monkeypatch):
    from deckbuild.release import rehearsal

    project = make_project(tmp_path / "p", mini=True)
    release(project, "1.0.0", 1_700_000_000)
    every_kind_of_change(project)
    monkeypatch.setattr(rehearsal, "available", lambda: False)
    output = release(project, "1.1.0", 1_700_100_000)
    assert "the release rehearsal with Anki's engine was skipped: the `anki` package is not " \
           "installed; pip install 'deckbuild[rehearsal]'" in output
    assert "Rehearsal" not in notes_of(project, "1.1.0")
    # The tombstone does not need the engine.
    assert "## Retired notes" in notes_of(project, "1.1.0")


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.org",
                        "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.org",
                        "HOME": str(project), "PATH": "/usr/bin:/bin"})


def test_a_fresh_clone_rebuilds_the_previous_release_from_git(tmp_path):
    """dist/ is not committed: the previous release is rebuilt from the commit that
    recorded it, and used only if its notes are the released ones."""
    project = make_project(tmp_path / "p", mini=True)
    git(project, "init", "-q")
    release(project, "1.0.0", 1_700_000_000)
    (project / ".gitignore").write_text("dist/\n.deckbuild-cache/\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Release 1.0.0")
    for package in (project / "dist").rglob("*.apkg"):
        package.unlink()
    every_kind_of_change(project)
    release(project, "1.1.0", 1_700_100_000)
    notes = notes_of(project, "1.1.0")
    assert "| skipped because the user edited it | 1 |" in notes
    assert "## Retired notes" in notes


def test_a_tombstone_ships_for_keep_retired_releases_then_is_dropped(tmp_path, anki):
    project = make_project(tmp_path / "p", mini=True)
    edit(project / "pyproject.toml", 'version = "1.0.0"',
         'version = "1.0.0"\nkeep_retired = 2\nretired_tag = "old::gone"\n'
         'retired_text = "Gone since {version}."')
    release(project, "1.0.0", 1_700_000_000)
    anki.import_package(project / "dist" / f"{SLUG}-1.0.0.apkg")
    every_kind_of_change(project)
    shipped = []
    for n, version in enumerate(("1.1.0", "1.2.0", "1.3.0")):
        release(project, version, 1_700_100_000 + n)
        package = project / "dist" / f"{SLUG}-{version}.apkg"
        log = anki.import_package(package)
        shipped.append(sorted(note.fields[-1] for note in log.updated))
    assert shipped == [["freeze-layers", "gradient-step", "one-benefit"], [], []]
    (nid,) = anki.col.find_notes('"Id:freeze-layers"')
    note = anki.col.get_note(nid)
    assert "old::gone" in note.tags
    assert note["Question"].startswith('<p class="deckbuild-retired"><b>Gone since 1.1.0.</b></p>')
    lock = (project / "deck.lock.json").read_text()
    assert '"retired": ["freeze-layers"]' in lock  # 1.1.0 and 1.2.0 ship it; 1.3.0 does not
    from support import read_apkg
    for version, count in (("1.1.0", 4), ("1.2.0", 4), ("1.3.0", 3)):
        assert len(read_apkg(project / "dist" / f"{SLUG}-{version}.apkg")["notes"]) == count
