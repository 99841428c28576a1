"""Precision, recall and F1 of ``analyze_text`` on the labelled evaluation set.

Run ``python -m redaction.evaluate``. Two matching rules are reported: exact (same type,
same start and end) and overlap (same type, spans share at least one character — what
matters for redaction, where a slightly wider box still hides the data). Predicted
types that are not labelled in the set at all (LOCATION, ORGANIZATION) are ignored.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from dataclasses import dataclass, field

from redaction.analyzer import analyze_text
from redaction.evalset import LANGUAGES, SHORT, load

EVAL_TYPES = tuple(sorted(set(SHORT.values())))
# (entity type, start, end) of a labelled or predicted span.
Span = tuple[str, int, int]


@dataclass
class Counts:
    """True positives, false positives and false negatives for one cell of the table."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """tp / (tp + fp), 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn), 1.0 when nothing was labelled."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Counts per (language, entity type) for both matching rules, plus the misses."""

    exact: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    overlap: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[str] = field(default_factory=list)

    def total(self, *, mode: str, entity: str | None = None, language: str | None = None) -> Counts:
        """Sum the counts over languages and/or types."""
        table = self.exact if mode == "exact" else self.overlap
        out = Counts()
        for (lang, ent), c in table.items():
            if (entity is None or ent == entity) and (language is None or lang == language):
                out.tp, out.fp, out.fn = out.tp + c.tp, out.fp + c.fp, out.fn + c.fn
        return out


def _score(
    gold: list[Span], pred: list[Span], *, exact: bool
) -> tuple[list[Span], list[Span], list[Span]]:
    def match(g: Span, p: Span) -> bool:
        if g[0] != p[0]:
            return False
        return g[1:] == p[1:] if exact else g[1] < p[2] and p[1] < g[2]

    used: set[int] = set()
    tp_gold = []
    for g in gold:
        hit = next((i for i, p in enumerate(pred) if i not in used and match(g, p)), None)
        if hit is not None:
            used.add(hit)
            tp_gold.append(g)
    missed = [g for g in gold if g not in tp_gold]
    extra = [p for i, p in enumerate(pred) if i not in used]
    return tp_gold, missed, extra


def evaluate(*, languages: tuple[str, ...] = LANGUAGES, split: str | None = None) -> Report:
    """Run the analyzer on the evaluation texts (one split, or all) and count matches."""
    report = Report()
    for lang in languages:
        for record in load(language=lang):
            if split is not None and record.get("split", "dev") != split:
                continue
            text = record["text"]
            gold = [(e["type"], e["start"], e["end"]) for e in record["entities"]]
            findings = analyze_text(text=text, language=lang, entities=EVAL_TYPES)
            pred = [(f.entity_type, f.start, f.end) for f in findings]
            for exact, table in ((True, report.exact), (False, report.overlap)):
                tp, missed, extra = _score(gold, pred, exact=exact)
                for t in tp:
                    table[(lang, t[0])].tp += 1
                for t in missed:
                    table[(lang, t[0])].fn += 1
                    if not exact:
                        report.errors.append(f"{lang} MISS {t[0]} {text[t[1] : t[2]]!r}")
                for t in extra:
                    table[(lang, t[0])].fp += 1
                    if not exact:
                        report.errors.append(f"{lang} FP   {t[0]} {text[t[1] : t[2]]!r}")
    return report


def _row(label: str, lang: str, exact: Counts, overlap: Counts) -> str:
    n = exact.tp + exact.fn
    cells = [exact.precision, exact.recall, exact.f1, overlap.precision, overlap.recall]
    p, r, f, po, ro = (f"{v:5.2f}" for v in cells)
    return f"{label:<18}{lang:<5}{n:>4}  {p} {r} {f}  |  {po} {ro} {overlap.f1:5.2f}"


def format_table(*, report: Report) -> str:
    """Render per-type, per-language precision/recall/F1 (exact and overlap)."""
    head = f"{'entity':<18}{'lang':<5}{'n':>4}  {'P':>5} {'R':>5} {'F1':>5}  |  "
    head += f"{'P~':>5} {'R~':>5} {'F1~':>5}"
    lines = [head, "-" * len(head)]
    for entity in (*EVAL_TYPES, None):
        for lang in (*LANGUAGES, None):
            e = report.total(mode="exact", entity=entity, language=lang)
            o = report.total(mode="overlap", entity=entity, language=lang)
            if e.tp + e.fn == 0 and e.fp == 0:
                continue
            lines.append(_row(entity or "ALL", lang or "all", e, o))
    lines.append("P/R/F1: exact span match; P~/R~/F1~: overlap match (same type).")
    return "\n".join(lines)


def main() -> None:
    """Entry point of ``python -m redaction.evaluate``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--split", choices=["dev", "holdout"], help="only one split")
    args = parser.parse_args()
    report = evaluate(split=args.split)
    print(format_table(report=report))
    if args.errors:
        print("\n".join(report.errors))


if __name__ == "__main__":
    main()
