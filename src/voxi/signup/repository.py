"""All SQL of the signup domain: claiming an attempt, and recording each saga step durably."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.auth.models import User
from voxi.core.db import Database
from voxi.signup.models import SignupAttempt


@asynccontextmanager
async def idempotency_lock(db: Database, key: str) -> AsyncIterator[None]:
    """Serialise every request carrying `key` for the whole saga.

    A transaction-scoped advisory lock on its own connection: a double submit waits for the first run
    and then replays its result; a crashed process's lock ends with its connection.
    """
    async with db.app_engine.connect() as connection:
        await connection.execute(text("select pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})
        try:
            yield
        finally:
            await connection.rollback()


async def recent_key_for(db: Database, fingerprint: str, window: timedelta) -> str | None:
    """The key of an identical request (same fingerprint) sent within `window`, if any."""
    since = datetime.now(UTC) - window
    async with db.sessions() as session:
        return await session.scalar(
            select(SignupAttempt.idempotency_key)
            .where(SignupAttempt.fingerprint == fingerprint, SignupAttempt.created_at >= since)
            .order_by(SignupAttempt.created_at.desc())
            .limit(1)
        )


async def claim_attempt(db: Database, key: str, fingerprint: str, email: str) -> SignupAttempt:
    """The attempt for `key`, created on first use (the caller holds the key's lock)."""
    async with db.sessions() as session:
        await session.execute(
            insert(SignupAttempt)
            .values(id=uuid.uuid4(), idempotency_key=key, fingerprint=fingerprint, email=email)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
        )
        attempt = await session.scalar(select(SignupAttempt).where(SignupAttempt.idempotency_key == key))
        await session.commit()
    assert attempt is not None  # noqa: S101 - inserted or already there, under the key's lock
    return attempt


async def attempt_by_key(session: AsyncSession, key: str) -> SignupAttempt | None:
    return await session.scalar(select(SignupAttempt).where(SignupAttempt.idempotency_key == key))


async def email_taken(session: AsyncSession, email: str) -> bool:
    return await session.scalar(select(User.id).where(User.email == email)) is not None


def log_entry(step: str, status: str, detail: str | None = None) -> dict[str, Any]:
    entry = {"step": step, "status": status, "at": datetime.now(UTC).isoformat()}
    return {**entry, "detail": detail} if detail else entry


def record_statement(attempt: SignupAttempt, entry: dict[str, Any], changes: dict[str, Any]) -> Any:
    """UPDATE the attempt with `changes` and append `entry` to its log (the in-memory copy follows)."""
    for field, value in changes.items():
        setattr(attempt, field, value)
    attempt.log = [*attempt.log, entry]
    appended = SignupAttempt.log.op("||")(type_coerce([entry], JSONB))
    return (
        update(SignupAttempt)
        .where(SignupAttempt.id == attempt.id)
        .values(**changes, log=appended, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )


async def record(db: Database, attempt: SignupAttempt, entry: dict[str, Any], **changes: Any) -> None:
    """Record a step durably in its own transaction, before the next provider call can happen."""
    async with db.sessions() as session:
        await session.execute(record_statement(attempt, entry, changes))
        await session.commit()
