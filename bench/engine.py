"""The engine floor: the CPU time of the Markdown engine alone on a deck's fields.

    .venv/bin/python bench/engine.py PROJECT [REPEATS]

One markdown.Markdown with the project's extensions (render.EXTENSIONS and their
configuration), reset() and convert() on every non-empty field of every card (question,
answer, extra, source), nothing else: no checks, no highlighting cache of ours, no
cache, no workers, no package. The cards are read with deckbuild's parser before the
clock starts. Prints the median CPU seconds (process_time) of REPEATS passes as JSON:
{"cpu": seconds, "fields": count, "cards": count}.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def fields_of(project: Path) -> tuple[list[str], int]:
    """Every non-empty field of every card in the project's cards/, in deck order."""
    from deckbuild.source.parse import parse_source

    fields: list[str] = []
    cards = 0
    for path in sorted((project / "cards").rglob("*.md")):
        parsed, _ = parse_source(path.read_text(encoding="utf-8"), str(path))
        for card in parsed.cards:
            cards += 1
            fields += [text for text in (card.question, card.answer, card.extra, card.source)
                       if text]
    return fields, cards


def engine_cpu(fields: list[str], repeats: int) -> float:
    """Median CPU seconds of one pass of convert() over `fields`."""
    import markdown

    from deckbuild.markdown.render import EXTENSION_CONFIGS, EXTENSIONS

    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    md.convert("warm `up` $x$\n\n```python\nx = 1\n```\n")  # lexers loaded before the clock
    times = []
    for _ in range(repeats):
        started = time.process_time()
        for text in fields:
            md.reset()
            md.convert(text)
        times.append(time.process_time() - started)
    return statistics.median(times)


def main() -> None:
    project = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    fields, cards = fields_of(project)
    print(json.dumps({"cpu": engine_cpu(fields, repeats), "fields": len(fields),
                      "cards": cards}))


if __name__ == "__main__":
    main()
