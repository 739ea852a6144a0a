"""`import DECK.apkg`: an existing Anki deck -> a deckbuild project that keeps every id.

read.py reads the package with the official engine; html2md.py turns fields into Markdown;
fidelity.py says when two fields show the same; convert.py plans the project, rendering
each card back to prove it; project.py writes it.
"""

from __future__ import annotations

from .convert import Listed, ProjectPlan, plan_project
from .project import check_target, write_project
from .read import INSTALL_HINT, AnkiPackage, PackageReader

__all__ = ["INSTALL_HINT", "AnkiPackage", "Listed", "PackageReader", "ProjectPlan",
           "check_target", "plan_project", "write_project"]
