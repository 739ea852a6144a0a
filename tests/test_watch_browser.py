"""`watch --preview` in headless Chromium: the page reloads itself after each rebuild (server-
sent events), scrolls to the card that changed, shows an error, and asks only its own server."""

from __future__ import annotations

import re
import signal

from browser_support import MATHJAX, launch_chromium, require_browser
from support import make_project
from watch_support import Watching, edit

TEXT = "Less labelled data is needed."
# A few more cards, so that the edited one, the last, starts below the first screen.
FILLER = "".join(f"## Filler question {i}?\n<!-- id: filler-{i} -->\n\n"
                 + "A line of answer.\n\n" * 12 for i in range(4))


def _changed_card(page) -> dict:
    return page.evaluate("""() => {
      const card = document.getElementById("card-one-benefit");
      const box = card.getBoundingClientRect();
      return {text: card.textContent, marked: card.classList.contains("pv-changed"),
              top: box.top, height: innerHeight, scrollY: scrollY,
              scrolled: window.pvScrolled,
              errors: (document.getElementById("pv-errors") || {}).textContent || ""};
    }""")


def _reloaded(page, action) -> dict:
    """Do `action`; wait for the page to reload itself and settle; what it shows then."""
    with page.expect_navigation(timeout=120_000):
        action()
    page.wait_for_function("window.pvScrolled !== undefined", timeout=120_000)
    return _changed_card(page)


def test_the_page_reloads_scrolls_to_the_edit_and_shows_errors(tmp_path):
    require_browser()
    project = make_project(tmp_path / "p", mini=True)
    card = project / "cards" / "more.md"
    card.write_text(card.read_text().replace("## Name one benefit", FILLER + "## Name one benefit"))
    with Watching(project, "--preview", "--mathjax", str(MATHJAX), tmp=tmp_path / "tmp") as watching:
        url = re.search(r"http://127\.0\.0\.1:\d+/", watching.line(r"^Serving the preview at"))
        assert url, "no URL printed"
        watching.line(r"Built in")
        with launch_chromium() as browser:
            page = browser.new_page(viewport={"width": 900, "height": 500})
            asked: list[str] = []
            page.on("request", lambda request: asked.append(request.url))
            page.goto(url.group(0))
            page.wait_for_function("window.pvScrolled !== undefined", timeout=120_000)
            assert page.evaluate("document.querySelectorAll('.pv-card').length") == 7
            assert page.evaluate("document.querySelectorAll('mjx-container').length") > 0
            before = _changed_card(page)
            assert before["scrollY"] == 0 and before["top"] > before["height"]

            # The author's switches survive the reload: phone width on, one section shown.
            page.check("#pv-phone")
            page.select_option("#pv-section", "More Topics")
            shown = _reloaded(page, lambda: edit(card, TEXT, "Much less labelled data."))
            assert page.evaluate("""() => [document.getElementById("pv-phone").checked,
                document.body.classList.contains("pv-phone"),
                document.getElementById("pv-section").value,
                document.querySelectorAll(".pv-card:not([hidden])").length]""") == \
                [True, True, "More Topics", 5]
            assert "Much less labelled data." in shown["text"]
            assert shown["marked"] and shown["scrolled"] == "one-benefit"
            assert shown["scrollY"] > 0 and 0 <= shown["top"] < shown["height"] / 2, shown
            assert page.evaluate("document.querySelectorAll('mjx-container').length") > 0

            shown = _reloaded(page, lambda: edit(card, "- Training", "```python\nx = 1\n- Training"))
            fence = card.read_text().splitlines().index("```python") + 1
            assert f"Error: cards/more.md:{fence}: code fence is never closed" in shown["errors"]
            assert "Much less labelled data." in shown["text"]  # the last good cards

            shown = _reloaded(page, lambda: edit(card, "```python\nx = 1\n", "- Fixed.\n"))
            assert shown["errors"] == "" and "Fixed." in shown["text"]
            assert shown["scrolled"] == "one-benefit"
        assert watching.stop(signal.SIGINT) == 0
    origin = url.group(0)
    assert asked and all(u.startswith(origin) for u in asked), \
        [u for u in asked if not u.startswith(origin)]
    assert any("/mathjax/" in u for u in asked)
    assert not any("Traceback" in line for line in watching.err)


def test_a_busy_port_is_a_usage_error(tmp_path):
    import socket

    project = make_project(tmp_path / "p", mini=True)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with Watching(project, "--preview", "--port", str(port), "--mathjax", str(MATHJAX),
                      tmp=tmp_path / "tmp") as watching:
            assert watching.process.wait(timeout=120) == 2
    assert any(f"cannot serve on 127.0.0.1:{port}" in line for line in watching.err), watching.err
    assert not (project / "dist").exists()
