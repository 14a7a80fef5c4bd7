"""Voice engines: what answers a call once routing has found the business and opened its CallLog.

`ENGINES` is the registry: `twilio_speech` (Twilio's own speech recognition and TTS in a `<Gather>`/`<Say>`
loop driven by the text brain) lives here; issue 5 registers `elevenlabs` and `openai` next to it. Until an
engine is registered, a deployment configured for it answers with Twilio speech (logged once).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import structlog

from voxi.agent.brain.base import BrainReply, ConversationState
from voxi.agent.brain.builtin import greeting
from voxi.agent.voices import voice_config
from voxi.calls.service import NewCall, turn
from voxi.core.settings import Settings
from voxi.tenancy.models import Tenant, TenantConfig
from voxi.voice import twiml
from voxi.voice.answering import MAX_ENTRIES, Business
from voxi.voice.elevenlabs.engine import ElevenLabsEngine
from voxi.voice.realtime.engine import OpenAIRealtimeEngine

if TYPE_CHECKING:
    from voxi.providers import Providers

log = structlog.get_logger(__name__)

FALLBACK_ENGINE = "twilio_speech"
# Greetings kept as TwiML: one per business (and per open/closed), as many as the answering cache holds.
GREETINGS_CACHED = MAX_ENTRIES


@dataclass(frozen=True)
class IncomingCall:
    """A call routing has accepted and logged: `call` is its log as inserted (with its id)."""

    settings: Settings
    providers: Providers
    business: Business
    call: NewCall

    @property
    def tenant(self) -> Tenant:
        return self.business.tenant

    @property
    def config(self) -> TenantConfig:
        return self.business.config


class VoiceEngine(Protocol):
    """Answers an accepted call with TwiML. Raising is fine: routing then forwards the caller."""

    name: str

    def open(self, business: Business, call: NewCall) -> None:
        """Fill in what the call's log starts with, before it is inserted (no I/O)."""

    async def answer(self, incoming: IncomingCall) -> str: ...


class TwilioSpeechEngine:
    """`<Gather input="speech">` + `<Say>`: no AI-voice vendor, Twilio hears and speaks, the brain talks."""

    name = "twilio_speech"

    def open(self, business: Business, call: NewCall) -> None:
        # The greeting needs no tool and no database: it goes into the CallLog's insert. It depends on
        # the business and whether it is open, so it is built once per state; calls share it (read only).
        now = datetime.now(ZoneInfo(business.tenant.timezone))
        is_open = business.hours.is_open_at(now)
        first = business.first_turns.get(is_open)
        if first is None:
            state = ConversationState()
            reply = greeting(business.tenant, business.config, now, state, business.hours)
            first = business.first_turns[is_open] = (reply.say, state.to_json())
        say, conversation = first
        call.transcript = [turn("agent", say)]
        call.conversation = conversation

    async def answer(self, incoming: IncomingCall) -> str:
        said = incoming.call.transcript[-1]["text"]
        return greeting_twiml(
            said, incoming.settings.voxi_base_url, incoming.config.tenant_id, incoming.config.voice
        )


def gather_twiml(say: str, base_url: str, tenant_id: uuid.UUID, voice_name: str | None) -> str:
    """Say `say` in the business's voice, then listen for the caller's next turn."""
    voice = voice_config("twilio_speech", voice_name)
    return twiml.gather(say, gather_url(base_url, tenant_id), voice=voice.voice, language=voice.language)


# A business's greeting changes with its settings and whether it is open: built once per wording.
greeting_twiml = lru_cache(maxsize=GREETINGS_CACHED)(gather_twiml)


def gather_url(base_url: str, tenant_id: object) -> str:
    # The tenant rides in the signed URL, so the next turn needs no number lookup.
    return f"{base_url}/twilio/gather?{urlencode({'tenant': str(tenant_id)})}"


def speech_twiml(reply: BrainReply, settings: Settings, config: TenantConfig) -> str:
    if reply.action not in ("transfer", "end_call"):
        return gather_twiml(reply.say, settings.voxi_base_url, config.tenant_id, config.voice)
    voice = voice_config("twilio_speech", config.voice)
    if reply.action == "transfer" and reply.transfer_to:
        return twiml.say_then_dial(reply.say, reply.transfer_to, voice=voice.voice, language=voice.language)
    return twiml.say_then_hang_up(reply.say, voice=voice.voice, language=voice.language)


ENGINES: dict[str, VoiceEngine] = {
    "twilio_speech": TwilioSpeechEngine(),
    "elevenlabs": ElevenLabsEngine(),
    "openai": OpenAIRealtimeEngine(),
}
_warned: set[str] = set()


def engine_for(name: str) -> VoiceEngine:
    """The registered engine called `name`, else Twilio speech (with a warning, once per process)."""
    engine = ENGINES.get(name)
    if engine is not None:
        return engine
    if name not in _warned:
        _warned.add(name)
        log.warning("voice_engine_not_available", wanted=name, using=FALLBACK_ENGINE)
    return ENGINES[FALLBACK_ENGINE]
