"""The resident rebuild (`watch`) keeps what it reuses decoded in memory, and no more."""

from __future__ import annotations

from pathlib import Path

from support import make_project
from watch_support import edit

from deckbuild.live.watch import Changes, Rebuilder
from deckbuild.pipeline import build
from deckbuild.project.buildlock import project_lock
from deckbuild.project.config import load_config
from deckbuild.speed import bundles

NOW = 1_700_000_000


def test_unchanged_files_are_not_decoded_again_and_old_versions_are_dropped(tmp_path: Path,
                                                                            monkeypatch):
    project = make_project(tmp_path / "p", shipped=True)
    # A build before watch starts: its first rebuild reads every file from the disk cache.
    assert build(load_config(project), NOW).written
    rebuilder = Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)
    assert rebuilder.rebuild().ok
    files = len(list((project / "cards").rglob("*.md")))
    assert len(rebuilder.memory.bundles) == files

    decoded: list[object] = []
    real = bundles._from_value
    monkeypatch.setattr(bundles, "_from_value", lambda value: decoded.append(value) or real(value))
    for old, new in (("\n## ", "\n## Exactly: "), ("\n## Exactly: ", "\n## Precisely: ")):
        edit(project / "cards" / "01-fundamentals.md", old, new)
        outcome = rebuilder.rebuild()
        assert outcome.ok and outcome.changes.changed, outcome
        assert decoded == []  # every bundle, the edited file's last one too, came from memory
        # One bundle per card file: the edited file's earlier versions are not kept.
        assert len(rebuilder.memory.bundles) == files
        assert not any(key in rebuilder.memory.values for key in rebuilder.memory.bundles)
    again = rebuilder.rebuild()
    assert again.ok and again.changes == Changes() and not again.written


def test_the_lock_is_parsed_once_and_written_as_a_fresh_build_writes_it(tmp_path: Path,
                                                                        monkeypatch):
    import shutil

    from deckbuild.release import lock as lock_module
    from deckbuild.release import stamper as stamper_module
    from deckbuild.speed.parallel import RenderOptions

    project = make_project(tmp_path / "p", shipped=True)
    rebuilder = Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)
    assert rebuilder.rebuild().ok
    parsed: list[str] = []
    real, real_hash = lock_module.parse_lock, lock_module.note_hash
    monkeypatch.setattr(lock_module, "parse_lock",
                        lambda text, shown: parsed.append(shown) or real(text, shown))
    stamped: list[str] = []

    def counted(note):
        stamped.append(note.path)
        return real_hash(note)

    edits = [("\n## ", "\n## Now: "), ("\n## Now: ", "\n## ")]  # a question, and back
    for k, (old, new) in enumerate(edits):
        # The same sources and lock, built by a process of its own, without memory.
        twin = tmp_path / f"twin{k}"
        shutil.copytree(project, twin, ignore=shutil.ignore_patterns(".deckbuild-cache"))
        for root in (project, twin):
            edit(root / "cards" / "02-techniques.md", old, new)
        stamped.clear()
        monkeypatch.setattr(stamper_module, "note_hash", counted)
        outcome = rebuilder.rebuild()
        monkeypatch.setattr(stamper_module, "note_hash", real_hash)
        assert outcome.ok and len(outcome.changes.changed) == 1, outcome
        assert parsed == []  # the lock this process wrote is taken as it wrote it
        # Only the edited file's notes are stamped again (the others are the same objects).
        assert stamped == ["cards/02-techniques.md"] * sum(
            n.path == "cards/02-techniques.md" for n in rebuilder.written.notes)
        text = load_config(project).lock_path.read_text(encoding="utf-8")
        assert rebuilder.memory.lock.text == text
        assert rebuilder.memory.lock.lock == real(text, "lock")
        assert build(load_config(twin), NOW, render=RenderOptions(cache=False, jobs=1)).written
        assert load_config(twin).lock_path.read_text(encoding="utf-8") == text
        parsed.clear()


def test_an_edit_is_rendered_by_the_renderer_kept_warm_in_this_process(tmp_path: Path,
                                                                       monkeypatch):
    from deckbuild.speed import parallel

    project = make_project(tmp_path / "p", shipped=True)
    assert build(load_config(project), NOW).written  # watch's first build renders nothing
    rebuilder = Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)
    assert rebuilder.rebuild().ok and rebuilder.rendered == 0
    # Warm after the first build, though it rendered nothing in this process.
    (warm,) = rebuilder.memory.renderers.values()
    used: list[object] = []
    real = parallel._render_chunk_with
    monkeypatch.setattr(parallel, "_render_chunk_with", lambda renderer, cards, names: (
        used.append(renderer) or real(renderer, cards, names)))
    edit(project / "cards" / "01-fundamentals.md", "\n## ", "\n## Exactly: ")
    outcome = rebuilder.rebuild()
    assert outcome.ok and outcome.changes.changed
    assert used and all(renderer is warm for renderer in used)  # here, not in a worker
    assert list(rebuilder.memory.renderers.values()) == [warm]


def test_files_remembered_unchanged_are_still_seen_when_edited(tmp_path: Path, monkeypatch):
    from deckbuild.speed import filememo

    monkeypatch.setattr(filememo, "RACY_NS", -10**12)  # every file counts as old enough
    project = make_project(tmp_path / "p", shipped=True)
    rebuilder = Rebuilder(project, lambda: load_config(project), lambda: NOW, project_lock)
    assert rebuilder.rebuild().ok
    hashed: list[str] = []
    real = bundles._file_key
    monkeypatch.setattr(bundles, "_file_key",
                        lambda salt, shown, data: hashed.append(shown) or real(salt, shown, data))
    again = rebuilder.rebuild()  # from what was remembered: nothing to do, nothing read
    assert again.ok and again.changes == Changes() and not again.written
    assert hashed == []
    for old, new in (("\n## ", "\n## Exactly: "), ("\n## Exactly: ", "\n## ")):
        edit(project / "cards" / "01-fundamentals.md", old, new)
        outcome = rebuilder.rebuild()
        assert outcome.ok and outcome.changes.changed, outcome
    assert set(hashed) == {"cards/01-fundamentals.md"}  # only the edited file was read
