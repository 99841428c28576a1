"""A person's interface language, kept on the account so it follows them to another
browser: the web pages' switch saves it, sign-in puts it back into the browser's cookie.
A preference, not evidence: nothing is recorded in custody."""

from __future__ import annotations

from sqlmodel import Session

from evidence.errors import InvalidInput
from evidence.i18n import LANGUAGES
from evidence.models import User


def set_language(*, session: Session, user_id: str, language: str) -> None:
    """Remember `language` (kk, ru or en) for the account."""
    if language not in LANGUAGES:
        raise InvalidInput("the language is one of %(languages)s", languages=", ".join(LANGUAGES))
    user = session.get(User, user_id)
    if user is not None and user.language != language:
        user.language = language
        session.add(user)
        session.commit()


def language_of(*, session: Session, user_id: str) -> str | None:
    """The account's chosen language, if it has one."""
    user = session.get(User, user_id)
    return user.language if user is not None else None
