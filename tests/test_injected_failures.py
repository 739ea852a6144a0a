"""The package writer, the lock writer and the cache fail on purpose, at each of their steps.

An exception, a full disk (ENOSPC) or a kill, injected into the low-level calls they make:
a failed build must leave dist/, deck.lock.json and the cache byte for byte as they were,
and the next build must write exactly what an undisturbed build writes.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from safety_support import (
    BUILD_PY,
    CACHE,
    assert_old_or_new,
    assert_package_agrees_with_lock,
    state,
)
from support import make_project

from deckbuild.cli import cli
from deckbuild.package import archive
from deckbuild.project import atomic
from deckbuild.speed.cache import RenderCache

BEFORE, AFTER = "1700000000", "1700000500"
PACKAGE = "transfer-learning-interview-questions-1.0.0.apkg"


class Killed(BaseException):
    """Stands for a kill: not an Exception, so only `finally` and `except BaseException` run."""


def full_disk() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def build(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), "build", "--timestamp", AFTER,
                                    *args], obj={})


@pytest.fixture
def project(tmp_path):
    """A built project with one card edited since: the next build rewrites everything."""
    root = make_project(tmp_path / "p", mini=True)
    result = CliRunner().invoke(cli, ["--project", str(root), "build", "--timestamp", BEFORE],
                                obj={})
    assert result.exit_code == 0, result.output
    card = root / "cards" / "more.md"
    card.write_text(card.read_text().replace("Training converges faster.", "Faster training."))
    return root


@pytest.fixture
def expected(project, tmp_path):
    """What the edited project's build writes when nothing goes wrong."""
    reference = tmp_path / "reference"
    shutil.copytree(project, reference)
    assert build(reference).exit_code == 0
    return (reference / "dist" / PACKAGE).read_bytes(), (reference / "deck.lock.json").read_bytes()


def files(project: Path) -> dict[str, bytes]:
    """The bytes of every file a build may write, temporary ones included."""
    found = {}
    for folder in (project / "dist", project / CACHE.parent):
        for path in folder.rglob("*"):
            if path.is_file() and path.name != "build.lock":
                found[str(path.relative_to(project))] = path.read_bytes()
    found.update({p.name: p.read_bytes() for p in project.glob("*.json*")})
    return found


def assert_untouched_then_rebuilt(project: Path, before: dict[str, bytes],
                                  expected: tuple[bytes, bytes]) -> None:
    assert files(project) == before
    result = build(project)
    assert result.exit_code == 0, result.output
    assert (project / "dist" / PACKAGE).read_bytes() == expected[0]
    assert (project / "deck.lock.json").read_bytes() == expected[1]
    assert state(project).debris == ()


# --- in this process: exceptions, a full disk, a kill as a BaseException ---------------------

def _nth_call(real, n: int, error: BaseException, paths: str = ""):
    """`real`, except that its n-th call (on a path containing `paths`) raises `error`."""
    calls = []

    def call(*args, **kwargs):
        if paths in str(args[-1] if args else ""):
            calls.append(args)
            if len(calls) == n:
                raise error
        return real(*args, **kwargs)

    return call


class _FillingFile:
    """A file that takes `room` bytes, then reports a full disk (after a partial write)."""

    def __init__(self, f, room: int) -> None:
        self._f, self._room = f, room

    def write(self, data) -> int:
        if len(data) > self._room:
            self._f.write(data[:self._room])
            self._room = 0
            raise full_disk()
        self._room -= len(data)
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _open_filling(room: int, suffix: str):
    def fake_open(file, mode="r", *args, **kwargs):
        f = open(file, mode, *args, **kwargs)  # noqa: SIM115 - handed to the wrapper
        return _FillingFile(f, room) if "w" in mode and suffix in str(file) else f

    return fake_open


FULL, IO, BUG = ("Error: No space left on device", "Error: I/O error",
                 "Error: internal error: RuntimeError: zlib")
# (how to fail, the first line of the error: the disk's errors are reported as such,
# anything else as a bug to report)
PACKAGE_FAILURES = {
    # The zip is being written into its temporary file when the disk fills up.
    "zip: disk full part-way": (lambda mp: mp.setattr(
        archive, "open", _open_filling(3000, ".tmp"), raising=False), FULL),
    "zip: an error in the deflate": (lambda mp: mp.setattr(
        archive, "_deflate_block", _nth_call(archive._deflate_block, 2, RuntimeError("zlib"))),
        BUG),
    "package: flush to disk fails": (lambda mp: mp.setattr(
        atomic.os, "fsync", _nth_call(os.fsync, 1, full_disk())), FULL),
    "package: rename fails": (lambda mp: mp.setattr(
        atomic.os, "replace", _nth_call(os.replace, 1, OSError(errno.EIO, "I/O error"),
                                        ".apkg")), IO),
}
LOCK_FAILURES = {
    "lock: disk full while written": (lambda mp: mp.setattr(
        atomic, "open", _open_filling(100, "deck.lock.json"), raising=False), FULL),
    "lock: flush to disk fails": (lambda mp: mp.setattr(
        atomic.os, "fsync", _nth_call(os.fsync, 2, full_disk())), FULL),
    # The package is already in place: it must be put back.
    "lock: rename fails": (lambda mp: mp.setattr(
        atomic.os, "replace", _nth_call(os.replace, 1, full_disk(), "deck.lock.json")), FULL),
}


@pytest.mark.parametrize("inject,message",
                         [*PACKAGE_FAILURES.values(), *LOCK_FAILURES.values()],
                         ids=[*PACKAGE_FAILURES, *LOCK_FAILURES])
def test_a_failure_while_writing_leaves_everything_as_it_was(project, expected, monkeypatch,
                                                              inject, message):
    before = files(project)
    with monkeypatch.context() as mp:
        inject(mp)
        result = build(project)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == message
    assert_untouched_then_rebuilt(project, before, expected)


@pytest.mark.parametrize("target", [".apkg", "deck.lock.json"])
def test_a_kill_at_either_rename_leaves_everything_as_it_was(project, expected, monkeypatch,
                                                             target):
    before = files(project)
    with monkeypatch.context() as mp:
        mp.setattr(atomic.os, "replace", _nth_call(os.replace, 1, Killed(), target))
        with pytest.raises(Killed):
            build(project)
    assert_untouched_then_rebuilt(project, before, expected)


class _FailingConnection:
    """A cache connection whose inserts fail after SQLite has run them (mid-transaction)."""

    def __init__(self, conn: sqlite3.Connection, error: BaseException) -> None:
        self._conn, self._error = conn, error

    def executemany(self, sql, rows):
        self._conn.executemany(sql, rows)
        if sql.startswith("INSERT OR REPLACE"):
            raise self._error
        return None

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("error", [RuntimeError("cache bug"), Killed()],
                         ids=["exception", "kill"])
def test_a_failure_while_the_cache_is_written_leaves_everything_as_it_was(
        project, expected, monkeypatch, error):
    before = files(project)
    real = RenderCache._connect
    with monkeypatch.context() as mp:
        mp.setattr(RenderCache, "_connect", lambda self: _FailingConnection(real(self), error))
        if isinstance(error, Exception):
            assert build(project).exit_code == 1
        else:
            with pytest.raises(Killed):
                build(project)
    assert_untouched_then_rebuilt(project, before, expected)


def test_a_full_disk_in_the_cache_only_costs_speed(project, expected, monkeypatch):
    """The cache is optional: when SQLite finds the disk full the build goes on without it,
    and the cache keeps exactly the entries it had."""
    rows = state(project).cache
    real = RenderCache._connect
    full = sqlite3.OperationalError("database or disk is full")  # what SQLite raises
    with monkeypatch.context() as mp:
        mp.setattr(RenderCache, "_connect", lambda self: _FailingConnection(real(self), full))
        result = build(project)
        assert result.exit_code == 0, result.output
    assert state(project).cache == rows
    assert (project / "dist" / PACKAGE).read_bytes() == expected[0]
    assert (project / "deck.lock.json").read_bytes() == expected[1]
    assert build(project).exit_code == 0
    assert state(project).cache != rows  # the next build fills the cache again


# --- a real SIGKILL between two steps, in a build process of its own ------------------------

KILLER = textwrap.dedent("""
    import os, signal, sys
    step, nth, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    def killing(real):
        calls = []
        def call(*a, **k):
            calls.append(a)
            if len(calls) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*a, **k)
        return call
    if step == "cache":
        from deckbuild.speed.cache import RenderCache
        RenderCache._prune = killing(RenderCache._prune)  # inside the cache's transaction
    else:
        setattr(os, step, killing(getattr(os, step)))
    sys.argv = ["build.py", *args]
    sys.path.insert(0, os.path.dirname(sys.argv[0]))
    from deckbuild.cli import main
    main()
""")


@pytest.mark.parametrize("step,nth", [("cache", 1), ("fsync", 1), ("fsync", 2), ("replace", 1),
                                      ("replace", 2)],
                         ids=["mid-cache-transaction", "before-package-flush",
                              "before-lock-flush", "before-package-rename",
                              "between-package-and-lock-renames"])
def test_a_build_killed_between_steps_leaves_whole_outputs(project, expected, tmp_path, step,
                                                           nth):
    old = state(project)
    before = files(project)
    args = ["--project", str(project), "build", "--timestamp", AFTER]
    killed = subprocess.run([sys.executable, "-c", KILLER, step, str(nth), *args],
                            cwd=BUILD_PY.parent, capture_output=True, timeout=120,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    mid = state(project)
    if step == "replace" and nth == 2:
        # The one state a kill can leave that is neither before nor after: the new package
        # beside the old lock file, each whole. The next build makes them agree.
        assert mid.dist[PACKAGE] == expected[0] and mid.lock == old.lock
    else:
        assert {k: v for k, v in files(project).items() if ".tmp" not in k} == before
    result = build(project)
    assert result.exit_code == 0, result.output
    new = state(project)
    assert_old_or_new(mid, old, new)
    assert new.dist[PACKAGE] == expected[0] and new.lock == expected[1]
    assert_package_agrees_with_lock(project)
