"""The speed machinery, removable without changing one output byte: the render cache on
disk and in memory, worker processes, per-file bundles, and the freshness record that lets
an unchanged build stop early.

Used only through deckbuild.pipeline and its stages (a contract in pyproject.toml).
"""
