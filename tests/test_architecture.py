"""The package has no import cycles (docs/architecture.md): lint-imports holds the layers,
and this holds the modules inside each room too."""

from __future__ import annotations

import grimp


def cycles(package: str) -> list[list[str]]:
    """Every group of modules that import each other in a ring (strongly connected)."""
    graph = grimp.build_graph(package, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_package_has_no_import_cycles():
    assert cycles("deckbuild") == []


def test_a_ring_of_imports_is_found(tmp_path, monkeypatch):
    ring = tmp_path / "ringpkg"
    ring.mkdir()
    (ring / "__init__.py").write_text("")
    (ring / "a.py").write_text("from . import b\n")
    (ring / "b.py").write_text("from . import c\n")
    (ring / "c.py").write_text("from . import a\n")
    (ring / "d.py").write_text("from . import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cycles("ringpkg") == [["ringpkg.a", "ringpkg.b", "ringpkg.c"]]


def test_the_architecture_page_lists_every_module_and_no_other():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "architecture.md").read_text(encoding="utf-8")
    listing = page.split("## What each module does", 1)[1].split("```", 2)[1]
    listed = {line.split()[0] for line in listing.splitlines() if line.strip()}
    tree = {path.relative_to(root / "deckbuild").as_posix()
            for path in (root / "deckbuild").rglob("*.py")}
    assert listed == tree
