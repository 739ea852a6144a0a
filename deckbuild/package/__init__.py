"""Notes -> .apkg bytes: the note types (templates, CSS), the SQLite collection, and the
deterministic zip. The only room that imports genanki.

May import markdown/ (for the code CSS), project/, source/, notetypes/, records and
errors. Never imported by importers/ or markdown/.
"""
