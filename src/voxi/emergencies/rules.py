"""The deterministic emergency layer: run on every caller utterance, before any LLM sees it.

Pure: text + the tenant's rules in, an `EmergencyMatch` (or None) out. Life-safety hazards (gas, carbon
monoxide, sparks/smoke/fire) carry a fixed safety script, word for word, never generated.

Decisions worth knowing:
- Hazards are matched per clause (split on punctuation and "but/and/so/now"), so "I smelled gas last
  year, now I want a tune-up" is a tune-up (a distant-past clause does not count) while "the furnace
  died last year and now I smell gas" is a gas leak. "Yesterday" / "this morning" still count.
- A negated hazard ("I don't smell gas", "no smoke") does not count; an installed-device mention
  ("install a CO detector") does not count, a sounding alarm ("the CO alarm is going off") does.
- No heat / no AC are emergencies only with a temperature at/past the tenant's threshold (default
  32°F / 95°F), or with a vulnerable occupant (infant, elderly, pregnant, medical condition) when the
  temperature is unknown or within 10°F of the threshold. "No heat" at 80°F is not an emergency.
- Life-safety kinds cannot be switched off by a tenant; flooding / no heat / no AC can.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from voxi.emergencies.schemas import EMERGENCY_KINDS, EmergencySettings

Severity = Literal["life_safety", "urgent"]
LIFE_SAFETY_KINDS = ("gas_leak", "carbon_monoxide", "electrical_hazard")
URGENT_KINDS = ("flooding", "no_heat", "no_ac")
VULNERABLE_MARGIN_F = 10

SAFETY_SCRIPTS: dict[str, str] = {
    "gas_leak": (
        "Please leave the building now and call 911 or your gas utility from outside. "
        "Don't use light switches, phones or anything that could make a spark inside, "
        "and don't try to find the leak yourself."
    ),
    "carbon_monoxide": (
        "Please get everyone, including pets, out into fresh air now and call 911 from outside. "
        "Don't go back inside until the fire department says it's safe."
    ),
    "electrical_hazard": (
        "If you see smoke or flames, leave the building now and call 911 from outside. "
        "Don't touch the outlet, panel or wires, and never use water on an electrical fire."
    ),
}


@dataclass(frozen=True)
class EmergencyRules:
    """One tenant's emergency settings, ready for `detect_emergency`."""

    enabled: bool = True
    no_heat_at_or_below_f: int = 32
    no_ac_at_or_above_f: int = 95
    escalate_kinds: frozenset[str] = field(default_factory=lambda: frozenset(EMERGENCY_KINDS))
    ack_timeout_minutes: int = 5

    @classmethod
    def from_settings(cls, settings: EmergencySettings) -> EmergencyRules:
        return cls(
            enabled=settings.enabled,
            no_heat_at_or_below_f=settings.no_heat_at_or_below_f,
            no_ac_at_or_above_f=settings.no_ac_at_or_above_f,
            escalate_kinds=frozenset(settings.escalate_kinds),
            ack_timeout_minutes=settings.ack_timeout_minutes,
        )

    @classmethod
    def from_config(cls, config: Any) -> EmergencyRules:
        """From a `TenantConfig` (or anything with `emergency_settings`); defaults for what is unset."""
        raw = getattr(config, "emergency_settings", None) or {}
        return cls.from_settings(EmergencySettings.model_validate(raw))


@dataclass(frozen=True)
class EmergencyMatch:
    kind: str
    severity: Severity
    safety_script: str | None
    reason: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# --- normalising and splitting -------------------------------------------------------------------

_NUMBER_WORDS = {
    "zero": 0, "five": 5, "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25, "thirty": 30,
    "thirty five": 35, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "ninety five": 95, "a hundred": 100, "one hundred": 100, "hundred": 100,
}  # fmt: skip
_NUMBER_WORD_RX = _rx(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")
_CLAUSE_SPLIT = _rx(r"[.,;!?]+|\b(?:but|and|so|now|although|though|however)\b")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("°", " degrees ")
    text = re.sub(r"\ba\s*/\s*c\b|\ba\.c\.?", "ac", text)
    text = _NUMBER_WORD_RX.sub(lambda m: str(_NUMBER_WORDS[m.group(1)]), text)
    return re.sub(r"\s+", " ", text).strip()


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(text) if c and c.strip()]


_DISTANT_PAST = _rx(
    r"\b(last (year|month|winter|summer|spring|fall|autumn|season)|(years?|months?|weeks?) ago|"
    r"a while (ago|back)|used to|back in (19|20)\d\d|in (19|20)\d\d|previous (owner|house|home))\b"
)
_NEGATION = _rx(
    r"\b(no|not|don't|dont|doesn't|didn't|never|without|isn't|haven't|hasn't|nothing|no longer)\b"
)


def _negated(clause: str, start: int) -> bool:
    """A negator among the few words before the hazard ("I don't smell gas", "no smoke")."""
    before = clause[:start].split()[-4:]
    return bool(_NEGATION.search(" ".join(before)))


# --- hazards (life safety and flooding): matched per clause --------------------------------------

_ALARM = _rx(
    r"\b(gas|carbon monoxide|co|smoke|fire)( leak)? (detector|alarm|sensor|monitor)s?\b"
    r"(?P<active>[^.]*?\b(going off|goes off|went off|is going|keeps going|beeping|sounding|alarming|"
    r"blaring|screaming|flashing red|reading high))?"
)
_ALARM_KIND = {"gas": "gas_leak", "carbon monoxide": "carbon_monoxide", "co": "carbon_monoxide"}

_HAZARDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "gas_leak",
        _rx(
            r"\b(smell|smells|smelling|smelled|smelt|odor|odour|whiff)\b[^.]*?\b(gas|propane|rotten eggs?|"
            r"sulfur|sulphur)\b|\b(gas|propane)\b[^.]*?\b(smell|smells|smelling|odor|odour|leak|leaking|"
            r"leaks|hissing)\b|\bleak(ing)? (gas|propane)\b|\brotten eggs?\b|\bhissing\b[^.]*?\b(gas|meter|"
            r"line|stove)\b"
        ),
    ),
    (
        "carbon_monoxide",
        _rx(
            r"\bcarbon monoxide\b|\b(co|carbon monoxide) poisoning\b|"
            r"\b(headaches?|dizzy|dizziness|nause\w*|light-?headed|throwing up|vomiting)\b[^.]*?"
            r"\b(furnace|heater|boiler|fumes|exhaust)\b|\b(furnace|heater|boiler|fumes|exhaust)\b[^.]*?"
            r"\b(headaches?|dizzy|dizziness|nause\w*|light-?headed|throwing up|vomiting)\b"
        ),
    ),
    (
        "electrical_hazard",
        _rx(
            r"\bspark(s|ing|ed|y)?\b(?! plug)|\bsmok(e|ing|ey|y)\b|\b(on fire|caught fire|catch(ing)? fire|"
            r"flames?|fire)\b|\b(burning|burnt|burned|electrical|melting|scorch\w*) (smell|odor|odour)\b|"
            r"\bsmell\w* (like )?(something )?(burning|burnt|electrical|melting)\b|"
            r"\b(melt(ed|ing)|scorch(ed|ing)?|charred|scorch marks?)\b[^.]*?\b(outlet|plug|wire|wires|wiring|"
            r"panel|breaker|switch|cord)\b|\b(outlet|plug|wire|wires|wiring|panel|breaker|switch|cord)\b"
            r"[^.]*?\b(melt(ed|ing)|scorch(ed|ing)?|charred|buzzing and hot|too hot to touch)\b|"
            r"\b(got|get|getting) (shocked|electrocuted)\b"
        ),
    ),
    (
        "flooding",
        _rx(
            r"\bflood(ing|ed|s)?\b(?! ?(light|lights|insurance|zone|plain|lamp))|"
            r"\b(burst|bursted|busted|broken|exploded|split|ruptured) (water |main |supply )?"
            r"(pipe|pipes|line|main|hose)\b|"
            r"\bpipes? (has |have |just )?(burst|bursted|broke|exploded|split|ruptured)\b|"
            r"\bwater (is |was |keeps |just )?(pouring|gushing|spraying|everywhere|rushing|flowing|"
            r"coming (in|through|out|up)|won't stop|pooling)\b|"
            r"\b(sewage|sewer)\b[^.]*?\b(backing up|backed up|back up|overflowing|coming up)\b|"
            r"\b(overflowing)\b|\binch(es)? of water\b|\bstanding water\b"
        ),
    ),
]
# Benign look-alikes: the dusty smell of a furnace's first run, smoke from a fireplace or grill.
_BENIGN = {
    "electrical_hazard": _rx(
        r"\bdust(y)?\b|\bfireplace\b|\bgrill\b|\bbbq\b|\bcigarettes?\b|\bfire (department|pit|wood)\b|"
        r"\bno smoking\b|\bfired\b"
    ),
}


def _hazard_in(clause: str) -> tuple[str, str] | None:
    """The first hazard kind in one clause, with the words that matched."""
    if _DISTANT_PAST.search(clause):
        return None
    for alarm in _ALARM.finditer(clause):
        if alarm.group("active") and not _negated(clause, alarm.start()):
            device = alarm.group(1)
            return _ALARM_KIND.get(device, "electrical_hazard"), alarm.group(0)
    # A detector that is not sounding is a product ("install a CO detector"), not a hazard.
    rest = _ALARM.sub(" ", clause)
    for kind, pattern in _HAZARDS:
        for found in pattern.finditer(rest):
            benign = _BENIGN.get(kind)
            if _negated(rest, found.start()) or (benign is not None and benign.search(rest)):
                continue
            return kind, found.group(0)
    return None


# --- no heat / no AC: the failure per clause, the temperature anywhere in the utterance ----------

_NO_HEAT = _rx(
    r"\b(no|without) (heat|heating)\b|\bheat(ing)? (is |has |went |just )?(out|off|gone|dead|died|quit|broke|"
    r"broken|not working|isn't working|stopped( working)?|won't (come|turn) on)\b|"
    r"\b(furnace|boiler|heater|heat pump|heating system)\b[^.]*?\b(out|died|dead|broke|broken|stopped|"
    r"not working|isn't working|won't (come|turn|start|kick) on|quit|went out|blowing cold)\b|"
    r"\bblowing cold air\b"
)
_NO_AC = _rx(
    r"\b(no|without) (ac|air|air conditioning|cooling)\b|\b(ac|air conditioning|air conditioner|air con|"
    r"central air|cooling)\b[^.]*?\b(out|died|dead|broke|broken|stopped|not working|isn't working|"
    r"won't (come|turn|start|kick) on|quit|went out|not cooling)\b|\bnot cooling\b|"
    r"\bblowing (hot|warm) air\b"
)
_DEGREES = _rx(r"(minus |negative |-)?(\d{1,3}) ?(degrees?|deg\b|f\b|fahrenheit)")
_BARE_TEMP = _rx(
    r"\b(?:it's|it is|its|it's like|it's about|only|barely|around|about) (minus |negative |-)?(\d{1,3})"
    r" (?:outside|out|out there|in here|inside|in the house|today|tonight|right now)\b"
)
_TEMP_WORDS: list[tuple[re.Pattern[str], int]] = [
    (_rx(r"\b(below (zero|0)|sub-?(zero|0))\b"), -1),
    (_rx(r"\bsingle digits\b"), 5),
    (_rx(r"\bin the teens\b"), 15),
    (_rx(r"\b(freezing|frigid)\b"), 32),
    (_rx(r"\b(triple digits|over 100)\b"), 101),
    (_rx(r"\bin the (90s|nineties)\b"), 95),
]
_VULNERABLE = _rx(
    r"\b(baby|babies|infant|newborn|toddler|elderly|senior|grand(ma|pa|mother|father|parents?)|"
    r"pregnant|oxygen|medical (condition|equipment)|disabled|disability|heart condition|asthma|"
    r"dialysis|wheelchair|chemo\w*|bedridden|hospice|\d{1,2}[- ]?months?[- ]?old|(old|older|elderly) "
    r"(man|woman|lady|person|people|parents?|mother|father|mom|dad))\b"
)
_AGE = _rx(r"\b(\d{1,3})[- ]?(?:years?|yrs?)[- ]?old\b")


def _temperatures(text: str) -> list[int]:
    values: list[int] = []
    for pattern in (_DEGREES, _BARE_TEMP):
        for found in pattern.finditer(text):
            value = int(found.group(2)) * (-1 if found.group(1) else 1)
            if -60 <= value <= 130:
                values.append(value)
    values.extend(value for pattern, value in _TEMP_WORDS if pattern.search(text))
    return values


def _vulnerable(text: str) -> str | None:
    if found := _VULNERABLE.search(text):
        return found.group(0)
    for age in _AGE.finditer(text):
        years = int(age.group(1))
        if years >= 70 or years <= 2:
            return age.group(0)
    return None


def _comfort_failure(clauses: list[str], text: str, rules: EmergencyRules) -> tuple[str, str] | None:
    temps = _temperatures(text)
    who = _vulnerable(text)
    note = f"; vulnerable occupant ({who})" if who else ""
    for kind, pattern in (("no_heat", _NO_HEAT), ("no_ac", _NO_AC)):
        if not any(pattern.search(c) and not _DISTANT_PAST.search(c) for c in clauses):
            continue
        if kind == "no_heat":
            limit, worst = rules.no_heat_at_or_below_f, min(temps, default=None)
            past = worst is not None and worst <= limit
            near = worst is None or worst <= limit + VULNERABLE_MARGIN_F
            what = f"no heat at {worst}°F (threshold {limit}°F)" if worst is not None else "no heat"
        else:
            limit, worst = rules.no_ac_at_or_above_f, max(temps, default=None)
            past = worst is not None and worst >= limit
            near = worst is None or worst >= limit - VULNERABLE_MARGIN_F
            what = f"no AC at {worst}°F (threshold {limit}°F)" if worst is not None else "no AC"
        if past or (who and near):
            return kind, what + note
    return None


def detect_emergency(text: str, rules: EmergencyRules) -> EmergencyMatch | None:
    """The most severe emergency in one caller utterance, or None."""
    normal = _normalise(text)
    if not normal:
        return None
    clauses = _clauses(normal)
    hazards = [h for c in clauses if (h := _hazard_in(c)) is not None]
    for kind in LIFE_SAFETY_KINDS:
        for found_kind, words in hazards:
            if found_kind == kind:
                return EmergencyMatch(kind, "life_safety", SAFETY_SCRIPTS[kind], f"{kind}: “{words}”")
    if not rules.enabled:
        return None
    who = _vulnerable(normal)
    for found_kind, words in hazards:
        if found_kind == "flooding":
            note = f"; vulnerable occupant ({who})" if who else ""
            return EmergencyMatch("flooding", "urgent", None, f"flooding: “{words}”{note}")
    failure = _comfort_failure(clauses, normal, rules)
    if failure is not None:
        return EmergencyMatch(failure[0], "urgent", None, failure[1])
    return None
