"""The signup saga's record: one row per signup attempt, written before and after every step."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from voxi.core.columns import str_enum, updated_at, uuid_pk
from voxi.core.db import Base, Timestamped


class SignupState(enum.StrEnum):
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"  # compensated: nothing of it is left (see `compensations`)


class SignupAttempt(Timestamped, Base):
    """A self-serve signup in progress or done. Global: it exists before its tenant and outlives a failed one.

    Provider resources are recorded the moment they exist, so compensation (and a retry) knows exactly what
    to undo. No password is stored; `fingerprint` hashes the normalised body without it.
    """

    __tablename__ = "signup_attempts"

    id: Mapped[uuid.UUID] = uuid_pk()
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    state: Mapped[SignupState] = mapped_column(
        str_enum(SignupState, "signup_state"), default=SignupState.RUNNING
    )
    current_step: Mapped[str] = mapped_column(String(40), default="start")
    # Bumped each time a failed attempt is retried: provider idempotency keys include it, so a retry
    # never gets back a customer or subscription that compensation already deleted.
    run: Mapped[int] = mapped_column(default=1)
    tenant_id: Mapped[uuid.UUID | None]
    owner_user_id: Mapped[uuid.UUID | None]
    billing_customer_id: Mapped[str | None] = mapped_column(String(100))
    billing_subscription_id: Mapped[str | None] = mapped_column(String(100))
    trial_ends_at: Mapped[datetime | None]
    number_e164: Mapped[str | None] = mapped_column(String(16))
    number_sid: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_message: Mapped[str | None] = mapped_column(Text)
    # [{"step", "status": started|done|failed|compensated|compensation_failed, "at", "detail"?}, …]
    log: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'::jsonb"))
    issued_at: Mapped[datetime | None]  # the token's iat: a replay re-issues the identical token
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = updated_at()


__all__ = ["SignupAttempt", "SignupState"]
