"""`StripeBilling` runs the real `stripe` SDK against a local fake of Stripe's HTTP API (respx)."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import parse_qs

import httpx
import pytest
import respx
import stripe

from tests.conftest import TEST_SECRET
from voxi.billing.providers.base import BillingUnavailable, PaymentDeclined
from voxi.billing.providers.stripe import StripeBilling, WebhookRejected
from voxi.core.settings import Settings
from voxi.tenancy.models import Plan

API = "https://stripe.test"
TENANT = uuid.UUID("2b1f0c8e-8f6b-4a59-9a57-0c6a4c7e1f00")
NOW = int(time.time())


@pytest.fixture
def stripe_settings() -> Settings:
    return Settings(
        _env_file=None,
        voxi_env="test",
        voxi_secret_key=TEST_SECRET,
        stripe_secret_key="sk_test_123",
        stripe_webhook_secret="whsec_test_secret",
        stripe_api_base=API,
        stripe_price_starter="price_starter",
        stripe_price_professional="price_pro",
        stripe_price_enterprise="price_ent",
    )


@pytest.fixture
def billing(stripe_settings: Settings) -> StripeBilling:
    return StripeBilling(stripe_settings)


def _form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


def _subscription(status: str = "trialing", price: str = "price_pro", cancel: bool = False) -> dict:
    return {
        "id": "sub_123",
        "object": "subscription",
        "customer": "cus_123",
        "status": status,
        "metadata": {"tenant_id": str(TENANT)},
        "trial_end": NOW + 14 * 86400,
        "cancel_at_period_end": cancel,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "price": {"id": price, "object": "price"},
                    "current_period_end": NOW + 14 * 86400,
                }
            ],
        },
    }


@respx.mock
async def test_customer_is_created_with_default_card_metadata_and_idempotency_key(billing):
    route = respx.post(f"{API}/v1/customers").respond(json={"id": "cus_123", "object": "customer"})
    customer_id = await billing.create_customer(
        email="owner@acme.test",
        name="Acme Heating",
        tenant_id=TENANT,
        payment_method_id="pm_card_visa",
        idempotency_key="signup:1:customer",
    )
    assert customer_id == "cus_123"
    request = route.calls.last.request
    assert request.headers["Idempotency-Key"] == "signup:1:customer"
    assert request.headers["Authorization"] == "Bearer sk_test_123"
    assert _form(request) == {
        "email": "owner@acme.test",
        "name": "Acme Heating",
        "payment_method": "pm_card_visa",
        "invoice_settings[default_payment_method]": "pm_card_visa",
        "metadata[tenant_id]": str(TENANT),
    }


@respx.mock
async def test_a_declined_card_is_payment_declined(billing):
    respx.post(f"{API}/v1/customers").respond(
        402,
        json={
            "error": {
                "type": "card_error",
                "code": "card_declined",
                "message": "Your card was declined.",
                "param": "payment_method",
            }
        },
    )
    with pytest.raises(PaymentDeclined) as declined:
        await billing.create_customer(
            email="a@b.test", name="A", tenant_id=TENANT, payment_method_id="pm_x", idempotency_key="k"
        )
    assert declined.value.status_code == 402 and "declined" in declined.value.message


@respx.mock
async def test_subscription_has_trial_price_and_tenant_metadata_and_maps_back(billing):
    route = respx.post(f"{API}/v1/subscriptions").respond(json=_subscription())
    state = await billing.create_subscription(
        customer_id="cus_123",
        plan=Plan.PROFESSIONAL,
        trial_days=14,
        tenant_id=TENANT,
        idempotency_key="signup:1:subscription",
    )
    request = route.calls.last.request
    assert request.headers["Idempotency-Key"] == "signup:1:subscription"
    assert _form(request) == {
        "customer": "cus_123",
        "items[0][price]": "price_pro",
        "trial_period_days": "14",
        "metadata[tenant_id]": str(TENANT),
    }
    assert (state.id, state.customer_id, state.status, state.plan) == (
        "sub_123",
        "cus_123",
        "trialing",
        Plan.PROFESSIONAL,
    )
    assert state.tenant_id == TENANT
    assert state.trial_end is not None and int(state.trial_end.timestamp()) == NOW + 14 * 86400
    assert state.current_period_end == state.trial_end and state.cancel_at_period_end is False


@respx.mock
async def test_plan_change_prorates_the_existing_item(billing):
    respx.get(f"{API}/v1/subscriptions/sub_123").respond(json=_subscription("active"))
    update = respx.post(f"{API}/v1/subscriptions/sub_123").respond(json=_subscription("active", "price_ent"))
    state = await billing.change_plan("sub_123", Plan.ENTERPRISE, idempotency_key="change-plan:1")
    request = update.calls.last.request
    assert request.headers["Idempotency-Key"] == "change-plan:1"
    assert _form(request) == {
        "items[0][id]": "si_1",
        "items[0][price]": "price_ent",
        "proration_behavior": "create_prorations",
    }
    assert state.plan == Plan.ENTERPRISE and state.status == "active"


@respx.mock
async def test_cancel_at_period_end_and_portal_session(billing):
    update = respx.post(f"{API}/v1/subscriptions/sub_123").respond(json=_subscription("active", cancel=True))
    portal = respx.post(f"{API}/v1/billing_portal/sessions").respond(
        json={"id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.test/p/1"}
    )
    state = await billing.set_cancel_at_period_end("sub_123", True)
    assert _form(update.calls.last.request) == {"cancel_at_period_end": "true"} and state.cancel_at_period_end
    url = await billing.portal_url("cus_123", "https://voxi.test/billing")
    assert url == "https://billing.stripe.test/p/1"
    assert _form(portal.calls.last.request) == {
        "customer": "cus_123",
        "return_url": "https://voxi.test/billing",
    }


@respx.mock
async def test_compensation_is_a_no_op_when_already_done(billing):
    respx.get(f"{API}/v1/subscriptions/sub_123").respond(json=_subscription("canceled"))
    cancel = respx.delete(f"{API}/v1/subscriptions/sub_123")
    respx.delete(f"{API}/v1/customers/cus_gone").respond(
        404,
        json={
            "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such customer",
            }
        },
    )
    await billing.cancel_now("sub_123")
    await billing.delete_customer("cus_gone")
    assert not cancel.called


@respx.mock
async def test_connection_errors_are_billing_unavailable(billing):
    respx.get(f"{API}/v1/subscriptions/sub_123").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(BillingUnavailable):
        await billing.get_subscription("sub_123")


def _event(event_type: str = "invoice.payment_failed") -> bytes:
    invoice = {"id": "in_1", "object": "invoice", "customer": "cus_123"}
    invoice["parent"] = {"subscription_details": {"subscription": "sub_123"}}
    payload = {
        "id": "evt_1",
        "object": "event",
        "type": event_type,
        "created": NOW,
        "data": {"object": invoice},
    }
    return json.dumps(payload).encode()


def test_webhook_signatures_are_checked_with_the_stripe_library(billing):
    body = _event()
    good = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_test_secret")
    event = billing.verify_webhook(body, good)
    assert (event.id, event.type, event.subscription_id, event.customer_id) == (
        "evt_1",
        "invoice.payment_failed",
        "sub_123",
        "cus_123",
    )
    forged = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_attacker")
    stale = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_test_secret", NOW - 301)
    with pytest.raises(WebhookRejected, match="does not match"):
        billing.verify_webhook(body, forged)
    with pytest.raises(WebhookRejected, match="too old"):
        billing.verify_webhook(body, stale)
    with pytest.raises(WebhookRejected):
        billing.verify_webhook(body, "")
