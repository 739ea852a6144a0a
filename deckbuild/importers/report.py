"""The report `import` shows before it writes: per file, layout, cards, sections, left-out lines."""

from __future__ import annotations

from collections import Counter

from .records import ImportedFile


def report_lines(imported: ImportedFile, folder: str) -> list[str]:
    """Lines describing one imported file; `folder` is the cards folder as the user sees it."""
    counts = Counter(card.section for card in imported.cards)
    sections = ", ".join(f"{name} ({count})" for name, count in counts.items())
    lines = [f"{imported.path}: layout '{imported.layout}' ({imported.detail})",
             f"  {_count(len(imported.cards), 'card')} in {_count(len(counts), 'section')}: "
             f"{sections}"]
    if imported.left_out:
        lines.append(f"  left out, in no card ({_count(len(imported.left_out), 'line')}):")
        for item in imported.left_out:
            why = "" if item.reason == "not in any card" else f"  ({item.reason})"
            lines.append(f"    {item.line}: {_shorten(item.text)}{why}")
    else:
        lines.append("  left out: nothing")
    for warning in imported.warnings:
        lines.append(f"  warning: line {warning.line}: {warning.message}")
    for out in imported.outputs:
        lines.append(f"  -> {folder}/{out.name} ({_count(out.cards, 'card')})")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _shorten(text: str, width: int = 72) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"
