"""MQTT topic names: checked in `check-config` and again before every publish.

A topic the assistant publishes to must be a plain name: not empty, no wildcard (`#`, `+`),
no NUL or other control character (a newline makes Mosquitto drop the connection, and a
re-queued command then makes the link flap for as long as it is kept), no line or
paragraph separator, no unpaired surrogate or Unicode noncharacter, no `$` at the start
(reserved for the broker), at most 65,535 bytes of UTF-8 (the MQTT limit).

Inner spaces are allowed: Zigbee2MQTT friendly names such as "Living Room Ceiling" are
topic levels with spaces, MQTT permits them, and a home's devices.yaml has to be able to
name those devices. Leading or trailing whitespace, of the whole topic or of one level,
is refused: it is invisible in a YAML file and almost always a typing mistake, and it
would address a different device than the one the user sees.
"""

from __future__ import annotations

import unicodedata

MAX_TOPIC_BYTES = 65535
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def topic_problem(topic: object) -> str | None:
    """Why `topic` cannot be published to (one phrase), or None if it can."""
    if not isinstance(topic, str):
        return "must be a string"
    if not topic:
        return "is empty"
    for index, char in enumerate(topic):
        if char in "#+":
            return f"contains the MQTT wildcard {char!r}"
        if unicodedata.category(char) in _REFUSED_CATEGORIES or _noncharacter(ord(char)):
            return f"contains the character U+{ord(char):04X} at {index}"
    if topic.startswith("$"):
        return "starts with '$' (reserved for the broker)"
    if any(level != level.strip() for level in topic.split("/")):
        return "has leading or trailing whitespace"
    if len(topic.encode("utf-8")) > MAX_TOPIC_BYTES:
        return f"is longer than {MAX_TOPIC_BYTES} bytes"
    return None


def within(topic: str, zone: str) -> bool:
    """True if `topic` is `zone` or lies below it (`zone/...`)."""
    return topic == zone or topic.startswith(zone.rstrip("/") + "/")


def overlaps(a: str, b: str) -> bool:
    """True if one of the two topics is, or lies below, the other."""
    return within(a, b) or within(b, a)
