"""Builds killed with SIGKILL at random moments leave every output whole, and the next succeeds.

Cold builds, rebuilds after an edit and releases, in turn, in one small project. Each runs
in a process of its own, forked from this one with deckbuild already imported (so that fifty
kills take seconds, not a minute of interpreter start-ups), and is killed after a random
delay (seeded: the same moments on every run, as far as the machine's speed allows), then
run again to the end with the same arguments. Builds are deterministic, so that second run
writes exactly what the killed one would have: after the kill, the package, the lock file
and each cache entry must be as they were before or as they are after, and the finished
package must import into Anki. (tests/test_injected_failures.py kills `python build.py`
processes at chosen steps.)
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

from safety_support import assert_old_or_new, assert_package_agrees_with_lock, state
from support import AnkiCollection, make_project

import deckbuild.markdown.render  # noqa: F401
import deckbuild.pipeline  # noqa: F401
import deckbuild.project.buildlock  # noqa: F401 - imported before forking, as the builds need them
from deckbuild.cli import cli

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


def _fork_build(project: Path, args: tuple[str, ...], log: Path) -> int:
    """A build in a child process (its output to `log`); its pid."""
    pid = os.fork()
    if pid == 0:  # the child: run the command line, never return into pytest
        code = 70
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            sys.stdout = sys.stderr = os.fdopen(fd, "w", closefd=False)
            cli(["--project", str(project), *args], obj={}, standalone_mode=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os._exit(code)
    return pid


def _exit_code(pid: int, kill_after: float | None = None) -> int:
    """Wait for the build (SIGKILL it after `kill_after` seconds); its exit code."""
    if kill_after is not None:
        end = time.monotonic() + kill_after
        while time.monotonic() < end:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.002)
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_fifty_kills_leave_whole_outputs_and_the_next_build_succeeds(tmp_path):
    import random

    rng = random.Random(SEED)
    project = make_project(tmp_path / "p", mini=True)
    # A large image that does not compress: writing the package takes a while, so that
    # kills land in it too.
    (project / "media" / "noise.png").write_bytes(random.Random(SEED).randbytes(2 << 20))
    card = project / "cards" / "more.md"
    card.write_text(card.read_text() + "\n![Noise](../media/noise.png)\n\n")
    log = tmp_path / "build.log"
    anki = AnkiCollection(tmp_path / "anki")
    took = dict.fromkeys(KINDS, 0.2)  # how long each kind runs here, to aim the kills
    kills = partial = step = 0
    try:
        while kills < KILLS:
            assert step < 3 * KILLS, f"only {kills} of {step} builds were killed"
            kind = KINDS[step % len(KINDS)]
            args = _prepare(project, kind, step)
            old = state(project)
            delay = rng.uniform(0.05, 1.1) * took[kind]
            killed = _exit_code(_fork_build(project, args, log), delay) == -signal.SIGKILL
            mid = state(project)
            started = time.monotonic()
            assert _exit_code(_fork_build(project, args, log)) == 0, (step, log.read_text())
            took[kind] = max(took[kind] * 0.8, time.monotonic() - started)
            new = state(project)
            assert_old_or_new(mid, old, new)
            assert_package_agrees_with_lock(project)
            kills += killed
            partial += killed and mid != old and mid != new
            # The package in dist/ itself (a release also copies it into its share kit).
            (package,) = [project / "dist" / name for name in new.dist if name.endswith(".apkg")
                          and "/" not in name and new.dist[name] != old.dist.get(name)] or \
                sorted((project / "dist").glob("*.apkg"))[-1:]
            imported = anki.import_package(package)
            assert not imported.conflicting
            assert sorted(anki.col.get_note(n)["Id"] for n in anki.col.find_notes("")) == [
                "freeze-layers", "gradient-step", "one-benefit"]
            step += 1
    finally:
        anki.close()
    # Kills that landed after the build had written part of its outputs (the cache, or
    # the package before the lock file) are the ones that test something; each was whole.
    print(f"{kills} kills in {step} builds; {partial} left some outputs new and some old")
    assert partial >= 1
    # Not checked: a killed build leaves its scratch collection in the system's temporary
    # folder (deckbuild-*), outside the project; the next build cleans only the project.
