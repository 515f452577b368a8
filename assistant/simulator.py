"""A device simulator: fake firmware on a real broker, for tests and the demo.

It subscribes to the command topics of a list of devices, applies each command to a
state dict the way the real firmware would, and publishes the new state like that
firmware does:

- zigbee2mqtt: `<base>/<name>/set` (JSON) -> full state JSON on `<base>/<name>`, retained.
  Lights keep a level 1..254 that survives OFF; `brightness` is clamped to 0..254 and 0
  switches off; `brightness_step_onoff` switches on when stepping up from off and off when
  stepping below 1; `brightness_step` does nothing while off (ZCL "execute if off" unset).
- tasmota: `cmnd/<topic>/POWER|Dimmer|Color` -> `stat/<topic>/RESULT` (JSON) and
  `stat/<topic>/POWER`, not retained (Tasmota's default). `Dimmer +`/`-` step by 10.
- valetudo: `<base>/<topic>/BasicControlCapability/operation/set` START|STOP|PAUSE|HOME ->
  `<base>/<topic>/StatusStateAttribute/status`, retained. HOME reports `returning`, then
  `docked` after `dock_delay_s`.
- generic: `<base>/<topic>/set` with `{"action": <intent>, "value": ...}` -> the device's
  state dict as JSON on `<base>/<topic>/state`, retained. Volume steps by 10, the
  thermostat setpoint by 1 degree, brightness by 10 %.

It also checks the assistant's manners: commands received with the retain flag set
(seen through MQTT 5 "retain as published") or with QoS 0 are counted, and commands the
firmware would reject are recorded in `errors`.

Run it as a process for the demo:

    python -m assistant.simulator --port 1883 --devices devices.yaml
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from assistant.mqtt import MqttError, MqttSettings, configure_client

log = logging.getLogger(__name__)

PRESETS = ("zigbee2mqtt", "tasmota", "valetudo", "generic")
_DEFAULT_BASE = {"zigbee2mqtt": "zigbee2mqtt", "tasmota": "", "valetudo": "valetudo",
                 "generic": "home"}

# Generic devices: which actions each Home Assistant domain accepts.
_GENERIC_ACTIONS: dict[str, frozenset[str]] = {
    "light": frozenset({"turn_on", "turn_off", "set_brightness", "brightness_up",
                        "brightness_down", "set_color", "set_temperature"}),
    "switch": frozenset({"turn_on", "turn_off"}),
    "fan": frozenset({"turn_on", "turn_off"}),
    "media_player": frozenset({"turn_on", "turn_off", "set_volume", "volume_up",
                               "volume_down", "mute", "unmute", "start", "stop"}),
    "cover": frozenset({"open", "close", "set_position", "stop"}),
    "climate": frozenset({"turn_on", "turn_off", "set_temperature", "temperature_up",
                          "temperature_down"}),
    "lock": frozenset({"lock", "unlock"}),
    "vacuum": frozenset({"start", "stop", "dock", "turn_on", "turn_off"}),
}
_GENERIC_INITIAL: dict[str, dict[str, Any]] = {
    "light": {"power": False, "brightness": 100, "color": None},
    "switch": {"power": False},
    "fan": {"power": False},
    "media_player": {"power": False, "volume": 30, "muted": False, "playing": False},
    "cover": {"position": 0},
    "climate": {"power": True, "setpoint": 20.0},
    "lock": {"locked": True},
    "vacuum": {"status": "docked"},
}
SETPOINT_RANGE = (5.0, 35.0)  # what a typical thermostat accepts, degrees C
VOLUME_STEP = 10
BRIGHTNESS_STEP_PCT = 10
TASMOTA_DIMMER_STEP = 10


class RejectedCommandError(ValueError):
    """The firmware would refuse this command (the renderer sent something wrong)."""


@dataclass(frozen=True)
class SimDevice:
    """One simulated device and how it is addressed."""

    id: str
    """Device id (as in devices.yaml)."""
    preset: str
    """zigbee2mqtt | tasmota | valetudo | generic."""
    type: str = ""
    """Home Assistant domain (light, switch, cover, ...): initial state and checks; "" any."""
    topic: str = ""
    """Z2M friendly name / Tasmota topic / Valetudo topic / generic topic; default: id."""
    base: str = ""
    """Topic base: zigbee2mqtt, valetudo, or the generic base ("home"); default per preset."""

    def __post_init__(self) -> None:
        if self.preset not in PRESETS:
            raise ValueError(f"device {self.id}: unknown preset {self.preset!r} "
                             f"(one of {', '.join(PRESETS)})")
        if self.type and self.type not in _GENERIC_ACTIONS:
            raise ValueError(f"device {self.id}: unknown type {self.type!r}")

    @property
    def name(self) -> str:
        return self.topic or self.id

    @property
    def prefix(self) -> str:
        return self.base or _DEFAULT_BASE[self.preset]

    @property
    def command_topic(self) -> str:
        """The topic (filter, for tasmota) this device listens on."""
        if self.preset == "zigbee2mqtt":
            return f"{self.prefix}/{self.name}/set"
        if self.preset == "tasmota":
            return f"cmnd/{self.name}/+"
        if self.preset == "valetudo":
            return f"{self.prefix}/{self.name}/BasicControlCapability/operation/set"
        return f"{self.prefix}/{self.name}/set"

    @property
    def state_topic(self) -> str:
        if self.preset == "zigbee2mqtt":
            return f"{self.prefix}/{self.name}"
        if self.preset == "tasmota":
            return f"stat/{self.name}/RESULT"
        if self.preset == "valetudo":
            return f"{self.prefix}/{self.name}/StatusStateAttribute/status"
        return f"{self.prefix}/{self.name}/state"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SimDevice:
        """From a devices.yaml-like entry: `id`, `type`, and `preset`/`topic`/`base`
        either at the top level or under `mqtt:`."""
        mqtt_part = data.get("mqtt")
        sub: Mapping[str, Any] = mqtt_part if isinstance(mqtt_part, Mapping) else {}

        def pick(key: str) -> str:
            value = sub.get(key, data.get(key, ""))
            return "" if value is None else str(value)

        return cls(id=str(data["id"]), preset=pick("preset") or "generic",
                   type=str(data.get("type") or ""), topic=pick("topic"), base=pick("base"))


@dataclass(frozen=True)
class ReceivedCommand:
    """One command as the simulator saw it on the wire."""

    device_id: str
    topic: str
    payload: str
    qos: int
    retain: bool
    at: float  # time.monotonic()


def _initial_state(dev: SimDevice) -> dict[str, Any]:
    if dev.preset == "zigbee2mqtt":
        if dev.type == "light":
            return {"state": "OFF", "brightness": 254}
        if dev.type == "cover":
            return {"state": "CLOSE", "position": 0}
        if dev.type == "lock":
            return {"state": "LOCK", "lock_state": "locked"}
        return {"state": "OFF"}
    if dev.preset == "tasmota":
        if dev.type == "light":
            return {"POWER": "OFF", "Dimmer": 100, "Color": "FFFFFF"}
        return {"POWER": "OFF"}
    if dev.preset == "valetudo":
        return {"status": "docked"}
    return copy.deepcopy(_GENERIC_INITIAL.get(dev.type, {}))


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or value is None:
        raise RejectedCommandError(f"{what} needs a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RejectedCommandError(f"{what} needs a number, got {value!r}") from None


# -- zigbee2mqtt -----------------------------------------------------------------------

_Z2M_ONOFF = {"ON", "OFF", "TOGGLE"}
_Z2M_COVER = {"OPEN", "CLOSE", "STOP"}
_Z2M_LOCK = {"LOCK", "UNLOCK"}
_Z2M_LIGHT_KEYS = {"state", "brightness", "brightness_step", "brightness_step_onoff",
                   "color", "color_temp", "transition"}
_Z2M_KEYS_BY_TYPE = {
    "light": _Z2M_LIGHT_KEYS,
    "switch": {"state"},
    "fan": {"state", "fan_mode"},
    "cover": {"state", "position"},
    "lock": {"state"},
}


def apply_z2m(dev: SimDevice, state: dict[str, Any], payload: str) -> None:
    """Apply one `<base>/<name>/set` JSON payload, as Zigbee2MQTT and the device would."""
    try:
        cmd = json.loads(payload)
    except json.JSONDecodeError:
        raise RejectedCommandError(f"not JSON: {payload!r}") from None
    if not isinstance(cmd, dict) or not cmd:
        raise RejectedCommandError(f"expected a JSON object, got {payload!r}")
    allowed = _Z2M_KEYS_BY_TYPE.get(dev.type, _Z2M_LIGHT_KEYS | {"position"})
    unknown = set(cmd) - allowed
    if unknown:
        raise RejectedCommandError(
            f"no converter for {sorted(unknown)} on a {dev.type or 'device'}"
        )
    word = _z2m_state(dev, state, cmd.get("state"))
    if "position" in cmd:
        pos = int(_clamp(round(_number(cmd["position"], "position")), 0, 100))
        state["position"] = pos
        state["state"] = "OPEN" if pos > 0 else "CLOSE"
    _z2m_brightness(state, cmd)
    if word == "OFF":  # {"state": "OFF", "brightness": n} stores the level, stays off
        state["state"] = "OFF"
    if "color" in cmd:
        state["color"] = _z2m_color(cmd["color"])
    if "color_temp" in cmd:
        state["color_temp"] = int(_clamp(round(_number(cmd["color_temp"], "color_temp")),
                                         150, 500))


def _z2m_state(dev: SimDevice, state: dict[str, Any], raw: Any) -> str | None:
    """Apply the `state` key; returns the resulting ON/OFF word for on/off devices."""
    if raw is None:
        return None
    word = str(raw).upper()
    if word in _Z2M_COVER and dev.type in ("", "cover"):
        if word != "STOP":  # the simulated motor is instant: STOP changes nothing
            state["position"] = 100 if word == "OPEN" else 0
            state["state"] = word
        return None
    if word in _Z2M_LOCK and dev.type in ("", "lock"):
        state["state"] = word
        state["lock_state"] = "locked" if word == "LOCK" else "unlocked"
        return None
    if word in _Z2M_ONOFF and dev.type not in ("cover", "lock"):
        if word == "TOGGLE":
            word = "OFF" if state.get("state") == "ON" else "ON"
        state["state"] = word
        return word
    raise RejectedCommandError(f"state {raw!r} is not valid for a {dev.type or 'device'}")


def _z2m_brightness(state: dict[str, Any], cmd: dict[str, Any]) -> None:
    level = int(state.get("brightness", 254))  # the stored level, kept while off
    if "brightness" in cmd:
        b = round(_number(cmd["brightness"], "brightness"))
        if b <= 0:
            state["state"] = "OFF"
        else:
            state["brightness"] = int(_clamp(b, 1, 254))
            state["state"] = "ON"
    if "brightness_step_onoff" in cmd:
        step = round(_number(cmd["brightness_step_onoff"], "brightness_step_onoff"))
        new = level + step
        if new < 1:
            state["brightness"], state["state"] = 1, "OFF"
        elif step > 0 or state.get("state") == "ON":
            state["brightness"], state["state"] = int(min(new, 254)), "ON"
    if "brightness_step" in cmd:
        step = round(_number(cmd["brightness_step"], "brightness_step"))
        if state.get("state") == "ON":
            state["brightness"] = int(_clamp(level + step, 1, 254))


def _z2m_color(value: Any) -> dict[str, int]:
    if isinstance(value, dict):
        if {"r", "g", "b"} <= set(value):
            return {k: int(_clamp(round(_number(value[k], f"color.{k}")), 0, 255))
                    for k in ("r", "g", "b")}
        if "hex" in value:
            return _hex_rgb(str(value["hex"]))
    if isinstance(value, str):
        return _hex_rgb(value)
    raise RejectedCommandError(f"color {value!r} is neither {{r,g,b}} nor a hex string")


def _hex_rgb(text: str) -> dict[str, int]:
    h = text.strip().lstrip("#")
    if len(h) != 6:
        raise RejectedCommandError(f"colour {text!r} is not #RRGGBB")
    try:
        return {"r": int(h[0:2], 16), "g": int(h[2:4], 16), "b": int(h[4:6], 16)}
    except ValueError:
        raise RejectedCommandError(f"colour {text!r} is not #RRGGBB") from None


# -- tasmota ---------------------------------------------------------------------------


def apply_tasmota(dev: SimDevice, state: dict[str, Any], command: str, payload: str
                  ) -> dict[str, Any]:
    """Apply `cmnd/<topic>/<command>`; returns the RESULT JSON Tasmota would publish."""
    cmd = command.lower()
    arg = payload.strip()
    if cmd in ("power", "power1"):
        word = arg.upper()
        if word in ("ON", "1"):
            state["POWER"] = "ON"
        elif word in ("OFF", "0"):
            state["POWER"] = "OFF"
        elif word in ("TOGGLE", "2"):
            state["POWER"] = "OFF" if state["POWER"] == "ON" else "ON"
        elif word:
            raise RejectedCommandError(f"POWER {payload!r} is not ON, OFF or TOGGLE")
        return {"POWER": state["POWER"]}
    if dev.type not in ("", "light"):
        raise RejectedCommandError(f"{command} is not supported by a {dev.type} (Command Unknown)")
    if cmd == "dimmer":
        current = int(state.get("Dimmer", 100))
        if arg in ("+", "-"):
            step = TASMOTA_DIMMER_STEP if arg == "+" else -TASMOTA_DIMMER_STEP
            new = int(_clamp(current + step, 1, 100))
        elif arg:
            new = int(_clamp(round(_number(arg, "Dimmer")), 0, 100))
        else:
            new = current
        if new == 0:
            state["POWER"] = "OFF"
        else:
            state["Dimmer"] = new
            if arg:
                state["POWER"] = "ON"
        return {"POWER": state["POWER"], "Dimmer": int(state.get("Dimmer", 100))}
    if cmd == "color":
        if arg:
            if "," in arg:
                parts = [int(_clamp(round(_number(p, "Color")), 0, 255)) for p in arg.split(",")]
                if len(parts) != 3:
                    raise RejectedCommandError(f"Color {payload!r} is not r,g,b")
                state["Color"] = "".join(f"{p:02X}" for p in parts)
            else:
                rgb = _hex_rgb(arg)
                state["Color"] = "".join(f"{rgb[k]:02X}" for k in ("r", "g", "b"))
            state["POWER"] = "ON"
        state.setdefault("Dimmer", 100)
        return {"POWER": state["POWER"], "Dimmer": state["Dimmer"],
                "Color": state.get("Color", "FFFFFF")}
    raise RejectedCommandError(f"unknown Tasmota command {command!r}")


# -- valetudo --------------------------------------------------------------------------

_VALETUDO = {"START": "cleaning", "STOP": "idle", "PAUSE": "paused", "HOME": "returning"}


def apply_valetudo(state: dict[str, Any], payload: str) -> None:
    word = payload.strip().upper()
    if word not in _VALETUDO:
        raise RejectedCommandError(f"operation {payload!r} is not START, STOP, PAUSE or HOME")
    if word == "PAUSE" and state["status"] != "cleaning":
        raise RejectedCommandError(f"cannot PAUSE while {state['status']}")
    if word == "HOME" and state["status"] == "docked":
        return
    state["status"] = _VALETUDO[word]


# -- generic JSON ------------------------------------------------------------------------


def apply_generic(dev: SimDevice, state: dict[str, Any], payload: str) -> None:
    """Apply `{"action": <intent>, "value": ...}` to a generic device's state dict."""
    try:
        cmd = json.loads(payload)
    except json.JSONDecodeError:
        raise RejectedCommandError(f"not JSON: {payload!r}") from None
    if not isinstance(cmd, dict) or not isinstance(cmd.get("action"), str):
        raise RejectedCommandError(
            f"expected {{\"action\": ..., \"value\": ...}}, got {payload!r}"
        )
    action: str = cmd["action"]
    value = cmd.get("value")
    known = frozenset().union(*_GENERIC_ACTIONS.values())
    if action not in known:
        raise RejectedCommandError(f"unknown action {action!r}")
    allowed = _GENERIC_ACTIONS.get(dev.type)
    if allowed is not None and action not in allowed:
        raise RejectedCommandError(f"a {dev.type} cannot {action}")
    kind = dev.type or _guess_type(state, action)
    for handler in (_generic_power, _generic_light, _generic_levels, _generic_motion):
        if handler(kind, state, action, value):
            return
    raise RejectedCommandError(f"a {kind or 'device'} cannot {action}")


def _guess_type(state: dict[str, Any], action: str) -> str:
    """An untyped generic device: guess its domain from its state so far."""
    if "status" in state or action == "dock":
        return "vacuum"
    if "position" in state:
        return "cover"
    return ""


def _percent(value: Any, name: str) -> int:
    return int(_clamp(round(_number(value, name)), 0, 100))


def _generic_power(kind: str, state: dict[str, Any], action: str, value: Any) -> bool:
    if action not in ("turn_on", "turn_off"):
        return False
    if kind == "vacuum":
        state["status"] = "cleaning" if action == "turn_on" else "idle"
    else:
        state["power"] = action == "turn_on"
    return True


def _generic_light(kind: str, state: dict[str, Any], action: str, value: Any) -> bool:
    if action == "set_brightness":
        b = _percent(value, "brightness")
        state["brightness"] = b
        state["power"] = b > 0
    elif action in ("brightness_up", "brightness_down"):
        step = BRIGHTNESS_STEP_PCT if action == "brightness_up" else -BRIGHTNESS_STEP_PCT
        state["brightness"] = int(_clamp(state.get("brightness", 100) + step, 1, 100))
        if action == "brightness_up":
            state["power"] = True
    elif action == "set_color":
        if not isinstance(value, str) or not value:
            raise RejectedCommandError(f"set_color needs a colour name, got {value!r}")
        state["color"] = value
        state["power"] = True
    else:
        return False
    return True


def _generic_levels(kind: str, state: dict[str, Any], action: str, value: Any) -> bool:
    if action == "set_temperature":
        state["setpoint"] = _clamp(_number(value, "temperature"), *SETPOINT_RANGE)
    elif action in ("temperature_up", "temperature_down"):
        delta = 1.0 if action == "temperature_up" else -1.0
        state["setpoint"] = _clamp(float(state.get("setpoint", 20.0)) + delta, *SETPOINT_RANGE)
    elif action == "set_volume":
        state["volume"] = _percent(value, "volume")
    elif action in ("volume_up", "volume_down"):
        step = VOLUME_STEP if action == "volume_up" else -VOLUME_STEP
        state["volume"] = int(_clamp(int(state.get("volume", 30)) + step, 0, 100))
    elif action in ("mute", "unmute"):
        state["muted"] = action == "mute"
    else:
        return False
    return True


def _generic_motion(kind: str, state: dict[str, Any], action: str, value: Any) -> bool:
    if action in ("open", "close"):
        state["position"] = 100 if action == "open" else 0
    elif action == "set_position":
        state["position"] = _percent(value, "position")
    elif action in ("lock", "unlock"):
        state["locked"] = action == "lock"
    elif action == "dock":
        state["status"] = "docked"
    elif action in ("start", "stop") and kind == "vacuum":
        state["status"] = "cleaning" if action == "start" else "idle"
    elif action == "stop" and kind == "cover":
        state["moving"] = False  # the simulated motor is instant
    elif action in ("start", "stop"):
        state["playing"] = action == "start"
        if action == "start":
            state["power"] = True
    else:
        return False
    return True


# -- the simulator -----------------------------------------------------------------------


class DeviceSimulator:
    """Simulated firmware for a list of devices, on its own MQTT connection.

    `settings.client_id` must differ from the assistant's (the broker would otherwise
    disconnect one of the two)."""

    def __init__(
        self,
        devices: Sequence[SimDevice],
        settings: MqttSettings,
        *,
        dock_delay_s: float = 0.3,
    ) -> None:
        ids = [d.id for d in devices]
        if len(set(ids)) != len(ids):
            raise ValueError("device ids must be unique")
        self.settings = settings
        self.devices = {d.id: d for d in devices}
        self.dock_delay_s = dock_delay_s
        self._exact: dict[str, SimDevice] = {}
        self._tasmota: dict[str, SimDevice] = {}
        for d in devices:
            if d.preset == "tasmota":
                self._tasmota[d.name] = d
            else:
                self._exact[d.command_topic] = d
        self._cond = threading.Condition()
        self._states = {d.id: _initial_state(d) for d in devices}
        self._received: list[ReceivedCommand] = []
        self._errors: list[str] = []
        self._retained = 0
        self._low_qos = 0
        self._subscribed = threading.Event()
        self._timers: list[threading.Timer] = []
        self._client: mqtt.Client | None = None
        self._sub_mid: int | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self, timeout: float = 5.0) -> None:
        """Connect, subscribe and publish every device's initial state.
        Raises MqttError if not subscribed within `timeout` seconds."""
        s = self.settings
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=s.client_id,
                             protocol=mqtt.MQTTv5)
        configure_client(client, s)
        client.reconnect_delay_set(s.reconnect_min_s, s.reconnect_max_s)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client
        client.connect_async(s.host, s.port, keepalive=s.keepalive)
        client.loop_start()
        if not self._subscribed.wait(timeout):
            self.stop()
            raise MqttError(f"simulator: not connected to {s.host}:{s.port} within {timeout} s")
        for dev in self.devices.values():
            if dev.preset != "tasmota":  # Tasmota answers commands; the others keep retained state
                with self._cond:
                    self._publish_state_locked(dev, None)

    def stop(self) -> None:
        with self._cond:
            timers, self._timers = self._timers, []
        for t in timers:
            t.cancel()
        client, self._client = self._client, None
        if client is not None:
            client.disconnect()
            client.loop_stop()

    def __enter__(self) -> DeviceSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests look at --------------------------------------------------------

    def state(self, device_id: str) -> dict[str, Any]:
        """A copy of the device's current state."""
        with self._cond:
            return copy.deepcopy(self._states[device_id])

    def wait_for(
        self,
        device_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = 2.0,
    ) -> dict[str, Any]:
        """Block until `predicate(state)` holds; return that state or raise TimeoutError."""
        with self._cond:
            ok = self._cond.wait_for(lambda: predicate(self._states[device_id]), timeout)
            current = copy.deepcopy(self._states[device_id])
            errors = list(self._errors)
        if not ok:
            raise TimeoutError(
                f"{device_id}: state {current} did not match within {timeout} s"
                + (f" (errors: {errors})" if errors else "")
            )
        return current

    def wait_received(self, count: int, timeout: float = 2.0) -> list[ReceivedCommand]:
        """Block until at least `count` commands arrived in total; return them."""
        with self._cond:
            self._cond.wait_for(lambda: len(self._received) >= count, timeout)
            return list(self._received)

    @property
    def received(self) -> list[ReceivedCommand]:
        with self._cond:
            return list(self._received)

    @property
    def errors(self) -> list[str]:
        """Commands the firmware would reject, one line each."""
        with self._cond:
            return list(self._errors)

    @property
    def retained_commands(self) -> int:
        """Commands that arrived with the retain flag set (a bug: ghost switching)."""
        with self._cond:
            return self._retained

    @property
    def low_qos_commands(self) -> int:
        """Commands published with QoS 0 (the assistant must use QoS 1)."""
        with self._cond:
            return self._low_qos

    # -- MQTT ----------------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: mqtt.ConnectFlags,
                    reason_code: ReasonCode, properties: Properties | None) -> None:
        if reason_code.is_failure:
            log.error("simulator: broker refused the connection: %s", reason_code)
            return
        # QoS 2 so a message arrives at the QoS it was published with (min of the two);
        # retainAsPublished so a retained command is visible as such.
        opts = SubscribeOptions(qos=2, retainAsPublished=True)
        topics = sorted({d.command_topic for d in self.devices.values()})
        if not topics:
            self._subscribed.set()
            return
        _, self._sub_mid = client.subscribe([(t, opts) for t in topics])

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int,
                      reason_codes: list[ReasonCode], properties: Properties | None) -> None:
        if mid == self._sub_mid:
            bad = [str(rc) for rc in reason_codes if rc.is_failure]
            if bad:
                log.error("simulator: subscription refused: %s", ", ".join(bad))
            self._subscribed.set()

    def _route(self, topic: str) -> tuple[SimDevice, str] | None:
        dev = self._exact.get(topic)
        if dev is not None:
            return dev, ""
        parts = topic.split("/")
        if len(parts) == 3 and parts[0] == "cmnd":
            dev = self._tasmota.get(parts[1])
            if dev is not None:
                return dev, parts[2]
        return None

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        routed = self._route(msg.topic)
        if routed is None:
            return
        dev, command = routed
        payload = msg.payload.decode("utf-8", errors="replace")
        rec = ReceivedCommand(dev.id, msg.topic, payload, msg.qos, bool(msg.retain),
                              time.monotonic())
        with self._cond:
            self._received.append(rec)
            if rec.retain:
                self._retained += 1
                log.error("simulator: RETAINED command on %s: %s", msg.topic, payload)
            if rec.qos == 0:
                self._low_qos += 1
                log.error("simulator: QoS 0 command on %s: %s", msg.topic, payload)
            state = self._states[dev.id]
            before = copy.deepcopy(state)
            try:
                result = self._apply(dev, state, command, payload)
            except Exception as err:  # a bad command must not kill paho's network thread
                if not isinstance(err, RejectedCommandError):
                    log.exception("simulator: error applying %s", payload)
                state.clear()
                state.update(before)  # firmware applies a command whole or not at all
                line = f"{dev.id}: {msg.topic} {payload!r}: {err}"
                self._errors.append(line)
                log.warning("simulator: rejected %s", line)
                self._cond.notify_all()
                return
            log.info("simulator: %s <- %s %s => %s", dev.id, msg.topic, payload, state)
            self._publish_state_locked(dev, result)
            if dev.preset == "valetudo" and state["status"] == "returning":
                self._schedule_docked(dev)
            self._cond.notify_all()

    def _apply(self, dev: SimDevice, state: dict[str, Any], command: str, payload: str
               ) -> dict[str, Any] | None:
        if dev.preset == "zigbee2mqtt":
            apply_z2m(dev, state, payload)
        elif dev.preset == "tasmota":
            return apply_tasmota(dev, state, command, payload)
        elif dev.preset == "valetudo":
            apply_valetudo(state, payload)
        else:
            apply_generic(dev, state, payload)
        return None

    def _publish_state_locked(self, dev: SimDevice, result: dict[str, Any] | None) -> None:
        client = self._client
        if client is None:
            return
        state = self._states[dev.id]
        if dev.preset == "tasmota":
            body = result if result is not None else {"POWER": state["POWER"]}
            client.publish(dev.state_topic, json.dumps(body), qos=0, retain=False)
            client.publish(f"stat/{dev.name}/POWER", state["POWER"], qos=0, retain=False)
        elif dev.preset == "valetudo":
            client.publish(dev.state_topic, state["status"], qos=1, retain=True)
        else:
            client.publish(dev.state_topic, json.dumps(state), qos=1, retain=True)

    def _schedule_docked(self, dev: SimDevice) -> None:
        def dock() -> None:
            with self._cond:
                state = self._states[dev.id]
                if state["status"] != "returning":
                    return
                state["status"] = "docked"
                self._publish_state_locked(dev, None)
                self._cond.notify_all()

        timer = threading.Timer(self.dock_delay_s, dock)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()


# -- command line --------------------------------------------------------------------------


def load_devices(path: Path) -> list[SimDevice]:
    """Devices from a YAML or JSON file: a list, or a mapping with a `devices` list."""
    text = path.read_text(encoding="utf-8")
    data: Any
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    items = data.get("devices", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a list of devices or a 'devices' key")
    devices = []
    for item in items:
        try:
            devices.append(SimDevice.from_mapping(item))
        except (KeyError, TypeError, ValueError) as err:
            log.warning("simulator: %s: skipped a device: %s", path, err)
    return devices


def run(argv: Sequence[str] | None = None) -> int:
    """`python -m assistant.simulator`: simulate the devices of a file until SIGTERM."""
    ap = argparse.ArgumentParser(prog="python -m assistant.simulator",
                                 description="Simulated MQTT devices for tests and demos.")
    ap.add_argument("--devices", type=Path, required=True, help="devices.yaml or .json")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--client-id", default="device-simulator")
    ap.add_argument("--username")
    ap.add_argument("--password-file")
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--ca-file")
    ap.add_argument("--dock-delay", type=float, default=2.0, help="seconds from HOME to docked")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        devices = load_devices(args.devices)
        settings = MqttSettings(host=args.host, port=args.port, client_id=args.client_id,
                                username=args.username, password_file=args.password_file,
                                tls=args.tls, ca_file=args.ca_file)
        sim = DeviceSimulator(devices, settings, dock_delay_s=args.dock_delay)
        sim.start()
    except (MqttError, OSError, ValueError) as err:
        print(f"simulator: {err}", file=sys.stderr)
        return 1
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("simulator: %d device(s) on %s:%d; ready", len(devices), args.host, args.port)
    print("ready", flush=True)  # a parent process may wait for this line
    stop.wait()
    sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
