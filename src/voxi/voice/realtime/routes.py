"""`WS /twilio/media-stream`: a Twilio media stream bridged to the OpenAI Realtime API."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from fastapi import APIRouter, FastAPI, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from voxi.core.settings import Settings
from voxi.core.tenant_context import tenant_context
from voxi.voice.realtime import codec
from voxi.voice.realtime.codec import TwilioStart
from voxi.voice.realtime.ports import CallNotAnswerable, DatabaseCallPorts
from voxi.voice.realtime.session import BridgeSession
from voxi.voice.realtime.stream_auth import StreamRejected, verify_stream
from voxi.voice.realtime.transport import Bridge, BridgeRegistry
from voxi.voice.realtime.twiml import stream_key

log = structlog.get_logger(__name__)
router = APIRouter(tags=["voice: openai realtime"])

POLICY_VIOLATION = 1008
START_TIMEOUT_SECONDS = 10.0
MAX_MESSAGES_BEFORE_START = 5  # Twilio sends `connected`, then `start`


def bridge_registry(app: FastAPI) -> BridgeRegistry:
    registry = getattr(app.state, "realtime_bridges", None)
    if registry is None:
        registry = app.state.realtime_bridges = BridgeRegistry()
    return registry


async def _read_start(websocket: WebSocket) -> TwilioStart | None:
    for _ in range(MAX_MESSAGES_BEFORE_START):
        event = codec.parse_twilio(await websocket.receive_text())
        if isinstance(event, TwilioStart):
            return event
        if event is not None:
            return None  # media before `start`: not a Twilio stream
    return None


async def _close(websocket: WebSocket, code: int = 1000) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code)


@router.websocket("/twilio/media-stream")
async def media_stream(websocket: WebSocket) -> None:
    """Bridge one call's Twilio media stream to the Realtime API; signed stream parameters only."""
    app = websocket.app
    settings: Settings = app.state.settings
    await websocket.accept()
    try:
        start = await asyncio.wait_for(_read_start(websocket), START_TIMEOUT_SECONDS)
    except (TimeoutError, WebSocketDisconnect, ValueError, KeyError):
        start = None
    try:
        if start is None or not start.stream_sid.isalnum():
            raise StreamRejected("no valid start message")
        grant = verify_stream(stream_key(settings), start.custom_parameters, call_sid=start.call_sid)
    except StreamRejected as exc:
        log.warning("media_stream_rejected", reason=str(exc))
        await _close(websocket, POLICY_VIOLATION)
        return
    providers = app.state.providers
    ports = DatabaseCallPorts(settings, app.state.db, providers.telephony, grant)
    with tenant_context(grant.tenant_id):
        try:
            config = await ports.load()
        except CallNotAnswerable:
            log.warning("media_stream_call_not_answerable", call_id=str(grant.call_id))
            await _close(websocket, POLICY_VIOLATION)
            return
        if providers.realtime is None:  # never built: nothing to bridge to, so a person takes the call
            await ports.forward_caller()
            await _close(websocket)
            return
        bridge = Bridge(websocket, BridgeSession(start.stream_sid, config), ports)
        async with bridge_registry(app).track(bridge):
            ending = await bridge.run(providers.realtime)
        log.info("media_stream_ended", ending=ending, call_id=str(grant.call_id))
    await _close(websocket)
