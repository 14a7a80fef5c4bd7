"""Undoing a failed signup: release the number, cancel the subscription, delete the customer, then the
PENDING tenant and its owner. Every undo is idempotent and recorded on the attempt; one that fails is
recorded too and tried again by the next run of the same attempt, before anything new is made."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy import delete, select

from voxi.auth.models import User
from voxi.core.tenant_context import tenant_context
from voxi.signup.models import SignupAttempt
from voxi.signup.repository import log_entry, record
from voxi.signup.steps import SagaContext
from voxi.telephony.models import NumberRoute
from voxi.tenancy.models import Tenant

log = structlog.get_logger(__name__)


async def compensate(ctx: SagaContext, attempt: SignupAttempt) -> bool:
    """Undo whatever the attempt made, newest first; True when nothing is left behind."""
    undos: list[tuple[str, str, Callable[[], Awaitable[None]], dict[str, None]]] = []
    if number := attempt.number_e164:
        cleared = {"number_e164": None, "number_sid": None}
        undos.append(("number", number, lambda: _release_number(ctx, attempt), cleared))
    if subscription := attempt.billing_subscription_id:
        cancel = ctx.billing.cancel_now
        undos.append(
            ("subscription", subscription, lambda: cancel(subscription), {"billing_subscription_id": None})
        )
    if customer := attempt.billing_customer_id:
        remove = ctx.billing.delete_customer
        undos.append(("customer", customer, lambda: remove(customer), {"billing_customer_id": None}))
    if attempt.tenant_id:
        cleared = {"tenant_id": None, "owner_user_id": None}
        undos.append(("tenant", str(attempt.tenant_id), lambda: _delete_business(ctx, attempt), cleared))
    clean = True
    for step, what, undo, cleared in undos:
        try:
            await undo()
        except Exception as exc:  # noqa: BLE001 - recorded; the next run of this attempt retries it
            clean = False
            log.warning("signup_compensation_failed", attempt=str(attempt.id), step=step, error=repr(exc))
            await record(ctx.db, attempt, log_entry(step, "compensation_failed", f"{what}: {exc!r}"[:300]))
            continue
        await record(ctx.db, attempt, log_entry(step, "compensated", what), **cleared)
    return clean


async def _release_number(ctx: SagaContext, attempt: SignupAttempt) -> None:
    """Give the number back, unless it is (now) routed to another business: then it is theirs."""
    e164 = attempt.number_e164
    async with ctx.db.sessions() as session:
        owner = await session.scalar(select(NumberRoute.tenant_id).where(NumberRoute.e164 == e164))
    if owner is not None and owner != attempt.tenant_id:
        return
    sid = attempt.number_sid
    if sid is None:
        # The purchase may have gone through without its answer reaching us: ask the provider.
        owned = {number.e164: number.sid for number in await ctx.telephony.list_owned()}
        sid = owned.get(e164 or "")
    if sid is not None:
        await ctx.telephony.release(sid)


async def _delete_business(ctx: SagaContext, attempt: SignupAttempt) -> None:
    """The PENDING tenant (its config, membership, number and route cascade) and the owner it created."""
    assert attempt.tenant_id is not None  # noqa: S101
    with tenant_context(attempt.tenant_id):
        async with ctx.db.sessions() as session:
            # Before the tenant: deleting it would null `last_tenant_id`, which finds an unrecorded owner.
            created_here = (User.email == attempt.email) & (User.last_tenant_id == attempt.tenant_id)
            if attempt.owner_user_id is not None:
                created_here = created_here | (User.id == attempt.owner_user_id)
            await session.execute(delete(User).where(created_here))
            await session.execute(delete(Tenant).where(Tenant.id == attempt.tenant_id))
            await session.commit()
