"""MQTT messages that carry out an action, per device preset.

Presets follow each firmware's documented MQTT API:
- zigbee2mqtt: `zigbee2mqtt/<topic>/set` with a JSON state (`brightness` 0-254,
  `brightness_step(_onoff)`, `color` as RGB, cover `state`/`position`, lock `state`).
- tasmota: `cmnd/<topic>/POWER` ON/OFF, `Dimmer` 0-100 or +/-, `Color` #RRGGBB.
- valetudo (robot vacuums): `valetudo/<topic>/BasicControlCapability/operation/set` with
  START/STOP/HOME.
- generic: `<base>/<topic>/set` with {"action": intent, "value": value}, for media players,
  thermostats and anything a Home Assistant or Node-RED automation picks up.
- template: an explicit topic and one payload per intent, `{value}` substituted.
"""

from __future__ import annotations

import json

from assistant.config import Device
from assistant.errors import AssistantError
from assistant.labels import COLORS
from assistant.types import Command

Value = int | float | str | None
_STEP_254 = 51  # one brightness step: a fifth of the range, what a dimmer button does


class RenderError(AssistantError):
    """The device's preset has no way to carry out this intent."""


def _z2m(intent: str, value: Value, device: Device) -> dict[str, object]:
    match intent:
        case "turn_on":
            return {"state": "ON"}
        case "turn_off":
            return {"state": "OFF"}
        case "set_brightness":
            pct = int(value or 0)
            return {"state": "ON" if pct > 0 else "OFF", "brightness": round(pct * 254 / 100)}
        case "brightness_up":
            return {"brightness_step_onoff": _STEP_254}
        case "brightness_down":
            return {"brightness_step": -_STEP_254}
        case "set_color":
            r, g, b = COLORS[str(value)]
            return {"state": "ON", "color": {"r": r, "g": g, "b": b}}
        case "open" | "close" | "stop" if device.type == "cover":
            return {"state": intent.upper()}
        case "set_position":
            return {"position": int(value or 0)}
        case "lock" | "unlock":
            return {"state": intent.upper()}
        case "set_temperature":
            return {"current_heating_setpoint": value}
    raise RenderError(f"zigbee2mqtt preset cannot {intent} a {device.type}")


def _tasmota(topic: str, intent: str, value: Value) -> tuple[str, str]:
    match intent:
        case "turn_on":
            return f"cmnd/{topic}/POWER", "ON"
        case "turn_off":
            return f"cmnd/{topic}/POWER", "OFF"
        case "set_brightness":
            return f"cmnd/{topic}/Dimmer", str(int(value or 0))
        case "brightness_up":
            return f"cmnd/{topic}/Dimmer", "+"
        case "brightness_down":
            return f"cmnd/{topic}/Dimmer", "-"
        case "set_color":
            r, g, b = COLORS[str(value)]
            return f"cmnd/{topic}/Color", f"#{r:02X}{g:02X}{b:02X}"
    raise RenderError(f"tasmota preset cannot {intent}")


_VALETUDO = {"start": "START", "stop": "STOP", "dock": "HOME"}


def render(device_id: str, device: Device, intent: str, value: Value) -> Command:
    """The one MQTT message that makes `device` do `intent` (already type-aliased)."""
    mqtt = device.mqtt
    if mqtt.template is not None:
        payload = mqtt.template.payloads.get(intent)
        if payload is None:
            raise RenderError(f"{device_id}: no payload template for {intent}")
        shown = "" if value is None else (json.dumps(value) if isinstance(value, str)
                                          else str(value))
        return Command(mqtt.template.topic, payload.replace("{value}", shown), device_id)
    topic = mqtt.topic or device_id
    match mqtt.preset:
        case "zigbee2mqtt":
            body = _z2m(intent, value, device)
            return Command(f"zigbee2mqtt/{topic}/set", json.dumps(body), device_id)
        case "tasmota":
            t, payload = _tasmota(topic, intent, value)
            return Command(t, payload, device_id)
        case "valetudo":
            if intent not in _VALETUDO:
                raise RenderError(f"valetudo preset cannot {intent}")
            return Command(f"valetudo/{topic}/BasicControlCapability/operation/set",
                           _VALETUDO[intent], device_id)
        case _:
            base = mqtt.base or "home"
            return Command(f"{base}/{topic}/set",
                           json.dumps({"action": intent, "value": value}), device_id)
