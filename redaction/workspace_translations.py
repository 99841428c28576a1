"""Kazakh and Russian of the redaction side's workspace pages (redactions waiting for
review): a table of the catalog tool (`python -m evidence.i18n.update`)."""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "Item": ("Материал", "Материал"),
    "Proposed": ("Ұсынылды", "Предложено"),
    "No redaction is waiting for your review.": (
        "Сіздің тексеруіңізді күтіп тұрған бүркемелеу жоқ.",
        "Нет обезличиваний, ожидающих вашей проверки.",
    ),
}
