"""Camera frames of smart-home rooms drawn a second way, independently of export/scenes_real.py.

A model trained on one renderer's frames does not carry over to frames made another way: it
learns the renderer's look along with the task. So training mixes renderers, and this one
shares no drawing code with export/scenes_real.py: its own room geometry (one-point
perspective with a sampled horizon and vanishing point, side walls, a floor homography,
furniture that carries table-top devices, painter's order by floor contact), its own people
extraction (GrabCut-refined cut-outs of vtest.avi), its own two-link pointing arm.

Synthetic: all of a frame is drawn here (room, furniture, decor, each device by its kind, on
or off, the pointing arm, lighting: ambient level, colour cast, lamp glow, vignette; camera:
small warp, blur, noise, JPEG). The real pixels in it: wall/floor textures, photographs (tv,
pictures, window views) and pedestrians cut from opencv-doc's vtest.avi.

Poses: "point" (a person beside the target, an arm drawn towards its centre), "stand" (a
person at touching distance of the target, under it for a ceiling device), "none" (nobody,
or a person away from every zone).

Held-out split: `split="heldout"` takes its textures, photographs and people from sources
`split="train"` never uses: TEXTURES, PHOTOS and FRAMES (vtest.avi frame ranges, half-open,
export/people.py's) below. Same rng state and arguments = same frame. The cut-outs are
extracted once (about 15 s) and cached like export/people.py's (`cache_dir()`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Literal, cast

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Split, disk_cached, video_frames, video_path
from export.scene_sources import FRAMES, PHOTOS, TEXTURES, assets_for, load_source_image, people_npz

Pose = Literal["point", "stand", "none"]
Image = npt.NDArray[np.float32]  # (H, W, 3) RGB, 0..255
Colour = tuple[float, ...]
ColourLike = Sequence[float] | npt.NDArray[Any]
Box4 = tuple[float, float, float, float]
Layer = tuple[float, Callable[[], None]]  # (depth: floor-contact y, draw)

# The sources and their split, shared by the renderers (export/scene_sources.py).

_PEOPLE_VERSION = "alt-people-v5"  # bump when the extraction changes: the cache key includes it
# vtest.avi's fixed clutter (x0, y0, x1, y1): the lamp post with its sign, the tripod. A blob
# touching them is cut in two or merged with them.
_OCCLUDERS = ((405, 0, 452, 400), (455, 335, 530, 485))


# ----------------------------------------------------------------------------- people
@dataclass(frozen=True)
class _Person:
    """A cut-out, feet at its bottom row; points are fractions of its width and height."""

    rgba: npt.NDArray[np.uint8]
    frame: int
    shoulder_l: tuple[float, float]
    shoulder_r: tuple[float, float]
    sleeve: npt.NDArray[np.float32]  # RGB, the torso's median: the drawn arm's colour
    legs: float  # leg spread / torso width: over 1.15 is mid-stride
    torso: tuple[float, float] = field(init=False)  # centre, width (fractions of the width)

    def __post_init__(self) -> None:
        a = self.rgba[..., 3] > 127
        h, w = a.shape
        band = a[int(0.25 * h):int(0.5 * h)]
        cols = np.nonzero(band.mean(0) > 0.3)[0]
        torso = (((cols.min() + cols.max() + 1) / 2 / w, (cols.max() + 1 - cols.min()) / w)
                 if len(cols) else (0.5, 0.6))
        object.__setattr__(self, "torso", torso)


def _person_of(rgb: npt.NDArray[np.uint8], alpha: npt.NDArray[np.uint8], frame: int) -> _Person:
    h, w = alpha.shape
    m = alpha > 127

    def row_extent(fr: float) -> tuple[float, float]:
        r = min(h - 1, max(0, int(fr * h)))
        xs = np.nonzero(m[r])[0]
        if len(xs) == 0:
            return w * 0.3, w * 0.7
        return float(xs.min()), float(xs.max() + 1)

    sl, sr = row_extent(0.21)
    inset = 0.14 * (sr - sl)
    torso = rgb[int(0.24 * h):int(0.45 * h), int(0.3 * w):int(0.7 * w)]
    tm = m[int(0.24 * h):int(0.45 * h), int(0.3 * w):int(0.7 * w)]
    sleeve = np.median(torso[tm], axis=0) if tm.sum() > 5 else np.array([60, 60, 60])
    ll, lr = row_extent(0.93)
    tl, tr = row_extent(0.38)
    return _Person(rgba=np.dstack([rgb, alpha]).astype(np.uint8), frame=frame,
                   shoulder_l=((sl + inset) / w, 0.21), shoulder_r=((sr - inset) / w, 0.21),
                   sleeve=sleeve.astype(np.float32), legs=(lr - ll) / max(1.0, tr - tl))


def _grabcut(frame: npt.NDArray[np.uint8], masks: tuple[npt.NDArray[np.uint8], ...],
             blob: tuple[int, int, int, int], index: int) -> tuple[_Person, float, float] | None:
    """GrabCut seeded from the blob's mask, ANDed with a loose difference mask; None for a
    blob that is not one whole person. Returns (cut-out, feet row, height) in the source."""
    m, loose = masks
    src_h, src_w = frame.shape[:2]
    x, y, w, h = blob
    px, py = int(w * 0.6) + 4, int(h * 0.15) + 4
    x0, y0 = max(0, x - px), max(0, y - py)
    x1, y1 = min(src_w, x + w + px), min(src_h, y + h + py)
    roi = frame[y0:y1, x0:x1]
    fm = m[y0:y1, x0:x1]
    gm = np.full(roi.shape[:2], cv2.GC_BGD, np.uint8)
    gm[y - y0:y - y0 + h, x - x0:x - x0 + w] = cv2.GC_PR_BGD
    gm[fm > 0] = cv2.GC_PR_FGD
    gm[cv2.erode(fm, np.ones((5, 3), np.uint8)) > 0] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    try:
        # rect is unused with GC_INIT_WITH_MASK; the stubs do not allow None for it
        cv2.grabCut(roi, gm, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    except cv2.error:
        return None
    mm = (((gm == cv2.GC_FGD) | (gm == cv2.GC_PR_FGD)) & (loose[y0:y1, x0:x1] > 0)
          ).astype(np.uint8)
    mm = cv2.morphologyEx(mm, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    nn, lab, st, _ = cv2.connectedComponentsWithStats(mm)
    if nn < 2:
        return None
    mm = (lab == 1 + int(np.argmax(st[1:, 4]))).astype(np.uint8)
    ys, xs = np.nonzero(mm)
    a0, b0, a1, b1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    ch, cw = b1 - b0, a1 - a0
    if ch < 50 or ch / cw < 2.0 or ch / cw > 5.0 or mm.sum() < 0.3 * ch * cw:
        return None
    # a group walking side by side: the head band (top 18 %) is not one narrow run
    band = mm[b0:b0 + max(3, int(0.18 * ch)), a0:a1].max(0)
    runs = np.diff(np.concatenate([[0], band, [0]]).astype(np.int8))
    if (runs == 1).sum() > 1 or band.sum() > 0.75 * cw:
        return None
    rgb = cv2.cvtColor(roi[b0:b1, a0:a1], cv2.COLOR_BGR2RGB)
    alpha = mm[b0:b1, a0:a1] * 255
    return _person_of(np.asarray(rgb, np.uint8), alpha, index), float(y0 + b1), float(ch)


def _cutouts_in(frame: npt.NDArray[np.uint8], bg: npt.NDArray[np.uint8], index: int
                ) -> list[tuple[_Person, float, float]]:
    src_h, src_w = bg.shape[:2]
    d = cv2.GaussianBlur(cv2.absdiff(frame, bg).max(2), (3, 3), 0)
    m = (d > 28).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE,
                         cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 9)))
    loose = cv2.dilate((d > 14).astype(np.uint8), np.ones((3, 3), np.uint8))
    n, _, st, _ = cv2.connectedComponentsWithStats(m)
    out = []
    for k in range(1, n):
        x, y, w, h, a = (int(v) for v in st[k])
        if not (55 <= h <= 170 and 1.8 <= h / w <= 4.5 and 0.35 <= a / (w * h) <= 0.85):
            continue
        if x < 4 or y < 4 or x + w > src_w - 4 or y + h > src_h - 4:
            continue
        if any(x < ox1 and x + w > ox0 and y < oy1 and y + h > oy0
               for ox0, oy0, ox1, oy1 in _OCCLUDERS):
            continue
        cut = _grabcut(frame, (np.asarray(m, np.uint8), np.asarray(loose, np.uint8)),
                       (x, y, w, h), index)
        if cut is not None:
            out.append(cut)
    return out


def _extract_split(video: Path, split: str) -> list[_Person]:
    """Median background of the split's own frames, |frame - background| > 28, open/close,
    connected components of a person's size and shape, each refined by GrabCut."""
    span = FRAMES[split]
    sampled = [f for _, f in video_frames(video, span, 4)]
    if not sampled:
        raise AssetError(f"{video}: no frame readable in {span[0]}-{span[1]}")
    bg = np.median(np.stack(sampled), axis=0).astype(np.uint8)
    del sampled
    found = []
    for index, frame in video_frames(video, span, 3 if split == "train" else 2):
        found.extend(_cutouts_in(frame, bg, index))
    out = [p for p, _, _ in found]
    # People lower in the source are nearer, hence taller: fit that line robustly and drop
    # cut-outs much taller (two people, one behind the other) or shorter (partial) than it.
    if len(out) > 10:
        feet = np.array([f for _, f, _ in found])
        height = np.array([h for _, _, h in found])
        keep = np.ones(len(out), bool)
        for _ in range(3):
            a, b = np.polyfit(feet[keep], height[keep], 1)
            keep = np.abs(height / (a * feet + b) - 1) < 0.18
        out = [o for o, k in zip(out, keep, strict=True) if k]
    return out


def _save(people: dict[str, list[_Person]], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {}
    for split, cuts in people.items():
        arrays[f"{split}_shapes"] = np.array([p.rgba.shape[:2] for p in cuts],
                                             np.int32).reshape(-1, 2)
        arrays[f"{split}_pixels"] = (np.concatenate([p.rgba.reshape(-1) for p in cuts])
                                     if cuts else np.zeros(0, np.uint8))
        arrays[f"{split}_frames"] = np.array([p.frame for p in cuts], np.int64)
        arrays[f"{split}_shoulders"] = np.array([(*p.shoulder_l, *p.shoulder_r) for p in cuts],
                                                np.float64).reshape(-1, 4)
        arrays[f"{split}_sleeves"] = np.array([p.sleeve for p in cuts], np.float32).reshape(-1, 3)
        arrays[f"{split}_legs"] = np.array([p.legs for p in cuts], np.float64)
    tmp = target.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(target)  # atomic: a parallel worker sees the whole file or none


def _load(source: Path) -> dict[str, list[_Person]]:
    out: dict[str, list[_Person]] = {}
    with np.load(source) as data:
        for split in FRAMES:
            flat, at = data[f"{split}_pixels"], 0
            cuts = []
            for (h, w), frame, sh, sleeve, legs in zip(
                    data[f"{split}_shapes"], data[f"{split}_frames"], data[f"{split}_shoulders"],
                    data[f"{split}_sleeves"], data[f"{split}_legs"], strict=True):
                n = int(h) * int(w) * 4
                cuts.append(_Person(rgba=flat[at:at + n].reshape(int(h), int(w), 4),
                                    frame=int(frame), shoulder_l=(float(sh[0]), float(sh[1])),
                                    shoulder_r=(float(sh[2]), float(sh[3])), sleeve=sleeve,
                                    legs=float(legs)))
                at += n
            out[split] = cuts
    return out


@lru_cache(maxsize=1)
def _all_people(video: Path) -> dict[str, list[_Person]]:
    """Both splits' cut-outs, from the disk cache or extracted (then cached)."""
    def extract() -> dict[str, list[_Person]]:
        # GrabCut's k-means starts from OpenCV's global RNG: from a fixed state, the splits in
        # a fixed order, the cut-outs do not depend on what ran before in the process.
        cv2.setRNGSeed(0)
        return {split: _extract_split(video, split) for split in ("train", "heldout")}

    return disk_cached(people_npz(video, _PEOPLE_VERSION), extract, _load, _save)


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Texture:
    rgb: Image  # 256x256
    lum: npt.NDArray[np.float32]  # its luminance, standardised, clipped to +-3


@dataclass(frozen=True)
class _Assets:
    textures: tuple[_Texture, ...]
    photos: tuple[npt.NDArray[np.uint8], ...]
    people: tuple[_Person, ...]
    calm: tuple[int, ...]  # people standing with closed legs, preferred for "stand"


def _texture(im: npt.NDArray[np.uint8]) -> _Texture:
    im = cast(npt.NDArray[np.uint8], cv2.resize(im, (256, 256), interpolation=cv2.INTER_AREA))
    lum = cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lum = (lum - lum.mean()) / (lum.std() + 1e-3)
    return _Texture(rgb=im.astype(np.float32), lum=np.clip(lum, -3, 3))


def _photo(im: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    sc = 200.0 / max(im.shape[:2])
    size = (max(8, int(im.shape[1] * sc)), max(8, int(im.shape[0] * sc)))
    return np.asarray(cv2.resize(im, size, interpolation=cv2.INTER_AREA), np.uint8)


@lru_cache(maxsize=4)
def _load_assets(split: str, data_dir: Path) -> _Assets:
    """Keyed by the data directory too, so that another MILM_OPENCV_DATA is looked at."""
    people = tuple(_all_people(video_path())[split])
    if not people:
        raise AssetError(f"no {split} person cut out of vtest.avi frames {FRAMES[split]}")
    textures = tuple(_texture(load_source_image(s, data_dir)) for s in TEXTURES[split])
    return _Assets(textures=textures,
                   photos=tuple(_photo(load_source_image(s, data_dir)) for s in PHOTOS[split]),
                   people=people,
                   calm=tuple(i for i, p in enumerate(people) if p.legs < 1.15))


# ----------------------------------------------------------------------------- kinds
def _device_kind(dev: str, hint: str | None, zone: Box4) -> str:
    """What to draw: from the hint (or the id's words), else from the zone's place and shape."""
    _, y, w, h = zone
    s = (hint or dev.replace("_", " ")).lower()
    tall = h > 0.33 and y + h > 0.62
    if "fan" in s:
        return "fan"
    if "vacuum" in s or "robot" in s:
        return "vacuum"
    if "tv" in s.split() or "television" in s or "screen" in s:
        return "tv"
    if "speaker" in s or "stereo" in s or "sound" in s:
        return "speaker"
    if ("blind" in s or "shade" in s or "curtain" in s or ("cover" in s and "door" not in s)
            or "window" in s):
        return "blinds"
    if "garage" in s and "door" in s:
        return "garage_door"
    if "coffee" in s or "espresso" in s:
        return "coffee"
    if "kettle" in s:
        return "kettle"
    if "router" in s or "wifi" in s or "modem" in s:
        return "router"
    if "plug" in s or "socket" in s or "outlet" in s:
        return "plug"
    if "thermostat" in s or "climate" in s or "heat" in s:
        return "thermostat"
    if "lock" in s or "door" in s:
        return "door"
    if "ceiling" in s or "chandelier" in s:
        return "ceiling_light"
    if "lamp" in s or "light" in s:
        if y <= 0.01:
            return "ceiling_light"
        if "floor" in s or "standing" in s or tall:
            return "floor_lamp"
        if "desk" in s or "office" in s or "study" in s:
            return "desk_lamp"
        return "table_lamp"
    if y <= 0.01:
        return "ceiling_light"
    if tall:
        return "floor_lamp"
    if w > 0.18 and h < 0.35:
        return "tv"
    return "box"


_LIGHTS = frozenset({"ceiling_light", "floor_lamp", "table_lamp", "desk_lamp"})


# ----------------------------------------------------------------------------- drawing
def _colour(col: ColourLike, f: float = 1.0) -> Colour:
    return tuple(float(min(255.0, max(0.0, v * f))) for v in col)


def _random_colour(rng: np.random.Generator, lo: float = 40, hi: float = 220) -> Colour:
    return tuple(float(v) for v in rng.uniform(lo, hi, 3))


def _glow(glow: Image, centre: tuple[float, float], r: float, col: ColourLike,
          strength: float) -> None:
    """Adds a Gaussian halo of light (in units of full scale) to the glow layer."""
    cx, cy = centre
    ih, iw = glow.shape[:2]
    r = max(2.0, r)
    x0, x1 = int(max(0, cx - 3 * r)), int(min(iw, cx + 3 * r + 1))
    y0, y1 = int(max(0, cy - 3 * r)), int(min(ih, cy + 3 * r + 1))
    if x1 <= x0 or y1 <= y0:
        return
    xs = (np.arange(x0, x1, dtype=np.float32) - cx) ** 2
    ys = (np.arange(y0, y1, dtype=np.float32) - cy) ** 2
    g = np.exp(-(ys[:, None] + xs[None, :]) / (2 * r * r)) * strength
    glow[y0:y1, x0:x1] += g[..., None] * np.asarray(col, np.float32)[None, None, :] / 255.0


# Shapes are drawn anti-aliased at 1/16 px (shift=4): small devices keep their proportions.
def _poly(img: Image, pts: Sequence[tuple[float, float]], col: ColourLike) -> None:
    cv2.fillPoly(img, [np.round(np.asarray(pts, np.float32) * 16).astype(np.int32)],
                 _colour(col), cv2.LINE_AA, shift=4)


def _rect(img: Image, box: tuple[float, float, float, float], col: ColourLike,
          thick: int = -1) -> None:
    x0, y0, x1, y1 = box
    cv2.rectangle(img, (round(x0), round(y0)), (round(x1) - 1, round(y1) - 1), _colour(col),
                  thick)


def _line(img: Image, p: tuple[float, float], q: tuple[float, float], col: ColourLike,
          t: float) -> None:
    cv2.line(img, (round(p[0] * 16), round(p[1] * 16)), (round(q[0] * 16), round(q[1] * 16)),
             _colour(col), max(1, round(t)), cv2.LINE_AA, shift=4)


def _ell(img: Image, c: tuple[float, float], ax: tuple[float, float], col: ColourLike, *,
         angle: float = 0.0, arc: tuple[float, float] = (0, 360), thick: int = -1) -> None:
    cv2.ellipse(img, (round(c[0] * 16), round(c[1] * 16)),
                (max(1, round(ax[0] * 16)), max(1, round(ax[1] * 16))), angle, arc[0], arc[1],
                _colour(col), thick, cv2.LINE_AA, shift=4)


def _clipped(img: Image, box: tuple[float, float, float, float]
             ) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = (round(v) for v in box)
    ih, iw = img.shape[:2]
    return max(0, x0), max(0, y0), min(iw, x1), min(ih, y1)


def _vgrad(img: Image, box: tuple[float, float, float, float], top: ColourLike,
           bottom: ColourLike) -> None:
    x0, y0, x1, y1 = _clipped(img, box)
    if x1 <= x0 or y1 <= y0:
        return
    t = np.linspace(0, 1, y1 - y0, dtype=np.float32)[:, None, None]
    img[y0:y1, x0:x1] = (np.asarray(top, np.float32) * (1 - t)
                         + np.asarray(bottom, np.float32) * t)


def _paste_photo(img: Image, photo: npt.NDArray[np.uint8], box: tuple[float, float, float, float],
                 rng: np.random.Generator, *, gain: float = 1.0) -> None:
    """A random crop of the photo with the box's aspect ratio, resized into the box."""
    x0, y0, x1, y1 = (round(v) for v in box)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    ph, pw = photo.shape[:2]
    ar = (x1 - x0) / (y1 - y0)
    cw = min(pw, int(ph * ar))
    chh = min(ph, int(cw / ar))
    cw = max(2, cw)
    chh = max(2, chh)
    ox = int(rng.integers(0, max(1, pw - cw + 1)))
    oy = int(rng.integers(0, max(1, ph - chh + 1)))
    crop = cv2.resize(photo[oy:oy + chh, ox:ox + cw], (x1 - x0, y1 - y0),
                      interpolation=cv2.INTER_AREA)
    cx0, cy0, cx1, cy1 = _clipped(img, box)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    img[cy0:cy1, cx0:cx1] = crop[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0].astype(np.float32) * gain


def _texture_patch(rng: np.random.Generator, tex: _Texture, size: tuple[int, int],
                   base: ColourLike, *, mix: float, scale: float) -> Image:
    """A (h, w, 3) patch: paint colour modulated by the texture, mixed with the raw texture
    when mix > 0.5. size is (w, h); scale is the share of the texture's side cropped."""
    w, h = size
    t = tex.rgb if mix > 0.5 else None
    ts = int(np.clip(256 * scale, 24, 256))
    ox, oy = int(rng.integers(0, 257 - ts)), int(rng.integers(0, 257 - ts))
    lum = tex.lum[oy:oy + ts, ox:ox + ts]
    lum = cast(npt.NDArray[np.float32], cv2.resize(lum, (w, h), interpolation=cv2.INTER_LINEAR))
    k = rng.uniform(0.04, 0.16)
    patch = np.asarray(base, np.float32)[None, None, :] * (1.0 + k * lum[..., None])
    if t is not None:
        raw = cv2.resize(t[oy:oy + ts, ox:ox + ts], (w, h), interpolation=cv2.INTER_LINEAR)
        tint = np.asarray(base, np.float32) / max(1.0, float(np.mean(base)))
        a = (mix - 0.5) * 1.6
        patch = patch * (1 - a) + raw * tint[None, None, :] * a
    return np.asarray(patch, np.float32)


@dataclass(frozen=True)
class _Canvas:
    img: Image  # drawn in place
    glow: Image  # lamp light: scaled into img and added as a halo once everything is drawn
    photos: tuple[npt.NDArray[np.uint8], ...]
    ih: int
    iw: int


# ----------------------------------------------------------------------------- room
@dataclass
class _Room:
    """One-point perspective, in fractions of the frame: the horizon (camera eye level) at
    y=horizon with the vanishing point at x=vanish_x; the back wall meets the floor at
    y=floor between x=wall_x0 and wall_x1; beyond them the side walls' floor edges slope."""

    horizon: float
    vanish_x: float
    ratio: float  # person height / camera height
    floor: float
    wall_x0: float
    wall_x1: float
    slope_l: float
    slope_r: float


def _floor_y(room: _Room, x: float) -> float:
    """Image y (fraction) of the floor/wall boundary at image column x (fraction)."""
    if x < room.wall_x0:
        return room.floor + (room.wall_x0 - x) * room.slope_l
    if x > room.wall_x1:
        return room.floor + (x - room.wall_x1) * room.slope_r
    return room.floor


@dataclass
class _Piece:
    """A piece of furniture carrying devices, in fractions of the frame."""

    kind: str
    top: float
    x0: float
    x1: float
    base: float | None  # floor contact; None for a wall shelf
    devs: list[_Device]
    col: Colour | None = None


@dataclass
class _Device:
    id: str
    zone: Box4
    kind: str
    desc: str
    on: bool
    px: Box4  # x0, y0, x1, y1 in pixels
    support: str = ""  # ceiling, wall, floor or furniture
    contact: float | None = None  # y of the floor under it (its depth)
    piece: _Piece | None = None


def _floor_line_bounds(devs: list[_Device]) -> tuple[float, float]:
    """Where the back wall may meet the floor: below wall devices, above floor devices."""
    standing = [d for d in devs
                if (d.kind in ("floor_lamp", "door", "garage_door") and d.zone[3] > 0.25)
                or d.kind == "vacuum"]
    hanging = [d for d in devs if d.kind in ("blinds", "thermostat")]
    hi = min([*[d.zone[1] + d.zone[3] for d in standing], 0.82]) - 0.012
    if any(d.kind == "vacuum" for d in devs):
        hi = min(hi, min(d.zone[1] for d in devs if d.kind == "vacuum") + 0.01)
    lo = max([*[d.zone[1] + d.zone[3] for d in hanging], 0.5]) + 0.025
    doors = [d.zone[1] + d.zone[3] for d in devs
             if d.kind in ("door", "garage_door") and d.zone[3] > 0.25]
    if doors and max(lo, min(doors) - 0.025) < min(hi, min(doors) - 0.004):
        # a door stands on the floor line: keep the wall/floor boundary right at its bottom
        lo, hi = max(lo, min(doors) - 0.025), min(hi, min(doors) - 0.004)
    return lo, hi


def _room_fits(room: _Room, devs: list[_Device]) -> bool:
    for d in devs:
        x, y, w, h = d.zone
        if ((d.kind in ("floor_lamp", "door", "garage_door") and h > 0.25) or d.kind == "vacuum"
                ) and y + h < max(_floor_y(room, x), _floor_y(room, x + w)) + 0.006:
            return False
    for d in devs:
        x, y, w, h = d.zone
        if (d.kind in ("blinds", "thermostat")
                and y + h > min(_floor_y(room, x), _floor_y(room, x + w)) - 0.015):
            return False
    return True


def _sample_room(rng: np.random.Generator, devs: list[_Device]) -> _Room:
    """By rejection: floor devices stand on the floor, wall devices hang above it."""
    lo, hi = _floor_line_bounds(devs)
    room = None
    for _ in range(40):
        horizon = rng.uniform(-0.3, 0.15)
        vx = rng.uniform(0.3, 0.7)
        ratio = rng.uniform(0.55, 0.8)
        floor = rng.uniform(lo, hi) if lo < hi else hi
        wall_x0 = 0.0 if rng.random() < 0.3 else rng.uniform(0.04, max(0.05, vx - 0.18))
        wall_x1 = 1.0 if rng.random() < 0.3 else rng.uniform(min(0.95, vx + 0.18), 0.96)
        room = _Room(horizon=horizon, vanish_x=vx, ratio=ratio, floor=floor, wall_x0=wall_x0,
                     wall_x1=wall_x1, slope_l=(floor - horizon) / max(0.05, vx - wall_x0),
                     slope_r=(floor - horizon) / max(0.05, wall_x1 - vx))
        if _room_fits(room, devs):
            return room
    assert room is not None
    # no fit: a flat back wall across the frame
    room.wall_x0, room.wall_x1 = 0.0, 1.0
    room.floor = (lo + hi) / 2 if lo < hi else hi
    room.slope_l = room.slope_r = 1.0
    return room


def _person_h(room: _Room, fy: float) -> float:
    """A person's height (fraction of the frame) with the feet at y=fy: nearer is taller."""
    return float(np.clip(room.ratio * (fy - room.horizon), 0.35, 0.75))


def _floor_texture(rng: np.random.Generator, tex: _Texture) -> Image:
    """A 256x256 floor, before the perspective warp: paint and texture, planks or tiles."""
    fbase = np.array(rng.choice([[150, 110, 70], [120, 85, 55], [185, 160, 125], [110, 110, 115],
                                 [200, 195, 185], [90, 70, 55]])) * rng.uniform(0.85, 1.15, 3)
    fw, fh = 256, 256
    ftex = _texture_patch(rng, tex, (fw, fh), np.clip(fbase, 30, 240), mix=rng.uniform(0, 1.0),
                          scale=rng.uniform(0.4, 1.0))
    style = rng.integers(3)
    if style == 0:  # planks
        n = int(rng.integers(6, 14))
        for i in range(1, n):
            xx = int(i * fw / n)
            cv2.line(ftex, (xx, 0), (xx, fh), _colour(fbase, 0.6), 2)
            for _ in range(2):
                yy = int(rng.integers(0, fh))
                cv2.line(ftex, (xx - int(fw / n), yy), (xx, yy), _colour(fbase, 0.7), 1)
    elif style == 1:  # tiles
        n = int(rng.integers(4, 9))
        for i in range(1, n):
            q = int(i * fw / n)
            cv2.line(ftex, (q, 0), (q, fh), _colour(fbase, 0.75), 2)
            cv2.line(ftex, (0, q), (fw, q), _colour(fbase, 0.75), 2)
    return ftex


def _floor_layer(c: _Canvas, room: _Room, ftex: Image) -> Image:
    """The floor texture warped onto the floor plane (down to y=1.25, below the frame)."""
    ih, iw = c.ih, c.iw
    fw, fh = ftex.shape[1], ftex.shape[0]
    yb = 1.25

    def edge_x(xb: float) -> float:  # x at y=yb on the line from the vanishing point via xb
        return room.vanish_x + (xb - room.vanish_x) * (yb - room.horizon) / (
            room.floor - room.horizon)

    quad = np.array([[room.wall_x0 * iw, room.floor * ih], [room.wall_x1 * iw, room.floor * ih],
                     [edge_x(room.wall_x1) * iw, yb * ih], [edge_x(room.wall_x0) * iw, yb * ih]],
                    np.float32)
    mf = cv2.getPerspectiveTransform(np.array([[0, 0], [fw, 0], [fw, fh], [0, fh]], np.float32),
                                     quad)
    return np.asarray(cv2.warpPerspective(ftex, mf, (iw, ih), flags=cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_REPLICATE), np.float32)


def _side_walls(c: _Canvas, rng: np.random.Generator, room: _Room, tex: _Texture,
                wall_base: npt.NDArray[np.float64]) -> None:
    img, ih, iw = c.img, c.ih, c.iw
    yt = -0.6
    for side in (0, 1):
        xb = room.wall_x0 if side == 0 else room.wall_x1
        if (side == 0 and xb <= 0.001) or (side == 1 and xb >= 0.999):
            continue
        xe = -0.1 if side == 0 else 1.1
        t = (xe - room.vanish_x) / (xb - room.vanish_x)  # along vanishing point -> (xb, y)
        pts = np.array([[xb * iw, yt * ih], [xb * iw, room.floor * ih],
                        [xe * iw, (room.horizon + (room.floor - room.horizon) * t) * ih],
                        [xe * iw, (room.horizon + (yt - room.horizon) * t) * ih]], np.float32)
        sh = rng.uniform(0.7, 0.92) if side == 0 else rng.uniform(0.75, 1.05)
        patch = _texture_patch(rng, tex, (128, 128), wall_base * sh, mix=0.0,
                               scale=rng.uniform(0.3, 0.8))
        src = np.array([[128, 0], [128, 128], [0, 128], [0, 0]] if side == 0
                       else [[0, 0], [0, 128], [128, 128], [128, 0]], np.float32)
        sw = cv2.warpPerspective(patch, cv2.getPerspectiveTransform(src, pts), (iw, ih),
                                 flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        m = np.zeros((ih, iw), np.uint8)
        cv2.fillPoly(m, [np.round(pts).astype(np.int32)], 1)
        img[m > 0] = sw[m > 0]
        _line(img, (xb * iw, 0), (xb * iw, room.floor * ih), wall_base * sh * 0.8, 1)  # corner


def _draw_room(c: _Canvas, rng: np.random.Generator, room: _Room, textures: tuple[_Texture, ...]
               ) -> npt.NDArray[np.float64]:
    """Back wall, floor, side walls, skirting board; returns the wall's paint colour."""
    img, ih, iw = c.img, c.ih, c.iw
    wall_t = textures[int(rng.integers(len(textures)))]
    floor_t = textures[int(rng.integers(len(textures)))]
    paint = np.array(_random_colour(rng, 120, 235))
    if rng.random() < 0.3:  # a grey-ish paint
        paint = np.array([rng.uniform(150, 230)] * 3) * rng.uniform(0.9, 1.1, 3)
    wall_base: npt.NDArray[np.float64] = np.clip(paint, 60, 245)
    # the back wall covers everything first; side walls and floor are drawn over it
    img[:, :] = _texture_patch(rng, wall_t, (iw, ih), wall_base, mix=rng.uniform(0, 0.9),
                               scale=rng.uniform(0.3, 1.0))
    fl = _floor_layer(c, room, _floor_texture(rng, floor_t))
    _side_walls(c, rng, room, wall_t, wall_base)
    xs = (np.arange(iw, dtype=np.float32) + 0.5) / iw
    fy = np.array([_floor_y(room, x) for x in xs], np.float32) * ih
    mask = np.arange(ih, dtype=np.float32)[:, None] >= fy[None, :]
    img[mask] = fl[mask]
    sk = rng.uniform(0.01, 0.025) * ih
    skc = _colour(wall_base, rng.uniform(0.7, 1.1)) if rng.random() < 0.6 else (235.0, 235.0, 230.0)
    top = room.floor * ih
    _poly(img, [(0, fy[0] - sk), (iw * room.wall_x0, top - sk), (iw * room.wall_x1, top - sk),
                (iw, fy[-1] - sk), (iw, fy[-1]), (iw * room.wall_x1, top),
                (iw * room.wall_x0, top), (0, fy[0])], skc)
    return wall_base


# ----------------------------------------------------------------------------- devices
Warm = npt.NDArray[np.float64]


def _ceiling_light(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    style = int(rng.integers(3))
    shade = _random_colour(rng, 150, 240) if rng.random() < 0.6 else (60.0, 60.0, 65.0)
    if style == 0:  # pendant
        sy0 = y0 + 0.35 * h
        _line(img, (cx, 0), (cx, sy0), (40, 40, 40), max(1, w * 0.02))
        tw, bw = w * rng.uniform(0.15, 0.3), w * rng.uniform(0.55, 0.9)
        _poly(img, [(cx - tw / 2, sy0), (cx + tw / 2, sy0), (cx + bw / 2, y1 - 1),
                    (cx - bw / 2, y1 - 1)], shade)
        _ell(img, (cx, y1 - 1), (bw / 2, max(1.5, 0.08 * h)), warm if d.on else _colour(shade, 0.6))
        by = y1
    elif style == 1:  # dome
        _rect(img, (x0 + 0.3 * w, y0, x1 - 0.3 * w, y0 + 0.15 * h), (200, 200, 200))
        _ell(img, (cx, y0 + 0.15 * h), (w * 0.45, h * 0.75),
             (255, 250, 235) if d.on else (215, 215, 210), arc=(0, 180))
        _ell(img, (cx, y0 + 0.15 * h), (w * 0.45, h * 0.75), (150, 150, 150), arc=(0, 180),
             thick=1)
        by = y0 + 0.6 * h
    else:  # a bar with bulbs
        _line(img, (cx, 0), (cx, y0 + 0.4 * h), (50, 50, 50), max(1, w * 0.02))
        _line(img, (x0 + 0.1 * w, y0 + 0.45 * h), (x1 - 0.1 * w, y0 + 0.45 * h), (70, 60, 50),
              max(2, h * 0.1))
        nb = int(rng.integers(3, 6))
        for i in range(nb):
            bx = x0 + 0.1 * w + (0.8 * w) * i / max(1, nb - 1)
            _line(img, (bx, y0 + 0.45 * h), (bx, y0 + 0.7 * h), (50, 50, 50), 1)
            _ell(img, (bx, y0 + 0.8 * h), (max(1.5, w * 0.04), max(1.5, h * 0.12)),
                 (255, 245, 210) if d.on else (190, 190, 185))
            if d.on:
                _glow(glow, (bx, y0 + 0.8 * h), max(2, h * 0.25), warm, 0.7)
        by = y0 + 0.8 * h
    if d.on:
        _glow(glow, (cx, by), max(w, h) * 0.35, warm, 0.9)
        _glow(glow, (cx, by + h * 0.5), max(w, h) * 1.1, warm, 0.22)


def _fan(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img = c.img
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    hub_y = y0 + 0.5 * h
    _line(img, (cx, 0), (cx, hub_y), (90, 80, 70), max(2, w * 0.03))
    bcol = _colour(rng.choice([[110, 75, 45], [230, 230, 225], [60, 50, 40], [170, 130, 90]]))
    radius, ry = w * 0.48, max(2.0, h * 0.28)
    if d.on:  # the blades blur into a translucent disc
        disc = np.zeros_like(img)
        _ell(disc, (cx, hub_y + 0.05 * h), (radius, ry), bcol)
        m = np.zeros(img.shape[:2], np.float32)
        cv2.ellipse(m, (int(cx), int(hub_y + 0.05 * h)), (int(radius), int(ry)), 0, 0, 360, 1.0,
                    -1)
        m = cv2.GaussianBlur(m, (0, 0), max(1.0, ry * 0.5)) * 0.45
        bare = disc.sum(2, keepdims=True) == 0  # antialiased edges are partly drawn
        img[:] = (img * (1 - m[..., None]) + disc.clip(0, 255) * m[..., None]
                  + np.asarray(bcol, np.float32) * (m[..., None] * bare))
    else:
        nbl = int(rng.choice([3, 4, 5]))
        ph = rng.uniform(0, 2 * math.pi)
        for i in range(nbl):
            a = ph + 2 * math.pi * i / nbl
            dx, dy = math.cos(a), math.sin(a)
            tip = (cx + dx * radius, hub_y + dy * ry)
            nx, ny = -dy * 0.18, dx * 0.18
            _poly(img, [(cx + nx * radius * 0.3, hub_y + ny * ry * 0.3),
                        (tip[0] + nx * radius * 0.6, tip[1] + ny * ry * 0.6),
                        (tip[0] - nx * radius * 0.6, tip[1] - ny * ry * 0.6),
                        (cx - nx * radius * 0.3, hub_y - ny * ry * 0.3)], bcol)
    _ell(img, (cx, hub_y), (max(3, w * 0.09), max(2, h * 0.22)),
         (200, 195, 185) if rng.random() < .5 else (80, 70, 60))
    if rng.random() < 0.5:  # light kit
        _ell(img, (cx, hub_y + 0.2 * h), (max(2, w * 0.07), max(2, h * 0.2)), (245, 240, 225),
             arc=(0, 180))


def _floor_lamp(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    style = int(rng.integers(2))
    pole = _colour(rng.choice([[40, 40, 40], [180, 170, 150], [150, 120, 70], [200, 200, 205]]))
    shade = _colour(rng.choice([[235, 225, 200], [240, 240, 235], [200, 170, 130],
                                [120, 130, 140], [210, 200, 170]]))
    bw = min(w * 0.9, h * 0.18)
    _ell(img, (cx, y1 - h * 0.015), (bw / 2, max(1.5, h * 0.02)), _colour(pole, 0.8))
    sh_top = y0
    sh_bot = y0 + h * rng.uniform(0.18, 0.27)
    sw_b = w * rng.uniform(0.75, 0.98)
    sw_t = sw_b * (rng.uniform(0.55, 0.8) if style == 0 else 0.97)
    _line(img, (cx, sh_bot - 2), (cx, y1 - h * 0.02), pole, max(1.5, w * 0.05))
    pts = [(cx - sw_t / 2, sh_top), (cx + sw_t / 2, sh_top), (cx + sw_b / 2, sh_bot),
           (cx - sw_b / 2, sh_bot)]
    if d.on:
        _poly(img, pts, np.minimum(255, np.array(shade) * 0.3 + warm * 0.8))
        _ell(img, (cx, sh_bot), (sw_b / 2, max(1.5, h * 0.015)), (255, 250, 230))
        _glow(glow, (cx, (sh_top + sh_bot) / 2), w * 0.6, warm, 0.8)
        _glow(glow, (cx, sh_top - h * 0.1), w * 1.1, warm, 0.3)
        _glow(glow, (cx, sh_bot + h * 0.25), w * 1.4, warm, 0.22)
    else:
        _poly(img, pts, shade)
        _line(img, (cx - sw_b / 2 + 1, sh_bot - 1), (cx + sw_b / 2 - 1, sh_bot - 1),
              _colour(shade, 0.7), 1)


def _desk_lamp(c: _Canvas, d: _Device, warm: Warm, *, col: Colour, side: Any) -> None:
    """An articulated lamp: base, two arm segments, the head pointing down."""
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    bx = cx - side * w * 0.25
    _ell(img, (bx, y1 - h * 0.04), (w * 0.28, max(1.5, h * 0.04)), col)
    elb = (cx + side * w * 0.25, y0 + h * 0.45)
    top = (cx - side * w * 0.05, y0 + h * 0.12)
    t = max(1.5, w * 0.06)
    _line(img, (bx, y1 - h * 0.06), elb, col, t)
    _line(img, elb, top, col, t)
    hx = top[0] + side * w * 0.3
    _poly(img, [(top[0], top[1] - h * 0.05), (hx, top[1] + h * 0.02),
                (hx + side * w * 0.12, top[1] + h * 0.2),
                (top[0] - side * w * 0.1, top[1] + h * 0.12)], col)
    mouth = ((hx + top[0]) / 2 + side * w * 0.04, top[1] + h * 0.17)
    if d.on:
        _ell(img, mouth, (w * 0.2, max(1.5, h * 0.03)), (255, 250, 225), angle=-side * 30)
        _glow(glow, (mouth[0], mouth[1] + h * 0.05), w * 0.45, warm, 0.85)
        _glow(glow, (mouth[0], y1), w * 0.9, warm, 0.35)


def _table_lamp(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[40, 40, 45], [215, 215, 210], [170, 140, 90], [90, 120, 150],
                              [180, 60, 50]]))
    if d.kind == "desk_lamp" and rng.random() < 0.75:
        _desk_lamp(c, d, warm, col=col, side=rng.choice([-1, 1]))
        return
    shade = _colour(rng.choice([[240, 235, 215], [230, 210, 170], [200, 200, 200],
                                [150, 170, 160]]))
    sb = y0 + h * rng.uniform(0.42, 0.52)
    bw = w * rng.uniform(0.8, 1.0)
    tw = bw * rng.uniform(0.55, 0.8)
    # a vase-like base, a neck, the shade
    _ell(img, (cx, y1 - h * 0.22), (w * rng.uniform(0.18, 0.3), h * 0.2), col)
    _rect(img, (cx - w * 0.2, y1 - h * 0.05, cx + w * 0.2, y1), _colour(col, 0.8))
    _line(img, (cx, sb), (cx, y1 - h * 0.35), (120, 110, 90), max(1, w * 0.05))
    pts = [(cx - tw / 2, y0), (cx + tw / 2, y0), (cx + bw / 2, sb), (cx - bw / 2, sb)]
    if d.on:
        _poly(img, pts, np.minimum(255, np.array(shade) * 0.35 + warm * 0.8))
        _glow(glow, (cx, (y0 + sb) / 2), w * 0.6, warm, 0.85)
        _glow(glow, (cx, sb), w * 1.3, warm, 0.3)
    else:
        _poly(img, pts, shade)
        _line(img, (cx - bw / 2, sb), (cx + bw / 2, sb), _colour(shade, 0.75), 1)


def _tv(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    bez = max(1.5, min(w, h) * 0.04)
    _rect(img, (x0, y0, x1, y1), (18, 18, 20))
    sx0, sy0, sx1, sy1 = x0 + bez, y0 + bez, x1 - bez, y1 - bez * 1.6
    if d.on:
        ph = c.photos[int(rng.integers(len(c.photos)))]
        _paste_photo(img, ph, (sx0, sy0, sx1, sy1), rng, gain=rng.uniform(0.9, 1.15))
        _glow(glow, (cx, cy), max(w, h) * 0.55, (170, 190, 255), 0.25)
    else:
        _vgrad(img, (sx0, sy0, sx1, sy1), (40, 42, 48), (14, 14, 16))
        _poly(img, [(sx0 + (sx1 - sx0) * 0.25, sy0), (sx0 + (sx1 - sx0) * 0.45, sy0),
                    (sx0 + (sx1 - sx0) * 0.3, sy1), (sx0 + (sx1 - sx0) * 0.1, sy1)],
              (52, 54, 60))  # a reflection
        _ell(img, (x1 - bez * 3, y1 - bez * 0.8), (1.2, 1.2), (220, 30, 30))
    if d.support == "furniture":
        _rect(img, (cx - w * 0.15, y1 - 1, cx + w * 0.15, y1 + h * 0.04), (30, 30, 32))


def _speaker(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[25, 25, 28], [60, 40, 25], [110, 80, 50], [200, 200, 200],
                              [45, 45, 50]]))
    if h / max(1, w) < 1.3 and rng.random() < 0.6:  # a smart speaker: a cylinder
        _rect(img, (x0 + w * 0.15, y0 + h * 0.1, x1 - w * 0.15, y1), col)
        _ell(img, (cx, y0 + h * 0.1), (w * 0.35, max(1.5, h * 0.06)), _colour(col, 1.3))
        if d.on:
            _ell(img, (cx, y0 + h * 0.1), (w * 0.35, max(1.5, h * 0.06)), (80, 180, 255),
                 thick=2)
            _glow(glow, (cx, y0 + h * 0.1), w * 0.4, (80, 180, 255), 0.6)
        return
    _rect(img, (x0 + w * 0.05, y0, x1 - w * 0.05, y1), col)
    _rect(img, (x0 + w * 0.05, y0, x1 - w * 0.05, y1), _colour(col, 0.6), 1)
    if rng.random() < 0.5:  # a grille
        _rect(img, (x0 + w * 0.15, y0 + h * 0.05, x1 - w * 0.15, y1 - h * 0.05), (50, 50, 55))
    else:  # tweeter and woofer
        _ell(img, (cx, y0 + h * 0.2), (w * 0.15, w * 0.15), (15, 15, 15))
        _ell(img, (cx, y0 + h * 0.55), (w * 0.32, w * 0.32), (20, 20, 22))
        _ell(img, (cx, y0 + h * 0.55), (w * 0.12, w * 0.12), (70, 70, 75))
    lc = (40, 255, 120) if d.on else (50, 50, 50)
    _ell(img, (cx, y1 - h * 0.06), (1.2, 1.2), lc)
    if d.on:
        _glow(glow, (cx, y1 - h * 0.06), 2.5, lc, 0.8)


def _blinds(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    """A window with a photo behind it; on = blinds up."""
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    fr = _colour(rng.choice([[240, 240, 240], [130, 95, 60], [60, 60, 60], [210, 200, 180]]))
    _rect(img, (x0, y0, x1, y1), fr)
    m = max(2, int(min(w, h) * 0.06))
    ph = c.photos[int(rng.integers(len(c.photos)))]
    _paste_photo(img, ph, (x0 + m, y0 + m, x1 - m, y1 - m), rng, gain=rng.uniform(1.0, 1.3))
    _line(img, (cx, y0 + m), (cx, y1 - m), fr, max(1, m * 0.6))
    _rect(img, (x0 - m * 0.5, y1 - m * 0.5, x1 + m * 0.5, y1 + m * 0.5), _colour(fr, 0.95))
    slat = _colour(rng.choice([[235, 235, 230], [220, 205, 175], [170, 130, 90],
                               [150, 150, 155]]))
    level = rng.uniform(0.1, 0.35) if d.on else rng.uniform(0.93, 1.0)
    by = y0 + m + (h - 2 * m) * level
    _rect(img, (x0 + m * 0.5, y0, x1 - m * 0.5, by), slat)
    step = max(2.5, h * 0.035)
    yy = y0 + step
    while yy < by:
        _line(img, (x0 + m * 0.5, yy), (x1 - m * 0.5, yy), _colour(slat, 0.72), 1)
        yy += step
    _rect(img, (x0 + m * 0.5, by - 2, x1 - m * 0.5, by + 1), _colour(slat, 0.85))
    _line(img, (x1 - m * 1.5, y0), (x1 - m * 1.5, by + h * 0.15), (200, 200, 200), 1)  # cord
    if d.on:
        _glow(glow, (cx, (by + y1) / 2), max(w, h) * 0.5, (235, 240, 255), 0.3)


def _vacuum(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[30, 30, 32], [235, 235, 235], [120, 120, 125], [40, 40, 60]]))
    ry = max(2.0, h * 0.3)
    cyb = y1 - ry - h * 0.06
    _ell(img, (cx, y1 - ry * 0.9), (w * 0.49, ry), (20, 20, 20))
    _rect(img, (x0 + 0.01 * w, cyb, x1 - 0.01 * w, y1 - ry * 0.9), _colour(col, 0.75))
    _ell(img, (cx, cyb), (w * 0.49, ry), col)
    _ell(img, (cx, cyb - ry * 0.25), (w * 0.13, ry * 0.35),
         _colour(col, 0.7 if col[0] > 100 else 1.8))
    _ell(img, (cx + w * 0.18, cyb), (max(1.2, w * 0.04), max(1, ry * 0.2)),
         (60, 230, 120) if d.on else (90, 90, 90))
    if d.on:
        _glow(glow, (cx + w * 0.18, cyb), max(2, w * 0.08), (60, 255, 140), 0.7)


def _coffee(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[25, 25, 28], [190, 190, 195], [160, 30, 30], [235, 235, 230]]))
    _rect(img, (x0 + w * 0.05, y0, x1 - w * 0.05, y1), col)
    _rect(img, (x0 + w * 0.05, y0, x1 - w * 0.05, y1), _colour(col, 0.6), 1)
    _rect(img, (x0 + w * 0.18, y0 + h * 0.45, x1 - w * 0.18, y1 - h * 0.08), (20, 20, 20))  # bay
    _rect(img, (cx - w * 0.08, y0 + h * 0.45, cx + w * 0.08, y0 + h * 0.55), (120, 120, 120))
    _rect(img, (cx - w * 0.14, y1 - h * 0.28, cx + w * 0.14, y1 - h * 0.08), (235, 235, 230))  # cup
    _rect(img, (x0 + w * 0.1, y0 + h * 0.08, x1 - w * 0.1, y0 + h * 0.3),
          (70, 70, 80) if not d.on else (60, 120, 200))  # display
    lc = (50, 255, 90) if d.on else (60, 60, 60)
    _ell(img, (x1 - w * 0.2, y0 + h * 0.38), (1.3, 1.3), lc)
    if d.on:
        _glow(glow, (x1 - w * 0.2, y0 + h * 0.38), 2.5, lc, 0.8)
        _glow(glow, ((x0 + x1) / 2, y0 + h * 0.2), w * 0.3, (60, 120, 200), 0.25)
        for i in range(2):  # steam
            sx = cx + (i - 0.5) * w * 0.12
            _line(img, (sx, y1 - h * 0.3), (sx + w * 0.05, y1 - h * 0.45), (230, 230, 230), 1)


def _kettle(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[200, 200, 205], [30, 30, 30], [230, 230, 225], [170, 40, 40],
                              [80, 140, 190]]))
    _rect(img, (x0 + w * 0.05, y1 - h * 0.1, x1 - w * 0.05, y1), (40, 40, 40))  # base plate
    _poly(img, [(x0 + w * 0.28, y0 + h * 0.12), (x1 - w * 0.28, y0 + h * 0.12),
                (x1 - w * 0.12, y1 - h * 0.1), (x0 + w * 0.12, y1 - h * 0.1)], col)
    _ell(img, (cx, y0 + h * 0.12), (w * 0.22, max(1, h * 0.05)), _colour(col, 0.8))
    side = rng.choice([-1, 1])
    _ell(img, (cx + side * w * 0.38, y0 + h * 0.45), (w * 0.16, h * 0.28), _colour(col, 0.7),
         arc=(-90 if side > 0 else 90, 90 if side > 0 else 270),
         thick=max(1, int(w * 0.08)))  # handle
    _poly(img, [(cx - side * w * 0.25, y0 + h * 0.2), (cx - side * w * 0.48, y0 + h * 0.08),
                (cx - side * w * 0.3, y0 + h * 0.32)], col)  # spout
    _line(img, (cx, y0 + h * 0.3), (cx, y1 - h * 0.2), _colour(col, 1.25), 1)
    if d.on:
        _line(img, (x0 + w * 0.14, y1 - h * 0.12), (x1 - w * 0.14, y1 - h * 0.12), (90, 170, 255),
              2)
        _glow(glow, (cx, y1 - h * 0.12), w * 0.35, (80, 160, 255), 0.55)
        sx, sy = cx - side * w * 0.48, y0 + h * 0.08
        for i in range(3):
            _line(img, (sx, sy - i * h * 0.06), (sx + side * w * 0.06, sy - (i + 1) * h * 0.06),
                  (235, 235, 235), 1)


def _router(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    col = _colour(rng.choice([[25, 25, 28], [235, 235, 235], [50, 55, 65]]))
    by0 = y0 + h * 0.45
    for i in range(int(rng.integers(2, 5))):  # antennas
        ax = x0 + w * (0.12 + 0.76 * i / 3)
        _line(img, (ax, by0), (ax + rng.uniform(-0.05, 0.05) * w, y0 + 1), (20, 20, 20),
              max(1.2, w * 0.04))
    _rect(img, (x0, by0, x1, y1), col)
    _rect(img, (x0, by0, x1, y1), _colour(col, 0.6), 1)
    nl = int(rng.integers(3, 6))
    for i in range(nl):
        lx = x0 + w * (0.2 + 0.6 * i / max(1, nl - 1))
        lc = (50, 255, 90) if (d.on and rng.random() < 0.85) else (70, 70, 70)
        _ell(img, (lx, y1 - h * 0.18), (1.1, 1.1), lc)
        if d.on and lc[1] > 200:
            _glow(glow, (lx, y1 - h * 0.18), 2.0, lc, 0.6)


def _plug(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    if d.support == "floor":  # a power strip on the floor with the smart plug in it
        _rect(img, (x0 - w * 0.3, y1 - h * 0.35, x1 + w * 0.3, y1), (225, 225, 220))
        _rect(img, (x0 - w * 0.3, y1 - h * 0.35, x1 + w * 0.3, y1), (150, 150, 150), 1)
        _line(img, (x0 - w * 0.3, y1 - h * 0.15), (x0 - w * 1.5, y1 + h * 0.1), (30, 30, 30), 1.5)
        _rect(img, (x0 + w * 0.1, y0, x1 - w * 0.1, y1 - h * 0.3), (240, 240, 238))
        _rect(img, (x0 + w * 0.1, y0, x1 - w * 0.1, y1 - h * 0.3), (170, 170, 170), 1)
    else:  # in a wall socket
        _rect(img, (x0, y0, x1, y1), (235, 235, 230))
        _rect(img, (x0, y0, x1, y1), (160, 160, 160), 1)
        _rect(img, (x0 + w * 0.15, y0 + h * 0.12, x1 - w * 0.15, y1 - h * 0.12), (248, 248, 246))
        _rect(img, (x0 + w * 0.15, y0 + h * 0.12, x1 - w * 0.15, y1 - h * 0.12), (185, 185, 185),
              1)
        _line(img, (cx, y1 - h * 0.12), (cx + w * 0.2, y1 + h * 0.8), (30, 30, 30), 1.5)
    ly = y0 + h * 0.3
    lc = (60, 200, 255) if d.on else (120, 120, 120)
    _ell(img, (cx, ly), (max(1.2, w * 0.1), max(1.2, w * 0.1)), lc)
    if d.on:
        _glow(glow, (cx, ly), max(2, w * 0.2), lc, 0.7)


def _thermostat(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if rng.random() < 0.5:  # round
        r = min(w, h) * 0.48
        _ell(img, (cx, cy), (r, r), (190, 190, 195))
        _ell(img, (cx, cy), (r * 0.8, r * 0.8), (255, 140, 40) if d.on else (25, 25, 30))
    else:
        _rect(img, (x0, y0, x1, y1), (235, 235, 232))
        _rect(img, (x0 + w * 0.12, y0 + h * 0.15, x1 - w * 0.12, y1 - h * 0.3),
              (255, 150, 60) if d.on else (40, 45, 50))
    if d.on:
        cv2.putText(img, str(int(rng.integers(17, 24))), (int(cx - w * 0.22), int(cy + h * 0.08)),
                    cv2.FONT_HERSHEY_PLAIN, max(0.4, w / 60), (255, 255, 255), 1, cv2.LINE_AA)
        _glow(glow, (cx, cy), max(w, h) * 0.35, (255, 150, 60), 0.4)


def _door(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    """A door (or garage door) when the zone is door-sized, else a lock on a door's edge;
    a lock's light: red = locked (on), green = open."""
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    col = _colour(rng.choice([[120, 80, 50], [230, 230, 225], [60, 70, 90], [150, 110, 70]]))
    if h <= 0.25 * c.ih:
        _rect(img, (x0 - w * 0.3, y0 - h * 1.5, x0 + w * 0.1, y1 + h * 1.5), col)
        _rect(img, (x0, y0, x1, y1), (40, 40, 42))
        _rect(img, (x0 + w * 0.2, y0 + h * 0.15, x1 - w * 0.2, y0 + h * 0.5), (90, 90, 95))
        lc = (255, 40, 40) if d.on else (40, 255, 80)
        _ell(img, (cx, y1 - h * 0.2), (max(1.2, w * 0.08), max(1.2, w * 0.08)), lc)
        _glow(glow, (cx, y1 - h * 0.2), max(2.0, w * 0.15), lc, 0.6)
        return
    _rect(img, (x0, y0, x1, y1), col)
    _rect(img, (x0, y0, x1, y1), _colour(col, 0.6), 2)
    if d.kind == "garage_door":
        lvl = y0 + h * (rng.uniform(0.4, 0.8) if d.on else 0.0)
        _rect(img, (x0 + 2, y0 + 2, x1 - 2, lvl), (20, 20, 22))
        yy = lvl
        while yy < y1:
            _line(img, (x0, yy), (x1, yy), _colour(col, 0.7), 1)
            yy += h * 0.2
        return
    for a, b in ((0.1, 0.45), (0.55, 0.9)):
        _rect(img, (x0 + w * 0.15, y0 + h * a, x1 - w * 0.15, y0 + h * b), _colour(col, 0.82), 1)
    lx = x1 - w * 0.18
    _rect(img, (lx - w * 0.06, cy - h * 0.06, lx + w * 0.06, cy + h * 0.02), (40, 40, 40))
    _line(img, (lx, cy + h * 0.05), (lx - w * 0.12, cy + h * 0.05), (200, 200, 190), 2)
    lc = (255, 40, 40) if d.on else (40, 255, 80)
    _ell(img, (lx, cy - h * 0.04), (1.2, 1.2), lc)
    _glow(glow, (lx, cy - h * 0.04), 2.5, lc, 0.6)


def _box(c: _Canvas, rng: np.random.Generator, d: _Device, warm: Warm) -> None:
    """Any other gadget: a box with a status light."""
    img, glow = c.img, c.glow
    x0, y0, x1, y1 = d.px
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _colour(rng.choice([[30, 30, 30], [230, 230, 230], [90, 90, 100]]))
    _rect(img, (x0 + w * 0.1, y0 + h * 0.1, x1 - w * 0.1, y1), col)
    _rect(img, (x0 + w * 0.1, y0 + h * 0.1, x1 - w * 0.1, y1), _colour(col, 0.6), 1)
    lc = (60, 255, 120) if d.on else (80, 80, 80)
    _ell(img, (cx, y0 + h * 0.3), (1.5, 1.5), lc)
    if d.on:
        _glow(glow, (cx, y0 + h * 0.3), 3, lc, 0.7)


_DRAW: dict[str, Callable[[_Canvas, np.random.Generator, _Device, Warm], None]] = {
    "ceiling_light": _ceiling_light, "fan": _fan, "floor_lamp": _floor_lamp,
    "table_lamp": _table_lamp, "desk_lamp": _table_lamp, "tv": _tv, "speaker": _speaker,
    "blinds": _blinds, "vacuum": _vacuum, "coffee": _coffee, "kettle": _kettle,
    "router": _router, "plug": _plug, "thermostat": _thermostat, "door": _door,
    "garage_door": _door,
}


def _draw_device(c: _Canvas, rng: np.random.Generator, d: _Device) -> None:
    warm = np.array([255, rng.uniform(190, 235), rng.uniform(120, 190)])
    _DRAW.get(d.kind, _box)(c, rng, d, warm)


# ----------------------------------------------------------------------------- furniture
_ON_FURNITURE = {"table_lamp": "table", "desk_lamp": "desk", "coffee": "counter",
                 "kettle": "counter", "tv": "cabinet", "speaker": "stand", "router": "shelf",
                 "box": "table"}
_FURNITURE_H = {"table": 0.33, "desk": 0.43, "counter": 0.52, "cabinet": 0.3, "stand": 0.35,
                "shelf": 0.4}  # heights, in person heights


def _fixed_support(rng: np.random.Generator, d: _Device, room: _Room) -> bool:
    """Sets the support of a device on the ceiling, a wall or the floor; False if it needs
    furniture."""
    k = d.kind
    x, _, w, h = d.zone
    bot = d.zone[1] + h
    fyx = max(_floor_y(room, x), _floor_y(room, x + w))
    on_wall = _floor_y(room, x + w / 2) + 0.015  # a wall device's depth: the wall's foot
    if k in ("ceiling_light", "fan"):
        d.support, d.contact = "ceiling", None
    elif k in ("door", "garage_door") and h <= 0.25:
        d.support, d.contact = "wall", on_wall
    elif k in ("floor_lamp", "vacuum", "door", "garage_door"):
        d.support, d.contact = "floor", max(bot, fyx + 0.01)
    elif k in ("blinds", "thermostat"):
        d.support, d.contact = "wall", on_wall
    elif k == "plug":
        if bot <= fyx - 0.005:
            d.support, d.contact = "wall", on_wall
        else:
            d.support, d.contact = "floor", bot
    elif k == "tv" and rng.random() < 0.45 and bot < fyx - 0.05:
        d.support, d.contact = "wall", on_wall
    elif k == "speaker" and bot >= fyx + 0.01 and rng.random() < 0.7:
        d.support, d.contact = "floor", bot
    else:
        return False
    return True


def _new_piece(rng: np.random.Generator, d: _Device, room: _Room) -> _Piece:
    x, _, w, h = d.zone
    bot = d.zone[1] + h
    fyx = max(_floor_y(room, x), _floor_y(room, x + w))
    ftype = _ON_FURNITURE.get(d.kind, "table")
    if ftype == "shelf" and (bot > fyx - 0.08 or rng.random() < 0.4):
        ftype = "desk" if rng.random() < 0.5 else "cabinet"
    if ftype == "table" and "desk" in d.desc:
        ftype = "desk"
    # its height follows perspective: base - top = furniture height * person_height(base)
    fh = _FURNITURE_H[ftype] * rng.uniform(0.85, 1.15)
    rr = room.ratio * fh
    raw = (bot - rr * room.horizon) / (1 - rr)
    base = None if ftype == "shelf" else float(np.clip(raw, max(fyx + 0.02, bot + 0.05), 0.97))
    return _Piece(kind=ftype, top=bot, x0=x - rng.uniform(0.02, 0.08),
                  x1=x + w + rng.uniform(0.02, 0.08), base=base, devs=[d])


def _plan_supports(rng: np.random.Generator, devs: list[_Device], room: _Room) -> list[_Piece]:
    """Decides what carries each device; devices on one level side by side share a piece."""
    pieces: list[_Piece] = []
    for d in devs:
        if _fixed_support(rng, d, room):
            continue
        bot = d.zone[1] + d.zone[3]
        d.support = "furniture"
        piece = _new_piece(rng, d, room)
        for p in pieces:
            if (p.kind == piece.kind and abs(p.top - bot) < 0.02 and piece.x0 < p.x1 + 0.06
                    and piece.x1 > p.x0 - 0.06):
                p.x0, p.x1 = min(p.x0, piece.x0), max(p.x1, piece.x1)
                p.top = max(p.top, bot)
                if piece.base is not None and p.base is not None:
                    p.base = max(p.base, piece.base)
                p.devs.append(d)
                d.piece = p
                break
        else:
            pieces.append(piece)
            d.piece = piece
    for p in pieces:
        if p.kind == "counter":  # a kitchen counter runs on towards the left
            # (never past the frame's edge when the counter starts there already)
            p.x0 = min(p.x0, rng.uniform(-0.05, max(p.x0, -0.05)))
        for d in p.devs:
            d.contact = (p.base if p.base is not None
                         else _floor_y(room, d.zone[0] + d.zone[2] / 2) + 0.015)
    return pieces


def _draw_table(img: Image, rng: np.random.Generator, p: _Piece, box: Box4, *, wood: Colour,
                thick: float) -> None:
    """A desk or table (legs, maybe a drawer) or a speaker stand, below the top surface."""
    x0, top, x1, base = box
    if p.kind == "stand":
        cx = (x0 + x1) / 2
        _rect(img, (x0, top, x1, top + thick), _colour(wood, 0.85))
        _rect(img, (cx - max(1.5, (x1 - x0) * 0.08), top, cx + max(1.5, (x1 - x0) * 0.08), base),
              _colour(wood, 0.7))
        _rect(img, (x0 + (x1 - x0) * 0.1, base - thick, x1 - (x1 - x0) * 0.1, base),
              _colour(wood, 0.8))
        return
    _rect(img, (x0, top, x1, top + thick * 1.6), _colour(wood, 0.85))
    lw = max(2.0, (x1 - x0) * 0.05)
    for lx in (x0 + lw * 0.4, x1 - lw * 1.4):
        _rect(img, (lx, top + thick, lx + lw, base), _colour(wood, 0.7))
    if p.kind == "desk" or rng.random() < 0.5:
        dx1 = x0 + (x1 - x0) * rng.uniform(0.3, 0.45)
        dy1 = top + (base - top) * rng.uniform(0.35, 1.0)
        _rect(img, (x0 + lw * 0.4, top + thick, dx1, dy1), _colour(wood, 0.9))
        _rect(img, (x0 + lw * 0.4, top + thick, dx1, dy1), _colour(wood, 0.6), 1)
        _line(img, ((x0 + dx1) / 2 - 3, top + thick + 4), ((x0 + dx1) / 2 + 3, top + thick + 4),
              (60, 60, 60), 1)


def _draw_cabinet(img: Image, rng: np.random.Generator, p: _Piece, box: Box4, *, wood: Colour,
                  thick: float, dep: float) -> None:
    """A cabinet or counter: a front with doors/drawers and handles."""
    x0, top, x1, base = box
    _rect(img, (x0, top, x1, base), _colour(wood, 0.9))
    if p.kind == "counter":
        stone = _colour(rng.choice([[60, 60, 62], [220, 220, 215], [140, 130, 120]]))
        _poly(img, [(x0 + dep * 0.6, top - dep * 0.6), (x1 - dep * 0.6, top - dep * 0.6),
                    (x1, top), (x0, top)], stone)
        _rect(img, (x0, top, x1, top + thick), _colour(stone, 0.8))
    n = max(1, round((x1 - x0) / max(8.0, (base - top) * rng.uniform(0.6, 1.0))))
    for i in range(n):
        a = x0 + (x1 - x0) * i / n
        b = x0 + (x1 - x0) * (i + 1) / n
        _rect(img, (a + 1, top + thick + 1, b - 1, base - thick), _colour(wood, 0.6), 1)
        hx = b - 4 if i % 2 == 0 else a + 4
        _line(img, (hx, top + thick + 4), (hx, top + thick + 4 + max(2.0, (base - top) * 0.15)),
              (70, 70, 70), 1.5)
    _rect(img, (x0, base - thick, x1, base), _colour(wood, 0.45))


def _draw_furniture(c: _Canvas, rng: np.random.Generator, p: _Piece) -> None:
    img, ih, iw = c.img, c.ih, c.iw
    x0, x1 = p.x0 * iw, p.x1 * iw
    top = p.top * ih
    wood = _colour(rng.choice([[150, 105, 65], [110, 75, 45], [205, 185, 150], [235, 235, 230],
                               [70, 60, 55], [120, 130, 140]])) if p.col is None else p.col
    p.col = wood
    dep = max(2.0, (0.02 + 0.02 * rng.random()) * ih)
    if p.kind == "shelf":
        _rect(img, (x0, top, x1, top + max(2, 0.012 * ih)), wood)
        _rect(img, (x0, top + max(2, 0.012 * ih), x1, top + max(3, 0.018 * ih)),
              _colour(wood, 0.55))
        for bx in (x0 + (x1 - x0) * 0.15, x1 - (x1 - x0) * 0.15):  # brackets
            _poly(img, [(bx, top), (bx + 2, top), (bx + 2, top + 0.05 * ih)], _colour(wood, 0.6))
        return
    assert p.base is not None
    box = (x0, top, x1, p.base * ih)
    # the top surface, seen slightly from above, then the front
    _poly(img, [(x0 + dep * 0.6, top - dep * 0.6), (x1 - dep * 0.6, top - dep * 0.6), (x1, top),
                (x0, top)], _colour(wood, 1.12))
    thick = max(2.0, 0.015 * ih) if p.kind in ("desk", "table") else max(2.0, 0.012 * ih)
    if p.kind in ("desk", "table", "stand"):
        _draw_table(img, rng, p, box, wood=wood, thick=thick)
    else:
        _draw_cabinet(img, rng, p, box, wood=wood, thick=thick, dep=dep)


# ----------------------------------------------------------------------------- decor
def _is_free(b: Box4, occupied: list[Box4], margin: float) -> bool:
    return not any(b[0] < o[2] + margin and b[2] > o[0] - margin and b[1] < o[3] + margin
                   and b[3] > o[1] - margin for o in occupied)


def _place_wall_decor(rng: np.random.Generator, room: _Room, occupied: list[Box4], *,
                      size: tuple[int, int]) -> list[tuple[str, Box4]]:
    """Pictures (or a mirror) and maybe a shelf of books on the back wall, by rejection."""
    items = []
    for _ in range(int(rng.integers(1, 4))):
        for _t in range(6):
            w = rng.uniform(0.07, 0.2)
            h = w * size[1] / size[0] * rng.uniform(0.6, 1.3)
            x = rng.uniform(room.wall_x0 + 0.01, max(room.wall_x0 + 0.02, room.wall_x1 - w - 0.01))
            y = rng.uniform(0.04, max(0.05, room.floor - h - 0.2))
            b = (x, y, x + w, y + h)
            if _is_free(b, occupied, 0.02):
                occupied.append(b)
                items.append(("pic", b))
                break
    if rng.random() < 0.5:
        for _t in range(5):
            w = rng.uniform(0.12, 0.25)
            x = rng.uniform(room.wall_x0, max(room.wall_x0 + 0.01, room.wall_x1 - w))
            y = rng.uniform(0.1, max(0.11, room.floor - 0.25))
            b = (x, y - 0.07, x + w, y + 0.015)
            if _is_free(b, occupied, 0.02):
                occupied.append(b)
                items.append(("books", b))
                break
    return items


def _place_floor_decor(rng: np.random.Generator, room: _Room, occupied: list[Box4], *,
                       size: tuple[int, int]) -> list[tuple[str, Box4]]:
    """Sofa, plant, chair, bin: on the floor, sized by perspective, by rejection."""
    items = []
    for _ in range(int(rng.integers(0, 3))):
        for _t in range(8):
            kind = str(rng.choice(["sofa", "plant", "chair", "bin"], p=[0.35, 0.3, 0.2, 0.15]))
            base = rng.uniform(room.floor + 0.02, 0.99)
            ph = _person_h(room, base)
            # both random sizes are drawn whatever the kind: the stream of draws stays put
            hh = {"sofa": 0.5, "plant": rng.uniform(0.4, 0.8), "chair": 0.55,
                  "bin": 0.25}[kind] * ph
            ww = {"sofa": rng.uniform(1.1, 1.8), "plant": 0.35, "chair": 0.5,
                  "bin": 0.2}[kind] * ph * size[0] / size[1]
            x = rng.uniform(-0.05, 1.05 - ww)
            b = (x, base - hh, x + ww, base)
            if base < max(_floor_y(room, x), _floor_y(room, x + ww)) + 0.01:
                continue
            if _is_free(b, occupied, 0.01):
                occupied.append(b)
                items.append((kind, b))
                break
    return items


def _draw_rug(c: _Canvas, rng: np.random.Generator, room: _Room) -> None:
    """Flat on the floor, under anything: drawn at once."""
    yb0 = rng.uniform(room.floor + 0.03, max(room.floor + 0.04, 0.85))
    yb1 = min(1.05, yb0 + rng.uniform(0.1, 0.25))
    xa, xb = rng.uniform(0.1, 0.45), rng.uniform(0.55, 0.9)

    def ex(xx: float, yy: float) -> float:
        return room.vanish_x + (xx - room.vanish_x) * (yy - room.horizon) / (yb0 - room.horizon)

    rc = _random_colour(rng, 60, 200)
    ih, iw = c.ih, c.iw
    pts = [(xa * iw, yb0 * ih), (xb * iw, yb0 * ih), (ex(xb, yb1) * iw, yb1 * ih),
           (ex(xa, yb1) * iw, yb1 * ih)]
    _poly(c.img, pts, rc)
    cv2.polylines(c.img, [np.round(np.asarray(pts)).astype(np.int32)], True, _colour(rc, 0.7), 2,
                  cv2.LINE_AA)


def _draw_picture(c: _Canvas, rng: np.random.Generator, box: Box4,
                  wall_base: npt.NDArray[np.float64]) -> None:
    x0, y0, x1, y1 = box
    fc = _colour(rng.choice([[30, 30, 30], [120, 80, 40], [230, 230, 230], [190, 160, 90]]))
    _rect(c.img, box, fc)
    m = max(1.5, (x1 - x0) * rng.uniform(0.04, 0.15))
    if rng.random() < 0.8:
        ph = c.photos[int(rng.integers(len(c.photos)))]
        _paste_photo(c.img, ph, (x0 + m, y0 + m, x1 - m, y1 - m), rng,
                     gain=rng.uniform(0.75, 1.0))
    else:  # a mirror
        _vgrad(c.img, (x0 + m, y0 + m, x1 - m, y1 - m), _colour(wall_base, 1.1),
               _colour(wall_base, 0.8))


def _draw_seat(c: _Canvas, rng: np.random.Generator, kind: str, box: Box4) -> None:
    img = c.img
    x0, y0, x1, y1 = box
    col = _random_colour(rng, 40, 200)
    hh = y1 - y0
    if kind == "sofa":
        _rect(img, (x0, y0, x1, y0 + hh * 0.55), _colour(col, 0.85))  # back
        _rect(img, (x0, y0 + hh * 0.45, x1, y1 - hh * 0.12), col)  # seat
        _rect(img, (x0, y0 + hh * 0.3, x0 + (x1 - x0) * 0.09, y1 - hh * 0.1), _colour(col, 0.75))
        _rect(img, (x1 - (x1 - x0) * 0.09, y0 + hh * 0.3, x1, y1 - hh * 0.1), _colour(col, 0.75))
        _line(img, ((x0 + x1) / 2, y0 + hh * 0.47), ((x0 + x1) / 2, y1 - hh * 0.14),
              _colour(col, 0.7), 1)
        for fx in (x0 + 3, x1 - 5):
            _rect(img, (fx, y1 - hh * 0.12, fx + 2, y1), (40, 30, 25))
        return
    _rect(img, (x0 + (x1 - x0) * 0.1, y0, x1 - (x1 - x0) * 0.1, y0 + hh * 0.55), _colour(col, 0.85))
    _rect(img, (x0, y0 + hh * 0.45, x1, y0 + hh * 0.7), col)
    for fx in (x0 + 1, x1 - 3):
        _rect(img, (fx, y0 + hh * 0.7, fx + 2, y1), (50, 40, 30))


def _draw_decor_item(c: _Canvas, rng: np.random.Generator, kind: str, box: Box4,
                     wall_base: npt.NDArray[np.float64]) -> None:
    img = c.img
    x0, y0, x1, y1 = box[0] * c.iw, box[1] * c.ih, box[2] * c.iw, box[3] * c.ih
    if kind == "pic":
        _draw_picture(c, rng, (x0, y0, x1, y1), wall_base)
    elif kind == "books":
        sc = _colour(rng.choice([[120, 80, 45], [235, 235, 230], [40, 40, 40]]))
        _rect(img, (x0, y1 - 3, x1, y1), sc)
        xx = x0 + 2
        while xx < x1 - 3:
            bw = rng.uniform(2, 5)
            bh = (y1 - 3 - y0) * rng.uniform(0.55, 1.0)
            _rect(img, (xx, y1 - 3 - bh, xx + bw, y1 - 3), _random_colour(rng, 30, 220))
            xx += bw + rng.uniform(0, 1.5)
    elif kind in ("sofa", "chair"):
        _draw_seat(c, rng, kind, (x0, y0, x1, y1))
    elif kind == "plant":
        pc = _colour(rng.choice([[180, 90, 60], [230, 230, 225], [60, 60, 60]]))
        hh = y1 - y0
        _poly(img, [(x0 + (x1 - x0) * 0.2, y1 - hh * 0.3), (x1 - (x1 - x0) * 0.2, y1 - hh * 0.3),
                    (x1 - (x1 - x0) * 0.3, y1), (x0 + (x1 - x0) * 0.3, y1)], pc)
        cx = (x0 + x1) / 2
        for _ in range(int(rng.integers(6, 12))):
            a = rng.uniform(-2.6, -0.5)
            length = hh * rng.uniform(0.4, 0.75)
            g = (rng.uniform(20, 70), rng.uniform(80, 150), rng.uniform(20, 60))
            tip = (cx + math.cos(a) * length * 0.6, y1 - hh * 0.3 + math.sin(a) * length)
            _line(img, (cx, y1 - hh * 0.3), tip, g, max(1.5, (x1 - x0) * 0.1))
    elif kind == "bin":
        col = _random_colour(rng, 40, 200)
        _poly(img, [(x0, y0), (x1, y0), (x1 - (x1 - x0) * 0.12, y1), (x0 + (x1 - x0) * 0.12, y1)],
              col)
        _ell(img, ((x0 + x1) / 2, y0), ((x1 - x0) / 2, max(1, (y1 - y0) * 0.08)),
             _colour(col, 0.5))


def _plan_decor(c: _Canvas, rng: np.random.Generator, room: _Room, occupied: list[Box4], *,
                wall_base: npt.NDArray[np.float64]) -> list[Layer]:
    """Places the decor away from what is in `occupied` (which it extends), draws a rug,
    and returns the rest as layers to draw in depth order."""
    items = _place_wall_decor(rng, room, occupied, size=(c.ih, c.iw))
    items += _place_floor_decor(rng, room, occupied, size=(c.ih, c.iw))
    if rng.random() < 0.5:
        _draw_rug(c, rng, room)
    layers: list[Layer] = []
    for kind, box in items:
        depth = -1.0 if kind in ("pic", "books") else box[3]
        layers.append((depth, partial(_draw_decor_item, c, rng, kind, box, wall_base)))
    return layers


# ----------------------------------------------------------------------------- people
def _scaled_person(p: _Person, hpx: float) -> npt.NDArray[np.uint8]:
    h0, w0 = p.rgba.shape[:2]
    hpx = max(8, round(hpx))
    wpx = max(3, round(w0 * hpx / h0))
    return np.asarray(cv2.resize(p.rgba, (wpx, hpx),
                                 interpolation=cv2.INTER_LINEAR if hpx > h0 else cv2.INTER_AREA),
                      np.uint8)


def _cast_shadows(img: Image, alpha: Image, rng: np.random.Generator, pos: tuple[float, float],
                  shadow_dir: float) -> None:
    """A squashed, sheared, flipped silhouette on the floor and a contact ellipse."""
    ih, iw = img.shape[:2]
    ph, pw = alpha.shape[:2]
    left, top = pos
    fy = top + ph
    cx = left + pw / 2
    sh = np.zeros((ih, iw), np.float32)
    sil_h = max(2, int(ph * 0.22))
    sil = cv2.resize(alpha[::-1], (pw, sil_h), interpolation=cv2.INTER_AREA)
    shear = shadow_dir * pw * 1.2 / sil_h
    back = 0 if shadow_dir >= 0 else abs(shadow_dir) * pw * 1.2  # room for a shadow to the left
    wd = pw + int(abs(shadow_dir) * pw * 1.3) + 4
    sil = cv2.warpAffine(sil, np.array([[1, shear, 2 + back], [0, 1, 0]], np.float32),
                         (wd, sil_h))
    ox = round(left - 2 - back)
    oy = round(fy - 2)
    y0, y1 = max(0, oy), min(ih, oy + sil_h)
    x0, x1 = max(0, ox), min(iw, ox + wd)
    if y1 > y0 and x1 > x0:
        sh[y0:y1, x0:x1] = np.maximum(sh[y0:y1, x0:x1], sil[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
                                      * rng.uniform(0.15, 0.35))
    cv2.ellipse(sh, (int(cx), int(fy - 1)), (max(2, int(pw * 0.55)), max(1, int(ph * 0.025))),
                0, 0, 360, 0.55, -1)
    sh = cast(Image, cv2.GaussianBlur(sh, (0, 0), max(1.0, ph * 0.015)))
    img *= (1.0 - sh[..., None])


def _composite_person(img: Image, rgba: npt.NDArray[np.uint8], rng: np.random.Generator, *,
                      pos: tuple[float, float], shade: Image, shadow_dir: float) -> None:
    """Shadows, then the cut-out (its top left at pos) tinted by shade to match the room."""
    ih, iw = img.shape[:2]
    ph, pw = rgba.shape[:2]
    alpha = rgba[..., 3].astype(np.float32) / 255.0
    alpha = cast(Image, cv2.GaussianBlur(alpha, (3, 3), 0.7))
    _cast_shadows(img, alpha, rng, pos, shadow_dir)
    left, top = round(pos[0]), round(pos[1])
    a0, b0 = max(0, left), max(0, top)
    a1, b1 = min(iw, left + pw), min(ih, top + ph)
    if a1 <= a0 or b1 <= b0:
        return
    al = alpha[b0 - top:b1 - top, a0 - left:a1 - left, None]
    col = rgba[b0 - top:b1 - top, a0 - left:a1 - left, :3].astype(np.float32) * shade
    img[b0:b1, a0:a1] = img[b0:b1, a0:a1] * (1 - al) + col * al


_SKIN = [(235, 195, 165), (220, 170, 135), (190, 140, 100), (150, 100, 70), (105, 70, 50),
         (240, 205, 180)]


def _arm_joints(shoulder: tuple[float, float], aim: tuple[float, float], hpx: float,
                box: Box4) -> tuple[tuple[float, float], tuple[float, float]]:
    """Two-link IK from the shoulder towards aim: (elbow, wrist). The elbow bends down; when
    the box is within reach the arm shortens so that the hand stops outside it."""
    upper, fore, hand = 0.19 * hpx, 0.16 * hpx, 0.075 * hpx
    dx, dy = aim[0] - shoulder[0], aim[1] - shoulder[1]
    dist = math.hypot(dx, dy) + 1e-6
    ux, uy = dx / dist, dy / dist
    bx0, by0, bx1, by1 = box
    tin = dist  # distance along the ray to the box's edge
    for s in np.linspace(0, dist, 40):
        px, py = shoulder[0] + ux * s, shoulder[1] + uy * s
        if bx0 <= px <= bx1 and by0 <= py <= by1:
            tin = s
            break
    reach = min(upper + fore - 0.5, max(0.62 * (upper + fore), tin - hand - 0.02 * hpx))
    reach = max(reach, abs(upper - fore) + 1)
    a = math.acos(max(-1.0, min(1.0, (upper * upper + reach * reach - fore * fore)
                                / (2 * upper * reach))))
    c, s_ = math.cos(a), math.sin(a)
    e1 = (shoulder[0] + upper * (ux * c - uy * s_), shoulder[1] + upper * (ux * s_ + uy * c))
    e2 = (shoulder[0] + upper * (ux * c + uy * s_), shoulder[1] + upper * (-ux * s_ + uy * c))
    return (e1 if e1[1] >= e2[1] else e2), (shoulder[0] + ux * reach, shoulder[1] + uy * reach)


def _draw_arm(img: Image, shoulder: tuple[float, float], aim: tuple[float, float], *,
              hpx: float, sleeve: Colour, skin: Colour, box: Box4) -> None:
    """Sleeve-coloured upper arm and forearm (outline, fill, highlight, cuff), then a fist
    with the index finger out towards aim, and a thumb."""
    elbow, wrist = _arm_joints(shoulder, aim, hpx, box)
    dx, dy = aim[0] - shoulder[0], aim[1] - shoulder[1]
    dist = math.hypot(dx, dy) + 1e-6
    ux, uy = dx / dist, dy / dist
    hand = 0.075 * hpx
    tu, tf = max(2.0, 0.06 * hpx), max(2.0, 0.05 * hpx)
    dark = _colour(sleeve, 0.55)
    _line(img, shoulder, elbow, dark, tu + 2)
    _line(img, elbow, wrist, dark, tf + 2)
    _ell(img, shoulder, ((tu + 2) / 2, (tu + 2) / 2), dark)
    _line(img, shoulder, elbow, sleeve, tu)
    _line(img, elbow, wrist, sleeve, tf)
    _ell(img, shoulder, (tu / 2, tu / 2), sleeve)
    _ell(img, elbow, (tu / 2 * 0.95, tu / 2 * 0.95), sleeve)
    nx, ny = -uy, ux
    if tu >= 4:
        o = tu * 0.22
        _line(img, (shoulder[0] - nx * o, shoulder[1] - ny * o),
              (elbow[0] - nx * o, elbow[1] - ny * o), _colour(np.asarray(sleeve) * 1.25 + 15),
              max(1, tu * 0.2))
    _line(img, (wrist[0] - ux * tf * 0.35, wrist[1] - uy * tf * 0.35), wrist, _colour(sleeve, 0.75),
          tf + 0.5)
    fist = (wrist[0] + ux * hand * 0.35, wrist[1] + uy * hand * 0.35)
    ang = math.degrees(math.atan2(uy, ux))
    fr = max(1.6, 0.03 * hpx)
    _ell(img, fist, (fr * 1.25, fr), _colour(skin, 0.6), angle=ang)
    _ell(img, fist, (fr * 1.1, fr * 0.85), skin, angle=ang)
    tip = (wrist[0] + ux * hand, wrist[1] + uy * hand)
    _line(img, fist, tip, _colour(skin, 0.7), max(1.5, 0.016 * hpx) + 1)
    _line(img, fist, tip, skin, max(1.2, 0.016 * hpx))
    thumb = (fist[0] + nx * fr * 0.8 + ux * fr * 0.5, fist[1] + ny * fr * 0.8 + uy * fr * 0.5)
    _line(img, fist, thumb, _colour(skin, 0.85), max(1.0, 0.012 * hpx))


# ----------------------------------------------------------------------------- placement
@dataclass(frozen=True)
class _Plan:
    """Where a person stands (fractions of the frame): the cut-out's centre x, feet y, height."""

    x: float
    y: float
    height: float


@dataclass(frozen=True)
class _Body:
    """The chosen cut-out's proportions, flip applied."""

    torso_c: float  # torso centre, fraction of the cut-out's width
    torso_w: float
    aspect: float  # width / height of the cut-out
    ih: int  # the frame's size in pixels
    iw: int

    def width(self, hf: float) -> float:
        """Body width (frame-width fraction) for a height hf (frame-height fraction)."""
        return hf * self.aspect * self.ih / self.iw


def _plan_nobody_near(rng: np.random.Generator, devs: list[_Device], room: _Room, body: _Body
                      ) -> _Plan | None:
    """A person at least ~0.8 body widths from every zone (and not under a ceiling device)."""
    for _ in range(40):
        fy = rng.uniform(max(room.floor + 0.03, 0.55), 0.99)
        hf = _person_h(room, fy)
        fx = rng.uniform(0.05, 0.95)
        if fy < _floor_y(room, fx) + 0.02:
            continue
        b = body.width(hf)
        box = (fx - b / 2 - b * 0.8, fy - hf, fx + b / 2 + b * 0.8, fy)
        ok = True
        for d in devs:
            x, y, w, h = d.zone
            if d.support == "ceiling":
                if box[0] < x + w and box[2] > x:
                    ok = False
            elif box[0] < x + w and box[2] > x and box[1] < y + h + 0.05 and box[3] > y:
                ok = False
        if ok:
            return _Plan(fx - (body.torso_c - 0.5) * b, fy, hf)
    return None


def _hides_others(tdev: _Device, devs: list[_Device], span: tuple[float, float, float, float],
                  hf: float) -> bool:
    """True if a person over span (x0, x1, top, feet), hf tall, covers much of another
    device, or stands behind a device (or its furniture) that would hide them."""
    px0, px1, py0, fy = span
    for od in devs:
        if od is tdev:
            continue
        ox, oy, ow, oh = od.zone
        jx = max(0.0, min(px1, ox + ow) - max(px0, ox))
        jy = max(0.0, min(fy, oy + oh) - max(py0, oy))
        if jx * jy > 0.3 * ow * oh:
            return True
        pc = od.piece
        if od.support == "furniture" and pc is not None and pc.base is not None:
            ox, ow, oh = pc.x0, pc.x1 - pc.x0, pc.base - oy
            jx = max(0.0, min(px1, ox + ow) - max(px0, ox))
            jy = max(0.0, min(fy, oy + oh) - max(py0, oy))
        if (od.contact is not None and od.contact > fy + 0.005 and od.support != "wall"
                and jx * jy > 0.25 * (px1 - px0) * hf):
            return True
    return False


def _candidate(rng: np.random.Generator, pose: str, tdev: _Device, room: _Room, body: _Body
               ) -> tuple[float, float, float] | None:
    """A torso x, feet y and height near the target: under or beside a ceiling device, else
    at the device's floor contact, beside its zone."""
    x, y, w, h = tdev.zone
    zc = x + w / 2
    if tdev.support == "ceiling":
        fy = rng.uniform(max(room.floor + 0.04, 0.6), 0.99)
        hf = _person_h(room, fy)
        if fy - hf < y + h + 0.02:  # keep the head below the zone
            hf = fy - (y + h + 0.02)
            if hf < 0.35:
                return None
        b = body.width(hf)
        if pose == "stand":
            fx = zc + rng.uniform(-0.3, 0.3) * max(w, b)
        else:
            side = rng.choice([-1, 1])
            fx = zc + side * (w / 2 + b * rng.uniform(0.3, 2.2))
        return fx, fy, hf
    assert tdev.contact is not None
    fy = tdev.contact + (rng.uniform(0.0, 0.035) if pose == "stand" else rng.uniform(-0.01, 0.08))
    fy = min(fy, 0.995)
    hf = _person_h(room, fy)
    core = body.torso_w * body.width(hf)  # the torso: the cut-out's box includes walking legs
    side = rng.choice([-1, 1])
    gap = core * (rng.uniform(-0.15, 0.2) if pose == "stand" else rng.uniform(0.1, 2.0))
    fx = (x + w + gap + core / 2) if side > 0 else (x - gap - core / 2)
    return fx, fy, hf


def _acceptable(pose: str, tdev: _Device, devs: list[_Device], guess: tuple[float, float, float],
                *, b: float, body: _Body, attempt: int) -> bool:
    """guess: torso x, feet y, height; b: the body width (of the height before any move
    onto the floor)."""
    x, y, w, h = tdev.zone
    zc = x + w / 2
    fx, fy, hf = guess
    tw = body.torso_w
    # must not cover most of the target
    px0, px1, py0 = fx - tw * b * 0.55, fx + tw * b * 0.55, fy - hf
    ix = max(0.0, min(px1, x + w) - max(px0, x))
    iy = max(0.0, min(fy, y + h) - max(py0, y))
    if ix * iy > 0.3 * w * h:
        return False
    if pose == "point" and attempt < 40:
        # keep a downward pointing arm clear of the body: not steeper than ~60 degrees
        sx = fx + (0.3 * b if zc > fx else -0.3 * b)
        sy = fy - 0.79 * hf
        ddx, ddy = (zc - sx) * body.iw, (y + h / 2 - sy) * body.ih
        if ddy > 0 and ddy > (1.7 if attempt < 20 else 2.6) * abs(ddx):
            return False
    if attempt < 55 and _hides_others(tdev, devs, (px0, px1, py0, fy), hf):
        return False
    # stand: within touching distance
    return not (pose == "stand" and tdev.support != "ceiling"
                and max(x - (fx + tw * b * 0.5), (fx - tw * b * 0.5) - (x + w)) > tw * b * 0.25)


def _plan_near(rng: np.random.Generator, pose: str, tdev: _Device, devs: list[_Device], *,
               room: _Room, body: _Body) -> _Plan:
    """Placed by the torso (measured from the mask), not the cut-out's box; relaxing the
    pointing-angle and not-hiding-others rules after 40 and 55 attempts."""
    x, y, w, h = tdev.zone
    for attempt in range(70):
        guess = _candidate(rng, pose, tdev, room, body)
        if guess is None:
            continue
        fx, fy, hf = guess
        b = body.width(hf)
        if not (b * 0.3 <= fx <= 1 - b * 0.3):
            continue
        if fy < _floor_y(room, fx) + 0.005:
            fy = min(0.995, _floor_y(room, fx) + 0.01)
            hf = _person_h(room, fy)
            if tdev.support == "ceiling":
                hf = min(hf, fy - (y + h + 0.02))
                if hf < 0.33:
                    continue
        if _acceptable(pose, tdev, devs, (fx, fy, hf), b=b, body=body, attempt=attempt):
            return _Plan(fx - (body.torso_c - 0.5) * b, fy, hf)
    # none fits: right next to the target, on the side with more room
    fy = min(0.99, (tdev.contact or 0.8) + 0.01)
    hf = _person_h(room, fy)
    b = body.width(hf)
    fx = x + w + body.torso_w * b * 0.5 if (x + w / 2) < 0.5 else x - body.torso_w * b * 0.5
    fx -= (body.torso_c - 0.5) * b
    return _Plan(float(np.clip(fx, b * 0.3, 1 - b * 0.3)), fy, hf)


# ----------------------------------------------------------------------------- frame
@dataclass(frozen=True)
class _Actor:
    person: _Person
    flip: bool
    plan: _Plan


def _devices(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
             kinds: Mapping[str, str] | None, states: Mapping[str, bool] | None, *,
             size: tuple[int, int]) -> list[_Device]:
    ih, iw = size
    devs = []
    for dev, zone in zones.items():
        z = (float(zone[0]), float(zone[1]), float(zone[2]), float(zone[3]))
        hint = (kinds or {}).get(dev)
        desc = hint or dev.replace("_", " ")
        x, y, w, h = z
        on = bool(states[dev]) if states is not None and dev in states else bool(rng.random() < 0.5)
        devs.append(_Device(id=dev, zone=z, kind=_device_kind(dev, hint, z), desc=desc.lower(),
                            on=on, px=(x * iw, y * ih, (x + w) * iw, (y + h) * ih)))
    return devs


def _choose_actor(rng: np.random.Generator, assets: _Assets, pose: str, tdev: _Device | None, *,
                  devs: list[_Device], room: _Room, size: tuple[int, int]) -> _Actor | None:
    """Nobody in 40 % of "none" frames; "stand" prefers cut-outs with closed legs."""
    if not (pose != "none" or rng.random() < 0.6):
        return None
    pool = list(assets.calm if (pose == "stand" and assets.calm and rng.random() < 0.7)
                else range(len(assets.people)))
    p = assets.people[pool[int(rng.integers(len(pool)))]]
    flip = bool(rng.random() < 0.5)
    c, tw = p.torso
    body = _Body(torso_c=(1 - c if flip else c), torso_w=tw,
                 aspect=p.rgba.shape[1] / p.rgba.shape[0], ih=size[0], iw=size[1])
    if pose == "none":
        plan = _plan_nobody_near(rng, devs, room, body)
    else:
        assert tdev is not None
        plan = _plan_near(rng, pose, tdev, devs, room=room, body=body)
    return _Actor(p, flip, plan) if plan is not None else None


def _draw_actor(c: _Canvas, rng: np.random.Generator, actor: _Actor, tdev: _Device | None
                ) -> None:
    """The person and, with a target (pose "point"), the pointing arm."""
    p, plan = actor.person, actor.plan
    rgba = _scaled_person(p, plan.height * c.ih)
    if actor.flip:
        rgba = rgba[:, ::-1]
    ph, pw = rgba.shape[:2]
    left, top = plan.x * c.iw - pw / 2, plan.y * c.ih - ph
    shade = np.clip(rng.uniform(0.85, 1.2) * rng.uniform(0.95, 1.05, 3), 0.6, 1.4)
    _composite_person(c.img, rgba, rng, pos=(left, top), shade=shade.astype(np.float32),
                      shadow_dir=rng.uniform(-0.8, 0.8))
    if tdev is None:
        return
    aim = ((tdev.px[0] + tdev.px[2]) / 2, (tdev.px[1] + tdev.px[3]) / 2)
    sl, sr = p.shoulder_l, p.shoulder_r
    if actor.flip:
        sl, sr = (1 - sr[0], sr[1]), (1 - sl[0], sl[1])
    use = sr if aim[0] >= plan.x * c.iw else sl  # the shoulder on the target's side
    shoulder = (left + use[0] * pw, top + use[1] * ph)
    skin = _colour(np.asarray(_SKIN[int(rng.integers(len(_SKIN)))]) * rng.uniform(0.9, 1.05))
    _draw_arm(c.img, shoulder, aim, hpx=ph, sleeve=_colour(np.asarray(p.sleeve) * shade),
              skin=skin, box=tdev.px)


def _occupied(devs: list[_Device], pieces: list[_Piece], actor: _Actor | None, *,
              size: tuple[int, int]) -> list[Box4]:
    """Boxes (x0, y0, x1, y1 fractions) the decor keeps out of."""
    occupied = [(d.zone[0] - 0.02, d.zone[1] - 0.02, d.zone[0] + d.zone[2] + 0.02,
                 d.zone[1] + d.zone[3] + 0.02) for d in devs]
    occupied += [(pc.x0, pc.top - 0.03, pc.x1, pc.base if pc.base else pc.top + 0.03)
                 for pc in pieces]
    occupied += [(d.zone[0], 0, d.zone[0] + d.zone[2], d.zone[1] + d.zone[3] + 0.08)
                 for d in devs if d.support == "ceiling"]
    if actor is not None:
        fx, fy, hf = actor.plan.x, actor.plan.y, actor.plan.height
        bwf = hf * (actor.person.rgba.shape[1] / actor.person.rgba.shape[0]) * size[0] / size[1]
        occupied.append((fx - bwf, fy - hf, fx + bwf, fy + 0.02))
    return occupied


@lru_cache(maxsize=8)
def _vignette(ih: int, iw: int) -> Image:
    ys, xs = np.mgrid[0:ih, 0:iw].astype(np.float32)
    r = ((xs - iw / 2) / (iw / 2)) ** 2 + ((ys - ih / 2) / (ih / 2)) ** 2
    return np.asarray(r / 2.0, np.float32)


def _light(c: _Canvas, rng: np.random.Generator, amb: float, cast: Image) -> None:
    """Ambient level, colour cast, side gradient, vignette; lamp light both lights the room
    (multiplied) and adds a halo (added), then a soft roll-off of the highlights (lamp shades
    stay readable instead of clipping to white)."""
    img, glow = c.img, c.glow
    gx = np.linspace(1 - rng.uniform(-0.15, 0.15), 1 + rng.uniform(-0.15, 0.15), c.iw,
                     dtype=np.float32)
    vig = 1.0 - rng.uniform(0.0, 0.45) * _vignette(c.ih, c.iw)
    lightmap = (vig * gx[None, :] * amb)[..., None] * cast[None, None, :]
    img *= lightmap + glow * (rng.uniform(0.5, 1.0) * max(0.25, 1.3 - amb))
    img += glow * (255.0 * rng.uniform(0.12, 0.3) * (1.25 - 0.5 * min(1.0, amb)))
    knee = 190.0
    hi = img > knee
    img[hi] = knee + 65.0 * np.tanh((img[hi] - knee) / 65.0)


def _camera(img: Image, rng: np.random.Generator, amb: float) -> npt.NDArray[np.uint8]:
    """A small rotation / scale / shift (zones stay within ~2 %), Gaussian or motion blur,
    luma and chroma noise stronger in the dark, JPEG."""
    ih, iw = img.shape[:2]
    warp = cv2.getRotationMatrix2D((iw / 2, ih / 2), rng.uniform(-1.5, 1.5), rng.uniform(1.0, 1.03))
    warp[0, 2] += rng.uniform(-0.01, 0.01) * iw
    warp[1, 2] += rng.uniform(-0.01, 0.01) * ih
    img = cast(Image, cv2.warpAffine(img, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_REFLECT))
    r = rng.random()
    if r < 0.6:
        img = cast(Image, cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.1)))
    elif r < 0.7:
        k = int(rng.integers(3, 6))
        ker = np.zeros((k, k), np.float32)
        ker[k // 2, :] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), rng.uniform(0, 180), 1.0)
        ker = cast(Image, cv2.warpAffine(ker, rot, (k, k)))
        ker /= max(1e-6, ker.sum())
        img = cast(Image, cv2.filter2D(img, -1, ker))
    noise_sd = rng.uniform(1.0, 5.0) * (1.0 + 1.2 * max(0.0, 0.8 - amb))
    img += rng.standard_normal((ih, iw, 1), dtype=np.float32) * noise_sd * 0.6
    img += rng.standard_normal((ih, iw, 3), dtype=np.float32) * noise_sd * 0.5
    out = np.clip(img, 0, 255).astype(np.uint8)
    q = int(rng.integers(35, 93))
    _, enc = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
    bgr = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(bgr[..., ::-1], np.uint8)


def _layers(c: _Canvas, rng: np.random.Generator, devs: list[_Device], pieces: list[_Piece]
            ) -> list[Layer]:
    """Furniture and devices, by floor-contact depth: wall and ceiling things first."""
    layers: list[Layer] = [(pc.base if pc.base is not None else -0.5,
                            partial(_draw_furniture, c, rng, pc)) for pc in pieces]
    for d in devs:
        if d.support in ("wall", "ceiling"):
            dep = -0.4
        elif d.support == "furniture":
            assert d.piece is not None
            dep = (d.piece.base if d.piece.base is not None else -0.5) + 1e-4
        else:
            assert d.contact is not None
            dep = d.contact
        layers.append((dep, partial(_draw_device, c, rng, d)))
    return layers


def render_alt_scene(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
                     target: str | None, pose: Pose, *, split: Split = "train",
                     kinds: Mapping[str, str] | None = None,
                     states: Mapping[str, bool] | None = None,
                     size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of shape (size[0], size[1], 3) of a room with the zones' devices.

    zones: device id -> (x, y, w, h), fractions of the frame (Frigate-style); target: the
    device pointed at or stood by (ignored for pose "none"); kinds: device id -> a hint such
    as "light floor lamp" (else the id's words and the zone decide what is drawn); states:
    device id -> on (else drawn at random)."""
    ih, iw = int(size[0]), int(size[1])
    assets = assets_for(split, pose, target, zones, _load_assets)
    devs = _devices(rng, zones, kinds, states, size=(ih, iw))
    room = _sample_room(rng, devs)
    pieces = _plan_supports(rng, devs, room)
    tdev = next((d for d in devs if d.id == target), None) if pose != "none" else None
    actor = _choose_actor(rng, assets, pose, tdev, devs=devs, room=room, size=(ih, iw))

    c = _Canvas(img=np.zeros((ih, iw, 3), np.float32), glow=np.zeros((ih, iw, 3), np.float32),
                photos=assets.photos, ih=ih, iw=iw)
    wall_base = _draw_room(c, rng, room, assets.textures)
    occupied = _occupied(devs, pieces, actor, size=(ih, iw))
    layers = _plan_decor(c, rng, room, occupied, wall_base=wall_base)
    layers += _layers(c, rng, devs, pieces)
    # drawn before the person: its shade matches the room
    lights_on = sum(1 for d in devs if d.kind in _LIGHTS and d.on)
    amb = rng.uniform(0.3, 1.15) + 0.06 * lights_on
    temp = rng.uniform(-1, 1)
    cast = (np.array([1 + 0.12 * temp, 1.0, 1 - 0.15 * temp], np.float32)
            * rng.uniform(0.93, 1.07, 3).astype(np.float32))
    if actor is not None:
        pointed = tdev if pose == "point" else None
        layers.append((actor.plan.y + 2e-4, lambda: _draw_actor(c, rng, actor, pointed)))
    for _, draw in sorted(layers, key=lambda t: t[0]):
        draw()
    _light(c, rng, amb, cast)
    return _camera(c.img, rng, amb)
