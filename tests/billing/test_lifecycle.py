"""The billing lifecycle end to end on the sandbox providers: the sandbox clock ends trials, charges
cards and retries; events go through the same recording function and job as Stripe's webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from sqlalchemy import select

from tests.browser import csrf_of
from tests.factories.tenancy import TenantFixture, make_tenant, owner_headers
from voxi.billing.jobs import release_tenant_numbers
from voxi.billing.sandbox_clock import advance
from voxi.core.db import libpq_conninfo
from voxi.core.jobs import JobServices
from voxi.core.tenant_context import tenant_context
from voxi.notifications.models import OutboxEmail
from voxi.providers import Providers, build_providers
from voxi.telephony.models import NumberRoute, PhoneNumber
from voxi.telephony.providers.base import NumberWebhooks
from voxi.telephony.service import assign_number
from voxi.tenancy.models import Plan, Tenant, TenantStatus


@pytest.fixture
def providers(settings, db) -> Providers:
    return build_providers(settings, db)


async def _sign_up(db, settings, providers: Providers, work, card: str) -> tuple[TenantFixture, str]:
    """What the signup saga does with the providers: customer, trialing subscription, a bought number."""
    acme = await make_tenant(db, phone_number=None, status="PENDING", plan="PROFESSIONAL")
    customer = await providers.billing.create_customer(
        email=acme.owner_email,
        name=acme.tenant.name,
        tenant_id=acme.id,
        payment_method_id=card,
        idempotency_key=f"signup:{acme.id}:customer",
    )
    await providers.billing.create_subscription(
        customer_id=customer,
        plan=Plan.PROFESSIONAL,
        trial_days=14,
        tenant_id=acme.id,
        idempotency_key=f"signup:{acme.id}:subscription",
    )
    [available] = await providers.telephony.search_available("512", limit=1)
    owned = await providers.telephony.purchase(
        available.e164, webhooks=NumberWebhooks.for_base_url(settings.voxi_base_url)
    )
    with tenant_context(acme.id):
        async with db.sessions() as session:
            await assign_number(session, acme.id, owned.e164, provider="sandbox", provider_sid=owned.sid)
            await session.commit()
    await work(providers)  # customer.subscription.created → TRIAL
    return acme, customer


async def _tenant(db, acme: TenantFixture) -> Tenant:
    async with db.cross_tenant("test: read tenant") as session:
        return await session.get_one(Tenant, acme.id)


async def _subjects(db, to: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxEmail.subject).where(OutboxEmail.to_address == to).order_by(OutboxEmail.created_at)
        )
        return list(rows)


async def test_a_working_card_converts_the_trial_to_active_and_paid(work, db, settings, providers):
    acme, _customer = await _sign_up(db, settings, providers, work, "pm_card_visa")
    trial = await _tenant(db, acme)
    assert (trial.status, trial.subscription_status, trial.billing_customer_id) == (
        TenantStatus.TRIAL,
        "trialing",
        _customer,
    )
    assert trial.trial_ends_at is not None

    report = await advance(db, 15)
    await work(providers)

    active = await _tenant(db, acme)
    assert (active.status, active.subscription_status) == (TenantStatus.ACTIVE, "active")
    assert active.current_period_end == trial.trial_ends_at + timedelta(days=30)
    assert any("$799.00 paid" in step for step in report.steps)
    # The trial_will_end event is processed after the trial ended: the re-fetch says so, no stale reminder.
    assert await _subjects(db, acme.owner_email) == []


async def test_the_trial_reminder_is_sent_once_three_days_before_the_trial_ends(
    work, db, settings, providers
):
    acme, _customer = await _sign_up(db, settings, providers, work, "pm_card_visa")
    trial_end = (await _tenant(db, acme)).trial_ends_at
    assert trial_end is not None
    await advance(db, 10)
    await work(providers)
    assert await _subjects(db, acme.owner_email) == []
    await advance(db, 1.5)
    await work(providers)
    await advance(db, 1)
    await work(providers)
    assert (await _tenant(db, acme)).status == TenantStatus.TRIAL
    assert await _subjects(db, acme.owner_email) == [f"Your Voxi trial ends on {trial_end:%B %d}"]


async def _csrf(visitor: httpx.AsyncClient, path: str) -> str:
    page = await visitor.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


async def test_failing_card_goes_past_due_then_suspended_and_the_portal_restores_it(
    work, db, settings, providers, client, visitor
):
    acme, customer = await _sign_up(db, settings, providers, work, "pm_card_chargeCustomerFail")
    await advance(db, 15)
    await work(providers)
    assert (await _tenant(db, acme)).status == TenantStatus.PAST_DUE
    assert (await _subjects(db, acme.owner_email))[-1] == "Your Voxi payment failed"

    await advance(db, 8)  # past the retry window
    await work(providers)
    assert (await _tenant(db, acme)).status == TenantStatus.SUSPENDED
    assert (await _subjects(db, acme.owner_email))[-1] == "Your Voxi account is suspended"

    portal = await client.post("/api/v1/billing/portal", headers=owner_headers(settings, acme))
    url = portal.json()["url"]
    assert url.startswith(f"https://voxi.test/sandbox/billing/portal/{customer}?return_url=")
    path = url.removeprefix("https://voxi.test")
    token = await _csrf(visitor, path)
    declined = await visitor.post(
        path, data={"csrf_token": token, "payment_method": "pm_card_chargeDeclined"}
    )
    assert declined.status_code == 400 and "Your card was declined." in declined.text
    fixed = await visitor.post(path, data={"csrf_token": token, "payment_method": "pm_card_visa"})
    assert fixed.status_code == 303
    assert "paid 1 open invoice" in (await visitor.get(fixed.headers["location"])).text
    await work(providers)

    restored = await _tenant(db, acme)
    assert (restored.status, restored.subscription_status) == (TenantStatus.ACTIVE, "active")
    subjects = await _subjects(db, acme.owner_email)
    assert subjects[-1] == "Your Voxi account is active again"
    assert (
        subjects.count("Your Voxi payment failed") == 1
        and subjects.count("Your Voxi account is suspended") == 1
    )


def _owner(database_urls) -> str:
    return libpq_conninfo(database_urls.owner)


async def test_cancel_at_period_end_releases_the_number_after_the_grace_period(
    work, db, settings, providers, client, database_urls
):
    acme, _customer = await _sign_up(db, settings, providers, work, "pm_card_visa")
    canceled = await client.post("/api/v1/billing/cancel", headers=owner_headers(settings, acme))
    assert canceled.status_code == 200 and canceled.json()["cancelAtPeriodEnd"] is True
    await advance(db, 15)  # the trial ends: canceled instead of charged
    await work(providers)
    assert (await _tenant(db, acme)).status == TenantStatus.CANCELED

    with psycopg.connect(_owner(database_urls)) as conn:
        [(scheduled_at,)] = conn.execute(
            "select scheduled_at from procrastinate_jobs"
            " where task_name = 'billing.release_numbers' and args->>'tenant_id' = %s",
            (str(acme.id),),
        ).fetchall()
        grace = scheduled_at - datetime.now(UTC)
        assert timedelta(days=29, hours=23) < grace <= timedelta(days=30)
    await work(providers)
    assert len(await providers.telephony.list_owned()) == 1  # not before the grace period

    await advance(db, 30)  # the sandbox clock moves the queued release with it
    await work(providers)
    assert await providers.telephony.list_owned() == []
    with tenant_context(acme.id):
        async with db.sessions() as session:
            [number] = await session.scalars(select(PhoneNumber))
            assert number.released_at is not None
            assert await session.get(NumberRoute, number.e164) is None


async def test_a_business_restored_during_the_grace_period_keeps_its_number(work, db, settings, providers):
    acme, _customer = await _sign_up(db, settings, providers, work, "pm_card_visa")  # TRIAL, not CANCELED
    released = await release_tenant_numbers(JobServices(settings, db, providers), acme.id)
    assert released == [] and len(await providers.telephony.list_owned()) == 1
