"""The billing provider interface. `StripeBilling` (official `stripe` SDK) and `SandboxBilling` implement it.

Amounts and plans live in `voxi.billing.plans`; the provider only knows its own price ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from voxi.core.errors import VoxiError
from voxi.tenancy.models import Plan


class PaymentDeclined(VoxiError):
    status_code = 402
    code = "payment_declined"
    message = "Your card was declined. Please use another card."


class BillingUnavailable(VoxiError):
    status_code = 503
    code = "billing_unavailable"
    message = "Billing is unavailable right now. Please try again in a minute."


@dataclass(frozen=True)
class SubscriptionState:
    """The provider's authoritative view of a subscription (re-fetched, never trusted from an event)."""

    id: str
    customer_id: str
    status: (
        str  # Stripe's: trialing, active, past_due, unpaid, paused, canceled, incomplete, incomplete_expired
    )
    plan: Plan
    tenant_id: uuid.UUID | None  # from the subscription's metadata
    trial_end: datetime | None
    current_period_end: datetime | None
    cancel_at_period_end: bool


@dataclass(frozen=True)
class BillingEvent:
    """A verified webhook event: what happened, to which subscription/customer."""

    id: str
    type: str
    created: datetime
    subscription_id: str | None
    customer_id: str | None
    data: dict[str, Any] = field(default_factory=dict)


class Billing(Protocol):
    """Customers and subscriptions. Every mutating call takes an idempotency key derived from the signup
    (or action) id, so a retried saga step never creates a second customer or subscription."""

    async def create_customer(
        self, *, email: str, name: str, tenant_id: uuid.UUID, payment_method_id: str, idempotency_key: str
    ) -> str:
        """Create the customer with the payment method attached as default; raise PaymentDeclined."""

    async def create_subscription(
        self, *, customer_id: str, plan: Plan, trial_days: int, tenant_id: uuid.UUID, idempotency_key: str
    ) -> SubscriptionState: ...

    async def get_subscription(self, subscription_id: str) -> SubscriptionState: ...

    async def change_plan(
        self, subscription_id: str, plan: Plan, *, idempotency_key: str
    ) -> SubscriptionState:
        """Upgrade/downgrade with proration."""

    async def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState: ...

    async def cancel_now(self, subscription_id: str) -> None:
        """Immediate cancellation (saga compensation); a no-op when already canceled."""

    async def delete_customer(self, customer_id: str) -> None:
        """Saga compensation; a no-op when already deleted."""

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        """Where the customer changes their card (Stripe Customer Portal; sandbox: a local page)."""

    def verify_webhook(self, payload: bytes, signature_header: str) -> BillingEvent:
        """Verify the signature (raise Unauthorized-like VoxiError on forged/stale) and parse the event."""
