"""Built-in note types: basic, reversed, cloze and type-in, as data in a registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_project

from deckbuild.errors import DeckError
from deckbuild.notetypes import REGISTRY, BuiltinNoteType, Registry
from deckbuild.package.notetype import load_notetype, load_notetypes
from deckbuild.package.writer import collection_format
from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.speed.parallel import RenderOptions


def test_the_registry_holds_four_types_basic_first():
    assert REGISTRY.names() == ("basic", "reversed", "cloze", "type-in")
    registry = Registry()
    registry.register(BuiltinNoteType("x", ("A",), "A", (), "style.css"))
    with pytest.raises(ValueError):
        registry.register(BuiltinNoteType("x", ("B",), "B", (), "style.css"))
    assert "x" in registry and registry.get("y") is None


def test_every_type_names_a_part_for_each_field_and_ships_its_files():
    for builtin in REGISTRY:
        assert len(builtin.parts) == len(builtin.fields), builtin.key
        assert builtin.sort_field in builtin.fields
        for _, front, back in builtin.templates:
            assert (builtin.folder / front).is_file() and (builtin.folder / back).is_file()


def test_types_load_with_fixed_distinct_ids_and_the_shared_css(tmp_path: Path):
    config = load_config(make_project(tmp_path / "p"))
    types = load_notetypes(config)
    assert list(types) == ["basic", "reversed", "cloze", "type-in"]
    assert types["basic"] == load_notetype(config)  # the project's own, unchanged
    assert types["basic"].id == config.notetype.id
    ids = [t.id for t in types.values()]
    assert len(set(ids)) == 4 and all(0 < i < 2**53 for i in ids)
    # Fixed: the same project gives the same ids on every build.
    assert [t.id for t in load_notetypes(load_config(tmp_path / "p")).values()] == ids
    for key, notetype in types.items():
        assert notetype.css.startswith(types["basic"].css.rstrip()), key
    assert ".cloze" in types["cloze"].css and ".cloze" not in types["basic"].css


def test_schemas(tmp_path: Path):
    types = load_notetypes(load_config(make_project(tmp_path / "p")))
    assert [t.name for t in types["reversed"].templates] == ["Card 1", "Card 2"]
    assert "{{Answer}}" in types["reversed"].templates[1].front
    assert "{{Question}}" not in types["reversed"].templates[1].front
    cloze = types["cloze"]
    assert cloze.kind == "cloze" and len(cloze.templates) == 1
    assert cloze.fields[cloze.sort_field] == "Text"
    assert "{{cloze:Text}}" in cloze.templates[0].front
    assert "{{cloze:Text}}" in cloze.templates[0].back
    typein = types["type-in"]
    assert "Explanation" in typein.fields
    assert "{{type:Answer}}" in typein.templates[0].front
    assert "{{type:Answer}}" in typein.templates[0].back
    assert {t.kind for k, t in types.items() if k != "cloze"} == {"standard"}


def test_genanki_marks_only_the_cloze_type_as_cloze(tmp_path: Path):
    types = load_notetypes(load_config(make_project(tmp_path / "p")))
    assert {key: collection_format(t).model["type"] for key, t in types.items()} == {
        "basic": 0, "reversed": 0, "cloze": 1, "type-in": 0}


def test_templates_of_a_type_are_overridden_under_templates_type(tmp_path: Path):
    project = make_project(tmp_path / "p")
    own = project / "templates" / "cloze"
    own.mkdir()
    (own / "front.html").write_text("<b>{{Context}}</b> {{cloze:Text}}")
    # a file not overridden is the built-in one
    partial = load_notetypes(load_config(project))["cloze"]
    assert partial.templates[0].front == "<b>{{Context}}</b> {{cloze:Text}}"
    assert partial.templates[0].back == (REGISTRY.get("cloze").folder / "back.html").read_text()
    (own / "back.html").write_text("{{cloze:Text}}<br>{{Extra}}")
    (own / "type.css").write_text(".cloze { color: red; }")
    cloze = load_notetypes(load_config(project))["cloze"]
    assert cloze.templates[0].front == "<b>{{Context}}</b> {{cloze:Text}}"
    assert cloze.css.endswith(".cloze { color: red; }")
    (own / "back.html").write_text("{{cloze:Text}}\n{{Answer}}")
    with pytest.raises(DeckError) as caught:
        load_notetypes(load_config(project))
    assert [str(p) for p in caught.value.problems] == [
        "templates/cloze/back.html:2: template uses unknown field 'Answer'"]


def _project(tmp_path: Path, text: str) -> Path:
    return make_project(tmp_path / "p", {"a.md": text})


def _errors(project: Path) -> list[str]:
    from deckbuild.pipeline import check_all

    return [str(p) for p in check_all(load_config(project),
                                      RenderOptions(cache=False)) if p.is_error]


CARDS = """\
# S

## Reverse me
<!-- id: rev -->
<!-- type: reversed -->

Short answer.

## Type me
<!-- id: typed -->
<!-- type: type-in -->

AdamW

Why it is AdamW.
"""


def test_the_front_matter_sets_the_default_type_and_a_comment_overrides_it():
    from deckbuild.source.parse import parse_source

    source, problems = parse_source("---\ntype: cloze\n---\n# S\n\n## A\n<!-- id: a -->\n\n"
                                    "{{c1::x}}\n\n## B\n<!-- id: b -->\n<!-- type: Reversed -->"
                                    "\n\nbody\n", "a.md")
    assert problems == []
    assert [c.notetype for c in source.cards] == ["cloze", "reversed"]


def test_unknown_types_and_bad_type_in_answers_are_errors_at_their_line(tmp_path: Path):
    project = _project(tmp_path, "---\ntype: flashcard\n---\n# S\n\n## A\n<!-- id: a -->\n"
                       "<!-- type: revresed -->\n\nx\n\n## B\n<!-- id: b -->\n"
                       "<!-- type: type-in -->\n\nfirst line\nsecond line\n\nwhy\n")
    known = "(known: basic, reversed, cloze, type-in)"
    assert _errors(project) == [
        f"cards/a.md:2: unknown note type 'flashcard' {known}",
        f"cards/a.md:8: unknown note type 'revresed' {known}",
        "cards/a.md:17: the answer to type must be one line: put a blank line after it, the "
        "explanation below"]


def test_the_lock_records_each_type_and_refuses_a_changed_type(tmp_path: Path):
    import json

    project = _project(tmp_path, CARDS)
    build(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    lock = json.loads((project / "deck.lock.json").read_text())
    types = load_notetypes(load_config(project))
    assert set(lock["notetypes"]) == {str(types[k].id) for k in ("basic", "reversed", "type-in")}
    assert lock["notetypes"][str(types["type-in"].id)]["schema"] == types["type-in"].schema()
    assert (lock["notes"]["rev"]["type"], lock["notes"]["typed"]["type"]) == ("reversed",
                                                                              "type-in")
    (project / "cards" / "a.md").write_text(CARDS.replace("<!-- type: reversed -->\n", ""))
    with pytest.raises(DeckError) as caught:
        build(load_config(project), now=1_700_000_100, render=RenderOptions(cache=False))
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 1 and messages[0].startswith(
        "cards/a.md:3: card 'rev' changed its note type from 'reversed' to 'basic'")
    assert "Give the card a new id" in messages[0]
    assert _errors(project) == messages  # check reports what build refuses


def test_preview_shows_every_card_of_every_type_with_a_type_filter(tmp_path: Path):
    import re as regex

    from test_notetypes_anki import MIXED

    from deckbuild.live.preview import cloze_side, preview_html
    from deckbuild.pipeline import check

    config = load_config(make_project(tmp_path / "p", {"mixed.md": MIXED}))
    checked = check(config, RenderOptions(cache=False))
    page = preview_html(config, checked.notetype, checked.notes, checked.others)
    articles = dict(regex.findall(r'<article class="pv-card" id="card-([\w-]+)".*?'
                                  r'data-type="([\w-]+)"', page))
    assert articles == {"fine-tuning": "basic", "linear-probing": "reversed",
                        "transfer-risk": "cloze", "bert-optimizer": "type-in"}
    sides = regex.findall(r'<div class="pv-side">([^<]*)</div>', page)
    assert sides == ["Front", "Back", "Card 1 Front", "Card 1 Back", "Card 2 Front",
                     "Card 2 Back", *(f"c{n} {side}" for n in range(1, 5)
                                      for side in ("Front", "Back")), "Front", "Back"]
    assert ('<select id="pv-type" aria-label="types"><option value="">All types</option>'
            '<option value="basic">') in page
    assert 'id="typeans"' in page and "{{" not in page.split("<main")[1]
    assert ".cloze {" in page and page.count("/* code, day: pygments") == 1
    text = "{{c1::a}} {{c2::b::hint}} {{c1::c}}"
    assert cloze_side(text, 1, back=False) == ('<span class="cloze">[...]</span> b '
                                               '<span class="cloze">[...]</span>')
    assert cloze_side(text, 2, back=False) == 'a <span class="cloze">[hint]</span> c'
    assert cloze_side(text, 2, back=True) == 'a <span class="cloze">b</span> c'


def test_the_docs_example_of_every_type_builds_without_a_problem(tmp_path: Path):
    from support import REPO

    from deckbuild.pipeline import check_all

    page = (REPO / "docs" / "writing-cards.md").read_text(encoding="utf-8")
    section = page[page.index("## Note types: basic, reversed, cloze, type-in"):]
    example = section.split("~~~markdown\n", 1)[1].split("~~~\n", 1)[0]
    project = _project(tmp_path, example)
    assert check_all(load_config(project), RenderOptions(cache=False)) == []
    report = build(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    assert (report.notes, report.cards) == (4, 2 + 3 + 1 + 1)


def test_a_released_version_freezes_the_templates_of_every_type_it_uses(tmp_path: Path):
    import json
    import shutil

    from deckbuild.notetypes import REGISTRY
    from deckbuild.pipeline import release

    project = _project(tmp_path, CARDS)
    release(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    recorded = json.loads((project / "deck.lock.json").read_text())["releases"][0]["types"]
    assert sorted(recorded) == ["reversed", "type-in"]
    own = project / "templates" / "type-in"
    shutil.copytree(REGISTRY.get("type-in").folder, own)
    # the same files: still the released note type
    build(load_config(project), now=1_700_000_100, render=RenderOptions(cache=False))
    (own / "type.css").write_text("#typeans { width: 90%; }\n")
    with pytest.raises(DeckError) as caught:
        build(load_config(project), now=1_700_000_200, render=RenderOptions(cache=False))
    assert [str(p) for p in caught.value.problems] == [
        "pyproject.toml: version 1.0.0 is already released and the content changed (the note "
        "type differs); bump [tool.deckbuild] version"]


def test_an_unreadable_template_of_a_type_is_an_error_in_check_and_build(tmp_path: Path):
    from test_notetypes_anki import MIXED

    project = _project(tmp_path, MIXED)
    own = project / "templates" / "cloze"
    own.mkdir()
    (own / "front.html").write_bytes(b"\xff\xfe {{cloze:Text}}")
    expected = ["templates/cloze/front.html: cannot read: 'utf-8' codec can't decode byte "
                "0xff in position 0: invalid start byte"]
    assert _errors(project) == expected
    with pytest.raises(DeckError) as caught:
        build(load_config(project), now=1_700_000_000, render=RenderOptions(cache=False))
    assert [str(p) for p in caught.value.problems] == expected
    assert not (project / "dist").exists()


def test_a_build_from_the_cache_writes_the_same_bytes_for_every_type(tmp_path: Path):
    import shutil

    from test_notetypes_anki import MIXED

    project = _project(tmp_path, MIXED)
    fresh = Path(build(load_config(project), now=1_700_000_000,
                       render=RenderOptions(cache=False)).path).read_bytes()
    shutil.rmtree(project / "dist")
    build(load_config(project), now=1_700_000_000)  # fills the cache
    shutil.rmtree(project / "dist")
    again = build(load_config(project), now=1_700_000_000)  # every file from the cache
    assert again.written and (again.notes, again.cards) == (4, 8)
    assert Path(again.path).read_bytes() == fresh
