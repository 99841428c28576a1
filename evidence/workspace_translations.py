# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian of the workspace pages (navigation, administration, case set-up,
custody timeline, item details): a table of the catalog tool (`python -m
evidence.i18n.update`), with the words of `evidence/i18n/TERMS.md`."""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "There is no page at this address.": (
        "Бұл мекенжайда бет жоқ.",
        "По этому адресу страницы нет.",
    ),
    "This page cannot be used that way.": (
        "Бұл бетті осылай пайдалану мүмкін емес.",
        "Эту страницу нельзя использовать так.",
    ),
    "Redactions to review": ("Тексерілетін бүркемелеулер", "Обезличивания на проверку"),
    "Administration": ("Әкімшілік", "Администрирование"),
    ("%(num)s new", "%(num)s new"): (
        ("%(num)s жаңа",),
        ("%(num)s новое", "%(num)s новых", "%(num)s новых"),
    ),
    # Administration
    "another administrator must change your own account": (
        "өз тіркелгіңізді басқа әкімші өзгертуі керек",
        "вашу учётную запись должен изменить другой администратор",
    ),
    "%(username)s is a member of a case: remove them from their cases before changing the role": (
        "%(username)s іс қатысушысы: рөлін өзгертпес бұрын оны істерінен шығарыңыз",
        "%(username)s — участник дела: прежде чем менять роль, исключите его из дел",
    ),
    "no such role: %(role)s": ("мұндай рөл жоқ: %(role)s", "такой роли нет: %(role)s"),
    "a case status is open, closed or archived": (
        "іс күйі: ашық, жабық немесе мұрағатта",
        "статус дела: открыто, закрыто или в архиве",
    ),
    "this account is disabled": ("бұл тіркелгі өшірілген", "эта учётная запись отключена"),
    "account disabled": ("тіркелгі өшірілді", "учётная запись отключена"),
    "account enabled again": ("тіркелгі қайта қосылды", "учётная запись снова включена"),
    "account role changed": ("тіркелгі рөлі өзгертілді", "роль учётной записи изменена"),
    "case details changed": ("іс деректері өзгертілді", "данные дела изменены"),
    "Administrators manage accounts and device keys; they never see evidence.": (
        "Әкімшілер тіркелгілер мен құрылғы кілттерін басқарады; олар дәлелдемелерді ешқашан көрмейді.",
        "Администраторы управляют учётными записями и ключами устройств; доказательства они не видят.",
    ),
    "The account was created.": ("Тіркелгі құрылды.", "Учётная запись создана."),
    "New account": ("Жаңа тіркелгі", "Новая учётная запись"),
    "Full name": ("Толық аты-жөні", "ФИО"),
    "Role": ("Рөл", "Роль"),
    "Initial password": ("Бастапқы құпиясөз", "Начальный пароль"),
    "Create the account": ("Тіркелгі құру", "Создать учётную запись"),
    "Accounts": ("Тіркелгілер", "Учётные записи"),
    "Actions": ("Әрекеттер", "Действия"),
    "Change the role": ("Рөлді өзгерту", "Изменить роль"),
    "disabled": ("өшірілген", "отключена"),
    "locked until %(when)s": ("%(when)s дейін бұғатталған", "заблокирована до %(when)s"),
    "on": ("қосулы", "включена"),
    "off": ("өшірулі", "выключена"),
    "Enable": ("Қосу", "Включить"),
    "Disable %(username)s? Their sessions end and their device keys are revoked.": (
        "%(username)s өшірілсін бе? Оның сеанстары аяқталады, құрылғы кілттері қайтарып алынады.",
        "Отключить %(username)s? Его сеансы завершатся, ключи устройств будут отозваны.",
    ),
    "Disable": ("Өшіру", "Отключить"),
    "Unlock": ("Бұғаттан шығару", "Разблокировать"),
    "Reason for the reset": ("Қалпына келтіру себебі", "Причина сброса"),
    "Reset the authenticator": ("Аутентификаторды қалпына келтіру", "Сбросить аутентификатор"),
    "Sign-in failures": ("Кірудегі сәтсіз әрекеттер", "Неудачные входы"),
    "Failed attempts since the last sign-in": (
        "Соңғы кіруден бергі сәтсіз әрекеттер",
        "Неудачных попыток с последнего входа",
    ),
    "Locks in a row": ("Қатарынан бұғаттаулар", "Блокировок подряд"),
    "Locked until": ("Бұғатталу мерзімі", "Заблокирована до"),
    "No failed sign-ins.": ("Сәтсіз кіру әрекеттері жоқ.", "Неудачных входов нет."),
    "The key for %(device)s. Copy it into the docking station now: it is not shown again.": (
        "%(device)s кілті. Оны қазір док-станцияға көшіріңіз: ол қайта көрсетілмейді.",
        "Ключ для %(device)s. Скопируйте его в док-станцию сейчас: он больше не будет показан.",
    ),
    "Issue a device key": ("Құрылғы кілтін беру", "Выдать ключ устройства"),
    "Revoke the key of %(device)s? The device stops working at once.": (
        "%(device)s кілті қайтарып алынсын ба? Құрылғы бірден жұмысын тоқтатады.",
        "Отозвать ключ %(device)s? Устройство сразу перестанет работать.",
    ),
    # Case set-up
    "The case is open. Add the people who work on it.": (
        "Іс ашық. Онымен жұмыс істейтін адамдарды қосыңыз.",
        "Дело открыто. Добавьте тех, кто над ним работает.",
    ),
    "The member was added.": ("Қатысушы қосылды.", "Участник добавлен."),
    "The member was removed.": ("Қатысушы шығарылды.", "Участник исключён."),
    "Case details": ("Іс деректері", "Данные дела"),
    "Members": ("Қатысушылар", "Участники"),
    "Member since": ("Қатысушы болған күні", "Участник с"),
    "Added by": ("Кім қосты", "Кем добавлен"),
    "Remove %(username)s from the case?": (
        "%(username)s істен шығарылсын ба?",
        "Исключить %(username)s из дела?",
    ),
    "Add a member": ("Қатысушы қосу", "Добавить участника"),
    "Person": ("Адам", "Человек"),
    "Add to the case": ("Іске қосу", "Добавить в дело"),
    "Everyone who may join this case is already a member.": (
        "Бұл іске қосыла алатындардың бәрі қатысушы болып қойған.",
        "Все, кто может участвовать в этом деле, уже участники.",
    ),
    "Open a case": ("Іс ашу", "Открыть дело"),
    "Open the case": ("Істі ашу", "Открыть дело"),
    "An ERDR number is exactly 15 digits; %(num)s typed.": (
        "СДТБТ нөмірі дәл 15 цифрдан тұрады; %(num)s терілді.",
        "Номер ЕРДР — ровно 15 цифр; введено %(num)s.",
    ),
    "An ERDR number holds digits only.": (
        "СДТБТ нөмірінде тек цифрлар болады.",
        "Номер ЕРДР состоит только из цифр.",
    ),
    "The number has the right form.": ("Нөмір дұрыс пішінде.", "Номер введён в правильном виде."),
    "15 digits, as in the ERDR register.": (
        "СДТБТ тізіліміндегідей 15 цифр.",
        "15 цифр, как в реестре ЕРДР.",
    ),
    # Custody timeline
    "custody timeline of the case viewed": (
        "істің сақтау тізбегі қаралды",
        "просмотрена цепочка хранения дела",
    ),
    "Filter events": ("Оқиғаларды сүзу", "Фильтр событий"),
    "anyone": ("кез келген адам", "кто угодно"),
    "Action": ("Әрекет", "Действие"),
    "Download as CSV": ("CSV ретінде жүктеп алу", "Скачать в CSV"),
    "the newest are shown": ("ең соңғылары көрсетілген", "показаны последние"),
    "Who": ("Кім", "Кто"),
    "From where": ("Қайдан", "Откуда"),
    "the system": ("жүйе", "система"),
    "No events.": ("Оқиғалар жоқ.", "Событий нет."),
    "The case's chain of custody": ("Істің сақтау тізбегі", "Цепочка хранения дела"),
    # Item page and enrolment
    "Scan this code with an authenticator app, or type in the secret (or paste the link):": (
        "Осы кодты аутентификатор қолданбасымен сканерлеңіз немесе құпия кілтті теріңіз (не сілтемені қойыңыз):",
        "Отсканируйте этот код приложением-аутентификатором или введите секрет (либо вставьте ссылку):",
    ),
    "QR code of the authenticator secret": (
        "Аутентификатор құпиясының QR коды",
        "QR-код секрета аутентификатора",
    ),
    "The PDF could not be shown here; open the file instead.": (
        "PDF мұнда көрсетілмеді; файлды ашыңыз.",
        "PDF не удалось показать здесь; откройте файл.",
    ),
    "Loading the document…": ("Құжат жүктелуде…", "Документ загружается…"),
    "Playback speed": ("Ойнату жылдамдығы", "Скорость воспроизведения"),
    "Waveform": ("Дыбыс толқыны", "Звуковая волна"),
    "Download the redacted copy": (
        "Бүркемеленген көшірмені жүктеп алу",
        "Скачать обезличенную копию",
    ),
    "Download this file": ("Осы файлды жүктеп алу", "Скачать этот файл"),
    "read from the file": ("файлдан оқылды", "прочитано из файла"),
    "What the file records": ("Файлда жазылғаны", "Что записано в файле"),
    "Camera": ("Камера", "Камера"),
    "Lens": ("Объектив", "Объектив"),
    "Software": ("Бағдарлама", "Программа"),
    "Capture time in the file": ("Файлдағы түсірілген уақыт", "Время съёмки в файле"),
    "GPS position": ("GPS орны", "Координаты GPS"),
    "altitude %(metres)s m": ("биіктігі %(metres)s м", "высота %(metres)s м"),
    "time read from the file": ("уақыт файлдан оқылды", "время прочитано из файла"),
}
