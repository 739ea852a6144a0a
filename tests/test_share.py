"""The share kit that `release` writes, and what `check --share` holds against a release."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from browser_support import missing_requirements, require_browser
from click.testing import CliRunner
from support import REPO, make_project, read_apkg, snapshot, without_docs

from deckbuild.cli import cli
from deckbuild.release.sharecheck import (
    COLLECTION_COMPRESSED_MAX,
    COLLECTION_MAX,
    MEDIA_FILE_MAX,
    PackageFacts,
    package_problems,
    read_package_facts,
)

SLUG = "transfer-learning-interview-questions"
NO_BROWSER = {"DECKBUILD_CHROMIUM": "/nonexistent/chromium"}


def run(project: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, ["--project", str(project), *args], obj={})


def set_key(project: Path, key: str, value: str) -> None:
    """Set `key = value` (TOML) in [tool.deckbuild], replacing the line when there is one."""
    path = project / "pyproject.toml"
    lines = path.read_text().splitlines()
    start = lines.index("[tool.deckbuild]")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("["))
    found = [i for i in range(start + 1, end) if lines[i].startswith(f"{key} =")]
    if found:
        lines[found[0]] = f"{key} = {value}"
    else:
        lines.insert(start + 1, f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n")


def with_mathjax(project: Path) -> Path:
    """Screenshots need MathJax in the project's node_modules, as after `npm install` there."""
    if (REPO / "node_modules").is_dir():
        (project / "node_modules").symlink_to(REPO / "node_modules")
    return project


def share_check(project: Path) -> tuple[int, list[str]]:
    result = run(project, "check", "--share", env=NO_BROWSER)
    assert "Traceback" not in result.output
    return result.exit_code, [line for line in without_docs(result.stdout).splitlines()
                              if "screenshots are skipped" not in line]


# -- each limit, one variable at a time ----------------------------------------------

@pytest.mark.parametrize(("key", "value", "message"), [
    ("title", '"' + "T" * 61 + '"', "the AnkiWeb title is 61 characters; the Share form allows "
                                    "at most 60: '" + "T" * 61 + "'"),
    ("tags", '["' + "a" * 30 + '", "' + "b" * 30 + '"]',
     f"the AnkiWeb tags are 61 characters in all; the Share form allows at most 60: "
     f"'{'a' * 30} {'b' * 30}'"),
    ("support_url", '"https://example.org/' + "x" * 161 + '"',
     "the support URL is 181 characters; the Share form allows at most 180: "
     "'https://example.org/" + "x" * 161 + "'"),
    ("description", '"' + "d" * 65_001 + '"', "dist/share/1.0.0/listing.md: the AnkiWeb "
                                              "description is "),
])
def test_each_share_limit_is_an_error_with_the_value_found(tmp_path, key, value, message):
    project = make_project(tmp_path / "p", mini=True)
    assert share_check(project) == (0, [])
    set_key(project, key, value)
    code, lines = share_check(project)
    assert code == 1
    assert len(lines) == 1 and message in lines[0], lines
    if key != "description":
        assert lines[0].startswith("pyproject.toml:")  # at the key's own line
        line = int(lines[0].split(":")[1])
        assert (project / "pyproject.toml").read_text().splitlines()[line - 1].startswith(key)


@pytest.mark.parametrize(("key", "value"), [
    ("title", '"' + "T" * 60 + '"'),
    ("tags", '["' + "a" * 30 + '", "' + "b" * 29 + '"]'),
    ("support_url", '"https://example.org/' + "x" * 160 + '"'),
])
def test_values_at_the_limit_pass(tmp_path, key, value):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, key, value)
    assert share_check(project) == (0, [])


def test_a_long_description_is_measured_as_the_whole_listing(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, "description", '"' + "d" * 64_000 + '"')
    assert share_check(project) == (0, [])  # the listing is under 65,000 with the rest
    set_key(project, "description", '"' + "d" * 64_990 + '"')
    code, lines = share_check(project)
    assert code == 1 and "description is 65," in lines[0] and "at most 65,000" in lines[0]


def test_an_empty_description_is_a_warning_and_strict_makes_it_fatal(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, "description", '""')
    code, lines = share_check(project)
    assert code == 0
    assert len(lines) == 1 and "warning: the description is empty" in lines[0]
    assert lines[0].startswith("pyproject.toml:")
    assert run(project, "check", "--share", "--strict", env=NO_BROWSER).exit_code == 1
    assert run(project, "check").stdout == ""  # only the share check cares


def test_a_support_url_must_be_a_web_address(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, "support_url", '"mailto:me@example.org"')
    code, lines = share_check(project)
    assert code == 1 and "must start with https:// or http://: 'mailto:me@example.org'" in lines[0]


def test_listing_keys_of_the_wrong_type_are_config_errors(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, "tags", '"one two"')
    result = run(project, "check")
    assert result.exit_code == 1 and "tool.deckbuild.tags must be an array" in result.output
    set_key(project, "tags", '["one two"]')
    result = run(project, "check")
    assert result.exit_code == 1 and "tool.deckbuild.tags must be a list of tags without " \
        "spaces" in result.output
    set_key(project, "tags", '["fine"]')
    set_key(project, "title", "3")
    result = run(project, "check")
    assert result.exit_code == 1 and "tool.deckbuild.title must be a string" in result.output


def facts(**changes) -> PackageFacts:
    base = PackageFacts("dist/x.apkg", 1000, 500, ("a.png", 10), (("D", 1),), (("T", 1),), (), ())
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("changes", "message"), [
    ({"collection_size": COLLECTION_MAX + 1},
     f"collection.anki2 (uncompressed) is {COLLECTION_MAX + 1:,} bytes; AnkiWeb refuses more "
     f"than {COLLECTION_MAX:,}"),
    ({"collection_compressed": COLLECTION_COMPRESSED_MAX + 1},
     f"collection.anki2 (compressed) is {COLLECTION_COMPRESSED_MAX + 1:,} bytes"),
    ({"largest_media": ("big.mp4", MEDIA_FILE_MAX)},
     f"media file 'big.mp4' is {MEDIA_FILE_MAX:,} bytes"),
])
def test_each_size_limit_of_ankiweb(changes, message):
    assert package_problems(facts()) == []
    at_limit = {k: (v[0], v[1] - 1) if isinstance(v, tuple) else v - 1 for k, v in changes.items()}
    assert package_problems(facts(**at_limit)) == []
    problems = package_problems(facts(**changes))
    assert len(problems) == 1 and message in str(problems[0])
    assert str(problems[0]).startswith("dist/x.apkg: ")


def rewrite_package(source: Path, target: Path, sql: str = "", drop: str = "") -> None:
    """A copy of a package with SQL run on its collection, or one zip member left out."""
    with zipfile.ZipFile(source) as zf:
        members = {name: zf.read(name) for name in zf.namelist() if name != drop}
    if sql:
        scratch = target.with_suffix(".anki2")
        scratch.write_bytes(members["collection.anki2"])
        conn = sqlite3.connect(scratch)
        conn.executescript(sql)
        conn.close()
        members["collection.anki2"] = scratch.read_bytes()
    with zipfile.ZipFile(target, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture(scope="module")
def mini_package(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("pkg") / "p", mini=True)
    assert run(project, "build", "--timestamp", "1700000000").exit_code == 0
    return project / "dist" / f"{SLUG}-1.0.0.apkg"


def test_a_built_package_has_no_scheduling_data_and_all_its_media(mini_package):
    found = read_package_facts(mini_package, "p.apkg")
    assert package_problems(found) == []
    assert found.cards == 3 and found.largest_media[0].startswith("layers-")
    assert found.cards_per_notetype == (("Transfer Learning Q&A", 3),)


@pytest.mark.parametrize(("sql", "message"), [
    ("UPDATE cards SET reps = 4, ivl = 12 WHERE id = (SELECT min(id) FROM cards);",
     "scheduling data (1 card with ivl, 1 card with reps)"),
    ("UPDATE cards SET queue = -1;", "scheduling data (3 cards with queue)"),
    ("INSERT INTO revlog VALUES (1, (SELECT min(id) FROM cards), -1, 3, 1, 0, 2500, 6000, 1);",
     "scheduling data (1 review log entry)"),
])
def test_scheduling_data_in_the_package_is_an_error(mini_package, tmp_path, sql, message):
    broken = tmp_path / "broken.apkg"
    rewrite_package(mini_package, broken, sql=sql)
    problems = package_problems(read_package_facts(broken, "dist/broken.apkg"))
    assert [str(p) for p in problems] == [f"dist/broken.apkg: the package holds {message}; "
                                          "a shared deck must not"]


def test_media_missing_from_the_package_is_an_error(mini_package, tmp_path):
    media = json.loads(zipfile.ZipFile(mini_package).read("media"))
    index, name = next(iter(media.items()))
    broken = tmp_path / "broken.apkg"
    rewrite_package(mini_package, broken, drop=index)
    problems = package_problems(read_package_facts(broken, "dist/broken.apkg"))
    assert [str(p) for p in problems] == [
        f"dist/broken.apkg: media files used by notes or templates are missing from the "
        f"package: {name}"]


def test_media_used_by_the_templates_but_not_packaged_is_an_error(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    front = project / "templates" / "front.html"
    front.write_text('<img src="_logo.png">\n' + front.read_text())
    css = project / "templates" / "style.css"
    css.write_text(css.read_text() + '\n@font-face { font-family: x; src: url("_x.woff2"); }\n'
                   ".tl-card { background: url(data:image/png;base64,AAAA); }\n")
    code, lines = share_check(project)
    assert code == 1
    assert lines == [f"dist/{SLUG}-1.0.0.apkg: media files used by notes or "
                     "templates are missing from the package: _logo.png, _x.woff2"]


# -- what changes between releases ---------------------------------------------------

def bump(project: Path, version: str) -> None:
    set_key(project, "version", f'"{version}"')


def test_a_renamed_deck_is_an_error_and_stops_the_release(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    bump(project, "1.1.0")
    set_key(project, "name", '"Transfer Learning Questions"')
    code, lines = share_check(project)
    assert code == 1
    assert any("the deck is named 'Transfer Learning Questions' but release 1.0.0 was "
               "'Transfer Learning Interview Questions'" in line for line in lines), lines
    before = snapshot(project)
    result = run(project, "release", env=NO_BROWSER)
    assert result.exit_code == 1 and "keep the released name" in result.output
    assert snapshot(project) == before  # checked before anything is built


def test_a_schema_change_since_the_last_release_warns_with_the_migration_advice(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    bump(project, "1.1.0")
    text = (project / "pyproject.toml").read_text()
    (project / "pyproject.toml").write_text(text.replace(  # a field in the middle
        '"Extra", "Source", "Id"]', '"Hint", "Extra", "Source", "Id"]\nmap = { Hint = "source" }'))
    code, lines = share_check(project)
    assert code == 1  # the build's own guard: the change is not accepted yet
    warning = [line for line in lines if "since release 1.0.0" in line]
    assert len(warning) == 1 and warning[0].startswith("deck.lock.json: warning:")
    assert "fields: ['Question', 'Answer', 'Extra', 'Source', 'Id'] -> " in warning[0]
    assert "Merge note types" in warning[0]
    # Under Anki's default options every note would conflict: the rehearsal refuses it...
    result = run(project, "release", "--allow-schema-change", env=NO_BROWSER)
    assert result.exit_code == 1 and "conflicting notes" in result.output
    # ... unless the author accepts that too.
    result = run(project, "release", "--allow-schema-change", "--allow-conflicts",
                 env=NO_BROWSER)
    assert result.exit_code == 0, result.output
    notes = (project / "dist" / "share" / "1.1.0" / "release-notes.md").read_text()
    assert "## Note type change" in notes and "Merge note types" in notes
    assert "progress may not carry over" in (project / "dist" / "share" / "1.1.0" /
                                             "listing.md").read_text()


def test_a_share_error_stops_release_before_anything_is_recorded(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    set_key(project, "title", '"' + "T" * 61 + '"')
    before = snapshot(project)
    result = run(project, "release", env=NO_BROWSER)
    assert result.exit_code == 1 and "title is 61 characters" in result.output
    after = snapshot(project)
    after.pop(".deckbuild-cache/build.lock")  # the project's build lock, taken and let go
    assert after == before
    # Only the share checks care: `build` is fine with the long title.
    assert run(project, "build", env=NO_BROWSER).exit_code == 0


def test_without_a_browser_the_kit_has_no_screenshots_and_says_so(tmp_path):
    project = with_mathjax(make_project(tmp_path / "p", mini=True))
    result = run(project, "check", "--share", env=NO_BROWSER)
    assert result.exit_code == 0
    assert ("dist/share/1.0.0/screenshots: warning: screenshots are skipped: no Chromium at "
            "/nonexistent/chromium") in result.output
    assert run(project, "release", "--strict", env=NO_BROWSER).exit_code == 1
    assert not (project / "dist" / "share").exists()
    result = run(project, "release", env=NO_BROWSER)
    assert result.exit_code == 0
    assert "dist/share/1.0.0/screenshots: warning: screenshots are skipped" in result.output
    kit = project / "dist" / "share" / "1.0.0"
    assert kit.is_dir() and not (kit / "screenshots").exists()


# -- the kit of a real two-release history -------------------------------------------

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def two_releases(project: Path, env: dict[str, str] | None = None) -> Path:
    """Release 1.0.0; then edit one card, add one, remove one, bump and release 1.1.0."""
    result = run(project, "release", "--timestamp", "1700000000", env=env)
    assert result.exit_code == 0, result.output
    bump(project, "1.1.0")
    edit(project / "cards" / "more.md", "Training converges faster.", "Faster training.")
    basics = project / "cards" / "basics.md"
    text = basics.read_text()
    basics.write_text(text[: text.index("## Which layers")] +
                      "## Why start from *pretrained* weights?\n<!-- id: pretrained-start -->\n"
                      "They already encode general features.\n")
    result = run(project, "release", "--timestamp", "1700086400", env=env)
    assert result.exit_code == 0, result.output
    return project


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """Two releases, with screenshots when the browser tests can run here."""
    root = tmp_path_factory.mktemp("history")
    env = NO_BROWSER if missing_requirements() else None
    return two_releases(with_mathjax(make_project(root / "p", mini=True)), env=env)


def test_the_kit_holds_every_file(history):
    kit = history / "dist" / "share" / "1.1.0"
    files = sorted(str(p.relative_to(kit)) for p in kit.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith("screenshots/")] == [
        "listing.md", "release-notes.md", "tags.txt", "title.txt", f"{SLUG}-1.1.0.apkg"]
    require_browser()
    assert [f for f in files if f.startswith("screenshots/")] == [
        "screenshots/back-1000.png", "screenshots/back-360-night.png",
        "screenshots/back-360.png", "screenshots/front-1000.png"]
    package = history / "dist" / f"{SLUG}-1.1.0.apkg"
    assert (kit / package.name).read_bytes() == package.read_bytes()
    assert (kit / "title.txt").read_text() == "Transfer Learning Interview Questions\n"
    assert (kit / "tags.txt").read_text() == \
        "machine-learning deep-learning transfer-learning interview\n"
    assert (history / "dist" / "share" / "1.0.0" / f"{SLUG}-1.0.0.apkg").is_file()


def test_the_listing_names_the_changed_cards_and_says_what_users_need(history):
    listing = (history / "dist" / "share" / "1.1.0" / "listing.md").read_text()
    assert listing.startswith("38 must-know transfer-learning interview questions")
    assert "**Version 1.1.0** · 3 notes · 3 cards" in listing
    assert "- Basics: 2 cards\n- More Topics: 1 card\n" in listing
    assert "- Transfer Learning Q&A: 3 cards" in listing
    samples = listing.split("## Sample questions\n\n")[1].split("\n\n")[0].splitlines()
    assert samples == ["- What does gradient descent do on step \\\\(t\\\\)?",
                       "- Name one benefit of transfer learning.",
                       "- Why start from pretrained weights?"]
    assert "Since version 1.0.0: 1 new, 1 updated, 1 removed." in listing
    assert "- New: Why start from pretrained weights?" in listing
    assert "- Updated: Name one benefit of transfer learning." in listing
    assert "- Removed: Which layers should you freeze?" in listing
    assert "updated in place" in listing and "review history" in listing
    assert "## Licence\n\nCards: CC BY 4.0" in listing
    assert "Written and maintained by the deckbuild maintainers." in listing
    first = (history / "dist" / "share" / "1.0.0" / "listing.md").read_text()
    assert "The first release." in first and "Removed" not in first


def test_the_release_notes_give_changes_import_steps_and_the_search(history):
    notes = (history / "dist" / "share" / "1.1.0" / "release-notes.md").read_text()
    assert notes.startswith("# Transfer Learning Interview Questions 1.1.0\n")
    assert "- New: Why start from pretrained weights?" in notes
    assert "- Updated: Name one benefit of transfer learning." in notes
    assert "- Removed: Which layers should you freeze?" in notes
    assert f"1. Download `{SLUG}-1.1.0.apkg`." in notes and "*File → Import…*" in notes
    assert '```\n"Id:freeze-layers"\n```' in notes


def test_the_package_of_the_kit_imports_as_the_release(history, anki):
    package = history / "dist" / "share" / "1.1.0" / f"{SLUG}-1.1.0.apkg"
    anki.import_package(package)
    ids = sorted(anki.col.get_note(n)["Id"] for n in anki.col.find_notes(""))
    # freeze-layers was removed in 1.1.0: it ships once more as a tombstone.
    assert ids == ["freeze-layers", "gradient-step", "one-benefit", "pretrained-start"]
    retired = [anki.col.get_note(n)["Id"] for n in anki.col.find_notes("tag:deckbuild::retired")]
    assert retired == ["freeze-layers"]
    assert read_apkg(package)["cards"]


def test_support_url_is_written_only_when_configured(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    assert not (project / "dist" / "share" / "1.0.0" / "support-url.txt").exists()
    bump(project, "1.0.1")
    set_key(project, "support_url", '"https://example.org/deck/issues"')
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    assert (project / "dist" / "share" / "1.0.1" / "support-url.txt").read_text() == \
        "https://example.org/deck/issues\n"
    listing = (project / "dist" / "share" / "1.0.1" / "listing.md").read_text()
    assert "Since version 1.0.0: 0 new, 0 updated, 0 removed.\n\n- No note changed.\n\n" \
        in listing


def test_a_styling_change_alone_is_named_in_the_listing_and_the_notes(tmp_path):
    project = make_project(tmp_path / "p", mini=True)
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    bump(project, "1.0.1")
    css = project / "templates" / "style.css"
    css.write_text(css.read_text() + "\n.tl-meta { letter-spacing: 0.02em; }\n")
    assert run(project, "release", env=NO_BROWSER).exit_code == 0
    kit = project / "dist" / "share" / "1.0.1"
    assert "- No note changed.\n- The card layout (templates or styling) changed.\n" in \
        (kit / "listing.md").read_text()
    assert "- The card layout (templates or styling) changed; it updates in place." in \
        (kit / "release-notes.md").read_text()


# -- screenshots ---------------------------------------------------------------------

SIZES = {"front-1000.png": (1000, 700), "back-1000.png": (1000, 700),
         "back-360.png": (360, 740), "back-360-night.png": (360, 740)}


@pytest.mark.parametrize("name", sorted(SIZES))
def test_screenshots_are_pngs_of_the_stated_size_and_not_blank(history, name):
    from PIL import Image, ImageStat

    require_browser()
    path = history / "dist" / "share" / "1.1.0" / "screenshots" / name
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == SIZES[name]
        grey = image.convert("L")
        variance = ImageStat.Stat(grey).var[0]
        mean = ImageStat.Stat(grey).mean[0]
    assert variance > 100, f"{name} looks blank (variance {variance:.0f})"
    assert (mean < 80) == name.endswith("night.png")  # night mode is dark, day mode light


def test_the_back_screenshot_shows_the_typeset_answer(history):
    from PIL import Image

    require_browser()
    kit = history / "dist" / "share" / "1.1.0" / "screenshots"
    with Image.open(kit / "front-1000.png") as front, Image.open(kit / "back-1000.png") as back:
        # The back holds the answer below the question: much more ink than the front.
        ink = [sum(im.convert("L").histogram()[:128]) for im in (front, back)]
    assert ink[1] > 2 * ink[0] > 0


def test_no_screenshot_is_taken_of_untypeset_math(tmp_path):
    require_browser()
    project = make_project(tmp_path / "p", mini=True)
    # A MathJax that loads but typesets nothing: the card would show raw TeX.
    bundle = project / "node_modules" / "mathjax" / "es5" / "tex-chtml-full.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text("window.MathJax.startup = {promise: Promise.resolve()};\n"
                      "window.MathJax.typesetPromise = () => Promise.resolve();\n")
    result = run(project, "release")
    assert result.exit_code == 1, result.output
    assert "Error: dist/share/1.0.0/screenshots/front-1000.png: MathJax did not typeset the " \
        "card (1 formula left as TeX, e.g. ['\\\\(t\\\\)']; 0 errors)" in result.output
    assert not (project / "dist" / "share").exists()
    assert not (project / "deck.lock.json").exists()  # as it was: the version is not released


def test_the_same_sources_give_the_same_kit_bytes(history, tmp_path):
    require_browser()
    other = with_mathjax(make_project(tmp_path / "p", mini=True))
    assert run(other, "release", "--timestamp", "1700000000").exit_code == 0
    kit = snapshot(other / "dist" / "share" / "1.0.0")
    assert any(name.startswith("screenshots/") for name in kit)
    assert kit == snapshot(history / "dist" / "share" / "1.0.0")
    # Releasing a released version again, later, writes the same kit.
    shutil.rmtree(other / "dist" / "share")
    assert run(other, "release", "--timestamp", "1800000000", env=NO_BROWSER).exit_code == 0
    again = snapshot(other / "dist" / "share" / "1.0.0")
    assert again == {k: v for k, v in kit.items() if not k.startswith("screenshots/")}


def test_plain_text_is_escaped_for_markdown():
    from deckbuild.release.share import md

    assert md("a_b *c* [d](e) | #1 <x>  \\(t\\)\n more") == \
        "a\\_b \\*c\\* \\[d\\](e) \\| \\#1 \\<x\\> \\\\(t\\\\) more"


def test_a_missing_share_extra_is_named_with_how_to_install_it(tmp_path, monkeypatch):
    import importlib.util

    from deckbuild.project.config import load_config
    from deckbuild.release.screenshots import missing_requirements

    project = make_project(tmp_path / "p", mini=True)
    real = importlib.util.find_spec
    # As on a machine without the extra: the packages cannot be found.
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("anki", "playwright") else real(name, *a))
    missing = missing_requirements(load_config(project))
    assert missing[:2] == ["the anki package is not installed (pip install 'deckbuild[share]')",
                           "the playwright package is not installed (pip install "
                           "'deckbuild[share]')"]
    assert "MathJax 3 is not in node_modules/mathjax (run `npm install`)" in missing
