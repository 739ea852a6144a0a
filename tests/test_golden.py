"""The built package, dumped to normalised JSON, must match tests/golden/mini.json.

Run `pytest tests/test_golden.py --update-golden` after an intended change and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import dump_apkg, make_project

from deckbuild.pipeline import build
from deckbuild.project.config import load_config

GOLDEN = Path(__file__).parent / "golden" / "mini.json"


def test_mini_deck_matches_golden_dump(tmp_path, update_golden):
    project = make_project(tmp_path / "p", mini=True)
    report = build(load_config(project), now=1_700_000_000)
    dump = dump_apkg(Path(report.path))
    text = json.dumps(dump, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if update_golden:
        GOLDEN.write_text(text, encoding="utf-8")
    if not GOLDEN.exists():
        pytest.fail(f"{GOLDEN.name} is missing: write it with `pytest tests/test_golden.py "
                    "--update-golden` and review it", pytrace=False)
    assert json.loads(GOLDEN.read_text(encoding="utf-8")) == json.loads(text)
