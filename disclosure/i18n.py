"""Portal and verify-page strings in Kazakh, Russian and English (a small dictionary;
swap for the web package's gettext catalogs once they carry these messages)."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("kk", "ru", "en")

STRINGS: dict[str, dict[str, str]] = {
    "portal": {"kk": "Қорғау порталы", "ru": "Портал защиты", "en": "Defence portal"},
    "my_disclosures": {"kk": "Маған ашылған материалдар", "ru": "Раскрытые мне материалы",
                       "en": "Material disclosed to me"},
    "none": {"kk": "Әзірге ештеңе жоқ.", "ru": "Пока ничего нет.", "en": "Nothing yet."},
    "disclosure": {"kk": "Ашу", "ru": "Раскрытие", "en": "Disclosure"},
    "status": {"kk": "Күйі", "ru": "Статус", "en": "Status"},
    "active": {"kk": "белсенді", "ru": "действует", "en": "active"},
    "revoked": {"kk": "кері қайтарылды", "ru": "отозвано", "en": "revoked"},
    "expired": {"kk": "мерзімі өтті", "ru": "истекло", "en": "expired"},
    "expires": {"kk": "Мерзімі", "ru": "Действует до", "en": "Expires"},
    "tranche": {"kk": "Транш", "ru": "Транш", "en": "Tranche"},
    "added": {"kk": "қосылды", "ru": "добавлено", "en": "added"},
    "withdrawn": {"kk": "алынды", "ru": "отозвано", "en": "withdrawn"},
    "files": {"kk": "Файлдар", "ru": "Файлы", "en": "Files"},
    "open": {"kk": "Ашу", "ru": "Открыть", "en": "Open"},
    "download": {"kk": "Жүктеу", "ru": "Скачать", "en": "Download"},
    "bundle": {"kk": "Барлығын ZIP-пен жүктеу (тексерумен)",
               "ru": "Скачать всё одним ZIP (с проверкой)",
               "en": "Download everything as one ZIP (verifiable)"},
    "notes": {"kk": "Жеке жазбаларым (тек маған көрінеді)",
              "ru": "Мои заметки (видны только мне)", "en": "My notes (visible only to me)"},
    "add_note": {"kk": "Жазба қосу", "ru": "Добавить заметку", "en": "Add note"},
    "note": {"kk": "Прокурордың ескертпесі", "ru": "Примечание прокурора",
             "en": "Prosecutor's note"},
    "recorded": {"kk": "Әр қарау мен жүктеу сақтау тізбегінде тіркеледі.",
                 "ru": "Каждый просмотр и скачивание записываются в цепочку хранения.",
                 "en": "Every view and download is recorded in the chain of custody."},
    "verify_title": {"kk": "Файлды тексеру", "ru": "Проверка файла", "en": "Verify a file"},
    "verify_intro": {
        "kk": "Файлды таңдаңыз немесе SHA-256 енгізіңіз. Файл компьютеріңізден шықпайды: "
              "браузер оның хэшін есептейді.",
        "ru": "Выберите файл или вставьте SHA-256. Файл не покидает ваш компьютер: "
              "браузер вычисляет его хэш.",
        "en": "Choose a file or paste a SHA-256. The file never leaves your computer: "
              "your browser computes its hash.",
    },
    "check": {"kk": "Тексеру", "ru": "Проверить", "en": "Check"},
    "held": {"kk": "Жүйеде бар. Сақтау дәлелі:", "ru": "Есть в системе. Доказательство:",
             "en": "Held by the system. Custody proof:"},
    "not_held": {"kk": "Жүйеде мұндай файл жоқ.", "ru": "Такого файла в системе нет.",
                 "en": "The system holds no such file."},
    "receipts": {"kk": "Алу туралы түбіртектер", "ru": "Квитанции о получении",
                 "en": "Receipts"},
    "signed": {"kk": "қол қойылған", "ru": "подписана", "en": "signed"},
    "unsigned": {"kk": "қол қойылмаған", "ru": "не подписана", "en": "not signed"},
    "new_disclosure": {"kk": "Қорғауға материал ашу", "ru": "Раскрыть материалы защите",
                       "en": "Disclose to the defence"},
    "recipient": {"kk": "Адвокат (логин)", "ru": "Адвокат (логин)", "en": "Lawyer (username)"},
    "disclose": {"kk": "Ашу", "ru": "Раскрыть", "en": "Disclose"},
    "revoke": {"kk": "Кері қайтару", "ru": "Отозвать", "en": "Revoke"},
    "next_tranche": {"kk": "Келесі транш", "ru": "Следующий транш", "en": "Next tranche"},
    "withdraw": {"kk": "Қайтарып алу", "ru": "Отозвать файлы", "en": "Withdraw"},
    "add": {"kk": "Қосу", "ru": "Добавить", "en": "Add"},
    "notifications": {"kk": "Хабарламалар", "ru": "Уведомления", "en": "Notifications"},
    "preparing": {"kk": "дайындалуда: сізге арналған су белгісі бар көшірме жасалып жатыр",
                  "ru": "готовится: создаётся копия с вашим водяным знаком",
                  "en": "being prepared: your watermarked copy is being made"},
    "prepare_failed": {"kk": "дайындалмады: прокуратура қайта іске қоса алады",
                       "ru": "не удалось подготовить: прокуратура может запустить заново",
                       "en": "could not be prepared: the prosecution can start it again"},
    "prepare_again": {"kk": "Дайындалмаған файлдарды қайта іске қосу",
                      "ru": "Подготовить неудавшиеся файлы заново",
                      "en": "Prepare the failed files again"},
    "bundle_wait": {"kk": "ZIP барлық файлдар дайын болғанда қолжетімді болады "
                          "(бет өздігінен жаңарады).",
                    "ru": "ZIP станет доступен, когда все файлы будут готовы "
                          "(страница обновится сама).",
                    "en": "The ZIP becomes available once every file is ready "
                          "(this page refreshes itself)."},
}  # fmt: skip


def translator(lang: str) -> Callable[[str], str]:
    """`t(key)` in `lang` (English, then the key itself, as fall-backs)."""
    lang = lang if lang in LANGUAGES else "en"

    def t(key: str) -> str:
        entry = STRINGS.get(key, {})
        return entry.get(lang) or entry.get("en") or key

    return t
