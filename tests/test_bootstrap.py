"""scripts/bootstrap.sh stops with one line when the Debian packages cannot be had.

It runs from a copy in a temporary directory, with stand-ins for dpkg-query, apt-get,
id and python first on PATH: nothing is installed, and a bootstrap that carried on
would reach the stand-in python, which says so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = "mosquitto openssl libportaudio2 systemd espeak-ng"  # bootstrap's APT_PACKAGES


def fake_tools(bin_dir: Path, *, uid: int, update: int, install: int) -> None:
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": "exit 1",  # nothing is installed
        "apt-get": f"""case "$1" in
  update) echo "E: Could not get lock /var/lib/apt/lists/lock" >&2; exit {update};;
  install) echo "E: Unable to locate package mosquitto" >&2; exit {install};;
esac""",
        "id": f"echo {uid}",
        "python3.11": "echo 'bootstrap went on to the venv' >&2; exit 99",
        "python3": "echo 'bootstrap went on to the venv' >&2; exit 99",
    }
    for name, body in scripts.items():
        tool = bin_dir / name
        tool.write_text(f"#!/bin/sh\n{body}\n")
        tool.chmod(0o755)


@pytest.mark.parametrize(("uid", "update", "install", "message"), [
    (0, 100, 0, "bootstrap: apt-get update failed: E: Could not get lock "
                "/var/lib/apt/lists/lock"),
    (0, 0, 100, f"bootstrap: apt-get install {PACKAGES} failed: "
                "E: Unable to locate package mosquitto"),
    (1000, 0, 0, f"bootstrap: missing Debian packages: {PACKAGES} "
                 "(run as root, or apt-get install them)"),
])
def test_bootstrap_stops_when_debian_packages_cannot_be_had(
        tmp_path: Path, uid: int, update: int, install: int, message: str) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", tmp_path / "scripts")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    fake_tools(tmp_path / "bin", uid=uid, update=update, install=install)
    proc = subprocess.run(["bash", str(tmp_path / "scripts" / "bootstrap.sh")],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"})
    assert proc.returncode == 1, proc
    assert proc.stderr.strip() == message
    assert not (tmp_path / ".venv").exists()
