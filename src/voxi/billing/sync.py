"""Applying the billing provider's authoritative subscription to its tenant.

Every path that learns about a subscription (webhook job, reconciliation, the tenant's own plan
changes) goes through `apply_subscription`. It compares what is stored with what the provider says,
so duplicate or out-of-order events change nothing twice and each transition emails once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import Role, TenantUser, User
from voxi.billing import notices
from voxi.billing.jobs import release_numbers, send_billing_email
from voxi.billing.providers.base import SubscriptionState
from voxi.core.jobs import defer
from voxi.core.settings import Settings
from voxi.tenancy.models import Tenant, TenantStatus

log = structlog.get_logger(__name__)

TENANT_STATUS = {
    "trialing": TenantStatus.TRIAL,
    "active": TenantStatus.ACTIVE,
    "past_due": TenantStatus.PAST_DUE,
    "unpaid": TenantStatus.SUSPENDED,
    "paused": TenantStatus.SUSPENDED,
    "canceled": TenantStatus.CANCELED,
    "incomplete_expired": TenantStatus.CANCELED,
    # "incomplete" (first payment pending): the tenant keeps the status it has (PENDING during signup).
}
TRIAL_WILL_END = "customer.subscription.trial_will_end"


async def apply_subscription(
    session: AsyncSession,
    tenant: Tenant,
    state: SubscriptionState,
    *,
    settings: Settings,
    event_type: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Store `state` on `tenant` (bound tenant session); returns the fields that changed (old, new)."""
    # Row lock + fresh read: concurrent jobs for one tenant see each other's transitions, so two events
    # processed at once cannot both "transition" TRIAL → PAST_DUE and send the email twice.
    await session.refresh(tenant, with_for_update=True)
    if tenant.billing_subscription_id and tenant.billing_subscription_id != state.id:
        # An event about an earlier subscription must not overwrite the current one.
        log.info("billing_other_subscription_ignored", tenant_id=str(tenant.id), subscription=state.id)
        return {}
    wanted: dict[str, Any] = {
        "billing_customer_id": state.customer_id,
        "billing_subscription_id": state.id,
        "subscription_status": state.status,
        "current_period_end": state.current_period_end,
        "cancel_at_period_end": state.cancel_at_period_end,
        "trial_ends_at": state.trial_end,
        "plan": state.plan,
    }
    if state.status in TENANT_STATUS:
        wanted["status"] = TENANT_STATUS[state.status]
    changes = {
        key: (getattr(tenant, key), value) for key, value in wanted.items() if getattr(tenant, key) != value
    }
    for key, (_old, value) in changes.items():
        setattr(tenant, key, value)
    if "status" in changes:
        old, new = changes["status"]
        await _on_transition(session, tenant, old, new, settings)
    trial_end = state.trial_end if state.status == "trialing" else None
    if event_type == TRIAL_WILL_END and trial_end and tenant.trial_reminder_sent_for != trial_end:
        tenant.trial_reminder_sent_for = trial_end
        await _email_owner(session, tenant, notices.trial_ending(tenant, trial_end, settings.voxi_base_url))
    await session.flush()
    return changes


async def _on_transition(
    session: AsyncSession, tenant: Tenant, old: TenantStatus, new: TenantStatus, settings: Settings
) -> None:
    log.info("tenant_billing_status", tenant_id=str(tenant.id), old=old.value, new=new.value)
    base = settings.voxi_base_url
    if new == TenantStatus.PAST_DUE:
        await _email_owner(session, tenant, notices.payment_failed(tenant, base))
    elif new == TenantStatus.SUSPENDED:
        await _email_owner(session, tenant, notices.suspended(tenant, base))
    elif new == TenantStatus.ACTIVE and old in (TenantStatus.PAST_DUE, TenantStatus.SUSPENDED):
        await _email_owner(session, tenant, notices.restored(tenant, base))
    elif new == TenantStatus.CANCELED:
        grace = timedelta(days=settings.number_release_grace_days)
        await defer(session, release_numbers, delay=grace, tenant_id=str(tenant.id))


async def _email_owner(session: AsyncSession, tenant: Tenant, notice: notices.Notice) -> None:
    # Queued in this transaction: the email exists exactly when the status change commits.
    owner_email = await session.scalar(
        select(User.email)
        .join(TenantUser, TenantUser.user_id == User.id)
        .where(TenantUser.tenant_id == tenant.id, TenantUser.role == Role.OWNER)
        .limit(1)
    )
    if owner_email is None:
        log.warning("billing_notice_without_owner", tenant_id=str(tenant.id), subject=notice.subject)
        return
    await defer(session, send_billing_email, to=owner_email, subject=notice.subject, body=notice.body)
