"""Tenant API: the business's calls — list with filters and full-text search, detail with transcript."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from voxi.calls import repository
from voxi.calls.models import CallLog
from voxi.calls.schemas import CallDetail, CallOut, CallQuery, OutcomeName, UrgencyName
from voxi.core.errors import NotFound
from voxi.core.schemas import Page
from voxi.deps import CurrentTenant, SessionDep

router = APIRouter(prefix="/api/v1/calls", tags=["calls"])


@router.get("", response_model=Page[CallOut])
async def list_calls(
    tenant: CurrentTenant,
    session: SessionDep,
    outcome: OutcomeName | None = None,
    urgency: UrgencyName | None = None,
    since: Annotated[date | None, Query(description="First day included (UTC).")] = None,
    until: Annotated[date | None, Query(description="Last day included (UTC).")] = None,
    test: Annotated[
        bool | None, Query(description="Only test calls (true) or only real ones (false).")
    ] = None,
    q: Annotated[str, Query(max_length=200, description="Words to find in transcripts and summaries.")] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(alias="perPage", ge=1, le=100)] = 25,
) -> Page[CallOut]:
    """The business's calls, newest first; filter by outcome, urgency, dates, test; search with `q`."""
    query = CallQuery(
        outcome=outcome,
        urgency=urgency,
        since=since,
        until=until,
        test=test,
        q=q,
        page=page,
        per_page=per_page,
    )
    calls, total = await repository.list_calls(session, query)
    return Page[CallOut](
        items=[CallOut.model_validate(call) for call in calls], total=total, page=page, per_page=per_page
    )


@router.get("/{call_id}", response_model=CallDetail)
async def get_call(call_id: uuid.UUID, tenant: CurrentTenant, session: SessionDep) -> CallDetail:
    """One call with its transcript, summary, outcome and recording URL."""
    call = await session.get(CallLog, (tenant.id, call_id))
    if call is None:
        raise NotFound("Call not found.")
    return CallDetail.model_validate(call)
