"""The OpenAI Realtime bridge end to end: a fake Twilio media-stream client ⇄ Voxi (uvicorn) ⇄ a fake
Realtime server, with the real `openai` SDK connection in between."""

from __future__ import annotations

import asyncio
import json
import math
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories.scheduling import ALWAYS_OPEN, make_bookable_tenant
from tests.factories.voice import BUSINESS_NUMBER, FORWARDING_NUMBER, make_business, providers_for
from tests.voice.conftest import eventually
from tests.voice.fakes import FakeRealtimeServer, FakeTwilio, greet, mulaw, serve_app
from voxi.app import create_app
from voxi.calls.models import CallLog
from voxi.core.db import activate_tenant
from voxi.core.tenant_context import tenant_context
from voxi.scheduling.models import Appointment, AppointmentStatus
from voxi.voice.realtime.stream_auth import StreamGrant, sign_stream
from voxi.voice.realtime.twiml import stream_key
from voxi.voice.service import TwilioCall, answer_incoming_call

CALL_SID = "CA00000000000000000000000000000001"
CALLER = "+15125550199"


def realtime_settings(settings, server: FakeRealtimeServer):
    return settings.model_copy(
        update={"voice_engine": "openai", "openai_api_key": "sk-test", "openai_base_url": server.base_url}
    )


def stream_parameters(twiml: str) -> dict[str, str]:
    stream = ET.fromstring(twiml).find("./Connect/Stream")  # noqa: S314 - our own TwiML
    assert stream is not None, twiml
    assert stream.get("url", "").endswith("/twilio/media-stream")
    return {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}


class Call:
    """One call through the whole stack: routing → TwiML → media stream → bridge → fake Realtime."""

    def __init__(self, db, settings, scenario, make=make_business) -> None:
        self.db, self.base_settings, self.server = db, settings, FakeRealtimeServer(scenario)
        self.make = make

    async def __aenter__(self) -> Call:
        await self.server.__aenter__()
        self.settings = realtime_settings(self.base_settings, self.server)
        self.business = await self.make(self.db)
        self.providers = providers_for(self.settings, self.db)
        self.app = create_app(self.settings, db=self.db, providers=self.providers)
        twiml = await answer_incoming_call(
            self.db, self.settings, self.providers, TwilioCall(CALL_SID, CALLER, BUSINESS_NUMBER)
        )
        self.parameters = stream_parameters(twiml)
        self._serving = serve_app(self.app)
        self.url = await self._serving.__aenter__() + "/twilio/media-stream"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._serving.__aexit__(*exc)
        await self.server.__aexit__(*exc)

    @property
    def bridge(self):
        return self.app.state.realtime_bridges.last

    @property
    def redirects(self) -> dict[str, str]:
        return self.providers.telephony.redirects

    async def call_log(self) -> CallLog:
        with tenant_context(self.business.id):
            async with self.db.sessions() as session:
                await activate_tenant(session, self.business.id)
                return (await session.scalars(select(CallLog).where(CallLog.call_sid == CALL_SID))).one()


async def test_barge_in_truncates_at_what_the_caller_heard_and_clears_twilio(db, settings):
    speak_over = asyncio.Event()

    async def scenario(server, ws):
        await greet(server, ws)
        for _ in range(5):  # the greeting: two seconds, sent faster than it plays
            await server.send(
                ws, {"type": "response.output_audio.delta", "item_id": "item_greet", "delta": mulaw(400)}
            )
        await speak_over.wait()
        await server.send(ws, {"type": "input_audio_buffer.speech_started", "audio_start_ms": 420})
        await server.next_event(ws, "conversation.item.truncate")

    async with Call(db, settings, scenario) as call, FakeTwilio.connect(call.url) as twilio:
        await twilio.start(CALL_SID, call.parameters)
        await twilio.wait_for(lambda: len(twilio.marks) == 1)  # after the first 1,200 ms
        played_at = time.monotonic()
        await twilio.play(1)  # the caller heard 1,200 ms, then talked over the rest
        await eventually(lambda: call.bridge.session.confirmed_ms == 1200)
        await twilio.media(mulaw(20))
        speak_over.set()
        await twilio.wait_for(lambda: bool(twilio.of_event("clear")))
        await eventually(lambda: bool(call.server.of_type("conversation.item.truncate")))
        since_ms = (time.monotonic() - played_at) * 1000
        [truncate] = call.server.of_type("conversation.item.truncate")
        assert truncate["item_id"] == "item_greet" and truncate["content_index"] == 0
        # Playback ran on with the clock from the echoed mark until the caller spoke (in whole ms).
        assert 1200 <= truncate["audio_end_ms"] <= 1200 + math.ceil(since_ms)
        assert len(call.server.of_type("session.update")) == 1
        appended = call.server.of_type("input_audio_buffer.append")
        assert appended and appended[0]["audio"] == mulaw(20)  # caller audio relayed untouched
        media = twilio.of_event("media")
        assert [m["media"]["payload"] for m in media] == [mulaw(400)] * 5
        await twilio.stop()
        await asyncio.wait_for(call.server.closed.wait(), 5)


async def test_hang_up_mid_response_cancels_every_task_and_closes_upstream(db, settings):
    async def scenario(server, ws):
        await greet(server, ws)
        # A long answer, still streaming when the caller hangs up.
        for _ in range(500):
            await server.send(
                ws, {"type": "response.output_audio.delta", "item_id": "item_long", "delta": mulaw(20)}
            )
            await asyncio.sleep(0.005)

    async with Call(db, settings, scenario) as call, FakeTwilio.connect(call.url) as twilio:
        await twilio.start(CALL_SID, call.parameters)
        await twilio.wait_for(lambda: len(twilio.of_event("media")) >= 10)
        bridge = call.bridge
        assert {t.get_name() for t in bridge.tasks} >= {"twilio", "upstream", "transcript"}
        await twilio.stop()
        await asyncio.wait_for(call.server.closed.wait(), 5)  # upstream closed by the bridge
        await twilio.wait_for(lambda: twilio.close_code is not None)
        assert bridge.ending == "hangup"
        assert not bridge.tasks and all(t.done() for t in bridge.finished)
        upstream = next(t for t in bridge.finished if t.get_name() == "upstream")
        assert upstream.cancelled()
        assert not call.app.state.realtime_bridges.active
        assert call.redirects == {}  # a hang-up forwards nobody


async def test_openai_disconnect_forwards_the_caller(db, settings):
    async def scenario(server, ws):
        await greet(server, ws)
        await server.send(ws, {"type": "response.output_audio.delta", "item_id": "i", "delta": mulaw(20)})
        await ws.close(1011, "server error")

    async with Call(db, settings, scenario) as call, FakeTwilio.connect(call.url) as twilio:
        await twilio.start(CALL_SID, call.parameters)
        await twilio.wait_for(lambda: twilio.close_code is not None)
        assert call.bridge.ending == "upstream_closed"
        forwarded = call.redirects[CALL_SID]
        assert "<Dial" in forwarded and FORWARDING_NUMBER in forwarded


@pytest.mark.parametrize("tamper", ["forged", "expired", "unsigned", "other call"])
async def test_forged_or_expired_streams_are_closed_before_any_upstream_connection(db, settings, tamper):
    async def scenario(server, ws):  # pragma: no cover - must never be reached
        await greet(server, ws)

    async with Call(db, settings, scenario) as call, FakeTwilio.connect(call.url) as twilio:
        params, call_sid = dict(call.parameters), CALL_SID
        if tamper == "forged":
            params["tenantId"] = "00000000-0000-0000-0000-000000000001"
        elif tamper == "expired":
            grant = StreamGrant(call.business.id, __import__("uuid").UUID(params["callId"]), CALL_SID)
            params = sign_stream(stream_key(call.settings), grant, now=time.time() - 120)
        elif tamper == "unsigned":
            params = {"tenantId": params["tenantId"], "callId": params["callId"]}
        else:
            call_sid = "CA_SOMEONE_ELSE"
        await twilio.start(call_sid, params)
        await twilio.wait_for(lambda: twilio.close_code is not None)
        assert twilio.close_code == 1008
        assert call.server.connections == 0
        assert call.redirects == {}


async def bookable_business(db):
    return await make_bookable_tenant(
        db,
        timezone="UTC",
        hours=ALWAYS_OPEN,
        name="Acme Heating",
        phone_number=BUSINESS_NUMBER,
        plan="ENTERPRISE",
    )


async def test_a_full_call_books_an_appointment_through_a_function_call(db, settings):
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    booking = {
        "service": "AC repair",
        "start": start.isoformat(),
        "customer_name": "Maria Garcia",
        "address": "12 Oak St",
    }

    async def scenario(server, ws):
        update = await server.next_event(ws, "session.update")
        assert "book_appointment" in {tool["name"] for tool in update["session"]["tools"]}
        await server.send(ws, {"type": "session.updated", "session": update["session"]})
        await server.next_event(ws, "response.create")
        await server.send(ws, {"type": "response.output_audio.delta", "item_id": "greet", "delta": mulaw(40)})
        await server.send(
            ws,
            {
                "type": "response.output_audio_transcript.done",
                "item_id": "greet",
                "transcript": "Hi, I'm Acme's AI.",
            },
        )
        await server.send(ws, {"type": "response.done", "response": {"status": "completed"}})
        await server.send(
            ws,
            {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": "u1",
                "transcript": "Book AC repair tomorrow at 3, Maria Garcia, 12 Oak St.",
            },
        )
        await server.send(
            ws,
            {
                "type": "response.function_call_arguments.done",
                "item_id": "fc1",
                "call_id": "call_book_1",
                "name": "book_appointment",
                "arguments": json.dumps(booking),
            },
        )
        await server.send(ws, {"type": "response.done", "response": {"status": "completed"}})
        await server.next_event(ws, "conversation.item.create")
        await server.next_event(ws, "response.create")
        await server.send(
            ws,
            {
                "type": "response.output_audio_transcript.done",
                "item_id": "a2",
                "transcript": "You're booked!",
            },
        )
        await server.send(ws, {"type": "response.done", "response": {"status": "completed"}})

    async with (
        Call(db, settings, scenario, make=bookable_business) as call,
        FakeTwilio.connect(call.url) as twilio,
    ):
        await twilio.start(CALL_SID, call.parameters)
        await eventually(lambda: bool(call.server.of_type("response.create")[1:]))
        [output] = call.server.of_type("conversation.item.create")
        assert output["item"]["type"] == "function_call_output" and output["item"]["call_id"] == "call_book_1"
        answer = json.loads(output["item"]["output"])
        assert answer["ok"] is True and answer["say"].startswith("You're all set: AC repair")
        for _ in range(200):  # the agent's last line reaches the transcript while the call is live
            if any(turn["text"] == "You're booked!" for turn in (await call.call_log()).transcript):
                break
            await asyncio.sleep(0.02)
        await twilio.stop()
        await asyncio.wait_for(call.server.closed.wait(), 5)
        await twilio.wait_for(lambda: twilio.close_code is not None)

    with tenant_context(call.business.id):
        async with db.sessions() as session:
            await activate_tenant(session, call.business.id)
            [appointment] = (await session.scalars(select(Appointment))).all()
            assert appointment.status == AppointmentStatus.BOOKED and appointment.starts_at == start
    logged = await call.call_log()
    roles = [(turn["role"], turn["text"]) for turn in logged.transcript]
    assert ("agent", "Hi, I'm Acme's AI.") in roles
    assert ("caller", "Book AC repair tomorrow at 3, Maria Garcia, 12 Oak St.") in roles
    assert any(role == "tool" and text.startswith("book_appointment: You're all set") for role, text in roles)
    assert ("agent", "You're booked!") in roles
    assert logged.outcome == "booked"
