"""Helpers for the crash, concurrency and injected-failure tests: a project's written state."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from support import REPO, read_apkg

BUILD_PY = REPO / "build.py"
CACHE = Path(".deckbuild-cache") / "cache.sqlite"


@dataclass(frozen=True)
class State:
    """What a build writes: files in dist/ (temporary ones apart), the lock, cache rows."""

    dist: dict[str, bytes]
    lock: bytes | None
    cache: dict[str, tuple[bytes, str]]
    debris: tuple[str, ...]  # temporary files left beside outputs


def cache_rows(project: Path) -> dict[str, tuple[bytes, str]]:
    """Every cache entry, after checking the database and each entry's checksum.

    Opening the database rolls back a transaction a killed build left unfinished, as the
    next build would.
    """
    path = project / CACHE
    if not path.exists():
        return {}
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        rows = conn.execute("SELECT key, value, sum FROM entries").fetchall() \
            if "entries" in tables else []
    finally:
        conn.close()
    for key, value, checksum in rows:
        assert checksum == f"crc32:{zlib.crc32(value):08x}", f"damaged cache entry {key}"
    return {key: (value, checksum) for key, value, checksum in rows}


def state(project: Path) -> State:
    dist = project / "dist"
    files = sorted(p for p in dist.rglob("*") if p.is_file()) if dist.exists() else []
    lock = project / "deck.lock.json"
    # Temporary files, and everything in temporary folders (a staged kit or preview).
    debris = [p for p in files if any(part.startswith(".") for part in p.relative_to(dist).parts)]
    debris += [p for p in project.glob(".*.tmp")] + list((project / "cards").rglob(".*.tmp"))
    return State({str(p.relative_to(dist)): p.read_bytes() for p in files if p not in debris},
                 lock.read_bytes() if lock.exists() else None, cache_rows(project),
                 tuple(sorted(str(p.relative_to(project)) for p in debris)))


def assert_old_or_new(mid: State, old: State, new: State) -> None:
    """Each output in `mid` is whole: as it was before, or as the completed build left it."""
    assert mid.lock in (old.lock, new.lock), "lock file is neither the old nor the new one"
    for name in set(mid.dist) | set(old.dist) | set(new.dist):
        assert mid.dist.get(name) in (old.dist.get(name), new.dist.get(name)), name
    # A folder of outputs (a release's share kit) is whole too: all of the old or the new.
    for folder in {name.rsplit("/", 1)[0] for name in mid.dist if "/" in name}:
        inside = {n: d for n, d in mid.dist.items() if n.startswith(folder + "/")}
        assert inside in ({n: d for n, d in old.dist.items() if n.startswith(folder + "/")},
                          {n: d for n, d in new.dist.items() if n.startswith(folder + "/")}), folder
    for key, row in mid.cache.items():
        assert row in (old.cache.get(key), new.cache.get(key)), f"cache entry {key}"
    assert new.debris == (), new.debris  # the next build cleared what a killed one left


def assert_package_agrees_with_lock(project: Path) -> None:
    """The package in dist/ carries the mod times the lock records: one build wrote both."""
    import json

    lock = json.loads((project / "deck.lock.json").read_text())
    mods = {entry["guid"]: entry["mod"] for entry in lock["notes"].values()}
    packages = sorted((project / "dist").glob("*.apkg"))
    assert packages
    notes = read_apkg(packages[-1])["notes"]
    assert {guid: mod for _, guid, _, mod, _, _ in notes} == {
        guid: mods[guid] for _, guid, *_ in notes}


def command(project: Path, *args: str) -> list[str]:
    return [sys.executable, str(BUILD_PY), "--project", str(project), *args]


def spawn(project: Path, *args: str, tmp: Path) -> subprocess.Popen[bytes]:
    """A build process of its own (its own session, so a kill reaches nothing else)."""
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen(command(project, *args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, start_new_session=True)


def run(project: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    process = spawn(project, *args, tmp=tmp)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)
