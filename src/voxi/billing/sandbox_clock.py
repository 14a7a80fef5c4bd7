"""The sandbox clock (`voxi sandbox advance --days N`) and the sandbox portal's card update.

Moving time forward runs, in order, every lifecycle step that fell due for each sandbox subscription
— trial reminder, trial end (charge), renewal, past_due → unpaid, cancel at period end — emitting the
events Stripe would, through the same recording function and job as Stripe's webhooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.billing.models import SandboxClock, SandboxCustomer, SandboxSubscription
from voxi.billing.plans import PLANS
from voxi.billing.providers.sandbox import (
    PERIOD,
    RETRY_WINDOW,
    TRIAL_REMINDER,
    cancel_subscription,
    charge_succeeds,
    check_payment_method,
    emit,
    invoice_object,
    sandbox_now,
    subscription_object,
)
from voxi.core.db import Database
from voxi.core.errors import NotFound
from voxi.core.jobs import bring_jobs_forward
from voxi.tenancy.models import Plan

Step = Callable[[AsyncSession, SandboxSubscription, str, datetime], Awaitable[str]]
FINISHED = ("canceled", "incomplete_expired")


@dataclass
class AdvanceReport:
    now: datetime
    steps: list[str] = field(default_factory=list)


async def advance(db: Database, days: float) -> AdvanceReport:
    """Move sandbox time forward by `days` and run every subscription step that fell due.

    Jobs already queued for later move with the clock; jobs the steps queue start from now.
    """
    await bring_jobs_forward(db, timedelta(days=days))
    async with db.sessions() as session:
        clock = await session.get(SandboxClock, 1, with_for_update=True)
        if clock is None:
            clock = SandboxClock(id=1, offset_seconds=0)
            session.add(clock)
        clock.offset_seconds += int(timedelta(days=days).total_seconds())
        await session.flush()
        now = await sandbox_now(session)
        report = AdvanceReport(now)
        subs = await session.scalars(
            select(SandboxSubscription)
            .where(SandboxSubscription.status.not_in(FINISHED))
            .order_by(SandboxSubscription.created_at)
            .with_for_update()
        )
        for sub in list(subs):
            card = await _card(session, sub.customer_id)
            while (step := _next_step(sub, now)) is not None:
                at, run = step
                report.steps.append(f"{sub.id} ({at:%Y-%m-%d}): {await run(session, sub, card, at)}")
        await session.commit()
    return report


async def _card(session: AsyncSession, customer_id: str) -> str:
    return (
        await session.scalar(select(SandboxCustomer.payment_method).where(SandboxCustomer.id == customer_id))
        or ""
    )


def _next_step(sub: SandboxSubscription, now: datetime) -> tuple[datetime, Step] | None:
    due: list[tuple[datetime, Step]] = []
    if sub.status == "trialing":
        if not sub.trial_will_end_sent and sub.trial_end is not None:
            due.append((sub.trial_end - TRIAL_REMINDER, _trial_will_end))
        due.append((sub.current_period_end, _period_ends))
    elif sub.status == "active" or (sub.status in ("past_due", "unpaid") and sub.cancel_at_period_end):
        due.append((sub.current_period_end, _period_ends))
    if sub.status == "past_due" and sub.past_due_since is not None:
        due.append((sub.past_due_since + RETRY_WINDOW, _mark_unpaid))
    ready = [item for item in due if item[0] <= now]
    return min(ready, key=lambda item: item[0]) if ready else None


async def _trial_will_end(session: AsyncSession, sub: SandboxSubscription, _card: str, at: datetime) -> str:
    sub.trial_will_end_sent = True
    await emit(session, "customer.subscription.trial_will_end", subscription_object(sub), at)
    return "trial ends in 3 days"


async def _period_ends(session: AsyncSession, sub: SandboxSubscription, card: str, at: datetime) -> str:
    before = sub.status
    if sub.cancel_at_period_end:
        await cancel_subscription(session, sub, at)
        return f"{before} → canceled (cancel at period end)"
    amount = PLANS[Plan(sub.plan)].price_cents
    sub.current_period_start, sub.current_period_end = at, at + PERIOD
    paid = charge_succeeds(card)
    if paid:
        sub.status, sub.past_due_since, sub.open_invoice_cents = "active", None, 0
    else:
        sub.status, sub.past_due_since, sub.open_invoice_cents = "past_due", at, amount
    invoice_event = "invoice.paid" if paid else "invoice.payment_failed"
    await emit(session, invoice_event, invoice_object(sub, amount, paid), at)
    await emit(session, "customer.subscription.updated", subscription_object(sub), at)
    return f"{before} → {sub.status} (${amount / 100:,.2f} {'paid' if paid else 'failed'})"


async def _mark_unpaid(session: AsyncSession, sub: SandboxSubscription, _card: str, at: datetime) -> str:
    sub.status = "unpaid"
    await emit(session, "customer.subscription.updated", subscription_object(sub), at)
    return "past_due → unpaid (retries exhausted)"


@dataclass(frozen=True)
class CardUpdate:
    payment_method: str
    paid_subscriptions: list[str]


async def update_card(db: Database, customer_id: str, payment_method_id: str) -> CardUpdate:
    """The sandbox portal: switch the customer's card and pay open invoices with it (→ active)."""
    check_payment_method(payment_method_id)
    async with db.sessions() as session:
        customer = await session.get(SandboxCustomer, customer_id, with_for_update=True)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("No such sandbox customer.")
        customer.payment_method = payment_method_id
        now = await sandbox_now(session)
        paid: list[str] = []
        subs = await session.scalars(
            select(SandboxSubscription)
            .where(
                SandboxSubscription.customer_id == customer_id,
                SandboxSubscription.status.in_(("past_due", "unpaid", "incomplete")),
                SandboxSubscription.open_invoice_cents > 0,
            )
            .with_for_update()
        )
        for sub in subs:
            if not charge_succeeds(payment_method_id):
                continue
            amount = sub.open_invoice_cents
            sub.status, sub.past_due_since, sub.open_invoice_cents = "active", None, 0
            await emit(session, "invoice.paid", invoice_object(sub, amount, True), now)
            await emit(session, "customer.subscription.updated", subscription_object(sub), now)
            paid.append(sub.id)
        await session.commit()
    return CardUpdate(payment_method_id, paid)


async def portal_view(db: Database, customer_id: str) -> tuple[SandboxCustomer, list[SandboxSubscription]]:
    async with db.sessions() as session:
        customer = await session.get(SandboxCustomer, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound("No such sandbox customer.")
        subs = await session.scalars(
            select(SandboxSubscription)
            .where(SandboxSubscription.customer_id == customer_id)
            .order_by(SandboxSubscription.created_at.desc())
        )
        return customer, list(subs)
