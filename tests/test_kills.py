"""Builds killed with SIGKILL at random moments leave every output whole, and the next succeeds.

Cold builds, rebuilds after an edit and releases, in turn, in one small project. Each is
started as its own process and killed after a random delay (seeded: the same moments on
every run, as far as the machine's speed allows), then run again to the end with the same
arguments. Builds are deterministic, so that second run writes exactly what the killed one
would have: after the kill, the package, the lock file and each cache entry must be as they
were before or as they are after, and the finished package must import into Anki.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from safety_support import assert_old_or_new, assert_package_agrees_with_lock, run, spawn, state
from support import AnkiCollection, make_project

SEED = 20261130
KILLS = 50
KINDS = ("cold", "edit", "release")


def _prepare(project: Path, kind: str, step: int) -> tuple[str, ...]:
    """Change the project for this step; the command to run."""
    now = str(1_700_000_000 + 1000 * step)
    card = project / "cards" / "more.md"
    if kind == "cold":
        shutil.rmtree(project / "dist", ignore_errors=True)
        shutil.rmtree(project / ".deckbuild-cache", ignore_errors=True)
        (project / "deck.lock.json").unlink(missing_ok=True)
        return ("build", "--timestamp", now)
    card.write_text(card.read_text() + f"- Reason {step}.\n")
    if kind == "edit":
        return ("build", "--timestamp", now)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(re.sub(r'(?m)^version = "[^"]*"$', f'version = "1.{step}.0"',
                                pyproject.read_text(), count=1))
    return ("release", "--timestamp", now)


def _kill_after(process: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL the build after `delay` seconds unless it ended; whether it was killed."""
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    process.communicate()
    return process.returncode == -signal.SIGKILL


def test_fifty_kills_leave_whole_outputs_and_the_next_build_succeeds(tmp_path):
    import random

    rng = random.Random(SEED)
    project = make_project(tmp_path / "p", mini=True)
    tmp = tmp_path / "tmp"
    anki = AnkiCollection(tmp_path / "anki")
    took = dict.fromkeys(KINDS, 0.6)  # how long each kind runs here, to aim the kills
    kills = partial = step = 0
    try:
        while kills < KILLS:
            assert step < 3 * KILLS, f"only {kills} of {step} builds were killed"
            kind = KINDS[step % len(KINDS)]
            args = _prepare(project, kind, step)
            old = state(project)
            process = spawn(project, *args, tmp=tmp)
            killed = _kill_after(process, rng.uniform(0.05, 1.1) * took[kind])
            mid = state(project)
            started = time.monotonic()
            done = run(project, *args, tmp=tmp)
            took[kind] = max(took[kind] * 0.8, time.monotonic() - started)
            assert done.returncode == 0, (step, kind, done.stderr.decode())
            new = state(project)
            assert_old_or_new(mid, old, new)
            assert_package_agrees_with_lock(project)
            kills += killed
            partial += killed and mid != old and mid != new
            (package,) = [project / "dist" / name for name in new.dist if name.endswith(".apkg")
                          and new.dist[name] != old.dist.get(name)] or \
                sorted((project / "dist").glob("*.apkg"))[-1:]
            log = anki.import_package(package)
            assert not log.conflicting
            assert sorted(anki.col.get_note(n)["Id"] for n in anki.col.find_notes("")) == [
                "freeze-layers", "gradient-step", "one-benefit"]
            step += 1
    finally:
        anki.close()
    # Kills that landed after the build had written part of its outputs (the cache, or
    # the package before the lock file) are the ones that test something; each was whole.
    print(f"{kills} kills in {step} builds; {partial} left some outputs new and some old")
    assert partial >= 1
    # Not checked: a killed build leaves its scratch collection in TMPDIR (deckbuild-*),
    # outside the project; only the project's own folders are cleaned by the next build.
