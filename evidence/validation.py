"""Input rules shared by the API, the web pages and the CLI."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from evidence.errors import InvalidInput

CASE_NUMBER = re.compile(r"\d{15}")
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_case_number(number: str) -> str:
    """ЕРДР registration numbers are exactly 15 digits."""
    number = number.strip()
    if not CASE_NUMBER.fullmatch(number):
        raise InvalidInput("an ЕРДР case number is exactly 15 digits")
    return number


def check_username(name: str) -> None:
    if not USERNAME.fullmatch(name):
        raise InvalidInput("usernames are 2–63 lowercase letters, digits, '.', '_' or '-'")


def check_password(password: str) -> None:
    if len(password) < 10:
        raise InvalidInput("passwords need at least 10 characters")


def check_sha256(value: str) -> str:
    value = value.strip().lower()
    if not SHA256_HEX.fullmatch(value):
        raise InvalidInput("a SHA-256 is 64 hexadecimal characters")
    return value


# Control and format characters (bidirectional overrides such as U+202E, zero-width
# joiners), line and paragraph separators, surrogates and private-use characters: a
# name with any of them can display as something it is not ("a\u202egnp.exe").
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _HIDDEN for ch in text)


def name_problem(name: str) -> str | None:
    """Why a file name is refused (the one rule for uploads, resumable uploads, archive
    members and every other way a file enters), or None when it is acceptable."""
    try:
        check_filename(name)
    except InvalidInput as exc:
        return str(exc)
    return None


def check_filename(name: str) -> str:
    """An original file name is kept as given, but it must be a plain, printable name."""
    if not name or name in {".", ".."}:
        raise InvalidInput("the file needs a name")
    if len(name) > 255:
        raise InvalidInput("file names are at most 255 characters")
    if "/" in name or "\\" in name:
        raise InvalidInput("a file name may not contain a path; send the folder as original_path")
    if _has_control(name):
        raise InvalidInput("file names may not contain control characters")
    return name


def check_relative_path(path: str | None) -> str | None:
    """Relative path of a file inside the folder it was collected from."""
    if not path:
        return None
    if len(path) > 1024:
        raise InvalidInput("original_path is at most 1024 characters")
    if _has_control(path):
        raise InvalidInput("original_path may not contain control characters")
    parts = path.replace("\\", "/").split("/")
    if path.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
        raise InvalidInput("original_path must be relative and may not contain '..'")
    return "/".join(part for part in parts if part not in {"", "."})


def check_aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(
            "%(field)s needs a time zone (e.g. 2026-11-21T09:30:00+05:00)", field=field
        )
    return value
