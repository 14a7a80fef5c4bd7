"""`POST /api/elevenlabs/post-call`: signature checks, replays, and the job that fills the CallLog."""

from __future__ import annotations

import base64
import json
import time

import httpx
import psycopg
import pytest

from tests.factories.tenancy import owner_headers
from tests.factories.voice import BUSINESS_NUMBER, make_business, providers_for
from voxi.calls.models import CallLog
from voxi.calls.service import open_call
from voxi.core.db import activate_tenant, libpq_conninfo
from voxi.core.jobs import JobServices, run_worker
from voxi.core.tenant_context import tenant_context
from voxi.voice.elevenlabs.signature import sign

SECRET = "wsec_0123456789abcdef"
AUDIO = b"ID3\x04\x00 a short mp3"


@pytest.fixture
def el_settings(settings):
    return settings.model_copy(update={"elevenlabs_webhook_secret": SECRET})


@pytest.fixture
async def business(db):
    business = await make_business(db)
    with tenant_context(business.id):
        async with db.sessions() as session:
            await activate_tenant(session, business.id)
            await open_call(
                session,
                call_sid="CA42",
                from_number="+15125550199",
                to_number=BUSINESS_NUMBER,
                engine="elevenlabs",
            )
            await session.commit()
    return business


def transcription(business_id: str, conversation_id: str = "conv_1") -> dict:
    return {
        "type": "post_call_transcription",
        "event_timestamp": int(time.time()),
        "data": {
            "agent_id": "agent_shared",
            "conversation_id": conversation_id,
            "transcript": [
                {"role": "agent", "message": "Hi, this is Acme's AI assistant.", "time_in_call_secs": 0},
                {"role": "user", "message": "My furnace is making a banging noise.", "time_in_call_secs": 4},
            ],
            "metadata": {"call_duration_secs": 95, "cost": 412},
            "analysis": {
                "call_successful": "success",
                "transcript_summary": "Caller reported a noisy furnace.",
            },
            "conversation_initiation_client_data": {
                "dynamic_variables": {
                    "business_id": business_id,
                    "call_sid": "CA42",
                    "caller_number": "+15125550199",
                }
            },
        },
    }


def audio_event(conversation_id: str = "conv_1") -> dict:
    return {
        "type": "post_call_audio",
        "event_timestamp": int(time.time()),
        "data": {
            "agent_id": "agent_shared",
            "conversation_id": conversation_id,
            "full_audio": base64.b64encode(AUDIO).decode(),
        },
    }


async def deliver(client, payload: dict, *, at: int | None = None, secret: str = SECRET) -> httpx.Response:
    body = json.dumps(payload).encode()
    header = sign(secret, body, at if at is not None else int(time.time()))
    return await client.post(
        "/api/elevenlabs/post-call",
        content=body,
        headers={"ElevenLabs-Signature": header, "Content-Type": "application/json"},
    )


def _post_call_jobs(database_urls) -> int:
    # The job queue outlives each test's truncation: count against a baseline taken at the start.
    owner = libpq_conninfo(database_urls.owner)
    with psycopg.connect(owner) as conn:
        return conn.execute(
            "select count(*) from procrastinate_jobs where task_name = 'voice.elevenlabs_post_call'"
        ).fetchone()[0]


@pytest.fixture
def jobs_queued(database_urls):
    baseline = _post_call_jobs(database_urls)
    return lambda: _post_call_jobs(database_urls) - baseline


async def the_call(db, business) -> CallLog:
    with tenant_context(business.id):
        async with db.sessions() as session:
            await activate_tenant(session, business.id)
            from sqlalchemy import select

            return (await session.scalars(select(CallLog).where(CallLog.call_sid == "CA42"))).one()


async def test_a_signed_transcript_fills_the_call_log(db, business, el_client, el_settings):
    response = await deliver(el_client, transcription(str(business.id)))
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}
    await run_worker(JobServices(el_settings, db, providers_for(el_settings, db)), wait=False)
    call = await the_call(db, business)
    assert [t["role"] for t in call.transcript] == ["agent", "caller"]
    assert call.transcript[1]["text"] == "My furnace is making a banging noise."
    assert call.summary == "Caller reported a noisy furnace."
    assert call.duration_seconds == 95 and call.ended_at is not None
    assert call.conversation["elevenlabs"]["call_successful"] == "success"


async def test_audio_becomes_a_recording_served_to_the_business(
    db, business, el_client, el_settings, settings
):
    # The audio arrives first: its job waits for the transcript that names the business.
    assert (await deliver(el_client, audio_event())).status_code == 200
    assert (await deliver(el_client, transcription(str(business.id)))).status_code == 200
    services = JobServices(el_settings, db, providers_for(el_settings, db))
    await run_worker(services, wait=False)
    call = await the_call(db, business)
    if call.recording_url is None:  # the audio job ran before the transcript's and was retried later
        await _run_retries(db, services)
        call = await the_call(db, business)
    assert call.recording_url == f"/api/v1/calls/{call.id}/recording"
    served = await el_client.get(call.recording_url, headers=owner_headers(settings, business))
    assert served.status_code == 200
    assert served.content == AUDIO and served.headers["content-type"] == "audio/mpeg"
    assert (await el_client.get(call.recording_url)).status_code == 401


async def _run_retries(db, services) -> None:
    owner = libpq_conninfo(db.urls.owner)
    with psycopg.connect(owner) as conn:
        conn.execute("update procrastinate_jobs set scheduled_at = now() where status = 'todo'")
        conn.commit()
    await run_worker(services, wait=False)


@pytest.mark.parametrize(
    ("secret", "age"),
    [("wrong-secret", 0), (SECRET, 31 * 60), (SECRET, -31 * 60)],
    ids=["forged", "stale", "from-the-future"],
)
async def test_forged_or_stale_signatures_are_rejected(db, jobs_queued, business, el_client, secret, age):
    response = await deliver(
        el_client, transcription(str(business.id)), at=int(time.time()) - age, secret=secret
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert jobs_queued() == 0


async def test_unsigned_post_is_rejected(el_client, jobs_queued):
    response = await el_client.post("/api/elevenlabs/post-call", json=transcription("x"))
    assert response.status_code == 401
    assert jobs_queued() == 0


async def test_a_replayed_event_is_not_processed_twice(db, jobs_queued, business, el_client, el_settings):
    payload = transcription(str(business.id))
    assert (await deliver(el_client, payload)).json()["duplicate"] is False
    replay = await deliver(el_client, payload)
    assert replay.status_code == 200 and replay.json() == {"received": True, "duplicate": True}
    assert jobs_queued() == 1
    await run_worker(JobServices(el_settings, db, providers_for(el_settings, db)), wait=False)
    assert (await deliver(el_client, payload)).json()["duplicate"] is True
    assert jobs_queued() == 1
    call = await the_call(db, business)
    assert len(call.transcript) == 2  # stored once, not appended again
