"""The business's own billing actions (tenant API and the billing page call these directly)."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.admin.audit import record_audit
from voxi.billing.plans import PLAN_ORDER, PLANS
from voxi.billing.providers.base import Billing, SubscriptionState
from voxi.billing.schemas import BillingOut, PlanOut
from voxi.billing.sync import apply_subscription
from voxi.core.errors import Conflict
from voxi.core.settings import Settings
from voxi.telephony.models import PhoneNumber
from voxi.tenancy.models import Plan, Tenant, TenantStatus

NO_SUBSCRIPTION = "This business has no subscription yet. Contact Voxi support."


def billing_view(tenant: Tenant, *, now: datetime | None = None) -> BillingOut:
    now = now or datetime.now(UTC)
    info = PLANS[tenant.plan]
    trial_days_left = None
    if tenant.status == TenantStatus.TRIAL and tenant.trial_ends_at is not None:
        trial_days_left = max(0, math.ceil((tenant.trial_ends_at - now).total_seconds() / 86400))
    return BillingOut(
        plan=tenant.plan,
        plan_name=info.name,
        price_cents=info.price_cents,
        status=tenant.status,
        subscription_status=tenant.subscription_status,
        trial_ends_at=tenant.trial_ends_at,
        trial_days_left=trial_days_left,
        current_period_end=tenant.current_period_end,
        cancel_at_period_end=tenant.cancel_at_period_end,
        has_subscription=tenant.billing_subscription_id is not None,
        plans=[
            PlanOut(
                plan=p,
                name=PLANS[p].name,
                price_cents=PLANS[p].price_cents,
                highlights=list(PLANS[p].highlights),
            )
            for p in PLAN_ORDER
        ],
    )


def _subscription_id(tenant: Tenant) -> str:
    if tenant.billing_subscription_id is None:
        raise Conflict(NO_SUBSCRIPTION)
    return tenant.billing_subscription_id


async def _applied(
    session: AsyncSession,
    tenant: Tenant,
    state: SubscriptionState,
    settings: Settings,
    *,
    actor: str,
    action: str,
) -> BillingOut:
    # Stored now so the page shows it at once; the provider's event re-applies the same state later.
    changes = await apply_subscription(session, tenant, state, settings=settings)
    details = {key: str(new) for key, (_old, new) in changes.items()}
    record_audit(session, actor=actor, action=action, tenant_id=tenant.id, details=details)
    await session.flush()
    return billing_view(tenant)


async def change_plan(
    session: AsyncSession, billing: Billing, settings: Settings, tenant: Tenant, plan: Plan, *, actor: str
) -> BillingOut:
    """Upgrade or downgrade with proration; refuses a plan that allows fewer numbers than the business has."""
    subscription_id = _subscription_id(tenant)
    if plan == tenant.plan:
        return billing_view(tenant)
    limit = PLANS[plan].max_numbers
    numbers = await session.scalar(
        select(func.count()).select_from(PhoneNumber).where(PhoneNumber.released_at.is_(None))
    )
    if limit is not None and (numbers or 0) > limit:
        raise Conflict(
            f"{PLANS[plan].name} includes {limit} number; release the others first.",
            fields={"plan": f"{PLANS[plan].name} allows {limit} phone number."},
        )
    # A fresh key per action: setting a price is itself idempotent, and a reused key would replay an
    # earlier change (Stripe keeps responses for 24 h) when the owner switches back and forth.
    state = await billing.change_plan(subscription_id, plan, idempotency_key=f"change-plan:{uuid.uuid4()}")
    return await _applied(session, tenant, state, settings, actor=actor, action="billing.change_plan")


async def set_cancel_at_period_end(
    session: AsyncSession, billing: Billing, settings: Settings, tenant: Tenant, cancel: bool, *, actor: str
) -> BillingOut:
    """Cancel at the end of the paid period (`cancel=True`), or undo that."""
    state = await billing.set_cancel_at_period_end(_subscription_id(tenant), cancel)
    action = "billing.cancel" if cancel else "billing.resume"
    return await _applied(session, tenant, state, settings, actor=actor, action=action)


async def portal_url(billing: Billing, settings: Settings, tenant: Tenant, return_url: str | None) -> str:
    """Where the owner changes their card (Stripe Customer Portal; sandbox: the local card page)."""
    if tenant.billing_customer_id is None:
        raise Conflict(NO_SUBSCRIPTION)
    back = return_url if return_url and return_url.startswith(settings.voxi_base_url) else None
    return await billing.portal_url(tenant.billing_customer_id, back or f"{settings.voxi_base_url}/billing")
