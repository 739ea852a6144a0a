"""`import`: existing Markdown Q&A files -> native card files.

One small module per layout (native, numbered, headings, details, list, bold, qa, table,
obsidian), registered in registry.py; the layout that reads most of a file as cards wins.
All but project.py is pure: the CLI reads the files, and writes what `import_sources` returns.
"""

from __future__ import annotations

from .convert import ImportResult, import_document, import_sources
from .project import ImportPlan, plan_import, write_import
from .records import ImportedFile, LeftOut, Output
from .registry import LAYOUTS, layout_named
from .report import report_lines

__all__ = ["LAYOUTS", "ImportPlan", "ImportResult", "ImportedFile", "LeftOut", "Output",
           "import_document", "import_sources", "layout_named", "plan_import", "report_lines",
           "write_import"]
