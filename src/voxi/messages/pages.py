"""The messages page: what callers left for the business, marked read or done in place (HTMX)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from voxi.core.errors import BadRequest
from voxi.deps import SessionDep
from voxi.messages import service
from voxi.messages.schemas import MESSAGE_STATUSES
from voxi.web.deps import CsrfProtected, WebUser
from voxi.web.pages import is_htmx, login_redirect, render

router = APIRouter(include_in_schema=False)
PER_PAGE = 50


@router.get("/messages")
async def messages_page(
    request: Request, viewer: WebUser, session: SessionDep, status: Annotated[str, Query()] = "new"
) -> Response:
    """Messages taken for the business; new ones first by default."""
    if viewer is None:
        return login_redirect(request)
    shown = status if status in MESSAGE_STATUSES else None
    rows, total = await service.list_messages(session, status=shown, page=1, per_page=PER_PAGE)
    context = {"messages": rows, "total": total, "status": shown or "all", "statuses": MESSAGE_STATUSES}
    template = "messages/_list.html" if is_htmx(request) else "messages/list.html"
    return render(request, template, context)


@router.post("/messages/{message_id}/status")
async def set_message_status(
    request: Request,
    message_id: uuid.UUID,
    viewer: WebUser,
    session: SessionDep,
    _csrf: CsrfProtected,
    status: Annotated[str, Form()] = "",
) -> Response:
    """Mark one message new, read or done; HTMX gets the updated row."""
    if viewer is None:
        return login_redirect(request)
    if status not in MESSAGE_STATUSES:
        raise BadRequest("Unknown status.")
    message = await service.set_status(session, message_id, status)
    if is_htmx(request):
        return render(request, "messages/_row.html", {"message": message})
    return RedirectResponse("/messages", status_code=303)
