"""Who may read the operational metrics (`GET /metrics`): the policy decides, as for
everything else; a refusal is recorded like any other."""

from __future__ import annotations

from sqlmodel import Session

from evidence.policy import Perm, Principal
from evidence.service.access import require


def authorize_metrics(*, session: Session, principal: Principal, client: str | None) -> None:
    """Raise `AccessDenied` (recorded) unless `principal` may read the metrics."""
    require(session, principal=principal, perm=Perm.METRICS_READ, client=client)
