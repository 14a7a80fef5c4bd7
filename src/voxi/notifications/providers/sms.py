"""Text messages: Twilio Messaging (official `twilio` SDK) or the sandbox outbox.

Both implement `SmsSender`; `build_sms` picks one from settings at start-up. Opt-outs (STOP) are not the
sender's business: `voxi.notifications.sms.send_sms` checks them before any sender is called.
"""

from __future__ import annotations

import uuid
from typing import Protocol

import aiohttp
import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from voxi.core.errors import VoxiError
from voxi.core.settings import Settings
from voxi.notifications.models import OutboxSms
from voxi.telephony.providers.twilio import RebasedHttpClient

log = structlog.get_logger(__name__)


class SmsUnavailable(VoxiError):
    status_code = 503
    code = "sms_unavailable"
    message = "Our SMS provider is unavailable right now."


class SmsSender(Protocol):
    """Sends one text message and returns the provider's message id.

    `from_` is the business's own Voxi number, so replies (STOP, "1" to acknowledge) come back to the
    business; without one the deployment's default sender (`SMS_FROM_NUMBER`) is used. Raises
    `SmsUnavailable` when the provider refuses or cannot be reached (the job retries).
    """

    async def send(
        self, to: str, body: str, *, from_: str | None = None, status_callback: str | None = None
    ) -> str: ...


class TwilioSms:
    """Twilio Messaging: `messages.create_async` on the account of TWILIO_ACCOUNT_SID."""

    def __init__(self, settings: Settings) -> None:
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=RebasedHttpClient(settings.twilio_api_base),
        )
        self._default_from = settings.sms_from_number

    async def send(
        self, to: str, body: str, *, from_: str | None = None, status_callback: str | None = None
    ) -> str:
        sender = from_ or self._default_from
        if not sender:
            raise SmsUnavailable("No number to send text messages from (set SMS_FROM_NUMBER).")
        try:
            message = await self._client.messages.create_async(
                to=to,
                from_=sender,
                body=body,
                **({"status_callback": status_callback} if status_callback else {}),
            )
        except (TimeoutError, TwilioException, aiohttp.ClientError) as exc:
            log.warning("twilio_sms_error", error=type(exc).__name__, detail=str(exc)[:200])
            raise SmsUnavailable() from exc
        return str(message.sid)


class SandboxSms:
    """Stores messages in `outbox_sms`; the developer reads them at /dev/outbox."""

    def __init__(self, sessions: async_sessionmaker, default_from: str) -> None:
        self._sessions = sessions
        self._default_from = default_from

    async def send(
        self, to: str, body: str, *, from_: str | None = None, status_callback: str | None = None
    ) -> str:
        message_id = uuid.uuid4()
        async with self._sessions() as session:
            sender = from_ or self._default_from
            session.add(OutboxSms(id=message_id, to_number=to, from_number=sender, body=body))
            await session.commit()
        return f"SM{message_id.hex}"


def build_sms(settings: Settings, sessions: async_sessionmaker) -> SmsSender:
    if (settings.sms_provider or settings.telephony_provider) == "twilio":
        return TwilioSms(settings)
    return SandboxSms(sessions, settings.sms_from_number)
