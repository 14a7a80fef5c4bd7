"""The bridge's codec and session logic alone: no sockets, no database."""

from __future__ import annotations

import base64
import json

from voxi.agent.tools.base import ToolResult
from voxi.voice.realtime import codec
from voxi.voice.realtime.codec import SessionConfig
from voxi.voice.realtime.session import (
    FINAL_MARK,
    MARK_EVERY_MS,
    BridgeSession,
    CarryOut,
    HangUp,
    RecordTurn,
    RunTool,
    SendRealtime,
    SendTwilio,
)

CONFIG = SessionConfig(
    instructions="You answer for Acme Heating.",
    voice="marin",
    tools=[{"type": "function", "name": "book_appointment", "description": "Book.", "parameters": {}}],
    first_message="Hi, this is Acme's AI assistant; this call may be recorded.",
)


def audio(ms: int) -> str:
    return base64.b64encode(b"\xff" * (8 * ms)).decode()


def sent(actions, kind):
    return [json.loads(a.text) for a in actions if isinstance(a, kind)]


def realtime(event: dict) -> codec.RealtimeEvent:
    parsed = codec.parse_realtime(json.dumps(event))
    assert parsed is not None
    return parsed


def test_open_sends_exactly_one_session_update_with_pcmu_vad_voice_and_tools():
    session = BridgeSession("MZ1", CONFIG)
    frames = sent(session.open(), SendRealtime)
    assert session.open() == []
    updates = [f for f in frames if f["type"] == "session.update"]
    assert len(updates) == 1
    s = updates[0]["session"]
    assert s["instructions"] == CONFIG.instructions
    assert s["audio"]["input"]["format"] == {"type": "audio/pcmu"}
    assert s["audio"]["output"] == {"format": {"type": "audio/pcmu"}, "voice": "marin"}
    assert s["audio"]["input"]["turn_detection"]["type"] == "server_vad"
    assert [t["name"] for t in s["tools"]] == ["book_appointment"]
    assert frames[1]["type"] == "response.create"
    assert CONFIG.first_message in frames[1]["response"]["instructions"]


def test_agent_audio_is_relayed_to_twilio_untouched():
    # The caller's audio goes up in the transport, which needs no session state (test_realtime_bridge).
    session = BridgeSession("MZ1", CONFIG)
    payload = audio(20)
    out = session.on_realtime(
        realtime({"type": "response.output_audio.delta", "item_id": "i1", "delta": payload}), 0.0
    )
    assert sent(out, SendTwilio) == [{"event": "media", "streamSid": "MZ1", "media": {"payload": payload}}]


def test_the_transports_audio_path_gives_the_same_frames_as_the_actions():
    by_actions, direct = BridgeSession("MZ1", CONFIG), BridgeSession("MZ1", CONFIG)
    # A mark once a second of audio has gone out, whichever item it belongs to.
    events = [delta("i1", 600), delta("i1", 500), delta("i1", 60), delta("i2", 20)]
    expected = [[a.text for a in by_actions.on_realtime(event, 0.0)] for event in events]
    assert [direct.on_audio(event, 0.0) for event in events] == expected  # type: ignore[arg-type]
    assert [len(frames) for frames in expected] == [1, 2, 1, 1]


def delta(item_id: str, ms: int) -> codec.RealtimeEvent:
    return realtime({"type": "response.output_audio.delta", "item_id": item_id, "delta": audio(ms)})


def speech_started() -> codec.RealtimeEvent:
    return realtime({"type": "input_audio_buffer.speech_started", "audio_start_ms": 1700})


def marks_in(actions) -> list[str]:
    return [f["mark"]["name"] for f in sent(actions, SendTwilio) if f["event"] == "mark"]


def test_a_mark_follows_every_second_of_audio_and_the_end_of_each_response():
    assert MARK_EVERY_MS == 1000
    session = BridgeSession("MZ1", CONFIG)
    frames = [sent(session.on_realtime(delta("i1", 20), 0.0), SendTwilio) for _ in range(110)]
    kinds = [[f["event"] for f in out] for out in frames]
    marked = [["media"]] * 49 + [["media", "mark"]]
    assert kinds == marked + marked + [["media"]] * 10
    # The last 200 ms get their mark when the response ends, so its whole audio is accounted for.
    done = sent(session.on_realtime(realtime({"type": "response.done", "response": {}}), 0.0), SendTwilio)
    assert [f["event"] for f in done] == ["mark"]
    names = [f["mark"]["name"] for out in [*frames, done] for f in out if f["event"] == "mark"]
    for name in names:
        session.on_twilio(codec.TwilioMark(name), 3.0)
    assert session.confirmed_ms == 2200


def test_barge_in_truncates_at_what_twilio_has_played_by_its_last_mark_and_the_clock_since():
    session = BridgeSession("MZ1", CONFIG)
    # Two seconds of one item arrive at once (the Realtime API runs ahead of playback) at t=10 s.
    out = [session.on_realtime(delta("i1", 400), 10.0) for _ in range(5)]
    marks = [name for actions in out for name in marks_in(actions)]
    assert len(marks) == 1  # after 1,200 ms
    session.on_twilio(codec.TwilioMark(marks[0]), 11.5)  # played more slowly than the clock says
    actions = session.on_realtime(speech_started(), 11.8)
    assert sent(actions, SendRealtime) == [
        {"type": "conversation.item.truncate", "item_id": "i1", "content_index": 0, "audio_end_ms": 1500}
    ]
    assert sent(actions, SendTwilio) == [{"event": "clear", "streamSid": "MZ1"}]
    # Marks Twilio echoes after the clear played nothing, and nothing is left to interrupt.
    session.on_twilio(codec.TwilioMark(marks[0]), 11.9)
    assert session.on_realtime(speech_started(), 12.0) == []


def audio_end_ms(actions) -> int:
    return sent(actions, SendRealtime)[0]["audio_end_ms"]


def test_before_any_mark_the_clock_says_what_was_heard_never_more_than_was_sent():
    early, late = BridgeSession("MZ1", CONFIG), BridgeSession("MZ1", CONFIG)
    for session in (early, late):
        session.on_realtime(delta("i1", 2000), 10.0)
    assert audio_end_ms(early.on_realtime(speech_started(), 10.65)) == 650
    assert audio_end_ms(late.on_realtime(speech_started(), 14.0)) == 2000


def test_a_second_item_plays_after_what_is_still_queued_of_the_first():
    session = BridgeSession("MZ1", CONFIG)
    session.on_realtime(delta("i1", 1000), 0.0)
    session.on_realtime(delta("i2", 400), 0.2)  # queued behind i1, which plays until t=1 s
    assert audio_end_ms(session.on_realtime(speech_started(), 1.1)) == 100


def test_audio_sent_once_twilio_has_played_everything_starts_playing_then():
    session = BridgeSession("MZ1", CONFIG)
    session.on_realtime(delta("i1", 200), 0.0)
    session.on_realtime(delta("i2", 400), 5.0)  # i1 ended at t=0.2 s
    assert audio_end_ms(session.on_realtime(speech_started(), 5.1)) == 100


def test_barge_in_before_the_first_mark_still_clears_the_queued_audio():
    session = BridgeSession("MZ1", CONFIG)
    session.on_realtime(delta("i1", 20), 0.0)  # sent, not yet marked
    actions = session.on_realtime(speech_started(), 0.0)
    assert audio_end_ms(actions) == 0
    assert sent(actions, SendTwilio) == [{"event": "clear", "streamSid": "MZ1"}]


def test_speech_while_nothing_plays_is_not_a_barge_in():
    session = BridgeSession("MZ1", CONFIG)
    session.on_realtime(delta("i1", 20), 0.0)
    done = session.on_realtime(realtime({"type": "response.done", "response": {}}), 0.0)
    session.on_twilio(codec.TwilioMark(marks_in(done)[0]), 0.1)
    assert session.on_realtime(speech_started(), 0.2) == []


def test_function_call_runs_the_tool_then_answers_and_asks_for_a_response():
    session = BridgeSession("MZ1", CONFIG)
    session.open()
    call = {
        "type": "response.function_call_arguments.done",
        "call_id": "call_1",
        "name": "book_appointment",
        "arguments": '{"service": "AC repair"}',
    }
    assert session.on_realtime(realtime(call), 0.0) == [
        RunTool("call_1", "book_appointment", {"service": "AC repair"})
    ]
    # The response that asked for the tool is still open: the output goes now, response.create after it.
    actions = session.on_tool_result("call_1", "book_appointment", ToolResult(ok=True, say="Booked for 9am."))
    assert RecordTurn("tool", "book_appointment: Booked for 9am.") in actions
    item = sent(actions, SendRealtime)
    assert item[0]["item"]["type"] == "function_call_output"
    assert json.loads(item[0]["item"]["output"])["say"] == "Booked for 9am."
    assert [f["type"] for f in item] == ["conversation.item.create"]
    after = sent(session.on_realtime(realtime({"type": "response.done", "response": {}}), 0.0), SendRealtime)
    assert after == [{"type": "response.create"}]


def test_transfer_waits_until_twilio_has_played_the_goodbye():
    session = BridgeSession("MZ1", CONFIG)
    session.on_realtime(realtime({"type": "response.done", "response": {}}), 0.0)  # greeting finished
    transfer = {"type": "response.function_call_arguments.done", "call_id": "c", "name": "transfer_call"}
    session.on_realtime(realtime(transfer), 0.0)
    result = ToolResult(ok=True, say="Connecting you.", action="transfer", transfer_to="+15125550100")
    assert {"type": "response.create"} in sent(
        session.on_tool_result("c", "transfer_call", result), SendRealtime
    )
    final = sent(session.on_realtime(realtime({"type": "response.done", "response": {}}), 0.0), SendTwilio)
    assert final == [{"event": "mark", "streamSid": "MZ1", "mark": {"name": FINAL_MARK}}]
    assert session.on_twilio(codec.TwilioMark(FINAL_MARK), 0.0) == [CarryOut("transfer", "+15125550100")]


def test_transcripts_of_both_sides_and_stop():
    session = BridgeSession("MZ1", CONFIG)
    caller = {
        "type": "conversation.item.input_audio_transcription.completed",
        "item_id": "u",
        "transcript": " Hi ",
    }
    agent = {"type": "response.output_audio_transcript.done", "item_id": "a", "transcript": "Hello!"}
    assert session.on_realtime(realtime(caller), 0.0) == [RecordTurn("caller", "Hi")]
    assert session.on_realtime(realtime(agent), 0.0) == [RecordTurn("agent", "Hello!")]
    assert session.on_twilio(codec.TwilioStop(), 0.0) == [HangUp()]


def test_mulaw_duration_from_base64_length():
    assert codec.mulaw_ms(audio(20)) == 20
    assert codec.mulaw_ms(base64.b64encode(b"\x00" * 161).decode()) == 20
