"""The device simulator on a real Mosquitto: each preset's commands, sent through the
real MqttLink, change the device state the way the firmware would, and the state is
published the way the firmware publishes it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from assistant.mqtt import MqttLink, MqttSettings
from assistant.simulator import DeviceSimulator, SimDevice, load_devices
from assistant.types import Command
from tests.mosquitto import Mosquitto, Subscriber

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    with Mosquitto(tmp_path_factory.mktemp("mosquitto")) as b:
        yield b


@dataclass
class Rig:
    broker: Mosquitto
    sim: DeviceSimulator
    link: MqttLink
    p: str  # this test's unique prefix

    def send(self, topic: str, payload: str | dict[str, Any]) -> None:
        """Publish through the assistant's link; return once the simulator handled it."""
        body = payload if isinstance(payload, str) else json.dumps(payload)
        count = len(self.sim.received) + 1
        self.link.publish_command(Command(topic, body))
        got = self.sim.wait_received(count, timeout=3)
        assert len(got) >= count, f"simulator never received {topic} {body}"

    def state(self, device_id: str) -> dict[str, Any]:
        return self.sim.state(device_id)

    def retained(self, topic: str, accept: Callable[[bytes], bool] = lambda _: True
                 ) -> mqtt.MQTTMessage:
        """The retained message on `topic` that `accept`s. The simulator publishes after it
        changed state, so a newer message may still be on its way: it arrives live."""
        with Subscriber(self.broker, [topic]) as sub:
            msg = sub.wait_match(topic, accept)
        assert msg is not None, f"nothing retained on {topic} that fits"
        assert msg.retain
        return msg


@pytest.fixture
def make_rig(broker: Mosquitto) -> Iterator[Any]:
    rigs: list[Rig] = []

    def make(devices: list[SimDevice], p: str) -> Rig:
        sim = DeviceSimulator(
            devices, MqttSettings(host=broker.host, port=broker.port, client_id=f"{p}-sim"),
            dock_delay_s=0.2,
        )
        sim.start()
        link = MqttLink(MqttSettings(host=broker.host, port=broker.port,
                                     client_id=f"{p}-link", prefix=p))
        link.start()
        assert link.wait_connected(3)
        rig = Rig(broker, sim, link, p)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.link.close()
        rig.sim.stop()
        # The assistant's manners, checked on every test's traffic.
        assert rig.sim.retained_commands == 0
        assert rig.sim.low_qos_commands == 0


@pytest.fixture
def p() -> str:
    return f"s{uuid.uuid4().hex[:8]}"


# -- zigbee2mqtt ----------------------------------------------------------------------------


def test_z2m_light_on_off_brightness_steps_and_colour(make_rig: Any, p: str) -> None:
    rig: Rig = make_rig([SimDevice("lamp", "zigbee2mqtt", "light", base=f"{p}z2m")], p)
    t = f"{p}z2m/lamp/set"
    assert rig.state("lamp") == {"state": "OFF", "brightness": 254}
    rig.send(t, {"state": "ON"})
    assert rig.state("lamp") == {"state": "ON", "brightness": 254}
    rig.send(t, {"state": "ON", "brightness": 300})  # clamped like the firmware
    assert rig.state("lamp")["brightness"] == 254
    rig.send(t, {"brightness": 128})
    assert rig.state("lamp") == {"state": "ON", "brightness": 128}
    rig.send(t, {"brightness_step_onoff": 51})
    assert rig.state("lamp")["brightness"] == 179
    rig.send(t, {"brightness_step": -51})
    assert rig.state("lamp")["brightness"] == 128
    rig.send(t, {"brightness_step": -300})  # clamps at the minimum level, stays on
    assert rig.state("lamp") == {"state": "ON", "brightness": 1}
    rig.send(t, {"state": "OFF"})
    rig.send(t, {"brightness_step": 51})  # no on/off: nothing happens while off
    assert rig.state("lamp") == {"state": "OFF", "brightness": 1}
    rig.send(t, {"brightness_step_onoff": 51})  # with on/off: switches on
    assert rig.state("lamp") == {"state": "ON", "brightness": 52}
    rig.send(t, {"brightness_step_onoff": -100})  # below the minimum: switches off
    assert rig.state("lamp") == {"state": "OFF", "brightness": 1}
    rig.send(t, {"state": "ON", "color": {"r": 255, "g": 0, "b": 0}})
    assert rig.state("lamp")["color"] == {"r": 255, "g": 0, "b": 0}
    assert rig.state("lamp")["state"] == "ON"
    rig.send(t, {"brightness": 0})
    assert rig.state("lamp")["state"] == "OFF"
    rig.send(t, {"state": "TOGGLE"})
    assert rig.state("lamp")["state"] == "ON"
    assert rig.sim.errors == []
    # The full state is published retained on zigbee2mqtt/<name>, as Zigbee2MQTT does.
    rig.retained(f"{p}z2m/lamp", lambda b: json.loads(b) == rig.state("lamp"))


def test_z2m_cover_lock_switch_and_rejected_commands(make_rig: Any, p: str) -> None:
    base = f"{p}z2m"
    rig: Rig = make_rig([
        SimDevice("blinds", "zigbee2mqtt", "cover", base=base),
        SimDevice("door", "zigbee2mqtt", "lock", base=base, topic="front door"),
        SimDevice("fan", "zigbee2mqtt", "fan", base=base),
        SimDevice("plug", "zigbee2mqtt", "switch", base=base),
    ], p)
    rig.send(f"{base}/blinds/set", {"state": "OPEN"})
    assert rig.state("blinds") == {"state": "OPEN", "position": 100}
    rig.send(f"{base}/blinds/set", {"position": 30})
    assert rig.state("blinds") == {"state": "OPEN", "position": 30}
    rig.send(f"{base}/blinds/set", {"state": "STOP"})
    assert rig.state("blinds") == {"state": "OPEN", "position": 30}
    rig.send(f"{base}/blinds/set", {"state": "CLOSE"})
    assert rig.state("blinds") == {"state": "CLOSE", "position": 0}
    rig.send(f"{base}/blinds/set", {"position": 150})
    assert rig.state("blinds")["position"] == 100

    assert rig.state("door") == {"state": "LOCK", "lock_state": "locked"}
    rig.send(f"{base}/front door/set", {"state": "UNLOCK"})  # friendly names may have spaces
    assert rig.state("door") == {"state": "UNLOCK", "lock_state": "unlocked"}
    rig.send(f"{base}/front door/set", {"state": "LOCK"})
    assert rig.state("door")["lock_state"] == "locked"

    rig.send(f"{base}/fan/set", {"state": "ON"})
    rig.send(f"{base}/plug/set", {"state": "ON"})
    assert rig.state("fan") == rig.state("plug") == {"state": "ON"}
    rig.send(f"{base}/plug/set", {"state": "OFF"})
    assert rig.state("plug") == {"state": "OFF"}

    assert rig.sim.errors == []
    rig.send(f"{base}/plug/set", {"state": "ON", "brightness": 10})  # a switch cannot dim
    rig.send(f"{base}/front door/set", {"state": "ON"})  # a lock is not ON/OFF
    rig.send(f"{base}/blinds/set", "OPEN")  # not JSON
    assert rig.state("plug") == {"state": "OFF"}  # rejected whole, not half-applied
    assert rig.state("door")["state"] == "LOCK"
    assert len(rig.sim.errors) == 3


# -- tasmota ------------------------------------------------------------------------------------


def test_tasmota_power_dimmer_colour_and_replies(make_rig: Any, p: str) -> None:
    bulb, plug = f"{p}_bulb", f"{p}_plug"
    rig: Rig = make_rig([SimDevice("bulb", "tasmota", "light", topic=bulb),
                         SimDevice("plug", "tasmota", "switch", topic=plug)], p)
    with Subscriber(rig.broker, [f"stat/{plug}/#", f"stat/{bulb}/#"]) as stat:
        rig.send(f"cmnd/{plug}/POWER", "ON")
        assert rig.state("plug") == {"POWER": "ON"}
        replies = stat.wait(2)
        assert {m.topic: m.payload.decode() for m in replies} == {
            f"stat/{plug}/RESULT": '{"POWER": "ON"}', f"stat/{plug}/POWER": "ON",
        }
        assert not any(m.retain for m in replies)  # Tasmota's default: PowerRetain 0
        rig.send(f"cmnd/{plug}/POWER", "TOGGLE")
        assert rig.state("plug") == {"POWER": "OFF"}
        rig.send(f"cmnd/{plug}/POWER", "")  # a query: no change
        assert rig.state("plug") == {"POWER": "OFF"}

        rig.send(f"cmnd/{bulb}/Dimmer", "50")
        assert rig.state("bulb") == {"POWER": "ON", "Dimmer": 50, "Color": "FFFFFF"}
        rig.send(f"cmnd/{bulb}/Dimmer", "+")
        assert rig.state("bulb")["Dimmer"] == 60
        rig.send(f"cmnd/{bulb}/Dimmer", "-")
        rig.send(f"cmnd/{bulb}/Dimmer", "-")
        assert rig.state("bulb")["Dimmer"] == 40
        rig.send(f"cmnd/{bulb}/Dimmer", "150")
        assert rig.state("bulb")["Dimmer"] == 100
        rig.send(f"cmnd/{bulb}/Color", "#FF8000")
        assert rig.state("bulb")["Color"] == "FF8000"
        rig.send(f"cmnd/{bulb}/Dimmer", "0")
        assert rig.state("bulb")["POWER"] == "OFF"
        rig.send(f"cmnd/{bulb}/Color", "#00FF00")  # a colour switches the light on
        assert rig.state("bulb") == {"POWER": "ON", "Dimmer": 100, "Color": "00FF00"}
        results = stat.wait(8, topic=f"stat/{bulb}/RESULT")  # one reply per command
        assert len(results) == 8
        last = results[-1]
        assert json.loads(last.payload) == {"POWER": "ON", "Dimmer": 100, "Color": "00FF00"}

    assert rig.sim.errors == []
    rig.send(f"cmnd/{plug}/Dimmer", "50")  # a relay has no dimmer
    rig.send(f"cmnd/{plug}/POWER", "BRIGHT")
    rig.send(f"cmnd/{bulb}/Color", "#12345")
    assert len(rig.sim.errors) == 3
    assert rig.state("plug") == {"POWER": "OFF"}


# -- valetudo ------------------------------------------------------------------------------------


def test_valetudo_vacuum_operations(make_rig: Any, p: str) -> None:
    base = f"{p}valetudo"
    rig: Rig = make_rig([SimDevice("robot", "valetudo", "vacuum", base=base, topic="rocky")], p)
    t = f"{base}/rocky/BasicControlCapability/operation/set"
    status = f"{base}/rocky/StatusStateAttribute/status"
    assert rig.retained(status, lambda b: b == b"docked").retain
    rig.send(t, "PAUSE")  # nothing to pause while docked: rejected
    assert rig.state("robot") == {"status": "docked"}
    for op, expected in [("START", "cleaning"), ("PAUSE", "paused"), ("START", "cleaning"),
                         ("STOP", "idle")]:
        rig.send(t, op)
        assert rig.state("robot") == {"status": expected}
    rig.send(t, "HOME")
    assert rig.state("robot") == {"status": "returning"}
    rig.sim.wait_for("robot", lambda s: s["status"] == "docked", timeout=2)
    assert rig.retained(status, lambda b: b == b"docked").retain
    rig.send(t, "DANCE")
    assert len(rig.sim.errors) == 2


# -- generic JSON ----------------------------------------------------------------------------


def test_generic_media_player_thermostat_cover_lock_vacuum(make_rig: Any, p: str) -> None:
    base = f"{p}home"
    rig: Rig = make_rig([
        SimDevice("tv", "generic", "media_player", base=base),
        SimDevice("thermostat", "generic", "climate", base=base),
        SimDevice("garage", "generic", "cover", base=base, topic="garage_door"),
        SimDevice("door", "generic", "lock", base=base),
        SimDevice("vac", "generic", "vacuum", base=base),
        SimDevice("lamp", "generic", "light", base=base),
    ], p)

    def act(device: str, action: str, value: Any = None) -> dict[str, Any]:
        topic = rig.sim.devices[device].command_topic
        rig.send(topic, {"action": action, "value": value})
        return rig.state(device)

    assert rig.state("tv") == {"power": False, "volume": 30, "muted": False, "playing": False}
    act("tv", "turn_on")
    act("tv", "volume_up")
    assert act("tv", "volume_up")["volume"] == 50
    act("tv", "set_volume", 95)
    assert act("tv", "volume_up")["volume"] == 100
    assert act("tv", "volume_down")["volume"] == 90
    assert act("tv", "mute")["muted"] is True
    assert act("tv", "unmute")["muted"] is False
    assert act("tv", "start")["playing"] is True
    assert act("tv", "stop")["playing"] is False
    assert act("tv", "turn_off")["power"] is False

    assert rig.state("thermostat")["setpoint"] == 20.0
    assert act("thermostat", "temperature_up")["setpoint"] == 21.0
    assert act("thermostat", "set_temperature", 22.5)["setpoint"] == 22.5
    assert act("thermostat", "temperature_down")["setpoint"] == 21.5
    assert act("thermostat", "set_temperature", 50)["setpoint"] == 35.0

    assert act("garage", "open")["position"] == 100
    assert act("garage", "set_position", 40)["position"] == 40
    assert act("garage", "close")["position"] == 0
    assert act("door", "unlock")["locked"] is False
    assert act("door", "lock")["locked"] is True
    assert act("vac", "start")["status"] == "cleaning"
    assert act("vac", "dock")["status"] == "docked"
    assert act("lamp", "set_brightness", 30) == {"power": True, "brightness": 30, "color": None}
    assert act("lamp", "brightness_down")["brightness"] == 20
    assert act("lamp", "set_color", "warm white")["color"] == "warm white"
    assert rig.sim.errors == []

    rig.retained(f"{base}/tv/state", lambda b: json.loads(b) == rig.state("tv"))

    act("thermostat", "volume_up")  # not something a thermostat does
    act("tv", "dance")
    act("tv", "set_volume")  # no value
    rig.send(rig.sim.devices["tv"].command_topic, "volume up")  # not JSON
    assert len(rig.sim.errors) == 4
    assert rig.state("tv")["volume"] == 90


# -- the simulator catches the assistant's mistakes --------------------------------------------


def test_retained_and_qos0_commands_are_counted(broker: Mosquitto, p: str) -> None:
    dev = SimDevice("lamp", "zigbee2mqtt", "light", base=f"{p}z2m")
    settings = MqttSettings(host=broker.host, port=broker.port, client_id=f"{p}-sim")
    with DeviceSimulator([dev], settings) as sim, Subscriber(broker, ["unused"]) as raw:
        raw.client.publish(dev.command_topic, '{"state": "ON"}', qos=1, retain=True)
        sim.wait_for("lamp", lambda s: s["state"] == "ON")
        raw.client.publish(dev.command_topic, '{"state": "OFF"}', qos=0)
        sim.wait_for("lamp", lambda s: s["state"] == "OFF")
        assert (sim.retained_commands, sim.low_qos_commands) == (1, 1)
        assert [(r.qos, r.retain) for r in sim.received] == [(1, True), (0, False)]
    # A retained command already on the broker is replayed to a device that subscribes
    # ("ghost switching"): the simulator counts that too.
    with DeviceSimulator([dev], settings) as sim2:
        sim2.wait_for("lamp", lambda s: s["state"] == "ON")
        assert sim2.retained_commands == 1
    with Subscriber(broker, ["unused"]) as raw:
        raw.client.publish(dev.command_topic, b"", qos=1, retain=True).wait_for_publish(2)


# -- as a process, from a devices file --------------------------------------------------------


DEVICES_YAML = """
devices:
  - id: kitchen_light
    type: light
    mqtt: {preset: zigbee2mqtt, topic: kitchen_light, base: BASE}
  - id: kettle
    type: switch
    mqtt: {preset: tasmota, topic: PREFIX_kettle}
  - id: radio
    type: zwave_thing
    mqtt: {preset: generic}
"""


def test_load_devices_skips_what_it_cannot_simulate(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text(DEVICES_YAML.replace("BASE", "z").replace("PREFIX", "x"))
    devices = load_devices(path)
    assert devices == [
        SimDevice("kitchen_light", "zigbee2mqtt", "light", topic="kitchen_light", base="z"),
        SimDevice("kettle", "tasmota", "switch", topic="x_kettle"),
    ]
    assert "unknown type 'zwave_thing'" in caplog.text


def test_runs_as_a_process_and_stops_on_sigterm(broker: Mosquitto, p: str, tmp_path: Path
                                                ) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text(DEVICES_YAML.replace("BASE", f"{p}z2m").replace("PREFIX", p))
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.simulator", "--devices", str(path),
         "--port", str(broker.port), "--client-id", f"{p}-simproc"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        with MqttLink(MqttSettings(host=broker.host, port=broker.port,
                                   client_id=f"{p}-link", prefix=p)) as link, \
                Subscriber(broker, [f"stat/{p}_kettle/POWER"]) as stat:
            assert link.wait_connected(3)
            link.publish_command(Command(f"{p}z2m/kitchen_light/set",
                                         '{"state": "ON", "brightness": 100}'))
            link.publish_command(Command(f"cmnd/{p}_kettle/POWER", "ON"))
            assert [m.payload for m in stat.wait(1)] == [b"ON"]
        with Subscriber(broker, [f"{p}z2m/kitchen_light"]) as sub:
            assert json.loads(sub.wait(1)[0].payload) == {"state": "ON", "brightness": 100}
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
