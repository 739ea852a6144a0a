"""A deterministic zip writer whose deflate runs on every core.

zipfile deflates an entry as one stream, on one core. Here each file is cut into
blocks of BLOCK bytes that are deflated independently (in threads: zlib releases the
GIL) and ended with a sync flush, which leaves them byte-aligned, so their
concatenation is one valid deflate stream (the scheme pigz uses). Block boundaries
depend only on the file, never on the number of threads, so neither do the bytes.

Entries get a fixed time and Unix mode 0644. An archive past the plain zip format's
limits (4 GiB, 65,535 entries) is written by zipfile instead, with Zip64.
"""

from __future__ import annotations

import os
import struct
import time
import zipfile
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

BLOCK = 1 << 20
LEVEL = 1  # most of deflate's size gain for a fraction of level 6's time
_LIMIT = 0xFFFFFFFF
_MAX_ENTRIES = 0xFFFF
_VERSION = 20  # deflate, no Zip64
_MADE_BY = (3 << 8) | _VERSION  # Unix
_MODE = 0o100644 << 16


# (name in the archive, source file or bytes)
Member = tuple[str, Path | bytes]


def write_zip(out: Path, members: Sequence[Member], timestamp: int,
              threads: int | None = None) -> None:
    """Write `members`, deflated at LEVEL, in order, to `out`."""
    when = _dos_time(timestamp)
    sizes = [len(src) if isinstance(src, bytes) else src.stat().st_size for _, src in members]
    # Deflate can grow incompressible data a little; keep a margin below the limit.
    if len(members) >= _MAX_ENTRIES or sum(sizes) + sum(s // 64 + 1024 for s in sizes) >= _LIMIT:
        _write_zip64(out, members, timestamp)
        return
    workers = threads or os.cpu_count() or 1
    central = []
    with open(out, "wb") as f, ThreadPoolExecutor(max_workers=workers) as pool:
        for name, src in members:
            encoded = name.encode("utf-8")
            flags = 0 if encoded.isascii() else 0x800
            offset = f.tell()
            f.write(_local_header(encoded, flags, when, 0, 0, 0))
            crc, compressed, size = _deflate_into(f, src, pool, 2 * workers)
            end = f.tell()
            f.seek(offset + 14)
            f.write(struct.pack("<III", crc, compressed, size))
            f.seek(end)
            central.append(_central_header(encoded, flags, when, crc, compressed, size, offset))
        write_directory(f, central)


def write_directory(f: BinaryIO, central: Sequence[bytes]) -> None:
    """The central directory and its end record, after the members."""
    start = f.tell()
    directory = b"".join(central)
    f.write(directory)
    f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                        len(directory), start, 0))


def _deflate_into(f: BinaryIO, src: Path | bytes, pool: ThreadPoolExecutor,
                  ahead: int) -> tuple[int, int, int]:
    """Deflate `src` block by block into `f`: (crc32, compressed size, size)."""
    crc = compressed = size = 0
    pending: deque[Future[bytes]] = deque()

    def drain(keep: int) -> None:
        nonlocal compressed
        while len(pending) > keep:
            data = pending.popleft().result()
            f.write(data)
            compressed += len(data)

    for block, last in _blocks(src):
        crc = zlib.crc32(block, crc)
        size += len(block)
        pending.append(pool.submit(_deflate_block, block, last))
        drain(ahead)
    drain(0)
    return crc, compressed, size


def _blocks(src: Path | bytes) -> Iterator[tuple[bytes, bool]]:
    """(block, is it the last) for the whole source; an empty source is one empty block."""
    if isinstance(src, bytes):
        total = len(src)
        for start in range(0, max(total, 1), BLOCK):
            yield src[start:start + BLOCK], start + BLOCK >= total
        return
    total = src.stat().st_size
    with open(src, "rb") as fh:
        done = 0
        while True:
            block = fh.read(BLOCK)
            done += len(block)
            last = done >= total or len(block) < BLOCK
            yield block, last
            if last:
                return


def _deflate_block(block: bytes, last: bool) -> bytes:
    """Raw deflate of one block; all but the last end byte-aligned and not final."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(block) + compressor.flush(zlib.Z_FINISH if last
                                                         else zlib.Z_SYNC_FLUSH)


def _local_header(name: bytes, flags: int, when: tuple[int, int], crc: int, compressed: int,
                  size: int) -> bytes:
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, _VERSION, flags, zipfile.ZIP_DEFLATED,
                       when[0], when[1], crc, compressed, size, len(name), 0) + name


def _central_header(name: bytes, flags: int, when: tuple[int, int], crc: int,
                    compressed: int, size: int, offset: int) -> bytes:
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _VERSION, flags,
                       zipfile.ZIP_DEFLATED, when[0], when[1], crc, compressed, size,
                       len(name), 0, 0, 0, 0, _MODE, offset) + name


def _date_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(timestamp, 315532800))[:6]  # zip cannot store dates before 1980


def _dos_time(timestamp: int) -> tuple[int, int]:
    """(time, date) as zip stores them: two-second steps, years from 1980."""
    year, month, day, hour, minute, second = _date_time(timestamp)
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _write_zip64(out: Path, members: Sequence[Member], timestamp: int) -> None:
    """The same members through zipfile (one core, one stream per entry), with Zip64."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=LEVEL) as zf:
        for name, src in members:
            info = zipfile.ZipInfo(name, date_time=_date_time(timestamp))
            info.compress_type = zipfile.ZIP_DEFLATED
            # An entry opened for writing ignores the archive's level: set it on the entry
            # (`compress_level` from Python 3.13, `_compresslevel` before).
            setattr(info, "compress_level" if hasattr(info, "compress_level")
                    else "_compresslevel", LEVEL)
            info.create_system = 3
            info.external_attr = _MODE
            with zf.open(info, "w", force_zip64=True) as dst:
                if isinstance(src, bytes):
                    dst.write(src)
                    continue
                with open(src, "rb") as fh:
                    while block := fh.read(BLOCK):
                        dst.write(block)
