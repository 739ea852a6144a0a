"""`<img>` in a card follows the rules of Markdown images: packaged from media/ under its
content-hashed name with its sizing kept, refused at its own line when remote, and never
fetched by the preview."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import AnkiCollection, make_project, read_apkg

from deckbuild.cli import cli

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f8cfc0f01f0005000201a5f5c2a80000000049454e44ae426082")


def run(project: Path, command: str, *args: str):
    extra = ["--timestamp", "1700000000"] if command == "build" else []
    return CliRunner().invoke(cli, ["--project", str(project), command, *extra, *args], obj={})


def html_image_card(src: str) -> str:
    # The image is on line 9; the question on line 3.
    return ("# Pictures\n\n## What does the layer look like?\n<!-- id: layer -->\n\n"
            "It has three parts.\n\nSee:\n"
            f'<img src="{src}" width="200" height="120" alt="the layer" onerror="x()">\n')


def test_a_local_html_image_is_packaged_with_its_sizing_and_imports_in_anki(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": html_image_card("../media/layer.png")})
    (project / "media" / "layer.png").write_bytes(PNG)
    checked = run(project, "check")
    assert checked.exit_code == 0, checked.output
    assert "not used" not in checked.output  # the <img> uses it
    assert run(project, "build").exit_code == 0
    package = next((project / "dist").glob("*.apkg"))
    data = read_apkg(package)
    (name,) = data["media"]
    assert re.fullmatch(r"layer-[0-9a-f]{8}\.png", name) and data["media"][name] == PNG
    answer = data["notes"][0][5].split("\x1f")[1]
    img = re.search(r"<img [^>]*>", answer).group(0)
    assert f'src="{name}"' in img and 'width="200"' in img and 'height="120"' in img
    assert 'alt="the layer"' in img and "onerror" not in img
    collection = AnkiCollection(tmp_path / "anki")
    try:
        collection.import_package(package)
        media_dir = Path(collection.col.media.dir())
        assert (media_dir / name).read_bytes() == PNG  # Anki has the file the card names
    finally:
        collection.close()


@pytest.mark.parametrize("src, message", [
    ("https://example.org/layer.png", "remote image 'https://example.org/layer.png'"),
    ("../media/missing.png", "image '../media/missing.png' not found in media/"),
])
def test_a_bad_html_image_is_an_error_at_its_own_line(tmp_path, src, message):
    project = make_project(tmp_path / "p", {"a.md": html_image_card(src)})
    checked = run(project, "check")
    assert checked.exit_code == 1
    assert f"cards/a.md:9: {message}" in checked.output, checked.output


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: object) -> None:
        pass


def test_the_preview_never_fetches_a_remote_image(tmp_path):
    from browser_support import launch_chromium, require_browser

    require_browser()
    from deckbuild.live.preview import preview_html
    from deckbuild.pipeline import check
    from deckbuild.project.config import load_config

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    _Recorder.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        remote = f"http://127.0.0.1:{server.server_address[1]}/layer.png"
        project = make_project(tmp_path / "p", {"a.md": html_image_card("../media/layer.png")})
        (project / "media" / "layer.png").write_bytes(PNG)
        config = load_config(project)
        checked = check(config)
        # A card whose image is remote (check refuses it; the page must not fetch it anyway),
        # beside one whose image is local (which must still show).
        local = checked.notes[0]
        name = local.media[0]
        far = replace(local, card_id="far", fields=tuple(
            f.replace(f'src="{name}"', f'src="{remote}"') for f in local.fields))
        page = tmp_path / "page"
        page.mkdir()
        (page / name).write_bytes(PNG)
        (page / "index.html").write_text(preview_html(config, checked.notetype,
                                                      (local, far), checked.others))
        with launch_chromium() as browser:
            tab = browser.new_page()
            tab.goto((page / "index.html").as_uri(), wait_until="load")
            tab.wait_for_timeout(300)
            widths = tab.eval_on_selector_all("img", "els => els.map(e => e.naturalWidth)")
        assert _Recorder.hits == []
        assert 1 in widths  # the local image loaded
    finally:
        server.shutdown()
        server.server_close()


def test_an_image_problem_in_the_extra_text_names_the_images_line(tmp_path):
    card = ("# Pictures\n\n## What does the layer look like?\n<!-- id: layer -->\n\n"
            "Three parts.\n\n<!-- extra -->\nDrawn after ![the paper's figure](../media/fig.png)\n")
    project = make_project(tmp_path / "p", {"a.md": card})
    checked = run(project, "check")
    assert checked.exit_code == 1
    assert "cards/a.md:9: image '../media/fig.png' not found in media/" in checked.output, \
        checked.output


@pytest.mark.parametrize("tag", ['<IMG SRC="../media/layer.png" WIDTH="80">',
                                 "<img src=../media/layer.png width=80>",
                                 "<img alt='a' src = '../media/layer.png'>"])
def test_every_way_html_writes_an_img_is_packaged(tmp_path, tag):
    card = f"# P\n\n## What is it?\n<!-- id: it -->\n\nSee {tag} here.\n"
    project = make_project(tmp_path / "p", {"a.md": card})
    (project / "media" / "layer.png").write_bytes(PNG)
    built = run(project, "build")
    assert built.exit_code == 0, built.output
    data = read_apkg(next((project / "dist").glob("*.apkg")))
    (name,) = data["media"]
    assert name in data["notes"][0][5] and "../media" not in data["notes"][0][5]
