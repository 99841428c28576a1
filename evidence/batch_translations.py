"""Kazakh and Russian translations of the batch upload's messages (`evidence.batch`,
`evidence.service.batch`), shown after "The request could not be completed:", so they
start in lower case. A table of the catalog tool (`python -m evidence.i18n.update`).
"""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "%(path)s: %(field)s: %(problem)s": (
        "%(path)s: %(field)s: %(problem)s",
        "%(path)s: %(field)s: %(problem)s",
    ),
    "%(path)s is not a regular file (links and devices are refused)": (
        "%(path)s кәдімгі файл емес (сілтемелер мен құрылғылар қабылданбайды)",
        "%(path)s — не обычный файл (ссылки и устройства не принимаются)",
    ),
    "a member of the batch has no name": (
        "топтамадағы бір файлдың атауы жоқ",
        "у одного из файлов пакета нет имени",
    ),
    "send the batch as a tar archive (Content-Type: application/x-tar)": (
        "топтаманы tar мұрағаты ретінде жіберіңіз (Content-Type: application/x-tar)",
        "отправьте пакет как архив tar (Content-Type: application/x-tar)",
    ),
    "the batch exceeds its limit of %(limit)d bytes": (
        "топтама %(limit)d байт шегінен асып кетті",
        "пакет превышает предел в %(limit)d байт",
    ),
    "the batch has data after the end of the archive": (
        "топтамада мұрағат аяқталғаннан кейін деректер бар",
        "в пакете есть данные после конца архива",
    ),
    "the batch holds more than %(limit)d files": (
        "топтамада %(limit)d файлдан көп",
        "в пакете больше %(limit)d файлов",
    ),
    "the batch holds no file": (
        "топтамада бірде-бір файл жоқ",
        "в пакете нет ни одного файла",
    ),
    "the batch is not a complete tar archive: %(reason)s": (
        "топтама толық tar мұрағаты емес: %(reason)s",
        "пакет не является полным архивом tar: %(reason)s",
    ),
    "the batch was truncated inside %(path)s": (
        "топтама %(path)s файлының ішінде үзіліп қалды",
        "пакет оборвался внутри файла %(path)s",
    ),
    "the batch was truncated: the tar's end-of-archive block is missing": (
        "топтама толық емес: tar мұрағатының соңғы блогы жоқ",
        "пакет оборвался: нет завершающего блока архива tar",
    ),
    "the file %(name)s is empty": (
        "%(name)s файлы бос",
        "файл %(name)s пуст",
    ),
    "the upload was interrupted before the batch was complete": (
        "топтама толық жеткенше жүктеп салу үзіліп қалды",
        "загрузка прервалась до того, как пакет был передан полностью",
    ),
    "unknown batch keyword %(keyword)s": (
        "топтаманың белгісіз кілт сөзі: %(keyword)s",
        "неизвестное ключевое слово пакета: %(keyword)s",
    ),
}
