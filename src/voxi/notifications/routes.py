"""Inbound text messages to a Voxi number (`POST /twilio/sms`, Twilio-signed), and the keypad press
on an escalation call (`POST /twilio/escalation-ack`, Twilio-signed and carrying our own signature).

STOP/START manage the sender's opt-out for that business; "1"/"ACK" from an escalation contact, or 1
pressed on the escalation call, acknowledges the emergency. All are idempotent, so a redelivered
webhook is harmless; the reply is TwiML.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from voxi.core.db import activate_tenant
from voxi.core.errors import Forbidden
from voxi.deps import SessionDep, SettingsDep
from voxi.emergencies.escalation import ACK_PATH, ack_signature
from voxi.emergencies.service import acknowledge_by_keypad, acknowledge_by_reply
from voxi.notifications.sms import START_WORDS, STOP_WORDS, keyword, opt_in, opt_out
from voxi.telephony.numbers import to_e164
from voxi.telephony.service import resolve_tenant_by_number
from voxi.voice.signature import TwilioForm

router = APIRouter(tags=["webhooks"])
ACK_WORDS = frozenset({"1", "ack", "acknowledge", "acknowledged"})


def _twiml(reply: str | None = None) -> Response:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return Response(str(response), media_type="text/xml")


@router.post("/twilio/sms")
async def inbound_sms(form: TwilioForm, session: SessionDep) -> Response:
    """Inbound SMS: STOP/START opt-outs and "1"/"ACK" emergency acknowledgements."""
    resolution = await resolve_tenant_by_number(session, form.get("To", ""))
    sender = to_e164(form.get("From", ""))
    if resolution.tenant_id is None or sender is None:
        return _twiml()
    await activate_tenant(session, resolution.tenant_id)
    word = keyword(form.get("Body", ""))
    if word in STOP_WORDS:
        await opt_out(session, sender)
        return _twiml()  # the carrier confirms the opt-out itself
    if word in START_WORDS:
        await opt_in(session, sender)
        return _twiml()
    if word in ACK_WORDS:
        emergency = await acknowledge_by_reply(session, sender)
        if emergency is not None:
            caller = emergency.caller_number or "unknown number"
            return _twiml(f"Thanks, {emergency.acknowledged_by}: it's yours. Caller: {caller}.")
        return _twiml("There is no open emergency waiting for you.")
    return _twiml()


@router.post(ACK_PATH)
async def escalation_call_keypad(
    form: TwilioForm,
    session: SessionDep,
    settings: SettingsDep,
    tenant: Annotated[uuid.UUID, Query()],
    emergency: Annotated[uuid.UUID, Query()],
    contact: Annotated[str, Query(max_length=120)],
    sig: Annotated[str, Query(max_length=64)],
) -> Response:
    """The escalation call's keypad press: 1 acknowledges the emergency, like a "1" text."""
    expected = ack_signature(settings, str(tenant), str(emergency), contact)
    if not hmac.compare_digest(expected, sig):
        raise Forbidden("Invalid acknowledgement link.")
    response = VoiceResponse()
    if form.get("Digits", "").strip() != "1":
        response.say("Not acknowledged. We will keep trying the next contact. Goodbye.")
        return Response(str(response), media_type="text/xml")
    await activate_tenant(session, tenant)
    acknowledged = await acknowledge_by_keypad(session, emergency, contact)
    if acknowledged is None:
        response.say("This emergency is no longer waiting for you. Goodbye.")
    else:
        caller = acknowledged.caller_number or "an unknown number"
        response.say(f"Thanks, {acknowledged.acknowledged_by}: it's yours. The caller is {caller}.")
        response.say("The details are in your text messages. Goodbye.")
    return Response(str(response), media_type="text/xml")
