"""A real Mosquitto broker for tests: a free loopback port, a generated config, no persistence.

    with Mosquitto(tmp_path) as broker:            # anonymous listener
        ...broker.port...
    with Mosquitto(tmp_path, users={"alice": "pw"}, tls=True) as broker:
        ...broker.port (password) ... broker.tls_port, broker.ca_file ...

`Subscriber` is a plain paho client (MQTT 5, "retain as published", QoS 2 subscriptions,
so every message shows the QoS and retain flag it was published with) that records
what arrives. The broker can be stopped, paused (SIGSTOP: sockets stay open, nothing is answered),
killed and restarted on the same ports, which is what the reconnect tests need.
TLS certificates (a CA, a server certificate for 127.0.0.1 and a client certificate)
are made with the openssl command line tool.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.subscribeoptions import SubscribeOptions

from assistant.broker import HOST, free_port, mosquitto_binary


def openssl_binary() -> str | None:
    return shutil.which("openssl")


def password_line(username: str, password: str) -> str:
    """One password_file line in Mosquitto 2's format ($7$: PBKDF2-SHA512, 101 rounds)."""
    salt = secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101)
    salt_b64 = base64.b64encode(salt).decode()
    digest_b64 = base64.b64encode(digest).decode()
    return f"{username}:$7$101${salt_b64}${digest_b64}"


def make_certificates(directory: Path) -> dict[str, Path]:
    """A throw-away CA, a server certificate for 127.0.0.1/localhost and a client one."""
    openssl = openssl_binary()
    if openssl is None:
        raise RuntimeError("openssl is not installed: cannot make test certificates")
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        name: directory / f"{name}.pem"
        for name in ("ca", "ca_key", "server", "server_key", "client", "client_key")
    }
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, timeout=30)

    run("req", "-x509", *ec, "-keyout", str(paths["ca_key"]), "-out", str(paths["ca"]),
        "-days", "2", "-subj", "/CN=assistant test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, subject, ext in (
        ("server", "/CN=127.0.0.1",
         "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"),
        ("client", "/CN=assistant test client", "extendedKeyUsage=clientAuth\n"),
    ):
        csr = directory / f"{name}.csr"
        extfile = directory / f"{name}.ext"
        extfile.write_text("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n" + ext)
        run("req", "-new", *ec, "-keyout", str(paths[f"{name}_key"]), "-out", str(csr),
            "-subj", subject)
        run("x509", "-req", "-in", str(csr), "-CA", str(paths["ca"]),
            "-CAkey", str(paths["ca_key"]), "-CAcreateserial", "-days", "2",
            "-extfile", str(extfile), "-out", str(paths[name]))
    return paths


class Mosquitto:
    """One mosquitto process with a generated config under `workdir`."""

    def __init__(
        self,
        workdir: Path,
        *,
        users: Mapping[str, str] | None = None,
        tls: bool = False,
        require_client_cert: bool = False,
        acl: str | None = None,
    ) -> None:
        """`users`: name -> password (then anonymous clients are refused); `acl`: the text of
        a Mosquitto acl_file (`user NAME` / `topic read|write|readwrite FILTER` lines)."""
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError("mosquitto is not installed (apt-get install mosquitto)")
        self.binary = binary
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.host = HOST
        self.port = free_port()
        self.tls_port = free_port() if tls else None
        self.certs: dict[str, Path] = make_certificates(workdir / "certs") if tls else {}
        self.log_file = workdir / "mosquitto.log"
        self.config_file = workdir / "mosquitto.conf"
        self._proc: subprocess.Popen[bytes] | None = None
        lines = [
            "per_listener_settings false",
            "persistence false",
            f"user {getpass.getuser()}",  # as root mosquitto would switch to "mosquitto"
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if users:
            pw_file = workdir / "passwords"
            pw_file.write_text("".join(password_line(u, p) + "\n" for u, p in users.items()))
            pw_file.chmod(0o600)
            lines += ["allow_anonymous false", f"password_file {pw_file}"]
        else:
            lines.append("allow_anonymous true")
        if acl is not None:
            acl_file = workdir / "acl"
            acl_file.write_text(acl)
            lines.append(f"acl_file {acl_file}")
        lines.append(f"listener {self.port} {HOST}")
        if self.tls_port is not None:
            lines += [
                f"listener {self.tls_port} {HOST}",
                f"cafile {self.certs['ca']}",
                f"certfile {self.certs['server']}",
                f"keyfile {self.certs['server_key']}",
                f"require_certificate {'true' if require_client_cert else 'false'}",
            ]
        self.config_file.write_text("\n".join(lines) + "\n")

    @property
    def ca_file(self) -> Path:
        return self.certs["ca"]

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 5.0) -> None:
        """Start the broker and wait until every listener accepts connections."""
        if self.running:
            return
        log = self.log_file.open("ab")
        try:
            self._proc = subprocess.Popen(
                [self.binary, "-c", str(self.config_file)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        ports = [p for p in (self.port, self.tls_port) if p is not None]
        while ports:
            if self._proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited at start-up:\n{self.log()}")
            try:
                with socket.create_connection((HOST, ports[0]), timeout=0.2):
                    ports.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"mosquitto did not listen on {ports[0]}:\n{self.log()}"
                    ) from None
                time.sleep(0.01)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), or SIGKILL if it does not exit within 3 s."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGCONT)  # a paused broker cannot handle SIGTERM
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=3)

    def kill(self) -> None:
        """SIGKILL: sockets are reset, nothing is flushed, in-flight messages are lost."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.kill()
        proc.wait(timeout=3)

    def pause(self) -> None:
        """SIGSTOP: connections stay open but nothing is read or acknowledged."""
        assert self._proc is not None, "broker not running"
        self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._proc is not None, "broker not running"
        self._proc.send_signal(signal.SIGCONT)

    def restart(self, *, kill: bool = True) -> None:
        """Kill (or stop) and start again on the same ports, with no retained state."""
        if kill:
            self.kill()
        else:
            self.stop()
        self.start()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def __enter__(self) -> Mosquitto:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Subscriber:
    """Records every message on some topic filters. Connects and subscribes before
    returning; does not reconnect by itself (a test decides when to reconnect)."""

    def __init__(
        self,
        broker: Mosquitto,
        topics: Iterable[str],
        *,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"sub-{secrets.token_hex(4)}",
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
        )
        if username:
            self.client.username_pw_set(username, password)
        self.messages: list[mqtt.MQTTMessage] = []
        self._cond = threading.Condition()
        subscribed = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.connect(broker.host, broker.port, keepalive=10)
        self.client.loop_start()
        opts = SubscribeOptions(qos=2, retainAsPublished=True)
        self.client.subscribe([(t, opts) for t in topics])
        if not subscribed.wait(timeout):
            self.close()
            raise TimeoutError(f"no SUBACK from {broker.host}:{broker.port}")

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 3.0, topic: str | None = None
             ) -> list[mqtt.MQTTMessage]:
        """Wait until `count` messages (on `topic`, if given) arrived; return them all."""
        def matching() -> list[mqtt.MQTTMessage]:
            return [m for m in self.messages if topic is None or m.topic == topic]

        with self._cond:
            self._cond.wait_for(lambda: len(matching()) >= count, timeout)
            return matching()

    def wait_match(self, topic: str, accept: Callable[[bytes], bool], timeout: float = 3.0
                   ) -> mqtt.MQTTMessage | None:
        """Wait for a message on `topic` whose payload `accept`s; the last such, or None."""
        def found() -> list[mqtt.MQTTMessage]:
            return [m for m in self.messages if m.topic == topic and accept(bytes(m.payload))]

        with self._cond:
            self._cond.wait_for(lambda: bool(found()), timeout)
            matches = found()
            return matches[-1] if matches else None

    def payloads(self, topic: str | None = None) -> list[str]:
        with self._cond:
            return [m.payload.decode() for m in self.messages
                    if topic is None or m.topic == topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
