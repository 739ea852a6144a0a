"""Media rules, through the build: packaged names, and every refused reference with file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, read_apkg, snapshot, without_docs

from deckbuild.cli import cli
from deckbuild.project.sources import MAX_MEDIA_BYTES, media_name

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f8cfc0f01f0005000201a5f5c2a80000000049454e44ae426082")


def card_file(*images: str) -> str:
    """One card per image reference; card k's image is on line 8 + 7k."""
    cards = ["# Pictures\n"]
    for k, src in enumerate(images):
        cards.append(f"\n## Picture {k}?\n<!-- id: picture-{k} -->\n\nLook:\n\n![a picture]({src})\n")
    return "".join(cards)


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), "build", "--timestamp",
                                    "1700000000", *args], obj={})


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Error: ")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p")
    (root / "media" / "layers.png").write_bytes(PNG)
    return root


def test_image_is_packaged_under_a_readable_content_hashed_name(project):
    (project / "cards" / "a.md").write_text(card_file("../media/layers.png"))
    result = run(project)
    assert result.exit_code == 0, result.output
    data = read_apkg(next((project / "dist").glob("*.apkg")))
    (name,) = data["media"]
    assert re.fullmatch(r"layers-[0-9a-f]{8}\.png", name)
    assert data["media"][name] == PNG
    assert f'src="{name}"' in data["notes"][0][5]


def test_changed_image_gets_a_new_name(project):
    (project / "cards" / "a.md").write_text(card_file("../media/layers.png"))
    assert run(project).exit_code == 0
    first = set(read_apkg(next((project / "dist").glob("*.apkg")))["media"])
    (project / "media" / "layers.png").write_bytes(PNG + b"\0")
    assert run(project).exit_code == 0, "rebuild"
    second = set(read_apkg(next((project / "dist").glob("*.apkg")))["media"])
    assert first != second and all(n.startswith("layers-") for n in first | second)


def test_names_are_at_most_120_bytes_and_free_of_characters_anki_strips(tmp_path):
    long_stem = "Überblick: [Schichten] <alt|neu> * ? " + "ä" * 200
    name = media_name(Path(f"{long_stem}.PNG"), "0123456789abcdef")
    assert len(name.encode("utf-8")) <= 120
    assert not re.search(r'[\[\]<>:"/?*^\\|]', name)
    assert name.startswith("Überblick-Schichten-altneu") and name.endswith("-01234567.png")
    name.encode("utf-8").decode("utf-8")  # never cut inside a character


def test_every_bad_reference_is_an_error_with_file_and_line_all_at_once(project):
    (project / "cards" / "a.md").write_text(card_file(
        "../media/missing.png",
        "https://example.com/x.png",
        "../outside.png",
        "/etc/picture.png",
        "../media/Layers.png",
        "../media/../../elsewhere/x.png",
    ))
    before = snapshot(project / "dist")
    result = run(project)
    assert result.exit_code == 1
    assert errors(without_docs(result.output)) == [
        "Error: cards/a.md:8: image '../media/missing.png' not found in media/",
        "Error: cards/a.md:15: remote image 'https://example.com/x.png': put the file in media/ "
        "(cards work offline)",
        "Error: cards/a.md:22: image '../outside.png' is outside media/",
        "Error: cards/a.md:29: absolute image path '/etc/picture.png': use a path relative to "
        "the card file",
        "Error: cards/a.md:36: image '../media/Layers.png' not found in media/ (there is "
        "media/layers.png: names differ only by case, which breaks on phones)",
        "Error: cards/a.md:43: image '../media/../../elsewhere/x.png' is outside media/",
    ]
    assert "Traceback" not in result.output
    assert snapshot(project / "dist") == before


def test_two_files_differing_only_by_case_are_an_error(project):
    (project / "media" / "LAYERS.png").write_bytes(PNG + b"other")
    if len(list((project / "media").iterdir())) != 2:
        pytest.skip("this file system ignores case")
    (project / "cards" / "a.md").write_text(card_file("../media/layers.png"))
    result = run(project)
    assert result.exit_code == 1
    assert errors(without_docs(result.output)) == [
        "Error: cards/a.md:8: image '../media/layers.png' not found in media/ (there is "
        "media/LAYERS.png: names differ only by case, which breaks on phones)",
        "Error: media/layers.png: differs from media/LAYERS.png only by case",
    ]


def test_file_of_100_mib_or_more_is_an_error(project):
    with open(project / "media" / "huge.png", "wb") as f:
        f.truncate(MAX_MEDIA_BYTES)  # sparse: no disk space used
    (project / "cards" / "a.md").write_text(card_file("../media/layers.png", "../media/huge.png"))
    result = run(project)
    assert result.exit_code == 1
    assert errors(without_docs(result.output)) == [
        "Error: cards/a.md:15: image '../media/huge.png' not found in media/",
        "Error: media/huge.png: media file is 100 MiB or larger; Anki refuses it",
    ]


def test_unused_media_file_is_a_warning_and_strict_makes_it_fatal(project):
    (project / "media" / "unused.png").write_bytes(PNG + b"unused")
    (project / "cards" / "a.md").write_text(card_file("../media/layers.png"))
    result = run(project)
    assert result.exit_code == 0, result.output
    assert "media/unused.png: warning: media file is not used by any card" in result.output
    assert len(read_apkg(next((project / "dist").glob("*.apkg")))["media"]) == 1
    strict = run(project, "--strict")
    assert strict.exit_code == 1
    assert "Error: media/unused.png: warning: media file is not used by any card" in strict.output
