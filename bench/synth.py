"""A deterministic synthetic deck of N cards in deckbuild's source format (and ankdown's).

Cards come in mixes (MIXES) of different shapes: `mixed`, the original one, and three that
lean to one side each, so that together they span the shipped deck and real Q&A files:
`prose` (paragraphs and lists, few tables), `code` (a fenced block in every card, several
languages) and `math` (inline and display math in most cards, a table in most).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import mixes

REPO = Path(__file__).resolve().parent.parent
CARDS_PER_FILE = 250
WORDS = ("model", "layer", "feature", "source", "target", "domain", "weight", "gradient",
         "encoder", "decoder", "head", "token", "batch", "loss", "shift", "prior", "adapter",
         "prompt", "embedding", "backbone", "dataset", "label", "transfer", "fine-tune",
         "freeze", "schedule", "warmup", "dropout", "norm", "attention", "probe")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _code(rng: random.Random) -> list[str]:
    lines = ["```python", "import torch", "", f"def step_{rng.randrange(1000)}(model, batch):"]
    for k in range(rng.randint(2, 17)):
        name = rng.choice(WORDS).replace("-", "_")
        lines.append(f"    {name}_{k} = model.{name}(batch[{k}]) * {rng.random():.3f}  # {name}")
    return [*lines, "    return model", "```"]


def card_parts(i: int) -> tuple[str, str, str]:
    """(question, answer, extra) of card i of the `mixed` mix: the same for the same i."""
    rng = random.Random(i)
    question = f"What does the {_words(rng, 3)} do in case {i}?"
    body = [f"The **{rng.choice(WORDS)}** {_words(rng, 12)} with `{rng.choice(WORDS)}_{i}()`, "
            f"so the {_words(rng, 8)}."]
    if i % 2 == 0:
        body[0] += f" Here $\\theta_{{t+1}} = \\theta_t - \\eta_{i} * \\nabla L_{{s}}$ holds."
    body += ["", *(f"- {_words(rng, rng.randint(4, 10))}" for _ in range(rng.randint(2, 4)))]
    if i % 3 == 0:
        body += ["", *_code(rng)]
    if i % 5 == 0:
        body += ["", "$$", f"\\mathcal{{L}}_{{{i}}} = \\sum_{{k}} w_k \\, \\ell(x_k, y_k)", "$$"]
    if i % 10 == 0:
        body += ["", "| method | params | score |", "|---|---|---|",
                 *(f"| {rng.choice(WORDS)} | {rng.randint(1, 900)}M | {rng.random():.2f} |"
                   for _ in range(3))]
    body += ["", f"**Pitfall:** {_words(rng, 10)}."]
    extra = f"{_words(rng, 6).capitalize()} (20{i % 25:02d})." if i % 4 == 0 else ""
    return question, "\n".join(body), extra


MIXES = {"mixed": card_parts, **mixes.LEANING}


def write_deck(root: Path, n: int, mix: str = "mixed") -> Path:
    """A project folder with the repo's pyproject and templates and N synthetic cards."""
    if root.exists():
        shutil.rmtree(root)
    (root / "cards").mkdir(parents=True)
    (root / "media").mkdir()
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "templates", root / "templates")
    for start in range(0, n, CARDS_PER_FILE):
        section = start // CARDS_PER_FILE
        chunks = [f"# Section {section:04d}\n"]
        for i in range(start, min(n, start + CARDS_PER_FILE)):
            question, answer, extra = MIXES[mix](i)
            chunks.append(f"## {question}\n<!-- id: card-{i} -->\n<!-- tags: synthetic -->\n\n"
                          f"{answer}\n" + (f"\n<!-- extra -->\n{extra}\n" if extra else ""))
        (root / "cards" / f"s{section:04d}.md").write_text("\n".join(chunks), encoding="utf-8")
    return root


def edit_one_card(root: Path, n: int, stamp: int) -> None:
    """Change one word of the middle card's answer (the line count stays the same)."""
    i = n // 2
    path = root / "cards" / f"s{i // CARDS_PER_FILE:04d}.md"
    text = path.read_text(encoding="utf-8")
    marker = "with `"
    anchor = text.index(f"<!-- id: card-{i} -->")
    at = text.index(marker, anchor)
    path.write_text(f"{text[:at]}with edit {stamp} and `{text[at + len(marker):]}",
                    encoding="utf-8")


def write_ankdown(root: Path, n: int, mix: str = "mixed") -> Path:
    """The same cards in ankdown's format: front, %, back, %, tags; cards split by ---."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for start in range(0, n, CARDS_PER_FILE):
        cards = []
        for i in range(start, min(n, start + CARDS_PER_FILE)):
            question, answer, extra = MIXES[mix](i)
            back = f"{answer}\n\n{extra}" if extra else answer
            cards.append(f"{question}\n\n%\n\n{back}\n\n%\n\nsynthetic\n")
        (root / f"s{start // CARDS_PER_FILE:04d}.md").write_text("\n---\n\n".join(cards),
                                                                 encoding="utf-8")
    return root
