from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import AnkiCollection  # noqa: E402

# `make mutation` runs every property test once per mutant: the same examples each time, so
# a mutant's verdict does not depend on the run, and no shrinking, as any failing example
# already kills the mutant.
settings.register_profile("mutation", derandomize=True, database=None, deadline=None,
                          phases=(Phase.explicit, Phase.generate))
# Property tests prove behaviour, never speed (benchmarks measure that): no deadline, so a
# loaded machine cannot fail an example for taking long.
settings.register_profile("deckbuild", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deckbuild"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/* from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(params=[True, False], ids=["cache", "no-cache"])
def render_cache(request: pytest.FixtureRequest) -> bool:
    """Run the test with the render cache, and again with --no-cache: the cache must never
    change what a build writes, least of all how identity is derived."""
    return bool(request.param)


@pytest.fixture
def anki(tmp_path: Path):
    collection = AnkiCollection(tmp_path / "anki")
    yield collection
    collection.close()


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium for a module's browser tests (skipped with the reason without it)."""
    from browser_support import launch_chromium, require_browser

    require_browser()
    with launch_chromium() as browser:
        yield browser
