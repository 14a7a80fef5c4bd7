"""The OpenAI Realtime engine's answer to `POST /twilio/voice`: `<Connect><Stream>` with signed parameters."""

from __future__ import annotations

from urllib.parse import urlsplit

from twilio.twiml.voice_response import Connect, VoiceResponse

from voxi.core.settings import Settings
from voxi.voice.realtime.stream_auth import StreamGrant, sign_stream


def stream_key(settings: Settings) -> str:
    return settings.derived_secret("twilio-media-stream")


def stream_url(settings: Settings) -> str:
    base = urlsplit(settings.voxi_base_url)
    # Twilio only opens wss:// streams; plain ws:// is for a local http:// development server.
    scheme = "ws" if base.scheme == "http" else "wss"
    return f"{scheme}://{base.netloc}/twilio/media-stream"


def media_stream_twiml(settings: Settings, grant: StreamGrant, *, now: float | None = None) -> str:
    """TwiML connecting the call to the bridge; the parameters expire a minute from `now`."""
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=stream_url(settings))
    for name, value in sign_stream(stream_key(settings), grant, now=now).items():
        stream.parameter(name=name, value=value)
    response.append(connect)
    return str(response)
