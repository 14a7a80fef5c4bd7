"""Numbers a tenant owns, and resolving a called number to its tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Uuid, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.errors import Conflict
from voxi.core.tenant_context import set_current_tenant
from voxi.telephony.models import NumberRoute, PhoneNumber
from voxi.telephony.numbers import to_e164


@dataclass(frozen=True)
class NumberResolution:
    """The tenant a call to `e164` belongs to; `tenant_id` is None with a reason when there is none."""

    e164: str | None
    tenant_id: uuid.UUID | None
    reason: str | None = None

    @property
    def found(self) -> bool:
        return self.tenant_id is not None


async def resolve_tenant_by_number(session: AsyncSession, raw_number: str) -> NumberResolution:
    e164 = to_e164(raw_number)
    if e164 is None:
        return NumberResolution(None, None, "not a valid phone number")
    tenant_id = await session.scalar(select(NumberRoute.tenant_id).where(NumberRoute.e164 == e164))
    if tenant_id is None:
        return NumberResolution(e164, None, "not a Voxi number")
    return NumberResolution(e164, tenant_id)


async def bind_tenant_by_number(session: AsyncSession, raw_number: str) -> NumberResolution:
    """Resolve the called number and bind its tenant (task and transaction) in one database round trip.

    The webhook boundary's fast path: the same answer as `resolve_tenant_by_number`, already bound.
    """
    e164 = to_e164(raw_number)
    if e164 is None:
        return NumberResolution(None, None, "not a valid phone number")
    # set_config sits in the select list, so it runs only for the matching row.
    tenant_id = await session.scalar(_ROUTE_AND_BIND, {"e164": e164})
    if tenant_id is None:
        return NumberResolution(e164, None, "not a Voxi number")
    set_current_tenant(tenant_id)
    return NumberResolution(e164, tenant_id)


_ROUTE_AND_BIND = text(
    "select tenant_id, set_config('app.tenant_id', tenant_id::text, true) "
    "from number_routes where e164 = :e164"
).columns(tenant_id=Uuid)


async def live_numbers(session: AsyncSession) -> list[str]:
    """The bound business's numbers that are not released, in order."""
    return list(
        await session.scalars(
            select(PhoneNumber.e164).where(PhoneNumber.released_at.is_(None)).order_by(PhoneNumber.e164)
        )
    )


async def assign_number(
    session: AsyncSession, tenant_id: uuid.UUID, e164: str, *, provider: str, provider_sid: str | None = None
) -> PhoneNumber:
    """Give `e164` to the tenant; the global route makes a number belong to one business only."""
    if await session.get(NumberRoute, e164) is not None:
        raise Conflict(
            f"{e164} already belongs to a business.", fields={"phoneNumber": "This number is taken."}
        )
    session.add(NumberRoute(e164=e164, tenant_id=tenant_id))
    number = PhoneNumber(tenant_id=tenant_id, e164=e164, provider=provider, provider_sid=provider_sid)
    session.add(number)
    await session.flush()
    return number
