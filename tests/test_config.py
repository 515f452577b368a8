"""devices.yaml validation: every error names file, line and key; nothing is lost."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import HomeConfig, load_config
from assistant.errors import ConfigError

GOOD = """\
rooms:
  kitchen: {name: kitchen}
devices:
  kettle:
    name: kettle
    type: switch
    room: kitchen
    mqtt: {preset: tasmota}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "devices.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value.problems


def test_project_config_matches_reference_home(root: Path, home: HomeConfig) -> None:
    # The reference home as a plain description, kept apart from devices.yaml so that an
    # edit to one that the other lacks fails here.
    ref = json.loads((root / "tests" / "data" / "reference-home.json").read_text())
    assert {d["id"] for d in ref["devices"]} == set(home.devices)
    for dev in ref["devices"]:
        if "name" not in dev:
            continue
        ours = home.devices[dev["id"]]
        assert (ours.name, set(ours.aliases), ours.type, ours.room) == (
            dev["name"], set(dev["aliases"]), dev["type"], dev["room"])
        assert ours.sensitive == dev.get("sensitive", False)
    if "rooms" in ref:
        for room_id, names in ref["rooms"].items():
            assert [home.rooms[room_id].name, *home.rooms[room_id].aliases] == names
        for cam in ref["cameras"]:
            assert home.cameras[cam["id"]].room == cam["room"]
            assert {k: list(v) for k, v in home.cameras[cam["id"]].zones.items()} == cam["zones"]


def test_minimal_config_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.devices["kettle"].mqtt.preset == "tasmota"
    assert config.mqtt.port == 1883 and config.policy.act_threshold == 0.6


def test_every_error_is_reported_with_line_and_key(tmp_path: Path) -> None:
    found = problems(tmp_path, """\
        rooms:
          kitchen: {name: kitchen}
        devices:
          lamp:
            name: lamp
            type: lite
            room: kitchn
            mqtt: {preset: zigbee2mqtt}
          fan:
            name: fan
            type: fan
            room: kitchen
            colour: red
            mqtt: {preset: tasmota, template: {topic: x, payloads: {turn_on: "1"}}}
        cameras:
          cam:
            source: 0
            room: kitchen
            zones: {ghost: [0, 0, 0.5, 0.5]}
        mqtt:
          port: 99999
        """)
    path = tmp_path / "devices.yaml"
    assert found == [
        f"{path}:6: devices.lamp.type: Input should be 'light', 'switch', 'fan', "
        "'media_player', 'cover', 'climate', 'lock' or 'vacuum' (got 'lite')",
        f"{path}:7: devices.lamp.room: unknown room 'kitchn'",
        f"{path}:13: devices.fan.colour: unknown key",
        f"{path}:14: devices.fan.mqtt: give exactly one of 'preset' or 'template'",
        f"{path}:19: cameras.cam.zones.ghost: unknown device",
        f"{path}:21: mqtt.port: Input should be less than or equal to 65535 (got 99999)",
    ]


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, "rooms:\n  kitchen: {name: kitchen\ndevices: {}\n")
    assert found.startswith(f"{tmp_path / 'devices.yaml'}:3: invalid YAML")


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    (found,) = problems(tmp_path, GOOD + "  kettle:\n    name: x\n")
    assert "duplicate key 'kettle'" in found and ":9:" in found


def test_missing_file_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    (found,) = problems(tmp_path, "")
    assert "expected a mapping" in found


def test_zone_outside_frame_and_bad_template_intent(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD + """\
  heat:
    name: heating
    type: climate
    room: kitchen
    mqtt: {template: {topic: t, payloads: {warm_up: "1"}}}
cameras:
  cam: {source: 0, room: kitchen, zones: {kettle: [0.9, 0.9, 0.5, 0.5]}}
""")
    assert any("devices.heat.mqtt.template.payloads: unknown intent(s) warm_up" in p
               for p in found)
    assert any("cameras.cam.zones" in p and "inside the frame" in p for p in found)


def test_check_config_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              root: Path) -> None:
    assert main(["check-config", str(root / "devices.yaml")]) == 0
    assert "24 devices" in capsys.readouterr().out
    bad = write(tmp_path, GOOD.replace("switch", "toaster"))
    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}:6: devices.kettle.type")
