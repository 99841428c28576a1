# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian translations of the disclosure pages (prosecution, defence portal,
verify page) and messages: a table of the catalog tool (`python -m evidence.i18n.update`,
whose docstring says how to add one), in the words of `evidence/i18n/TERMS.md`."""

from __future__ import annotations

# msgid → (Kazakh, Russian)
T: dict[object, tuple[object, object]] = {
    "Choose a file or paste a SHA-256. The file never leaves your computer: your browser computes its hash.": (
        "Файлды таңдаңыз немесе SHA-256 мәнін қойыңыз. Файл компьютеріңізден шықпайды: оның хэшін браузер есептейді.",
        "Выберите файл или вставьте SHA-256. Файл не покидает ваш компьютер: его хэш вычисляет браузер.",
    ),
    "Check": ("Тексеру", "Проверить"),
    "name the court order (1 to %(max)d characters)": (
        "сот ұйғарымын көрсетіңіз (1–%(max)d таңба)",
        "укажите постановление суда (от 1 до %(max)d символов)",
    ),
    "this disclosure withheld no such item": (
        "бұл ашып көрсету мұндай материалды ұстап қалған жоқ",
        "в этом раскрытии не удерживался такой материал",
    ),
    "Defence portal": ("Қорғау порталы", "Портал защиты"),
    "Disclose": ("Ашып көрсету", "Раскрыть"),
    "Disclose to the defence": ("Қорғауға ашып көрсету", "Раскрыть защите"),
    "Disclosure": ("Ашып көрсету", "Раскрытие"),
    "Download": ("Жүктеп алу", "Скачать"),
    "Download everything as one ZIP (verifiable)": (
        "Барлығын бір ZIP ретінде жүктеп алу (тексеруге болады)",
        "Скачать всё одним ZIP-архивом (с возможностью проверки)",
    ),
    "Every view and download is recorded in the chain of custody.": (
        "Әр қарау мен жүктеп алу сақтау тізбегінде тіркеледі.",
        "Каждый просмотр и скачивание записываются в цепочку хранения.",
    ),
    "Expires": ("Қолданылу мерзімі", "Действует до"),
    "Files": ("Файлдар", "Файлы"),
    "Lawyer (username)": ("Адвокат (логин)", "Адвокат (логин)"),
    "Material disclosed to me": ("Маған ашып көрсетілген материалдар", "Раскрытые мне материалы"),
    "My notes (visible only to me)": (
        "Менің жазбаларым (тек маған көрінеді)",
        "Мои заметки (видны только мне)",
    ),
    "Next tranche": ("Келесі транш", "Следующий транш"),
    "Nothing yet.": ("Әзірге ештеңе жоқ.", "Пока ничего нет."),
    "Notifications": ("Хабарламалар", "Уведомления"),
    "Open": ("Ашу", "Открыть"),
    "Prepare the failed files again": (
        "Дайындалмаған файлдарды қайта дайындау",
        "Подготовить неудавшиеся файлы заново",
    ),
    "Prosecutor's note": ("Прокурордың ескертпесі", "Примечание прокурора"),
    "Receipts": ("Алу туралы түбіртектер", "Квитанции о получении"),
    "Revoke": ("Кері қайтарып алу", "Отозвать"),
    "The ZIP becomes available once every file is ready (this page refreshes itself).": (
        "ZIP барлық файл дайын болғанда қолжетімді болады (бет өздігінен жаңарады).",
        "ZIP станет доступен, когда все файлы будут готовы (страница обновится сама).",
    ),
    "Tranche": ("Транш", "Транш"),
    "Verify a file": ("Файлды тексеру", "Проверка файла"),
    "Withdraw": ("Алып тастау", "Исключить"),
    "active": ("әрекетте", "действует"),
    "added": ("қосылды", "добавлено"),
    "being prepared: your watermarked copy is being made": (
        "дайындалуда: сізге арналған су таңбасы бар көшірме жасалып жатыр",
        "готовится: создаётся копия с вашим водяным знаком",
    ),
    "could not be prepared: the prosecution can start it again": (
        "дайындалмады: айыптау тарапы оны қайта іске қоса алады",
        "не удалось подготовить: сторона обвинения может запустить заново",
    ),
    "expired": ("мерзімі өтті", "истекло"),
    "not signed": ("қол қойылмаған", "не подписана"),
    "revoked": ("кері қайтарылды", "отозвано"),
    "signed": ("қол қойылған", "подписана"),
    "withdrawn": ("алынып тасталды", "исключено"),
    "its approved redacted copy": (
        "оның бекітілген бүркемеленген көшірмесі",
        "его утверждённая обезличенная копия",
    ),
    "the original": ("түпнұсқасы", "оригинал"),
    # Why an item cannot be disclosed (disclosure.errors.DisclosureBlocked.why)
    "marked do not disclose": (
        "«ашып көрсетуге болмайды» деп белгіленген",
        "отмечено «не раскрывать»",
    ),
    "a derivative that is not an approved redaction": (
        "бекітілген бүркемелеу емес туынды материал",
        "производный материал, не утверждённое обезличивание",
    ),
    "no approved redaction, and the original is not marked disclosable": (
        "бекітілген бүркемелеу жоқ, ал түпнұсқа ашып көрсетуге болатын деп белгіленбеген",
        "нет утверждённого обезличивания, а оригинал не отмечен как допустимый к раскрытию",
    ),
    "item": ("материал", "материал"),
    "bundle": ("топтама (ZIP)", "архив (ZIP)"),
    # Notifications (disclosure.notify)
    "Disclosure %(disclosure)s: %(recipient)s first opened the material": (
        "%(disclosure)s ашып көрсетуі: %(recipient)s материалды алғаш рет ашты",
        "Раскрытие %(disclosure)s: %(recipient)s впервые открыл(а) материалы",
    ),
    "Disclosure %(disclosure)s: %(recipient)s first received the material": (
        "%(disclosure)s ашып көрсетуі: %(recipient)s материалды алғаш рет жүктеп алды",
        "Раскрытие %(disclosure)s: %(recipient)s впервые получил(а) материалы",
    ),
    # Messages of the service layer (shown after "The request could not be completed:").
    "the disclosure was %(status)s during the download: the bundle stopped after %(done)s of %(files)s files": (
        "жүктеп алу кезінде ашып көрсету %(status)s: топтама %(files)s файлдың %(done)s файлынан кейін тоқтады",
        "во время скачивания раскрытие %(status)s: архив остановлен после %(done)s из %(files)s файлов",
    ),
    "no such disclosure": (
        "мұндай ашып көрсету жоқ",
        "такого раскрытия нет",
    ),
    "this disclosure is %(status)s": (
        "бұл ашып көрсету %(status)s",
        "это раскрытие %(status)s",
    ),
    "this disclosure holds no files": (
        "бұл ашып көрсетуде файл жоқ",
        "в этом раскрытии нет файлов",
    ),
    "sha256 must be 64 hexadecimal characters": (
        "sha256 мәні 64 он алтылық таңбадан тұруы керек",
        "sha256 должен состоять из 64 шестнадцатеричных символов",
    ),
    'send {"sha256": "<64 hex>"} or a file': (
        '{"sha256": "<64 hex>"} немесе файл жіберіңіз',
        'отправьте {"sha256": "<64 hex>"} или файл',
    ),
    "multipart field `file` is missing": (
        "multipart сұрауында `file` өрісі жоқ",
        "в multipart-запросе нет поля `file`",
    ),
    "not an e-mail address": (
        "бұл электрондық пошта мекенжайы емес",
        "это не адрес электронной почты",
    ),
    "the watermarked copy of %(files)s could not be prepared; the prosecution can queue it again": (
        "%(files)s файлының су таңбасы бар көшірмесі дайындалмады; айыптау тарапы оны қайта кезекке қоя алады",
        "копию %(files)s с водяным знаком не удалось подготовить; сторона обвинения может поставить её в очередь заново",
    ),
    "the watermarked copy of %(files)s is being prepared; try again shortly": (
        "%(files)s файлының су таңбасы бар көшірмесі дайындалуда; сәлден соң қайталаңыз",
        "копия %(files)s с водяным знаком готовится; повторите чуть позже",
    ),
    "no such item in this disclosure": (
        "бұл ашып көрсетуде мұндай материал жоқ",
        "в этом раскрытии нет такого материала",
    ),
    "the disclosure entry of this watermark is gone": (
        "бұл су таңбасының ашып көрсетудегі жазбасы жойылған",
        "запись раскрытия для этого водяного знака удалена",
    ),
    "the disclosure of this watermark is gone": (
        "бұл су таңбасының ашып көрсетуі жойылған",
        "раскрытие для этого водяного знака удалено",
    ),
    "%(what)s must be %(size)s bytes, hex or base64": (
        "%(what)s мәні %(size)s байт болуы керек (hex немесе base64)",
        "%(what)s должен занимать %(size)s байт (hex или base64)",
    ),
    "no such receipt": (
        "мұндай түбіртек жоқ",
        "такой квитанции нет",
    ),
    "register a public key first: POST /receipts/keys": (
        "алдымен ашық кілтті тіркеңіз: POST /receipts/keys",
        "сначала зарегистрируйте открытый ключ: POST /receipts/keys",
    ),
    "the signature does not verify against your registered key": (
        "қолтаңба сіздің тіркелген кілтіңізбен расталмайды",
        "подпись не проверяется вашим зарегистрированным ключом",
    ),
    "no item %(item)s in this case": (
        "бұл істе %(item)s материалы жоқ",
        "в этом деле нет материала %(item)s",
    ),
    "item %(item)s is a derivative that is not an approved redaction": (
        "%(item)s материалы — бекітілген бүркемелеу емес туынды материал",
        "материал %(item)s — производный, но не утверждённое обезличивание",
    ),
    "item %(item)s is marked do not disclose": (
        "%(item)s материалы «ашып көрсетуге болмайды» деп белгіленген",
        "материал %(item)s отмечен «не раскрывать»",
    ),
    "item %(item)s has no approved redaction and its original is not marked disclosable": (
        "%(item)s материалының бекітілген бүркемелеуі жоқ, ал түпнұсқасы ашып көрсетуге болатын деп белгіленбеген",
        "у материала %(item)s нет утверждённого обезличивания, а оригинал не отмечен как допустимый к раскрытию",
    ),
    "%(username)r is not a defence account": (
        "%(username)r — қорғау тарапының тіркелгісі емес",
        "%(username)r — не учётная запись защиты",
    ),
    "expires_at must be a future time with a UTC offset": (
        "мерзімі UTC ығысуы көрсетілген болашақ уақыт болуы керек",
        "срок действия должен быть в будущем и с указанием смещения от UTC",
    ),
    "select at least one item": (
        "кемінде бір материал таңдаңыз",
        "выберите хотя бы один материал",
    ),
    "the disclosure is %(status)s": (
        "ашып көрсету %(status)s",
        "раскрытие %(status)s",
    ),
    "a tranche adds or withdraws at least one item": (
        "транш кемінде бір материалды қосуы немесе алып тастауы керек",
        "транш должен добавлять или исключать хотя бы один материал",
    ),
    "some items to withdraw are not in this disclosure": (
        "алып тасталатын кейбір материалдар бұл ашып көрсетуде жоқ",
        "некоторых исключаемых материалов нет в этом раскрытии",
    ),
    "the disclosure was %(status)s during the transfer": (
        "жіберу кезінде ашып көрсету %(status)s",
        "во время передачи раскрытие %(status)s",
    ),
    "pdftoppm produced no pages": (
        "pdftoppm бірде-бір бет жасамады",
        "pdftoppm не создал ни одной страницы",
    ),
    "%(tool)s is not installed": (
        "%(tool)s орнатылмаған",
        "%(tool)s не установлен",
    ),
    "The answer says whether the system released this file (disclosed to the defence or exported for a court), with the proof; every other file gets the same answer.": (
        "Жауап файлды жүйе шығарған-шығармағанын (қорғау тарапына ашып көрсетілген немесе сотқа экспортталған) дәлелімен көрсетеді; басқа файлдардың бәріне жауап бірдей.",
        "Ответ показывает, выдавала ли система этот файл (раскрыт защите или экспортирован для суда), с доказательством; для всех прочих файлов ответ один.",
    ),
    "Released by the system. Proof of release:": (
        "Жүйе шығарған файл. Шығару дәлелі:",
        "Файл выдан системой. Доказательство выдачи:",
    ),
    "Not among the files this system has released.": (
        "Жүйе шығарған файлдардың арасында жоқ.",
        "Нет среди файлов, выданных системой.",
    ),
    "Held in your cases. Custody proof:": (
        "Сіздің істеріңізде бар. Сақтау дәлелі:",
        "Есть в ваших делах. Доказательство хранения:",
    ),
    "Not held in your cases.": ("Сіздің істеріңізде жоқ.", "В ваших делах нет."),
    "Disclosures": ("Ашып көрсетулер", "Раскрытия"),
}
