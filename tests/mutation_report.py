"""The mutation score of `make mutation`, per module, against tests/mutation-equivalents.txt.

Reads the results mutmut left in mutants/ (one `<module>.py.meta` per mutated module) and
prints killed/total per module, and the score: killed / (total - listed equivalents), the
mutants that can change behaviour. Exits 1 when a module scores under 90%, when a mutant
survived that the equivalents file does not list (with the reason it cannot change
behaviour), or when that file lists a mutant that no longer survives: either a test now
kills it, or the code changed and its name points at another mutation.

    python tests/mutation_report.py [MODULE ...]    # e.g. release.diff guards; default: all

A MODULE is a dotted path under deckbuild/ (`package.blockzip`) or a file's stem (`diff`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.txt"
TARGET = 0.90
# mutmut's exit codes: a test failed (1), pytest broke (3), or the mutant ran out of time.
KILLED = {1, 3, 24, -24, 36, 152, 255}
TIMEOUT = {24, -24, 36, 152, 255}
NAMES = {0: "survived", 5: "no tests", 33: "no tests"}


def modules() -> list[str]:
    """The mutated modules, as `deckbuild/x/y.py`, from [tool.mutmut] only_mutate (whose
    patterns are expanded; a package's __init__.py, which holds no code, is left out)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[str] = []
    for pattern in config["tool"]["mutmut"]["only_mutate"]:
        paths = sorted(ROOT.glob(pattern.replace("/*", "/**/*"))) if "*" in pattern \
            else [ROOT / pattern]
        for path in paths:
            name = path.relative_to(ROOT).as_posix()
            if name not in found and path.name != "__init__.py":
                found.append(name)
    return found


def dotted(module: str) -> str:
    """`deckbuild/package/blockzip.py` -> `package.blockzip`."""
    return module.removesuffix(".py").replace("/", ".").removeprefix("deckbuild.")


def chosen_by(argv: list[str], module: str) -> bool:
    """Whether MODULE arguments name this module: by dotted path or stem; none: all."""
    return not argv or dotted(module) in argv or Path(module).stem in argv


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> the reason it cannot change behaviour."""
    listed: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path.name}:{number}: {name} has no reason")
        listed[name] = reason.strip()
    return listed


def results(module: str) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code for it (None: not run)."""
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        raise SystemExit(f"{meta.relative_to(ROOT)} is missing: run `make mutation` first")
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def main(argv: list[str]) -> int:
    chosen = [m for m in modules() if chosen_by(argv, m)]
    listed = equivalents()
    failed = False
    print(f"{'module':<28} {'killed':>7} {'total':>6} {'equivalent':>10} {'killed/total':>12}"
          f" {'score':>6}  timeout  not run")
    sums = [0, 0, 0, 0, 0]
    for module in chosen:
        codes = results(module)
        killed = sum(code in KILLED for code in codes.values())
        timeouts = sum(code in TIMEOUT for code in codes.values())
        not_run = sum(code is None for code in codes.values())
        alive = {name: code for name, code in codes.items()
                 if code not in KILLED and code is not None}
        explained = [name for name in alive if name in listed]
        score = _row(dotted(module), killed, len(codes), len(explained), timeouts, not_run)
        sums = [a + b for a, b in zip(sums, (killed, len(codes), len(explained), timeouts,
                                             not_run), strict=True)]
        if not_run:
            print(f"  {not_run} mutants not run yet (an interrupted run: `mutmut run` resumes it)")
            failed = True
        if score < TARGET:
            print(f"  under {TARGET:.0%}")
            failed = True
        for name, code in sorted(alive.items()):
            if name not in listed:
                print(f"  {NAMES.get(code, f'exit {code}')}: {name}  (kill it with a test, or "
                      f"list it in {EQUIVALENTS.name} with the reason it changes nothing)")
                failed = True
        prefix = module.removesuffix(".py").replace("/", ".") + "."
        for name in sorted(n for n in listed if n.startswith(prefix) and n not in alive
                           and codes.get(n, 0) is not None):
            state = "is killed now" if name in codes else "no longer exists"
            print(f"  {EQUIVALENTS.name} lists {name}, which {state}: remove it")
            failed = True
    if len(chosen) > 1:
        _row("all", *sums)
    return 1 if failed else 0


def _row(name: str, killed: int, total: int, equivalent: int, timeouts: int,
         not_run: int) -> float:
    """Print one line of the table; return the score (killed of the non-equivalent)."""
    score = killed / (total - equivalent) if total > equivalent else 1.0
    print(f"{name:<28} {killed:>7} {total:>6} {equivalent:>10} "
          f"{killed / total if total else 1.0:>12.1%} {score:>6.1%}  {timeouts:>7}  {not_run:>7}")
    return score


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
