"""Every TwiML document Voxi answers with, built with the twilio SDK's `VoiceResponse`.

The fallbacks keep a caller from ever hearing dead air: forward to the business's own phone, or a short
message and a voicemail whose recording lands on the CallLog (`POST /twilio/recording`).
"""

from __future__ import annotations

from fastapi.responses import Response
from twilio.twiml.voice_response import VoiceResponse

DEFAULT_VOICE = "Polly.Joanna"
VOICEMAIL_SECONDS = 120
DIAL_TIMEOUT_SECONDS = 25


def xml(twiml: VoiceResponse | str) -> Response:
    return Response(content=str(twiml), media_type="text/xml")


def not_a_voxi_number() -> str:
    response = VoiceResponse()
    response.say(
        "Sorry, the number you dialed is not connected to a Voxi receptionist. Please check the number "
        "and try again. Goodbye.",
        voice=DEFAULT_VOICE,
    )
    response.hangup()
    return str(response)


def forward_or_voicemail(
    forwarding_number: str | None, *, business_name: str | None, recording_url: str
) -> str:
    """The business's own phone when it has one; otherwise a short message and a voicemail."""
    if forwarding_number:
        response = VoiceResponse()
        response.say("Please hold while I connect your call.", voice=DEFAULT_VOICE)
        response.dial(forwarding_number, timeout=DIAL_TIMEOUT_SECONDS)
        return str(response)
    who = business_name or "We"
    return voicemail(f"Sorry, {who} can't take your call right now.", recording_url)


def voicemail(apology: str, recording_url: str) -> str:
    response = VoiceResponse()
    response.say(
        f"{apology} Please leave your name, number and a short message after the tone.", voice=DEFAULT_VOICE
    )
    response.record(
        max_length=VOICEMAIL_SECONDS,
        play_beep=True,
        recording_status_callback=recording_url,
        recording_status_callback_method="POST",
    )
    response.say("Thank you. Goodbye.", voice=DEFAULT_VOICE)
    response.hangup()
    return str(response)


def unavailable(recording_url: str) -> str:
    """The database is down: nothing about the business is known, so a generic voicemail."""
    return voicemail("We're sorry, we can't take your call right now.", recording_url)


def gather(say: str, action_url: str, *, voice: str, language: str) -> str:
    """Speak and listen: Twilio posts what it heard (or nothing, after a silence) to `action_url`."""
    response = VoiceResponse()
    listen = response.gather(
        input="speech",
        action=action_url,
        method="POST",
        speech_timeout="auto",
        action_on_empty_result=True,
        language=language,
    )
    listen.say(say, voice=voice, language=language)
    return str(response)


def say_then_dial(say: str, number: str, *, voice: str, language: str) -> str:
    response = VoiceResponse()
    response.say(say, voice=voice, language=language)
    response.dial(number, timeout=DIAL_TIMEOUT_SECONDS)
    return str(response)


def say_then_hang_up(say: str, *, voice: str, language: str) -> str:
    response = VoiceResponse()
    response.say(say, voice=voice, language=language)
    response.hangup()
    return str(response)
