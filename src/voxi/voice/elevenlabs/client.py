"""ElevenLabs' Conversational AI API on the official `elevenlabs` SDK: register calls, manage the agent."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import structlog
from elevenlabs import AsyncElevenLabs

log = structlog.get_logger(__name__)


class ElevenLabsUnavailable(Exception):
    """Register-call failed or took too long: the caller gets the forwarding fallback instead."""


class ElevenLabsApi:
    """The calls Voxi makes to ElevenLabs, built once from settings (`Providers.elevenlabs`)."""

    def __init__(self, api_key: str, base_url: str, *, agent_id: str = "") -> None:
        self.client = AsyncElevenLabs(api_key=api_key, base_url=base_url.rstrip("/"))
        self.agent_id = agent_id

    async def register_call(
        self,
        *,
        from_number: str,
        to_number: str,
        client_data: dict[str, Any],
        timeout: float,  # noqa: ASYNC109 - the time box is the point
    ) -> str:
        """TwiML that connects this Twilio call to the shared agent, within `timeout` seconds."""
        try:
            twiml = await asyncio.wait_for(
                self.client.conversational_ai.twilio.register_call(
                    agent_id=self.agent_id,
                    from_number=from_number,
                    to_number=to_number,
                    direction="inbound",
                    # A plain dict: the SDK serialises it as given (its model would drop unknown keys).
                    conversation_initiation_client_data=cast(Any, client_data),
                    request_options={"timeout_in_seconds": max(1, round(timeout)), "max_retries": 0},
                ),
                timeout,
            )
        except Exception as exc:  # timeout, API error, network: the caller must never hear dead air
            log.warning("elevenlabs_register_call_failed", error=repr(exc))
            raise ElevenLabsUnavailable(str(exc)) from exc
        if "<Response" not in twiml:
            raise ElevenLabsUnavailable("register-call answered without TwiML")
        return twiml

    async def upsert_agent(self, definition: dict[str, Any], *, agent_id: str | None = None) -> str:
        """Create the shared agent, or update it in place; returns its id (safe to run repeatedly)."""
        agents = self.client.conversational_ai.agents
        existing = agent_id or self.agent_id or await self._find_agent(definition["name"])
        if existing:
            await agents.update(
                existing,
                name=definition["name"],
                conversation_config=cast(Any, definition["conversation_config"]),
                platform_settings=cast(Any, definition["platform_settings"]),
                tags=definition.get("tags"),
            )
            return existing
        created = await agents.create(
            name=definition["name"],
            conversation_config=cast(Any, definition["conversation_config"]),
            platform_settings=cast(Any, definition["platform_settings"]),
            tags=definition.get("tags"),
        )
        return str(created.agent_id)

    async def _find_agent(self, name: str) -> str | None:
        page = await self.client.conversational_ai.agents.list(search=name, page_size=100)
        for agent in page.agents:
            if agent.name == name:
                return str(agent.agent_id)
        return None


def build_elevenlabs(api_key: str, base_url: str, agent_id: str) -> ElevenLabsApi | None:
    """The ElevenLabs client when a key is set; without one the engine is not selectable."""
    return ElevenLabsApi(api_key, base_url, agent_id=agent_id) if api_key else None
