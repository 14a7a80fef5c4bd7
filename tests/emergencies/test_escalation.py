"""The escalation chain end to end: durable jobs, timeouts (the clock moved, never slept), calls with a
keypad acknowledgement, SMS replies."""

from __future__ import annotations

import dataclasses
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from tests.factories.calls import make_call
from tests.factories.notifications import jobs_waiting, make_jobs_due, post_sms, run_jobs, texts_to
from tests.factories.tenancy import TenantFixture, make_tenant, owner_headers
from voxi.agent.tools.base import CallContext
from voxi.calls.models import CallLog
from voxi.core.db import Database, activate_tenant
from voxi.core.settings import Settings
from voxi.emergencies.models import EmergencyLog, EscalationAttempt
from voxi.emergencies.schemas import ContactIn
from voxi.emergencies.service import replace_contacts, report_emergency
from voxi.providers import build_providers
from voxi.telephony.models import SandboxCall
from voxi.telephony.providers.base import TelephonyUnavailable

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


async def _attempts(db: Database, tenant: TenantFixture) -> list[tuple[int, str, str, str]]:
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        rows = await session.scalars(
            select(EscalationAttempt).order_by(EscalationAttempt.step, EscalationAttempt.channel)
        )
        return [(a.step, a.contact_name, a.channel, a.status) for a in rows]


async def _calls_to(db: Database, number: str) -> list[SandboxCall]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(SandboxCall).where(SandboxCall.to_number == number).order_by(SandboxCall.created_at)
        )
        return list(rows)


def _twiml(twiml: str) -> ET.Element:
    return ET.fromstring(twiml)  # noqa: S314 - our own TwiML


def _ack_action(twiml: str) -> str:
    gather = _twiml(twiml).find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    return gather.get("action") or ""


async def _press(
    client: httpx.AsyncClient, settings: Settings, action: str, digits: str, *, signature: str | None = None
) -> httpx.Response:
    """POST the Gather's action as Twilio does: form-encoded, signed over the full URL (with query)."""
    form = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC123", "Digits": digits, "To": ALICE}
    if signature is None:
        signature = RequestValidator(settings.effective_twilio_auth_token).compute_signature(action, form)
    parts = urlsplit(action)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return await client.post(f"{parts.path}?{parts.query}", content=urlencode(form), headers=headers)


class FailingTelephony:
    async def place_call(self, *, to: str, from_: str, twiml: str, status_callback: str | None = None) -> str:
        raise TelephonyUnavailable()


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
        (step, name, channel, "sent")
        for step, name in enumerate(["Alice On-call", "Bob Backup", "Olga Owner"])
        for channel in ("call", "sms")
    ]
    assert jobs_waiting(database_urls, ESCALATE) == 0
    assert [len(await texts_to(db, n)) for n in (ALICE, BOB, OLGA)] == [1, 1, 1]
    assert [len(await _calls_to(db, n)) for n in (ALICE, BOB, OLGA)] == [1, 1, 1]


async def test_a_step_phones_the_contact_with_the_emergency_before_texting(db, settings):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)
    await run_jobs(settings, db)

    [call] = await _calls_to(db, ALICE)
    [text] = await texts_to(db, ALICE)
    assert call.from_number == tenant.phone_number  # the business's own number, as for its texts
    said = " ".join(say.text or "" for say in _twiml(call.twiml).iter("Say"))
    assert f"Voxi emergency for {tenant.tenant.name}: Gas smell or leak" in said
    assert "caller 5 1 2, 5 5 5, 9 8 7 6" in said and "I smell gas" in said
    assert "Press 1 to acknowledge" in said and "Reply 1 to acknowledge" in text
    action = _ack_action(call.twiml)
    assert action.startswith("https://voxi.test/twilio/escalation-ack?")
    query = parse_qs(urlsplit(action).query)
    assert query["emergency"] == [str(emergency_id)] and query["contact"] == ["Alice On-call"]
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        attempts = {a.channel: a for a in await session.scalars(select(EscalationAttempt))}
    assert attempts["call"].detail == call.sid and attempts["sms"].detail.startswith("SM")


async def test_pressing_1_on_the_call_acknowledges_and_stops_the_chain(client, db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    emergency_id = await _report(db, tenant)
    await run_jobs(settings, db)
    action = _ack_action((await _calls_to(db, ALICE))[0].twiml)

    forged = await _press(client, settings, action, "1", signature="bm9wZQ==")
    assert forged.status_code == 403
    # A validly Twilio-signed request to a URL we did not sign (another contact's name) is refused too.
    tampered = action.replace("Alice+On-call", "Mallory")
    assert tampered != action and (await _press(client, settings, tampered, "1")).status_code == 403
    other_key = await _press(client, settings, action, "2")
    assert other_key.status_code == 200 and "Not acknowledged" in other_key.text
    assert (await _log(db, tenant, emergency_id)).escalation_status == "notifying"

    pressed = await _press(client, settings, action, "1")
    assert pressed.status_code == 200 and pressed.headers["content-type"].startswith("text/xml")
    assert "Thanks, Alice On-call" in pressed.text and CALLER in pressed.text
    again = await _press(client, settings, action, "1")  # a redelivered webhook changes nothing
    assert "no longer waiting" in again.text

    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    log = await _log(db, tenant, emergency_id)
    assert (log.escalation_status, log.acknowledged_by) == ("acknowledged", "Alice On-call")
    assert log.acknowledged_at is not None
    assert await _calls_to(db, BOB) == [] and await texts_to(db, BOB) == []
    assert jobs_waiting(database_urls, ESCALATE) == 0


async def test_a_failed_call_still_texts_and_the_chain_goes_on(db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    await _report(db, tenant)
    providers = dataclasses.replace(build_providers(settings, db), telephony=FailingTelephony())
    await run_jobs(settings, db, providers)
    assert len(await texts_to(db, ALICE)) == 1 and await _calls_to(db, ALICE) == []
    assert await _attempts(db, tenant) == [
        (0, "Alice On-call", "call", "failed"),
        (0, "Alice On-call", "sms", "sent"),
    ]
    assert jobs_waiting(database_urls, ESCALATE) == 1  # Bob, after the timeout: Alice got the text
    make_jobs_due(database_urls)
    await run_jobs(settings, db, providers)
    assert len(await texts_to(db, BOB)) == 1


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


async def test_an_opted_out_contact_is_called_but_not_texted(client, db, settings, database_urls):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    await post_sms(client, settings, sender=ALICE, to=tenant.phone_number, body="STOP")
    await _report(db, tenant)
    await run_jobs(settings, db)  # Alice is phoned but not texted; she can still press 1...
    assert await texts_to(db, ALICE) == [] and len(await _calls_to(db, ALICE)) == 1
    await run_jobs(settings, db)
    assert await texts_to(db, BOB) == []  # ...so Bob waits for the timeout
    make_jobs_due(database_urls)
    await run_jobs(settings, db)
    assert len(await texts_to(db, BOB)) == 1
    assert (await _attempts(db, tenant))[:4] == [
        (0, "Alice On-call", "call", "sent"),
        (0, "Alice On-call", "sms", "skipped"),
        (1, "Bob Backup", "call", "sent"),
        (1, "Bob Backup", "sms", "sent"),
    ]


async def test_a_contact_neither_called_nor_texted_is_skipped_at_once(client, db, settings):
    tenant = await make_tenant(db)
    await _chain(db, tenant)
    await post_sms(client, settings, sender=ALICE, to=tenant.phone_number, body="STOP")
    await _report(db, tenant)
    providers = dataclasses.replace(build_providers(settings, db), telephony=FailingTelephony())
    await run_jobs(settings, db, providers)  # Alice's call fails and she opted out of texts...
    await run_jobs(settings, db, providers)  # ...so Bob's step runs now, without moving the clock
    assert await texts_to(db, ALICE) == []
    assert len(await texts_to(db, BOB)) == 1


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
