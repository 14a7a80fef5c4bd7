"""The LLM receptionist against a local fake of OpenAI's chat completions endpoint (respx), real SDK."""

from __future__ import annotations

import json

import httpx
import respx

from tests.factories.tenancy import make_tenant
from voxi.agent.brain.base import ConversationState
from voxi.agent.brain.llm import FALLBACK, LlmReceptionist, openai_client
from voxi.agent.tools.base import CallContext
from voxi.core.db import activate_tenant
from voxi.emergencies.rules import SAFETY_SCRIPTS

BASE = "https://llm.fake/v1"


def completion(message: dict) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-test",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", **message}}],
        },
    )


def tool_call(name: str, arguments: dict, call_id: str = "call_1") -> dict:
    return {
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }


async def converse(db, tenant, *lines: str) -> tuple[list[str], ConversationState, list]:
    brain = LlmReceptionist(openai_client("sk-test", BASE), "gpt-test")
    state, replies = ConversationState(), []
    ctx = CallContext(tenant.id, None, "CA-llm", "+15125550199", tenant.phone_number)
    async with db.sessions() as session:
        await activate_tenant(session, tenant.id)
        for line in ("", *lines):
            replies.append(await brain.respond(session, ctx, state, line))
        await session.rollback()
    return [reply.say for reply in replies], state, replies


@respx.mock
async def test_answers_through_a_tool_call_and_keeps_the_history(db):
    tenant = await make_tenant(db, phone_number="+15125550401")
    route = respx.post(f"{BASE}/chat/completions").mock(
        side_effect=[
            completion(tool_call("get_business_info", {"topic": "hours"})),
            completion({"content": "We're open weekdays from 8 to 5."}),
        ]
    )
    says, state, _ = await converse(db, tenant, "When are you open?")
    assert "AI" in says[0]
    assert says[1] == "We're open weekdays from 8 to 5."
    first, second = (json.loads(call.request.content) for call in route.calls)
    assert first["messages"][0]["role"] == "system"
    assert {tool["function"]["name"] for tool in first["tools"]} >= {"book_appointment", "transfer_call"}
    assert second["messages"][-1]["role"] == "tool" and second["messages"][-1]["tool_call_id"] == "call_1"
    assert state.outcome == "info"
    json.dumps(state.to_json())  # the state stays JSON for the Twilio speech engine


@respx.mock
async def test_an_api_failure_falls_back_to_a_transfer(db):
    tenant = await make_tenant(db, phone_number="+15125550402", forwarding_number="+15125557777")
    respx.post(f"{BASE}/chat/completions").mock(return_value=httpx.Response(500, json={"error": {}}))
    says, _, replies = await converse(db, tenant, "Hello?")
    assert says[1] == FALLBACK
    assert (replies[1].action, replies[1].transfer_to) == ("transfer", "+15125557777")


@respx.mock
async def test_endless_tool_calls_stop_after_the_round_limit(db):
    tenant = await make_tenant(db, phone_number="+15125550403", forwarding_number="+15125557777")
    route = respx.post(f"{BASE}/chat/completions").mock(
        return_value=completion(tool_call("get_business_info", {"topic": "services"}))
    )
    _, _, replies = await converse(db, tenant, "Tell me everything")
    assert route.call_count == 4
    assert replies[1].action == "transfer"


@respx.mock
async def test_the_emergency_rules_run_before_the_model(db):
    tenant = await make_tenant(db, phone_number="+15125550404")
    route = respx.post(f"{BASE}/chat/completions").mock(return_value=completion({"content": "unused"}))
    says, state, _ = await converse(db, tenant, "I smell gas in the basement")
    assert says[1].startswith(SAFETY_SCRIPTS["gas_leak"])
    assert not route.called
    assert state.outcome == "emergency"
