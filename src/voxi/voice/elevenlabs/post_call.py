"""Storing a received post-call event into the business's CallLog (transcript, summary, audio).

Runs in a job. Everything here is idempotent: the transcript is replaced, not appended; the call is
closed once; the recording is keyed on the call. The audio event names no business, so it is matched
to its conversation's transcription event, and waits (job retry) until that has arrived.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import CallLog
from voxi.calls.service import call_by_sid, close_call, open_call
from voxi.core.db import Database, activate_tenant
from voxi.core.tenant_context import tenant_context
from voxi.tenancy.models import TenantConfig
from voxi.voice.elevenlabs.models import CallRecording, VoiceWebhookEvent
from voxi.voice.elevenlabs.webhooks import SOURCE

log = structlog.get_logger(__name__)
ROLES = {"user": "caller", "agent": "agent"}


class TranscriptNotYetReceived(Exception):
    """The audio arrived before its conversation's transcript; the job retries later."""


def recording_url(call_id: uuid.UUID) -> str:
    return f"/api/v1/calls/{call_id}/recording"


async def process_event(db: Database, event_id: int) -> None:
    async with db.cross_tenant("elevenlabs post-call job") as platform:
        event = await platform.get(VoiceWebhookEvent, event_id)
        if event is None or event.processed_at is not None:
            return
        payload, kind = event.payload, event.type
        origin = (
            payload if kind != "post_call_audio" else await _transcription_of(platform, event.conversation_id)
        )
    if origin is None:
        raise TranscriptNotYetReceived(event.conversation_id)
    variables = _dynamic_variables(origin)
    tenant_id, call_sid = _uuid(variables.get("business_id")), variables.get("call_sid") or ""
    if kind in ("post_call_transcription", "post_call_audio") and tenant_id is not None:
        with tenant_context(tenant_id):
            async with db.sessions() as session:
                await activate_tenant(session, tenant_id)
                call = await _call_for(session, origin, call_sid)
                if kind == "post_call_transcription":
                    await _store_transcription(session, call, payload)
                else:
                    await _store_audio(session, call, payload)
                await session.commit()
    else:
        log.info("elevenlabs_event_not_attributed", kind=kind, conversation_id=event.conversation_id)
    await _mark_processed(db, event_id, strip_audio=kind == "post_call_audio")


async def _transcription_of(platform: AsyncSession, conversation_id: str) -> dict[str, Any] | None:
    return await platform.scalar(
        select(VoiceWebhookEvent.payload).where(
            VoiceWebhookEvent.source == SOURCE,
            VoiceWebhookEvent.event_key == f"{conversation_id}:post_call_transcription",
        )
    )


def _dynamic_variables(payload: dict[str, Any]) -> dict[str, str]:
    data = payload.get("data") or {}
    client_data = data.get("conversation_initiation_client_data") or {}
    return {k: str(v) for k, v in (client_data.get("dynamic_variables") or {}).items() if v is not None}


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


async def _call_for(session: AsyncSession, origin: dict[str, Any], call_sid: str) -> CallLog:
    data = origin.get("data") or {}
    conversation_id = str(data.get("conversation_id"))
    call = await call_by_sid(session, call_sid or conversation_id)
    if call is not None:
        return call
    # A call we never saw start (its webhook failed over to ElevenLabs): still leave a CallLog.
    phone = (data.get("metadata") or {}).get("phone_call") or {}
    variables = _dynamic_variables(origin)
    return await open_call(
        session,
        call_sid=call_sid or conversation_id,
        from_number=variables.get("caller_number") or str(phone.get("external_number") or ""),
        to_number=variables.get("called_number") or str(phone.get("agent_number") or ""),
        engine=SOURCE,
    )


async def _store_transcription(session: AsyncSession, call: CallLog, payload: dict[str, Any]) -> None:
    data = payload.get("data") or {}
    metadata, analysis = data.get("metadata") or {}, data.get("analysis") or {}
    turns = [
        {
            "role": ROLES.get(turn.get("role", ""), "agent"),
            "text": turn["message"],
            "at_seconds": turn.get("time_in_call_secs"),
        }
        for turn in data.get("transcript") or []
        if turn.get("message")
    ]
    call.transcript = turns
    call.summary = str(analysis.get("transcript_summary") or call.summary or "")[:2000]
    call.conversation = {
        **(call.conversation or {}),
        "elevenlabs": {
            "conversation_id": data.get("conversation_id"),
            "call_successful": analysis.get("call_successful"),
            "cost": metadata.get("cost"),  # ElevenLabs' own units (credits), not our COGS cents
        },
    }
    duration = int(metadata.get("call_duration_secs") or 0)
    await close_call(session, call.call_sid, status="completed", duration_seconds=duration)


async def _store_audio(session: AsyncSession, call: CallLog, payload: dict[str, Any]) -> None:
    config = await session.get(TenantConfig, call.tenant_id)
    if config is not None and not config.recording_enabled:
        return  # the business turned recording off: the audio is not kept
    data = payload.get("data") or {}
    try:
        audio = base64.b64decode(data.get("full_audio") or "", validate=True)
    except (binascii.Error, ValueError):
        log.warning("elevenlabs_audio_undecodable", conversation_id=data.get("conversation_id"))
        return
    if not audio:
        return
    await session.execute(
        insert(CallRecording)
        .values(
            tenant_id=call.tenant_id,
            id=uuid.uuid4(),
            call_id=call.id,
            conversation_id=str(data.get("conversation_id")),
            content_type="audio/mpeg",
            size_bytes=len(audio),
            audio=audio,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "call_id"])
    )
    call.recording_url = recording_url(call.id)


async def _mark_processed(db: Database, event_id: int, *, strip_audio: bool) -> None:
    async with db.cross_tenant("elevenlabs post-call job") as platform:
        values: dict[str, Any] = {"processed_at": datetime.now(UTC)}
        if strip_audio:
            # The recording table holds the audio now; do not keep a second, base64 copy.
            event = await platform.get(VoiceWebhookEvent, event_id)
            if event is not None:
                data = {k: v for k, v in (event.payload.get("data") or {}).items() if k != "full_audio"}
                values["payload"] = {**event.payload, "data": data}
        await platform.execute(
            update(VoiceWebhookEvent).where(VoiceWebhookEvent.id == event_id).values(**values)
        )
        await platform.commit()
