"""What the platform admin API reads and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, field_validator

from voxi.core.schemas import ApiModel
from voxi.tenancy.models import Plan, TenantStatus
from voxi.tenancy.schemas import BusinessConfig, Name, TenantFacts, check_industry, check_timezone


class TenantQuery(ApiModel):
    """Paging and filters for the tenant list."""

    page: Annotated[int, Field(ge=1)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 25
    status: TenantStatus | None = None
    plan: Plan | None = None
    q: Annotated[
        str, Field(max_length=100, description="Part of the name, or a phone number (full or partial).")
    ] = ""


class TenantSummary(TenantFacts):
    deactivated_at: datetime | None
    owner_email: str | None


class TenantDetail(TenantSummary):
    website: str | None
    config: BusinessConfig


class TenantPatch(ApiModel):
    """Fields a platform admin may change; omitted (or null) fields stay as they are."""

    name: Name | None = None
    status: TenantStatus | None = None
    plan: Plan | None = None
    timezone: str | None = None
    industry: str | None = None

    _tz = field_validator("timezone")(lambda v: v if v is None else check_timezone(v))
    _industry = field_validator("industry")(lambda v: v if v is None else check_industry(v))

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if v is not None}


class UsageMonth(ApiModel):
    period_start: date
    calls: int
    call_seconds: int
    sms_sent: int
    telephony_cost_cents: int
    ai_cost_cents: int


class LiveUsage(ApiModel):
    """Counted from the tenant's own rows for the current calendar month (UTC)."""

    period_start: date
    calls: int
    call_seconds: int
    appointments: int = Field(description="Appointments created this month, any status.")


class TenantUsageOut(ApiModel):
    tenant_id: uuid.UUID
    current_month: LiveUsage
    customers: int = Field(description="All customers the business has on file.")
    months: list[UsageMonth] = Field(description="Monthly roll-ups, newest first.")


class PlatformMetrics(ApiModel):
    tenants_by_status: dict[TenantStatus, int]
    tenants_by_plan: dict[Plan, int]
    signups_per_day: dict[date, int] = Field(
        description="New tenants per UTC day, the last 30 days, oldest first."
    )
    total_users: int
    active_numbers: int


class JobOut(ApiModel):
    """A background job as the operator sees it (from procrastinate's queue)."""

    id: int
    task_name: str
    queue_name: str
    status: str
    attempts: int
    args: dict[str, Any]
    scheduled_at: datetime | None
    last_event_at: datetime | None
