"""Billing tables: received provider events, and the sandbox billing provider's own state.

All global: events and sandbox objects belong to the billing provider's world, which a tenant row is
matched to through `tenants.billing_customer_id` / subscription metadata, never through RLS.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import updated_at
from voxi.core.db import Base, Timestamped


class BillingEventRecord(Timestamped, Base):
    """A verified webhook event, stored once: a replay hits the unique key and is a no-op."""

    __tablename__ = "billing_events"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # "stripe" | "sandbox"
    event_id: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(80))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'::jsonb"))
    processed_at: Mapped[datetime | None]


class SandboxCustomer(Timestamped, Base):
    """A customer of the sandbox billing provider (stands in for Stripe's)."""

    __tablename__ = "sandbox_customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    metadata_tenant_id: Mapped[uuid.UUID | None]
    payment_method: Mapped[str] = mapped_column(String(80))
    deleted_at: Mapped[datetime | None]


class SandboxSubscription(Timestamped, Base):
    """A sandbox subscription; the sandbox clock moves it through Stripe's lifecycle."""

    __tablename__ = "sandbox_subscriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    customer_id: Mapped[str] = mapped_column(String(64), index=True)
    metadata_tenant_id: Mapped[uuid.UUID | None]
    plan: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    trial_end: Mapped[datetime | None]
    current_period_start: Mapped[datetime]
    current_period_end: Mapped[datetime]
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    trial_will_end_sent: Mapped[bool] = mapped_column(default=False)
    past_due_since: Mapped[datetime | None]  # when the open invoice first failed
    open_invoice_cents: Mapped[int] = mapped_column(default=0)
    canceled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = updated_at()


class SandboxClock(Base):
    """How far `voxi sandbox advance` has moved sandbox time past the wall clock (one row)."""

    __tablename__ = "sandbox_clock"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    offset_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
