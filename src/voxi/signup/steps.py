"""The signup saga's steps and their compensations. Each step is recorded before and after it runs.

Provider calls carry idempotency keys derived from the attempt and its run (`signup:{id}:{run}:customer`),
so a step retried after a crash never makes a second customer or subscription, and a retry after a
compensated failure never gets back an object that compensation already deleted.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voxi.auth.models import User
from voxi.auth.passwords import hash_password
from voxi.billing.providers.base import Billing
from voxi.core.db import Database
from voxi.core.errors import Conflict, VoxiError
from voxi.core.settings import Settings
from voxi.core.tenant_context import tenant_context
from voxi.notifications.providers.mailer import Mailer
from voxi.signup.models import SignupAttempt, SignupState
from voxi.signup.repository import log_entry, record, record_statement
from voxi.signup.schemas import SignupRequest
from voxi.telephony.models import NumberRoute
from voxi.telephony.providers.base import NoNumbersAvailable, NumberWebhooks, Telephony
from voxi.telephony.service import assign_number
from voxi.tenancy.models import Tenant, TenantStatus
from voxi.tenancy.schemas import NewTenant
from voxi.tenancy.service import create_tenant

log = structlog.get_logger(__name__)

TRIAL_DAYS = 14
NUMBER_CANDIDATES = 5
EMAIL_TAKEN = "An account with this email already exists. Log in instead."

# What the signup page shows while each step runs.
STEP_LABELS = {
    "tenant": "Creating your account",
    "customer": "Saving your payment method",
    "subscription": f"Starting your {TRIAL_DAYS}-day free trial",
    "number": "Reserving your phone number",
    "welcome_email": "Sending your welcome email",
    "activate": "Switching on your AI receptionist",
}


class EmailTaken(Conflict):
    code = "email_taken"
    message = EMAIL_TAKEN

    def __init__(self) -> None:
        super().__init__(EMAIL_TAKEN, fields={"email": EMAIL_TAKEN})


class WelcomeEmailFailed(VoxiError):
    status_code = 503
    code = "email_unavailable"
    message = "We could not send your welcome email, so nothing was set up or charged. Please try again."


@dataclass(frozen=True)
class SagaContext:
    settings: Settings
    db: Database
    billing: Billing
    telephony: Telephony
    mailer: Mailer
    provider_name: str  # the telephony provider's name, stored on the number


def provider_key(attempt: SignupAttempt, step: str) -> str:
    return f"signup:{attempt.id}:{attempt.run}:{step}"


async def create_business(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> None:
    """Tenant (PENDING) + owner + the industry's default configuration, in one transaction."""
    tenant_id = attempt.tenant_id
    assert tenant_id is not None  # noqa: S101 - recorded before the step starts
    data = NewTenant(
        name=body.business_name,
        industry=body.industry,
        plan=body.plan,
        status=TenantStatus.PENDING,
        owner_name=body.owner_name,
        owner_email=body.email,
        owner_password=body.password,
        forwarding_number=body.phone,
    )
    # Argon2 takes a few hundred ms of CPU: in a thread, it neither stalls other requests nor the loop.
    password_hash = await asyncio.to_thread(hash_password, body.password)
    with tenant_context(tenant_id):
        try:
            async with ctx.db.sessions() as session:
                await create_tenant(session, data, tenant_id=tenant_id, password_hash=password_hash)
                owner_id = await session.scalar(select(User.id).where(User.email == body.email))
                await session.commit()
        except Conflict as exc:
            raise EmailTaken() from exc
        except IntegrityError as exc:
            # A concurrent signup with this email passed the check first: the unique key decides.
            if "email" in str(exc.orig):
                raise EmailTaken() from exc
            raise
    await record(ctx.db, attempt, log_entry("tenant", "done"), owner_user_id=owner_id)


async def create_customer(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> None:
    assert attempt.tenant_id is not None  # noqa: S101
    customer_id = await ctx.billing.create_customer(
        email=body.email,
        name=body.business_name,
        tenant_id=attempt.tenant_id,
        payment_method_id=body.payment_method_id,
        idempotency_key=provider_key(attempt, "customer"),
    )
    await record(ctx.db, attempt, log_entry("customer", "done"), billing_customer_id=customer_id)


async def create_subscription(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> None:
    assert attempt.tenant_id is not None and attempt.billing_customer_id  # noqa: S101
    subscription = await ctx.billing.create_subscription(
        customer_id=attempt.billing_customer_id,
        plan=body.plan,
        trial_days=TRIAL_DAYS,
        tenant_id=attempt.tenant_id,
        idempotency_key=provider_key(attempt, "subscription"),
    )
    trial_end = subscription.trial_end or datetime.now(UTC) + timedelta(days=TRIAL_DAYS)
    await record(
        ctx.db,
        attempt,
        log_entry("subscription", "done"),
        billing_subscription_id=subscription.id,
        trial_ends_at=trial_end,
    )


async def provision_number(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> None:
    """Search the area code, buy the first free number with its webhooks set, and route it to the tenant.

    Two signups may be offered the same number; the global route decides, and the loser moves on to the
    next candidate without releasing a number that is now another business's.
    """
    assert attempt.tenant_id is not None  # noqa: S101
    candidates = await ctx.telephony.search_available(body.area_code, limit=NUMBER_CANDIDATES)
    webhooks = NumberWebhooks.for_base_url(ctx.settings.voxi_base_url)
    for candidate in candidates:
        if await _routed_elsewhere(ctx.db, candidate.e164, attempt.tenant_id):
            continue
        await record(
            ctx.db, attempt, log_entry("number", "buying", candidate.e164), number_e164=candidate.e164
        )
        owned = await ctx.telephony.purchase(candidate.e164, webhooks=webhooks)
        await record(ctx.db, attempt, log_entry("number", "bought", owned.sid), number_sid=owned.sid)
        if await _route(ctx, attempt.tenant_id, owned.e164, owned.sid):
            await record(ctx.db, attempt, log_entry("number", "done", owned.e164))
            return
        await record(
            ctx.db, attempt, log_entry("number", "taken", owned.e164), number_e164=None, number_sid=None
        )
    raise NoNumbersAvailable(body.area_code, [])


async def _route(ctx: SagaContext, tenant_id: uuid.UUID, e164: str, sid: str) -> bool:
    """Route the number to the tenant; False when another business got it first."""
    with tenant_context(tenant_id):
        async with ctx.db.sessions() as session:
            try:
                await assign_number(session, tenant_id, e164, provider=ctx.provider_name, provider_sid=sid)
                await session.commit()
            except Conflict:
                return False
            except IntegrityError as exc:
                if "number_routes" in str(exc.orig):
                    return False
                raise
    return True


async def _routed_elsewhere(db: Database, e164: str, tenant_id: uuid.UUID) -> bool:
    async with db.sessions() as session:
        owner = await session.scalar(select(NumberRoute.tenant_id).where(NumberRoute.e164 == e164))
    return owner is not None and owner != tenant_id


async def send_welcome_email(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> None:
    """Sent in the saga, before activation: a signup is done only once its owner has the number in writing."""
    assert attempt.number_e164 and attempt.trial_ends_at  # noqa: S101
    try:
        await ctx.mailer.send(
            body.email,
            f"Welcome to Voxi — your number is {attempt.number_e164}",
            _welcome(ctx, attempt, body),
        )
    except Exception as exc:
        log.warning("signup_welcome_email_failed", attempt=str(attempt.id), error=repr(exc))
        raise WelcomeEmailFailed() from exc
    await record(ctx.db, attempt, log_entry("welcome_email", "done"))


def _welcome(ctx: SagaContext, attempt: SignupAttempt, body: SignupRequest) -> str:
    assert attempt.trial_ends_at is not None  # noqa: S101
    steps = "\n".join(f"{n}. {text}" for n, text in enumerate(next_steps(attempt.number_e164 or ""), 1))
    return (
        f"Hi {body.owner_name},\n\n{body.business_name} now has an AI receptionist.\n\n"
        f"Your Voxi number: {attempt.number_e164}\n"
        f"Your free trial runs until {attempt.trial_ends_at:%B %-d, %Y}.\n\nNext steps:\n{steps}\n\n"
        f"Your dashboard: {ctx.settings.voxi_base_url}/dashboard\n"
    )


def next_steps(number: str) -> tuple[str, str, str]:
    return (
        f"Forward your business line to {number} (ask your carrier for call forwarding).",
        "Customise your AI: check the greeting, services and business hours in your dashboard.",
        f"Place a test call to {number} and listen to your receptionist.",
    )


async def activate(ctx: SagaContext, attempt: SignupAttempt, issued_at: datetime) -> None:
    """The tenant becomes TRIAL and the attempt COMPLETED, atomically."""
    assert attempt.tenant_id is not None  # noqa: S101
    now = datetime.now(UTC)
    with tenant_context(attempt.tenant_id):
        async with ctx.db.sessions() as session:
            tenant = await session.get(Tenant, attempt.tenant_id)
            assert tenant is not None  # noqa: S101 - created by the first step of this run
            tenant.status = TenantStatus.TRIAL
            tenant.trial_ends_at = attempt.trial_ends_at
            tenant.billing_customer_id = attempt.billing_customer_id
            tenant.billing_subscription_id = attempt.billing_subscription_id
            tenant.subscription_status = "trialing"
            changes = {
                "state": SignupState.COMPLETED,
                "current_step": "done",
                "issued_at": issued_at,
                "completed_at": now,
            }
            await session.execute(record_statement(attempt, log_entry("activate", "done"), changes))
            await session.commit()
