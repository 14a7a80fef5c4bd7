"""In-memory billing and telephony that keep score, with failures injected per method.

Small fakes of the `Billing` and `Telephony` protocols: they record what exists at the "provider" so a
test can assert nothing was left behind (a live customer, an active subscription, a bought number).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from voxi.billing.providers.base import BillingUnavailable, PaymentDeclined, SubscriptionState
from voxi.telephony.providers.base import (
    AvailableNumber,
    NoNumbersAvailable,
    NumberWebhooks,
    OwnedNumber,
    TelephonyUnavailable,
)
from voxi.tenancy.models import Plan

_ids = itertools.count(1)


class Faults:
    """`fail("create_customer")` makes the next call of that method raise (once, or `times`)."""

    def __init__(self) -> None:
        self._pending: dict[str, list[Exception]] = {}

    def fail(self, method: str, error: Exception, *, times: int = 1) -> None:
        self._pending.setdefault(method, []).extend([error] * times)

    def check(self, method: str) -> None:
        if self._pending.get(method):
            raise self._pending[method].pop(0)


@dataclass
class FakeBilling(Faults):
    customers: dict[str, dict] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionState] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Faults.__init__(self)

    async def create_customer(
        self, *, email: str, name: str, tenant_id: uuid.UUID, payment_method_id: str, idempotency_key: str
    ) -> str:
        self.check("create_customer")
        if payment_method_id == "pm_card_chargeDeclined":
            raise PaymentDeclined()
        if idempotency_key in self.keys:
            return self.keys[idempotency_key]
        customer_id = f"cus_{next(_ids)}"
        self.keys[idempotency_key] = customer_id
        self.customers[customer_id] = {"email": email, "tenant_id": tenant_id, "deleted": False}
        return customer_id

    async def create_subscription(
        self, *, customer_id: str, plan: Plan, trial_days: int, tenant_id: uuid.UUID, idempotency_key: str
    ) -> SubscriptionState:
        self.check("create_subscription")
        if idempotency_key in self.keys:
            return self.subscriptions[self.keys[idempotency_key]]
        assert not self.customers[customer_id]["deleted"], "subscription for a deleted customer"
        sub_id = f"sub_{next(_ids)}"
        self.keys[idempotency_key] = sub_id
        now = datetime.now(UTC)
        state = SubscriptionState(
            sub_id,
            customer_id,
            "trialing",
            plan,
            tenant_id,
            now + timedelta(days=trial_days),
            now + timedelta(days=trial_days),
            False,
        )
        self.subscriptions[sub_id] = state
        return state

    async def get_subscription(self, subscription_id: str) -> SubscriptionState:
        return self.subscriptions[subscription_id]

    async def change_plan(
        self, subscription_id: str, plan: Plan, *, idempotency_key: str
    ) -> SubscriptionState:
        raise NotImplementedError

    async def set_cancel_at_period_end(self, subscription_id: str, cancel: bool) -> SubscriptionState:
        raise NotImplementedError

    async def cancel_now(self, subscription_id: str) -> None:
        self.check("cancel_now")
        sub = self.subscriptions[subscription_id]
        self.subscriptions[subscription_id] = SubscriptionState(
            sub.id,
            sub.customer_id,
            "canceled",
            sub.plan,
            sub.tenant_id,
            sub.trial_end,
            sub.current_period_end,
            False,
        )

    async def delete_customer(self, customer_id: str) -> None:
        self.check("delete_customer")
        self.customers[customer_id]["deleted"] = True

    async def portal_url(self, customer_id: str, return_url: str) -> str:
        return return_url

    def verify_webhook(self, payload: bytes, signature_header: str):  # noqa: ANN201 - unused here
        raise NotImplementedError

    def live_customers(self) -> list[str]:
        return [c for c, data in self.customers.items() if not data["deleted"]]

    def live_subscriptions(self) -> list[str]:
        return [s for s, state in self.subscriptions.items() if state.status != "canceled"]


@dataclass
class FakeTelephony(Faults):
    stock: dict[str, list[str]] = field(default_factory=dict)  # area code → free numbers
    owned: dict[str, OwnedNumber] = field(default_factory=dict)  # sid → number
    released: list[str] = field(default_factory=list)
    # Runs as a purchase starts, with the number: lets a test slip a concurrent signup in.
    before_purchase: Callable[[str], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        Faults.__init__(self)
        self.stock = self.stock or {"512": [f"+1512555{n:04d}" for n in range(100, 110)]}

    async def search_available(self, area_code: str, *, limit: int = 5) -> list[AvailableNumber]:
        self.check("search_available")
        held = {n.e164 for n in self.owned.values()}
        free = [e164 for e164 in self.stock.get(area_code, []) if e164 not in held]
        if not free:
            raise NoNumbersAvailable(area_code, ["737", "210"])
        return [AvailableNumber(e164, "Austin", "TX") for e164 in free[:limit]]

    async def purchase(self, e164: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        if self.before_purchase is not None:
            await self.before_purchase(e164)
        self.check("purchase")
        for number in self.owned.values():
            if number.e164 == e164:
                return number
        sid = f"PN{next(_ids)}"
        number = OwnedNumber(e164, sid, webhooks.voice_url, webhooks.status_callback, webhooks.sms_url)
        self.owned[number.sid] = number
        return number

    async def update_webhooks(self, sid: str, *, webhooks: NumberWebhooks) -> OwnedNumber:
        raise NotImplementedError

    async def release(self, sid: str) -> None:
        self.check("release")
        if self.owned.pop(sid, None) is not None:
            self.released.append(sid)

    async def list_owned(self) -> list[OwnedNumber]:
        return list(self.owned.values())

    async def redirect_call(self, call_sid: str, twiml: str) -> None:
        raise NotImplementedError


class FlakyMailer(Faults):
    """Delegates to a real mailer (the sandbox outbox) unless a failure is pending."""

    def __init__(self, inner) -> None:  # noqa: ANN001 - any Mailer
        super().__init__()
        self.inner = inner

    async def send(self, to: str, subject: str, body: str) -> None:
        self.check("send")
        await self.inner.send(to, subject, body)


OUTAGES = {
    "billing": BillingUnavailable,
    "telephony": TelephonyUnavailable,
}
