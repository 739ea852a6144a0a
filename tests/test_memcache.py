"""The memory layer of `watch` answers as the disk cache alone would, build after build.

A generated sequence of builds (puts, then a flush with the keys the build used) goes to a
LayeredCache and to a plain RenderCache on another folder. After each flush both give
the same values and the same present keys, the layered one's disk holds what the plain
one holds, and memory keeps no file entry the build dropped.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.release.lock import LockMemo
from deckbuild.speed.cache import RenderCache
from deckbuild.speed.memcache import LayeredCache, MemoryLayer, open_cache

KEYS = ["file:a", "file:b", "path:c", "path:d", "card:e", "card:f", "notetype:g"]
value = st.one_of(st.integers(), st.text(max_size=5), st.tuples(st.integers(), st.text(max_size=3)))
build_step = st.tuples(
    st.lists(st.tuples(st.sampled_from(KEYS), value), max_size=6),  # puts
    st.lists(st.sampled_from(KEYS), max_size=4),  # keys read during the build
    st.one_of(st.none(), st.sets(st.sampled_from(KEYS))),  # keep (None: no pruning)
    st.booleans(),  # a new process: memory starts empty, the disk has what was written
)


@settings(max_examples=150, deadline=None)
@given(st.lists(build_step, min_size=1, max_size=5))
def test_the_layered_cache_answers_as_the_disk_alone(tmp_path_factory, builds):
    root = tmp_path_factory.mktemp("layered")
    plain_root = tmp_path_factory.mktemp("plain")
    memory = MemoryLayer()
    for puts, reads, keep, restart in builds:  # each build opens the cache, as a rebuild does
        if restart:
            memory = MemoryLayer()
        layered, plain = LayeredCache(memory, RenderCache(root)), RenderCache(plain_root)
        for key, item in puts:
            layered.put(key, item)
            plain.put(key, item)
            assert layered.get_many([key]) == {key: item}  # at once, from memory
        called: list[str] = []
        layered.flush(keep, then=functools.partial(called.append, "layered"))
        plain.flush(keep, then=functools.partial(called.append, "plain"))
        assert called == ["layered", "plain"]
        if keep is not None:
            dropped = {k for k in KEYS if k.startswith(("file:", "path:")) and k not in keep}
            assert not dropped & set(memory.values)
        # Entries other than a file's stay in memory whatever the build kept.
        assert {k for k, _ in puts if not k.startswith(("file:", "path:"))} <= set(memory.values)
        # (present() first: get_many() brings what it finds on the disk into memory.)
        assert layered.present(KEYS) == plain.present(KEYS)
        assert layered.get_many(reads) == plain.get_many(reads)
        assert layered.get_many(KEYS) == plain.get_many(KEYS)
        layered.close()
        plain.close()
        disk = RenderCache(root)  # what the layered cache wrote through to the disk
        plain = RenderCache(plain_root)
        assert disk.get_many(KEYS) == plain.get_many(KEYS)
        disk.close()
        plain.close()


def test_a_failed_build_leaves_the_disk_as_it_was(tmp_path):
    memory = MemoryLayer()
    layered = LayeredCache(memory, RenderCache(tmp_path))
    layered.put("card:x", 1)
    layered.flush(set())
    layered.put("card:y", 2)

    def fail() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        layered.flush({"card:x"}, then=fail)
    layered.close()
    disk = RenderCache(tmp_path)
    assert disk.get_many(["card:x", "card:y"]) == {"card:x": 1}
    disk.close()


def test_bundles_held_in_memory_are_present_and_dropped_with_their_file(tmp_path):
    memory = MemoryLayer()
    memory.bundles["file:a"] = object()
    memory.bundles["file:b"] = object()
    layered = LayeredCache(memory, RenderCache(tmp_path))
    assert layered.present(["file:a", "file:c"]) == {"file:a"}
    layered.flush({"file:a"})
    assert set(memory.bundles) == {"file:a"}
    layered.flush(None)  # no keep: nothing is dropped
    assert set(memory.bundles) == {"file:a"}
    layered.close()


def test_a_new_memory_layer_is_empty_and_remembers_no_lock():
    memory = MemoryLayer()
    assert memory.values == {} and memory.bundles == {}
    assert type(memory.lock) is LockMemo


def test_without_a_memory_layer_the_cache_is_the_disks(tmp_path):
    assert type(open_cache(tmp_path, None)) is RenderCache
    layered = open_cache(tmp_path, MemoryLayer())
    assert type(layered) is LayeredCache
    layered.close()
