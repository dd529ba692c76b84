"""Send one e-mail through the deployment's SMTP server (settings from the environment).

I/O only: the message's words come from services/alerts.py. SMTP_HOST, SMTP_PORT (25, or 587 with
STARTTLS), SMTP_FROM, SMTP_USER and SMTP_PASSWORD (both or neither), SMTP_STARTTLS (1/0).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SEND_TIMEOUT_S = 20.0


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server (it was not sent)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "oro@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    @classmethod
    def from_env(cls) -> SmtpSettings:
        """The SMTP_* settings; MailError naming what is missing when SMTP_HOST is unset."""
        host = os.environ.get("SMTP_HOST", "").strip()
        if not host:
            raise MailError("SMTP_HOST is not set: no e-mail can be sent")
        try:
            port = int(os.environ.get("SMTP_PORT", "25"))
        except ValueError:
            raise MailError(f"SMTP_PORT is not a number: {os.environ.get('SMTP_PORT')!r}") from None
        flag = os.environ.get("SMTP_STARTTLS", "").strip().lower() in ("1", "true", "yes", "on")
        return cls(
            host=host,
            port=port,
            sender=os.environ.get("SMTP_FROM", "").strip() or f"oro@{host}",
            user=os.environ.get("SMTP_USER") or None,
            password=os.environ.get("SMTP_PASSWORD") or None,
            starttls=flag,
        )


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)  # UTF-8, quoted-printable where needed: pesos and accents survive
    return message


def send_email(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Hand one plain-text message to the SMTP server; MailError with the server's reason otherwise."""
    message = build_message(settings.sender, to, subject, body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=SEND_TIMEOUT_S) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"{settings.host}:{settings.port}: {error or type(error).__name__}") from None
