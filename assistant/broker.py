"""A local Mosquitto for the demo: a free loopback port, a generated config, no persistence.

Production uses the home's own broker (devices.yaml `mqtt:`); this only exists so a fresh
clone can show the whole pipeline without one.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from assistant.errors import AssistantError

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


def mosquitto_binary() -> str | None:
    """Path of the mosquitto executable (Debian puts it in /usr/sbin), or None."""
    found = shutil.which("mosquitto")
    if found:
        return found
    return "/usr/sbin/mosquitto" if os.access("/usr/sbin/mosquitto", os.X_OK) else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class LocalBroker:
    """`with LocalBroker() as broker: ... broker.port ...`"""

    def __init__(self) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise AssistantError("mosquitto is not installed (Debian: apt-get install "
                                 "mosquitto); the demo starts one on a loopback port")
        self.binary = binary
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="milm-broker-")
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LocalBroker:
        conf = Path(self._dir.name) / "mosquitto.conf"
        conf.write_text(f"listener {self.port} {HOST}\nallow_anonymous true\n"
                        "persistence false\nlog_dest stderr\nlog_type error\n")
        self._proc = subprocess.Popen([self.binary, "-c", str(conf)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode()
                raise AssistantError(f"mosquitto exited: {err.strip().splitlines()[-1:]}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise AssistantError(f"mosquitto did not listen on {HOST}:{self.port} within 5 s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._dir.cleanup()

    def __enter__(self) -> LocalBroker:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
