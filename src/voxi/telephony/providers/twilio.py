"""`TwilioTelephony`: the `Telephony` interface on the official `twilio` SDK (async client).

Twilio's SDK has no base-URL setting, so `RebasedHttpClient` rewrites every `*.twilio.com` URL to
`TWILIO_API_BASE`: production leaves it at https://api.twilio.com, tests point it at a local fake.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import structlog
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from voxi.core.settings import Settings
from voxi.telephony.area_codes import nearby_area_codes
from voxi.telephony.providers.base import (
    AvailableNumber,
    NoNumbersAvailable,
    NumberWebhooks,
    OwnedNumber,
    TelephonyUnavailable,
)

log = structlog.get_logger(__name__)
T = TypeVar("T")

NEARBY_PROBES = 4  # searches spent finding nearby area codes that have stock
TIMEOUT_SECONDS = 15


class RebasedHttpClient(AsyncTwilioHttpClient):
    """Sends requests for any `*.twilio.com` host to `base` instead (same path and query)."""

    def __init__(self, base: str) -> None:
        # One aiohttp session per request: the provider lives as long as the app and has no close hook,
        # and a pooled session would have to be created inside (and outlive) one event loop.
        super().__init__(pool_connections=False, timeout=TIMEOUT_SECONDS)
        self._base = urlsplit(base.rstrip("/"))

    def _rebase(self, url: str) -> str:
        parts = urlsplit(url)
        if not (parts.hostname or "").endswith("twilio.com"):
            return url
        path = self._base.path + parts.path
        return urlunsplit((self._base.scheme, self._base.netloc, path, parts.query, parts.fragment))

    async def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the SDK's own signature, overridden as is
        allow_redirects: bool = False,
    ) -> Response:
        if auth is not None:
            # aiohttp deprecates the BasicAuth object the SDK would build; send the header it encodes.
            headers = {**(headers or {}), "Authorization": aiohttp.encode_basic_auth(*auth)}
        return await super().request(
            method, self._rebase(url), params, data, headers, None, timeout, allow_redirects
        )


class TwilioTelephony:
    """Numbers and live-call control on a Twilio account."""

    def __init__(self, settings: Settings) -> None:
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=RebasedHttpClient(settings.twilio_api_base),
        )

    async def _call(self, action: str, request: Callable[[], Awaitable[T]]) -> T:
        try:
            return await request()
        except (TimeoutError, TwilioException, aiohttp.ClientError) as exc:
            log.warning("twilio_error", action=action, error=type(exc).__name__, detail=str(exc)[:200])
            raise TelephonyUnavailable() from exc

    async def _search(self, area_code: str, limit: int) -> list[AvailableNumber]:
        records = await self._call(
            "search",
            lambda: self._client.available_phone_numbers("US").local.list_async(
                area_code=int(area_code), limit=limit
            ),
        )
        return [AvailableNumber(r.phone_number, r.locality or "", r.region or "") for r in records]

    async def search_available(self, area_code: str, *, limit: int = 5) -> list[AvailableNumber]:
        """Local numbers in `area_code`; raises NoNumbersAvailable (with nearby codes) when there are none."""
        if not (area_code.isdigit() and len(area_code) == 3):
            raise NoNumbersAvailable(area_code, [])
        found = await self._search(area_code, limit)
        if found:
            return found
        nearby = [
            code for code in nearby_area_codes(area_code)[:NEARBY_PROBES] if await self._search(code, 1)
        ]
        raise NoNumbersAvailable(area_code, nearby)

    async def purchase(self, e164: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        existing = await self._call(
            "purchase", lambda: self._client.incoming_phone_numbers.list_async(phone_number=e164, limit=1)
        )
        if existing:  # a retried purchase: the number is already ours
            return await self.update_webhooks(existing[0].sid, webhooks=webhooks)
        record = await self._call(
            "purchase",
            lambda: self._client.incoming_phone_numbers.create_async(
                phone_number=e164, **_webhook_params(webhooks)
            ),
        )
        return _owned(record)

    async def update_webhooks(self, sid: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        record = await self._call(
            "update_webhooks",
            lambda: self._client.incoming_phone_numbers(sid).update_async(**_webhook_params(webhooks)),
        )
        return _owned(record)

    async def release(self, sid: str) -> None:
        try:
            await self._client.incoming_phone_numbers(sid).delete_async()
        except TwilioRestException as exc:
            if exc.status != 404:  # already released: nothing to do
                raise TelephonyUnavailable() from exc
        except (TimeoutError, TwilioException, aiohttp.ClientError) as exc:
            raise TelephonyUnavailable() from exc

    async def list_owned(self) -> list[OwnedNumber]:
        records = await self._call("list_owned", lambda: self._client.incoming_phone_numbers.list_async())
        return [_owned(r) for r in records]

    async def redirect_call(self, call_sid: str, twiml: str) -> None:
        await self._call("redirect_call", lambda: self._client.calls(call_sid).update_async(twiml=twiml))

    async def place_call(self, *, to: str, from_: str, twiml: str, status_callback: str | None = None) -> str:
        callback = {"status_callback": status_callback} if status_callback else {}
        record = await self._call(
            "place_call",
            lambda: self._client.calls.create_async(to=to, from_=from_, twiml=twiml, **callback),
        )
        return str(record.sid)


def _webhook_params(webhooks: NumberWebhooks) -> dict[str, str]:
    return {
        "voice_url": webhooks.voice_url,
        "voice_method": "POST",
        "status_callback": webhooks.status_callback,
        "status_callback_method": "POST",
        "sms_url": webhooks.sms_url,
        "sms_method": "POST",
    }


def _owned(record: Any) -> OwnedNumber:
    return OwnedNumber(
        record.phone_number, record.sid, record.voice_url, record.status_callback, record.sms_url
    )
