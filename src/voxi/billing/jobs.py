"""Billing background work: process a stored webhook event, send billing emails, release the numbers
of a canceled business after its grace period, and the nightly reconciliation with the provider."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from procrastinate import JobContext
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.billing.models import BillingEventRecord
from voxi.core.errors import NotFound
from voxi.core.jobs import DEFAULT_RETRY, JobServices, jobs, services
from voxi.core.tenant_context import tenant_context
from voxi.telephony.models import NumberRoute, PhoneNumber
from voxi.tenancy.models import Tenant, TenantStatus

log = structlog.get_logger(__name__)


@jobs.task(name="billing.process_event", pass_context=True, retry=DEFAULT_RETRY)
async def process_billing_event(context: JobContext, event_record_id: int) -> None:
    """Re-fetch the event's subscription from the provider and apply it to its tenant (order-proof)."""
    await handle_billing_event(services(context), event_record_id)


async def handle_billing_event(svc: JobServices, event_record_id: int) -> None:
    # Imported here because these modules queue this module's tasks.
    from voxi.billing.repository import subscription_of_customer, tenant_of_customer
    from voxi.billing.sync import apply_subscription

    async with svc.db.sessions() as session:
        record = await session.get_one(BillingEventRecord, event_record_id)
        subscription_id, customer_id, event_type = record.subscription_id, record.customer_id, record.type
    if subscription_id is None and customer_id is not None:
        subscription_id = await subscription_of_customer(svc.db, customer_id)
    state = None
    if subscription_id is not None:
        try:
            state = await svc.providers.billing.get_subscription(subscription_id)
        except NotFound:
            log.warning("billing_event_subscription_missing", subscription=subscription_id)
    tenant_id = state.tenant_id if state else None
    if state is not None and tenant_id is None:
        tenant_id = await tenant_of_customer(svc.db, state.customer_id)
    if state is None or tenant_id is None:
        await _mark_processed(svc, event_record_id)
        return
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None:
                log.info("billing_event_for_unknown_tenant", tenant_id=str(tenant_id), event_type=event_type)
            else:
                await apply_subscription(session, tenant, state, settings=svc.settings, event_type=event_type)
            await _mark(session, event_record_id)
            await session.commit()


async def _mark(session: AsyncSession, event_record_id: int) -> None:
    record = await session.get_one(BillingEventRecord, event_record_id)
    record.processed_at = datetime.now(UTC)


async def _mark_processed(svc: JobServices, event_record_id: int) -> None:
    async with svc.db.sessions() as session:
        await _mark(session, event_record_id)
        await session.commit()


@jobs.task(name="billing.send_email", pass_context=True, retry=DEFAULT_RETRY)
async def send_billing_email(context: JobContext, to: str, subject: str, body: str) -> None:
    """Deliver one billing notice (queued with the status change that caused it)."""
    await services(context).providers.mailer.send(to, subject, body)


@jobs.task(name="billing.release_numbers", pass_context=True, retry=DEFAULT_RETRY)
async def release_numbers(context: JobContext, tenant_id: str) -> None:
    """After the grace period: give a canceled business's numbers back, unless it was restored."""
    await release_tenant_numbers(services(context), uuid.UUID(tenant_id))


async def release_tenant_numbers(svc: JobServices, tenant_id: uuid.UUID) -> list[str]:
    released: list[str] = []
    with tenant_context(tenant_id):
        async with svc.db.sessions() as session:
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None or tenant.status != TenantStatus.CANCELED:
                log.info("number_release_skipped", tenant_id=str(tenant_id), reason="restored or gone")
                return released
            numbers = await session.scalars(select(PhoneNumber).where(PhoneNumber.released_at.is_(None)))
            for number in numbers:
                if number.provider_sid and number.provider != "manual":
                    await svc.providers.telephony.release(
                        number.provider_sid
                    )  # a no-op when already released
                number.released_at = datetime.now(UTC)
                await session.execute(
                    delete(NumberRoute).where(
                        NumberRoute.e164 == number.e164, NumberRoute.tenant_id == tenant_id
                    )
                )
                released.append(number.e164)
            await session.commit()
    log.info("numbers_released", tenant_id=str(tenant_id), numbers=released)
    return released


@jobs.periodic(cron="0 3 * * *")
@jobs.task(name="billing.reconcile", pass_context=True, retry=DEFAULT_RETRY)
async def nightly_reconcile(context: JobContext, timestamp: int) -> None:
    """Nightly: compare every tenant's stored subscription with the provider's and repair drift."""
    from voxi.billing.reconcile import reconcile

    await reconcile(services(context))
