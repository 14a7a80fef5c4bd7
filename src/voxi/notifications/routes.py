"""Inbound text messages to a Voxi number (`POST /twilio/sms`, Twilio-signed).

STOP/START manage the sender's opt-out for that business; "1"/"ACK" from an escalation contact
acknowledges the emergency they were texted about. Both are idempotent, so a redelivered webhook is
harmless; the reply is TwiML.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

from voxi.core.db import activate_tenant
from voxi.deps import SessionDep
from voxi.emergencies.service import acknowledge_by_reply
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
