"""The bridge's session logic: a pure state machine from Twilio and Realtime events to actions.

It does no I/O. The transport feeds it parsed events and carries out what it returns: frames for
either socket, tools to run, transcript turns to record, and a call to transfer or end. The caller's
audio needs no state, so the transport relays it without asking; the model's audio, the other per-frame
path, comes back from `on_audio` as the Twilio frames themselves. Playback is tracked with Twilio marks:
Twilio echoes a mark once the audio before it has played, so barge-in truncates the model's item at
what the caller heard. A mark follows every MARK_EVERY_MS of audio (and the end of each response), not
every chunk: the Realtime API may send 20 ms deltas, and each mark is one more message each way on
Twilio's socket. With 20 ms deltas, a mark every 200 ms instead of every 100 ms cut the bridge's
instructions by 6% (callgrind, bench/media_bridge.py's load), for a truncation at most about a
syllable early.
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Literal

from voxi.agent.tools.base import ToolResult
from voxi.voice.realtime import codec
from voxi.voice.realtime.codec import (
    AudioDelta,
    FunctionCallDone,
    InputTranscript,
    OutputTranscript,
    RealtimeError,
    RealtimeEvent,
    ResponseDone,
    SessionConfig,
    SpeechStarted,
    TwilioEvent,
    TwilioMark,
    TwilioStop,
)

# The mark that follows the agent's last words before a transfer or hang-up: once Twilio echoes it,
# the caller has heard the goodbye and the call can be redirected.
FINAL_MARK = "voxi-final"
# Playback is known to this precision: the truncation point of a barge-in is at most this early.
MARK_EVERY_MS = 200


@dataclass(frozen=True, slots=True)
class SendTwilio:
    text: str


@dataclass(frozen=True, slots=True)
class SendRealtime:
    text: str


@dataclass(frozen=True, slots=True)
class RunTool:
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordTurn:
    role: Literal["caller", "agent", "tool"]
    text: str


@dataclass(frozen=True, slots=True)
class CarryOut:
    """Redirect the live call: transfer to a number, or end it."""

    action: Literal["transfer", "end_call"]
    transfer_to: str | None = None


@dataclass(frozen=True, slots=True)
class HangUp:
    """Twilio stopped the stream: the caller hung up."""


Action = SendTwilio | SendRealtime | RunTool | RecordTurn | CarryOut | HangUp


@dataclass
class _Playing:
    item_id: str
    played_ms: int = 0
    unmarked_ms: int = 0  # sent to Twilio, not yet followed by a mark


class BridgeSession:
    """One call's conversation state between Twilio and the Realtime model."""

    def __init__(self, stream_sid: str, config: SessionConfig) -> None:
        self.stream_sid = stream_sid
        self.config = config
        self._mark_ids = itertools.count(1)
        self._marks: OrderedDict[str, tuple[str, int]] = OrderedDict()  # mark → (item id, ms)
        self._playing: _Playing | None = None
        self._pending_tools: set[str] = set()
        self._response_active = False
        self._response_wanted = False
        self._final_action: CarryOut | None = None
        self._final_sent = False
        self.opened = False

    def open(self) -> list[Action]:
        """The first frames upstream: exactly one `session.update`, then the greeting."""
        if self.opened:
            return []
        self.opened = True
        self._response_active = True
        greeting = f"Greet the caller by saying exactly: {self.config.first_message}"
        return [
            SendRealtime(codec.session_update(self.config)),
            SendRealtime(codec.response_create(greeting)),
        ]

    # --- Twilio side ---------------------------------------------------------------------------

    def on_twilio(self, event: TwilioEvent) -> list[Action]:
        """Marks and the hang-up; the caller's audio needs no state, so the transport relays it."""
        if isinstance(event, TwilioMark):
            return self._on_mark(event.name)
        if isinstance(event, TwilioStop):
            return [HangUp()]
        return []  # a second `start` on the same stream changes nothing

    def _on_mark(self, name: str) -> list[Action]:
        if name == FINAL_MARK and self._final_action is not None:
            return [self._final_action]
        # Marks echoed after a `clear` were dropped from the table: they played nothing.
        entry = self._marks.pop(name, None)
        if entry is not None and self._playing is not None and self._playing.item_id == entry[0]:
            self._playing.played_ms += entry[1]
        return []

    @property
    def played_ms(self) -> int:
        return self._playing.played_ms if self._playing else 0

    # --- Realtime side -------------------------------------------------------------------------

    def on_realtime(self, event: RealtimeEvent) -> list[Action]:
        if isinstance(event, AudioDelta):
            return [SendTwilio(frame) for frame in self.on_audio(event)]
        if isinstance(event, SpeechStarted):
            return self._on_barge_in()
        if isinstance(event, FunctionCallDone):
            return self._on_function_call(event)
        if isinstance(event, ResponseDone):
            return self._on_response_done()
        if isinstance(event, InputTranscript) and event.transcript.strip():
            return [RecordTurn("caller", event.transcript.strip())]
        if isinstance(event, OutputTranscript) and event.transcript.strip():
            return [RecordTurn("agent", event.transcript.strip())]
        if isinstance(event, RealtimeError):
            return []  # logged by the transport; the conversation goes on
        return []

    def on_audio(self, event: AudioDelta) -> list[str]:
        """The model's audio as frames for Twilio: the media, and a mark after every MARK_EVERY_MS.

        The per-frame hot path, so the transport calls it directly and gets the frames themselves, not
        actions to dispatch.
        """
        self._response_active = True
        playing = self._playing
        frames = []
        if playing is None or playing.item_id != event.item_id:
            frames = self._mark_unmarked()  # the previous item's tail plays first
            playing = self._playing = _Playing(event.item_id)
        frames.append(codec.twilio_media(self.stream_sid, event.delta))
        playing.unmarked_ms += codec.mulaw_ms(event.delta)
        if playing.unmarked_ms >= MARK_EVERY_MS:
            frames += self._mark_unmarked()
        return frames

    def _mark_unmarked(self) -> list[str]:
        """A mark after the audio sent since the last one; Twilio echoes it once that has played."""
        if self._playing is None or not self._playing.unmarked_ms:
            return []
        name = f"m{next(self._mark_ids)}"
        self._marks[name] = (self._playing.item_id, self._playing.unmarked_ms)
        self._playing.unmarked_ms = 0
        return [codec.twilio_mark(self.stream_sid, name)]

    def _on_barge_in(self) -> list[Action]:
        # Only audio still queued at Twilio needs cutting; the server VAD already cancelled generation.
        if self._playing is None or not (self._marks or self._playing.unmarked_ms):
            return []
        actions: list[Action] = [
            SendRealtime(codec.truncate(self._playing.item_id, self._playing.played_ms)),
            SendTwilio(codec.twilio_clear(self.stream_sid)),
        ]
        self._marks.clear()
        self._playing = None
        return actions

    def _on_function_call(self, event: FunctionCallDone) -> list[Action]:
        try:
            arguments = json.loads(event.arguments or "{}")
        except json.JSONDecodeError:
            arguments = {}
        if not isinstance(arguments, dict):
            arguments = {}
        self._pending_tools.add(event.call_id)
        return [RunTool(event.call_id, event.name, arguments)]

    def on_tool_result(self, call_id: str, name: str, result: ToolResult) -> list[Action]:
        """A tool finished: give the model its output, and let it speak once every call is answered."""
        self._pending_tools.discard(call_id)
        output: dict[str, Any] = {"ok": result.ok, "say": result.say, **result.data}
        actions: list[Action] = [
            RecordTurn("tool", f"{name}: {result.say}"),
            SendRealtime(codec.function_call_output(call_id, output)),
        ]
        if result.action is not None and self._final_action is None:
            self._final_action = CarryOut(result.action, result.transfer_to)
        self._response_wanted = True
        return actions + self._maybe_respond()

    def _on_response_done(self) -> list[Action]:
        self._response_active = False
        actions: list[Action] = [SendTwilio(frame) for frame in self._mark_unmarked()]
        respond = self._maybe_respond()
        if not respond and self._final_action is not None and not self._pending_tools:
            respond = self._send_final_mark()
        return actions + respond

    def _maybe_respond(self) -> list[Action]:
        # One response at a time: the Realtime API rejects a response.create while one is active.
        if self._response_wanted and not self._response_active and not self._pending_tools:
            self._response_wanted = False
            self._response_active = True
            return [SendRealtime(codec.response_create())]
        return []

    def _send_final_mark(self) -> list[Action]:
        if self._final_sent:
            return []
        self._final_sent = True
        return [SendTwilio(codec.twilio_mark(self.stream_sid, FINAL_MARK))]
