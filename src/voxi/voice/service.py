"""Answering Twilio's call webhooks: route the call, let the engine answer, never leave dead air.

Unknown number → a polite "not a Voxi number". A suspended, canceled or deactivated business, a failing
engine or a failing database → forward to the business's own phone, else a short message and a
voicemail. Every call to a business leaves a CallLog (while the database is up; a voicemail left while it
was down creates its CallLog when the recording arrives).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from voxi.calls.models import CallLog
from voxi.calls.service import (
    TERMINAL_STATUSES,
    CostRates,
    NewCall,
    call_by_sid,
    close_call,
    log_new_call,
    open_call,
    set_outcome,
)
from voxi.core.db import Database, activate_tenant
from voxi.core.settings import Settings
from voxi.core.tenant_context import set_current_tenant
from voxi.telephony.service import bind_tenant_by_number
from voxi.tenancy.models import Tenant, TenantStatus
from voxi.voice import twiml
from voxi.voice.answering import NO_CONFIGURATION, AnsweringCache, Unrouted, answering_for
from voxi.voice.conversation import take_turn
from voxi.voice.engines import IncomingCall, engine_for, speech_twiml
from voxi.voice.repository import business_with_config

if TYPE_CHECKING:
    from voxi.providers import Providers

log = structlog.get_logger(__name__)

NOT_ANSWERING = frozenset({TenantStatus.SUSPENDED, TenantStatus.CANCELED})


@dataclass(frozen=True)
class TwilioCall:
    """The fields of Twilio's voice webhooks Voxi uses."""

    call_sid: str
    from_number: str
    to_number: str

    @classmethod
    def from_form(cls, form: dict[str, str]) -> TwilioCall:
        return cls(form.get("CallSid", ""), form.get("From", ""), form.get("To", ""))


def answers_calls(tenant: Tenant) -> bool:
    return tenant.deactivated_at is None and tenant.status not in NOT_ANSWERING


def recording_callback(settings: Settings, call: TwilioCall) -> str:
    # Recording callbacks carry no To/From: the called number rides in the (signed) URL.
    query = urlencode({"to": call.to_number, "from": call.from_number})
    return f"{settings.voxi_base_url}/twilio/recording?{query}"


async def answer_incoming_call(
    db: Database,
    settings: Settings,
    providers: Providers,
    call: TwilioCall,
    cache: AnsweringCache | None = None,
) -> str:
    """TwiML for a new call. Whatever fails, the caller hears something useful.

    `cache`: the process's answering cache (none: read the business from the database).
    """
    try:
        # Not `cache or ...`: an empty cache is falsy, and a process's cache starts empty.
        return await _route(db, settings, providers, AnsweringCache() if cache is None else cache, call)
    except Exception as exc:  # noqa: BLE001 - the database (or anything) failed: a generic voicemail
        log.error("incoming_call_failed", call_sid=call.call_sid, error=repr(exc))
        return twiml.unavailable(recording_callback(settings, call))


async def _route(
    db: Database, settings: Settings, providers: Providers, cache: AnsweringCache, call: TwilioCall
) -> str:
    answering = await answering_for(db, cache, call.to_number)
    if isinstance(answering, Unrouted):
        if answering.reason == NO_CONFIGURATION:
            log.warning("call_to_business_without_config", to=answering.e164, call_sid=call.call_sid)
            return twiml.unavailable(recording_callback(settings, call))
        log.info("call_to_unknown_number", to=call.to_number, reason=answering.reason, call_sid=call.call_sid)
        return twiml.not_a_voxi_number()
    tenant, config = answering.tenant, answering.config
    set_current_tenant(tenant.id)
    fallback = _Fallback(config.forwarding_number, tenant.name, settings)
    if not answers_calls(tenant):
        reason = f"business is {tenant.status.lower()}"
        return await fallback.answer_in(db, tenant.id, call, answering.e164, reason=reason)
    engine = engine_for(settings.engine_for(config.voice_engine))
    logged = NewCall(tenant.id, call.call_sid, call.from_number, answering.e164, engine.name)
    try:
        engine.open(answering, logged)
        logged.id = await log_new_call(db, logged)
        return await engine.answer(IncomingCall(settings, providers, answering, logged))
    except Exception as exc:  # an engine must never cost the caller the call
        log.error("voice_engine_failed", engine=engine.name, call_sid=call.call_sid, error=repr(exc))
        reason = f"the {engine.name} engine failed"
        return await fallback.answer_in(db, tenant.id, call, answering.e164, reason=reason)


@dataclass(frozen=True)
class _Fallback:
    """Forwarding or voicemail for one business, captured before anything can expire the ORM rows."""

    forwarding_number: str | None
    business_name: str
    settings: Settings  # the voicemail's recording callback is built only if it is needed

    async def answer_in(
        self, db: Database, tenant_id: uuid.UUID, call: TwilioCall, to_number: str, *, reason: str
    ) -> str:
        async with db.sessions() as session:
            await activate_tenant(session, tenant_id)
            answer = await self.answer(session, call, to_number, reason=reason)
            await session.commit()
            return answer

    async def answer(self, session: AsyncSession, call: TwilioCall, to_number: str, *, reason: str) -> str:
        engine = "forward" if self.forwarding_number else "voicemail"
        logged = await open_call(
            session, call_sid=call.call_sid, from_number=call.from_number, to_number=to_number, engine=engine
        )
        logged.engine = engine  # the call may have been logged for an engine that then failed
        if self.forwarding_number:
            summary = f"Forwarded to {self.forwarding_number}: {reason}."
            await set_outcome(session, logged.id, "transferred", summary=summary)
        else:
            logged.summary = f"Sent to voicemail: {reason}."
        log.warning("call_fallback", engine=engine, reason=reason, call_sid=call.call_sid)
        return twiml.forward_or_voicemail(
            self.forwarding_number,
            business_name=self.business_name,
            recording_url=recording_callback(self.settings, call),
        )


async def continue_conversation(
    db: Database, settings: Settings, providers: Providers, tenant_id: uuid.UUID, call: TwilioCall, heard: str
) -> str:
    """The Twilio speech engine's next turn: what the caller said (or silence) → the brain → TwiML."""
    fallback_url = recording_callback(settings, call)
    try:
        async with db.sessions() as session:
            await activate_tenant(session, tenant_id)
            business = await business_with_config(session, tenant_id)
            if business is None:
                return twiml.unavailable(fallback_url)
            tenant, config = business
            fallback = _Fallback(config.forwarding_number, tenant.name, settings)
            logged = await call_by_sid(session, call.call_sid) or await open_call(
                session,
                call_sid=call.call_sid,
                from_number=call.from_number,
                to_number=call.to_number,
                engine="twilio_speech",
            )
            try:
                reply = await take_turn(session, logged, providers.brain, heard)
                answer = speech_twiml(reply, settings, config)
            except Exception as exc:  # a brain failure mid-call: hand the caller to a person
                log.error("conversation_turn_failed", call_sid=call.call_sid, error=repr(exc))
                await session.rollback()
                answer = await fallback.answer(
                    session, call, call.to_number, reason="the conversation failed"
                )
            await session.commit()
            return answer
    except Exception as exc:
        log.error("conversation_turn_database_failed", call_sid=call.call_sid, error=repr(exc))
        return twiml.unavailable(fallback_url)


async def record_call_status(
    db: Database, settings: Settings, call: TwilioCall, status: str, duration: int
) -> None:
    """Close the CallLog on a final status (repeats change nothing); other statuses are ignored."""
    if status not in TERMINAL_STATUSES:
        return
    async with db.sessions() as session:
        resolution = await bind_tenant_by_number(session, call.to_number)
        if resolution.tenant_id is None:
            return
        closed = await close_call(
            session,
            call.call_sid,
            status=status,
            duration_seconds=duration,
            rates=CostRates.from_settings(settings),
        )
        if closed is None:
            log.warning("status_for_unknown_call", call_sid=call.call_sid)
        await session.commit()


async def record_voicemail(
    db: Database, call: TwilioCall, recording_url: str, seconds: int
) -> CallLog | None:
    """Put a voicemail's recording on its CallLog (creating it if the call came while the DB was down)."""
    async with db.sessions() as session:
        resolution = await bind_tenant_by_number(session, call.to_number)
        if resolution.tenant_id is None:
            return None
        logged = await open_call(
            session,
            call_sid=call.call_sid,
            from_number=call.from_number,
            to_number=resolution.e164 or call.to_number,
            engine="voicemail",
        )
        logged.recording_url = recording_url
        await set_outcome(session, logged.id, "message", summary=f"Voicemail left ({seconds} s).")
        await session.commit()
        return logged
