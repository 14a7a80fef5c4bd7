"""The signup saga: failures at every step are compensated and retried to exactly one business."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from sqlalchemy import func, select

from tests.signup.conftest import SignupWorld, signup_body
from voxi.auth.models import TenantUser, User
from voxi.billing.providers.base import BillingUnavailable
from voxi.core.db import libpq_conninfo
from voxi.notifications.models import OutboxEmail
from voxi.signup.models import SignupAttempt, SignupState
from voxi.telephony.models import NumberRoute, PhoneNumber
from voxi.telephony.providers.base import TelephonyUnavailable
from voxi.tenancy.models import Tenant, TenantConfig, TenantStatus

KEY = {"Idempotency-Key": "signup-test-key-1"}


async def _count(db, model) -> int:
    async with db.cross_tenant("test: count rows") as session:
        return await session.scalar(select(func.count()).select_from(model))


async def _leftovers(db) -> dict[str, int]:
    models = (Tenant, User, TenantUser, TenantConfig, PhoneNumber, NumberRoute)
    return {model.__tablename__: await _count(db, model) for model in models}


NOTHING_LEFT = {
    t: 0 for t in ("tenants", "users", "tenant_users", "tenant_configs", "phone_numbers", "number_routes")
}


async def test_a_signup_creates_a_trial_business_with_a_number_and_sends_the_welcome_email(
    world: SignupWorld, db
):
    response = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["success"] is True
    assert body["business"]["name"] == "Acme Plumbing"
    assert body["business"]["phoneNumber"] == "+15125550100"
    trial_end = datetime.fromisoformat(body["business"]["trialEndsAt"])
    assert abs(trial_end - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)
    assert set(body["nextSteps"]) == {"step1", "step2", "step3"}
    assert "+15125550100" in body["nextSteps"]["step1"]

    business = await world.client.get(
        "/api/v1/business", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert business.status_code == 200, business.text
    facts = business.json()
    assert facts["status"] == TenantStatus.TRIAL
    assert facts["plan"] == "PROFESSIONAL"
    assert facts["phoneNumbers"] == ["+15125550100"]
    assert facts["config"]["greeting"] == "Thanks for calling Acme Plumbing!"
    assert [s["name"] for s in facts["config"]["services"]][:2] == ["Leak repair", "Drain cleaning"]
    assert facts["config"]["businessHours"]["mon"] == [["08:00", "17:00"]]
    assert facts["config"]["businessHours"]["sun"] == []
    assert facts["config"]["forwardingNumber"] == "+15125550199"

    (number,) = world.telephony.owned.values()
    assert number.voice_url == "https://voxi.test/twilio/voice"
    assert number.status_callback == "https://voxi.test/twilio/status"
    assert number.sms_url == "https://voxi.test/twilio/sms"
    (subscription,) = world.billing.subscriptions.values()
    assert subscription.status == "trialing" and str(subscription.tenant_id) == body["business"]["id"]
    async with db.cross_tenant("test") as session:
        email = await session.scalar(select(OutboxEmail))
        tenant = await session.get(Tenant, subscription.tenant_id)
    assert email.to_address == "pat@acme-plumbing.example"
    assert "+15125550100" in email.subject and "Forward your business line" in email.body
    assert tenant.billing_subscription_id == subscription.id


def _owner_dsn(database_urls) -> str:
    return libpq_conninfo(database_urls.owner)


class BrokenTable:
    """A real database failure: a trigger that makes every insert into `table` raise."""

    def __init__(self, database_urls, table: str) -> None:
        self.dsn, self.table = _owner_dsn(database_urls), table

    def __enter__(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                "create or replace function test_broken() returns trigger language plpgsql as "
                "$$ begin raise exception 'injected database failure'; end $$"
            )
            conn.execute(
                f"create trigger test_broken before insert on {self.table} "  # noqa: S608
                "for each row execute function test_broken()"
            )

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f"drop trigger if exists test_broken on {self.table}")


FAILURES = {
    "billing customer": ("billing", "create_customer", BillingUnavailable(), 503, "billing_unavailable"),
    "subscription": ("billing", "create_subscription", BillingUnavailable(), 503, "billing_unavailable"),
    "telephony search": (
        "telephony",
        "search_available",
        TelephonyUnavailable(),
        503,
        "telephony_unavailable",
    ),
    "telephony purchase": ("telephony", "purchase", TelephonyUnavailable(), 503, "telephony_unavailable"),
    "email": ("mailer", "send", OSError("smtp down"), 503, "email_unavailable"),
    "database": (None, "phone_numbers", None, 503, "signup_failed"),
}


@pytest.mark.parametrize("step", FAILURES)
async def test_a_failure_at_any_step_leaves_nothing_and_a_retry_completes(
    world: SignupWorld, db, database_urls, step
):
    provider, method, error, status, code = FAILURES[step]
    if provider is None:
        with BrokenTable(database_urls, method):
            failed = await world.client.post("/api/signup", json=signup_body(), headers=KEY)
    else:
        getattr(world, provider).fail(method, error)
        failed = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert failed.status_code == status, failed.text
    assert failed.json()["error"]["code"] == code
    assert "try again" in failed.json()["error"]["message"].lower()
    assert await _leftovers(db) == NOTHING_LEFT
    assert world.billing.live_customers() == []
    assert world.billing.live_subscriptions() == []
    assert world.telephony.owned == {}
    async with db.cross_tenant("test") as session:
        attempt = await session.scalar(select(SignupAttempt))
        assert await session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    assert attempt.state == SignupState.FAILED and attempt.error_code == code
    assert any(entry["status"] == "compensated" for entry in attempt.log)

    retried = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert retried.status_code == 201, retried.text
    counts = await _leftovers(db)
    assert counts["tenants"] == counts["users"] == counts["phone_numbers"] == counts["number_routes"] == 1
    assert len(world.billing.live_customers()) == 1
    assert len(world.billing.live_subscriptions()) == 1
    assert len(world.telephony.owned) == 1
    assert await _count(db, OutboxEmail) == 1


async def test_a_compensation_that_fails_is_finished_by_the_retry(world: SignupWorld, db):
    world.billing.fail("create_subscription", BillingUnavailable())
    world.billing.fail("delete_customer", BillingUnavailable())

    failed = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert failed.status_code == 503
    assert len(world.billing.live_customers()) == 1  # billing was down for the undo too
    async with db.cross_tenant("test") as session:
        attempt = await session.scalar(select(SignupAttempt))
    assert [e["step"] for e in attempt.log if e["status"] == "compensation_failed"] == ["customer"]

    retried = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert retried.status_code == 201
    assert len(world.billing.live_customers()) == 1
    assert len(world.billing.customers) == 2  # the first one deleted before the retry began
    assert await _count(db, Tenant) == 1


async def test_a_declined_card_is_a_402_and_leaves_nothing(world: SignupWorld, db):
    response = await world.client.post(
        "/api/signup", json=signup_body(paymentMethodId="pm_card_chargeDeclined"), headers=KEY
    )
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "payment_declined"
    assert await _leftovers(db) == NOTHING_LEFT


async def test_an_area_code_without_numbers_suggests_nearby_ones(world: SignupWorld, db):
    response = await world.client.post("/api/signup", json=signup_body(areaCode="212"), headers=KEY)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "no_numbers_available"
    assert "737" in error["message"] and "210" in error["message"]
    assert "areaCode" in error["fields"]
    assert await _leftovers(db) == NOTHING_LEFT
    assert world.billing.live_subscriptions() == [] and world.billing.live_customers() == []


async def test_a_double_submit_makes_one_business_and_answers_both_identically(world: SignupWorld, db):
    first, second = await asyncio.gather(
        world.client.post("/api/signup", json=signup_body(), headers=KEY),
        world.client.post("/api/signup", json=signup_body(), headers=KEY),
    )
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert first.json() == second.json()
    assert await _count(db, Tenant) == 1
    assert len(world.telephony.owned) == 1 and len(world.billing.subscriptions) == 1


async def test_an_identical_retry_without_a_key_returns_the_first_result(world: SignupWorld, db):
    first = await world.client.post("/api/signup", json=signup_body())
    again = await world.client.post("/api/signup", json=signup_body())
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert await _count(db, Tenant) == 1


async def test_the_same_key_with_another_body_or_password_is_a_conflict(world: SignupWorld, db):
    assert (await world.client.post("/api/signup", json=signup_body(), headers=KEY)).status_code == 201

    other_body = await world.client.post("/api/signup", json=signup_body(businessName="Other"), headers=KEY)
    other_password = await world.client.post(
        "/api/signup", json=signup_body(password="not-the-same-password"), headers=KEY
    )

    for response in (other_body, other_password):
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "idempotency_conflict"
        assert "token" not in response.text
    assert await _count(db, Tenant) == 1


async def test_two_concurrent_signups_with_one_email_make_one_business(world: SignupWorld, db):
    responses = await asyncio.gather(
        world.client.post("/api/signup", json=signup_body(), headers={"Idempotency-Key": "key-a"}),
        world.client.post(
            "/api/signup",
            json=signup_body(businessName="Acme Two", areaCode="512"),
            headers={"Idempotency-Key": "key-b"},
        ),
    )
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    conflict = next(r for r in responses if r.status_code == 409).json()["error"]
    assert conflict["code"] == "email_taken" and "email" in conflict["fields"]
    counts = await _leftovers(db)
    assert counts["tenants"] == counts["users"] == counts["phone_numbers"] == 1
    assert len(world.billing.live_customers()) == 1 and len(world.telephony.owned) == 1


async def test_an_existing_email_is_refused_before_anything_is_bought(world: SignupWorld, db):
    assert (await world.client.post("/api/signup", json=signup_body(), headers=KEY)).status_code == 201
    response = await world.client.post(
        "/api/signup", json=signup_body(businessName="Again"), headers={"Idempotency-Key": "another"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {
        "email": "An account with this email already exists. Log in instead."
    }
    assert len(world.billing.customers) == 1 and len(world.telephony.owned) == 1


LOSER_FAILS = {
    # Its route is refused, so it moves on to the next number, and then its welcome email fails.
    "after buying the next number": ("mailer", "send", OSError("smtp down"), "email_unavailable"),
    # Its purchase went through at the provider but the answer never came back.
    "with the purchase answer lost": (
        "telephony",
        "purchase",
        TelephonyUnavailable(),
        "telephony_unavailable",
    ),
}


@pytest.mark.parametrize("how", LOSER_FAILS)
async def test_a_signup_that_loses_a_number_race_leaves_the_winners_number_alone(world: SignupWorld, db, how):
    """Two signups buy +15125550100 at once: both purchases succeed at the provider (it is one account),
    the route decides, and the loser's compensation must not release the winner's number."""
    provider, method, error, code = LOSER_FAILS[how]
    contested = "+15125550100"
    winner: dict[str, httpx.Response] = {}

    async def the_winner_buys_and_routes_it_first(e164: str) -> None:
        assert e164 == contested  # the loser is buying it too: it was free when the loser searched
        world.telephony.before_purchase = None
        winner["response"] = await world.client.post(
            "/api/signup",
            json=signup_body(businessName="Winner Plumbing", email="win@winner.example"),
            headers={"Idempotency-Key": "the-winner"},
        )
        getattr(world, provider).fail(method, error)

    world.telephony.before_purchase = the_winner_buys_and_routes_it_first
    loser = await world.client.post("/api/signup", json=signup_body(), headers=KEY)

    assert winner["response"].status_code == 201, winner["response"].text
    assert loser.status_code == 503 and loser.json()["error"]["code"] == code, loser.text
    winner_id = winner["response"].json()["business"]["id"]
    assert [n.e164 for n in world.telephony.owned.values()] == [contested]  # still bought, not released
    async with db.cross_tenant("test") as session:
        routes = (await session.execute(select(NumberRoute.e164, NumberRoute.tenant_id))).all()
        numbers = (await session.execute(select(PhoneNumber.e164, PhoneNumber.tenant_id))).all()
        attempt = await session.scalar(
            select(SignupAttempt).where(SignupAttempt.idempotency_key == KEY["Idempotency-Key"])
        )
    assert [(e164, str(tenant)) for e164, tenant in routes] == [(contested, winner_id)]
    assert [(e164, str(tenant)) for e164, tenant in numbers] == [(contested, winner_id)]
    assert await _count(db, Tenant) == 1
    assert attempt.state == SignupState.FAILED
    assert not any(e["status"] == "compensation_failed" for e in attempt.log)
