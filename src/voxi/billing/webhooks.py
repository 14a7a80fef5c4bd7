"""Accepting a verified billing event: store it once, queue its processing, answer fast.

The Stripe webhook route calls `record_event` after verifying the signature; the sandbox provider
(its API calls, its clock and its portal) calls the same function, so both paths share one handler.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.billing.jobs import process_billing_event
from voxi.billing.models import BillingEventRecord
from voxi.billing.providers.base import BillingEvent
from voxi.core.jobs import defer


async def record_event(session: AsyncSession, source: str, event: BillingEvent) -> bool:
    """Store `event` and queue its job in the caller's transaction; False (and nothing queued) on a replay."""
    stored_id = await session.scalar(
        insert(BillingEventRecord)
        .values(
            source=source,
            event_id=event.id,
            type=event.type,
            subscription_id=event.subscription_id,
            customer_id=event.customer_id,
            payload=event.data,
        )
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(BillingEventRecord.id)
    )
    if stored_id is None:
        return False
    await defer(session, process_billing_event, event_record_id=stored_id)
    return True
