"""All SQL of customers: search and page through them, a customer's calls."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import CallLog
from voxi.customers.models import Customer


def _matching(q: str) -> Select[Customer]:
    query = select(Customer)
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        like = f"%{q.replace('%', '').replace('_', '')}%"
        conditions: list[ColumnElement[bool]] = [
            Customer.name.ilike(like),
            Customer.address.ilike(like),
            Customer.email.ilike(like),
        ]
        if len(digits) >= 3:
            conditions.append(Customer.phone.contains(digits))
        query = query.where(or_(*conditions))
    return query


async def search_customers(
    session: AsyncSession, q: str, *, page: int, per_page: int
) -> tuple[list[Customer], int]:
    query = _matching(q)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(Customer.last_call_at.desc().nulls_last(), Customer.name)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


async def calls_of(session: AsyncSession, customer: Customer, limit: int = 50) -> list[CallLog]:
    rows = await session.scalars(
        select(CallLog)
        .where(or_(CallLog.customer_id == customer.id, CallLog.from_number == customer.phone))
        .order_by(CallLog.started_at.desc())
        .limit(limit)
    )
    return list(rows)


async def get(session: AsyncSession, customer_id: uuid.UUID) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.id == customer_id))
