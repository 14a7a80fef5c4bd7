"""Per-call data for the shared ElevenLabs agent: dynamic variables and prompt/first-message/voice overrides.

The agent fails a call when a variable its prompt names is missing, so every variable is always
present, as a string, for a known business and for an unknown number alike.
"""

from __future__ import annotations

import uuid
from typing import Any

from voxi.agent.config import VARIABLE_NAMES, AgentConfig

# The seven business variables (4A's build_agent_config) plus the call's own ids, which the server
# tools receive from dynamic variables rather than from the LLM.
BUSINESS_VARIABLES = VARIABLE_NAMES
CALL_VARIABLES = ("caller_number", "called_number", "call_sid", "call_id")
ALL_VARIABLES = BUSINESS_VARIABLES + CALL_VARIABLES

UNKNOWN_NUMBER_PROMPT = (
    "You are a polite phone assistant. This number is not set up with a business yet. Say that you "
    "are an AI assistant, apologise that nobody can help right now, take the caller's name, number "
    "and a short message, then end the call politely. Do not promise bookings or call-backs by a time."
)
UNKNOWN_NUMBER_FIRST_MESSAGE = (
    "Hi, you've reached an AI assistant, and this call may be recorded. "
    "Nobody can take your call right now, but I can take a message."
)


def _call_variables(
    *, caller_number: str | None, called_number: str | None, call_sid: str | None, call_id: uuid.UUID | None
) -> dict[str, str]:
    return {
        "caller_number": caller_number or "",
        "called_number": called_number or "",
        "call_sid": call_sid or "",
        "call_id": str(call_id) if call_id else "",
    }


def _overrides(prompt: str, first_message: str, voice_id: str | None) -> dict[str, Any]:
    override: dict[str, Any] = {
        "agent": {"prompt": {"prompt": prompt}, "first_message": first_message, "language": "en"}
    }
    if voice_id:
        override["tts"] = {"voice_id": voice_id}
    return override


def initiation_data(
    agent: AgentConfig,
    *,
    voice_id: str | None,
    caller_number: str | None,
    called_number: str | None,
    call_sid: str | None,
    call_id: uuid.UUID | None,
) -> dict[str, Any]:
    """`conversation_initiation_client_data` for a business's call."""
    variables = {name: str(agent.variables.get(name) or "") for name in BUSINESS_VARIABLES}
    variables.update(
        _call_variables(
            caller_number=caller_number, called_number=called_number, call_sid=call_sid, call_id=call_id
        )
    )
    return {
        "dynamic_variables": variables,
        "conversation_config_override": _overrides(agent.system_prompt, agent.first_message, voice_id),
    }


def unknown_number_data(
    *, caller_number: str | None, called_number: str | None, call_sid: str | None
) -> dict[str, Any]:
    """A number that is not (or no longer) a business's: safe defaults and a message-taking prompt."""
    variables = {
        "business_name": "this business",
        "greeting": UNKNOWN_NUMBER_FIRST_MESSAGE,
        "services": "not available",
        "hours": "not available",
        "emergency_phone": "911",
        "owner_name": "the owner",
        "business_id": "",
    }
    variables.update(
        _call_variables(
            caller_number=caller_number, called_number=called_number, call_sid=call_sid, call_id=None
        )
    )
    return {
        "dynamic_variables": variables,
        "conversation_config_override": _overrides(UNKNOWN_NUMBER_PROMPT, UNKNOWN_NUMBER_FIRST_MESSAGE, None),
    }
