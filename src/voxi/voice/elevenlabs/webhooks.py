"""Recording ElevenLabs' post-call webhooks: once per (conversation, event type), then a job."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.core.errors import BadRequest
from voxi.core.jobs import defer
from voxi.voice.elevenlabs.models import VoiceWebhookEvent

SOURCE = "elevenlabs"
EVENT_TYPES = frozenset({"post_call_transcription", "post_call_audio", "call_initiation_failure"})


async def record_post_call(session: AsyncSession, payload: dict[str, Any]) -> bool:
    """Store a verified event and queue its processing; False when it was already received (a replay)."""
    from voxi.voice.elevenlabs.jobs import process_post_call

    kind = str(payload.get("type", ""))
    data = payload.get("data") or {}
    conversation_id = str(data.get("conversation_id") or "") if isinstance(data, dict) else ""
    if kind not in EVENT_TYPES or not conversation_id:
        raise BadRequest("Not an ElevenLabs post-call event.")
    event_id = await session.scalar(
        insert(VoiceWebhookEvent)
        .values(
            source=SOURCE,
            event_key=f"{conversation_id}:{kind}",
            type=kind,
            conversation_id=conversation_id,
            payload=payload,
        )
        .on_conflict_do_nothing(index_elements=["source", "event_key"])
        .returning(VoiceWebhookEvent.id)
    )
    if event_id is None:
        return False
    await defer(session, process_post_call, event_id=event_id)
    return True
