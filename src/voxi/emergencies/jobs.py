"""Emergency background work: the escalation chain, one durable job per step."""

from __future__ import annotations

import uuid

from procrastinate import JobContext

from voxi.core.jobs import DEFAULT_RETRY, jobs, services


@jobs.task(name="emergencies.escalate", pass_context=True, retry=DEFAULT_RETRY)
async def escalate(context: JobContext, tenant_id: str, emergency_id: str, step: int) -> None:
    """Call and text the chain's next contact, then wait for "1" until the timeout schedules the next."""
    from voxi.emergencies.escalation import run_escalation_step

    await run_escalation_step(services(context), uuid.UUID(tenant_id), uuid.UUID(emergency_id), step)
