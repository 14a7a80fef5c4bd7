"""Businesses and calls for the voice engines' tests (a recording as the post-call job stores it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.factories.tenancy import TenantFixture, make_tenant
from voxi.calls.service import open_call
from voxi.core.db import Database, activate_tenant
from voxi.core.settings import Settings
from voxi.core.tenant_context import tenant_context
from voxi.providers import Providers, build_providers
from voxi.tenancy.models import TenantConfig
from voxi.voice.elevenlabs.models import CallRecording
from voxi.voice.elevenlabs.post_call import recording_url

AUDIO = b"ID3\x03\x00fake-mp3-bytes"


async def make_call_with_recording(
    db: Database, tenant_id: str | uuid.UUID, *, audio: bytes = AUDIO
) -> uuid.UUID:
    tenant = uuid.UUID(str(tenant_id))
    with tenant_context(tenant):
        async with db.sessions() as session:
            await activate_tenant(session, tenant)
            call = await open_call(
                session,
                call_sid=f"CA{uuid.uuid4().hex}",
                from_number="+15125550199",
                to_number="+15125550100",
                engine="elevenlabs",
            )
            session.add(
                CallRecording(call_id=call.id, conversation_id="conv_1", size_bytes=len(audio), audio=audio)
            )
            call.recording_url = recording_url(call.id)
            await session.commit()
            return call.id


BUSINESS_NUMBER = "+15125550100"
FORWARDING_NUMBER = "+15125550177"


async def configure(db: Database, tenant_id: uuid.UUID, **fields: Any) -> None:
    """Change a business's TenantConfig the way its settings page would."""
    with tenant_context(tenant_id):
        async with db.sessions() as session:
            await activate_tenant(session, tenant_id)
            config = await session.get(TenantConfig, tenant_id)
            assert config is not None
            for name, value in fields.items():
                setattr(config, name, value)
            await session.commit()


async def make_business(db: Database) -> TenantFixture:
    """A business on BUSINESS_NUMBER that forwards to FORWARDING_NUMBER."""
    fixture = await make_tenant(db, name="Acme Heating", phone_number=BUSINESS_NUMBER, plan="ENTERPRISE")
    await configure(db, fixture.id, forwarding_number=FORWARDING_NUMBER)
    return fixture


def providers_for(settings: Settings, db: Database) -> Providers:
    """Real adapters where their settings point at a fake; sandbox telephony records call redirects."""
    return build_providers(settings, db)


def today_iso(timezone: str = "America/New_York") -> str:
    return datetime.now(UTC).astimezone(ZoneInfo(timezone)).date().isoformat()
