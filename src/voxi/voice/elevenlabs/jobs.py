"""Background work of the ElevenLabs engine."""

from __future__ import annotations

from procrastinate import JobContext

from voxi.core.jobs import DEFAULT_RETRY, jobs, services
from voxi.voice.elevenlabs.post_call import process_event


@jobs.task(name="voice.elevenlabs_post_call", pass_context=True, retry=DEFAULT_RETRY)
async def process_post_call(context: JobContext, event_id: int) -> None:
    """Store one post-call event (transcript/analysis or audio) into its CallLog; idempotent."""
    await process_event(services(context).db, event_id)
