"""`StripeBilling`: the `Billing` interface on the official `stripe` SDK (async `StripeClient`).

The API base comes from settings so tests point the real SDK at a local fake of Stripe's HTTP API.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import stripe
import structlog

from voxi.billing.providers.base import BillingEvent, BillingUnavailable, PaymentDeclined, SubscriptionState
from voxi.core.errors import VoxiError
from voxi.core.settings import Settings
from voxi.tenancy.models import Plan

log = structlog.get_logger(__name__)
T = TypeVar("T")

WEBHOOK_TOLERANCE_SECONDS = 300


class WebhookRejected(VoxiError):
    status_code = 400
    code = "invalid_signature"
    message = "The webhook signature is missing, forged or too old."


def _time(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def event_from_payload(payload: dict[str, Any]) -> BillingEvent:
    """A Stripe-shaped event (real or sandbox) → `BillingEvent`, naming its subscription and customer."""
    obj = dict(payload.get("data", {}).get("object", {}))
    event_type = str(payload["type"])
    if event_type.startswith("customer.subscription."):
        subscription_id = obj.get("id")
    else:
        # Invoices name their subscription at the top level (older API versions) or under `parent`.
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription_id = obj.get("subscription") or details.get("subscription")
    customer = obj.get("customer")
    return BillingEvent(
        id=str(payload["id"]),
        type=event_type,
        created=_time(payload.get("created")) or datetime.now(UTC),
        subscription_id=str(subscription_id) if subscription_id else None,
        customer_id=str(customer) if isinstance(customer, str) else None,
        data=obj,
    )


def verify_stripe_signature(payload: bytes, signature_header: str, secret: str) -> BillingEvent:
    """`stripe.Webhook.construct_event` (HMAC + 300 s tolerance), with the reason a rejection had."""
    try:
        event = stripe.Webhook.construct_event(
            payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS, api_key="unused"
        )
    except stripe.SignatureVerificationError as exc:
        stale = "tolerance" in str(exc)
        raise WebhookRejected(
            "The webhook timestamp is too old (replayed or delayed event)."
            if stale
            else "The webhook signature does not match."
        ) from exc
    except ValueError as exc:
        raise WebhookRejected("The webhook body is not a JSON event.") from exc
    return event_from_payload(event.to_dict())


class StripeBilling:
    """Customers, subscriptions and the Customer Portal on Stripe."""

    def __init__(self, settings: Settings) -> None:
        self._client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base},
            http_client=stripe.HTTPXClient(),
            # Retries are ours to decide (jobs, saga steps), each with its idempotency key.
            max_network_retries=0,
        )
        self._webhook_secret = settings.stripe_webhook_secret
        self._prices = {
            Plan.STARTER: settings.stripe_price_starter,
            Plan.PROFESSIONAL: settings.stripe_price_professional,
            Plan.ENTERPRISE: settings.stripe_price_enterprise,
        }
        self._plans = {price: plan for plan, price in self._prices.items() if price}

    async def _call(self, action: str, request: Callable[[], Awaitable[T]]) -> T:
        try:
            return await request()
        except stripe.CardError as exc:
            raise PaymentDeclined(exc.user_message or PaymentDeclined.message) from exc
        except stripe.StripeError as exc:
            # Connection, rate-limit, API and configuration errors alike: the customer can only retry.
            log.warning("stripe_error", action=action, error=type(exc).__name__, code=exc.code)
            raise BillingUnavailable() from exc

    def _state(self, sub: Any) -> SubscriptionState:
        data = sub.to_dict() if hasattr(sub, "to_dict") else dict(sub)
        items = (data.get("items") or {}).get("data") or [{}]
        item = items[0]
        price = (item.get("price") or {}).get("id")
        metadata = data.get("metadata") or {}
        # Since API 2025-03-31 the period lives on the subscription item.
        period_end = item.get("current_period_end") or data.get("current_period_end")
        tenant = metadata.get("tenant_id")
        return SubscriptionState(
            id=data["id"],
            customer_id=data["customer"] if isinstance(data["customer"], str) else data["customer"]["id"],
            status=data["status"],
            plan=self._plans.get(str(price), Plan.STARTER),
            tenant_id=uuid.UUID(tenant) if tenant else None,
            trial_end=_time(data.get("trial_end")),
            current_period_end=_time(period_end),
            cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        )

    async def create_customer(
        self, *, email: str, name: str, tenant_id: uuid.UUID, payment_method_id: str, idempotency_key: str
    ) -> str:
        params = {
            "email": email,
            "name": name,
            "payment_method": payment_method_id,
            "invoice_settings": {"default_payment_method": payment_method_id},
            "metadata": {"tenant_id": str(tenant_id)},
        }
        customer = await self._call(
            "create_customer",
            lambda: self._client.v1.customers.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            ),
        )
        return customer.id

    async def create_subscription(
        self, *, customer_id: str, plan: Plan, trial_days: int, tenant_id: uuid.UUID, idempotency_key: str
    ) -> SubscriptionState:
        params = {
            "customer": customer_id,
            "items": [{"price": self._prices[plan]}],
            "trial_period_days": trial_days,
            "metadata": {"tenant_id": str(tenant_id)},
        }
        sub = await self._call(
            "create_subscription",
            lambda: self._client.v1.subscriptions.create_async(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            ),
        )
        return self._state(sub)

    async def get_subscription(self, subscription_id: str) -> SubscriptionState:
        sub = await self._call(
            "get_subscription", lambda: self._client.v1.subscriptions.retrieve_async(subscription_id)
        )
        return self._state(sub)

    async def change_plan(
        self, subscription_id: str, plan: Plan, *, idempotency_key: str
    ) -> SubscriptionState:
        current = await self._call(
            "change_plan", lambda: self._client.v1.subscriptions.retrieve_async(subscription_id)
        )
        item_id = current.to_dict()["items"]["data"][0]["id"]
        params = {
            "items": [{"id": item_id, "price": self._prices[plan]}],
            "proration_behavior": "create_prorations",
        }
        sub = await self._call(
            "change_plan",
            lambda: self._client.v1.subscriptions.update_async(
                subscription_id,
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            ),
        )
        return self._state(sub)

    async def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState:
        sub = await self._call(
            "set_cancel_at_period_end",
            lambda: self._client.v1.subscriptions.update_async(
                subscription_id, params={"cancel_at_period_end": cancel}
            ),
        )
        return self._state(sub)

    async def cancel_now(self, subscription_id: str) -> None:
        current = await self.get_subscription(subscription_id)
        if current.status in ("canceled", "incomplete_expired"):
            return
        await self._call("cancel_now", lambda: self._client.v1.subscriptions.cancel_async(subscription_id))

    async def delete_customer(self, customer_id: str) -> None:
        try:
            await self._client.v1.customers.delete_async(customer_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise BillingUnavailable() from exc
        except stripe.StripeError as exc:
            raise BillingUnavailable() from exc

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        session = await self._call(
            "portal_url",
            lambda: self._client.v1.billing_portal.sessions.create_async(
                params={"customer": customer_id, "return_url": return_url}
            ),
        )
        return session.url

    def verify_webhook(self, payload: bytes, signature_header: str) -> BillingEvent:
        return verify_stripe_signature(payload, signature_header, self._webhook_secret)
