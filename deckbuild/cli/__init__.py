"""The command line: options -> config -> stage -> exit code.

One module per command; `common` holds what they share and `app` the group that lists them.
This package is the only one that imports click, and nothing imports it: it sits on top of
the layers (docs/architecture.md).
"""

from .app import cli, main
from .common import build_time, program_name

__all__ = ["build_time", "cli", "main", "program_name"]
