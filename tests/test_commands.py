"""MQTT payload rendering per device preset, on the reference home's devices."""

from __future__ import annotations

import json

import pytest

from assistant.commands import RenderError, render
from assistant.config import Device, HomeConfig


def rendered(home: HomeConfig, dev_id: str, intent: str,
             value: object = None) -> tuple[str, object]:
    cmd = render(dev_id, home.devices[dev_id], intent, value)  # type: ignore[arg-type]
    assert cmd.device_id == dev_id
    try:
        return cmd.topic, json.loads(cmd.payload)
    except json.JSONDecodeError:
        return cmd.topic, cmd.payload


@pytest.mark.parametrize(("dev_id", "intent", "value", "topic", "payload"), [
    ("kitchen_light", "turn_on", None, "zigbee2mqtt/kitchen_light/set", {"state": "ON"}),
    ("living_room_ceiling", "turn_off", None, "zigbee2mqtt/Living Room Ceiling/set",
     {"state": "OFF"}),
    ("kitchen_light", "set_brightness", 50, "zigbee2mqtt/kitchen_light/set",
     {"state": "ON", "brightness": 127}),
    ("kitchen_light", "set_brightness", 100, "zigbee2mqtt/kitchen_light/set",
     {"state": "ON", "brightness": 254}),
    ("bedroom_lamp", "brightness_up", None, "zigbee2mqtt/bedroom_lamp/set",
     {"brightness_step_onoff": 51}),
    ("bedroom_lamp", "brightness_down", None, "zigbee2mqtt/bedroom_lamp/set",
     {"brightness_step": -51}),
    ("bedroom_lamp", "set_color", "warm white", "zigbee2mqtt/bedroom_lamp/set",
     {"state": "ON", "color": {"r": 255, "g": 190, "b": 120}}),
    ("living_room_blinds", "open", None, "zigbee2mqtt/living_room_blinds/set",
     {"state": "OPEN"}),
    ("living_room_blinds", "set_position", 30, "zigbee2mqtt/living_room_blinds/set",
     {"position": 30}),
    ("front_door", "lock", None, "zigbee2mqtt/front_door/set", {"state": "LOCK"}),
    ("kitchen_kettle", "turn_on", None, "cmnd/tasmota_kettle/POWER", "ON"),
    ("bedroom_fan", "turn_off", None, "cmnd/tasmota_fan/POWER", "OFF"),
    ("office_lamp", "set_brightness", 40, "cmnd/tasmota_desk_lamp/Dimmer", 40),
    ("office_lamp", "brightness_up", None, "cmnd/tasmota_desk_lamp/Dimmer", "+"),
    ("vacuum", "start", None, "valetudo/roborock/BasicControlCapability/operation/set",
     "START"),
    ("vacuum", "dock", None, "valetudo/roborock/BasicControlCapability/operation/set",
     "HOME"),
    ("living_room_tv", "set_volume", 20, "home/living_room_tv/set",
     {"action": "set_volume", "value": 20}),
    ("living_room_speaker", "mute", None, "home/living_room_speaker/set",
     {"action": "mute", "value": None}),
    ("thermostat", "set_temperature", 21.5, "home/thermostat/set",
     {"action": "set_temperature", "value": 21.5}),
    ("thermostat", "temperature_down", None, "home/thermostat/set",
     {"action": "temperature_down", "value": None}),
    ("garage_light", "turn_on", None, "shellies/garage-light/relay/0/command", "on"),
])
def test_presets(home: HomeConfig, dev_id: str, intent: str, value: object, topic: str,
                 payload: object) -> None:
    assert rendered(home, dev_id, intent, value) == (topic, payload)


def test_tasmota_colour_is_hex(home: HomeConfig) -> None:
    device = Device.model_validate({"name": "strip", "type": "light", "room": "kitchen",
                                    "features": ["color"],
                                    "mqtt": {"preset": "tasmota", "topic": "strip"}})
    cmd = render("strip", device, "set_color", "red")
    assert (cmd.topic, cmd.payload) == ("cmnd/strip/Color", "#FF0000")


def test_what_a_preset_cannot_do_is_an_error(home: HomeConfig) -> None:
    with pytest.raises(RenderError, match="no payload template for set_brightness"):
        render("garage_light", home.devices["garage_light"], "set_brightness", 50)
    with pytest.raises(RenderError, match="valetudo preset cannot turn_on"):
        render("vacuum", home.devices["vacuum"], "turn_on", None)
    with pytest.raises(RenderError, match="tasmota preset cannot open"):
        render("kitchen_kettle", home.devices["kitchen_kettle"], "open", None)


def test_template_substitutes_the_value() -> None:
    device = Device.model_validate({
        "name": "heat pump", "type": "climate", "room": "kitchen",
        "mqtt": {"template": {"topic": "ebusd/hp/set",
                              "payloads": {"set_temperature": '{"setpoint": {value}}',
                                           "set_color": "{value}"}}}})
    cmd = render("hp", device, "set_temperature", 21.5)
    assert (cmd.topic, json.loads(cmd.payload)) == ("ebusd/hp/set", {"setpoint": 21.5})
    assert render("hp", device, "set_color", "warm white").payload == '"warm white"'
