"""The one navigation of every page (evidence, redaction, disclosure, the defence portal):
what the signed-in role can do, read from the policy table, with the counts that tell
people where work waits (redactions to review, unread notifications).

The counts belong to other packages (redaction, disclosure), which `evidence` must not
import: `evidence.app` puts their counting functions on the app's hooks
(`evidence.hooks.Hooks.counters`), found here through the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from evidence import hooks
from evidence.i18n import N_
from evidence.models import Role
from evidence.policy import Perm, Principal, role_may


@dataclass(frozen=True, slots=True)
class Link:
    key: str
    href: str
    label: str  # a msgid, translated by the template
    count: int | None = None


def _can(*perms: Perm) -> Callable[[Role], bool]:
    return lambda role: any(role_may(role, p) for p in perms)


def _staff(perm: Perm) -> Callable[[Role], bool]:
    return lambda role: role is not Role.DEFENCE and role_may(role, perm)


# key, path, label, who may see it (permissions of the policy table)
_ENTRIES: tuple[tuple[str, str, str, Callable[[Role], bool]], ...] = (
    ("cases", "/cases", N_("Cases"), _can(Perm.CASE_READ)),
    ("search", "/search", N_("Search"), _staff(Perm.ITEM_READ)),
    ("redactions", "/redactions", N_("Redactions to review"), _can(Perm.REDACTION_REVIEW)),
    ("disclosures", "/portal", N_("Disclosures"),
     _can(Perm.DISCLOSURE_READ, Perm.DISCLOSURE_RECEIVE)),
    ("court", "/court-export", N_("Court export"), _can(Perm.COURT_EXPORT)),
    ("retention", "/retention", N_("Due for purging"),
     _can(Perm.RETENTION_DUE, Perm.PURGE_PROPOSE)),
    ("admin", "/admin", N_("Administration"), _can(Perm.USER_MANAGE)),
    ("notifications", "/portal/notifications", N_("Notifications"), lambda role: True),
    ("verify", "/verify", N_("Verify a file"), lambda role: True),
    ("account", "/account", N_("Account"), lambda role: True),
)  # fmt: skip
PUBLIC = (Link("verify", "/verify", N_("Verify a file")),)


def links(session: Session | None, principal: Principal | None) -> list[Link]:
    """The entries `principal` sees, in order; signed out: the public verify page."""
    if principal is None:
        return list(PUBLIC)
    if principal.scope == "enrol":  # only enrolment until an authenticator is set
        return [Link("account", "/account", N_("Account"))]
    counters = hooks.of(session).counters if session is not None else {}
    out = []
    for key, href, label, shown in _ENTRIES:
        if not shown(principal.role):
            continue
        counter = counters.get(key)
        count = counter(session, principal) if counter and session is not None else None
        out.append(Link(key, href, label, count))
    return out
