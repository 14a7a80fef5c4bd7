"""The emergency rule layer every brain runs on every caller utterance, before anything else.

Life-safety hazards get the fixed safety script first (never generated), then the emergency is reported
(EmergencyLog + escalation chain, through the `report_emergency` tool), then a transfer is offered.
"""

from __future__ import annotations

from voxi.agent.brain.base import BrainReply
from voxi.agent.brain.turn import Turn
from voxi.emergencies.rules import EmergencyRules, detect_emergency

OFFER_TRANSFER = "Would you like me to connect you to our on-call technician right now?"


async def emergency_reply(turn: Turn, text: str) -> BrainReply | None:
    match = detect_emergency(text, EmergencyRules.from_config(turn.config))
    if match is None:
        return None
    state = turn.state
    parts = []
    if match.severity == "life_safety" and match.safety_script:
        parts.append(match.safety_script)
    if match.kind not in state.slots.setdefault("emergencies", []):
        result = await turn.tool(
            "report_emergency", kind=match.kind, description=text[:500], severity=match.severity
        )
        state.slots["emergencies"].append(match.kind)
        said = result.say.replace(match.safety_script or "\0", "").strip()  # the script is said once, first
        parts.append(said if result.ok and said else "I've flagged this as an emergency for our team.")
    parts.append(OFFER_TRANSFER)
    urgency = "emergency" if match.severity == "life_safety" else "urgent"
    state.record("emergency", f"Emergency ({match.kind.replace('_', ' ')}): {text[:160]}", urgency=urgency)
    state.flow, state.step = "emergency", "offer_transfer"
    return BrainReply(" ".join(parts))
