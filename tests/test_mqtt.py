"""The MQTT link against a real Mosquitto: delivery, availability, reconnects, auth, TLS.

Every test uses its own topic prefix; tests that stop, pause or kill the broker get
their own broker.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.mqtt import (
    ConfirmReply,
    MqttError,
    MqttLink,
    MqttSettings,
    PayloadError,
    parse_confirm_reply,
    parse_ptt,
    parse_text_command,
)
from assistant.types import Command, ParseRequest
from tests.mosquitto import Mosquitto, Subscriber

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def shared_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    """One anonymous broker for the tests that do not disturb it."""
    with Mosquitto(tmp_path_factory.mktemp("mosquitto")) as broker:
        yield broker


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    """A broker of this test's own, to stop, pause, kill and restart."""
    with Mosquitto(tmp_path / "broker") as b:
        yield b


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def settings_for(broker: Mosquitto, prefix: str, **changes: Any) -> MqttSettings:
    base = MqttSettings(host=broker.host, port=broker.port, client_id=f"{prefix}-link",
                        prefix=prefix, keepalive=5, reconnect_min_s=1, reconnect_max_s=2)
    return dataclasses.replace(base, **changes)


def cmd(prefix: str, seq: int) -> Command:
    return Command(f"{prefix}/dev/lamp/set", json.dumps({"seq": seq}), "lamp")


def seqs(sub: Subscriber) -> list[int]:
    return [json.loads(p)["seq"] for p in sub.payloads()]


def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


# -- delivery and availability ------------------------------------------------------------


def test_commands_are_qos1_not_retained_and_delivered(shared_broker: Mosquitto, prefix: str
                                                      ) -> None:
    with Subscriber(shared_broker, [f"{prefix}/dev/#"]) as sub, \
            MqttLink(settings_for(shared_broker, prefix)) as link:
        assert link.wait_connected(3)
        for i in range(5):
            link.publish_command(cmd(prefix, i))
        msgs = sub.wait(5)
        assert [json.loads(m.payload)["seq"] for m in msgs] == [0, 1, 2, 3, 4]
        assert all(m.qos == 1 for m in msgs)
        assert not any(m.retain for m in msgs)  # retain-as-published: the flag as sent
        assert wait_until(lambda: link.stats().delivered == 5)
        stats = link.stats()
        assert (stats.queued, stats.inflight, stats.dropped, stats.expired) == (0, 0, 0, 0)
    # Nothing stays retained on a command topic for a device that reconnects later.
    with Subscriber(shared_broker, [f"{prefix}/dev/#"]) as late:
        time.sleep(0.3)
        assert late.payloads() == []


def test_availability_online_retained_then_offline_on_close(shared_broker: Mosquitto,
                                                            prefix: str) -> None:
    topic = f"{prefix}/available"
    link = MqttLink(settings_for(shared_broker, prefix))
    link.start()
    assert link.wait_connected(3)
    with Subscriber(shared_broker, [topic]) as sub:
        (msg,) = sub.wait(1)
        assert (msg.payload, msg.retain) == (b"online", True)
        link.close()
        sub.wait(2)
        assert sub.payloads() == ["online", "offline"]
    with Subscriber(shared_broker, [topic]) as late:
        (msg,) = late.wait(1)
        assert (msg.payload, msg.retain) == (b"offline", True)
    assert not link.connected


LINK_PROCESS = """
import sys, time
from assistant.mqtt import MqttLink, MqttSettings
host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
link = MqttLink(MqttSettings(host=host, port=port, client_id=prefix + "-proc", prefix=prefix))
link.start()
print("ready" if link.wait_connected(5) else "failed", flush=True)
time.sleep(60)
"""


def test_last_will_offline_when_the_process_dies(shared_broker: Mosquitto, prefix: str) -> None:
    topic = f"{prefix}/available"
    proc = subprocess.Popen(
        [sys.executable, "-c", LINK_PROCESS, shared_broker.host, str(shared_broker.port), prefix],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        with Subscriber(shared_broker, [topic]) as sub:
            assert sub.wait(1)[0].payload == b"online"
            proc.send_signal(signal.SIGKILL)  # no clean shutdown: only the will can tell
            proc.wait(5)
            msgs = sub.wait(2)
            assert msgs[-1].payload == b"offline"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    with Subscriber(shared_broker, [topic]) as late:
        (msg,) = late.wait(1)
        assert (msg.payload, msg.retain) == (b"offline", True)


# -- reconnects, queue bound, max age -------------------------------------------------


def test_unacknowledged_and_queued_commands_survive_a_broker_kill(broker: Mosquitto,
                                                                 prefix: str) -> None:
    link = MqttLink(settings_for(broker, prefix))
    link.start()
    try:
        assert link.wait_connected(3)
        first = Subscriber(broker, [f"{prefix}/dev/#"])
        for i in range(10):
            link.publish_command(cmd(prefix, i))
        assert len(first.wait(10)) == 10
        # Paused: the commands reach the broker's socket but are never acknowledged
        # (25 > paho's 20 in-flight slots, so some also wait inside paho).
        broker.pause()
        for i in range(10, 35):
            link.publish_command(cmd(prefix, i))
        time.sleep(0.2)
        assert link.stats().inflight == 25
        broker.kill()
        first.close()
        assert wait_until(lambda: not link.connected)
        for i in range(35, 40):
            link.publish_command(cmd(prefix, i))
        stats = link.stats()
        assert (stats.queued, stats.inflight, stats.requeued) == (30, 0, 25)

        broker.start()  # same port, no sessions, no retained messages
        with Subscriber(broker, [f"{prefix}/dev/#"]) as second:
            # The link retries after reconnect_min_s = 1 s: the subscriber is there first.
            assert not link.connected, "link reconnected before the test subscriber"
            assert link.wait_connected(5)
            second.wait(30)
            assert seqs(first) == list(range(10))
            assert seqs(second) == list(range(10, 40))  # all, in order, no duplicates
        assert wait_until(lambda: link.stats().delivered == 40)
        stats = link.stats()
        assert (stats.queued, stats.inflight, stats.reconnects, stats.dropped) == (0, 0, 1, 0)
    finally:
        link.close()


def test_queue_is_bounded_and_drops_the_oldest(broker: Mosquitto, prefix: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    with MqttLink(settings_for(broker, prefix, queue_max=5)) as link:
        assert link.wait_connected(3)
        broker.kill()
        assert wait_until(lambda: not link.connected)
        for i in range(8):
            link.publish_command(cmd(prefix, i))
        stats = link.stats()
        assert (stats.queued, stats.dropped, stats.connected) == (5, 3, False)
        assert sum("queue full" in r.getMessage() for r in caplog.records) == 3
        broker.start()
        with Subscriber(broker, [f"{prefix}/dev/#"]) as sub:
            assert not link.connected, "link reconnected before the test subscriber"
            assert link.wait_connected(5)
            sub.wait(5)
            time.sleep(0.1)
            assert seqs(sub) == [3, 4, 5, 6, 7]


def test_queued_commands_older_than_max_age_are_dropped(broker: Mosquitto, prefix: str
                                                        ) -> None:
    with MqttLink(settings_for(broker, prefix, queue_max_age_s=0.6)) as link:
        assert link.wait_connected(3)
        broker.kill()
        assert wait_until(lambda: not link.connected)
        lost_at = time.monotonic()
        link.publish_command(cmd(prefix, 0))
        link.publish_command(cmd(prefix, 1))
        broker.start()
        with Subscriber(broker, [f"{prefix}/dev/#"]) as sub:
            # The link retries 1 s after losing the connection; just before that:
            time.sleep(max(0.0, lost_at + 0.8 - time.monotonic()))
            stats = link.stats()
            assert (stats.queued, stats.expired, stats.connected) == (0, 2, False)
            link.publish_command(cmd(prefix, 2))
            assert link.wait_connected(5)
            sub.wait(1)
            time.sleep(0.1)
            assert seqs(sub) == [2]


# -- authentication ------------------------------------------------------------------------


@pytest.fixture
def auth_broker(tmp_path: Path) -> Iterator[Mosquitto]:
    with Mosquitto(tmp_path / "auth", users={"assistant": PASSWORD}) as b:
        yield b


def test_refused_connection_is_not_connected_and_says_why(
    auth_broker: Mosquitto, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pw = tmp_path / "wrong"
    pw.write_text("not the password\n")
    link = MqttLink(settings_for(auth_broker, prefix, username="assistant",
                                 password_file=str(pw)))
    caplog.set_level(logging.DEBUG)
    link.start()
    try:
        assert wait_until(lambda: link.last_error is not None)
        assert not link.wait_connected(0.3)
        assert not link.connected
        assert link.last_error is not None
        assert "refused" in link.last_error
        assert "check username and password file" in link.last_error
        assert "\n" not in link.last_error
        link.publish_command(cmd(prefix, 0))  # no crash: it waits in the queue
        assert link.stats().queued == 1
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1 and errors[0].exc_info is None
    finally:
        started = time.monotonic()
        link.close()
        assert time.monotonic() - started < 3
    assert "not the password" not in caplog.text


def test_password_from_file_is_used_and_never_shown(
    auth_broker: Mosquitto, prefix: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    pw = tmp_path / "mqtt_password"
    pw.write_text(PASSWORD + "\n")
    caplog.set_level(logging.DEBUG)  # paho's own packet log included
    settings = settings_for(auth_broker, prefix, username="assistant", password_file=str(pw))
    with Subscriber(auth_broker, [f"{prefix}/dev/#"], username="assistant",
                    password=PASSWORD) as sub, MqttLink(settings) as link:
        assert link.wait_connected(3)
        link.publish_command(cmd(prefix, 7))
        assert [json.loads(m.payload)["seq"] for m in sub.wait(1)] == [7]
        shown = [repr(settings), str(settings), repr(link), str(link.stats())]
    assert PASSWORD not in caplog.text
    assert all(PASSWORD not in s for s in shown)


def test_systemd_credential_takes_precedence(
    auth_broker: Mosquitto, prefix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = tmp_path / "credentials"
    creds.mkdir()
    (creds / "mqtt_password").write_text(PASSWORD)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    # The configured file is not readable under the unit: the credential is used.
    settings = settings_for(auth_broker, prefix, username="assistant",
                            password_file="/etc/assistant/unreadable")
    assert settings.password_source() == creds / "mqtt_password"
    with MqttLink(settings) as link:
        assert link.wait_connected(3)


def test_missing_password_file_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    missing = tmp_path / "nope" / "mqtt_password"
    link = MqttLink(MqttSettings(username="assistant", password_file=str(missing)))
    with pytest.raises(MqttError) as err:
        link.start()
    assert "password_file" in str(err.value) and "does not exist" in str(err.value)
    assert str(missing) not in str(err.value)  # it might be a password put there by mistake
    assert "\n" not in str(err.value)
    link.close()  # harmless on a link that never started
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(MqttError, match="is empty"):
        MqttSettings(username="u", password_file=str(empty)).load_password()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"port": 0}, "port"),
        ({"password_file": "/x"}, "username"),
        ({"tls": True, "cert_file": "/c"}, "together"),
        ({"ca_file": "/ca"}, "tls"),
        ({"queue_max": 0}, "queue_max"),
        ({"reconnect_min_s": 10, "reconnect_max_s": 5}, "reconnect"),
        ({"prefix": "a/#"}, "prefix"),
    ],
)
def test_settings_are_validated(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(MqttError, match=message):
        MqttSettings(**kwargs)


def test_missing_tls_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    with pytest.raises(MqttError, match=f"ca_file {missing} does not exist"):
        MqttLink(MqttSettings(tls=True, ca_file=str(missing))).start()


# -- TLS -------------------------------------------------------------------------------------


def test_tls_with_ca_and_client_certificate(tmp_path: Path, prefix: str) -> None:
    with Mosquitto(tmp_path / "tls", tls=True, require_client_cert=True) as broker:
        assert broker.tls_port is not None
        certs = broker.certs
        good = settings_for(broker, prefix, port=broker.tls_port, tls=True,
                            ca_file=str(certs["ca"]), cert_file=str(certs["client"]),
                            key_file=str(certs["client_key"]))
        with Subscriber(broker, [f"{prefix}/dev/#"]) as sub, MqttLink(good) as link:
            assert link.wait_connected(5)
            link.publish_command(cmd(prefix, 1))
            assert [json.loads(m.payload)["seq"] for m in sub.wait(1)] == [1]

        # The broker's certificate is not signed by a CA the client trusts.
        other_ca = tmp_path / "other_ca.pem"
        other_ca.write_text(certs["client"].read_text())
        bad = settings_for(broker, f"{prefix}x", port=broker.tls_port, tls=True,
                           ca_file=str(other_ca), cert_file=str(certs["client"]),
                           key_file=str(certs["client_key"]))
        with MqttLink(bad) as link:
            assert not link.wait_connected(1.0)
            assert link.last_error is not None
            assert "certificate verify failed" in link.last_error.lower()


# -- messages in: typed commands, confirmations, push-to-talk, events out ----------------------


def test_typed_commands_confirmations_and_ptt_reach_the_callbacks(
    shared_broker: Mosquitto, prefix: str
) -> None:
    got: queue.Queue[object] = queue.Queue()

    def explode(req: ParseRequest) -> None:
        got.put(req)
        if req.text == "boom":
            raise RuntimeError("callback bug")

    # A retained command left on the broker must not be replayed at start-up.
    with Subscriber(shared_broker, ["unused"]) as pub:
        pub.client.publish(f"{prefix}/command", "unlock the front door", qos=1,
                           retain=True).wait_for_publish(2)
    link = MqttLink(settings_for(shared_broker, prefix), on_command=explode,
                    on_confirm=got.put, on_ptt=got.put)
    with link, Subscriber(shared_broker, ["unused"]) as pub:
        assert link.wait_connected(3)
        time.sleep(0.2)
        assert got.empty()
        for topic, payload in [
            ("command", "boom"),
            ("command", "turn on the kitchen light"),
            ("command", '{"text": "turn that off", "camera": "living_room_cam"}'),
            ("command", "{not json"),
            ("confirm", '{"id": "r1", "answer": "yes"}'),
            ("confirm", "no"),  # names no request: refused
            ("confirm", "maybe"),
            ("ptt", "1"),
            ("ptt", "OFF"),
        ]:
            pub.client.publish(f"{prefix}/{topic}", payload, qos=1).wait_for_publish(2)
        received = [got.get(timeout=2) for _ in range(6)]
        # Subscriptions are separate topics, so only the order within one topic is fixed.
        assert [r for r in received if isinstance(r, ParseRequest)] == [
            ParseRequest("boom"), ParseRequest("turn on the kitchen light"),
            ParseRequest("turn that off", camera="living_room_cam"),
        ]
        assert [r for r in received if isinstance(r, ConfirmReply)] == [ConfirmReply(True, "r1")]
        assert [r for r in received if isinstance(r, bool)] == [True, False]
        time.sleep(0.1)
        assert got.empty()
        assert link.connected  # the raising callback did not kill the network thread
    with Subscriber(shared_broker, ["unused"]) as pub:  # tidy the retained message
        pub.client.publish(f"{prefix}/command", b"", retain=True).wait_for_publish(2)


def test_a_command_sent_once_connected_is_received(shared_broker: Mosquitto, prefix: str
                                                   ) -> None:
    """wait_connected() returns after the SUBACK, so nothing sent after it is missed."""
    with Subscriber(shared_broker, ["unused"]) as pub:
        for attempt in range(5):
            got: queue.Queue[ParseRequest] = queue.Queue()
            with MqttLink(settings_for(shared_broker, prefix), on_command=got.put) as link:
                assert link.wait_connected(3)
                pub.client.publish(f"{prefix}/command", f"lights off {attempt}",
                                   qos=1).wait_for_publish(2)
                assert got.get(timeout=2) == ParseRequest(f"lights off {attempt}")


def test_events_and_confirmation_requests(shared_broker: Mosquitto, prefix: str) -> None:
    link = MqttLink(settings_for(shared_broker, prefix))
    assert link.publish_event({"text": "hello"}) is False  # not started: dropped, counted
    assert link.stats().events_dropped == 1
    with Subscriber(shared_broker, [f"{prefix}/intent", f"{prefix}/confirm/request"]) as sub, \
            link:
        assert link.wait_connected(3)
        assert link.publish_event({"text": "turn on the lamp", "intent": "turn_on",
                                   "targets": ["lamp"], "decision": "act"})
        link.publish_confirmation_request("r7", "Unlock the front door?", intent="unlock",
                                          targets=["front_door"], expires_in_s=30)
        msgs = sub.wait(2)
    by_topic = {m.topic: m for m in msgs}
    event = by_topic[f"{prefix}/intent"]
    assert json.loads(event.payload)["intent"] == "turn_on"
    assert not event.retain
    request = by_topic[f"{prefix}/confirm/request"]
    body = json.loads(request.payload)
    assert body["id"] == "r7" and body["targets"] == ["front_door"]
    assert body["reply_topic"] == f"{prefix}/confirm"
    assert (request.qos, request.retain) == (1, False)
    assert "commands" not in body  # the request never carries the action itself


def test_invalid_command_topic_is_rejected(shared_broker: Mosquitto, prefix: str) -> None:
    with MqttLink(settings_for(shared_broker, prefix)) as link, \
            pytest.raises(MqttError, match="wildcard"):
        link.publish_command(Command("zigbee2mqtt/#/set", "{}"))


def test_payload_parsers() -> None:
    assert parse_confirm_reply(' {"id": "r-1_x", "answer": "yes"} ') == ConfirmReply(True, "r-1_x")
    assert parse_confirm_reply('{"id": "abc", "confirmed": false}') == ConfirmReply(False, "abc")
    assert parse_text_command('{"text": "hi", "camera": ""}') == ParseRequest("hi")
    assert parse_text_command(" lights  off\n") == ParseRequest("lights  off")
    assert parse_ptt('{"state": "pressed"}') is True
    assert parse_ptt(" OFF ") is False
    for parse, payload in [
        (parse_confirm_reply, "YES"), (parse_confirm_reply, "[1]"),
        (parse_confirm_reply, '{"id": 3, "confirmed": false}'),
        (parse_text_command, "  "), (parse_text_command, '{"text": 1}'),
        (parse_ptt, "sideways"), (parse_ptt, '{"state": 1}'),
    ]:
        with pytest.raises(PayloadError):
            parse(payload)


def test_anonymous_settings_read_no_password(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    (tmp_path / "mqtt_password").write_text("x")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert MqttSettings().load_password() is None  # no username: the credential is unused
