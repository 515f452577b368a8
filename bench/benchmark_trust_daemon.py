"""Benchmark the daemon's network side under attack and over time (issue 10).

    python -m bench.benchmark_trust_daemon [--payloads 3000] [--restarts 20] [--soak-minutes 5]

1. Hostile input: `assistant run`'s daemon as a process of its own (the shipped devices.yaml
   on a local Mosquitto, listening to silence, rate limits lifted so that every payload
   reaches the parsers) gets thousands of hostile payloads on every inbound topic: random
   bytes, 8 MB messages, 100,000-deep nesting, 5,000-digit numbers, lone surrogates,
   wrong types, control characters, forged confirmation replies, and floods. After every
   batch a probe command must come back as an event within 5 s (else: a hang). Figures:
   payloads sent, crashes (the process died), hangs, the slowest probe, peak RSS of the
   daemon process (VmHWM), and anything published to the lock or the garage door.
2. Broker restarts: the daemon's MQTT link (`MqttLink`, which carries every device command)
   publishes a numbered command every 50 ms while the broker is killed (SIGKILL) and
   started again 20 times, with up to a second of commands queued while it is away.
   Figures: commands sent, lost, duplicated.
3. Soak: the daemon process gets a typed command at a steady 4 per second (below the
   command topic's rate limit) for 5 minutes. Figures: commands sent and acted on, RSS at
   minute 1 and at minute 5.

`tests/test_fault_suite.py` (marked slow) runs the same three and asserts the targets:
0 crashes, 0 hangs, peak RSS at most 300 MB, nothing sent to a sensitive device, 0 lost and
0 duplicated commands, flat memory.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SENSITIVE_TOPICS = ("zigbee2mqtt/front_door/set", "zigbee2mqtt/garage_door/set")
KETTLE = "cmnd/tasmota_kettle/POWER"
PROBE_TIMEOUT_S = 5.0
MB = 1024 * 1024


# -- the daemon under test, as a process of its own ------------------------------------------


def serve(config: Path, fast_limits: bool) -> int:
    """The child process: `assistant run`'s daemon, hearing endless silence (a microphone in a
    quiet room), optionally with the inbound rate limits lifted. Logs its MQTT counters at
    the end."""
    import numpy as np

    from assistant.audio import AudioChunk, AudioSource
    from assistant.config import load_config
    from assistant.daemon import Daemon, DaemonOptions
    from assistant.home_speech import home_recognizer
    from assistant.mqtt import INBOUND_LIMITS, InboundLimit
    from assistant.pipeline import Brain

    class Silence(AudioSource):
        name = "silence"

        def __init__(self) -> None:
            self._closed = threading.Event()

        def __iter__(self) -> Iterator[AudioChunk]:
            while not self._closed.wait(0.03):
                yield AudioChunk(np.zeros(480, np.int16), time.monotonic())

        def close(self) -> None:
            self._closed.set()

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    home = load_config(config)
    limits = {name: InboundLimit(limit.max_bytes, 100_000.0, 100_000)
              for name, limit in INBOUND_LIMITS.items()} if fast_limits else None
    options = DaemonOptions(audio=("silence",), realtime=True, start_cameras=(),
                            mqtt_limits=limits)
    daemon = Daemon(home, Brain.load(config), home_recognizer(home), options=options,
                    audio_factory=lambda spec, realtime: Silence())
    code = daemon.run()
    stats = daemon.link.stats()
    logging.getLogger("bench").info(
        "stats: received=%d rejected=%d rate_limited=%d failed_events=%d inbox_dropped=%s",
        stats.received, stats.rejected, stats.rate_limited, daemon.failed_events,
        json.dumps(daemon.inbox.dropped()))
    return code


@dataclasses.dataclass
class DaemonProcess:
    proc: subprocess.Popen[bytes]
    log_file: Path
    prefix: str

    def rss_mb(self) -> tuple[float, float]:
        """(VmRSS, VmHWM): resident now and the peak so far, in MiB."""
        fields = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) / 1024
        return fields["VmRSS"], fields["VmHWM"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def stop(self) -> int:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def daemon_config(broker: Any, workdir: Path) -> tuple[Path, str]:
    """The shipped devices.yaml pointed at `broker`, with a prefix of its own."""
    data = yaml.safe_load((ROOT / "devices.yaml").read_text())
    prefix = f"trust{uuid.uuid4().hex[:6]}"
    data["mqtt"].update(host=broker.host, port=broker.port, prefix=prefix,
                        client_id=f"{prefix}-daemon")
    path = workdir / "devices.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path, prefix


@contextlib.contextmanager
def daemon_process(broker: Any, workdir: Path, *, fast_limits: bool
                   ) -> Iterator[DaemonProcess]:
    from tests.mosquitto import Subscriber

    config, prefix = daemon_config(broker, workdir)
    log_file = workdir / "daemon.log"
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "1"}
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.benchmark_trust_daemon", "serve", "--config",
             str(config), *(["--fast-limits"] if fast_limits else [])],
            cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    daemon = DaemonProcess(proc, log_file, prefix)
    try:
        with Subscriber(broker, [f"{prefix}/available"]) as sub:
            deadline = time.monotonic() + 60
            while "ready:" not in daemon.log() or b"online" not in [
                    m.payload for m in sub.messages]:
                if not daemon.alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"the daemon did not start:\n{daemon.log()}")
                sub.wait(1, timeout=0.2)
        yield daemon
    finally:
        daemon.stop()


# -- 1. hostile input ------------------------------------------------------------------------


def hostile_payloads(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """At least `count` hostile (topic, payload) pairs over the three inbound topics: the
    fixed catalogue on every topic, then random ones; shuffled."""
    rng = random.Random(seed)
    deep = "[" * 100_000 + "]" * 100_000
    big = "9" * 5_000
    fixed: list[bytes | str] = [
        deep, '{"text": ' + deep + "}", '{"id": ' + deep + "}", '{"state": ' + deep + "}",
        big, '{"text": ' + big + "}", '{"id": ' + big + ', "answer": "yes"}',
        '{"state": ' + big + "}", "1e999", '{"text": 1e999}', '{"text": NaN}',
        '{"text": "\\ud800 hi"}', '{"text": "hi \\udfff"}', b"\xed\xa0\x80 hi", b"\xff\xfe\xfd",
        '{"text": null}', '{"text": 1}', '{"text": ["turn on"]}', '{"text": {"a": 1}}',
        '{"text": "x", "camera": 7}', '{"text": "x", "camera": "../../etc"}', "[]", "{}",
        "null", '"yes"', "yes", "YES", "1", "true", '{"confirmed": 1}', '{"confirmed": true}',
        '{"id": null, "answer": true}', '{"id": "x", "answer": "yes", "more": 1}',
        '{"state": null}', '{"state": ["ON"]}', "lamp\x00on", "\x1b[2J\x1b[H",
        "turn on\u202ethe lamp", "\u200b" * 100, "\U0001f600" * 400, " " * 2000, "",
        '{"text": "' + "a" * 600 + '"}', "a" * 501, "a" * 499, "{" * 5000,
        '{"text": "turn on the kitchen light", "text": "unlock the front door"}',
        "unlock the front door", "open the garage door",
    ]
    topics = ("command", "confirm", "ptt")
    out: list[tuple[str, bytes]] = [(t, p.encode() if isinstance(p, str) else p)
                                    for t in topics for p in fixed]
    for topic in topics:  # three 8 MB messages per topic
        out += [(topic, b"a" * (8 * MB)), (topic, json.dumps({"text": "x" * 8 * MB}).encode()),
                (topic, os.urandom(8 * MB))]
    while len(out) < count:
        topic = rng.choice(topics)
        kind = rng.randrange(6)
        if kind == 0:  # random bytes
            payload = rng.randbytes(rng.choice([1, 10, 100, 1000, 5000, 70_000]))
        elif kind == 1:  # random JSON-ish text
            chars = '{}[]":,0123456789.-eE truefalsnul\\u'
            payload = "".join(rng.choice(chars) for _ in range(rng.randrange(1, 400))).encode()
        elif kind == 2:  # nesting of a random depth
            depth = rng.choice([3, 50, 999, 1001, 20_000])
            payload = ('{"text": ' + "[" * depth + "]" * depth + "}").encode()
        elif kind == 3:  # random Unicode text, surrogates included
            text = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(rng.randrange(1, 80)))
            payload = json.dumps({"text": text}).encode()
        elif kind == 4:  # a reply with a guessed id
            payload = json.dumps({"id": uuid.uuid4().hex, "answer": rng.choice(["yes", "no"])
                                  }).encode()
        else:  # a wrong type for every field
            key = {"command": "text", "confirm": "id", "ptt": "state"}[topic]
            payload = json.dumps({key: rng.choice([1, 2.5, None, True, [], {}, "x" * 3000])
                                  }).encode()
        out.append((topic, payload))
    rng.shuffle(out)
    return out


def run_hostile(workdir: Path, count: int = 3000, flood: int = 3000, seed: int = 0
                ) -> dict[str, Any]:
    from tests.mosquitto import Mosquitto, Subscriber

    payloads = hostile_payloads(count, seed)
    with Mosquitto(workdir / "broker") as broker, \
            daemon_process(broker, workdir, fast_limits=True) as daemon:
        prefix = daemon.prefix
        baseline_rss, _ = daemon.rss_mb()
        probes: list[float] = []
        hangs = 0
        with Subscriber(broker, [f"{prefix}/intent", *SENSITIVE_TOPICS, KETTLE]) as rec, \
                Subscriber(broker, ["unused"]) as attacker:

            def probe(n: int) -> None:
                nonlocal hangs
                text = f"probe number {n}"
                started = time.monotonic()
                attacker.client.publish(f"{prefix}/command", text, qos=1).wait_for_publish(10)
                deadline = started + PROBE_TIMEOUT_S
                while time.monotonic() < deadline and daemon.alive():
                    if any(json.loads(p)["text"] == text
                           for p in rec.payloads(f"{prefix}/intent")[-50:]):
                        probes.append((time.monotonic() - started) * 1000)
                        return
                    rec.wait(len(rec.messages) + 1, timeout=0.05)  # the next message
                hangs += 1

            # "unlock the front door" asked first, so forged replies have a request to hit.
            attacker.client.publish(f"{prefix}/command", "unlock the front door",
                                    qos=1).wait_for_publish(10)
            for start in range(0, len(payloads), 100):
                for topic, payload in payloads[start:start + 100]:
                    attacker.client.publish(f"{prefix}/{topic}", payload,
                                            qos=1).wait_for_publish(30)
                probe(start // 100)
                if not daemon.alive():
                    break
            for i in range(flood):  # a flood: QoS 0, as fast as the broker takes them
                attacker.client.publish(f"{prefix}/{('command', 'confirm', 'ptt')[i % 3]}",
                                        "turn on the kitchen light" if i % 3 == 0 else "x",
                                        qos=0)
            probe(10**6)
            # Afterwards a normal command still acts: the kettle's command is published.
            attacker.client.publish(f"{prefix}/command", "turn on the kettle",
                                    qos=1).wait_for_publish(10)
            acted = bool(rec.wait(1, timeout=PROBE_TIMEOUT_S, topic=KETTLE))
            sensitive = [m.topic for m in rec.messages if m.topic in SENSITIVE_TOPICS]
        alive = daemon.alive()
        _, peak_rss = daemon.rss_mb() if alive else (0.0, float("nan"))
        daemon.stop()
        log = daemon.log()
    stats = re.search(r"stats: received=(\d+) rejected=(\d+) rate_limited=(\d+) "
                      r"failed_events=(\d+) inbox_dropped=(\{.*\})", log)
    return {
        "payloads_sent": len(payloads) + flood,
        "crashes": 0 if alive else 1,
        "hangs": hangs,
        "probes": len(probes),
        "max_probe_ms": round(max(probes), 1) if probes else None,
        "median_probe_ms": round(statistics.median(probes), 1) if probes else None,
        "baseline_rss_mb": round(baseline_rss, 1),
        "peak_rss_mb": round(peak_rss, 1),
        "acted_afterwards": acted,
        "sent_to_sensitive_devices": len(sensitive),
        "daemon_received": int(stats.group(1)) if stats else None,
        "daemon_rejected": int(stats.group(2)) if stats else None,
        "failed_events": int(stats.group(4)) if stats else None,
        "inbox_dropped": json.loads(stats.group(5)) if stats else None,
        "tracebacks_in_log": log.count("Traceback"),
    }


# -- 2. broker restarts ----------------------------------------------------------------------


def _until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class Gate:
    """A TCP forwarder in front of the broker, for the link alone; its port never changes.
    While it is shut it closes every connection at once, so after a restart the link
    cannot reach the new broker before that broker's recorder has subscribed (what the
    link delivered in that moment would otherwise count as lost, by the recorder's fault).
    Each broker life gets a port of its own: on a shared machine another process may take
    a port in the moment it is free."""

    def __init__(self, upstream_port: int) -> None:
        from assistant.broker import HOST

        self.host, self.upstream_port = HOST, upstream_port
        self._shut = False
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server((self.host, 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def open(self, upstream_port: int) -> None:
        with self._lock:
            self.upstream_port, self._shut = upstream_port, False

    def shut(self) -> None:
        """Close what it carries and, until open() again, every new connection."""
        with self._lock:
            self._shut = True
            conns, self._open = self._open, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self.shut()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                down, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                shut, port = self._shut, self.upstream_port
            try:
                if shut:
                    raise OSError("gate shut")
                up = socket.create_connection((self.host, port), timeout=2)
            except OSError:
                down.close()
                continue
            up.settimeout(None)
            with self._lock:
                if self._shut:  # shut meanwhile: refuse after all
                    down.close()
                    up.close()
                    continue
                self._open += [down, up]
            for a, b in ((down, up), (up, down)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for conn in (src, dst):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Producer:
    """Publishes a numbered command through the link every `period_s`, on its own thread."""

    def __init__(self, link: Any, topic: str, period_s: float) -> None:
        from assistant.types import Command

        self.sent: list[int] = []
        self._stop = threading.Event()

        def produce() -> None:
            while not self._stop.wait(period_s):
                n = len(self.sent)
                link.publish_command(Command(topic, json.dumps({"seq": n}), "lamp"))
                self.sent.append(n)

        self._thread = threading.Thread(target=produce, daemon=True)
        self._thread.start()

    def stop(self) -> list[int]:
        self._stop.set()
        self._thread.join(5)
        return self.sent


def _seqs(recorders: list[Any]) -> list[int]:
    return [int(json.loads(p)["seq"]) for r in recorders for p in r.payloads()]


def _drained(link: Any) -> bool:
    stats = link.stats()
    return bool(stats.queued == 0 and stats.inflight == 0)


def run_restarts(workdir: Path, restarts: int = 20, period_s: float = 0.05,
                 seed: int = 0) -> dict[str, Any]:
    """Numbered commands every `period_s` through MqttLink while the broker is killed
    (SIGKILL) and a new one started `restarts` times. Every broker life has its own
    recorder, subscribed before the link can reach that broker (see `Gate`)."""
    from assistant.mqtt import MqttLink, MqttSettings
    from tests.mosquitto import Mosquitto, Subscriber

    rng = random.Random(seed)
    prefix = f"restart{uuid.uuid4().hex[:6]}"
    recorders: list[Any] = []
    brokers: list[Any] = []
    started = time.monotonic()

    def new_broker() -> Any:
        broker = Mosquitto(workdir / f"broker{len(brokers)}")
        brokers.append(broker)
        broker.start()
        recorders.append(Subscriber(broker, [f"{prefix}/dev/#"]))
        return broker

    broker = new_broker()
    gate = Gate(broker.port)
    settings = MqttSettings(host=gate.host, port=gate.port, prefix=prefix,
                            client_id=f"{prefix}-link", keepalive=5,
                            reconnect_min_s=1, reconnect_max_s=1)
    producer: _Producer | None = None
    try:
        with MqttLink(settings) as link:
            assert link.wait_connected(5), "the link did not connect"
            producer = _Producer(link, f"{prefix}/dev/lamp/set", period_s)
            for _ in range(restarts):
                time.sleep(rng.uniform(0.3, 1.0))  # commands flow while connected
                broker.kill()
                _until(lambda: not link.connected, 10, "the link to notice")
                gate.shut()
                time.sleep(rng.uniform(0.0, 1.0))  # commands queue while the broker is away
                broker = new_broker()
                gate.open(broker.port)
                _until(lambda: link.connected, 10, "the link to reconnect")
            time.sleep(0.5)
            sent = producer.stop()
            _until(lambda: _drained(link), 15, "the queue to drain")
            with contextlib.suppress(RuntimeError):  # the last recorder catches up
                _until(lambda: len(set(_seqs(recorders))) >= len(sent), 10, "the recorder")
            stats = link.stats()
    finally:
        if producer is not None:
            producer.stop()
        gate.close()
        for recorder in recorders:
            with contextlib.suppress(Exception):
                recorder.close()
        for old in brokers:
            old.stop()
    received = _seqs(recorders)
    lost = sorted(set(sent) - set(received))
    return {
        "restarts": restarts,
        "commands_sent": len(sent),
        "lost": len(lost),
        "duplicated": len(received) - len(set(received)),
        # What the link itself never had acknowledged by a broker (its own guarantee).
        "unacknowledged": len(sent) - stats.delivered - stats.dropped - stats.expired,
        "lost_examples": lost[:10],
        "received_per_broker_life": [len(r.payloads()) for r in recorders],
        "requeued": stats.requeued,
        "dropped_or_expired": stats.dropped + stats.expired,
        "reconnects": stats.reconnects,
        "seconds": round(time.monotonic() - started, 1),
    }


# -- 3. soak -----------------------------------------------------------------------------------


SOAK_COMMANDS = ("turn on the kitchen light", "turn off the kitchen light",
                 "set the bedside lamp to 30 percent", "turn on the kettle",
                 "make it warmer", "dim the lights in the bedroom", "I had a long day at work",
                 "is the front door locked")


def run_soak(workdir: Path, minutes: float = 5.0, rate_hz: float = 4.0) -> dict[str, Any]:
    from tests.mosquitto import Mosquitto, Subscriber

    samples: list[tuple[float, float]] = []  # (seconds since the start, VmRSS MiB)
    with Mosquitto(workdir / "broker") as broker, \
            daemon_process(broker, workdir, fast_limits=False) as daemon, \
            Subscriber(broker, [f"{daemon.prefix}/intent"]) as rec, \
            Subscriber(broker, ["unused"]) as pub:
        started = time.monotonic()
        sent = 0
        next_sample = started
        while (now := time.monotonic()) - started < minutes * 60 and daemon.alive():
            if now >= next_sample:
                samples.append((now - started, daemon.rss_mb()[0]))
                next_sample += 5.0
            pub.client.publish(f"{daemon.prefix}/command", SOAK_COMMANDS[sent % len(
                SOAK_COMMANDS)], qos=1).wait_for_publish(10)
            sent += 1
            time.sleep(max(0.0, started + sent / rate_hz - time.monotonic()))
        rec.wait(sent, timeout=10)
        acted = len(rec.payloads(f"{daemon.prefix}/intent"))
        alive = daemon.alive()
        peak = daemon.rss_mb()[1] if alive else float("nan")

    def median_between(a: float, b: float) -> float:
        values = [rss for t, rss in samples if a <= t < b]
        return round(statistics.median(values), 1) if values else float("nan")

    minute = 60.0
    return {
        "minutes": minutes,
        "commands_sent": sent,
        "events": acted,
        "crashes": 0 if alive else 1,
        "rss_minute_1_mb": median_between(0.5 * minute, 1.5 * minute),
        "rss_last_minute_mb": median_between((minutes - 1) * minute, minutes * minute),
        "peak_rss_mb": round(peak, 1),
        "rss_samples": len(samples),
    }


# -- report ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    child = sub.add_parser("serve", help="(internal) the daemon process under test")
    child.add_argument("--config", type=Path, required=True)
    child.add_argument("--fast-limits", action="store_true")
    parser.add_argument("--payloads", type=int, default=3000)
    parser.add_argument("--flood", type=int, default=3000)
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--soak-minutes", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results"
                        / "trust_daemon.json")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.config, args.fast_limits)
    # The link's own reconnect warnings during the restarts are expected: not shown.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    results: dict[str, Any] = {}
    runs: list[tuple[str, Callable[[Path], dict[str, Any]]]] = [
        ("hostile", lambda d: run_hostile(d, args.payloads, args.flood)),
        ("restarts", lambda d: run_restarts(d, args.restarts)),
        ("soak", lambda d: run_soak(d, args.soak_minutes))]
    with tempfile.TemporaryDirectory(prefix="trust-bench-") as tmp:
        for name, run in runs:
            workdir = Path(tmp) / name
            workdir.mkdir()
            t0 = time.monotonic()
            results[name] = run(workdir)
            results[name]["wall_s"] = round(time.monotonic() - t0, 1)
            print(f"{name}: {json.dumps(results[name])}", flush=True)
    h, r, s = results["hostile"], results["restarts"], results["soak"]
    print(f"""
hostile MQTT payloads sent           {h['payloads_sent']} (incl. a {args.flood}-message flood)
crashes / hangs over {PROBE_TIMEOUT_S:.0f} s             {h['crashes']} / {h['hangs']}
slowest probe command (median)       {h['max_probe_ms']} ms ({h['median_probe_ms']} ms)
peak RSS of the daemon               {h['peak_rss_mb']} MiB (at ready: {h['baseline_rss_mb']} MiB)
sent to the lock or garage door      {h['sent_to_sensitive_devices']}
a normal command acts afterwards     {h['acted_afterwards']}
broker restarts                      {r['restarts']}: {r['commands_sent']} commands, \
{r['lost']} lost, {r['duplicated']} duplicated
soak                                 {s['minutes']} min, {s['commands_sent']} commands, \
{s['events']} events, RSS {s['rss_minute_1_mb']} MiB at minute 1, \
{s['rss_last_minute_mb']} MiB in the last minute""")
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
