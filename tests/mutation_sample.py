"""`make mutation-sample`: a seeded random sample of the mutants of every mutated module,
as many as fit in a time budget; fails on a survivor not listed as equivalent.

The seed is the commit (`git rev-parse HEAD`), so a commit always draws the same mutants
and each commit draws others. The sample's size is calibrated from measured times, not
fixed: mutmut times every selected test once (its stats run, which also maps each
mutated function to the tests that call it), and a mutant costs at most the time of the
tests that call its function (all of them when it survives; a killed one stops at its
first failing test). The mutants are taken in the seeded order while the sum of those
times, over the workers, fits in what is left of the budget after the stats run and
mutmut's clean run of the same tests. Should the machine be slower than measured, the run
is stopped at the budget and the mutants not reached are reported as not run (not a
failure). The mutants listed in tests/mutation-equivalents.txt are not drawn.

    python tests/mutation_sample.py --seed SHA [--budget SECONDS] [--children N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from typing import IO

from mutation_report import KILLED, NAMES, ROOT, TIMEOUT, dotted, equivalents, modules

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

# What a mutant costs besides its tests: mutmut forks a worker, and records the verdict.
PER_MUTANT = 0.3
# mutmut's stats run traces every call: the tests run faster without it; not counted.
MUTMUT = [sys.executable, "-m", "mutmut"]


def generate() -> None:
    """mutmut's mutants of every module in only_mutate, in mutants/ (no test is run)."""
    from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
    (ROOT / "mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    create_mutants(os.cpu_count() or 2)


def sampled_modules() -> list[str]:
    """The modules the sample draws from, as `deckbuild/x/y.py`: those of only_mutate that
    [tool.mutation-sample] modules lists, the ones whose full run reached the bar
    (docs/testing.md); all of them when it lists none."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = config.get("tool", {}).get("mutation-sample", {}).get("modules", [])
    unknown = set(listed) - {dotted(m) for m in modules()}
    if unknown:
        raise SystemExit(f"[tool.mutation-sample] modules names modules that only_mutate "
                         f"does not: {', '.join(sorted(unknown))}")
    return [m for m in modules() if not listed or dotted(m) in listed]


def all_mutants() -> dict[str, str]:
    """Mutant name -> its module (dotted), for every module the sample draws from."""
    found: dict[str, str] = {}
    for module in sampled_modules():
        meta = ROOT / "mutants" / f"{module}.meta"
        for name in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]:
            found[name] = dotted(module)
    return found


def estimates(names: list[str], children: int) -> dict[str, float]:
    """Mutant name -> seconds its tests took in mutmut's stats run (0: no test calls it).

    The stats run (every selected test once, timed and traced to map each mutated
    function to the tests that call it) runs here, in this process, where generate() put
    the mutants first on the import path, as `mutmut run` does; `mutmut run` then reads
    the stats it saved."""
    from mutmut.__main__ import collect_or_load_stats, estimated_worst_case_time
    from mutmut.workers.isolation import get_mutant_runner

    collect_or_load_stats(get_mutant_runner(children))
    return {name: estimated_worst_case_time(name) for name in names}


def tests_by_function() -> tuple[dict[str, set[str]], dict[str, float]]:
    """From mutmut's stats: the tests that call each mutated function, and each test's time."""
    data = json.loads((ROOT / "mutants" / "mutmut-stats.json").read_text(encoding="utf-8"))
    return ({k: set(v) for k, v in data["tests_by_mangled_function_name"].items()},
            data["duration_by_test"])


def draw(names: list[str], seed: str, left: float, children: int,
         cost: dict[str, float], tests_of: dict[str, set[str]],
         duration: dict[str, float]) -> list[str]:
    """The mutants in the seeded order, as many as fit in `left` seconds: each costs its
    tests' time over the workers, and mutmut first runs their tests once unmutated."""
    order = sorted(names)
    random.Random(seed).shuffle(order)
    chosen: list[str] = []
    clean: set[str] = set()
    spent = 0.0
    for name in order:
        tests = tests_of.get(name.partition("__mutmut_")[0], set())
        more = set(tests) - clean
        step = (cost.get(name, 0.0) + PER_MUTANT) / children \
            + sum(duration.get(t, 0.0) for t in more)
        if spent + step > left and chosen:
            break
        chosen.append(name)
        clean |= more
        spent += step
    return chosen


def run(chosen: list[str], children: int, deadline: float, log: IO[bytes]) -> bool:
    """`mutmut run` on the chosen mutants, its output to `log`; stopped at the deadline.
    True when it finished by itself."""
    # In a session of its own, so that mutmut and the workers it forked stop together;
    # mutmut saves each verdict as it comes, so those already given are kept.
    process = subprocess.Popen([*MUTMUT, "run", "--max-children", str(children), *chosen],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 1))
        return True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return False


def verdicts(chosen: list[str], owner: dict[str, str]) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code for it (None: not run)."""
    codes: dict[str, int | None] = {}
    for module in sorted({owner[name] for name in chosen}):
        meta = ROOT / "mutants" / ("deckbuild/" + module.replace(".", "/") + ".py.meta")
        recorded = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        codes.update({n: recorded.get(n) for n in chosen if owner[n] == module})
    return codes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", required=True, help="the commit: git rev-parse HEAD")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds in all")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    start = time.monotonic()
    deadline = start + args.budget
    os.chdir(ROOT)

    generate()
    owner = all_mutants()
    listed = equivalents()
    cost = estimates(list(owner), args.children)
    tests_of, duration = tests_by_function()
    setup = time.monotonic() - start
    candidates = [n for n in owner if n not in listed]
    # What is left, less a margin for mutmut's start (it lists the tests again) and its
    # run of one test that must fail.
    left = deadline - time.monotonic() - 30
    chosen = draw(candidates, args.seed, left, args.children, cost, tests_of, duration)
    print(f"{len(owner):,} mutants in the {len(sampled_modules())} modules sampled (of "
          f"{len(modules())} mutated); "
          f"{len(owner) - len(candidates)} listed as equivalent; stats in {setup:.0f} s; "
          f"seed {args.seed[:12]}: {len(chosen)} drawn to fit {max(left, 0):.0f} s",
          flush=True)
    with open(ROOT / "mutants" / "mutation-sample.log", "wb") as log:
        finished = run(chosen, args.children, deadline, log)
    codes = verdicts(chosen, owner)

    failed = False
    by_module: dict[str, list[int]] = {}
    for name, code in sorted(codes.items()):
        row = by_module.setdefault(owner[name], [0, 0, 0, 0])
        row[0] += 1
        if code is None:
            row[3] += 1
            continue
        if code in KILLED:
            row[1] += 1
            row[2] += code in TIMEOUT
            continue
        print(f"  {NAMES.get(code, f'exit {code}')}: {name}  (`mutmut show {name}`; kill it "
              f"with a test, or list it in tests/mutation-equivalents.txt with the reason "
              f"it changes nothing)")
        failed = True
    print(f"{'module':<28} {'drawn':>6} {'killed':>7} {'timeout':>8} {'not run':>8}")
    for module, (drawn, killed, timeouts, not_run) in sorted(by_module.items()):
        print(f"{module:<28} {drawn:>6} {killed:>7} {timeouts:>8} {not_run:>8}")
    run_count = sum(code is not None for code in codes.values())
    print(f"{run_count} of {len(chosen)} drawn mutants run in "
          f"{time.monotonic() - start:.0f} s" + ("" if finished else " (stopped at the budget)"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
