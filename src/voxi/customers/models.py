from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import uuid_pk
from voxi.core.db import Base, TenantScoped, Timestamped


class Customer(TenantScoped, Timestamped, Base):
    """A caller the business knows (CRM): recognised by caller ID on the next call."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("tenant_id", "phone"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    sms_opt_out: Mapped[bool] = mapped_column(default=False)
    last_call_at: Mapped[datetime | None]
