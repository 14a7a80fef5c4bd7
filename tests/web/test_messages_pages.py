"""The messages page: a tenant's own messages, filtered by status, marked read/done in place."""

from __future__ import annotations

import uuid

from tests.browser import csrf_of, log_in
from tests.factories.tenancy import OWNER_PASSWORD, make_tenant
from voxi.calls.models import Message
from voxi.core.db import Database, activate_tenant

HTMX = {"HX-Request": "true"}


async def _message(db: Database, tenant_id: uuid.UUID, body: str, status: str = "new") -> uuid.UUID:
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        message = Message(
            id=uuid.uuid4(), caller_name="Pat", caller_phone="+15125559876", body=body, status=status
        )
        session.add(message)
        await session.commit()
        return message.id


async def test_messages_page_lists_only_this_business_and_filters(visitor, db):
    acme, other = await make_tenant(db), await make_tenant(db)
    await _message(db, acme.id, "Please call about the boiler")
    await _message(db, acme.id, "Old note", status="done")
    await _message(db, other.id, "Someone else's message")
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/messages")
    assert page.status_code == 200
    assert "Please call about the boiler" in page.text and "Old note" not in page.text
    assert "Someone else" not in page.text
    everything = await visitor.get("/messages?status=all", headers=HTMX)
    assert "Old note" in everything.text and "<html" not in everything.text


async def test_marking_a_message_returns_its_row_and_saves(visitor, db):
    acme = await make_tenant(db)
    message_id = await _message(db, acme.id, "Call me back")
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/messages")
    form = {"status": "done", "csrf_token": csrf_of(page.text)}
    row = await visitor.post(f"/messages/{message_id}/status", data=form, headers=HTMX)
    assert row.status_code == 200 and row.text.lstrip().startswith('<tr class="message-row"')
    assert '<span class="badge done">done</span>' in row.text
    assert "Call me back" not in (await visitor.get("/messages")).text


async def test_another_business_message_is_not_found(visitor, db):
    acme, other = await make_tenant(db), await make_tenant(db)
    theirs = await _message(db, other.id, "Private")
    await log_in(visitor, acme.owner_email, OWNER_PASSWORD)
    page = await visitor.get("/messages")
    response = await visitor.post(
        f"/messages/{theirs}/status", data={"status": "done", "csrf_token": csrf_of(page.text)}, headers=HTMX
    )
    assert response.status_code == 404
    async with db.sessions() as session:
        await activate_tenant(session, other.id)
        message = await session.get(Message, (other.id, theirs))
        assert message is not None and message.status == "new"


async def test_logged_out_visitors_are_sent_to_login(visitor, db):
    response = await visitor.get("/messages")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
