"""Live tools around the ordinary build: `watch` (rebuild on save, patching the package
it wrote before), the live preview server, and the offline preview page.

Callers of the pipeline, never part of it. Imported only by deckbuild.cli.
"""
