"""Retention date arithmetic (Hypothesis over dates) and the retention table's validation."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.retention import (
    Clock,
    ClockDates,
    Period,
    RetentionConfigError,
    parse,
    parse_yaml,
    retain_until,
    shipped_default,
)
from evidence.retention.config import parse_period
from evidence.retention.periods import add_period, end_of_day

moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
)
amounts = st.integers(min_value=0, max_value=60)


def _midnight(moment: datetime) -> bool:
    return moment.astimezone(UTC).timetz().replace(tzinfo=None) == time(0)


@given(start=moments, years=amounts)
def test_years_land_on_the_same_day_or_the_month_end(start: datetime, years: int) -> None:
    ends = add_period(start, years=years)
    assert (ends.year, ends.month) == (start.year + years, start.month)
    assert ends.day == min(start.day, calendar.monthrange(ends.year, ends.month)[1])
    assert ends.time() == start.time()
    assert 365 * years - 1 <= (ends - start).days <= 366 * years


@given(start=moments, months=st.integers(min_value=0, max_value=700))
def test_months_are_calendar_months(start: datetime, months: int) -> None:
    ends = add_period(start, months=months)
    assert (ends.year * 12 + ends.month) - (start.year * 12 + start.month) == months
    assert ends.day <= start.day


@given(start=moments, years=amounts, months=amounts, days=amounts)
def test_retain_until_never_ends_early_nor_a_day_late(
    start: datetime, years: int, months: int, days: int
) -> None:
    exact = add_period(start, years=years, months=months, days=days)
    for clock, dates in (
        (Clock.COLLECTION, ClockDates(collected_at=start)),
        (Clock.CASE_CLOSED, ClockDates(case_closed_at=start)),
        (Clock.VERDICT, ClockDates(verdict_at=start)),
        (Clock.VERDICT_IN_FORCE, ClockDates(appeal_ended_at=start)),
    ):
        until = retain_until(Period(clock, years, months, days), dates)
        assert until is not None
        assert exact <= until < exact + timedelta(days=1)
        assert _midnight(until)
        # Other clocks are not started by this date: the period stays open.
        for other in set(Clock) - {clock}:
            assert retain_until(Period(other, years, months, days), dates) is None


@given(first=moments, second=moments, years=amounts, extra=st.integers(min_value=0, max_value=5))
def test_later_starts_and_longer_periods_never_end_sooner(
    first: datetime, second: datetime, years: int, extra: int
) -> None:
    early, late = sorted([first, second])
    period = Period(Clock.VERDICT_IN_FORCE, years=years)
    longer = Period(Clock.VERDICT_IN_FORCE, years=years + extra)
    a = retain_until(period, ClockDates(appeal_ended_at=early))
    b = retain_until(period, ClockDates(appeal_ended_at=late))
    c = retain_until(longer, ClockDates(appeal_ended_at=early))
    assert a is not None and b is not None and c is not None
    assert a <= b and a <= c


@given(start=moments)
def test_indefinite_never_ends(start: datetime) -> None:
    everything = ClockDates(start, start, start, start)
    assert retain_until(Period(None), everything) is None


def test_leap_day_and_rounding() -> None:
    leap = datetime(2024, 2, 29, 9, 30, tzinfo=UTC)
    assert add_period(leap, years=1) == datetime(2025, 2, 28, 9, 30, tzinfo=UTC)
    assert add_period(leap, years=4) == datetime(2028, 2, 29, 9, 30, tzinfo=UTC)
    assert retain_until(Period(Clock.COLLECTION, years=1), ClockDates(leap)) == datetime(
        2025, 3, 1, tzinfo=UTC
    )
    assert add_period(datetime(2026, 1, 31, tzinfo=UTC), months=1) == datetime(
        2026, 2, 28, tzinfo=UTC
    )
    midnight = datetime(2030, 5, 1, tzinfo=UTC)
    assert end_of_day(midnight) == midnight
    # A moment given in Almaty time (UTC+5) counts by its UTC instant.
    almaty = datetime.fromisoformat("2026-03-15T02:00:00+05:00")
    assert end_of_day(almaty) == datetime(2026, 3, 15, tzinfo=UTC)


@given(amount=st.integers(max_value=-1), unit=st.sampled_from(["years", "months", "days"]))
def test_negative_periods_are_refused(amount: int, unit: str) -> None:
    with pytest.raises(RetentionConfigError) as refused:
        parse_period({unit: amount, "from": "collection"}, "category x originals")
    assert "negative" in str(refused.value)
    with pytest.raises(ValueError):
        add_period(datetime(2026, 1, 1, tzinfo=UTC), **{unit: amount})


def test_shipped_table_round_trips() -> None:
    table = shipped_default()
    assert table.default_category in table.categories
    assert parse(table.as_json()).digest == table.digest
    for category in table.categories.values():
        assert set(category.names) == {"kk", "ru", "en"}
    minor = table.categories["criminal-minor"]
    assert minor.originals == Period(Clock.VERDICT_IN_FORCE, years=5)
    assert table.categories["administrative"].derivatives == Period(Clock.COLLECTION, years=1)
    assert (
        table.categories["criminal-grave"].derivatives
        == table.categories["criminal-grave"].originals
    )
    assert table.category(None) is table.categories["undetermined"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"categories": {}}, "no categories"),
        ({"default_category": "nope"}, "default_category"),
        ({"categories": {"Bad Code": {}}}, "code"),
        ({"categories": {"x": {"name": {"kk": "a", "ru": "б"}, "originals": "indefinite"}}},
         "en name"),
        ({"categories": {"x": {"name": {"kk": "a", "ru": "б", "en": "c"},
                               "originals": {"years": 2, "from": "arrest"}}}}, "'from'"),
        ({"categories": {"x": {"name": {"kk": "a", "ru": "б", "en": "c"},
                               "originals": {"years": 1.5, "from": "collection"}}}}, "whole"),
        ({"categories": {"x": {"name": {"kk": "a", "ru": "б", "en": "c"},
                               "originals": {"years": 1000, "from": "collection"}}}}, "longer"),
        ({"purposes": {}}, "purposes"),
    ],
)  # fmt: skip
def test_bad_tables_are_refused_naming_the_entry(change: dict[str, object], message: str) -> None:
    data = shipped_default().as_json() | change
    if change.get("categories"):
        data["default_category"] = next(iter(change["categories"]))  # type: ignore[call-overload]
    with pytest.raises(RetentionConfigError) as refused:
        parse(data)
    assert message in str(refused.value)


def test_yaml_errors_are_ours() -> None:
    with pytest.raises(RetentionConfigError):
        parse_yaml("categories: [unclosed")
