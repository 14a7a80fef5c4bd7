"""The escalation chain end to end: durable jobs, timeouts (the clock moved, never slept), SMS replies."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from tests.factories.calls import make_call
from tests.factories.notifications import jobs_waiting, make_jobs_due, post_sms, run_jobs, texts_to
from tests.factories.tenancy import TenantFixture, make_tenant, owner_headers
from voxi.agent.tools.base import CallContext
from voxi.calls.models import CallLog
from voxi.core.db import Database, activate_tenant
from voxi.emergencies.models import EmergencyLog, EscalationAttempt
from voxi.emergencies.schemas import ContactIn
from voxi.emergencies.service import replace_contacts, report_emergency

ALICE, BOB, OLGA = "+15125550111", "+15125550122", "+15125550133"
CALLER = "+15125559876"
ESCALATE = "emergencies.escalate"


async def _chain(db: Database, tenant: TenantFixture) -> None:
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        contacts = [
            ContactIn(name="Olga Owner", phone=OLGA, role="owner"),
            ContactIn(name="Bob Backup", phone=BOB, role="backup"),
            ContactIn(name="Alice On-call", phone=ALICE, role="on_call"),
        ]
        await replace_contacts(session, contacts, actor="test")
        await session.commit()


async def _report(
    db: Database, tenant: TenantFixture, *, call_id: uuid.UUID | None = None, kind: str = "gas_leak"
):
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        ctx = CallContext(tenant.id, call_id, "CA1", CALLER, tenant.phone_number)
        log = await report_emergency(
            session, ctx, kind=kind, description="I smell gas", severity="life_safety"
        )
        await session.commit()
        return log.id


async def _log(db: Database, tenant: TenantFixture, emergency_id: uuid.UUID) -> EmergencyLog:
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        return await session.get_one(EmergencyLog, (tenant.id, emergency_id))


async def _attempts(db: Database, tenant: TenantFixture) -> list[tuple[int, str, str]]:
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        rows = await session.scalars(select(EscalationAttempt).order_by(EscalationAttempt.step))
        return [(a.step, a.contact_name, a.status) for a in rows]


async def test_nobody_answers_so_the_chain_runs_through_to_the_owner(db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)

    await run_jobs(settings, db)
    alice = await texts_to(db, ALICE)
    assert len(alice) == 1 and "Reply 1 to acknowledge" in alice[0] and CALLER in alice[0]
    assert "Gas smell or leak" in alice[0]
    # The backup waits for the timeout: running the worker again texts nobody new.
    await run_jobs(settings, db)
    assert await texts_to(db, BOB) == [] and jobs_waiting(database_urls, ESCALATE) == 1

    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    assert len(await texts_to(db, BOB)) == 1 and await texts_to(db, OLGA) == []
    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    assert len(await texts_to(db, OLGA)) == 1
    make_jobs_due(database_urls)
    await run_jobs(settings, db)

    assert (await _log(db, tenant, emergency_id)).escalation_status == "exhausted"
    assert await _attempts(db, tenant) == [
        (0, "Alice On-call", "sent"),
        (1, "Bob Backup", "sent"),
        (2, "Olga Owner", "sent"),
    ]
    assert jobs_waiting(database_urls, ESCALATE) == 0
    assert [len(await texts_to(db, n)) for n in (ALICE, BOB, OLGA)] == [1, 1, 1]


async def test_a_reply_of_1_acknowledges_and_stops_the_chain(client, db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)
    await run_jobs(settings, db)

    reply = await post_sms(client, settings, sender=ALICE, to=tenant.phone_number, body=" 1 ")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/xml")
    assert "Thanks, Alice On-call" in reply.text and CALLER in reply.text

    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    log = await _log(db, tenant, emergency_id)
    assert (log.escalation_status, log.acknowledged_by) == ("acknowledged", "Alice On-call")
    assert log.acknowledged_at is not None
    assert await texts_to(db, BOB) == [] and await texts_to(db, OLGA) == []
    assert jobs_waiting(database_urls, ESCALATE) == 0


async def test_the_backup_can_acknowledge_with_ack(client, db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)
    await run_jobs(settings, db)
    # Bob was not texted yet: his "ACK" acknowledges nothing.
    early = await post_sms(client, settings, sender=BOB, to=tenant.phone_number, body="ACK")
    assert "no open emergency" in early.text
    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    await post_sms(client, settings, sender=BOB, to=tenant.phone_number, body="ack")
    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    assert (await _log(db, tenant, emergency_id)).acknowledged_by == "Bob Backup"
    assert await texts_to(db, OLGA) == []


async def test_a_forged_signature_is_refused_and_acknowledges_nothing(client, db, settings):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)
    await run_jobs(settings, db)
    forged = await post_sms(
        client, settings, sender=ALICE, to=tenant.phone_number, body="1", signature="bm9wZQ=="
    )
    assert forged.status_code == 403
    missing = await client.post("/twilio/sms", data={"From": ALICE, "To": tenant.phone_number, "Body": "1"})
    assert missing.status_code == 403
    assert (await _log(db, tenant, emergency_id)).escalation_status == "notifying"


async def test_an_opted_out_contact_is_skipped_at_once(client, db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    await post_sms(client, settings, sender=ALICE, to=tenant.phone_number, body="STOP")
    await _report(db, tenant)
    await run_jobs(settings, db)  # Alice is skipped and Bob's step queued with no wait...
    await run_jobs(settings, db)  # ...so it runs now, without moving the clock
    assert await texts_to(db, ALICE) == []
    assert len(await texts_to(db, BOB)) == 1
    assert (await _attempts(db, tenant))[:2] == [(0, "Alice On-call", "skipped"), (1, "Bob Backup", "sent")]


async def test_a_call_emergency_marks_the_call_and_one_chain_per_kind(db, settings):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    call_id = await make_call(db, tenant.id)
    first = await _report(db, tenant, call_id=call_id)
    again = await _report(db, tenant, call_id=call_id)
    assert again == first
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        call = await session.get_one(CallLog, (tenant.id, call_id))
        assert (call.outcome, call.urgency) == ("emergency", "emergency")
        assert "gas" in call.summary.lower()
    await run_jobs(settings, db)
    assert len(await texts_to(db, ALICE)) == 1


async def test_kinds_the_business_does_not_escalate_are_only_logged(db, settings, client):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    headers = owner_headers(settings, tenant)
    patch = {"emergencySettings": {"escalateKinds": ["gas_leak"]}}
    assert (await client.patch("/api/v1/business", headers=headers, json=patch)).status_code == 200
    emergency_id = await _report(db, tenant, kind="flooding")
    await run_jobs(settings, db)
    assert (await _log(db, tenant, emergency_id)).escalation_status == "not_escalated"
    assert await texts_to(db, ALICE) == []


async def test_without_contacts_the_emergency_number_is_texted(db, settings, client):
    tenant = await make_tenant(db)
    headers = owner_headers(settings, tenant)
    await client.patch("/api/v1/business", headers=headers, json={"emergencyNumber": "+1 512 555 0199"})
    await _report(db, tenant)
    await run_jobs(settings, db)
    assert len(await texts_to(db, "+15125550199")) == 1


async def test_contacts_api_replaces_the_chain_in_order(client, db, settings):
    tenant = await make_tenant(db)
    headers = owner_headers(settings, tenant)
    body = {
        "contacts": [
            {"name": "Owner", "phone": "512-555-0133", "role": "owner"},
            {"name": "Tech", "phone": "(512) 555-0111", "role": "on_call"},
        ]
    }
    response = await client.put("/api/v1/emergency-contacts", headers=headers, json=body)
    assert response.status_code == 200
    assert [(c["name"], c["phone"]) for c in response.json()] == [("Tech", ALICE), ("Owner", OLGA)]
    bad = await client.put(
        "/api/v1/emergency-contacts", headers=headers, json={"contacts": [{"name": "X", "phone": "12"}]}
    )
    assert bad.status_code == 422 and "contacts.0.phone" in bad.json()["error"]["fields"]
    listed = await client.get("/api/v1/emergency-contacts", headers=headers)
    assert [c["name"] for c in listed.json()] == ["Tech", "Owner"]
