"""The admin domain's SQL. Every query runs in the cross-tenant platform session."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from voxi.admin.schemas import TenantQuery
from voxi.auth.models import Role, TenantUser, User
from voxi.calls.models import CallLog
from voxi.customers.models import Customer
from voxi.scheduling.models import Appointment
from voxi.telephony.models import NumberRoute
from voxi.telephony.numbers import to_e164
from voxi.tenancy.models import Tenant, TenantUsage

PHONE_LIKE = re.compile(r"^[\d\s+().-]+$")
MIN_PARTIAL_DIGITS = 4  # fewer digits would match most numbers


async def find_tenants(session: AsyncSession, query: TenantQuery) -> tuple[list[Tenant], int]:
    """One page of tenants matching `query`, newest first, and how many match in all."""
    matching = select(Tenant).where(*_tenant_filters(query))
    total = await session.scalar(select(func.count()).select_from(matching.subquery()))
    page = matching.order_by(Tenant.created_at.desc(), Tenant.id).limit(query.per_page)
    tenants = await session.scalars(page.offset((query.page - 1) * query.per_page))
    return list(tenants), total or 0


def _tenant_filters(query: TenantQuery) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if query.status is not None:
        filters.append(Tenant.status == query.status)
    if query.plan is not None:
        filters.append(Tenant.plan == query.plan)
    if text := query.q.strip():
        filters.append(or_(Tenant.name.ilike(f"%{_escape_like(text)}%", escape="\\"), _has_number_like(text)))
    return filters


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _has_number_like(text: str) -> ColumnElement[bool]:
    """Tenants routed a number equal to `text` (any format) or containing its digits."""
    digits = re.sub(r"\D", "", text)
    if not PHONE_LIKE.match(text) or len(digits) < MIN_PARTIAL_DIGITS:
        return false()
    e164 = to_e164(text)
    number_matches = NumberRoute.e164.contains(digits) | (NumberRoute.e164 == e164 if e164 else false())
    return Tenant.id.in_(select(NumberRoute.tenant_id).where(number_matches))


async def numbers_by_tenant(
    session: AsyncSession, tenant_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    rows = await session.execute(
        select(NumberRoute.tenant_id, NumberRoute.e164)
        .where(NumberRoute.tenant_id.in_(tenant_ids))
        .order_by(NumberRoute.created_at, NumberRoute.e164)
    )
    numbers: dict[uuid.UUID, list[str]] = {tenant_id: [] for tenant_id in tenant_ids}
    for tenant_id, e164 in rows:
        numbers[tenant_id].append(e164)
    return numbers


async def owner_emails(session: AsyncSession, tenant_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each tenant's first owner's email."""
    rows = await session.execute(
        select(TenantUser.tenant_id, User.email)
        .join(User, User.id == TenantUser.user_id)
        .where(TenantUser.tenant_id.in_(tenant_ids), TenantUser.role == Role.OWNER)
        .order_by(TenantUser.created_at.desc())
    )
    return dict(rows.all())  # later rows win: the earliest owner is kept


async def usage_months(session: AsyncSession, tenant_id: uuid.UUID) -> list[TenantUsage]:
    rows = await session.scalars(
        select(TenantUsage)
        .where(TenantUsage.tenant_id == tenant_id)
        .order_by(TenantUsage.period_start.desc())
    )
    return list(rows)


async def call_totals(
    session: AsyncSession, tenant_id: uuid.UUID, start: datetime, end: datetime
) -> tuple[int, int]:
    """(calls, seconds on the phone) for calls started in [start, end)."""
    row = await session.execute(
        select(func.count(), func.coalesce(func.sum(CallLog.duration_seconds), 0)).where(
            CallLog.tenant_id == tenant_id, CallLog.started_at >= start, CallLog.started_at < end
        )
    )
    calls, seconds = row.one()
    return calls, seconds


async def count_appointments_created(
    session: AsyncSession, tenant_id: uuid.UUID, start: datetime, end: datetime
) -> int:
    return await _count(
        session,
        select(func.count()).where(
            Appointment.tenant_id == tenant_id, Appointment.created_at >= start, Appointment.created_at < end
        ),
    )


async def count_customers(session: AsyncSession, tenant_id: uuid.UUID) -> int:
    return await _count(session, select(func.count()).where(Customer.tenant_id == tenant_id))


async def tenants_grouped_by(session: AsyncSession, column: InstrumentedAttribute[Any]) -> dict[Any, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    return dict(rows.all())


async def signups_by_day(session: AsyncSession, since: date) -> dict[date, int]:
    day = func.date(func.timezone("UTC", Tenant.created_at))
    rows = await session.execute(select(day, func.count()).where(day >= since).group_by(day))
    return dict(rows.all())


async def count_users(session: AsyncSession) -> int:
    return await _count(session, select(func.count()).select_from(User))


async def count_number_routes(session: AsyncSession) -> int:
    return await _count(session, select(func.count()).select_from(NumberRoute))


async def _count(session: AsyncSession, statement: Select[int]) -> int:
    return await session.scalar(statement) or 0
