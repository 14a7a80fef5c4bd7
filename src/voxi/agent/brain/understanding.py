"""What the built-in receptionist understands: intents, yes/no, day and time preferences, services.

Pure functions over lower-cased text, unit-tested on their own. Deterministic on purpose: the same words
always lead to the same turn, which is what end-to-end tests and a fresh install without an LLM need.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Checked in this order: the first intent whose phrases occur wins.
INTENT_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "transfer",
        (
            "real person",
            "a person",
            "a human",
            "human being",
            "someone real",
            "representative",
            "operator",
            "speak to someone",
            "talk to someone",
            "speak with someone",
            "talk to the owner",
            "speak to the owner",
            "transfer me",
            "connect me",
        ),
    ),
    ("cancel", ("cancel",)),
    ("reschedule", ("reschedule", "move my appointment", "change my appointment", "different time")),
    ("message", ("message", "call me back", "callback", "call back", "have someone call")),
    ("hours", ("hours", "what time do you", "when are you open", "are you open", "open now", "open today")),
    ("areas", ("service area", "areas", "do you serve", "do you service", "do you cover", "come out to")),
    ("services", ("what services", "which services", "what do you do", "do you offer", "services")),
    (
        "book",
        (
            "book",
            "schedule",
            "appointment",
            "send someone",
            "send a tech",
            "technician",
            "come out",
            "repair",
            "fix",
            "broken",
            "not working",
            "tune-up",
            "tune up",
            "estimate",
            "quote",
            "install",
        ),
    ),
    ("goodbye", ("goodbye", "bye", "that's all", "that is all", "nothing else", "no thanks", "no thank you")),
)
CHANGE_OF_MIND = ("never mind", "nevermind", "actually", "instead", "changed my mind", "forget it", "wait")
YES = (
    "yes",
    "yeah",
    "yep",
    "sure",
    "correct",
    "right",
    "ok",
    "okay",
    "please do",
    "that works",
    "sounds good",
)
NO = ("no", "nope", "not really", "don't", "do not", "wrong", "incorrect")
_WORD = re.compile(r"[a-z0-9']+")
_ZIP = re.compile(r"\b\d{5}\b")
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?(?=\W|$)")
ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2}
FILLERS = frozenset({"hmm", "hm", "um", "umm", "uh", "uhh", "er", "erm", "ah", "mm", "huh", "eh"})


def normalise(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9']){re.escape(phrase)}(?![a-z0-9'])", text) is not None


def detect_intent(text: str) -> str | None:
    text = normalise(text)
    for intent, phrases in INTENT_PHRASES:
        if any(_has_phrase(text, phrase) for phrase in phrases):
            return intent
    return None


def changes_mind(text: str) -> bool:
    text = normalise(text)
    return any(_has_phrase(text, phrase) for phrase in CHANGE_OF_MIND)


def yes_or_no(text: str) -> bool | None:
    text = normalise(text)
    no = any(_has_phrase(text, phrase) for phrase in NO)
    yes = any(_has_phrase(text, phrase) for phrase in YES)
    if yes == no:
        return None
    return yes


def match_service(text: str, services: list[dict[str, Any]]) -> str | None:
    """The configured service the caller means: the one sharing the most words (ties → listed first)."""
    said = set(words(_expand(text)))
    best, best_score = None, 0
    for service in services:
        name = str(service.get("name", ""))
        score = len(said & set(words(_expand(name))) - {"repair", "service", "system", "new"})
        if score > best_score:
            best, best_score = name, score
    return best


# Callers say "air conditioning", businesses list "AC repair".
_SYNONYMS = {
    "air conditioning": "ac",
    "air conditioner": "ac",
    "a/c": "ac",
    "cooling": "ac",
    "heater": "furnace heat",
    "heating": "furnace heat",
    "no heat": "furnace heat",
    "leaking": "leak",
    "leaky": "leak",
    "clogged": "drain",
    "clog": "drain",
    "hot water": "water heater",
    "maintenance": "tune-up",
    "tuneup": "tune-up",
    "tune up": "tune-up",
    "quote": "estimate",
}


def _expand(text: str) -> str:
    text = normalise(text)
    for phrase, canonical in _SYNONYMS.items():
        text = text.replace(phrase, f"{phrase} {canonical}")
    return text


def parse_day(text: str, today: date) -> date | None:
    """A day the caller names: today, tomorrow, a weekday (the next one), "next week"."""
    text = normalise(text)
    if _has_phrase(text, "today"):
        return today
    if _has_phrase(text, "tomorrow"):
        return today + timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if _has_phrase(text, name):
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    if _has_phrase(text, "next week"):
        return today + timedelta(days=7 - today.weekday())
    return None


def parse_part_of_day(text: str) -> str | None:
    text = normalise(text)
    for part in ("morning", "afternoon", "evening"):
        if _has_phrase(text, part):
            return part
    return None


def wants_soonest(text: str) -> bool:
    text = normalise(text)
    return any(
        _has_phrase(text, phrase)
        for phrase in (
            "asap",
            "as soon as possible",
            "soonest",
            "earliest",
            "anytime",
            "any time",
            "whenever",
        )
    )


def parse_clock(text: str) -> tuple[int, int] | None:
    """A time of day ("9", "1:30 pm", "two pm") as (hour 0-23, minute); bare 1-6 mean the afternoon."""
    text = _spelled_hours(normalise(text))
    match = _TIME.search(text)
    if match is None:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if hour > 23 or minute > 59:
        return None
    if meridiem and meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem and meridiem.startswith("a") and hour == 12:
        hour = 0
    elif not meridiem and 1 <= hour <= 6:
        hour += 12  # nobody books a 3 AM service call
    return hour, minute


_SPELLED = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "noon": 12,
}


def _spelled_hours(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return f"{_SPELLED[match.group(1)]}{match.group(2)}"

    pattern = r"\b(" + "|".join(_SPELLED) + r")(\s*(?:o'clock|a\.?m\.?|p\.?m\.?)|(?=\W*$))"
    return re.sub(pattern, replace, text)


def pick_option(text: str, options: list[dict[str, Any]]) -> int | None:
    """Which offered slot the caller chose: by position ("the second one") or by its time/day."""
    text = normalise(text)
    for word, index in ORDINALS.items():
        if _has_phrase(text, word) and index < len(options):
            return index
    if _has_phrase(text, "last") and options:
        return len(options) - 1
    clock = parse_clock(text)
    day_named = next((name for name in WEEKDAYS if _has_phrase(text, name)), None)
    for index, option in enumerate(options):
        same_clock = clock is not None and (option["hour"], option["minute"]) == clock
        same_day = day_named is not None and option["weekday"] == day_named
        if same_clock and (day_named is None or same_day):
            return index
    if day_named and clock is None:
        on_day = [i for i, option in enumerate(options) if option["weekday"] == day_named]
        if len(on_day) == 1:
            return on_day[0]
    return None


def find_location(text: str) -> str | None:
    """A ZIP code, or the words after "in"/"to"/"at" that name a town ("I'm in Round Rock")."""
    if zip_code := _ZIP.search(text):
        return zip_code.group(0)
    match = re.search(r"\b(?:in|to|at|near|serve|service|cover)\s+([A-Za-z][A-Za-z .'-]{1,40})", text)
    if match is None:
        return None
    place = re.split(r"[?.!,]| area\b| please\b", match.group(1))[0].strip()
    return place if place.lower() not in ("the", "my", "your", "a", "an", "me", "you") else None


def looks_like_garbage(text: str) -> bool:
    """Noise the speech recogniser let through: no word of two letters or more that is not a filler."""
    return not any(len(word) >= 2 and word.isalpha() and word not in FILLERS for word in words(text))
