"""Group commits of new calls' logs: one INSERT for concurrent calls, each row checked by RLS as its own."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import psycopg
import pytest
from psycopg_pool import PoolTimeout
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.factories.tenancy import make_tenant
from voxi.calls.models import CallLog
from voxi.calls.new_calls import NewCallLogs
from voxi.calls.service import NewCall, _call_row
from voxi.core.db import AUTOCOMMIT_WAIT_SECONDS, Database, DatabaseUrls, activate_tenant


class CountingLogs(NewCallLogs):
    """Records the size of every INSERT it sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []

    async def _execute(self, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        self.batches.append(len(rows))
        return await super()._execute(rows)


def new_call(tenant_id: uuid.UUID, call_sid: str) -> dict[str, Any]:
    greeting = [{"role": "agent", "text": "Thanks for calling!", "at": "2026-11-21T10:00:00+00:00"}]
    caller, called = "+15125550000", "+15125550101"
    return _call_row(
        NewCall(tenant_id, call_sid, caller, called, "twilio_speech", greeting, {"greeted": True})
    )


async def logged_calls(db, tenant_id: uuid.UUID) -> dict[str, CallLog]:
    async with db.sessions() as session:
        await activate_tenant(session, tenant_id)
        return {call.call_sid: call for call in await session.scalars(select(CallLog))}


async def test_concurrent_calls_to_several_businesses_share_one_insert(db):
    acme, bolt = await make_tenant(db), await make_tenant(db)
    # Alternating businesses: had PostgreSQL bound every row's tenant before checking the first, the
    # rows of the other business would fail row-level security.
    rows = [new_call((acme.id, bolt.id)[i % 2], f"CA-batch-{i}") for i in range(6)]
    logs = CountingLogs(db)
    assert await asyncio.gather(*(logs.insert(row) for row in rows)) == [True] * 6
    assert logs.batches == [6]
    for tenant, mine in ((acme, rows[0::2]), (bolt, rows[1::2])):
        calls = await logged_calls(db, tenant.id)
        assert {call.call_sid: call.id for call in calls.values()} == {r["call_sid"]: r["id"] for r in mine}
        call = calls[mine[0]["call_sid"]]
        assert (call.tenant_id, call.status, call.summary, call.duration_seconds) == (
            tenant.id,
            "in-progress",
            "",
            0,
        )
        assert call.transcript[0]["text"] == "Thanks for calling!" and call.conversation == {"greeted": True}


async def test_a_call_already_logged_inserts_nothing_even_within_one_batch(db):
    acme = await make_tenant(db)
    first, retried = new_call(acme.id, "CA-retry"), new_call(acme.id, "CA-retry")
    logs = CountingLogs(db)
    results = await asyncio.gather(
        logs.insert(first), logs.insert(retried), logs.insert(new_call(acme.id, "CA-other"))
    )
    assert results == [True, False, True]
    assert await logs.insert(new_call(acme.id, "CA-retry")) is False
    assert logs.batches == [3, 1]
    assert (await logged_calls(db, acme.id))["CA-retry"].id == first["id"]


async def test_a_bad_row_fails_only_its_own_call(db):
    acme = await make_tenant(db)
    gone = new_call(uuid.uuid4(), "CA-no-such-business")  # no tenant: the foreign key refuses it
    logs = CountingLogs(db)
    results = await asyncio.gather(
        logs.insert(new_call(acme.id, "CA-good-1")),
        logs.insert(gone),
        logs.insert(new_call(acme.id, "CA-good-2")),
        return_exceptions=True,
    )
    assert results[0] is True and results[2] is True
    assert isinstance(results[1], psycopg.errors.ForeignKeyViolation)
    assert logs.batches == [3, 1, 1, 1]  # the batch failed, then each row alone
    assert set(await logged_calls(db, acme.id)) == {"CA-good-1", "CA-good-2"}


async def test_calls_arriving_during_a_batch_go_together_in_the_next(db):
    acme = await make_tenant(db)
    logs = CountingLogs(db, batches_in_flight=1)
    first = asyncio.create_task(logs.insert(new_call(acme.id, "CA-first")))
    await asyncio.sleep(0)  # the first call's batch is on its way
    later = [asyncio.create_task(logs.insert(new_call(acme.id, f"CA-later-{i}"))) for i in range(4)]
    assert await asyncio.gather(first, *later) == [True] * 5
    assert logs.batches == [1, 4]


@pytest.mark.parametrize("batches_in_flight", [1, 2])
async def test_no_call_waits_for_a_batch_that_never_comes(db, batches_in_flight):
    acme = await make_tenant(db)
    logs = CountingLogs(db, batches_in_flight=batches_in_flight)
    for wave in range(3):  # calls in waves, each after the flushers of the last had finished
        rows = [new_call(acme.id, f"CA-wave-{wave}-{i}") for i in range(3)]
        async with asyncio.timeout(5):
            assert await asyncio.gather(*(logs.insert(row) for row in rows)) == [True] * 3
    assert sum(logs.batches) == 9


async def test_a_database_outage_fails_the_call_soon_instead_of_hanging_it(database_urls):
    closed = make_url(database_urls.app).set(host="127.0.0.1", port=9).render_as_string(False)
    down = Database(DatabaseUrls(closed, closed, closed), pool_size=1)
    logs = CountingLogs(down)
    started = time.monotonic()
    rows = [new_call(uuid.uuid4(), f"CA-while-down-{i}") for i in range(3)]
    results = await asyncio.gather(*(logs.insert(row) for row in rows), return_exceptions=True)
    assert all(isinstance(result, PoolTimeout) for result in results)
    # Every call then falls back to forwarding or voicemail, long before Twilio gives up (no retries
    # row by row: they would wait for a connection once more each).
    assert time.monotonic() - started < AUTOCOMMIT_WAIT_SECONDS + 1
    assert logs.batches == [3]
    await down.dispose()
