"""Running queued jobs now, reading the sandbox SMS/email outboxes, and signing Twilio SMS webhooks."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import psycopg
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from voxi.core.db import Database, DatabaseUrls, libpq_conninfo
from voxi.core.jobs import JobServices, run_worker
from voxi.core.settings import Settings
from voxi.notifications.models import OutboxEmail, OutboxSms
from voxi.providers import Providers, build_providers


def _owner(urls: DatabaseUrls) -> str:
    return libpq_conninfo(urls.owner)


def make_jobs_due(urls: DatabaseUrls) -> int:
    """Move every waiting job's start time to now: the clock jumps past every timeout and retry delay."""
    with psycopg.connect(_owner(urls)) as conn:
        cursor = conn.execute(
            "update procrastinate_jobs set scheduled_at = now() - interval '1 second' "
            "where status = 'todo' and scheduled_at > now()"
        )
        return cursor.rowcount


def jobs_waiting(urls: DatabaseUrls, task_name: str) -> int:
    with psycopg.connect(_owner(urls)) as conn:
        row = conn.execute(
            "select count(*) from procrastinate_jobs where status = 'todo' and task_name = %s", (task_name,)
        ).fetchone()
    return row[0] if row else 0


async def run_jobs(settings: Settings, db: Database, providers: Providers | None = None) -> None:
    await run_worker(JobServices(settings, db, providers or build_providers(settings, db)), wait=False)


async def texts_to(db: Database, number: str) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxSms.body).where(OutboxSms.to_number == number).order_by(OutboxSms.created_at)
        )
        return list(rows)


async def emails_to(db: Database, address: str) -> list[OutboxEmail]:
    async with db.sessions() as session:
        rows = await session.scalars(
            select(OutboxEmail).where(OutboxEmail.to_address == address).order_by(OutboxEmail.created_at)
        )
        return list(rows)


async def post_sms(
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    sender: str,
    to: str,
    body: str,
    signature: str | None = None,
) -> httpx.Response:
    """POST /twilio/sms as Twilio does: form-encoded, signed over VOXI_BASE_URL + path."""
    form = {"MessageSid": "SM" + "0" * 32, "AccountSid": "AC123", "From": sender, "To": to, "Body": body}
    if signature is None:
        validator = RequestValidator(settings.effective_twilio_auth_token)
        signature = validator.compute_signature(f"{settings.voxi_base_url}/twilio/sms", form)
    headers = {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}
    return await client.post("/twilio/sms", content=urlencode(form), headers=headers)
