"""Three corpus mixes that each lean one way: prose, code, or math and tables.

Each mix is a function of the card's number i to (question, answer, extra), the same for
the same i, always. Their shapes follow real decks (per card, on average):

- `prose`: like short-answer interview files: three to five paragraphs with bold,
  italics, inline code and a link now and then, a list in most cards, code in one card
  in twelve, inline math in one in eight, a table in one in forty.
- `code`: like "what does this print" files: a fenced block of 6-30 lines in every card
  (Python, JavaScript, Bash, SQL, JSON, in that order of frequency), a second block in a
  quarter, inline code throughout, lists of options.
- `math`: like machine-learning theory files and the shipped deck: several inline
  formulas per paragraph and list, display math in most cards, a table in most (with
  math in its cells), code in one card in ten.

Every answer starts with a paragraph holding "with `" (synth.edit_one_card edits there).
"""

from __future__ import annotations

import random
from collections.abc import Callable

Parts = tuple[str, str, str]
TERMS = ("model", "layer", "feature", "source", "target", "domain", "weight", "gradient",
         "encoder", "decoder", "head", "token", "batch", "loss", "shift", "prior", "adapter",
         "prompt", "embedding", "backbone", "dataset", "label", "transfer", "fine-tune",
         "freeze", "schedule", "warmup", "dropout", "norm", "attention", "probe")
GLUE = ("the", "a", "of", "to", "and", "in", "is", "that", "for", "with", "when", "it",
        "on", "as", "by", "which", "than", "only", "each", "more", "not", "so", "its")
SYMBOLS = ("\\theta", "\\eta", "\\lambda", "\\mu", "\\sigma", "w", "x", "y", "z", "\\alpha")


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(GLUE) if k % 2 else rng.choice(TERMS) for k in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, i: int, sentences: int) -> str:
    parts = [_sentence(rng, rng.randint(8, 16)) for _ in range(sentences)]
    k = rng.randrange(len(parts))
    parts[k] = parts[k][:-1] + f", as *{rng.choice(TERMS)}* and **{rng.choice(TERMS)}** show."
    if rng.random() < 0.5:
        parts.append(f"Call `{rng.choice(TERMS).replace('-', '_')}_{i}()` first.")
    return " ".join(parts)


def _opening(rng: random.Random, i: int) -> str:
    return (f"The **{rng.choice(TERMS)}** works with `{rng.choice(TERMS)}_{i}()` "
            f"{_sentence(rng, 10).lower()}")


def _formula(rng: random.Random, i: int) -> str:
    a, b = rng.choice(SYMBOLS), rng.choice(SYMBOLS)
    return rng.choice((f"{a}_{{t+1}} = {a}_t - \\eta \\nabla_{b} L",
                       f"\\frac{{1}}{{n}} \\sum_{{k=1}}^{{n}} {a}_k^2 + {i}",
                       f"P({a} \\mid {b}) \\propto P({b} \\mid {a}) P({a})",
                       f"\\|{a}\\|_2 \\leq {rng.randint(1, 9)} {b}^*"))


def _table(rng: random.Random, rows: int, cols: int, math: bool = False) -> list[str]:
    head = "| " + " | ".join(rng.choice(TERMS) for _ in range(cols)) + " |"
    body = []
    for _ in range(rows):
        cells = [rng.choice(TERMS), *(f"{rng.random():.2f}" for _ in range(cols - 1))]
        if math:
            cells[1] = f"${rng.choice(SYMBOLS)}^{{{rng.randint(2, 4)}}}$"
        body.append("| " + " | ".join(cells) + " |")
    return [head, "|" + "---|" * cols, *body]


def _list(rng: random.Random, items: int, numbered: bool = False) -> list[str]:
    return [(f"{k + 1}." if numbered else "-") + " " + _sentence(rng, rng.randint(5, 12))
            for k in range(items)]


def prose(i: int) -> Parts:
    """Paragraphs and lists; few tables, little code or math."""
    rng = random.Random(f"prose-{i}")
    body = [_opening(rng, i) + " " + _paragraph(rng, i, 2)]
    for _ in range(rng.randint(2, 4)):
        body += ["", _paragraph(rng, i, rng.randint(2, 4))]
    if i % 4 == 1:
        body[-1] += f" See [the {rng.choice(TERMS)} notes](https://example.org/notes/{i})."
    if i % 5 < 3:
        body += ["", *_list(rng, rng.randint(3, 6), numbered=i % 5 == 2)]
    if i % 8 == 3:
        body += ["", f"In short, ${_formula(rng, i)}$ for every {rng.choice(TERMS)}."]
    if i % 12 == 5:
        body += ["", "```python", f"{rng.choice(TERMS).replace('-', '_')} = load({i})",
                 "print(model(batch))", "```"]
    if i % 40 == 7:
        body += ["", *_table(rng, 3, 3)]
    if i % 6 == 0:
        body += ["", f"> {_sentence(rng, 14)}"]
    extra = _paragraph(rng, i, 2) if i % 3 == 0 else ""
    return f"Why does the {_sentence(rng, 6).lower()[:-1]} matter (case {i})?", \
        "\n".join(body), extra


def _python(rng: random.Random, i: int, lines: int) -> list[str]:
    out = ["```python", "import numpy as np", "", f"class Step{i}:",
           "    def __init__(self, rate=0.01):", "        self.rate = rate", "",
           "    def __call__(self, params, grads):"]
    for k in range(lines):
        name = rng.choice(TERMS).replace("-", "_")
        out.append(f"        {name}_{k} = np.clip(grads[{k}] * self.rate, -1.0, {k}.5)  # {name}")
    return [*out, "        return [p - g for p, g in zip(params, grads)]", "```"]


def _javascript(rng: random.Random, i: int, lines: int) -> list[str]:
    out = ["```javascript", f"const config{i} = {{ rate: {rng.random():.3f}, name: 'run' }};",
           "", "function train(items) {", "  let total = 0;"]
    for k in range(lines):
        name = rng.choice(TERMS).replace("-", "")
        out.append(f"  const {name}{k} = items.map((x) => x.{name} ?? {k}).filter(Boolean);")
    return [*out, "  return `${total} items`;", "}", "console.log(train([]));", "```"]


def _bash(rng: random.Random, i: int, lines: int) -> list[str]:
    out = ["```bash", "#!/usr/bin/env bash", "set -euo pipefail"]
    for k in range(lines):
        name = rng.choice(TERMS)
        out.append(f'python train.py --{name} "$DATA/{name}_{k}" --seed {i} | tee -a log.txt')
    return [*out, "```"]


def _sql(rng: random.Random, i: int, lines: int) -> list[str]:
    cols = ", ".join(rng.choice(TERMS).replace("-", "_") for _ in range(3))
    out = ["```sql", f"SELECT {cols}, COUNT(*) AS n", "FROM runs r",
           "JOIN models m ON m.id = r.model_id"]
    out += [f"  AND r.{rng.choice(TERMS).replace('-', '_')} > {k * i % 97}"
            for k in range(lines // 2)]
    return [*out, "GROUP BY 1, 2, 3", "ORDER BY n DESC;", "```"]


def _json(rng: random.Random, i: int, lines: int) -> list[str]:
    body = [f'  "{rng.choice(TERMS)}_{k}": {rng.random():.3f},' for k in range(lines)]
    return ["```json", "{", *body, f'  "id": {i}', "}", "```"]


LANGUAGES: tuple[Callable[[random.Random, int, int], list[str]], ...] = (
    _python, _python, _python, _python, _javascript, _javascript, _bash, _sql, _json)


def code(i: int) -> Parts:
    """A fenced block in every card, inline code everywhere, short prose."""
    rng = random.Random(f"code-{i}")
    block = rng.choice(LANGUAGES)
    body = [_opening(rng, i) + f" What does `{block.__name__[1:]}` print for `{i}`?", "",
            *block(rng, i, rng.randint(4, 24))]
    body += ["", *(f"- {chr(65 + k)}: `{rng.randint(0, 99)}` and `{rng.choice(TERMS)}`"
                   for k in range(4))]
    body += ["", f"Because `{rng.choice(TERMS)}` is bound late, {_sentence(rng, 12).lower()}"]
    if i % 4 == 2:
        body += ["", "```text", *(f"{rng.choice(TERMS)} {k}" for k in range(3)), "```"]
    if i % 10 == 3:
        body += ["", f"It costs $O(n \\log n)$ for $n = {i}$."]
    if i % 20 == 9:
        body += ["", *_table(rng, 3, 3)]
    extra = f"Try it with `node` or `python3` ({i})." if i % 5 == 0 else ""
    return f"What is the output of snippet {i} ({rng.choice(TERMS)})?", "\n".join(body), extra


def math(i: int) -> Parts:
    """Inline and display math in most cards, tables (with math) in most."""
    rng = random.Random(f"math-{i}")
    body = [_opening(rng, i) + f" Here ${_formula(rng, i)}$ and ${_formula(rng, i)}$ hold, "
            f"while ${rng.choice(SYMBOLS)} \\to 0$."]
    body += ["", "**Formulation:**",
             *(f"- **{rng.choice(TERMS)}**: ${_formula(rng, i)}$ with ${rng.choice(SYMBOLS)}_i$"
               for _ in range(rng.randint(2, 5)))]
    if i % 10 < 7:
        body += ["", "$$", _formula(rng, i), "$$"]
    if i % 3 == 0:
        body += ["", "$$", "\\begin{aligned}", f"{_formula(rng, i)} \\\\",
                 f"&= {_formula(rng, i)}", "\\end{aligned}", "$$"]
    if i % 5 < 3:
        body += ["", *_table(rng, rng.randint(3, 7), rng.randint(3, 5), math=True)]
    if i % 10 == 4:
        body += ["", "```python", f"loss = ((pred - y) ** 2).mean()  # {i}", "```"]
    body += ["", f"**Intuition:** {_sentence(rng, 14)}"]
    extra = f"Bishop (2006), eq. ${rng.randint(1, 14)}.{rng.randint(1, 99)}$." if i % 4 == 0 else ""
    return f"How is the {rng.choice(TERMS)} bound ${_formula(rng, i)}$ derived ({i})?", \
        "\n".join(body), extra


LEANING: dict[str, Callable[[int], Parts]] = {"prose": prose, "code": code, "math": math}
