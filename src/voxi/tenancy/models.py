from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import str_enum, updated_at, uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class TenantStatus(enum.StrEnum):
    PENDING = "PENDING"
    TRIAL = "TRIAL"
    ACTIVE = "ACTIVE"
    PAST_DUE = "PAST_DUE"
    SUSPENDED = "SUSPENDED"
    CANCELED = "CANCELED"


class Plan(enum.StrEnum):
    STARTER = "STARTER"
    PROFESSIONAL = "PROFESSIONAL"
    ENTERPRISE = "ENTERPRISE"


class Tenant(Timestamped, Base):
    """A business. The root of isolation: RLS shows a tenant only its own row."""

    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40), default="hvac")
    status: Mapped[TenantStatus] = mapped_column(
        str_enum(TenantStatus, "tenant_status"), default=TenantStatus.PENDING
    )
    plan: Mapped[Plan] = mapped_column(str_enum(Plan, "tenant_plan"), default=Plan.STARTER)
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    website: Mapped[str | None] = mapped_column(String(300))
    trial_ends_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    # The unguessable key of the iCalendar feed (GET /calendar/{token}.ics); unique, looked up globally.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The billing provider's view, synced from re-fetched subscriptions (voxi.billing.sync).
    billing_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    billing_subscription_id: Mapped[str | None] = mapped_column(String(64))
    subscription_status: Mapped[str | None] = mapped_column(String(30))
    current_period_end: Mapped[datetime | None]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # The trial end a "trial ending" email was sent for: one reminder per trial, whatever the retries.
    trial_reminder_sent_for: Mapped[datetime | None]
    updated_at: Mapped[datetime] = updated_at()


class TenantConfig(TenantScoped, Base):
    """What the receptionist says and does for one business."""

    __tablename__ = "tenant_configs"

    greeting: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    services: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'::jsonb"))
    service_areas: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'::jsonb"))
    business_hours: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    hours_overrides: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    voice: Mapped[str] = mapped_column(String(80), default="alloy")
    # Enterprise: this business's own voice engine; None follows the deployment's VOICE_ENGINE.
    voice_engine: Mapped[str | None] = mapped_column(String(20))
    personality: Mapped[str] = mapped_column(Text, default="")
    forwarding_number: Mapped[str | None] = mapped_column(String(20))
    emergency_number: Mapped[str | None] = mapped_column(String(20))
    recording_enabled: Mapped[bool] = mapped_column(default=True)
    # voxi.emergencies.schemas.EmergencySettings / voxi.notifications.schemas.NotificationSettings;
    # an empty object means the defaults.
    emergency_settings: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'::jsonb")
    )
    notification_settings: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'::jsonb")
    )
    updated_at: Mapped[datetime] = updated_at()


class TenantUsage(TenantScoped, Base):
    """Monthly roll-up of what a tenant used and what it cost us (COGS)."""

    __tablename__ = "tenant_usage"

    period_start: Mapped[date] = mapped_column(primary_key=True)
    calls: Mapped[int] = mapped_column(default=0)
    call_seconds: Mapped[int] = mapped_column(default=0)
    sms_sent: Mapped[int] = mapped_column(default=0)
    telephony_cost_cents: Mapped[int] = mapped_column(default=0)
    ai_cost_cents: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = updated_at()


__all__ = ["Plan", "Tenant", "TenantConfig", "TenantStatus", "TenantUsage"]
