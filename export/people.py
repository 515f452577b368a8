"""Real people cut from OpenCV's pedestrian sample video, for the realistic scenes.

Debian's `opencv-doc` ships `vtest.avi` (795 frames, 768x576, a fixed camera over a
plaza with pedestrians). A person is what differs from the median background: the
difference is thresholded, cleaned with a morphological open/close, and each connected
blob that is shaped like one standing person (tall, not touching the frame's edge, filling
a fair part of its box, as tall as a person whose feet are on that row: not two people
one behind the other) becomes an RGBA cut-out, alpha = the soft mask.

Split by time: cut-outs from frames [0, 480) are for training, from frames [560, 795) for
held-out evaluation; the 80-frame gap (8 s) keeps one walker's consecutive steps out of
both. A pedestrian who crosses the plaza slowly can still appear in both ranges: the split
is by frame range, not by identity (the video has no identities).

The cut-outs are computed once (a few seconds) and cached on disk under a digest of the video
and of this extraction's version (not in git): see `cache_dir()`.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

Split = Literal["train", "heldout"]
T = TypeVar("T")

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
VIDEO = "vtest.avi"
TRAIN_FRAMES = (0, 480)
HELDOUT_FRAMES = (560, 795)
_STEP = 4  # every 4th frame: consecutive frames give near-identical cut-outs
_VERSION = "people-v4"  # bump when the extraction changes: the cache key includes it


class AssetError(RuntimeError):
    """A sample file the realistic scenes need is missing or unreadable."""


@dataclass(frozen=True)
class Cutout:
    """One person: RGBA pixels (alpha 0..255), feet at the bottom row, and its frame."""

    rgba: npt.NDArray[np.uint8]  # (h, w, 4)
    frame: int


def opencv_data_dir() -> Path:
    """Where opencv-doc's sample data is (MILM_OPENCV_DATA overrides it)."""
    return Path(os.environ.get("MILM_OPENCV_DATA", str(OPENCV_DATA)))


def cache_dir() -> Path:
    """Where derived assets are cached, as the runtime's caches are (assistant/speech_lm.py):
    $CACHE_DIRECTORY, else $XDG_CACHE_HOME/milm-assistant, else ~/.cache/milm-assistant;
    then scenes/."""
    systemd = os.environ.get("CACHE_DIRECTORY")
    if systemd:
        return Path(systemd.split(":", 1)[0]) / "scenes"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "milm-assistant" / "scenes"


def video_path() -> Path:
    path = opencv_data_dir() / VIDEO
    if not path.is_file():
        raise AssetError(f"{path}: pedestrian video not found (apt-get install opencv-doc, "
                         "or set MILM_OPENCV_DATA)")
    return path


def video_frames(video: Path, span: tuple[int, int], step: int
                 ) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    """(index, BGR frame) for every `step`-th frame of the half-open span, from its first;
    the others are skipped undecoded. Every renderer's cut-outs come from here."""
    import cv2

    lo, hi = span
    cap = cv2.VideoCapture(str(video))
    try:
        index = 0
        while index < hi and cap.grab():
            if index >= lo and (index - lo) % step == 0:
                ok, frame = cap.retrieve()
                if not ok:
                    return
                yield index, np.asarray(frame, np.uint8)
            index += 1
    finally:
        cap.release()


def _extract(path: Path) -> list[Cutout]:
    """Median background, then one cut-out per person-shaped foreground blob."""
    import cv2

    # Two passes over the video: holding all 795 frames would take 1 GB.
    sampled = [f for _, f in video_frames(path, (0, sys.maxsize), 10)]
    if len(sampled) * 10 < HELDOUT_FRAMES[0] + 10:
        raise AssetError(f"{path}: only about {len(sampled) * 10} frames readable "
                         "(expected 795)")
    # The mask is found at half size (4x less work), the pixels are cut at full size.
    def half(frame: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        small = cv2.resize(frame, (frame.shape[1] // 2, frame.shape[0] // 2),
                           interpolation=cv2.INTER_AREA)
        return np.asarray(small, np.float32)

    background = np.median(np.stack([half(f) for f in sampled]), axis=0).astype(np.float32)
    del sampled
    kernel_open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    kernel_close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    height, width = background.shape[:2]
    found: list[tuple[Cutout, int, int]] = []  # cut-out, feet row, height (half size)
    for index, frame in video_frames(path, (0, sys.maxsize), _STEP):
        pixels = half(frame)
        diff = np.abs(pixels - background).max(axis=2)
        # A cast shadow darkens the ground by the same factor in every channel: not a person.
        ratio = (pixels + 1.0) / (background + 1.0)
        hi, lo = ratio.max(axis=2), ratio.min(axis=2)
        shadow = (hi < 0.95) & (lo > 0.35) & (hi - lo < 0.1)
        mask = ((diff > 35) & ~shadow).astype(np.uint8) * 255
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel_open)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel_close)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for label in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[label])
            if not (40 <= h <= 110 and 1.8 <= h / w <= 4.2 and area >= 0.4 * w * h):
                continue  # not one standing person: a fragment, a group, a shadow
            if x <= 1 or y <= 1 or x + w >= width - 1 or y + h >= height - 1:
                continue  # cut by the frame's edge
            blob = (labels[y:y + h, x:x + w] == label).astype(np.uint8) * 255
            blob = cv2.morphologyEx(blob, cv2.MORPH_CLOSE, kernel_close)
            alpha = cv2.GaussianBlur(cv2.resize(blob, (2 * w, 2 * h),
                                                interpolation=cv2.INTER_LINEAR), (3, 3), 0)
            rgb = frame[2 * y:2 * y + 2 * h, 2 * x:2 * x + 2 * w, ::-1]
            found.append((Cutout(np.ascontiguousarray(np.dstack([rgb, alpha])), index),
                          y + h, h))
    return _one_person_each(found)


def _one_person_each(found: list[tuple[Cutout, int, int]]) -> list[Cutout]:
    """Drop blobs of two people, one behind the other (a fixed camera: a person's height is
    about linear in the row of their feet; two stacked are much taller than that)."""
    if len(found) < 10:
        return [c for c, _, _ in found]
    feet = np.array([f for _, f, _ in found], np.float64)
    height = np.array([h for _, _, h in found], np.float64)
    keep = np.ones(len(found), bool)
    for _ in range(3):  # fit, trim the outliers, fit again
        slope, offset = np.polyfit(feet[keep], height[keep], 1)
        ratio = height / (slope * feet + offset)
        keep = (ratio > 0.75) & (ratio < 1.2)
    return [c for (c, _, _), k in zip(found, keep, strict=True) if k]


def _digest(path: Path) -> str:
    h = hashlib.sha256(_VERSION.encode())
    h.update(path.read_bytes())
    return h.hexdigest()[:16]


def save_cutouts(cutouts: list[Cutout], target: Path) -> None:
    """Cut-outs to one npz file, written atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shapes = np.array([c.rgba.shape[:2] for c in cutouts], np.int32).reshape(-1, 2)
    flat = (np.concatenate([c.rgba.reshape(-1) for c in cutouts]) if cutouts
            else np.zeros(0, np.uint8))
    tmp = target.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, shapes=shapes, frames=np.array([c.frame for c in cutouts]),
                        pixels=flat)
    tmp.replace(target)  # atomic: a parallel worker sees the whole file or none


def load_cutouts(source: Path) -> list[Cutout]:
    """The cut-outs save_cutouts wrote."""
    with np.load(source) as data:
        shapes, frames, flat = data["shapes"], data["frames"], data["pixels"]
    out, at = [], 0
    for (h, w), frame in zip(shapes, frames, strict=True):
        n = int(h) * int(w) * 4
        out.append(Cutout(flat[at:at + n].reshape(int(h), int(w), 4), int(frame)))
        at += n
    return out


def disk_cached(target: Path, build: Callable[[], T], load: Callable[[Path], T],
                save: Callable[[T, Path], None]) -> T:
    """What `load` reads from `target`, else (no file, or a damaged one, which is rebuilt)
    what `build` makes, saved there by `save` first."""
    if target.is_file():
        try:
            return load(target)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is rebuilt
    value = build()
    save(value, target)
    return value


def cached_cutouts(target: Path, build: Callable[[], list[Cutout]]) -> tuple[Cutout, ...]:
    """disk_cached for a list of cut-outs (save_cutouts' file)."""
    cutouts = disk_cached(target, build, load_cutouts, save_cutouts)
    return tuple(cutouts)


@lru_cache(maxsize=1)
def all_cutouts() -> tuple[Cutout, ...]:
    """Every cut-out, from the disk cache or extracted (then cached)."""
    path = video_path()

    def extract() -> list[Cutout]:
        cutouts = _extract(path)
        if not cutouts:
            raise AssetError(f"{path}: no person found in the video")
        return cutouts

    return cached_cutouts(cache_dir() / f"{_digest(path)}-{_VERSION}.npz", extract)


@lru_cache(maxsize=2)
def people(split: Split) -> tuple[Cutout, ...]:
    """The cut-outs of one split (frame ranges in the module docstring)."""
    lo, hi = TRAIN_FRAMES if split == "train" else HELDOUT_FRAMES
    chosen = tuple(c for c in all_cutouts() if lo <= c.frame < hi)
    if not chosen:
        raise AssetError(f"no {split} person cut-outs from {VIDEO} frames {lo}-{hi}")
    return chosen
