# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian strings of the redaction pages.

The shared gettext catalogs (``evidence/i18n``) are extracted from the web package's
templates only, so the redaction templates carry their own table: ``gettext`` looks a
message up here first and falls back to the shared catalog (the layout's strings).
"""

from __future__ import annotations

from evidence import i18n

# msgid → (Kazakh, Russian)
T: dict[str, tuple[str, str]] = {
    "Add by hand": ("Қолмен қосу", "Добавить вручную"),
    "Add": ("Қосу", "Добавить"),
    "After": ("Кейін", "После"),
    "Analyse": ("Талдау", "Проанализировать"),
    "Approval renders a redacted copy, checks it by reading it back, and records your approval in the chain of custody. The original is not changed.": (
        "Бекіту бүркемеленген көшірме жасайды, оны қайта оқып тексереді және бекітуіңізді сақтау тізбегіне жазады. Түпнұсқа өзгермейді.",
        "Утверждение создаёт обезличенную копию, проверяет её повторным чтением и записывает ваше утверждение в цепочку хранения. Оригинал не меняется.",
    ),
    "Approve and render": ("Бекіту және көшірме жасау", "Утвердить и создать копию"),
    "Approve": ("Бекіту", "Утверждение"),
    "Back to the item": ("Материалға оралу", "Назад к материалу"),
    "Before and after": ("Дейін және кейін", "До и после"),
    "Before": ("Дейін", "До"),
    "Decision": ("Шешім", "Решение"),
    "Kind": ("Түрі", "Вид"),
    "Language": ("Тіл", "Язык"),
    "No redaction plan yet. Analysis proposes personal data to hide; nothing is hidden until a prosecutor approves.": (
        "Бүркемелеу жоспары әлі жоқ. Талдау жасыруға болатын дербес деректерді ұсынады; прокурор бекітпейінше ештеңе жасырылмайды.",
        "Плана обезличивания пока нет. Анализ предлагает персональные данные для скрытия; ничего не скрывается, пока прокурор не утвердит.",
    ),
    "Open the redacted copy": ("Бүркемеленген көшірмені ашу", "Открыть обезличенную копию"),
    "Passed: the redacted copy can be disclosed.": (
        "Тексеруден өтті: бүркемеленген көшірмені ашуға болады.",
        "Проверка пройдена: обезличенную копию можно раскрыть.",
    ),
    "Proposals": ("Ұсыныстар", "Предложения"),
    "Reason": ("Негіз", "Основание"),
    "Redact all": ("Барлығын жасыру", "Скрыть все"),
    "Redact every occurrence of": ("Мына мәтіннің барлық кездесуін жасыру", "Скрыть все вхождения"),
    "Redacted transcript": ("Бүркемеленген транскрипт", "Обезличенная расшифровка"),
    "Redaction review": ("Бүркемелеуді қарау", "Проверка обезличивания"),
    "Redaction": ("Бүркемелеу", "Обезличивание"),
    "Release blocked: personal data approved for removal is still readable.": (
        "Беру тоқтатылды: жасыруға бекітілген дербес деректер әлі оқылады.",
        "Выдача заблокирована: персональные данные, утверждённые к удалению, всё ещё читаются.",
    ),
    "Residual check": ("Қалдық тексеру", "Остаточная проверка"),
    "Save decisions": ("Шешімдерді сақтау", "Сохранить решения"),
    "Score": ("Сенімділік", "Оценка"),
    "Source": ("Дереккөз", "Источник"),
    "Still proposed by the analyzer": ("Талдаушы әлі де ұсынады", "Анализатор всё ещё предлагает"),
    "Text or place": ("Мәтін немесе орны", "Текст или место"),
    "Type": ("Түрі", "Тип"),
    "Undecided proposals": ("Шешілмеген ұсыныстар", "Нерешённые предложения"),
    "Version": ("Нұсқа", "Версия"),
    "approved": ("бекітілді", "утверждено"),
    "box (page or frame pixels)": (
        "аймақ (бет немесе кадр пикселдері)",
        "область (пиксели страницы или кадра)",
    ),
    "boxes": ("аймақ", "областей"),
    "from": ("бастап", "от"),
    "height": ("биіктігі", "высота"),
    "hide all": ("барлығын жасыру", "скрыть все"),
    "hide": ("жасыру", "скрыть"),
    "keep all": ("барлығын қалдыру", "оставить все"),
    "keep": ("қалдыру", "оставить"),
    "leave pending": ("шешусіз қалдыру", "оставить без решения"),
    "page": ("бет", "страница"),
    "text span (characters)": ("мәтін үзіндісі (таңбалар)", "фрагмент текста (символы)"),
    "time range (seconds)": ("уақыт аралығы (секунд)", "интервал времени (секунды)"),
    "to": ("дейін", "до"),
    "width": ("ені", "ширина"),
    # Background analysis and rendering of video
    "Analysing: faces and licence plates are being looked for in every frame of the video. This takes about twice the video's length; this page refreshes itself.": (
        "Талдау жүріп жатыр: видеоның әр кадрынан беттер мен көлік нөмірлері ізделуде. Бұл видео ұзақтығынан шамамен екі есе көп уақыт алады; бет өздігінен жаңарады.",
        "Идёт анализ: в каждом кадре видео ищутся лица и номерные знаки. Это занимает примерно вдвое больше длительности видео; страница обновляется сама.",
    ),
    "Rendering: the redacted copy is being made and checked. Your approval is already recorded; this page refreshes itself.": (
        "Көшірме жасалуда: бүркемеленген көшірме дайындалып, тексерілуде. Бекітуіңіз жазылып қойды; бет өздігінен жаңарады.",
        "Создаётся копия: обезличенная копия готовится и проверяется. Ваше утверждение уже записано; страница обновляется сама.",
    ),
    "Done": ("Орындалды", "Выполнено"),
    "Refresh": ("Жаңарту", "Обновить"),
    "Analysis failed:": ("Талдау сәтсіз аяқталды:", "Анализ не удался:"),
    "Rendering failed:": ("Көшірме жасау сәтсіз аяқталды:", "Не удалось создать копию:"),
    "Nothing was hidden and no copy was made.": (
        "Ештеңе жасырылған жоқ және көшірме жасалған жоқ.",
        "Ничего не скрыто, копия не создана.",
    ),
    "Analyse again": ("Қайта талдау", "Проанализировать заново"),
    "Try rendering again": ("Көшірмені қайта жасау", "Создать копию заново"),
    "Video is analysed in the background; the plan page shows its progress.": (
        "Видео фондық режимде талданады; жоспар беті оның барысын көрсетеді.",
        "Видео анализируется в фоновом режиме; страница плана показывает ход работы.",
    ),
    "For video the copy is made in the background after approval.": (
        "Видеоның көшірмесі бекітуден кейін фондық режимде жасалады.",
        "Для видео копия создаётся в фоновом режиме после утверждения.",
    ),
}


# Plan states as the page shows them: status → (English, Kazakh, Russian)
STATUS: dict[str, tuple[str, str, str]] = {
    "draft": ("draft", "жоба", "черновик"),
    "approved": ("approved", "бекітілді", "утверждён"),
    "superseded": ("superseded", "ауыстырылды", "заменён"),
    "analysing": ("analysing", "талдануда", "анализируется"),
    "rendering": ("rendering", "көшірме жасалуда", "создаётся копия"),
    "failed": ("failed", "сәтсіз аяқталды", "ошибка"),
}


def gettext(message: str) -> str:
    """``message`` in the current page language (our table, then the shared catalog)."""
    lang = i18n.current()
    pair = T.get(message)
    if pair is None:
        return i18n.translations(lang).gettext(message)
    return {"kk": pair[0], "ru": pair[1]}.get(lang, message)


def status_label(status: object) -> str:
    """A plan status in the current page language."""
    names = STATUS.get(str(status))
    if names is None:
        return str(status)
    return names[{"kk": 1, "ru": 2}.get(i18n.current(), 0)]
