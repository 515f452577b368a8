"""The fixed label sets every part of the project agrees on.

The ONNX model carries copies of these lists in its metadata; the runtime refuses a
model whose lists differ, so a model and a runtime can never silently mismatch.
"""

from __future__ import annotations

from typing import Final

# The action vocabulary is fixed: tools outside the project rely on it.
INTENTS: Final[tuple[str, ...]] = (
    "turn_on", "turn_off", "set_brightness", "brightness_up", "brightness_down",
    "set_color", "set_temperature", "temperature_up", "temperature_down",
    "set_volume", "volume_up", "volume_down", "mute", "unmute", "open", "close",
    "set_position", "lock", "unlock", "start", "stop", "dock", "none",
)

# Device types follow Home Assistant domains.
DEVICE_TYPES: Final[tuple[str, ...]] = (
    "light", "switch", "fan", "media_player", "cover", "climate", "lock", "vacuum",
)

# Span kinds tagged per token (BIO). DEV: a device mention (name, alias, a kind word
# such as "lights", or a pointing word such as "that"/"it"); ROOM: a room mention
# ("kitchen", or "here"/"in here"/"this room" meaning the speaker's room); NUM: the
# number of a value ("fifty", "50", "half"); COLOR: a colour ("warm white", "red").
SPAN_KINDS: Final[tuple[str, ...]] = ("DEV", "ROOM", "NUM", "COLOR")
SLOT_TAGS: Final[tuple[str, ...]] = (
    "O", *(f"{prefix}-{kind}" for kind in SPAN_KINDS for prefix in ("B", "I")),
)

# Which value an intent takes: "percent" is an int 0..100, "degrees" a number as
# said, "color" a lowercase colour name from COLORS; None means no value.
VALUE_KIND: Final[dict[str, str | None]] = {
    intent: None for intent in INTENTS
} | {
    "set_brightness": "percent",
    "set_volume": "percent",
    "set_position": "percent",
    "set_temperature": "degrees",
    "set_color": "color",
}

# What a value may be, per value kind, before it is sent: anything outside clarifies
# (a wrong setting is worse than asking). Percentages 0-100. Temperatures as a thermostat
# takes them: 5-30 degrees Celsius, or 41-86 Fahrenheit (the same span); a number said
# without a unit is accepted in either span, so 90 (hotter than any room is set) and
# minus five are not.
PERCENT_RANGE: Final[tuple[float, float]] = (0.0, 100.0)
TEMPERATURE_RANGES: Final[dict[str, tuple[float, float]]] = {
    "celsius": (5.0, 30.0),
    "fahrenheit": (41.0, 86.0),
}

# Intents each device type accepts. Anything else is a mismatch and clarifies.
TYPE_INTENTS: Final[dict[str, frozenset[str]]] = {
    "light": frozenset({"turn_on", "turn_off", "set_brightness", "brightness_up",
                        "brightness_down", "set_color"}),
    "switch": frozenset({"turn_on", "turn_off"}),
    "fan": frozenset({"turn_on", "turn_off"}),
    "media_player": frozenset({"turn_on", "turn_off", "set_volume", "volume_up",
                               "volume_down", "mute", "unmute", "start", "stop"}),
    "cover": frozenset({"open", "close", "set_position", "stop"}),
    "climate": frozenset({"turn_on", "turn_off", "set_temperature", "temperature_up",
                          "temperature_down"}),
    "lock": frozenset({"lock", "unlock"}),
    "vacuum": frozenset({"start", "stop", "dock"}),
}

# People say "turn on the hoover" and "switch the blinds up"; the device type decides
# what that means. Applied by the resolver after the devices are known.
TYPE_INTENT_ALIASES: Final[dict[tuple[str, str], str]] = {
    ("vacuum", "turn_on"): "start",
    ("vacuum", "turn_off"): "stop",
    ("cover", "turn_on"): "open",
    ("cover", "turn_off"): "close",
    ("lock", "close"): "lock",
    ("lock", "open"): "unlock",
}

# A sensitive device asks for confirmation for every action except these, which
# only make the home safer.
SAFE_ON_SENSITIVE: Final[frozenset[str]] = frozenset({"lock"})

# Colour names the model may tag and the renderer knows (RGB for MQTT payloads).
COLORS: Final[dict[str, tuple[int, int, int]]] = {
    "red": (255, 0, 0),
    "orange": (255, 140, 0),
    "yellow": (255, 220, 0),
    "green": (0, 200, 0),
    "blue": (0, 80, 255),
    "purple": (150, 0, 210),
    "pink": (255, 105, 180),
    "white": (255, 255, 255),
    "warm white": (255, 190, 120),
    "cool white": (210, 230, 255),
    "cyan": (0, 230, 230),
    "magenta": (255, 0, 255),
    "turquoise": (64, 224, 208),
    "lavender": (190, 160, 255),
    "amber": (255, 170, 0),
    "violet": (140, 70, 255),
    "teal": (0, 140, 140),
    "gold": (255, 200, 40),
    "lime": (150, 255, 0),
    "crimson": (220, 20, 60),
}
# Other words for a colour of COLORS: "violet" is purple, "cool" is cool white.
COLOR_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "purple": ("violet", "lilac"), "white": ("daylight", "neutral"),
    "warm white": ("warm", "soft white"), "cool white": ("cool", "cold white")}

DECISIONS: Final[tuple[str, ...]] = ("act", "confirm", "clarify", "ignore")
