# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian translations of the retention pages and of the retention services'
messages (shown after "The request could not be completed:", so those start in lower
case). A table of the catalog tool (`python -m evidence.i18n.update`)."""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "font %(font)s is missing (fonts-dejavu-core)": (
        "%(font)s қарпі жоқ (fonts-dejavu-core)",
        "нет шрифта %(font)s (fonts-dejavu-core)",
    ),
    "report language must be one of kk, ru, en": (
        "есеп тілі kk, ru не en болуы керек",
        "язык отчёта — kk, ru или en",
    ),
    "item %(item)s was purged on %(date)s after its retention ended": (
        "%(item)s материалы сақтау мерзімі өткен соң %(date)s жойылды",
        "материал %(item)s удалён %(date)s по истечении срока хранения",
    ),
    "item %(item)s is being purged after its retention ended": (
        "%(item)s материалы сақтау мерзімі өткендіктен жойылуда",
        "материал %(item)s удаляется по истечении срока хранения",
    ),
    "lock_days in DALEL_STORAGE_URL must be a whole number of days": (
        "DALEL_STORAGE_URL ішіндегі lock_days бүтін күн саны болуы керек",
        "lock_days в DALEL_STORAGE_URL должно быть целым числом дней",
    ),
    "the retention record of %(key)s is unreadable": (
        "%(key)s сақтау жазбасы оқылмайды",
        "запись о хранении %(key)s не читается",
    ),
    "writing a retention record failed: %(reason)s": (
        "сақтау жазбасын жазу сәтсіз: %(reason)s",
        "не удалось записать запись о хранении: %(reason)s",
    ),
    "item retention set": ("материалдың сақталуы белгіленді", "задано хранение материала"),
    "case retention set": ("істің сақталуы белгіленді", "задано хранение по делу"),
    "case date recorded": ("іс бойынша күн жазылды", "записана дата по делу"),
    "legal hold placed": ("жоюға тыйым салынды", "наложен запрет на удаление"),
    "legal hold released": ("жоюға тыйым алынды", "снят запрет на удаление"),
    "purge proposed": ("жою ұсынылды", "предложено удаление"),
    "purge after retention": ("сақтау мерзімінен кейін жою", "удаление после срока хранения"),
    "purge approved": ("жою бекітілді", "удаление утверждено"),
    "purge rejected": ("жоюдан бас тартылды", "в удалении отказано"),
    "retention action refused": ("сақтау әрекеті қабылданбады", "действие по хранению отклонено"),
    "retention table loaded": ("сақтау кестесі жүктелді", "загружена таблица хранения"),
    "%(all)s in the case, %(dated)s with a date, %(undated)s kept indefinitely for now, %(purged)s purged": (
        "істе %(all)s, мерзімі бар %(dated)s, әзірге мерзімсіз сақталатын %(undated)s, жойылған %(purged)s",
        "в деле %(all)s, со сроком %(dated)s, пока бессрочно %(undated)s, удалено %(purged)s",
    ),
    "%(field)s lies in the future": (
        "%(field)s күні болашақта",
        "дата %(field)s — в будущем",
    ),
    "%(field)s must carry a time zone offset": (
        "%(field)s уақыт белдеуінің ығысуымен берілуі керек",
        "в %(field)s нужно указать смещение часового пояса",
    ),
    "%(what)s is at most %(max)d characters": (
        "%(what)s — ең көбі %(max)d таңба",
        "%(what)s — не более %(max)d символов",
    ),
    "%(what)s needs a reason": (
        "%(what)s үшін себеп көрсетілуі керек",
        "для действия «%(what)s» нужно указать основание",
    ),
    "A prosecutor of the case proposes; a second prosecutor approves. Purged items keep their record (name, hash, size, dates, approvals); their custody chain ends with the purge and still verifies.": (
        "Іс прокуроры ұсынады, екінші прокурор бекітеді. Жойылған материалдардың жазбасы сақталады (атауы, хеші, көлемі, күндері, бекітулер); сақтау тізбегі жоюмен аяқталады және тексеріле береді.",
        "Прокурор дела предлагает, второй прокурор утверждает. Удалённые материалы сохраняют запись (имя, хеш, размер, даты, утверждения); их цепочка хранения заканчивается удалением и по-прежнему проверяется.",
    ),
    "Appeal ended (verdict in force)": (
        "Шағымдану аяқталды (үкім заңды күшіне енді)",
        "Обжалование окончено (приговор вступил в силу)",
    ),
    "Approve the purge": ("Жоюды бекіту", "Утвердить удаление"),
    "Being purged after its retention ended.": (
        "Сақтау мерзімі өткендіктен жойылуда.",
        "Удаляется по истечении срока хранения.",
    ),
    "Case closed": ("Іс тоқтатылды", "Дело прекращено"),
    "Case dates": ("Іс бойынша күндер", "Даты по делу"),
    "Category, legal basis and purpose": (
        "Санат, құқықтық негіз және мақсат",
        "Категория, правовое основание и цель",
    ),
    "Due for purging": ("Жоюға жататындар", "Подлежит удалению"),
    "Due since": ("Қашаннан бері", "Подлежит с"),
    "Hold the whole case: reason": (
        "Бүкіл іске тыйым салу: себебі",
        "Запрет на удаление по всему делу: основание",
    ),
    "Hold this item: reason": (
        "Бұл материалға тыйым салу: себебі",
        "Запрет на удаление этого материала: основание",
    ),
    "Items due": ("Жоюға жататын материалдар", "Материалов к удалению"),
    "Items whose retention date has passed and that no legal hold covers, per case. Purging needs two people.": (
        "Сақтау мерзімі өткен және ешбір тыйым қамтымайтын материалдар, іс бойынша. Жою үшін екі адам қажет.",
        "Материалы, срок хранения которых истёк и на которые нет запрета на удаление, по делам. Для удаления нужны два человека.",
    ),
    "Legal basis": ("Құқықтық негіз", "Правовое основание"),
    "Legal basis, in words (articles, orders)": (
        "Құқықтық негіз сөзбен (баптар, бұйрықтар)",
        "Правовое основание словами (статьи, приказы)",
    ),
    "Legal hold": ("Жоюға тыйым", "Запрет на удаление"),
    "Legal holds": ("Жоюға тыйымдар", "Запреты на удаление"),
    "Next retention date": ("Жақын сақтау мерзімі", "Ближайший срок хранения"),
    "No legal hold was ever placed.": ("Тыйым салынбаған.", "Запретов на удаление не налагалось."),
    "Nothing in this case is due for purging.": (
        "Бұл істе жоюға жататын ештеңе жоқ.",
        "В этом деле нечего удалять.",
    ),
    "Nothing is due for purging.": ("Жоюға жататын ештеңе жоқ.", "Удалять нечего."),
    "Nothing was proposed for purging.": ("Жою ұсынылмаған.", "Удаление не предлагалось."),
    "Place a legal hold": ("Жоюға тыйым салу", "Наложить запрет на удаление"),
    "Propose purging the selected items": (
        "Таңдалған материалдарды жоюды ұсыну",
        "Предложить удалить выбранные материалы",
    ),
    "Purged on %(date)s after its retention ended, proposed by %(proposer)s and approved by %(approver)s. Its record and custody chain remain.": (
        "Сақтау мерзімі өткен соң %(date)s жойылды: %(proposer)s ұсынды, %(approver)s бекітті. Жазбасы мен сақтау тізбегі сақталды.",
        "Удалён %(date)s по истечении срока хранения: предложил %(proposer)s, утвердил %(approver)s. Запись и цепочка хранения сохранены.",
    ),
    "Purges after retention": (
        "Сақтау мерзімі өткен соң жою",
        "Удаление по истечении срока хранения",
    ),
    "Purpose": ("Мақсат", "Цель"),
    "Purpose, in words": ("Мақсат сөзбен", "Цель словами"),
    "Reason (needed to reject)": ("Себебі (бас тарту үшін қажет)", "Основание (нужно для отказа)"),
    "Reason for releasing": ("Алу себебі", "Основание снятия"),
    "Reject": ("Бас тарту", "Отклонить"),
    "Release": ("Алу", "Снять"),
    "Retained until": ("Сақталу мерзімі", "Хранится до"),
    "Retention": ("Сақтау мерзімі", "Срок хранения"),
    "Retention category": ("Сақтау санаты", "Категория хранения"),
    "Retention periods start from these dates; each change is recorded in the case's custody chain.": (
        "Сақтау мерзімдері осы күндерден басталады; әр өзгеріс істің сақтау тізбегіне жазылады.",
        "Сроки хранения отсчитываются от этих дат; каждое изменение записывается в цепочку хранения дела.",
    ),
    "Retention report (PDF)": ("Сақтау туралы есеп (PDF)", "Отчёт о хранении (PDF)"),
    "Save": ("Сақтау", "Сохранить"),
    "Save the dates": ("Күндерді сақтау", "Сохранить даты"),
    "The case's retention": ("Істің сақтау мерзімдері", "Сроки хранения по делу"),
    "Verdict": ("Үкім", "Приговор"),
    "While a hold is in force nothing it covers can be purged, whatever its date; storage keeps its own hold flag.": (
        "Тыйым күшінде тұрғанда, ол қамтитын ештеңе мерзіміне қарамастан жойылмайды; қоймада да тыйым белгісі қойылады.",
        "Пока действует запрет, ничего из того, что он охватывает, нельзя удалить, каким бы ни был срок; хранилище ставит собственную отметку запрета.",
    ),
    "a purge proposal needs a reason (at most 2000 characters)": (
        "жою ұсынысына себеп қажет (ең көбі 2000 таңба)",
        "для предложения удаления нужно основание (не более 2000 символов)",
    ),
    "a reason is at most %(max)d characters": (
        "себеп ең көбі %(max)d таңба",
        "основание — не более %(max)d символов",
    ),
    "categories still in use cannot be removed: %(codes)s": (
        "қолданыстағы санаттарды алып тастауға болмайды: %(codes)s",
        "нельзя удалить используемые категории: %(codes)s",
    ),
    "changing an item's retention category needs a reason": (
        "материалдың сақтау санатын өзгерту үшін себеп қажет",
        "для смены категории хранения материала нужно основание",
    ),
    "decided by %(name)s, %(when)s": ("%(name)s шешті, %(when)s", "решение: %(name)s, %(when)s"),
    "follows its original": ("түпнұсқасымен бірге", "вместе с оригиналом"),
    "item %(item)s has been purged already": (
        "%(item)s материалы бұрын жойылған",
        "материал %(item)s уже удалён",
    ),
    "item %(item)s is in an open purge request already": (
        "%(item)s материалы ашық жою өтінішінде бар",
        "материал %(item)s уже есть в открытом запросе на удаление",
    ),
    "item %(item)s is kept indefinitely for now": (
        "%(item)s материалы әзірге мерзімсіз сақталады",
        "материал %(item)s пока хранится бессрочно",
    ),
    "item %(item)s is retained until %(until)s": (
        "%(item)s материалы %(until)s дейін сақталады",
        "материал %(item)s хранится до %(until)s",
    ),
    "item %(item)s is under a legal hold": (
        "%(item)s материалына жоюға тыйым салынған",
        "на материал %(item)s наложен запрет на удаление",
    ),
    "kept indefinitely for now": ("әзірге мерзімсіз сақталады", "пока хранится бессрочно"),
    "locked in storage until %(when)s": (
        "қоймада %(when)s дейін бұғатталған",
        "заблокирован в хранилище до %(when)s",
    ),
    "name at least one item to purge": (
        "жою үшін кемінде бір материалды атаңыз",
        "укажите хотя бы один материал для удаления",
    ),
    "no such item in this case": (
        "бұл істе мұндай материал жоқ",
        "в этом деле нет такого материала",
    ),
    "no such legal hold": ("мұндай тыйым жоқ", "такого запрета нет"),
    "no such purge request": ("мұндай жою өтініші жоқ", "такого запроса на удаление нет"),
    "not set": ("көрсетілмеген", "не указано"),
    "nothing in this case is due for purging": (
        "бұл істе жоюға жататын ештеңе жоқ",
        "в этом деле нечего удалять",
    ),
    "one item": ("бір материал", "один материал"),
    "pending": ("күтуде", "ожидает"),
    "proposed by %(name)s": ("%(name)s ұсынды", "предложил %(name)s"),
    "rejecting a purge needs a reason": (
        "жоюдан бас тарту үшін себеп қажет",
        "для отказа в удалении нужно основание",
    ),
    "released by %(name)s, %(when)s: %(reason)s": (
        "%(name)s алды, %(when)s: %(reason)s",
        "снял %(name)s, %(when)s: %(reason)s",
    ),
    "the appeal cannot end before the verdict": (
        "шағымдану үкімнен бұрын аяқтала алмайды",
        "обжалование не может окончиться раньше приговора",
    ),
    "the default": ("әдепкі", "по умолчанию"),
    "the item has been purged": ("материал жойылған", "материал удалён"),
    "the legal hold was released already": ("тыйым бұрын алынған", "запрет уже снят"),
    "the proposer of a purge cannot approve it: a second person must": (
        "жоюды ұсынған адам оны бекіте алмайды: екінші адам бекітуі керек",
        "предложивший удаление не может его утвердить: нужен второй человек",
    ),
    "the purge request is %(state)s, not approved": (
        "жою өтінішінің күйі %(state)s, бекітілмеген",
        "запрос на удаление в состоянии %(state)s, а не утверждён",
    ),
    "the purge request is %(state)s, not proposed": (
        "жою өтінішінің күйі %(state)s, ұсыныс емес",
        "запрос на удаление в состоянии %(state)s, а не предложен",
    ),
    "the whole case": ("бүкіл іс", "всё дело"),
    "this item's own: %(reason)s": (
        "материалдың өз санаты: %(reason)s",
        "собственная категория материала: %(reason)s",
    ),
    "unknown %(what)s code %(code)s": (
        "белгісіз %(what)s коды: %(code)s",
        "неизвестный код (%(what)s): %(code)s",
    ),
    "unknown case dates: %(fields)s": (
        "белгісіз іс күндері: %(fields)s",
        "неизвестные даты дела: %(fields)s",
    ),
    "proposed": ("ұсынылды", "предложено"),
    "rejected": ("бас тартылды", "отклонено"),
    "done": ("орындалды", "выполнено"),
}
