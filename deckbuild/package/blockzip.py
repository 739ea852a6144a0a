"""A zip written from deflated blocks that are kept: a file changed in a few places is
deflated again only where its bytes changed.

archive.py deflates each member in independent, byte-aligned blocks of archive.BLOCK
bytes. Each Block here keeps its deflated bytes with the SHA-1, size and CRC-32 of the
bytes they came from: deflating a file again, given its previous blocks, reads and
hashes it whole (cheap) and deflates only the blocks whose hash differs, or which are no
longer (or now) the last. The member's CRC-32 is combined from its blocks' own, which
CRC's linearity allows, rather than computed over the whole file again.
write_blocks() writes the bytes archive.write_zip writes for the same members.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import archive
from .archive import _central_header, _deflate_block, _dos_time, _local_header

_ONES = 0xFFFFFFFF
# An edit changes a few blocks: deflating those here costs less than waking a thread
# (on a busy machine, several ms); more go to the pool.
_INLINE = 2


@dataclass(frozen=True)
class Block:
    """One deflated block, and what tells whether the bytes it came from changed."""

    digest: bytes  # SHA-1 of the raw bytes
    size: int  # of the raw bytes
    crc: int  # CRC-32 of the raw bytes
    last: bool  # ended as the last block of its member (deflate's final block)
    data: bytes  # deflated


@dataclass(frozen=True)
class Entry:
    """A zip member as its blocks."""

    name: str
    blocks: tuple[Block, ...]

    @property
    def size(self) -> int:
        return sum(b.size for b in self.blocks)

    @property
    def compressed(self) -> int:
        return sum(len(b.data) for b in self.blocks)

    @property
    def crc(self) -> int:
        crc = 0
        for block in self.blocks:
            crc = crc32_combine(crc, block.crc, block.size)
        return crc


def deflate_file(path: Path, kept: Sequence[Block] = (),
                 pool: ThreadPoolExecutor | None = None, ahead: int = 4) -> tuple[list[Block], int]:
    """The file's blocks, the kept ones where their bytes are unchanged; and how many
    blocks were deflated anew (past the first few, in `pool`, at most `ahead` at a time,
    when given)."""
    blocks: list[Block | Future[Block]] = []
    pending: deque[Future[Block]] = deque()
    fresh = 0
    for data, last in archive._blocks(path):
        digest = hashlib.sha1(data, usedforsecurity=False).digest()
        i = len(blocks)
        if i < len(kept) and kept[i].digest == digest and kept[i].last == last:
            blocks.append(kept[i])
            continue
        fresh += 1
        if pool is None or fresh <= _INLINE:
            blocks.append(_block(data, digest, last))
            continue
        pending.append(pool.submit(_block, data, digest, last))
        blocks.append(pending[-1])
        while len(pending) > ahead:  # bounds the raw blocks held in memory
            pending.popleft().result()
    return [b.result() if isinstance(b, Future) else b for b in blocks], fresh


def deflate_bytes(data: bytes) -> tuple[Block, ...]:
    """The blocks of `data`, all deflated."""
    total = len(data)
    return tuple(_block(data[start:start + archive.BLOCK],
                        hashlib.sha1(data[start:start + archive.BLOCK],
                                     usedforsecurity=False).digest(),
                        start + archive.BLOCK >= total)
                 for start in range(0, max(total, 1), archive.BLOCK))


def fits(entries: Sequence[Entry]) -> bool:
    """Whether the plain zip format holds them (archive.write_zip turns to Zip64 past it)."""
    sizes = [e.size for e in entries]
    return (len(entries) < archive._MAX_ENTRIES
            and sum(sizes) + sum(s // 64 + 1024 for s in sizes) < archive._LIMIT)


def write_blocks(out: Path, entries: Sequence[Entry], timestamp: int) -> None:
    """The zip of `entries`, in order: the bytes archive.write_zip writes for them."""
    when = _dos_time(timestamp)
    central = []
    with open(out, "wb") as f:
        for entry in entries:
            encoded = entry.name.encode("utf-8")
            flags = 0 if encoded.isascii() else 0x800
            offset = f.tell()
            crc, compressed, size = entry.crc, entry.compressed, entry.size
            f.write(_local_header(encoded, flags, when, crc, compressed, size))
            f.writelines(block.data for block in entry.blocks)
            central.append(_central_header(encoded, flags, when, crc, compressed, size, offset))
        archive.write_directory(f, central)


def crc32_combine(crc1: int, crc2: int, size2: int) -> int:
    """The CRC-32 of A followed by B, from crc32(A), crc32(B) and len(B).

    Without its pre- and post-inversion a CRC is linear: A followed by B has the CRC of A
    shifted through len(B) zero bytes, xor the CRC of B."""
    if size2 == archive.BLOCK:
        low, mid, high, top = _shift_tables(size2)
        return (low[crc1 & 0xFF] ^ mid[(crc1 >> 8) & 0xFF] ^ high[(crc1 >> 16) & 0xFF]
                ^ top[crc1 >> 24] ^ crc2)
    return _shift(crc1, size2) ^ crc2


def _shift(crc: int, size: int) -> int:
    """`crc` carried through `size` zero bytes, without the inversions."""
    return zlib.crc32(bytes(size), crc ^ _ONES) ^ _ONES


@functools.lru_cache(maxsize=4)
def _shift_tables(size: int) -> tuple[list[int], ...]:
    """_shift(·, size) as four tables, one per byte of the CRC (the shift is linear)."""
    columns = [_shift(1 << bit, size) for bit in range(32)]
    tables = []
    for byte in range(4):
        table = [0] * 256
        for value in range(1, 256):
            low = value & -value
            table[value] = table[value ^ low] ^ columns[8 * byte + low.bit_length() - 1]
        tables.append(table)
    return tuple(tables)


def _block(data: bytes, digest: bytes, last: bool) -> Block:
    return Block(digest, len(data), zlib.crc32(data), last, _deflate_block(data, last))
