"""The tenant billing API, reconciliation and the operators' view of failed jobs."""

from __future__ import annotations

import psycopg
from sqlalchemy import update

from tests.billing.conftest import owner_dsn
from tests.factories.admin import admin_headers, make_platform_admin
from tests.factories.tenancy import make_tenant, owner_headers
from voxi.auth.models import Role, TenantUser
from voxi.billing.models import SandboxSubscription
from voxi.billing.reconcile import reconcile
from voxi.core.jobs import JobServices
from voxi.core.tenant_context import tenant_context
from voxi.providers import build_providers
from voxi.tenancy.models import Plan, Tenant, TenantStatus


async def _subscribed(db, settings, work, plan: Plan = Plan.STARTER):
    acme = await make_tenant(db, plan=plan.value, status="PENDING")
    providers = build_providers(settings, db)
    customer = await providers.billing.create_customer(
        email=acme.owner_email,
        name="Acme",
        tenant_id=acme.id,
        payment_method_id="pm_card_visa",
        idempotency_key=f"c{acme.id}",
    )
    sub = await providers.billing.create_subscription(
        customer_id=customer, plan=plan, trial_days=14, tenant_id=acme.id, idempotency_key=f"s{acme.id}"
    )
    await work(providers)
    return acme, providers, sub.id


async def test_billing_overview_change_plan_cancel_and_resume(client, db, settings, work):
    acme, providers, sub_id = await _subscribed(db, settings, work)
    headers = owner_headers(settings, acme)
    overview = (await client.get("/api/v1/billing", headers=headers)).json()
    assert (overview["plan"], overview["planName"], overview["priceCents"]) == ("STARTER", "Starter", 29_900)
    assert (overview["status"], overview["subscriptionStatus"], overview["trialDaysLeft"]) == (
        "TRIAL",
        "trialing",
        14,
    )
    assert [p["plan"] for p in overview["plans"]] == ["STARTER", "PROFESSIONAL", "ENTERPRISE"]

    upgraded = await client.post("/api/v1/billing/change-plan", headers=headers, json={"plan": "ENTERPRISE"})
    assert upgraded.status_code == 200 and upgraded.json()["plan"] == "ENTERPRISE"
    assert (await providers.billing.get_subscription(sub_id)).plan == Plan.ENTERPRISE
    assert (await client.post("/api/v1/api-keys", headers=headers, json={"name": "k"})).status_code == 201

    cancel = (await client.post("/api/v1/billing/cancel", headers=headers)).json()
    assert cancel["cancelAtPeriodEnd"] is True
    resume = (await client.post("/api/v1/billing/resume", headers=headers)).json()
    assert resume["cancelAtPeriodEnd"] is False
    assert (await providers.billing.get_subscription(sub_id)).cancel_at_period_end is False
    await work(providers)  # the provider's own events re-apply the same state
    assert (await client.get("/api/v1/billing", headers=headers)).json()["plan"] == "ENTERPRISE"


async def test_staff_cannot_see_or_change_billing(client, db, settings, work):
    acme, _providers, _sub = await _subscribed(db, settings, work)
    with tenant_context(acme.id):
        async with db.sessions() as session:
            await session.execute(update(TenantUser).values(role=Role.STAFF))
            await session.commit()
    headers = owner_headers(settings, acme)
    for method, path in (
        ("GET", "/api/v1/billing"),
        ("POST", "/api/v1/billing/cancel"),
        ("POST", "/api/v1/billing/portal"),
    ):
        assert (await client.request(method, path, headers=headers)).status_code == 403


async def test_a_business_without_subscription_gets_a_clear_conflict(client, db, settings):
    acme = await make_tenant(db)
    response = await client.post(
        "/api/v1/billing/change-plan", headers=owner_headers(settings, acme), json={"plan": "PROFESSIONAL"}
    )
    assert response.status_code == 409 and "no subscription" in response.json()["error"]["message"]
    bad = await client.post(
        "/api/v1/billing/change-plan", headers=owner_headers(settings, acme), json={"plan": "GOLD"}
    )
    assert bad.status_code == 422 and "plan" in bad.json()["error"]["fields"]


async def test_reconcile_repairs_drift_from_a_lost_webhook(db, settings, work):
    acme, providers, sub_id = await _subscribed(db, settings, work)
    async with db.sessions() as session:  # changed at the provider; its webhook never arrived
        await session.execute(
            update(SandboxSubscription).where(SandboxSubscription.id == sub_id).values(status="past_due")
        )
        await session.commit()
    report = await reconcile(JobServices(settings, db, providers))
    assert (report.checked, report.failed) == (1, []) and len(report.repaired) == 1
    assert "subscription_status trialing → past_due" in report.repaired[0]
    async with db.cross_tenant("test") as session:
        assert (await session.get_one(Tenant, acme.id)).status == TenantStatus.PAST_DUE
    again = await reconcile(JobServices(settings, db, providers))
    assert again.repaired == []  # nothing drifted since


async def test_failed_jobs_are_listed_for_platform_admins(client, db, settings):
    admin = await make_platform_admin(db)
    with psycopg.connect(owner_dsn(db)) as conn:
        conn.execute(
            "insert into procrastinate_jobs (queue_name, task_name, status, args, attempts)"
            " values ('default', 'billing.send_email', 'failed', '{\"to\": \"x@example.com\"}', 8)"
        )
    response = await client.get("/admin/jobs?status=failed", headers=admin_headers(settings, admin.id))
    failed = [job for job in response.json() if job["taskName"] == "billing.send_email"]
    assert (
        response.status_code == 200
        and failed
        and failed[0]["attempts"] == 8
        and failed[0]["status"] == "failed"
    )
    acme = await make_tenant(db)
    assert (await client.get("/admin/jobs", headers=owner_headers(settings, acme))).status_code in (401, 403)


async def test_the_admin_jobs_page_lists_failed_jobs_and_is_in_the_nav(visitor, db):
    from tests.browser import log_in
    from tests.factories.admin import ADMIN_PASSWORD

    admin = await make_platform_admin(db)
    with psycopg.connect(owner_dsn(db)) as conn:
        conn.execute(
            "insert into procrastinate_jobs (queue_name, task_name, status, args, attempts)"
            " values ('default', 'billing.release_numbers', 'failed', '{}', 8)"
        )
    assert (await visitor.get("/admin/ui/jobs")).status_code == 303  # logged out → login
    await log_in(visitor, admin.email, ADMIN_PASSWORD)
    page = await visitor.get("/admin/ui/jobs")
    assert page.status_code == 200
    assert 'href="/admin/ui/jobs"' in page.text and "billing.release_numbers" in page.text
