"""act | confirm | clarify | ignore: what the assistant does with what it understood.

Safety first: a wrong action (unlocking a door, switching off the wrong device) is worse
than asking again, so anything uncertain clarifies and sensitive devices confirm.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import HomeConfig, Policy
from assistant.labels import SAFE_ON_SENSITIVE, VALUE_KIND
from assistant.resolve import Resolution


@dataclass(frozen=True)
class Decision:
    decision: str  # act | confirm | clarify | ignore
    reason: str


def decide(policy: Policy, config: HomeConfig, intent: str, *, confidence: float,
           p_none: float, resolution: Resolution | None, value: object) -> Decision:
    """The policy, in order: not a command, unsure, unresolved, no value, sensitive, act."""
    if intent == "none" or p_none >= policy.ignore_threshold:
        return Decision("ignore", f"not a command (p_none {p_none:.2f})")
    if confidence < policy.act_threshold:
        return Decision("clarify", f"unsure ({intent} {confidence:.2f})")
    if resolution is None or resolution.problem or not resolution.targets:
        problem = resolution.problem if resolution else "no device"
        return Decision("clarify", problem or "no device")
    for own in resolution.intents:
        if VALUE_KIND[own] is not None and value is None:
            return Decision("clarify", f"{own.replace('_', ' ')} to what?")
    sensitive = [t for t, own in zip(resolution.targets, resolution.intents, strict=True)
                 if config.devices[t].sensitive and own not in SAFE_ON_SENSITIVE]
    if sensitive:
        return Decision("confirm", f"{', '.join(sensitive)} is sensitive")
    return Decision("act", "")
