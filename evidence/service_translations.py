# ruff: noqa: E501  (translation strings are data; wrapping them would hurt review)
"""Kazakh and Russian translations of the service layer's messages (domain errors), shown
after "The request could not be completed:" on the pages, so they start in lower case.
A table of the catalog tool (`python -m evidence.i18n.update`).
"""

from __future__ import annotations

T: dict[object, tuple[object, object]] = {
    "%(field)s needs a time zone (e.g. 2026-11-21T09:30:00+05:00)": (
        "%(field)s өрісінде уақыт белдеуі көрсетілуі керек (мысалы, 2026-11-21T09:30:00+05:00)",
        "в поле %(field)s нужно указать часовой пояс (например, 2026-11-21T09:30:00+05:00)",
    ),
    "%(username)s is already a member": (
        "%(username)s бұл іске бұрыннан қатысады",
        "%(username)s уже участвует в деле",
    ),
    "%(username)s is not a member": (
        "%(username)s бұл іске қатыспайды",
        "%(username)s не участвует в деле",
    ),
    "%(username)s may not %(permission)s here": (
        "%(username)s пайдаланушысының мұнда «%(permission)s» құқығы жоқ",
        "у пользователя %(username)s здесь нет права «%(permission)s»",
    ),
    # dalel backup / dalel restore (evidence.service.backup)
    "%(file)s is missing or altered since the backup": (
        "%(file)s файлы жоқ немесе сақтық көшірме жасалғаннан кейін өзгертілген",
        "файл %(file)s отсутствует или изменён после создания резервной копии",
    ),
    "%(folder)s holds no readable backup.json": (
        "%(folder)s қалтасында оқылатын backup.json жоқ",
        "в папке %(folder)s нет читаемого backup.json",
    ),
    "%(folder)s is not empty; back up into a new folder": (
        "%(folder)s қалтасы бос емес; сақтық көшірмені жаңа қалтаға жасаңыз",
        "папка %(folder)s не пуста; создайте резервную копию в новой папке",
    ),
    "%(tool)s is not installed (Debian: postgresql-client)": (
        "%(tool)s орнатылмаған (Debian: postgresql-client)",
        "%(tool)s не установлен (Debian: postgresql-client)",
    ),
    "%(what)s failed: %(reason)s": (
        "%(what)s сәтсіз аяқталды: %(reason)s",
        "%(what)s завершился с ошибкой: %(reason)s",
    ),
    "backup copy of %(key)s does not hash to its name": (
        "%(key)s сақтық көшірмесінің хэші оның атауына сәйкес келмейді",
        "хеш резервной копии %(key)s не совпадает с её именем",
    ),
    "no backup for the %(dialect)s database": (
        "%(dialect)s дерекқорының сақтық көшірмесі жасалмайды",
        "резервное копирование базы данных %(dialect)s не поддерживается",
    ),
    "stored object %(key)s does not hash to its name": (
        "сақталған %(key)s нысанының хэші оның атауына сәйкес келмейді",
        "хеш хранимого объекта %(key)s не совпадает с его именем",
    ),
    "the backup is of a %(source)s database; DALEL_DATABASE_URL names %(target)s": (
        "сақтық көшірме %(source)s дерекқорынан жасалған; DALEL_DATABASE_URL %(target)s дерекқорын көрсетеді",
        "резервная копия сделана из базы данных %(source)s; DALEL_DATABASE_URL указывает на %(target)s",
    ),
    "the restored ledger (%(size)d entries) is not the backed-up one": (
        "қалпына келтірілген журнал (%(size)d жазба) сақтық көшірмедегі журнал емес",
        "восстановленный журнал (%(size)d записей) не совпадает с журналом резервной копии",
    ),
    "the target database already has tables (%(count)d); restore into an empty one": (
        "мақсатты дерекқорда кестелер бар (%(count)d); бос дерекқорға қалпына келтіріңіз",
        "в целевой базе данных уже есть таблицы (%(count)d); восстанавливайте в пустую",
    ),
    "a SHA-256 is 64 hexadecimal characters": (
        "SHA-256 мәні 64 он алтылық таңбадан тұрады",
        "значение SHA-256 состоит из 64 шестнадцатеричных символов",
    ),
    "a case title is 1–300 characters": (
        "іс атауы 1-ден 300 таңбаға дейін болуы керек",
        "название дела должно содержать от 1 до 300 символов",
    ),
    "a clip ends after it starts": (
        "үзіндінің соңы басталуынан кейін болуы керек",
        "фрагмент должен заканчиваться позже, чем начинается",
    ),
    "a clip needs a start and an end": (
        "үзіндінің басы мен соңын көрсетіңіз",
        "укажите начало и конец фрагмента",
    ),
    "a derivation names at least its tool and version": (
        "туынды материал үшін кемінде құрал мен оның нұсқасы көрсетілуі керек",
        "для производного материала нужно указать как минимум инструмент и его версию",
    ),
    "a file name may not contain a path; send the folder as original_path": (
        "файл атауында жол болмауы керек; қалтаны original_path өрісінде жіберіңіз",
        "имя файла не должно содержать путь; передайте папку в поле original_path",
    ),
    "a member's role in the case must match their account role": (
        "қатысушының істегі рөлі оның тіркелгісіндегі рөлмен сәйкес келуі керек",
        "роль участника в деле должна совпадать с ролью его учётной записи",
    ),
    "a note is 1 to 4000 characters": (
        "жазба 1-ден 4000 таңбаға дейін болуы керек",
        "заметка должна содержать от 1 до 4000 символов",
    ),
    "a range ends after it starts": (
        "аралықтың соңы басталуынан кейін болуы керек",
        "интервал должен заканчиваться позже, чем начинается",
    ),
    "a region is x,y,w,h as fractions between 0 and 1": (
        "аймақ x,y,w,h түрінде 0 мен 1 аралығындағы үлестермен беріледі",
        "область задаётся как x,y,w,h в долях от 0 до 1",
    ),
    "a tag is 1 to %(max)d characters": (
        "тег 1-ден %(max)d таңбаға дейін болуы керек",
        "тег должен содержать от 1 до %(max)d символов",
    ),
    "an ЕРДР case number is exactly 15 digits": (
        "СДТБТ бойынша іс нөмірі дәл 15 цифрдан тұрады",
        "номер дела в ЕРДР состоит ровно из 15 цифр",
    ),
    "another administrator must reset your two-factor sign-in": (
        "екі факторлы кіруіңізді басқа әкімші қалпына келтіруі керек",
        "сбросить ваш двухфакторный вход должен другой администратор",
    ),
    "bulk tagging works inside one case": (
        "топтап тег қою тек бір істің ішінде мүмкін",
        "массовая отметка тегами возможна только в пределах одного дела",
    ),
    "case %(number)s already exists": (
        "%(number)s нөмірлі іс бұрыннан бар",
        "дело %(number)s уже существует",
    ),
    "choose at least one item and one tag": (
        "кемінде бір материал мен бір тегті таңдаңыз",
        "выберите хотя бы один материал и один тег",
    ),
    "dates are YYYY-MM-DD": (
        "күн ЖЖЖЖ-АА-КК пішімінде жазылады",
        "даты указываются в формате ГГГГ-ММ-ДД",
    ),
    "device keys can only be bound to an officer": (
        "құрылғы кілтін тек полиция қызметкеріне байлауға болады",
        "ключ устройства можно привязать только к сотруднику полиции",
    ),
    "device must be a non-empty name of at most 120 characters": (
        "құрылғы атауы бос болмауы және 120 таңбадан аспауы керек",
        "название устройства не может быть пустым и должно содержать не более 120 символов",
    ),
    "enter a code from your current authenticator to replace it": (
        "ауыстыру үшін қазіргі аутентификатордағы кодты енгізіңіз",
        "чтобы заменить аутентификатор, введите код из текущего",
    ),
    "enter the 6-digit code from your authenticator app": (
        "аутентификатор қолданбасындағы 6 таңбалы кодты енгізіңіз",
        "введите 6-значный код из приложения-аутентификатора",
    ),
    "expected a chunk at offset %(expected)d, not %(offset)d": (
        "бөлік %(offset)d емес, %(expected)d ығысудан басталуы керек",
        "ожидалась часть со смещением %(expected)d, а не %(offset)d",
    ),
    "file names are at most 255 characters": (
        "файл атауы 255 таңбадан аспауы керек",
        "имя файла должно содержать не более 255 символов",
    ),
    "file names may not contain control characters": (
        "файл атауында басқару таңбалары болмауы керек",
        "имя файла не должно содержать управляющих символов",
    ),
    "give the reason for the reset (at most 500 characters)": (
        "қалпына келтіру себебін көрсетіңіз (500 таңбадан аспайтын)",
        "укажите причину сброса (не более 500 символов)",
    ),
    "malformed multipart body: %(reason)s": (
        "multipart сұрауының денесі қате: %(reason)s",
        "некорректное тело multipart-запроса: %(reason)s",
    ),
    "no case %(number)s": (
        "%(number)s нөмірлі іс табылмады",
        "дело %(number)s не найдено",
    ),
    "no such case": ("мұндай іс жоқ", "такого дела нет"),
    "no such clip": ("мұндай үзінді жоқ", "такого фрагмента нет"),
    "no such item": ("мұндай материал жоқ", "такого материала нет"),
    "no such note": ("мұндай жазба жоқ", "такой заметки нет"),
    "no such upload session (it may have expired)": (
        "мұндай жүктеп салу сеансы жоқ (мерзімі өтіп кеткен болуы мүмкін)",
        "такого сеанса загрузки нет (возможно, он истёк)",
    ),
    "no such user": ("мұндай пайдаланушы жоқ", "такого пользователя нет"),
    "no user %(username)s": (
        "%(username)s деген пайдаланушы табылмады",
        "пользователь %(username)s не найден",
    ),
    "only %(received)d of %(size)d bytes have arrived": (
        "%(size)d байттың тек %(received)d байты келіп түсті",
        "получено только %(received)d из %(size)d байт",
    ),
    "only the author may delete a note": (
        "жазбаны тек оның авторы жоя алады",
        "удалить заметку может только её автор",
    ),
    "original_path is at most 1024 characters": (
        "original_path 1024 таңбадан аспауы керек",
        "original_path должен содержать не более 1024 символов",
    ),
    "original_path may not contain control characters": (
        "original_path ішінде басқару таңбалары болмауы керек",
        "original_path не должен содержать управляющих символов",
    ),
    "original_path must be relative and may not contain '..'": (
        "original_path салыстырмалы болуы керек және '..' қамтымауы тиіс",
        "original_path должен быть относительным и не может содержать '..'",
    ),
    "pages are numbered from 1": (
        "беттер 1-ден бастап нөмірленеді",
        "страницы нумеруются с 1",
    ),
    "passwords need at least 10 characters": (
        "құпиясөз кемінде 10 таңбадан тұруы керек",
        "пароль должен содержать не менее 10 символов",
    ),
    "received bytes hash to %(sha256)s, not the expected %(expected)s": (
        "алынған деректердің хэші күтілген %(expected)s емес, %(sha256)s",
        "хеш полученных данных — %(sha256)s, а не ожидаемый %(expected)s",
    ),
    "send exactly one `file` part": (
        "дәл бір `file` бөлігін жіберіңіз",
        "отправьте ровно одну часть `file`",
    ),
    "sign in first: send a bearer token or an API key": (
        "алдымен жүйеге кіріңіз: bearer токенін немесе API кілтін жіберіңіз",
        "сначала войдите: передайте bearer-токен или API-ключ",
    ),
    "tag at most %(max)d items at once": (
        "бір рет ең көбі %(max)d материалға тег қоюға болады",
        "за один раз можно отметить тегом не более %(max)d материалов",
    ),
    "the SHA-256 differs from the one given when the upload began": (
        "SHA-256 мәні жүктеп салу басталғанда берілген мәннен өзгеше",
        "SHA-256 отличается от указанного в начале загрузки",
    ),
    "the body has no `file` part": (
        "сұрау денесінде `file` бөлігі жоқ",
        "в теле запроса нет части `file`",
    ),
    "the chunk runs past the declared size": (
        "бөлік мәлімделген өлшемнен асып кетеді",
        "часть выходит за пределы заявленного размера",
    ),
    "the code does not match this secret; check the device clock": (
        "код осы құпия кілтке сәйкес келмейді; құрылғының сағатын тексеріңіз",
        "код не соответствует этому секрету; проверьте часы устройства",
    ),
    "the file exceeds the upload limit of %(limit)d bytes": (
        "файл %(limit)d байттық жүктеп салу шегінен асып кетеді",
        "файл превышает ограничение на загрузку в %(limit)d байт",
    ),
    "the file is empty": ("файл бос", "файл пуст"),
    "the file needs a name": ("файлдың атауы болуы керек", "у файла должно быть имя"),
    "the item has no tag %(tag)s": (
        "материалда «%(tag)s» тегі жоқ",
        "у материала нет тега «%(tag)s»",
    ),
    "the requested range is outside the file": (
        "сұралған аралық файлдың шегінен тыс",
        "запрошенный диапазон выходит за пределы файла",
    ),
    "the role %(role)s cannot be a case member": (
        "«%(role)s» рөліндегі пайдаланушы іс қатысушысы бола алмайды",
        "пользователь с ролью «%(role)s» не может быть участником дела",
    ),
    "the secret must be at least 32 base32 characters": (
        "құпия кілт кемінде 32 base32 таңбасынан тұруы керек",
        "секрет должен содержать не менее 32 символов base32",
    ),
    "the stored object of item %(item)s no longer matches its hash": (
        "%(item)s материалының сақталған объектісі енді өз хэшіне сәйкес келмейді",
        "сохранённый объект материала %(item)s больше не соответствует своему хешу",
    ),
    "the token is unknown, expired or revoked": (
        "токен белгісіз, мерзімі өткен немесе күші жойылған",
        "токен неизвестен, истёк или отозван",
    ),
    "the upload was interrupted before the file was complete": (
        "файл толық жеткенше жүктеп салу үзіліп қалды",
        "загрузка прервалась до того, как файл был передан полностью",
    ),
    "the upload was truncated: the file part never ended": (
        "жүктеп салу толық емес: файл бөлігі аяқталмады",
        "загрузка оборвалась: часть файла не завершена",
    ),
    "times are seconds or m:ss": (
        "уақыт секундпен немесе м:сс түрінде беріледі",
        "время указывается в секундах или в формате м:сс",
    ),
    "two-factor sign-in is required for your role: enrol an authenticator first (sign in on the web to enrol)": (
        "сіздің рөліңізге екі факторлы кіру міндетті: алдымен аутентификаторды қосыңыз (ол үшін веб-интерфейс арқылы кіріңіз)",
        "для вашей роли обязателен двухфакторный вход: сначала подключите аутентификатор (для этого войдите через веб-интерфейс)",
    ),
    "unknown or revoked API key": (
        "API кілті белгісіз немесе күші жойылған",
        "API-ключ неизвестен или отозван",
    ),
    "usernames are 2–63 lowercase letters, digits, '.', '_' or '-'": (
        "пайдаланушы аты 2–63 кіші латын әрпінен, цифрдан, '.', '_' немесе '-' таңбаларынан тұрады",
        "имя пользователя состоит из 2–63 строчных латинских букв, цифр и знаков '.', '_' или '-'",
    ),
    "user %(username)s already exists": (
        "%(username)s пайдаланушысы бұрыннан бар",
        "пользователь %(username)s уже существует",
    ),
    "wrong or already used one-time code": (
        "бір реттік код қате немесе бұрын қолданылған",
        "одноразовый код неверен или уже использован",
    ),
    "wrong username or password": (
        "пайдаланушы аты немесе құпиясөз қате",
        "неверное имя пользователя или пароль",
    ),
    "the database is unreachable; try again shortly": (
        "дерекқорға қосылу мүмкін емес; сәлден соң қайталаңыз",
        "база данных недоступна; повторите чуть позже",
    ),
    "%(field)s: %(problem)s": (
        "%(field)s: %(problem)s",
        "%(field)s: %(problem)s",
    ),
    "send chunks of at most %(max)s bytes": (
        "бөліктерді %(max)s байттан аспайтындай жіберіңіз",
        "отправляйте части не больше %(max)s байт",
    ),
    "DALEL_STORAGE_URL has an unknown scheme: %(scheme)s": (
        "DALEL_STORAGE_URL белгісіз схемада: %(scheme)s",
        "у DALEL_STORAGE_URL неизвестная схема: %(scheme)s",
    ),
    "cannot write to the object folder: %(reason)s": (
        "объектілер қалтасына жазу мүмкін емес: %(reason)s",
        "не удаётся писать в папку объектов: %(reason)s",
    ),
    "writing to the object folder failed: %(reason)s": (
        "объектілер қалтасына жазу сәтсіз аяқталды: %(reason)s",
        "запись в папку объектов не удалась: %(reason)s",
    ),
    "committing to the object folder failed: %(reason)s": (
        "объектілер қалтасына сақтау сәтсіз аяқталды: %(reason)s",
        "не удалось сохранить в папку объектов: %(reason)s",
    ),
    "object key escapes the object folder": (
        "объект кілті объектілер қалтасынан тыс жерді көрсетеді",
        "ключ объекта указывает за пределы папки объектов",
    ),
    "reading from the object folder failed: %(reason)s": (
        "объектілер қалтасынан оқу сәтсіз аяқталды: %(reason)s",
        "чтение из папки объектов не удалось: %(reason)s",
    ),
    "object storage failed while %(what)s (%(detail)s)": (
        "объектілер қоймасы қатесі (%(what)s): %(detail)s",
        "ошибка хранилища объектов (%(what)s): %(detail)s",
    ),
    "DALEL_STORAGE_URL must look like s3://KEY:SECRET@host:port/bucket": (
        "DALEL_STORAGE_URL мына түрде болуы керек: s3://KEY:SECRET@host:port/bucket",
        "DALEL_STORAGE_URL должен иметь вид s3://KEY:SECRET@host:port/bucket",
    ),
    "no ledger entry %(index)d": (
        "журналда %(index)d жазбасы жоқ",
        "в журнале нет записи %(index)d",
    ),
    "enrol an authenticator first: this session may only reach the account and two-factor enrolment": (
        "алдымен аутентификаторды тіркеңіз: бұл сеанс тек тіркелгіге және екі факторлы кіруді қосуға ғана рұқсат береді",
        "сначала подключите аутентификатор: этот сеанс открывает только учётную запись и подключение двухфакторного входа",
    ),
    "send the file as multipart/form-data (with its boundary)": (
        "файлды multipart/form-data түрінде (шекарасымен) жіберіңіз",
        "отправьте файл как multipart/form-data (с границей boundary)",
    ),
    "form fields must be UTF-8 text": (
        "форма өрістері UTF-8 мәтіні болуы керек",
        "поля формы должны быть текстом в UTF-8",
    ),
    "Content-Length must be a byte count": (
        "Content-Length байт санын көрсетуі керек",
        "Content-Length должен быть числом байтов",
    ),
    "the server is busy; try again shortly": (
        "сервер бос емес; сәлден соң қайталап көріңіз",
        "сервер занят; повторите попытку чуть позже",
    ),
    "no such API key": (
        "мұндай API кілті жоқ",
        "такого API-ключа нет",
    ),
    "a case keeps at least one prosecutor: add the next one before removing %(username)s (or ask an administrator to transfer the case)": (
        "істе кемінде бір прокурор қалуы керек: %(username)s шығармас бұрын келесі прокурорды қосыңыз (немесе істі беруді әкімшіден сұраңыз)",
        "в деле должен остаться хотя бы один прокурор: прежде чем исключить %(username)s, добавьте следующего (или попросите администратора передать дело)",
    ),
    "give the reason for the transfer": (
        "беру себебін көрсетіңіз",
        "укажите причину передачи",
    ),
    "a case can only be transferred to a prosecutor": (
        "істі тек прокурорға беруге болады",
        "дело можно передать только прокурору",
    ),
    "a time offset is between 0 and %(max)d seconds": (
        "уақыт ығысуы 0 мен %(max)d секунд аралығында болады",
        "смещение по времени — от 0 до %(max)d секунд",
    ),
    "the time is past the end of the media (%(duration).1f s)": (
        "уақыт жазбаның соңынан асып кетті (%(duration).1f с)",
        "время выходит за конец записи (%(duration).1f с)",
    ),
    "too many requests from this address; try again later": (
        "бұл мекенжайдан сұраулар тым көп; кейінірек қайталап көріңіз",
        "слишком много запросов с этого адреса; повторите позже",
    ),
    "too many failed sign-ins; try again later": (
        "сәтсіз кіру әрекеттері тым көп; кейінірек қайталап көріңіз",
        "слишком много неудачных попыток входа; повторите позже",
    ),
    "this API key has expired; ask for a new one": (
        "бұл API кілтінің мерзімі өтті; жаңасын сұраңыз",
        "срок действия этого API-ключа истёк; запросите новый",
    ),
    "the account is gone": (
        "тіркелгі жоқ",
        "учётной записи больше нет",
    ),
    "the language is one of %(languages)s": (
        "тіл мыналардың бірі болуы керек: %(languages)s",
        "язык должен быть одним из: %(languages)s",
    ),
    "%(name)s is not a staging leftover": (
        "%(name)s — уақытша жүктеу қалдығы емес",
        "%(name)s — не остаток временной загрузки",
    ),
    "the chunk was cut off; ask for the offset and send it again": (
        "бөлік үзіліп қалды; ығысуды сұрап, оны қайта жіберіңіз",
        "часть оборвалась; запросите смещение и отправьте её снова",
    ),
    "the chunk could not be read": (
        "бөлікті оқу мүмкін болмады",
        "не удалось прочитать часть",
    ),
    "this upload began before the server's upgrade; start it again": (
        "бұл жүктеп салу сервер жаңартылғанға дейін басталған; оны қайта бастаңыз",
        "эта загрузка началась до обновления сервера; начните её заново",
    ),
    "the upload is complete; finalize it": (
        "жүктеп салу толық аяқталды; оны бекітіңіз",
        "загрузка завершена полностью; подтвердите её",
    ),
    "the upload's saved hash does not match its offset": (
        "жүктеп салудың сақталған хэші оның ығысуына сәйкес келмейді",
        "сохранённый хеш загрузки не соответствует её смещению",
    ),
    "%(name)s is not a staging file of parts": (
        "%(name)s бөліктердің аралық файлы емес",
        "%(name)s не является промежуточным файлом частей",
    ),
    "the upload's staged bytes are gone": (
        "жүктеп салудың аралық байттары жоғалған",
        "промежуточные байты загрузки пропали",
    ),
    "the upload's staged bytes are shorter than recorded": (
        "жүктеп салудың аралық байттары жазылғаннан қысқа",
        "промежуточных байтов загрузки меньше, чем записано",
    ),
    "the parts run past the declared size": (
        "бөліктер мәлімделген өлшемнен асып кетеді",
        "части выходят за пределы заявленного размера",
    ),
    "the upload's staged bytes differ in size from its parts": (
        "жүктеп салудың аралық байттарының өлшемі оның бөліктерінен өзгеше",
        "размер промежуточных байтов загрузки отличается от её частей",
    ),
    "the upload's last part has not arrived": (
        "жүктеп салудың соңғы бөлігі әлі келген жоқ",
        "последняя часть загрузки ещё не пришла",
    ),
    "another request is writing this upload right now; ask for the offset and retry": (
        "бұл жүктеп салуды қазір басқа сұрау жазып жатыр; ығысуды сұрап, қайталаңыз",
        "эту загрузку сейчас записывает другой запрос; запросите смещение и повторите",
    ),
}
