"""`assistant capture`: labelled frames from a home's own camera, for fine-tuning the eye.

    assistant capture --camera living_room_cam --device floor_lamp --pose point \
        [--source SPEC] [--count 20] [--interval 0.5] --out captures/

Each frame is saved as a PNG in `--out` with one line in `--out/manifest.jsonl`:
{"file", "camera", "device", "pose", "time", "size": [w, h], "sha256"}. The labels are
checked against devices.yaml first: the camera exists and the device (id, name or alias)
has a zone on that camera; pose `none` (nobody in front of a device) takes no device.
`python -m export.finetune_eye --captured DIR` reads the manifests back through
`read_manifest`, which treats them as hostile input (every field checked, one-line
errors naming file:line:key).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.config import HomeConfig
from assistant.errors import InputError

POSES = ("point", "stand", "none")
MAX_COUNT = 500  # frames per run
MAX_INTERVAL_S = 60.0
MAX_SIDE = 1280  # longer frames are scaled down: the model sees 96 x 96 anyway
MIN_SIDE = 32
MAX_MANIFEST_BYTES = 8 * 2**20
MAX_MANIFEST_LINES = 20000
MAX_LINE_BYTES = 2048
MAX_FRAME_BYTES = 16 * 2**20
KEYS = ("file", "camera", "device", "pose", "time", "size", "sha256")
_FILE = re.compile(r"^[A-Za-z0-9_.-]{1,200}\.png$")
_SHA = re.compile(r"^[0-9a-f]{64}$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_READ_FAILURES = 50  # consecutive undecodable frames before giving up on a source


class CaptureInputError(InputError):
    """A capture request or a manifest line is invalid; the message names where."""


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    camera: str
    device: str | None
    pose: str
    time: str
    size: tuple[int, int]
    sha256: str


def resolve_device(config: HomeConfig, camera: str, device: str | None, pose: str) -> str | None:
    """The device id the capture is labelled with (validated), None for pose none."""
    if camera not in config.cameras:
        known = ", ".join(sorted(config.cameras)) or "none"
        raise CaptureInputError(f"camera {camera!r} is not in the config (cameras: {known})")
    if pose not in POSES:
        raise CaptureInputError(f"pose {pose!r} is not one of {', '.join(POSES)}")
    zones = config.cameras[camera].zones
    if pose == "none":
        if device is not None:
            raise CaptureInputError("pose none (nobody at a device) takes no --device")
        return None
    if device is None:
        raise CaptureInputError(f"pose {pose} needs --device (one of {', '.join(sorted(zones))})")
    wanted = " ".join(device.lower().split())
    matches = {dev_id for dev_id, dev in config.devices.items()
               if wanted in {dev_id.lower(), dev.name.lower(), *(a.lower() for a in dev.aliases)}}
    if not matches:
        raise CaptureInputError(f"device {device!r} is not in the config")
    dev_id = matches.pop()
    if dev_id not in zones:
        raise CaptureInputError(f"device {dev_id} has no zone on camera {camera} (zones: "
                                f"{', '.join(sorted(zones)) or 'none'})")
    return dev_id


def _capped(bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    import cv2

    h, w = bgr.shape[:2]
    if min(h, w) < MIN_SIDE:
        raise CaptureInputError(f"the camera delivered a {w}x{h} frame: too small")
    scale = MAX_SIDE / max(h, w)
    if scale >= 1:
        return bgr
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), np.uint8)


def _check_request(config: HomeConfig, *, camera: str, device: str | None, pose: str,
                   out: Path, count: int, interval: float) -> str | None:
    dev_id = resolve_device(config, camera, device, pose)
    if not 1 <= count <= MAX_COUNT:
        raise CaptureInputError(f"--count {count}: must be 1 to {MAX_COUNT}")
    if not 0 <= interval <= MAX_INTERVAL_S:
        raise CaptureInputError(f"--interval {interval}: must be 0 to {MAX_INTERVAL_S} s")
    if out.exists() and not out.is_dir():
        raise CaptureInputError(f"{out}: exists and is not a folder")
    return dev_id


def _frames(src: Any, count: int, interval: float, clock: Any
            ) -> Iterator[npt.NDArray[np.uint8]]:
    """Up to `count` frames `interval` seconds apart (a file's own time for files)."""
    # Files and folders do not pace themselves: skip the frames between two captures.
    skip = max(0, round(interval * src.fps) - 1) if not src.live else 0
    failures = taken = 0
    while taken < count and failures < MAX_READ_FAILURES:
        if src.live:  # keep grabbing so the device's buffer never goes stale
            until = clock() + interval if taken else clock()
            ok = src.grab()
            while ok and clock() < until:
                ok = src.grab()
        else:
            ok = src.grab()
            for _ in range(skip if taken else 0):
                ok = ok and src.grab()
        frame = src.retrieve() if ok else None
        if frame is None:
            if src.finished:
                break
            failures += 1
            continue
        failures = 0
        taken += 1
        yield _capped(frame)


def _save(frame: npt.NDArray[np.uint8], path: Path, *, camera: str, device: str | None,
          pose: str) -> ManifestEntry:
    """Write one frame as PNG; its manifest entry."""
    import cv2

    ok_enc, png = cv2.imencode(".png", frame)
    if not ok_enc:
        raise CaptureInputError(f"{path}: cannot encode the frame as PNG")
    data = png.tobytes()
    path.write_bytes(data)
    return ManifestEntry(
        file=path.name, camera=camera, device=device, pose=pose,
        time=datetime.now(UTC).isoformat(timespec="milliseconds"),
        size=(int(frame.shape[1]), int(frame.shape[0])),
        sha256=hashlib.sha256(data).hexdigest())


def capture(config: HomeConfig, *, camera: str, device: str | None, pose: str, out: Path,
            source: str | None = None, count: int = 20, interval: float = 0.5,
            clock: Any = time.monotonic) -> list[ManifestEntry]:
    """Save `count` frames `interval` seconds apart (of the source's time) into `out`.

    Each frame is written as it comes (a run holds one frame in memory, not `count`), and
    the manifest gets the lines of the frames saved even if the source fails later."""
    from assistant.capture import CaptureError, open_frame_source

    dev_id = _check_request(config, camera=camera, device=device, pose=pose, out=out,
                            count=count, interval=interval)
    spec = source if source is not None else config.cameras[camera].source
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    entries: list[ManifestEntry] = []
    try:
        try:
            src = open_frame_source(spec, fps=None, loop=False)
            src.open()
            try:
                for k, frame in enumerate(_frames(src, count, interval, clock)):
                    out.mkdir(parents=True, exist_ok=True)
                    name = f"{camera}_{dev_id or 'none'}_{pose}_{stamp}_{k:03d}.png"
                    entries.append(_save(frame, out / name, camera=camera, device=dev_id,
                                         pose=pose))
            finally:
                src.close()
        except CaptureError as exc:
            raise CaptureInputError(f"camera {camera}: {exc}") from exc
    finally:
        if entries:
            with (out / "manifest.jsonl").open("a", encoding="utf-8") as fh:
                for e in entries:
                    fh.write(json.dumps({"file": e.file, "camera": e.camera,
                                         "device": e.device, "pose": e.pose, "time": e.time,
                                         "size": list(e.size), "sha256": e.sha256}) + "\n")
    if not entries:
        raise CaptureInputError(f"camera {camera}: no frame could be read from {spec}")
    return entries


def _entry(obj: Any, config: HomeConfig, folder: Path, where: str) -> ManifestEntry:
    """One manifest object, every field checked; errors name `where` (file:line) and key."""
    if not isinstance(obj, dict):
        raise CaptureInputError(f"{where}: expected a JSON object")
    for key in KEYS:
        if key not in obj:
            raise CaptureInputError(f"{where}:{key}: missing")
    extra = sorted(set(obj) - set(KEYS))
    if extra:
        raise CaptureInputError(f"{where}:{str(extra[0])[:40]}: unknown key")

    def bad(key: str, why: str) -> CaptureInputError:
        return CaptureInputError(f"{where}:{key}: {why} (got {str(obj[key])[:60]!r})")

    file, camera, device, pose = obj["file"], obj["camera"], obj["device"], obj["pose"]
    if not isinstance(file, str) or not _FILE.match(file):
        raise bad("file", "expected a plain .png file name in the manifest's folder")
    if not isinstance(camera, str) or camera not in config.cameras:
        raise bad("camera", "not a camera of the config")
    if not isinstance(pose, str) or pose not in POSES:
        raise bad("pose", f"expected one of {', '.join(POSES)}")
    zones = config.cameras[camera].zones
    if pose == "none":
        if device is not None:
            raise bad("device", "pose none takes device null")
    elif not isinstance(device, str) or device not in zones:
        raise bad("device", f"not a device with a zone on camera {camera}")
    stamp = obj["time"]
    try:
        if not isinstance(stamp, str) or len(stamp) > 40:
            raise ValueError
        datetime.fromisoformat(stamp)
    except ValueError:
        raise bad("time", "expected an ISO 8601 time") from None
    size = obj["size"]
    if (not isinstance(size, list) or len(size) != 2
            or not all(type(v) is int and MIN_SIDE <= v <= MAX_SIDE for v in size)):
        raise bad("size", f"expected [width, height], integers {MIN_SIDE} to {MAX_SIDE}")
    digest = obj["sha256"]
    if not isinstance(digest, str) or not _SHA.match(digest):
        raise bad("sha256", "expected 64 lowercase hex digits")
    path = folder / file
    if not path.is_file() or path.is_symlink():
        raise bad("file", "no such regular file beside the manifest")
    if path.stat().st_size > MAX_FRAME_BYTES:
        raise bad("file", f"larger than {MAX_FRAME_BYTES} bytes")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise bad("sha256", "does not match the file's contents")
    # The PNG's own header, read before anything decodes it: a small file can claim a
    # huge image, and the manifest's size is only as true as the rest of the line.
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise bad("file", "not a PNG file")
    if (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) != tuple(size):
        raise bad("size", "does not match the PNG's own width and height")
    return ManifestEntry(file=file, camera=camera, device=device, pose=pose, time=stamp,
                         size=(size[0], size[1]), sha256=digest)


def read_manifest(path: Path, config: HomeConfig) -> list[ManifestEntry]:
    """Every entry of a capture folder's manifest.jsonl, validated against the config."""
    if not path.is_file():
        raise CaptureInputError(f"{path}: no manifest (write one with `assistant capture`)")
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise CaptureInputError(f"{path}: larger than {MAX_MANIFEST_BYTES} bytes")
    raw = path.read_bytes()
    entries: list[ManifestEntry] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        if number > MAX_MANIFEST_LINES:
            raise CaptureInputError(f"{where}: more than {MAX_MANIFEST_LINES} lines")
        if len(line) > MAX_LINE_BYTES:
            raise CaptureInputError(f"{where}: line longer than {MAX_LINE_BYTES} bytes")
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise CaptureInputError(f"{where}: not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise CaptureInputError(f"{where}: not JSON ({exc.msg})") from None
        entries.append(_entry(obj, config, path.parent, where))
    return entries


def add_capture_arguments(parser: Any) -> None:
    """The `assistant capture` options (assistant/cli.py adds the subcommand)."""
    parser.add_argument("--camera", required=True, help="camera id of devices.yaml")
    parser.add_argument("--device", help="device pointed at or stood by (id, name or alias); "
                                         "none with --pose none")
    parser.add_argument("--pose", required=True, choices=POSES,
                        help="point at the device, stand by it, or none (nobody at a device)")
    parser.add_argument("--source", help="frame source instead of the camera's own: index, "
                                         "rtsp/http URL, video file or image folder")
    parser.add_argument("--count", type=int, default=20, help=f"frames (1 to {MAX_COUNT})")
    parser.add_argument("--interval", type=float, default=0.5,
                        help="seconds between frames (a file's own time for files)")
    parser.add_argument("--out", required=True, type=Path,
                        help="folder for the PNGs and manifest.jsonl (appended to)")


def cmd_capture(args: Any) -> int:
    from assistant.config import load_config

    config = load_config(args.config)
    entries = capture(config, camera=args.camera, device=args.device, pose=args.pose,
                      out=args.out, source=args.source, count=args.count,
                      interval=args.interval)
    print(f"saved {len(entries)} frame(s) of {args.camera} ({args.pose}"
          f"{' ' + entries[0].device if entries[0].device else ''}) to {args.out}")
    return 0
