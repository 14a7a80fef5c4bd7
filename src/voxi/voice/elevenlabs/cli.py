"""`voxi elevenlabs …`: manage the shared ElevenLabs agent."""

from __future__ import annotations

import asyncio
import json

import typer

from voxi.cli.runtime import load_settings
from voxi.voice.elevenlabs.agent_definition import agent_definition
from voxi.voice.elevenlabs.client import ElevenLabsApi

elevenlabs_app = typer.Typer(help="The shared ElevenLabs agent.", no_args_is_help=True)


@elevenlabs_app.command("sync-agent")
def sync_agent(
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the definition; change nothing."),
) -> None:
    """Create or update the shared agent (prompt, first message, server tools, webhooks); prints its id."""
    settings = load_settings()
    definition = agent_definition(settings)
    if dry_run:
        typer.echo(json.dumps(definition, indent=2))
        return
    if not settings.elevenlabs_api_key or not settings.tools_secret:
        typer.echo("Set ELEVENLABS_API_KEY and TOOLS_SECRET first.", err=True)
        raise typer.Exit(2)
    api = ElevenLabsApi(settings.elevenlabs_api_key, settings.elevenlabs_api_base)
    agent_id = asyncio.run(api.upsert_agent(definition, agent_id=settings.elevenlabs_agent_id or None))
    typer.echo(agent_id)
    if agent_id != settings.elevenlabs_agent_id:
        typer.echo(f"Set ELEVENLABS_AGENT_ID={agent_id} so calls use this agent.", err=True)
