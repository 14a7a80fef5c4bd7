"""New calls' logs in group commits: the rows of concurrent answering webhooks share one INSERT.

Under load, one INSERT per new call cost more CPU than all the rest of answering it: ours (a statement
through the driver and the event loop) and PostgreSQL's (a statement, a commit and a WAL flush each).
So a new call's row waits for the batch in flight, if any, and goes with the next one: one round trip
and one commit for every call that arrived meanwhile. A call that finds nothing in flight goes at once.

Row-level security still checks every row. The statement binds each row's tenant with `set_config`
as PostgreSQL produces that row, and the executor inserts (and checks) one row before producing the
next. A batch refused for its data is retried row by row, so one bad row fails only its own call;
one that fails for the database itself fails every call in it at once (each then falls back).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from weakref import WeakKeyDictionary

import orjson
import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Boolean, DateTime, String, Uuid, bindparam, cast, column, func, select
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.types import TypeEngine

from voxi.calls.models import CallLog
from voxi.core.db import Database, PsycopgStatement

# One: at saturation (bench.incoming_call's load) batches then hold ~16 rows instead of ~9 with two in
# flight, and the webhook costs ~7% less server CPU per call (263 vs 283 µs, interleaved runs). A call
# waits for at most the batch in flight and its own.
BATCHES_IN_FLIGHT = 1
# What one row can cause (a constraint, a bad value): its batch is retried row by row.
BAD_ROW = (psycopg.IntegrityError, psycopg.DataError)
# A new call's row: what `calls.service._call_row` fills in; the other columns take their defaults.
COLUMNS: dict[str, TypeEngine[Any]] = {
    "tenant_id": Uuid(),
    "id": Uuid(),
    "call_sid": String(),
    "from_number": String(),
    "to_number": String(),
    "engine": String(),
    "started_at": DateTime(timezone=True),
    "is_test": Boolean(),
    "transcript": JSONB(),
    "conversation": JSONB(),
}


def _insert_rows() -> PsycopgStatement:
    """INSERT … SELECT … FROM jsonb_to_recordset(:rows): any number of rows, one parameter, one statement.

    One JSON document (orjson) costs far less to send than an array per column, which psycopg escapes
    value by value.
    """
    rows = (
        func.jsonb_to_recordset(bindparam("rows", type_=JSONB))
        .table_valued(*(column(name, type_) for name, type_ in COLUMNS.items()))
        .render_derived(with_types=True)
    )
    tenant = cast(func.set_config("app.tenant_id", cast(rows.c.tenant_id, String), True), Uuid)
    values = select(tenant, *(rows.c[name] for name in COLUMNS if name != "tenant_id"))
    statement = (
        insert(CallLog)
        .from_select(list(COLUMNS), values)
        .on_conflict_do_nothing(index_elements=["tenant_id", "call_sid"])
        .returning(CallLog.id)
    )
    return PsycopgStatement.compile(statement)


_INSERT_ROWS = _insert_rows()

Waiting = tuple[dict[str, Any], "asyncio.Future[bool]"]


class NewCallLogs:
    """Group commits of new calls' rows over one database's autocommit pool."""

    def __init__(self, db: Database, *, batches_in_flight: int = BATCHES_IN_FLIGHT) -> None:
        self._db = db
        self._batches_in_flight = batches_in_flight
        self._waiting: list[Waiting] = []
        self._flushers: set[asyncio.Task[None]] = set()

    async def insert(self, row: dict[str, Any]) -> bool:
        """Insert a new call's row (keys: `COLUMNS`); False when its CallSid was already logged."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, done))
        if len(self._flushers) < self._batches_in_flight:
            self._flushers.add(asyncio.create_task(self._flush(), name="new-call-logs"))
        return await done

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._insert(batch)
        finally:
            # Here, not in a done callback: a row queued between this task's last look and a callback
            # would find the flusher still counted and wait for a batch that never comes.
            self._flushers.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def _insert(self, batch: list[Waiting]) -> None:
        try:
            inserted = await self._execute([row for row, _ in batch])
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        except BAD_ROW as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc)
                return
            for one in batch:  # which one? Each alone.
                await self._insert([one])
            return
        except Exception as exc:  # the database itself (down, no connection): every call falls back now
            for _, done in batch:
                _settle(done, exc)
            return
        for row, done in batch:
            _settle(done, row["id"] in inserted)

    async def _execute(self, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
        params = {**_INSERT_ROWS.params, "rows": Jsonb(rows, dumps=orjson.dumps)}
        async with self._db.autocommit() as conn:
            cursor = await conn.execute(_INSERT_ROWS.sql, params)
            return {inserted for (inserted,) in await cursor.fetchall()}


def _settle(done: asyncio.Future[bool], outcome: bool | Exception) -> None:
    if done.done():  # its request is gone (the client hung up)
        return
    if isinstance(outcome, Exception):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)


_BY_DATABASE: WeakKeyDictionary[Database, NewCallLogs] = WeakKeyDictionary()


def new_call_logs(db: Database) -> NewCallLogs:
    """The group commits of `db` (one per database, made on first use)."""
    logs = _BY_DATABASE.get(db)
    if logs is None:
        logs = _BY_DATABASE[db] = NewCallLogs(db)
    return logs
