"""Interface languages (Kazakh, Russian, English): gettext catalogs and locale formatting.

The `.po` files under `locale/` are the source of truth and are committed; they are
compiled to `.mo` form in memory the first time a language is used, so no build step is
needed to run from a checkout (`pybabel compile` remains available for packagers).
Dates are shown in Kazakhstan's single time zone (UTC+5) unless `DALEL_DISPLAY_TZ` says
otherwise; they are stored in UTC everywhere.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

HERE = Path(__file__).parent
LOCALE_DIR = HERE / "locale"
DOMAIN = "messages"
LANGUAGES = ("kk", "ru", "en")
DEFAULT = "kk"
NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

_current: ContextVar[str] = ContextVar("dalel_language", default=DEFAULT)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of a language (an untranslated fallback if it is missing)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang not in LANGUAGES or not po.exists():
        return _gettext.NullTranslations()
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The chosen language: the switch's cookie, else the browser's preference, else kk."""
    if cookie in LANGUAGES:
        return str(cookie)
    weighted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((weight, tag.split("-")[0].lower()))
    for _weight, tag in sorted(weighted, key=lambda pair: -pair[0]):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


def activate(lang: str) -> None:
    """Use `lang` for the rest of this context (one request's rendering)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def gettext(message: str, **values: object) -> str:
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(os.environ.get("DALEL_DISPLAY_TZ", "Asia/Almaty"))


@cache
def _datetime_parts(lang: str) -> tuple[str, str, bool, str, str]:
    """(combination, strftime time pattern, 12-hour clock, am, pm) of a language.

    Babel formats one value in ~100 µs and a case page shows thousands of times, so the
    time of day uses the locale's pattern turned into strftime once, and the (few
    distinct) dates go through Babel with a cache.
    """
    locale = Locale.parse(lang)
    pattern = locale.time_formats["medium"].pattern
    twelve = "h" in pattern and "H" not in pattern
    converted = (
        pattern.replace("\u202fa", "").replace(" a", "").replace("HH", "%H").replace("mm", "%M")
    )
    converted = converted.replace("ss", "%S").replace("h", "%-I")
    periods = locale.day_periods["format"]["abbreviated"]
    combined = str(locale.datetime_formats["medium"])
    combined = combined.replace("{1}", "%(date)s").replace("{0}", "%(time)s")
    return combined, converted, twelve, periods.get("am", "AM"), periods.get("pm", "PM")


@cache
def _date(lang: str, day: date) -> str:
    return _format_date(day, "medium", locale=lang)


def format_datetime(moment: datetime | None) -> str:
    """A localised date and time in the display zone (empty for None)."""
    if moment is None:
        return ""
    lang = current()
    local = moment.astimezone(_zone())
    combined, pattern, twelve, am, pm = _datetime_parts(lang)
    clock = local.strftime(pattern)
    if twelve:
        clock += "\u202f" + (am if local.hour < 12 else pm)
    return combined % {"date": _date(lang, local.date()), "time": clock}


@cache
def _separators(lang: str) -> tuple[str, str]:
    symbols = Locale.parse(lang).number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


def format_number(value: float | int | None, digits: int = 0) -> str:
    """Grouped digits with the language's separators (1 234,5 in kk/ru; 1,234.5 in en)."""
    if value is None:
        return ""
    group, decimal = _separators(current())
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_size(size: int) -> str:
    """Bytes in binary units, with the language's unit names and separators."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{format_number(value, 0 if unit == 'B' else 1)} {gettext(unit)}"
        value /= 1024
    return str(size)


def format_duration(seconds: float | None) -> str:
    """h:mm:ss (or m:ss), the same in every language."""
    if seconds is None:
        return ""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
