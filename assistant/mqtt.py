"""The MQTT link: device commands out, availability, events, typed commands and replies in.

Conventions (docs/mqtt.md):

- Commands are published with QoS 1 and never retained (a retained command switches a
  device again whenever it reconnects: "ghost switching").
- `<prefix>/available` is retained: "online" after every successful connect, a last
  will of "offline", and an explicit retained "offline" on a clean `close()`.
- Every utterance yields an event on `<prefix>/intent` (JSON, QoS 0, not retained).
- Sensitive actions become a request on `<prefix>/confirm/request`; the reply comes
  back on `<prefix>/confirm`.
- `<prefix>/command` carries typed text commands in, `<prefix>/ptt` push-to-talk.

Delivery: while the broker is unreachable, commands wait in a bounded queue (the
oldest are dropped when it is full, and any older than `queue_max_age_s` are dropped
before sending: "unlock" ten minutes late is worse than not at all). Messages that
paho had written to the socket but the broker never acknowledged when the connection
dropped are taken back from paho (`drop_out_messages`) and re-queued in order, so a
broken connection cannot lose a command; at worst the broker sees one twice (QoS 1).

Threads: paho runs its network loop in its own thread (`loop_start`). The callbacks
given to the constructor run on that thread and must return quickly (hand work to a
queue). The link's own lock is never held by paho's callbacks while paho holds its
message lock, so there is no lock-order deadlock with `publish_command`.
"""

from __future__ import annotations

import collections
import ipaddress
import json
import logging
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from assistant.errors import AssistantError
from assistant.topics import topic_problem
from assistant.types import Command, ParseRequest
from assistant.untrusted import BurstLog, JsonError, TokenBucket, load_json, shorten, text_problem

log = logging.getLogger(__name__)

CREDENTIAL_NAME = "mqtt_password"  # systemd: LoadCredential=mqtt_password:/etc/...

_PRESSED = frozenset({"1", "on", "true", "start", "press", "pressed", "down"})
_RELEASED = frozenset({"0", "off", "false", "stop", "release", "released", "up"})

MAX_TEXT_CHARS = 500
"""Longest typed command, in characters: a command is one sentence; the brain never needs
more, and a 7.8 MB "command" once stalled the main loop for 24 s."""
_CAMERA_ID = re.compile(r"[a-z0-9_]{1,64}")  # as devices.yaml's ids
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what the daemon hands out (token_urlsafe)


@dataclass(frozen=True)
class InboundLimit:
    """What one inbound topic accepts."""

    max_bytes: int
    """Largest payload, checked before it is decoded."""
    rate_per_s: float
    """Messages per second on average (a token bucket); more are dropped..."""
    burst: int
    """...beyond a burst of this many."""


# A typed command is a sentence (a few hundred bytes even with JSON escapes); a reply or
# a push-to-talk state is a few dozen bytes. People type and answer at human speed.
INBOUND_LIMITS: Mapping[str, InboundLimit] = {
    "command": InboundLimit(max_bytes=2048, rate_per_s=5.0, burst=10),
    "confirm": InboundLimit(max_bytes=256, rate_per_s=2.0, burst=5),
    "ptt": InboundLimit(max_bytes=64, rate_per_s=10.0, burst=10),
}


class PayloadError(ValueError):
    """An inbound payload that does not follow its topic's schema (one line)."""


class MqttError(AssistantError):
    """A one-line, user-facing MQTT configuration or usage error."""


@dataclass(frozen=True)
class MqttSettings:
    """How to reach the broker. Holds no secret: the password is read from a file."""

    host: str = "localhost"
    """Broker host name or address."""
    port: int = 1883
    """Broker TCP port (8883 is the usual TLS port)."""
    client_id: str = "assistant"
    """MQTT client id; must be unique on the broker."""
    prefix: str = "assistant"
    """Topic prefix of the assistant's own topics (`<prefix>/available`, ...)."""
    keepalive: int = 30
    """Seconds between keep-alive pings; a dead broker is noticed within 1.5x this."""
    tls: bool = False
    """Connect with TLS."""
    ca_file: str | None = None
    """CA certificate(s) (PEM) to verify the broker with; None: the system's CAs."""
    cert_file: str | None = None
    """Client certificate (PEM) for brokers that require one."""
    key_file: str | None = None
    """Private key (PEM) of `cert_file`."""
    insecure: bool = False
    """Skip checking the broker's host name against its certificate (self-signed setups)."""
    username: str | None = None
    """User name; None connects anonymously."""
    password_file: str | None = None
    """File holding the password (one line). A systemd credential
    `$CREDENTIALS_DIRECTORY/mqtt_password` takes precedence when present: under the
    unit it is the copy the service user is allowed to read."""
    queue_max: int = 100
    """Commands kept while disconnected; beyond this the oldest is dropped (and counted)."""
    queue_max_age_s: float = 60.0
    """Queued commands older than this are dropped (and counted) instead of sent."""
    reconnect_min_s: int = 1
    """First reconnect delay; doubles after each failed attempt..."""
    reconnect_max_s: int = 30
    """...up to this."""

    def __post_init__(self) -> None:
        if not self.host:
            raise MqttError("mqtt: host is empty")
        if not 0 < self.port < 65536:
            raise MqttError(f"mqtt: port {self.port} is not in 1..65535")
        if not self.client_id:
            raise MqttError("mqtt: client_id is empty")
        problem = topic_problem(self.prefix) or (
            "ends with '/'" if self.prefix.endswith("/") else None)
        if problem is not None:
            raise MqttError(f"mqtt: prefix {shorten(self.prefix)} {problem}")
        if self.keepalive < 5:
            raise MqttError(f"mqtt: keepalive {self.keepalive} s is below 5 s")
        if self.queue_max < 1:
            raise MqttError(f"mqtt: queue_max {self.queue_max} must be at least 1")
        if self.queue_max_age_s <= 0:
            raise MqttError(f"mqtt: queue_max_age_s {self.queue_max_age_s} must be positive")
        if not 1 <= self.reconnect_min_s <= self.reconnect_max_s:
            raise MqttError(
                f"mqtt: need 1 <= reconnect_min_s ({self.reconnect_min_s}) "
                f"<= reconnect_max_s ({self.reconnect_max_s})"
            )
        if self.password_file and not self.username:
            raise MqttError("mqtt: password_file is set but username is not")
        if (self.cert_file is None) != (self.key_file is None):
            raise MqttError("mqtt: cert_file and key_file must be given together")
        if not self.tls and (self.ca_file or self.cert_file or self.insecure):
            raise MqttError("mqtt: ca_file, cert_file and insecure need tls: true")

    def _credential(self) -> Path | None:
        """The systemd credential, if the unit passed one that is not blank. The unit's
        default (SetCredential=mqtt_password:\\n) keeps a missing password file from failing
        the unit: a blank credential means none."""
        cred_dir = os.environ.get("CREDENTIALS_DIRECTORY")
        if not cred_dir:
            return None
        cred = Path(cred_dir) / CREDENTIAL_NAME
        try:
            with cred.open("rb") as file:
                blank = not file.read(_PASSWORD_MAX_BYTES + 1).strip(b"\r\n")
        except OSError:  # none, or unreadable: as if there were none
            return None
        return None if blank else cred

    def password_source(self) -> Path | None:
        """The file the password will be read from, or None (anonymous / no password)."""
        if not self.username:
            return None
        cred = self._credential()
        if cred is not None:
            return cred
        return Path(self.password_file) if self.password_file else None

    def load_password(self) -> str | None:
        """Read the password (trailing newline stripped). Raises MqttError.

        The value of `password_file` is never shown in an error: a password put there by
        mistake would end up in the journal. The systemd credential's path is shown."""
        path = self.password_source()
        if path is None:
            return None
        credential = path == self._credential()
        name = f"password file {path}" if credential else "password_file of the mqtt settings"
        hidden = " (its value is not shown: it may be a password put there by mistake)"
        try:
            if not path.is_file():
                what = "does not exist" if not path.exists() else "is not a regular file"
                raise MqttError(f"mqtt: {name} {what}{'' if credential else hidden}")
            with path.open("rb") as file:
                data = file.read(_PASSWORD_MAX_BYTES + 1)
        except PermissionError:
            raise MqttError(f"mqtt: {name} is not readable by this user") from None
        except OSError as err:
            raise MqttError(f"mqtt: cannot read {name}: {err.strerror or 'I/O error'}") from None
        if len(data) > _PASSWORD_MAX_BYTES:
            raise MqttError(f"mqtt: {name} is over {_PASSWORD_MAX_BYTES} bytes: not a password")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise MqttError(f"mqtt: {name} is not UTF-8 text") from None
        password = text.rstrip("\r\n")
        if not password:
            raise MqttError(f"mqtt: {name} is empty")
        if "\n" in password or "\r" in password:
            raise MqttError(f"mqtt: {name} has more than one line")
        return password


_PASSWORD_MAX_BYTES = 4096


def configure_client(client: mqtt.Client, settings: MqttSettings) -> None:
    """Apply credentials and TLS from settings to a paho client (shared with the simulator)."""
    if settings.username:
        client.username_pw_set(settings.username, settings.load_password())
    if settings.tls:
        for name in ("ca_file", "cert_file", "key_file"):
            path = getattr(settings, name)
            if path is not None and not Path(path).is_file():
                raise MqttError(f"mqtt: {name} {path} does not exist")
        try:
            client.tls_set(
                ca_certs=settings.ca_file,
                certfile=settings.cert_file,
                keyfile=settings.key_file,
            )
        except (OSError, ValueError) as err:  # ssl.SSLError is an OSError
            raise MqttError(f"mqtt: cannot load TLS files: {err}") from None
        client.tls_insecure_set(settings.insecure)


@dataclass(frozen=True)
class ConfirmReply:
    """A yes/no answer to the confirmation request it names, from `<prefix>/confirm`."""

    accepted: bool
    request_id: str


@dataclass(frozen=True)
class MqttStats:
    """Counters of one link. Commands and confirmation requests share the queue."""

    connected: bool
    queued: int  # waiting for a connection
    inflight: int  # handed to the broker, not yet acknowledged
    delivered: int  # acknowledged by the broker (PUBACK)
    dropped: int  # oldest dropped because the queue was full
    expired: int  # dropped because older than queue_max_age_s
    requeued: int  # unacknowledged when the connection dropped, queued again
    reconnects: int  # successful connects after the first
    events_dropped: int  # intent events not sent because disconnected (QoS 0)
    received: int = 0  # inbound messages handed on (typed commands, replies, push-to-talk)
    rejected: int = 0  # inbound messages refused: retained, too large, not UTF-8, malformed
    rate_limited: int = 0  # inbound messages dropped over a topic's rate limit


@dataclass(frozen=True)
class _Pending:
    topic: str
    payload: str
    created: float  # time.monotonic() of the publish_* call
    kind: str  # "command" | "confirm_request"


def _json_object(text: str, keys: frozenset[str]) -> dict[str, Any]:
    try:
        obj = load_json(text, max_depth=2)
    except JsonError as exc:
        raise PayloadError(str(exc)) from None
    if not isinstance(obj, dict):
        raise PayloadError("expected a JSON object")
    unknown = sorted(set(obj) - keys)
    if unknown:
        raise PayloadError(f"unknown key(s) {', '.join(shorten(k, 20) for k in unknown[:3])}")
    return obj


def _check_text(text: str, what: str) -> str:
    problem = text_problem(text)
    if problem is not None:
        raise PayloadError(f"{what} holds {problem}")
    return text


def parse_confirm_reply(payload: str) -> ConfirmReply:
    """`{"id": "<request id>", "answer": "yes"|"no"}` or `{"id": ..., "confirmed": true|false}`,
    nothing else: a reply that does not name its request confirms nothing, and only a JSON
    boolean counts as one (not `1`, `null` or `"true"`). Raises PayloadError."""
    text = payload.strip()
    if not text.startswith("{"):
        raise PayloadError('a reply must name its request: {"id": ..., "answer": "yes"|"no"}')
    obj = _json_object(text, frozenset({"id", "answer", "confirmed"}))
    request_id = obj.get("id")
    if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
        raise PayloadError('"id" must be the id of the request')
    if ("answer" in obj) == ("confirmed" in obj):
        raise PayloadError('give exactly one of "answer" and "confirmed"')
    if "answer" in obj:
        answer = obj["answer"]
        if answer not in ("yes", "no"):
            raise PayloadError('"answer" must be "yes" or "no"')
        return ConfirmReply(answer == "yes", request_id)
    confirmed = obj["confirmed"]
    if not isinstance(confirmed, bool):
        raise PayloadError('"confirmed" must be true or false')
    return ConfirmReply(confirmed, request_id)


def parse_text_command(payload: str) -> ParseRequest:
    """Plain text, or JSON `{"text": "...", "camera": "<camera id>"}`. Raises PayloadError."""
    text = payload.strip()
    camera: str | None = None
    if text.startswith("{"):
        obj = _json_object(text, frozenset({"text", "camera"}))
        if not isinstance(obj.get("text"), str):
            raise PayloadError('"text" must be a string')
        text = obj["text"].strip()
        cam = obj.get("camera")
        if cam is not None and not (isinstance(cam, str) and (
                cam == "" or _CAMERA_ID.fullmatch(cam))):
            raise PayloadError('"camera" must be a camera id')
        camera = cam or None
    _check_text(text, "the text")
    if not text:
        raise PayloadError("the command is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadError(f"the command is {len(text)} characters long, over {MAX_TEXT_CHARS}")
    return ParseRequest(text=text, camera=camera)


def parse_ptt(payload: str) -> bool:
    """Push-to-talk: True pressed (`1`, `ON`, `start`, ...), False released; `{"state": ...}`
    works too. Raises PayloadError."""
    word = payload.strip()
    if word.startswith("{"):
        state = _json_object(word, frozenset({"state"})).get("state")
        if not isinstance(state, str):
            raise PayloadError('"state" must be a string')
        word = state
    word = word.strip().lower()
    if word in _PRESSED:
        return True
    if word in _RELEASED:
        return False
    raise PayloadError("not a push-to-talk state (ON/OFF, 1/0, press/release)")


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (no name lookup: other names count as remote)."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_paho_logger = logging.getLogger(f"{__name__}.paho")
_PAHO_CONNECTION_NOISE = ("Client is not connected", "failed to receive on socket")


def _paho_log(client: mqtt.Client, userdata: Any, level: int, buf: str) -> None:
    """paho's own log, at debug. Its errors become warnings, except the ones about a
    missing or broken connection, which paho repeats at every reconnect attempt and
    the link reports once already."""
    if level == mqtt.MQTT_LOG_ERR and not buf.startswith(_PAHO_CONNECTION_NOISE):
        _paho_logger.warning("%s", buf)
    else:
        _paho_logger.debug("%s", buf)


def _check_topic(topic: str) -> None:
    problem = topic_problem(topic)
    if problem is not None:
        raise MqttError(f"mqtt: cannot publish to {shorten(topic)}: the topic {problem}")


@dataclass
class _Inbound:
    """One inbound topic: its limits, parser, callback and counters."""

    name: str
    topic: str
    limit: InboundLimit
    parse: Callable[[str], Any]
    callback: Callable[[Any], None]
    bucket: TokenBucket
    burst_log: BurstLog
    received: int = 0
    rejected: int = 0
    rate_limited: int = 0


class MqttLink:
    """The assistant's one connection to the broker.

    `start()` returns at once; the link connects and reconnects in the background with
    exponential back-off. A refused connection (bad password, not authorised) is never
    reported as connected: `connected` is true only after a successful CONNACK.
    """

    def __init__(
        self,
        settings: MqttSettings,
        *,
        on_command: Callable[[ParseRequest], None] | None = None,
        on_confirm: Callable[[ConfirmReply], None] | None = None,
        on_ptt: Callable[[bool], None] | None = None,
        limits: Mapping[str, InboundLimit] | None = None,
    ) -> None:
        """`on_*`: called on paho's thread with each valid message of that topic (a topic
        without a callback is not subscribed to). `limits`: per topic ("command", "confirm",
        "ptt"), instead of INBOUND_LIMITS."""
        self.settings = settings
        p = settings.prefix
        self.availability_topic = f"{p}/available"
        self.intent_topic = f"{p}/intent"
        self.confirm_request_topic = f"{p}/confirm/request"
        self.confirm_topic = f"{p}/confirm"
        self.command_topic = f"{p}/command"
        self.ptt_topic = f"{p}/ptt"

        self._lock = threading.RLock()
        self._connected_event = threading.Event()
        self._subscribed_event = threading.Event()  # SUBACK for the inbound topics
        self._subscribe_mid: int | None = None
        self._queue: collections.deque[_Pending] = collections.deque()
        self._inflight: dict[int, _Pending] = {}  # paho mid -> message, in publish order
        self._acks: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._connected = False
        self._started = False
        self._closing = False
        self._connects = 0
        self._delivered = 0
        self._dropped = 0
        self._expired = 0
        self._requeued = 0
        self._events_dropped = 0
        self._last_error: str | None = None
        self._client: mqtt.Client | None = None
        self._network_thread: threading.Thread | None = None
        self._inbound: dict[str, _Inbound] = {}
        limits = {**INBOUND_LIMITS, **(limits or {})}
        for name, topic, parse, callback in (
                ("command", self.command_topic, parse_text_command, on_command),
                ("confirm", self.confirm_topic, parse_confirm_reply, on_confirm),
                ("ptt", self.ptt_topic, parse_ptt, on_ptt)):
            if callback is not None:
                limit = limits[name]
                self._inbound[name] = _Inbound(
                    name, topic, limit, parse, callback,
                    TokenBucket(limit.rate_per_s, limit.burst), BurstLog(log))

    # -- lifecycle ---------------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        """The one factory of the paho client (credentials, TLS, will, callbacks)."""
        s = self.settings
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=s.client_id)
        configure_client(client, s)
        client.on_log = _paho_log
        client.will_set(self.availability_topic, "offline", qos=1, retain=True)
        client.reconnect_delay_set(min_delay=s.reconnect_min_s, max_delay=s.reconnect_max_s)
        client.on_connect = self._handle_connect
        client.on_connect_fail = self._handle_connect_fail
        client.on_disconnect = self._handle_disconnect
        client.on_publish = self._handle_publish
        client.on_subscribe = self._handle_subscribe
        # paho's own guard as well as ours: an exception in a callback must never end its loop.
        client.suppress_exceptions = True
        for inbound in self._inbound.values():
            client.message_callback_add(inbound.topic, self._receiver(inbound))
        return client

    def start(self) -> None:
        """Read credentials, then connect in the background. Raises MqttError on bad settings."""
        with self._lock:
            if self._started:
                raise MqttError("mqtt: link already started")
            client = self._make_client()
            self._client = client
            self._started = True
        s = self.settings
        log.info(
            "MQTT connecting to %s:%d as %s%s%s", s.host, s.port, s.client_id,
            " (TLS)" if s.tls else "", f" user {s.username}" if s.username else "",
        )
        if s.username and not s.tls and not is_loopback(s.host):
            log.warning("MQTT credentials of user %s go to %s:%d in clear text (no TLS): anyone "
                        "on that network can read them; set tls: true", s.username, s.host,
                        s.port)
        client.connect_async(s.host, s.port, keepalive=s.keepalive)
        client.loop_start()
        # paho's thread object, kept so the daemon can tell that it still runs (the watchdog).
        self._network_thread = getattr(client, "_thread", None)

    def wait_connected(self, timeout: float) -> bool:
        """True once connected (successful CONNACK) and subscribed to the inbound topics
        (SUBACK) within `timeout` seconds: a command published after that is received."""
        deadline = time.monotonic() + timeout
        if not self._connected_event.wait(timeout):
            return False
        return self._subscribed_event.wait(max(0.0, deadline - time.monotonic()))

    @property
    def connected(self) -> bool:
        return self._connected

    def network_alive(self) -> bool:
        """True while paho's network thread runs (between start() and close())."""
        thread = self._network_thread
        return thread is not None and thread.is_alive()

    @property
    def last_error(self) -> str | None:
        """Why the last connection attempt failed or dropped (one line), or None."""
        return self._last_error

    def close(self, drain_timeout: float = 2.0) -> None:
        """Clean shutdown: wait up to `drain_timeout` for queued and unacknowledged
        commands, publish retained "offline", disconnect (no last will), stop the loop."""
        with self._lock:
            client = self._client
            if client is None or self._closing:
                return
        deadline = time.monotonic() + drain_timeout
        while time.monotonic() < deadline:
            with self._lock:
                self._drain_acks()
                # Nothing left, or nothing can leave: wait while commands are pending, also
                # for a connection that is still being made (a quick start-stop).
                if not (self._queue or self._inflight):
                    break
            time.sleep(0.01)
        with self._lock:
            self._closing = True
            was_connected = self._connected
            left = len(self._queue) + len(self._inflight)
        if left:
            log.warning("MQTT closing with %d command(s) not delivered", left)
        if was_connected:
            info = client.publish(self.availability_topic, "offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout=max(0.5, deadline - time.monotonic()))
            except (RuntimeError, ValueError) as err:  # connection dropped meanwhile
                log.warning("MQTT could not publish offline: %s", err)
        client.disconnect()
        client.loop_stop()
        with self._lock:
            self._connected = False
            self._connected_event.clear()
        log.info("MQTT link closed")

    def __enter__(self) -> MqttLink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        s = self.settings
        return (
            f"MqttLink({s.host}:{s.port}, client_id={s.client_id!r}, "
            f"prefix={s.prefix!r}, connected={self._connected})"
        )

    # -- publishing --------------------------------------------------------------

    def publish_command(self, cmd: Command) -> None:
        """Send one device command: QoS 1, never retained; queued while disconnected."""
        _check_topic(cmd.topic)
        self._submit(_Pending(cmd.topic, cmd.payload, time.monotonic(), "command"))

    def publish_confirmation_request(
        self,
        request_id: str,
        prompt: str,
        *,
        intent: str = "",
        targets: Sequence[str] = (),
        value: int | float | str | None = None,
        expires_in_s: float | None = None,
    ) -> None:
        """Ask for a yes/no on `<prefix>/confirm/request` (QoS 1, not retained, queued
        like a command). The reply is expected on `<prefix>/confirm` as
        `{"id": request_id, "answer": "yes"|"no"}`. The id is what makes a reply valid:
        only clients the broker lets read the request topic may know it (docs/mqtt.md)."""
        body = {
            "id": request_id,
            "prompt": prompt,
            "intent": intent,
            "targets": list(targets),
            "value": value,
            "expires_in_s": expires_in_s,
            "reply_topic": self.confirm_topic,
        }
        self._submit(
            _Pending(self.confirm_request_topic, json.dumps(body), time.monotonic(),
                     "confirm_request")
        )

    def publish_event(self, payload: Mapping[str, Any]) -> bool:
        """One utterance's event on `<prefix>/intent` (JSON, QoS 0, not retained).
        Events are not queued: returns False (and counts it) when disconnected."""
        data = json.dumps(payload, default=str)
        with self._lock:
            if not self._connected or self._client is None:
                self._events_dropped += 1
                return False
            info = self._client.publish(self.intent_topic, data, qos=0, retain=False)
        return info.rc == mqtt.MQTT_ERR_SUCCESS

    def _submit(self, msg: _Pending) -> None:
        with self._lock:
            if self._connected:
                self._flush_locked()  # normally empty: on_connect flushes it
                self._send_locked(msg)
                self._drain_acks()
                return
            self._enqueue_locked(msg)
        log.debug("MQTT not connected: queued %s (%d waiting)", msg.topic, len(self._queue))

    def _enqueue_locked(self, msg: _Pending) -> None:
        self._purge_expired_locked()
        self._queue.append(msg)
        while len(self._queue) > self.settings.queue_max:
            old = self._queue.popleft()
            self._dropped += 1
            log.warning(
                "MQTT queue full (%d): dropped the oldest %s to %s",
                self.settings.queue_max, old.kind, old.topic,
            )

    def _purge_expired_locked(self) -> None:
        # The queue is in creation order (re-queued in-flight messages go in front and
        # are older), so expired entries are all at the left.
        now = time.monotonic()
        max_age = self.settings.queue_max_age_s
        while self._queue and now - self._queue[0].created > max_age:
            old = self._queue.popleft()
            self._expired += 1
            log.warning(
                "MQTT dropped a %s to %s queued %.0f s ago (max age %.0f s)",
                old.kind, old.topic, now - old.created, max_age,
            )

    def _send_locked(self, msg: _Pending) -> None:
        assert self._client is not None
        info = self._client.publish(msg.topic, msg.payload, qos=1, retain=False)
        # Even if rc says "no connection", paho keeps the message and we keep its mid:
        # the disconnect handler takes it back and re-queues it.
        self._inflight[info.mid] = msg

    def _flush_locked(self) -> None:
        self._purge_expired_locked()
        while self._queue:
            self._send_locked(self._queue.popleft())

    def _drain_acks(self) -> None:
        """Apply PUBACKs recorded by the network thread (caller holds the lock)."""
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                return
            if self._inflight.pop(mid, None) is not None:
                self._delivered += 1

    def stats(self) -> MqttStats:
        with self._lock:
            self._drain_acks()
            self._purge_expired_locked()
            return MqttStats(
                connected=self._connected,
                queued=len(self._queue),
                inflight=len(self._inflight),
                delivered=self._delivered,
                dropped=self._dropped,
                expired=self._expired,
                requeued=self._requeued,
                reconnects=max(0, self._connects - 1),
                events_dropped=self._events_dropped,
                received=sum(i.received for i in self._inbound.values()),
                rejected=sum(i.rejected for i in self._inbound.values()),
                rate_limited=sum(i.rate_limited for i in self._inbound.values()),
            )

    # -- paho callbacks (network thread) -------------------------------------------

    def _handle_connect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.ConnectFlags,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        s = self.settings
        if reason_code.is_failure:
            error = f"MQTT broker {s.host}:{s.port} refused the connection: {reason_code}"
            if reason_code.value in (134, 135):  # bad user name or password / not authorised
                error += " (check username and password file)"
            self._set_error(error)
            return
        with self._lock:
            self._connected = True
            self._connects += 1
            self._last_error = None
            client.publish(self.availability_topic, "online", qos=1, retain=True)
            topics = [(inbound.topic, 1) for inbound in self._inbound.values()]
            if topics:
                self._subscribe_mid = client.subscribe(topics)[1]
            else:
                self._subscribed_event.set()
            waiting = len(self._queue)
            self._flush_locked()
            self._connected_event.set()
        if self._connects > 1:
            log.info("MQTT reconnected to %s:%d, sent %d queued", s.host, s.port, waiting)
        else:
            log.info("MQTT connected to %s:%d", s.host, s.port)

    def _handle_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        # paho calls this inside its `except OSError:` block: the error is still current.
        err = sys.exc_info()[1]
        s = self.settings
        self._set_error(f"MQTT cannot connect to {s.host}:{s.port}: {err or 'connection failed'}")

    def _set_error(self, error: str, level: int = logging.ERROR) -> None:
        # Log a failure once, its repetitions (one per retry) at debug.
        with self._lock:
            repeated = error == self._last_error
            self._last_error = error
        log.log(logging.DEBUG if repeated else level, "%s", error)

    def _handle_disconnect(
        self,
        client: mqtt.Client,
        userdata: Any,
        flags: mqtt.DisconnectFlags,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        with self._lock:
            was_connected = self._connected
            self._connected = False
            self._connected_event.clear()
            self._subscribed_event.clear()
            self._drain_acks()
            # Take back what paho still holds (so it does not resend stale copies on its
            # own) and queue it again, in publish order, ahead of what waits already.
            client.drop_out_messages()
            unacked = list(self._inflight.values())
            self._inflight.clear()
            overflow = 0
            if unacked:
                self._requeued += len(unacked)
                self._queue.extendleft(reversed(unacked))
                overflow = max(0, len(self._queue) - self.settings.queue_max)
                for _ in range(overflow):
                    self._queue.popleft()
                self._dropped += overflow
            closing = self._closing
        if closing:
            return
        if was_connected:
            error = f"MQTT connection to {self.settings.host}:{self.settings.port} lost"
            if flags.is_disconnect_packet_from_server or reason_code.value != 128:
                error += f" ({reason_code})"  # 128 "Unspecified error": the socket broke
            self._set_error(error + "; reconnecting", logging.WARNING)
            if unacked:
                log.warning("MQTT re-queued %d unacknowledged message(s)", len(unacked))
            if overflow:
                log.warning("MQTT queue full (%d): dropped the %d oldest message(s)",
                            self.settings.queue_max, overflow)

    def _handle_subscribe(self, client: mqtt.Client, userdata: Any, mid: int,
                          reason_codes: list[ReasonCode], properties: Any) -> None:
        if mid != self._subscribe_mid:
            return
        refused = [rc for rc in reason_codes if rc.is_failure]
        if refused:  # e.g. an ACL: typed commands or confirmations will not arrive
            log.error("MQTT broker refused a subscription under %s/: %s",
                      self.settings.prefix, ", ".join(str(rc) for rc in refused))
        self._subscribed_event.set()

    def _handle_publish(
        self,
        client: mqtt.Client,
        userdata: Any,
        mid: int,
        reason_code: ReasonCode,
        properties: Any,
    ) -> None:
        # Runs while paho holds its message lock: never block on self._lock here.
        self._acks.put(mid)
        if self._lock.acquire(blocking=False):
            try:
                self._drain_acks()
            finally:
                self._lock.release()

    def _receiver(self, inbound: _Inbound) -> Callable[[mqtt.Client, Any, mqtt.MQTTMessage],
                                                        None]:
        """A paho message callback for one inbound topic. It can never raise: whatever a
        message holds, paho's network loop goes on (one bad message once made it end, and
        the daemon deaf for good)."""

        def handle(client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
            try:
                self._receive(inbound, msg)
            except Exception as exc:  # the guard: parse and callback, whatever they raise
                inbound.rejected += 1
                inbound.burst_log(logging.ERROR, "MQTT dropped a message on %s: %s: %s",
                                  inbound.topic, type(exc).__name__, shorten(str(exc)))

        return handle

    def _receive(self, inbound: _Inbound, msg: mqtt.MQTTMessage) -> None:
        limit = inbound.limit
        if not inbound.bucket.take():
            inbound.rate_limited += 1
            inbound.burst_log(logging.WARNING, "MQTT %s: more than %g messages/s (burst %d): "
                              "dropping", inbound.topic, limit.rate_per_s, limit.burst)
            return
        payload = bytes(msg.payload)
        reason: str | None = None
        value: Any = None
        if msg.retain:
            reason = "a retained message (a stale command would act again on every restart)"
        elif len(payload) > limit.max_bytes:
            reason = f"{len(payload)} bytes, over the {limit.max_bytes}-byte limit"
        else:
            try:
                value = inbound.parse(payload.decode("utf-8"))
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 (byte {exc.start})"
            except PayloadError as exc:
                reason = str(exc)
        if reason is not None:
            inbound.rejected += 1
            inbound.burst_log(logging.WARNING, "MQTT ignored a %s message on %s: %s",
                              inbound.name, inbound.topic, reason)
            return
        inbound.received += 1
        inbound.callback(value)
