"""The dashboard's "Test your AI" page: a typed call to the business's own number, logged as a test."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.browser import csrf_of
from tests.calls.test_pages import log_in
from tests.factories.tenancy import make_tenant
from voxi.calls.models import CallLog


async def test_a_test_call_from_the_dashboard(visitor, db):
    acme = await make_tenant(
        db, name="Acme Air", phone_number="+15125550601", forwarding_number="+15125557777"
    )
    other = await make_tenant(db, phone_number="+15125550602")
    assert (await visitor.get("/test-call")).status_code == 303
    await log_in(visitor, acme.owner_email)
    page = await visitor.get("/test-call")
    assert page.status_code == 200 and "Call +15125550601" in page.text
    token = csrf_of(page.text)
    htmx = {"HX-Request": "true"}
    refused = await visitor.post("/test-call/start", data={"csrf_token": token, "number": other.phone_number})
    assert refused.status_code == 404  # another business's number
    started = await visitor.post(
        "/test-call/start", data={"csrf_token": token, "number": "+15125550601"}, headers=htmx
    )
    assert "AI assistant for Acme Air" in started.text and "<html" not in started.text
    sid = re.search(r'name="call_sid" value="([^"]+)"', started.text).group(1)
    answer = await visitor.post(
        "/test-call/say",
        data={"csrf_token": token, "call_sid": sid, "text": "What services do you offer?"},
        headers=htmx,
    )
    assert "What services do you offer?" in answer.text and "Furnace repair" in answer.text
    ended = await visitor.post("/test-call/end", data={"csrf_token": token, "call_sid": sid}, headers=htmx)
    assert "The call has ended" in ended.text
    forged = await visitor.post("/test-call/say", data={"call_sid": sid, "text": "hi"})
    assert forged.status_code == 403
    async with db.cross_tenant("test: the logged test call") as session:
        [call] = list(await session.scalars(select(CallLog).where(CallLog.tenant_id == acme.id)))
    assert (call.is_test, call.engine, call.outcome, call.status) == (True, "simulator", "info", "completed")
