"""The case page's upload form, server side: time-zone choices, times typed without an
offset read in the chosen zone, and what the page's script needs (limits, permission).

The browser script (`frontend/pages/upload.js`) sends every time with its offset; a
browser without script posts the form itself, and then a time typed into the
`datetime-local` fields is read in the form's time-zone choice (by default the zone the
pages show times in), so no typed field is refused for lacking an offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlmodel import Session

from evidence import i18n
from evidence.errors import InvalidInput
from evidence.models import Case
from evidence.policy import Perm, Principal
from evidence.service.access import permits

# UTC offsets in use somewhere (whole hours plus the half and quarter hours that exist).
_ODD = ("-09:30", "-03:30", "+03:30", "+04:30", "+05:30", "+05:45", "+06:30", "+08:45")
_ODD_LATE = ("+09:30", "+10:30", "+12:45", "+13:45")
TIME_FIELDS = ("captured_at", "collected_at")


def _offset_text(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def time_zone_choices() -> list[tuple[str, str]]:
    """(value, label) of every offset, west to east: ("+05:00", "UTC+05:00")."""
    values = [_offset_text(timedelta(hours=h)) for h in range(-12, 15)]
    values += [*_ODD, *_ODD_LATE]
    values.sort(key=lambda v: (-1 if v[0] == "-" else 1) * (int(v[1:3]) * 60 + int(v[4:])))
    return [(v, f"UTC{v}") for v in values]


def default_time_zone(now: datetime | None = None) -> str:
    """The offset of the zone the pages show times in (DALEL_DISPLAY_TZ), now."""
    moment = (now or datetime.now(UTC)).astimezone(i18n.display_zone())
    return _offset_text(moment.utcoffset() or timedelta())


def _parse_offset(value: str) -> timezone:
    valid = {v for v, _ in time_zone_choices()}
    text = value if value in valid else default_time_zone()
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:])))


def zoned_fields(fields: dict[str, str]) -> dict[str, str]:
    """The form's fields with `time_zone` applied to times typed without an offset."""
    fields = dict(fields)
    zone = _parse_offset(fields.pop("time_zone", "").strip())
    for name in TIME_FIELDS:
        value = fields.get(name, "").strip()
        if not value:
            fields.pop(name, None)
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            if name == "captured_at":
                raise InvalidInput("the capture time is not a date and time") from exc
            raise InvalidInput("the collection time is not a date and time") from exc
        fields[name] = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()
    return fields


def upload_context(
    session: Session, *, principal: Principal, case: Case, limit: int
) -> dict[str, Any]:
    """What case.html needs to show (or leave out) the upload form."""
    return {
        "may_upload": permits(session, principal=principal, perm=Perm.ITEM_UPLOAD, case=case),
        "max_upload_bytes": limit,
        "time_zones": time_zone_choices(),
        "default_time_zone": default_time_zone(),
    }
