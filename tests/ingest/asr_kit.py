"""Speech recognition measured as the ASR tests and benchmarks do: an English paragraph
with names and numbers to speak, and the word error rate of a transcript."""

from __future__ import annotations

PARAGRAPH = (
    "On the 3rd of March, officer Daniel Brooks stopped a white car outside the central "
    "market in Almaty. The driver, John Smith, said he was going home from work. He showed "
    "a licence with the number 452918 and said he had left the office at 6 o'clock. The "
    "officer wrote down the plate, 123 ABC, and asked him to wait. 20 minutes later, "
    "Sergeant Anna Petrova arrived with a second patrol, and the driver was allowed to "
    "leave at 8 in the evening."
)


def wer(reference: list[str], hypothesis: list[str]) -> float:
    """Word error rate: edit distance over words / reference length."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        diagonal, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diagonal + (ref != hyp))
    return row[-1] / max(1, len(reference))
