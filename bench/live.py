"""Edit-to-package in a resident process, one LivePackage kept across builds (run by bench/run.py).

    python bench/live.py PROJECT N REPEATS TIMESTAMP OUT.json

Builds PROJECT once (a package from scratch, kept), then REPEATS times edits one card
(synth.edit_one_card) and builds again through the ordinary pipeline, the render cache
on, with the kept package as the writer. For each edit it times the whole build and the
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
from deckbuild.package.writer import PassingWriter  # noqa: E402
from deckbuild.pipeline import build  # noqa: E402
from deckbuild.project import atomic  # noqa: E402
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
    config = load_config(project)
    config.package_path.unlink(missing_ok=True)  # else the build stops early, up to date
    started = time.perf_counter()
    first = build(config, now=stamp, package=timer)
    assert first.written and first.canonical
    results = {"first": time.perf_counter() - started, "package": [], "build": []}
    for r in range(repeats):
        synth.edit_one_card(project, n, 1000 + r)
        timer.seconds = 0.0
        started = time.perf_counter()
        report = build(load_config(project), now=stamp + 1 + r, package=timer)
        results["build"].append(time.perf_counter() - started)
        results["package"].append(timer.seconds)
        assert report.written and not report.canonical and report.changed == 1
    live.close()
    out.write_text(json.dumps({"first": results["first"],
                               "package": statistics.median(results["package"]),
                               "build": statistics.median(results["build"])}))


if __name__ == "__main__":
    main()
