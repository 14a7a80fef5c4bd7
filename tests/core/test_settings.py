from __future__ import annotations

import pytest

from voxi.core.settings import DEV_SECRET_KEY, Settings


def test_development_runs_on_sandboxes_with_defaults():
    settings = Settings(_env_file=None, voxi_env="development")
    assert (settings.billing_provider, settings.telephony_provider, settings.voice_engine) == (
        "sandbox",
        "sandbox",
        "twilio_speech",
    )
    assert settings.effective_twilio_auth_token  # a generated local token for signature checks


def test_real_providers_are_chosen_when_credentials_are_present():
    settings = Settings(
        _env_file=None,
        stripe_secret_key="sk_test_x",
        twilio_account_sid="AC1",
        twilio_auth_token="tok",
        elevenlabs_api_key="el",
        openai_api_key="sk-x",
    )
    assert (settings.billing_provider, settings.telephony_provider, settings.voice_engine) == (
        "stripe",
        "twilio",
        "elevenlabs",
    )
    assert Settings(_env_file=None, openai_api_key="sk-x").voice_engine == "openai"


def test_production_refuses_default_and_missing_secrets():
    with pytest.raises(ValueError, match="VOXI_SECRET_KEY") as error:
        Settings(
            _env_file=None,
            voxi_env="production",
            voxi_secret_key=DEV_SECRET_KEY,
            stripe_secret_key="sk_live_x",
            elevenlabs_api_key="el",
        )
    message = str(error.value)
    assert "STRIPE_WEBHOOK_SECRET" in message and "TOOLS_SECRET" in message
    with pytest.raises(ValueError, match="VOXI_SECRET_KEY"):
        Settings(_env_file=None, voxi_env="production", voxi_secret_key="")


def test_production_starts_with_real_secrets():
    settings = Settings(_env_file=None, voxi_env="production", voxi_secret_key="k" * 48)
    assert settings.voxi_env == "production"
