"""The OpenAI Realtime engine for `POST /twilio/voice`: connect the call to our media-stream bridge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxi.voice.realtime.stream_auth import StreamGrant
from voxi.voice.realtime.twiml import media_stream_twiml

if TYPE_CHECKING:
    from voxi.calls.service import NewCall
    from voxi.voice.answering import Business
    from voxi.voice.engines import IncomingCall


class OpenAIRealtimeEngine:
    name = "openai"

    def open(self, business: Business, call: NewCall) -> None:
        """The conversation starts on the media stream: the log starts empty."""

    async def answer(self, incoming: IncomingCall) -> str:
        grant = StreamGrant(incoming.tenant.id, incoming.call.id, incoming.call.call_sid)
        return media_stream_twiml(incoming.settings, grant)
