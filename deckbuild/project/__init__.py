"""The project on disk: its configuration ([tool.deckbuild]), identity, card files and
media, the build lock, atomic writes, `init`'s files, and the ids written into card files.

May import source/, notetypes/, records and errors; everything above may import it.
"""
