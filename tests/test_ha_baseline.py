"""Home Assistant baseline: how HA's matches map onto our intents, targets and decisions.

Sentences here are ones HA's strict English templates match, so the checks are about the
mapping (bench/ha_baseline.py), not about HA's fuzzy guesses. Needs hassil 3.8.1 and
home-assistant-intents 2025.12.2 (dev dependencies).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ha_baseline import HomeAssistantMatcher, load_home

HOME_YAML = """
rooms:
  living_room: {name: living room, aliases: [lounge]}
  kitchen: {name: kitchen}
  bedroom: {name: bedroom}
  hallway: {name: hallway}
  garage: {name: garage}
cameras:
  kitchen_cam: {source: 0, room: kitchen}
  living_room_cam: {source: 1, room: living_room}
  bedroom_cam: {source: 2, room: bedroom}
devices:
  kitchen_light: {name: kitchen light, type: light, room: kitchen, features: [brightness]}
  bedroom_light: {name: bedroom light, type: light, room: bedroom, features: [brightness]}
  bedroom_lamp: {name: bedside lamp, aliases: [lamp], type: light, room: bedroom}
  living_room_lamp: {name: floor lamp, aliases: [lamp], type: light, room: living_room}
  living_room_tv: {name: tv, aliases: [telly], type: media_player, room: living_room}
  living_room_speaker: {name: speaker, type: media_player, room: living_room}
  front_door: {name: front door lock, aliases: [front door], type: lock, room: hallway,
               sensitive: true}
  garage_door: {name: garage door, type: cover, room: garage, sensitive: true}
  vacuum: {name: robot vacuum, aliases: [vacuum], type: vacuum, room: living_room}
  thermostat: {name: thermostat, type: climate, room: hallway}
"""


@pytest.fixture(scope="module")
def ha(tmp_path_factory: pytest.TempPathFactory) -> HomeAssistantMatcher:
    path = tmp_path_factory.mktemp("home") / "devices.yaml"
    path.write_text(HOME_YAML, encoding="utf-8")
    return HomeAssistantMatcher(path)


def test_named_device_is_turned_on(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("turn on the kitchen light")
    assert (p.intent, p.targets, p.value, p.decision) == ("turn_on", ("kitchen_light",), None,
                                                          "act")
    assert (p.stage, p.ha_intent) == ("strict", "HassTurnOn")


def test_brightness_percent_maps_to_set_brightness(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("set the bedroom light to 50%")
    assert (p.intent, p.targets, p.value, p.decision) == ("set_brightness", ("bedroom_light",),
                                                          50, "act")
    assert p.ha_intent == "HassLightSet"


def test_unlocking_the_sensitive_front_door_asks_for_confirmation(
        ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("unlock the front door")
    assert (p.intent, p.targets, p.decision) == ("unlock", ("front_door",), "confirm")
    assert p.ha_intent == "HassTurnOff"  # HA unlocks through turn_off on a lock


def test_locking_is_safe_on_a_sensitive_device(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("lock the front door")
    assert (p.intent, p.targets, p.decision) == ("lock", ("front_door",), "act")


def test_opening_the_garage_door_is_a_cover_open_that_needs_confirmation(
        ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("open the garage door")
    assert (p.intent, p.targets, p.decision) == ("open", ("garage_door",), "confirm")


def test_camera_room_is_the_satellite_area(ha: HomeAssistantMatcher) -> None:
    assert ha.recognize("turn on the lights", camera="kitchen_cam").targets == ("kitchen_light",)
    p = ha.recognize("turn on the lights", camera="bedroom_cam")
    assert (p.intent, set(p.targets), p.decision) == ("turn_on",
                                                      {"bedroom_light", "bedroom_lamp"}, "act")


def test_area_and_domain_target_every_device_of_the_domain_there(
        ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("turn off the lights in the bedroom", camera="kitchen_cam")
    assert (p.intent, set(p.targets), p.decision) == ("turn_off",
                                                      {"bedroom_light", "bedroom_lamp"}, "act")


def test_shared_alias_is_decided_by_the_camera_room_or_clarified(
        ha: HomeAssistantMatcher) -> None:
    assert ha.recognize("turn on the lamp", camera="bedroom_cam").targets == ("bedroom_lamp",)
    assert ha.recognize("turn on the lamp",
                        camera="living_room_cam").targets == ("living_room_lamp",)
    p = ha.recognize("turn on the lamp")
    assert (p.intent, p.targets, p.decision) == ("turn_on", (), "clarify")


def test_a_name_picks_its_device_from_any_camera(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("turn off the telly", camera="kitchen_cam")
    assert (p.intent, p.targets, p.decision) == ("turn_off", ("living_room_tv",), "act")


def test_volume_with_two_players_and_no_name_clarifies(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("turn up the volume", camera="living_room_cam")
    assert (p.intent, p.targets, p.decision) == ("volume_up", (), "clarify")
    named = ha.recognize("increase the volume on the tv")
    assert (named.intent, named.targets, named.decision) == ("volume_up", ("living_room_tv",),
                                                             "act")


def test_the_only_thermostat_takes_the_temperature_from_any_room(
        ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("set the temperature to 21", camera="bedroom_cam")
    assert (p.intent, p.targets, p.value, p.decision) == ("set_temperature", ("thermostat",),
                                                          21, "act")


def test_vacuum_start(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("start the vacuum")
    assert (p.intent, p.targets, p.decision) == ("start", ("vacuum",), "act")


@pytest.mark.parametrize("text", ["what time is it", "what's the capital of australia"])
def test_non_command_is_ignored(ha: HomeAssistantMatcher, text: str) -> None:
    p = ha.recognize(text, camera="kitchen_cam")
    assert (p.intent, p.targets, p.value, p.decision) == ("none", (), None, "ignore")


def test_unknown_device_is_understood_but_clarified(ha: HomeAssistantMatcher) -> None:
    p = ha.recognize("turn on the jacuzzi")
    assert (p.intent, p.targets, p.decision, p.stage) == ("turn_on", (), "clarify",
                                                          "unknown_names")


def test_reference_home_json_loads_like_devices_yaml(tmp_path: Path) -> None:
    yaml_path = tmp_path / "devices.yaml"
    yaml_path.write_text(HOME_YAML, encoding="utf-8")
    from_yaml = load_home(yaml_path)
    reference = {
        "rooms": {room: list(names) for room, names in from_yaml.rooms.items()},
        "devices": [{"id": d.id, "name": d.name, "aliases": list(d.aliases), "type": d.type,
                     "room": d.room, "features": [], **({"sensitive": True}
                                                         if d.sensitive else {})}
                    for d in from_yaml.devices.values()],
        "cameras": [{"id": cam, "room": room} for cam, room in from_yaml.cameras.items()],
    }
    json_path = tmp_path / "reference-home.json"
    json_path.write_text(json.dumps(reference), encoding="utf-8")
    assert load_home(json_path) == from_yaml


def test_the_fuzzy_stage_has_a_time_budget() -> None:
    # hassil's fuzzy matcher takes minutes on a few utterances ("one two three ... ten"):
    # past the budget the baseline matches nothing, as a voice assistant would have given up
    import time

    from bench.ha_baseline import _within

    def slow() -> str:
        time.sleep(2)
        return "late"

    assert _within(0.05, slow) is None
    assert _within(1.0, lambda: "in time") == "in time"
