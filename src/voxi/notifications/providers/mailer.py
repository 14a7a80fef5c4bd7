"""Email delivery: SMTP (any provider's SMTP relay) or the sandbox outbox.

Both implement `Mailer`; `build_mailer` picks one from settings at start-up.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import async_sessionmaker

from voxi.notifications.models import OutboxEmail


class Mailer(Protocol):
    """Sends one plain-text email. Implementations must not log the body (it may hold reset links)."""

    async def send(self, to: str, subject: str, body: str) -> None: ...


class SmtpMailer:
    """SMTP via aiosmtplib. `smtp://user:pass@host:587` uses STARTTLS; `smtps://…:465` implicit TLS."""

    def __init__(self, smtp_url: str, sender: str) -> None:
        parts = urlsplit(smtp_url)
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._implicit_tls else 587)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._sender = sender

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            use_tls=self._implicit_tls,
            start_tls=None if self._implicit_tls else bool(self._username),
            timeout=10,
        )


class SandboxMailer:
    """Stores emails in `outbox_emails`; the developer reads them at /dev/outbox."""

    def __init__(self, sessions: async_sessionmaker) -> None:
        self._sessions = sessions

    async def send(self, to: str, subject: str, body: str) -> None:
        async with self._sessions() as session:
            session.add(OutboxEmail(to_address=to, subject=subject, body=body))
            await session.commit()


def build_mailer(smtp_url: str, sender: str, sessions: async_sessionmaker) -> Mailer:
    return SmtpMailer(smtp_url, sender) if smtp_url else SandboxMailer(sessions)
