"""The FastAPI application factory. Providers and pools are built once here and injected."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from voxi.admin.routes import router as admin_router
from voxi.agent.routes import router as tools_router
from voxi.auth.routes import router as auth_router
from voxi.billing.pages import router as billing_pages
from voxi.billing.routes import router as billing_router
from voxi.billing.routes import sandbox_router as sandbox_billing_router
from voxi.calls.pages import router as calls_pages
from voxi.calls.routes import router as calls_router
from voxi.core.bootstrap import database_from_settings, ensure_configured_admin
from voxi.core.db import Database
from voxi.core.error_handlers import install_error_handlers
from voxi.core.health import router as health_router
from voxi.core.jobs import JobServices, start_background_worker
from voxi.core.logging import configure_logging
from voxi.core.middleware import HttpSessionMiddleware, RequestContextMiddleware
from voxi.core.ratelimit import RateLimiter
from voxi.core.settings import Settings
from voxi.customers.pages import router as customers_pages
from voxi.customers.routes import router as customers_router
from voxi.emergencies.routes import router as emergencies_router
from voxi.messages.pages import router as messages_pages
from voxi.messages.routes import router as messages_router
from voxi.notifications.routes import router as inbound_sms_router
from voxi.providers import Providers, build_providers
from voxi.scheduling.pages import router as appointments_pages
from voxi.scheduling.routes import calendar_router
from voxi.scheduling.routes import router as appointments_router
from voxi.signup.pages import router as signup_pages
from voxi.signup.routes import router as signup_router
from voxi.tenancy.pages import router as settings_pages
from voxi.tenancy.routes import router as business_router
from voxi.voice.answering import AnsweringCache, listen_for_changes
from voxi.voice.elevenlabs.routes import router as elevenlabs_router
from voxi.voice.pages import router as test_call_pages
from voxi.voice.realtime.routes import router as realtime_router
from voxi.voice.routes import incoming_call_routes
from voxi.voice.routes import router as voice_router
from voxi.web import timefmt
from voxi.web.routes import router as web_router

WEB_DIR = files("voxi") / "web"


# Young objects collected after this many net new ones (CPython's default: 700).
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector from pausing a server process that holds many live objects.

    The answering cache keeps ~50 objects per business. With CPython's default thresholds, the
    objects of requests in flight get promoted at every young collection until a full collection walks
    everything: at 10,000 businesses, 600 ms pauses (3 in 8,000 calls). Requests free nearly all their
    objects by reference counting, so young collections can be rare; start-up objects (modules,
    routes, templates) are frozen out of collections altogether.
    """
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, providers: Providers | None = None
) -> FastAPI:
    """Build the app; tests may pass their own `db`/`providers`, otherwise they are built at start-up."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_garbage_collector()
        owned = None
        if getattr(app.state, "db", None) is None:
            owned = app.state.db = database_from_settings(settings)
            app.state.providers = build_providers(settings, owned)
        await ensure_configured_admin(settings, app.state.db)
        # The cache is used only while its listener runs, so it hears this process's commits just as long.
        app.state.db.commit_hooks.append(app.state.answering.on_commit)
        listener = asyncio.create_task(
            listen_for_changes(app.state.db.app_conninfo, app.state.answering), name="answering-cache"
        )
        worker = None
        if settings.run_worker_in_process:
            worker = start_background_worker(JobServices(settings, app.state.db, app.state.providers))
        yield
        listener.cancel()
        with suppress(asyncio.CancelledError):
            await listener
        app.state.db.commit_hooks.remove(app.state.answering.on_commit)
        if worker is not None:
            worker.cancel()
            with suppress(asyncio.CancelledError):
                await worker
        if owned is not None:
            await owned.dispose()

    app = FastAPI(
        title="Voxi",
        version="0.1.0",
        summary="AI phone receptionist for home-service businesses.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rate_limiter = RateLimiter(settings.redis_url)
    app.state.templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    timefmt.install(app.state.templates.env)
    app.state.answering = AnsweringCache()
    if db is not None:
        app.state.db = db
        app.state.providers = providers or build_providers(settings, db)

    install_error_handlers(app)
    app.add_middleware(
        HttpSessionMiddleware,
        secret_key=settings.derived_secret("session-cookie"),
        session_cookie="voxi_session",
        max_age=settings.session_ttl_hours * 3600,
        same_site="lax",
        https_only=settings.voxi_base_url.startswith("https://"),
    )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        # ElevenLabs posts a whole call's audio (base64 MP3) in one webhook.
        larger_bodies={"/api/elevenlabs/post-call": settings.max_audio_webhook_bytes},
    )
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    # Twilio's webhooks first: they are the busiest routes, and routes are matched in order.
    app.router.routes.extend(incoming_call_routes)
    for router in (health_router, voice_router, auth_router, business_router, admin_router, web_router):
        app.include_router(router)
    for router in (signup_router, signup_pages, billing_pages):
        app.include_router(router)
    app.include_router(billing_router)
    app.include_router(sandbox_billing_router)
    app.include_router(elevenlabs_router)
    app.include_router(realtime_router)
    for router in (emergencies_router, messages_router, inbound_sms_router, messages_pages, settings_pages):
        app.include_router(router)
    for router in (calls_router, calls_pages, test_call_pages):
        app.include_router(router)
    for router in (tools_router, appointments_router, customers_router, calendar_router):
        app.include_router(router)
    for router in (appointments_pages, customers_pages):
        app.include_router(router)
    return app
