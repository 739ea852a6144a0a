"""Every limit deckbuild enforces or decides by, at limit - 1, limit and limit + 1.

A limit is where behaviour changes: AnkiWeb's Share form and sync sizes, Anki's media size
and file-name length, the plain zip format's entries and bytes, the deck size from which
a worker process writes the rows, how many card ids a rebuild line names, how many
changes the listing names. An off-by-one (`>` for `>=`, `<` for `<=`) moves the edge by
one; each case here is checked on both sides of it and on it.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import make_project

from deckbuild.live.watch import SHOWN, shorten
from deckbuild.package import archive, blockzip
from deckbuild.pipeline import build
from deckbuild.project import sources
from deckbuild.project.config import load_config
from deckbuild.project.sources import MAX_MEDIA_BYTES, load_media, media_name
from deckbuild.release import sharecheck
from deckbuild.release.sharecheck import (
    COLLECTION_COMPRESSED_MAX,
    COLLECTION_MAX,
    DESCRIPTION_MAX,
    MEDIA_FILE_MAX,
    SUPPORT_URL_MAX,
    TAGS_MAX,
    TITLE_MAX,
    PackageFacts,
    description_problems,
    package_problems,
    settings_problems,
)
from deckbuild.speed.parallel import RenderOptions
from deckbuild.stages import write

NAME_MAX = 120  # bytes of a media file's name in the package (Anki's own limit)
EDGE = (-1, 0, 1)


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(make_project(tmp_path_factory.mktemp("limits") / "p", mini=True))


def sized_tags(total: int) -> tuple[str, ...]:
    """Three tags whose listing ("a b c", as AnkiWeb counts it) is `total` characters."""
    return ("a" * 10, "b" * 10, "c" * (total - 22))


# -- the Share form: at most N characters (N is allowed, N + 1 is not) ------------------

FORM: list[tuple[str, int, Callable]] = [
    ("title", TITLE_MAX, lambda n: {"title": "T" * n}),
    ("tags", TAGS_MAX, lambda n: {"tags": sized_tags(n)}),
    ("support_url", SUPPORT_URL_MAX,
     lambda n: {"support_url": "https://example.org/" + "x" * (n - len("https://example.org/"))}),
]


@pytest.mark.parametrize("key,limit,value", FORM, ids=[k for k, _, _ in FORM])
@pytest.mark.parametrize("step", EDGE)
def test_the_share_form_allows_its_limit_and_refuses_one_more(config, key, limit, value, step):
    share = dataclasses.replace(config.share, **value(limit + step))
    problems = settings_problems(dataclasses.replace(config, share=share), None)
    if step <= 0:
        assert problems == []
    else:
        assert len(problems) == 1 and f"{limit + 1} characters" in problems[0].message
        assert f"at most {limit}" in problems[0].message


@pytest.mark.parametrize("step", EDGE)
def test_the_description_allows_its_limit_and_refuses_one_more(step):
    problems = description_problems("d" * (DESCRIPTION_MAX + step), "listing.md")
    assert (problems == []) is (step <= 0)
    if step > 0:
        assert f"{DESCRIPTION_MAX + 1:,} characters" in problems[0].message


# -- AnkiWeb's sizes: the collection at most N bytes; media under 100 MiB ----------------

def facts(**changes) -> PackageFacts:
    base = PackageFacts("dist/x.apkg", 1000, 500, ("a.png", 10), (("D", 1),), (("T", 1),), (),
                        ())
    return dataclasses.replace(base, **changes)


SIZES: list[tuple[str, int, Callable[[int], dict], int]] = [
    # (what, limit, facts with that size, first size refused)
    ("collection", COLLECTION_MAX, lambda n: {"collection_size": n}, COLLECTION_MAX + 1),
    ("compressed", COLLECTION_COMPRESSED_MAX, lambda n: {"collection_compressed": n},
     COLLECTION_COMPRESSED_MAX + 1),
    ("media", MEDIA_FILE_MAX, lambda n: {"largest_media": ("big.mp4", n)}, MEDIA_FILE_MAX),
]


@pytest.mark.parametrize("what,limit,changes,refused", SIZES, ids=[s[0] for s in SIZES])
@pytest.mark.parametrize("step", EDGE)
def test_ankiwebs_sizes_at_their_limits(what, limit, changes, refused, step):
    size = limit + step
    problems = package_problems(facts(**changes(size)))
    assert (len(problems) == 1) is (size >= refused), (what, size, problems)
    if problems:
        assert f"{size:,} bytes" in problems[0].message and f"{limit:,}" in problems[0].message


def test_the_media_limit_of_ankiweb_is_the_one_of_the_build():
    assert MEDIA_FILE_MAX == MAX_MEDIA_BYTES == 100 * 1024 * 1024


@pytest.mark.parametrize("step", EDGE)
def test_a_media_file_of_100_mib_or_more_is_refused(tmp_path, step):
    project = make_project(tmp_path / "p")
    with open(project / "media" / "big.bin", "wb") as f:
        f.truncate(MAX_MEDIA_BYTES + step)  # sparse: no disk space used
    files, problems = load_media(load_config(project))
    if step < 0:
        assert problems == [] and [m.source for m in files] == ["media/big.bin"]
    else:
        assert files == [] and [(p.path, p.message) for p in problems] == [
            ("media/big.bin", "media file is 100 MiB or larger; Anki refuses it")]


# -- a media file's packaged name: at most 120 bytes -------------------------------------

def longest_fitting_prefix(stem: str, room: int) -> str:
    """The longest run of whole characters from the start of `stem` in `room` bytes."""
    kept = ""
    for char in stem:
        if len((kept + char).encode("utf-8")) > room:
            break
        kept += char
    return kept


TAIL = len("-00000000.png")


@pytest.mark.parametrize("step", EDGE)
def test_a_media_name_of_the_limit_is_kept_whole_and_a_longer_one_cut(step):
    stem = "a" * (NAME_MAX - TAIL + step)
    name = media_name(Path(stem + ".png"), "0" * 40)
    assert len(name.encode()) == min(NAME_MAX, len(stem) + TAIL)
    assert name == ("a" * min(len(stem), NAME_MAX - TAIL)) + "-00000000.png"


# Letters of one to four bytes in UTF-8, none of which Anki strips from a name.
LETTERS = st.text(st.sampled_from("ab9_é語😀"), min_size=1, max_size=130)


@settings(max_examples=200, deadline=None)
@given(LETTERS, st.sampled_from([".png", ".jpeg", ".mp3", ""]))
def test_any_media_name_fits_and_keeps_the_longest_whole_prefix_of_its_stem(stem, suffix):
    name = media_name(Path("media") / (stem + suffix), "ab" * 20)
    tail = f"-abababab{suffix}"
    assert len(name.encode("utf-8")) <= NAME_MAX
    assert name == longest_fitting_prefix(stem, NAME_MAX - len(tail.encode())) + tail


# -- the plain zip format: fewer than 65,535 entries and 4 GiB, with room for deflate ----

def is_zip64(path: Path) -> bool:
    return path.read_bytes()[4] == 45  # version needed to extract: 4.5


@pytest.mark.parametrize("step", EDGE)
def test_entries_at_the_limit_go_into_a_zip64_in_both_writers(tmp_path, monkeypatch, step):
    monkeypatch.setattr(archive, "_MAX_ENTRIES", 4)
    items = [(str(i), b"data %d" % i) for i in range(4 + step)]
    archive.write_zip(tmp_path / "a.zip", items, 1_700_000_000)
    entries = [blockzip.Entry(n, blockzip.deflate_bytes(d)) for n, d in items]
    assert is_zip64(tmp_path / "a.zip") is (step >= 0)
    assert blockzip.fits(entries) is (step < 0)


@pytest.mark.parametrize("step", EDGE)
@pytest.mark.parametrize("sizes", [[10 * 1024], [0, 1, 64, 4095], [100_000, 63]])
def test_bytes_at_the_limit_go_into_a_zip64_in_both_writers(tmp_path, monkeypatch, sizes, step):
    # Room needed: the bytes, plus for each member 1/64 of it and 1 KiB.
    need = sum(sizes) + sum(s // 64 + 1024 for s in sizes)
    monkeypatch.setattr(archive, "_LIMIT", need + step)
    items = [(f"m{i}", bytes(range(256)) * (s // 256) + bytes(s % 256))
             for i, s in enumerate(sizes)]
    archive.write_zip(tmp_path / "a.zip", items, 1_700_000_000)
    entries = [blockzip.Entry(n, blockzip.deflate_bytes(d)) for n, d in items]
    assert is_zip64(tmp_path / "a.zip") is (step <= 0)
    assert blockzip.fits(entries) is (step > 0)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert [zf.read(n) for n, _ in items] == [d for _, d in items]


# -- a big deck's rows are written by a worker process from WORKER_MIN_NOTES notes on ----

@pytest.mark.parametrize("step", EDGE)
def test_the_worker_process_writes_from_its_threshold_on(tmp_path, monkeypatch, step):
    config = load_config(make_project(tmp_path / "p", shipped=True))
    build(config, now=1_700_000_000)  # the lock, which counts the notes
    notes = len(json.loads(config.lock_path.read_text(encoding="utf-8"))["notes"])
    monkeypatch.setattr(write, "WORKER_MIN_NOTES", notes - step)
    seen = []

    def factory(*args, **kwargs):
        seen.append(kwargs["in_worker"])
        return write.PackageWriter(*args, **kwargs)

    report = build(config, now=1_700_000_100, package=factory, render=RenderOptions(cache=False))
    assert report.written and report.notes == notes
    assert seen == [step >= 0]


# -- how many card ids a rebuild line names ----------------------------------------------

@pytest.mark.parametrize("step", EDGE)
def test_a_rebuild_line_names_up_to_shown_ids_then_counts(step):
    ids = [f"id{i}" for i in range(SHOWN + step)]
    line = shorten(ids)
    if step <= 0:
        assert line == ", ".join(ids)
    else:
        assert line == ", ".join(ids[:SHOWN]) + f" and {step} more"


def test_the_share_kit_limits_are_the_share_forms():
    assert (sharecheck.TITLE_MAX, sharecheck.TAGS_MAX, sharecheck.SUPPORT_URL_MAX,
            sharecheck.DESCRIPTION_MAX) == (60, 60, 180, 65_000)
    assert sources.MAX_MEDIA_BYTES == 104_857_600
