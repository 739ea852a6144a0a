"""The zip writer: block-parallel deflate that any unzip reads, with bytes independent of threads."""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from deckbuild.package import archive

BLOCK = archive.BLOCK


def members(tmp_path: Path) -> list[archive.Member]:
    rng = random.Random(7)
    text = b"".join(b"line %d of a compressible file\n" % i for i in range(200_000))
    noise = rng.randbytes(BLOCK + 17)  # incompressible: deflate stores it
    big = tmp_path / "big.bin"
    big.write_bytes(text[:3 * BLOCK + BLOCK // 2] + noise)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    exact = tmp_path / "exact.bin"
    exact.write_bytes(text[:BLOCK])
    return [("collection.anki2", big), ("media", b'{"0": "caf\xc3\xa9.png"}'), ("0", empty),
            ("1", exact), ("2", text[:BLOCK + 1]), ("3", b""), ("café", b"x")]


def contents(src: Path | bytes) -> bytes:
    return src if isinstance(src, bytes) else src.read_bytes()


def test_every_member_reads_back_and_the_archive_tests_clean(tmp_path):
    out = tmp_path / "a.zip"
    items = members(tmp_path)
    archive.write_zip(out, items, 1_700_000_000)
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == [name for name, _ in items]
        for name, src in items:
            assert zf.read(name) == contents(src)
        info = zf.getinfo("collection.anki2")
        assert info.date_time == (2023, 11, 14, 22, 13, 20)
        assert info.external_attr >> 16 == 0o100644 and info.create_system == 3
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.compress_size < info.file_size
    if shutil.which("unzip"):
        subprocess.run(["unzip", "-tq", str(out)], check=True, capture_output=True)


def test_bytes_do_not_depend_on_the_number_of_threads(tmp_path):
    items = members(tmp_path)
    outputs = []
    for threads in (1, 2, 5):
        out = tmp_path / f"t{threads}.zip"
        archive.write_zip(out, items, 1_700_000_000, threads=threads)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_an_archive_past_the_plain_zip_limits_is_written_with_zip64(tmp_path, monkeypatch):
    monkeypatch.setattr(archive, "_MAX_ENTRIES", 3)
    out = tmp_path / "z64.zip"
    items = members(tmp_path)
    archive.write_zip(out, items, 1_700_000_000)
    assert out.read_bytes()[4] == 45  # version needed to extract 4.5: Zip64 entries
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert [zf.read(name) for name, _ in items] == [contents(src) for _, src in items]
        assert zf.getinfo("0").external_attr >> 16 == 0o100644


@pytest.mark.parametrize("timestamp", [0, 315532800, 4_102_444_799])
def test_times_before_1980_are_clamped_and_seconds_round_down(tmp_path, timestamp):
    out = tmp_path / "t.zip"
    archive.write_zip(out, [("a", b"x")], timestamp)
    with zipfile.ZipFile(out) as zf:
        stamp = zf.getinfo("a").date_time
    assert stamp == {0: (1980, 1, 1, 0, 0, 0), 315532800: (1980, 1, 1, 0, 0, 0),
                     4_102_444_799: (2099, 12, 31, 23, 59, 58)}[timestamp]


def entries(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, i.date_time, i.create_system, i.external_attr, i.compress_type,
                 i.CRC, i.file_size, i.compress_size if i.file_size < BLOCK else None)
                for i in zf.infolist()]


def test_a_zip64_archive_stores_its_entries_as_the_plain_writer_does(tmp_path, monkeypatch):
    mid = b"".join(b"entry %d, compressed differently at each level\n" % i for i in range(3000))
    items = [*members(tmp_path), ("mid", mid)]
    archive.write_zip(tmp_path / "plain.zip", items, 1_700_000_000)
    monkeypatch.setattr(archive, "_MAX_ENTRIES", 3)
    archive.write_zip(tmp_path / "z64.zip", items, 1_700_000_000)
    # Same times, Unix mode 0644 and deflate level; an entry of one block is the same stream.
    assert entries(tmp_path / "z64.zip") == entries(tmp_path / "plain.zip")
    archive.write_zip(tmp_path / "old.zip", [("a", b"x"), ("b", b"y"), ("c", b"z")], 0)
    with zipfile.ZipFile(tmp_path / "old.zip") as zf:
        assert zf.getinfo("a").date_time == (1980, 1, 1, 0, 0, 0)


@pytest.mark.parametrize("count,zip64", [(2, False), (3, True), (4, True)])
def test_zip64_starts_at_the_entry_limit(tmp_path, monkeypatch, count, zip64):
    monkeypatch.setattr(archive, "_MAX_ENTRIES", 3)
    out = tmp_path / "n.zip"
    archive.write_zip(out, [(str(i), b"data") for i in range(count)], 1_700_000_000)
    assert (out.read_bytes()[4] == 45) is zip64


@pytest.mark.parametrize("limit,zip64", [(11_424, True), (11_425, False)])
def test_zip64_starts_below_the_size_limit_with_room_for_deflate(tmp_path, monkeypatch, limit,
                                                                    zip64):
    # 10 KiB of data needs 10 KiB + 10240 // 64 + 1024 = 11424 bytes of room.
    monkeypatch.setattr(archive, "_LIMIT", limit)
    out = tmp_path / "s.zip"
    archive.write_zip(out, [("a", bytes(10 * 1024))], 1_700_000_000)
    assert (out.read_bytes()[4] == 45) is zip64
    with zipfile.ZipFile(out) as zf:
        assert zf.read("a") == bytes(10 * 1024)


@pytest.mark.parametrize("size", [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK])
def test_a_file_and_the_same_bytes_make_the_same_archive(tmp_path, size):
    """Sources are cut into the same blocks whether read from disk or given as bytes, the
    last one ending the deflate stream; a size on a block boundary is the edge."""
    data = b"".join(b"row %d\n" % i for i in range(size // 5 + 1))[:size]
    path = tmp_path / "src.bin"
    path.write_bytes(data)
    archive.write_zip(tmp_path / "file.zip", [("m", path)], 1_700_000_000)
    archive.write_zip(tmp_path / "bytes.zip", [("m", data)], 1_700_000_000)
    assert (tmp_path / "file.zip").read_bytes() == (tmp_path / "bytes.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "file.zip") as zf:
        assert zf.read("m") == data


def test_every_header_says_what_zipfile_itself_would_write(tmp_path):
    """Each local header repeats its central entry; no disk numbers, no text flag, the UTF-8
    flag only on names that need it, and an end record with no comment."""
    out = tmp_path / "a.zip"
    archive.write_zip(out, members(tmp_path), 1_700_000_000)
    raw = out.read_bytes()
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
    for info in infos:
        local = struct.unpack("<IHHHHHIIIHH", raw[info.header_offset:info.header_offset + 30])
        year, month, day, hour, minute, second = info.date_time
        assert local == (0x04034B50, 20, info.flag_bits, zipfile.ZIP_DEFLATED,
                         (hour << 11) | (minute << 5) | (second // 2),
                         ((year - 1980) << 9) | (month << 5) | day, info.CRC,
                         info.compress_size, info.file_size, len(info.filename.encode()), 0)
        assert info.flag_bits == (0 if info.filename.isascii() else 0x800)
        assert (info.volume, info.internal_attr, info.extra, info.comment) == (0, 0, b"", b"")
    start = min(i.header_offset for i in infos) + sum(
        30 + len(i.filename.encode()) + i.compress_size for i in infos)
    assert struct.unpack("<IHHHHIIH", raw[-22:]) == (
        0x06054B50, 0, 0, len(infos), len(infos), len(raw) - 22 - start, start, 0)


def test_the_end_record_holds_counts_and_offsets_past_the_signed_range(tmp_path):
    """Up to 65,535 entries and a directory past 2 GiB (a sparse file) fit the plain end
    record's unsigned fields."""
    with open(tmp_path / "sparse.zip", "wb") as f:
        f.seek(0x80000000 + 5)
        archive.write_directory(f, [b"e"] * 40_000)
    with open(tmp_path / "sparse.zip", "rb") as f:
        f.seek(-22, 2)
        assert struct.unpack("<IHHHHIIH", f.read()) == (
            0x06054B50, 0, 0, 40_000, 40_000, 40_000, 0x80000005, 0)
