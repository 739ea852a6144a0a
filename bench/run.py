"""Benchmark: deckbuild on synthetic decks of N cards, against the floor F and peers.

    .venv/bin/python bench/run.py                  # N = 38, 1000, 10000, 100000; every mix
    .venv/bin/python bench/run.py --sizes 38,1000  # a quicker run
    .venv/bin/python bench/run.py --mix code       # one corpus mix only, at --mix-size

The `mixed` corpus runs at every size; each other mix (prose, code, math: bench/mixes.py)
runs at --mix-size, its cold builds taking turns with ankdown's so that both see the
same load, and reports CPU time (user + sys of the process tree) beside wall time.

Each build runs as a child process (`build.py build`), timed from outside with its
peak RSS (largest process of its tree, from wait4). F, the floor, is the same rows
inserted into SQLite with executemany in one transaction plus a deflate-1 zip of the
file, measured in this process. Every time is also printed as a multiple of F.

The engine floor E (bench/engine.py, a child) is the CPU time of the Markdown engine
alone on the deck's fields: one markdown.Markdown with the project's extensions,
convert() on every field. Each mix's cold build is printed as CPU over E, and checked
against 1.25 × (E + F): what is spent around the engine (checks, cache, workers,
package) must stay small beside it, whatever the machine's load does to wall time.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import synth

REPO = synth.REPO
PYTHON = sys.executable
ANKDOWN = Path(__file__).resolve().parent / ".venv-ankdown" / "bin" / "ankdown"
STAMP = 1_700_000_000
MiB = 1024 * 1024


def run_child(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes) of one child process and its descendants."""
    seconds, _, peak = run_timed(cmd, cwd)
    return seconds, peak


def run_timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes) of one child process and its
    descendants (the CPU time of those it waited for, as a build waits for its workers)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def engine_floor(project: Path, repeats: int) -> float:
    """E: median CPU seconds of the bare Markdown engine on every field of the deck."""
    import json

    out = subprocess.run([PYTHON, str(Path(__file__).resolve().parent / "engine.py"),
                          str(project), str(repeats)], check=True, capture_output=True,
                         text=True).stdout
    return float(json.loads(out)["cpu"])


def build(project: Path, stamp: int, *extra: str) -> tuple[float, int]:
    return run_child([PYTHON, str(REPO / "build.py"), "--project", str(project), "build",
                      "--timestamp", str(stamp), *extra])


def package_of(project: Path) -> Path:
    (path,) = (project / "dist").glob("*.apkg")
    return path


def reset(project: Path) -> None:
    """Forget every earlier build: cache, package and lock file."""
    shutil.rmtree(project / ".deckbuild-cache", ignore_errors=True)
    shutil.rmtree(project / "dist", ignore_errors=True)
    for lock in project.glob("*.lock.json"):
        lock.unlink()


def measure_deck(project: Path, n: int, repeats: int) -> dict[str, float]:
    colds, cold_cpus, nochange, edited, rss = [], [], [], [], 0
    for _ in range(repeats):
        reset(project)
        seconds, cpu, peak = run_timed([PYTHON, str(REPO / "build.py"), "--project",
                                        str(project), "build", "--timestamp", str(STAMP)])
        colds.append(seconds)
        cold_cpus.append(cpu)
        rss = max(rss, peak)
    for r in range(repeats):
        seconds, peak = build(project, STAMP + 1 + r)
        nochange.append(seconds)
        rss = max(rss, peak)
    for r in range(repeats):
        synth.edit_one_card(project, n, r)
        seconds, peak = build(project, STAMP + 100 + r)
        edited.append(seconds)
        rss = max(rss, peak)
    return {"cold": statistics.median(colds), "cold_cpu": statistics.median(cold_cpus),
            "engine": engine_floor(project, repeats), "nochange": statistics.median(nochange),
            "edit": statistics.median(edited), "rss": rss,
            "apkg": package_of(project).stat().st_size}


def package_rows(apkg: Path) -> tuple[list[tuple], list[tuple], dict, dict]:
    with zipfile.ZipFile(apkg) as zf, tempfile.TemporaryDirectory() as tmp:
        zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        notes = conn.execute("SELECT * FROM notes ORDER BY id").fetchall()
        cards = conn.execute("SELECT * FROM cards ORDER BY id").fetchall()
        import json

        models, decks = (json.loads(x) for x in conn.execute("SELECT models, decks FROM col")
                         .fetchone())
        conn.close()
    return notes, cards, models, decks


def floor(notes: list[tuple], cards: list[tuple], repeats: int, clock=time.perf_counter) -> float:
    """F: the rows into a fresh schema-11 database in one transaction, then a deflate-1 zip
    (in wall seconds; in CPU seconds with clock=time.process_time)."""
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "collection.anki2"
            started = clock()
            conn = sqlite3.connect(db)
            conn.executescript(APKG_SCHEMA)
            conn.executescript(APKG_COL)
            with conn:
                conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes)
                conn.executemany(
                    "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)
            conn.close()
            with zipfile.ZipFile(Path(tmp) / "f.apkg", "w", zipfile.ZIP_DEFLATED,
                                 compresslevel=1) as zf:
                zf.write(db, "collection.anki2")
            times.append(clock() - started)
    return statistics.median(times)


def genanki_size(notes: list[tuple], cards: list[tuple], models: dict, decks: dict) -> int:
    """Size of a plain (uncompressed) genanki package of the same notes."""
    import logging

    import genanki

    logging.getLogger("genanki").setLevel(logging.ERROR)
    (model_json,) = models.values()
    model = genanki.Model(model_json["id"], model_json["name"],
                          fields=[{"name": f["name"]} for f in model_json["flds"]],
                          templates=[{"name": t["name"], "qfmt": t["qfmt"], "afmt": t["afmt"]}
                                     for t in model_json["tmpls"]], css=model_json["css"])
    by_id = {int(k): genanki.Deck(int(k), d["name"]) for k, d in decks.items() if int(k) != 1}
    deck_of = {nid: did for _, nid, did, *_ in cards}
    for nid, guid, _, _, _, tags, flds, *_ in notes:
        note = genanki.Note(model=model, fields=flds.split("\x1f"), guid=guid, tags=tags.split())
        by_id[deck_of[nid]].add_note(note)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "g.apkg"
        genanki.Package(list(by_id.values())).write_to_file(out)
        return out.stat().st_size


ANKDOWN_MISSING = (f"skipped: {ANKDOWN.relative_to(REPO)} not found (python3 -m venv "
                   "bench/.venv-ankdown && bench/.venv-ankdown/bin/pip install ankdown)")


def ankdown(n: int, work: Path) -> tuple[float | None, str]:
    if not ANKDOWN.exists():
        return None, ANKDOWN_MISSING
    source = synth.write_ankdown(work / f"ankdown-{n}", n)
    return ankdown_command(source, work)[0], "ran"


def ankdown_command(source: Path, work: Path) -> tuple[float, float, int]:
    """One `ankdown --highlight` run on a folder of ankdown cards: wall, CPU, peak RSS."""
    # --config is left out: ankdown 0.7.1 reads it with yaml.load(), which PyYAML 6 refuses.
    return run_timed([str(ANKDOWN), "-r", str(source), "-p", str(work / "ankdown.apkg"),
                      "--highlight"])


def measure_live(project: Path, n: int, repeats: int, work: Path) -> dict[str, float]:
    """Edit-to-package in a resident process (bench/live.py, a child): medians over edits."""
    import json

    out = work / f"live-{n}.json"
    _, rss = run_child([PYTHON, str(Path(__file__).resolve().parent / "live.py"), str(project),
                        str(n), str(repeats), str(STAMP + 10_000), str(out)])
    return {**json.loads(out.read_text()), "rss": rss}


def report_live(r: dict) -> None:
    live, f = r["live"], r["F"]
    print(f"  resident, one edit:  package {ratio(live['package'], f)}; whole build "
          f"{ratio(live['build'], f)} (first {live['first']:.2f} s, peak RSS "
          f"{live['rss'] / MiB:.0f} MiB)")


def live_targets(results: dict) -> list[tuple[str, bool]]:
    """Edit-to-package in the resident process: ≤ 30 ms at 38 cards, ≤ 0.5 F from 10,000.

    Each target is checked twice: for the package step alone (the rows updated, the changed
    blocks deflated, the rename) and for the whole in-process rebuild after the save (the
    pipeline's pass over every note, then the package step)."""
    checks = []
    stages = (("package", "package step"), ("build", "whole rebuild"))
    if "live" in results.get(38, {}):
        live = results[38]["live"]
        checks += [(f"resident edit-to-package ≤ 30 ms at 38, {label} "
                    f"({live[key] * 1000:.1f} ms)", live[key] <= 0.030)
                   for key, label in stages]
    for n in (10000, 100000):
        if "live" in results.get(n, {}):
            r = results[n]
            checks += [(f"resident edit-to-package ≤ 0.5×F at {n:,}, {label} "
                        f"({r['live'][key] / r['F']:.2f}×F)", r["live"][key] <= 0.5 * r["F"])
                       for key, label in stages]
    return checks


def import_floor(repeats: int) -> float:
    return statistics.median(run_child([PYTHON, "-c", "import click, markdown, pygments, genanki"])[0]
                             for _ in range(repeats))


def ratio(x: float, f: float) -> str:
    return f"{x:8.3f} s {x / f:7.2f}×F"


def watch_latency(project: Path, edits: int = 5) -> dict[str, float]:
    """Median seconds from saving a one-card edit to the package written by a resident
    `watch` ("package"), and to the preview page's reload (the event on /events, then the
    new page fetched: "reload"; absent without MathJax). Includes watch's debounce."""
    import json
    import queue
    import re
    import threading
    import urllib.request

    preview = (REPO / "node_modules" / "mathjax" / "es5").is_dir()
    cmd = [PYTHON, "-u", str(REPO / "build.py"), "--project", str(project), "watch",
           "--timestamp", str(STAMP)]
    if preview:
        cmd += ["--preview", "--mathjax", str(REPO / "node_modules" / "mathjax")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or ()], daemon=True).start()
    reloads: queue.Queue[float] = queue.Queue()

    def listen(url: str) -> None:
        seen = None
        with urllib.request.urlopen(url + "events") as events:
            for raw in events:
                if raw.startswith(b"data: "):
                    version = json.loads(raw[6:])["version"]
                    if seen is not None and version != seen:
                        urllib.request.urlopen(url).read()  # the page the browser reloads
                        reloads.put(time.perf_counter())
                    seen = version

    def wait_for(pattern: str) -> str:
        while not re.search(pattern, line := lines.get(timeout=600)):
            pass
        return line

    try:
        if preview:
            url = re.search(r"http://\S+/", wait_for("^Serving")).group(0)  # type: ignore[union-attr]
            threading.Thread(target=listen, args=(url,), daemon=True).start()
        wait_for(" Built in ")
        time.sleep(1.0)  # the event stream is connected
        card = sorted((project / "cards").glob("*.md"))[0]
        original = card.read_text(encoding="utf-8")
        to_package, to_reload = [], []
        for k in range(edits):
            while not reloads.empty():  # the first build's event, if it came after connecting
                reloads.get()
            started = time.perf_counter()
            card.write_text(f"{original}\nEdited {k}.\n", encoding="utf-8")
            wait_for(" Rebuilt in ")
            to_package.append(time.perf_counter() - started)
            if preview:
                to_reload.append(reloads.get(timeout=600) - started)
            time.sleep(0.3)
        card.write_text(original, encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=600)
    result = {"package": statistics.median(to_package)}
    if to_reload:
        result["reload"] = statistics.median(to_reload)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="38,1000,10000,100000",
                        help="comma-separated deck sizes (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "deckbuild-bench",
                        help="scratch folder for the generated decks (default: %(default)s)")
    parser.add_argument("--ankdown-max", type=int, default=10000,
                        help="largest deck to run ankdown on (default: %(default)s)")
    parser.add_argument("--watch-sizes", default="38",
                        help="deck sizes to time a resident `watch` on (default: %(default)s)")
    parser.add_argument("--mix", default=",".join(synth.MIXES),
                        help="comma-separated corpus mixes (default: %(default)s); `mixed` "
                             "runs at every size, the others at --mix-size")
    parser.add_argument("--mix-size", type=int, default=10000,
                        help="deck size for the mixes other than `mixed` (default: %(default)s)")
    args = parser.parse_args()
    chosen = [m.strip() for m in args.mix.split(",") if m.strip()]
    unknown = sorted(set(chosen) - set(synth.MIXES))
    if unknown:
        parser.error(f"unknown mix {', '.join(unknown)} (known: {', '.join(synth.MIXES)})")
    sizes = ([int(s) for s in args.sizes.split(",") if s.strip()] if "mixed" in chosen
             else [])
    args.work.mkdir(parents=True, exist_ok=True)
    # Bytecode for deckbuild, as an installed package has it (pip compiles on install; an
    # editable checkout run with PYTHONDONTWRITEBYTECODE would compile on every start).
    compileall.compile_dir(REPO / "deckbuild", quiet=1)
    print(f"deckbuild benchmark: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"sizes {sizes}")
    results = {}
    for n in sizes:
        project = synth.write_deck(args.work / f"deck-{n}", n)
        repeats = 3 if n <= 10000 else 1
        r = measure_deck(project, n, repeats)
        notes, cards, models, decks = package_rows(package_of(project))
        r["F"] = floor(notes, cards, 3 if n <= 10000 else 1)
        r["F_cpu"] = floor(notes, cards, 3 if n <= 10000 else 1, time.process_time)
        r["genanki"] = genanki_size(notes, cards, models, decks)
        r["ankdown"], r["ankdown_note"] = (ankdown(n, args.work) if n <= args.ankdown_max
                                           else (None, "skipped above --ankdown-max"))
        r["live"] = measure_live(project, n, repeats, args.work)
        results[n] = r
        report(n, r)
        report_live(r)
    mixes = {mix: measure_mix(mix, args.mix_size, args.work) for mix in chosen
             if mix != "mixed"}
    base = 1.0
    if 38 in results:
        base = import_floor(5)
        cold = results[38]["cold"]
        print(f"\n38 cards cold build {cold:.3f} s vs `import click, markdown, pygments, genanki`"
              f" {base:.3f} s: {cold / base:.2f}× (target ≤ 1.5×)")
    targets(results, results[38]["cold"] / base if 38 in results else None, mix_checks(mixes))
    watch_report(args.work, [int(s) for s in args.watch_sizes.split(",") if s.strip()])


def watch_report(work: Path, sizes: list[int]) -> None:
    """Edit-to-package and edit-to-reload in a resident `watch`, per deck size."""
    for n in sizes:
        project = synth.write_deck(work / f"deck-{n}", n)
        reset(project)
        r = watch_latency(project)
        reload = f"{r['reload']:.3f} s" if "reload" in r else "not measured (no MathJax)"
        print(f"\nwatch, N = {n:,}: edit to package {r['package']:.3f} s, edit to preview "
              f"reload {reload} (medians of 5, debounce included)")


def report(n: int, r: dict) -> None:
    f = r["F"]
    print(f"\nN = {n:,} cards (F = {f:.3f} s)")
    print(f"  cold build           {ratio(r['cold'], f)}   CPU {r['cold_cpu']:.2f} s")
    print(f"  engine floor E       CPU {r['engine']:.2f} s; cold build CPU "
          f"{r['cold_cpu'] / r['engine']:.2f}×E, "
          f"{r['cold_cpu'] / (r['engine'] + r['F_cpu']):.2f}×(E+F), F's CPU {r['F_cpu']:.3f} s")
    print(f"  rebuild, no change   {ratio(r['nochange'], f)}")
    print(f"  rebuild, one edit    {ratio(r['edit'], f)}")
    if r["ankdown"] is not None:
        print(f"  ankdown --highlight  {ratio(r['ankdown'], f)}   cold build / ankdown = "
              f"{r['cold'] / r['ankdown']:.2f}")
    else:
        print(f"  ankdown --highlight  {r['ankdown_note']}")
    print(f"  peak RSS             {r['rss'] / MiB:8.1f} MiB")
    print(f"  .apkg                {r['apkg'] / MiB:8.2f} MiB; uncompressed genanki "
          f"{r['genanki'] / MiB:.2f} MiB; ratio {r['apkg'] / r['genanki']:.3f}")


def targets(results: dict, over_imports: float | None,
            more: list[tuple[str, bool]] | None = None) -> None:
    """`over_imports`: the 38-card cold build's time over the import baseline's; `more`,
    the checks of the other corpus mixes."""
    print("\ntargets")
    checks = []
    if over_imports is not None:
        checks.append((f"38-card cold build ≤ 1.5× the import baseline ({over_imports:.2f}×)",
                       over_imports <= 1.5))
    if 10000 in results:
        r = results[10000]
        checks.append(engine_check("mixed", r))
        checks += [("rebuild no change ≤ 2×F at 10,000", r["nochange"] <= 2 * r["F"]),
                   ("rebuild one edit ≤ 2.5×F at 10,000", r["edit"] <= 2.5 * r["F"]),
                   ("peak RSS ≤ 100 MiB at 10,000", r["rss"] <= 100 * MiB)]
        if r["ankdown"] is not None:
            checks.append(("cold build ≤ ankdown --highlight at 10,000",
                           r["cold"] <= r["ankdown"]))
    if 100000 in results:
        checks.append(("peak RSS ≤ 500 MiB at 100,000", results[100000]["rss"] <= 500 * MiB))
    checks += [(f".apkg ≤ 1/4 of genanki at {n:,}", r["apkg"] <= r["genanki"] / 4)
               for n, r in results.items()]
    sizes = sorted(n for n in results if n >= 1000)
    for small, large in zip(sizes, sizes[1:], strict=False):
        for stage in ("cold", "nochange", "edit"):
            per_small = results[small][stage] / small
            per_large = results[large][stage] / large
            checks.append((f"{stage} per card {small:,} → {large:,}: "
                           f"{per_small * 1e6:.0f} → {per_large * 1e6:.0f} µs (≤ 1.5×)",
                           per_large <= 1.5 * per_small))
    checks += live_targets(results)
    for name, ok in checks + (more or []):
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")


def measure_mix(mix: str, n: int, work: Path, repeats: int = 3) -> dict:
    """One corpus mix at N cards: cold builds taking turns with ankdown's (same load for
    both), then rebuilds after an edit, and the floor F of the package's rows."""
    project = synth.write_deck(work / f"mix-{mix}-{n}", n, mix)
    source = synth.write_ankdown(work / f"mix-{mix}-{n}-ankdown", n, mix) \
        if ANKDOWN.exists() else None
    colds, ankdowns, edits = [], [], []
    for _ in range(repeats):
        reset(project)
        colds.append(run_timed([PYTHON, str(REPO / "build.py"), "--project", str(project),
                                "build", "--timestamp", str(STAMP)]))
        if source is not None:
            ankdowns.append(ankdown_command(source, work))
    for r in range(repeats):
        synth.edit_one_card(project, n, r)
        edits.append(build(project, STAMP + 100 + r)[0])
    notes, cards, _, _ = package_rows(package_of(project))
    result = {"n": n, "F": floor(notes, cards, repeats), "edit": statistics.median(edits),
              "F_cpu": floor(notes, cards, repeats, time.process_time),
              "engine": engine_floor(project, repeats),
              "cold": statistics.median(c[0] for c in colds),
              "cold_cpu": statistics.median(c[1] for c in colds),
              "ankdown": statistics.median(a[0] for a in ankdowns) if ankdowns else None,
              "ankdown_cpu": statistics.median(a[1] for a in ankdowns) if ankdowns else None}
    report_mix(mix, result)
    return result


def report_mix(mix: str, r: dict) -> None:
    f = r["F"]
    print(f"\nmix {mix}, N = {r['n']:,} cards (F = {f:.3f} s)")
    print(f"  cold build           {ratio(r['cold'], f)}   CPU {r['cold_cpu']:.2f} s")
    print(f"  engine floor E       CPU {r['engine']:.2f} s; cold build CPU "
          f"{r['cold_cpu'] / r['engine']:.2f}×E, "
          f"{r['cold_cpu'] / (r['engine'] + r['F_cpu']):.2f}×(E+F), F's CPU {r['F_cpu']:.3f} s")
    print(f"  rebuild, one edit    {ratio(r['edit'], f)}")
    if r["ankdown"] is None:
        print(f"  ankdown --highlight  {ANKDOWN_MISSING}")
        return
    print(f"  ankdown --highlight  {ratio(r['ankdown'], f)}   CPU {r['ankdown_cpu']:.2f} s")
    print(f"  cold build / ankdown = {r['cold'] / r['ankdown']:.2f} "
          f"(CPU {r['cold_cpu'] / r['ankdown_cpu']:.2f})")
    # What CPU time allows, whatever the load: with every CPU busy all along, the build
    # takes at least its CPU time over the CPUs; ankdown, one process, about its CPU time.
    cpus = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count()) or 1
    print(f"  at best on {cpus} CPUs: cold build {r['cold_cpu'] / cpus:.2f} s, ankdown "
          f"{r['ankdown_cpu']:.2f} s: {r['cold_cpu'] / cpus / r['ankdown_cpu']:.2f}×")


def engine_check(mix: str, r: dict) -> tuple[str, bool]:
    """The cold build's CPU within 1.25 × (engine floor + F), both in CPU seconds."""
    over = r["cold_cpu"] / (r["engine"] + r["F_cpu"])
    n = r.get("n", 10000)
    return (f"cold build CPU ≤ 1.25×(E+F) at {n:,}, mix {mix} ({over:.2f}×)", over <= 1.25)


def mix_checks(mixes: dict[str, dict]) -> list[tuple[str, bool]]:
    """Each mix's targets: the cold build no slower than ankdown, an edit within 2.5 F."""
    checks = []
    for mix, r in mixes.items():
        checks.append(engine_check(mix, r))
        if r["ankdown"] is not None:
            checks.append((f"cold build ≤ ankdown --highlight at {r['n']:,}, mix {mix} "
                           f"({r['cold'] / r['ankdown']:.2f}×)", r["cold"] <= r["ankdown"]))
        checks.append((f"rebuild one edit ≤ 2.5×F at {r['n']:,}, mix {mix} "
                       f"({r['edit'] / r['F']:.2f}×F)", r["edit"] <= 2.5 * r["F"]))
    return checks


if __name__ == "__main__":
    main()
