"""Frame capture on real files: MJPG videos written by cv2.VideoWriter and image folders.

No camera here, so a live device is stood in for only where the behaviour is specific
to live sources (grab every frame, decode at the configured rate).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from assistant.capture import (
    CameraSource,
    CameraState,
    CameraWorker,
    CaptureError,
    FrameSource,
    ImageFolderSource,
    LatestFrame,
    StreamSource,
    VideoFileSource,
    open_frame_source,
)
from assistant.types import Frame


def fast_worker(camera_id: str, spec: str, fps: float | None, **options: Any) -> CameraWorker:
    """A worker with short back-off, so failure tests take tenths of a second."""
    options.setdefault("backoff_min_s", 0.02)
    options.setdefault("backoff_max_s", 0.1)
    return CameraWorker(camera_id, spec, fps, **options)


def write_video(
    path: Path, frames: int = 10, fps: float = 25.0, size: tuple[int, int] = (64, 48)
) -> Path:
    """An MJPG .avi whose frame i is a flat grey of level 20 * i (so frames are told apart)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), (20 * i) % 256, np.uint8))
    writer.release()
    return path


def write_images(folder: Path, colours: dict[str, tuple[int, int, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, colour in colours.items():
        assert cv2.imwrite(str(folder / name), np.full((24, 32, 3), colour, np.uint8))
    return folder


def wait_until(predicate: Callable[[], bool], timeout_s: float = 3.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def mean_level(frame: Frame | None) -> float:
    assert frame is not None
    return float(frame.image.mean())


# ------------------------------------------------------------------ factory


def test_factory_picks_the_source_kind_from_the_spec(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.avi")
    folder = write_images(tmp_path / "imgs", {"a.png": (0, 0, 0)})
    assert isinstance(open_frame_source(0, fps=5), CameraSource)
    assert isinstance(open_frame_source("2", fps=None), CameraSource)
    assert isinstance(open_frame_source("/dev/video3", fps=5), CameraSource)
    assert isinstance(open_frame_source("http://cam.local/mjpg", fps=5), StreamSource)
    assert isinstance(open_frame_source(str(video), fps=None), VideoFileSource)
    assert isinstance(open_frame_source(str(folder), fps=2), ImageFolderSource)
    assert isinstance(open_frame_source(str(folder / "a.png"), fps=2), ImageFolderSource)
    # Not there yet: a suffix means a file, none means a folder.
    assert isinstance(open_frame_source(str(tmp_path / "later.avi"), fps=5), VideoFileSource)
    assert isinstance(open_frame_source(str(tmp_path / "later"), fps=5), ImageFolderSource)


def test_factory_hides_stream_passwords_from_logs() -> None:
    source = open_frame_source("rtsp://admin:hunter2@10.0.0.5:554/stream1", fps=5)
    assert "hunter2" not in source.description
    assert source.description == "rtsp://admin:***@10.0.0.5:554/stream1"


@pytest.mark.parametrize("spec", ["", "  ", -1, True])
def test_factory_rejects_nonsense(spec: str | int) -> None:
    with pytest.raises(CaptureError):
        open_frame_source(spec, fps=5)


def test_factory_rejects_a_non_positive_rate() -> None:
    with pytest.raises(CaptureError, match="positive"):
        open_frame_source(0, fps=0)


def test_no_camera_here_is_an_error_not_a_crash() -> None:
    with pytest.raises(CaptureError, match="no such device"):
        open_frame_source("/dev/video97", fps=5).open()


# ------------------------------------------------------------------ sources


def test_video_file_reads_bgr_frames_and_loops(tmp_path: Path) -> None:
    source = open_frame_source(str(write_video(tmp_path / "v.avi", frames=3, fps=12)), fps=None)
    source.open()
    assert source.native_fps == pytest.approx(12)
    assert source.fps == pytest.approx(12)  # no configured rate: the file's
    levels = []
    for _ in range(7):
        assert source.grab()
        image = source.retrieve()
        assert image is not None
        assert image.shape == (48, 64, 3)
        assert image.dtype == np.uint8
        levels.append(round(float(image.mean()) / 20))
    source.close()
    assert levels == [0, 1, 2, 0, 1, 2, 0]


def test_video_file_without_loop_ends(tmp_path: Path) -> None:
    source = open_frame_source(str(write_video(tmp_path / "v.avi", frames=2)), fps=5, loop=False)
    source.open()
    assert source.grab()
    assert source.grab()
    assert not source.grab()
    assert source.finished


def test_image_folder_cycles_in_sorted_order(tmp_path: Path) -> None:
    folder = write_images(
        tmp_path / "f",
        {"b.png": (0, 0, 200), "a.jpg": (0, 200, 0), "c.bmp": (200, 0, 0)},
    )
    (folder / "notes.txt").write_text("not an image")
    source = open_frame_source(str(folder), fps=3)
    source.open()
    assert source.fps == 3
    seen = []
    for _ in range(4):
        assert source.grab()
        image = source.retrieve()
        assert image is not None
        seen.append(int(np.argmax(image[0, 0])))  # channel with the colour, BGR order
    assert seen == [1, 2, 0, 1]  # a.jpg green, b.png red, c.bmp blue, then a.jpg again


def test_empty_folder_does_not_open(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CaptureError, match="no images"):
        open_frame_source(str(tmp_path / "empty"), fps=5).open()


# ------------------------------------------------------------------ latest-frame slot


def make_frame(seq: int, at: float) -> Frame:
    return Frame("c", np.zeros((2, 2, 3), np.uint8), at, seq)


def test_latest_frame_counts_only_frames_nobody_took() -> None:
    slot = LatestFrame()
    assert slot.get(1.0) is None
    slot.put(make_frame(1, 10.0))
    slot.put(make_frame(2, 10.1))  # 1 never taken
    assert slot.dropped == 1
    got = slot.get(1.0, now=10.2)
    assert got is not None
    assert got.seq == 2
    assert slot.get(1.0, now=10.2) is got  # reading does not consume
    slot.put(make_frame(3, 10.3))  # 2 was taken: not a drop
    assert slot.dropped == 1
    assert slot.get(0.5, now=11.0) is None  # stale


# ------------------------------------------------------------------ worker


def test_worker_delivers_newest_frames_from_a_video(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.avi", frames=5)
    with fast_worker("hall", str(video), fps=30) as worker:
        assert wait_until(lambda: worker.latest(1.0) is not None)
        first = worker.latest(1.0)
        assert first is not None
        assert first.camera_id == "hall"
        assert first.image.shape == (48, 64, 3)
        assert first.image.dtype == np.uint8
        assert wait_until(lambda: (f := worker.latest(1.0)) is not None and f.seq > first.seq)
        stats = worker.stats()
        assert stats.alive
        assert stats.state == "running"
        assert stats.read >= 2
        assert stats.failures == 0
    assert not worker.stats().alive


def test_worker_paces_a_file_to_the_configured_rate(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.avi", frames=50, fps=25)
    worker = fast_worker("c", str(video), fps=10).start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(0.6)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    read = worker.stats().read
    worker.stop()
    assert 3 <= read <= 9, read  # about 6 at 10 fps, not the 15 the file's 25 fps would give
    assert cpu < 0.5 * wall  # sleeps between frames; a spinning thread would use ~all of it


def test_frames_nobody_takes_count_as_drops(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.avi", frames=5)
    worker = fast_worker("c", str(video), fps=50).start()
    assert wait_until(lambda: worker.stats().read >= 10)
    stats = worker.stats()
    worker.stop()
    assert stats.dropped >= stats.read - 2  # all but the newest (and one in flight)


def test_missing_file_is_retried_until_it_appears(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="assistant.capture")
    path = tmp_path / "later.avi"
    worker = fast_worker("c", str(path), fps=20).start()
    try:
        assert wait_until(lambda: worker.stats().failures >= 3)
        stats = worker.stats()
        assert not stats.alive
        assert stats.state == "failing"
        assert "no such file" in stats.last_error
        assert worker.latest(10.0) is None
        write_video(tmp_path / "tmp.avi").rename(path)  # appears atomically
        assert wait_until(lambda: worker.latest(1.0) is not None)
        stats = worker.stats()
        assert stats.alive
        assert stats.reconnects == 1
    finally:
        assert worker.stop()
    # Logged once per state change: one warning for all the failed attempts, one recovery.
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "no such file" in warnings[0].getMessage()
    assert sum("recovered" in r.getMessage() for r in caplog.records) == 1


def test_video_removed_mid_run_then_back(tmp_path: Path) -> None:
    path = write_video(tmp_path / "v.avi", frames=5)
    aside = tmp_path / "aside.avi"
    worker = fast_worker("c", str(path), fps=30).start()
    try:
        assert wait_until(lambda: worker.stats().alive)
        path.rename(aside)  # unplugged
        assert wait_until(lambda: worker.stats().state == "failing")
        time.sleep(0.15)
        assert worker.latest(0.1) is None  # image-present off
        assert worker.stats().failures >= 1
        aside.rename(path)  # plugged back in
        assert wait_until(lambda: worker.latest(0.1) is not None)
        assert worker.stats().reconnects == 1
        assert worker.stats().alive
    finally:
        assert worker.stop()


def test_folder_emptied_mid_run_then_refilled(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "f", {"a.png": (9, 9, 9), "b.png": (99, 99, 99)})
    aside = tmp_path / "aside"
    aside.mkdir()
    worker = fast_worker("c", str(folder), fps=40).start()
    try:
        assert wait_until(lambda: worker.stats().alive)
        for image in folder.iterdir():
            image.rename(aside / image.name)
        assert wait_until(lambda: worker.stats().state == "failing")
        assert "no images" in worker.stats().last_error
        for image in aside.iterdir():
            image.rename(folder / image.name)
        assert wait_until(lambda: worker.stats().alive)
        assert worker.stats().reconnects == 1
        assert mean_level(worker.latest(1.0)) in (9.0, 99.0)
    finally:
        assert worker.stop()


def test_corrupt_video_fails_without_crashing(tmp_path: Path) -> None:
    path = tmp_path / "bad.avi"
    path.write_bytes(b"RIFF\x00\x00\x00\x00AVI garbage" * 10)
    worker = fast_worker("c", str(path), fps=20).start()
    try:
        assert wait_until(lambda: worker.stats().failures >= 2)
        assert worker.latest(10.0) is None
        assert worker.stats().state == "failing"
    finally:
        assert worker.stop()


def test_non_looping_file_ends_the_worker(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.avi", frames=3)
    worker = fast_worker("c", str(video), fps=50, loop=False).start()
    assert wait_until(lambda: worker.stats().state == CameraState.ENDED.value)
    stats = worker.stats()
    assert stats.read == 3
    assert not stats.alive
    assert stats.failures == 0
    assert worker.stop()


def test_stop_is_prompt_during_back_off_and_between_frames(tmp_path: Path) -> None:
    waiting = CameraWorker(
        "a", str(tmp_path / "never.avi"), fps=5, backoff_min_s=30, backoff_max_s=60
    ).start()
    slow = fast_worker("b", str(write_video(tmp_path / "v.avi")), fps=0.2).start()
    assert wait_until(lambda: waiting.stats().failures >= 1 and slow.stats().read >= 1)
    t0 = time.monotonic()
    assert waiting.stop(timeout_s=2)
    assert slow.stop(timeout_s=2)
    assert time.monotonic() - t0 < 5  # not the 30 s back-off; wide for a loaded machine


def test_large_frames_are_shrunk_when_asked(tmp_path: Path) -> None:
    video = write_video(tmp_path / "v.avi", frames=2, size=(320, 240))
    with fast_worker("c", str(video), fps=30, max_side=160) as worker:
        assert wait_until(lambda: worker.latest(1.0) is not None)
        frame = worker.latest(1.0)
        assert frame is not None
        assert frame.image.shape == (120, 160, 3)


class FakeLiveCamera(FrameSource):
    """Stands in for a 100 fps device (none here): grab blocks 10 ms, retrieve is counted.

    `fail_after` grabs it raises, as OpenCV does when a USB camera is pulled."""

    live = True

    def __init__(self, fail_after: int | None = None) -> None:
        super().__init__("fake camera", fps=None)
        self.grabs = 0
        self.retrieves = 0
        self.opens = 0
        self.fail_after = fail_after

    def open(self) -> None:
        self.opens += 1

    def grab(self) -> bool:
        time.sleep(0.01)
        self.grabs += 1
        if self.fail_after is not None and self.grabs > self.fail_after:
            raise cv2.error("device unplugged")
        return True

    def retrieve(self) -> np.ndarray:
        self.retrieves += 1
        return np.zeros((4, 4, 3), np.uint8)

    def close(self) -> None:
        pass


def test_live_source_is_grabbed_continually_but_decoded_at_the_rate() -> None:
    camera = FakeLiveCamera()
    worker = CameraWorker("c", "ignored", fps=10, source_factory=lambda spec, **kw: camera)
    worker.start()
    time.sleep(0.5)
    worker.stop()
    assert camera.grabs >= 30  # ~50: every frame the device offers
    assert 3 <= camera.retrieves <= 8  # ~5: only the frames due at 10 fps


def test_exceptions_from_a_source_are_failures_not_crashes() -> None:
    camera = FakeLiveCamera(fail_after=3)
    worker = fast_worker("c", "x", fps=100, source_factory=lambda spec, **kw: camera)
    worker.start()
    try:
        assert wait_until(lambda: worker.stats().failures >= 2)
        stats = worker.stats()
        assert "device unplugged" in stats.last_error
        assert camera.opens >= 2  # reopened after each failure
    finally:
        assert worker.stop()
