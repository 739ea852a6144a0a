"""The previous release's package: the rehearsal imports it, and removed notes' tombstones
take their fields from it.

dist/ is not committed, so the package may be missing (a fresh clone, another machine). It
is looked for where `release` leaves it (dist/<slug>-<version>.apkg, then the share kit), and
otherwise rebuilt from the git commit that recorded the release in the lock. Either way it
is used only if its notes have exactly the content hashes the lock recorded for that release.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path

from ..notetypes import BUILTIN
from .lock import Release, content_hash
from .rehearsal import PackageNote, package_notes
from .tombstones import Removed


def candidates(dist: Path, slug: str, version: str) -> tuple[Path, ...]:
    name = f"{slug}-{version}.apkg"
    return dist / name, dist / "share" / version / name


def builtin_names(basic_name: str, own: dict[str, str] | None = None) -> dict[str, str]:
    """A package's note type name -> the type's key (as the loader names the built-in types;
    `own` maps the names of the project's own types to their keys)."""
    return {basic_name: "basic", **{f"{basic_name} ({key})": key for key in BUILTIN
                                    if key != "basic"}, **(own or {})}


def released_hashes(notes: dict[str, PackageNote], names: dict[str, str],
                    retired: tuple[str, ...] = ()) -> dict[str, str]:
    """card id -> content hash of a package's notes, as the lock records a release's."""
    return {n.card_id: content_hash(n.fields, n.tags, n.deck, names.get(n.notetype, "?"))
            for n in notes.values() if n.card_id not in retired}


def is_release(path: Path, release: Release, names: dict[str, str]) -> bool:
    """Whether the package holds exactly the notes the lock recorded for `release`."""
    try:
        notes = package_notes(path)
    except Exception:  # not a package we can read: not the release
        return False
    return released_hashes(notes, names, release.retired) == release.notes


def removed_notes(path: Path, names: dict[str, str]) -> dict[str, Removed]:
    """card id -> the note as this package ships it."""
    return {n.card_id: Removed(n.guid, n.fields, n.tags, n.deck, names.get(n.notetype, "basic"))
            for n in package_notes(path).values()}


def _git(cwd: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True,
                              timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def release_commit(root: Path, lock_path: Path, version: str) -> tuple[str, Path, str] | None:
    """(commit, the git top level, the project folder inside it) of the first commit whose
    lock records `version` as released; None outside git or when no commit does."""
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    toplevel = Path(top.decode().strip())
    try:
        lock_rel = lock_path.resolve().relative_to(toplevel.resolve()).as_posix()
        prefix = root.resolve().relative_to(toplevel.resolve()).as_posix()
    except ValueError:
        return None
    marker = json.dumps({"version": version})[1:-1]  # "version": "1.1.0", as the lock writes it
    found = _git(toplevel, "log", "--reverse", "--format=%H", "-S", marker, "--", lock_rel)
    for commit in (found or b"").decode().split():
        text = _git(toplevel, "show", f"{commit}:{lock_rel}")
        try:
            data = json.loads(text or b"")
        except json.JSONDecodeError:
            continue
        if any(r.get("version") == version for r in data.get("releases", [])):
            return commit, toplevel, "" if prefix == "." else prefix
    return None


def export_tree(toplevel: Path, commit: str, prefix: str, dest: Path) -> Path | None:
    """The project's files at `commit`, written below `dest`; the project's folder there."""
    data = _git(toplevel, "archive", "--format=tar", commit, *([prefix] if prefix else []))
    if data is None:
        return None
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / prefix if prefix else dest
