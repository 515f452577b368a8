"""The systemd watchdog is fed only while every thread the daemon needs is alive.

The issue: after paho's loop died the daemon was deaf for good, while the main loop kept
feeding the watchdog, so systemd never restarted it. Here each needed thread is made to
die for real (paho's network thread stopped, a camera thread stopped, the audio thread
killed by an exception no handler catches) and the sd_notify socket must then see
`STATUS=unhealthy: ...` and no more `WATCHDOG=1`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.audio import AudioChunk, AudioSource
from assistant.daemon import Daemon, DaemonOptions
from assistant.pipeline import Brain
from assistant.sdnotify import SystemdNotifier
from assistant.speech import Recognizer
from tests.test_daemon import (  # the daemon tests' fixtures (used as arguments) and helpers
    VIDEO,
    Env,
    Events,
    NotifySocket,
    brain,
    env,
    notify_socket,
    recognizer,
    run_daemon,
    wait_until,
    write_wav,
)

FIXTURES = (brain, env, notify_socket, recognizer)  # imported for pytest
PING_S = 0.1


class Killed(BaseException):
    """Not an Exception: no handler in the daemon catches it, so the thread dies."""


class DiesWhenTold(AudioSource):
    """Silence until `kill` is set, then an exception that ends the audio thread."""

    name = "mic"

    def __init__(self) -> None:
        self.kill = threading.Event()
        self._closed = threading.Event()

    def __iter__(self) -> Iterator[AudioChunk]:
        import numpy as np

        while not self._closed.wait(0.03):
            if self.kill.is_set():
                raise Killed("the audio thread was killed")
            yield AudioChunk(np.zeros(480, np.int16), 0.0)

    def close(self) -> None:
        self._closed.set()


def pings_stop(notify: NotifySocket, daemon: Daemon, kill: Callable[[], None],
               status: str) -> None:
    """Pings while healthy; after `kill`, the unhealthy status and no ping for 10 periods."""
    assert notify.receive(lambda: len(notify.said("WATCHDOG=1")) >= 3, 10), notify.messages
    assert daemon.health_problem() is None
    kill()
    assert notify.receive(lambda: bool(notify.said(f"STATUS=unhealthy: {status}")), 10), \
        notify.messages
    stopped = notify.said(f"STATUS=unhealthy: {status}")[0]
    notify.receive(lambda: False, 10 * PING_S)  # watch the socket for ten ping periods
    assert [t for t in notify.said("WATCHDOG=1") if t > stopped] == []
    assert daemon.health_problem() == status


def watched_daemon(env: Env, brain: Brain, recognizer: Recognizer, notify: NotifySocket,
                   helper: Callable[[Daemon, Events], None], **options: object
                   ) -> tuple[int, Daemon, Events]:
    audio = options.pop("audio_factory", None)
    opts = DaemonOptions(**{"audio": ("mic",), "realtime": True, "start_cameras": (),
                            "watchdog_s": PING_S, **options})  # type: ignore[arg-type]
    kwargs: dict[str, object] = {"notifier": SystemdNotifier(str(notify.path))}
    if audio is not None:
        kwargs["audio_factory"] = audio
    return run_daemon(env.config, brain, recognizer, opts, helper, **kwargs)


def test_a_dead_mqtt_network_thread_stops_the_watchdog(
        env: Env, brain: Brain, recognizer: Recognizer, notify_socket: NotifySocket,
        tmp_path: Path) -> None:
    silence = write_wav(tmp_path / "silence.wav", [60.0])

    def helper(daemon: Daemon, events: Events) -> None:
        assert daemon.link.wait_connected(5)
        client = daemon.link._client
        assert client is not None
        # Ends paho's network thread, as an exception escaping its loop used to.
        pings_stop(notify_socket, daemon, client.loop_stop, "the MQTT network thread is dead")

    code, _, _ = watched_daemon(env, brain, recognizer, notify_socket, helper,
                                audio=(str(silence),))
    assert code == 0


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # meant
def test_a_dead_audio_thread_stops_the_watchdog(
        env: Env, brain: Brain, recognizer: Recognizer, notify_socket: NotifySocket,
        caplog: pytest.LogCaptureFixture) -> None:
    source = DiesWhenTold()

    def helper(daemon: Daemon, events: Events) -> None:
        pings_stop(notify_socket, daemon, source.kill.set, "the audio thread is dead")

    code, _, _ = watched_daemon(env, brain, recognizer, notify_socket, helper,
                                audio_factory=lambda spec, realtime: source)
    assert code == 0
    assert "no longer feeding the watchdog" in caplog.text


def test_a_dead_camera_thread_stops_the_watchdog(
        env: Env, brain: Brain, recognizer: Recognizer, notify_socket: NotifySocket,
        tmp_path: Path) -> None:
    silence = write_wav(tmp_path / "silence.wav", [60.0])

    def helper(daemon: Daemon, events: Events) -> None:
        camera = wait_until(lambda: daemon.cameras.get("living_room_cam"), 10, "the camera")
        pings_stop(notify_socket, daemon, camera.stop,
                   "the thread of camera living_room_cam is dead")

    code, _, _ = watched_daemon(env, brain, recognizer, notify_socket, helper,
                                audio=(str(silence),),
                                camera_sources={"living_room_cam": str(VIDEO)},
                                start_cameras=("living_room_cam",))
    assert code == 0


def test_audio_files_that_end_leave_the_daemon_healthy(
        env: Env, brain: Brain, recognizer: Recognizer, notify_socket: NotifySocket,
        tmp_path: Path) -> None:
    """A source that ended normally (a WAV file) is not a dead thread."""
    short = write_wav(tmp_path / "short.wav", [0.3])

    def helper(daemon: Daemon, events: Events) -> None:
        def ended() -> bool:
            thread = daemon._audio_thread
            return thread is not None and not thread.is_alive()

        # Reading the socket meanwhile, as systemd does.
        assert notify_socket.receive(ended, 10), "the file did not end"
        count = len(notify_socket.said("WATCHDOG=1"))
        assert notify_socket.receive(lambda: len(notify_socket.said("WATCHDOG=1")) >= count + 3,
                                     10), notify_socket.messages
        assert daemon.health_problem() is None

    code, _, _ = watched_daemon(env, brain, recognizer, notify_socket, helper,
                                audio=(str(short),))
    assert code == 0


def test_a_notify_socket_nobody_reads_does_not_block_the_daemon(
        notify_socket: NotifySocket) -> None:
    """The kernel queues about ten datagrams; after that a blocking send would hang."""
    notifier = SystemdNotifier(str(notify_socket.path), timeout_s=0.05)
    sent = [notifier.notify("WATCHDOG=1") for _ in range(40)]
    assert sent[0] and not sent[-1]  # the queue filled up; the calls still returned
