"""The preview's toolbar on a phone: two short rows, measured in Chromium at 360 x 740."""

from __future__ import annotations

from pathlib import Path

from support import make_project

from deckbuild.live.preview import preview_html
from deckbuild.pipeline import check
from deckbuild.project.config import load_config


def test_the_toolbar_is_compact_at_phone_width_and_whole_on_a_desktop(tmp_path: Path) -> None:
    from browser_support import launch_chromium, require_browser

    require_browser()
    project = make_project(tmp_path / "p", shipped=True)
    config = load_config(project)
    checked = check(config)
    page = tmp_path / "index.html"
    page.write_text(preview_html(config, checked.notetype, checked.notes, checked.others),
                    encoding="utf-8")
    measure = """bar => ({height: bar.getBoundingClientRect().height,
        overflow: bar.scrollWidth > bar.clientWidth,
        shown: Array.from(bar.querySelectorAll('select, input')).filter(
            e => e.getClientRects().length > 0).map(e => e.id)})"""
    with launch_chromium() as browser:
        phone = browser.new_page(viewport={"width": 360, "height": 740})
        phone.goto(page.as_uri())
        small = phone.eval_on_selector(".pv-bar", measure)
        desk = browser.new_page(viewport={"width": 1280, "height": 800})
        desk.goto(page.as_uri())
        wide = desk.eval_on_selector(".pv-bar", measure)
    # At most 60 of 740 px (it took 174, a quarter of the screen); nothing cut off sideways.
    assert small["height"] <= 60 and not small["overflow"], small
    assert small["shown"] == ["pv-section", "pv-tag", "pv-type", "pv-night"]
    assert wide["shown"] == ["pv-section", "pv-tag", "pv-type", "pv-night", "pv-phone"]
