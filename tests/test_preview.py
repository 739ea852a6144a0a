"""`preview` finds MathJax 3 in the project, the environment, npm's global folder or --mathjax,
and otherwise says how to get it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import make_project, without_docs

from deckbuild.cli import cli

MATHJAX = Path(__file__).resolve().parent.parent / "node_modules" / "mathjax"
pytestmark = pytest.mark.skipif(not (MATHJAX / "es5").is_dir() and not os.environ.get("CI"),
                                reason="MathJax 3 is not installed: run `npm install`")


def preview(project: Path, *args: str, env: dict[str, str | None] | None = None):
    # A global npm folder of our own, empty unless a test puts MathJax there.
    settings = {"DECKBUILD_MATHJAX": None, "NPM_CONFIG_PREFIX": str(project / "npm-global")}
    return CliRunner(env={**settings, **(env or {})}).invoke(
        cli, ["preview", "--project", str(project), *args], obj={})


def written(project: Path) -> bool:
    return (project / "dist" / "preview" / "mathjax" / "tex-chtml-full.js").is_file()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "p", mini=True)
    (root / "package.json").unlink(missing_ok=True)
    return root


def test_without_mathjax_it_says_where_it_looked_and_how_to_get_it(project):
    result = preview(project)
    assert result.exit_code == 1
    (line,) = without_docs(result.output).splitlines()
    assert line == (
        f"Error: node_modules/mathjax: MathJax 3 not found (looked in the project "
        f"({project}/node_modules/mathjax), $DECKBUILD_MATHJAX (unset), the global npm folder "
        f"({project}/npm-global/lib/node_modules/mathjax)); run `npm install mathjax@3` in the "
        f"project folder, or pass --mathjax DIR (the npm package's folder), then try again")
    assert not written(project)


def test_a_project_with_a_package_json_pinning_mathjax_is_told_npm_install(project):
    (project / "package.json").write_text('{"dependencies": {"mathjax": "3.2.2"}}\n')
    assert "; run `npm install` in the project folder" in preview(project).output


def test_the_projects_node_modules(project):
    (project / "node_modules").mkdir()
    os.symlink(MATHJAX, project / "node_modules" / "mathjax")
    assert preview(project).exit_code == 0 and written(project)


def test_the_environment_variable(project):
    result = preview(project, env={"DECKBUILD_MATHJAX": str(MATHJAX)})
    assert result.exit_code == 0, result.output
    assert written(project)


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_npms_global_folder(project):
    root = project / "npm-global" / "lib" / "node_modules"
    root.mkdir(parents=True)
    os.symlink(MATHJAX, root / "mathjax")
    result = preview(project)
    assert result.exit_code == 0, result.output
    assert written(project)


def test_the_mathjax_option_is_used_or_refused_never_skipped(project, tmp_path):
    assert preview(project, "--mathjax", str(MATHJAX)).exit_code == 0 and written(project)
    result = preview(project, "--mathjax", str(tmp_path), env={"DECKBUILD_MATHJAX": str(MATHJAX)})
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {tmp_path}: no MathJax 3 here (es5/tex-chtml-full.js "
                                    "is missing)")
