"""Messages the receptionist took for the business: list, read, mark read/done."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import Message
from voxi.core.errors import NotFound
from voxi.messages.schemas import MessageIn


async def list_messages(
    session: AsyncSession, *, status: str | None, page: int, per_page: int
) -> tuple[list[Message], int]:
    query = select(Message)
    if status:
        query = query.where(Message.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(Message.created_at.desc(), Message.id).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


async def get_message(session: AsyncSession, message_id: uuid.UUID) -> Message:
    # Scoped to the current tenant by the ORM: another business's message is simply not found.
    message = await session.scalar(select(Message).where(Message.id == message_id))
    if message is None:
        raise NotFound("Message not found.")
    return message


async def set_status(session: AsyncSession, message_id: uuid.UUID, status: str | None) -> Message:
    message = await get_message(session, message_id)
    if status is not None:
        message.status = status
    await session.flush()
    return message


async def create_message(session: AsyncSession, data: MessageIn) -> Message:
    message = Message(
        id=uuid.uuid4(),
        caller_name=data.caller_name,
        caller_phone=data.caller_phone or "",
        body=data.body,
        urgency=data.urgency,
        status="new",
    )
    session.add(message)
    await session.flush()
    await session.refresh(message)
    return message


async def count_new(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).where(Message.status == "new")) or 0
