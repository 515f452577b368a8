"""The systemd unit: valid, an optional password credential, hardened to an exposure of at
most 2.0 (`systemd-analyze security`), still with the camera and the microphone.

systemd-analyze comes with Debian's `systemd` package (scripts/bootstrap.sh installs it);
it analyses the unit file offline, no running systemd needed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "milm-assistant.service"


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("systemd-analyze")
    assert binary is not None, "systemd-analyze is missing (Debian package systemd)"
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)


def settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.fixture
def installable_unit(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's `assistant` (verify checks that
    the command exists)."""
    assistant = Path(sys.executable).parent / "assistant"
    text = UNIT.read_text().replace("/opt/milm-assistant/.venv/bin/assistant", str(assistant))
    path = tmp_path / UNIT.name
    path.write_text(text)
    return path


def test_the_unit_verifies(installable_unit: Path) -> None:
    done = analyze("verify", str(installable_unit))
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_exposure_is_at_most_2(installable_unit: Path) -> None:
    done = analyze("security", "--offline=yes", "--no-pager", str(installable_unit))
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d)", done.stdout)
    assert match is not None, done.stdout + done.stderr
    print(f"\n[systemd-analyze security --offline=yes: {match.group(1)}]")
    assert float(match.group(1)) <= 2.0


def test_camera_and_microphone_stay_reachable() -> None:
    unit = settings()
    assert {"char-video4linux rw", "char-alsa rw", "/dev/snd rw"} <= set(unit["DeviceAllow"])
    assert unit["SupplementaryGroups"] == ["audio video"]
    # Either of these would hide /dev/video* and /dev/snd or the audio and video groups.
    assert "PrivateDevices" not in unit and "PrivateUsers" not in unit


def test_the_password_credential_is_optional() -> None:
    """LoadCredential= alone fails the unit when the file is missing; with SetCredential= of
    the same name as a default it does not (systemd >= 250), and the daemon reads an empty
    credential as none (tests/test_mqtt_secrets.py)."""
    unit = settings()
    assert unit["LoadCredential"] == ["mqtt_password:/etc/milm-assistant/mqtt_password"]
    assert unit["SetCredential"] == ["mqtt_password:\\n"]
