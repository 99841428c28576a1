"""Legal bases of redactions and the exemption log that travels with a disclosure.

Every hidden region carries its legal basis (``RedactionProposal.reason``: a code from
the configurable list in ``data/reasons.yaml``, ``bases``) and an optional note. The
exemption log says, per released item and per hidden region or time range, what kind of
data was hidden, on which basis, who approved it and when — never the hidden value: no
``text`` of a proposal, no analysed text, only the region's geometry.

The disclosure bundle and the court export carry it as ``exemption-log.json`` (covered
by the bundle's signed statement like every file); the offline verifier checks that its
entries name exactly the redaction plans the manifest records for each item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session

from evidence import i18n
from evidence.i18n import N_
from evidence.models import User
from redaction.config import load_data
from redaction.models import Decision, RedactionPlan, RedactionProposal
from redaction.plans import PlanError

FORMAT = "dalel-exemption-log/1"

# Labels of the shipped bases (a deployment's own codes are shown as they are).
BASIS_LABELS = {
    "KZ-PDL-art.8": N_("personal data (Law on personal data and their protection, art. 8)"),
    "KZ-BANK-art.50": N_("banking secrecy (Law on banks and banking activity, art. 50)"),
    "KZ-CPC-art.97-WITNESS": N_(
        "protection of a witness or victim (Criminal Procedure Code, art. 97)"
    ),
    "KZ-STATE-SECRET": N_("state secret (Law on state secrets)"),
    "KZ-CPC-art.201-SECRECY": N_(
        "secrecy of the pre-trial investigation (Criminal Procedure Code, art. 201)"
    ),
}


class UnknownBasis(PlanError):
    """A legal basis that is not in the configured list (HTTP 422)."""


def bases() -> list[str]:
    """The configured legal-basis codes, in the order of ``data/reasons.yaml``."""
    seen: list[str] = []
    for code in load_data("reasons.yaml").get("bases") or []:
        if str(code) not in seen:
            seen.append(str(code))
    return seen


def check_basis(code: str | None) -> str:
    """``code`` if it is a configured basis, else ``UnknownBasis``."""
    allowed = bases()
    if code is None or str(code) not in allowed:
        raise UnknownBasis(
            "%(basis)r is not a configured legal basis (one of %(bases)s)",
            basis=code, basis_list=allowed, bases=", ".join(allowed),
        )  # fmt: skip
    return str(code)


def basis_label(code: str, language: str | None = None) -> str:
    """A basis by its name in ``language`` (the page's when None); unknown codes as they are."""
    label = BASIS_LABELS.get(code)
    if label is None:
        return code
    if language is None:
        return i18n.gettext(label)
    return i18n.translations(language).gettext(label)


def without_basis(proposals: Iterable[RedactionProposal]) -> list[int]:
    """Numbers of hidden proposals whose basis is missing or not in the list."""
    allowed = set(bases())
    return [
        p.number for p in proposals if p.decision is Decision.ACCEPTED and p.reason not in allowed
    ]


def _region(p: RedactionProposal) -> dict[str, Any]:
    """Where the hidden region is, without what it hid: a span's offsets, a page box, a
    time range, or a track's time range (its per-frame boxes stay out: they are many)."""
    target = dict(p.target or {})
    kind = target.get("kind")
    if kind == "track":
        return {"kind": "track", "start": target.get("t_start"), "end": target.get("t_end")}
    keys = {"span": ("start", "end"), "time": ("start", "end"),
            "box": ("page", "left", "top", "width", "height", "t_start", "t_end")}  # fmt: skip
    region = {"kind": kind, **{k: target[k] for k in keys.get(str(kind), ()) if k in target}}
    if p.regions:  # a span on pages or a transcript: the boxes or times it covers
        region["covers"] = [
            {k: v for k, v in r.items() if k in ("kind", "page", "left", "top", "width",
                                                  "height", "start", "end")}
            for r in p.regions
        ]  # fmt: skip
    return region


def plan_entries(session: Session, plan: RedactionPlan) -> dict[str, Any]:
    """One plan's part of the log: who approved it and when, and every hidden region."""
    approver = session.get(User, plan.approved_by) if plan.approved_by else None
    from redaction.service import proposals_of

    regions = [
        {
            "number": p.number,
            "entity_type": p.entity_type,
            "source": str(p.source),
            "basis": p.reason,
            "note": p.note,
            "region": _region(p),
        }
        for p in proposals_of(session, plan.id)
        if p.decision is Decision.ACCEPTED
    ]
    return {
        "plan_id": plan.id,
        "version": plan.version,
        "approved_by": approver.username if approver else plan.approved_by,
        "approved_at": plan.approved_at.isoformat() if plan.approved_at else None,
        "residual": "overridden" if (plan.residual or {}).get("override") else "passed",
        "regions": regions,
    }


def log_files(*, session: Session, plans_by_item: Mapping[str, Iterable[str]]) -> dict[str, bytes]:
    """The files a bundle carries: ``exemption-log.json`` (what the verifier checks) and
    the same log as a PDF in Kazakh, Russian and English."""
    import json

    from custody.verifier import EXEMPTION_LOG
    from redaction.exemption_pdf import pdf_files

    log = exemption_log(session=session, plans_by_item=plans_by_item)
    return {EXEMPTION_LOG: json.dumps(log, indent=1, ensure_ascii=False).encode(),
            **pdf_files(log)}  # fmt: skip


def exemption_log(
    *, session: Session, plans_by_item: Mapping[str, Iterable[str]]
) -> dict[str, Any]:
    """The log for released items: ``plans_by_item`` maps each item in the bundle to
    the ids of the redaction plans in its derivation (as the manifest records them).
    The bases it uses are named in Kazakh, Russian and English."""
    items = []
    used: set[str] = set()
    for item_id, plan_ids in plans_by_item.items():
        plans = []
        for plan_id in plan_ids:
            plan = session.get(RedactionPlan, plan_id)
            if plan is None:  # named by a derivation, but not a plan of ours (an import)
                plans.append({"plan_id": plan_id, "missing": True, "regions": []})
                continue
            entry = plan_entries(session, plan)
            used |= {r["basis"] for r in entry["regions"]}
            plans.append(entry)
        if plans:
            items.append({"item": item_id, "plans": plans})
    return {
        "format": FORMAT,
        "bases": {
            code: {lang: basis_label(code, lang) for lang in ("kk", "ru", "en")}
            for code in sorted(used)
        },
        "items": items,
    }
