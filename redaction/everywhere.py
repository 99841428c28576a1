"""Case-wide "redact this everywhere": a name, number or phrase in every item of a case.

The needle is searched, with its inflected forms, in the analysed text of every item
that has a plan under review (plain text, OCR pages, transcripts, chat exports: whatever
the analysis read), and each new occurrence becomes a proposal in that item's next plan
version. Russian forms come from pymorphy3 (the OpenCorpora dictionaries natasha uses):
"Иванова" also finds «Ивановой», «Иванову», in the gender the needle was typed in. Kazakh
case endings are added by rule to every form («Ивановаға», «Ивановтың», «Ерланнан»).
Numbers and other words are found as typed, across any run of spaces, in any case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from evidence.models import Item
from evidence.policy import Perm, Principal
from evidence.service.access import require_case
from redaction.models import PlanStatus, RedactionPlan, RedactionSource
from redaction.plans import PlanError, manual_row, regions_for_span

# Kazakh case, possessive and plural endings (after either vowel harmony, voiced or not),
# with or without a hyphen: "Ивановаға", "Иванова-ның", "Ерланнан".
KK_ENDINGS = (
    "ның", "нің", "дың", "дің", "тың", "тің", "ға", "ге", "қа", "ке", "на", "не", "а", "е",
    "ны", "ні", "ды", "ді", "ты", "ті", "н", "да", "де", "та", "те", "нда", "нде",
    "дан", "ден", "тан", "тен", "нан", "нен", "мен", "бен", "пен", "мен", "ның", "ға",
    "ым", "ім", "м", "ың", "ің", "ң", "ы", "і", "сы", "сі", "лар", "лер", "дар", "дер",
    "тар", "тер", "ша", "ше", "дай", "дей",
)  # fmt: skip
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")


@functools.cache
def _morph() -> Any:
    try:
        import pymorphy3
    except ImportError:  # without it, Russian forms are the typed one plus Kazakh endings
        return None
    return pymorphy3.MorphAnalyzer(lang="ru")


def russian_forms(word: str) -> set[str]:
    """``word`` in the six Russian cases, singular, in the gender it was typed in.

    The analyses where the typed word is nominative are preferred (people type the base
    form): «Иванова» is then the woman's surname, not the genitive of «Иванов».
    """
    morph = _morph()
    if morph is None or not _CYRILLIC.search(word):
        return {word}
    parses = morph.parse(word)
    nominative = [p for p in parses if "nomn" in p.tag]
    chosen = nominative or parses[:1]
    forms = {word}
    for parse in chosen:
        for case in _CASES:
            inflected = parse.inflect({case, "sing"}) or parse.inflect({case})
            if inflected is not None:
                forms.add(_same_case_shape(inflected.word, word))
    return forms


def _same_case_shape(form: str, typed: str) -> str:
    # pymorphy answers in lower case; matching is case-insensitive, this is for display.
    return form.capitalize() if typed[:1].isupper() else form


def word_pattern(word: str) -> str:
    """A regex for one word of the needle: any of its forms, then an optional Kazakh
    ending, never inside a longer word."""
    forms = sorted(russian_forms(word), key=len, reverse=True)
    stems = "|".join(re.escape(f) for f in forms)
    if not any(ch.isalpha() for ch in word):  # a number: exactly as typed
        return rf"(?<![\w])(?:{stems})(?![\w])"
    endings = "|".join(re.escape(e) for e in sorted(set(KK_ENDINGS), key=len, reverse=True))
    return rf"(?<![\w])(?:{stems})(?:-?(?:{endings}))?(?![\w])"


def find_forms(*, text: str, needle: str) -> list[tuple[int, int]]:
    """Every occurrence of ``needle`` or its inflected forms in ``text`` (any case, any
    run of spaces between its words)."""
    words = needle.split()
    if not words:
        raise PlanError("nothing to search for")
    pattern = r"\s+".join(word_pattern(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


Open = list[tuple[Item, RedactionPlan]]


def _open_plans(session: Session, case_id: str) -> tuple[Open, list[dict[str, Any]]]:
    """(item, latest plan) for every item whose latest plan can take new proposals; and
    the other items, each with why not."""
    items = session.exec(
        select(Item).where(Item.case_id == case_id).order_by(col(Item.created_at))
    ).all()
    open_, skipped = [], []
    for item in items:
        if item.derivative_kind:  # proxies, transcripts, redactions: their parents count
            continue
        plan = session.exec(
            select(RedactionPlan)
            .where(RedactionPlan.item_id == item.id)
            .order_by(col(RedactionPlan.version).desc())
        ).first()
        blocked = plan is not None and plan.status is PlanStatus.APPROVED and not plan.releasable
        if plan is None:
            skipped.append({"item_id": item.id, "name": item.original_name, "why": "not analysed"})
        elif plan.status is PlanStatus.DRAFT or blocked:
            open_.append((item, plan))
        else:
            skipped.append({"item_id": item.id, "name": item.original_name,
                            "why": f"plan {plan.status}"})  # fmt: skip
    return open_, skipped


def redact_everywhere(
    *,
    session: Session,
    principal: Principal,
    case_id: str,
    text: str,
    entity_type: str = "PERSON",
    reason: str | None = None,
    decision: str = "pending",
    dry_run: bool = False,
    client: str | None = None,
) -> dict[str, Any]:
    """Propose ``text`` and its inflected forms in every item of the case under review.

    Returns ``{"items": [{item_id, name, plan_id, version, proposals: [...]}],
    "skipped": [{item_id, name, why}]}``: one group per item with new proposals, in the
    order of the case. With ``dry_run`` nothing is written (the groups show what would be
    proposed, numbered as they would be). ``decision`` "accepted" hides them at once.
    """
    from redaction import revise
    from redaction.service import authorise, proposal_dict, proposals_of

    case = require_case(
        session, principal=principal, perm=Perm.REDACTION_REVIEW, case_id=case_id, client=client
    )
    if decision not in ("pending", "accepted"):
        raise PlanError("decision is pending or accepted")
    needle = " ".join(text.split())
    find_forms(text="", needle=needle)  # refuses an empty needle before anything is read
    if reason is not None:
        from redaction.exemptions import check_basis

        check_basis(reason)
    groups: list[dict[str, Any]] = []
    open_plans, skipped = _open_plans(session, case.id)
    for item, plan in open_plans:
        authorise(session, principal=principal, item=item, case=case, perm=Perm.REDACTION_REVIEW,
                  client=client)  # fmt: skip
        source = session.get(RedactionSource, plan.source_id)
        if source is None or not source.text:
            skipped.append({"item_id": item.id, "name": item.original_name, "why": "no text"})
            continue
        rows = [proposal_dict(p) for p in proposals_of(session, plan.id)]
        covered, added = _occurrences(rows, source, needle, entity_type, reason, decision)
        if not covered and not added:
            continue
        to_accept = {r["number"] for r in covered if r["decision"] != decision == "accepted"}
        if not dry_run and (added or to_accept):
            # The change note names the needle's length, never the needle: notes and
            # changes travel where the value must not.
            plan = revise.add_rows(
                session=session, principal=principal, plan_id=plan.id, rows=added,
                accept=to_accept,
                change=f"redact everywhere in the case ({len(needle)} characters)",
                client=client,
            )  # fmt: skip
        for row in covered:
            if row["number"] in to_accept:
                row["decision"] = "accepted"
        groups.append({
            "item_id": item.id, "name": item.original_name, "plan_id": plan.id,
            "version": plan.version,
            "proposals": sorted([*covered, *added], key=lambda r: r["target"]["start"]),
        })  # fmt: skip
    return {"text": needle, "dry_run": dry_run, "items": groups, "skipped": skipped}


def _occurrences(
    rows: list[dict[str, Any]], source: RedactionSource, needle: str, entity_type: str,
    reason: str | None, decision: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """(existing proposals that cover an occurrence, new proposals for the others)."""
    spans = [r for r in rows if r["target"].get("kind") == "span"]
    taken = [(r["target"]["start"], r["target"]["end"]) for r in spans]
    number = max((r["number"] for r in rows), default=0)
    covered: dict[int, dict[str, Any]] = {}
    added = []
    for start, end in find_forms(text=source.text, needle=needle):
        hit = next(
            (r for r in spans if r["target"]["start"] <= start and end <= r["target"]["end"]),
            None,
        )
        if hit is not None:
            covered[hit["number"]] = hit
            continue
        if any(s <= start and end <= e for s, e in taken):
            continue
        number += 1
        row = manual_row(
            number=number, target={"kind": "span", "start": start, "end": end},
            entity_type=entity_type, reason=reason, text=source.text, words=source.words,
        )  # fmt: skip
        row["decision"] = decision
        row["explanation"] = "redact everywhere in the case"
        row["regions"] = regions_for_span(words=source.words, start=start, end=end)
        added.append(row)
        taken.append((start, end))
    return list(covered.values()), added


def forms_of(needle: str) -> list[list[str]]:
    """The forms each word of ``needle`` is searched in (for the review list)."""
    return [sorted(russian_forms(w)) for w in needle.split()]


__all__: Sequence[str] = ("find_forms", "forms_of", "redact_everywhere", "russian_forms")
