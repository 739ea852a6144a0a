"""Releases in a row, on a deck of two note types: each release's share kit and `diff` of
its package against the one before report exactly what changed since the previous
release (not since the first), whatever was added, edited and removed in between."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import make_project

from deckbuild.cli import cli

NO_BROWSER = {"DECKBUILD_CHROMIUM": "/nonexistent/chromium"}
SLUG = "transfer-learning-interview-questions"
VERSIONS = ("1.0.0", "1.1.0", "1.2.0", "1.3.0")

# One step between releases: add a note of a type, edit the answer of the k-th note alive
# (modulo their number), or remove it.
_OP = st.one_of(st.tuples(st.just("add"), st.sampled_from(["basic", "cloze"])),
                st.tuples(st.sampled_from(["edit", "remove"]), st.integers(0, 50)))


def run(project: Path, *args: str):
    return CliRunner(env=NO_BROWSER).invoke(cli, ["--project", str(project), *args], obj={})


def _write(project: Path, notes: dict[str, tuple[str, str, str]]) -> None:
    """The generated notes: basic ones in one file, cloze ones in another."""
    basic = ["# Generated", ""]
    cloze = ["---", "type: cloze", "---", "# Gaps", ""]
    for card_id, (kind, question, answer) in notes.items():
        lines = [f"## {question}", f"<!-- id: {card_id} -->", "",
                 answer if kind == "basic" else f"The gap is {{{{c1::{answer}}}}}.", ""]
        (basic if kind == "basic" else cloze).extend(lines)
    (project / "cards" / "generated.md").write_text("\n".join(basic), encoding="utf-8")
    (project / "cards" / "gaps.md").write_text("\n".join(cloze), encoding="utf-8")


def _listed(text: str, label: str) -> set[str]:
    return set(re.findall(rf"^- {label}: (.+)$", text, re.MULTILINE))


def _diffed(output: str) -> dict[str, set[str]]:
    """The ids under each heading of `diff`'s report (`  added (2)`, then `    + id: …`)."""
    found: dict[str, set[str]] = {}
    heading = ""
    for line in output.splitlines():
        if m := re.fullmatch(r"  (\w+) \(\d+\)", line):
            heading = m.group(1)
            found[heading] = set()
        elif m := re.fullmatch(r"    [-+~*] ([^:]+): .*", line):
            found[heading].add(m.group(1))
        elif not line.startswith("    "):
            heading = ""
    return found


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.lists(_OP, min_size=1, max_size=5), min_size=3, max_size=3))
def test_each_release_reports_what_changed_since_the_one_before(tmp_path_factory, steps):
    project = make_project(tmp_path_factory.mktemp("seq") / "p", mini=True)
    notes: dict[str, tuple[str, str, str]] = {
        "g0": ("basic", "Generated question 0?", "Answer zero."),
        "c0": ("cloze", "Gap 0", "zero")}
    _write(project, notes)
    assert run(project, "release").exit_code == 0
    made = 1
    for index, ops in enumerate(steps, start=1):
        before = dict(notes)
        for op, arg in ops:
            alive = sorted(notes)
            if op == "add":
                card_id = f"{'g' if arg == 'basic' else 'c'}{made}"
                question = f"Generated question {made}?" if arg == "basic" else f"Gap {made}"
                notes[card_id] = (arg, question, f"answer {made}")
                made += 1
            elif alive:
                card_id = alive[arg % len(alive)]
                kind, question, answer = notes[card_id]
                if op == "edit":
                    notes[card_id] = (kind, question, answer + " more")
                elif sum(k == kind for k, _, _ in notes.values()) > 1:
                    del notes[card_id]  # (each note type keeps a note: both stay in use)
        _write(project, notes)
        pyproject = project / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            f'version = "{VERSIONS[index - 1]}"', f'version = "{VERSIONS[index]}"'))
        added = {i for i in notes if i not in before}
        removed = {i for i in before if i not in notes}
        changed = {i for i in notes if i in before and notes[i] != before[i]}
        result = run(project, "release")
        assert result.exit_code == 0, result.output

        kit = (project / "dist" / "share" / VERSIONS[index] / "release-notes.md").read_text()
        assert (f"Since version {VERSIONS[index - 1]}: {len(added)} new, {len(changed)} "
                f"updated, {len(removed)} removed.") in kit
        assert _listed(kit, "New") == {notes[i][1] for i in added}
        assert _listed(kit, "Updated") == {notes[i][1] for i in changed}
        assert _listed(kit, "Removed") == {before[i][1] for i in removed}

        old, new = (project / "dist" / f"{SLUG}-{VERSIONS[index - 1]}.apkg",
                    project / "dist" / f"{SLUG}-{VERSIONS[index]}.apkg")
        output = run(project, "diff", str(old), str(new)).output
        reported = _diffed(output)
        assert (reported["added"], reported["changed"], reported["removed"]) == (
            added, changed, removed), output
