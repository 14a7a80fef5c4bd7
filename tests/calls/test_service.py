"""The CallLog lifecycle: idempotent open, turns, strongest outcome wins, one close with its cost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories.tenancy import make_tenant
from voxi.calls.service import CostRates, append_turn, close_call, open_call, set_outcome
from voxi.core.db import activate_tenant
from voxi.tenancy.models import TenantUsage


async def test_open_is_idempotent_and_outcomes_only_get_stronger(db):
    acme = await make_tenant(db)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        call = await open_call(
            session, call_sid="CA1", from_number="+15125550000", to_number="+15125550101", engine="simulator"
        )
        again = await open_call(session, call_sid="CA1", from_number="x", to_number="y", engine="other")
        assert again.id == call.id and again.engine == "simulator"
        await append_turn(session, call.id, "caller", "My furnace is out")
        await append_turn(session, call.id, "agent", "I can book that.")
        await set_outcome(session, call.id, "info", summary="Asked about hours.")
        await set_outcome(session, call.id, "booked", summary="Booked a furnace repair.")
        await set_outcome(session, call.id, "message", urgency="urgent", summary="Left a message.")
        await session.commit()
        assert [turn["role"] for turn in call.transcript] == ["caller", "agent"]
        assert (call.outcome, call.summary, call.urgency) == ("booked", "Booked a furnace repair.", "urgent")
        await set_outcome(session, call.id, "emergency", urgency="normal", summary="Gas leak.")
        assert (call.outcome, call.summary, call.urgency) == ("emergency", "Gas leak.", "urgent")
        with pytest.raises(ValueError, match="unknown call outcome"):
            await set_outcome(session, call.id, "great")


async def test_close_counts_usage_once_and_test_calls_cost_nothing(db):
    acme = await make_tenant(db)
    rates = CostRates(telephony_per_min_cents=2, ai_per_min_cents=10)
    async with db.sessions() as session:
        await activate_tenant(session, acme.id)
        await open_call(session, call_sid="CA1", from_number="+1", to_number="+2", engine="twilio_speech")
        await open_call(session, call_sid="CA2", from_number="+1", to_number="+2", engine="forward")
        await open_call(
            session, call_sid="SIM", from_number="+1", to_number="+2", engine="simulator", is_test=True
        )
        first = await close_call(session, "CA1", status="completed", duration_seconds=61, rates=rates)
        await close_call(session, "CA1", status="completed", duration_seconds=999, rates=rates)
        forwarded = await close_call(session, "CA2", status="completed", duration_seconds=30, rates=rates)
        test = await close_call(session, "SIM", status="completed", duration_seconds=300, rates=rates)
        assert await close_call(session, "nope", status="completed", duration_seconds=1) is None
        await session.commit()
        usage = await session.scalar(select(TenantUsage))
    assert (first.duration_seconds, first.cost_cents, first.outcome) == (61, 24, "abandoned")
    assert forwarded.cost_cents == 2  # forwarded calls use no AI minutes
    assert test.cost_cents == 0
    assert (usage.calls, usage.call_seconds, usage.telephony_cost_cents, usage.ai_cost_cents) == (
        2,
        91,
        6,
        20,
    )
