"""`watch` never dies: an internal error or a killed render worker is reported and the next
save builds again; a folder made while watching is watched at once."""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project
from watch_support import WAIT, edit, started, wait_for

import deckbuild.live.watch as watch_module
from deckbuild.cli import cli
from deckbuild.live.watch import Rebuilder
from deckbuild.markdown.render import Renderer
from deckbuild.project.buildlock import project_lock
from deckbuild.project.config import load_config
from deckbuild.speed import bundles, parallel

NOW = 1_700_000_000
PACKAGE = "dist/transfer-learning-interview-questions-1.0.0.apkg"
OLD = "Less labelled data is needed."


def _rebuilder(project: Path) -> Rebuilder:
    return Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", mini=True)


@pytest.fixture
def watching(project: Path):
    """watch's loop on `project` in a thread: (reports so far, the thread); stopped after."""
    seen: list = []
    stop = threading.Event()
    thread = started(_rebuilder(project), seen.append, stop, seen)
    assert seen and seen[0].ok, seen
    yield seen, thread
    stop.set()
    thread.join(timeout=WAIT)


def _boom_on(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in the renderer, hit by every card whose text holds `marker`."""
    render = Renderer.render

    def buggy(self, card, *args, **kwargs):
        if marker in card.answer:
            raise RuntimeError("injected bug")
        return render(self, card, *args, **kwargs)

    monkeypatch.setattr(Renderer, "render", buggy)


def test_an_internal_error_is_reported_and_the_next_save_builds(project, watching,
                                                                monkeypatch):
    seen, thread = watching
    _boom_on("BOOM", monkeypatch)
    card = project / "cards" / "more.md"
    good = (project / PACKAGE).read_bytes()

    edit(card, OLD, "BOOM")
    wait_for(seen, 2, thread)
    assert len(seen) == 2, (seen, thread.is_alive())
    failed = seen[1]
    assert failed.errors[0].startswith("internal error: RuntimeError: injected bug"), failed
    assert "Traceback" in failed.trace and "RuntimeError: injected bug" in failed.trace
    assert failed.kept and (project / PACKAGE).read_bytes() == good

    edit(card, "BOOM", "Less data is needed.")
    wait_for(seen, 3, thread)
    assert len(seen) == 3 and seen[2].ok, seen
    assert seen[2].changes.changed == ("one-benefit",)


def test_a_render_worker_killed_mid_rebuild_is_reported_and_the_next_save_builds(
        project, watching, monkeypatch, tmp_path):
    seen, thread = watching
    # Every card rendered now is rendered by a worker process (forked: it inherits this).
    monkeypatch.setattr(bundles, "jobs_for",
                        lambda requested, misses, beside=0, resident=False: int(misses > 0))
    pid_file = tmp_path / "worker.pid"
    render_chunk = parallel._render_chunk_with

    def slow(renderer, cards, field_names):
        if any("HANG" in card.answer for card in cards):
            pid_file.write_text(str(os.getpid()))
            time.sleep(WAIT)
        yield from render_chunk(renderer, cards, field_names)

    monkeypatch.setattr(parallel, "_render_chunk_with", slow)
    card = project / "cards" / "more.md"
    edit(card, OLD, "HANG")
    deadline = time.monotonic() + WAIT
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = int(pid_file.read_text())
    assert worker != os.getpid()
    os.kill(worker, signal.SIGKILL)

    wait_for(seen, 2, thread)
    assert len(seen) == 2, (seen, thread.is_alive())
    assert seen[1].errors == (
        "internal error: a render worker stopped before it finished (killed?); "
        "the next save builds again",), seen[1]

    edit(card, "HANG", "Less data is needed.")
    wait_for(seen, 3, thread)
    assert len(seen) == 3 and seen[2].ok, seen
    assert seen[2].changes.changed == ("one-benefit",)


def test_a_media_folder_made_while_watching_is_watched_at_once(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    image = (project / "media" / "layers.png").read_bytes()
    shutil.rmtree(project / "media")
    seen: list = []
    stop = threading.Event()
    thread = started(_rebuilder(project), seen.append, stop, seen)
    try:
        assert seen and "layers.png' not found in media/" in " ".join(seen[0].errors), seen
        (project / "media").mkdir()
        (project / "media" / "layers.png").write_bytes(image)
        wait_for(seen, 2, thread)
        assert len(seen) == 2 and seen[1].ok, seen
        # ...and a save inside it, later, is seen too.
        time.sleep(0.3)
        (project / "media" / "layers.png").write_bytes(image + b"\0")
        wait_for(seen, 3, thread)
        assert len(seen) == 3 and seen[2].ok and seen[2].written, seen
    finally:
        stop.set()
        thread.join(timeout=WAIT)


def test_a_card_saved_in_a_folder_made_while_watching_is_built(project, watching):
    seen, thread = watching
    folder = project / "cards" / "new"
    folder.mkdir()
    (folder / "new.md").write_text("# New\n\n## A new question?\n<!-- id: new-q -->\n\n"
                                   "A new answer.\n", encoding="utf-8")
    deadline = time.monotonic() + WAIT
    while not any(o.changes.added == ("new-q",) for o in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(o.changes.added == ("new-q",) for o in seen), seen
    count = len(seen)
    edit(folder / "new.md", "A new answer.", "A newer answer.")
    wait_for(seen, count + 1, thread)
    assert seen[-1].changes.changed == ("new-q",), seen


@pytest.mark.parametrize("debug", [True, False])
def test_the_command_prints_the_traceback_under_deckbuild_debug(project, monkeypatch, debug):
    def two_builds(rebuilder, report, *args, **kwargs):
        report(rebuilder.rebuild())
        _boom_on("BOOM", monkeypatch)
        edit(project / "cards" / "more.md", OLD, "BOOM")
        report(rebuilder.rebuild())

    monkeypatch.setattr(watch_module, "run", two_builds)
    if debug:
        monkeypatch.setenv("DECKBUILD_DEBUG", "1")
    else:
        monkeypatch.delenv("DECKBUILD_DEBUG", raising=False)
    result = CliRunner().invoke(cli, ["--project", str(project), "watch",
                                      "--timestamp", str(NOW)])
    assert result.exit_code == 0, result.output
    assert "Error: internal error: RuntimeError: injected bug" in result.stderr
    assert ("Traceback (most recent call last)" in result.stderr) is debug
    assert result.stdout.rstrip().endswith("Stopped watching.")
