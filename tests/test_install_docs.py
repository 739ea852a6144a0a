"""The install steps start with a virtual environment of the user's own."""

from __future__ import annotations

from support import REPO


def test_the_install_steps_make_and_use_a_virtual_environment_before_pip():
    page = (REPO / "docs" / "getting-started.md").read_text(encoding="utf-8")
    steps = page.split("## Install", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in steps.splitlines() if line.strip()]
    venv = next(i for i, c in enumerate(commands) if "-m venv" in c)
    pip = next(i for i, c in enumerate(commands) if "pip install" in c)
    assert venv < pip and "activate" in commands[venv]
