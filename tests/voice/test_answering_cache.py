"""The per-process answering cache: used only while listening, and never serving a changed business."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from types import SimpleNamespace

import psycopg

from tests.factories.tenancy import make_tenant
from tests.factories.voice import providers_for
from tests.voice.conftest import eventually
from voxi.core.db import libpq_conninfo
from voxi.tenancy.models import TenantConfig
from voxi.voice.answering import (
    AnsweringCache,
    Business,
    answering_for,
    listen_for_changes,
)
from voxi.voice.service import TwilioCall, answer_incoming_call


@contextlib.asynccontextmanager
async def listening(db):
    cache = AnsweringCache()
    db.commit_hooks.append(cache.on_commit)
    listener = asyncio.create_task(listen_for_changes(db.app_conninfo, cache))
    try:
        await eventually(lambda: cache.connected)
        yield cache
    finally:
        listener.cancel()
        db.commit_hooks.remove(cache.on_commit)
        with contextlib.suppress(asyncio.CancelledError):
            await listener


async def test_a_change_from_another_process_is_forgotten_on_its_notification(db, database_urls):
    acme = await make_tenant(db, phone_number="+15125550301")
    await make_tenant(db, phone_number="+15125550302")
    async with listening(db) as cache:
        first = await answering_for(db, cache, "+15125550301")
        await answering_for(db, cache, "+15125550302")
        assert isinstance(first, Business) and first.tenant.id == acme.tenant.id
        assert cache.get("+15125550301") is first  # the next call needs no database
        # Another process (here: a plain connection as the owner) changes the greeting.
        owner = libpq_conninfo(database_urls.owner)
        async with await psycopg.AsyncConnection.connect(owner, autocommit=True) as conn:
            await conn.execute(
                "update tenant_configs set greeting = 'Changed!' where tenant_id = %s", (acme.tenant.id,)
            )
        await eventually(lambda: cache.get("+15125550301") is None)
        assert cache.get("+15125550302") is not None  # only the changed business is forgotten
        again = await answering_for(db, cache, "+15125550301")
        assert isinstance(again, Business) and again.config.greeting == "Changed!"


async def test_this_process_forgets_its_own_change_at_commit(db):
    acme = await make_tenant(db, phone_number="+15125550303")
    async with listening(db) as cache:
        await answering_for(db, cache, "+15125550303")
        async with db.cross_tenant("test: change a greeting") as session:
            config = await session.get(TenantConfig, acme.tenant.id)
            config.greeting = "New greeting"
            await session.commit()
        # No waiting for the notification: the commit itself forgot the business.
        assert cache.get("+15125550303") is None


async def test_a_read_that_raced_a_change_is_not_stored_and_nothing_is_cached_unconnected(db):
    acme = await make_tenant(db, phone_number="+15125550304")
    cache = AnsweringCache()
    await answering_for(db, cache, "+15125550304")
    assert len(cache) == 0  # no listener: every call reads the database
    cache.connected = True
    business = await answering_for(db, cache, "+15125550304")
    assert len(cache) == 1
    cache.forget(acme.tenant.id)
    stale_generation = cache.generation - 1
    cache.put("+15125550304", business, stale_generation)
    assert cache.get("+15125550304") is None
    assert not isinstance(await answering_for(db, cache, "+15125559999"), Business)
    assert len(cache) == 0  # an unknown number is not kept
    await answering_for(db, cache, "+15125550304")
    cache.on_notification("not-a-tenant-id")  # unreadable: forget everything
    assert len(cache) == 0


async def test_the_incoming_call_webhook_fills_and_uses_the_process_cache(db, settings):
    acme = await make_tenant(db, phone_number="+15125550305")
    providers = providers_for(settings, db)
    async with listening(db) as cache:  # a process's cache starts empty (and an empty one is falsy)
        await answer_incoming_call(
            db, settings, providers, TwilioCall("CA1", "+15125559876", "+15125550305"), cache
        )
        cached = cache.get("+15125550305")
        assert isinstance(cached, Business) and cached.tenant.id == acme.tenant.id
        await answer_incoming_call(
            db, settings, providers, TwilioCall("CA2", "+15125559876", "+15125550305"), cache
        )
        assert cache.get("+15125550305") is cached  # the second call read nothing


async def test_a_cached_business_that_changes_its_greeting_and_hours_is_greeted_anew(db, settings):
    acme = await make_tenant(db, phone_number="+15125550306")
    providers = providers_for(settings, db)
    always_open = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}

    async def greeting(sid: str) -> str:
        call = TwilioCall(sid, "+15125559876", "+15125550306")
        return await answer_incoming_call(db, settings, providers, call, cache)

    async with listening(db) as cache:
        async with db.cross_tenant("test: open around the clock") as session:
            (await session.get(TenantConfig, acme.tenant.id)).business_hours = always_open
            await session.commit()
        first = await greeting("CA1")
        assert "Thanks for calling" in first and "closed right now" not in first
        async with db.cross_tenant("test: new greeting, closed every day") as session:
            config = await session.get(TenantConfig, acme.tenant.id)
            config.greeting, config.business_hours = "Welcome to the new Acme!", {}
            await session.commit()
        again = await greeting("CA2")
        assert "Welcome to the new Acme!" in again and "closed right now" in again


def test_evicting_a_number_keeps_forgetting_the_rest_of_its_business():
    cache = AnsweringCache(max_entries=2)
    cache.connected = True
    acme, other = SimpleNamespace(id=uuid.uuid4()), SimpleNamespace(id=uuid.uuid4())
    for called, tenant in (("+15125550401", acme), ("+15125550402", other), ("+15125550403", acme)):
        cache.put(called, Business(called, tenant, None, ()), cache.generation)
    assert cache.get("+15125550401") is None  # the least recently used number went out
    cache.forget(acme.id)
    assert cache.get("+15125550403") is None  # ...and acme's other number is still forgotten with it
    assert cache.get("+15125550402") is not None
