"""`POST /api/stripe/webhook`: verified, stored once, processed by a job that re-fetches the subscription."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import stripe
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from tests.factories.tenancy import TenantFixture, make_tenant
from voxi.billing.models import BillingEventRecord
from voxi.billing.providers.base import SubscriptionState
from voxi.billing.providers.sandbox import sandbox_webhook_secret
from voxi.billing.providers.stripe import event_from_payload
from voxi.billing.webhooks import record_event
from voxi.core.db import libpq_conninfo
from voxi.notifications.models import OutboxEmail
from voxi.providers import build_providers
from voxi.tenancy.models import Plan, Tenant, TenantStatus

SUB, CUS = "sub_prop", "cus_prop"


def _owner_sql(database_urls, query: str) -> list[tuple]:
    with psycopg.connect(libpq_conninfo(database_urls.owner)) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


def _payload(event_id: str, event_type: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def _signed(
    settings, payload: dict, *, secret: str | None = None, at: int | None = None
) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret or sandbox_webhook_secret(settings), at
    )
    return body, {"Stripe-Signature": header, "Content-Type": "application/json"}


EVENT = _payload("evt_route_1", "invoice.paid", {"object": "invoice", "subscription": SUB, "customer": CUS})


JOBS_SQL = "select count(*) from procrastinate_jobs where task_name = 'billing.process_event'"


async def test_forged_and_stale_signatures_are_rejected_and_nothing_is_stored(
    client, db, settings, database_urls
):
    jobs_before = _owner_sql(database_urls, JOBS_SQL)
    forged_body, forged = _signed(settings, EVENT, secret="whsec_attacker")
    stale_body, stale = _signed(settings, EVENT, at=int(time.time()) - 301)
    for body, headers in ((forged_body, forged), (stale_body, stale), (forged_body, {})):
        response = await client.post("/api/stripe/webhook", content=body, headers=headers)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    assert "too old" in (await client.post("/api/stripe/webhook", content=stale_body, headers=stale)).text
    assert _owner_sql(database_urls, "select count(*) from billing_events") == [(0,)]
    assert _owner_sql(database_urls, JOBS_SQL) == jobs_before


async def test_a_replayed_event_is_a_200_no_op(client, db, settings, database_urls):
    body, headers = _signed(settings, EVENT)
    [(jobs_before,)] = _owner_sql(database_urls, JOBS_SQL)
    first = await client.post("/api/stripe/webhook", content=body, headers=headers)
    replay = await client.post("/api/stripe/webhook", content=body, headers=headers)
    assert first.status_code == replay.status_code == 200
    assert (first.json()["duplicate"], replay.json()["duplicate"]) == (False, True)
    assert _owner_sql(
        database_urls, "select source, event_id, type, subscription_id from billing_events"
    ) == [("sandbox", "evt_route_1", "invoice.paid", SUB)]
    assert _owner_sql(database_urls, JOBS_SQL) == [(jobs_before + 1,)]  # the replay queued nothing


class ProviderAtFinalState:
    """The billing provider after the whole sequence happened: every re-fetch sees the final state."""

    def __init__(self, state: SubscriptionState) -> None:
        self.state = state
        self.fetches = 0

    async def get_subscription(self, subscription_id: str) -> SubscriptionState:
        self.fetches += 1
        assert subscription_id == self.state.id
        return self.state


def _sequence() -> list[dict]:
    sub = {"object": "subscription", "id": SUB, "customer": CUS}
    invoice = {
        "object": "invoice",
        "customer": CUS,
        "parent": {"subscription_details": {"subscription": SUB}},
    }
    return [
        _payload("evt_1", "customer.subscription.created", {**sub, "status": "trialing"}),
        _payload("evt_2", "customer.subscription.trial_will_end", {**sub, "status": "trialing"}),
        _payload("evt_3", "invoice.payment_failed", {**invoice, "id": "in_1"}),
        _payload("evt_4", "customer.subscription.updated", {**sub, "status": "past_due"}),
        _payload("evt_5", "invoice.paid", {**invoice, "id": "in_1"}),
        _payload("evt_6", "customer.subscription.updated", {**sub, "status": "active"}),
        _payload("evt_7", "invoice.payment_action_required", {**invoice, "id": "in_2"}),
    ]


SEQUENCE = _sequence()
_tenants: dict[int, TenantFixture] = {}
deliveries = st.permutations(SEQUENCE).flatmap(
    lambda order: st.lists(st.sampled_from(order), max_size=4).map(lambda dupes: order + dupes)
)


@pytest.mark.parametrize(
    ("final_status", "tenant_status", "emails"),
    [("active", TenantStatus.ACTIVE, []), ("past_due", TenantStatus.PAST_DUE, ["Your Voxi payment failed"])],
)
@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(delivered=deliveries)
async def test_every_order_and_duplication_of_events_converges(
    delivered, final_status, tenant_status, emails, work, db, settings, database_urls
):
    # Hypothesis runs this body many times within one test (one `settings` object): one tenant per test.
    acme = _tenants.get(id(settings))
    if acme is None:
        acme = _tenants[id(settings)] = await make_tenant(db, status="TRIAL")
    period_end = datetime(2030, 1, 31, tzinfo=UTC)
    final = SubscriptionState(
        id=SUB,
        customer_id=CUS,
        status=final_status,
        plan=Plan.PROFESSIONAL,
        tenant_id=acme.id,
        trial_end=period_end - timedelta(days=30),
        current_period_end=period_end,
        cancel_at_period_end=False,
    )
    async with db.cross_tenant("test: reset tenant") as session:
        await session.execute(delete(BillingEventRecord))
        await session.execute(delete(OutboxEmail))
        await session.execute(
            update(Tenant)
            .where(Tenant.id == acme.id)
            .values(status=TenantStatus.TRIAL, billing_subscription_id=None, subscription_status=None)
        )
        await session.commit()
    _owner_sql(database_urls, "delete from procrastinate_jobs")
    providers = build_providers(settings, db)
    providers.billing = ProviderAtFinalState(final)  # type: ignore[assignment]

    for payload in delivered:
        async with db.sessions() as session:
            await record_event(session, "stripe", event_from_payload(payload))
            await session.commit()
    await work(providers)

    async with db.cross_tenant("test: read tenant") as session:
        tenant = await session.get_one(Tenant, acme.id)
        stored = await session.scalar(select(func.count()).select_from(BillingEventRecord))
        sent = list(await session.scalars(select(OutboxEmail.subject).order_by(OutboxEmail.subject)))
    assert (tenant.status, tenant.subscription_status, tenant.plan) == (
        tenant_status,
        final_status,
        Plan.PROFESSIONAL,
    )
    assert (tenant.billing_subscription_id, tenant.billing_customer_id) == (SUB, CUS)
    assert tenant.current_period_end == period_end
    assert stored == len(SEQUENCE)  # duplicates were not stored again
    assert providers.billing.fetches == len(SEQUENCE)  # type: ignore[attr-defined]
    assert [s for s in sent if not s.startswith("Your Voxi trial")] == emails  # once per transition
