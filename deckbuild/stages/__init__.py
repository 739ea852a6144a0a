"""The stages a build runs, each a module; deckbuild.pipeline sequences them.

scan: card files -> rendered notes and every problem, file by file (through speed/);
stamp: mod times from the lock, and the guards a build must pass;
write: stamped notes -> the package and the lock, put in place together;
previous: the tombstones of notes removed since the previous release;
rebuild: the previous release's package, found in dist/ or rebuilt from git (a build
of its own, so it sits above write);
rehearse: a release's update replayed with Anki's engine before it is recorded.

Only deckbuild.pipeline imports this package.
"""
