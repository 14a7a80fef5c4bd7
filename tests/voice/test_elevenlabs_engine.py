"""The ElevenLabs engine and conversation-init against a fake ElevenLabs API (respx on the SDK's httpx)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from tests.factories.voice import (
    BUSINESS_NUMBER,
    FORWARDING_NUMBER,
    configure,
    make_business,
    providers_for,
    today_iso,
)
from voxi.voice.elevenlabs.initiation import ALL_VARIABLES
from voxi.voice.service import TwilioCall, answer_incoming_call

API = "https://elevenlabs.test"
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://api.us.elevenlabs.io/x"/></Connect></Response>'
CALL = TwilioCall("CA0001", "+15125550199", BUSINESS_NUMBER)
TOOLS_SECRET = "tools-secret-0123456789"


@pytest.fixture
async def business(db):
    return await make_business(db)


@pytest.fixture
def el_settings(settings):
    return settings.model_copy(
        update=dict(
            voice_engine="elevenlabs",
            elevenlabs_api_key="xi-test",
            elevenlabs_agent_id="agent_shared",
            elevenlabs_api_base=API,
            elevenlabs_register_timeout_seconds=0.3,
            tools_secret=TOOLS_SECRET,
        )
    )


def assert_complete(data: dict) -> None:
    variables = data["dynamic_variables"]
    assert set(ALL_VARIABLES) <= set(variables)
    assert all(isinstance(value, str) for value in variables.values())
    agent = data["conversation_config_override"]["agent"]
    assert agent["prompt"]["prompt"] and agent["first_message"] and agent["language"] == "en"


async def test_register_call_returns_elevenlabs_twiml_with_every_variable(db, business, el_settings):
    with respx.mock(base_url=API, assert_all_called=True) as api:
        route = api.post("/v1/convai/twilio/register-call").respond(200, text=TWIML)
        answer = await answer_incoming_call(db, el_settings, providers_for(el_settings, db), CALL)
    assert answer == TWIML
    body = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["xi-api-key"] == "xi-test"
    assert (body["agent_id"], body["from_number"], body["to_number"], body["direction"]) == (
        "agent_shared",
        CALL.from_number,
        BUSINESS_NUMBER,
        "inbound",
    )
    data = body["conversation_initiation_client_data"]
    assert_complete(data)
    variables = data["dynamic_variables"]
    assert variables["business_name"] == "Acme Heating"
    assert variables["business_id"] == str(business.id)
    assert variables["call_sid"] == "CA0001" and variables["caller_number"] == CALL.from_number
    assert variables["call_id"]  # the CallLog routing opened
    assert "AI" in data["conversation_config_override"]["agent"]["first_message"]
    assert data["conversation_config_override"]["tts"]["voice_id"]


async def test_register_call_timeout_forwards_the_caller(db, business, el_settings):
    async def slow(request):
        await asyncio.sleep(2)
        return httpx.Response(200, text=TWIML)

    with respx.mock(base_url=API, assert_all_called=False) as api:
        api.post("/v1/convai/twilio/register-call").mock(side_effect=slow)
        answer = await answer_incoming_call(db, el_settings, providers_for(el_settings, db), CALL)
    assert "<Dial" in answer and FORWARDING_NUMBER in answer


async def test_register_call_error_forwards_the_caller(db, business, el_settings):
    with respx.mock(base_url=API) as api:
        api.post("/v1/convai/twilio/register-call").respond(500, json={"detail": "boom"})
        answer = await answer_incoming_call(db, el_settings, providers_for(el_settings, db), CALL)
    assert FORWARDING_NUMBER in answer


async def _init(client, called: str = BUSINESS_NUMBER, secret: str = TOOLS_SECRET) -> httpx.Response:
    return await client.post(
        "/api/elevenlabs/conversation-init",
        headers={"X-Voxi-Tools-Secret": secret},
        json={
            "caller_id": "+15125550199",
            "agent_id": "agent_shared",
            "called_number": called,
            "call_sid": "CA77",
        },
    )


SHAPES = {
    "complete": {},
    "empty services and areas": {"services": [], "service_areas": []},
    "no forwarding number": {"forwarding_number": None, "emergency_number": None},
    "closed today": {"hours_overrides": {today_iso(): []}},
    "blank greeting and owner": {"greeting": "", "owner_name": ""},
}


@pytest.mark.parametrize("shape", SHAPES)
async def test_conversation_init_has_every_variable_for_every_config_shape(db, business, el_client, shape):
    await configure(db, business.id, **SHAPES[shape])
    response = await _init(el_client)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["type"] == "conversation_initiation_client_data"
    assert_complete(data)
    variables = data["dynamic_variables"]
    assert variables["business_id"] == str(business.id)
    assert variables["business_name"] == "Acme Heating"
    assert all(variables[name] for name in ("greeting", "services", "hours", "emergency_phone", "owner_name"))
    assert variables["call_id"]  # the call is logged even though it never reached /twilio/voice


async def test_conversation_init_for_an_unknown_number_takes_a_message(el_client):
    response = await _init(el_client, called="+15125550999")
    assert response.status_code == 200
    data = response.json()
    assert_complete(data)
    assert data["dynamic_variables"]["business_id"] == ""
    assert "message" in data["conversation_config_override"]["agent"]["prompt"]["prompt"]


async def test_conversation_init_needs_the_tools_secret(el_client):
    assert (await _init(el_client, secret="wrong")).status_code == 401
