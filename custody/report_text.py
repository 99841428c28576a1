"""Wording of chain-of-custody reports in Kazakh, Russian and English."""

from __future__ import annotations

LANGUAGES = ("kk", "ru", "en")

LABELS: dict[str, dict[str, str]] = {
    "title": {
        "en": "Chain of custody report",
        "ru": "Отчёт о цепочке хранения доказательств",
        "kk": "Дәлелдемелерді сақтау тізбегі туралы есеп",
    },
    "generated": {
        "en": "Generated (UTC)",
        "ru": "Сформирован (UTC)",
        "kk": "Жасалған уақыты (UTC)",
    },
    "item": {"en": "Item", "ru": "Объект", "kk": "Нысан"},
    "legal_basis": {"en": "Legal basis", "ru": "Правовое основание", "kk": "Құқықтық негіз"},
    "purpose": {"en": "Purpose", "ru": "Цель", "kk": "Мақсат"},
    "retention": {"en": "Retention", "ru": "Хранение", "kk": "Сақтау"},
    "retained_until": {"en": "retained until", "ru": "хранится до", "kk": "сақталу мерзімі"},
    "kept_indefinitely": {
        "en": "kept indefinitely for now",
        "ru": "пока хранится бессрочно",
        "kk": "әзірге мерзімсіз сақталады",
    },
    "purged_on": {
        "en": "purged after retention on",
        "ru": "удалён по истечении срока хранения",
        "kk": "сақтау мерзімі өткен соң жойылды",
    },
    "name": {"en": "Original name", "ru": "Исходное имя", "kk": "Бастапқы атауы"},
    "case": {"en": "Case", "ru": "Дело", "kk": "Іс"},
    "sha256": {"en": "SHA-256", "ru": "SHA-256", "kk": "SHA-256"},
    "size": {"en": "Size, bytes", "ru": "Размер, байт", "kk": "Көлемі, байт"},
    "kind": {"en": "Kind", "ru": "Вид", "kk": "Түрі"},
    "events": {"en": "Events", "ru": "События", "kk": "Оқиғалар"},
    "when": {"en": "Time (UTC)", "ru": "Время (UTC)", "kk": "Уақыты (UTC)"},
    "what": {"en": "What happened", "ru": "Что произошло", "kk": "Не болды"},
    "who": {"en": "By", "ru": "Кем", "kk": "Кім"},
    "entry": {"en": "Ledger entry", "ru": "Запись журнала", "kk": "Журнал жазбасы"},
    "withheld": {
        "en": "sealed event (shown by its hash: the chain stays verifiable)",
        "ru": "закрытое событие (показан его хеш: цепочка остаётся проверяемой)",
        "kk": "жабық оқиға (хеші көрсетілген: тізбек тексерілетін күйде қалады)",
    },
    "not_anchored": {
        "en": "not yet in a signed checkpoint",
        "ru": "ещё не включено в подписанную контрольную точку",
        "kk": "әлі қол қойылған бақылау нүктесіне енгізілмеген",
    },
    "checkpoint": {
        "en": "Signed checkpoint",
        "ru": "Подписанная контрольная точка",
        "kk": "Қол қойылған бақылау нүктесі",
    },
    "tree_size": {"en": "Log size", "ru": "Размер журнала", "kk": "Журнал көлемі"},
    "root": {"en": "Root hash", "ru": "Корневой хеш", "kk": "Түбір хеші"},
    "signed_by": {"en": "Signed by", "ru": "Подписано", "kk": "Қол қойған"},
    "witnesses": {"en": "Witnesses", "ru": "Свидетели", "kk": "Куәгерлер"},
    "none": {"en": "none", "ru": "нет", "kk": "жоқ"},
    "no_checkpoint": {
        "en": "No signed checkpoint yet.",
        "ru": "Подписанной контрольной точки пока нет.",
        "kk": "Қол қойылған бақылау нүктесі әлі жоқ.",
    },
    "how": {
        "en": "How to verify this independently",
        "ru": "Как проверить независимо",
        "kk": "Тәуелсіз тексеру тәсілі",
    },
}

HOW_TO_VERIFY: dict[str, list[str]] = {
    "en": [
        "1. Compute the SHA-256 of the file you hold and compare it with the value above.",
        "2. Each event is a ledger entry (RFC 8785 canonical JSON); its hash is "
        "SHA-256(0x00 || entry). Each event names the previous one of the same item ('prev'), "
        "so a missing or altered event breaks the chain.",
        "3. Every entry is included in the Merkle tree (RFC 9162) whose root is signed in the "
        "checkpoint above with the log's Ed25519 key and cosigned by independent witnesses.",
        "4. Ask the prosecution for the custody bundle (ZIP) and run: python3 verifier.py "
        "bundle.zip --log-key '<log key obtained independently>'. It needs only Python and "
        "PyNaCl, works offline, and names anything that does not verify.",
    ],
    "ru": [
        "1. Вычислите SHA-256 имеющегося у вас файла и сравните со значением выше.",
        "2. Каждое событие — запись журнала (канонический JSON по RFC 8785); её хеш равен "
        "SHA-256(0x00 || запись). Каждое событие ссылается на предыдущее событие того же "
        "объекта ('prev'), поэтому пропуск или изменение события разрывает цепочку.",
        "3. Каждая запись входит в дерево Меркла (RFC 9162), корень которого подписан в "
        "контрольной точке выше ключом Ed25519 журнала и заверен независимыми свидетелями.",
        "4. Запросите у обвинения пакет цепочки хранения (ZIP) и выполните: python3 "
        "verifier.py bundle.zip --log-key '<ключ журнала, полученный независимо>'. Нужны "
        "только Python и PyNaCl; проверка работает без сети и называет всё, что не сошлось.",
    ],
    "kk": [
        "1. Қолыңыздағы файлдың SHA-256 мәнін есептеп, жоғарыдағы мәнмен салыстырыңыз.",
        "2. Әр оқиға — журнал жазбасы (RFC 8785 бойынша канондық JSON); оның хеші "
        "SHA-256(0x00 || жазба). Әр оқиға сол нысанның алдыңғы оқиғасына сілтейді ('prev'), "
        "сондықтан оқиғаның жоқтығы не өзгертілуі тізбекті үзеді.",
        "3. Әр жазба Меркл ағашына (RFC 9162) енеді; оның түбірі жоғарыдағы бақылау нүктесінде "
        "журналдың Ed25519 кілтімен қол қойылған және тәуелсіз куәгерлермен расталған.",
        "4. Айыптау тарапынан сақтау тізбегінің пакетін (ZIP) сұрап, орындаңыз: python3 "
        "verifier.py bundle.zip --log-key '<тәуелсіз алынған журнал кілті>'. Тек Python мен "
        "PyNaCl қажет; желісіз жұмыс істейді және сәйкес келмегеннің бәрін атайды.",
    ],
}

# Plain-language descriptions of custody actions; unknown actions are shown as they are.
ACTIONS: dict[str, dict[str, str]] = {
    "item.created": {
        "en": "Item received and stored",
        "ru": "Объект получен и сохранён",
        "kk": "Нысан қабылданып, сақталды",
    },
    "item.duplicate_uploaded": {
        "en": "Same file uploaded again",
        "ru": "Тот же файл загружен повторно",
        "kk": "Сол файл қайта жүктелді",
    },
    "item.derived": {
        "en": "Derived copy made (e.g. proxy, transcript, redaction)",
        "ru": "Создана производная копия (например, транскрипт, обезличивание)",
        "kk": "Туынды көшірме жасалды (мысалы, транскрипт, жасыру)",
    },
    "item.metadata.read": {
        "en": "Details viewed",
        "ru": "Просмотрены сведения",
        "kk": "Мәліметтер қаралды",
    },
    "item.content.read": {
        "en": "Content viewed or played",
        "ru": "Содержимое просмотрено или воспроизведено",
        "kk": "Мазмұны қаралды немесе ойнатылды",
    },
    "item.downloaded": {"en": "Downloaded", "ru": "Скачан", "kk": "Жүктеп алынды"},
    "item.custody.read": {
        "en": "Custody record viewed",
        "ru": "Просмотрена цепочка хранения",
        "kk": "Сақтау тізбегі қаралды",
    },
    "item.verified": {
        "en": "Integrity verified",
        "ru": "Целостность проверена",
        "kk": "Тұтастығы тексерілді",
    },
    "item.purged": {"en": "Content purged", "ru": "Содержимое удалено", "kk": "Мазмұны жойылды"},
    "item.processing.refused": {
        "en": "Processing refused (quota)",
        "ru": "Обработка отклонена (квота)",
        "kk": "Өңдеуден бас тартылды (квота)",
    },
    "item.tag.added": {"en": "Tag added", "ru": "Добавлен тег", "kk": "Белгі қосылды"},
    "item.tag.removed": {"en": "Tag removed", "ru": "Тег удалён", "kk": "Белгі алынды"},
    "item.note.added": {"en": "Note added", "ru": "Добавлена заметка", "kk": "Жазба қосылды"},
    "item.note.deleted": {"en": "Note deleted", "ru": "Заметка удалена", "kk": "Жазба жойылды"},
    "item.clip.added": {"en": "Clip marked", "ru": "Отмечен фрагмент", "kk": "Үзінді белгіленді"},
    "item.clip.deleted": {
        "en": "Clip removed",
        "ru": "Фрагмент удалён",
        "kk": "Үзінді алынды",
    },
    "item.clip.export": {
        "en": "Clip export requested",
        "ru": "Запрошен экспорт фрагмента",
        "kk": "Үзіндіні экспорттау сұралды",
    },
    "item.disclosed": {
        "en": "Disclosed to the defence",
        "ru": "Раскрыт стороне защиты",
        "kk": "Қорғау тарапына ашылды",
    },
    "item.disclosure.withdrawn": {
        "en": "Disclosure withdrawn",
        "ru": "Раскрытие отозвано",
        "kk": "Ашу кері қайтарылды",
    },
    "item.disclosure.flagged": {
        "en": "Flagged for disclosure review",
        "ru": "Отмечен для проверки перед раскрытием",
        "kk": "Ашу алдында тексеруге белгіленді",
    },
    "redaction.plan.created": {
        "en": "Redaction proposed",
        "ru": "Предложено обезличивание",
        "kk": "Жасыру ұсынылды",
    },
    "redaction.plan.revised": {
        "en": "Redaction revised",
        "ru": "Обезличивание изменено",
        "kk": "Жасыру өзгертілді",
    },
    "redaction.plan.approved": {
        "en": "Redaction approved",
        "ru": "Обезличивание утверждено",
        "kk": "Жасыру бекітілді",
    },
    "redaction.residual.checked": {
        "en": "Redacted copy checked for remaining personal data",
        "ru": "Обезличенная копия проверена на остаточные персональные данные",
        "kk": "Жасырылған көшірме қалған дербес деректерге тексерілді",
    },
    "redaction.residual.overridden": {
        "en": "Residual check overridden, with the reviewer's reason",
        "ru": "Результат проверки остатков отменён с указанием причины",
        "kk": "Қалдық тексерісінің нәтижесі себебі көрсетіліп өзгертілді",
    },
    "item.retention.set": {
        "en": "Retention, legal basis or purpose set for the item",
        "ru": "Для объекта установлены срок хранения, правовое основание или цель",
        "kk": "Нысанға сақтау мерзімі, құқықтық негіз немесе мақсат белгіленді",
    },
    "case.retention.set": {
        "en": "Retention category, legal basis or purpose set for the case",
        "ru": "Для дела установлены категория хранения, правовое основание или цель",
        "kk": "Іске сақтау санаты, құқықтық негіз немесе мақсат белгіленді",
    },
    "case.lifecycle.set": {
        "en": "Case date recorded (closure, verdict or end of appeal)",
        "ru": "Записана дата по делу (прекращение, приговор или окончание обжалования)",
        "kk": "Іс бойынша күн жазылды (тоқтату, үкім немесе шағымдану аяқталуы)",
    },
    "legal_hold.placed": {
        "en": "Legal hold placed",
        "ru": "Наложен запрет на удаление (legal hold)",
        "kk": "Жоюға тыйым салынды (legal hold)",
    },
    "legal_hold.released": {
        "en": "Legal hold released",
        "ru": "Запрет на удаление снят",
        "kk": "Жоюға тыйым алынды",
    },
    "purge.proposed": {
        "en": "Deletion after retention proposed",
        "ru": "Предложено удаление по истечении срока хранения",
        "kk": "Сақтау мерзімі өткен соң жою ұсынылды",
    },
    "purge.approved": {
        "en": "Deletion after retention approved by a second person",
        "ru": "Удаление по истечении срока хранения утверждено вторым лицом",
        "kk": "Сақтау мерзімі өткен соң жоюды екінші тұлға бекітті",
    },
    "purge.rejected": {
        "en": "Deletion after retention rejected",
        "ru": "Удаление по истечении срока хранения отклонено",
        "kk": "Сақтау мерзімі өткен соң жоюдан бас тартылды",
    },
    "retention.refused": {
        "en": "Retention action refused",
        "ru": "Действие по срокам хранения отклонено",
        "kk": "Сақтау мерзімі бойынша әрекет қабылданбады",
    },
    "retention.config.loaded": {
        "en": "Retention table loaded",
        "ru": "Загружена таблица сроков хранения",
        "kk": "Сақтау мерзімдерінің кестесі жүктелді",
    },
    "access.denied": {
        "en": "Access refused",
        "ru": "В доступе отказано",
        "kk": "Қол жеткізуден бас тартылды",
    },
}


def label(key: str, language: str) -> str:
    """A report label in `language`."""
    return LABELS[key][language]


def describe(action: str, language: str) -> str:
    """Plain-language description of a custody action."""
    return ACTIONS.get(action, {}).get(language, action)
