"""What the ledger learns from the request it is recording for, without knowing HTTP.

The API sets `REQUEST_ID` for each request (`evidence.logs.RequestContext`); every event
appended while it is set carries it as `details.request_id`, so an event in the ledger
and the request's lines in the logs can be matched. Jobs and operator commands leave it
unset, and their events carry none.
"""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("dalel_request_id", default=None)
