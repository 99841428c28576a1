"""The actor of events caused through a request's link: the person holds no account, so
the event names the request (in its details) and never the person's name or contact."""

from __future__ import annotations

import custody

CITIZEN = custody.Actor(id="citizen", name="citizen", role="citizen")
