"""`SandboxBilling`: Stripe's behaviour without Stripe, its state in the database.

Customers and subscriptions live in global tables (shared by every process, surviving restarts),
honour Stripe's test payment-method ids and idempotency keys, and every change produces a
Stripe-shaped event recorded through `voxi.billing.webhooks.record_event` — the function the webhook
route calls after verifying a signature — so sandbox and Stripe events share one handler.
Sandbox webhooks can also be POSTed to the route: they are signed like Stripe's, with a secret
derived from VOXI_SECRET_KEY (`sandbox_webhook_secret`).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from voxi.billing.models import SandboxClock, SandboxCustomer, SandboxSubscription
from voxi.billing.plans import PLANS
from voxi.billing.providers.base import BillingEvent, PaymentDeclined, SubscriptionState
from voxi.billing.providers.stripe import event_from_payload, verify_stripe_signature
from voxi.billing.webhooks import record_event
from voxi.core.errors import NotFound, ValidationFailed
from voxi.core.settings import Settings
from voxi.tenancy.models import Plan

SOURCE = "sandbox"
PERIOD = timedelta(days=30)
TRIAL_REMINDER = timedelta(days=3)  # Stripe sends trial_will_end three days before the trial ends
RETRY_WINDOW = timedelta(days=7)  # past_due → unpaid after this long without a successful payment

# Stripe's test payment methods (https://docs.stripe.com/testing).
WORKING_CARDS = frozenset(
    {"pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_discover", "pm_card_visa_debit"}
)
DECLINED_CARDS = {
    "pm_card_chargeDeclined": "Your card was declined.",
    "pm_card_chargeDeclinedInsufficientFunds": "Your card has insufficient funds.",
    "pm_card_chargeDeclinedExpiredCard": "Your card has expired.",
}
# Attaches fine; every charge fails (the first one is when the trial ends).
FAILS_ON_CHARGE = frozenset({"pm_card_chargeCustomerFail"})


def sandbox_webhook_secret(settings: Settings) -> str:
    return "whsec_" + settings.derived_secret("sandbox-stripe-webhook")


def check_payment_method(payment_method_id: str) -> None:
    """Attach-time behaviour of a test payment method: declined cards fail, unknown ids are invalid."""
    if payment_method_id in DECLINED_CARDS:
        raise PaymentDeclined(DECLINED_CARDS[payment_method_id])
    if payment_method_id not in WORKING_CARDS | FAILS_ON_CHARGE:
        raise ValidationFailed(
            f"Unknown sandbox payment method {payment_method_id!r}; use pm_card_visa.",
            fields={"paymentMethodId": "Use a test card such as pm_card_visa."},
        )


def charge_succeeds(payment_method_id: str) -> bool:
    return payment_method_id in WORKING_CARDS


async def sandbox_now(session: AsyncSession) -> datetime:
    """Wall-clock time moved forward by `voxi sandbox advance`."""
    offset = await session.scalar(select(SandboxClock.offset_seconds).where(SandboxClock.id == 1))
    return datetime.now(UTC) + timedelta(seconds=offset or 0)


def _ts(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value else None


def subscription_object(sub: SandboxSubscription) -> dict[str, Any]:
    """The subscription as Stripe's API shows it (what an event's `data.object` holds)."""
    return {
        "id": sub.id,
        "object": "subscription",
        "customer": sub.customer_id,
        "status": sub.status,
        "metadata": {"tenant_id": str(sub.metadata_tenant_id)} if sub.metadata_tenant_id else {},
        "trial_end": _ts(sub.trial_end),
        "cancel_at_period_end": sub.cancel_at_period_end,
        "items": {
            "data": [
                {
                    "price": {"id": f"price_sandbox_{sub.plan.lower()}"},
                    "current_period_start": _ts(sub.current_period_start),
                    "current_period_end": _ts(sub.current_period_end),
                }
            ]
        },
    }


def invoice_object(sub: SandboxSubscription, amount_cents: int, paid: bool) -> dict[str, Any]:
    return {
        "id": "in_sbx_" + secrets.token_hex(10),
        "object": "invoice",
        "customer": sub.customer_id,
        "subscription": sub.id,
        "amount_due": amount_cents,
        "status": "paid" if paid else "open",
    }


def state_of(sub: SandboxSubscription) -> SubscriptionState:
    return SubscriptionState(
        id=sub.id,
        customer_id=sub.customer_id,
        status=sub.status,
        plan=Plan(sub.plan),
        tenant_id=sub.metadata_tenant_id,
        trial_end=sub.trial_end,
        current_period_end=sub.current_period_end,
        cancel_at_period_end=sub.cancel_at_period_end,
    )


async def emit(session: AsyncSession, event_type: str, obj: dict[str, Any], at: datetime) -> BillingEvent:
    """Record a Stripe-shaped event (and queue its processing) in the caller's transaction."""
    payload = {
        "id": "evt_sbx_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": _ts(at),
        "data": {"object": obj},
    }
    event = event_from_payload(payload)
    await record_event(session, SOURCE, event)
    return event


class SandboxBilling:
    """The `Billing` interface for development, tests and demos."""

    def __init__(self, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._base_url = settings.voxi_base_url
        self._webhook_secret = sandbox_webhook_secret(settings)

    async def create_customer(
        self, *, email: str, name: str, tenant_id: uuid.UUID, payment_method_id: str, idempotency_key: str
    ) -> str:
        check_payment_method(payment_method_id)
        async with self._sessions() as session:
            await session.execute(
                insert(SandboxCustomer)
                .values(
                    id="cus_sbx_" + secrets.token_hex(10),
                    idempotency_key=idempotency_key,
                    email=email,
                    name=name,
                    metadata_tenant_id=tenant_id,
                    payment_method=payment_method_id,
                )
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            customer_id = await session.scalar(
                select(SandboxCustomer.id).where(SandboxCustomer.idempotency_key == idempotency_key)
            )
            await session.commit()
        assert customer_id is not None  # noqa: S101 - inserted or already there
        return customer_id

    async def create_subscription(
        self, *, customer_id: str, plan: Plan, trial_days: int, tenant_id: uuid.UUID, idempotency_key: str
    ) -> SubscriptionState:
        async with self._sessions() as session:
            existing = await session.scalar(
                select(SandboxSubscription).where(SandboxSubscription.idempotency_key == idempotency_key)
            )
            if existing is not None:
                return state_of(existing)
            customer = await session.get(SandboxCustomer, customer_id)
            if customer is None or customer.deleted_at is not None:
                raise NotFound(f"No such sandbox customer: {customer_id}.")
            now = await sandbox_now(session)
            sub = SandboxSubscription(
                id="sub_sbx_" + secrets.token_hex(10),
                idempotency_key=idempotency_key,
                customer_id=customer_id,
                metadata_tenant_id=tenant_id,
                plan=plan.value,
                status="trialing",
                trial_end=now + timedelta(days=trial_days) if trial_days else None,
                current_period_start=now,
                current_period_end=now + (timedelta(days=trial_days) if trial_days else PERIOD),
                cancel_at_period_end=False,
                trial_will_end_sent=False,
                open_invoice_cents=0,
            )
            if not trial_days:
                # No trial: the first invoice is charged at once; a failing card leaves it incomplete.
                paid = charge_succeeds(customer.payment_method)
                sub.status = "active" if paid else "incomplete"
                sub.open_invoice_cents = 0 if paid else PLANS[plan].price_cents
            session.add(sub)
            await session.flush()
            await emit(session, "customer.subscription.created", subscription_object(sub), now)
            await session.commit()
            return state_of(sub)

    async def _get(self, session: AsyncSession, subscription_id: str) -> SandboxSubscription:
        sub = await session.get(SandboxSubscription, subscription_id, with_for_update=True)
        if sub is None:
            raise NotFound(f"No such sandbox subscription: {subscription_id}.")
        return sub

    async def get_subscription(self, subscription_id: str) -> SubscriptionState:
        async with self._sessions() as session:
            return state_of(await self._get(session, subscription_id))

    async def _update(self, subscription_id: str, **changes: Any) -> SubscriptionState:
        async with self._sessions() as session:
            sub = await self._get(session, subscription_id)
            for key, value in changes.items():
                setattr(sub, key, value)
            await session.flush()
            await emit(
                session, "customer.subscription.updated", subscription_object(sub), await sandbox_now(session)
            )
            await session.commit()
            return state_of(sub)

    async def change_plan(
        self, subscription_id: str, plan: Plan, *, idempotency_key: str
    ) -> SubscriptionState:
        """Switch the price; the sandbox does not invoice the proration, Stripe does (create_prorations)."""
        return await self._update(subscription_id, plan=plan.value)

    async def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState:
        return await self._update(subscription_id, cancel_at_period_end=cancel)

    async def cancel_now(self, subscription_id: str) -> None:
        async with self._sessions() as session:
            sub = await session.get(SandboxSubscription, subscription_id, with_for_update=True)
            if sub is None or sub.status in ("canceled", "incomplete_expired"):
                return
            await cancel_subscription(session, sub, await sandbox_now(session))
            await session.commit()

    async def delete_customer(self, customer_id: str) -> None:
        async with self._sessions() as session:
            customer = await session.get(SandboxCustomer, customer_id, with_for_update=True)
            if customer is None or customer.deleted_at is not None:
                return
            now = await sandbox_now(session)
            customer.deleted_at = now
            # Like Stripe: deleting a customer cancels its subscriptions at once.
            subs = await session.scalars(
                select(SandboxSubscription).where(
                    SandboxSubscription.customer_id == customer_id,
                    SandboxSubscription.status.not_in(("canceled", "incomplete_expired")),
                )
            )
            for sub in subs:
                await cancel_subscription(session, sub, now)
            await session.commit()

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        return (
            f"{self._base_url}/sandbox/billing/portal/{customer_id}?{urlencode({'return_url': return_url})}"
        )

    def verify_webhook(self, payload: bytes, signature_header: str) -> BillingEvent:
        return verify_stripe_signature(payload, signature_header, self._webhook_secret)


async def cancel_subscription(session: AsyncSession, sub: SandboxSubscription, at: datetime) -> None:
    sub.status, sub.canceled_at = "canceled", at
    await session.flush()
    await emit(session, "customer.subscription.deleted", subscription_object(sub), at)
