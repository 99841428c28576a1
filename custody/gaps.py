"""Deleted ledger rows, as `ledger verify` reports them: one finding per run of missing
entries, naming whose events they were.

A row's own columns are gone with it, but the next event of the same subject still
names the missing event's leaf hash in its `prev`. So when a chain breaks right after a
run of missing entries, the break is not a second problem: it tells which item the
missing entry belonged to.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Gap:
    """Entries start..end-1 have no row; `owners` are (item or subject, entry naming it)."""

    start: int
    end: int
    owners: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GapProblem:
    message: str
    index: int | None
    item: str | None


class Gaps:
    """Runs of missing entries found while the log streams by, in order."""

    def __init__(self) -> None:
        self.runs: list[Gap] = []

    def add(self, start: int, end: int) -> None:
        self.runs.append(Gap(start, end))

    def claim(self, *, after: int, before: int, subject: str, by: int) -> bool:
        """A chain broke at entry `by` whose subject's previous event is entry `after`:
        if a missing run lies between them, attribute it (True) instead of reporting."""
        for gap in reversed(self.runs):
            if gap.end <= after:
                break
            if gap.start < before and gap.end > after:
                gap.owners.append((subject, by))
                return True
        return False

    def owners(self) -> set[str]:
        """Every item (or subject) some missing entry belonged to."""
        return {owner for gap in self.runs for owner, _ in gap.owners}

    def problems(self) -> list[GapProblem]:
        """One problem per run, naming the items whose events are missing."""
        found = []
        for gap in self.runs:
            single = gap.end - gap.start == 1
            span = "missing" if single else f"entries {gap.start}..{gap.end - 1} are missing"
            index = gap.start if single else None
            if gap.owners:
                owners = sorted({owner for owner, _ in gap.owners})
                named = ", ".join(str(by) for _, by in gap.owners)
                message = (
                    f"{span} (deleted {'row' if single else 'rows'}): "
                    f"{'an event' if single else 'events'} of {', '.join(owners)}, as the "
                    f"`prev` of entry {named} shows; the tree was rebuilt around the gap "
                    "from the stored nodes"
                )
                found.append(GapProblem(message, index, owners[0]))
            else:
                whose = "it, so whose event it was" if single else "them, so whose events they were"
                message = (
                    f"{span} (deleted {'row' if single else 'rows'}); no later event names "
                    f"{whose} cannot be told from the ledger"
                )
                found.append(GapProblem(message, index, None))
        return found
