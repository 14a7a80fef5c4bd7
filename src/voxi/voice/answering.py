"""Who answers a called number: the business, its configuration and its numbers, cached per process.

A new call needs the business behind `To` before anything else. Reading it from the database costs three
round trips (bind the tenant, business + configuration, its numbers) on every call, for rows that change
a few times a month. So each process keeps what it read, keyed by the called number as Twilio sent it,
and forgets a business the moment any of it changes: a trigger on `tenants`, `tenant_configs`,
`number_routes` and `phone_numbers` sends `NOTIFY voxi_answering, '<tenant id>'` (migration 0015), every
process listens, and a process forgets its own commits' changes at once (`Database.commit_hooks`).
The cache is used only while its listener is connected: before the first connection and after losing
it, every call reads the database, as it would with no cache at all.

A read races with a change only in one way that matters: the change commits, its notification arrives,
and only then does a read that began earlier finish and store the old rows. Every change bumps
`generation`; a read stores its result only if the generation it began under is still current.

Cached rows are detached ORM objects shared by concurrent calls: read them, never change them.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import psycopg
import structlog

from voxi.agent.config import business_hours
from voxi.agent.hours import BusinessHours
from voxi.core.db import Database
from voxi.telephony.service import bind_tenant_by_number, live_numbers
from voxi.tenancy.models import Tenant, TenantConfig
from voxi.voice.repository import business_with_config

log = structlog.get_logger(__name__)

CHANNEL = "voxi_answering"
WATCHED_TABLES = frozenset({"tenants", "tenant_configs", "number_routes", "phone_numbers"})
NO_CONFIGURATION = "the business has no configuration"
MAX_ENTRIES = 50_000
RECONNECT_SECONDS = 1.0


@dataclass(frozen=True)
class Business:
    """A called number's business: tenant and configuration (detached), and its live numbers."""

    e164: str
    tenant: Tenant
    config: TenantConfig
    numbers: tuple[str, ...]
    # Open (True) or closed (False) → the first turn's words and conversation state, as every call to
    # this business starts the same way until it changes (then the cache reads a new `Business`).
    first_turns: dict[bool, tuple[str, dict[str, Any]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def hours(self) -> BusinessHours:
        """Built on the first call that needs them; a changed business is read again, hours and all."""
        return business_hours(self.tenant, self.config)


@dataclass(frozen=True)
class Unrouted:
    """A called number no business answers for: not a phone number, not a Voxi number, or no configuration."""

    e164: str | None
    reason: str


Answering = Business | Unrouted


class AnsweringCache:
    """Called number → its `Business`, least recently used first out; a changed business is forgotten.

    Numbers no business answers for are not cached: such calls are rare, and a number can be assigned
    at any moment.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.connected = False  # the listener is connected: notifications will arrive
        self.generation = 0
        self._entries: OrderedDict[str, Business] = OrderedDict()
        self._numbers: dict[uuid.UUID, set[str]] = {}  # tenant → its cached called numbers

    def get(self, called: str) -> Business | None:
        if not self.connected:
            return None
        found = self._entries.get(called)
        if found is not None:
            self._entries.move_to_end(called)
        return found

    def put(self, called: str, answering: Answering, generation: int) -> None:
        if not self.connected or generation != self.generation or not isinstance(answering, Business):
            return  # a change arrived while this was being read: it may already be stale
        self._entries[called] = answering
        self._numbers.setdefault(answering.tenant.id, set()).add(called)
        if len(self._entries) > self.max_entries:
            oldest_called, oldest = self._entries.popitem(last=False)
            self._numbers.get(oldest.tenant.id, set()).discard(oldest_called)

    def forget(self, tenant_id: uuid.UUID) -> None:
        self.generation += 1
        for called in self._numbers.pop(tenant_id, ()):
            self._entries.pop(called, None)

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._numbers.clear()

    def on_commit(self, changed: set[tuple[str, uuid.UUID]]) -> None:
        """This process committed a change: forget at once, before the notification comes back."""
        for table, tenant_id in changed:
            if table in WATCHED_TABLES:
                self.forget(tenant_id)

    def on_notification(self, payload: str) -> None:
        try:
            self.forget(uuid.UUID(payload))
        except ValueError:  # not a tenant id: forget everything rather than risk a stale business
            self.clear()

    def __len__(self) -> int:
        return len(self._entries)


async def answering_for(db: Database, cache: AnsweringCache, called: str) -> Answering:
    """The business answering `called`, from the cache when it can be trusted, else from the database."""
    found = cache.get(called)
    if found is not None:
        return found
    generation = cache.generation
    answering = await _read(db, called)
    cache.put(called, answering, generation)
    return answering


async def _read(db: Database, called: str) -> Answering:
    async with db.sessions() as session:
        resolution = await bind_tenant_by_number(session, called)
        if resolution.tenant_id is None:
            return Unrouted(resolution.e164, resolution.reason or "not a Voxi number")
        business = await business_with_config(session, resolution.tenant_id)
        if business is None:
            return Unrouted(resolution.e164, NO_CONFIGURATION)
        tenant, config = business
        return Business(resolution.e164 or called, tenant, config, tuple(await live_numbers(session)))


async def listen_for_changes(conninfo: str, cache: AnsweringCache) -> None:
    """Forget each business a notification names; while disconnected, turn the cache off and reconnect."""
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                cache.clear()  # whatever changed while no one was listening
                cache.connected = True
                log.info("answering_cache_listening")
                async for notification in conn.notifies():
                    cache.on_notification(notification.payload)
        except (OSError, psycopg.Error) as exc:
            log.warning("answering_cache_listener_lost", error=str(exc))
        finally:
            cache.connected = False
            cache.clear()
        await asyncio.sleep(RECONNECT_SECONDS)
