"""A fixed kk/ru/en corpus, the hits each query must (and must not) give, and `load`,
which puts the corpus in a database (two cases, their items, a tag, the index).

Entries are named; a hit is identified by its item and locator. The same table runs
on SQLite and PostgreSQL (tests/ingest/test_search_corpus.py), so the backends agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

import ingest.models  # noqa: F401  (tables)
from evidence.models import Blob, Case, Item, Role, SourceKind, User
from evidence.review_models import ItemTag, Tag
from ingest.search import Entry, replace_entries


@dataclass(frozen=True)
class Doc:
    name: str
    item: str
    source: str
    text: str
    locator: dict[str, Any]
    language: str | None = None
    sender: str | None = None
    sent_at: datetime | None = None


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


CORPUS: list[Doc] = [
    # A Russian transcript (language detected by Whisper).
    Doc("ru1", "ru-audio", "transcript",
        "Свидетель видел мужчину в чёрной куртке возле машины около рынка.",
        {"start": 0.0, "end": 4.0}, "ru"),
    Doc("ru2", "ru-audio", "transcript",
        "Свидетель Сейткалиев видел, как он положил сумку в багажник.",
        {"start": 4.0, "end": 8.0}, "ru"),
    Doc("ru3", "ru-audio", "transcript",
        "Потерпевшая Ерубаева проживает по улице Абая, дом 5.",
        {"start": 8.0, "end": 12.0}, "ru"),
    # An OCR'd Russian page (no language: guessed).
    Doc("ocr1", "ru-scan", "ocr",
        "ПРОТОКОЛ допроса Ерубаева Ерлана. Машина марки Тойота, гос. номер 123 ABC 02.",
        {"page": 1}),
    Doc("ocr2", "ru-scan", "ocr",
        "Показания записаны следователем Қасымовым. Нож изъят с места происшествия.",
        {"page": 2}),
    # A Kazakh transcript.
    Doc("kk1", "kk-audio", "transcript", "Куәгер Жезқазғанда тұрады.",
        {"start": 0.0, "end": 3.0}, "kk"),
    Doc("kk2", "kk-audio", "transcript", "Оның көлігі Алматыда тұр, Қасымовтың ақ көлігі.",
        {"start": 3.0, "end": 6.0}, "kk"),
    Doc("kk3", "kk-audio", "transcript", "Жезқазған қаласының полициясы хабарлады.",
        {"start": 6.0, "end": 9.0}, "kk"),
    # An English born-digital PDF.
    Doc("en1", "en-pdf", "pdf-text",
        "Interview record of witness John Smith. The vehicles were parked near the houses.",
        {"page": 1}),
    # A WhatsApp chat: senders by name and by number.
    Doc("chat1", "chat", "chat", "Встретимся у рынка в 10",
        {"message": "1", "position": 0}, None, "Ерлан Ерубаев", _at(20)),
    Doc("chat2", "chat", "chat", "Деньги перевёл, проверь",
        {"message": "2", "position": 1}, None, "+7 701 123 45 67", _at(21)),
    Doc("chat3", "chat", "chat", "Ертең Жезказганга барамын",
        {"message": "3", "position": 2}, None, "Айгерім", _at(22)),
    Doc("chat4", "chat", "chat", "Еробаев тоже придёт к рынку",
        {"message": "4", "position": 3}, None, "Айгерім", _at(23)),
]  # fmt: skip

# Another case holds the same words: never found from this one.
OTHER_CASE: list[Doc] = [
    Doc("other1", "other-audio", "transcript", "Машина Ерубаева у рынка", {"start": 0.0}, "ru"),
]


@dataclass(frozen=True)
class Expect:
    q: str
    found: set[str]
    not_found: set[str] = field(default_factory=set)
    exact: bool = False  # found is the whole answer
    filters: dict[str, Any] = field(default_factory=dict)


EXPECTED: list[Expect] = [
    # Russian word forms (issue 17: the nominative found none of the other forms).
    Expect("машина", {"ru1", "ocr1"}, {"other1"}, exact=True),
    Expect("мужчина", {"ru1"}, exact=True),
    Expect("куртка", {"ru1"}, exact=True),
    Expect("сумка", {"ru2"}, exact=True),
    Expect("черной", {"ru1"}, exact=True),  # ё folded
    Expect("Сейткалиева", {"ru2"}, exact=True),
    Expect("ерубаева улица", {"ru3"}, {"ocr1"}, exact=True),  # all words, any form
    Expect("рынок", {"ru1", "chat1", "chat4"}),
    # Kazakh: typed on a Russian keyboard, and with case endings.
    Expect("Жезказган", {"kk1", "kk3", "chat3"}, exact=True),
    Expect("Жезқазғанда", {"kk1", "kk3", "chat3"}, exact=True),
    Expect("көлік", {"kk2"}, exact=True),
    Expect("колик", {"kk2"}, exact=True),
    Expect("Қасымов", {"kk2", "ocr2"}, exact=True),
    Expect("Касымов", {"kk2", "ocr2"}, exact=True),
    # English stems.
    Expect("vehicle", {"en1"}, exact=True),
    Expect("house", {"en1"}, exact=True),
    Expect("WITNESS", {"en1"}, exact=True),
    # Syntax.
    Expect('"чёрной куртке"', {"ru1"}, exact=True),
    Expect('"куртке чёрной"', set(), {"ru1"}, exact=True),
    Expect('"улице Абая"', {"ru3"}, exact=True),
    Expect("нож OR сумка", {"ru2", "ocr2"}, exact=True),
    Expect("нож ИЛИ сумка", {"ru2", "ocr2"}, exact=True),
    Expect("машина -рынка", {"ocr1"}, {"ru1"}, exact=True),
    Expect('свидетель -"чёрной куртке"', {"ru2"}, {"ru1"}, exact=True),
    Expect("Жезқаз*", {"kk1", "kk3", "chat3"}, exact=True),
    Expect("сейтк*", {"ru2"}, exact=True),
    # Chats: the sender's name and number are indexed with each message.
    Expect("Ерубаев", {"chat1", "ocr1", "ru3"}),
    Expect("ерлан", {"chat1", "ocr1"}, exact=True),
    Expect("+7 701 123-45-67", {"chat2"}, exact=True),
    Expect("87011234567", {"chat2"}, exact=True),
    Expect("7011234567", {"chat2"}, exact=True),
    # Fuzzy names: transliterations and typos (ranked below exact hits).
    Expect("Yerubayev", {"chat1", "ocr1", "ru3"}),
    Expect("Erubaev", {"chat1", "ocr1", "ru3"}),
    Expect("Seitkaliyev", {"ru2"}),
    Expect("Ерубаевв", {"chat1", "ocr1", "ru3"}),
    # Filters.
    Expect("рынок", {"chat1", "chat4"}, {"ru1"}, exact=True, filters={"kinds": ("chat",)}),
    Expect("рынок", {"chat1"}, exact=True, filters={"sender": "Ерубаев"}),
    Expect("", {"chat3", "chat4"}, exact=True, filters={"sender": "Айгерім"}),
    Expect("", {"chat2"}, exact=True, filters={"sender": "87011234567"}),
    Expect("рынок", {"chat4"}, exact=True, filters={"since": _at(23), "kinds": ("chat",)}),
    Expect("рынок", {"chat1"}, exact=True, filters={"until": _at(20, 12)}),
    Expect("машина", {"ocr1"}, exact=True, filters={"tag": "protocol"}),
    Expect("машина", {"ocr1"}, exact=True, filters={"source_kinds": ("document",)}),
    # Nothing to find, and nothing that breaks the syntax.
    Expect('"; DROP TABLE item; --', set(), exact=True),
    Expect("-машина", set(), exact=True),
    Expect("OR", set(), exact=True),
]


NOW = datetime(2026, 11, 21, tzinfo=UTC)
SOURCES = {"ru-scan": SourceKind.DOCUMENT, "en-pdf": SourceKind.DOCUMENT}
SOURCES |= {"chat": SourceKind.PHONE}


def index_docs(session: Session, case_id: str, docs: list[Doc]) -> None:
    groups: dict[tuple[str, str], list[Doc]] = {}
    for doc in docs:
        groups.setdefault((doc.item, doc.source), []).append(doc)
    for (item, source), members in groups.items():
        replace_entries(
            session=session, case_id=case_id, item_id=item, source=source,
            language=members[0].language,
            entries=[Entry(d.text, d.locator, d.sender, d.sent_at) for d in members],
        )  # fmt: skip


def load(session: Session) -> None:
    session.add(User(id="u1", username="u1", role=Role.PROSECUTOR, password_hash="x",
                     created_at=NOW))  # fmt: skip
    session.flush()
    for cid in ("c1", "c2"):
        session.add(Case(id=cid, number=f"10000000000000{cid[1]}", title="t", created_by="u1",
                         created_at=NOW))  # fmt: skip
    session.add(Blob(sha256="s", size=1, media_type="audio/wav", storage_key="k", created_at=NOW))
    session.flush()
    for doc in [*CORPUS, *OTHER_CASE]:
        if session.get(Item, doc.item) is None:
            case = "c2" if doc in OTHER_CASE else "c1"
            source = SOURCES.get(doc.item, SourceKind.AUDIO)
            session.add(Item(id=doc.item, case_id=case, sha256="s", original_name=doc.item,
                             uploaded_by="u1", source_kind=source, created_at=NOW))  # fmt: skip
            session.flush()
    session.add(Tag(id="t1", case_id="c1", name="protocol", created_by="u1", created_at=NOW))
    session.flush()
    session.add(ItemTag(item_id="ru-scan", tag_id="t1", added_by="u1", added_at=NOW))
    index_docs(session, "c1", CORPUS)
    index_docs(session, "c2", OTHER_CASE)
    session.flush()
