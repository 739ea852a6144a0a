"""Kept deflated blocks: the zip's bytes of archive.py, and only changed blocks deflated again."""

from __future__ import annotations

import random
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_archive import contents, members

from deckbuild.package import archive, blockzip

BLOCK = archive.BLOCK


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.binary(max_size=3000), st.integers(0, 0xFFFFFFFF))
def test_crc_of_two_parts_combines_from_theirs(a, b, seed):
    assert blockzip.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    # The same for a start that is not a CRC of anything written here.
    assert blockzip.crc32_combine(zlib.crc32(a, seed), zlib.crc32(b), len(b)) == \
        zlib.crc32(a + b, seed)


def test_a_whole_block_combines_through_the_tables():
    rng = random.Random(3)
    first, second = rng.randbytes(1000), rng.randbytes(BLOCK)
    assert blockzip.crc32_combine(zlib.crc32(first), zlib.crc32(second), BLOCK) == \
        zlib.crc32(first + second)


def entries_of(items: list[archive.Member]) -> list[blockzip.Entry]:
    return [blockzip.Entry(name, tuple(blockzip.deflate_file(src)[0]) if isinstance(src, Path)
                           else blockzip.deflate_bytes(src)) for name, src in items]


def test_the_zip_of_kept_blocks_has_the_bytes_of_write_zip(tmp_path):
    items = members(tmp_path)  # several blocks, incompressible data, empty and exact sizes
    archive.write_zip(tmp_path / "a.zip", items, 1_700_000_000)
    blockzip.write_blocks(tmp_path / "b.zip", entries_of(items), 1_700_000_000)
    assert (tmp_path / "b.zip").read_bytes() == (tmp_path / "a.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        assert zf.testzip() is None
        assert [zf.read(name) for name, _ in items] == [contents(src) for _, src in items]


def test_only_changed_blocks_are_deflated_again(tmp_path):
    rng = random.Random(5)
    path = tmp_path / "f.bin"
    data = bytearray(b"".join(b"row %d of a table\n" % i for i in range(300_000))[:4 * BLOCK])
    data[BLOCK + 10:BLOCK + 20] = rng.randbytes(10)
    path.write_bytes(data)
    kept, deflated = blockzip.deflate_file(path)
    assert (len(kept), deflated) == (4, 4)
    with ThreadPoolExecutor(max_workers=2) as pool:  # the first blocks here, the rest there
        assert blockzip.deflate_file(path, pool=pool, ahead=1) == (kept, 4)

    data[2 * BLOCK + 5] ^= 0xFF  # one byte of the third block
    path.write_bytes(data)
    blocks, deflated = blockzip.deflate_file(path, kept)
    assert deflated == 1
    assert [b is k for b, k in zip(blocks, kept, strict=True)] == [True, True, False, True]
    assert blocks == blockzip.deflate_file(path)[0]

    # Grown by a block: the old last block is no longer the last, so deflated again.
    path.write_bytes(data + b"tail")
    grown, deflated = blockzip.deflate_file(path, blocks)
    assert deflated == 2 and grown[:3] == blocks[:3]
    assert grown == blockzip.deflate_file(path)[0]
    entry = blockzip.Entry("collection.anki2", tuple(grown))
    assert entry.crc == zlib.crc32(bytes(data) + b"tail")
    assert zlib.decompress(b"".join(b.data for b in grown), -15) == bytes(data) + b"tail"

    # Shrunk to three blocks: the third becomes the last.
    path.write_bytes(data[:3 * BLOCK])
    shrunk, deflated = blockzip.deflate_file(path, grown)
    assert deflated == 1 and shrunk == blockzip.deflate_file(path)[0]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([0, 1, 4095, 4096, 4097, 8192, 12288]), st.binary(min_size=1, max_size=64))
def test_bytes_on_block_boundaries_make_the_blocks_of_the_same_file(size, seed):
    """A size on a block boundary is the edge: the last block, and only it, ends the
    deflate stream, whether the bytes are given or read from a file."""
    import tempfile

    data = (seed * (size // len(seed) + 1))[:size]
    old = archive.BLOCK
    archive.BLOCK = 4096
    try:
        given_blocks = blockzip.deflate_bytes(data)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "f"
            path.write_bytes(data)
            read_blocks = blockzip.deflate_file(path)[0]
    finally:
        archive.BLOCK = old
    assert [(b.size, b.crc, b.last, b.data) for b in given_blocks] == \
        [(b.size, b.crc, b.last, b.data) for b in read_blocks]
    assert [b.last for b in given_blocks] == [False] * (len(given_blocks) - 1) + [True]
    stream = zlib.decompressobj(-15)
    assert stream.decompress(b"".join(b.data for b in given_blocks)) == data
    assert stream.eof  # the final block was marked so
