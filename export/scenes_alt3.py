"""Camera frames of smart-home rooms drawn a fourth way, independently of export/scenes_real.py,
export/scenes_alt.py and export/scenes_alt2.py: this one is built around the light.

A model trained on one renderer's frames does not carry over to frames made another way: it
learns the renderer's look along with the task. So training mixes renderers, and this one
shares no drawing code with the others. A frame is an albedo canvas (a textured back wall and
a perspective-warped textured floor, an optional side wall, furniture, the devices drawn by
kind, pedestrians cut from vtest.avi) times an illumination map (ambient level, colour cast,
light pools from lamps that are on, daylight from a window), plus emission layers (lamps;
screens and LEDs; the window), then auto exposure with its errors and the camera. About a
third of the frames are night infrared frames: grey, an illuminator's hot spot off centre,
strong vignetting, incandescent lamps saturated with bloom (LED lamps vanish), bright skin and
clothes, retro-reflecting eyes, a black window.

Synthetic: all of a frame is drawn here (room, furniture, each device by its kind, on or off,
the pointing arm, the light, the exposure; camera: blur, luma and chroma noise, tilt up to
1.2 degrees, zoom up to 2 %, shift up to 0.8 %, JPEG). The real pixels in it: wall/floor
textures, photographs (tv, pictures, window views) and pedestrians cut from opencv-doc's
vtest.avi (its own extraction: a per-split median background, person-shaped blobs, holes
filled, feathered edges).

Poses: "point" (a person beside the target, or under a ceiling device, an arm drawn from the
shoulder towards the target's centre), "stand" (a person at touching distance of the target's
floor contact, under it for a ceiling device), "none" (nobody in about half of the frames, else
a person clear of every zone's columns).

Held-out split: `split="heldout"` takes its textures, photographs and people from sources
`split="train"` never uses: TEXTURES, PHOTOS and FRAMES (vtest.avi frame ranges, half-open,
export/people.py's) of export/scene_sources.py. Same rng state and arguments = same frame. The
cut-outs are extracted once (about 6 s) and cached like export/people.py's (`cache_dir()`),
under a key that changes with the extraction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Cutout, Split, cached_cutouts, video_frames, video_path
from export.scene_sources import FRAMES, PHOTOS, TEXTURES, assets_for, load_source_image, people_npz

__all__ = ["FRAMES", "PHOTOS", "TEXTURES", "Pose", "render_alt3_scene"]

Pose = Literal["point", "stand", "none"]
F32 = npt.NDArray[np.float32]
Floats = npt.NDArray[np.floating[Any]]
U8 = npt.NDArray[np.uint8]
Bgr = npt.NDArray[np.uint8]  # (H, W, 3), as OpenCV decodes video
Colour = Sequence[float] | npt.NDArray[Any]
Point = tuple[float, float]

_PEOPLE_VERSION = "alt3-people-v1"  # bump when the extraction changes: the cache key includes it
_MARGIN = 2  # pixels of background kept around a cut-out's silhouette


# ----------------------------------------------------------------------------- people
@dataclass(frozen=True)
class _Person:
    rgb: F32  # 0..1
    alpha: F32  # 0..1, the silhouette feathered
    head_x: float  # the head's centre, a fraction of the width: where IR eyes glint


def _fill_holes(mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Background not reachable from the corner (the margin is background) is a hole."""
    outside = 1 - mask
    cv2.floodFill(outside, None, (0, 0), 2)
    return np.where(outside == 1, 1, mask).astype(np.uint8)


def _row_spans(mask: npt.NDArray[np.uint8], lo: int, hi: int) -> npt.NDArray[np.int64]:
    """Width from the first to the last set pixel of rows lo..hi-1 (0 where a row is empty)."""
    rows = mask[lo:hi] > 0
    first = rows.argmax(1)
    last = rows.shape[1] - 1 - rows[:, ::-1].argmax(1)
    return np.where(rows.any(1), last - first + 1, 0)


def _one_person(mask: npt.NDArray[np.uint8], w: int, h: int) -> bool:
    """A blob's filled mask (with the margin) is one upright person: no column gap between
    blobs, one narrow head on top, no narrow waist between two people stacked."""
    m = _MARGIN
    colsum = mask.sum(0)
    occupied = np.nonzero(colsum > 0.08 * colsum.max())[0]
    if len(occupied) < 0.85 * (occupied[-1] - occupied[0] + 1):
        return False
    head = np.nonzero(mask[m:m + int(0.18 * h)].any(0))[0]
    if len(head) == 0 or (head[-1] - head[0] + 1) > 0.6 * w:
        return False
    middle = _row_spans(mask, m + int(0.25 * h), m + int(0.75 * h))
    return not (len(middle) and middle.min() < 0.22 * w)


def _cutouts_in(frame: Bgr, background: npt.NDArray[np.int16], index: int) -> list[Cutout]:
    """Each person-shaped foreground blob of the frame: RGB and its hard silhouette."""
    ih, iw = frame.shape[:2]
    diff = np.abs(frame.astype(np.int16) - background).max(2)
    fg = (diff > 28).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN,
                          cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE,
                          cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 9)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    out = []
    for j in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[j])
        if h < 55 or h > 260 or w < 14 or not 1.8 <= h / w <= 4.5 or area < 0.35 * w * h:
            continue  # a fragment, a group or a shadow
        if x < 3 or y < 3 or x + w > iw - 3 or y + h > ih - 3:
            continue  # cut by the frame's edge
        m = _MARGIN
        x0, y0, x1, y1 = x - m, y - m, x + w + m, y + h + m
        mask = _fill_holes((labels[y0:y1, x0:x1] == j).astype(np.uint8))
        if not _one_person(mask, w, h):
            continue
        rgb = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)
        out.append(Cutout(np.ascontiguousarray(np.dstack([rgb, mask * 255]), np.uint8), index))
    return out


def _extract_split(video: Path, split: str) -> list[Cutout]:
    """People of the split's frames (every 3rd), against the median of every 8th of them."""
    span = FRAMES[split]
    sampled = [f for _, f in video_frames(video, span, 8)]
    if not sampled:
        raise AssetError(f"{video}: no frame readable in {span[0]}-{span[1]}")
    background = np.median(np.stack(sampled), 0).astype(np.int16)
    del sampled
    return [c for index, frame in video_frames(video, span, 3)
            for c in _cutouts_in(frame, background, index)]


@lru_cache(maxsize=1)
def _all_cutouts(video: Path) -> tuple[Cutout, ...]:
    """Both splits' cut-outs (the frame tells which), from the disk cache or extracted."""
    return cached_cutouts(people_npz(video, _PEOPLE_VERSION),
                          lambda: [c for split in FRAMES for c in _extract_split(video, split)])


def _person(cut: Cutout) -> _Person:
    """Feathered here, not in the cache: the hard silhouette also places the head."""
    mask = cut.rgba[..., 3] > 0
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (3, 3), 0.8)
    alpha8 = (alpha * 255).astype(np.uint8)  # the feathered alpha is kept at 8 bits
    h = mask.shape[0] - 2 * _MARGIN
    top = int(np.nonzero(mask.any(1))[0][0])
    head = mask[top:top + max(3, int(0.1 * h))]
    head_x = float(np.nonzero(head)[1].mean()) / mask.shape[1]
    return _Person(cut.rgba[..., :3].astype(np.float32) / 255.0,
                   alpha8.astype(np.float32) / 255.0, head_x)


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Assets:
    textures: tuple[F32, ...]  # standardised luminance, 256x256
    photos: tuple[F32, ...]  # RGB 0..1, longer side 256
    people: tuple[_Person, ...]


def _texture(im: npt.NDArray[np.uint8]) -> F32:
    g = cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g = cast(F32, cv2.resize(g, (256, 256), interpolation=cv2.INTER_AREA))
    g = (g - g.mean()) / (g.std() + 1e-6)
    return cast(F32, np.clip(g, -3, 3).astype(np.float32))


def _photo(im: npt.NDArray[np.uint8]) -> F32:
    s = 256.0 / max(im.shape[:2])
    size = (max(8, int(im.shape[1] * s)), max(8, int(im.shape[0] * s)))
    return cv2.resize(im, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


@lru_cache(maxsize=4)
def _load_assets(split: str, data_dir: Path) -> _Assets:
    """Keyed by the data directory too, so that another MILM_OPENCV_DATA is looked at."""
    lo, hi = FRAMES[split]
    people = tuple(_person(c) for c in _all_cutouts(video_path()) if lo <= c.frame < hi)
    if not people:
        raise AssetError(f"no {split} person cut out of vtest.avi frames {lo}-{hi}")
    return _Assets(
        textures=tuple(_texture(load_source_image(s, data_dir)) for s in TEXTURES[split]),
        photos=tuple(_photo(load_source_image(s, data_dir)) for s in PHOTOS[split]),
        people=people)


def _photo_crop(rng: np.random.Generator, photos: tuple[F32, ...], h: float, w: float) -> F32:
    """A random crop of a photo with the box's aspect, resized to it."""
    h, w = max(2, int(h)), max(2, int(w))
    im = photos[rng.integers(len(photos))]
    ph, pw = im.shape[:2]
    s = rng.uniform(0.35, 1.0)
    ar = w / h
    ch = int(min(ph, pw / ar) * s)
    cw = int(ch * ar)
    ch, cw = max(2, min(ch, ph)), max(2, min(cw, pw))
    y = rng.integers(0, ph - ch + 1)
    x = rng.integers(0, pw - cw + 1)
    return cast(F32, cv2.resize(im[y:y + ch, x:x + cw], (w, h), interpolation=cv2.INTER_LINEAR))


def _tex_patch(rng: np.random.Generator, textures: tuple[F32, ...], h: float, w: float,
               scale: float) -> F32:
    """A square of a texture (scale: its side over 256), maybe transposed, resized to h x w."""
    t = textures[rng.integers(len(textures))]
    s = int(np.clip(256 * scale, 24, 256))
    y = rng.integers(0, 257 - s)
    x = rng.integers(0, 257 - s)
    p = t[y:y + s, x:x + s]
    if rng.random() < 0.5:
        p = p.T
    return cast(F32, cv2.resize(p, (int(w), int(h)), interpolation=cv2.INTER_LINEAR))


# ----------------------------------------------------------------------------- kinds
def _guess_kind(dev: str, zone: tuple[float, float, float, float]) -> str:
    """A kind hint from the device id's words, else from the zone's place and shape."""
    words = dev.lower().replace("-", "_")
    _, y, zw, zh = zone

    def has(*keys: str) -> bool:
        return any(k in words for k in keys)

    tall = zh > 0.4 and zh > 2.5 * zw
    if has("tv", "television", "telly"):
        return "media_player tv"
    if has("speaker", "sonos", "stereo", "sound"):
        return "media_player speaker"
    if has("blind", "shade", "curtain", "shutter", "cover"):
        return "cover blinds"
    if has("vacuum", "roomba", "robot"):
        return "vacuum robot vacuum"
    if has("fan"):
        return "fan ceiling fan"
    if has("coffee", "espresso"):
        return "switch coffee machine"
    if has("kettle"):
        return "switch kettle"
    if has("router", "wifi", "modem"):
        return "switch router"
    if has("plug", "socket", "outlet"):
        return "switch smart plug"
    if has("thermostat", "climate", "heat"):
        return "climate thermostat"
    if has("lock", "door"):
        return "lock front door"
    if has("lamp"):
        if tall:
            return "light floor lamp"
        return "light desk lamp" if has("desk", "office", "study") else "light table lamp"
    if has("light", "ceiling", "chandelier"):
        return "light ceiling light" if y < 0.03 else "light table lamp"
    if y < 0.03:
        return "light ceiling light"
    if tall:
        return "light floor lamp"
    if y + zh > 0.78 and zw > zh:
        return "vacuum robot vacuum"
    return "switch smart plug"


# The first word of a kind hint found in it decides what is drawn.
_FAMILY_WORDS = (
    ("fan", "fan"), ("tv", "tv"), ("television", "tv"), ("speaker", "speaker"),
    ("blind", "blinds"), ("curtain", "blinds"), ("shade", "blinds"), ("cover", "blinds"),
    ("vacuum", "vacuum"), ("coffee", "coffee"), ("kettle", "kettle"), ("router", "router"),
    ("wifi", "router"), ("plug", "plug"), ("thermostat", "thermostat"),
    ("climate", "thermostat"), ("lock", "door"), ("door", "door"),
    ("floor lamp", "floorlamp"), ("desk lamp", "desklamp"), ("lamp", "tablelamp"))


def _family(kind: str, zone: tuple[float, float, float, float]) -> str:
    """What to draw for a kind hint; a bare "light" by its zone; anything else a box."""
    k = kind.lower()
    for key, fam in _FAMILY_WORDS:
        if key in k:
            return fam
    if "light" in k:
        if zone[1] < 0.03:
            return "ceiling"
        return "floorlamp" if zone[3] > 0.4 else "tablelamp"
    return "box"


_SUPPORTED = {"coffee", "kettle", "router", "tablelamp", "desklamp", "speaker", "box"}
_FLOOR = {"floorlamp", "vacuum"}


# ----------------------------------------------------------------------------- drawing
# Layers are float32 RGB (albedo 0..1; emission may exceed 1). Shapes are drawn at whole
# pixels, polygons and ellipses anti-aliased.
def _c(col: Colour) -> tuple[float, ...]:
    return tuple(float(a) for a in col)


def _rect(img: F32, box: tuple[float, float, float, float], col: Colour) -> None:
    x0, y0, x1, y1 = box
    cv2.rectangle(img, (int(x0), int(y0)), (int(x1), int(y1)), _c(col), -1)


def _poly(img: F32, pts: Sequence[Point], col: Colour) -> None:
    cv2.fillPoly(img, [np.round(np.asarray(pts)).astype(np.int32)], _c(col), cv2.LINE_AA)


def _outline(img: F32, pts: Sequence[Point], col: Colour) -> None:
    cv2.polylines(img, [np.round(np.asarray(pts)).astype(np.int32)], True, _c(col), 1)


def _ell(img: npt.NDArray[Any], centre: Point, axes: Point, col: Colour, *, th: int = -1,
         ang: float = 0.0) -> None:
    (cx, cy), (ax, ay) = centre, axes
    cv2.ellipse(img, (round(cx), round(cy)), (max(1, round(ax)), max(1, round(ay))),
                ang, 0, 360, _c(col), th, cv2.LINE_AA)


def _line(img: npt.NDArray[Any], p: Point, q: Point, col: Colour, th: float) -> None:
    cv2.line(img, (round(p[0]), round(p[1])), (round(q[0]), round(q[1])), _c(col),
             max(1, round(th)), cv2.LINE_AA)


def _paste(dst: F32, src: F32, x0: float, y0: float) -> None:
    """src with its top-left corner at (x0, y0), clipped to dst."""
    ih, iw = dst.shape[:2]
    h, w = src.shape[:2]
    x0, y0 = int(x0), int(y0)
    ax0, ay0 = max(0, x0), max(0, y0)
    ax1, ay1 = min(iw, x0 + w), min(ih, y0 + h)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    dst[ay0:ay1, ax0:ax1] = src[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0]


_WALL_COLS = [(0.86, 0.83, 0.76), (0.92, 0.92, 0.90), (0.72, 0.76, 0.78), (0.80, 0.72, 0.62),
              (0.66, 0.74, 0.66), (0.85, 0.78, 0.80), (0.55, 0.58, 0.64), (0.93, 0.88, 0.74)]
_FLOOR_COLS = [(0.55, 0.38, 0.22), (0.68, 0.52, 0.34), (0.40, 0.30, 0.22), (0.70, 0.70, 0.68),
               (0.45, 0.47, 0.50), (0.60, 0.55, 0.48), (0.30, 0.28, 0.32)]
_FAB = [(0.35, 0.38, 0.45), (0.55, 0.25, 0.22), (0.30, 0.42, 0.32), (0.62, 0.58, 0.50),
        (0.20, 0.20, 0.24), (0.70, 0.62, 0.45), (0.25, 0.35, 0.55)]
_WOOD = [(0.45, 0.30, 0.18), (0.62, 0.46, 0.30), (0.30, 0.20, 0.14), (0.85, 0.84, 0.80),
         (0.22, 0.22, 0.22)]
_SKIN = [(0.93, 0.76, 0.62), (0.80, 0.60, 0.45), (0.62, 0.43, 0.30), (0.42, 0.28, 0.20),
         (0.96, 0.82, 0.70)]


def _pick(rng: np.random.Generator, options: Sequence[tuple[float, ...]]) -> F32:
    return np.array(options[int(rng.integers(len(options)))], np.float32)


# ----------------------------------------------------------------------------- scene
class _Light(NamedTuple):
    """A Gaussian pool of light (pixels) in the illumination map."""

    cx: float
    cy: float
    sx: float
    sy: float
    col: F32
    k: float


@dataclass
class _Scene:
    """The layers being drawn, and what the light and the people need to know of them."""

    ih: int
    iw: int
    assets: _Assets
    mode: str  # "ir" (night infrared), "day" or "evening"
    win_gain: float  # how much brighter than the room a window's daylight is
    zbox: list[tuple[int, int, int, int]]  # every zone in pixels
    hz: int  # the row where the back wall meets the floor
    albedo: F32
    support_col: F32  # the kitchen counter's colour, shared by the coffee machine and kettle
    lamps: F32 = field(init=False)  # emission of lamps
    screens: F32 = field(init=False)  # emission of screens and LEDs
    window: F32 = field(init=False)  # emission of windows
    shadow: F32 = field(init=False)  # contact shadows, 0..1
    occ: F32 = field(init=False)  # where a person covers the room (IR: bright fabric, skin)
    lights: list[_Light] = field(default_factory=list)
    eyes: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, body height
    skin: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, radius
    window_box: tuple[int, int, int, int] | None = None
    backlit: bool = False

    def __post_init__(self) -> None:
        self.lamps = np.zeros_like(self.albedo)
        self.screens = np.zeros_like(self.albedo)
        self.window = np.zeros_like(self.albedo)
        self.shadow = np.zeros((self.ih, self.iw), np.float32)
        self.occ = np.zeros((self.ih, self.iw), np.float32)

    def light(self, centre: Point, spread: Point, col: Colour, k: float) -> None:
        """A pool of light at centre, spread = its Gaussian's sigmas (pixels)."""
        self.lights.append(_Light(*centre, *spread, np.asarray(col, np.float32), float(k)))

    def is_free(self, x0: float, y0: float, x1: float, y1: float, margin: float = 2) -> bool:
        """The box keeps `margin` pixels off every zone."""
        return not any(x0 < d + margin and x1 > a - margin and y0 < e + margin
                       and y1 > b - margin for a, b, d, e in self.zbox)


class _Zone(NamedTuple):
    """A device's zone in pixels."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def w(self) -> int:
        return max(2, self.x1 - self.x0)

    @property
    def h(self) -> int:
        return max(2, self.y1 - self.y0)

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _draw_support(c: _Scene, rng: np.random.Generator, fam: str, z: _Zone) -> int:
    """A counter, desk or nightstand under a table-top device, down to below the floor line.
    The row where it stands on the floor."""
    ih, iw = c.ih, c.iw
    x0, _, x1, y1 = z
    if y1 >= ih - 0.06 * ih:  # no room below: the device stands on the floor
        return y1
    yb = min(ih - 1, max(c.hz + int(rng.uniform(0.0, 0.05) * ih), int(y1 + 0.1 * ih)))
    ext = {"coffee": 2.5, "kettle": 2.5, "router": 1.5, "tablelamp": 0.9,
           "desklamp": 1.6}.get(fam, 1.0)
    wz = x1 - x0
    sx0 = int(x0 - ext * wz * rng.uniform(0.3, 1.0))
    sx1 = int(x1 + ext * wz * rng.uniform(0.3, 1.0))
    col = c.support_col if fam in ("coffee", "kettle") else _pick(rng, _WOOD)
    top = max(2, int(0.025 * ih))
    _rect(c.albedo, (sx0, y1, sx1, yb), col * 0.8)
    _rect(c.albedo, (sx0 - 2, y1 - 1, sx1 + 2, y1 + top), col * 1.05)
    if fam in ("coffee", "kettle") and yb - y1 > 10:  # kitchen cabinet doors
        n = max(1, (sx1 - sx0) // max(8, int(0.12 * iw)))
        for i in range(n + 1):
            x = sx0 + (sx1 - sx0) * i // max(1, n)
            _line(c.albedo, (x, y1 + top + 2), (x, yb - 2), col * 0.6, 1)
    elif yb - y1 > 12:  # a drawer line
        _line(c.albedo, (sx0 + 2, (y1 + yb) // 2), (sx1 - 2, (y1 + yb) // 2), col * 0.6, 1)
    _rect(c.albedo, (sx0, yb - 2, sx1, yb), col * 0.45)
    return yb


# ----------------------------------------------------------------------------- devices
class _Power(NamedTuple):
    on: bool
    warm: F32  # the colour of its light if it is a lamp (every device draws one)
    bright: float  # the lamp's brightness over white


# Each draws one kind into the scene.
_Drawer = Callable[[_Scene, np.random.Generator, _Zone, _Power], None]


def _ceiling_light(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx = z.w, z.h, z.cx
    style = rng.integers(3)
    if style == 0:  # flush dome
        _rect(a, (cx - 0.2 * w, y0, cx + 0.2 * w, y0 + 0.2 * h), (0.8, 0.8, 0.78))
        col = p.warm * p.bright if p.on else np.array([0.88, 0.88, 0.85])
        _ell(c.lamps if p.on else a, (cx, y0 + 0.35 * h), (0.45 * w, 0.45 * h), col)
        if not p.on:
            _ell(a, (cx, y0 + 0.5 * h), (0.35 * w, 0.2 * h), (0.7, 0.7, 0.68))
    elif style == 1:  # pendant
        _line(a, (cx, y0), (cx, y0 + 0.45 * h), (0.15, 0.15, 0.15), 1)
        _poly(a, [(cx - 0.12 * w, y0 + 0.45 * h), (cx + 0.12 * w, y0 + 0.45 * h),
                  (cx + 0.4 * w, y1 - 0.1 * h), (cx - 0.4 * w, y1 - 0.1 * h)], _pick(rng, _WOOD))
        col = p.warm * p.bright if p.on else np.array([0.95, 0.92, 0.8])
        _ell(c.lamps if p.on else a, (cx, y1 - 0.1 * h), (0.3 * w, 0.12 * h), col)
    else:  # panel on two rods
        _rect(a, (x0 + 0.05 * w, y0, x0 + 0.08 * w, y0 + 0.5 * h), (0.3, 0.3, 0.3))
        _rect(a, (x1 - 0.08 * w, y0, x1 - 0.05 * w, y0 + 0.5 * h), (0.3, 0.3, 0.3))
        _rect(a, (x0, y0 + 0.5 * h, x1, y0 + 0.85 * h), (0.75, 0.75, 0.75))
        col = p.warm * p.bright if p.on else np.array([0.9, 0.9, 0.9])
        _rect(c.lamps if p.on else a, (x0 + 0.04 * w, y0 + 0.62 * h, x1 - 0.04 * w, y0 + 0.8 * h),
              col)
    if p.on:
        c.light((cx, y1 + 0.25 * c.ih), (0.35 * c.iw, 0.45 * c.ih), p.warm, rng.uniform(0.8, 1.6))


def _fan(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    w, h, cx = z.w, z.h, z.cx
    hub_y = z.y0 + 0.5 * h
    _rect(a, (cx - 1, z.y0, cx + 1, hub_y), (0.25, 0.25, 0.25))
    blade = _pick(rng, _WOOD)
    length = 0.5 * w
    n = 4 + int(rng.integers(2))
    phase = rng.uniform(0, 180)
    if p.on:  # spinning: a translucent disc with faint streaks
        disc = a.copy()
        _ell(disc, (cx, hub_y), (length, 0.3 * h), blade)
        m = (disc != a).any(2)
        a[m] = 0.55 * a[m] + 0.45 * disc[m]
        # streaks tinted by the hub's pixel, clipped: a hub on the bottom row is below the frame
        hub = (int(np.clip(hub_y, 0, c.ih - 1)), int(np.clip(cx, 0, c.iw - 1)))
        for i in range(n):
            t = np.deg2rad(phase + 360 * i / n)
            _line(a, (cx, hub_y), (cx + 0.8 * length * np.cos(t), hub_y + 0.3 * h * np.sin(t)),
                  0.7 * a[hub] + 0.3 * blade, 1)
    else:
        for i in range(n):
            t = np.deg2rad(phase + 360 * i / n)
            ex, ey = cx + length * np.cos(t), hub_y + 0.32 * h * np.sin(t)
            mx, my = (cx + ex) / 2, (hub_y + ey) / 2
            ang = np.rad2deg(np.arctan2(ey - hub_y, ex - cx))
            _ell(a, (mx, my), (np.hypot(ex - cx, ey - hub_y) / 2, max(1.5, 0.09 * h + 1)), blade,
                 ang=ang)
    _ell(a, (cx, hub_y), (0.08 * w, 0.18 * h), (0.3, 0.3, 0.32))
    if rng.random() < 0.4:  # a light kit under the hub
        _ell(c.lamps if p.on else a, (cx, hub_y + 0.25 * h), (0.06 * w, 0.15 * h),
             p.warm * p.bright if p.on else (0.9, 0.9, 0.85))


def _floor_lamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    y0, y1 = z.y0, z.y1
    w, h, cx = z.w, z.h, z.cx
    base = _pick(rng, _WOOD) * 0.6
    _ell(a, (cx, y1 - 0.02 * h), (0.3 * w, 0.025 * h + 1), base)
    shade_bottom = y0 + rng.uniform(0.25, 0.35) * h
    _line(a, (cx, shade_bottom), (cx, y1 - 0.02 * h), base, max(1, 0.06 * w))
    fabric = np.array([0.92, 0.86, 0.72]) if rng.random() < 0.6 else _pick(rng, _FAB)
    pts = [(cx - 0.3 * w, y0 + 0.02 * h), (cx + 0.3 * w, y0 + 0.02 * h),
           (cx + 0.5 * w, shade_bottom), (cx - 0.5 * w, shade_bottom)]
    if p.on:
        _poly(c.lamps, pts, p.warm * p.bright * (0.6 + 0.4 * fabric.mean()))
        _ell(c.lamps, (cx, shade_bottom), (0.45 * w, 0.02 * h + 1), p.warm * p.bright * 1.5)
        c.light((cx, y0 + 0.2 * h), (0.25 * c.iw, 0.35 * c.ih), p.warm, rng.uniform(0.7, 1.4))
    else:
        _poly(a, pts, fabric)
        _outline(a, pts, fabric * 0.5)


def _desk_lamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power, base: F32) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h = z.w, z.h
    bx = x0 + rng.uniform(0.3, 0.7) * w
    _ell(a, (bx, y1 - 0.04 * h), (0.25 * w, 0.05 * h + 1), base)
    ex, ey = x0 + rng.uniform(0.15, 0.85) * w, y0 + 0.4 * h
    hx = np.clip(ex + rng.choice([-1, 1]) * 0.3 * w, x0 + 0.15 * w, x1 - 0.15 * w)
    _line(a, (bx, y1 - 0.04 * h), (ex, ey), base, max(2, 0.1 * w))
    _line(a, (ex, ey), (hx, y0 + 0.2 * h), base, max(2, 0.1 * w))
    head = [(hx - 0.1 * w, y0 + 0.1 * h), (hx + 0.1 * w, y0 + 0.1 * h),
            (hx + 0.25 * w, y0 + 0.38 * h), (hx - 0.25 * w, y0 + 0.38 * h)]
    _poly(a, head, base * 0.8)
    _outline(a, head, base * 0.4)
    if p.on:
        _ell(c.lamps, (hx, y0 + 0.38 * h), (0.22 * w, 0.04 * h + 1), p.warm * p.bright * 1.5)
        c.light((hx, y1), (0.18 * c.iw, 0.12 * c.ih), p.warm, rng.uniform(0.6, 1.2))


def _table_lamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power, base: F32
                ) -> None:
    a = c.albedo
    y0, y1 = z.y0, z.y1
    w, h, cx = z.w, z.h, z.cx
    _rect(a, (cx - 0.2 * w, y1 - 0.12 * h, cx + 0.2 * w, y1), base)
    _line(a, (cx, y0 + 0.5 * h), (cx, y1 - 0.1 * h), base, max(1, 0.08 * w))
    pts = [(cx - 0.3 * w, y0 + 0.05 * h), (cx + 0.3 * w, y0 + 0.05 * h),
           (cx + 0.48 * w, y0 + 0.52 * h), (cx - 0.48 * w, y0 + 0.52 * h)]
    if p.on:
        _poly(c.lamps, pts, p.warm * p.bright * 0.8)
        c.light((cx, z.cy), (0.18 * c.iw, 0.2 * c.ih), p.warm, rng.uniform(0.6, 1.3))
    else:
        _poly(a, pts, np.array([0.92, 0.88, 0.78]) if rng.random() < 0.5 else _pick(rng, _FAB))
        _outline(a, pts, (0.3, 0.28, 0.25))


def _small_lamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power, desk: bool
                ) -> None:
    base = _pick(rng, [(0.1, 0.1, 0.1), (0.55, 0.55, 0.58), (0.6, 0.45, 0.2), (0.15, 0.2, 0.35)])
    (_desk_lamp if desk else _table_lamp)(c, rng, z, p, base)


def _tv(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx, cy = z.w, z.h, z.cx, z.cy
    bezel = max(1, int(0.03 * min(w, h)))
    _rect(a, (x0, y0, x1, y1 - 0.04 * h), (0.05, 0.05, 0.06))
    if y1 < c.hz - 0.08 * c.ih and rng.random() < 0.5:  # a console below, down to the floor
        col = _pick(rng, _WOOD)
        _rect(a, (x0 - 0.1 * w, y1 + 0.05 * h, x1 + 0.1 * w, c.hz + 0.02 * c.ih), col * 0.85)
        _rect(a, (x0 - 0.1 * w, y1 + 0.05 * h, x1 + 0.1 * w, y1 + 0.1 * h), col)
        _rect(a, (cx - 0.05 * w, y1 - 0.05 * h, cx + 0.05 * w, y1 + 0.05 * h), (0.1, 0.1, 0.1))
    sx0, sy0, sx1, sy1 = x0 + bezel, y0 + bezel, x1 - bezel, int(y1 - 0.04 * h - bezel)
    if sx1 - sx0 <= 2 or sy1 - sy0 <= 2:
        return
    if p.on:
        pic = _photo_crop(rng, c.assets.photos, sy1 - sy0, sx1 - sx0) * rng.uniform(0.9, 1.6)
        _paste(c.screens, pic, sx0, sy0)
        c.light((cx, cy + 0.1 * c.ih), (0.3 * c.iw, 0.3 * c.ih), (0.7, 0.8, 1.0),
                rng.uniform(0.2, 0.5))
    else:  # a dark screen, lighter on one side
        g = np.linspace(0.16, 0.03, sx1 - sx0, dtype=np.float32)[None, :, None]
        g = np.repeat(np.repeat(g, sy1 - sy0, 0), 3, 2) * np.array([0.9, 0.95, 1.0], np.float32)
        _paste(a, g, sx0, sy0)


def _speaker(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx, cy = z.w, z.h, z.cx, z.cy
    col = np.array([0.08, 0.08, 0.09]) if rng.random() < 0.6 else _pick(rng, _WOOD)
    _rect(a, (x0 + 0.05 * w, y0, x1 - 0.05 * w, y1), col)
    _ell(a, (cx, y0 + 0.25 * h), (0.15 * w, 0.15 * w), (0.25, 0.25, 0.25))
    _ell(a, (cx, y0 + 0.62 * h), (0.33 * w, 0.33 * w), (0.2, 0.2, 0.22))
    _ell(a, (cx, y0 + 0.62 * h), (0.12 * w, 0.12 * w), (0.35, 0.35, 0.35))
    if p.on:
        _ell(c.screens, (cx, y1 - 0.08 * h), (max(1, 0.06 * w), max(1, 0.06 * w)), (0.2, 1.5, 2.0))
        c.light((cx, cy), (0.06 * c.iw, 0.06 * c.ih), (0.4, 0.9, 1.0), 0.15)


def _blinds(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    """A window with blinds; on = open. Its view is daylight in day frames only."""
    a = c.albedo
    x0, y0, x1, y1 = z
    w, cx = z.w, z.cx
    fr = max(2, int(0.05 * w))
    _rect(a, (x0, y0, x1, y1), (0.92, 0.92, 0.9))
    ix0, iy0, ix1, iy1 = x0 + fr, y0 + fr, x1 - fr, y1 - fr
    if ix1 - ix0 <= 2 or iy1 - iy0 <= 2:
        return
    view = _photo_crop(rng, c.assets.photos, iy1 - iy0, ix1 - ix0)
    day = c.mode == "day"
    view = view * (c.win_gain if day else 0.04) + (0.0 if day else 0.01)
    slat = np.array([0.95, 0.94, 0.9]) if rng.random() < 0.6 else _pick(rng, _FAB) * 1.2
    step = max(3, int(0.045 * c.ih))
    if p.on:  # raised part way: slats stacked at the top, the view below
        up = iy0 + int(rng.uniform(0.1, 0.35) * (iy1 - iy0))
        _paste(c.window, view, ix0, iy0)
        _rect(c.window, (ix0, iy0, ix1, up), (0, 0, 0))
        for y in range(iy0, up, 2):
            _line(a, (ix0, y), (ix1, y), slat * (0.8 if (y // 2) % 2 else 1.0), 1)
        _line(a, (cx, iy0 + 1), (cx, iy1), (0.9, 0.9, 0.9), 1)
        c.window_box = (ix0, up, ix1, iy1)
    else:  # closed slats, light leaking between them by day
        _rect(a, (ix0, iy0, ix1, iy1), slat)
        for y in range(iy0, iy1, step):
            _line(a, (ix0, y), (ix1, y), slat * 0.7, 1)
            if day:
                _line(c.window, (ix0, y + 1), (ix1, y + 1),
                      np.array([1.0, 1.0, 1.0]) * c.win_gain * 0.25, 1)


def _vacuum(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    w, h, cx = z.w, z.h, z.cx
    col = np.array([0.12, 0.12, 0.13]) if rng.random() < 0.6 else np.array([0.85, 0.85, 0.85])
    ey = z.y1 - 0.3 * h
    _ell(a, (cx, ey + 0.1 * h), (0.46 * w, 0.28 * h), col * 0.6)
    _ell(a, (cx, ey), (0.46 * w, 0.28 * h), col)
    _ell(a, (cx, ey - 0.03 * h), (0.2 * w, 0.12 * h), col * 1.6 + 0.1)
    _ell(c.shadow, (cx, ey + 0.2 * h), (0.5 * w, 0.18 * h), (1, 1, 1))
    if p.on:
        _ell(c.screens, (cx, ey - 0.03 * h), (0.22 * w, 0.13 * h), (0.3, 1.4, 2.2), th=1)
        _ell(c.screens, (cx + 0.3 * w, ey), (1.2, 1.2), (0.3, 2.0, 0.4))


def _coffee(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx = z.w, z.h, z.cx
    col = np.array([0.1, 0.1, 0.11]) if rng.random() < 0.5 else np.array([0.7, 0.7, 0.72])
    _rect(a, (x0 + 0.05 * w, y0, x1 - 0.05 * w, y1), col)
    _rect(a, (x0 + 0.05 * w, y0, x1 - 0.05 * w, y0 + 0.25 * h), col * 0.7 + 0.05)
    _rect(a, (x0 + 0.2 * w, y0 + 0.35 * h, x1 - 0.2 * w, y1 - 0.08 * h), (0.04, 0.04, 0.04))
    _rect(a, (cx - 0.14 * w, y1 - 0.3 * h, cx + 0.14 * w, y1 - 0.1 * h), (0.9, 0.9, 0.88))
    _rect(a, (cx - 0.04 * w, y0 + 0.35 * h, cx + 0.04 * w, y0 + 0.45 * h), (0.5, 0.5, 0.5))
    if p.on:  # display, power LED, steam over the cup
        _rect(c.screens, (x0 + 0.25 * w, y0 + 0.08 * h, x1 - 0.25 * w, y0 + 0.18 * h),
              (0.3, 1.2, 1.8))
        _ell(c.screens, (x1 - 0.15 * w, y0 + 0.13 * h), (1.3, 1.3), (2.0, 0.3, 0.2))
        for _ in range(2):
            x = cx + rng.uniform(-0.1, 0.1) * w
            _line(a, (x, y1 - 0.32 * h), (x + rng.uniform(-2, 2), y1 - 0.55 * h), (0.8, 0.8, 0.8),
                  1)


def _kettle(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx, cy = z.w, z.h, z.cx, z.cy
    col = _pick(rng, [(0.85, 0.85, 0.85), (0.15, 0.15, 0.16), (0.7, 0.2, 0.18), (0.6, 0.62, 0.65)])
    _rect(a, (x0 + 0.1 * w, y1 - 0.1 * h, x1 - 0.1 * w, y1), (0.15, 0.15, 0.15))
    body = [(x0 + 0.25 * w, y0 + 0.15 * h), (x1 - 0.3 * w, y0 + 0.15 * h),
            (x1 - 0.2 * w, y1 - 0.1 * h), (x0 + 0.15 * w, y1 - 0.1 * h)]
    _poly(a, body, col)
    _outline(a, body, col * 0.35)
    cv2.ellipse(a, (int(x1 - 0.25 * w), int(cy)), (max(1, int(0.18 * w)), max(1, int(0.3 * h))),
                0, -90, 90, _c(col * 0.8), max(1, int(0.07 * w)), cv2.LINE_AA)  # the handle
    _poly(a, [(x0 + 0.25 * w, y0 + 0.25 * h), (x0, y0 + 0.1 * h), (x0 + 0.2 * w, y0 + 0.4 * h)],
          col)  # the spout
    _rect(a, (cx - 0.12 * w, y0 + 0.05 * h, cx + 0.08 * w, y0 + 0.15 * h), col * 0.7)
    if p.on:  # the lit base ring and water window
        _rect(c.screens, (x0 + 0.15 * w, y1 - 0.1 * h, x1 - 0.15 * w, y1 - 0.04 * h),
              (0.3, 0.9, 2.4))
        _rect(c.screens, (x0 + 0.3 * w, y0 + 0.35 * h, x0 + 0.4 * w, y1 - 0.2 * h), (0.2, 0.6, 1.6))
        c.light((cx, y1), (0.05 * c.iw, 0.05 * c.ih), (0.3, 0.5, 1.0), 0.3)


def _router(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h = z.w, z.h
    col = np.array([0.1, 0.1, 0.1]) if rng.random() < 0.6 else np.array([0.9, 0.9, 0.9])
    by = y0 + 0.5 * h
    for i in range(2 + int(rng.integers(2))):  # antennas
        x = x0 + (0.2 + 0.3 * i) * w
        _line(a, (x, by), (x + rng.uniform(-0.08, 0.08) * w, y0), col * 0.8 + 0.05,
              max(1, 0.05 * w))
    _rect(a, (x0, by, x1, y1 - 0.05 * h), col)
    _rect(a, (x0, y1 - 0.15 * h, x1, y1 - 0.05 * h), col * 0.6)
    leds = 4
    for i in range(leds):
        x = x0 + (0.15 + 0.7 * i / (leds - 1)) * w
        if p.on:
            _ell(c.screens, (x, by + 0.2 * h), (1, 1), (0.3, 2.2, 0.4))
        else:
            _ell(a, (x, by + 0.2 * h), (1, 1), (0.3, 0.3, 0.3))


def _plug(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cx, cy = z.w, z.h, z.cx, z.cy
    _rect(a, (x0, y0, x1, y1), (0.93, 0.93, 0.9))
    cv2.rectangle(a, (int(x0), int(y0)), (int(x1), int(y1)), (0.6, 0.6, 0.58), 1)
    _ell(a, (cx, cy), (0.33 * w, 0.33 * h), (0.97, 0.97, 0.97))
    _ell(a, (cx, cy), (0.33 * w, 0.33 * h), (0.7, 0.7, 0.7), th=1)
    _line(a, (cx, y1), (cx + rng.uniform(-0.5, 0.5) * w, min(c.ih - 1, y1 + 0.6 * h)),
          (0.15, 0.15, 0.15), 1)  # the cable
    if p.on:
        _ell(c.screens, (cx, cy - 0.15 * h), (1.2, 1.2), (0.3, 1.0, 2.4))


def _thermostat(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    w, h, cx, cy = z.w, z.h, z.cx, z.cy
    _ell(c.albedo, (cx, cy), (0.45 * w, 0.45 * h), (0.85, 0.85, 0.85))
    _ell(c.albedo, (cx, cy), (0.33 * w, 0.33 * h), (0.05, 0.05, 0.05))
    if p.on:  # a heating or cooling ring and the set temperature
        ring = (1.8, 0.8, 0.2) if rng.random() < 0.5 else (0.3, 0.9, 1.8)
        _ell(c.screens, (cx, cy), (0.33 * w, 0.33 * h), ring, th=max(1, int(0.05 * w)))
        cv2.putText(c.screens, str(int(rng.integers(17, 24))),
                    (int(cx - 0.2 * w), int(cy + 0.12 * h)), cv2.FONT_HERSHEY_PLAIN,
                    max(0.4, 0.02 * w), (2, 2, 2), 1, cv2.LINE_AA)


def _door(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    """A panelled door with its smart lock; on = locked (green LED)."""
    a = c.albedo
    x0, y0, x1, y1 = z
    w, h, cy = z.w, z.h, z.cy
    col = _pick(rng, _WOOD)
    _rect(a, (x0, y0, x1, y1), col * 0.7)
    _rect(a, (x0 + 0.06 * w, y0 + 0.04 * h, x1 - 0.06 * w, y1), col)
    for top, bottom in ((0.1, 0.45), (0.55, 0.9)):
        cv2.rectangle(a, (int(x0 + 0.18 * w), int(y0 + top * h)),
                      (int(x1 - 0.18 * w), int(y0 + bottom * h)), _c(col * 0.8), 1)
    _ell(a, (x1 - 0.15 * w, cy), (0.04 * w + 1, 0.02 * h + 1), (0.8, 0.7, 0.3))
    _rect(a, (x1 - 0.2 * w, cy - 0.1 * h, x1 - 0.1 * w, cy - 0.04 * h), (0.15, 0.15, 0.15))
    _ell(c.screens, (x1 - 0.15 * w, cy - 0.07 * h), (1, 1),
         (0.2, 2.0, 0.3) if p.on else (2.0, 0.2, 0.2))


def _box(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    """An unknown device: a grey box with a green LED when on."""
    _rect(c.albedo, (z.x0, z.y0, z.x1, z.y1), (0.3, 0.3, 0.32))
    if p.on:
        _ell(c.screens, (z.cx, z.cy), (1.5, 1.5), (0.3, 2.0, 0.4))


def _tablelamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    _small_lamp(c, rng, z, p, desk=False)


def _desklamp(c: _Scene, rng: np.random.Generator, z: _Zone, p: _Power) -> None:
    _small_lamp(c, rng, z, p, desk=True)


_DRAWERS: dict[str, _Drawer] = {
    "ceiling": _ceiling_light, "fan": _fan, "floorlamp": _floor_lamp, "tablelamp": _tablelamp,
    "desklamp": _desklamp, "tv": _tv, "speaker": _speaker, "blinds": _blinds,
    "vacuum": _vacuum, "coffee": _coffee, "kettle": _kettle, "router": _router, "plug": _plug,
    "thermostat": _thermostat, "door": _door, "box": _box}


def _draw_device(c: _Scene, rng: np.random.Generator, fam: str, z: _Zone, on: bool) -> None:
    # every device draws its lamp colour (mostly warm) and brightness, lamp or not
    warm = (np.array([1.0, 0.82, 0.55], np.float32) if rng.random() < 0.75
            else np.array([0.9, 0.95, 1.0], np.float32))
    _DRAWERS[fam](c, rng, z, _Power(on, warm, rng.uniform(1.6, 3.0)))


# ----------------------------------------------------------------------------- room
def _wall_floor_line(rng: np.random.Generator, zones: Mapping[str, tuple[float, ...]],
                     fams: Mapping[str, str], ih: int) -> int:
    """The back wall's bottom row: above the feet of every floor-standing device."""
    hz = rng.uniform(0.5, 0.7)
    for dev, fam in fams.items():
        if fam in _FLOOR:
            hz = min(hz, (zones[dev][1] + zones[dev][3]) - rng.uniform(0.04, 0.1))
    return int(max(hz, 0.35) * ih)


def _room_albedo(rng: np.random.Generator, textures: tuple[F32, ...], hz: int, ih: int,
                 iw: int) -> F32:
    """A textured wall, a textured floor in perspective, maybe a darker side wall, skirting."""
    wall = _pick(rng, _WALL_COLS) * rng.uniform(0.8, 1.1, 3).astype(np.float32)
    amp = rng.uniform(0.02, 0.18)
    t = _tex_patch(rng, textures, hz, iw, rng.uniform(0.3, 1.0))
    albedo = np.empty((ih, iw, 3), np.float32)
    albedo[:hz] = wall[None, None] * (1 + amp * t[..., None])
    floor = _pick(rng, _FLOOR_COLS) * rng.uniform(0.85, 1.15, 3).astype(np.float32)
    ft = _tex_patch(rng, textures, 256, 256, rng.uniform(0.3, 1.0))
    spread = rng.uniform(0.3, 1.2) * iw
    reps = rng.uniform(1.0, 3.0)
    # the texture square mapped onto a floor trapezoid that widens (and repeats) towards us
    src = np.array([[0, 0], [256, 0], [256, 256], [0, 256]], np.float32)
    dst = np.array([[0, hz], [iw, hz], [iw + spread, ih + (ih - hz) * reps],
                    [-spread, ih + (ih - hz) * reps]], np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    fl = cv2.warpPerspective(ft, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REFLECT)
    famp = rng.uniform(0.05, 0.3)
    albedo[hz:] = floor[None, None] * (1 + famp * fl[hz:, :, None])
    if rng.random() < 0.5:  # a side wall wedge, in shade
        xs = int(rng.uniform(0.03, 0.15) * iw)
        left = rng.random() < 0.5
        pts = ([(0, 0), (xs, 0), (xs, hz), (0, hz + 0.6 * xs)] if left else
               [(iw, 0), (iw - xs, 0), (iw - xs, hz), (iw, hz + 0.6 * xs)])
        m = np.zeros((ih, iw), np.uint8)
        cv2.fillPoly(m, [np.round(np.asarray(pts)).astype(np.int32)], (1,), cv2.LINE_AA)
        albedo[m > 0] *= rng.uniform(0.7, 0.85)
    _rect(albedo, (0, hz - max(2, 0.012 * ih), iw, hz), wall * 0.7 + 0.15)  # skirting
    return albedo


def _window(c: _Scene, rng: np.random.Generator) -> None:
    """A window on the back wall clear of the zones (up to 6 tries): its view is emissive,
    bright by day, nearly black otherwise."""
    ih, iw = c.ih, c.iw
    for _ in range(6):
        ww, wh = rng.uniform(0.15, 0.3) * iw, rng.uniform(0.25, 0.4) * ih
        wx, wy = rng.uniform(0, iw - ww), rng.uniform(0.05, 0.2) * ih
        if wy + wh > c.hz - 0.05 * ih or not c.is_free(wx, wy, wx + ww, wy + wh, 3):
            continue
        fr = max(2, int(0.04 * ww))
        _rect(c.albedo, (wx, wy, wx + ww, wy + wh), (0.9, 0.9, 0.88))
        view = _photo_crop(rng, c.assets.photos, wh - 2 * fr, ww - 2 * fr)
        view = view * (c.win_gain if c.mode == "day" else 0.04)
        _paste(c.window, view, wx + fr, wy + fr)
        _line(c.window, (wx + ww / 2, wy), (wx + ww / 2, wy + wh), (0, 0, 0), max(1, fr // 2))
        _line(c.albedo, (wx + ww / 2, wy), (wx + ww / 2, wy + wh), (0.9, 0.9, 0.88),
              max(1, fr // 2))
        c.window_box = (int(wx), int(wy), int(wx + ww), int(wy + wh))
        return


# ----------------------------------------------------------------------------- furniture
# Each tries to place one item off the zones: False when the drawn place was taken.
def _sofa(c: _Scene, rng: np.random.Generator) -> bool:
    a, ih, iw = c.albedo, c.ih, c.iw
    w = rng.uniform(0.25, 0.45) * iw
    h = rng.uniform(0.12, 0.2) * ih
    yb = c.hz + rng.uniform(0.02, 0.1) * ih
    x0 = rng.uniform(-0.1 * iw, iw - 0.9 * w)
    if not c.is_free(x0, yb - h, x0 + w, yb):
        return False
    col = _pick(rng, _FAB)
    _rect(a, (x0, yb - h, x0 + w, yb - 0.25 * h), col * 0.8)  # back
    _rect(a, (x0 + 0.04 * w, yb - 0.55 * h, x0 + 0.96 * w, yb - 0.15 * h), col)  # seat
    _rect(a, (x0, yb - 0.65 * h, x0 + 0.09 * w, yb - 0.1 * h), col * 0.9)  # arms
    _rect(a, (x0 + 0.91 * w, yb - 0.65 * h, x0 + w, yb - 0.1 * h), col * 0.9)
    _line(a, (x0 + w / 2, yb - 0.55 * h), (x0 + w / 2, yb - 0.2 * h), col * 0.7, 1)
    _rect(a, (x0 + 0.05 * w, yb - 0.15 * h, x0 + 0.95 * w, yb), col * 0.3)
    _ell(c.shadow, (x0 + w / 2, yb), (w * 0.55, 0.04 * ih), (1, 1, 1))
    if rng.random() < 0.6:  # a cushion
        _ell(a, (x0 + 0.2 * w, yb - 0.62 * h), (0.08 * w, 0.15 * h), _pick(rng, _FAB) * 1.2)
    return True


def _shelf(c: _Scene, rng: np.random.Generator) -> bool:
    a = c.albedo
    w = rng.uniform(0.1, 0.22) * c.iw
    h = rng.uniform(0.25, 0.5) * c.ih
    x0 = rng.uniform(0, c.iw - w)
    yb = c.hz + 2
    if not c.is_free(x0, yb - h, x0 + w, yb):
        return False
    col = _pick(rng, _WOOD)
    _rect(a, (x0, yb - h, x0 + w, yb), col * 0.55)
    nb = int(rng.integers(3, 6))
    for i in range(nb + 1):
        y = yb - h + i * h / nb
        _rect(a, (x0, y - 1, x0 + w, y + 1), col)
        if i == nb:
            break
        x = x0 + 2
        while x < x0 + w - 3:  # books, a few gaps
            bw = rng.uniform(0.02, 0.06) * w + 1
            bh = rng.uniform(0.5, 0.9) * h / nb
            if rng.random() < 0.8:
                _rect(a, (x, y + h / nb - bh, x + bw, y + h / nb - 1), rng.uniform(0.1, 0.9, 3))
            x += bw + 1
    return True


def _plant(c: _Scene, rng: np.random.Generator) -> bool:
    h = rng.uniform(0.12, 0.3) * c.ih
    w = h * 0.6
    x0 = rng.uniform(0, c.iw - w)
    yb = c.hz + rng.uniform(0.0, 0.15) * c.ih
    if not c.is_free(x0, yb - h, x0 + w, yb):
        return False
    pot = _pick(rng, [(0.6, 0.35, 0.25), (0.85, 0.85, 0.82), (0.2, 0.2, 0.2)])
    _poly(c.albedo, [(x0 + 0.25 * w, yb - 0.3 * h), (x0 + 0.75 * w, yb - 0.3 * h),
                     (x0 + 0.68 * w, yb), (x0 + 0.32 * w, yb)], pot)
    for _ in range(int(rng.integers(6, 12))):
        lx = x0 + w * rng.uniform(0.1, 0.9)
        ly = yb - h * rng.uniform(0.35, 0.95)
        _ell(c.albedo, (lx, ly), (w * rng.uniform(0.08, 0.2), h * rng.uniform(0.05, 0.12)),
             np.array([0.15, 0.35, 0.12]) * rng.uniform(0.6, 1.5), ang=rng.uniform(0, 180))
    return True


def _picture(c: _Scene, rng: np.random.Generator) -> bool:
    w = rng.uniform(0.08, 0.2) * c.iw
    h = w * rng.uniform(0.6, 1.3)
    x0 = rng.uniform(0, c.iw - w)
    y0 = rng.uniform(0.08, 0.3) * c.ih
    if y0 + h > c.hz - 0.15 * c.ih or not c.is_free(x0, y0, x0 + w, y0 + h, margin=4):
        return False
    fr = max(1, int(0.06 * w))
    _rect(c.albedo, (x0, y0, x0 + w, y0 + h), _pick(rng, _WOOD))
    pic = _photo_crop(rng, c.assets.photos, h - 2 * fr, w - 2 * fr)
    _paste(c.albedo, pic * 0.85, x0 + fr, y0 + fr)
    return True


def _table(c: _Scene, rng: np.random.Generator) -> bool:
    a = c.albedo
    w = rng.uniform(0.15, 0.3) * c.iw
    yb = c.hz + rng.uniform(0.1, 0.3) * (c.ih - c.hz)
    ht = rng.uniform(0.08, 0.14) * c.ih * (1 + (yb - c.hz) / c.ih)  # nearer, taller
    x0 = rng.uniform(0, c.iw - w)
    if not c.is_free(x0, yb - ht, x0 + w, yb):
        return False
    col = _pick(rng, _WOOD)
    _ell(c.shadow, (x0 + w / 2, yb), (w * 0.5, 0.03 * c.ih), (1, 1, 1))
    _rect(a, (x0, yb - ht, x0 + w, yb - ht + max(2, 0.15 * ht)), col)
    _rect(a, (x0 + 0.05 * w, yb - ht, x0 + 0.05 * w + 2, yb), col * 0.7)
    _rect(a, (x0 + 0.95 * w - 2, yb - ht, x0 + 0.95 * w, yb), col * 0.7)
    return True


def _rug(c: _Scene, rng: np.random.Generator) -> bool:
    """On the floor: never in a zone's way, always placed."""
    w = rng.uniform(0.3, 0.6) * c.iw
    floor = c.ih - c.hz
    y0 = c.hz + rng.uniform(0.05, 0.3) * floor
    y1 = min(c.ih + 10, y0 + rng.uniform(0.15, 0.4) * floor)
    x0 = rng.uniform(0, c.iw - w)
    k = (y1 - y0) * 0.3
    col = _pick(rng, _FAB)
    _poly(c.albedo, [(x0 + k, y0), (x0 + w - k, y0), (x0 + w, y1), (x0, y1)], col)
    _poly(c.albedo, [(x0 + k + 4, y0 + 2), (x0 + w - k - 4, y0 + 2), (x0 + w - 4, y1 - 2),
                     (x0 + 4, y1 - 2)], col * 0.8)
    return True


_FURNITURE: dict[str, Callable[[_Scene, np.random.Generator], bool]] = {
    "sofa": _sofa, "shelf": _shelf, "plant": _plant, "picture": _picture, "table": _table,
    "rug": _rug}


def _furnish(c: _Scene, rng: np.random.Generator) -> None:
    """2-6 items of a shuffled list (pictures, plants and shelves twice), 6 tries each."""
    items = ["sofa", "shelf", "plant", "picture", "picture", "table", "rug", "plant", "shelf"]
    rng.shuffle(items)
    for item in items[:int(rng.integers(2, 7))]:
        for _ in range(6):
            if _FURNITURE[item](c, rng):
                break


# ----------------------------------------------------------------------------- people
class _Plan(NamedTuple):
    """Where a person goes: left edge and feet row, height and width (pixels)."""

    x0: float
    feet: float
    h: float
    w: float


class _Pasted(NamedTuple):
    """A person as composited: resized, tinted, maybe mirrored; top-left corner."""

    rgb: F32
    alpha: F32
    x: int
    y: int
    skin: F32


def _height_frac(c: _Scene, feet: float) -> float:
    """A person's height over the frame's: 0.36 with the feet on the floor line, 0.74 at
    the bottom of the frame."""
    t = np.clip((feet - c.hz) / max(1.0, c.ih - c.hz), 0, 1)
    return float(0.36 + 0.38 * t)


def _feet_row(c: _Scene, rng: np.random.Generator, fam: str, pose: str, contact: float
              ) -> float:
    ih = c.ih
    if fam in ("ceiling", "fan"):
        feet = rng.uniform(c.hz + 0.08 * (ih - c.hz), ih * 0.995)
    elif pose == "stand":  # at the device's floor contact
        lo = -0.02 if fam in _FLOOR else 0.01
        feet = contact + rng.uniform(lo, 0.06) * ih
    else:  # point: level with the device or nearer the camera
        feet = contact - 0.01 * ih + (ih - contact) * rng.random() ** 1.5
    return float(np.clip(feet, c.hz + 3, ih - 1))


class _Target(NamedTuple):
    fam: str
    zone: _Zone
    contact: int  # the floor row under it


def _plan_person(c: _Scene, rng: np.random.Generator, target: _Target, pose: str,
                 person: _Person) -> _Plan:
    """Beside the target (under it to stand by a ceiling device): the first of 14 draws that
    covers under a quarter of the zone and stays in frame, else the best of them."""
    fam = target.fam
    x0z, y0z, x1z, y1z = target.zone
    ar = person.rgb.shape[1] / person.rgb.shape[0]
    best, best_score = None, -1e9
    for attempt in range(14):
        feet = _feet_row(c, rng, fam, pose, target.contact)
        hp = _height_frac(c, feet) * c.ih * rng.uniform(0.93, 1.07)
        wp = hp * ar
        bw = wp * 0.8  # body width (the cut-out has small margins)
        if pose == "stand" and fam in ("ceiling", "fan"):
            x0 = (x0z + x1z) / 2 + rng.uniform(-0.3, 0.3) * (x1z - x0z) - wp / 2
        else:
            side = rng.choice([-1, 1])
            room_r, room_l = c.iw - x1z, x0z
            if attempt < 10:  # the side with room first; the last tries either side
                if room_r < wp * 0.9 and room_l > room_r:
                    side = -1
                elif room_l < wp * 0.9 and room_r > room_l:
                    side = 1
            gap = rng.uniform(-0.15, 0.25) * bw if pose == "stand" else rng.uniform(0.0, 2.0) * bw
            if fam == "vacuum" and pose == "stand":
                gap = rng.uniform(-0.3, 0.1) * bw
            x0 = x1z + gap - 0.1 * wp if side > 0 else x0z - gap - wp + 0.1 * wp
        ox = max(0.0, min(x0 + wp * 0.9, x1z) - max(x0 + wp * 0.1, x0z))
        oy = max(0.0, min(feet, y1z) - max(feet - hp, y0z))
        cover = ox * oy / max(1.0, (x1z - x0z) * (y1z - y0z))
        out = max(0.0, -x0) + max(0.0, x0 + wp - c.iw)
        plan = _Plan(x0, feet, hp, wp)
        if cover < 0.25 and out < 0.15 * wp:
            return plan
        score = -cover * 4 - out / wp * 2
        if score > best_score:
            best, best_score = plan, score
    assert best is not None  # the first draw scores above -1e9
    return best


def _plan_free(c: _Scene, rng: np.random.Generator, person: _Person) -> _Plan | None:
    """Somewhere on the floor with 0.6 body widths clear of every zone's columns (25 tries)."""
    ar = person.rgb.shape[1] / person.rgb.shape[0]
    for _ in range(25):
        feet = rng.uniform(c.hz + 0.05 * (c.ih - c.hz), c.ih * 0.995)
        hp = _height_frac(c, feet) * c.ih * rng.uniform(0.93, 1.07)
        wp = hp * ar
        x0 = rng.uniform(-0.1 * wp, c.iw - 0.9 * wp)
        if not any(x0 - 0.6 * wp < d and x0 + 1.6 * wp > a for a, _, d, _ in c.zbox):
            return _Plan(x0, feet, hp, wp)
    return None


def _paste_person(c: _Scene, rng: np.random.Generator, person: _Person, plan: _Plan
                  ) -> _Pasted | None:
    """The person into the albedo (so the room's light falls on them too) on a contact
    shadow, hiding the emission behind; None when wholly out of frame."""
    flip = rng.random() < 0.5
    hpi, wpi = max(8, round(plan.h)), max(3, round(plan.w))
    r = cv2.resize(person.rgb, (wpi, hpi), interpolation=cv2.INTER_LINEAR)
    a = cast(F32, cv2.resize(person.alpha, (wpi, hpi), interpolation=cv2.INTER_LINEAR))
    head_x = person.head_x
    if flip:
        r, a = r[:, ::-1], a[:, ::-1]
        head_x = 1 - head_x
    # another shirt colour and brightness
    r = np.clip(r * rng.uniform(0.8, 1.2, 3).astype(np.float32) * rng.uniform(0.8, 1.25), 0, 1)
    if c.backlit:
        r = r * rng.uniform(0.35, 0.7)
    xi, yi = round(plan.x0), round(plan.feet - hpi)
    ax0, ay0, ax1, ay1 = max(0, xi), max(0, yi), min(c.iw, xi + wpi), min(c.ih, yi + hpi)
    if ax1 <= ax0 or ay1 <= ay0:
        return None
    _ell(c.shadow, (xi + wpi / 2, plan.feet - 1), (0.45 * wpi, 0.035 * hpi + 1), (1, 1, 1))
    rs = r[ay0 - yi:ay1 - yi, ax0 - xi:ax1 - xi]
    cover = a[ay0 - yi:ay1 - yi, ax0 - xi:ax1 - xi][..., None]
    region = c.albedo[ay0:ay1, ax0:ax1]
    region *= (1 - cover)
    region += rs * cover
    for layer in (c.lamps, c.screens, c.window):
        layer[ay0:ay1, ax0:ax1] *= (1 - cover)
    c.occ[ay0:ay1, ax0:ax1] = np.maximum(c.occ[ay0:ay1, ax0:ax1], cover[..., 0])
    c.eyes.append((xi + head_x * wpi, yi + 0.075 * hpi, hpi))
    skin = _pick(rng, _SKIN)
    c.skin.append((xi + head_x * wpi, yi + 0.07 * hpi, 0.06 * hpi))
    return _Pasted(r, a, xi, yi, skin)


def _draw_arm(c: _Scene, rng: np.random.Generator, p: _Pasted, aim: Point) -> None:
    """An arm from the shoulder (20 % down the silhouette's edge on the target's side) towards
    aim, slightly bent, 18-40 % of the body long; sleeve = the torso's median colour."""
    hpi, wpi = p.alpha.shape
    tx, ty = aim
    sy = p.y + 0.2 * hpi
    cols = np.nonzero(p.alpha[int(0.2 * hpi)] > 0.5)[0]
    side = 1 if tx >= p.x + wpi / 2 else -1
    if len(cols):
        sx = p.x + (cols[-1] if side > 0 else cols[0]) - side * 0.05 * hpi
    else:
        sx = p.x + wpi / 2 + side * 0.12 * hpi
    dx, dy = tx - sx, ty - sy
    dist = float(np.hypot(dx, dy)) + 1e-6
    ux, uy = dx / dist, dy / dist
    length = min(0.4 * hpi, max(0.18 * hpi, dist - 0.02 * hpi))
    torso = p.rgb[int(0.25 * hpi):int(0.45 * hpi), int(0.3 * wpi):int(0.7 * wpi)].reshape(-1, 3)
    sleeve = np.median(torso, 0) if len(torso) else np.array([0.3, 0.3, 0.3])
    bend = rng.uniform(-0.12, 0.12)
    ex = sx + 0.5 * length * ux - bend * length * uy
    ey = sy + 0.5 * length * uy + bend * length * ux
    hx, hy = sx + length * ux, sy + length * uy
    th = max(2, 0.055 * hpi)
    arm = np.zeros((c.ih, c.iw), np.uint8)  # where the arm is: it hides emission, bright in IR
    for img, col in ((c.albedo, sleeve), (arm, (255,))):
        _line(img, (sx, sy), (ex, ey), col, th)
        _line(img, (ex, ey), (hx - 0.04 * hpi * ux, hy - 0.04 * hpi * uy), col, th * 0.85)
    for img, col in ((c.albedo, p.skin), (arm, (255,))):  # the hand and a finger
        _ell(img, (hx - 0.02 * hpi * ux, hy - 0.02 * hpi * uy),
             (0.028 * hpi + 0.5, 0.028 * hpi + 0.5), col)
        _line(img, (hx, hy), (hx + 0.045 * hpi * ux, hy + 0.045 * hpi * uy), col,
              max(1, 0.014 * hpi))
    m = arm > 0
    for layer in (c.lamps, c.screens, c.window):
        layer[m] = 0
    c.occ[m] = 1.0
    c.skin.append((hx, hy, 0.03 * hpi))


def _add_person(c: _Scene, rng: np.random.Generator, person: _Person, plan: _Plan,
                aim: Point | None) -> None:
    pasted = _paste_person(c, rng, person, plan)
    if pasted is not None and aim is not None:
        _draw_arm(c, rng, pasted, aim)


# ----------------------------------------------------------------------------- light, camera
def _illumination(c: _Scene, rng: np.random.Generator) -> F32:
    """Day or evening light at 24x32, then full size: ambient with a gradient and a colour
    cast, a pool per light that is on (dimmer by day), daylight around a window."""
    ih, iw = c.ih, c.iw
    gh, gw = 24, 32
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    yy = (yy + 0.5) * ih / gh
    xx = (xx + 0.5) * iw / gw
    light = np.zeros((gh, gw, 3), np.float32)
    if c.mode == "day":
        amb = rng.uniform(0.45, 1.1)
        cast_col = _pick(rng, [(0.85, 0.92, 1.08), (0.95, 0.97, 1.0), (1.0, 1.0, 1.0),
                               (0.8, 0.9, 1.12), (1.05, 0.98, 0.88)])
        lamp_k = 0.35
    else:  # warm, cool or greenish artificial light
        amb = rng.uniform(0.03, 0.35)
        cast_col = _pick(rng, [(1.1, 0.85, 0.6), (1.15, 0.9, 0.55), (1.0, 0.9, 0.75),
                               (0.9, 1.0, 0.85), (0.8, 0.85, 1.1)])
        lamp_k = 1.0
    g = 1 + rng.uniform(-0.35, 0.35) * (xx / iw - 0.5) + rng.uniform(-0.3, 0.3) * (yy / ih - 0.5)
    light += (amb * g)[..., None] * cast_col
    for lt in c.lights:
        f = np.exp(-0.5 * (((xx - lt.cx) / lt.sx) ** 2 + ((yy - lt.cy) / lt.sy) ** 2))
        light += (f * lt.k * lamp_k)[..., None] * lt.col
    if c.mode == "day" and c.window_box is not None:
        x0, y0, x1, y1 = c.window_box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        # daylight on the wall around the window and a patch on the floor in front of it
        f = np.exp(-0.5 * (((xx - cx) / (0.35 * iw)) ** 2 + ((yy - cy) / (0.35 * ih)) ** 2))
        f2 = np.exp(-0.5 * (((xx - cx - rng.uniform(-0.2, 0.2) * iw) / (0.2 * iw)) ** 2
                            + ((yy - (c.hz + 0.35 * (ih - c.hz))) / (0.12 * ih)) ** 2))
        light += (((0.5 * f + 0.6 * f2) * c.win_gain * 0.4)[..., None]
                  * np.array([0.9, 0.95, 1.05], np.float32))
    return cast(F32, cv2.resize(light, (iw, ih), interpolation=cv2.INTER_LINEAR))


def _infrared(c: _Scene, rng: np.random.Generator, xx: F32, yy: F32, r2: F32) -> F32:
    """A night frame under the camera's IR illuminator, 0..1 RGB (almost grey)."""
    ih, iw = c.ih, c.iw
    # IR reflectance: grey, fabrics and skin bright
    g: Floats = c.albedo @ np.array([0.4, 0.35, 0.25], np.float32)
    g = 0.12 + 0.95 * np.power(g, rng.uniform(0.55, 0.8))
    g = g * (1 - c.occ) + np.clip(g * rng.uniform(1.0, 1.25) + 0.06, 0, 1.1) * c.occ
    # the illuminator's hot spot, off centre, and strong vignetting
    ox, oy = rng.uniform(-0.2, 0.2), rng.uniform(-0.1, 0.3)
    rr = (xx - ox) ** 2 + (yy - oy) ** 2
    s = rng.uniform(0.35, 0.8)
    ill = 0.25 + rng.uniform(1.0, 1.8) * np.exp(-rr / s) + 0.25 * (yy + 1)
    ill = ill * np.clip(1 - rng.uniform(0.4, 0.75) * r2, 0.05, 1)
    img = g * ill
    if c.skin:
        sm = np.zeros((ih, iw), np.float32)
        for x, y, r in c.skin:
            _ell(sm, (x, y), (r * 0.7, r * 0.9), (1.0,))
        img = img * (1 + rng.uniform(0.3, 0.6) * sm)
    if rng.random() < 0.8:  # eyes retro-reflect the illuminator
        for x, y, hp in c.eyes:
            d = max(1.0, 0.018 * hp)
            for s_ in (-1, 1):
                _ell(img, (x + s_ * d, y), (max(1, 0.006 * hp), max(1, 0.006 * hp)), (3.0,))
    incandescent = rng.random() < 0.65  # else LED lamps: no IR, they vanish
    el = c.lamps.max(2)
    img = (img + el * (rng.uniform(1.5, 4.0) if incandescent else 0.15)
           + c.screens.mean(2) * 0.25 + c.window.mean(2) * 0.3)
    if incandescent:  # bloom around the saturated lamps
        img += cv2.GaussianBlur(el, (0, 0), 4) * 0.8
    gain = rng.uniform(0.6, 1.2) / max(0.05, float(np.mean(img[::8, ::8])) / 0.45)
    img = img * gain
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.3))
    img = img + rng.standard_normal((ih, iw), dtype=np.float32) * rng.uniform(0.015, 0.05)
    img = np.clip(img, 0, 1)
    tint = np.array(_pick(rng, [(1, 1, 1), (1, 1, 1), (0.97, 1.0, 0.97), (1.0, 0.96, 1.0)]),
                    np.float32)
    return cast(F32, img[..., None] * tint)


def _visible(c: _Scene, rng: np.random.Generator, r2: F32) -> F32:
    """A day or evening frame, 0..1 RGB: albedo x light + emission, then auto exposure on the
    whole frame (a bright window darkens the room) with its error, a white-balance error, a
    soft shoulder and gamma, blur, noise that grows with the gain."""
    ih, iw = c.ih, c.iw
    img = c.albedo * _illumination(c, rng)
    img += c.lamps + c.screens + c.window
    if c.lamps.any():  # bloom
        img += cv2.GaussianBlur(c.lamps, (0, 0), 5) * 0.6
    img *= np.clip(1 - rng.uniform(0.0, 0.45) * r2, 0, 1)[..., None]  # vignette
    lum = img[::6, ::6].mean()
    gain = (rng.uniform(0.35, 0.5) / max(0.02, float(lum))
            * float(np.exp(rng.normal(0, 0.35))))
    gain = min(gain, 12.0)
    img *= gain
    img *= rng.uniform(0.9, 1.1, 3).astype(np.float32)
    img = img / (1 + 0.15 * img)
    img = np.power(np.clip(img, 0, None), rng.uniform(0.85, 1.1))
    s = rng.uniform(0.0, 1.1)
    if s > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), s)
    nz = (0.008 + 0.012 * min(gain, 8.0) / 4) * rng.uniform(0.5, 1.5)
    img += rng.standard_normal((ih, iw, 1), dtype=np.float32) * nz
    chroma = cv2.resize(rng.standard_normal((ih // 4, iw // 4, 3)).astype(np.float32), (iw, ih),
                        interpolation=cv2.INTER_LINEAR)
    img += chroma * nz * 0.6
    return cast(F32, np.clip(img, 0, 1))


def _finish(c: _Scene, rng: np.random.Generator) -> npt.NDArray[np.uint8]:
    """Light, exposure and camera: the RGB uint8 frame."""
    ih, iw = c.ih, c.iw
    np.clip(c.albedo, 0, 1, out=c.albedo)
    c.albedo *= (1 - 0.45 * cv2.GaussianBlur(c.shadow, (0, 0), 2.5))[..., None]
    yy = np.linspace(-1, 1, ih, dtype=np.float32)[:, None]
    xx = np.linspace(-1, 1, iw, dtype=np.float32)[None, :]
    r2 = xx * xx * 0.8 + yy * yy * 0.8
    out = _infrared(c, rng, xx, yy, r2) if c.mode == "ir" else _visible(c, rng, r2)
    u8 = (out * 255 + 0.5).astype(np.uint8)
    # a slight tilt, zoom and shift (zones stay within ~1-2 % of the frame)
    warp = cv2.getRotationMatrix2D((iw / 2, ih / 2), rng.uniform(-1.2, 1.2),
                                   rng.uniform(1.0, 1.02))
    warp[:, 2] += rng.uniform(-0.008, 0.008, 2) * np.array([iw, ih])
    u8 = cast(U8, cv2.warpAffine(u8, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_REFLECT))
    quality = int(rng.integers(35, 92))
    _, enc = cv2.imencode(".jpg", u8[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    bgr = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(bgr[..., ::-1], np.uint8)


# ----------------------------------------------------------------------------- frame
def _zone_boxes(zones: Mapping[str, tuple[float, ...]], kinds: Mapping[str, str] | None,
                ih: int, iw: int) -> tuple[dict[str, str], dict[str, _Zone]]:
    """Each device's family (from its hint, else guessed from its id and zone) and zone in
    pixels."""
    fams, boxes = {}, {}
    for dev, (x, y, w, h) in zones.items():
        kind = (kinds or {}).get(dev) or _guess_kind(dev, (x, y, w, h))
        fams[dev] = _family(kind, (x, y, w, h))
        boxes[dev] = _Zone(round(x * iw), round(y * ih), round((x + w) * iw),
                           round((y + h) * ih))
    return fams, boxes


def _draw_devices(c: _Scene, rng: np.random.Generator, fams: Mapping[str, str],
                  boxes: Mapping[str, _Zone], on: Mapping[str, bool]) -> dict[str, int]:
    """Supports, then the devices from the farthest (highest bottom) on. Each device's floor
    contact row: where a person standing by it puts their feet."""
    contact = {}
    for dev, fam in fams.items():
        if fam in _SUPPORTED:
            contact[dev] = _draw_support(c, rng, fam, boxes[dev])
        elif fam in ("ceiling", "fan"):
            contact[dev] = c.hz
        else:
            contact[dev] = max(c.hz, boxes[dev].y1)
    for dev in sorted(fams, key=lambda d: boxes[d].y1):
        _draw_device(c, rng, fams[dev], boxes[dev], on[dev])
    return contact


def render_alt3_scene(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
                      target: str | None, pose: Pose, *, split: Split = "train",
                      kinds: Mapping[str, str] | None = None,
                      states: Mapping[str, bool] | None = None,
                      size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of shape (size[0], size[1], 3) of a room with the zones' devices.

    zones: device id -> (x, y, w, h), fractions of the frame (Frigate-style); target: the
    device pointed at or stood by (ignored for pose "none"); kinds: device id -> a hint such
    as "light floor lamp" (else guessed from the id's words and the zone); states: device id
    -> on (else drawn at random)."""
    assets = assets_for(split, pose, target, zones, _load_assets)
    ih, iw = int(size[0]), int(size[1])
    u = rng.random()
    mode = "ir" if u < 0.33 else ("day" if u < 0.68 else "evening")
    win_gain = rng.uniform(1.3, 4.0)
    fzones = {dev: tuple(float(v) for v in z) for dev, z in zones.items()}
    fams, boxes = _zone_boxes(fzones, kinds, ih, iw)
    on = {dev: bool(states[dev]) if states and dev in states else bool(rng.random() < 0.5)
          for dev in zones}
    hz = _wall_floor_line(rng, fzones, fams, ih)
    albedo = _room_albedo(rng, assets.textures, hz, ih, iw)
    c = _Scene(ih=ih, iw=iw, assets=assets, mode=mode, win_gain=win_gain,
               zbox=[(b.x0, b.y0, b.x1, b.y1) for b in boxes.values()], hz=hz, albedo=albedo,
               support_col=_pick(rng, _WOOD))
    if "blinds" not in fams.values() and rng.random() < 0.55:
        _window(c, rng)
    _furnish(c, rng)
    contact = _draw_devices(c, rng, fams, boxes, on)
    c.backlit = c.mode == "day" and c.window_box is not None and rng.random() < 0.5
    if pose != "none":
        assert target is not None
        person = assets.people[rng.integers(len(assets.people))]
        z = boxes[target]
        plan = _plan_person(c, rng, _Target(fams[target], z, contact[target]), pose, person)
        _add_person(c, rng, person, plan, (z.cx, z.cy) if pose == "point" else None)
    elif rng.random() < 0.5:  # a passer-by away from every device
        person = assets.people[rng.integers(len(assets.people))]
        free = _plan_free(c, rng, person)
        if free is not None:
            _add_person(c, rng, person, free, None)
    return _finish(c, rng)
