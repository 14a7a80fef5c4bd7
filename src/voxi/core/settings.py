"""Voxi's configuration: every variable of DESIGN.md §3, validated once at start-up."""

from __future__ import annotations

import hashlib
import hmac
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me-in-production"  # noqa: S105 - refused outside development
MIN_SECRET_LENGTH = 32


VoiceEngineName = Literal["elevenlabs", "openai", "twilio_speech"]
VOICE_ENGINES: tuple[str, ...] = get_args(VoiceEngineName)


class Settings(BaseSettings):
    """Environment variables (and `.env`). Providers default to the real one when its credentials are set."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    voxi_env: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    voxi_data_dir: Path = Path(".voxi")
    voxi_base_url: str = "http://127.0.0.1:8000"
    voxi_secret_key: str = DEV_SECRET_KEY
    voxi_admin_email: str = ""
    voxi_admin_password: str = ""

    billing_provider: Literal["stripe", "sandbox", ""] = ""
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = "https://api.stripe.com"
    stripe_publishable_key: str = ""  # the signup page's Payment Element (pk_…)
    stripe_price_starter: str = ""
    stripe_price_professional: str = ""
    stripe_price_enterprise: str = ""
    # Days between a canceled subscription and giving its phone number back to the provider.
    number_release_grace_days: int = 30

    telephony_provider: Literal["twilio", "sandbox", ""] = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_api_base: str = "https://api.twilio.com"
    # Text messages (notifications, escalations): empty → the same provider as TELEPHONY_PROVIDER.
    sms_provider: Literal["twilio", "sandbox", ""] = ""
    sms_from_number: str = ""  # the sender when a business has no Voxi number of its own
    daily_digest_hour: int = 7  # local hour (each business's timezone) the daily digest email goes out

    voice_engine: VoiceEngineName | Literal[""] = ""  # "": chosen from the keys set
    elevenlabs_api_key: str = ""
    elevenlabs_agent_id: str = ""
    elevenlabs_webhook_secret: str = ""
    elevenlabs_api_base: str = "https://api.elevenlabs.io"
    elevenlabs_post_call_webhook_id: str = ""  # the workspace webhook `voxi elevenlabs sync-agent` points at
    elevenlabs_register_timeout_seconds: float = 3.0  # then the caller is forwarded instead
    elevenlabs_webhook_tolerance_seconds: int = 1800  # post-call signature age accepted, either side of now
    tools_secret: str = ""

    openai_api_key: str = ""
    openai_base_url: str = "https://api.openai.com/v1"
    openai_chat_model: str = "gpt-4.1-mini"  # the text brain (Twilio speech engine, simulator)
    openai_realtime_model: str = "gpt-realtime"  # the media-stream bridge (VOICE_ENGINE=openai)
    openai_websocket_base_url: str = ""  # empty: derived from OPENAI_BASE_URL (wss://…/v1/realtime)
    # What a call costs us per started minute (COGS, rolled into TenantUsage): carrier + AI voice/LLM.
    telephony_cost_per_min_cents: float = 1.0
    ai_cost_per_min_cents: float = 8.0

    smtp_url: str = ""
    mail_from: str = "Voxi <hello@voxi.local>"
    redis_url: str = ""
    port: int = 8000
    log_level: str = "INFO"
    max_body_bytes: int = 1_000_000
    max_audio_webhook_bytes: int = 60_000_000
    jwt_ttl_minutes: int = 60
    session_ttl_hours: int = 24 * 7
    login_rate_limit: str = "10/minute"
    signup_rate_limit: str = "10/hour"  # per client address
    # Run the job worker inside the web process; default: on in development (`make run`), off elsewhere.
    voxi_inprocess_worker: bool | None = None

    @model_validator(mode="after")
    def _resolve_and_check(self) -> Settings:
        if not self.billing_provider:
            self.billing_provider = "stripe" if self.stripe_secret_key else "sandbox"
        if not self.telephony_provider:
            has_twilio = self.twilio_account_sid and self.twilio_auth_token
            self.telephony_provider = "twilio" if has_twilio else "sandbox"
        if not self.voice_engine:
            self.voice_engine = (
                "elevenlabs"
                if self.elevenlabs_api_key
                else "openai"
                if self.openai_api_key
                else "twilio_speech"
            )
        self.voxi_base_url = self.voxi_base_url.rstrip("/")
        problems = self._production_problems() if self.voxi_env != "development" else []
        if problems:
            raise ValueError("Voxi refuses to start outside development:\n  - " + "\n  - ".join(problems))
        return self

    @property
    def voice_engines(self) -> tuple[str, ...]:
        """The engines this deployment can run: Twilio speech always, the others with their credentials."""
        runnable = {"twilio_speech", self.voice_engine}
        if self.openai_api_key:
            runnable.add("openai")
        if self.elevenlabs_api_key and self.elevenlabs_agent_id:
            runnable.add("elevenlabs")
        return tuple(engine for engine in VOICE_ENGINES if engine in runnable)

    def engine_for(self, tenant_choice: str | None) -> str:
        """The engine a business's calls use: its own choice (Enterprise) when runnable, else VOICE_ENGINE."""
        return tenant_choice if tenant_choice in self.voice_engines else self.voice_engine

    def _production_problems(self) -> list[str]:
        problems = []
        if self.voxi_secret_key == DEV_SECRET_KEY or len(self.voxi_secret_key) < MIN_SECRET_LENGTH:
            problems.append(
                f"VOXI_SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} chars"
            )
        if self.billing_provider == "stripe" and not (self.stripe_secret_key and self.stripe_webhook_secret):
            problems.append("BILLING_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
        prices = (self.stripe_price_starter, self.stripe_price_professional, self.stripe_price_enterprise)
        if self.billing_provider == "stripe" and not all(prices):
            problems.append("BILLING_PROVIDER=stripe needs STRIPE_PRICE_STARTER/PROFESSIONAL/ENTERPRISE")
        if self.telephony_provider == "twilio" and not (self.twilio_account_sid and self.twilio_auth_token):
            problems.append("TELEPHONY_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        if self.voice_engine == "elevenlabs" and not (self.tools_secret and self.elevenlabs_webhook_secret):
            problems.append("VOICE_ENGINE=elevenlabs needs TOOLS_SECRET and ELEVENLABS_WEBHOOK_SECRET")
        if self.voxi_admin_email and len(self.voxi_admin_password) < 12:
            problems.append("VOXI_ADMIN_PASSWORD must be at least 12 characters")
        return problems

    def derived_secret(self, purpose: str) -> str:
        """A stable secret for one purpose, derived from VOXI_SECRET_KEY (database role passwords, …)."""
        return hmac.new(self.voxi_secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()

    @cached_property
    def effective_twilio_auth_token(self) -> str:
        """The token Twilio signatures are checked with; the sandbox uses a generated local one."""
        return self.twilio_auth_token or self.derived_secret("sandbox-twilio-auth-token")

    @property
    def run_worker_in_process(self) -> bool:
        return self.is_development if self.voxi_inprocess_worker is None else self.voxi_inprocess_worker

    @property
    def is_development(self) -> bool:
        return self.voxi_env == "development"
