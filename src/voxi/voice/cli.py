"""`voxi call simulate`: talk to a business's receptionist in the terminal (or replay a script)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from voxi.agent.brain.llm import build_brain
from voxi.cli.runtime import load_settings, with_database
from voxi.core.db import Database
from voxi.core.errors import NotFound
from voxi.voice.simulator import DEFAULT_CALLER, Simulator

call_app = typer.Typer(help="Calls.", no_args_is_help=True)
HANG_UP_WORDS = ("/hangup", "/quit", "/exit")


@call_app.command()
def simulate(
    to: str = typer.Option(..., "--to", help="The Voxi number to call."),
    from_number: str = typer.Option(DEFAULT_CALLER, "--from", help="The caller ID to call from."),
    script: Path | None = typer.Option(None, "--script", help="A file of caller lines, one per line."),
) -> None:
    """Call a Voxi number as text: same routing, tools and call log as a phone call (marked as a test).

    Interactive in a terminal (type /hangup to end); with --script or piped stdin, one caller line per line.
    """
    settings = load_settings()
    lines = _script_lines(script)

    async def run(db: Database) -> int:
        simulator = Simulator(db, build_brain(settings))
        try:
            greeting = await simulator.dial(to, from_number)
        except NotFound as exc:
            typer.echo(str(exc), err=True)
            return 1
        typer.echo(f"AI: {greeting.say}")
        while not simulator.ended:
            text = _next_line(lines)
            if text is None or text.strip().lower() in HANG_UP_WORDS:
                break
            if lines is not None:
                typer.echo(f"Caller: {text}")
            reply = await simulator.say(text)
            typer.echo(f"AI: {reply.say}")
            if reply.action == "transfer":
                typer.echo(f"(transferred to {reply.transfer_to})")
        await simulator.hang_up()
        assert simulator.call is not None  # noqa: S101 - dialled above
        typer.echo(f"(call ended; logged as test call {simulator.call.id})")
        return 0

    raise typer.Exit(with_database(settings, run))


def _script_lines(script: Path | None) -> list[str] | None:
    if script is not None:
        return script.read_text().splitlines()
    if not sys.stdin.isatty():
        return sys.stdin.read().splitlines()
    return None


def _next_line(lines: list[str] | None) -> str | None:
    if lines is not None:
        return lines.pop(0) if lines else None
    try:
        return input("You: ")
    except EOFError:
        return None
