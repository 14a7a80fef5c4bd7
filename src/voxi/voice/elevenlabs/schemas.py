"""ElevenLabs' own wire formats (snake_case, as ElevenLabs sends and expects them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class ConversationInitRequest(BaseModel):
    """ElevenLabs' conversation-initiation webhook for numbers imported into ElevenLabs natively."""

    model_config = ConfigDict(extra="ignore")

    caller_id: str = ""
    agent_id: str = ""
    called_number: str = ""
    call_sid: str = ""


class ConversationInitResponse(BaseModel):
    type: Literal["conversation_initiation_client_data"] = "conversation_initiation_client_data"
    dynamic_variables: dict[str, str]
    conversation_config_override: dict[str, Any]


class PostCallReceipt(BaseModel):
    received: bool
    duplicate: bool
