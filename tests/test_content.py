"""The shipped deck: 38 cards in five sections, each one well-formed, sized and cited; the Key
Formulas subdeck of cloze notes, each hiding one term that its own front does not give away;
and the Key Facts subdeck of atomic notes for the facts cut from the dense cards. Every
companion note links to its full card.

Cards are read with deckbuild's own parser and built into a real package, so these tests
see exactly what users import.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from support import REPO, make_project, read_apkg

from deckbuild.notetypes.cloze_type import cloze_numbers
from deckbuild.pipeline import build
from deckbuild.project.config import load_config
from deckbuild.project.sources import check_ids, load_sources
from deckbuild.records import Card, SourceFile
from deckbuild.speed.bundles import section_tag

SECTIONS = {
    "Fundamentals": 7,
    "Techniques and Approaches": 7,
    "Practical Implementation": 7,
    "Advanced Topics": 9,
    "Domains, Challenges and Deployment": 8,
}
# The cloze companion: one note per key formula or number of the full cards.
KEY_FORMULAS, MIN_FORMULA_NOTES = "Key Formulas", 20
# The atomic companion: one fact per Basic note, cut from a dense full card.
KEY_FACTS, MIN_FACT_NOTES = "Key Facts", 40
COMPANIONS = (KEY_FORMULAS, KEY_FACTS)
# An interview answer is said aloud: a core sentence, the reason, an example, a follow-up.
# Bullet-level facts (list items, table rows, the Pitfall) per card, at most:
MAX_FACTS = 6
# A Key Facts note holds one fact: a short answer, no list.
MAX_FACT_NOTE_WORDS = 50
# Formula notes allowed more than one deletion number (each number is a card of its own, on
# purpose): note id -> why. Every other formula note hides one term.
SEVERAL_DELETIONS: dict[str, str] = {}
MIN_WORDS, MAX_WORDS = 60, 220
# Prose outside code, math, tables and Extra: one idea per card fits in this many words.
MAX_PROSE_WORDS = 150
MIN_FORMULA_CARDS, MIN_CODE_CARDS = 10, 8
# Cards whose canonical paper must be cited in Extra: card id -> surnames that must appear.
CITATIONS = {
    "knowledge-distillation-teacher-student": ("Hinton",),
    "domain-adaptation-bound-and-feature-alignment": ("Ganin", "Ben-David"),
    "domain-task-adaptive-pretraining-dapt-tapt": ("Gururangan",),
    "multimodal-transfer-clip-zero-shot-vlm-fine-tuning": ("Radford",),
    "robust-fine-tuning-wise-ft-model-soups-merging": ("Wortsman", "Ilharco"),
    "correcting-covariate-and-label-shift": ("Shimodaira", "Lipton", "Saerens"),
    "domain-generalisation-test-time-adaptation": ("Gulrajani", "Wang, D.", "Liang"),
    "pretrained-model-bias-licensing-privacy": ("Qi, X.",),
    "layer-freezing-gradual-unfreezing-discriminative-lr": ("Howard", "Lee, Y."),
    "feature-extraction-vs-fine-tuning": ("Kumar",),
    "finetune-bert-text-classification-steps": ("Mosbach",),
    "transfer-detection-segmentation": ("Lin, T.-Y.", "Kirillov"),
    "speech-transfer-wav2vec2-hubert-whisper": ("Baevski", "Hsu"),
    "catastrophic-forgetting-ewc-rehearsal-lwf": ("Kirkpatrick",),
    "peft-adapters-lora-prefix-prompt-tuning": ("Hu, E. J.",),
    "meta-learning-maml-vs-transfer-learning": ("Finn",),
    "transferability-estimation-source-model-selection": ("Nguyen", "You, K."),
}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])([^$]+?)(?<![\s\\])\$(?!\d)|\\\((.+?)\\\)", re.S)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_TABLE_ROW = re.compile(r"^\s*\|")
_FOLLOW_UP = re.compile(r"\bFollow-up\b")
# docs/notation.md, the rules a machine can check.
_TEACHER = re.compile(r"\bteachers?\b", re.I)
# A T or t subscript: x_T, x_t, x_{T}, x_{t,i}, x_{\text{T}}; not x_{\text{teacher}}.
_T_SUBSCRIPT = re.compile(r"_\s*(?:\{\s*)?(?:\\(?:text|mathrm|mathit)\s*\{\s*)?[Tt](?![A-Za-z])")
# An identifier ending in _t or _T (z_t, p_T, logits_t) in code.
_T_IDENTIFIER = re.compile(r"\b[A-Za-z]\w*_[Tt]\b")
# Temperature is tau: a formula never divides by a bare T or squares it.
_BARE_T_TEMPERATURE = re.compile(
    r"/\s*T(?![A-Za-z_])|(?<![A-Za-z\\])T\s*\^|\\frac\s*\{[^{}]*\}\s*\{\s*T\s*\}")
# z is for logits: a z in a formula on a card that never speaks of logits is something else.
_Z_SYMBOL = re.compile(r"(?<![A-Za-z\\])z(?![A-Za-z])")
_LOGITS = re.compile(r"\blogits?\b", re.I)
_CAL_D = re.compile(r"\\mathcal\s*\{\s*D\s*\}|\\mathcal\s*D(?![A-Za-z])|\U0001D49F")
_DATA_SET = re.compile(r"\bdata[ -]?sets?\b", re.I)
# Random variables are uppercase: P(X), P_S(Y | X), \hat{P}(Y = y), never P(x), P_s(y | x) or
# \hat{P}(y | y_S).
_LOWERCASE_RANDOM_VARIABLE = re.compile(
    r"(?<![A-Za-z\\])(?:\\hat\s*\{\s*P\s*\}|\\hat\s+P|P)(?:_\s*\{?\s*[A-Za-z]+\s*\}?)?\s*\(\s*[a-z](?![A-Za-z])")
# What a shift keeps fixed carries both subscripts: never "$P(X \mid Y)$ unchanged".
_UNMARKED_INVARIANT = re.compile(
    r"\$\s*P\s*\([^$]*\$(?:[^.;\n$]|\$[^$]*\$){0,40}?\b(?:unchanged|fixed|the same)\b")
# A learning step is written with eta: theta - alpha grad or theta - beta grad is a step size
# under another letter.
_STEP_NOT_ETA = re.compile(r"-\s*\\(?:alpha|beta|gamma|lambda|rho)\s*\\nabla")
# Weights are theta (theta_0 the pre-trained ones), never a bold w.
_BOLD_W = re.compile(r"\\mathbf\s*\{\s*w\s*\}")
# The hypothesis class is \mathcal{H}, with no subscript; a kernel's space is \mathcal{F}_k.
_SUBSCRIPTED_H = re.compile(r"\\mathcal\s*\{\s*H\s*\}\s*_")
# theta is a parameter vector, not a model applied to an input.
_THETA_AS_FUNCTION = re.compile(r"\\theta\s*\(\s*[a-z]")
# A and B are LoRA's factors: not a learning algorithm A(D_S, D_T), not task A or task B.
_A_B_AS_TASK_OR_ALGORITHM = re.compile(
    r"(?<![\\A-Za-z{])A\s*\(|_\s*\{?\s*[AB]\s*(?:[,}]|$|\s*\()|_\s*[AB](?![A-Za-z])")
# "task vector" means Delta_k = theta_k - theta_0 only.
_TASK_VECTOR = re.compile(r"\btask vectors?\b", re.I)
_DELTA = re.compile(r"\\Delta(?![A-Za-z])")
# One letter, one meaning: a note that uses a reserved letter also says what it stands for.
RESERVED_LETTERS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "\\alpha (LoRA's scale)": (re.compile(r"\\alpha(?![A-Za-z])"), re.compile(r"LoRA|lora_alpha")),
    "\\beta (a loss or penalty weight)": (re.compile(r"\\beta(?![A-Za-z])"),
                                          re.compile(r"\bweigh|\bstrength|\bweights\b")),
    "\\lambda (Ben-David's joint error)": (re.compile(r"\\lambda(?![A-Za-z])"), re.compile(r"Ben-David")),
    "\\rho (the WiSE-FT mixing weight)": (re.compile(r"\\rho(?![A-Za-z])"), re.compile(r"WiSE-FT")),
    "\\gamma (the RL discount)": (re.compile(r"\\gamma(?![A-Za-z])"), re.compile(r"\bdiscount")),
    "\\delta (a quantisation scale)": (re.compile(r"\\delta(?![A-Za-z])"), re.compile(r"\bscale\b")),
    "s (an RL state)": (re.compile(r"(?<![A-Za-z\\_^{])s(?![A-Za-z])(?!\s*\})"),
                        re.compile(r"\bstates?\b|\brollouts?\b")),
}


# ---- reading the deck ---------------------------------------------------------------


def shipped_files() -> list[SourceFile]:
    files, problems = load_sources(load_config(REPO))
    assert [str(p) for p in problems if p.is_error] == []
    return files


FILES = shipped_files()
NOTES = [card for source in FILES for card in source.cards]
# The full cards (question and answer) and the cloze notes of the Key Formulas subdeck.
CARDS = [card for card in NOTES if card.section not in COMPANIONS]
FORMULA_NOTES = [card for card in NOTES if card.section == KEY_FORMULAS]
FACT_NOTES = [card for card in NOTES if card.section == KEY_FACTS]


def per_card(test):
    return pytest.mark.parametrize("card", CARDS, ids=[c.id or c.question for c in CARDS])(test)


def per_note(test):
    """Every note of the deck: the full cards and the formula notes."""
    return pytest.mark.parametrize("card", NOTES, ids=[c.id or c.question for c in NOTES])(test)


def per_formula_note(test):
    return pytest.mark.parametrize("card", FORMULA_NOTES,
                                   ids=[c.id or c.question for c in FORMULA_NOTES])(test)


def per_fact_note(test):
    return pytest.mark.parametrize("card", FACT_NOTES,
                                   ids=[c.id or c.question for c in FACT_NOTES])(test)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> dict:
    project = make_project(tmp_path_factory.mktemp("deck") / "p", shipped=True)
    report = build(load_config(project), now=1_700_000_000)
    return read_apkg(Path(report.path))


# ---- splitting a card's Markdown into prose, code and math ----------------------------


def split_code(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """(text outside fences, [(info string's first word, code)]) for one card body."""
    outside: list[str] = []
    blocks: list[tuple[str, str]] = []
    fence: tuple[str, str, list[str]] | None = None
    for line in markdown.split("\n"):
        if fence is None:
            opened = _FENCE.match(line)
            if opened:
                fence = (opened.group(1), opened.group(2), [])
            else:
                outside.append(line)
        elif line.strip().startswith(fence[0]) and set(line.strip()) == {fence[0][0]}:
            blocks.append((fence[1], "\n".join(fence[2])))
            fence = None
        else:
            fence[2].append(line)
    assert fence is None, "unclosed code fence"
    return "\n".join(outside), blocks


def split_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """(text with every formula removed, [(TeX, is display)]); code must be removed first."""
    text = _INLINE_CODE.sub(" ", text)
    found: list[tuple[str, bool]] = []

    def taker(display: bool):
        def take(match: re.Match[str]) -> str:
            found.append((next(g for g in match.groups() if g is not None), display))
            return " "
        return take

    text = _DISPLAY_MATH.sub(taker(True), text)
    text = _INLINE_MATH.sub(taker(False), text)
    return text, found


def prose(card: Card) -> str:
    outside, _ = split_code(card.answer)
    text, _ = split_math(outside)
    return re.sub(r"<!--.*?-->", " ", text, flags=re.S)


def prose_without_tables(card: Card) -> str:
    """The card's prose with table rows removed: what the reader reads as sentences."""
    return "\n".join(line for line in prose(card).split("\n") if not _TABLE_ROW.match(line))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def formulas(card: Card) -> list[tuple[str, bool]]:
    outside, _ = split_code(card.answer)
    return split_math(outside)[1]


def extra_formulas(card: Card) -> list[tuple[str, bool]]:
    outside, _ = split_code(card.extra)
    return split_math(outside)[1]


def code_blocks(card: Card) -> list[tuple[str, str]]:
    return split_code(card.answer)[1]


def tex_problems(tex: str) -> list[str]:
    """Structural problems that break MathJax or an Anki field; [] when the TeX is sound."""
    problems = []
    if "}}" in tex:
        problems.append("'}}' in math (write '} }')")
    if "\n\n" in tex or re.search(r"<[a-zA-Z/]", tex):
        problems.append("blank line or HTML inside math")
    depth = 0
    for token in re.findall(r"\\[{}]|[{}]", tex):
        if token in ("{", "}"):
            depth += 1 if token == "{" else -1
            if depth < 0:
                problems.append("'}' without its '{'")
                break
    if depth > 0:
        problems.append("'{' never closed")
    lefts = re.findall(r"\\(left|right)(?![a-zA-Z])", tex)
    depth = 0
    for word in lefts:
        depth += 1 if word == "left" else -1
        if depth < 0:
            break
    if depth != 0:
        problems.append("unbalanced \\left / \\right")
    if not tex.strip():
        problems.append("empty formula")
    return problems


# ---- the deck as a whole --------------------------------------------------------------


def test_sections_in_order_with_their_card_counts():
    sections = [(f.section, len(f.cards)) for f in FILES]
    assert sections == [*SECTIONS.items(), (KEY_FORMULAS, len(FORMULA_NOTES)),
                        (KEY_FACTS, len(FACT_NOTES))]
    assert all(card.notetype == "basic" for card in CARDS + FACT_NOTES)


def test_built_package_has_38_cards_in_five_subdecks_and_the_key_formulas(package):
    decks = {str(d["id"]): d["name"] for d in package["decks"].values()}
    per_deck = Counter(decks[str(did)] for _, _, did, _, _ in package["cards"])
    root = "Transfer Learning Interview Questions"
    assert len(package["notes"]) == sum(SECTIONS.values()) + len(FORMULA_NOTES) + len(FACT_NOTES)
    assert sum(SECTIONS.values()) == 38
    cloze_cards = sum(len(cloze_numbers(card.answer)) for card in FORMULA_NOTES)
    assert per_deck == {f"{root}::{name}": count for name, count in
                        [*SECTIONS.items(), (KEY_FORMULAS, cloze_cards),
                         (KEY_FACTS, len(FACT_NOTES))]}
    guids = [guid for _, guid, *_ in package["notes"]]
    assert len(set(guids)) == len(guids)


def test_ids_are_present_and_unique():
    assert check_ids(card for source in FILES for card in source.cards) == []
    ids = [card.id for card in NOTES]
    assert len(set(ids)) == len(ids) == 38 + len(FORMULA_NOTES) + len(FACT_NOTES)


def test_enough_cards_carry_a_formula_and_code():
    assert sum(bool(formulas(card)) for card in CARDS) >= MIN_FORMULA_CARDS
    assert sum(bool(code_blocks(card)) for card in CARDS) >= MIN_CODE_CARDS


@pytest.mark.parametrize("card_id,names", CITATIONS.items())
def test_canonical_papers_are_cited_in_extra(card_id, names, package):
    (card,) = [c for c in CARDS if c.id == card_id]
    for name in names:
        assert name in card.extra, f"{card_id}: Extra does not cite {name}"
    (fields,) = [f for f in (flds.split("\x1f") for *_, flds in package["notes"]) if f[-1] == card_id]
    assert fields[2].strip(), f"{card_id}: the built Extra field is empty"


# ---- every card -----------------------------------------------------------------------


@per_card
def test_answer_prose_is_phone_sized(card):
    words = word_count(prose(card))
    assert MIN_WORDS <= words <= MAX_WORDS, f"{card.path}:{card.line}: {words} words of prose"


@per_note
def test_card_has_a_topic_tag_beside_its_section(card):
    file_tags = next(f.tags for f in FILES if f.path == card.path)
    topics = set(card.tags) | set(file_tags)
    topics.discard(section_tag(card.section))
    assert topics, f"{card.path}:{card.line}: no topic tag"


@per_note
def test_code_blocks_name_a_known_language(card):
    for language, _ in code_blocks(card):
        assert language, f"{card.path}:{card.line}: a code block names no language"
        try:
            get_lexer_by_name(language)
        except ClassNotFound:
            pytest.fail(f"{card.path}:{card.line}: Pygments does not know {language!r}")


@per_note
def test_torchvision_code_uses_weights_not_pretrained(card):
    for _, code in code_blocks(card):
        if "timm" not in code:
            assert not re.search(r"\bpretrained\s*=", code), f"{card.path}:{card.line}"


@per_note
def test_math_delimiters_balance_and_every_formula_is_sound(card):
    outside, _ = split_code(card.answer)
    rest, found = split_math(outside)
    stray = re.findall(r"(?<!\\)\$|\\[()\[\]]", rest)
    assert not stray, f"{card.path}:{card.line}: unmatched math delimiter(s) {stray}"
    for tex, _ in found + extra_formulas(card):
        assert tex_problems(tex) == [], f"{card.path}:{card.line}: {tex!r}"


@per_card
def test_prose_stays_within_one_idea_of_words(card):
    words = word_count(prose_without_tables(card))
    assert words <= MAX_PROSE_WORDS, f"{card.path}:{card.line}: {words} words of prose"


def follow_up_problems(card: Card) -> list[str]:
    """Follow-up lines that are not a question: each must end with '?'."""
    outside, _ = split_code(card.answer)
    return [f"{card.path}:{card.answer_line + i}: a Follow-up must be a question ending with '?'"
            for i, line in enumerate(outside.split("\n"))
            if _FOLLOW_UP.search(line) and not line.rstrip().endswith("?")]


@per_note
def test_every_follow_up_is_a_question(card):
    assert follow_up_problems(card) == []


# A pointer to another card: its question quoted, whole ("...?") or cut short ("...…").
_POINTER = re.compile(r'"([A-Z][^"\n]*?(?:…|\?))"')


def pointer_problems(card: Card, questions: list[str]) -> list[str]:
    """Quoted questions in a card that match no other card's question."""
    others = [q for q in questions if q != card.question]
    return [f"{card.path}:{card.line}: points to {ref!r}, which is no card's question"
            for ref in _POINTER.findall(card.answer + "\n" + card.extra)
            if not any(q.startswith(ref.removesuffix("…")) for q in others)]


@per_note
def test_pointers_to_other_cards_name_a_real_question(card):
    assert pointer_problems(card, [c.question for c in NOTES]) == []


# Points that live on exactly one interview card (its answer or Extra); the others point to it
# ("see ..."). Marker -> the card's id. The review's repeats R1-R20 each have a marker here.
ONE_HOME = {
    r"model\.fc\s*=": "finetune-resnet-image-classifier-steps",  # the ResNet-50 head swap
    r"_BatchNorm|FrozenBatchNorm2d`|trainable\s*=\s*False": "batchnorm-frozen-backbone-trap",
    r"Transfusion": "medical-imaging-imagenet-transfer",
    r"Gabor": "cnn-layer-features-transferability",  # the general-to-specific hierarchy
    r"multi-LoRA": "deploying-fine-tuned-models",
    r"linear probe first|probe first": "feature-extraction-vs-fine-tuning",  # what LP-FT is
    r"GroupNorm or synchronised BatchNorm": "when-transfer-learning-works",  # R1: He et al.
    r"[Gg]ain of zero|[Zz]ero gain": "negative-transfer",  # R2
    r"Pan and Yang list multi-task": "multi-task-vs-transfer-parameter-sharing",  # R3
    r"[Rr]ead model and data licences": "pretrained-model-bias-licensing-privacy",  # R4
    r"never swap tokenizers": "input-mismatch-preprocessing-tokenizer",  # R5
    r"1e-5 to 5e-5": "finetune-bert-text-classification-steps",  # R6
    r"2\.6": "layer-freezing-gradual-unfreezing-discriminative-lr",  # R7: discriminative rates
    r"3.5 seeds": "negative-transfer",  # R8
    r"adapters weigh megabytes|costs nothing extra": "deploying-fine-tuned-models",  # R9
    r"DistilBERT was distilled|task-agnostic": "knowledge-distillation-teacher-student",  # R10
    r"optimi[sz]er holds them": "finetune-resnet-image-classifier-steps",  # R11
    r"RandAugment": "finetuning-regularization-l2sp-augmentation",  # R14
    r"replay some general data": "domain-task-adaptive-pretraining-dapt-tapt",  # R16
    r"how often a concept appeared":  # R17: "zero-shot" scores and the pre-training data
        "multimodal-transfer-clip-zero-shot-vlm-fine-tuning",
    r"[Pp]refix tuning": "peft-adapters-lora-prefix-prompt-tuning",  # R20
    r"BBSE": "correcting-covariate-and-label-shift",
    r"apply_chat_template": "llm-fine-tuning-chat-templates-memory",
    r"16 bytes per parameter": "llm-fine-tuning-chat-templates-memory",
    r"Qi et al\.": "pretrained-model-bias-licensing-privacy",
    r"FastRCNNPredictor": "transfer-detection-segmentation",
    r"TENT": "domain-generalisation-test-time-adaptation",
}


@pytest.mark.parametrize("marker,home", ONE_HOME.items())
def test_each_shared_point_lives_on_one_card(marker, home):
    holders = [card.id for card in CARDS
               if re.search(marker, card.answer) or (re.search(marker, card.extra) and card.id == home)]
    assert holders == [home], f"{marker!r} should be on {home} only, is on {holders}"


def fact_count(card: Card) -> int:
    """Bullet-level facts of an answer: list items, table body rows and the Pitfall line."""
    outside, _ = split_code(card.answer)
    outside = re.sub(r"<!--.*?-->", " ", outside, flags=re.S)
    count, in_table = 0, False
    for line in outside.split("\n"):
        if _TABLE_ROW.match(line):
            if in_table and not re.match(r"^\s*\|[\s:|-]+\|?\s*$", line):
                count += 1  # a body row (not the header, not the separator)
            in_table = True
            continue
        in_table = False
        if re.match(r"^\s*(?:[-*+]|\d+[.)])\s+\S", line) or line.lstrip().startswith("**Pitfall"):
            count += 1
    return count


@per_card
def test_interview_answer_holds_at_most_six_facts(card):
    assert fact_count(card) <= MAX_FACTS, (
        f"{card.path}:{card.line}: {fact_count(card)} bullet-level facts; move the rest to a "
        f"Key Facts note that links back to {card.id}")


def test_fact_count_counts_bullets_rows_and_the_pitfall():
    table = "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |"
    card = _card(f"**Core.**\n\n- one\n- two\n  - nested\n1. three\n\n{table}\n\n**Pitfall:** x.\n\n"
                 "**Follow-up:** Why?\n\n```python\n- not a bullet\n```")
    assert fact_count(card) == 7


# ---- one notation (docs/notation.md) ----------------------------------------------------


def notation_problems(card: Card) -> list[str]:
    """Breaches of the machine-checkable rules in docs/notation.md; [] when the card obeys them."""
    where = f"{card.path}:{card.line}"
    problems = []
    outside, blocks = split_code(card.answer)
    texs = [tex for tex, _ in split_math(outside)[1] + split_math(card.extra)[1]
            + split_math(card.question)[1]]
    words = split_math(card.question + "\n" + outside + "\n" + split_code(card.extra)[0])[0]
    if _TEACHER.search(card.answer + card.extra):
        # S and T are source and target; a card about a teacher must not use T as "teacher".
        problems += [f"{where}: T subscript in a card about a teacher: {tex!r}"
                     for tex in texs if _T_SUBSCRIPT.search(tex)]
        problems += [f"{where}: identifier {name!r} in code: write student_/teacher_ out"
                     for _, code in blocks for name in _T_IDENTIFIER.findall(code)]
    problems += [f"{where}: temperature written as T (use \\tau): {tex!r}"
                 for tex in texs if _BARE_T_TEMPERATURE.search(tex)]
    if not _LOGITS.search(card.answer):
        problems += [f"{where}: z is for logits, and this card has none: {tex!r}"
                     for tex in texs if _Z_SYMBOL.search(tex)]
    problems += [f"{where}: lowercase random variable in P(...): {tex!r}"
                 for tex in texs if _LOWERCASE_RANDOM_VARIABLE.search(tex)]
    problems += [f"{where}: what stays fixed needs both subscripts: {m.group(0)!r}"
                 for m in _UNMARKED_INVARIANT.finditer(card.answer + "\n" + card.extra)]
    problems += [f"{where}: a learning step is written with \\eta: {tex!r}"
                 for tex in texs if _STEP_NOT_ETA.search(tex)]
    problems += [f"{where}: weights are \\theta, not a bold w: {tex!r}"
                 for tex in texs if _BOLD_W.search(tex)]
    problems += [f"{where}: \\mathcal{{H}} is the hypothesis class (a kernel space is "
                 f"\\mathcal{{F}}_k): {tex!r}" for tex in texs if _SUBSCRIPTED_H.search(tex)]
    problems += [f"{where}: \\theta is parameters, not a model applied to x: {tex!r}"
                 for tex in texs if _THETA_AS_FUNCTION.search(tex)]
    problems += [f"{where}: A and B are LoRA's factors (the algorithm is \\mathcal{{A}}, tasks are "
                 f"old and new): {tex!r}" for tex in texs if _A_B_AS_TASK_OR_ALGORITHM.search(tex)]
    if _TASK_VECTOR.search(words) and not any(_DELTA.search(tex) for tex in texs):
        problems.append(f"{where}: 'task vector' means \\Delta_k = \\theta_k - \\theta_0; "
                        "learned prompt inputs are prompt vectors")
    for letter, (symbol, meaning) in RESERVED_LETTERS.items():
        if any(symbol.search(_strip_named(tex)) for tex in texs) and not meaning.search(words):
            problems.append(f"{where}: uses {letter} without saying so")
    for text, first_line in ((outside, card.answer_line), (card.extra, 0)):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if _CAL_D.search(line) and any(_DATA_SET.search(near) for near in _neighbours(lines, i)):
                at = f"{card.path}:{first_line + i}" if first_line else where
                problems.append(f"{at}: \\mathcal{{D}} is a domain; a data set is D")
    return problems


def _strip_named(tex: str) -> str:
    """TeX with words inside \\text{...}, \\operatorname{...} and control words removed."""
    tex = re.sub(r"\\(?:text|operatorname|mathrm|mathit)\s*\{[^{}]*\}", " ", tex)
    return re.sub(r"\\(?!alpha|beta|lambda|rho|gamma|delta)[A-Za-z]+", " ", tex)


def _neighbours(lines: list[str], i: int) -> list[str]:
    """Line i and the nearest non-blank line above and below it."""
    above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
    below = next((lines[j] for j in range(i + 1, len(lines)) if lines[j].strip()), "")
    return [above, lines[i], below]


@per_note
def test_card_follows_the_notation(card):
    assert notation_problems(card) == []


def test_the_notation_checks_catch_each_clash_of_the_second_review():
    """N1-N9 of the 2026-12-07 review, each as 1.1.0 wrote it, and as 1.2.0 writes it."""
    clashes = {
        "N1 step sizes": ("$\\theta' = \\theta - \\alpha \\nabla_\\theta \\mathcal{L}(\\theta)$",
                          "$\\theta' = \\theta - \\eta_{\\text{in} } \\nabla_\\theta \\mathcal{L}(\\theta)$"),
        "N2 bold w": ("The weights. $\\lVert \\mathbf{w}_S - \\mathbf{w}_S^0 \\rVert$",
                      "The weights. $\\lVert \\theta_{\\text{backbone} } - \\theta_0 \\rVert$"),
        "N3 H_k": ("$\\lVert \\mu_S - \\mu_T \\rVert_{\\mathcal{H}_k}$",
                   "$\\lVert \\mu_S - \\mu_T \\rVert_{\\mathcal{F}_k}$"),
        "N4 theta(x)": ("$\\sum_{y_S} \\theta(x_i)_{y_S}$",
                        "$\\sum_{y_S} \\hat{P}_S(Y_S = y_S \\mid X = x_i)$"),
        "N4 hat P(y)": ("$\\hat{P}(y_i \\mid y_S)$", "$\\hat{P}(Y = y_i \\mid Y_S = y_S)$"),
        "N5 task vectors": ("Prompt tuning: learned task vectors, frozen model.",
                            "Prompt tuning: learned prompt vectors, frozen model."),
        "N6 lambda": ("EWC: $\\sum_i \\frac{\\lambda}{2} F_i$, the penalty's strength.",
                      "EWC: $\\sum_i \\frac{\\beta}{2} F_i$, the penalty's strength."),
        "N7 alpha": ("WiSE-FT: $(1-\\alpha)\\,\\theta_0 + \\alpha\\,\\theta_{\\text{ft} }$",
                     "WiSE-FT: $(1-\\rho)\\,\\theta_0 + \\rho\\,\\theta_{\\text{ft} }$"),
        "N8 algorithm A": ("$\\epsilon_T(A(D_S, D_T))$", "$\\epsilon_T(\\mathcal{A}(D_S, D_T))$"),
        "N8 task A": ("$\\theta^{*}_{A,i}$ and $\\mathcal{L}_B$",
                      "$\\theta^{*}_{\\text{old},i}$ and $\\mathcal{L}_{\\text{new} }$"),
        "N9 s": ("Quantise with $x/s$ and back with $s\\,(q - o)$.",
                 "Quantise with scale $\\delta$: $x/\\delta$ and back with $\\delta\\,(q - o)$."),
        "shift subscripts": ("Label shift: $P_S(Y) \\neq P_T(Y)$ with $P(X \\mid Y)$ unchanged.",
                             "Label shift: $P_S(Y) \\neq P_T(Y)$ with $P_S(X \\mid Y) = P_T(X \\mid Y)$."),
    }
    for name, (old, new) in clashes.items():
        assert notation_problems(_card(old)), f"{name}: 1.1.0's form is not caught"
        assert notation_problems(_card(new)) == [], f"{name}: 1.2.0's form is flagged"
    # A reserved letter on a card that says what it stands for is fine.
    assert notation_problems(_card("LoRA scales by $\\frac{\\alpha}{r}$.")) == []
    assert notation_problems(_card("The discount $\\gamma$: $\\sum_t \\gamma^t r_t$.")) == []


def test_notation_is_written_down():
    notation = (REPO / "docs" / "notation.md").read_text(encoding="utf-8")
    for rule in ("source", "target", "teacher", "\\tau", "\\mathcal{D}", "data set", "logits", "P(X)"):
        assert rule in notation, f"docs/notation.md does not state the rule about {rule!r}"
    # One letter, one meaning: every reserved letter the tests check has one row in the table.
    rows = [line for line in notation.split("\n") if line.startswith("| $")]
    for letter in ("\\alpha", "\\beta", "\\lambda", "\\rho", "\\gamma", "\\delta", "s", "\\eta"):
        assert len([r for r in rows if r.startswith(f"| ${letter}$")]) == 1, letter
    assert "quantisation scale $s$" not in notation


# ---- the Key Formulas subdeck (cloze) -------------------------------------------------

# A deletion as written: its number, its text and its hint ('' when it has none).
_DELETION = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.S)
# The link to the full card in a formula note's Extra: its question, and its id written as
# the search that finds it in Anki's browser.
_FULL_CARD = re.compile(r"^Full card: (\S.*?) \(search: `Id:([^`]*)`\)$", re.M)


def deletions(card: Card) -> list[tuple[int, str, str]]:
    """(number, text, hint) of each deletion in a cloze note's body."""
    return [(int(n), text, hint) for n, text, hint in _DELETION.findall(card.answer)]


def back_link_problems(card: Card, full_cards: list[Card]) -> list[str]:
    """A formula note's Extra names exactly one full card, by its id and its question."""
    where = f"{card.path}:{card.extra_line or card.line}"
    links = _FULL_CARD.findall(card.extra)
    if len(links) != 1:
        return [f"{where}: {len(links)} 'Full card: <question> (search: `Id:<id>`)' lines, "
                "expected one"]
    question, card_id = links[0]
    target = next((c for c in full_cards if c.id == card_id), None)
    if target is None:
        return [f"{where}: links to {card_id!r}, which is no full card's id"]
    if target.question != question:
        return [f"{where}: {card_id!r} asks {target.question!r}, not {question!r}"]
    return []


def deletion_problems(card: Card) -> list[str]:
    """One term hidden (one deletion number), and the rest of the formula left as the cue."""
    where = f"{card.path}:{card.line}"
    numbers = cloze_numbers(card.answer)
    problems = []
    if card.id not in SEVERAL_DELETIONS and numbers != (1,):
        problems.append(f"{where}: deletion numbers {numbers}; a formula note hides one term "
                        "as c1 (list it in SEVERAL_DELETIONS if more are meant)")
    if any(not text.strip() for _, text, _ in deletions(card)):
        problems.append(f"{where}: an empty deletion")
    cue = _DELETION.sub(" ", card.answer)
    if not split_math(cue)[1] and word_count(cue) < 5:
        problems.append(f"{where}: nothing is left around the deletion as a cue")
    return problems


def test_key_formulas_subdeck_has_enough_cloze_notes_with_their_own_ids():
    assert len(FORMULA_NOTES) >= MIN_FORMULA_NOTES
    assert {card.notetype for card in FORMULA_NOTES} == {"cloze"}
    assert {card.path for card in FORMULA_NOTES} == {"cards/06-key-formulas.md"}
    assert all(card.id and card.id.startswith("formula-") for card in FORMULA_NOTES)
    assert not {card.id for card in FORMULA_NOTES} & {card.id for card in CARDS}
    assert set(SEVERAL_DELETIONS) <= {card.id for card in FORMULA_NOTES}


# ---- cloze fronts that give the answer away ---------------------------------------------


def _norm(tex: str) -> str:
    """TeX or text reduced for comparison: no sizing or spacing commands, spaces or braces."""
    tex = re.sub(r"\\(?:bigl|bigr|Bigl|Bigr|big|Big|left|right|,|;|!|quad|qquad)(?![A-Za-z])", "", tex)
    tex = tex.replace("\\tfrac", "\\frac").replace("\\dfrac", "\\frac")
    return re.sub(r"[\s{}$]", "", tex)


def visible_text(card: Card) -> str:
    """What a cloze card's front shows besides the blank: the note with its deletions removed."""
    return _DELETION.sub(" ", card.answer)


def hidden_terms(card: Card) -> list[str]:
    """The text each deletion hides, normalised; short or one-word terms are left out, as
    they are too common to count as a leak (a lone symbol, 'zero')."""
    terms = [_norm(text) for _, text, _ in deletions(card)]
    return [t for t in terms if len(t) >= 4 and not re.fullmatch(r"[A-Za-z]+", t)]


def leak_problems(notes: list[Card]) -> list[str]:
    """Cloze notes whose front shows what another note hides: Anki buries siblings of one
    note, not separate notes, so both can be due on one day."""
    problems = []
    for shown in notes:
        front = _norm(visible_text(shown))
        for other in notes:
            if other is not shown:
                problems += [f"{shown.path}:{shown.line}: {shown.id} shows {other.id}'s answer {t!r}"
                             for t in hidden_terms(other) if t in front]
    return problems


def test_no_cloze_front_shows_another_notes_answer():
    assert leak_problems([card for card in NOTES if card.notetype == "cloze"]) == []


# A symbol with its subscript or superscript: x_S, u_i^{+}, \theta_{\text{ft} }.
_SYMBOL = re.compile(r"(\\[A-Za-z]+|[A-Za-z])(\s*[_^]\s*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}|\\?\w+))*")
_OPERATOR = re.compile(r"(?<![\\^_{])[-+]|\\cdot|\\times")
_NAMES = ("\\text", "\\operatorname", "\\mathrm", "\\frac", "\\sum", "\\min", "\\max", "\\log",
          "\\exp", "\\cos", "\\mid", "\\in", "\\sim", "\\neq", "\\le", "\\ge", "\\arg", "\\mathbb",
          "\\mathcal", "\\hat", "\\lVert", "\\rVert", "\\Vert", "\\tfrac", "\\prime")


def _symbols(tex: str) -> set[str]:
    """The symbols of a formula, each with its sub- and superscripts, spaces dropped."""
    found = set()
    for match in _SYMBOL.finditer(tex):
        if match.group(1) not in _NAMES:
            found.add(re.sub(r"\s", "", match.group(0)))
    return found


def _shape(tex: str) -> str:
    """A formula with every sub- and superscript replaced by '?': its shape, whatever the index."""
    return re.sub(r"(?:[_^](?:\\[A-Za-z]+|\w+|[+*'-]))+", "?", _norm(tex))


# Hints that name the hidden term's role so plainly that the term follows from the rest.
_TELLING_HINTS = re.compile(
    r"\b(?:the anchor|the baseline|the positive pair|mean embeddings?|best single classifier|"
    r"compared with what)\b", re.I)
# Names whose expansion is the answer: CORrelation ALignment compares covariances; L2 to the
# Starting Point pulls towards the pre-trained weights.
_TELLING_NAMES = {
    "CORAL": re.compile(r"C_S|C_T|covarian", re.I),
    "L2-SP": re.compile(r"\\theta_0|\\mathbf\s*\{\s*w\s*\}|starting|anchor", re.I),
}
# "(1 - w) [hidden] + w x": the hidden end of a convex combination is the only other model.
_MIX_END = re.compile(r"\(1\s*-\s*(\\?\w+)\)[^{}$]{0,12}\$?\s*\{\{c\d+::.*?\}\}\s*\$?\s*\+\s*\1(?![A-Za-z])")
# Sentences that force the answer: an initialisation "so training begins exactly at" the
# pre-trained model can only be zero.
_FORCING_PHRASES = re.compile(r"\b(?:begins|starts) exactly at\b", re.I)


def giveaway_problems(card: Card) -> list[str]:
    """Deletions whose term can be read off the note's own front, by a list of known patterns."""
    where = f"{card.path}:{card.line}: {card.id}"
    front = visible_text(card)
    front_tex = [tex for tex, _ in split_math(split_code(front)[0])[1]]
    front_symbols = set().union(*(_symbols(t) for t in front_tex)) if front_tex else set()
    front_shapes = [_shape(t) for t in front_tex]
    problems = []
    for _, text, hint in deletions(card):
        hidden_tex = [tex for tex, _ in split_math(text)[1]]
        for tex in hidden_tex:
            if len(_norm(tex)) >= 3 and _norm(tex) in _norm(front):
                problems.append(f"{where}: the hidden {tex!r} is also on the front")
            if len(_norm(tex)) >= 6 and any(_shape(tex) in shape for shape in front_shapes):
                problems.append(f"{where}: the hidden {tex!r} has the shape of a visible term")
            symbols = _symbols(tex)
            if len(symbols) >= 2 and symbols <= front_symbols and _OPERATOR.search(tex):
                problems.append(f"{where}: the hidden {tex!r} only recombines visible symbols")
            difference = re.fullmatch(r"\s*(.+?)\s*-\s*(\\?[A-Za-z]+(?:_\s*\{?[^{}\s]+\}?)?)\s*", tex)
            if difference and _norm(difference.group(2)) in {_norm(s) for s in front_symbols}:
                problems.append(f"{where}: the hidden {tex!r} is a difference from a visible term")
        if hint and _TELLING_HINTS.search(hint):
            problems.append(f"{where}: the hint {hint!r} names the hidden term's role")
        for name, expansion in _TELLING_NAMES.items():
            if name in card.question + front and expansion.search(text):
                problems.append(f"{where}: {name}'s own name spells out the hidden {text!r}")
    if _MIX_END.search(card.answer):
        problems.append(f"{where}: the hidden term is the other end of a visible (1 - w), w mix")
    if _FORCING_PHRASES.search(front):
        problems.append(f"{where}: the front says how training starts, which forces the answer")
    return problems


@per_formula_note
def test_each_deletion_hides_what_its_own_front_does_not_give_away(card):
    assert giveaway_problems(card) == []


def _cloze(answer: str, question: str = "Gap", extra: str = "") -> Card:
    return Card("formula-x", question, answer, extra, "", (), KEY_FORMULAS, "cards/k.md", 5,
                notetype="cloze")


def test_the_giveaway_patterns_each_catch_their_kind():
    assert giveaway_problems(_cloze("$\\hat{x} = s(q - o)$ and {{c1::$s(q - o)$}}"))  # on the front
    nt_xent = ("$-\\log[$ {{c1::$\\exp(\\operatorname{sim}(u_i, u_i^{+})/\\tau)$}} $/ "
               "\\sum_{k \\neq i} \\exp(\\operatorname{sim}(u_i, u_k)/\\tau)]$")
    assert any("shape" in p for p in giveaway_problems(_cloze(nt_xent)))
    quant = "$q = \\operatorname{round}(x/s) + o$, and back: $\\hat{x} =$ {{c1::$s\\,(q - o)$}}"
    assert any("recombines" in p for p in giveaway_problems(_cloze(quant)))
    merge = "$\\Delta_k =$ {{c1::$\\theta_k - \\theta_0$}}, $\\theta_{m} = \\theta_0 + \\sum_k \\Delta_k$"
    assert any("difference" in p for p in giveaway_problems(_cloze(merge)))
    wise = "$\\theta_\\alpha = (1-\\alpha)\\,$ {{c1::$\\theta_0$}} $+ \\alpha\\,\\theta_{\\text{ft} }$"
    assert any("other end" in p for p in giveaway_problems(_cloze(wise)))
    assert giveaway_problems(_cloze("$a = b -$ {{c1::$c$::the anchor}}"))
    assert giveaway_problems(_cloze("$\\lVert$ {{c1::$C_S - C_T$}} $\\rVert$", question="CORAL loss"))
    assert giveaway_problems(_cloze("$B$ starts at {{c1::zero}}, so training begins exactly at $W_0$."))
    # A sound note: the hidden term is not on its front, in any of those ways.
    assert giveaway_problems(_cloze("$\\mathcal{L} = \\mathcal{L}_y +$ {{c1::$\\tau^2$::a factor}} "
                                    "$\\operatorname{KL}(p \\Vert q)$")) == []
    lora = _cloze("$W = W_0 + \\frac{\\alpha}{r} B A$ and {{c1::zero}}")
    update = _cloze("$W = W_0 +$ {{c1::$\\frac{\\alpha}{r}$}} $B A$")
    assert leak_problems([lora, update]) and not leak_problems([update])


@per_formula_note
def test_formula_note_hides_one_term(card):
    assert deletion_problems(card) == []


@per_formula_note
def test_formula_note_links_back_to_its_full_card(card):
    assert back_link_problems(card, CARDS) == []
    explanation = _FULL_CARD.sub(" ", card.extra)
    assert word_count(split_math(explanation)[0]) >= 8, f"{card.path}:{card.line}: Extra " \
        "should say what the symbols are"


@per_formula_note
def test_math_inside_deletions_is_among_the_checked_formulas(card):
    checked = formulas(card)
    for _, text, hint in deletions(card):
        for formula in split_math(text)[1] + split_math(hint)[1]:
            assert formula in checked, f"{card.path}:{card.line}: {formula!r} escapes the checks"


def test_the_key_formula_checks_catch_broken_notes():
    full = [Card("negative-transfer", "What is negative transfer?", "A.", "", "", (), "S",
                 "cards/a.md", 3)]

    def note(answer: str, extra: str, card_id: str = "formula-x") -> Card:
        return Card(card_id, "Gap", answer, extra, "", (), KEY_FORMULAS, "cards/k.md", 5,
                    notetype="cloze")

    link = "Full card: What is negative transfer? (search: `Id:negative-transfer`)"
    good = note("$a =$ {{c1::$b$::hint}} $+ c$", "Symbols.\n\n" + link)
    assert back_link_problems(good, full) == [] and deletion_problems(good) == []
    assert back_link_problems(note("x", "Symbols."), full)
    assert back_link_problems(note("x", link.replace("Id:negative", "Id:negativ")), full)
    assert back_link_problems(note("x", link.replace("What is", "What's")), full)
    assert back_link_problems(note("x", link + "\n\n" + link), full)
    assert deletion_problems(note("$a =$ {{c1::$b$}} $+$ {{c2::$c$}}", link))
    assert deletion_problems(note("{{c1::$a = b + c$}}", link))
    assert deletion_problems(note("$a =$ {{c2::$b$}}", link))
    assert deletions(good) == [(1, "$b$", "hint")]


# ---- the Key Facts subdeck (atomic Basic notes) ----------------------------------------


def fact_note_problems(card: Card) -> list[str]:
    """A Key Facts note holds one fact: a short answer with no list or table, and no code."""
    where = f"{card.path}:{card.line}"
    problems = []
    words = word_count(prose(card))
    if words > MAX_FACT_NOTE_WORDS:
        problems.append(f"{where}: {words} words; a Key Facts note holds one fact")
    if fact_count(card) or code_blocks(card):
        problems.append(f"{where}: a list, table, Pitfall or code block in a one-fact note")
    if not card.question.rstrip().endswith("?"):
        problems.append(f"{where}: the front must be a question")
    return problems


def test_key_facts_subdeck_has_enough_notes_with_their_own_ids():
    assert len(FACT_NOTES) >= MIN_FACT_NOTES
    assert {card.path for card in FACT_NOTES} == {"cards/07-key-facts.md"}
    assert all(card.id and card.id.startswith("fact-") for card in FACT_NOTES)


@per_fact_note
def test_fact_note_holds_one_fact_and_names_its_full_card(card):
    assert fact_note_problems(card) == []
    assert back_link_problems(card, CARDS) == []


def test_the_fact_note_checks_catch_dense_notes():
    def note(answer: str, question: str = "Why?") -> Card:
        return Card("fact-x", question, answer, "", "", (), KEY_FACTS, "cards/f.md", 3)

    assert fact_note_problems(note("One short fact, and its reason.")) == []
    assert fact_note_problems(note(" ".join(["word"] * 51)))
    assert fact_note_problems(note("Two:\n\n- one\n- two"))
    assert fact_note_problems(note("A fact.", question="A statement"))


def test_readme_and_release_notes_count_the_key_formulas_as_shipped():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    notes = (REPO / "docs" / "release-notes-1.1.0.md").read_text(encoding="utf-8")
    assert "**38 must-know transfer-learning\ninterview questions**" in readme
    assert "five subdecks" in readme and "*Key Formulas*" in readme
    for text in (readme, notes):
        assert f"{len(FORMULA_NOTES)} cloze notes" in text


# ---- every formula through MathJax 3 itself -------------------------------------------

_MATHJAX = REPO / "node_modules" / "mathjax"
_MATHJAX_CHECK = """
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
require(process.argv[1]).init({
  loader: {load: ['input/tex-base', '[tex]/ams']},
  tex: {packages: ['base', 'ams'], formatError: (jax, err) => { throw err; }},
}).then((MathJax) => {
  const bad = [];
  for (const [tex, display] of items) {
    try {
      const mml = MathJax.tex2mml(tex, {display});
      if (/<merror|mathcolor="red"/.test(mml)) bad.push([tex, 'rendered as an error']);
    } catch (err) { bad.push([tex, err.message]); }
  }
  process.stdout.write(JSON.stringify(bad));
});
"""


def test_every_formula_parses_in_mathjax_3_with_base_and_ams():
    node = shutil.which("node")
    if node is None or not (_MATHJAX / "package.json").exists():
        pytest.skip("needs node and `npm install` (MathJax 3 in node_modules/)")
    # Every formula of every note, answer and Extra, the math inside cloze deletions too.
    items = [item for card in NOTES for item in formulas(card) + extra_formulas(card)]
    assert len(items) >= MIN_FORMULA_CARDS + len(FORMULA_NOTES)
    result = subprocess.run([node, "-e", _MATHJAX_CHECK, str(_MATHJAX)], input=json.dumps(items),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_checks_themselves_catch_broken_cards():
    bad = Card("x", "Q?", "A $\\frac{a}{b}}$ and $x\n\n```\ncode\n```\n", "", "", (), "S",
               "cards/x.md", 1)
    assert code_blocks(bad) == [("", "code")]
    assert tex_problems("\\frac{a}{b}}") and tex_problems("\\left( x")
    assert tex_problems("a^{b}}") and not tex_problems("\\left( x^{2} \\right)")
    rest, _ = split_math(split_code(bad.answer)[0])
    assert re.findall(r"(?<!\\)\$", rest)
    rest, found = split_math("with $a_T the error and $b$ here")
    assert found == [("b", False)] and "$" in rest
    assert word_count(prose(Card("y", "Q?", "One two `x = 1` $a+b$ three.\n```python\nfour\n```",
                                 "", "", (), "S", "cards/y.md", 1))) == 3


def _card(answer: str, extra: str = "") -> Card:
    return Card("x", "Q?", answer, extra, "", (), "S", "cards/x.md", 1, 2, 4)


def test_the_notation_checks_catch_broken_cards():
    teacher = "The teacher's soft labels. $\\mathcal{L} = \\operatorname{KL}(p_T \\Vert p_S)$"
    assert notation_problems(_card(teacher))
    assert notation_problems(_card("A teacher.\n\n$$z_{t} / 2$$"))
    assert notation_problems(_card("A teacher.\n\n```python\nloss = kl(z_s, z_t)\n```"))
    assert not notation_problems(_card("Logits $z_{\\text{teacher} }$ and $z_{\\text{student} }$."))
    # A T subscript for the target is fine on a card with no teacher.
    assert not notation_problems(_card("The target error $\\epsilon_T(h)$."))
    assert notation_problems(_card("Soften with $\\operatorname{softmax}(z/T)$."))
    assert notation_problems(_card("Scale by $T^2$."))
    assert not notation_problems(_card("Scale by $\\tau^2$ and sum to $H$: $\\sum_{t=0}^{H} r_t$."))
    assert notation_problems(_card("A data set $\\mathcal{D} = \\{(x_i, y_i)\\}$."))
    assert notation_problems(_card("$$\\mathcal{D}_T$$\n\nHere it is the target data set."))
    assert notation_problems(_card("Body.", extra="The data set $\\mathcal{D}$."))
    assert not notation_problems(_card("A domain $\\mathcal{D}_T$.\n\nIts marginal.\n\nThe data set $D_T$."))
    assert notation_problems(_card("Covariate shift: $P_S(x) \\neq P_T(x)$."))
    assert not notation_problems(_card("Covariate shift: $P_S(X) \\neq P_T(X)$, $f(x) = P(Y \\mid X = x)$."))
    assert notation_problems(_card("Embeddings $z_i$ and $z_i^{+}$ of two views."))
    assert notation_problems(_card("Zero point $z$ of the quantiser."))
    assert not notation_problems(_card("The logits $z$ before the softmax; $\\operatorname{size}(x)$."))
    assert follow_up_problems(_card("**Follow-up:** Why? Because."))
    assert not follow_up_problems(_card("**Follow-up:** Why does it work?"))
    long = _card(" ".join(["word"] * 151) + "\n\n| a | b |\n|---|---|\n| c | d |")
    assert word_count(prose_without_tables(long)) == 151
    assert word_count(prose_without_tables(_card("| " + "cell | " * 200))) == 0
    questions = ["Which layers do you freeze?", "What is LP-FT?"]
    assert not pointer_problems(_card('See "Which layers do you freeze…" and "What is LP-FT?".'), questions)
    assert pointer_problems(_card('See "Which layer do you freeze…".'), questions)
    assert pointer_problems(_card('See "What is LP?".'), questions)
