"""All SQL of the calls list and search (tenant-scoped by the session's bound tenant)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, defer

from voxi.calls.models import CallLog
from voxi.calls.schemas import CallQuery


def _filtered(query: CallQuery) -> Select[CallLog]:
    statement = select(CallLog)
    if query.outcome:
        statement = statement.where(CallLog.outcome == query.outcome)
    if query.urgency:
        statement = statement.where(CallLog.urgency == query.urgency)
    if query.since:
        statement = statement.where(CallLog.started_at >= datetime.combine(query.since, time(), UTC))
    if query.until:
        end = datetime.combine(query.until + timedelta(days=1), time(), UTC)
        statement = statement.where(CallLog.started_at < end)
    if query.test is not None:
        statement = statement.where(CallLog.is_test.is_(query.test))
    if query.q.strip():
        # websearch syntax: words, "quoted phrases", -excluded; never a syntax error on user input.
        terms = func.websearch_to_tsquery("english", query.q.strip())
        statement = statement.where(CallLog.search_vector.op("@@")(terms))
    return statement


# A search with fewer matches than this sorts all of them (found through the GIN index); with more,
# it walks the business's calls newest first and keeps the matches. PostgreSQL cannot tell the two
# apart from its statistics and walks for a rare word too, reading every call of a big business.
SORT_ALL_MATCHES_BELOW = 5_000


async def list_calls(
    session: AsyncSession, query: CallQuery, *, sort_all_below: int = SORT_ALL_MATCHES_BELOW
) -> tuple[list[CallLog], int]:
    """One page of calls, newest first, without their transcripts; and how many match in all."""
    statement = _filtered(query)
    total = int(await session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    listed = CallLog
    if query.q.strip() and total < sort_all_below:
        listed = aliased(CallLog, statement.cte("matches").prefix_with("MATERIALIZED"))
        statement = select(listed)
    rows = await session.scalars(
        statement.options(defer(listed.transcript), defer(listed.conversation))
        .order_by(listed.started_at.desc(), listed.id)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )
    return list(rows), total


async def recent_calls(session: AsyncSession, limit: int = 5) -> list[CallLog]:
    rows = await session.scalars(
        select(CallLog)
        .options(defer(CallLog.transcript), defer(CallLog.conversation))
        .order_by(CallLog.started_at.desc(), CallLog.id)
        .limit(limit)
    )
    return list(rows)
