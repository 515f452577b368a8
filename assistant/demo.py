"""`assistant demo`: the whole pipeline on bundled samples, with a local broker and devices.

A local Mosquitto on a loopback port, simulated Zigbee2MQTT/Tasmota/Valetudo/generic devices
subscribed to it, the daemon reading the bundled WAVs (and the sample video as the living
room camera) through the same code path as a microphone, then the devices' states.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.audio import SAMPLE_RATE, read_wav
from assistant.broker import HOST, LocalBroker
from assistant.config import HomeConfig, load_config
from assistant.daemon import Daemon, DaemonOptions, mqtt_settings
from assistant.home_speech import home_recognizer
from assistant.pipeline import Brain
from assistant.simulator import DeviceSimulator, SimDevice
from assistant.types import ParseResult


def _sim_devices(config: HomeConfig) -> list[SimDevice]:
    return [SimDevice(id=dev_id, preset=dev.mqtt.preset, type=dev.type,
                      topic=dev.mqtt.topic or dev_id, base=dev.mqtt.base or "")
            for dev_id, dev in config.devices.items() if dev.mqtt.preset is not None]


def _line(result: ParseResult | dict[str, Any]) -> str:
    r = result if isinstance(result, dict) else result.to_json()
    value = f" value={r['value']}" if r.get("value") is not None else ""
    targets = ",".join(r["targets"]) or "-"
    return f"{r['intent']:<16} {targets:<40}{value}  -> {r['decision']}"


def run_demo(config_path: Path, samples: Path, out: Callable[[str], None] = print) -> int:
    config = load_config(config_path)
    wavs = sorted((samples / "speech").glob("*.wav"))
    video = samples / "living_room.avi"
    texts = [json.loads(line) for line in (samples / "commands.jsonl").read_text().splitlines()
             if line.strip()]
    brain = Brain.load(config_path)
    out(f"model {brain.model.path.name} v{brain.model.version}, loaded in "
        f"{brain.model.load_ms:.0f} ms")

    out("\n== 1. Typed commands (assistant parse) ==")
    for item, result in zip(texts, brain.parse_batch(
            [_request(item) for item in texts]), strict=True):
        camera = f" [{item['camera']}]" if item.get("camera") else ""
        out(f"  {item['text']!r}{camera}\n      {_line(result)}")
        for cmd in result.commands:
            out(f"      publish {cmd.topic}  {cmd.payload}")

    out(f"\n== 2. Spoken commands: {len(wavs)} WAV files, camera video {video.name} ==")
    with LocalBroker() as broker, tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        mqtt = config.mqtt.model_copy(update={"host": HOST, "port": broker.port})
        config = config.model_copy(update={"mqtt": mqtt})
        sim_settings = dataclasses.replace(mqtt_settings(config), client_id="milm-demo-devices")
        with DeviceSimulator(_sim_devices(config), sim_settings) as sim:
            before = {d: dict(sim.state(d)) for d in sim.devices}
            recognizer = home_recognizer(config)
            out(f"  broker 127.0.0.1:{broker.port}, {len(sim.devices)} simulated devices, "
                f"recognizer {recognizer.name}")

            def report(event: dict[str, Any]) -> None:
                took = event["timings_ms"].get("end_to_publish_ms", 0.0)
                out(f"  heard {event['text']!r}\n      {_line(event)}   ({took:.0f} ms)")
                for cmd in event["commands"]:
                    out(f"      publish {cmd['topic']}  {cmd['payload']}")

            # One session, as a microphone hears it: a spoken "yes" only answers a
            # confirmation asked from the same audio source.
            session = _one_session(wavs, tmp / "session.wav")
            options = DaemonOptions(
                audio=(str(session),), realtime=True, exit_when_done=True,
                camera_sources={"living_room_cam": str(video)},
                start_cameras=("living_room_cam",))
            daemon = Daemon(config, brain, recognizer, options=options, report=report)
            daemon.run()
            sim.wait_received(len(sim.received), timeout=1.0)
            out("\n== 3. Device states that changed ==")
            for dev_id in sim.devices:
                after = sim.state(dev_id)
                if after != before[dev_id]:
                    changed = {k: v for k, v in after.items() if before[dev_id].get(k) != v}
                    out(f"  {dev_id:<22} {json.dumps(changed)}")
            bad = sim.retained_commands + sim.low_qos_commands
            out(f"\n{len(sim.received)} commands received by devices, {bad} retained/QoS 0, "
                f"{len(sim.errors)} rejected")
    return 0


def _one_session(wavs: list[Path], out: Path) -> Path:
    """The WAV files one after the other, 0.5 s of silence after each, in one 16 kHz file."""
    gap = np.zeros(SAMPLE_RATE // 2, np.int16)
    with wave.open(str(out), "wb") as session:
        session.setnchannels(1)
        session.setsampwidth(2)
        session.setframerate(SAMPLE_RATE)
        for wav in wavs:
            session.writeframes(read_wav(wav).astype("<i2").tobytes() + gap.tobytes())
    return out


def _request(item: dict[str, Any]) -> Any:
    from assistant.types import ParseRequest

    return ParseRequest(text=item["text"], camera=item.get("camera"))


if __name__ == "__main__":
    sys.exit(run_demo(Path("devices.yaml"), Path("samples")))
