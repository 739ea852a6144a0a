"""Card files -> cards: parsing, field mapping, question numbers, the checks on the
Markdown text, and the ids (the only place any id is made). No HTML, no I/O beyond what
it is given.

May import notetypes/ (the registry of built-in kinds), records and errors.
"""
