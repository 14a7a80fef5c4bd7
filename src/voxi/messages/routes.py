from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from voxi.core.schemas import Page
from voxi.deps import CurrentTenant, SessionDep
from voxi.messages import service
from voxi.messages.schemas import MessageIn, MessageOut, MessagePatch, MessageStatus

router = APIRouter(prefix="/api/v1/messages", tags=["messages"])


@router.get("", response_model=Page[MessageOut])
async def list_messages(
    _tenant: CurrentTenant,
    session: SessionDep,
    status: MessageStatus | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, alias="perPage")] = 50,
) -> Page[MessageOut]:
    """Messages taken for the business, newest first; filter by status (new, read, done)."""
    rows, total = await service.list_messages(session, status=status, page=page, per_page=per_page)
    return Page[MessageOut](
        items=[MessageOut.model_validate(m) for m in rows], total=total, page=page, per_page=per_page
    )


@router.post("", response_model=MessageOut, status_code=201)
async def create_message(data: MessageIn, _tenant: CurrentTenant, session: SessionDep) -> MessageOut:
    """Record a message taken by hand."""
    return MessageOut.model_validate(await service.create_message(session, data))


@router.get("/{message_id}", response_model=MessageOut)
async def get_message(message_id: uuid.UUID, _tenant: CurrentTenant, session: SessionDep) -> MessageOut:
    """One message."""
    return MessageOut.model_validate(await service.get_message(session, message_id))


@router.patch("/{message_id}", response_model=MessageOut)
async def update_message(
    message_id: uuid.UUID, patch: MessagePatch, _tenant: CurrentTenant, session: SessionDep
) -> MessageOut:
    """Mark a message new, read or done."""
    return MessageOut.model_validate(await service.set_status(session, message_id, patch.status))
