"""Need-to-know access: one policy table and one decision, used by every package.

Every permission of the system is a row of `POLICY`: which case roles hold it inside a
case they belong to, which roles hold it on items they uploaded themselves, whether a
defence lawyer holds it on what was disclosed to them, and which account roles hold it
without any case (administrators managing accounts, auditors reading system events).
`allowed()` reads that table and nothing else; no package keeps role sets of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from custody import Actor
from evidence.models import Role


class Perm(StrEnum):
    """Every permission; the values appear in `access.denied` events (courts read them)."""

    USER_MANAGE = "user.manage"
    LEDGER_SYSTEM = "ledger.system"  # system-chain events in clear (keys, accounts)
    WITNESS_MANAGE = "ledger.witness.manage"  # register and remove the log's witnesses
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_MANAGE = "case.manage"
    CASE_CUSTODY = "case.custody"  # the case's own chain in clear (members, disclosures)
    CUSTODY_EXPORT = "custody.export"  # a case's custody timeline as CSV (auditors)
    CASE_TRANSFER = "case.transfer"  # approve a case's move to another prosecutor
    ITEM_UPLOAD = "item.upload"
    ITEM_READ = "item.read"
    ITEM_CONTENT = "item.content"
    ITEM_CUSTODY = "item.custody"
    ITEM_ORIGIN = "item.origin"  # an item's creation or derivation event in clear
    ITEM_PROVENANCE = "item.provenance"  # parent, inputs, place, collector, uploader
    ITEM_VERIFY = "item.verify"  # learn that a case holds given bytes (signed-in verify)
    DEFENCE_ACTIVITY = "defence.activity"  # the defence's own events in clear
    ANNOTATION_READ = "annotation.read"  # tags, shared notes, clips
    ANNOTATION_WRITE = "annotation.write"  # shared and private notes, clips
    TAG_WRITE = "tag.write"  # the case's tags (bulk tagging): who builds the case
    CLIP_EXPORT = "clip.export"
    TRANSCRIPT_EDIT = "transcript.edit"
    JOB_READ = "job.read"
    JOB_RUN = "job.run"  # re-run a stage, transcribe in another language
    REDACTION_ANALYSE = "redaction.analyse"
    REDACTION_REVIEW = "redaction.review"
    REDACTION_APPROVE = "redaction.approve"
    DISCLOSURE_READ = "disclosure.read"  # the prosecution's view of a case's disclosures
    DISCLOSURE_CREATE = "disclosure.create"
    DISCLOSURE_MANAGE = "disclosure.manage"  # flags, tranches, preparing, bundles
    DISCLOSURE_REVOKE = "disclosure.revoke"
    DISCLOSURE_RECEIVE = "disclosure.receive"  # the recipient: files, bundle, own notes
    RECEIPT_READ = "receipt.read"
    RECEIPT_SIGN = "receipt.sign"
    COURT_EXPORT = "court.export"
    RETENTION_READ = "retention.read"  # category, basis, purpose, dates, holds, purges
    RETENTION_MANAGE = "retention.manage"  # set category, basis, purpose; item overrides
    CASE_LIFECYCLE = "case.lifecycle"  # closure, verdict and end-of-appeal dates
    HOLD_SET = "hold.set"  # place and release legal holds
    PURGE_PROPOSE = "purge.propose"  # also: the due items of a case by name
    PURGE_APPROVE = "purge.approve"  # the second person (never the proposer)
    RETENTION_DUE = "retention.due"  # what is due in every case, as counts
    RETENTION_CONFIG = "retention.config"  # replace the retention table
    WITHHELD_REVEAL = "withheld.reveal"  # a withheld input's salt, on a court order
    CITIZEN_REQUEST = "citizen.request"  # ask a victim or witness for files; their contact
    CITIZEN_REVIEW = "citizen.review"  # quarantined files: list, accept, reject
    METRICS_READ = "system.metrics"  # the operational metrics (counts, durations; no names)


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a person, or a device acting for an officer."""

    user_id: str
    username: str
    role: Role
    device: str | None = None
    token_id: str | None = None
    # "all"; "upload" for an upload-only device key; "enrol" for a web session that may
    # only enrol an authenticator (it holds no permission at all).
    scope: str = "all"

    def actor(self) -> Actor:
        return Actor(id=self.user_id, name=self.username, role=str(self.role), device=self.device)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who holds one permission.

    `members`: case roles that hold it in a case they belong to. `own`: case roles that
    hold it on items they uploaded themselves. `disclosed`: a defence lawyer holds it on
    what a prosecutor disclosed to them (an item, or their own disclosure). `anyone`:
    account roles that hold it without belonging to any case.
    """

    members: frozenset[Role] = frozenset()
    own: frozenset[Role] = frozenset()
    disclosed: bool = False
    anyone: frozenset[Role] = frozenset()


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


OFF, INV, PRO, CRT, AUD, SUP = (
    Role.OFFICER, Role.INVESTIGATOR, Role.PROSECUTOR, Role.COURT, Role.AUDITOR,
    Role.SUPERVISOR,
)  # fmt: skip
_READERS = _roles(INV, PRO, CRT, AUD)  # read the case's items' metadata and custody
_WATCHERS = _roles(INV, PRO, CRT)  # watch and listen to the evidence itself
_BUILDERS = _roles(INV, PRO)  # build the case: manage it, process, redact

POLICY: dict[Perm, Rule] = {
    Perm.USER_MANAGE: Rule(anyone=_roles(Role.ADMIN)),
    Perm.LEDGER_SYSTEM: Rule(anyone=_roles(Role.ADMIN, AUD)),
    Perm.WITNESS_MANAGE: Rule(anyone=_roles(Role.ADMIN)),
    Perm.CASE_CREATE: Rule(anyone=_roles(PRO, INV)),
    Perm.CASE_READ: Rule(members=_roles(OFF, INV, PRO, CRT, AUD, SUP)),
    Perm.CASE_MANAGE: Rule(members=_BUILDERS),
    Perm.CASE_CUSTODY: Rule(members=_READERS),
    Perm.CUSTODY_EXPORT: Rule(members=_roles(AUD)),
    Perm.CASE_TRANSFER: Rule(anyone=_roles(Role.ADMIN)),
    Perm.ITEM_UPLOAD: Rule(members=_roles(OFF, INV, PRO)),
    Perm.ITEM_READ: Rule(members=_READERS, own=_roles(OFF), disclosed=True),
    Perm.ITEM_CONTENT: Rule(members=_WATCHERS, own=_roles(OFF), disclosed=True),
    Perm.ITEM_CUSTODY: Rule(members=_READERS, own=_roles(OFF)),
    Perm.ITEM_ORIGIN: Rule(members=_READERS, own=_roles(OFF), disclosed=True),
    Perm.ITEM_PROVENANCE: Rule(members=_READERS, own=_roles(OFF)),
    Perm.ITEM_VERIFY: Rule(members=_roles(PRO, CRT)),
    Perm.DEFENCE_ACTIVITY: Rule(anyone=_roles(AUD)),  # with the chain's own permission
    Perm.ANNOTATION_READ: Rule(members=_READERS, own=_roles(OFF)),
    Perm.ANNOTATION_WRITE: Rule(members=_WATCHERS, own=_roles(OFF)),
    Perm.TAG_WRITE: Rule(members=_BUILDERS, own=_roles(OFF)),
    Perm.CLIP_EXPORT: Rule(members=_BUILDERS),
    Perm.TRANSCRIPT_EDIT: Rule(members=_BUILDERS),
    Perm.JOB_READ: Rule(members=_READERS, own=_roles(OFF), anyone=_roles(Role.ADMIN)),
    Perm.JOB_RUN: Rule(members=_BUILDERS, anyone=_roles(Role.ADMIN)),
    Perm.REDACTION_ANALYSE: Rule(members=_BUILDERS),
    Perm.REDACTION_REVIEW: Rule(members=_BUILDERS),
    Perm.REDACTION_APPROVE: Rule(members=_roles(PRO)),
    Perm.DISCLOSURE_READ: Rule(members=_roles(PRO, INV, AUD)),
    Perm.DISCLOSURE_CREATE: Rule(members=_roles(PRO)),
    Perm.DISCLOSURE_MANAGE: Rule(members=_roles(PRO)),
    Perm.DISCLOSURE_REVOKE: Rule(members=_roles(PRO)),
    Perm.DISCLOSURE_RECEIVE: Rule(disclosed=True),
    Perm.RECEIPT_READ: Rule(members=_roles(PRO, INV, CRT, AUD), disclosed=True),
    Perm.RECEIPT_SIGN: Rule(disclosed=True),
    Perm.COURT_EXPORT: Rule(members=_roles(CRT, PRO)),
    Perm.RETENTION_READ: Rule(members=_READERS | _roles(SUP)),
    Perm.RETENTION_MANAGE: Rule(members=_roles(PRO)),
    Perm.CASE_LIFECYCLE: Rule(members=_roles(PRO)),
    Perm.HOLD_SET: Rule(members=_roles(PRO, CRT)),
    Perm.PURGE_PROPOSE: Rule(members=_roles(PRO)),
    # The second person of a purge: another prosecutor of the case, or a supervising
    # prosecutor who joined it for that (never the proposer: evidence.service.purge).
    Perm.PURGE_APPROVE: Rule(members=_roles(PRO, SUP)),
    Perm.RETENTION_DUE: Rule(anyone=_roles(Role.ADMIN, SUP)),
    Perm.RETENTION_CONFIG: Rule(anyone=_roles(Role.ADMIN)),
    Perm.WITHHELD_REVEAL: Rule(members=_roles(CRT)),
    # Requests to victims and witnesses: who builds the case sends them, sees the person's
    # contact data and decides what of the quarantined files becomes evidence. The person
    # holds no account: their link's token (evidence.service.citizen) is their only right.
    Perm.CITIZEN_REQUEST: Rule(members=_BUILDERS),
    Perm.CITIZEN_REVIEW: Rule(members=_BUILDERS),
    Perm.METRICS_READ: Rule(anyone=_roles(Role.ADMIN, AUD)),
}
# Roles that may join a case as members (an administrator never reads evidence; the
# defence reads only what is disclosed to it).
MEMBER_ROLES = frozenset(Role) - {Role.ADMIN, Role.DEFENCE}
# What an upload-only device key may do: find the case and send files to it.
UPLOAD_SCOPE = frozenset({Perm.CASE_READ, Perm.ITEM_UPLOAD})


def allowed(
    *,
    principal: Principal,
    perm: Perm,
    case_role: Role | None = None,
    own_item: bool = False,
    disclosed: bool = False,
) -> bool:
    """Decide one access from `POLICY`: role × case membership × own item × disclosure.

    `case_role` is the caller's role in the case (None when not a member); `own_item`
    says the caller uploaded the item in question; `disclosed` that a prosecutor has
    disclosed the item (or the disclosure) to the caller — it counts for defence
    lawyers only, who are never case members.
    """
    if principal.scope == "enrol" or (principal.scope == "upload" and perm not in UPLOAD_SCOPE):
        return False
    rule = POLICY[perm]
    if principal.role in rule.anyone:
        return True
    if principal.role is Role.DEFENCE:
        return disclosed and rule.disclosed
    if principal.role is Role.ADMIN or case_role is None:
        return False
    return case_role in rule.members or (own_item and case_role in rule.own)


def role_may(role: Role, perm: Perm) -> bool:
    """Whether an account of `role` can hold `perm` somewhere (in a case it belongs to,
    on its own uploads, on what is disclosed to it, or anywhere): what the pages offer a
    role (its navigation) before any case is chosen. Read from `POLICY` like `allowed`."""
    rule = POLICY[perm]
    if role is Role.DEFENCE:
        return rule.disclosed or role in rule.anyone
    if role in rule.anyone:
        return True
    return role is not Role.ADMIN and (role in rule.members or role in rule.own)
