"""A `watch` process under test: started, its lines read as they come, stopped with a signal."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from safety_support import spawn

WAIT = 120.0  # seconds: generous, the machine may be loaded


class Watching:
    """`build.py watch` on a project; stdout and stderr lines are queued as they arrive."""

    def __init__(self, project: Path, *args: str, tmp: Path) -> None:
        self.process = spawn(project, "watch", "--timestamp", "1700000000", *args, tmp=tmp)
        self.out: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        self._err_lines: queue.Queue[str] = queue.Queue()
        self._pumps = [threading.Thread(target=self._pump, args=(stream, sink), daemon=True)
                       for stream, sink in ((self.process.stdout, self.out.put),
                                            (self.process.stderr, self._keep_err))]
        for pump in self._pumps:
            pump.start()

    def _keep_err(self, line: str) -> None:
        self.err.append(line)
        self._err_lines.put(line)

    @staticmethod
    def _pump(stream, sink) -> None:
        for raw in stream:
            sink(raw.decode("utf-8", "replace").rstrip("\n"))

    def line(self, pattern: str, timeout: float = WAIT) -> str:
        """The next stdout line matching `pattern` (earlier lines are skipped)."""
        return self._next(self.out, pattern, timeout)

    def err_line(self, pattern: str, timeout: float = WAIT) -> str:
        return self._next(self._err_lines, pattern, timeout)

    def _next(self, lines: queue.Queue[str], pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} within {timeout} s; "
                                     f"stderr: {self.err}") from None
            if re.search(pattern, line):
                return line

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Send `sig`; the exit status, once every line the process wrote has been read."""
        self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        for pump in self._pumps:
            pump.join(timeout=WAIT)
        return status

    def __enter__(self) -> Watching:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=WAIT)


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must be there) in a file, as many editors save: a temporary file
    beside it, renamed over it (so that no rebuild can see it half-written)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    scratch = path.with_name(f".{path.name}.edit.tmp")
    scratch.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.replace(scratch, path)


def started(rebuilder, report, stop: threading.Event, seen: list,
            **options: int) -> threading.Thread:
    """watch's loop (`run`) in a thread, returned once it has reported its first build."""
    from deckbuild.live.watch import run

    thread = threading.Thread(target=run, args=(rebuilder, report, stop), kwargs=options,
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    return thread


def wait_for(seen: list, count: int, thread: threading.Thread | None = None,
             timeout: float = WAIT) -> None:
    """Until `seen` holds `count` reports (or the loop's thread has ended, or time is up)."""
    deadline = time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline \
            and (thread is None or thread.is_alive()):
        time.sleep(0.05)
