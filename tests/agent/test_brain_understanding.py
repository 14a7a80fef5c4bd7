"""The built-in receptionist's understanding: intents, yes/no, days, times, services, slot choice."""

from __future__ import annotations

from datetime import date

import pytest

from voxi.agent.brain.understanding import (
    changes_mind,
    detect_intent,
    find_location,
    looks_like_garbage,
    match_service,
    parse_clock,
    parse_day,
    parse_part_of_day,
    pick_option,
    yes_or_no,
)

SERVICES = [
    {"name": "AC repair"},
    {"name": "Furnace repair"},
    {"name": "System tune-up"},
    {"name": "Estimate"},
]
MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I'd like to book an appointment", "book"),
        ("My AC is broken", "book"),
        ("Can I talk to a real person?", "transfer"),
        ("I need to cancel my appointment", "cancel"),
        ("Can I reschedule to a different time?", "reschedule"),
        ("Can you take a message for Bob", "message"),
        ("What are your hours?", "hours"),
        ("Are you open now?", "hours"),
        ("Do you service Round Rock?", "areas"),
        ("What services do you offer?", "services"),
        ("No thanks, that's all. Bye", "goodbye"),
        ("blorp zzz", None),
    ],
)
def test_intents(text, intent):
    assert detect_intent(text) == intent


def test_yes_no_and_changing_minds():
    assert yes_or_no("Yes please") is True
    assert yes_or_no("Yeah, that works") is True
    assert yes_or_no("No, that's wrong") is False
    assert yes_or_no("The blue one") is None
    assert changes_mind("Actually, make it Thursday")
    assert not changes_mind("Thursday please")


def test_services_days_and_times():
    assert match_service("my air conditioner quit", SERVICES) == "AC repair"
    assert match_service("the heater is making noise", SERVICES) == "Furnace repair"
    assert match_service("just a tune up", SERVICES) == "System tune-up"
    assert match_service("I want a quote", SERVICES) == "Estimate"
    assert match_service("hello there", SERVICES) is None
    assert parse_day("tomorrow morning", MONDAY) == date(2026, 11, 24)
    assert parse_day("Thursday", MONDAY) == date(2026, 11, 26)
    assert parse_day("monday", MONDAY) == date(2026, 11, 30)  # the next one, not today
    assert parse_day("whenever", MONDAY) is None
    assert parse_part_of_day("in the afternoon") == "afternoon"
    assert parse_clock("9 am") == (9, 0)
    assert parse_clock("1:30 pm") == (13, 30)
    assert parse_clock("two pm") == (14, 0)
    assert parse_clock("at 3") == (15, 0)
    assert parse_clock("nothing") is None


def test_picking_an_offered_slot():
    options = [
        {"weekday": "tuesday", "hour": 9, "minute": 0},
        {"weekday": "tuesday", "hour": 13, "minute": 0},
        {"weekday": "wednesday", "hour": 9, "minute": 0},
    ]
    assert pick_option("the first one", options) == 0
    assert pick_option("second please", options) == 1
    assert pick_option("1 pm works", options) == 1
    assert pick_option("Wednesday", options) == 2
    assert pick_option("Wednesday at 9", options) == 2
    assert pick_option("the last one", options) == 2
    assert pick_option("Friday", options) is None


def test_locations_and_noise():
    assert find_location("Do you come out to 78701?") == "78701"
    assert find_location("I'm in Round Rock") == "Round Rock"
    assert find_location("hello") is None
    assert looks_like_garbage("hmm")
    assert looks_like_garbage("... 7 ?")
    assert not looks_like_garbage("I need help")
