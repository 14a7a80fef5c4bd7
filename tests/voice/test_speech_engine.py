"""The Twilio speech engine's first turn: built once per open/closed state of a cached business."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from voxi.agent.brain.builtin import CLOSED_NOTE
from voxi.calls.service import NewCall
from voxi.tenancy.defaults import default_business_hours
from voxi.tenancy.models import Tenant, TenantConfig
from voxi.voice import engines
from voxi.voice.answering import Business

MONDAY_NOON_CHICAGO = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
MONDAY_NIGHT_CHICAGO = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)


class _Clock(datetime):
    moment = MONDAY_NOON_CHICAGO

    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return cls.moment.astimezone(tz)


def _business() -> Business:
    tenant = Tenant(id=uuid.uuid4(), name="Smith Plumbing", timezone="America/Chicago", status="ACTIVE")
    config = TenantConfig(
        tenant_id=tenant.id,
        greeting="",
        recording_enabled=True,
        business_hours=default_business_hours(),  # weekdays 8 AM to 5 PM
        hours_overrides={},
    )
    return Business("+15125550100", tenant, config, ("+15125550100",))


def _first_words(business: Business, moment: datetime) -> tuple[str, dict]:
    _Clock.moment = moment
    call = NewCall(
        business.tenant.id, f"CA{uuid.uuid4().hex}", "+15125559876", business.e164, "twilio_speech"
    )
    engines.TwilioSpeechEngine().open(business, call)
    [first] = call.transcript
    assert first["role"] == "agent"
    return first["text"], call.conversation


def test_the_first_turn_follows_open_and_closed_on_one_cached_business(monkeypatch):
    monkeypatch.setattr(engines, "datetime", _Clock)
    business = _business()
    open_words, open_state = _first_words(business, MONDAY_NOON_CHICAGO)
    closed_words, closed_state = _first_words(business, MONDAY_NIGHT_CHICAGO)
    again, _ = _first_words(business, MONDAY_NOON_CHICAGO)
    assert open_words.startswith("Hi, you've reached the AI assistant for Smith Plumbing")
    assert CLOSED_NOTE not in open_words and again == open_words
    assert closed_words == f"{open_words} {CLOSED_NOTE}"
    assert open_state["greeted"] is True and closed_state["greeted"] is True
    assert set(business.first_turns) == {True, False}
