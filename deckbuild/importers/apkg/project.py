"""Writing an imported deck's project: all of it appears at once, or nothing does."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ...errors import DeckError, Problem
from .convert import ProjectPlan


def check_target(root: Path) -> None:
    """The project folder must not exist yet, or be empty."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DeckError(Problem(str(root), 0, "the project folder is not empty: import a "
                                "package into a new folder (--project DIR)"))


def write_project(plan: ProjectPlan, root: Path) -> None:
    """Every file of the plan under `root`, made in a scratch folder beside it and renamed
    into place: an import that fails leaves no half-written project."""
    check_target(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".deckbuild-import-", dir=root.parent))
    try:
        for relative, text in sorted(plan.texts.items()):
            target = scratch / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text if text.endswith("\n") or not text else text + "\n",
                              encoding="utf-8")
        for relative, source in sorted(plan.media.items()):
            target = scratch / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        (scratch / "media").mkdir(exist_ok=True)
        if root.exists():
            root.rmdir()
        os.replace(scratch, root)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
