"""Build the deck: `python build.py --help`."""

from deckbuild.cli import main

if __name__ == "__main__":
    main()
