"""Markdown -> field HTML: the one Python-Markdown instance with GitHub's block structure,
math shielded for Anki's MathJax, code highlighted with CSS classes, cloze deletions kept,
raw HTML sanitised with nh3; and MathJax's configuration for previews and screenshots.

May import source/, project/, notetypes/, records and errors; never package/, release/
or live/ (a contract in pyproject.toml). Used by the stages through speed/ and by package/
for the code styles of the note type's CSS.
"""
