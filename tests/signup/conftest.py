from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.signup.fakes import FakeBilling, FakeTelephony, FlakyMailer
from voxi.app import create_app
from voxi.providers import build_providers


@dataclass
class SignupWorld:
    client: httpx.AsyncClient
    billing: FakeBilling
    telephony: FakeTelephony
    mailer: FlakyMailer


@pytest.fixture
async def world(settings, db) -> AsyncIterator[SignupWorld]:
    """The app with fake billing/telephony (failures injectable); the mailer wraps the sandbox outbox."""
    providers = build_providers(settings, db)
    billing, telephony, mailer = FakeBilling(), FakeTelephony(), FlakyMailer(providers.mailer)
    providers.billing, providers.telephony, providers.mailer = billing, telephony, mailer
    app = create_app(
        settings.model_copy(update={"signup_rate_limit": "1000/hour"}), db=db, providers=providers
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield SignupWorld(client, billing, telephony, mailer)


def signup_body(**overrides: Any) -> dict[str, Any]:
    return {
        "businessName": "Acme Plumbing",
        "ownerName": "Pat Owner",
        "email": "pat@acme-plumbing.example",
        "password": "correct-horse-battery",
        "phone": "(512) 555-0199",
        "industry": "plumbing",
        "plan": "PROFESSIONAL",
        "paymentMethodId": "pm_card_visa",
        "areaCode": "512",
        **overrides,
    }
