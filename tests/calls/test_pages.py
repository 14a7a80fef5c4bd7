"""The calls pages: list with badges and summaries, HTMX search, detail with transcript and player."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from tests import browser
from tests.factories.calls import make_call
from tests.factories.tenancy import OWNER_PASSWORD, make_tenant
from voxi.calls.models import CallLog


async def log_in(visitor: httpx.AsyncClient, email: str) -> None:
    response = await browser.log_in(visitor, email, OWNER_PASSWORD)
    assert response.status_code == 303


async def test_calls_list_search_and_detail(visitor, db):
    acme, other = await make_tenant(db), await make_tenant(db)
    furnace = await make_call(db, acme.id, caller_says="My furnace is banging", outcome="booked")
    await make_call(db, acme.id, caller_says="What are your hours?")
    theirs = await make_call(db, other.id, caller_says="Secret other business call")
    async with db.cross_tenant("test: a recording") as session:
        await session.execute(
            update(CallLog)
            .where(CallLog.id == furnace)
            .values(recording_url="https://api.twilio.com/rec/RE1")
        )
        await session.commit()

    assert (await visitor.get("/calls")).status_code == 303  # logged out → login
    await log_in(visitor, acme.owner_email)
    page = await visitor.get("/calls")
    assert page.status_code == 200 and "2 calls" in page.text
    assert "outcome-booked" in page.text and "Asked about a furnace." in page.text
    rows = await visitor.get("/calls", params={"q": "banging"}, headers={"HX-Request": "true"})
    assert "<html" not in rows.text and "1 call matching" in rows.text
    detail = await visitor.get(f"/calls/{furnace}")
    assert "My furnace is banging" in detail.text
    assert '<audio controls preload="none" src="https://api.twilio.com/rec/RE1"' in detail.text
    assert "media-src 'self' https://api.twilio.com" in detail.headers["content-security-policy"]
    assert (await visitor.get(f"/calls/{theirs}")).status_code == 404
