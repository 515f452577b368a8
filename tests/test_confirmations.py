"""Confirmations of sensitive actions cannot be forged (issue 10, defect 3).

Every forgery path of the issue is tried against a real daemon and a real Mosquitto, and
each test asserts that nothing reached the lock or the garage door: a plain `yes` on the
confirm topic, `{"confirmed": 1}`, `{"id": null, "answer": true}`, `yes` on the command
topic, a `yes` flood, wrong ids (brute force), a second request that would replace the
first, a spoken yes from another source or after the window, and, with a broker ACL, a
client that may neither read the request nor reply to it.

Synchronisation is on events, never on sleeps: MQTT messages from one client arrive in the
order they were sent, so a sentinel typed command ("turn on the kettle") published after
the forgeries has been handled, and its device command delivered, only after every
forgery was handled. A spoken reply is held back by a gated audio source until the test
opens the gate.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.audio import AudioChunk, AudioSource, WavFileSource
from assistant.config import HomeConfig
from assistant.daemon import MAX_WRONG_REPLIES, Daemon, DaemonOptions, mqtt_settings
from assistant.mqtt import InboundLimit
from assistant.pipeline import Brain
from assistant.simulator import DeviceSimulator
from assistant.speech import Recognizer
from tests.mosquitto import Mosquitto, Subscriber
from tests.test_daemon import (  # the daemon tests' fixtures (used as arguments) and helpers
    COMMAND_TOPICS,
    UNLOCK,
    YES,
    Env,
    Events,
    brain,
    commands,
    env,
    pairs,
    publish,
    recognizer,
    run_daemon,
    sim_devices,
    write_wav,
)

FIXTURES = (brain, env, recognizer)  # imported for pytest, which finds them by name

LOCK_TOPIC = "zigbee2mqtt/front_door/set"
GARAGE_TOPIC = "zigbee2mqtt/garage_door/set"
UNLOCKED = (LOCK_TOPIC, '{"state": "UNLOCK"}')
KETTLE = ("cmnd/tasmota_kettle/POWER", "ON")
FAST = {name: InboundLimit(max_bytes=limit, rate_per_s=1000.0, burst=1000)
        for name, limit in (("command", 2048), ("confirm", 256), ("ptt", 64))}


def sensitive(env: Env | Subscriber) -> list[tuple[str, str]]:
    """What reached the lock or the garage door."""
    sub = env.sub if isinstance(env, Env) else env
    return [p for p in pairs(commands(sub)) if p[0] in (LOCK_TOPIC, GARAGE_TOPIC)]


def requests(env: Env, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
    msgs = env.sub.wait(count, timeout=timeout, topic=env.topic("confirm/request"))
    assert len(msgs) >= count, f"{len(msgs)} confirmation request(s), expected {count}"
    return [json.loads(m.payload) for m in msgs]


def sentinel(env: Env, kettles: int = 1, via: Subscriber | None = None) -> None:
    """A typed command after the messages under test: once its device command arrived,
    every message published before it (by the same client) has been handled."""
    (via or env.sub).client.publish(env.topic("command"), "turn on the kettle",
                                    qos=1).wait_for_publish(3)
    env.sub.wait(kettles, timeout=10, topic=KETTLE[0])
    assert len([p for p in pairs(commands(env.sub)) if p == KETTLE]) >= kettles


def no_id_leaked(env: Env, request_ids: Sequence[str], log_text: str) -> None:
    """The request ids appear on <prefix>/confirm/request (and in the replies the test
    sent), nowhere else: not in an intent event, not in a log line."""
    with env.sub._cond:
        elsewhere = [m for m in env.sub.messages
                     if m.topic not in (env.topic("confirm/request"), env.topic("confirm"))]
    for request_id in request_ids:
        assert all(request_id.encode() not in m.payload for m in elsewhere)
        assert request_id not in log_text


def silent_options(seconds: float = 60.0, tmp_path: Path | None = None,
                   **changes: Any) -> DaemonOptions:
    assert tmp_path is not None
    silence = write_wav(tmp_path / "silence.wav", [seconds])
    return DaemonOptions(audio=(str(silence),), realtime=True, exit_when_done=True,
                         start_cameras=(), **changes)


# -- forged replies over MQTT --------------------------------------------------------------


FORGED_WITHOUT_ID = ["yes", "YES", "1", "true", "ok", '{"confirmed": 1}', '{"confirmed": true}',
                     '{"id": null, "answer": true}', '{"id": null, "answer": "yes"}',
                     '{"answer": "yes"}', '{"request_id": "x", "answer": "yes"}', "[true]"]
FORGED_WITH_THE_RIGHT_ID = ['{"id": "%s", "confirmed": 1}', '{"id": "%s", "answer": true}',
                            '{"id": "%s", "confirmed": "true"}', '{"id": "%s", "answer": "YES!"}',
                            '{"id": "%s", "answer": "yes", "confirmed": false}',
                            '{"id": ["%s"], "answer": "yes"}', '{"id": "%s", "confirmed": null}',
                            '{"id": "%s", "answer": "yes", "by": "me"}', '"%s"']


def test_forged_replies_confirm_nothing_and_the_real_one_still_does(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    checked: dict[str, Any] = {}

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        (request,) = requests(env, 1)
        forged = FORGED_WITHOUT_ID + [f % request["id"] for f in FORGED_WITH_THE_RIGHT_ID]
        for payload in forged:
            publish(env, env.topic("confirm"), payload)
        # A reply with an id of the same shape that is not the request's.
        publish(env, env.topic("confirm"), json.dumps({"id": secrets.token_urlsafe(16),
                                                       "answer": "yes"}))
        sentinel(env)
        checked["forged"] = len(forged) + 1
        checked["after_forgeries"] = sensitive(env)
        checked["still_pending"] = daemon.pending
        publish(env, env.topic("confirm"), json.dumps({"id": request["id"], "answer": "yes"}))
        env.sim.wait_for("front_door", lambda s: s["state"] == "UNLOCK", timeout=5)
        env.sub.wait(1, timeout=5, topic=LOCK_TOPIC)  # the recorder may lag the device
        checked["id"] = request["id"]

    code, daemon, _ = run_daemon(env.config, brain, recognizer,
                                 silent_options(tmp_path=tmp_path, mqtt_limits=FAST), helper)
    assert code == 0
    assert checked["after_forgeries"] == [], "a forged reply confirmed"
    assert checked["still_pending"] == ("front_door",)
    assert sensitive(env) == [UNLOCKED]  # once, from the real reply
    stats = daemon.link.stats()
    assert stats.rejected == checked["forged"] - 1  # all but the well-formed wrong id
    no_id_leaked(env, [checked["id"]], caplog.text)


@pytest.mark.parametrize("said", ["yes", "yes please", "confirm", '{"text": "yes"}'])
def test_text_on_the_command_topic_never_answers(
        said: str, env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path) -> None:
    checked: dict[str, Any] = {}

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        requests(env, 1)
        publish(env, env.topic("command"), said)
        sentinel(env)
        checked["pending"] = daemon.pending

    code, _, reported = run_daemon(env.config, brain, recognizer,
                                   silent_options(tmp_path=tmp_path), helper)
    assert code == 0
    assert sensitive(env) == []
    assert checked["pending"] == ("front_door",)
    assert reported.items[1]["decision"] == "ignore"  # "yes" typed: not a command


def test_a_flood_of_yes_confirms_nothing(env: Env, brain: Brain, recognizer: Recognizer,
                                        tmp_path: Path) -> None:
    """A `yes` at 10 Hz once turned every confirmation into an action within 0.1 s."""
    checked: dict[str, Any] = {}

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        requests(env, 1)
        for i in range(30):  # 10 Hz for 3 s, at the default rate limits
            publish(env, env.topic("confirm"), "yes" if i % 2 else '{"confirmed": true}')
            threading.Event().wait(0.1)  # pacing the attacker, not synchronising
        sentinel(env)
        checked["pending"] = daemon.pending

    code, daemon, _ = run_daemon(env.config, brain, recognizer,
                                 silent_options(tmp_path=tmp_path), helper)
    assert code == 0
    assert sensitive(env) == []
    assert checked["pending"] == ("front_door",)
    stats = daemon.link.stats()
    assert stats.rate_limited > 0 and stats.rejected + stats.rate_limited == 30


def test_wrong_ids_cancel_the_request_even_the_right_id_does_nothing_after(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """Brute force: a handful of replies naming no pending request cancels them all."""
    caplog.set_level(logging.INFO, logger="assistant.daemon")
    checked: dict[str, Any] = {}

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        (request,) = requests(env, 1)
        for _ in range(MAX_WRONG_REPLIES):
            publish(env, env.topic("confirm"), json.dumps({"id": secrets.token_urlsafe(16),
                                                           "answer": "yes"}))
        sentinel(env)
        checked["pending"] = daemon.pending
        publish(env, env.topic("confirm"), json.dumps({"id": request["id"], "answer": "yes"}))
        sentinel(env, kettles=2)

    code, daemon, reported = run_daemon(env.config, brain, recognizer,
                                        silent_options(tmp_path=tmp_path, mqtt_limits=FAST),
                                        helper)
    assert code == 0
    assert sensitive(env) == []
    assert checked["pending"] == ()
    cancelled = [e for e in reported.items if "too many replies" in e["reason"]]
    assert [(e["intent"], e["targets"], e["decision"]) for e in cancelled] == [
        ("unlock", ["front_door"], "ignore")]
    assert daemon.link.stats().rate_limited == 0
    assert f"{MAX_WRONG_REPLIES} MQTT replies with a wrong id" in caplog.text


# -- one request per device and per session ------------------------------------------------


def test_a_second_request_never_replaces_the_first(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path) -> None:
    checked: dict[str, Any] = {}

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        (request,) = requests(env, 1)
        publish(env, env.topic("command"), "open the garage door")  # the same session
        events.wait(2, timeout=5)
        publish(env, env.topic("confirm"), json.dumps({"id": request["id"], "answer": "yes"}))
        env.sim.wait_for("front_door", lambda s: s["state"] == "UNLOCK", timeout=5)
        env.sub.wait(1, timeout=5, topic=LOCK_TOPIC)  # the recorder may lag the device
        checked["requests"] = len(env.sub.payloads(env.topic("confirm/request")))

    code, _, reported = run_daemon(env.config, brain, recognizer,
                                   silent_options(tmp_path=tmp_path), helper)
    assert code == 0
    asked, refused = reported.items[:2]
    assert (asked["targets"], asked["decision"]) == (["front_door"], "confirm")
    assert (refused["targets"], refused["decision"]) == (["garage_door"], "clarify")
    assert "another confirmation is pending" in refused["reason"]
    assert checked["requests"] == 1
    assert sensitive(env) == [UNLOCKED]  # the yes opened what it was asked for, nothing else


class GatedWavs(AudioSource):
    """WAV files played in turn as one audio source (one session, like a microphone);
    before each file after the first it waits until the test opens that file's gate."""

    def __init__(self, name: str, parts: Sequence[Path]) -> None:
        self.name = name
        self.parts = list(parts)
        self.gates = [threading.Event() for _ in self.parts[1:]]
        self._closed = threading.Event()
        self._current: WavFileSource | None = None

    def __iter__(self) -> Iterator[AudioChunk]:
        for i, part in enumerate(self.parts):
            if i > 0:
                gate = self.gates[i - 1]
                while not gate.wait(0.05):
                    if self._closed.is_set():
                        return
            self._current = WavFileSource(part, realtime=False)
            yield from self._current
            if self._closed.is_set():
                return

    def close(self) -> None:
        self._closed.set()
        if self._current is not None:
            self._current.close()


def gated_daemon(env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path,
                 helper: Callable[[Daemon, Events, GatedWavs], None],
                 config: HomeConfig | None = None) -> tuple[int, Daemon, Events]:
    """A daemon hearing "unlock the front door", then (once the test opens the first gate)
    "yes", from one audio source named "mic" that then stays quiet until the daemon stops."""
    first = write_wav(tmp_path / "unlock.wav", [0.2, UNLOCK, 0.8])
    second = write_wav(tmp_path / "yes.wav", [0.2, YES, 0.8])
    quiet = write_wav(tmp_path / "quiet.wav", [0.1])
    source = GatedWavs("mic", [first, second, quiet])  # the last gate is never opened
    options = DaemonOptions(audio=("mic",), realtime=False, exit_when_done=True,
                            start_cameras=())
    return run_daemon(config or env.config, brain, recognizer, options,
                      lambda d, e: helper(d, e, source),
                      audio_factory=lambda spec, realtime: source)


def test_a_spoken_yes_answers_its_own_request_not_an_injected_one(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path) -> None:
    """Unlock asked aloud, a garage request injected over MQTT meanwhile: the user's yes
    opens the front door (what they asked for), never the garage."""
    def helper(daemon: Daemon, events: Events, source: GatedWavs) -> None:
        requests(env, 1)
        publish(env, env.topic("command"), "open the garage door")
        requests(env, 2)  # another session, another device: asked separately
        source.gates[0].set()
        events.wait(3, timeout=15)

    code, _, reported = gated_daemon(env, brain, recognizer, tmp_path, helper)
    assert code == 0
    env.sim.wait_for("front_door", lambda s: s["state"] == "UNLOCK", timeout=5)
    env.sub.wait(1, timeout=5, topic=LOCK_TOPIC)  # the recorder may lag the device
    assert sensitive(env) == [UNLOCKED]
    spoken = reported.items[2]
    assert (spoken["text"], spoken["targets"], spoken["decision"]) == (
        "yes", ["front_door"], "act")


def test_a_spoken_yes_does_not_answer_a_request_from_elsewhere(
        env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path) -> None:
    quiet = write_wav(tmp_path / "quiet.wav", [0.3])
    source = GatedWavs("mic", [quiet, write_wav(tmp_path / "yes.wav", [0.2, YES, 0.8]), quiet])

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        publish(env, env.topic("command"), "unlock the front door")
        requests(env, 1)
        source.gates[0].set()
        events.wait(2, timeout=15)

    options = DaemonOptions(audio=("mic",), realtime=False, exit_when_done=True,
                            start_cameras=())
    code, daemon, reported = run_daemon(env.config, brain, recognizer, options, helper,
                                        audio_factory=lambda spec, realtime: source)
    assert code == 0
    assert sensitive(env) == []
    assert (reported.items[1]["text"], reported.items[1]["decision"]) == ("yes", "ignore")
    assert daemon.pending == ("front_door",)


@pytest.mark.parametrize("answer", ["mqtt_no", "timeout"])
def test_a_spoken_yes_after_a_no_or_after_the_window_sends_nothing(
        answer: str, env: Env, brain: Brain, recognizer: Recognizer, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    """The yes is held back until the MQTT "no" was handled, or the request timed out
    (this used to be a race: a voice yes could beat the MQTT no)."""
    caplog.set_level(logging.INFO, logger="assistant.daemon")
    timeout_s = 0.5 if answer == "timeout" else 30.0
    speech = env.config.speech.model_copy(update={"confirm_timeout_s": timeout_s})
    config = env.config.model_copy(update={"speech": speech})

    def helper(daemon: Daemon, events: Events, source: GatedWavs) -> None:
        (request,) = requests(env, 1)
        assert request["expires_in_s"] == timeout_s
        if answer == "mqtt_no":
            publish(env, request["reply_topic"], json.dumps({"id": request["id"],
                                                             "answer": "no"}))
        events.wait(2, timeout=10)  # the reply handled, or the request timed out
        source.gates[0].set()
        events.wait(3, timeout=15)
        sentinel(env)

    code, _, reported = gated_daemon(env, brain, recognizer, tmp_path, helper, config)
    assert code == 0
    asked, closed, late_yes, _kettle = reported.items
    assert (asked["intent"], asked["decision"]) == ("unlock", "confirm")
    assert closed["decision"] == "ignore" and closed["commands"] == []
    assert closed["reason"] == ("declined or expired" if answer == "mqtt_no"
                                else "confirmation timed out")
    assert (late_yes["text"], late_yes["decision"], late_yes["commands"]) == ("yes", "ignore", [])
    assert sensitive(env) == []
    assert env.sim.state("front_door")["state"] == "LOCK"
    assert ("declined via mqtt" if answer == "mqtt_no" else "timed out") in caplog.text


# -- broker ACLs: who may read the request and reply -------------------------------------


def acl_text(prefix: str) -> str:
    """As docs/mqtt.md recommends, for this test's prefix."""
    return f"""\
user assistant
topic read {prefix}/command
topic read {prefix}/confirm
topic read {prefix}/ptt
topic write {prefix}/#
topic write zigbee2mqtt/+/set
topic write cmnd/#
topic write home/+/set
topic write valetudo/#
topic write shellies/#

user phone
topic read {prefix}/confirm/request
topic read {prefix}/intent
topic read {prefix}/available
topic write {prefix}/command
topic write {prefix}/confirm

user guest
topic read {prefix}/intent
topic read {prefix}/available
topic write {prefix}/command

user devices
topic read zigbee2mqtt/#
topic read cmnd/#
topic read home/#
topic read valetudo/#
topic read shellies/#
topic write zigbee2mqtt/#
topic write stat/#
topic write tele/#
topic write home/#
topic write valetudo/#

user recorder
topic read #
"""


def test_with_broker_acls_a_client_without_the_right_can_neither_read_nor_confirm(
        brain: Brain, recognizer: Recognizer, home: HomeConfig, tmp_path: Path) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    users = {name: secrets.token_urlsafe(12)
             for name in ("assistant", "phone", "guest", "devices", "recorder")}
    password_files = {}
    for name, password in users.items():
        password_files[name] = tmp_path / f"{name}.password"
        password_files[name].write_text(password + "\n")
    with Mosquitto(tmp_path / "broker", users=users, acl=acl_text(prefix)) as broker:
        mqtt_cfg = home.mqtt.model_copy(update={
            "host": broker.host, "port": broker.port, "prefix": prefix, "keepalive": 10,
            "username": "assistant", "password_file": str(password_files["assistant"])})
        config = home.model_copy(update={"mqtt": mqtt_cfg})
        devices = mqtt_settings(config.model_copy(update={"mqtt": mqtt_cfg.model_copy(update={
            "client_id": f"{prefix}-devices", "username": "devices",
            "password_file": str(password_files["devices"])})}))
        with DeviceSimulator(sim_devices(config), devices) as sim, \
                Subscriber(broker, [*COMMAND_TOPICS, f"{prefix}/#"], username="recorder",
                           password=users["recorder"]) as recorder, \
                Subscriber(broker, ["#", f"{prefix}/#", f"{prefix}/confirm/request",
                                    f"{prefix}/intent"],
                           username="guest", password=users["guest"]) as guest, \
                Subscriber(broker, [f"{prefix}/confirm/request"], username="phone",
                           password=users["phone"]) as phone:
            env = Env(broker, config, sim, recorder)
            checked: dict[str, Any] = {}

            def send(client: Subscriber, topic: str, payload: str) -> None:
                info = client.client.publish(topic, payload, qos=1)
                info.wait_for_publish(3)

            def helper(daemon: Daemon, events: Events) -> None:
                assert daemon.link.wait_connected(5)
                send(guest, f"{prefix}/command", "unlock the front door")  # may ask...
                (request,) = phone.wait(1, timeout=10, topic=f"{prefix}/confirm/request")
                request_id = json.loads(request.payload)["id"]
                # ...but may neither read the request nor answer it, even knowing the id.
                for payload in ("yes", json.dumps({"id": request_id, "answer": "yes"})):
                    send(guest, f"{prefix}/confirm", payload)
                sentinel(env, via=phone)
                checked["after_guest"] = sensitive(recorder)
                checked["guest_saw"] = sorted({m.topic for m in guest.messages})
                send(phone, f"{prefix}/confirm", json.dumps({"id": request_id,
                                                             "answer": "yes"}))
                sim.wait_for("front_door", lambda s: s["state"] == "UNLOCK", timeout=5)
                recorder.wait(1, timeout=5, topic=LOCK_TOPIC)

            code, _, _ = run_daemon(config, brain, recognizer,
                                    silent_options(tmp_path=tmp_path), helper)
    assert code == 0
    assert checked["after_guest"] == []
    assert f"{prefix}/confirm/request" not in checked["guest_saw"]
    assert f"{prefix}/intent" in checked["guest_saw"]  # what it may read, it does read
    assert sensitive(recorder) == [UNLOCKED]  # the phone, which may, confirmed it
