"""Edit-to-package in a resident process, one LivePackage kept across builds (run by bench/run.py).

    python bench/live.py PROJECT N REPEATS TIMESTAMP OUT.json

Builds PROJECT once (a package from scratch, kept), then REPEATS times edits one card
(synth.edit_one_card) and builds again as `watch` does: one Rebuilder, with its memory of
the last build and the kept package as the writer. For each edit it times the whole build and the
package step: the writer's add() and finish() (comparing notes, updating rows, hashing
the collection, deflating changed blocks, writing the zip; not the lock's text, which
finish() only calls) plus putting the outputs in place (fsync and rename). Writes the
medians and the first build's time to OUT.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import synth

sys.path.insert(0, str(synth.REPO))

from deckbuild.live.livepackage import LivePackage  # noqa: E402
from deckbuild.live.watch import Rebuilder  # noqa: E402
from deckbuild.package.writer import PassingWriter  # noqa: E402
from deckbuild.project import atomic  # noqa: E402
from deckbuild.project.buildlock import project_lock  # noqa: E402
from deckbuild.project.config import load_config  # noqa: E402


class Timed:
    """A writer factory that adds the time spent in its writers to `seconds`."""

    patches = True  # as LivePackage: its own patched package is up to date for it

    def __init__(self, live: LivePackage) -> None:
        self.live = live
        self.seconds = 0.0

    def __call__(self, *args, **kwargs) -> TimedWriter:
        return TimedWriter(self, self.live(*args, **kwargs))

    def timed(self, fn, *args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


class TimedWriter(PassingWriter):
    def __init__(self, timer: Timed, writer) -> None:
        super().__init__(writer)
        self._timer = timer

    def add(self, *args, **kwargs) -> None:
        self._timer.timed(self._writer.add, *args, **kwargs)

    def finish(self, spec, target, meanwhile=lambda: None, outputs=None):
        """Timed, less `meanwhile` (the lock's text: the build's work, not the package's)."""
        aside = 0.0

        def timed_meanwhile():
            nonlocal aside
            started = time.perf_counter()
            try:
                return meanwhile()
            finally:
                aside += time.perf_counter() - started

        try:
            return self._timer.timed(self._writer.finish, spec, target, timed_meanwhile, outputs)
        finally:
            self._timer.seconds -= aside


def main() -> None:
    project, n, repeats, stamp, out = (Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                       int(sys.argv[4]), Path(sys.argv[5]))
    live = LivePackage()
    timer = Timed(live)
    commit = atomic.Staged.commit
    atomic.Staged.commit = lambda self: timer.timed(commit, self)  # outputs put in place
    load_config(project).package_path.unlink(missing_ok=True)  # else up to date at once
    now = [stamp]
    rebuilder = Rebuilder(project, lambda: load_config(project), lambda: now[0], project_lock,
                          package=timer)
    started = time.perf_counter()
    first = rebuilder.rebuild()
    assert first.ok and first.written, first
    results = {"first": time.perf_counter() - started, "package": [], "build": []}
    for r in range(repeats):
        synth.edit_one_card(project, n, 1000 + r)
        now[0] = stamp + 1 + r
        timer.seconds = 0.0
        started = time.perf_counter()
        outcome = rebuilder.rebuild()
        results["build"].append(time.perf_counter() - started)
        results["package"].append(timer.seconds)
        assert outcome.ok and outcome.written and len(outcome.changes.changed) == 1, outcome
    live.close()
    out.write_text(json.dumps({"first": results["first"],
                               "package": statistics.median(results["package"]),
                               "build": statistics.median(results["build"])}))


if __name__ == "__main__":
    main()
