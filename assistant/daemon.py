"""The daemon: the one place that wires sources, recognizer, brain and MQTT together.

Start order: MQTT (so availability and queued commands work from the first moment), brain
and recognizer (slow to load), cameras, then audio; READY is sent once all of them are up.
Stop order is the reverse, then queued MQTT messages drain and `offline` is published.

Threads: one per camera (newest frame only), one for audio (endpointing), paho's network
thread. All of them only put events in the inbox (a bounded queue per kind of event, so a
flood of typed commands never drops speech or confirmation replies); the main loop does
the work, so the stages never race. The watchdog is fed from the main loop, and only while
paho's network thread, the audio thread (until its sources end) and every camera thread
are alive: a dead thread stops the pings and systemd restarts the service. One event that
fails is logged in one line and dropped; the loop and the pending confirmations go on.

Confirmations (sensitive devices): a request gets an unguessable id (128 bits from
`secrets`), published only on `<prefix>/confirm/request` (keep that topic readable only by
trusted clients: docs/mqtt.md). An MQTT reply confirms only the request whose id it names;
a handful of replies with a wrong id cancels every pending request. A spoken yes or no
answers only within the window, only from the audio source (session) that asked, and only
when that session has exactly one request pending; typed text never answers. There is at
most one pending request per device and per session: a new sensitive request never
replaces one that waits, the user is told instead.
"""

from __future__ import annotations

import dataclasses
import functools
import hmac
import itertools
import logging
import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.audio import AudioSource, open_audio_source
from assistant.capture import CameraWorker
from assistant.config import HomeConfig
from assistant.endpoint import EndpointConfig
from assistant.inbox import Inbox
from assistant.listener import Heard, Listener
from assistant.mqtt import MAX_TEXT_CHARS, ConfirmReply, InboundLimit, MqttLink, MqttSettings
from assistant.pipeline import Brain
from assistant.sdnotify import SystemdNotifier
from assistant.speech import Recognizer
from assistant.topics import topic_problem
from assistant.types import Alternative, Command, ParseRequest, ParseResult, Transcript
from assistant.untrusted import BurstLog, shorten, text_problem

log = logging.getLogger(__name__)

YES = frozenset({"yes", "yeah", "yep", "yes please", "confirm", "do it", "go ahead", "sure",
                 "ok", "okay", "correct", "affirmative", "that's right", "yes do it"})
_REPLY_COURTESY = frozenset({"please", "thanks", "thank", "you"})
NO = frozenset({"no", "nope", "cancel", "stop", "don't", "do not", "never mind", "abort"})
MAX_WRONG_REPLIES = 5  # replies naming no pending request before every pending one is cancelled


def mqtt_settings(config: HomeConfig) -> MqttSettings:
    m = config.mqtt
    return MqttSettings(
        host=m.host, port=m.port, client_id=m.client_id, prefix=m.prefix,
        keepalive=m.keepalive, tls=m.tls, ca_file=m.ca_file, cert_file=m.cert_file,
        key_file=m.key_file, insecure=m.insecure, username=m.username,
        password_file=m.password_file, queue_max=m.queue_max,
        queue_max_age_s=m.queue_max_age_s, reconnect_min_s=m.reconnect_min_s,
        reconnect_max_s=m.reconnect_max_s)


@dataclass(frozen=True)
class DaemonOptions:
    """How this run gets its input (the config says what the home is)."""

    audio: tuple[str, ...] = ("mic",)
    """Audio sources in order: "mic", "mic:<device>", or WAV paths (the demo, tests)."""
    realtime: bool = True
    """Feed WAV files at real-time pace (as a microphone would) rather than at once."""
    exit_when_done: bool = False
    """Stop once every audio source has ended (WAV files): for demos and tests."""
    camera_sources: dict[str, str] = field(default_factory=dict)
    """Camera id -> source overriding devices.yaml (a video file for the demo)."""
    watchdog_s: float | None = None
    """Ping interval; None: from $WATCHDOG_USEC (half of WatchdogSec) when set."""
    frame_max_age_s: float = 2.0
    """An older frame counts as no frame: image-present off."""
    start_cameras: tuple[str, ...] | None = None
    """Which configured cameras to open; None: all of them."""
    early_decode_s: float | None = 0.2
    """Closing silence after which an utterance is decoded, before it ends (None: only
    once it ended); see `assistant.listener`."""
    camera_warmup_s: float = 3.0
    """At start, wait up to this long for each camera's first frame (a dead camera only
    delays READY by this much; the daemon then goes on without it)."""
    mqtt_limits: Mapping[str, InboundLimit] | None = None
    """Inbound MQTT limits per topic instead of `assistant.mqtt.INBOUND_LIMITS` (tests and
    benchmarks that need to send faster than a person)."""


@dataclass
class _Pending:
    """A sensitive action waiting for a yes."""

    id: str  # secret: only ever published on <prefix>/confirm/request
    seq: int  # public number of the request, for logs and events
    result: ParseResult
    session: str  # "mqtt", or the audio source that asked
    deadline: float


@dataclass(frozen=True)
class _Typed:
    request: ParseRequest


@dataclass(frozen=True)
class _AudioEnded:
    source: str


class Daemon:
    """Hears, sees, understands and acts. `run()` returns the process exit code."""

    def __init__(self, config: HomeConfig, brain: Brain, recognizer: Recognizer,
                 link: MqttLink | None = None, options: DaemonOptions | None = None,
                 *, notifier: SystemdNotifier | None = None,
                 report: Callable[[dict[str, Any]], None] | None = None,
                 audio_factory: Callable[..., AudioSource] = open_audio_source) -> None:
        self.config = config
        self.brain = brain
        self.recognizer = recognizer
        self.options = options or DaemonOptions()
        self.notifier = notifier or SystemdNotifier()
        self.report = report  # called with every utterance event (the demo prints them)
        self.audio_factory = audio_factory  # open_audio_source(spec, realtime=...)
        self.inbox = Inbox()
        self.stopping = threading.Event()
        self.link = link or MqttLink(mqtt_settings(config), on_command=self._on_typed,
                                     on_confirm=self._on_confirm, on_ptt=self._on_ptt,
                                     limits=self.options.mqtt_limits)
        self.cameras: dict[str, CameraWorker] = {}
        self.audio_sources: list[AudioSource] = []
        self._audio_thread: threading.Thread | None = None
        self._audio_finished = False  # every source ended: the audio thread may end
        self._sources_ended = 0
        self._pending: list[_Pending] = []
        self._seq = itertools.count(1)
        self._wrong_replies = 0
        self._reply_log = BurstLog(log)
        self._unhealthy: str | None = None
        self._ptt_until = 0.0
        self._wake = _words(config.speech.wake_phrase) if config.speech.wake_phrase else ()
        self.handled = 0
        self.failed_events = 0  # events the main loop dropped after an error

    # -- callbacks from other threads: they only enqueue ----------------------------------

    def _on_typed(self, request: ParseRequest) -> None:
        self.inbox.put("typed", _Typed(request))

    def _on_confirm(self, reply: ConfirmReply) -> None:
        self.inbox.put("confirm", reply)

    def _on_ptt(self, pressed: bool) -> None:
        # Push-to-talk opens a window in which no wake phrase is needed.
        self._ptt_until = time.monotonic() + (30.0 if pressed else 0.0)

    def request_stop(self, *_: object) -> None:
        self.stopping.set()
        self.inbox.put("control", None)  # wake the main loop

    @property
    def pending(self) -> tuple[str, ...]:
        """Device ids waiting for a confirmation (no ids of requests: those are secret)."""
        return tuple(t for p in self._pending for t in p.result.targets)

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.link.start()
        # Give the broker a moment, so the first utterance's event is not lost; a broker
        # that is down only delays this much (commands queue until it is back).
        if not self.link.wait_connected(self.options.camera_warmup_s):
            log.warning("MQTT broker not reachable yet: commands will queue")
        for cam_id, cam in self.config.cameras.items():
            if self.options.start_cameras is not None and cam_id not in self.options.start_cameras:
                continue
            spec = self.options.camera_sources.get(cam_id, cam.source)
            self.cameras[cam_id] = CameraWorker(cam_id, spec, fps=cam.fps).start()
        deadline = time.monotonic() + self.options.camera_warmup_s
        for cam_id, worker in self.cameras.items():
            while worker.latest(self.options.frame_max_age_s) is None:
                if time.monotonic() > deadline or self.stopping.is_set():
                    log.warning("camera %s has no frame yet: going on without it", cam_id)
                    break
                time.sleep(0.02)
        delivering = sum(1 for worker in self.cameras.values()
                         if worker.latest(self.options.frame_max_age_s) is not None)
        self.audio_sources = [self.audio_factory(spec, realtime=self.options.realtime)
                              for spec in self.options.audio]
        self._audio_thread = threading.Thread(target=self._audio_loop, name="audio",
                                              daemon=True)
        self._audio_thread.start()
        self.notifier.notify("READY=1\nSTATUS=listening")
        log.info("ready: %d of %d camera(s) delivering frames, audio from %s", delivering,
                 len(self.cameras), ", ".join(self.options.audio) or "nothing")

    def _audio_loop(self) -> None:
        """Endpointing and recognition of each source in turn (see `assistant.listener`)."""
        for spec, source in zip(self.options.audio, self.audio_sources, strict=True):
            listener = self._listener(spec)
            try:
                for chunk in source:
                    if self.stopping.is_set():
                        return
                    listener = self._hear(spec, listener, functools.partial(Listener.feed,
                                                                            chunk=chunk))
                self._hear(spec, listener, Listener.flush)
            except Exception as exc:  # a source failing must not take the daemon down
                log.error("audio source %s failed: %s", spec, exc)
            # Behind its source's utterances (one queue keeps their order), not ahead of them.
            self.inbox.put("voice", _AudioEnded(spec))
        self._audio_finished = True

    def _listener(self, spec: str) -> Listener:
        endpoint = EndpointConfig(end_silence_s=self.config.speech.endpoint_silence_s)
        return Listener(self.recognizer, endpoint, source=spec,
                        early_decode_s=self.options.early_decode_s,
                        realtime=self.options.realtime)

    def _hear(self, spec: str, listener: Listener,
              step: Callable[[Listener], list[Heard]]) -> Listener:
        """Run one listener step and queue what it heard; the listener to go on with."""
        try:
            heard = step(listener)
        except Exception as exc:  # one utterance the recognizer fails on must not deafen us
            log.error("recognition failed on %s: %s; that utterance is dropped", spec, exc)
            try:
                self.recognizer.reset()
            except Exception as reset_exc:
                log.error("recognizer reset failed: %s", reset_exc)
            return self._listener(spec)
        for item in heard:
            self.inbox.put("voice", item)
        return listener

    def run(self) -> int:
        """Start, serve until SIGTERM/SIGINT (or the end of file input), stop cleanly."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.start()
            self._loop()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _loop(self) -> None:
        ping = self.options.watchdog_s or self.notifier.watchdog_interval()
        next_ping = time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            if ping and now >= next_ping:
                self._feed_watchdog()
                next_ping = now + ping
            item = self.inbox.get(timeout=min(0.5, ping or 0.5))
            try:
                self._expire_pending()
                if item is not None and self._handle(*item):
                    return
            except Exception as exc:  # one bad event must not end the loop (and the daemon)
                self.failed_events += 1
                kind = item[0] if item is not None else "timer"
                log.error("main loop: a %s event failed and was dropped: %s: %s", kind,
                          type(exc).__name__, shorten(str(exc), 200))

    def _handle(self, kind: str, event: object) -> bool:
        """Handle one event; True when the daemon is done (every audio source ended)."""
        if isinstance(event, Heard):
            self._understand(event.transcript, self.config.speech.camera,
                             dict(event.timings), event.utterance.ended_at)
        elif isinstance(event, _Typed):
            self.handle_text(event.request.text, event.request.camera, source="mqtt")
        elif isinstance(event, ConfirmReply):
            self._mqtt_reply(event)
        elif isinstance(event, _AudioEnded):
            self._sources_ended += 1
            if self.options.exit_when_done and self._sources_ended >= len(self.options.audio):
                log.info("all audio sources ended")
                return True
        return False

    # -- the watchdog ----------------------------------------------------------------------

    def health_problem(self) -> str | None:
        """Why the service should be restarted (a thread it needs is dead), or None."""
        if not self.link.network_alive():
            return "the MQTT network thread is dead"
        thread = self._audio_thread
        if thread is not None and not thread.is_alive() and not self._audio_finished \
                and not self.stopping.is_set():
            return "the audio thread is dead"
        for cam_id, worker in self.cameras.items():
            if not worker.thread_alive() and worker.stats().state != "ended":
                return f"the thread of camera {cam_id} is dead"
        return None

    def _feed_watchdog(self) -> None:
        """WATCHDOG=1 only while every thread the daemon needs runs; otherwise systemd's
        watchdog fires and the service is restarted."""
        problem = self.health_problem()
        if problem is None:
            self.notifier.notify("WATCHDOG=1")
        elif problem != self._unhealthy:
            log.error("%s: no longer feeding the watchdog, so that systemd restarts the service",
                      problem)
            self.notifier.notify(f"STATUS=unhealthy: {problem}")
        self._unhealthy = problem

    def stop(self) -> None:
        self.stopping.set()
        self.notifier.notify("STOPPING=1")
        for source in self.audio_sources:
            source.close()
        if self._audio_thread is not None:
            self._audio_thread.join(timeout=2.0)
        for worker in self.cameras.values():
            worker.stop()
        self.link.close(drain_timeout=3.0)  # delivers what is queued, then `offline`
        log.info("stopped after %d utterance(s)", self.handled)

    # -- the pipeline ----------------------------------------------------------------------

    def handle_text(self, text: str, camera: str | None, source: str = "text"
                    ) -> ParseResult | None:
        now = time.monotonic()
        transcript = Transcript(text=text, recognizer="text", source=source, ended_at=now)
        return self._understand(transcript, camera, {}, now)

    def _understand(self, transcript: Transcript, camera: str | None,
                    timings: dict[str, float], ended_at: float) -> ParseResult | None:
        self.handled += 1
        text = transcript.text.strip()
        if not text:
            self._event(transcript.text, None, timings, ended_at, note="nothing recognised")
            return None
        problem = text_problem(text) or (f"{len(text)} characters, over {MAX_TEXT_CHARS}"
                                         if len(text) > MAX_TEXT_CHARS else None)
        if problem is not None:  # checked where it came in; again here, before the brain
            self._event(shorten(text, 100), None, timings, ended_at,
                        note=f"not understood: {problem}")
            return None
        spoken = transcript.recognizer != "text"
        if spoken and _words(text):
            reply = self._reply(text)
            if reply is not None:
                answered = self._spoken_reply(reply, transcript.source, text, timings, ended_at)
                if answered is not None:
                    return answered
        alternatives = transcript.alternatives
        if self._wake and spoken:
            words = _words(text)
            if words[: len(self._wake)] == self._wake:
                text = " ".join(words[len(self._wake):])
                alternatives = self._after_wake(alternatives)
            elif time.monotonic() > self._ptt_until:
                self._event(text, None, timings, ended_at, note="no wake phrase")
                return None
        if camera is not None and camera not in self.config.cameras:
            camera = None
        frame = None
        if camera is not None and camera in self.cameras:
            latest = self.cameras[camera].latest(self.options.frame_max_age_s)
            frame = latest.image if latest is not None else None
        t0 = time.monotonic()
        result = self.brain.parse_batch([ParseRequest(text=text, camera=camera, image=frame,
                                                      alternatives=alternatives)])[0]
        timings["understand_ms"] = (time.monotonic() - t0) * 1000
        t1 = time.monotonic()
        result = self._check_topics(result)
        if result.decision == "act":
            for command in result.commands:
                self.link.publish_command(command)
        elif result.decision == "confirm":
            session = transcript.source if spoken else "mqtt"
            result = self._ask(result, session)
        timings["publish_ms"] = (time.monotonic() - t1) * 1000
        self._event(text, result, timings, ended_at, image_present=frame is not None)
        return result

    def _check_topics(self, result: ParseResult) -> ParseResult:
        """Defence in depth (check-config refuses bad topics): a command to a topic that
        cannot be published to makes the whole utterance a clarification; nothing is sent."""
        for command in (*result.commands, *result.held):
            problem = topic_problem(command.topic)
            if problem is not None:
                device = self.config.devices.get(command.device_id)
                log.error("device %s: its MQTT topic %s: nothing sent", command.device_id,
                          problem)
                return dataclasses.replace(
                    result, decision="clarify", commands=(), held=(),
                    reason=f"the {device.name if device else 'device'} has an invalid MQTT topic")
        return result

    def _event(self, text: str, result: ParseResult | None, timings: dict[str, float],
               ended_at: float, **extra: object) -> None:
        timings["end_to_publish_ms"] = (time.monotonic() - ended_at) * 1000
        event: dict[str, Any] = {
            "text": text,
            "intent": result.intent if result else "none",
            "confidence": round(result.confidence, 4) if result else None,
            "targets": list(result.targets) if result else [],
            "value": result.value if result else None,
            "decision": result.decision if result else "ignore",
            "reason": result.reason if result else extra.pop("note", ""),
            "commands": [c.to_json() for c in result.commands] if result else [],
            "timings_ms": {k: round(v, 2) for k, v in timings.items()},
            **extra,
        }
        self.link.publish_event(event)
        if self.report is not None:
            self.report(event)
        log.info("heard %s -> %s %s %s", shorten(text), event["intent"], event["targets"],
                 event["decision"])

    def _after_wake(self, alternatives: Sequence[Alternative]) -> tuple[Alternative, ...]:
        """The readings that start with the wake phrase, without it (the others are not
        addressed to us)."""
        n = len(self._wake)
        return tuple(dataclasses.replace(a, text=" ".join(_words(a.text)[n:]))
                     for a in alternatives if _words(a.text)[:n] == self._wake)

    # -- confirmation of sensitive actions -------------------------------------------------

    def _ask(self, result: ParseResult, session: str) -> ParseResult:
        """Hold a sensitive action and ask for a yes; a clarification instead if a request
        for one of its devices, or from the same session, is already waiting."""
        busy = [t for t in result.targets if t in self.pending]
        if busy or any(p.session == session for p in self._pending):
            names = ", ".join(self.config.devices[t].name for t in busy) or "an earlier request"
            log.info("a %s request is not asked: a confirmation is pending (%s)", result.intent,
                     names)
            return dataclasses.replace(
                result, decision="clarify", commands=(), held=(),
                reason=f"another confirmation is pending ({names}): answer it first")
        timeout = self.config.speech.confirm_timeout_s
        pending = _Pending(secrets.token_urlsafe(16), next(self._seq), result, session,
                           time.monotonic() + timeout)
        self._pending.append(pending)
        names = ", ".join(self.config.devices[t].name for t in result.targets)
        log.info("confirmation #%d asked (%s): %s %s", pending.seq, session, result.intent,
                 names)
        self.link.publish_confirmation_request(
            pending.id, f"Do you want me to {result.intent.replace('_', ' ')} the "
            f"{names}?", intent=result.intent, targets=result.targets, value=result.value,
            expires_in_s=timeout)
        return result

    @staticmethod
    def _reply(text: str) -> bool | None:
        """True for a yes, False for a no, None when the utterance is neither. Only a whole
        reply counts: "okay, turn off the light" is a new command, not a yes to an unlock."""
        words = [w for w in _words(text) if w not in _REPLY_COURTESY]
        said = " ".join(words)
        if said in YES:
            return True
        if said in NO:
            return False
        return None

    def _spoken_reply(self, accepted: bool, session: str, text: str,
                      timings: dict[str, float], ended_at: float) -> ParseResult | None:
        """A spoken yes/no: it answers the one request its own session has pending. None if
        there is none (the utterance then goes on as a command)."""
        mine = [p for p in self._pending if p.session == session]
        if len(mine) != 1:
            if self._pending and not mine:
                log.info("a spoken %s from %s ignored: the pending confirmation was asked "
                         "elsewhere", "yes" if accepted else "no", session)
            return None
        (pending,) = mine
        sent = self._answer(pending, accepted, via=f"voice ({session})")
        result = dataclasses.replace(
            pending.result, text=text, decision="act" if sent else "ignore",
            commands=sent, held=(), reason="confirmed" if sent else "declined or expired")
        self._event(text, result, timings, ended_at)
        return result

    def _mqtt_reply(self, reply: ConfirmReply) -> None:
        """A reply over MQTT: it must name a pending request (ids compared in constant time)."""
        pending = next((p for p in self._pending
                        if hmac.compare_digest(p.id, reply.request_id)), None)
        if pending is None:
            if not self._pending:
                self._reply_log(logging.INFO, "an MQTT reply came with nothing pending")
                return
            self._wrong_replies += 1
            self._reply_log(logging.WARNING, "an MQTT reply names no pending request (%d in a "
                            "row)", self._wrong_replies)
            if self._wrong_replies >= MAX_WRONG_REPLIES:
                log.warning("%d MQTT replies with a wrong id: cancelling every pending "
                            "confirmation (someone may be guessing)", self._wrong_replies)
                for cancelled in list(self._pending):
                    self._close(cancelled, "cancelled: too many replies with a wrong id")
            return
        sent = self._answer(pending, reply.accepted, via="mqtt")
        reason = "confirmed" if sent else "declined or expired"
        self._event("", dataclasses.replace(
            pending.result, decision="act" if sent else "ignore", commands=sent, held=(),
            reason=reason), {}, time.monotonic(), reply="mqtt")

    def _answer(self, pending: _Pending, accepted: bool, via: str) -> tuple[Command, ...]:
        """Send the held commands on a timely yes; return what was sent."""
        self._forget(pending)
        if time.monotonic() > pending.deadline:
            log.info("confirmation #%d came too late: cancelled", pending.seq)
            return ()
        if not accepted:
            log.info("confirmation #%d declined via %s", pending.seq, via)
            return ()
        result = pending.result
        for command in result.held:
            self.link.publish_command(command)
        log.info("confirmation #%d confirmed via %s: %s %s", pending.seq, via, result.intent,
                 ", ".join(result.targets))
        return result.held

    def _forget(self, pending: _Pending) -> None:
        self._pending.remove(pending)
        if not self._pending:
            self._wrong_replies = 0

    def _close(self, pending: _Pending, why: str) -> None:
        """Drop a request nobody answered, and tell the user."""
        self._forget(pending)
        log.info("confirmation #%d %s", pending.seq, why)
        self._event("", dataclasses.replace(pending.result, decision="ignore", commands=(),
                                            held=(), reason=f"confirmation {why}"),
                    {}, time.monotonic())

    def _expire_pending(self) -> None:
        now = time.monotonic()
        for pending in [p for p in self._pending if now > p.deadline]:
            self._close(pending, "timed out")


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z']+", text.lower()))


def camera_overrides(pairs: Iterable[str]) -> dict[str, str]:
    """["living_room_cam=samples/living_room.avi"] -> {id: source}."""
    out = {}
    for pair in pairs:
        cam, sep, source = pair.partition("=")
        if not sep:
            raise ValueError(f"--camera-source {pair!r}: expected CAMERA=SOURCE")
        out[cam] = source
    return out


def split_specs(specs: Sequence[str]) -> tuple[str, ...]:
    return tuple(specs) or ("mic",)
