"""`import` writes padded math (`$ x $`, as Typora and Obsidian accept it) as `$x$`, which
the math grammar typesets, so the imported project passes `check` at once."""

from __future__ import annotations

from click.testing import CliRunner
from support import make_project

from deckbuild.cli import cli
from deckbuild.importers.mathimages import tighten_padded


def test_padded_math_is_tightened_prices_and_code_are_not():
    assert tighten_padded("the loss $ L(x) $ falls, $ \\alpha $ too") == \
        "the loss $L(x)$ falls, $\\alpha$ too"
    assert tighten_padded("it costs $ 5 and $ 6 a month") == "it costs $ 5 and $ 6 a month"
    assert tighten_padded("`echo $ a $` then $ b $") == "`echo $ a $` then $b$"


def test_an_obsidian_note_with_padded_math_imports_and_checks_clean(tmp_path):
    note = tmp_path / "notes.md"
    note.write_text("# Losses\n\n## What does cross-entropy measure?\n\n"
                    "It is $ -\\sum_i p_i \\log q_i $ for targets $ p $ and predictions $ q $.\n",
                    encoding="utf-8")
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(cli, ["import", str(note), "--project", str(project)], obj={})
    assert result.exit_code == 0, result.output
    text = (project / "cards" / "notes.md").read_text(encoding="utf-8")
    assert "It is $-\\sum_i p_i \\log q_i$ for targets $p$ and predictions $q$." in text
    checked = CliRunner().invoke(cli, ["--project", str(project), "check", "--strict"], obj={})
    assert checked.exit_code == 0, checked.output
