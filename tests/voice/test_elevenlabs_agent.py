"""`voxi elevenlabs sync-agent`'s definition and its create-or-update against a fake ElevenLabs API."""

from __future__ import annotations

import json

import respx

from voxi.agent.tools.base import ToolSpec
from voxi.voice.elevenlabs.agent_definition import AGENT_NAME, agent_definition
from voxi.voice.elevenlabs.client import ElevenLabsApi

API = "https://elevenlabs.test"
SPECS = [
    ToolSpec(
        "book_appointment",
        "Book a visit in a slot the caller chose.",
        {
            "type": "object",
            "properties": {
                "service": {"type": "string", "description": "The service to book."},
                "start": {"type": "string", "format": "date-time", "title": "Start"},
                "notes": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            },
            "required": ["service", "start"],
        },
    )
]


def definition(settings):
    return agent_definition(
        settings.model_copy(
            update={"tools_secret": "tools-secret", "elevenlabs_post_call_webhook_id": "wh_1"}
        ),
        SPECS,
    )


def test_server_tools_post_to_voxi_with_ids_from_dynamic_variables(settings):
    agent = definition(settings)
    [tool] = agent["conversation_config"]["agent"]["prompt"]["tools"]
    schema = tool["api_schema"]
    assert schema["url"] == "https://voxi.test/api/tools/book_appointment"
    assert schema["request_headers"] == {"X-Voxi-Tools-Secret": "tools-secret"}
    body = schema["request_body_schema"]
    for field in ("business_id", "caller_number", "call_sid"):
        assert body["properties"][field] == {"type": "string", "dynamic_variable": field}
        assert field in body["required"]
    # Every field the LLM fills carries a description (ElevenLabs rejects one without).
    assert body["properties"]["start"] == {"type": "string", "description": "Start"}
    assert body["properties"]["notes"]["type"] == "string"
    assert {"service", "start"} <= set(body["required"]) and "notes" not in body["required"]
    prompt = agent["conversation_config"]["agent"]["prompt"]["prompt"]
    assert (
        "{{business_name}}" in prompt
        and agent["conversation_config"]["agent"]["first_message"] == "{{greeting}}"
    )
    overrides = agent["platform_settings"]["overrides"]["conversation_config_override"]
    assert overrides["agent"]["prompt"]["prompt"] and overrides["tts"]["voice_id"]
    workspace = agent["platform_settings"]["workspace_overrides"]
    assert workspace["webhooks"]["post_call_webhook_id"] == "wh_1"
    assert workspace["conversation_initiation_client_data_webhook"]["url"].endswith(
        "/api/elevenlabs/conversation-init"
    )


async def test_sync_creates_the_agent_once_then_updates_it(settings):
    api = ElevenLabsApi("xi-test", API)
    agent = definition(settings)
    with respx.mock(base_url=API) as fake:
        listing = fake.get("/v1/convai/agents").respond(200, json={"agents": [], "has_more": False})
        create = fake.post("/v1/convai/agents/create").respond(200, json={"agent_id": "agent_new"})
        assert await api.upsert_agent(agent) == "agent_new"
        sent = json.loads(create.calls.last.request.content)
        assert sent["name"] == AGENT_NAME
        assert sent["conversation_config"]["agent"]["prompt"]["tools"][0]["name"] == "book_appointment"

        listing.respond(
            200,
            json={
                "agents": [
                    {"agent_id": "agent_new", "name": AGENT_NAME, "tags": [], "created_at_unix_secs": 1}
                ],
                "has_more": False,
            },
        )
        update = fake.patch("/v1/convai/agents/agent_new").respond(200, json={"agent_id": "agent_new"})
        assert await api.upsert_agent(agent) == "agent_new"
        assert update.called and create.call_count == 1
