"""The emergency rule layer, utterance by utterance: what a caller says → the kind (or None) we decide."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from voxi.emergencies.rules import SAFETY_SCRIPTS, EmergencyRules, detect_emergency

DEFAULT = EmergencyRules()

CASES: list[tuple[str, str | None]] = [
    # gas
    ("I smell gas in the kitchen", "gas_leak"),
    ("There's a strong gas smell near the furnace!", "gas_leak"),
    ("it smells like rotten eggs in the basement", "gas_leak"),
    ("I think we have a gas leak", "gas_leak"),
    ("I hear hissing by the gas meter", "gas_leak"),
    ("our propane tank is leaking", "gas_leak"),
    ("the gas leak detector is going off", "gas_leak"),
    ("My furnace died last year and now I smell gas", "gas_leak"),
    ("I smelled gas this morning and it's still there", "gas_leak"),
    ("I smelled gas last year, now I want a tune-up", None),
    ("I don't smell gas or anything, I just need a tune-up", None),
    ("Can you service my gas furnace next week?", None),
    ("how much is a gas water heater install", None),
    ("I'd like a quote on a gas leak detector", None),
    # carbon monoxide
    ("My carbon monoxide alarm is going off", "carbon_monoxide"),
    ("the CO detector keeps beeping", "carbon_monoxide"),
    ("everyone has headaches and feels dizzy since the furnace came on", "carbon_monoxide"),
    ("I think there's carbon monoxide in the house", "carbon_monoxide"),
    ("I want to install carbon monoxide detectors", None),
    # electrical / fire
    ("there are sparks coming out of the outlet", "electrical_hazard"),
    ("smoke is coming from the electrical panel", "electrical_hazard"),
    ("there's a burning smell from the breaker box", "electrical_hazard"),
    ("it smells like something burning behind the wall", "electrical_hazard"),
    ("The outlet is melted and black", "electrical_hazard"),
    ("the furnace is on fire", "electrical_hazard"),
    ("the smoke alarm is going off and I smell burning", "electrical_hazard"),
    ("I got shocked by the light switch", "electrical_hazard"),
    ("there's no smoke, the outlet just stopped working", None),
    ("it has a dusty burning smell the first time the heat runs", None),
    ("I need new spark plugs for the generator", None),
    ("can you install a smoke detector", None),
    ("our fireplace needs cleaning", None),
    # flooding
    ("a pipe burst and water is pouring into the basement", "flooding"),
    ("the basement is flooding", "flooding"),
    ("water is coming through the ceiling", "flooding"),
    ("the sewer is backing up into the shower", "flooding"),
    ("there are two inches of water in the laundry room", "flooding"),
    ("my basement flooded last year, I want a sump pump quote", None),
    ("the kitchen faucet is dripping", None),
    ("can you install flood lights", None),
    # no heat
    ("our heat is out and it's 20 degrees outside", "no_heat"),
    ("the furnace stopped working and it's 15 outside", "no_heat"),
    ("no heat, it's below zero", "no_heat"),
    ("no heat and it's freezing", "no_heat"),
    ("the heater won't turn on and it's minus 5 degrees", "no_heat"),
    ("No heat and we have a newborn baby", "no_heat"),
    ("the furnace died and my 90 year old mother lives with us, it's 40 degrees", "no_heat"),
    ("no heat but it's 80 degrees out so no rush", None),
    ("the heat isn't working, it's about 50 outside", None),
    ("the furnace quit, no idea about the temperature", None),
    ("no heat, but it's 80 degrees and there's an infant here", None),
    # no AC
    ("the AC is out and it's 100 degrees", "no_ac"),
    ("our air conditioner stopped working, it's 98 in here", "no_ac"),
    ("the a/c is blowing warm air and it's in the triple digits", "no_ac"),
    ("no AC and my grandmother is on oxygen", "no_ac"),
    ("the AC died, it's 75 degrees", None),
    ("I'd like an AC tune-up before summer", None),
    # ordinary calls
    ("I'd like to book a furnace tune-up", None),
    ("what are your hours?", None),
    ("", None),
]


@pytest.mark.parametrize(("utterance", "kind"), CASES)
def test_detects_the_right_kind(utterance: str, kind: str | None):
    match = detect_emergency(utterance, DEFAULT)
    assert (match.kind if match else None) == kind, match


def test_the_table_is_large_and_has_negatives():
    assert len(CASES) >= 40
    assert sum(1 for _, kind in CASES if kind is None) >= 15


@pytest.mark.parametrize("kind", ["gas_leak", "carbon_monoxide", "electrical_hazard"])
def test_life_safety_kinds_carry_their_fixed_script(kind: str):
    utterance = {
        "gas_leak": "I smell gas",
        "carbon_monoxide": "the carbon monoxide alarm went off",
        "electrical_hazard": "sparks are flying from the panel",
    }[kind]
    match = detect_emergency(utterance, DEFAULT)
    assert match is not None and match.severity == "life_safety"
    assert match.safety_script == SAFETY_SCRIPTS[kind]


def test_the_gas_script_tells_the_caller_to_leave_and_call_from_outside():
    match = detect_emergency("I smell gas", DEFAULT)
    assert match is not None and match.safety_script is not None
    assert match.safety_script.startswith("Please leave the building now and call 911 or your gas utility")
    assert "light switches" in match.safety_script


def test_urgent_kinds_have_no_script_and_say_why():
    match = detect_emergency("no heat and it's 20 degrees outside", DEFAULT)
    assert match is not None
    assert (match.severity, match.safety_script) == ("urgent", None)
    assert "20°F" in match.reason and "32°F" in match.reason


def test_the_most_severe_hazard_wins():
    match = detect_emergency("the basement is flooding and now I smell gas", DEFAULT)
    assert match is not None and match.kind == "gas_leak"


def test_tenant_thresholds_move_the_line():
    strict = EmergencyRules(no_heat_at_or_below_f=10, no_ac_at_or_above_f=105)
    assert detect_emergency("no heat, it's 20 degrees", strict) is None
    assert detect_emergency("no heat, it's 5 degrees", strict) is not None
    assert detect_emergency("AC is out and it's 100 degrees", strict) is None
    warm = EmergencyRules(no_heat_at_or_below_f=45)
    match = detect_emergency("the heat isn't working, it's about 40 outside", warm)
    assert match is not None and match.kind == "no_heat"


def test_switched_off_urgent_kinds_but_never_life_safety():
    off = EmergencyRules(enabled=False)
    assert detect_emergency("a pipe burst and water is everywhere", off) is None
    assert detect_emergency("no heat and it's 10 degrees", off) is None
    gas = detect_emergency("I smell gas", off)
    assert gas is not None and gas.kind == "gas_leak"


def test_rules_come_from_the_tenant_config_with_defaults():
    assert EmergencyRules.from_config(SimpleNamespace(emergency_settings={})) == EmergencyRules()
    assert EmergencyRules.from_config(SimpleNamespace()) == EmergencyRules()
    custom = EmergencyRules.from_config(
        SimpleNamespace(emergency_settings={"noHeatAtOrBelowF": 25, "escalateKinds": ["gas_leak"]})
    )
    assert custom.no_heat_at_or_below_f == 25
    assert custom.escalate_kinds == frozenset({"gas_leak"})
