from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support import REPO, make_project, read_apkg, snapshot

from deckbuild import __version__
from deckbuild.cli import cli

CARD = "# Basics\n\n## What is it?\n<!-- id: what -->\n\nAn answer.\n"


def run(project: Path, *args: str):
    return CliRunner().invoke(cli, ["--project", str(project), *args], obj={})


def test_build_writes_one_versioned_package_and_a_summary(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    result = run(project, "build", "--timestamp", "1700000000")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (project / "dist").iterdir()] == [
        "transfer-learning-interview-questions-1.0.0.apkg"]
    assert "1 note (1 new or changed), 1 card, 0 media files in" in result.output  # plurals


def test_no_command_means_build(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    assert run(project).exit_code == 0
    assert len(list((project / "dist").glob("*.apkg"))) == 1


def test_missing_id_fails_with_location_and_leaves_dist_alone(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    assert run(project, "build").exit_code == 0
    before = snapshot(project / "dist")
    (project / "cards" / "b.md").write_text("# More\n\n## No id here?\n\nText.\n")
    result = run(project, "build")
    assert result.exit_code == 1
    assert ("Error: cards/b.md:3: card has no id: 'No id here?' (run 'deckbuild ids' to "
            "add one)") in result.output
    assert "Traceback" not in result.output
    assert snapshot(project / "dist") == before


def test_duplicate_id_fails_naming_both_places(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD, "b.md": CARD.replace("Basics", "B")})
    result = run(project, "build")
    assert result.exit_code == 1
    assert ("Error: cards/b.md:4: duplicate id 'what' (first used at cards/a.md:4)"
            in result.output)
    assert not (project / "dist").exists() or snapshot(project / "dist") == {}


def test_all_problems_are_listed_at_once(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": "# A\n## One?\nx\n## Two?\ny\n"})
    result = run(project, "build")
    assert result.exit_code == 1
    assert result.output.count("card has no id") == 2


def test_ids_adds_ids_then_build_succeeds(tmp_path):
    raw = "\ufeff# A\r\n\r\n## Why freeze layers?\r\nBecause.\r\n\r\n## Why freeze layers?\r\nAgain.\r\n"
    project = make_project(tmp_path / "p")
    (project / "cards" / "a.md").write_bytes(raw.encode())
    result = run(project, "ids")
    assert result.exit_code == 0, result.output
    assert "cards/a.md:4: id why-freeze-layers" in result.output
    assert "Added 2 ids." in result.output
    expected = raw.replace("layers?\r\nBecause", "layers?\r\n<!-- id: why-freeze-layers -->\r\n"
                           "Because").replace("layers?\r\nAgain", "layers?\r\n<!-- id: "
                                              "why-freeze-layers-2 -->\r\nAgain")
    assert (project / "cards" / "a.md").read_bytes() == expected.encode()
    assert run(project, "ids").output.strip() == "Added 0 ids."
    assert run(project, "build").exit_code == 0


def test_version_and_help(tmp_path):
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    for args in ([], ["build"], ["ids"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_usage_error_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--timestamp", "soon"])
    assert result.exit_code == 2
    assert "Error: Invalid value" in result.output


def test_bad_config_is_an_error_not_a_traceback(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    (project / "pyproject.toml").write_text("[tool.deckbuild\nname=")
    result = run(project, "build")
    assert result.exit_code == 1
    assert result.output.startswith("Error: pyproject.toml: invalid TOML")


def test_source_date_epoch_sets_mod_times(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    result = CliRunner(env={"SOURCE_DATE_EPOCH": "1700000123"}).invoke(
        cli, ["--project", str(project)], obj={})
    assert result.exit_code == 0
    data = read_apkg(next((project / "dist").glob("*.apkg")))
    assert {n[3] for n in data["notes"]} == {1700000123}


def test_check_on_the_shipped_deck_prints_no_problem_then_its_summary(tmp_path):
    project = make_project(tmp_path / "p", shipped=True)
    result = run(project, "check")
    assert (result.exit_code, result.stdout) == (0, "")
    files = len(list((project / "cards").glob("*.md")))
    cards = sum(text.count("\n<!-- id: ") for text in
                (p.read_text(encoding="utf-8") for p in (project / "cards").glob("*.md")))
    assert result.stderr == f"Checked {files} card files, {cards} cards: 0 errors, 0 warnings.\n"


def test_checks_summary_counts_errors_and_warnings_and_says_what_strict_does(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": "# S\n\n## Q?\n<!-- id: q -->\n\nA\n\n"
                                                  "## Q?\n<!-- id: r -->\n\nB ![x](../media/x.png)\n"})
    (project / "media" / "unused.png").write_bytes(b"png")
    result = run(project, "check")
    assert result.exit_code == 1
    assert result.stderr == "Checked 1 card file, 2 cards: 1 error, 2 warnings.\n"
    (project / "cards" / "a.md").write_text("# S\n\n## Q?\n<!-- id: q -->\n\nA\n")
    strict = run(project, "check", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == ("Checked 1 card file, 1 card: 0 errors, 1 warning (it fails under "
                             "--strict).\n")


def test_diff_without_a_release_names_the_lock_file(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    result = run(project, "diff")
    assert result.exit_code == 1
    assert result.output == ("Error: deck.lock.json: no release recorded in the lock file yet: "
                             "run 'deckbuild release'\n")


def test_a_build_warning_says_warning_once(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    (project / "media" / "unused.png").write_bytes(b"png")
    result = run(project, "build", "--timestamp", "1700000000")
    assert result.exit_code == 0
    [line] = [line for line in result.output.splitlines() if "unused" in line]
    assert line == "media/unused.png: warning: media file is not used by any card"


def test_an_unexpected_failure_is_reported_without_a_traceback(tmp_path, monkeypatch):
    import deckbuild.pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(deckbuild.pipeline, "build", broken)
    project = make_project(tmp_path / "p", {"a.md": CARD})
    result = run(project, "build")
    assert result.exit_code == 1
    assert result.output.startswith("Error: internal error: RuntimeError: disk on fire")
    assert "please report it" in result.output and "Traceback" not in result.output


def test_bare_deckbuild_takes_builds_options(tmp_path):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    for args in (["--timestamp", "1700000000"], ["--strict"], ["--allow-schema-change"],
                 ["--strict", "--timestamp=1700000001", "--jobs", "1"]):
        result = CliRunner().invoke(cli, ["--project", str(project), *args], obj={})
        assert result.exit_code == 0, (args, result.output)
    notes = read_apkg(project / "dist" / "transfer-learning-interview-questions-1.0.0.apkg")
    assert {n[3] for n in notes["notes"]} == {1700000000}
    (project / "cards" / "b.md").write_text("# B\n\n## Q?\n<!-- id: b -->\n```nope\nx\n```\n")
    for args in (["--strict", "--project", str(project)], ["--project", str(project), "--strict"]):
        strict = CliRunner().invoke(cli, args, obj={})
        assert strict.exit_code == 1 and "unknown code language 'nope'" in strict.output
    assert CliRunner().invoke(cli, ["--nonsense"], obj={}).exit_code == 2
    assert "Commands:" in CliRunner().invoke(cli, ["--help"], obj={}).output


def test_every_command_takes_project_after_its_name(tmp_path, monkeypatch):
    project = make_project(tmp_path / "p", {"a.md": CARD})
    monkeypatch.chdir(tmp_path)  # were --project ignored, the current folder has no project
    for command in ("check", "ids", "build", "release", "diff"):
        result = CliRunner().invoke(cli, [command, "--project", str(project)], obj={})
        assert result.exit_code == 0, (command, result.output)
    assert (project / "dist" / "transfer-learning-interview-questions-1.0.0.apkg").is_file()


def test_program_name_is_how_the_user_ran_it():
    from deckbuild.cli import program_name

    assert program_name("/usr/local/bin/deckbuild") == "deckbuild"
    assert program_name("build.py") == "python build.py"
    assert program_name("../deck/build.py") == "python ../deck/build.py"
    assert program_name("") == "deckbuild"


def test_hints_name_the_command_that_was_run(tmp_path):
    import subprocess
    import sys

    project = make_project(tmp_path / "p", {"a.md": "# A\n\n## No id?\n\nText.\n"})
    script = Path(sys.executable).parent / "deckbuild"
    for argv, command in (([sys.executable, str(REPO / "build.py")],
                           f"python {REPO / 'build.py'}"),
                          ([str(script)], "deckbuild")):
        result = subprocess.run([*argv, "check", "--project", str(project)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1
        assert f"(run '{command} ids' to add one)" in result.stdout, result.stdout


def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path):
    """`deckbuild import … | head`: the closed pipe is no bug to report; as click does for
    its own output, the command ends with status 1 and says nothing."""
    import os
    import subprocess
    import sys

    notes = tmp_path / "notes.md"
    notes.write_text("# N\n\n## What is a layer?\n\nNeurons side by side.\n", encoding="utf-8")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from deckbuild.cli import main; main()", "--project",
             str(make_project(tmp_path / "p")), "import", str(notes), "--dry-run"],
            stdout=write, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert (done.returncode, done.stderr) == (1, "")
