# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian of the disclosure side's workspace pages (the list of disclosures,
court export): a table of the catalog tool (`python -m evidence.i18n.update`)."""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "Court export": ("Сотқа арналған экспорт", "Экспорт для суда"),
    "A court export holds the case's originals, derived items, the custody record with its proofs, the offline verifier and the chain-of-custody report.": (
        "Сотқа арналған экспортта істің түпнұсқалары, туынды материалдар, дәлелдерімен бірге сақтау тізбегінің жазбасы, желісіз тексеру құралы және сақтау тізбегі туралы есеп бар.",
        "Экспорт для суда содержит оригиналы дела, производные материалы, запись цепочки хранения с доказательствами, автономную программу проверки и отчёт о цепочке хранения.",
    ),
    "Download the court export (ZIP)": (
        "Сотқа арналған экспортты жүктеп алу (ZIP)",
        "Скачать экспорт для суда (ZIP)",
    ),
    "No case of yours can be exported for the court.": (
        "Сіздің істеріңіздің ешқайсысын сотқа экспорттау мүмкін емес.",
        "Ни одно из ваших дел нельзя экспортировать для суда.",
    ),
    "Prosecutor": ("Прокурор", "Прокурор"),
    "Recipient": ("Алушы", "Получатель"),
}
