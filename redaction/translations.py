# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian translations of the redaction pages and messages: a table of the
catalog tool (`python -m evidence.i18n.update`, whose docstring says how to add one), in
the words of `evidence/i18n/TERMS.md`."""

from __future__ import annotations

# msgid → (Kazakh, Russian)
T: dict[object, tuple[object, object]] = {
    # Legal bases of hidden regions and the exemption log (issue 15).
    "personal data (Law on personal data and their protection, art. 8)": (
        "дербес деректер («Дербес деректер және оларды қорғау туралы» Заң, 8-бап)",
        "персональные данные (Закон «О персональных данных и их защите», ст. 8)",
    ),
    "banking secrecy (Law on banks and banking activity, art. 50)": (
        "банк құпиясы («Банктер және банк қызметі туралы» Заң, 50-бап)",
        "банковская тайна (Закон «О банках и банковской деятельности», ст. 50)",
    ),
    "protection of a witness or victim (Criminal Procedure Code, art. 97)": (
        "куәгерді немесе жәбірленушіні қорғау (Қылмыстық-процестік кодекс, 97-бап)",
        "защита свидетеля или потерпевшего (Уголовно-процессуальный кодекс, ст. 97)",
    ),
    "state secret (Law on state secrets)": (
        "мемлекеттік құпия («Мемлекеттік құпиялар туралы» Заң)",
        "государственная тайна (Закон «О государственных секретах»)",
    ),
    "secrecy of the pre-trial investigation (Criminal Procedure Code, art. 201)": (
        "сотқа дейінгі тергеп-тексеру құпиясы (Қылмыстық-процестік кодекс, 201-бап)",
        "тайна досудебного расследования (Уголовно-процессуальный кодекс, ст. 201)",
    ),
    "%(basis)r is not a configured legal basis (one of %(bases)s)": (
        "%(basis)r тізімдегі құқықтық негіз емес (мыналардың бірі: %(bases)s)",
        "%(basis)r не входит в список правовых оснований (одно из: %(bases)s)",
    ),
    "legal bases set: %(bases)s, notes: %(notes)s": (
        "құқықтық негіздер белгіленді: %(bases)s, ескертпелер: %(notes)s",
        "указаны правовые основания: %(bases)s, примечания: %(notes)s",
    ),
    "give every hidden region a legal basis from the list first; missing: %(numbers)s": (
        "алдымен әр жасырылған аймаққа тізімнен құқықтық негіз көрсетіңіз; жоқ: %(numbers)s",
        "сначала укажите правовое основание из списка для каждой скрытой области; нет у: %(numbers)s",
    ),
    # Review page: legal bases and overrides (issue 15).
    "Add a box where it is still readable, or release with a recorded reason.": (
        "Әлі оқылатын жерге аймақ қосыңыз немесе себебін жазып шығарыңыз.",
        "Добавьте область там, где данные ещё читаются, или выпустите с указанием причины.",
    ),
    "Block overridden by %(user)s: %(reason)s": (
        "Бұғатты %(user)s алып тастады: %(reason)s",
        "Блокировку снял(а) %(user)s: %(reason)s",
    ),
    "Why may what the check still reads be released?": (
        "Тексеріс әлі оқитын деректерді неге шығаруға болады?",
        "Почему то, что проверка ещё читает, можно выпустить?",
    ),
    "Release for this reason": ("Осы себеппен шығару", "Выпустить по этой причине"),
    "choose a legal basis": ("құқықтық негізді таңдаңыз", "выберите правовое основание"),
    # Why a recognizer proposed something (issue 15).
    "checksum fails: possibly a mistyped IIN": (
        "бақылау саны сәйкес емес: ЖСН қате терілген болуы мүмкін",
        "контрольная цифра не сходится: возможно, ИИН с опечаткой",
    ),
    "IIN checksum and date": ("ЖСН бақылау саны мен күні", "контрольная цифра и дата ИИН"),
    "BIN checksum": ("БСН бақылау саны", "контрольная цифра БИН"),
    "phone number format": ("телефон нөмірінің пішімі", "формат номера телефона"),
    "mobile number without a prefix": ("кодсыз ұялы нөмір", "мобильный номер без префикса"),
    "account number check digits": (
        "шот нөмірінің бақылау сандары",
        "контрольные цифры номера счёта",
    ),
    "card number check digit": ("карта нөмірінің бақылау саны", "контрольная цифра номера карты"),
    "plate format": ("мемлекеттік нөмір пішімі", "формат госномера"),
    "older plate format": ("ескі мемлекеттік нөмір пішімі", "старый формат госномера"),
    "street and house number": ("көше және үй нөмірі", "улица и номер дома"),
    "date next to a birth word": (
        "туған күн сөзінің жанындағы күн",
        "дата рядом со словом о рождении",
    ),
    "name and patronymic": ("аты мен әкесінің аты", "имя и отчество"),
    "surname and initials": ("тегі мен аты-жөнінің бас әріптері", "фамилия и инициалы"),
    "surname and given name": ("тегі мен аты", "фамилия и имя"),
    "given name from the list": ("тізімдегі есім", "имя из списка"),
    "surname ending": ("тегіне тән жалғау", "окончание фамилии"),
    "name recognised by the language model": (
        "тілдік модель таныған есім",
        "имя, распознанное языковой моделью",
    ),
    "searched everywhere in the case": (
        "істің барлық материалынан ізделді",
        "найдено поиском по всему делу",
    ),
    # Case-wide redaction (issue 15).
    "decision is pending or accepted": (
        "шешім: pending (шешілмеген) немесе accepted (жасыру)",
        "решение: pending (не принято) или accepted (скрыть)",
    ),
    "proposed everywhere in the case (%(n)s characters)": (
        "істің барлық материалында ұсынылды (%(n)s таңба)",
        "предложено во всех материалах дела (%(n)s символов)",
    ),
    "the plan changed meanwhile; search again": (
        "жоспар осы аралықта өзгерді; қайта іздеңіз",
        "план тем временем изменился; повторите поиск",
    ),
    # Residual check overrides (issue 15).
    "an override needs a reason of at least 10 characters": (
        "нәтижені өзгерту үшін кемінде 10 таңбалы себеп керек",
        "для отмены блокировки нужна причина не короче 10 символов",
    ),
    "only the latest approved plan whose residual check blocked it can be overridden": (
        "қалдық тексерісі бұғаттаған соңғы бекітілген жоспардың ғана нәтижесін өзгертуге болады",
        "отменить блокировку можно только у последнего утверждённого плана, заблокированного проверкой остатков",
    ),
    "this plan's residual check was already overridden": (
        "бұл жоспардың қалдық тексерісінің нәтижесі бұрын өзгертілген",
        "блокировка проверки остатков для этого плана уже отменена",
    ),
    "a video's block is lifted by revising the plan (add a box)": (
        "бейненің бұғатын жоспарды өзгерту арқылы алыңыз (аймақ қосыңыз)",
        "блокировку видео снимает изменение плана (добавьте область)",
    ),
    "Add": ("Қосу", "Добавить"),
    "Add by hand": ("Қолмен қосу", "Добавить вручную"),
    "After": ("Кейін", "После"),
    "Analyse": ("Талдау", "Проанализировать"),
    "Analyse again": ("Қайта талдау", "Проанализировать заново"),
    "analysing": ("талдануда", "анализируется"),
    "Analysing: faces and licence plates are being looked for in every frame of the video. This takes about twice the video's length; this page refreshes itself.": (
        "Талдау жүріп жатыр: бейненің әр кадрынан бет-әлпеттер мен көлік нөмірлері ізделуде. Бұл бейне ұзақтығынан шамамен екі есе көп уақыт алады; бет өздігінен жаңарады.",
        "Идёт анализ: в каждом кадре видео ищутся лица и номерные знаки. Это занимает примерно вдвое больше длительности видео; страница обновляется сама.",
    ),
    "Analysis failed:": ("Талдау сәтсіз аяқталды:", "Анализ не удался:"),
    "Approval renders a redacted copy, checks it by reading it back, and records your approval in the chain of custody. The original is not changed.": (
        "Бекіту бүркемеленген көшірме жасайды, оны қайта оқып тексереді және бекітуіңізді сақтау тізбегіне жазады. Түпнұсқа өзгермейді.",
        "Утверждение создаёт обезличенную копию, проверяет её повторным чтением и записывает ваше утверждение в цепочку хранения. Оригинал не меняется.",
    ),
    "Approve": ("Бекіту", "Утверждение"),
    "Approve and render": ("Бекіту және көшірме жасау", "Утвердить и создать копию"),
    "approved": ("бекітілді", "утверждён"),
    "Back to the item": ("Материалға оралу", "Назад к материалу"),
    "Before": ("Дейін", "До"),
    "Before and after": ("Дейін және кейін", "До и после"),
    "box (page or frame pixels)": (
        "аймақ (бет немесе кадр пикселдері)",
        "область (пиксели страницы или кадра)",
    ),
    "boxes": ("аймақ", "областей"),
    "Decision": ("Шешім", "Решение"),
    "Done": ("Орындалды", "Выполнено"),
    "draft": ("жоба", "черновик"),
    "End": ("Соңы", "Конец"),
    "For video the copy is made in the background after approval.": (
        "Бейненің көшірмесі бекітуден кейін фондық режимде жасалады.",
        "Для видео копия создаётся в фоновом режиме после утверждения.",
    ),
    "height": ("биіктігі", "высота"),
    "hide": ("жасыру", "скрыть"),
    "hide all": ("барлығын жасыру", "скрыть все"),
    "keep": ("қалдыру", "оставить"),
    "keep all": ("барлығын қалдыру", "оставить все"),
    "leave pending": ("шешусіз қалдыру", "оставить без решения"),
    "No redaction plan yet. Analysis proposes personal data to hide; nothing is hidden until a prosecutor approves.": (
        "Бүркемелеу жоспары әлі жоқ. Талдау жасыруға болатын дербес деректерді ұсынады; прокурор бекітпейінше ештеңе жасырылмайды.",
        "Плана обезличивания пока нет. Анализ предлагает персональные данные для скрытия; ничего не скрывается, пока прокурор не утвердит.",
    ),
    "Nothing was hidden and no copy was made.": (
        "Ештеңе жасырылған жоқ және көшірме жасалған жоқ.",
        "Ничего не скрыто, копия не создана.",
    ),
    "Open the redacted copy": ("Бүркемеленген көшірмені ашу", "Открыть обезличенную копию"),
    "Passed: the redacted copy can be disclosed.": (
        "Тексеруден өтті: бүркемеленген көшірмені ашып көрсетуге болады.",
        "Проверка пройдена: обезличенную копию можно раскрыть.",
    ),
    "Proposals": ("Ұсыныстар", "Предложения"),
    "Reason": ("Негіз", "Основание"),
    "Redact all": ("Барлығын бүркемелеу", "Обезличить все"),
    "Redact every occurrence of": (
        "Мына мәтіннің барлық кездесуін бүркемелеу",
        "Обезличить все вхождения",
    ),
    "Redacted transcript": ("Бүркемеленген транскрипт", "Обезличенная расшифровка"),
    "Redaction": ("Бүркемелеу", "Обезличивание"),
    "Redaction review": ("Бүркемелеуді қарау", "Проверка обезличивания"),
    "Refresh": ("Жаңарту", "Обновить"),
    "Release blocked: personal data approved for removal is still readable.": (
        "Беру тоқтатылды: жасыруға бекітілген дербес деректер әлі оқылады.",
        "Выдача заблокирована: персональные данные, утверждённые к удалению, всё ещё читаются.",
    ),
    "rendering": ("көшірме жасалуда", "создаётся копия"),
    "Rendering failed:": ("Көшірме жасау сәтсіз аяқталды:", "Не удалось создать копию:"),
    "Rendering: the redacted copy is being made and checked. Your approval is already recorded; this page refreshes itself.": (
        "Көшірме жасалуда: бүркемеленген көшірме дайындалып, тексерілуде. Бекітуіңіз жазылып қойды; бет өздігінен жаңарады.",
        "Создаётся копия: обезличенная копия готовится и проверяется. Ваше утверждение уже записано; страница обновляется сама.",
    ),
    "Residual check": ("Қалдық тексеру", "Остаточная проверка"),
    "Save decisions": ("Шешімдерді сақтау", "Сохранить решения"),
    "Score": ("Сенімділік", "Оценка"),
    "Start": ("Басы", "Начало"),
    "Still proposed by the analyzer": ("Талдаушы әлі де ұсынады", "Анализатор всё ещё предлагает"),
    "superseded": ("ауыстырылды", "заменён"),
    "Text or place": ("Мәтін немесе орны", "Текст или место"),
    "text span (characters)": ("мәтін үзіндісі (таңбалар)", "фрагмент текста (символы)"),
    "time range (seconds)": ("уақыт аралығы (секунд)", "интервал времени (секунды)"),
    "Try rendering again": ("Көшірмені қайта жасау", "Создать копию заново"),
    "Undecided proposals": ("Шешілмеген ұсыныстар", "Нерешённые предложения"),
    "Video is analysed in the background; the plan page shows its progress.": (
        "Бейне фондық режимде талданады; жоспар беті оның барысын көрсетеді.",
        "Видео анализируется в фоновом режиме; страница плана показывает ход работы.",
    ),
    "width": ("ені", "ширина"),
    # Messages of the service layer (shown after "The request could not be completed:").
    "%(tool)s failed: %(reason)s": (
        "%(tool)s сәтсіз аяқталды: %(reason)s",
        "ошибка %(tool)s: %(reason)s",
    ),
    "no redaction renderer for %(type)s; convert it to PDF first": (
        "%(type)s үшін бүркемелеу құралы жоқ; алдымен PDF-ке түрлендіріңіз",
        "для %(type)s нет средства обезличивания; сначала преобразуйте в PDF",
    ),
    "language %(language)r is not one of %(languages)s": (
        "%(language)r тілі мыналардың қатарында жоқ: %(languages)s",
        "язык %(language)r не входит в список: %(languages)s",
    ),
    "cannot read redaction data file %(path)s: %(reason)s": (
        "%(path)s бүркемелеу деректер файлын оқу мүмкін емес: %(reason)s",
        "не удаётся прочитать файл данных обезличивания %(path)s: %(reason)s",
    ),
    "%(setting)s points at %(path)s, which is not a directory": (
        "%(setting)s қалта емес %(path)s жолын көрсетеді",
        "%(setting)s указывает на %(path)s, это не папка",
    ),
    "ffprobe cannot read the video: %(reason)s": (
        "ffprobe бейнені оқи алмайды: %(reason)s",
        "ffprobe не может прочитать видео: %(reason)s",
    ),
    "no video stream": ("бейне ағыны жоқ", "нет видеопотока"),
    "Haar cascade %(name)s is missing: install opencv-python-headless<5": (
        "%(name)s Haar каскады жоқ: opencv-python-headless<5 орнатыңыз",
        "нет каскада Хаара %(name)s: установите opencv-python-headless<5",
    ),
    "no such redaction plan": (
        "мұндай бүркемелеу жоспары жоқ",
        "такого плана обезличивания нет",
    ),
    "only an approved plan renders (this one is %(status)s)": (
        "көшірмені тек бекітілген жоспар бойынша жасауға болады (бұл жоспар: %(status)s)",
        "копию можно создать только по утверждённому плану (этот план: %(status)s)",
    ),
    "nothing to search for": (
        "іздейтін ештеңе жоқ",
        "нечего искать",
    ),
    "span %(start)s-%(end)s is outside the analysed text": (
        "%(start)s-%(end)s үзіндісі талданған мәтіннен тыс",
        "фрагмент %(start)s-%(end)s выходит за пределы проанализированного текста",
    ),
    "a box needs page >= 1 and no negative edge": (
        "аймақ үшін бет нөмірі >= 1 және шеттері теріс емес болуы керек",
        "для области нужны страница >= 1 и неотрицательные края",
    ),
    # Boxes drawn on pages and images (issue 15).
    "found by the face detector": ("бет-әлпет детекторы тапты", "найдено детектором лиц"),
    "found by the licence plate detector": (
        "көлік нөмірі детекторы тапты",
        "найдено детектором госномеров",
    ),
    "Saving…": ("Сақталуда…", "Сохранение…"),
    "Not saved:": ("Сақталмады:", "Не сохранено:"),
    "On the page": ("Беттің өзінде", "На странице"),
    "Click a box to hide or keep it; drag a box to move it, its corner to resize it; drag on the page to draw a new box. Keys: N / P next and previous box, Space hide or keep, arrows move (Shift: resize), D draw a box in the middle, U undo, + and − zoom.": (
        "Аймақты жасыру немесе қалдыру үшін оны басыңыз; жылжыту үшін аймақты, өлшемін өзгерту үшін оның бұрышын сүйреңіз; жаңа аймақ салу үшін бетте сүйреңіз. Пернелер: N / P — келесі және алдыңғы аймақ, Бос орын — жасыру немесе қалдыру, көрсеткілер — жылжыту (Shift: өлшемін өзгерту), D — ортасына аймақ салу, U — кері қайтару, + және − — масштаб.",
        "Нажмите на область, чтобы скрыть или оставить её; перетащите область, чтобы сдвинуть, её угол — чтобы изменить размер; потяните по странице, чтобы нарисовать новую область. Клавиши: N / P — следующая и предыдущая область, Пробел — скрыть или оставить, стрелки — сдвинуть (Shift: изменить размер), D — область в середине, U — отменить, + и − — масштаб.",
    ),
    "The boxes of this version; it can no longer be changed.": (
        "Осы нұсқаның аймақтары; оны енді өзгерту мүмкін емес.",
        "Области этой версии; её уже нельзя изменить.",
    ),
    "%(n)s undecided": ("%(n)s шешілмеген", "не решено: %(n)s"),
    "Page tools": ("Бет құралдары", "Инструменты страницы"),
    "Zoom out": ("Кішірейту", "Уменьшить"),
    "Zoom in": ("Үлкейту", "Увеличить"),
    "Fit": ("Бетті сыйғызу", "По ширине"),
    "New box: type": ("Жаңа аймақ: түрі", "Новая область: тип"),
    "Undo": ("Кері қайтару", "Отменить"),
    "Boxes on this page": ("Осы беттегі аймақтар", "Области на этой странице"),
    "as it will be rendered": ("қалай жасалатыны", "как будет сформировано"),
    "As it will be rendered: every hidden box burned black": (
        "Дайын көшірме осындай болады: әр жасырылған аймақ қара түспен бояланады",
        "Так будет выглядеть копия: каждая скрытая область закрашена чёрным",
    ),
    "a box needs a positive width and height": (
        "аймақтың ені мен биіктігі оң болуы керек",
        "у области должны быть положительные ширина и высота",
    ),
    "this item has no pages or frames to draw a box on": (
        "бұл материалда аймақ салатын бет те, кадр да жоқ",
        "в этом материале нет страниц или кадров, на которых можно нарисовать область",
    ),
    "page %(page)s is not in this item (it has %(pages)s)": (
        "%(page)s-бет бұл материалда жоқ (онда %(pages)s бет бар)",
        "страницы %(page)s нет в этом материале (в нём страниц: %(pages)s)",
    ),
    "the box reaches outside page %(page)s (%(width)s×%(height)s pixels)": (
        "аймақ %(page)s-беттің шегінен шығып тұр (%(width)s×%(height)s пиксель)",
        "область выходит за пределы страницы %(page)s (%(width)s×%(height)s пикселей)",
    ),
    "page %(page)s is not in this document": (
        "%(page)s-бет бұл құжатта жоқ",
        "страницы %(page)s нет в этом документе",
    ),
    "width is one of %(widths)s": (
        "ені мыналардың бірі: %(widths)s",
        "ширина — одно из значений: %(widths)s",
    ),
    "page %(page)s has no picture in this item": (
        "бұл материалда %(page)s-беттің суреті жоқ",
        "у этого материала нет изображения страницы %(page)s",
    ),
    "boxes of proposal %(n)s moved": (
        "%(n)s ұсынысының аймақтары жылжытылды",
        "области предложения %(n)s сдвинуты",
    ),
    "undone: back to version %(n)s": (
        "кері қайтарылды: %(n)s нұсқаға оралды",
        "отменено: возврат к версии %(n)s",
    ),
    "give at least one box": (
        "кемінде бір аймақ көрсетіңіз",
        "укажите хотя бы одну область",
    ),
    "at most 100 boxes per proposal": (
        "бір ұсынысқа ең көбі 100 аймақ",
        "не более 100 областей на одно предложение",
    ),
    "a box proposal has exactly one box": (
        "аймақ ұсынысында дәл бір аймақ болады",
        "у предложения-области ровно одна область",
    ),
    "proposal %(number)s has no boxes to move": (
        "%(number)s ұсынысында жылжытатын аймақ жоқ",
        "у предложения %(number)s нет областей, которые можно сдвинуть",
    ),
    "nothing to undo: this version starts from an analysis": (
        "қайтаратын ештеңе жоқ: бұл нұсқа талдаудан басталады",
        "нечего отменять: эта версия начинается с анализа",
    ),
    "a box's time range must have 0 <= t_start < t_end": (
        "аймақтың уақыт аралығында 0 <= t_start < t_end болуы керек",
        "во временном интервале области должно быть 0 <= t_start < t_end",
    ),
    "a time range must have 0 <= start < end": (
        "уақыт аралығында 0 <= start < end болуы керек",
        "во временном интервале должно быть 0 <= start < end",
    ),
    "a target's numbers are finite and at most %(max)d": (
        "нысананың сандары шекті және %(max)d-ден аспайды",
        "числа цели конечны и не больше %(max)d",
    ),
    "incomplete or malformed %(kind)s target: %(reason)s": (
        "%(kind)s нысанасы толық емес немесе қате: %(reason)s",
        "цель %(kind)s неполна или неверна: %(reason)s",
    ),
    "a target's kind is span, box or time": (
        "нысана түрі: span, box немесе time",
        "вид цели: span, box или time",
    ),
    "no proposals numbered %(numbers)s in this plan": (
        "бұл жоспарда %(numbers)s нөмірлі ұсыныстар жоқ",
        "в этом плане нет предложений с номерами %(numbers)s",
    ),
    "this item has no analysed text to search": (
        "бұл материалда іздеуге болатын талданған мәтін жоқ",
        "у этого материала нет проанализированного текста для поиска",
    ),
    "span %(start)s-%(end)s is outside the text (length %(length)s)": (
        "%(start)s-%(end)s үзіндісі мәтіннен тыс (ұзындығы %(length)s)",
        "фрагмент %(start)s-%(end)s выходит за пределы текста (длина %(length)s)",
    ),
    "unknown render mode %(mode)r": (
        "белгісіз көшірме режимі: %(mode)r",
        "неизвестный режим создания копии: %(mode)r",
    ),
    "no placeholder labels for language %(language)r": (
        "%(language)r тілі үшін орынбасар белгілері жоқ",
        "для языка %(language)r нет меток-заменителей",
    ),
    "plan version %(version)s is %(status)s; edit the latest draft": (
        "жоспардың %(version)s нұсқасы: %(status)s; ең соңғы жобаны өңдеңіз",
        "версия плана %(version)s: %(status)s; редактируйте последний черновик",
    ),
    "a newer version of this plan exists; reload it": (
        "бұл жоспардың жаңа нұсқасы бар; бетті жаңартыңыз",
        "есть более новая версия этого плана; обновите страницу",
    ),
    "mode is placeholder or mask": (
        "режим: placeholder немесе mask",
        "режим: placeholder или mask",
    ),
    "nothing to add": (
        "қосатын ештеңе жоқ",
        "нечего добавить",
    ),
    "another change to this plan was saved first; reload it": (
        "бұл жоспардың басқа өзгерісі бұрын сақталды; бетті жаңартыңыз",
        "другое изменение этого плана сохранено раньше; обновите страницу",
    ),
    "only the latest draft can be approved (this one is %(status)s)": (
        "тек ең соңғы жобаны бекітуге болады (бұл жоспар: %(status)s)",
        "утвердить можно только последний черновик (этот план: %(status)s)",
    ),
    "decide every proposal first; pending: %(numbers)s": (
        "алдымен әр ұсыныс бойынша шешім қабылдаңыз; шешілмегендер: %(numbers)s",
        "сначала примите решение по каждому предложению; без решения: %(numbers)s",
    ),
    "%(field)s must be a number": (
        "%(field)s сан болуы керек",
        "%(field)s должно быть числом",
    ),
    "custom_patterns[%(i)s] is invalid: %(reason)s": (
        "custom_patterns[%(i)s] қате: %(reason)s",
        "custom_patterns[%(i)s] неверен: %(reason)s",
    ),
    "natasha is not installed": (
        "natasha орнатылмаған",
        "natasha не установлена",
    ),
    "unknown audio mode %(mode)r": (
        "белгісіз аудио режимі: %(mode)r",
        "неизвестный режим аудио: %(mode)r",
    ),
    "the item has no audio stream": (
        "материалда аудио ағыны жоқ",
        "в материале нет аудиопотока",
    ),
    "no renderer for %(type)s": (
        "%(type)s үшін көшірме жасау құралы жоқ",
        "нет средства создания копии для %(type)s",
    ),
    "pdftoppm cannot read the document: %(reason)s": (
        "pdftoppm құжатты оқи алмайды: %(reason)s",
        "pdftoppm не может прочитать документ: %(reason)s",
    ),
    "the document has no pages": (
        "құжатта бет жоқ",
        "в документе нет страниц",
    ),
    "video encoding failed: %(reason)s": (
        "бейнені кодтау сәтсіз аяқталды: %(reason)s",
        "кодирование видео не удалось: %(reason)s",
    ),
    "undecided": ("шешілмеген", "без решения"),
    "hidden": ("жасыру", "скрыть"),
    "kept": ("қалдыру", "оставить"),
    "analyzer": ("талдаушы", "анализатор"),
    "by hand": ("қолмен", "вручную"),
    "face detector": ("бет-әлпет детекторы", "детектор лиц"),
    "plate detector": ("нөмір детекторы", "детектор номеров"),
    "person": ("аты-жөні", "ФИО"),
    "IIN": ("ЖСН", "ИИН"),
    "BIN": ("БСН", "БИН"),
    "phone number": ("телефон нөмірі", "номер телефона"),
    "e-mail address": ("электрондық пошта мекенжайы", "адрес электронной почты"),
    "IP address": ("IP-мекенжай", "IP-адрес"),
    "address": ("мекенжай", "адрес"),
    "date of birth": ("туған күні", "дата рождения"),
    "identity card": ("жеке куәлік", "удостоверение личности"),
    "passport": ("төлқұжат", "паспорт"),
    "vehicle plate": ("мемлекеттік тіркеу нөмірі", "государственный номер"),
    "bank account": ("банк шоты", "банковский счёт"),
    "bank card": ("банк картасы", "банковская карта"),
    "place": ("орын", "место"),
    "organisation": ("ұйым", "организация"),
    "face": ("бет-әлпет", "лицо"),
    "marked by hand": ("қолмен белгіленген", "отмечено вручную"),
    "recognised text": ("танылған мәтін", "распознанный текст"),
    "hidden text layer": ("жасырын мәтін қабаты", "скрытый текстовый слой"),
    "metadata": ("метадеректер", "метаданные"),
    "faces": ("бет-әлпеттер", "лица"),
    "analysis queued": ("талдау кезекке қойылды", "анализ поставлен в очередь"),
    "analysis": ("талдау", "анализ"),
    "%(n)s added by hand": ("қолмен қосылды: %(n)s", "вручную добавлено: %(n)s"),
    "every occurrence redacted (%(n)s characters)": (
        "барлық кездесуі бүркемеленді (%(n)s таңба)",
        "обезличены все вхождения (%(n)s символов)",
    ),
    "decisions: %(counts)s": ("шешімдер: %(counts)s", "решения: %(counts)s"),
    "undecided → %(decision)s": ("шешілмегендер → %(decision)s", "без решения → %(decision)s"),
    "hidden text: %(text)r": ("жасырын мәтін: %(text)r", "скрытый текст: %(text)r"),
    "the PDF keeps %(key)s": ("PDF ішінде %(key)s қалды", "в PDF остался %(key)s"),
    "the image keeps %(key)s": ("суретте %(key)s қалды", "в изображении остался %(key)s"),
    "speech at %(level).1f dBFS": (
        "сөз естіледі: %(level).1f dBFS",
        "слышна речь: %(level).1f dBFS",
    ),
    "a face is still detectable here": (
        "мұнда бет-әлпетті әлі тануға болады",
        "здесь ещё можно распознать лицо",
    ),
    "the container keeps %(key)s": ("контейнерде %(key)s қалды", "в контейнере остался %(key)s"),
    "%(seconds)s s": ("%(seconds)s с", "%(seconds)s с"),
    "%(start)s–%(end)s s": ("%(start)s–%(end)s с", "%(start)s–%(end)s с"),
    "detect automatically": ("автоматты түрде анықтау", "определить автоматически"),
}
