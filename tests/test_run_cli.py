"""`assistant run` as a new user meets it (issue 10, defect 10, the daemon's items):
`--version`, broker host and port on the command line, a ready line that says how many
cameras deliver frames, and no OpenCV/FFmpeg messages flooding the log while a camera
is retried."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assistant import __version__
from assistant.broker import free_port
from assistant.cli import main
from tests.mosquitto import Mosquitto, Subscriber
from tests.test_daemon import ROOT, VIDEO, write_wav


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"assistant {__version__}\n"


@pytest.mark.parametrize(("args", "why"), [(["--mqtt-port", "70000"], "not a TCP port"),
                                           (["--mqtt-port", "x"], "not a TCP port"),
                                           (["--mqtt-host", "a b"], "not a host")])
def test_bad_broker_options_are_one_line_errors(args: list[str], why: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", *args])
    assert info.value.code == 2
    assert why in capsys.readouterr().err.splitlines()[-1]


def test_run_with_broker_options_counts_cameras_with_frames_and_stays_quiet(
        tmp_path: Path) -> None:
    """devices.yaml names a broker port nobody listens on; --mqtt-host/--mqtt-port point
    the daemon at the test's broker. Of two cameras only one has frames (the other is a
    stream nobody serves, retried meanwhile)."""
    data = yaml.safe_load((ROOT / "devices.yaml").read_text())
    data["mqtt"].update(host="192.0.2.1", port=1, prefix="runcli")
    data["cameras"] = {"living_room_cam": data["cameras"]["living_room_cam"],
                       "kitchen_cam": {**data["cameras"]["kitchen_cam"],
                                       "source": f"rtsp://127.0.0.1:{free_port()}/kitchen"}}
    config = tmp_path / "devices.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    wav = write_wav(tmp_path / "quiet.wav", [1.0])
    with Mosquitto(tmp_path / "broker") as broker, \
            Subscriber(broker, ["runcli/available"]) as sub:
        done = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "--config", str(config), "run",
             "--mqtt-host", broker.host, "--mqtt-port", str(broker.port), "--audio", str(wav),
             "--exit-when-done", "--camera-source", f"living_room_cam={VIDEO}"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        online = sub.wait(2, timeout=5)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert f"MQTT connected to {broker.host}:{broker.port}" in output
    assert [m.payload for m in online] == [b"online", b"offline"]
    assert "ready: 1 of 2 camera(s) delivering frames" in output
    lines = output.splitlines()
    # The missing camera is retried with back-off the whole run: one line about it, not one
    # per attempt, and nothing from OpenCV or FFmpeg themselves.
    assert len([line for line in lines if "camera kitchen_cam:" in line]) == 1, output
    assert not [line for line in lines if "[ WARN" in line or " @ 0x" in line
                or "VIDEOIO" in line], output
