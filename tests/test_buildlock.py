"""Builds in one project run one at a time: the second waits for the first and says so."""

from __future__ import annotations

import queue
import threading
import time

from safety_support import assert_package_agrees_with_lock, run, spawn, state
from support import AnkiCollection, make_project

from deckbuild.project.buildlock import project_lock
from deckbuild.project.config import load_config

WAITING = b"Waiting for another build in this project (.deckbuild-cache/build.lock)..."


def _lines(stream) -> queue.Queue[bytes]:
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def test_a_build_waits_while_another_holds_the_lock_and_says_so(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    with project_lock(load_config(project)):
        process = spawn(project, "build", "--timestamp", "1700000000", tmp=tmp_path / "tmp")
        first = _lines(process.stderr).get(timeout=60)
        assert first.rstrip(b"\n") == WAITING
        time.sleep(0.3)
        assert process.poll() is None  # still waiting, and nothing written
        assert not (project / "dist").exists() and not (project / "deck.lock.json").exists()
    out = process.stdout.read()
    assert process.wait(timeout=60) == 0
    assert b"Built " in out
    assert_package_agrees_with_lock(project)


def test_release_and_ids_take_the_lock_too(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": "# A\n\n## What is it?\n\nThis.\n"})
    with project_lock(load_config(project)):
        ids = spawn(project, "ids", tmp=tmp_path / "tmp")
        assert _lines(ids.stderr).get(timeout=60).rstrip(b"\n") == WAITING
        assert "id:" not in (project / "cards" / "a.md").read_text()
    assert ids.wait(timeout=60) == 0
    with project_lock(load_config(project)):
        release = spawn(project, "release", tmp=tmp_path / "tmp")
        assert _lines(release.stderr).get(timeout=60).rstrip(b"\n") == WAITING
    assert release.wait(timeout=60) == 0


def test_twenty_concurrent_pairs_never_corrupt_anything(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    waited = 0
    for pair in range(20):
        card.write_text(card.read_text() + f"- Reason {pair}.\n")
        second = ("build", "--no-cache") if pair % 4 == 3 else ("build",)
        now = 1_700_000_000 + 100 * pair
        processes = [spawn(project, "build", "--timestamp", str(now), tmp=tmp_path / "tmp"),
                     spawn(project, *second, "--timestamp", str(now + 7), tmp=tmp_path / "tmp")]
        results = [p.communicate(timeout=120) for p in processes]
        for process, (_, err) in zip(processes, results, strict=True):
            assert process.returncode == 0, err.decode()
        waited += sum(WAITING in err for _, err in results)
        after = state(project)  # checks the cache database and every entry
        assert after.debris == ()
        assert_package_agrees_with_lock(project)
    # Each pair started together; had they not been serialised, none would have waited.
    assert waited >= 1, waited
    print(f"{waited} of 40 builds waited")
    assert run(project, "check", tmp=tmp_path / "tmp").returncode == 0
    anki = AnkiCollection(tmp_path / "anki")
    try:
        (package,) = (project / "dist").glob("*.apkg")
        log = anki.import_package(package)
        assert len(log.new) == 3
        (nid,) = anki.col.find_notes('"Id:one-benefit"')
        assert "Reason 19." in anki.col.get_note(nid)["Answer"]
    finally:
        anki.close()



def test_a_cache_busy_with_another_process_is_a_miss_not_damage(tmp_path, monkeypatch):
    """`check` does not take the build lock; when the cache is busy it must not replace it."""
    import sqlite3

    from deckbuild.speed import cache

    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "build", tmp=tmp_path / "tmp").returncode == 0
    rows = state(project).cache
    monkeypatch.setattr(cache, "BUSY_TIMEOUT", 0.05)
    reader = cache.RenderCache(project)  # opened before another process locks the file
    writer = sqlite3.connect(project / ".deckbuild-cache" / "cache.sqlite", isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")  # as a build does while it commits its outputs
        opened = cache.RenderCache(project)  # opened while it is locked
        assert opened.get_many(list(rows)) == {} and reader.get_many(list(rows)) == {}
        opened.close()
        reader.close()
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert state(project).cache == rows
