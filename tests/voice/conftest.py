from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.factories.voice import providers_for
from voxi.app import create_app
from voxi.core.settings import Settings
from voxi.providers import build_providers


class TwilioClient:
    """Posts webhooks the way Twilio does: form-encoded, signed over VOXI_BASE_URL + path + query."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self.client, self.settings = client, settings

    def signature(self, path: str, form: dict[str, str]) -> str:
        validator = RequestValidator(self.settings.effective_twilio_auth_token)
        return validator.compute_signature(f"{self.settings.voxi_base_url}{path}", form)

    async def post(self, path: str, form: dict[str, str], *, signature: str | None = None) -> httpx.Response:
        headers = {"X-Twilio-Signature": signature if signature is not None else self.signature(path, form)}
        return await self.client.post(
            path,
            content=urlencode(form),
            headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
        )


def call_form(to: str, *, sid: str = "CA0001", caller: str = "+15125559876", **extra: str) -> dict[str, str]:
    return {"CallSid": sid, "From": caller, "To": to, "AccountSid": "AC123", "CallStatus": "ringing", **extra}


@pytest.fixture
async def make_twilio(settings, db) -> AsyncIterator[Callable[..., TwilioClient]]:
    """A Twilio-posting client on an app whose providers may be swapped (e.g. a failing brain)."""
    clients: list[httpx.AsyncClient] = []

    def make(**provider_overrides) -> TwilioClient:
        providers = dataclasses.replace(build_providers(settings, db), **provider_overrides)
        app = create_app(settings, db=db, providers=providers)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://internal-host:8000")
        clients.append(client)
        return TwilioClient(client, settings)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def twilio(make_twilio) -> TwilioClient:
    return make_twilio()


@pytest.fixture
async def el_client(db, el_settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app built with the module's own `el_settings` (the ElevenLabs engine's tests)."""
    app = create_app(el_settings, db=db, providers=providers_for(el_settings, db))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def eventually(check, seconds: float = 5.0) -> None:
    """Wait until `check()` holds (something another task or process does), or fail."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
