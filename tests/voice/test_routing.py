"""POST /twilio/voice and friends: signatures, engine TwiML, every failure answered, every call logged."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parses our own app's TwiML in tests
from dataclasses import dataclass

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

from tests.factories.tenancy import make_tenant
from tests.voice.conftest import TwilioClient, call_form
from voxi.agent.brain.base import BrainReply, ConversationState
from voxi.app import create_app
from voxi.calls.models import CallLog
from voxi.core.db import Database, DatabaseUrls
from voxi.tenancy.models import TenantConfig, TenantStatus, TenantUsage
from voxi.voice.engines import ENGINES


@dataclass
class EchoBrain:
    """A stand-in brain: greets, repeats, transfers on request (the brains are tested on their own)."""

    async def respond(self, session, ctx, state: ConversationState, caller_text: str) -> BrainReply:
        if not state.greeted:
            state.greeted = True
            return BrainReply("Hi, this is the AI assistant. How can I help?")
        if "person" in caller_text:
            state.record("transferred", "Asked for a person.")
            return BrainReply("Connecting you now.", "transfer", "+15125550000")
        if "bye" in caller_text:
            return BrainReply("Goodbye!", "end_call")
        return BrainReply(f"You said: {caller_text or 'nothing'}")


class BrokenEngine:
    name = "twilio_speech"

    def open(self, business, call) -> None:
        pass

    async def answer(self, incoming) -> str:
        raise RuntimeError("the engine fell over")


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/xml")
    return ET.fromstring(response.text)  # noqa: S314 - our own app's TwiML


async def calls_of(db: Database, tenant_id) -> list[CallLog]:
    async with db.cross_tenant("test: read call logs") as session:
        return list(await session.scalars(select(CallLog).where(CallLog.tenant_id == tenant_id)))


async def test_a_signed_call_gets_the_engine_twiml_and_a_call_log(make_twilio, db):
    acme = await make_tenant(db, phone_number="+15125550101")
    twilio = make_twilio(brain=EchoBrain())
    answered = {"method": "POST", "route": "/twilio/voice", "status": "200"}
    before = REGISTRY.get_sample_value("voxi_http_requests_total", answered) or 0
    response = await twilio.post("/twilio/voice", call_form("+1 (512) 555-0101"))
    document = twiml(response)
    gather = document.find("Gather")
    assert gather is not None and gather.get("input") == "speech"
    assert gather.get("action") == f"https://voxi.test/twilio/gather?tenant={acme.id}"
    # The greeting comes from the business's configuration (no brain, no tool), disclosure first.
    greeting = gather.findtext("Say")
    assert greeting.startswith(
        f"Hi, you've reached the AI assistant for {acme.tenant.name}, and this call may be recorded."
    )
    [call] = await calls_of(db, acme.id)
    assert (call.call_sid, call.engine, call.to_number, call.is_test) == (
        "CA0001",
        "twilio_speech",
        "+15125550101",
        False,
    )
    assert [(turn["role"], turn["text"]) for turn in call.transcript] == [("agent", greeting)]
    assert call.conversation["greeted"] is True
    # A plain Starlette route, still labelled in the metrics (the bench reads its server time there).
    assert REGISTRY.get_sample_value("voxi_http_requests_total", answered) == before + 1


async def test_the_alias_answers_the_same_and_a_retried_webhook_logs_the_call_once(make_twilio, db):
    acme = await make_tenant(db, phone_number="+15125550102")
    twilio = make_twilio(brain=EchoBrain())
    first = await twilio.post("/api/elevenlabs/incoming", call_form("+15125550102"))
    again = await twilio.post("/twilio/voice", call_form("+15125550102"))
    assert twiml(first).find("Gather") is not None and twiml(again).find("Gather") is not None
    assert len(await calls_of(db, acme.id)) == 1


async def test_forged_and_missing_signatures_are_refused(twilio, db, settings):
    acme = await make_tenant(db, phone_number="+15125550103")
    form = call_form("+15125550103")
    for signature in ("", "forged", twilio.signature("/twilio/voice", {**form, "From": "+15550000000"})):
        response = await twilio.post("/twilio/voice", form, signature=signature)
        assert response.status_code == 403, signature
    # Signed for the request's own host instead of VOXI_BASE_URL: refused too.
    own_host = RequestValidator(settings.effective_twilio_auth_token).compute_signature(
        "http://internal-host:8000/twilio/voice", form
    )
    assert (await twilio.post("/twilio/voice", form, signature=own_host)).status_code == 403
    for path in ("/twilio/status", "/twilio/gather?tenant=" + str(acme.id), "/twilio/recording"):
        assert (await twilio.post(path, form, signature="forged")).status_code == 403, path
    assert await calls_of(db, acme.id) == []


async def test_signatures_over_the_url_with_its_port_and_over_blank_fields_are_accepted(twilio, db, settings):
    await make_tenant(db, phone_number="+15125550106")
    # Twilio signs blank fields too, and sometimes the URL with its default port.
    form = call_form("+15125550106", CallerName="", FromCity="AUSTIN")
    with_port = RequestValidator(settings.effective_twilio_auth_token).compute_signature(
        "https://voxi.test:443/twilio/voice", form
    )
    for signature in (twilio.signature("/twilio/voice", form), with_port):
        assert twiml(await twilio.post("/twilio/voice", form, signature=signature)).find("Gather") is not None


async def test_bodies_no_twilio_webhook_sends_are_refused_without_a_server_error(twilio):
    too_many = "&".join(f"f{i}=x" for i in range(1001)).encode()
    for body in (too_many, b"To=%2B1512\xff\xfe&From=\xc3"):
        response = await twilio.client.post(
            "/twilio/voice",
            content=body,
            headers={"X-Twilio-Signature": "anything", "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 403, body[:40]


async def test_an_unknown_number_hears_it_is_not_a_voxi_number(twilio, db):
    for to in ("+15125559999", "not a number"):
        document = twiml(await twilio.post("/twilio/voice", call_form(to)))
        assert "not connected to a Voxi receptionist" in document.findtext("Say")
        assert document.find("Hangup") is not None


async def test_a_suspended_business_forwards_to_its_own_phone_and_logs_the_call(twilio, db):
    acme = await make_tenant(
        db, phone_number="+15125550104", forwarding_number="+15125557777", status=TenantStatus.SUSPENDED
    )
    document = twiml(await twilio.post("/twilio/voice", call_form("+15125550104")))
    assert document.findtext("Dial") == "+15125557777"
    [call] = await calls_of(db, acme.id)
    assert (call.engine, call.outcome) == ("forward", "transferred")
    assert "suspended" in call.summary


async def test_a_canceled_business_without_forwarding_takes_a_voicemail_onto_the_call_log(twilio, db):
    acme = await make_tenant(db, phone_number="+15125550105", status=TenantStatus.CANCELED)
    document = twiml(await twilio.post("/twilio/voice", call_form("+15125550105", sid="CA0105")))
    record = document.find("Record")
    assert record is not None and document.find("Dial") is None
    callback = record.get("recordingStatusCallback")
    assert callback.startswith("https://voxi.test/twilio/recording?")
    path = callback.removeprefix("https://voxi.test")
    recording = {
        "CallSid": "CA0105",
        "RecordingUrl": "https://api.twilio.com/rec/RE1",
        "RecordingStatus": "completed",
        "RecordingDuration": "14",
    }
    assert (await twilio.post(path, recording)).status_code == 200
    [call] = await calls_of(db, acme.id)
    assert (call.engine, call.outcome, call.recording_url) == (
        "voicemail",
        "message",
        "https://api.twilio.com/rec/RE1",
    )


async def test_an_engine_failure_forwards_the_caller_and_still_logs_the_call(make_twilio, db, monkeypatch):
    acme = await make_tenant(db, phone_number="+15125550106", forwarding_number="+15125558888")
    monkeypatch.setitem(ENGINES, "twilio_speech", BrokenEngine())
    twilio = make_twilio()
    document = twiml(await twilio.post("/twilio/voice", call_form("+15125550106")))
    assert document.findtext("Dial") == "+15125558888"
    [call] = await calls_of(db, acme.id)
    assert (call.engine, call.outcome) == ("forward", "transferred")
    assert "engine failed" in call.summary


async def test_a_database_outage_still_answers_with_a_voicemail(settings, db, database_urls):
    import dataclasses

    import httpx

    from tests.voice.conftest import TwilioClient
    from voxi.app import create_app
    from voxi.providers import build_providers

    closed = make_url(database_urls.app).set(host="127.0.0.1", port=9).render_as_string(False)
    down = Database(DatabaseUrls(closed, closed, closed), pool_size=1)
    providers = dataclasses.replace(build_providers(settings, down), brain=EchoBrain())
    app = create_app(settings, db=down, providers=providers)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://internal"
    ) as client:
        document = twiml(
            await TwilioClient(client, settings).post("/twilio/voice", call_form("+15125550107"))
        )
    assert document.find("Record") is not None
    assert "can't take your call" in document.findtext("Say")
    await down.dispose()


async def test_speech_turns_continue_transfer_and_hang_up(make_twilio, db):
    acme = await make_tenant(db, phone_number="+15125550108")
    twilio = make_twilio(brain=EchoBrain())
    await twilio.post("/twilio/voice", call_form("+15125550108"))
    path = f"/twilio/gather?tenant={acme.id}"
    heard = twiml(await twilio.post(path, call_form("+15125550108", SpeechResult="my heater is off")))
    assert heard.find("Gather").findtext("Say") == "You said: my heater is off"
    silent = twiml(await twilio.post(path, call_form("+15125550108")))
    assert silent.find("Gather").findtext("Say") == "You said: nothing"
    transfer = twiml(await twilio.post(path, call_form("+15125550108", SpeechResult="a person please")))
    assert transfer.findtext("Say") == "Connecting you now." and transfer.findtext("Dial") == "+15125550000"
    [call] = await calls_of(db, acme.id)
    assert [(t["role"], t["text"]) for t in call.transcript][1:3] == [
        ("caller", "my heater is off"),
        ("agent", "You said: my heater is off"),
    ]
    assert call.outcome == "transferred"
    bye = twiml(await twilio.post(path, call_form("+15125550108", SpeechResult="bye")))
    assert bye.find("Hangup") is not None


async def test_the_final_status_closes_the_call_once_and_adds_its_cost_to_usage(make_twilio, db):
    acme = await make_tenant(db, phone_number="+15125550109")
    twilio = make_twilio(brain=EchoBrain())
    await twilio.post("/twilio/voice", call_form("+15125550109"))
    ringing = call_form("+15125550109", CallStatus="in-progress")
    assert (await twilio.post("/twilio/status", ringing)).status_code == 200
    done = call_form("+15125550109", CallStatus="completed", CallDuration="95")
    for _ in range(2):  # Twilio retries; the second changes nothing
        response = await twilio.post("/twilio/status", done)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    [call] = await calls_of(db, acme.id)
    # 95 s = 2 started minutes × (1 ¢ telephony + 8 ¢ AI)
    assert (call.status, call.duration_seconds, call.cost_cents, call.outcome) == (
        "completed",
        95,
        18,
        "abandoned",
    )
    async with db.cross_tenant("test: usage") as session:
        [usage] = list(await session.scalars(select(TenantUsage).where(TenantUsage.tenant_id == acme.id)))
        jobs = list(await session.scalars(text("select task_name from procrastinate_jobs")))
    assert jobs == ["notifications.call_summary"]  # the owner's after-call summary, queued once
    assert (usage.calls, usage.call_seconds, usage.telephony_cost_cents, usage.ai_cost_cents) == (
        1,
        95,
        2,
        16,
    )


async def test_the_default_engine_greets_with_the_built_in_receptionist(twilio, db):
    await make_tenant(db, name="Bolt Electric", phone_number="+15125550110")
    gather = twiml(await twilio.post("/twilio/voice", call_form("+15125550110"))).find("Gather")
    assert "AI assistant for Bolt Electric" in gather.findtext("Say")
    assert gather.find("Say").get("voice") == "Polly.Joanna"


async def test_an_enterprise_business_is_answered_by_its_own_engine_when_the_deployment_runs_it(settings, db):
    acme = await make_tenant(db, phone_number="+15125550131", plan="ENTERPRISE")
    async with db.cross_tenant("test: choose an engine") as session:
        await session.execute(
            update(TenantConfig).where(TenantConfig.tenant_id == acme.id).values(voice_engine="openai")
        )
        await session.commit()
    runs_openai = settings.model_copy(update={"openai_api_key": "sk-test"})
    assert settings.voice_engine == runs_openai.voice_engine == "twilio_speech"
    for deployment, sid in ((runs_openai, "CA0131"), (settings, "CA0132")):
        app = create_app(deployment, db=db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://host") as http:
            document = twiml(
                await TwilioClient(http, deployment).post(
                    "/twilio/voice", call_form(acme.phone_number, sid=sid)
                )
            )
        if deployment is runs_openai:
            assert document.find("Connect/Stream") is not None
        else:  # no OpenAI key here: the deployment's own engine answers rather than a failing one
            assert document.find("Gather") is not None
    engines = {call.call_sid: call.engine for call in await calls_of(db, acme.id)}
    assert engines == {"CA0131": "openai", "CA0132": "twilio_speech"}
