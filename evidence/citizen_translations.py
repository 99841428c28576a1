# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian translations of evidence requests to victims and witnesses (the
staff pages, the person's page, receipts, messages). A table of the catalog tool
(`python -m evidence.i18n.update`); the words of `evidence/i18n/TERMS.md`.
"""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    # service messages
    "give the name of the person asked": (
        "сұралатын адамның атын көрсетіңіз",
        "укажите имя человека, которого просят",
    ),
    "give a phone number or an e-mail address": (
        "телефон нөмірін немесе электрондық поштаны көрсетіңіз",
        "укажите номер телефона или адрес электронной почты",
    ),
    "a request expires in 1 to %(max)d days": (
        "сұрау 1–%(max)d күнде аяқталады",
        "запрос действует от 1 до %(max)d дней",
    ),
    "a request takes 1 to %(max)d files": (
        "сұрау 1–%(max)d файл қабылдайды",
        "запрос принимает от 1 до %(max)d файлов",
    ),
    "the limit per file must be at most the total and the upload limit": (
        "бір файлдың шегі жалпы шектен және жүктеп салу шегінен аспауы керек",
        "предел на файл не может превышать общий предел и предел загрузки",
    ),
    "no such request": ("мұндай сұрау жоқ", "такого запроса нет"),
    "no such submission": ("мұндай жіберілген файл жоқ", "такого присланного файла нет"),
    "this file was already %(state)s": (
        "бұл файл бұрын шешілген: %(state)s",
        "по этому файлу уже принято решение: %(state)s",
    ),
    "give a reason for rejecting the file": (
        "файлды қабылдамау себебін көрсетіңіз",
        "укажите причину отклонения файла",
    ),
    "too many wrong links from here; try again later": (
        "бұл мекенжайдан қате сілтемелер тым көп; кейінірек қайталаңыз",
        "слишком много неверных ссылок с этого адреса; повторите позже",
    ),
    "a file may be at most %(limit)d bytes": (
        "файл %(limit)d байттан аспауы керек",
        "файл может быть не больше %(limit)d байт",
    ),
    "this link takes at most %(limit)d files": (
        "бұл сілтеме ең көбі %(limit)d файл қабылдайды",
        "эта ссылка принимает не больше %(limit)d файлов",
    ),
    "this link takes at most %(limit)d bytes in all": (
        "бұл сілтеме барлығы ең көбі %(limit)d байт қабылдайды",
        "эта ссылка принимает не больше %(limit)d байт всего",
    ),
    "the file's bytes hash to %(sha256)s, not the %(expected)s computed on the device; nothing was kept": (
        "файлдың байттарының хэші %(sha256)s, құрылғыда есептелген %(expected)s емес; ештеңе сақталмады",
        "хэш байтов файла %(sha256)s, а не %(expected)s, вычисленный на устройстве; ничего не сохранено",
    ),
    "this is not a Dalel receipt": ("бұл Dalel берген түбіртек емес", "это не квитанция Dalel"),
    "no checkpoint covers that entry yet (or the receipt is not ours)": (
        "бұл жазбаны әзірге ешбір бақылау нүктесі қамтымайды (немесе түбіртек біздікі емес)",
        "эту запись пока не покрывает ни одна контрольная точка (или квитанция не наша)",
    ),
    "this link has expired and accepts no files": (
        "бұл сілтеменің мерзімі өтті, ол файл қабылдамайды",
        "срок действия ссылки истёк, она не принимает файлы",
    ),
    "this link was withdrawn and accepts no files": (
        "бұл сілтеме кері қайтарылды, ол файл қабылдамайды",
        "эта ссылка отозвана и не принимает файлы",
    ),
    "this link has received all the files it may take": (
        "бұл сілтеме қабылдай алатын барлық файлды алды",
        "эта ссылка уже получила все файлы, которые может принять",
    ),
    # messages sent to the person
    "The police ask you to send files that may help an investigation (photos, videos, screenshots, documents or chat exports). Open the link on your phone or computer: no account is needed. Your files go to the investigator only.": (
        "Полиция тергеуге көмектесуі мүмкін файлдарды (фотосуреттер, бейнелер, скриншоттар, құжаттар немесе чат экспорттары) жіберуді сұрайды. Сілтемені телефонда немесе компьютерде ашыңыз: тіркелгі қажет емес. Файлдарыңызды тек тергеуші көреді.",
        "Полиция просит вас прислать файлы, которые могут помочь расследованию (фотографии, видео, скриншоты, документы или выгрузки чатов). Откройте ссылку на телефоне или компьютере: учётная запись не нужна. Ваши файлы увидит только следователь.",
    ),
    "Request for files %(ref)s": ("Файлдарды сұрау %(ref)s", "Запрос файлов %(ref)s"),
    "%(message)s\n\nWhat is asked for: %(asked)s\n\nLink (valid until %(until)s): %(link)s": (
        "%(message)s\n\nНе сұралады: %(asked)s\n\nСілтеме (%(until)s дейін жарамды): %(link)s",
        "%(message)s\n\nЧто просят: %(asked)s\n\nСсылка (действует до %(until)s): %(link)s",
    ),
    # receipt
    "Receipt for the files you sent": (
        "Сіз жіберген файлдар туралы түбіртек",
        "Квитанция о присланных вами файлах",
    ),
    "Request %(ref)s": ("Сұрау %(ref)s", "Запрос %(ref)s"),
    "Case %(number)s": ("Іс %(number)s", "Дело %(number)s"),
    "Signed by the custody log. Check it on the receipt check page.": (
        "Сақтау тізбегінің журналы қол қойған. Оны түбіртекті тексеру бетінде тексеріңіз.",
        "Подписано журналом цепочки хранения. Проверьте её на странице проверки квитанций.",
    ),
    # labels
    "citizen": ("азамат", "гражданин"),
    "evidence request sent": ("дәлелдеме сұрауы жіберілді", "запрос доказательств отправлен"),
    "evidence request opened": ("дәлелдеме сұрауы ашылды", "запрос доказательств открыт"),
    "evidence request revoked": (
        "дәлелдеме сұрауы кері қайтарылды",
        "запрос доказательств отозван",
    ),
    "evidence request link refused": (
        "дәлелдеме сұрауының сілтемесі қабылданбады",
        "ссылка запроса доказательств отклонена",
    ),
    "file received from a citizen (quarantine)": (
        "азаматтан файл алынды (карантин)",
        "файл получен от гражданина (карантин)",
    ),
    "citizen's file accepted": ("азаматтың файлы қабылданды", "файл гражданина принят"),
    "citizen's file rejected": ("азаматтың файлы қабылданбады", "файл гражданина отклонён"),
    "citizen's file previewed (quarantine)": (
        "азаматтың файлы алдын ала қаралды (карантин)",
        "файл гражданина просмотрен (карантин)",
    ),
    # the investigator's page (evidence/web/request_views.py, case_requests.html)
    "Preview of %(name)s": ("%(name)s алдын ала көрінісі", "Предпросмотр %(name)s"),
    "the stored object of this file no longer matches its hash": (
        "бұл файлдың сақталған нысаны енді өз хешіне сәйкес емес",
        "сохранённый объект этого файла больше не совпадает со своим хешем",
    ),
    "sent": ("жіберілді", "отправлен"),
    "opened": ("ашылды", "открыт"),
    "files received": ("файлдар алынды", "получены файлы"),
    "quarantined": ("карантинде", "в карантине"),
    "accepted": ("қабылданды", "принят"),
    "%(field)s is not a whole number": ("%(field)s бүтін сан емес", "%(field)s — не целое число"),
    "%(field)s must be from %(low)d to %(high)d": (
        "%(field)s %(low)d мен %(high)d аралығында болуы керек",
        "%(field)s должно быть от %(low)d до %(high)d",
    ),
    "Requests to the public": ("Азаматтарға сұраулар", "Запросы гражданам"),
    ("%(num)s file waiting", "%(num)s files waiting"): (
        ("%(num)s файл шешім күтуде",),
        ("%(num)s файл ждёт решения", "%(num)s файла ждут решения", "%(num)s файлов ждут решения"),
    ),
    "Request %(ref)s is ready": ("%(ref)s сұрауы дайын", "Запрос %(ref)s готов"),
    "Copy the link now: it is shown only once (Dalel keeps only its fingerprint).": (
        "Сілтемені қазір көшіріп алыңыз: ол бір рет қана көрсетіледі (Dalel оның тек хэшін сақтайды).",
        "Скопируйте ссылку сейчас: она показывается только один раз (Dalel хранит только её хэш).",
    ),
    "It was also sent by e-mail.": (
        "Ол электрондық поштамен де жіберілді.",
        "Она также отправлена по электронной почте.",
    ),
    "The link": ("Сілтеме", "Ссылка"),
    "Copy link": ("Сілтемені көшіру", "Копировать ссылку"),
    "Copied": ("Көшірілді", "Скопировано"),
    "Text to send by SMS or a messenger": (
        "SMS немесе мессенджер арқылы жіберілетін мәтін",
        "Текст для отправки по SMS или в мессенджере",
    ),
    "Copy text": ("Мәтінді көшіру", "Копировать текст"),
    "Files received (quarantine)": ("Алынған файлдар (карантин)", "Полученные файлы (карантин)"),
    "Files from requests are not evidence of the case until you accept them: nothing searches, processes or discloses them before. Accept each file, or reject it with a reason; both are recorded in the chain of custody.": (
        "Сұраулар арқылы келген файлдар сіз қабылдағанға дейін істің дәлелдемесі емес: оған дейін оларды ешнәрсе іздемейді, өңдемейді және ашып көрсетпейді. Әр файлды қабылдаңыз немесе себебін көрсетіп қабылдамаңыз; екеуі де сақтау тізбегіне жазылады.",
        "Файлы из запросов не являются доказательствами по делу, пока вы их не примете: до этого их ничто не ищет, не обрабатывает и не раскрывает. Примите каждый файл или отклоните его с указанием причины; и то и другое записывается в цепочку хранения.",
    ),
    "No files have been received yet.": ("Әзірге файл алынған жоқ.", "Файлы пока не получены."),
    "Request": ("Сұрау", "Запрос"),
    "Received": ("Алынды", "Получен"),
    "Accept %(name)s": ("%(name)s қабылдау", "Принять %(name)s"),
    "Accept as evidence": ("Дәлелдеме ретінде қабылдау", "Принять как доказательство"),
    "Reason for rejecting": ("Қабылдамау себебі", "Причина отклонения"),
    "Reason for rejecting %(name)s": ("%(name)s қабылдамау себебі", "Причина отклонения %(name)s"),
    "open the item": ("материалды ашу", "открыть материал"),
    "Requests sent": ("Жіберілген сұраулар", "Отправленные запросы"),
    "No requests yet.": ("Әзірге сұрау жоқ.", "Запросов пока нет."),
    "State": ("Күйі", "Состояние"),
    "Valid until": ("Жарамды мерзімі", "Действует до"),
    "opened %(when)s": ("ашылған уақыты: %(when)s", "открыт %(when)s"),
    "Revoke this link? It stops working at once.": (
        "Бұл сілтемені кері қайтарасыз ба? Ол бірден жұмысын тоқтатады.",
        "Отозвать эту ссылку? Она сразу перестанет работать.",
    ),
    "Ask a victim or witness for files": (
        "Жәбірленушіден немесе куәгерден файлдар сұрау",
        "Запросить файлы у потерпевшего или свидетеля",
    ),
    "The person gets a link that works without an account. Their phone computes each file's SHA-256 before sending, and they receive a signed receipt.": (
        "Адам тіркелгісіз жұмыс істейтін сілтеме алады. Оның телефоны әр файлдың SHA-256 хэшін жібермес бұрын есептейді, ал адам қол қойылған түбіртек алады.",
        "Человек получает ссылку, которая работает без учётной записи. Его телефон вычисляет SHA-256 каждого файла до отправки, а сам он получает подписанную квитанцию.",
    ),
    "Name of the person": ("Адамның аты-жөні", "Имя человека"),
    "Phone": ("Телефон", "Телефон"),
    "E-mail": ("Электрондық пошта", "Электронная почта"),
    "A phone number or an e-mail address is needed. The link is e-mailed when an address is given; for a phone, copy the text into an SMS.": (
        "Телефон нөмірі немесе электрондық пошта мекенжайы қажет. Мекенжай берілсе, сілтеме поштамен жіберіледі; телефон үшін мәтінді SMS-ке көшіріңіз.",
        "Нужен номер телефона или адрес электронной почты. Если указан адрес, ссылка отправляется по почте; для телефона скопируйте текст в SMS.",
    ),
    "Language of the message": ("Хабар тілі", "Язык сообщения"),
    "Message": ("Хабар", "Сообщение"),
    "What is asked for (optional)": (
        "Не сұралады (міндетті емес)",
        "Что запрашивается (необязательно)",
    ),
    "e.g. screenshots of the messages from 12–14 March": (
        "мысалы, 12–14 наурыздағы хабарламалардың скриншоттары",
        "например, скриншоты сообщений за 12–14 марта",
    ),
    "Valid for (days, at most 30)": (
        "Жарамдылық мерзімі (күн, ең көбі 30)",
        "Срок действия (дней, не больше 30)",
    ),
    "Files at most": ("Ең көп файл саны", "Не больше файлов"),
    "MB per file at most (empty: 2048)": (
        "Бір файлға ең көбі МБ (бос болса: 2048)",
        "Не больше МБ на файл (пусто: 2048)",
    ),
    "MB in all at most (empty: 8192)": (
        "Барлығы ең көбі МБ (бос болса: 8192)",
        "Не больше МБ всего (пусто: 8192)",
    ),
    "Show the case (ЕРДР) number on the person's receipt": (
        "Адамға берілетін түбіртекте іс (ЕРДР) нөмірін көрсету",
        "Показать номер дела (ЕРДР) в квитанции человека",
    ),
    "Create the link": ("Сілтеме жасау", "Создать ссылку"),
    # the person's page (evidence/web/citizen_views.py, citizen*.html, receipt_check.html)
    "This link has expired": ("Бұл сілтеменің мерзімі өтті", "Срок действия ссылки истёк"),
    "This link was withdrawn": ("Бұл сілтеме кері қайтарылды", "Эта ссылка отозвана"),
    "This link has received all its files": (
        "Бұл сілтеме барлық файлын алып қойды",
        "Эта ссылка уже получила все файлы",
    ),
    "This link is not valid": ("Бұл сілтеме жарамсыз", "Эта ссылка недействительна"),
    "Too many attempts": ("Әрекет тым көп", "Слишком много попыток"),
    "The time for sending files through this link is over. If you still have files for the investigation, ask the investigator for a new link.": (
        "Бұл сілтеме арқылы файл жіберу мерзімі аяқталды. Тергеуге арналған файлдарыңыз әлі де болса, тергеушіден жаңа сілтеме сұраңыз.",
        "Время отправки файлов по этой ссылке истекло. Если у вас ещё есть файлы для расследования, попросите у следователя новую ссылку.",
    ),
    "The investigator withdrew this link, so it accepts no files. If you still have files for the investigation, contact the investigator.": (
        "Тергеуші бұл сілтемені кері қайтарды, сондықтан ол файл қабылдамайды. Тергеуге арналған файлдарыңыз әлі де болса, тергеушіге хабарласыңыз.",
        "Следователь отозвал эту ссылку, поэтому она не принимает файлы. Если у вас ещё есть файлы для расследования, свяжитесь со следователем.",
    ),
    "This link has already received as many files as it may take. If you have more, ask the investigator for a new link.": (
        "Бұл сілтеме қабылдай алатын файлдың бәрін алып қойды. Тағы файлдарыңыз болса, тергеушіден жаңа сілтеме сұраңыз.",
        "Эта ссылка уже получила столько файлов, сколько может принять. Если у вас есть ещё, попросите у следователя новую ссылку.",
    ),
    "Check that the whole link was copied from the message. If it still does not open, contact the investigator who sent it.": (
        "Сілтеме хабардан толық көшірілгенін тексеріңіз. Бәрібір ашылмаса, оны жіберген тергеушіге хабарласыңыз.",
        "Проверьте, что ссылка скопирована из сообщения целиком. Если она всё равно не открывается, свяжитесь со следователем, который её прислал.",
    ),
    "Too many wrong links were opened from this connection. Wait a few minutes and try again.": (
        "Бұл байланыстан тым көп қате сілтеме ашылды. Бірнеше минут күтіп, қайталап көріңіз.",
        "С этого подключения открыто слишком много неверных ссылок. Подождите несколько минут и попробуйте снова.",
    ),
    "Ready to send": ("Жіберуге дайын", "Готов к отправке"),
    "Computing the fingerprint… {percent}": (
        "Хэш есептелуде… {percent}",
        "Вычисляется хэш… {percent}",
    ),
    "Sending… {percent}": ("Жіберілуде… {percent}", "Отправляется… {percent}"),
    "No connection. Trying again in {seconds} s; the sending will go on where it stopped.": (
        "Байланыс жоқ. {seconds} с кейін қайта әрекет жасалады; жіберу тоқтаған жерінен жалғасады.",
        "Нет связи. Повтор через {seconds} с; отправка продолжится с того места, где остановилась.",
    ),
    "Not accepted: {reason}": ("Қабылданбады: {reason}", "Не принят: {reason}"),
    "This file is larger than the {limit} this link accepts.": (
        "Бұл файл сілтеме қабылдайтын {limit} көлемінен үлкен.",
        "Этот файл больше {limit}, которые принимает ссылка.",
    ),
    "This link accepts {count} more file(s).": (
        "Бұл сілтеме тағы {count} файл қабылдайды.",
        "Эта ссылка примет ещё файлов: {count}.",
    ),
    "This file is empty.": ("Бұл файл бос.", "Этот файл пуст."),
    "Choose at least one file.": ("Кемінде бір файл таңдаңыз.", "Выберите хотя бы один файл."),
    "Files are still being sent. Leave anyway?": (
        "Файлдар әлі жіберілуде. Бәрібір шығасыз ба?",
        "Файлы ещё отправляются. Всё равно уйти?",
    ),
    "{done} of {total} files sent ({sent} of {size})": (
        "{total} файлдың {done} жіберілді ({size} ішінен {sent})",
        "Отправлено файлов: {done} из {total} ({sent} из {size})",
    ),
    "All files were received. Your receipt is below.": (
        "Барлық файл алынды. Түбіртек төменде.",
        "Все файлы получены. Ваша квитанция ниже.",
    ),
    "{failed} file(s) were not accepted; the others were received.": (
        "{failed} файл қабылданбады; қалғандары алынды.",
        "Не принято файлов: {failed}; остальные получены.",
    ),
    "The server lost the file three times; try again later.": (
        "Сервер файлды үш рет жоғалтты; кейінірек қайталап көріңіз.",
        "Сервер трижды потерял файл; попробуйте позже.",
    ),
    "entry {index} of the custody log": (
        "сақтау тізбегі журналының {index} жазбасы",
        "запись {index} журнала цепочки хранения",
    ),
    "Send files to the investigator": (
        "Файлдарды тергеушіге жіберу",
        "Отправить файлы следователю",
    ),
    "What is asked for:": ("Не сұралады:", "Что просят:"),
    "The link works until %(when)s.": (
        "Сілтеме %(when)s дейін жұмыс істейді.",
        "Ссылка работает до %(when)s.",
    ),
    ("You can send %(num)s more file,", "You can send %(num)s more files,"): (
        ("Тағы %(num)s файл жібере аласыз,",),
        (
            "Вы можете отправить ещё %(num)s файл,",
            "Вы можете отправить ещё %(num)s файла,",
            "Вы можете отправить ещё %(num)s файлов,",
        ),
    ),
    "each up to %(size)s.": ("әрқайсысы %(size)s дейін.", "каждый до %(size)s."),
    "What happens to your files": ("Файлдарыңызбен не болады", "Что будет с вашими файлами"),
    "Before a file is sent, your phone computes its fingerprint (SHA-256). The server keeps the file only if the bytes that arrive match this fingerprint exactly.": (
        "Файл жіберілмес бұрын телефоныңыз оның хэшін (SHA-256) есептейді. Келген байттар осы хэшке дәл сәйкес келсе ғана сервер файлды сақтайды.",
        "Перед отправкой файла ваш телефон вычисляет его хэш (SHA-256). Сервер сохраняет файл, только если пришедшие байты в точности совпадают с этим хэшем.",
    ),
    "Only the investigator of the case receives the files. Nobody can open them through this link, and they are not published.": (
        "Файлдарды тек іс жүргізетін тергеуші алады. Бұл сілтеме арқылы оларды ешкім аша алмайды, және олар жарияланбайды.",
        "Файлы получает только следователь по делу. Никто не может открыть их по этой ссылке, и они не публикуются.",
    ),
    "The investigator checks each file before it becomes evidence. Photos and videos keep their date and place data, which can matter for the case.": (
        "Тергеуші әр файлды дәлелдеме болмас бұрын тексереді. Фотосуреттер мен бейнелер күні мен орны туралы деректерін сақтайды, бұл іс үшін маңызды болуы мүмкін.",
        "Следователь проверяет каждый файл, прежде чем он станет доказательством. Фото и видео сохраняют данные о дате и месте съёмки, которые могут быть важны для дела.",
    ),
    "You get a receipt signed by the custody log: the name, size and fingerprint of each file and when it arrived. You can check it later on the receipt check page.": (
        "Сіз сақтау тізбегінің журналы қол қойған түбіртек аласыз: әр файлдың аты, көлемі, хэші және келген уақыты. Оны кейін түбіртекті тексеру бетінде тексере аласыз.",
        "Вы получите квитанцию, подписанную журналом цепочки хранения: имя, размер и хэш каждого файла и время его получения. Позже её можно проверить на странице проверки квитанций.",
    ),
    "If the connection drops, keep this page open: the sending goes on where it stopped when the connection returns.": (
        "Байланыс үзілсе, бұл бетті ашық ұстаңыз: байланыс қалпына келгенде жіберу тоқтаған жерінен жалғасады.",
        "Если связь прервётся, держите страницу открытой: когда связь вернётся, отправка продолжится с того места, где остановилась.",
    ),
    "No account is needed. The page loads nothing from other sites.": (
        "Тіркелгі қажет емес. Бет басқа сайттардан ештеңе жүктемейді.",
        "Учётная запись не нужна. Страница ничего не загружает с других сайтов.",
    ),
    "This page needs JavaScript to compute the fingerprints of your files on your phone. Turn it on, or use another browser.": (
        "Файлдарыңыздың хэшін телефонда есептеу үшін бетке JavaScript қажет. Оны қосыңыз немесе басқа браузерді пайдаланыңыз.",
        "Чтобы вычислить хэши файлов на телефоне, странице нужен JavaScript. Включите его или откройте другой браузер.",
    ),
    "Photos, videos, screenshots, documents or chat exports (Telegram or WhatsApp ZIP). You can choose several at once.": (
        "Фотосуреттер, бейнелер, скриншоттар, құжаттар немесе чат экспорттары (Telegram не WhatsApp ZIP). Бірден бірнешеуін таңдауға болады.",
        "Фото, видео, скриншоты, документы или выгрузки чатов (ZIP из Telegram или WhatsApp). Можно выбрать сразу несколько.",
    ),
    "What do these files show? (optional)": (
        "Бұл файлдарда не көрсетілген? (міндетті емес)",
        "Что показывают эти файлы? (необязательно)",
    ),
    "Send the files": ("Файлдарды жіберу", "Отправить файлы"),
    "Your receipt": ("Сізге берілген түбіртек", "Ваша квитанция"),
    "Receipt (PDF)": ("Түбіртек (PDF)", "Квитанция (PDF)"),
    "Receipt (JSON)": ("Түбіртек (JSON)", "Квитанция (JSON)"),
    "Keep the receipt. Anyone can check it on the receipt check page: that the custody log signed it and that each file is recorded in the log.": (
        "Түбіртекті сақтап қойыңыз. Оны кез келген адам түбіртекті тексеру бетінде тексере алады: оған сақтау тізбегінің журналы қол қойғанын және әр файл журналға жазылғанын.",
        "Сохраните квитанцию. Любой может проверить её на странице проверки квитанций: что её подписал журнал цепочки хранения и что каждый файл записан в журнал.",
    ),
    "Check a receipt": ("Түбіртекті тексеру", "Проверить квитанцию"),
    "Nothing can be sent through this link now.": (
        "Енді бұл сілтеме арқылы ештеңе жіберу мүмкін емес.",
        "Теперь по этой ссылке ничего нельзя отправить.",
    ),
    (
        "You sent %(num)s file through this link. Your receipt is still available:",
        "You sent %(num)s files through this link. Your receipt is still available:",
    ): (
        ("Сіз бұл сілтеме арқылы %(num)s файл жібердіңіз. Түбіртек әлі де қолжетімді:",),
        (
            "Вы отправили по этой ссылке %(num)s файл. Ваша квитанция по-прежнему доступна:",
            "Вы отправили по этой ссылке %(num)s файла. Ваша квитанция по-прежнему доступна:",
            "Вы отправили по этой ссылке %(num)s файлов. Ваша квитанция по-прежнему доступна:",
        ),
    ),
    "A receipt from Dalel lists the files a person sent through an evidence request. This page checks that the custody log signed it and that each file is recorded in the log. It shows nothing else about the case.": (
        "Dalel беретін түбіртекте адамның дәлелдеме сұрауы арқылы жіберген файлдары көрсетіледі. Бұл бет түбіртекке сақтау тізбегінің журналы қол қойғанын және әр файл журналға жазылғанын тексереді. Іс туралы басқа ештеңе көрсетпейді.",
        "В квитанции Dalel перечислены файлы, которые человек отправил по запросу доказательств. Эта страница проверяет, что её подписал журнал цепочки хранения и что каждый файл записан в журнал. Больше ничего о деле она не показывает.",
    ),
    "Result": ("Нәтиже", "Результат"),
    "The signature is valid: this receipt was issued by this custody log and has not been changed.": (
        "Қолтаңба жарамды: бұл түбіртекті осы сақтау тізбегінің журналы берген және ол өзгертілмеген.",
        "Подпись верна: эту квитанцию выдал этот журнал цепочки хранения, и она не изменена.",
    ),
    "Every file of the receipt is included in the log under a signed checkpoint.": (
        "Түбіртектегі әр файл журналға қол қойылған бақылау нүктесінің астында енгізілген.",
        "Каждый файл квитанции включён в журнал под подписанной контрольной точкой.",
    ),
    "Not every file is under a signed checkpoint yet. The log publishes checkpoints regularly; check again later.": (
        "Әр файл әлі қол қойылған бақылау нүктесінің астында емес. Журнал бақылау нүктелерін үнемі жариялайды; кейінірек қайта тексеріңіз.",
        "Не все файлы пока под подписанной контрольной точкой. Журнал регулярно публикует контрольные точки; проверьте позже.",
    ),
    "entries under the newest checkpoint: %(size)s": (
        "соңғы бақылау нүктесіндегі жазбалар саны: %(size)s",
        "записей под последней контрольной точкой: %(size)s",
    ),
    "accepted as evidence": ("дәлелдеме ретінде қабылданды", "принят как доказательство"),
    "not accepted": ("қабылданбады", "не принят"),
    "Your files go to the investigator only. Your phone checks each file before sending it, and you get a signed receipt.": (
        "Файлдарыңыз тек тергеушіге жіберіледі. Телефоныңыз әр файлды жібермес бұрын тексереді, ал сіз қол қойылған түбіртек аласыз.",
        "Ваши файлы получит только следователь. Телефон проверяет каждый файл перед отправкой, а вы получаете подписанную квитанцию.",
    ),
    "in the log, entry %(index)s": ("журналда, %(index)s жазба", "в журнале, запись %(index)s"),
    "inclusion proof": ("енгізілу дәлелі", "доказательство включения"),
    "recorded (entry %(index)s), not yet under a checkpoint": (
        "жазылды (%(index)s жазба), әлі бақылау нүктесінің астында емес",
        "записан (запись %(index)s), пока не под контрольной точкой",
    ),
    "not found in the log": ("журналдан табылмады", "не найден в журнале"),
    "This is not a valid receipt of this custody log: the signature does not match, or the text was changed.": (
        "Түбіртек жарамсыз: қолтаңба осы сақтау тізбегінің журналына сәйкес келмейді немесе мәтін өзгертілген.",
        "Это не действительная квитанция этого журнала цепочки хранения: подпись не совпадает, или текст изменён.",
    ),
    "Choose the receipt file (JSON)": (
        "Түбіртек файлын таңдаңыз (JSON)",
        "Выберите файл квитанции (JSON)",
    ),
    "or paste the receipt (the JSON file, or the signed text printed at the end of the PDF)": (
        "немесе түбіртекті қойыңыз (JSON файлын немесе PDF соңында басылған қол қойылған мәтінді)",
        "или вставьте квитанцию (файл JSON или подписанный текст в конце PDF)",
    ),
}
