"""The stages a build runs, each a module; deckbuild.pipeline sequences them.

scan: card files -> rendered notes and every problem, file by file (through speed/);
stamp: mod times from the lock, and the guards a build must pass;
write: stamped notes -> the package and the lock, put in place together.

Only deckbuild.pipeline imports this package.
"""
