"""MQTT topics and spoken names in devices.yaml (issue 10, defect 7), and the daemon's
defence in depth when a bad topic gets past the config anyway.

Every config error names file, line and key, as `assistant check-config` prints it.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.commands import RenderError, render
from assistant.config import HomeConfig, load_config
from assistant.daemon import Daemon, DaemonOptions
from assistant.errors import ConfigError
from assistant.labels import INTENTS
from assistant.pipeline import Brain
from assistant.speech import Recognizer
from assistant.topics import MAX_TOPIC_BYTES, topic_problem
from tests.test_daemon import (  # the daemon tests' fixtures (used as arguments) and helpers
    Env,
    Events,
    brain,
    commands,
    env,
    pairs,
    publish,
    recognizer,
    run_daemon,
    write_wav,
)

FIXTURES = (brain, env, recognizer)  # imported for pytest, which finds them by name

HOME = """\
rooms:
  hall: {name: hall}
devices:
  front_door:
    name: front door
    type: lock
    room: hall
    sensitive: true
    mqtt: {preset: zigbee2mqtt, topic: Front Door}
  lamp:
    name: lamp
    type: light
    room: hall
    mqtt: %s
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "devices.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value.problems


def test_topic_rules() -> None:
    assert topic_problem("zigbee2mqtt/Living Room Ceiling/set") is None  # inner spaces: fine
    assert topic_problem("cmnd/küche/POWER") is None
    for topic, why in [("", "empty"), ("a/#", "wildcard"), ("a/+/b", "wildcard"),
                       ("a\x00b", "U+0000"), ("a\nb", "U+000A"), ("a\rb", "U+000D"),
                       ("a\x7fb", "U+007F"), ("a\u2028b", "U+2028"), ("a\ud800", "U+D800"),
                       ("a\ufffe", "U+FFFE"), (" a/b", "whitespace"), ("a/b ", "whitespace"),
                       ("a/ b/c", "whitespace"), ("$SYS/x", "reserved"),
                       ("x" * (MAX_TOPIC_BYTES + 1), "longer")]:
        assert why in (topic_problem(topic) or ""), topic[:20]
    assert topic_problem("é" * (MAX_TOPIC_BYTES // 2)) is None
    assert "longer" in (topic_problem("é" * (MAX_TOPIC_BYTES // 2 + 1)) or "")  # bytes count


@pytest.mark.parametrize(("mqtt", "key", "why"), [
    ('{preset: zigbee2mqtt, topic: "lamp/#"}', "devices.lamp.mqtt.topic", "wildcard"),
    ('{preset: tasmota, topic: "lamp+"}', "devices.lamp.mqtt.topic", "wildcard"),
    ('{preset: zigbee2mqtt, topic: "lamp\\x00"}', "devices.lamp.mqtt.topic", "U+0000"),
    ('{preset: zigbee2mqtt, topic: "lamp\\nx"}', "devices.lamp.mqtt.topic", "U+000A"),
    ('{preset: zigbee2mqtt, topic: " lamp"}', "devices.lamp.mqtt.topic", "whitespace"),
    ('{preset: zigbee2mqtt, topic: ""}', "devices.lamp.mqtt.topic", "empty"),
    ('{preset: generic, base: "home "}', "devices.lamp.mqtt.base", "whitespace"),
    ('{preset: generic, base: "home\\t"}', "devices.lamp.mqtt.base", "U+0009"),
    ('{template: {topic: "shellies/#", payloads: {turn_on: "on"}}}',
     "devices.lamp.mqtt.template.topic", "wildcard"),
    ('{template: {topic: "shellies/lamp\\n", payloads: {turn_on: "on"}}}',
     "devices.lamp.mqtt.template.topic", "U+000A"),
])
def test_bad_device_topics_fail_check_config_with_file_line_and_key(
        tmp_path: Path, mqtt: str, key: str, why: str) -> None:
    found = problems(tmp_path, HOME % mqtt)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'devices.yaml'}:14: {key}: ")
    assert why in found[0] and "\n" not in found[0]


def test_a_topic_over_the_mqtt_limit(tmp_path: Path) -> None:
    found = problems(tmp_path, HOME % f'{{preset: zigbee2mqtt, topic: "{"x" * 65530}"}}')
    assert found == [f"{tmp_path / 'devices.yaml'}:14: devices.lamp.mqtt: MQTT topic is longer "
                     f"than 65535 bytes (got 'zigbee2mqtt/{'x' * 65530}/set')"]


@pytest.mark.parametrize("prefix", ['"a/#"', '"a+"', '"a/"', '" a"', '""', '"a\\nb"', '"$SYS"'])
def test_a_bad_prefix_fails_check_config(tmp_path: Path, prefix: str) -> None:
    found = problems(tmp_path, HOME % "{preset: zigbee2mqtt}" + f"mqtt:\n  prefix: {prefix}\n")
    assert len(found) == 1 and ":16: mqtt.prefix: MQTT topic prefix " in found[0], found


def test_zigbee2mqtt_friendly_names_with_inner_spaces_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text(HOME % "{preset: zigbee2mqtt, topic: Hall Lamp}")
    assert load_config(path).devices["lamp"].mqtt.topic == "Hall Lamp"


@pytest.mark.parametrize("mqtt", [
    '{template: {topic: "zigbee2mqtt/Front Door/set", payloads: {turn_on: "{\\"state\\": '
    '\\"UNLOCK\\"}"}}}',
    '{template: {topic: "zigbee2mqtt/Front Door/set/state", payloads: {turn_on: "UNLOCK"}}}',
    "{preset: zigbee2mqtt, topic: Front Door}",
    '{preset: generic, base: zigbee2mqtt, topic: "Front Door"}',
])
def test_no_device_may_publish_to_a_sensitive_devices_topic(tmp_path: Path, mqtt: str) -> None:
    """A non-sensitive template device on the lock's topic would unlock it with no yes."""
    found = problems(tmp_path, HOME % mqtt)
    assert len(found) == 1, found
    assert found[0].startswith(f"{tmp_path / 'devices.yaml'}:14: devices.lamp.mqtt: shares MQTT "
                               "topic 'zigbee2mqtt/Front Door/set")
    assert "with front_door" in found[0]


def test_tasmota_devices_own_every_command_under_their_topic(tmp_path: Path) -> None:
    home = HOME.replace("{preset: zigbee2mqtt, topic: Front Door}", "{preset: tasmota}")
    found = problems(tmp_path, home % '{template: {topic: "cmnd/front_door/Backlog", '
                     'payloads: {turn_on: "Power ON"}}}')
    assert len(found) == 1 and "shares MQTT topic 'cmnd/front_door/Backlog'" in found[0]


def test_two_plain_devices_may_share_a_topic(tmp_path: Path) -> None:
    path = tmp_path / "devices.yaml"
    home = HOME.replace("    sensitive: true\n", "")
    path.write_text(home % "{preset: zigbee2mqtt, topic: Front Door}")
    assert len(load_config(path).devices) == 2  # two names for one relay: allowed


def test_no_device_may_publish_to_the_assistants_own_topics(tmp_path: Path) -> None:
    found = problems(tmp_path, HOME % '{template: {topic: "assistant/confirm", payloads: '
                     '{turn_on: "{\\"id\\": \\"x\\", \\"answer\\": \\"yes\\"}"}}}')
    assert found == [f"{tmp_path / 'devices.yaml'}:14: devices.lamp.mqtt: publishes under the "
                     "assistant's own topics (assistant/...) (got 'assistant/confirm')"]


def test_two_devices_with_the_same_spoken_name_fail_check_config(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text(textwrap.dedent("""\
        rooms:
          hall: {name: hall}
        devices:
          lamp:
            name: lamp
            type: light
            room: hall
            mqtt: {preset: zigbee2mqtt}
          desk_lamp:
            name: desk lamp
            aliases:
              - reading light
              - Lamp
            type: light
            room: hall
            mqtt: {preset: zigbee2mqtt}
        """))
    assert main(["check-config", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{path}:13: devices.desk_lamp.aliases.1: 'Lamp' is already a name of lamp: names "
        "and aliases must be unique in a home (got 'Lamp')"]


def test_every_command_goes_where_the_config_check_looks(home: HomeConfig) -> None:
    """The topics check-config checks are the topics `render` publishes to."""
    rendered = 0
    for dev_id, dev in home.devices.items():
        topics, zones = dev.mqtt.routes(dev_id)
        for intent in INTENTS:
            try:
                command = render(dev_id, dev, intent, 50 if intent.startswith("set_") else None)
            except (RenderError, KeyError, ValueError, TypeError):
                continue
            rendered += 1
            assert command.topic in topics, (dev_id, intent, command.topic)
            assert any(command.topic.startswith(z) for z in zones)
    assert rendered > len(home.devices)


def test_a_password_in_password_file_is_never_shown(tmp_path: Path) -> None:
    for value in ("12345678", "[hunter2]", '"line one\\nline two"'):
        found = problems(tmp_path, HOME % "{preset: zigbee2mqtt}"
                         + f"mqtt:\n  username: me\n  password_file: {value}\n")
        assert len(found) == 1 and "its value is not shown" in found[0], found
        assert all(secret not in found[0] for secret in ("12345678", "hunter2", "line two"))


# -- at run time: a bad topic that got past the config ---------------------------------------


def test_the_daemon_never_publishes_to_a_bad_topic_and_goes_on(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path) -> None:
    """Defence in depth: a config built in code (not through check-config) with a newline
    in a topic. The daemon clarifies and sends nothing, and the next command still acts."""
    lamp = env.config.devices["living_room_lamp"]
    bad_mqtt = lamp.mqtt.model_copy(update={"topic": "floor\nlamp"})
    devices = {**env.config.devices,
               "living_room_lamp": lamp.model_copy(update={"mqtt": bad_mqtt})}
    config = env.config.model_copy(update={"devices": devices})
    brain_for_config = Brain(config, brain.model)
    silence = write_wav(tmp_path / "silence.wav", [30.0])

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "turn on the floor lamp")
        publish(env, env.topic("command"), "turn on the kettle")
        env.sub.wait(1, timeout=10, topic="cmnd/tasmota_kettle/POWER")

    options = DaemonOptions(audio=(str(silence),), realtime=True, exit_when_done=True,
                            start_cameras=())
    code, daemon, reported = run_daemon(config, brain_for_config, recognizer, options, helper)
    assert code == 0
    lamp_event, kettle_event = reported.items
    assert (lamp_event["decision"], lamp_event["commands"]) == ("clarify", [])
    assert lamp_event["reason"] == "the floor lamp has an invalid MQTT topic"
    assert kettle_event["decision"] == "act"
    assert pairs(commands(env.sub)) == [("cmnd/tasmota_kettle/POWER", "ON")]
    assert daemon.failed_events == 0
    assert json.dumps(lamp_event)  # the event itself is plain JSON
