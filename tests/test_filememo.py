"""A resident process's memo of what it computed from files: kept while a file's status
is unchanged, never for a file written in the last moments."""

from __future__ import annotations

import os
from pathlib import Path

from deckbuild.speed import filememo
from deckbuild.speed.filememo import FileMemo


def _counting(calls: list[str]):  # type: ignore[no-untyped-def]
    def compute(path: Path) -> bytes:
        calls.append(path.name)
        return path.read_bytes()
    return compute


def test_an_unchanged_file_is_read_once_and_a_changed_one_again(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(filememo, "RACY_NS", -10**12)  # every file counts as old enough
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    memo, calls = FileMemo(), []
    assert memo.value(path, "bytes", _counting(calls)) == b"one"
    assert memo.value(path, "bytes", _counting(calls)) == b"one"
    assert calls == ["a.md"]
    path.write_bytes(b"three")  # another size: another status
    assert memo.value(path, "bytes", _counting(calls)) == b"three"
    assert memo.value(path, "other kind", _counting(calls)) == b"three"
    assert calls == ["a.md"] * 3
    (tmp_path / "b.md").write_bytes(b"seven")
    os.replace(tmp_path / "b.md", path)
    assert memo.value(path, "bytes", _counting(calls)) == b"seven"  # another inode


def test_a_file_written_just_now_is_read_again(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    memo, calls = FileMemo(), []
    for _ in range(3):
        assert memo.value(path, "bytes", _counting(calls)) == b"one"
    assert calls == ["a.md"] * 3  # a same-size rewrite in the same clock tick would hide


def test_without_a_memo_it_always_computes(tmp_path: Path):
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    calls: list[str] = []
    for _ in range(2):
        assert filememo.value(None, path, "bytes", _counting(calls)) == b"one"
    assert calls == ["a.md"] * 2


def test_a_file_is_trusted_only_once_both_its_times_are_past_the_racy_window(tmp_path: Path,
                                                                            monkeypatch):
    """At exactly RACY_NS after its last change a file is still read again; after it, not. A
    modification time in the future (an archive's, a skewed clock's) keeps it racy."""
    path = tmp_path / "a.md"
    path.write_bytes(b"one")
    stat = path.stat()
    changed = max(stat.st_mtime_ns, stat.st_ctime_ns)
    calls: list[str] = []
    for now, kept in ((changed + filememo.RACY_NS, False), (changed + filememo.RACY_NS + 1, True)):
        monkeypatch.setattr(filememo.time, "time_ns", lambda now=now: now)
        memo = FileMemo()
        for _ in range(2):
            memo.value(path, "bytes", _counting(calls))
        assert len(calls) == (1 if kept else 2)
        calls.clear()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 3600 * 10**9))  # an hour ahead
    stat = path.stat()
    monkeypatch.setattr(filememo.time, "time_ns", lambda: stat.st_ctime_ns + 10 * 10**9)
    memo = FileMemo()
    for _ in range(2):
        memo.value(path, "bytes", _counting(calls))
    assert len(calls) == 2
