"""The bridge's session logic: a pure state machine from Twilio and Realtime events to actions.

It does no I/O. The transport feeds it parsed events, with the time each arrived, and carries out what
it returns: frames for either socket, tools to run, transcript turns to record, and a call to transfer or
end. The caller's audio needs no state, so the transport relays it without asking; the model's audio,
the other per-frame path, comes back from `on_audio` as the Twilio frames themselves.

Barge-in truncates the model's item at what the caller heard, so the session tracks Twilio's playback
(`_Playback`): Twilio plays what it is sent in real time, and echoes a mark once the audio before it has
played. Between echoes the position runs with the clock, never past what was sent. Marks only re-anchor
that clock, so one follows every MARK_EVERY_MS of audio (and the end of each response), not every
chunk: each mark is one more message each way on Twilio's socket. With the Realtime API's 20 ms deltas,
marks every 200 ms (the precision they alone gave barge-in) were a tenth of the socket's messages.
"""

from __future__ import annotations

import itertools
import json
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
# Audio between marks, which re-anchor the playback clock (see the module's docstring).
MARK_EVERY_MS = 1000


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


@dataclass(slots=True)
class _Playback:
    """Twilio's playback of this stream, as positions in the audio sent to it since the last `clear` (ms).

    Twilio plays its queue in real time. `anchor_ms` was playing at `anchor_at`: from the last mark
    echoed, or from when audio was sent to an empty queue. Between those the position runs with the
    clock, never past what was sent (a late chunk pauses playback; the cap covers that).
    """

    sent_ms: int = 0
    marked_ms: int = 0  # followed by the last mark sent
    confirmed_ms: int = 0  # followed by the last mark echoed
    anchor_ms: int = 0
    anchor_at: float = float("-inf")  # nothing sent yet: the first audio starts playing when sent

    def at(self, now: float) -> int:
        return round(min(self.sent_ms, self.anchor_ms + (now - self.anchor_at) * 1000))


@dataclass(slots=True)
class _Item:
    item_id: str
    starts_at_ms: int  # its place in the stream's audio


class BridgeSession:
    """One call's conversation state between Twilio and the Realtime model."""

    def __init__(self, stream_sid: str, config: SessionConfig) -> None:
        self.stream_sid = stream_sid
        self.config = config
        self._mark_ids = itertools.count(1)
        self._marks: dict[str, int] = {}  # mark sent, not yet echoed → its place in the stream (ms)
        self._playback = _Playback()
        self._playing: _Item | None = None
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

    def on_twilio(self, event: TwilioEvent, now: float) -> list[Action]:
        """Marks and the hang-up; the caller's audio needs no state, so the transport relays it."""
        if isinstance(event, TwilioMark):
            return self._on_mark(event.name, now)
        if isinstance(event, TwilioStop):
            return [HangUp()]
        return []  # a second `start` on the same stream changes nothing

    def _on_mark(self, name: str, now: float) -> list[Action]:
        if name == FINAL_MARK and self._final_action is not None:
            return [self._final_action]
        # Marks echoed after a `clear` were dropped from the table: they played nothing.
        position = self._marks.pop(name, None)
        if position is not None:
            playback = self._playback
            playback.confirmed_ms = playback.anchor_ms = position
            playback.anchor_at = now
        return []

    @property
    def confirmed_ms(self) -> int:
        """The stream's audio Twilio has confirmed playing, in ms since the last `clear`."""
        return self._playback.confirmed_ms

    # --- Realtime side -------------------------------------------------------------------------

    def on_realtime(self, event: RealtimeEvent, now: float) -> list[Action]:
        if isinstance(event, AudioDelta):
            return [SendTwilio(frame) for frame in self.on_audio(event, now)]
        if isinstance(event, SpeechStarted):
            return self._on_barge_in(now)
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

    def on_audio(self, event: AudioDelta, now: float) -> list[str]:
        """The model's audio as frames for Twilio: the media, and a mark after every MARK_EVERY_MS.

        The per-frame hot path, so the transport calls it directly and gets the frames themselves, not
        actions to dispatch.
        """
        self._response_active = True
        playback = self._playback
        if playback.at(now) >= playback.sent_ms:  # Twilio has played everything: this starts playing now
            playback.anchor_ms, playback.anchor_at = playback.sent_ms, now
        if self._playing is None or self._playing.item_id != event.item_id:
            self._playing = _Item(event.item_id, playback.sent_ms)
        playback.sent_ms += codec.mulaw_ms(event.delta)
        frame = codec.twilio_media(self.stream_sid, event.delta)
        if playback.sent_ms - playback.marked_ms >= MARK_EVERY_MS:
            return [frame, self._mark()]
        return [frame]

    def _mark(self) -> str:
        """A mark after the audio sent so far; Twilio echoes it once that has played."""
        name = f"m{next(self._mark_ids)}"
        self._marks[name] = self._playback.marked_ms = self._playback.sent_ms
        return codec.twilio_mark(self.stream_sid, name)

    def _on_barge_in(self, now: float) -> list[Action]:
        # Only audio still queued at Twilio needs cutting; the server VAD already cancelled generation.
        playback, item = self._playback, self._playing
        if item is None or playback.confirmed_ms >= playback.sent_ms:
            return []
        heard = max(0, playback.at(now) - item.starts_at_ms)
        actions: list[Action] = [
            SendRealtime(codec.truncate(item.item_id, heard)),
            SendTwilio(codec.twilio_clear(self.stream_sid)),
        ]
        self._marks.clear()
        self._playback = _Playback()
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
        playback = self._playback
        actions: list[Action] = [SendTwilio(self._mark())] if playback.sent_ms > playback.marked_ms else []
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
