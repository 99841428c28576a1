"""Notifications to the prosecution: in the app (table) and by e-mail (SMTP).

The prosecutor who made a disclosure hears when the defence first receives (downloads)
and first opens it. SMTP is configured by environment (`DALEL_SMTP_*`); without a host,
only the in-app notification is kept. A mail failure never fails the defence's read.

A notification's message is an English template with named parameters (a msgid, like
an error's): the row keeps the English sentence (API, e-mail) and the template with its
parameters in `data["template"]`/`data["params"]`, so the page shows it in the reader's
language (`text`).
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlmodel import Session, col, select

from custody.events import utc_now
from disclosure.errors import DisclosureInvalid
from disclosure.models import Notification, NotificationAddress
from evidence import i18n
from evidence.errors import render

log = logging.getLogger(__name__)


class MailSettings(BaseSettings):
    """`DALEL_SMTP_HOST`, `_PORT`, `_FROM`, `_USER`, `_PASSWORD`, `_STARTTLS`, `_TIMEOUT`."""

    model_config = SettingsConfigDict(env_prefix="DALEL_SMTP_")

    host: str | None = None
    port: int = 25
    sender: str = Field(default="dalel@localhost", alias="DALEL_SMTP_FROM")
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


def set_address(*, session: Session, user_id: str, email: str) -> None:
    """Set (or replace) the caller's notification e-mail address."""
    if "@" not in email or any(c in email for c in "\r\n <>"):
        raise DisclosureInvalid("not an e-mail address")
    row = session.get(NotificationAddress, user_id) or NotificationAddress(
        user_id=user_id, email=email
    )
    row.email = email
    session.add(row)
    session.commit()


def send_mail(*, to: str, subject: str, body: str, settings: MailSettings | None = None) -> bool:
    """Send one plain-text message; False (and logged) when SMTP is off or fails."""
    settings = settings or MailSettings()
    if not settings.host:
        return False
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("notification e-mail to %s failed", to)
        return False
    return True


def notify(
    *,
    session: Session,
    user_id: str,
    kind: str,
    template: str,
    params: dict[str, Any] | None = None,
    disclosure_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> Notification:
    """Store an in-app notification and e-mail it when the user has an address.
    `template` is wrapped in `N_()` by the caller (so it is extracted and translated)."""
    params = params or {}
    row = Notification(
        user_id=user_id,
        kind=kind,
        disclosure_id=disclosure_id,
        message=render(template, params),
        data={**(data or {}), "template": template, "params": params},
        created_at=utc_now(),
    )
    session.add(row)
    session.commit()
    address = session.get(NotificationAddress, user_id)
    if address is not None and send_mail(
        to=address.email, subject=f"Dalel: {row.message[:120]}", body=row.message
    ):
        row.emailed = True
        session.add(row)
        session.commit()
    return row


def text(row: Notification) -> str:
    """The notification in the current page language (the stored English sentence when it
    has no template, or its translation does not fit the parameters)."""
    template, params = row.data.get("template"), row.data.get("params") or {}
    if not template:
        return row.message
    translated = i18n.gettext(str(template))
    try:
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):
        return row.message


def list_notifications(
    *, session: Session, user_id: str, unread: bool = False
) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user_id)
    if unread:
        query = query.where(col(Notification.read_at).is_(None))
    return list(session.exec(query.order_by(col(Notification.created_at).desc())).all())


def mark_read(*, session: Session, user_id: str, notification_id: str) -> None:
    row = session.get(Notification, notification_id)
    if row is not None and row.user_id == user_id and row.read_at is None:
        row.read_at = utc_now()
        session.add(row)
        session.commit()
