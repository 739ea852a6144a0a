"""Is the package in dist/ already what a build would write? Then the build can stop.

A build is a pure function of its inputs: the card files, media, templates,
pyproject.toml, the lock file (as the previous build left it), the options and
deckbuild itself. After each build the digest of those inputs is recorded next to
the package's own hash; a later build with the same digest whose package is still
byte-for-byte the one recorded has nothing to do.
"""

from __future__ import annotations

import hashlib

from ..project.config import Config
from ..project.sources import file_digest
from . import filememo
from .cache import RenderCache, code_version, tree_paths
from .filememo import FileMemo


def sources_digest(config: Config, options: str, memo: FileMemo | None = None) -> str:
    """Hash of everything a build reads except the lock file, in a fixed order: each file
    by its own digest, which a resident process (`memo`) computes only for changed files."""
    h = hashlib.sha256()

    def add(name: str, data: bytes) -> None:
        h.update(len(name).to_bytes(4, "big") + name.encode() + len(data).to_bytes(8, "big"))
        h.update(data)

    add("code", code_version().encode())
    add("options", options.encode())
    add("pyproject", (config.root / "pyproject.toml").read_bytes())
    for folder in (config.cards_dir, config.media_dir, config.templates_dir):
        add("folder", str(folder).encode())
        for path in tree_paths(folder):
            add(path.relative_to(folder).as_posix(),
                bytes.fromhex(filememo.value(memo, path, "sha256", file_digest)))
    return h.hexdigest()


def input_digest(sources: str, config: Config) -> str:
    """The sources' digest with the lock file as it is now.

    A build reads the sources once: the digest recorded after it pairs the package
    with the sources it was built from and the lock it wrote.
    """
    lock = config.lock_path.read_bytes() if config.lock_path.exists() else b""
    return hashlib.sha256(f"{sources}\0{len(lock)}\0".encode() + lock).hexdigest()


def _key(config: Config) -> str:
    return f"build:{config.package_path}"


def recorded_warnings(config: Config, digest: str, patched_ok: bool = False) -> list[str] | None:
    """The warnings of the recorded build when the package is up to date, else None.

    A package patched in place (livepackage.py) holds what the sources make, in other
    bytes: up to date only for a build that says `patched_ok` (one that patches itself)."""
    cache = RenderCache(config.root)
    try:
        found = cache.get_many([_key(config)]).get(_key(config))
    finally:
        cache.close()
    if not (isinstance(found, dict) and found.get("inputs") == digest
            and isinstance(found.get("warnings"), list) and config.package_path.is_file()
            and (patched_ok or found.get("canonical", True) is True)):
        return None
    if file_digest(config.package_path) != found.get("package"):
        return None
    return [str(w) for w in found["warnings"]]


def record(config: Config, digest: str, warnings: list[str], canonical: bool = True) -> None:
    """Remember that `digest` built the package now in dist/ (patched, when not canonical)."""
    cache = RenderCache(config.root)
    try:
        cache.put(_key(config), {"inputs": digest, "package": file_digest(config.package_path),
                                 "warnings": warnings, "canonical": canonical})
        cache.flush()
    finally:
        cache.close()
