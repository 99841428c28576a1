"""Retention periods and their date arithmetic: pure functions, no database.

A period is "N years, M months and D days from a clock start" or indefinite. The clock
starts at the item's collection, the case's closure, the verdict, or the verdict's entry
into force (the day the appeal ended). Calendar arithmetic follows how legal terms are
counted: a term in years or months ends on the same day of the last year or month, or on
that month's last day when it has no such day (29 February + 1 year = 28 February).
The end is then rounded up to the next midnight (UTC), so an item is never released
before its whole last day has passed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum


class Clock(StrEnum):
    """What starts a retention period."""

    COLLECTION = "collection"  # the item's collection (else its arrival in Dalel)
    CASE_CLOSED = "case_closed"
    VERDICT = "verdict"
    VERDICT_IN_FORCE = "verdict_in_force"  # the appeal ended: the verdict is in force


@dataclass(frozen=True, slots=True)
class Period:
    """`years`/`months`/`days` after `clock`; `clock` None means indefinite."""

    clock: Clock | None
    years: int = 0
    months: int = 0
    days: int = 0

    @property
    def indefinite(self) -> bool:
        return self.clock is None

    def as_json(self) -> dict[str, object] | str:
        if self.clock is None:
            return "indefinite"
        return {
            "years": self.years,
            "months": self.months,
            "days": self.days,
            "from": str(self.clock),
        }


INDEFINITE = Period(clock=None)


@dataclass(frozen=True, slots=True)
class ClockDates:
    """The dates a period may start from, as known today (None: not yet)."""

    collected_at: datetime | None = None
    case_closed_at: datetime | None = None
    verdict_at: datetime | None = None
    appeal_ended_at: datetime | None = None

    def start(self, clock: Clock) -> datetime | None:
        return {
            Clock.COLLECTION: self.collected_at,
            Clock.CASE_CLOSED: self.case_closed_at,
            Clock.VERDICT: self.verdict_at,
            Clock.VERDICT_IN_FORCE: self.appeal_ended_at,
        }[clock]


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, clamped to the last day of the month."""
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def add_period(moment: datetime, *, years: int = 0, months: int = 0, days: int = 0) -> datetime:
    """`moment` plus a calendar period (years and months first, then days)."""
    if min(years, months, days) < 0:
        raise ValueError("a retention period is never negative")
    return add_months(moment, years * 12 + months) + timedelta(days=days)


def end_of_day(moment: datetime) -> datetime:
    """The first midnight (UTC) at or after `moment`."""
    moment = moment.astimezone(UTC)
    midnight = datetime.combine(moment.date(), time(0), tzinfo=UTC)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def retain_until(period: Period, dates: ClockDates) -> datetime | None:
    """When the period ends, or None while it is indefinite or its clock has not started."""
    if period.clock is None:
        return None
    start = dates.start(period.clock)
    if start is None:
        return None
    if start.tzinfo is None:
        raise ValueError("clock dates must be timezone-aware")
    ends = add_period(start, years=period.years, months=period.months, days=period.days)
    return end_of_day(ends)
