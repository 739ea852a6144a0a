"""Speed must never change output: the cache and the worker pool give identical packages."""

from __future__ import annotations

import concurrent.futures
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO, make_project, read_apkg

from deckbuild import cli as cli_module
from deckbuild.cli.common import RenderProgress
from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.speed import parallel
from deckbuild.speed.cache import CACHE_DIR, CACHE_FILE
from deckbuild.speed.parallel import RenderOptions

NOW = 1_700_000_000
UNKNOWN_LANG = ("# Extra\n\n## Which code?\n<!-- id: which-code -->\n\nSee:\n\n"
                "```nosuchlang\nx\n```\n")


def build_bytes(project: Path, options: RenderOptions, allow_identity_change: bool = False,
                ) -> bytes:
    """Build and return the package; the previous package is removed first, so the build
    cannot stop early as up to date and really reads the cache."""
    config = load_config(project)
    config.package_path.unlink(missing_ok=True)
    report = build(config, now=NOW, render=options, allow_identity_change=allow_identity_change)
    return Path(report.path).read_bytes()


def cache_db(project: Path) -> Path:
    return project / CACHE_DIR / CACHE_FILE


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", shipped=True)


def counted_pools(monkeypatch) -> list[int]:
    """The worker counts of the process pools the build starts, from now on."""
    pools = []

    class CountingPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(kwargs.get("max_workers"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    return pools


def test_identical_without_cache_cold_cache_warm_cache_and_a_worker_pool(shipped, monkeypatch):
    plain = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    assert not cache_db(shipped).exists()
    cold = build_bytes(shipped, RenderOptions(jobs=1))
    assert cache_db(shipped).exists()
    warm = build_bytes(shipped, RenderOptions(jobs=1))
    pools = counted_pools(monkeypatch)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    pooled = {jobs: build_bytes(shipped, RenderOptions(jobs=jobs, cache=False)) for jobs in (2, 3)}
    assert pools == [2, 3]
    assert plain == cold == warm == pooled[2] == pooled[3]


def test_workers_start_before_parsing_and_render_a_small_first_group(shipped, monkeypatch):
    """The pool starts (and its workers import Markdown) before the first file is parsed,
    and the first cards go to it after a small first group: the workers never wait for
    a whole group to be parsed. The package is the same as from one process."""
    from deckbuild.speed.bundles import DeckReader

    plain = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    events: list[str] = []

    class LoggingPool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            events.append(f"submit {getattr(fn, '__name__', 'chunks')}")
            return super().submit(fn, *args, **kwargs)

    def parse(self, path, shown, parse=DeckReader._parse):
        events.append("parse")
        return parse(self, path, shown)

    def start(self, cards, start=parallel.RenderContext.start):
        events.append(f"start {len(cards)}")
        return start(self, cards)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", LoggingPool)
    monkeypatch.setattr(DeckReader, "_parse", parse)
    monkeypatch.setattr(parallel.RenderContext, "start", start)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    monkeypatch.setattr(DeckReader, "GROUP", 12)  # the shipped deck in groups of 12 cards
    monkeypatch.setattr(DeckReader, "FIRST_GROUP", 2)  # ...the first is its first file
    assert build_bytes(shipped, RenderOptions(jobs=2, cache=False)) == plain
    assert events[:2] == ["submit _ready", "parse"] and events[2].startswith("start ")
    sizes = [int(e.split()[1]) for e in events if e.startswith("start")]
    files = load_cards(shipped)
    assert sizes[0] == len(files[0]) and sum(sizes) == sum(map(len, files)) > 24
    assert max(sizes[1:]) >= 12


def load_cards(project: Path) -> list[list[str]]:
    """The card headings of each card file, in name order."""
    return [[line for line in path.read_text().splitlines() if line.startswith("## ")]
            for path in sorted((project / "cards").glob("*.md"))]


def test_a_build_from_the_cache_imports_neither_markdown_pygments_nor_genanki(shipped):
    script = ("import sys; from pathlib import Path; from deckbuild.project.config import load_config; "
              "from deckbuild.pipeline import build; from deckbuild.speed.parallel import RenderOptions; "
              f"build(load_config(Path({str(shipped)!r})), now={NOW}, "
              "render=RenderOptions(jobs=1)); "
              "print(sorted(m for m in ('markdown', 'pygments', 'genanki') if m in sys.modules))")

    def modules() -> str:
        return subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()

    package = load_config(shipped).package_path
    assert modules() == "['genanki', 'markdown', 'pygments']"  # cold: everything is made
    package.unlink()  # not up to date: the package is written again, from the cache alone
    assert modules() == "[]"
    path = shipped / "cards" / "02-techniques.md"
    path.write_text(path.read_text().replace("a familiar domain", "a familiar field"))
    assert modules() == "['markdown', 'pygments']"  # the edited card; GUIDs come from the cache
    assert package.exists()


def test_guids_come_from_the_cache_only_within_the_same_namespace(shipped):
    build_bytes(shipped, RenderOptions(jobs=1))
    pyproject = shipped / "pyproject.toml"
    text = pyproject.read_text()
    namespace = 'guid_namespace = "transfer-learning-interview-questions"'
    assert namespace in text
    pyproject.write_text(text.replace(namespace, 'guid_namespace = "another"'))
    path = shipped / "cards" / "02-techniques.md"
    path.write_text(path.read_text().replace("a familiar domain", "a familiar field"))
    warm = build_bytes(shipped, RenderOptions(jobs=1), allow_identity_change=True)
    assert warm == build_bytes(shipped, RenderOptions(jobs=1, cache=False))


def test_damaged_entries_and_a_damaged_file_are_ignored(shipped):
    expected = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    build_bytes(shipped, RenderOptions(jobs=1))
    conn = sqlite3.connect(cache_db(shipped))
    with conn:
        # Bytes that no longer match their checksum, and a checksum over the wrong shape.
        conn.execute("UPDATE entries SET value = CAST(replace(CAST(value AS TEXT), 'the', 'THE')"
                     " AS BLOB) WHERE rowid % 2 = 0")
        conn.execute("UPDATE entries SET value = CAST('J{\"f\":[\"x\"],\"m\":[],\"p\":[]}' AS BLOB),"
                     " sum = 'wrong' WHERE rowid % 2 = 1")
    conn.close()
    assert build_bytes(shipped, RenderOptions(jobs=1)) == expected
    cache_db(shipped).write_bytes(b"this is not a database" * 100)
    assert build_bytes(shipped, RenderOptions(jobs=1)) == expected
    assert build_bytes(shipped, RenderOptions(jobs=1)) == expected


def test_wrongly_shaped_entry_with_a_valid_checksum_is_a_miss(shipped):
    from deckbuild.speed.cache import _checksum, _encode

    expected = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    build_bytes(shipped, RenderOptions(jobs=1))
    conn = sqlite3.connect(cache_db(shipped))
    with conn:
        for index, (key,) in enumerate(conn.execute("SELECT key FROM entries").fetchall()):
            # Well-formed values of the wrong shape, and bytes that are not a value at all.
            value = _encode([[], "one field only"]) if index % 2 else b"R[[],[]]\nnot marshal"
            conn.execute("UPDATE entries SET value = ?, sum = ? WHERE key = ?",
                         (value, _checksum(value), key))
    conn.close()
    assert build_bytes(shipped, RenderOptions(jobs=1)) == expected


def test_an_edit_is_never_served_from_the_cache(tmp_path):
    card = "# A\n\n## Q?\n<!-- id: q -->\n\nThe old answer.\n"
    project = make_project(tmp_path / "p", {"a.md": card})
    build_bytes(project, RenderOptions(jobs=1))
    (project / "cards" / "a.md").write_text(card.replace("old", "new"))
    build_bytes(project, RenderOptions(jobs=1))
    (fields,) = [row[5] for row in read_apkg(next((project / "dist").glob("*.apkg")))["notes"]]
    assert "The new answer." in fields and "old" not in fields


def test_cached_warnings_keep_their_lines_when_the_card_moves(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": UNKNOWN_LANG})
    config = load_config(project)
    first = build(config, now=NOW, render=RenderOptions(jobs=1)).warnings
    assert first == build(config, now=NOW, render=RenderOptions(jobs=1)).warnings
    assert any("cards/a.md:8:" in w and "nosuchlang" in w for w in first)
    (project / "cards" / "a.md").write_text(UNKNOWN_LANG.replace("# Extra\n", "# Extra\n\n\n"))
    moved = build(config, now=NOW, render=RenderOptions(jobs=1)).warnings
    assert any("cards/a.md:10:" in w and "nosuchlang" in w for w in moved)


def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(RenderProgress, "DELAY", 0.0)
    project = make_project(tmp_path / "p", shipped=True)
    result = CliRunner().invoke(cli_module.cli, ["--project", str(project), "build", "--jobs",
                                                 "1", "--no-cache"], obj={})
    assert result.exit_code == 0, result.output
    assert "Rendering" not in result.output

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    progress = RenderProgress()
    for done in (0, 10, 38):
        progress(done, 38)
    assert "Rendering" in screen.getvalue() and "100%" in screen.getvalue()


def test_an_edit_in_one_file_with_a_warm_cache_matches_a_build_without_cache(shipped):
    build_bytes(shipped, RenderOptions(jobs=1))  # fills the cache
    path = shipped / "cards" / "02-techniques.md"
    path.write_text(path.read_text().replace("a familiar domain", "a familiar field"))
    warm = build_bytes(shipped, RenderOptions(jobs=1))
    plain = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    assert warm == plain
    notes = read_apkg(load_config(shipped).package_path)["notes"]
    assert sum("a familiar field" in n[5] for n in notes) == 1


@pytest.mark.parametrize("jobs, workers", [(0, [1]), (1, [])])
def test_an_edit_renders_in_one_worker_beside_enough_cached_cards(shipped, monkeypatch, jobs,
                                                                  workers):
    build_bytes(shipped, RenderOptions(jobs=1))  # fills the cache
    path = shipped / "cards" / "02-techniques.md"
    path.write_text(path.read_text().replace("a familiar domain", "a familiar field"))
    plain = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    monkeypatch.setattr(parallel, "BESIDE_MIN", 10)  # the shipped deck's other files: 30 cards
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    pools = counted_pools(monkeypatch)
    assert build_bytes(shipped, RenderOptions(jobs=jobs)) == plain
    assert pools == workers  # -j 1 keeps rendering in this process


def test_worker_counts():
    jobs_for = parallel.jobs_for
    assert jobs_for(0, 0, 50_000) == 0
    assert jobs_for(0, 250) == 0  # a pool's start-up would cost more than it saves
    assert jobs_for(1, 50_000) == 0
    # A resident process renders an edit itself; a large render still goes to workers.
    assert jobs_for(0, 1, 50_000, resident=True) == 0
    assert jobs_for(0, 999, 50_000, resident=True) == 0
    assert jobs_for(3, 50_000, resident=True) == 3
    assert jobs_for(3, 50_000) == 3
    assert jobs_for(3, 1000) == 3 and jobs_for(8, 1000) == 5  # at most one per chunk


def test_up_to_date_build_stops_early_and_anything_changed_rebuilds(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    config = load_config(project)
    first = build(config, now=NOW)
    assert first.written and not first.up_to_date
    again = build(config, now=NOW + 10)
    assert again.up_to_date and not again.written
    package = config.package_path
    original = package.read_bytes()
    package.write_bytes(original[:-1] + b"x")  # a damaged package is rebuilt, not trusted
    repaired = build(config, now=NOW + 20)
    assert repaired.written and package.read_bytes() == original
    css = project / "templates" / "style.css"
    css.write_text(css.read_text() + "\n.x { color: red; }\n")
    restyled = build(config, now=NOW + 30)
    assert restyled.written and package.read_bytes() != original
    assert not build(config, now=NOW + 40, render=RenderOptions(cache=False)).up_to_date


def test_the_cache_keeps_one_entry_per_file_and_drops_dead_cards(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p", mini=True)
    config = load_config(project)
    more = project / "cards" / "more.md"
    for n in range(4):
        more.write_text(more.read_text().replace("Training converges", f"Training {n} converges"))
        build(config, now=NOW + n)
    with sqlite3.connect(cache_db(project)) as conn:
        files = conn.execute("SELECT count(*) FROM entries WHERE key LIKE 'file:%'").fetchone()
    assert files == (2,)  # basics.md and more.md, however often more.md changed


def test_after_an_edit_only_the_edited_card_is_rendered_again(shipped, monkeypatch):
    build_bytes(shipped, RenderOptions(jobs=1))
    rendered = []
    original = parallel._render_chunk_with

    def counting(renderer, cards, field_names):
        rendered.extend(card.id for card in cards)
        return original(renderer, cards, field_names)

    monkeypatch.setattr(parallel, "_render_chunk_with", counting)
    path = shipped / "cards" / "02-techniques.md"
    path.write_text(path.read_text().replace("a familiar domain", "a familiar field"))
    build_bytes(shipped, RenderOptions(jobs=1))
    assert rendered == ["feature-extraction-vs-fine-tuning"]


def test_the_installed_version_of_a_library_is_read_from_its_metadata_folder(tmp_path,
                                                                             monkeypatch):
    from deckbuild.speed.cache import installed_version

    site = tmp_path / "site"
    (site / "fancy_pkg").mkdir(parents=True)
    (site / "fancy_pkg" / "__init__.py").write_text("")
    (site / "Fancy.Lib-2.0.1.dist-info").mkdir()
    (site / "fancy_library-9.dist-info").mkdir()  # another distribution
    monkeypatch.syspath_prepend(str(site))
    assert installed_version("fancy-lib", "fancy_pkg") == "Fancy.Lib-2.0.1.dist-info"
    (site / "Fancy.Lib-2.0.1.dist-info").rename(site / "fancy_lib-2.1.dist-info")
    assert installed_version("fancy-lib", "fancy_pkg") == "fancy_lib-2.1.dist-info"
    (site / "fancy_lib-2.1.dist-info").rmdir()
    assert installed_version("fancy-lib", "fancy_pkg") == "?"  # nothing installed says
    import markdown

    assert markdown.__version__ in installed_version("markdown", "markdown")


def test_a_build_writing_through_the_worker_process_is_identical(shipped, monkeypatch):
    from deckbuild.package import collection
    from deckbuild.package import writer as package
    from deckbuild.stages import write

    expected = build_bytes(shipped, RenderOptions(jobs=1, cache=False))
    started = []

    class Counted(collection.CollectionProcess):
        def __init__(self, *args):
            started.append(args[0])
            super().__init__(*args)

    monkeypatch.setattr(package, "CollectionProcess", Counted)
    monkeypatch.setattr(write, "WORKER_MIN_NOTES", 0)
    assert build_bytes(shipped, RenderOptions(jobs=1)) == expected
    assert started == []  # -j 1: one process
    assert build_bytes(shipped, RenderOptions(cache=False)) == expected
    assert build_bytes(shipped, RenderOptions()) == expected
    assert len(started) == 2
