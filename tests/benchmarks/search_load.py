"""Synthetic kk/ru transcripts for the search benchmark, and bulk loaders that store
them exactly as `ingest.search` does (the same analyzer and documents), only faster
than row-by-row: COPY on PostgreSQL, one transaction of executemany on SQLite.

The vocabulary is Zipf-distributed (some words match hundreds of thousands of rows),
with Russian and Kazakh words in several forms, names in several forms and a long
tail of rare tokens (case numbers, plates).
"""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
from collections.abc import Iterator

import psycopg

from ingest.search import fuzzy
from ingest.search.analyzer import DEFAULT, Analyzer
from ingest.search.document import build, scope_term

ITEMS = 1000
CASE = "bench-case"
OWNER = "bench-user"

_RU = (
    "свидетель свидетеля показал показала что автомобиль автомобиля уехал на большой "
    "скорости около центрального рынка рынке города протокол протокола допроса "
    "подозреваемый подозреваемого потерпевший потерпевшей следователь заявление телефон "
    "телефона деньги денег квартира квартиры машина машины машину номер водитель полиция "
    "задержан ночью утром вечером вчера сегодня говорит сказал видел слышал ударил украл "
    "вернул позвонил встретил приехал ушёл документы паспорт адрес улица улице дом "
    "подъезд магазин магазине банк карта карты перевод сумма сумку тенге куртка куртке "
    "чёрной чёрная мужчина мужчину женщина"
)
_KK = (
    "куәгер куәгерден жауап алу хаттамасы өз өтінішімен келді оқиға ауылында өңірлік "
    "жолда болды жиһаз дүкенінде ұрлық шағым түсті қолымен растады көлік көлігі "
    "көлікпен жүргізуші полиция ақша телефон пәтер пәтерде көше көшесінде үй үйде банк "
    "аударма сома теңге кеше бүгін түнде таңертең айтты көрді Жезқазған Жезқазғанда"
)
_NAMES = (
    "Иванов Иванова Иванову Петров Петрова Сидоров Қасымов Қасымовтың Ахметов Ахметова "
    "Әлиев Нұрланов Смагулов Ким Цой Ерубаев Ерубаева Ерубаевым Сейткалиев Сейткалиева "
    "Жанибеков Омаров Омарова Байжанов Тлеубаев"
)
RUSSIAN, KAZAKH, NAMES = _RU.split(), _KK.split(), _NAMES.split()


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words and cumulative Zipf weights (precomputed: `choices` is O(n) per call else)."""
    words = RUSSIAN + KAZAKH + NAMES
    words += [f"{rng.choice('АВЕКМНОРСТ')}{rng.randint(100, 999)}" for _ in range(20_000)]
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, list(itertools.accumulate(weights))


def segments(count: int, seed: int = 4) -> Iterator[tuple[int, str]]:
    """(item number, text) of `count` synthetic segments, the same for the same seed."""
    rng = random.Random(seed)
    words, weights = vocabulary(random.Random(seed))
    for n in range(count):
        yield n % ITEMS, " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(6, 16)))


def _rows(count: int, analyzer: Analyzer) -> Iterator[tuple[int, str, str, object, set[str]]]:
    """(item number, text, locator JSON, document, names) per segment."""
    for n, (item, body) in enumerate(segments(count)):
        doc = build(analyzer=analyzer, words=analyzer.analyse(body), sender=None, language=None)
        start = (n // ITEMS) * 4.0
        yield item, body, json.dumps({"start": start, "end": start + 3.5}), doc, set(doc.names)


def load_postgres(raw_url: str, count: int, analyzer: Analyzer = DEFAULT) -> None:
    """COPY `count` analysed segments into one case, then build the GIN index."""
    with psycopg.connect(raw_url, autocommit=True) as conn:
        _people(conn.execute)
        conn.execute("DROP INDEX IF EXISTS ix_search_entry_tsv")
        names: set[str] = set()
        with conn.cursor().copy(
            "COPY search_entry (case_id, item_id, source, locator, text, tsv) FROM STDIN"
        ) as copy:
            for item, body, locator, doc, found in _rows(count, analyzer):
                names |= found
                copy.write_row((CASE, f"bench-item-{item}", "transcript", locator, body,
                                doc.tsvector))  # type: ignore[attr-defined]  # fmt: skip
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO search_term (case_id, term, key) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                [(CASE, n, fuzzy.key(n)) for n in sorted(names)],
            )
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)")
        conn.execute("ANALYZE search_entry")
        conn.execute("ANALYZE item")
        conn.execute("ANALYZE search_term")


def load_sqlite(path: str, count: int, analyzer: Analyzer = DEFAULT) -> None:
    """Insert `count` analysed segments into the entry and FTS5 tables in one go."""
    from ingest.search.sqlite import DDL

    conn = sqlite3.connect(path)
    try:
        for statement in DDL:
            conn.execute(statement)
        _people(conn.execute)
        scope = f"{scope_term('c', CASE)} {scope_term('u', OWNER)}"
        names: set[str] = set()
        batch: list[tuple[object, ...]] = []

        def flush() -> None:
            conn.executemany(
                "INSERT INTO search_entry (id, case_id, item_id, source, locator, text) "
                "VALUES (?, ?, ?, 'transcript', ?, ?)",
                [b[:5] for b in batch],
            )
            conn.executemany(
                "INSERT INTO search_fts(rowid, f, x, who, scope) VALUES (?, ?, ?, ?, ?)",
                [(b[0], *b[5:]) for b in batch],
            )
            batch.clear()

        for n, (item, body, locator, doc, found) in enumerate(_rows(count, analyzer), 1):
            names |= found
            batch.append((n, CASE, f"bench-item-{item}", locator, body, doc.f, doc.x,  # type: ignore[attr-defined]
                          doc.who, scope))  # type: ignore[attr-defined]  # fmt: skip
            if len(batch) >= 10_000:
                flush()
        if batch:
            flush()
        conn.executemany(
            "INSERT OR IGNORE INTO search_term (case_id, term, key) VALUES (?, ?, ?)",
            [(CASE, n, fuzzy.key(n)) for n in sorted(names)],
        )
        conn.execute("ANALYZE")
        conn.commit()
        # One giant transaction leaves a WAL as large as the database, which a running
        # server's automatic checkpoints never let grow: fold it in as they would.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _people(execute: object) -> None:
    """The user, case, blob and items the segments belong to (as enum names: the ORM
    stores the member's name)."""
    run = execute  # a DB-API `execute` of either driver (both take plain SQL here)
    run(  # type: ignore[operator]
        'INSERT INTO "user" (id, username, full_name, role, password_hash, failed_logins,'
        " lock_count, created_at) VALUES ('bench-user', 'bench', '', 'PROSECUTOR', 'x', 0, 0,"
        " '2026-01-01 00:00:00')"
    )
    run(  # type: ignore[operator]
        'INSERT INTO "case" (id, number, title, status, created_by, created_at) VALUES '
        "('bench-case', '999999999999999', 'bench', 'open', 'bench-user', '2026-01-01 00:00:00')"
    )
    run(  # type: ignore[operator]
        "INSERT INTO blob (sha256, size, media_type, storage_key, created_at) VALUES "
        "('bench', 0, 'audio/wav', 'bench', '2026-01-01 00:00:00')"
    )
    values = ", ".join(
        f"('bench-item-{n}', 'bench-case', 'bench', 'ORIGINAL', 'AUDIO', 'rec{n}.wav', "
        "'bench-user', '2026-01-01 00:00:00')"
        for n in range(ITEMS)
    )
    insert = "INSERT INTO item (id, case_id, sha256, kind, source_kind, original_name, "
    run(insert + f"uploaded_by, created_at) VALUES {values}")  # type: ignore[operator]  # noqa: S608
