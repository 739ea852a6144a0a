"""The rehearsal's report: as text lines for `diff --rehearse`, as Markdown for the
release notes, and the reason a release with conflicting notes is refused."""

from __future__ import annotations

from .diff import NoteState
from .diff import moved_searches as diff_moved_searches
from .rehearsal import (
    CONFLICTING,
    LEFT_BEHIND,
    NEW,
    NOT_NEWER,
    OTHER,
    OUTCOMES,
    OVERWRITTEN,
    RETIRED,
    UNCHANGED,
    UPDATED,
    USER_EDITED,
    Rehearsal,
)

TITLES = {
    NEW: "new",
    UPDATED: "updated",
    UNCHANGED: "unchanged",
    CONFLICTING: "conflicting (not updated)",
    USER_EDITED: "skipped because the user edited it",
    NOT_NEWER: "changed, but skipped: the user's copy is newer (merging rewrote it)",
    OVERWRITTEN: "updated, replacing the user's own edit",
    LEFT_BEHIND: "left behind (removed from the sources)",
    RETIRED: "retired (the user's note gains the retired tag)",
    OTHER: "other (see the engine's log)",
}


def moved_searches(moved: tuple[tuple[str, str, str], ...]) -> list[str]:
    """The searches that select the cards left in their old subdecks (diff.moved_searches)."""
    return diff_moved_searches(tuple((NoteState(card_id, "", "", "", deck), old)
                                     for card_id, stays, deck in moved
                                     for old in stays.split(", ")))


def _listed(ids: tuple[str, ...], questions: dict[str, str], limit: int | None) -> list[str]:
    shown = ids if limit is None else ids[:limit]
    lines = [f"{i}: {questions.get(i, '')}".rstrip(": ") for i in shown]
    if len(ids) > len(shown):
        lines.append(f"… and {len(ids) - len(shown)} more")
    return lines


def format_rehearsal(r: Rehearsal, limit: int | None = 20) -> list[str]:
    """The rehearsal as text lines (what `diff --rehearse` prints)."""
    lines = [f"Rehearsal of the update from {r.old} to {r.new} with Anki's engine:",
             f"  {r.studied} cards studied after importing {r.old}"
             + (f"; the user edited note {r.edited!r}" if r.edited else "") + "."]
    for p in r.passes:
        lines.append(f"  Import with {p.label}"
                     + (" (merge off, update notes if newer):" if not p.merge else ":"))
        for outcome in OUTCOMES:
            ids = p.ids(outcome)
            if ids:
                lines.append(f"    {TITLES[outcome]}: {len(ids)}")
                if outcome not in (UNCHANGED,):
                    lines += [f"      {x}" for x in _listed(ids, r.questions, limit)]
        for card_id, stays, deck in p.moved:
            lines.append(f"    cards stay in their old subdeck: {card_id} stays in {stays!r} "
                         f"(the note now belongs in {deck!r})")
        for name in p.copies:
            lines.append(f"    note type added as a copy: {name!r}")
        lines.append(f"    review history: {p.reviews_before} reviews before, "
                     f"{p.reviews_after} after; "
                     + ("every reviewed card kept its history." if p.history_kept
                        else "REVIEW HISTORY WAS LOST."))
    moved = r.default.moved
    if moved:
        lines.append("  To move those cards by hand, search in the Browse window, select the "
                     "cards and use Change Deck:")
        lines += ["    " + search for search in moved_searches(moved)]
    if r.retired_tag and (r.default.ids(RETIRED) or r.passes[-1].ids(RETIRED)):
        lines.append(f"  Retired notes: search tag:{r.retired_tag} to suspend or delete them.")
    return lines


def conflict_problem_text(r: Rehearsal) -> str:
    """Why a release with conflicting notes is refused, and how to fix it."""
    ids = r.conflicts
    shown = ", ".join(repr(i) for i in ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5
                                                   else "")
    copies = r.default.copies
    copy = f" (Anki adds the note type {copies[0]!r} as a copy)" if copies else ""
    return (f"the release rehearsal found {len(ids)} conflicting notes under Anki's default "
            f"import options{copy}: {shown}. Users who click Import would not get these "
            "updates, and nothing would tell them why. The note type's fields or templates no "
            "longer match the released ones: undo the schema change (fields may only be added "
            "at the end, templates added), or release anyway with --allow-conflicts and tell "
            "users to tick 'Merge note types'")


def rehearsal_md(r: Rehearsal, limit: int | None = None) -> str:
    """The rehearsal for release-notes.md."""
    def esc(text: str) -> str:
        return "".join("\\" + c if c in "\\`*_[]<>|#" else c for c in text)

    lines = ["## Rehearsal with Anki's engine", "",
             f"Before this release, Anki's own importer replayed the update from {esc(r.old)}: "
             f"a scratch collection imported {esc(r.old)}, studied {r.studied} cards"
             + (f", edited the note `{r.edited}` as a user would" if r.edited else "")
             + ", then imported this version."]
    for p in r.passes:
        lines += ["", f"### Import with {p.label}", "", "| Outcome | Notes |", "|---|---|"]
        lines += [f"| {TITLES[o]} | {len(p.ids(o))} |" for o in OUTCOMES if p.ids(o)]
        for o in OUTCOMES:
            if o not in (UNCHANGED, NEW, UPDATED) and p.ids(o):
                lines += ["", f"{TITLES[o].capitalize()}:", ""]
                lines += [f"- {esc(x)}" for x in _listed(p.ids(o), r.questions, limit)]
        if p.moved:
            lines += ["", "Cards that stay in their old subdeck (Anki never moves existing "
                          "cards):", ""]
            lines += [f"- {esc(i)}: stays in {esc(s)}, now belongs in {esc(d)}"
                      for i, s, d in p.moved]
        if p.copies:
            lines += ["", "Note types added as a copy: " + ", ".join(esc(c) for c in p.copies)]
        lines += ["", f"Review history: {p.reviews_before} reviews before the import, "
                      f"{p.reviews_after} after; "
                  + ("every reviewed card kept its history." if p.history_kept
                     else "**review history was lost**.")]
    if r.conflicts and r.merging_resolves:
        lines += ["", "**Tick 'Merge note types' when you import this version** (Anki 23.10 or "
                      "later): with the default options Anki adds a copy of the note type and "
                      "your notes get no updates. Merging converts your notes in place and keeps "
                      "their review history; set 'Update notes' to 'Always' too to get this "
                      "version's text changes at once (it replaces your own edits to these "
                      "notes), else they arrive with the next update."]
    if r.default.moved:
        lines += ["", "To move the cards that stayed behind, paste this search into the Browse "
                      "window, select all cards and use *Change Deck*:", "", "```",
                  *moved_searches(r.default.moved), "```"]
    return "\n".join(lines) + "\n"
