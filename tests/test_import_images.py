"""`import` brings a file's images into media/: copied when linked relative to the file,
downloaded when remote, else linked and listed, so the project builds at once. Remote
images come from a loopback server (127.0.0.1 only) that records what was asked."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from click.testing import CliRunner
from support import AnkiCollection, make_project, read_apkg

from deckbuild.cli import cli

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f8cfc0f01f0005000201a5f5c2a80000000049454e44ae426082")
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


class _Images(BaseHTTPRequestHandler):
    """Serves /fig/loss.gif, a PNG at /render?id=7, a login page at /wall.png; everything
    else is 404. Records every request."""

    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).asked.append(self.path)
        served = {"/fig/loss.gif": GIF, "/render?id=7": PNG,
                  "/wall.png": b"<!DOCTYPE html><title>Sign in</title>"}.get(self.path)
        if served is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(served)

    def log_message(self, *args: object) -> None:
        pass


def serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    server.timeout = 5
    _Images.asked = []
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    return server


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], obj={})


def test_import_brings_local_and_remote_images_and_the_project_builds(tmp_path):
    server = serve()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        notes = tmp_path / "upstream" / "chapter3.md"
        (notes.parent / "img" / "ch3").mkdir(parents=True)
        (notes.parent / "img" / "ch3" / "3-1.png").write_bytes(PNG)
        notes.write_text(
            "# Chapter 3\n\n"
            "### What does a residual block look like?\n\n"
            "![residual block](img/ch3/3-1.png)\n\n"
            "It adds its input to its output.\n\n"
            "### What is the loss curve like?\n\n"
            f'It falls fast. <img src="{base}/fig/loss.gif" width="300" alt="loss curve">\n\n'
            "### Where is the diagram?\n\n"
            f"Gone upstream: ![the old diagram]({base}/fig/gone.png)\n", encoding="utf-8")
        project = make_project(tmp_path / "p")
        result = run("import", notes, "--project", project)
        assert result.exit_code == 0, result.output
        assert sorted(_Images.asked) == ["/fig/gone.png", "/fig/loss.gif"]
        # The one image that could not be had is listed at its own line.
        assert (f"  warning: line 15: remote image '{base}/fig/gone.png' could not be "
                "downloaded (Not Found): linked instead of shown") in result.output
    finally:
        server.shutdown()
        server.server_close()
    assert (project / "media" / "3-1.png").read_bytes() == PNG
    assert (project / "media" / "loss.gif").read_bytes() == GIF
    card_text = (project / "cards" / "chapter3.md").read_text(encoding="utf-8")
    assert "![residual block](../media/3-1.png)" in card_text
    assert '<img src="../media/loss.gif" width="300" alt="loss curve">' in card_text
    assert f"Gone upstream: [the old diagram]({base}/fig/gone.png)" in card_text
    # No hand edits: check, build, and Anki takes the package with both images.
    assert run("--project", project, "check").exit_code == 0
    built = run("--project", project, "build", "--timestamp", "1700000000")
    assert built.exit_code == 0, built.output
    package = next((project / "dist").glob("*.apkg"))
    assert sorted(read_apkg(package)["media"].values()) == sorted([PNG, GIF])
    anki = AnkiCollection(tmp_path / "anki")
    try:
        anki.import_package(package)
        assert anki.col.note_count() == 3
    finally:
        anki.close()


def test_an_image_already_in_media_with_other_bytes_gets_a_new_name(tmp_path):
    notes = tmp_path / "q.md"
    (tmp_path / "a.png").write_bytes(PNG)
    notes.write_text("### What is it?\n\n![a](a.png)\n", encoding="utf-8")
    project = make_project(tmp_path / "p")
    (project / "media" / "a.png").write_bytes(b"other")
    assert run("import", notes, "--project", project).exit_code == 0
    assert (project / "media" / "a.png").read_bytes() == b"other"  # never overwritten
    [copied] = [p for p in (project / "media").iterdir() if p.name != "a.png"]
    assert copied.read_bytes() == PNG and copied.name.startswith("a-")
    assert f"![a](../media/{copied.name})" in (project / "cards" / "q.md").read_text()


def test_reference_style_images_are_brought_or_linked(tmp_path):
    notes = tmp_path / "q.md"
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "tree.png").write_bytes(PNG)
    notes.write_text("### What does the call tree look like?\n\n"
                     "Like ![the call tree][tree], not ![Old Tree].\n\n"
                     '[Tree]: img/tree.png "the tree"\n[old tree]: img/missing.png\n',
                     encoding="utf-8")
    project = make_project(tmp_path / "p")
    result = run("import", notes, "--project", project)
    assert result.exit_code == 0, result.output
    assert "  warning: line 6: image 'img/missing.png' not found" in result.output
    text = (project / "cards" / "q.md").read_text(encoding="utf-8")
    assert "Like ![the call tree][tree], not [Old Tree]." in text
    assert '[Tree]: ../media/tree.png "the tree"' in text
    assert (project / "media" / "tree.png").read_bytes() == PNG
    assert run("--project", project, "build", "--timestamp", "1700000000").exit_code == 0


def test_a_download_must_be_an_image_and_is_named_for_what_it_is(tmp_path):
    server = serve()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        notes = tmp_path / "q.md"
        notes.write_text("### What is drawn?\n\n"
                         f"A chart: ![chart]({base}/render?id=7) and ![wall]({base}/wall.png)\n",
                         encoding="utf-8")
        project = make_project(tmp_path / "p")
        result = run("import", notes, "--project", project)
        assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
        server.server_close()
    assert (project / "media" / "render.png").read_bytes() == PNG
    assert not (project / "media" / "wall.png").exists()
    assert "what came back is not an image" in result.output
    text = (project / "cards" / "q.md").read_text(encoding="utf-8")
    assert f"![chart](../media/render.png) and [wall]({base}/wall.png)" in text


def test_an_attribute_list_after_an_image_keeps_its_sizes_and_leaves_no_braces(tmp_path):
    """Pandoc, kramdown and Obsidian publishers size images with `{width=60%}` after them:
    the sizes stay on an <img>, and a linked image drops the list with the image."""
    notes = tmp_path / "upstream" / "oppgave.md"
    (notes.parent / "img").mkdir(parents=True)
    (notes.parent / "img" / "graf.png").write_bytes(PNG)
    notes.write_text(
        "# Volum\n\n## Hva er volumet av pæra?\n\n"
        "![Graf](img/graf.png){width=60%} og ![Graf](img/graf.png){: height=\"120px\"}\n\n"
        "![Borte](img/borte.png){width=80%} og ![Enkel](img/graf.png){#fig .wide}\n\n"
        "Omtrent 310 cm³.\n", encoding="utf-8")
    project = make_project(tmp_path / "p")
    result = run("import", notes, "--project", project)
    assert result.exit_code == 0, result.output
    card_text = (project / "cards" / "oppgave.md").read_text(encoding="utf-8")
    assert ('<img src="../media/graf.png" alt="Graf" width="60%"> og '
            '<img src="../media/graf.png" alt="Graf" height="120">') in card_text
    assert "[Borte](img/borte.png) og ![Enkel](../media/graf.png)\n" in card_text
    assert "{" not in card_text
    built = run("--project", project, "build", "--timestamp", "1700000000")
    assert built.exit_code == 0, built.output
    (note,) = read_apkg(next((project / "dist").glob("*.apkg")))["notes"]
    assert re.search(r'<img src="graf-[0-9a-f]{8}\.png" alt="Graf" width="60%">', note[5])
