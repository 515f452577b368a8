"""Frame capture: camera, stream, video file or image folder -> newest `Frame` per camera.

One factory, `open_frame_source`, turns a source spec into a `FrameSource`; a
`CameraWorker` runs one capture thread per camera and keeps only the newest frame
(older ones are dropped and counted, as frigate does with its bounded queues).
Files and folders go through exactly the same worker as a live camera, so tests and
the demo exercise the daemon's code path.

A source that cannot be opened or stops delivering (camera unplugged, stream ended,
file removed, folder emptied) is retried with exponential back-off; the worker never
raises, it only logs once per state change. Meanwhile `CameraWorker.latest()` returns
None and the pipeline runs with the image-present flag off.

Pacing: live sources (cameras, streams) block in `grab()` at the device's own rate;
the worker grabs every frame (so OpenCV's buffer never goes stale) but decodes only
at the configured rate. Files and folders do not pace themselves: the worker reads
one frame per tick at the configured rate (or the file's own rate) and sleeps in
between. A file whose rate is above the configured one therefore plays slowed down,
frame by frame, rather than decoding frames only to throw them away: it is a test and
demo stand-in for a camera, and this keeps it as cheap as a real one.
"""

from __future__ import annotations

import abc
import enum
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from assistant.errors import AssistantError
from assistant.types import Frame

log = logging.getLogger(__name__)

# OpenCV and FFmpeg print their own messages to stderr on every failed open: once per
# retry of a camera that is away, a flood in the journal. The worker logs one line per
# state change, with the reason, instead. To see theirs when debugging a camera, set
# OPENCV_LOG_LEVEL=WARNING and OPENCV_FFMPEG_LOGLEVEL=16 (AV_LOG_ERROR). OpenCV reads the
# FFmpeg level when it first uses FFmpeg, that is at the first capture, not at import.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
if "OPENCV_LOG_LEVEL" not in os.environ:
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)

Image = npt.NDArray[np.uint8]

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm", ".pnm"}
)
STREAM_SCHEMES = ("rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://")
DEFAULT_FPS = 5.0  # when neither the configuration nor the source says
STREAM_TIMEOUT_MS = 5000  # open and read time-outs for network streams


class CaptureError(AssistantError):
    """A frame source cannot be opened or read. The lead rebases this onto the package error."""


# --------------------------------------------------------------------------- sources


class FrameSource(abc.ABC):
    """One place frames come from. Not thread-safe: one `CameraWorker` thread uses it.

    The protocol follows OpenCV's: `grab()` advances to the next frame (cheap),
    `retrieve()` decodes it. `open()` raises `CaptureError`; `grab()` returns False
    when the source stopped delivering (or, with `finished` set, ended normally).
    `grab()` and `retrieve()` may also raise `CaptureError` to say why they failed.
    """

    #: True: `grab()` blocks at the device's own rate and must be called continually.
    live: bool = False

    def __init__(self, description: str, fps: float | None) -> None:
        self.description = description  # for logs; URLs have their password removed
        self.requested_fps = fps
        self.finished = False  # a non-looping file reached its end: do not retry

    @abc.abstractmethod
    def open(self) -> None:
        """Open (or reopen) the source. Raises CaptureError."""

    @abc.abstractmethod
    def grab(self) -> bool:
        """Advance to the next frame. False: no frame (failure or, if `finished`, the end)."""

    @abc.abstractmethod
    def retrieve(self) -> Image | None:
        """The grabbed frame as (H, W, 3) BGR uint8, or None if it cannot be decoded."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the device or file. Safe to call twice."""

    @property
    def native_fps(self) -> float | None:
        """The rate the source itself reports (a file's fps), if any."""
        return None

    @property
    def fps(self) -> float:
        """The rate the worker delivers frames at: configured, else native, else 5."""
        for rate in (self.requested_fps, self.native_fps):
            if rate is not None and rate > 0:
                return float(rate)
        return DEFAULT_FPS

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.description!r})"


def _as_bgr(image: npt.NDArray[Any]) -> Image:
    """Coerce what OpenCV handed back to (H, W, 3) uint8 BGR."""
    if image.dtype != np.uint8:
        top = float(np.iinfo(image.dtype).max) if image.dtype.kind in "iu" else 1.0
        image = cv2.convertScaleAbs(image, alpha=255.0 / top)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(image, dtype=np.uint8)


class _CaptureSource(FrameSource):
    """Common code for sources read through cv2.VideoCapture."""

    def __init__(self, description: str, fps: float | None) -> None:
        super().__init__(description, fps)
        self._cap: cv2.VideoCapture | None = None

    def _open_capture(self, target: str | int, api: int, params: list[int]) -> cv2.VideoCapture:
        self.close()
        cap = cv2.VideoCapture(target, api, params)
        if not cap.isOpened():
            cap.release()
            raise CaptureError(f"{self.description}: cannot open")
        self._cap = cap
        return cap

    def grab(self) -> bool:
        return self._cap is not None and bool(self._cap.grab())

    def retrieve(self) -> Image | None:
        if self._cap is None:
            return None
        ok, image = self._cap.retrieve()
        if not ok or image is None or image.size == 0:
            return None
        return _as_bgr(image)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource(_CaptureSource):
    """A local camera: an index (0) or a V4L2 device path (/dev/video0)."""

    live = True

    def __init__(self, device: int | str, fps: float | None) -> None:
        super().__init__(f"camera {device}", fps)
        self.device = device

    def open(self) -> None:
        if isinstance(self.device, str) and not os.path.exists(self.device):
            raise CaptureError(f"{self.description}: no such device")
        cap = self._open_capture(self.device, cv2.CAP_ANY, [])
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # best effort: fewer stale frames in the driver
        if self.requested_fps:
            cap.set(cv2.CAP_PROP_FPS, self.requested_fps)  # best effort: many webcams do 5-15


class StreamSource(_CaptureSource):
    """A network stream (RTSP, HTTP MJPEG, ...) through FFmpeg, with open/read time-outs.

    RTSP goes over TCP unless OPENCV_FFMPEG_CAPTURE_OPTIONS says otherwise: over UDP a
    lost packet smears the frame, and a home Wi-Fi loses packets.
    """

    live = True

    def __init__(self, url: str, fps: float | None) -> None:
        super().__init__(_redact(url), fps)
        self.url = url

    def open(self) -> None:
        if self.url.startswith(("rtsp://", "rtsps://")):
            os.environ.setdefault("OPENCV_FFMPEG_CAPTURE_OPTIONS", "rtsp_transport;tcp")
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC, STREAM_TIMEOUT_MS,
        ]  # fmt: skip
        cap = self._open_capture(self.url, cv2.CAP_FFMPEG, params)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)


class VideoFileSource(_CaptureSource):
    """A video file (or an OpenCV image-sequence pattern such as frames/%04d.png).

    With `loop` it starts over at the end (by reopening the path, so a replaced file is
    picked up); without, it ends and the worker stops. The file is checked on every
    grab: removed means "stopped delivering" (the worker retries until it is back),
    replaced (new inode, size or mtime) means reopen.
    """

    def __init__(self, path: str, fps: float | None, *, loop: bool = True) -> None:
        super().__init__(path, fps)
        self.path = path
        self.loop = loop
        self._pattern = "%" in path  # an image sequence: no single file to watch
        self._identity: tuple[int, int, int] | None = None
        self._native_fps: float | None = None
        self._frames_this_pass = 0

    @property
    def native_fps(self) -> float | None:
        return self._native_fps

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def open(self) -> None:
        self.finished = False
        if not self._pattern:
            identity = self._stat()
            if identity is None:
                raise CaptureError(f"{self.path}: no such file")
            self._identity = identity
        # One decoding thread: a 5 fps camera stand-in needs no more, and the box has 2 cores.
        cap = self._open_capture(self.path, cv2.CAP_ANY, [cv2.CAP_PROP_N_THREADS, 1])
        rate = float(cap.get(cv2.CAP_PROP_FPS))
        self._native_fps = rate if 0 < rate < 1000 else None
        self._frames_this_pass = 0

    def grab(self) -> bool:
        if self._cap is None:
            return False
        if not self._pattern:
            identity = self._stat()
            if identity is None:  # the worker backs off and reopens when it is back
                raise CaptureError(f"{self.path}: file removed")
            if identity != self._identity:
                self.open()  # replaced: read the new one
        if self._cap.grab():
            self._frames_this_pass += 1
            return True
        if self._frames_this_pass == 0:
            raise CaptureError(f"{self.path}: no frame could be read")  # broken, not an end
        if not self.loop:
            self.finished = True
            return False
        self.open()
        if self._cap is not None and self._cap.grab():
            self._frames_this_pass += 1
            return True
        raise CaptureError(f"{self.path}: no frame could be read")


class ImageFolderSource(FrameSource):
    """Images of a folder in sorted order (or one image file), cycled at the configured rate.

    The folder is listed again at the start of every cycle, so images can be added or
    removed while it runs; an empty or missing folder is "stopped delivering".
    """

    def __init__(self, path: str, fps: float | None, *, loop: bool = True) -> None:
        super().__init__(path, fps)
        self.path = Path(path)
        self.loop = loop
        self._files: list[Path] = []
        self._index = -1
        self._opened = False

    def _list(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(
                p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            )
        if self.path.is_file():
            return [self.path]
        raise CaptureError(f"{self.path}: no such file or folder")

    def open(self) -> None:
        self.finished = False
        files = self._list()
        if not files:
            raise CaptureError(f"{self.path}: no images in folder")
        self._files = files
        self._index = -1
        self._opened = True

    def grab(self) -> bool:
        if not self._opened:
            return False
        self._index += 1
        if self._index >= len(self._files):
            if not self.loop:
                self.finished = True
                return False
            self.open()  # list again: raises CaptureError if the folder was emptied
            self._index = 0
        return True

    def retrieve(self) -> Image | None:
        if not self._opened or not 0 <= self._index < len(self._files):
            return None
        if not self._files[self._index].is_file():  # removed since listed: list again now
            self.open()
            self._index = 0
        # Skip images that do not decode (a half-copied JPEG); fail only if none does.
        for _ in range(len(self._files)):
            path = self._files[self._index]
            image = cv2.imread(str(path), cv2.IMREAD_COLOR) if path.is_file() else None
            if image is not None:
                return _as_bgr(image)
            self._index = (self._index + 1) % len(self._files)
        raise CaptureError(f"{self.path}: no readable image")

    def close(self) -> None:
        self._opened = False


_CREDENTIALS = re.compile(r"(?<=://)([^:/@]+):[^@/]*@")


def _redact(url: str) -> str:
    """rtsp://user:secret@host/... -> rtsp://user:***@host/... for logs."""
    return _CREDENTIALS.sub(r"\1:***@", url)


def open_frame_source(spec: str | int, *, fps: float | None, loop: bool = True) -> FrameSource:
    """Build (without opening) the source a spec names.

    - an int, or a string of digits: a local camera index;
    - `/dev/videoN`: a V4L2 device;
    - `rtsp://`, `rtsps://`, `rtmp://`, `http(s)://`, `udp://`, `tcp://`: a network stream;
    - a folder, or a path with an image suffix: images, cycled at `fps`;
    - anything else: a video file (or an OpenCV pattern such as `frames/%04d.png`).
      A path that does not exist yet is a folder if it has no suffix, else a file.

    `fps` is the delivery rate (None: the file's own rate, else 5). `loop` applies to
    files and folders: start over at the end, or end the worker.
    """
    if isinstance(spec, bool):  # bool is an int: reject True/False as camera indices
        raise CaptureError(f"invalid frame source {spec!r}")
    if fps is not None and fps <= 0:
        raise CaptureError(f"frame rate must be positive, not {fps}")
    if isinstance(spec, int):
        if spec < 0:
            raise CaptureError(f"invalid camera index {spec}")
        return CameraSource(spec, fps)
    text = spec.strip()
    if not text:
        raise CaptureError("empty frame source")
    if text.isdigit():
        return CameraSource(int(text), fps)
    if text.startswith("/dev/video"):
        return CameraSource(text, fps)
    if text.lower().startswith(STREAM_SCHEMES):
        return StreamSource(text, fps)
    path = Path(text).expanduser()
    if "%" not in text and (
        path.is_dir()
        or path.suffix.lower() in IMAGE_SUFFIXES
        or (not path.exists() and not path.suffix)
    ):
        return ImageFolderSource(str(path), fps, loop=loop)
    return VideoFileSource(str(path), fps, loop=loop)


# --------------------------------------------------------------------------- worker


class LatestFrame:
    """A one-slot, thread-safe holder of the newest frame.

    `put` replaces the frame; a frame replaced before anyone looked at it counts as a
    drop. `get` does not consume: every reader within `max_age_s` sees the same frame.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._taken = True
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        with self._lock:
            if self._frame is not None and not self._taken:
                self.dropped += 1
            self._frame = frame
            self._taken = False

    def get(self, max_age_s: float, now: float | None = None) -> Frame | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            frame = self._frame
            if frame is None or now - frame.captured_at > max_age_s:
                return None
            self._taken = True
            return frame

    def clear(self) -> None:
        with self._lock:
            self._frame = None
            self._taken = True


class CameraState(enum.Enum):
    STARTING = "starting"
    RUNNING = "running"  # delivering frames
    FAILING = "failing"  # cannot open or stopped delivering: retrying with back-off
    ENDED = "ended"  # a non-looping file reached its end
    STOPPED = "stopped"


@dataclass(frozen=True)
class CameraStats:
    """Counters of one camera worker, for logs and the status event."""

    camera_id: str
    source: str  # description of the source (password removed)
    read: int  # frames decoded and offered
    dropped: int  # frames replaced before anyone took them
    failures: int  # failed opens and reads
    reconnects: int  # successful reopens after a failure
    alive: bool  # the thread runs and the source is delivering
    state: str  # a CameraState value
    last_error: str  # the most recent failure, "" if none


SourceFactory = Callable[..., FrameSource]


class CameraWorker:
    """One capture thread for one camera that keeps only its newest frame.

    `fps` is the delivery rate (None: the source's own). Back-off between attempts to
    (re)open a failed source doubles from `backoff_min_s` to `backoff_max_s` and resets
    once frames flow again. `max_side`, if set, shrinks larger frames (INTER_AREA) as
    soon as they are read, so a 4K stream does not keep 25 MB frames around.
    `source_factory` is `open_frame_source` unless a test or a caller provides its own.
    """

    def __init__(
        self,
        camera_id: str,
        spec: str | int,
        fps: float | None = DEFAULT_FPS,
        *,
        loop: bool = True,
        backoff_min_s: float = 0.5,
        backoff_max_s: float = 30.0,
        max_side: int | None = None,
        source_factory: SourceFactory = open_frame_source,
    ) -> None:
        if backoff_min_s <= 0 or backoff_max_s < backoff_min_s:
            raise CaptureError(
                f"camera {camera_id}: back-off needs 0 < min <= max, got {backoff_min_s}, "
                f"{backoff_max_s}"
            )
        self.camera_id = camera_id
        self.source = source_factory(spec, fps=fps, loop=loop)
        self.backoff_min_s = backoff_min_s
        self.backoff_max_s = backoff_max_s
        self.max_side = max_side
        self._slot = LatestFrame()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = CameraState.STARTING
        self._read = 0
        self._failures = 0
        self._reconnects = 0
        self._last_error = ""

    # -- public API

    def start(self) -> CameraWorker:
        if self._thread is not None:
            raise CaptureError(f"camera {self.camera_id}: already started")
        self._thread = threading.Thread(
            target=self._run, name=f"camera-{self.camera_id}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 2.0) -> bool:
        """Ask the thread to stop and join it. False if it did not end within the timeout
        (a live device blocked in a read; the thread is a daemon and ends with the process)."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout_s)
        if thread.is_alive():
            log.warning(
                "camera %s: capture thread did not stop within %.1f s", self.camera_id, timeout_s
            )
            return False
        return True

    def thread_alive(self) -> bool:
        """True while the capture thread runs (it only ends when stopped, at the end of a
        non-looping file, or on a bug): the daemon's watchdog needs it."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def latest(self, max_age_s: float = 1.0) -> Frame | None:
        """The newest frame if it is at most `max_age_s` old, else None (camera off)."""
        return self._slot.get(max_age_s)

    def stats(self) -> CameraStats:
        thread = self._thread
        return CameraStats(
            camera_id=self.camera_id,
            source=self.source.description,
            read=self._read,
            dropped=self._slot.dropped,
            failures=self._failures,
            reconnects=self._reconnects,
            alive=thread is not None and thread.is_alive() and self._state is CameraState.RUNNING,
            state=self._state.value,
            last_error=self._last_error,
        )

    def __enter__(self) -> CameraWorker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the thread

    def _set_state(self, state: CameraState, detail: str = "") -> None:
        """Log once per state change; repeats of the same state go to debug."""
        previous, self._state = self._state, state
        if state is previous:
            log.debug("camera %s: still %s: %s", self.camera_id, state.value, detail)
        elif state is CameraState.FAILING:
            log.warning(
                "camera %s: %s; retrying with back-off up to %g s",
                self.camera_id,
                detail,
                self.backoff_max_s,
            )
        elif state is CameraState.RUNNING and previous is CameraState.FAILING:
            log.info(
                "camera %s: %s recovered after %d failed attempt(s)",
                self.camera_id,
                self.source.description,
                self._failures,
            )
        elif state is CameraState.RUNNING:
            log.info(
                "camera %s: reading %s at %.1f fps",
                self.camera_id,
                self.source.description,
                self.source.fps,
            )
        else:
            log.info("camera %s: %s %s", self.camera_id, state.value, detail)

    def _fail(self, detail: str) -> None:
        self._failures += 1
        self._last_error = detail
        self.source.close()
        self._set_state(CameraState.FAILING, detail)

    def _run(self) -> None:
        backoff = self.backoff_min_s
        try:
            while not self._stop.is_set():
                if self._state is not CameraState.RUNNING:
                    try:
                        self.source.open()
                    except Exception as exc:  # CaptureError or cv2.error
                        self._fail(self._reason(exc))
                        self._stop.wait(backoff)
                        backoff = min(backoff * 2, self.backoff_max_s)
                        continue
                    # RUNNING (and a reconnect) is declared on the first frame, not on open.
                if not self._deliver():
                    if self.source.finished:
                        self._set_state(CameraState.ENDED, f"{self.source.description} ended")
                        break
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self.backoff_max_s)
                else:
                    backoff = self.backoff_min_s
        except Exception:  # a bug, not a source failure: report it and end the thread
            log.exception("camera %s: capture thread crashed", self.camera_id)
            self._last_error = "capture thread crashed"
        finally:
            self.source.close()
            if self._state is not CameraState.ENDED:
                self._state = CameraState.STOPPED

    def _deliver(self) -> bool:
        """Read frames until the source fails, ends or the worker stops. False on failure."""
        period = 1.0 / self.source.fps
        live = self.source.live
        due = time.monotonic()
        while not self._stop.is_set():
            try:
                grabbed = self.source.grab()
            except Exception as exc:  # CaptureError saying why, or cv2.error from a device
                self._fail(self._reason(exc))
                return False
            if not grabbed:
                if not self.source.finished:
                    self._fail(f"{self.source.description}: stopped delivering frames")
                return False
            now = time.monotonic()
            if live and now < due:
                continue  # keep the device's buffer fresh; decode only when a frame is due
            try:
                image = self.source.retrieve()
            except Exception as exc:
                self._fail(self._reason(exc))
                return False
            if image is None:
                self._fail(f"{self.source.description}: frame could not be decoded")
                return False
            image = self._shrink(image)
            image.flags.writeable = False  # shared by every reader of latest()
            self._read += 1
            self._slot.put(
                Frame(camera_id=self.camera_id, image=image, captured_at=now, seq=self._read)
            )
            if self._state is not CameraState.RUNNING:
                if self._state is CameraState.FAILING:
                    self._reconnects += 1
                self._set_state(CameraState.RUNNING)
            due = max(due + period, now)  # no burst to catch up after a stall
            if not live:
                self._stop.wait(max(0.0, due - time.monotonic()))
        return True

    def _reason(self, exc: Exception) -> str:
        if isinstance(exc, CaptureError):
            return str(exc)  # already names the source
        return f"{self.source.description}: {type(exc).__name__}: {exc}".strip()

    def _shrink(self, image: Image) -> Image:
        if self.max_side is None:
            return image
        height, width = image.shape[:2]
        scale = self.max_side / max(height, width)
        if scale >= 1.0:
            return image
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
