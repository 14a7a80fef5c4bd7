"""The voices each engine can speak with; the settings pages offer `voice_catalogue(engine)`.

One stored choice (`TenantConfig.voice`) serves every engine: when it is not one of the engine's own
voices, the engine's default is used, so switching engines never leaves a call without a voice.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINE_LABELS = {
    "elevenlabs": "ElevenLabs",
    "openai": "OpenAI Realtime",
    "twilio_speech": "Twilio speech",
    "simulator": "Text simulator",
}


@dataclass(frozen=True)
class VoiceOption:
    id: str
    label: str


@dataclass(frozen=True)
class VoiceConfig:
    """What an engine needs to speak: its own voice id and the language."""

    engine: str
    voice: str
    label: str
    language: str = "en-US"


_OPENAI = tuple(
    VoiceOption(name, name.capitalize())
    for name in ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
)
# ElevenLabs' premade voices (ids are stable across accounts).
_ELEVENLABS = (
    VoiceOption("21m00Tcm4TlvDq8ikWAM", "Rachel — calm, warm"),
    VoiceOption("EXAVITQu4vr4xnSDxMaL", "Sarah — soft, friendly"),
    VoiceOption("pNInz6obpgDQGcFmaJgB", "Adam — deep, steady"),
    VoiceOption("ErXwobaYiN019PkySvjV", "Antoni — well-rounded"),
    VoiceOption("TxGEqnHWrfWFTfGW9XjX", "Josh — young, upbeat"),
    VoiceOption("MF3mGyEYCl7XYWbV9V6O", "Elli — bright"),
)
# Twilio <Say> voices: Amazon Polly and Google text-to-speech.
_TWILIO = (
    VoiceOption("Polly.Joanna", "Joanna (Amazon Polly)"),
    VoiceOption("Polly.Matthew", "Matthew (Amazon Polly)"),
    VoiceOption("Polly.Salli", "Salli (Amazon Polly)"),
    VoiceOption("Polly.Joey", "Joey (Amazon Polly)"),
    VoiceOption("Google.en-US-Neural2-F", "US English female (Google)"),
    VoiceOption("Google.en-US-Neural2-D", "US English male (Google)"),
)
_SIMULATOR = (VoiceOption("text", "Text only"),)

_CATALOGUE: dict[str, tuple[VoiceOption, ...]] = {
    "openai": _OPENAI,
    "elevenlabs": _ELEVENLABS,
    "twilio_speech": _TWILIO,
    "simulator": _SIMULATOR,
}


def voice_catalogue(engine: str) -> list[VoiceOption]:
    """The voices `engine` offers, its default first; an unknown engine offers none."""
    return list(_CATALOGUE.get(engine, ()))


def voice_config(engine: str, chosen: str | None) -> VoiceConfig:
    """The tenant's chosen voice when `engine` has it, else the engine's default."""
    options = _CATALOGUE.get(engine) or _TWILIO
    option = next((o for o in options if o.id == chosen), options[0])
    return VoiceConfig(engine, option.id, option.label)
