from __future__ import annotations

from datetime import datetime

from voxi.core.schemas import ApiModel
from voxi.tenancy.models import Plan, TenantStatus


class PlanOut(ApiModel):
    plan: Plan
    name: str
    price_cents: int
    highlights: list[str]


class BillingOut(ApiModel):
    """The business's plan and subscription, as the billing page and the tenant API show it."""

    plan: Plan
    plan_name: str
    price_cents: int
    status: TenantStatus
    subscription_status: str | None
    trial_ends_at: datetime | None
    trial_days_left: int | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    has_subscription: bool
    plans: list[PlanOut]


class ChangePlan(ApiModel):
    plan: Plan


class PortalRequest(ApiModel):
    return_url: str | None = None


class PortalOut(ApiModel):
    url: str


class WebhookAck(ApiModel):
    received: bool
    duplicate: bool
