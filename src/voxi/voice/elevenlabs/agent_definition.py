"""The shared ElevenLabs agent's definition, from Voxi's tool registry (`voxi elevenlabs sync-agent`).

Every business shares one agent: the prompt names dynamic variables, each call fills them in, and
the server tools post to `POST /api/tools/{name}` with the tools secret. The business, caller and
call ids in a tool's body come from dynamic variables, so the LLM can neither forget nor forge them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voxi.agent.tools.base import ToolSpec
from voxi.agent.tools.registry import tool_specs
from voxi.core.settings import Settings

AGENT_NAME = "Voxi receptionist"
TOOLS_SECRET_HEADER = "X-Voxi-Tools-Secret"  # noqa: S105 - a header name, not a secret
# Body fields the agent platform fills from the call's dynamic variables, never from the LLM.
VARIABLE_FIELDS = {"business_id": "business_id", "caller_number": "caller_number", "call_sid": "call_sid"}

PROMPT_TEMPLATE = """You are the AI phone receptionist for {{business_name}}, a home-service business.
Owner: {{owner_name}}. Services: {{services}}. Hours: {{hours}}.
Emergencies: if anyone is in danger (gas smell, carbon monoxide alarm, fire, sparks, flooding near
electricity), tell them to leave the building and call 911 from outside, then use report_emergency.
The emergency line is {{emergency_phone}}.
Book, reschedule and cancel only through the tools, and never say a job is booked unless
book_appointment confirmed it. Keep answers short: this is a phone call.
"""
FIRST_MESSAGE = "{{greeting}}"
OVERRIDABLE = {
    "agent": {"prompt": {"prompt": True}, "first_message": True, "language": True},
    "tts": {"voice_id": True},
}


def _property(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """One JSON-schema property in the subset ElevenLabs accepts (every LLM-filled field described)."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if options:
        schema = {**options[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
    kind = schema.get("type", "string")
    described = schema.get("description") or schema.get("title") or name.replace("_", " ")
    if kind == "array":
        return {"type": "array", "description": described, "items": _property(name, schema.get("items", {}))}
    if kind == "object":
        return {**_object(schema), "description": described}
    prop: dict[str, Any] = {"type": kind, "description": described}
    if "enum" in schema:
        prop["enum"] = [str(value) for value in schema["enum"]]
    return prop


def _object(schema: dict[str, Any]) -> dict[str, Any]:
    properties = schema.get("properties", {})
    return {
        "type": "object",
        "properties": {name: _property(name, value) for name, value in properties.items()},
        "required": [name for name in schema.get("required", []) if name in properties],
    }


def server_tool(spec: ToolSpec, *, base_url: str, tools_secret: str) -> dict[str, Any]:
    body = _object(spec.parameters)
    for field, variable in VARIABLE_FIELDS.items():
        body["properties"][field] = {"type": "string", "dynamic_variable": variable}
        body["required"] = [*body["required"], field]
    return {
        "type": "webhook",
        "name": spec.name,
        "description": spec.description,
        "response_timeout_secs": 10,
        "api_schema": {
            "url": f"{base_url}/api/tools/{spec.name}",
            "method": "POST",
            "request_headers": {TOOLS_SECRET_HEADER: tools_secret},
            "request_body_schema": body,
        },
    }


def agent_definition(settings: Settings, specs: Sequence[ToolSpec] | None = None) -> dict[str, Any]:
    """Name, conversation config (prompt, first message, server tools) and platform settings."""
    specs = tool_specs() if specs is None else specs
    base_url = settings.voxi_base_url
    tools = [server_tool(spec, base_url=base_url, tools_secret=settings.tools_secret) for spec in specs]
    workspace: dict[str, Any] = {
        "conversation_initiation_client_data_webhook": {
            "url": f"{base_url}/api/elevenlabs/conversation-init",
            "request_headers": {TOOLS_SECRET_HEADER: settings.tools_secret},
        }
    }
    if settings.elevenlabs_post_call_webhook_id:
        # The webhook itself (URL {base}/api/elevenlabs/post-call, and its HMAC secret) is created once
        # in the ElevenLabs workspace; the agent only points at it.
        workspace["webhooks"] = {
            "post_call_webhook_id": settings.elevenlabs_post_call_webhook_id,
            "events": ["transcript", "audio"],
        }
    return {
        "name": AGENT_NAME,
        "tags": ["voxi"],
        "conversation_config": {
            "agent": {
                "first_message": FIRST_MESSAGE,
                "language": "en",
                "prompt": {"prompt": PROMPT_TEMPLATE, "tools": tools},
            },
        },
        "platform_settings": {
            "overrides": {"conversation_config_override": OVERRIDABLE},
            "workspace_overrides": workspace,
        },
    }
