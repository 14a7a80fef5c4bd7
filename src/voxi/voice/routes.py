"""Twilio's voice webhooks: incoming call, speech turns, status and recording callbacks (all signed)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from voxi.core.middleware import LabelledRoute
from voxi.deps import DatabaseDep, SettingsDep
from voxi.voice import service, twiml
from voxi.voice.service import TwilioCall
from voxi.voice.signature import TwilioForm, verified_twilio_form

router = APIRouter(tags=["twilio"])


async def incoming_call(request: Request) -> Response:
    """An incoming call to any Voxi number: TwiML for the business's engine (or forwarding/voicemail)."""
    form = await verified_twilio_form(request)
    state = request.app.state
    call = TwilioCall.from_form(form)
    answer = await service.answer_incoming_call(
        state.db, state.settings, state.providers, call, state.answering
    )
    return twiml.xml(answer)


# Every call's first request, so a plain Starlette route (the app adds these ahead of its routers):
# FastAPI's request handling (dependency solving, even with none declared) cost 10% of its instructions.
# The price: no OpenAPI entry. The alias serves numbers set up with the ElevenLabs-era webhook URL.
incoming_call_routes = [
    LabelledRoute(path, incoming_call, methods=["POST"])
    for path in ("/twilio/voice", "/api/elevenlabs/incoming")
]


@router.post("/twilio/gather", response_class=Response)
async def speech_turn(
    request: Request,
    form: TwilioForm,
    db: DatabaseDep,
    settings: SettingsDep,
    tenant: Annotated[uuid.UUID, Query()],
) -> Response:
    """The Twilio speech engine's next turn: what the caller said (empty after a silence) → TwiML."""
    call = TwilioCall.from_form(form)
    heard = form.get("SpeechResult", "")
    providers = request.app.state.providers
    return twiml.xml(await service.continue_conversation(db, settings, providers, tenant, call, heard))


@router.post("/twilio/status", response_class=Response)
async def call_status(form: TwilioForm, db: DatabaseDep, settings: SettingsDep) -> Response:
    """Call status callback: a final status closes the CallLog (duration, cost); repeats are no-ops."""
    duration = form.get("CallDuration", "0")
    seconds = int(duration) if duration.isdigit() else 0
    await service.record_call_status(
        db, settings, TwilioCall.from_form(form), form.get("CallStatus", ""), seconds
    )
    return twiml.xml('<?xml version="1.0" encoding="UTF-8"?><Response/>')


@router.post("/twilio/recording", response_class=Response)
async def voicemail_recording(
    form: TwilioForm,
    db: DatabaseDep,
    to: Annotated[str, Query(max_length=32)] = "",
    from_: Annotated[str, Query(alias="from", max_length=32)] = "",
) -> Response:
    """Recording status callback of a voicemail: the recording goes on the call's log."""
    if form.get("RecordingStatus", "completed") == "completed" and form.get("RecordingUrl"):
        call = TwilioCall(form.get("CallSid", ""), from_, to)
        duration = form.get("RecordingDuration", "0")
        await service.record_voicemail(
            db, call, form["RecordingUrl"], int(duration) if duration.isdigit() else 0
        )
    return twiml.xml('<?xml version="1.0" encoding="UTF-8"?><Response/>')
