"""deckbuild: versioned, update-safe Anki packages from Markdown."""

from __future__ import annotations

__version__ = "0.1.0"
