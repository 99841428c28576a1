"""Kazakh and Russian translations of the ingest package's messages (those that reach the
pages: transcript edits, clips, jobs): a table of the catalog tool (`python -m
evidence.i18n.update`, whose docstring says how to add one), in the words of
`evidence/i18n/TERMS.md`."""

from __future__ import annotations

# msgid → (Kazakh, Russian)
T: dict[object, tuple[object, object]] = {
    # Messages of the service layer (shown after "The request could not be completed:").
    "no such stage: %(stage)s": (
        "мұндай кезең жоқ: %(stage)s",
        "такого этапа нет: %(stage)s",
    ),
    "stage %(stage)s works on a subject": (
        "%(stage)s кезеңі нысанмен жұмыс істейді",
        "этап %(stage)s работает с объектом",
    ),
    "purge %(purge)s is not finished: %(reason)s": (
        "%(purge)s жоюы аяқталмады: %(reason)s",
        "удаление %(purge)s не завершено: %(reason)s",
    ),
    "stage %(stage)s takes no subject": (
        "%(stage)s кезеңіне нысан берілмейді",
        "этап %(stage)s не принимает объект",
    ),
    (
        "transcription is not set up on this server: the %(engine)s engine has no model "
        "(%(detail)s); set %(setting)s"
    ): (
        "бұл серверде транскрипция бапталмаған: %(engine)s қозғалтқышының моделі жоқ "
        "(%(detail)s); %(setting)s баптаңыз",
        "расшифровка речи на этом сервере не настроена: у движка %(engine)s нет модели "
        "(%(detail)s); задайте %(setting)s",
    ),
    "the %(stage)s job is %(state)s: nothing to cancel": (
        "%(stage)s тапсырмасы %(state)s күйінде: тоқтататын ештеңе жоқ",
        "задача %(stage)s в состоянии %(state)s: останавливать нечего",
    ),
    "no %(stage)s job of this item is queued or running": (
        "бұл материалдың %(stage)s тапсырмасы кезекте де, орындалуда да емес",
        "у этого материала нет задачи %(stage)s в очереди или в работе",
    ),
    "a running %(stage)s job cannot be stopped; it ends by itself": (
        "орындалып жатқан %(stage)s тапсырмасын тоқтатуға болмайды; ол өзі аяқталады",
        "выполняющуюся задачу %(stage)s нельзя остановить; она завершится сама",
    ),
    "the %(stage)s job was cancelled": (
        "%(stage)s тапсырмасы тоқтатылды",
        "задача %(stage)s остановлена",
    ),
    "no such job: %(job)s": (
        "мұндай тапсырма жоқ: %(job)s",
        "такой задачи нет: %(job)s",
    ),
    "DALEL_REDIS_URL is not set": (
        "DALEL_REDIS_URL орнатылмаған",
        "DALEL_REDIS_URL не задан",
    ),
    "cannot reach Redis to queue %(stage)s: %(reason)s": (
        "%(stage)s кезеңін кезекке қою үшін Redis-ке қосылу мүмкін емес: %(reason)s",
        "не удаётся связаться с Redis, чтобы поставить в очередь %(stage)s: %(reason)s",
    ),
    "no such stage: %(stage)s; stages are %(stages)s": (
        "мұндай кезең жоқ: %(stage)s; бар кезеңдер: %(stages)s",
        "такого этапа нет: %(stage)s; есть этапы: %(stages)s",
    ),
    "language must be one of %(languages)s": (
        "тіл мыналардың бірі болуы керек: %(languages)s",
        "язык должен быть одним из: %(languages)s",
    ),
    "no version %(version)s of this transcript": (
        "бұл транскрипттің %(version)s нұсқасы жоқ",
        "у этой расшифровки нет версии %(version)s",
    ),
    "no transcript for this item": (
        "бұл материалдың транскрипті жоқ",
        "у этого материала нет расшифровки",
    ),
    "segment %(n)s ends before it starts": (
        "%(n)s-бөлік басталмай тұрып аяқталады",
        "фрагмент %(n)s заканчивается раньше, чем начинается",
    ),
    "segment %(n)s starts before the previous one": (
        "%(n)s-бөлік алдыңғысынан бұрын басталады",
        "фрагмент %(n)s начинается раньше предыдущего",
    ),
    "a word of segment %(n)s ends before it starts": (
        "%(n)s-бөліктегі бір сөз басталмай тұрып аяқталады",
        "слово во фрагменте %(n)s заканчивается раньше, чем начинается",
    ),
    "version %(base)s was edited; the latest is %(latest)s: reload and retry": (
        "%(base)s нұсқасы өзгертілді, ең соңғысы — %(latest)s: бетті жаңартып, қайталаңыз",
        "версия %(base)s уже изменена, последняя — %(latest)s: обновите страницу и повторите",
    ),
    "another edit saved the same version first: reload and retry": (
        "басқа өзгеріс осы нұсқаны бұрын сақтап қойды: бетті жаңартып, қайталаңыз",
        "другая правка уже сохранила эту версию: обновите страницу и повторите",
    ),
    "no extracted text for this item": (
        "бұл материалдан мәтін алынбаған",
        "для этого материала нет извлечённого текста",
    ),
    "no chat messages for this item": (
        "бұл материалда чат хабарламалары жоқ",
        "в этом материале нет сообщений чата",
    ),
    "the item has not been through detection yet": (
        "материал әлі түрін анықтаудан өтпеген",
        "материал ещё не прошёл определение типа",
    ),
    "this clip has not been exported": (
        "бұл үзінді экспортталмаған",
        "этот фрагмент не экспортирован",
    ),
    "DALEL_REDIS_URL is not set: there is no queue to work": (
        "DALEL_REDIS_URL орнатылмаған: өңдейтін кезек жоқ",
        "DALEL_REDIS_URL не задан: нет очереди для работы",
    ),
    "unknown queue(s) %(unknown)s; known: %(known)s": (
        "белгісіз кезек(тер): %(unknown)s; белгілілері: %(known)s",
        "неизвестные очереди: %(unknown)s; известные: %(known)s",
    ),
    "the clip was deleted before it could be exported": (
        "үзінді экспортталмай тұрып жойылды",
        "фрагмент удалён до экспорта",
    ),
    "the clip starts at %(start)s s, after the end (%(end)s s)": (
        "үзінді %(start)s с-та, яғни соңынан (%(end)s с) кейін басталады",
        "фрагмент начинается на %(start)s с, после конца (%(end)s с)",
    ),
    "only audio and video can be clipped, not %(kind)s": (
        "үзіндіні тек аудио мен бейнеден алуға болады, %(kind)s емес",
        "фрагменты можно вырезать только из аудио и видео, а не из: %(kind)s",
    ),
    "text extraction needs an image, a PDF or a text file": (
        "мәтін алу үшін сурет, PDF немесе мәтіндік файл керек",
        "для извлечения текста нужно изображение, PDF или текстовый файл",
    ),
    "office text extraction needs a document": (
        "кеңселік құжаттан мәтін алу үшін құжат керек",
        "для извлечения текста из офисного файла нужен документ",
    ),
    "give words to search for (q) or a sender": (
        "іздеу үшін сөздерді (q) немесе жіберушіні көрсетіңіз",
        "укажите слова для поиска (q) или отправителя",
    ),
    "SVG drawings are not OCR'd": (
        "SVG сызбалары OCR арқылы танылмайды",
        "SVG-рисунки не распознаются OCR",
    ),
    "%(count)d files: over the %(quota)s quota of %(limit)d; nothing unpacked": (
        "%(count)d файл: %(quota)s квотасынан (%(limit)d) асады; ештеңе шығарылмады",
        "%(count)d файлов: больше квоты %(quota)s (%(limit)d); ничего не распаковано",
    ),
}
