"""Dashboard pages: the calls list (badges, summaries, HTMX search) and one call's transcript."""

from __future__ import annotations

import math
import uuid
from typing import Annotated, get_args
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from voxi.calls import repository
from voxi.calls.models import CallLog
from voxi.calls.schemas import CallQuery, OutcomeName, UrgencyName
from voxi.core.errors import NotFound
from voxi.core.middleware import SECURITY_HEADERS
from voxi.deps import SessionDep
from voxi.web.deps import WebUser
from voxi.web.pages import is_htmx, login_redirect, render

router = APIRouter(include_in_schema=False)

CALLS_PER_PAGE = 25


@router.get("/calls")
async def calls_page(
    request: Request,
    viewer: WebUser,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    outcome: OutcomeName | None = None,
    urgency: UrgencyName | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """Every call with its outcome, urgency and one-line summary; HTMX searches get only the rows."""
    if viewer is None:
        return login_redirect(request)
    query = CallQuery(q=q.strip(), outcome=outcome, urgency=urgency, page=page, per_page=CALLS_PER_PAGE)
    calls, total = await repository.list_calls(session, query)
    context = {
        "calls": calls,
        "total": total,
        "query": query,
        "pages": max(1, math.ceil(total / CALLS_PER_PAGE)),
        "outcomes": get_args(OutcomeName),
        "urgencies": get_args(UrgencyName),
    }
    template = "calls/_rows.html" if is_htmx(request) else "calls/list.html"
    return render(request, template, context)


@router.get("/calls/{call_id}")
async def call_page(request: Request, call_id: uuid.UUID, viewer: WebUser, session: SessionDep) -> Response:
    """One call: summary, transcript, and a player when a recording exists."""
    if viewer is None:
        return login_redirect(request)
    call = await session.get(CallLog, (viewer.tenant.id, call_id))
    if call is None:
        raise NotFound("Call not found.")
    response = render(request, "calls/detail.html", {"call": call})
    if call.recording_url and (origin := _origin(call.recording_url)):
        # The player streams from the telephony provider: allow exactly that origin for media.
        default = dict(SECURITY_HEADERS)[b"content-security-policy"].decode()
        response.headers["Content-Security-Policy"] = f"{default}; media-src 'self' {origin}"
    return response


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme == "https" and parts.netloc else None
