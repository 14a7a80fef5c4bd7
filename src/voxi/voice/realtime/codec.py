"""The two wire formats the bridge speaks, as plain data: Twilio Media Streams and OpenAI Realtime (GA).

Pure functions, no I/O. μ-law audio stays the base64 text both sides use, so a frame is relayed
without decoding or re-encoding; outgoing frames are built by string formatting because base64 needs
no JSON escaping and this is the per-frame hot path. Incoming frames are parsed with orjson (about a
third of the standard library's time on a media frame). The types made for every frame (`TwilioMedia`,
`AudioDelta`) are not frozen: a frozen dataclass's `__init__` takes over twice as long.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

# G.711 μ-law at 8 kHz: one byte per sample, 8 bytes per millisecond.
MULAW_BYTES_PER_MS = 8


def mulaw_ms(payload_b64: str) -> int:
    """Duration of a base64 μ-law payload, without decoding it."""
    padding = payload_b64.count("=", -2)
    return (len(payload_b64) * 3 // 4 - padding) // MULAW_BYTES_PER_MS


# --- Twilio → us -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TwilioStart:
    stream_sid: str
    call_sid: str
    custom_parameters: dict[str, str]


@dataclass(slots=True)
class TwilioMedia:
    payload: str  # base64 μ-law


@dataclass(frozen=True, slots=True)
class TwilioMark:
    name: str


@dataclass(frozen=True, slots=True)
class TwilioStop:
    pass


TwilioEvent = TwilioStart | TwilioMedia | TwilioMark | TwilioStop


def parse_twilio(raw: str | bytes) -> TwilioEvent | None:
    """One Twilio Media Streams message; None for messages the bridge ignores (`connected`, `dtmf`)."""
    message = orjson.loads(raw)
    kind = message.get("event")
    if kind == "media":
        media = message["media"]
        return TwilioMedia(media["payload"])
    if kind == "mark":
        return TwilioMark(message["mark"]["name"])
    if kind == "start":
        start = message["start"]
        return TwilioStart(
            stream_sid=message.get("streamSid") or start["streamSid"],
            call_sid=start.get("callSid", ""),
            custom_parameters={str(k): str(v) for k, v in (start.get("customParameters") or {}).items()},
        )
    if kind == "stop":
        return TwilioStop()
    return None


# --- us → Twilio -------------------------------------------------------------------------------


def twilio_media(stream_sid: str, payload_b64: str) -> str:
    return f'{{"event":"media","streamSid":"{stream_sid}","media":{{"payload":"{payload_b64}"}}}}'


def twilio_mark(stream_sid: str, name: str) -> str:
    return f'{{"event":"mark","streamSid":"{stream_sid}","mark":{{"name":"{name}"}}}}'


def twilio_clear(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


# --- OpenAI Realtime → us ----------------------------------------------------------------------


@dataclass(slots=True)
class AudioDelta:
    item_id: str
    delta: str  # base64 μ-law (the session asks for audio/pcmu output)


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    audio_start_ms: int


@dataclass(frozen=True, slots=True)
class FunctionCallDone:
    call_id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


@dataclass(frozen=True, slots=True)
class InputTranscript:
    item_id: str
    transcript: str


@dataclass(frozen=True, slots=True)
class OutputTranscript:
    item_id: str
    transcript: str


@dataclass(frozen=True, slots=True)
class ResponseDone:
    status: str


@dataclass(frozen=True, slots=True)
class RealtimeError:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class SessionUpdated:
    session: dict[str, Any] = field(default_factory=dict)


RealtimeEvent = (
    AudioDelta
    | SpeechStarted
    | FunctionCallDone
    | InputTranscript
    | OutputTranscript
    | ResponseDone
    | RealtimeError
    | SessionUpdated
)


def parse_realtime(raw: str | bytes) -> RealtimeEvent | None:
    """One Realtime GA server event; None for the many the bridge does not act on."""
    event = orjson.loads(raw)
    kind = event.get("type")
    if kind == "response.output_audio.delta":
        return AudioDelta(event.get("item_id", ""), event["delta"])
    if kind == "input_audio_buffer.speech_started":
        return SpeechStarted(int(event.get("audio_start_ms") or 0))
    if kind == "response.function_call_arguments.done":
        return FunctionCallDone(event["call_id"], event["name"], event.get("arguments") or "{}")
    if kind == "conversation.item.input_audio_transcription.completed":
        return InputTranscript(event.get("item_id", ""), event.get("transcript", ""))
    if kind == "response.output_audio_transcript.done":
        return OutputTranscript(event.get("item_id", ""), event.get("transcript", ""))
    if kind == "response.done":
        return ResponseDone(str((event.get("response") or {}).get("status", "completed")))
    if kind == "error":
        error = event.get("error") or {}
        return RealtimeError(str(error.get("code") or error.get("type") or ""), str(error.get("message", "")))
    if kind == "session.updated":
        return SessionUpdated(event.get("session") or {})
    return None


# --- us → OpenAI Realtime ----------------------------------------------------------------------


@dataclass(frozen=True)
class SessionConfig:
    """What one call's `session.update` carries: the tenant's instructions, voice and tools."""

    instructions: str
    voice: str
    tools: list[dict[str, Any]]
    first_message: str
    model: str = "gpt-realtime"
    transcription_model: str = "gpt-4o-mini-transcribe"


def session_update(config: SessionConfig) -> str:
    pcmu = {"type": "audio/pcmu"}
    return json.dumps(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "model": config.model,
                "instructions": config.instructions,
                "output_modalities": ["audio"],
                "audio": {
                    "input": {
                        "format": pcmu,
                        "turn_detection": {"type": "server_vad"},
                        "transcription": {"model": config.transcription_model},
                    },
                    "output": {"format": pcmu, "voice": config.voice},
                },
                "tools": config.tools,
                "tool_choice": "auto",
            },
        }
    )


def audio_append(payload_b64: str) -> str:
    return f'{{"type":"input_audio_buffer.append","audio":"{payload_b64}"}}'


def truncate(item_id: str, audio_end_ms: int) -> str:
    return json.dumps(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": audio_end_ms,
        }
    )


def function_call_output(call_id: str, output: dict[str, Any]) -> str:
    return json.dumps(
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": call_id, "output": json.dumps(output)},
        }
    )


def response_create(instructions: str | None = None) -> str:
    if instructions is None:
        return '{"type":"response.create"}'
    return json.dumps({"type": "response.create", "response": {"instructions": instructions}})
