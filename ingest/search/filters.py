"""Search filters (hit kind, source kind, date range, tag, sender) as SQL both databases
run alike; the sender filter is matched by the index (its `who` forms), not here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.sql.elements import BindParameter

from evidence.models import SourceKind
from evidence.types import UTCDateTime

KINDS = ("transcript", "ocr", "pdf-text", "text", "document", "chat")


@dataclass(frozen=True, slots=True)
class Filters:
    """What narrows a search besides its words. Empty fields do not filter."""

    kinds: tuple[str, ...] = ()  # hit kinds: KINDS
    source_kinds: tuple[str, ...] = ()  # the item's source: bodycam, phone, ...
    since: datetime | None = None  # message sent / item captured at or after
    until: datetime | None = None  # ... at or before
    tag: str | None = None  # items carrying this tag of the case
    sender: str | None = None  # chat messages from someone so named (or numbered)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown hit kind {kind!r}: one of {', '.join(KINDS)}")
        for source in self.source_kinds:
            SourceKind(source)  # ValueError names the bad value
        for moment in (self.since, self.until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("dates must carry a UTC offset")


def sql(filters: Filters, params: dict[str, Any]) -> tuple[str, list[BindParameter[Any]]]:
    """SQL conditions on `e` (search_entry) and `i` (item), filling `params`; plus the
    typed bind parameters the statement needs."""
    parts: list[str] = []
    binds: list[BindParameter[Any]] = []
    if filters.kinds:
        names = [f"kind{n}" for n in range(len(filters.kinds))]
        params.update(zip(names, filters.kinds, strict=True))
        parts.append(f"e.source IN ({', '.join(':' + n for n in names)})")
    if filters.source_kinds:
        names = [f"src{n}" for n in range(len(filters.source_kinds))]
        # Enum columns hold the member's name.
        params.update(
            (n, SourceKind(v).name) for n, v in zip(names, filters.source_kinds, strict=True)
        )
        parts.append(f"i.source_kind IN ({', '.join(':' + n for n in names)})")
    for name, moment, op in (("since", filters.since, ">="), ("until", filters.until, "<=")):
        if moment is not None:
            params[name] = moment
            binds.append(bindparam(name, type_=UTCDateTime()))
            parts.append(f"COALESCE(e.sent_at, i.captured_at) {op} :{name}")
    if filters.tag:
        params["tag"] = filters.tag
        parts.append(
            "e.item_id IN (SELECT it.item_id FROM item_tag it JOIN tag t ON t.id = it.tag_id "
            "WHERE t.case_id = :case AND t.name = :tag)"
        )
    return "".join(f" AND {p}" for p in parts), binds
