"""[tool.deckbuild]: defaults for everything but a deck's identity, and errors that teach."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from deckbuild.cli import cli
from deckbuild.errors import DeckError
from deckbuild.notetypes import BASIC
from deckbuild.project.config import key_lines, load_config

MINIMAL = """\
[tool.deckbuild]
name = "Spanish Verbs"
version = "1.0.0"
deck_id = 1500000000001
guid_namespace = "spanish-verbs-test"

[tool.deckbuild.notetype]
id = 1500000000002
"""


def project(tmp_path: Path, text: str = MINIMAL) -> Path:
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(DeckError) as caught:
        load_config(root)
    return [str(p) for p in caught.value.problems]


def test_a_minimal_table_gets_the_built_in_note_type_and_defaults(tmp_path):
    config = load_config(project(tmp_path))
    assert (config.slug, config.deck_id, config.guid_namespace) == (
        "spanish-verbs", 1500000000001, "spanish-verbs-test")
    nt = config.notetype
    assert (nt.id, nt.name, nt.fields, nt.sort_field, nt.css) == (
        1500000000002, "Spanish Verbs Q&A", BASIC.fields, "Question", "style.css")
    assert [(t.name, t.front, t.back) for t in nt.templates] == list(BASIC.templates)
    assert config.templates_dir == BASIC.folder
    assert config.cards_dir == tmp_path / "p" / "cards" and config.problems == ()


def test_a_projects_own_templates_folder_wins_over_the_built_in(tmp_path):
    root = project(tmp_path)
    (root / "templates").mkdir()
    assert load_config(root).templates_dir == root / "templates"


@pytest.mark.parametrize("key, line", [("name", 1), ("version", 1), ("deck_id", 1),
                                       ("guid_namespace", 1), ("id", 7)])
def test_a_missing_key_is_named_with_a_line_to_add(tmp_path, key, line):
    text = re.sub(rf"(?m)^{key} = .*\n", "", MINIMAL)
    (found,) = problems(project(tmp_path, text))
    where = "tool.deckbuild.notetype" if key == "id" else "tool.deckbuild"
    assert found.startswith(f"pyproject.toml:{line}: missing key {where}.{key}: "), found
    assert f"[{where}]" in found
    assert re.search(rf"'{key} = (\d{{13}}|\"[^\"]+\")'", found), found


def test_the_ids_offered_for_a_missing_key_are_fresh_each_time(tmp_path):
    root = project(tmp_path, MINIMAL.replace("deck_id = 1500000000001\n", ""))
    offered = {re.search(r"deck_id = (\d+)", problems(root)[0]).group(1) for _ in range(5)}
    assert len(offered) == 5


def test_no_notetype_table_asks_for_its_id(tmp_path):
    (found,) = problems(project(tmp_path, MINIMAL.partition("\n\n")[0] + "\n"))
    assert re.fullmatch(r"pyproject.toml:1: missing key tool.deckbuild.notetype.id: add a line "
                        r"like 'id = \d+' under \[tool.deckbuild.notetype\] .*", found), found


def test_a_wrong_type_says_what_was_found_where(tmp_path):
    text = MINIMAL.replace("deck_id = 1500000000001", 'deck_id = "1500000000001"').replace(
        'version = "1.0.0"', "version = 1.0")
    found = problems(project(tmp_path, text))
    assert found[0].startswith("pyproject.toml:3: tool.deckbuild.version must be a string, found "
                               "a decimal number (1.0); for example 'version = \"1.0.0\"'")
    assert found[1].startswith("pyproject.toml:4: tool.deckbuild.deck_id must be an integer, "
                               "found a string ('1500000000001'); add a line like 'deck_id = ")


def test_a_boolean_is_not_an_integer(tmp_path):
    (found,) = problems(project(tmp_path, MINIMAL.replace("id = 1500000000002", "id = true")))
    assert found.startswith("pyproject.toml:8: tool.deckbuild.notetype.id must be an integer, "
                            "found a boolean (true/false) (True)")


def test_every_problem_is_listed_at_once_through_the_cli(tmp_path):
    root = project(tmp_path, '[tool.deckbuild]\nname = 3\nnotetype = { fields = "Q" }\n')
    result = CliRunner().invoke(cli, ["--project", str(root), "check"], obj={})
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stdout.splitlines()
    missing = sorted(m.group(1) for x in lines if (m := re.search(r"missing key (\S+):", x)))
    assert missing == ["tool.deckbuild.deck_id", "tool.deckbuild.guid_namespace",
                       "tool.deckbuild.notetype.id", "tool.deckbuild.version"]
    # check lists them like every other problem; build prints the same lines after "Error: ".
    assert any(x.startswith("pyproject.toml:2: tool.deckbuild.name must be a string, "
                            "found an integer (3)") for x in lines)
    assert any(x.startswith("pyproject.toml:3: tool.deckbuild.notetype.fields must be an "
                            "array, found a string ('Q')") for x in lines)
    built = CliRunner().invoke(cli, ["--project", str(root), "build"], obj={})
    assert built.exit_code == 1
    def drawn(text: str) -> str:  # the example ids are drawn afresh for each message
        return re.sub(r"\d{6,}|\"[0-9a-z-]*-[0-9a-f]{6,}\"", "N", text)
    assert [drawn(x) for x in built.output.splitlines()] == [drawn(f"Error: {x}") for x in lines]


def test_no_table_and_no_file_point_to_init(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert problems(empty) == [f"pyproject.toml: no pyproject.toml in {empty}; run 'deckbuild "
                               "init' to start a deck there"]
    (empty / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert "'deckbuild init --name \"My Deck\"'" in problems(empty)[0]


def test_key_lines_finds_tables_and_keys():
    text = '[project]\nname = "x"\n\n[tool.deckbuild]\nname = "d"\n  deck_id=1\n' \
           '[ tool . "deckbuild" . notetype ]  # note type\nid = 2\n'
    assert key_lines(text) == {"project": 1, "project.name": 2, "tool.deckbuild": 4,
                               "tool.deckbuild.name": 5, "tool.deckbuild.deck_id": 6,
                               "tool.deckbuild.notetype": 7, "tool.deckbuild.notetype.id": 8}


def test_a_templates_setting_naming_no_folder_says_how_to_get_one(tmp_path):
    root = project(tmp_path, MINIMAL.replace('guid_namespace = "spanish-verbs-test"\n',
                                             'guid_namespace = "spanish-verbs-test"\n'
                                             'templates = "my-templates"\n'))
    (root / "cards").mkdir()
    (root / "cards" / "a.md").write_text("## Q?\n<!-- id: q -->\nA.\n")
    result = CliRunner().invoke(cli, ["--project", str(root), "build"], obj={})
    assert result.exit_code == 1
    assert result.output == (
        "Error: my-templates: no templates folder: create it ('deckbuild init --templates' "
        "writes the built-in templates to templates/), or remove the 'templates' setting from "
        "[tool.deckbuild] to use the built-in ones\n")
    (root / "pyproject.toml").write_text(MINIMAL)
    assert CliRunner().invoke(cli, ["--project", str(root), "build"], obj={}).exit_code == 0


def test_a_missing_key_points_at_its_misspelling(tmp_path):
    found = problems(project(tmp_path, MINIMAL.replace("deck_id =", "deckid =")))
    assert found[0].startswith("pyproject.toml:4: missing key tool.deckbuild.deck_id ('deckid' "
                               "looks like a misspelling of it): add a line like 'deck_id = ")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["tool.deckbuild", "tool.deckbuild.notetype",
                                           "project", "tool.other"]),
                          st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
                                   .filter(lambda k: k != "notetype"), max_size=4, unique=True),
                          st.sampled_from(["", " ", "  # note"])),
                min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_key_lines_agree_with_tomllib_on_where_each_key_is(tables):
    from deckbuild.project.config import tomllib

    lines, expected = [], {}
    for table, keys, trailer in tables:
        lines += ["", f"[{table}]{trailer}"]
        expected[table] = len(lines)
        for index, key in enumerate(keys):
            lines.append(f"{'  ' * (index % 2)}{key} = {index}{trailer}")
            expected[f"{table}.{key}"] = len(lines)
    text = "\n".join(lines) + "\n"
    data = tomllib.loads(text)  # the text is valid TOML: the keys really are where we think
    for dotted, line in expected.items():
        table, _, key = dotted.rpartition(".")
        if dotted not in (t for t, _, _ in tables):
            node = data
            for part in table.split("."):
                node = node[part]
            assert node[key] == int(lines[line - 1].split("=")[1].split("#")[0])
    assert {k: v for k, v in key_lines(text).items() if k in expected} == expected
