"""act | confirm | clarify | ignore: what the assistant does with what it understood.

Safety first: a wrong action (unlocking a door, switching off the wrong device) is worse
than asking again, so anything uncertain clarifies and sensitive devices confirm.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import HomeConfig, Policy
from assistant.labels import PERCENT_RANGE, SAFE_ON_SENSITIVE, TEMPERATURE_RANGES, VALUE_KIND
from assistant.resolve import Resolution

# Confidence a command needs when it names nothing and its words imply the device ("it's
# freezing in here"), and any command on a sensitive device (a lock, the garage door):
# higher than for a named ordinary device, because a wrong reading costs more.
IMPLIED_CONFIDENCE = 0.9


@dataclass(frozen=True)
class Decision:
    decision: str  # act | confirm | clarify | ignore
    reason: str


def decide(policy: Policy, config: HomeConfig, intent: str, *, confidence: float,
           p_none: float, resolution: Resolution | None, value: object,
           unit: str | None = None) -> Decision:
    """The policy, in order: not a command, unsure, unresolved, no value, value out of
    range, sensitive, act. `unit` is the temperature unit said, if any."""
    if intent == "none" or p_none >= policy.ignore_threshold:
        return Decision("ignore", f"not a command (p_none {p_none:.2f})")
    if confidence < policy.act_threshold:
        return Decision("clarify", f"unsure ({intent} {confidence:.2f})")
    if resolution is None or resolution.problem or not resolution.targets:
        problem = resolution.problem if resolution else "no device"
        return Decision("clarify", problem or "no device")
    if resolution.implied and confidence < IMPLIED_CONFIDENCE:
        return Decision("clarify", f"unsure, and no device named ({intent} {confidence:.2f})")
    for own in resolution.intents:
        if VALUE_KIND[own] is not None and value is None:
            return Decision("clarify", f"{own.replace('_', ' ')} to what?")
        problem = out_of_range(own, value, unit)
        if problem:
            return Decision("clarify", problem)
    if confidence < IMPLIED_CONFIDENCE and any(config.devices[t].sensitive
                                               for t in resolution.targets):
        # Even locking: a lock or a garage door is never touched on a doubtful reading.
        return Decision("clarify", f"unsure, and {resolution.targets[0]} is sensitive "
                                   f"({intent} {confidence:.2f})")
    sensitive = [t for t, own in zip(resolution.targets, resolution.intents, strict=True)
                 if config.devices[t].sensitive and own not in SAFE_ON_SENSITIVE]
    if sensitive:
        return Decision("confirm", f"{', '.join(sensitive)} is sensitive")
    return Decision("act", "")


def out_of_range(intent: str, value: object, unit: str | None = None) -> str | None:
    """Why `value` cannot be sent for `intent` (labels.PERCENT_RANGE, TEMPERATURE_RANGES),
    or None when it can."""
    kind = VALUE_KIND.get(intent)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if kind == "percent":
        low, high = PERCENT_RANGE
        if not low <= value <= high:
            return f"{value} % is out of range ({low:g}-{high:g})"
    elif kind == "degrees":
        ranges = [TEMPERATURE_RANGES[unit]] if unit in TEMPERATURE_RANGES else list(
            TEMPERATURE_RANGES.values())
        if not any(low <= value <= high for low, high in ranges):
            spans = " or ".join(f"{lo:g}-{hi:g}" for lo, hi in ranges)
            return f"{value} degrees is out of range ({spans})"
    return None
