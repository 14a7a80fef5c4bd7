"""Notifications reach the right person once: STOP honoured, retries repeat nothing, plans respected."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.factories.calls import make_call
from tests.factories.notifications import emails_to, jobs_waiting, make_jobs_due, post_sms, run_jobs, texts_to
from tests.factories.tenancy import TenantFixture, make_tenant
from voxi.calls.models import CallLog
from voxi.calls.service import close_call
from voxi.core.db import Database, activate_tenant
from voxi.customers.models import Customer
from voxi.notifications.service import (
    queue_after_call_summary,
    queue_booking_confirmation,
    queue_daily_digest,
)
from voxi.notifications.sms import send_sms
from voxi.providers import build_providers
from voxi.scheduling.models import Appointment
from voxi.tenancy.models import Plan, TenantConfig

CALLER = "+15125559876"
OWNER_CELL = "+15125550177"


async def _pro(db: Database, **extra) -> TenantFixture:
    tenant = await make_tenant(db, plan=Plan.PROFESSIONAL, forwarding_number=OWNER_CELL, **extra)
    return tenant


async def _booking(db: Database, tenant: TenantFixture, *, starts: datetime) -> uuid.UUID:
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        customer = await session.scalar(select(Customer).where(Customer.phone == CALLER))
        if customer is None:
            customer = Customer(id=uuid.uuid4(), name="Casey Caller", phone=CALLER)
            session.add(customer)
            await session.flush()
        appointment = Appointment(
            id=uuid.uuid4(), customer_id=customer.id, service="AC repair", starts_at=starts,
            ends_at=starts + timedelta(hours=1), source="phone",
        )  # fmt: skip
        session.add(appointment)
        await session.flush()
        await queue_booking_confirmation(session, appointment.id)
        await session.commit()
        return appointment.id


class FailingOnce:
    """A mailer whose first send fails (an SMTP hiccup), then delivers through the real one."""

    def __init__(self, inner) -> None:
        self.inner, self.failed = inner, False

    async def send(self, to: str, subject: str, body: str) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("smtp hiccup")
        await self.inner.send(to, subject, body)


async def test_booking_confirmation_is_texted_once_in_the_business_timezone(db, settings):
    tenant = await _pro(db, timezone="America/Chicago")
    appointment_id = await _booking(db, tenant, starts=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    await run_jobs(settings, db)
    [text] = await texts_to(db, CALLER)
    assert "you're booked for AC repair on Thursday, December 3 at 9:00 AM" in text
    assert tenant.tenant.name in text and "Reply STOP to opt out." in text
    # The same confirmation queued again (a retried request, a re-run job): still one text.
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        await queue_booking_confirmation(session, appointment_id)
        await session.commit()
    await run_jobs(settings, db)
    assert len(await texts_to(db, CALLER)) == 1


async def test_stop_silences_every_text_until_start(client, db, settings):
    tenant = await _pro(db)
    reply = await post_sms(client, settings, sender=CALLER, to=tenant.phone_number, body="Stop")
    assert reply.status_code == 200
    await _booking(db, tenant, starts=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    await run_jobs(settings, db)
    assert await texts_to(db, CALLER) == []

    await post_sms(client, settings, sender=CALLER, to=tenant.phone_number, body="START")
    await _booking(db, tenant, starts=datetime(2026, 12, 4, 15, 0, tzinfo=UTC))
    await run_jobs(settings, db)
    assert len(await texts_to(db, CALLER)) == 1


async def test_an_opt_out_belongs_to_one_business(client, db, settings):
    first, second = await _pro(db), await _pro(db)
    await post_sms(client, settings, sender=CALLER, to=first.phone_number, body="UNSUBSCRIBE")
    providers = build_providers(settings, db)
    for tenant, expected in ((first, None), (second, "sent")):
        async with db.sessions() as session:
            await activate_tenant(session, tenant.id)
            sid = await send_sms(session, providers.sms, CALLER, "Hello")
            assert (sid and "sent") == expected
    assert len(await texts_to(db, CALLER)) == 1


async def test_after_call_summary_by_sms_and_email_once_despite_a_failed_attempt(db, settings, database_urls):
    tenant = await _pro(db)
    call_id = await make_call(db, tenant.id, call_sid="CA-summary")
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        await close_call(session, "CA-summary", status="completed", duration_seconds=75)  # queues the summary
        await session.commit()
    real = build_providers(settings, db)
    providers = dataclasses.replace(real, mailer=FailingOnce(real.mailer))

    await run_jobs(settings, db, providers)  # the text goes out, the email fails: the job will retry
    assert len(await texts_to(db, OWNER_CELL)) == 1
    assert await emails_to(db, tenant.owner_email) == []
    make_jobs_due(database_urls)
    await run_jobs(settings, db, providers)

    [text] = await texts_to(db, OWNER_CELL)
    assert "+15125550000" in text and "Asked about a furnace." in text
    assert f"https://voxi.test/calls/{call_id}" in text
    [email] = await emails_to(db, tenant.owner_email)
    assert email.subject == "Call from +15125550000: info"
    assert "Asked about a furnace." in email.body and "Duration: 75 s" in email.body
    # Queued again (a duplicate status callback path): nothing new is sent.
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        await queue_after_call_summary(session, call_id)
        await session.commit()
    await run_jobs(settings, db)
    assert len(await texts_to(db, OWNER_CELL)) == 1 and len(await emails_to(db, tenant.owner_email)) == 1


async def test_starter_plans_get_no_summaries_or_confirmations(db, settings):
    tenant = await make_tenant(db, plan=Plan.STARTER, forwarding_number=OWNER_CELL)
    call_id = await make_call(db, tenant.id)
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        await queue_after_call_summary(session, call_id)
        await session.commit()
    await _booking(db, tenant, starts=datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    await run_jobs(settings, db)
    assert await texts_to(db, OWNER_CELL) == [] and await texts_to(db, CALLER) == []
    assert await emails_to(db, tenant.owner_email) == []


async def test_the_owner_can_turn_summaries_off(db, settings):
    tenant = await _pro(db)
    async with db.cross_tenant("test") as session:
        await session.execute(
            update(TenantConfig)
            .where(TenantConfig.tenant_id == tenant.id)
            .values(notification_settings={"summary_by_sms": False})
        )
        await session.commit()
    call_id = await make_call(db, tenant.id)
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        await queue_after_call_summary(session, call_id)
        await session.commit()
    await run_jobs(settings, db)
    assert await texts_to(db, OWNER_CELL) == []
    assert len(await emails_to(db, tenant.owner_email)) == 1


async def test_daily_digest_goes_out_at_seven_local_once(db, settings, database_urls):
    chicago = await _pro(db, timezone="America/Chicago")
    new_york = await _pro(db, timezone="America/New_York")
    await make_call(db, chicago.id)
    # 13:00 UTC on 2026-11-22 is 07:00 in Chicago (CST) and 08:00 in New York.
    now = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    async with db.sessions() as session:
        await activate_tenant(session, chicago.id)
        await session.execute(update(CallLog).values(started_at=datetime(2026, 11, 21, 18, 0, tzinfo=UTC)))
        await session.commit()
    assert await queue_daily_digest(db, digest_hour=7, now=now) == 1
    assert jobs_waiting(database_urls, "notifications.daily_digest") == 1
    await run_jobs(settings, db)
    [email] = await emails_to(db, chicago.owner_email)
    assert "Saturday, November 21" in email.body and "Calls: 1" in email.body and "info: 1" in email.body
    assert await emails_to(db, new_york.owner_email) == []
    # The same hour seen twice (two workers, a restart): still one digest.
    await queue_daily_digest(db, digest_hour=7, now=now)
    await run_jobs(settings, db)
    assert len(await emails_to(db, chicago.owner_email)) == 1
