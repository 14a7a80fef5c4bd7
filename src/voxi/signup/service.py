"""Self-serve signup as a saga: each step recorded before and after, failures compensated, retries safe.

The saga is its own transaction boundary (like a job): every step commits before the next provider call,
so a crash or failure always leaves a record of exactly what exists and must be undone.
`Idempotency-Key` (or, without one, an identical body within `FINGERPRINT_WINDOW`) maps a request to its
attempt; requests for one attempt run one at a time, and a completed attempt replays its first result.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select

from voxi.auth.models import User
from voxi.auth.passwords import verify_password
from voxi.auth.tokens import TokenClaims, issue_jwt
from voxi.core.errors import Conflict, VoxiError
from voxi.signup.compensation import compensate
from voxi.signup.models import SignupAttempt, SignupState
from voxi.signup.repository import (
    attempt_by_key,
    claim_attempt,
    email_taken,
    idempotency_lock,
    log_entry,
    recent_key_for,
    record,
)
from voxi.signup.schemas import BusinessCreated, NextSteps, SignupRequest, SignupResponse
from voxi.signup.steps import (
    STEP_LABELS,
    EmailTaken,
    SagaContext,
    activate,
    create_business,
    create_customer,
    create_subscription,
    next_steps,
    provision_number,
    send_welcome_email,
)

log = structlog.get_logger(__name__)

FINGERPRINT_WINDOW = timedelta(minutes=10)
STEPS = (
    ("customer", create_customer),
    ("subscription", create_subscription),
    ("number", provision_number),
    ("welcome_email", send_welcome_email),
)


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    message = "This Idempotency-Key was already used for a different signup. Use a new key."


class SignupFailed(VoxiError):
    status_code = 503
    code = "signup_failed"
    message = (
        "We could not finish setting up your account, so nothing was set up or charged. Please try again."
    )


async def sign_up(ctx: SagaContext, body: SignupRequest, idempotency_key: str | None) -> SignupResponse:
    """Run (or replay, or resume) the signup for this key; the 201 body, or a domain error."""
    fingerprint = body.fingerprint()
    key = idempotency_key or await recent_key_for(ctx.db, fingerprint, FINGERPRINT_WINDOW)
    key = key or f"auto:{uuid.uuid4()}"
    async with idempotency_lock(ctx.db, key):
        attempt = await claim_attempt(ctx.db, key, fingerprint, body.email)
        if attempt.fingerprint != fingerprint:
            raise IdempotencyConflict()
        if attempt.state == SignupState.COMPLETED:
            return await _replay(ctx, attempt, body)
        await _prepare_run(ctx, attempt)
        return await _run(ctx, attempt, body)


async def _prepare_run(ctx: SagaContext, attempt: SignupAttempt) -> None:
    """A retried attempt first finishes undoing its last run (a crash may have left it mid-way)."""
    if attempt.log:
        if not await compensate(ctx, attempt):
            raise SignupFailed("We are still undoing your last attempt. Please try again in a minute.")
        await record(
            ctx.db,
            attempt,
            log_entry("retry", "started"),
            run=attempt.run + 1,
            error_code=None,
            error_message=None,
        )
    await record(
        ctx.db,
        attempt,
        log_entry("tenant", "started"),
        state=SignupState.RUNNING,
        current_step="tenant",
        tenant_id=uuid.uuid4(),
    )


async def _run(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> SignupResponse:
    try:
        async with ctx.db.sessions() as session:
            if await email_taken(session, body.email):
                raise EmailTaken()
        await create_business(ctx, attempt, body)
        for step, run_step in STEPS:
            await record(ctx.db, attempt, log_entry(step, "started"), current_step=step)
            await run_step(ctx, attempt, body)
        await record(ctx.db, attempt, log_entry("activate", "started"), current_step="activate")
        await activate(ctx, attempt, datetime.now(UTC).replace(microsecond=0))
    except Exception as exc:
        error = _client_error(exc)
        log.warning("signup_step_failed", attempt=str(attempt.id), step=attempt.current_step, error=repr(exc))
        await _fail(ctx, attempt, error)
        raise error from exc
    log.info("signup_completed", attempt=str(attempt.id), tenant_id=str(attempt.tenant_id))
    return _response(ctx, attempt, body.business_name)


def _client_error(exc: Exception) -> VoxiError:
    """Domain errors speak for themselves; anything else (a database failure, a bug) is a generic 503."""
    return exc if isinstance(exc, VoxiError) else SignupFailed()


async def _fail(ctx: SagaContext, attempt: SignupAttempt, error: VoxiError) -> None:
    step = attempt.current_step
    await record(
        ctx.db,
        attempt,
        log_entry(step, "failed", error.code),
        state=SignupState.FAILED,
        error_code=error.code,
        error_message=error.message,
    )
    await compensate(ctx, attempt)


async def _replay(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> SignupResponse:
    """The first result again. Only for the same password: the body minus it must not buy a token."""
    async with ctx.db.sessions() as session:
        password_hash = await session.scalar(
            select(User.password_hash).where(User.id == attempt.owner_user_id)
        )
    if not await asyncio.to_thread(verify_password, body.password, password_hash):
        raise IdempotencyConflict()
    return _response(ctx, attempt, body.business_name)


def _response(ctx: SagaContext, attempt: SignupAttempt, business_name: str) -> SignupResponse:
    assert attempt.tenant_id and attempt.owner_user_id and attempt.issued_at  # noqa: S101 - completed
    assert attempt.number_e164 and attempt.trial_ends_at  # noqa: S101
    claims = TokenClaims(attempt.owner_user_id, attempt.tenant_id, False, attempt.issued_at)
    token = issue_jwt(ctx.settings.voxi_secret_key, claims, timedelta(minutes=ctx.settings.jwt_ttl_minutes))
    step1, step2, step3 = next_steps(attempt.number_e164)
    return SignupResponse(
        token=token,
        business=BusinessCreated(
            id=attempt.tenant_id,
            name=business_name,
            phone_number=attempt.number_e164,
            trial_ends_at=attempt.trial_ends_at,
        ),
        next_steps=NextSteps(step1=step1, step2=step2, step3=step3),
    )


async def progress(ctx: SagaContext, key: str) -> list[tuple[str, str]]:
    """(label, status) per step for the signup page: done, running, failed or waiting."""
    async with ctx.db.sessions() as session:
        attempt = await attempt_by_key(session, key)
    if attempt is None:
        return [(label, "waiting") for label in STEP_LABELS.values()]
    runs = [i for i, entry in enumerate(attempt.log) if entry["step"] == "retry"]
    this_run = attempt.log[runs[-1] :] if runs else attempt.log  # a retry starts the ticks afresh
    done = {entry["step"] for entry in this_run if entry["status"] == "done"}
    rows = []
    for step, label in STEP_LABELS.items():
        if step in done and attempt.state != SignupState.FAILED:
            rows.append((label, "done"))
        elif step == attempt.current_step:
            rows.append((label, "failed" if attempt.state == SignupState.FAILED else "running"))
        else:
            rows.append((label, "waiting"))
    return rows
