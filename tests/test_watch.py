"""`watch`: a resident process that rebuilds on every save, keeps the last good package on
an error, shares the build lock, re-renders only what changed and stops cleanly."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
from safety_support import assert_package_agrees_with_lock, spawn, state
from support import make_project, without_docs
from watch_support import Watching, edit, started

from deckbuild.live.watch import Changes, Rebuilder
from deckbuild.package.writer import PackageWriter, read_package
from deckbuild.pipeline import build
from deckbuild.project.buildlock import project_lock
from deckbuild.project.config import load_config
from deckbuild.speed.parallel import RenderOptions

NOW = 1_700_000_000
PACKAGE = "dist/transfer-learning-interview-questions-1.0.0.apkg"


def _answers(package: Path) -> dict[str, str]:
    """Answer field by Id field, read from the package."""
    _, notes, _ = read_package(package)
    return {fields[4]: fields[1] for _, _, fields, _, _ in notes}


def test_edit_break_fix_and_ctrl_c(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    package = project / PACKAGE
    with Watching(project, tmp=tmp_path / "tmp") as watching:
        first = watching.line(r"Built in")
        assert " 3 notes -> " in first and first.endswith(PACKAGE), first

        edit(card, "Less labelled data is needed.", "Far less labelled data is needed.")
        line = watching.line(r"Rebuilt in")
        assert "changed one-benefit ->" in line
        assert "Far less labelled data" in _answers(package)["one-benefit"]
        good = package.read_bytes()

        edit(card, "- Training converges faster.", "```python\nunclosed = True\n")
        assert watching.line(r"Failed in").endswith("1 error; kept " + line.rsplit(" ", 1)[1])
        fence = card.read_text().splitlines().index("```python") + 1
        error = watching.err_line(r"^Error: ")
        assert without_docs(error) == f"Error: cards/more.md:{fence}: code fence is never closed", error
        assert package.read_bytes() == good  # the last good package, byte for byte

        edit(card, "```python\nunclosed = True\n", "- Training converges much faster.\n")
        assert "changed one-benefit ->" in watching.line(r"Rebuilt in")
        assert "much faster" in _answers(package)["one-benefit"]
        assert_package_agrees_with_lock(project)

        assert watching.stop(signal.SIGINT) == 0
        assert watching.line(r"^Stopped watching\.$")
    assert not any("Traceback" in line for line in watching.err), watching.err
    assert state(project).debris == ()


def test_sigterm_stops_it_cleanly_too(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    with Watching(project, tmp=tmp_path / "tmp") as watching:
        watching.line(r"Built in")
        assert watching.stop(signal.SIGTERM) == 0
        assert watching.line(r"^Stopped watching\.$")
    assert not any("Traceback" in line for line in watching.err), watching.err


def test_a_build_run_meanwhile_waits_and_both_leave_a_valid_package(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    with Watching(project, tmp=tmp_path / "tmp") as watching:
        watching.line(r"Built in")
        # Another writer holds the lock: the watch's rebuild and a manual build both wait.
        with project_lock(load_config(project)):
            edit(card, "Less labelled data is needed.", "Less labelled data (1).")
            watching.err_line(r"^Waiting for another build in this project")
            manual = spawn(project, "build", "--timestamp", str(NOW + 50), tmp=tmp_path / "tmp")
            time.sleep(0.5)
            assert manual.poll() is None
            assert "Less labelled data is needed." in _answers(project / PACKAGE)["one-benefit"]
        # Released: one goes first, the other waits for it; neither corrupts the other. When
        # the manual build went first, the watch finds its package up to date.
        out, err = manual.communicate(timeout=120)
        assert manual.returncode == 0, err.decode()
        assert "changed one-benefit" in watching.line(r"^\S+ (Rebuilt|Checked) in")
        assert "(1)" in _answers(project / PACKAGE)["one-benefit"]
        assert_package_agrees_with_lock(project)
        after = state(project)
        assert after.debris == ()
        # And a build started while the watch is idle leaves a valid package (up to date,
        # or the canonical bytes again when the watch's package was patched).
        again = spawn(project, "build", "--timestamp", str(NOW + 60), tmp=tmp_path / "tmp")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err.decode()
        assert watching.stop() == 0


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", shipped=True)


def _rebuilder(project: Path) -> Rebuilder:
    return Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)


def test_a_one_card_edit_renders_exactly_one_card_from_memory(shipped):
    rebuilder = _rebuilder(shipped)
    first = rebuilder.rebuild()
    assert first.ok and first.first and rebuilder.rendered == first.notes > 40
    card = shipped / "cards" / "01-fundamentals.md"
    edit(card, "## What is transfer learning", "## What, exactly, is transfer learning")
    # What a rebuild reuses is held in memory: the render cache on disk is not needed.
    (shipped / ".deckbuild-cache" / "cache.sqlite").unlink()
    outcome = rebuilder.rebuild()
    assert outcome.ok, outcome.errors
    assert rebuilder.rendered == 1
    assert outcome.changes == Changes(changed=("transfer-learning-definition-vs-traditional-ml",))
    # Saved again without a change: nothing is rendered and nothing is written.
    card.write_bytes(card.read_bytes())
    again = rebuilder.rebuild()
    assert rebuilder.rendered == 0 and not again.written and not again.changes


def test_the_package_is_the_one_a_fresh_build_writes(shipped, tmp_path):
    rebuilder = _rebuilder(shipped)
    assert rebuilder.rebuild().ok
    # A new point at the end of one card (found by its id, whatever its text says).
    card = shipped / "cards" / "02-techniques.md"
    text = card.read_text(encoding="utf-8")
    end = text.find("\n## ", text.index("<!-- id: feature-extraction-vs-fine-tuning -->"))
    end = len(text) if end < 0 else end
    card.write_text(text[:end] + "\n\n- **A new point** with $x^2$ and `code`.\n" + text[end:],
                    encoding="utf-8")
    outcome = rebuilder.rebuild()
    assert outcome.ok and outcome.written
    assert outcome.changes == Changes(changed=("feature-extraction-vs-fine-tuning",))
    written = (shipped / PACKAGE).read_bytes()
    (shipped / PACKAGE).unlink()
    report = build(load_config(shipped), NOW, render=RenderOptions(cache=False, jobs=1))
    assert report.written
    assert (shipped / PACKAGE).read_bytes() == written


def test_a_first_build_that_fails_says_no_package_was_written(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": "# A\n\n## Question?\n<!-- id: q -->\n"})
    outcome = _rebuilder(project).rebuild()
    assert outcome.errors == ("cards/a.md:3: card has no answer",) and not outcome.kept
    assert not (project / "dist").exists()


def test_errors_are_returned_with_their_lines_and_the_package_is_kept(shipped):
    rebuilder = _rebuilder(shipped)
    assert rebuilder.rebuild().ok
    good = (shipped / PACKAGE).read_bytes()
    card = shipped / "cards" / "03-practical.md"
    text = card.read_text()
    card.write_text(text + "\n## \n")
    outcome = rebuilder.rebuild()
    assert not outcome.ok and outcome.kept
    lines = text.count("\n") + 2
    assert any(e.startswith(f"cards/03-practical.md:{lines}: ") for e in outcome.errors), \
        outcome.errors
    assert (shipped / PACKAGE).read_bytes() == good
    card.write_text(text)
    fixed = rebuilder.rebuild()
    assert fixed.ok and not fixed.written  # back to the sources of the package in dist/


def test_the_package_is_written_through_the_seam_the_rebuilder_is_given(shipped):
    made: list[PackageWriter] = []

    def package(*args, **options) -> PackageWriter:
        made.append(PackageWriter(*args, **options))
        return made[-1]

    rebuilder = Rebuilder(shipped, lambda: load_config(shipped), lambda: NOW, project_lock,
                          package=package)
    first = rebuilder.rebuild()
    assert first.ok and len(made) == 1
    edit(shipped / "cards" / "03-practical.md", "## ", "## Now: ")
    outcome = rebuilder.rebuild()
    assert outcome.ok and outcome.written and len(made) == 2
    assert rebuilder.written is not None and len(rebuilder.written.notes) == first.notes


def test_pyproject_saved_twice_by_replacing_it_rebuilds_twice(tmp_path):
    from support import read_apkg

    project = make_project(tmp_path / "p", mini=True)
    settings = project / "pyproject.toml"
    description = 'description = "38 must-know'
    with Watching(project, tmp=tmp_path / "tmp") as watching:
        watching.line(r"Built in")
        for word in ("First", "Second"):
            # An editor that saves by renaming replaces the file a watcher was watching.
            edit(settings, description, f'description = "{word}: 38 must-know')
            assert watching.line(r"Rebuilt in").split(": ", 1)[1].startswith("no card changed")
            descriptions = [d["desc"] for d in read_apkg(project / PACKAGE)["decks"].values()]
            assert any(d.startswith(f"{word}: 38 must-know") for d in descriptions)
            description = f'description = "{word}: 38 must-know'
        assert watching.stop() == 0


def test_a_save_made_while_the_watcher_restarts_is_not_lost(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    rebuilder = _rebuilder(project)
    stop = threading.Event()
    seen: list = []

    def report(outcome) -> None:
        seen.append(outcome)
        if len(seen) == 2:  # pyproject.toml was replaced: a new watcher starts after this
            edit(card, "Less labelled data is needed.", "Saved while no watcher ran.")
        elif len(seen) == 3:
            stop.set()

    thread = started(rebuilder, report, stop, seen)
    assert seen and seen[0].first
    edit(project / "pyproject.toml", 'description = "', 'description = "New: ')
    thread.join(timeout=120)
    stop.set()
    assert not thread.is_alive() and len(seen) == 3, seen
    assert seen[2].changes == Changes(changed=("one-benefit",))
    assert "Saved while no watcher ran." in _answers(project / PACKAGE)["one-benefit"]


def test_a_warning_is_printed_once_not_at_every_rebuild(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    card.write_text(card.read_text() + "\n```nosuchlanguage\nx\n```\n")
    with Watching(project, tmp=tmp_path / "tmp") as watching:
        watching.line(r"Built in")
        warning = watching.err_line(r"^cards/more\.md:\d+: warning: ")
        edit(card, "Less labelled data is needed.", "Less data is needed.")
        watching.line(r"Rebuilt in")
        edit(card, "Less data is needed.", "Even less data is needed.")
        watching.line(r"Rebuilt in")
        assert watching.stop() == 0
    assert [line for line in watching.err if ": warning: " in line] == [warning]


def test_a_burst_of_saves_gives_one_rebuild(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    rebuilder = _rebuilder(project)
    stop = threading.Event()
    seen: list = []
    # A quiet time longer than the default, so that a loaded machine cannot split the burst.
    thread = started(rebuilder, seen.append, stop, seen, step=400)
    deadline = time.monotonic() + 120
    text = card.read_text()
    for k in range(6):  # an editor's save: several writes in quick succession
        card.write_text(text + f"\nSaved {k}.\n")
        time.sleep(0.02)
    while len(seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)
    stop.set()
    thread.join(timeout=120)
    assert len(seen) == 2, seen
    assert seen[1].changes == Changes(changed=("one-benefit",))
    assert "Saved 5." in _answers(project / PACKAGE)["one-benefit"]
