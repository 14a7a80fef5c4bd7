from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class PhoneNumber(TenantScoped, Timestamped, Base):
    """A number a tenant owns (bought through the provider or brought along)."""

    __tablename__ = "phone_numbers"
    __table_args__ = (UniqueConstraint("tenant_id", "e164"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    e164: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(20), default="sandbox")
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    is_primary: Mapped[bool] = mapped_column(default=True)
    released_at: Mapped[datetime | None]


class NumberRoute(Timestamped, Base):
    """Global routing index: called number → tenant.

    A number belongs to one business at a time, which only a global key can enforce; on Citus this is a
    small reference table. It carries no customer data, so the app role may read it without a tenant.
    """

    __tablename__ = "number_routes"

    e164: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


class SandboxNumber(Timestamped, Base):
    """A number the sandbox telephony provider has sold to Voxi's account (stands in for Twilio's)."""

    __tablename__ = "sandbox_numbers"

    e164: Mapped[str] = mapped_column(String(16), primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    voice_url: Mapped[str] = mapped_column(String(500))
    status_callback: Mapped[str] = mapped_column(String(500))
    sms_url: Mapped[str | None] = mapped_column(String(500))  # None: bought before SMS webhooks were set


class SandboxCall(Timestamped, Base):
    """An outbound call the sandbox telephony provider "placed" (stands in for Twilio's call log)."""

    __tablename__ = "sandbox_calls"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    to_number: Mapped[str] = mapped_column(String(32), index=True)
    from_number: Mapped[str] = mapped_column(String(32))
    twiml: Mapped[str] = mapped_column(Text)
    status_callback: Mapped[str | None] = mapped_column(String(500))
