"""Every vendor adapter, built once at start-up from settings and injected (never configured at import).

Each is an interface with a real implementation on the vendor's SDK and a sandbox one; the real one is
chosen when its credentials are set (see `Settings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voxi.agent.brain.base import ConversationBrain
from voxi.agent.brain.builtin import BuiltInReceptionist
from voxi.agent.brain.llm import build_brain
from voxi.billing.providers.base import Billing
from voxi.billing.providers.sandbox import SandboxBilling
from voxi.billing.providers.stripe import StripeBilling
from voxi.core.db import Database
from voxi.core.settings import Settings
from voxi.notifications.providers.mailer import Mailer, build_mailer
from voxi.notifications.providers.sms import SmsSender, build_sms
from voxi.telephony.providers.base import Telephony
from voxi.telephony.providers.sandbox import SandboxTelephony
from voxi.telephony.providers.twilio import TwilioTelephony
from voxi.voice.elevenlabs.client import ElevenLabsApi, build_elevenlabs
from voxi.voice.realtime.openai_connector import build_realtime_connector
from voxi.voice.realtime.transport import RealtimeConnector


@dataclass
class Providers:
    mailer: Mailer
    billing: Billing
    telephony: Telephony
    sms: SmsSender
    realtime: RealtimeConnector | None = None  # OpenAI Realtime sessions for the media-stream bridge
    elevenlabs: ElevenLabsApi | None = None  # register-call and agent sync; None without a key
    # The text conversation engine (Twilio speech, simulator): OpenAI chat with a key, else built-in.
    brain: ConversationBrain = field(default_factory=BuiltInReceptionist)


def build_providers(settings: Settings, db: Database) -> Providers:
    return Providers(
        mailer=build_mailer(settings.smtp_url, settings.mail_from, db.sessions),
        billing=build_billing(settings, db),
        telephony=build_telephony(settings, db),
        sms=build_sms(settings, db.sessions),
        realtime=build_realtime_connector(
            settings.openai_api_key, settings.openai_base_url, settings.openai_websocket_base_url
        ),
        elevenlabs=build_elevenlabs(
            settings.elevenlabs_api_key, settings.elevenlabs_api_base, settings.elevenlabs_agent_id
        ),
        brain=build_brain(settings),
    )


def build_billing(settings: Settings, db: Database) -> Billing:
    if settings.billing_provider == "stripe":
        return StripeBilling(settings)
    return SandboxBilling(settings, db.sessions)


def build_telephony(settings: Settings, db: Database) -> Telephony:
    if settings.telephony_provider == "twilio":
        return TwilioTelephony(settings)
    return SandboxTelephony(db.sessions)
