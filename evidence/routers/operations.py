"""Operations endpoints at the root: `/healthz`, `/readyz` (public, component names only)
and `/metrics` (Prometheus; the scraper's token, or a signed-in administrator or auditor).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from evidence import deps, health, metrics
from evidence.config import Settings
from evidence.deps import SessionDep, api_key_header, oauth2
from evidence.problems import PROBLEM_503, problem
from evidence.service.operations import authorize_metrics

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    summary="Liveness: the process answers",
    description='Always `{"status": "ok"}` while the process serves; touches nothing.',
)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: every backend answers",
    description=(
        "Probes the database, the object store, Redis (when `DALEL_REDIS_URL` is set) and "
        "the ledger's key store, each within `DALEL_READINESS_TIMEOUT_SECONDS`. 200 with "
        "each component's state when all answer; otherwise 503 problem JSON whose `down` "
        "lists the components that did not (names only: reasons go to the server log)."
    ),
    responses={
        200: {
            "content": {
                "application/json": {"example": {"status": "ready", "checks": {"database": "up"}}}
            }
        },
        503: PROBLEM_503,
    },
)
async def readyz(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    probes: list[health.Probe] = request.app.state.readiness
    states = await health.readiness(probes, timeout=settings.readiness_timeout_seconds)
    down = [name for name, up in states.items() if not up]
    checks = {name: "up" if up else "down" for name, up in states.items()}
    if down:
        return problem(
            503, "Not ready", f"not ready: {', '.join(down)} down", down=down, checks=checks,
            instance="/readyz",
        )  # fmt: skip
    return JSONResponse({"status": "ready", "checks": checks})


def _scraper(request: Request, settings: Settings) -> bool:
    """The request carries the configured scraper token (constant-time comparison)."""
    expected = settings.metrics_token
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if not expected or scheme.lower() != "bearer" or not value:
        return False
    return hmac.compare_digest(value.strip().encode(), expected.encode())


@router.get(
    "/metrics",
    summary="Prometheus metrics (scraper token, administrators, auditors)",
    description=(
        "Prometheus text exposition: requests by route template and status, upload bytes, "
        "job queue depth and durations by stage, ledger size, append latency and checkpoint "
        "age. Counts and durations only: labels are route templates, stages and states, "
        "never a path, id or name. Send `Authorization: Bearer $DALEL_METRICS_TOKEN` (a "
        "Prometheus `authorization` credential), or be signed in as an administrator or "
        "auditor (`system.metrics`); a refusal is recorded."
    ),
    response_class=Response,
    responses={200: {"content": {metrics.CONTENT_TYPE: {}}}},
)
def get_metrics(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2)],
    api_key: Annotated[str | None, Depends(api_key_header)],
) -> Response:
    settings: Settings = request.app.state.settings
    if not _scraper(request, settings):
        principal = deps.current_principal(deps.any_principal(request, session, token, api_key))
        authorize_metrics(session=session, principal=principal, client=deps.client_address(request))
    body = metrics.exposition(getattr(request.app.state, "metrics_registry", None))
    return Response(content=body, media_type=metrics.CONTENT_TYPE)
