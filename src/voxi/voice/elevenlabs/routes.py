"""ElevenLabs' webhooks into Voxi, and the recordings they deliver."""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import undefer

from voxi.agent.routes import ToolsSecret
from voxi.core.errors import BadRequest, NotFound, Unauthorized
from voxi.deps import CurrentPrincipal, SessionDep, SettingsDep
from voxi.voice.elevenlabs.models import CallRecording
from voxi.voice.elevenlabs.schemas import ConversationInitRequest, ConversationInitResponse, PostCallReceipt
from voxi.voice.elevenlabs.service import conversation_init
from voxi.voice.elevenlabs.signature import BadSignature, verify
from voxi.voice.elevenlabs.webhooks import record_post_call

router = APIRouter(tags=["voice: elevenlabs"])


async def _signed_body(
    request: Request,
    settings: SettingsDep,
    elevenlabs_signature: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> bytes:
    body = await request.body()
    try:
        verify(
            settings.elevenlabs_webhook_secret,
            elevenlabs_signature,
            body,
            tolerance=settings.elevenlabs_webhook_tolerance_seconds,
        )
    except BadSignature as exc:
        raise Unauthorized(f"Invalid ElevenLabs-Signature: {exc}.") from exc
    return body


SignedBody = Annotated[bytes, Depends(_signed_body)]


@router.post("/api/elevenlabs/conversation-init")
async def elevenlabs_conversation_init(
    body: ConversationInitRequest, _secret: ToolsSecret, session: SessionDep
) -> ConversationInitResponse:
    """Per-call variables and overrides for a call ElevenLabs answered on an imported number."""
    data = await conversation_init(
        session, called_number=body.called_number, caller_number=body.caller_id, call_sid=body.call_sid
    )
    return ConversationInitResponse(**data)


@router.post("/api/elevenlabs/post-call")
async def elevenlabs_post_call(body: SignedBody, session: SessionDep) -> PostCallReceipt:
    """Receive a post-call transcript, analysis or audio (HMAC-verified); processed in a job."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise BadRequest("The body is not JSON.") from exc
    if not isinstance(payload, dict):
        raise BadRequest("The body is not a JSON object.")
    recorded = await record_post_call(session, payload)
    return PostCallReceipt(received=True, duplicate=not recorded)


@router.get("/api/v1/calls/{call_id}/recording", response_class=Response)
async def call_recording(call_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Response:
    """The call's audio recording (as ElevenLabs delivered it)."""
    recording = await session.scalar(
        select(CallRecording).where(CallRecording.call_id == call_id).options(undefer(CallRecording.audio))
    )
    if recording is None:
        raise NotFound("This call has no recording.")
    return Response(
        recording.audio,
        media_type=recording.content_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="call-{call_id}.mp3"',
        },
    )
