"""Call logs written the way the voice webhooks write them (through `voxi.calls.service`)."""

from __future__ import annotations

import uuid

from voxi.calls.service import append_turn, open_call, set_outcome
from voxi.core.db import Database, activate_tenant


async def make_call(
    db: Database,
    tenant_id: uuid.UUID | str,
    *,
    call_sid: str | None = None,
    caller_says: str = "Hi, my furnace stopped working.",
    outcome: str = "info",
) -> uuid.UUID:
    async with db.sessions() as session:
        await activate_tenant(session, uuid.UUID(str(tenant_id)))
        call = await open_call(
            session,
            call_sid=call_sid or f"CA{uuid.uuid4().hex}",
            from_number="+15125550000",
            to_number="+15125550101",
            engine="twilio_speech",
        )
        await append_turn(session, call.id, "caller", caller_says)
        await set_outcome(session, call.id, outcome, summary="Asked about a furnace.")
        await session.commit()
        return call.id
