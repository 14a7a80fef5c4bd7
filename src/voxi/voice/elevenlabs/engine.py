"""The ElevenLabs engine for `POST /twilio/voice`: register the call with the shared agent, return its TwiML.

Time-boxed (ELEVENLABS_REGISTER_TIMEOUT_SECONDS); on timeout or error it raises, and routing answers
with the business's forwarding (or voicemail) TwiML instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voxi.core.errors import VoxiError
from voxi.voice.elevenlabs.service import ENGINE, business_call_data

if TYPE_CHECKING:
    from voxi.calls.service import NewCall
    from voxi.voice.answering import Business
    from voxi.voice.engines import IncomingCall


class ElevenLabsNotConfigured(VoxiError):
    status_code = 503
    code = "elevenlabs_not_configured"
    message = "VOICE_ENGINE=elevenlabs needs ELEVENLABS_API_KEY and ELEVENLABS_AGENT_ID."


class ElevenLabsEngine:
    name = ENGINE

    def open(self, business: Business, call: NewCall) -> None:
        """The conversation starts at ElevenLabs: the log starts empty."""

    async def answer(self, incoming: IncomingCall) -> str:
        api = incoming.providers.elevenlabs
        if api is None or not api.agent_id:
            raise ElevenLabsNotConfigured()
        call = incoming.call
        client_data = business_call_data(
            incoming.tenant,
            incoming.config,
            list(incoming.business.numbers) or [call.to_number],
            caller_number=call.from_number,
            called_number=call.to_number,
            call_sid=call.call_sid,
            call_id=call.id,
        )
        return await api.register_call(
            from_number=call.from_number,
            to_number=call.to_number,
            client_data=client_data,
            timeout=incoming.settings.elevenlabs_register_timeout_seconds,
        )
