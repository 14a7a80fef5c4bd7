from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from voxi.agent.config import VARIABLE_NAMES, build_agent_config, opening_words
from voxi.agent.voices import voice_catalogue
from voxi.tenancy.defaults import default_business_hours
from voxi.tenancy.models import Tenant, TenantConfig

TUESDAY_10_AM_NY = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
SATURDAY_NOON_NY = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)


def tenant(name: str = "Acme Heating", timezone: str = "America/New_York") -> Tenant:
    return Tenant(id=uuid.UUID(int=7), name=name, timezone=timezone)


def config(**fields) -> TenantConfig:
    values = {
        "greeting": "Thanks for calling Acme Heating! How can I help?",
        "owner_name": "Dana",
        "services": [
            {"name": "AC repair", "duration_minutes": 120},
            {"name": "Tune-up", "duration_minutes": 90},
        ],
        "service_areas": ["Austin", "78701"],
        "business_hours": default_business_hours(),
        "hours_overrides": {},
        "voice": "alloy",
        "personality": "Cheerful and brief.",
        "forwarding_number": "+15125550100",
        "emergency_number": "+15125550911",
        "recording_enabled": True,
        **fields,
    }
    return TenantConfig(**values)


SHAPES = {
    "full": config(),
    "empty services": config(services=[]),
    "no areas": config(service_areas=[]),
    "closed every day": config(business_hours={}),
    "holiday override": config(hours_overrides={"2026-03-10": []}),
    "blank everything": config(
        greeting="",
        owner_name="",
        services=[],
        service_areas=[],
        business_hours={},
        personality="",
        forwarding_number=None,
        emergency_number=None,
        voice="",
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("engine", ["elevenlabs", "openai", "twilio_speech", "simulator"])
def test_every_variable_is_present_and_a_non_empty_string(shape, engine):
    agent = build_agent_config(tenant(), SHAPES[shape], phone_numbers=[], now=TUESDAY_10_AM_NY, engine=engine)
    assert tuple(agent.variables) == VARIABLE_NAMES
    assert all(isinstance(v, str) and v.strip() for v in agent.variables.values()), agent.variables
    assert agent.variables["business_id"] == str(uuid.UUID(int=7))
    assert agent.voice.engine == engine
    assert agent.voice.voice in {v.id for v in voice_catalogue(engine)}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("now", [TUESDAY_10_AM_NY, SATURDAY_NOON_NY])
def test_the_opening_words_are_the_full_configurations_first_message_and_open_state(shape, now):
    # The answering webhook greets from `opening_words` alone; it must say what the agent would.
    agent = build_agent_config(tenant(), SHAPES[shape], phone_numbers=[], now=now, engine="twilio_speech")
    assert opening_words(tenant(), SHAPES[shape], now) == (agent.first_message, agent.is_open)
    blank = opening_words(tenant(name=" "), SHAPES[shape], now)[0]
    assert blank.startswith("Hi, you've reached the AI assistant for our office")


def test_defaults_fill_an_empty_configuration():
    agent = build_agent_config(
        tenant(),
        SHAPES["blank everything"],
        phone_numbers=["+15125550123"],
        now=TUESDAY_10_AM_NY,
        engine="openai",
    )
    assert agent.variables["greeting"] == "Thanks for calling Acme Heating!"
    assert agent.variables["services"] == "general home service calls"
    assert agent.variables["hours"] == "By appointment only"
    assert agent.variables["owner_name"] == "the owner"
    assert agent.variables["emergency_phone"] == "+15125550123"
    assert "all areas" in agent.system_prompt
    assert agent.is_open is False and agent.next_opening is None


def test_prompt_states_the_business_facts_and_the_rules():
    agent = build_agent_config(tenant(), config(), phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai")
    prompt = agent.system_prompt
    for fact in (
        "Acme Heating",
        "AC repair (2 hours)",
        "Tune-up (1 hour 30 minutes)",
        "Austin, 78701",
        "Monday to Friday 8 AM to 5 PM",
        "America/New_York",
        "open now",
        "+15125550911",
        "Cheerful and brief.",
    ):
        assert fact in prompt, fact
    assert "Never say an appointment is booked, moved or cancelled unless" in prompt
    assert "Read dates and times back exactly as the tool result states them" in prompt
    assert "name, phone number and service address; ask one question at a time" in prompt
    assert "follow the safety script it returns word for word" in prompt
    assert "Never give technical repair instructions for gas, electrical" in prompt
    assert agent.variables["services"] == "AC repair (2 hours), Tune-up (1 hour 30 minutes)"


def test_closed_now_names_the_next_opening_in_local_time():
    agent = build_agent_config(tenant(), config(), phone_numbers=[], now=SATURDAY_NOON_NY, engine="openai")
    assert agent.is_open is False
    assert agent.next_opening == datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # Monday 8 AM EDT
    assert "closed now; next opening: Monday March 16 at 8 AM" in agent.system_prompt


def test_a_date_override_shows_in_the_prompt_and_closes_the_day():
    holiday = config(hours_overrides={"2026-03-10": []})
    agent = build_agent_config(tenant(), holiday, phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai")
    assert agent.is_open is False
    assert "Tuesday March 10: closed" in agent.system_prompt
    assert agent.next_opening == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


def test_the_first_sentence_discloses_the_ai_and_recording_only_when_recording():
    recorded = build_agent_config(tenant(), config(), phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai")
    first_sentence = recorded.first_message.split(". ")[0]
    assert "AI assistant" in first_sentence and "recorded" in first_sentence
    assert recorded.first_message.endswith("Thanks for calling Acme Heating! How can I help?")
    unrecorded = build_agent_config(
        tenant(), config(recording_enabled=False), phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai"
    )
    assert "AI assistant" in unrecorded.first_message.split(". ")[0]
    assert "recorded" not in unrecorded.first_message


def test_voice_follows_the_engine_and_falls_back_to_its_default():
    polly = config(voice="Polly.Matthew")
    assert (
        build_agent_config(
            tenant(), polly, phone_numbers=[], now=TUESDAY_10_AM_NY, engine="twilio_speech"
        ).voice.voice
        == "Polly.Matthew"
    )
    assert (
        build_agent_config(
            tenant(), polly, phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai"
        ).voice.voice
        == "alloy"
    )
    cedar = config(voice="cedar")
    assert (
        build_agent_config(
            tenant(), cedar, phone_numbers=[], now=TUESDAY_10_AM_NY, engine="openai"
        ).voice.voice
        == "cedar"
    )
    assert [v.id for v in voice_catalogue("openai")][:3] == ["alloy", "ash", "ballad"]
    assert len(voice_catalogue("openai")) == 10
    assert voice_catalogue("nonsense") == []
