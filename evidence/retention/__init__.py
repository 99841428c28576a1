"""Retention: categories and their periods (config), date arithmetic (periods)."""

from evidence.retention.config import (
    Category,
    RetentionConfig,
    RetentionConfigError,
    parse,
    parse_yaml,
    read_table,
    shipped_default,
    table_path,
)
from evidence.retention.periods import INDEFINITE, Clock, ClockDates, Period, retain_until

__all__ = [
    "INDEFINITE",
    "Category",
    "Clock",
    "ClockDates",
    "Period",
    "RetentionConfig",
    "RetentionConfigError",
    "parse",
    "parse_yaml",
    "read_table",
    "retain_until",
    "shipped_default",
    "table_path",
]
