"""The one root error, and the located problems it carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in the input, with where it is."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}" if where else f"{prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class DeckError(Exception):
    """Root of every error a user can cause; carries one or more problems."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", 0, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def count(number: int, noun: str, plural: str | None = None) -> str:
    """A number of things as it reads: `1 note`, `2 notes`, `0 media files`."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def display_path(path: Path, root: Path) -> str:
    """Path as the user should read it: relative to the project when inside it."""
    for candidate, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return str(path)
