"""What every engine and every tool share: the call a tool runs in, and what a tool answers.

The registry (`voxi.agent.tools.registry`) runs a tool by name with typed arguments, idempotently per
(call, tool-call id); ElevenLabs reaches it over HTTP (`POST /api/tools/{tool}`), the OpenAI Realtime
bridge and the text brains call it in-process.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class CallContext:
    """The call a tool runs in. The boundary (webhook, bridge, simulator) has already bound the tenant."""

    tenant_id: uuid.UUID
    call_id: uuid.UUID | None  # the CallLog row; None outside a call (e.g. a dashboard preview)
    call_sid: str | None  # the provider's call id (Twilio CallSid / simulator id)
    caller_number: str | None  # E.164 caller ID, when known
    called_number: str | None
    is_test: bool = False


@dataclass(frozen=True)
class ToolResult:
    """A tool's answer. `say` is one or two short sentences the agent can speak as they are."""

    ok: bool
    say: str
    data: dict[str, Any] = field(default_factory=dict)
    action: Literal["transfer", "end_call"] | None = None  # the engine carries these out
    transfer_to: str | None = None  # E.164, with action == "transfer"


@dataclass(frozen=True)
class ToolSpec:
    """A tool as an LLM sees it (OpenAI function calling, ElevenLabs server tools)."""

    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments the LLM fills in
