"""Camera frames of smart-home rooms drawn a fourth way, written independently of the three
renderers under export/ (scenes_real.py, scenes_alt.py, scenes_alt2.py).

It exists only to measure how the camera carries over to frames made in a way training never
saw (`bench/benchmark_eye.py --renderer unseen`): nothing under export/ may import it, so no
training set holds its frames. It shares no drawing or extraction code with the other three:
its own room geometry (a frontal box with side walls through one vanishing point, or a two-wall
corner seen from high up; per-column floor and ceiling lines; a floor homography), its own
people extraction (per-split median background, GrabCut, a height-vs-feet-row fit, a two-heads
test) and its own pointing arm (upper arm and forearm from the torso's edge, hand, finger).

Synthetic: all of a frame is drawn here (room, furniture, decor, counters under table-top
devices, each device by its kind, on or off, the arm, the person's shadow; light: ambient
level, colour cast, gradient, vignette, lamp light and glow, self-luminous parts; camera: small
tilt/zoom/perspective warp, blur, noise, night mode, JPEG). The real pixels in it: wall/floor
textures, photographs (tv, pictures, window views) and pedestrians cut from opencv-doc's
vtest.avi.

Poses: "point" (a person beside the target, an arm drawn towards its centre), "stand" (a
person at touching distance of the target, under it for a ceiling device), "none" (target
ignored: nobody in 40 % of the frames, else a person away from every zone).

Held-out split (the default): `split="heldout"` takes its textures, photographs and people from
sources `split="train"` never uses: TEXTURES, PHOTOS and FRAMES (vtest.avi frame ranges,
half-open) below, the training renderers' own split, so a held-out frame shares no source with
any training frame. Same rng state and arguments = same frame. A split's cut-outs are extracted
when first used (about 10 s) and cached like export/people.py's (`cache_dir()`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Cutout, Split, cached_cutouts, video_frames, video_path
from export.scene_sources import FRAMES, PHOTOS, TEXTURES, assets_for, load_source_image, people_npz

Pose = Literal["point", "stand", "none"]
Rgb = npt.NDArray[np.uint8]  # (H, W, 3) RGB
Bgr = npt.NDArray[np.uint8]  # (H, W, 3) BGR, as OpenCV decodes video
Mask = npt.NDArray[np.uint8]  # (H, W), > 0 where self-luminous
F32 = npt.NDArray[np.float32]
Floats64 = npt.NDArray[np.float64]
Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
Point = tuple[float, float]
ColourLike = Sequence[float] | npt.NDArray[Any]

# The sources and their split, shared by the renderers (export/scene_sources.py).

_PEOPLE_VERSION = "unseen-people-v1"  # bump when the extraction changes: the cache key has it
# GrabCut's k-means starts from OpenCV's global RNG: seeded per split, a split's cut-outs do not
# depend on what ran before in the process nor on the other split.
_PEOPLE_SEED = 0
_BACKGROUND_STEP = 5  # every 5th frame of the split goes into its median background
_PEOPLE_STEP = 4  # every 4th frame is searched for people


# ----------------------------------------------------------------------------- people
class _Found(NamedTuple):
    """A cut-out before the one-person filters: RGBA, feet row and height in the video."""

    rgba: npt.NDArray[np.uint8]
    foot: int
    h: int
    frame: int


def _grabcut(crop: Bgr, comp: npt.NDArray[np.bool_], box: tuple[int, int, int, int]
             ) -> tuple[npt.NDArray[np.uint8], int, int] | None:
    """GrabCut of a blob's padded crop, seeded from the blob (comp) and its box (x, y, w, h in
    the crop): (RGBA, bottom row in the crop, height) of the largest part, holes filled, or
    None when it is not shaped like one upright person."""
    bx, by, bw, bh = box
    cm = comp.astype(np.uint8)
    gm = np.full(cm.shape, cv2.GC_BGD, np.uint8)
    gm[by:by + bh, bx:bx + bw] = cv2.GC_PR_BGD
    gm[cv2.dilate(cm, np.ones((5, 5), np.uint8)) > 0] = cv2.GC_PR_FGD
    gm[cv2.erode(cm, np.ones((5, 5), np.uint8)) > 0] = cv2.GC_FGD
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    try:
        # rect is unused with GC_INIT_WITH_MASK; the stubs do not allow None for it
        cv2.grabCut(crop, gm, None, bgd, fgd, 3, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    except cv2.error:
        return None
    fm = ((gm == cv2.GC_FGD) | (gm == cv2.GC_PR_FGD)).astype(np.uint8)
    n, lab, st, _ = cv2.connectedComponentsWithStats(fm)
    if n < 2:
        return None
    fm = (lab == 1 + int(np.argmax(st[1:, 4]))).astype(np.uint8)
    ff = fm.copy()
    hh, ww = ff.shape
    cv2.floodFill(ff, np.zeros((hh + 2, ww + 2), np.uint8), (0, 0), 1)
    fm = fm | (1 - ff)  # the holes: what the flood from the corner did not reach
    ys, xs = np.nonzero(fm)
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    h, w = y1 - y0, x1 - x0
    area = int(fm.sum())
    if h < 50 or not 1.9 <= h / w <= 4.8 or area < 0.33 * h * w or area > 0.8 * h * w:
        return None
    rgba = np.dstack([crop[y0:y1, x0:x1, ::-1], fm[y0:y1, x0:x1] * 255]).astype(np.uint8)
    return rgba, y1, h


def _people_in(frame: Bgr, bg: Bgr, index: int) -> list[_Found]:
    """The person-shaped blobs of one frame: colour difference > 35, close/open, connected
    components of an upright person's size and shape, each refined by GrabCut."""
    src_h, src_w = frame.shape[:2]
    d = cv2.absdiff(frame, bg).max(axis=2)
    m = (d > 35).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE,
                         cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 11)))
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    n, lab, st, _ = cv2.connectedComponentsWithStats(m)
    out = []
    for j in range(1, n):
        x, y, w, h, a = (int(v) for v in st[j])
        if h < 55 or h > 220 or w < 14 or not 1.9 <= h / w <= 4.6 or a < 0.35 * w * h:
            continue
        if x < 3 or y < 3 or x + w > src_w - 3 or y + h > src_h - 3:
            continue  # cut by the frame's edge
        x0, y0 = max(0, x - 12), max(0, y - 12)
        x1, y1 = min(src_w, x + w + 12), min(src_h, y + h + 12)
        found = _grabcut(frame[y0:y1, x0:x1].copy(), lab[y0:y1, x0:x1] == j,
                         (x - x0, y - y0, w, h))
        if found is not None:
            rgba, bottom, height = found
            out.append(_Found(rgba, y0 + bottom, height, index))
    return out


def _extract_split(video: Path, split: str) -> list[_Found]:
    """Every person-shaped cut-out of the split's frames, against the median of the split's
    own frames (no pixel of the other split's range is read)."""
    span = FRAMES[split]
    sampled = [f for _, f in video_frames(video, span, _BACKGROUND_STEP)]
    if not sampled:
        raise AssetError(f"{video}: no frame readable in {span[0]}-{span[1]}")
    bg = np.median(np.stack(sampled), axis=0).astype(np.uint8)
    del sampled
    cv2.setRNGSeed(_PEOPLE_SEED)
    found = []
    for index, frame in video_frames(video, span, _PEOPLE_STEP):
        found.extend(_people_in(frame, bg, index))
    return found


def _is_group(rgba: npt.NDArray[np.uint8]) -> bool:
    """Two people in one cut-out: two heads (a second top well away from the highest one, with
    a dip between) or a head row as wide as a body."""
    a = rgba[..., 3] > 128
    h, w = a.shape
    t = np.array([np.argmax(a[:, x]) if a[:, x].any() else h for x in range(w)], float)
    g = int(np.argmin(t))
    for x in range(w):
        if (abs(x - g) > 0.25 * w and t[x] < 0.25 * h
                and t[min(x, g):max(x, g) + 1].max() - t[x] > 0.06 * h):
            return True
    top = int(t.min())
    r = a[min(h - 1, int(top + 0.07 * h))]
    d = np.diff(np.r_[0, r.astype(np.int8), 0])
    if (d == 1).sum() > 1 and r.sum() > 0.3 * w:
        return True
    return bool(r.sum() > 0.75 * max(1, a[int(0.3 * h)].sum()))


def _single_people(found: list[_Found]) -> list[Cutout]:
    """Drops cut-outs of two people: one behind the other (over the plaza a person's height is
    about linear in the row of the feet; two stacked are taller) or side by side."""
    if not found:
        return []
    foot = np.array([p.foot for p in found], float)
    hh = np.array([p.h for p in found], float)
    keep = np.ones(len(found), bool)
    for _ in range(3):  # fit, trim the outliers, fit again
        a, b = np.polyfit(foot[keep], hh[keep], 1)
        ratio = hh / np.maximum(1.0, a * foot + b)
        keep = (ratio > 0.8) & (ratio < 1.18)
    return [Cutout(p.rgba, p.frame) for p, k in zip(found, keep, strict=True)
            if k and not _is_group(p.rgba)]


@lru_cache(maxsize=2)
def _split_people(video: Path, split: str) -> tuple[Cutout, ...]:
    """One split's cut-outs, from the disk cache or extracted (then cached)."""
    return cached_cutouts(people_npz(video, _PEOPLE_VERSION, f"-{split}"),
                          lambda: _single_people(_extract_split(video, split)))


def _sleeve(rgba: npt.NDArray[np.uint8]) -> tuple[int, ...]:
    """The median colour of the torso (rows 22-45 %): the drawn arm's sleeve."""
    a = rgba[..., 3] > 128
    h = rgba.shape[0]
    torso = rgba[int(0.22 * h):int(0.45 * h), :, :3][a[int(0.22 * h):int(0.45 * h)]]
    col = np.median(torso, axis=0) if len(torso) else np.array([60, 60, 60])
    return tuple(int(v) for v in col)


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Assets:
    textures: tuple[tuple[F32, F32], ...]  # (RGB 0..1, standardised luminance), <= 256 px
    photos: tuple[Rgb, ...]  # <= 200 px
    people: tuple[npt.NDArray[np.uint8], ...]  # RGBA, feet on the bottom row
    sleeves: tuple[tuple[int, ...], ...]  # each person's torso colour


def _small(im: Rgb, side: int) -> Rgb:
    """Shrunk (never enlarged) to fit side x side."""
    h, w = im.shape[:2]
    s = side / max(h, w)
    if s < 1:
        im = np.asarray(cv2.resize(im, (max(1, int(w * s)), max(1, int(h * s))),
                                   interpolation=cv2.INTER_AREA), np.uint8)
    return np.ascontiguousarray(im)


def _texture(spec: tuple[str, str], im: Rgb) -> tuple[F32, F32]:
    """(RGB 0..1, standardised luminance: the detail walls are given)."""
    if spec[1] == "retina":  # the fundus photo without its black surround
        n = im.shape[0]
        im = im[int(0.3 * n):int(0.7 * n), int(0.3 * n):int(0.7 * n)]
    rgb = _small(im, 256).astype(np.float32) / 255.0
    g = rgb.mean(axis=2)
    det = (g - g.mean()) / (g.std() + 1e-6)
    return rgb, det.astype(np.float32)


@lru_cache(maxsize=4)
def _load_assets(split: str, data_dir: Path) -> _Assets:
    """Keyed by the data directory too, so that another MILM_OPENCV_DATA is looked at."""
    people = tuple(c.rgba for c in _split_people(video_path(), split))
    if not people:
        raise AssetError(f"no {split} person cut out of vtest.avi frames {FRAMES[split]}")
    return _Assets(
        textures=tuple(_texture(s, load_source_image(s, data_dir)) for s in TEXTURES[split]),
        photos=tuple(_small(load_source_image(s, data_dir), 200) for s in PHOTOS[split]),
        people=people, sleeves=tuple(_sleeve(p) for p in people))


# ----------------------------------------------------------------------------- drawing
# img is RGB uint8; emis marks self-luminous pixels (0..255), which the room's light does not
# dim: a shape marks them when it is given emis and a non-zero level e.
def _c(col: ColourLike, f: float = 1.0) -> tuple[int, ...]:
    """A colour scaled by f as OpenCV takes it: ints, clipped to 0..255."""
    return tuple(int(max(0, min(255, v * f))) for v in col)


def _pt(x: float, y: float) -> tuple[int, int]:
    return (round(x), round(y))


def _poly(img: Rgb, pts: Sequence[Sequence[float]], col: ColourLike, *,
          emis: Mask | None = None, e: int = 0) -> None:
    p = np.array([[round(x), round(y)] for x, y in pts], np.int32)
    cv2.fillPoly(img, [p], _c(col), cv2.LINE_AA)
    if emis is not None and e:
        cv2.fillPoly(emis, [p], int(e))


def _rect(img: Rgb, box: Box4, col: ColourLike, *, emis: Mask | None = None, e: int = 0
          ) -> None:
    x0, y0, x1, y1 = box
    _poly(img, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], col, emis=emis, e=e)


def _ell(img: Rgb, c: Point, axes: Point, col: ColourLike, *, emis: Mask | None = None,
         e: int = 0, arc: tuple[int, int] = (0, 360), thick: int = -1) -> None:
    """A filled ellipse (or its outline of width thick) centred at c, semi-axes rounded."""
    ax, ay = max(1, round(axes[0])), max(1, round(axes[1]))
    cv2.ellipse(img, _pt(*c), (ax, ay), 0, arc[0], arc[1], _c(col), thick, cv2.LINE_AA)
    if emis is not None and e:
        cv2.ellipse(emis, _pt(*c), (ax, ay), 0, arc[0], arc[1], int(e), thick)


def _line(img: Rgb, p: Point, q: Point, col: ColourLike, t: float = 1) -> None:
    cv2.line(img, _pt(*p), _pt(*q), _c(col), max(1, round(t)), cv2.LINE_AA)


def _blend_poly(img: Rgb, pts: Sequence[Sequence[float]], col: ColourLike, alpha: float
                ) -> None:
    """A polygon at opacity alpha."""
    p = np.array([[round(x), round(y)] for x, y in pts], np.int32)
    ih, iw = img.shape[:2]
    x0, y0 = max(0, p[:, 0].min()), max(0, p[:, 1].min())
    x1, y1 = min(iw, p[:, 0].max() + 1), min(ih, p[:, 1].max() + 1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = img[y0:y1, x0:x1]
    ov = roi.copy()
    cv2.fillPoly(ov, [p - [x0, y0]], _c(col), cv2.LINE_AA)
    cv2.addWeighted(ov, alpha, roi, 1 - alpha, 0, dst=roi)


def _ellipse_pts(c: Point, axes: tuple[int, int], delta: int) -> list[list[int]]:
    """An ellipse as a polygon (vertices every delta degrees)."""
    pts: list[list[int]] = np.asarray(cv2.ellipse2Poly(_pt(*c), axes, 0, 0, 360, delta)).tolist()
    return pts


def _put_photo(img: Rgb, photo: Rgb, box: Box4, rng: np.random.Generator, *,
               emis: Mask | None = None, e: int = 0) -> None:
    """A random crop of the photo with the box's aspect, resized into it (clipped)."""
    ih, iw = img.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    ph, pw = photo.shape[:2]
    asp = (x1 - x0) / (y1 - y0)
    cw = min(pw, int(ph * asp))
    ch = min(ph, int(cw / asp))
    cw = max(2, int(cw * rng.uniform(0.6, 1.0)))
    ch = max(2, int(ch * (cw / max(1, min(pw, int(ph * asp))))))
    ch = min(ch, ph)
    ox = int(rng.integers(0, pw - cw + 1))
    oy = int(rng.integers(0, ph - ch + 1))
    crop = photo[oy:oy + ch, ox:ox + cw]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(iw, x1), min(ih, y1)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    res = cv2.resize(crop, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    img[cy0:cy1, cx0:cx1] = res[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    if emis is not None and e:
        emis[cy0:cy1, cx0:cx1] = e


# ----------------------------------------------------------------------------- kinds
def _guess_kind(dev: str, zone: tuple[float, float, float, float]) -> str:
    """A kind hint ("type name") from the id's words and the zone's (x, y, w, h)."""
    s = dev.lower()
    _, y, w, h = zone
    top = y <= 0.01

    def has(*words: str) -> bool:
        return any(k in s for k in words)

    if has("tv", "television", "telly", "screen"):
        return "media_player tv"
    if has("speaker", "sonos", "audio", "stereo", "sound"):
        return "media_player speaker"
    if has("blind", "curtain", "shade", "shutter", "window"):
        return "cover blinds"
    if has("vacuum", "roomba", "robot", "mop"):
        return "vacuum robot vacuum"
    if has("fan"):
        return "fan ceiling fan" if top else "fan fan"
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
        if h >= 0.35 and h >= 2.5 * w:
            return "light floor lamp"
        if has("desk", "office", "study"):
            return "light desk lamp"
        return "light bedside lamp"
    if has("light", "ceiling", "chandelier", "bulb", "pendant"):
        if top:
            return "light ceiling light"
        return "light floor lamp" if h >= 0.35 and h >= 2.5 * w else "light lamp"
    if top:
        return "light ceiling light"
    return "switch device"


def _draw_kind(kind: str, top: bool, zh: float, zw: float) -> str:
    """What to draw for a kind hint, a zone at the top edge and the zone's height/width."""
    k = kind.lower()
    if "fan" in k:
        return "ceilfan" if (top or "ceiling" in k) else "standfan"
    if "vacuum" in k:
        return "vacuum"
    if "tv" in k.split() or "television" in k or "screen" in k:
        return "tv"
    if "speaker" in k or "media_player" in k:
        return "speaker"
    if "blind" in k or "cover" in k or "curtain" in k or "shade" in k:
        return "blinds" if "garage" not in k else "door"
    if "coffee" in k or "espresso" in k:
        return "coffee"
    if "kettle" in k:
        return "kettle"
    if "router" in k or "wifi" in k or "modem" in k:
        return "router"
    if "plug" in k or "socket" in k:
        return "plug"
    if "thermostat" in k or "climate" in k:
        return "thermostat"
    if "lock" in k or "door" in k:
        return "door"
    if "light" in k or "lamp" in k:
        if top or "ceiling" in k:
            return "ceiling"
        if "floor" in k or (zh >= 0.35 and zh >= 2.5 * zw):
            return "floorlamp"
        if "desk" in k:
            return "desklamp"
        return "tablelamp"
    if top:
        return "ceiling"
    return "box"


# What holds each drawn kind up ("either": a floor stand, a wall or a counter, decided later).
_CAT = {"ceiling": "ceiling", "ceilfan": "ceiling", "floorlamp": "floor", "vacuum": "floor",
        "standfan": "floor", "blinds": "wall", "thermostat": "wall", "door": "wall",
        "plug": "wall", "tv": "either", "speaker": "either", "coffee": "table",
        "kettle": "table", "router": "table", "desklamp": "table", "tablelamp": "table",
        "box": "table"}

_WARM = (255, 214, 150)
_COOLW = (225, 235, 255)


@dataclass
class _Device:
    id: str
    dk: str  # what is drawn (a key of _DRAW)
    on: bool
    px: Box4
    cat: str  # ceiling, floor, wall, table or either
    contact: float = -1.0  # the floor row it stands on or in front of (-1: ceiling)


# ----------------------------------------------------------------------------- devices
class _Light(NamedTuple):
    """A light source at (x, y), radius r pixels, colour 0..255, strength s."""

    x: float
    y: float
    r: float
    col: Sequence[float]
    s: float


@dataclass
class _Canvas:
    """What drawing leaves besides pixels (self-luminous pixels, glow halos, light cast on
    the room) and what it needs (frame size, the photos screens and windows show)."""

    emis: Mask
    photos: tuple[Rgb, ...]
    ih: int
    iw: int
    glows: list[_Light] = field(default_factory=list)
    lamps: list[_Light] = field(default_factory=list)


def _dev_ceiling(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """Pendant, flush dome or a bar of spots."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    var = int(rng.integers(3))
    metal = _c(rng.choice([[230, 230, 225], [40, 40, 45], [190, 160, 90], [120, 125, 130]]))
    lc = _WARM if rng.random() < 0.7 else _COOLW
    if var == 0:  # pendant
        yt = y0 + h * rng.uniform(0.35, 0.55)
        yb = y1 - 0.04 * h
        _line(img, (cx, y0), (cx, yt), (30, 30, 30), max(1, w * 0.02))
        tw, bw = w * rng.uniform(0.15, 0.35), w * rng.uniform(0.7, 0.95)
        _poly(img, [(cx - tw / 2, yt), (cx + tw / 2, yt), (cx + bw / 2, yb), (cx - bw / 2, yb)],
              metal)
        _ell(img, (cx, yb), (bw / 2 * 0.9, max(1.5, h * 0.1)), lc if on else _c(metal, 0.5),
             emis=c.emis, e=255 if on else 0)
        gx, gy = cx, yb
    elif var == 1:  # flush dome
        cy = y0 + h * 0.12
        _rect(img, (cx - w * 0.1, y0, cx + w * 0.1, cy + 1), _c(metal, 0.8))
        col = lc if on else (205, 205, 200)
        _ell(img, (cx, cy), (w * 0.46, h * 0.8), col, emis=c.emis, e=235 if on else 0,
             arc=(0, 180))
        if not on:
            _ell(img, (cx, cy + h * 0.25), (w * 0.25, h * 0.25), (225, 225, 220), arc=(0, 180))
        gx, gy = cx, cy + h * 0.5
    else:  # bar with spots
        yb = y0 + h * 0.3
        _line(img, (cx - w * 0.2, y0), (cx - w * 0.2, yb), (40, 40, 40), 1)
        _line(img, (cx + w * 0.2, y0), (cx + w * 0.2, yb), (40, 40, 40), 1)
        _rect(img, (x0 + 0.03 * w, yb - h * 0.06, x1 - 0.03 * w, yb + h * 0.08), metal)
        for t in (0.2, 0.5, 0.8):
            sx = x0 + w * t
            _rect(img, (sx - w * 0.06, yb, sx + w * 0.06, y1 - h * 0.1), _c(metal, 0.85))
            _ell(img, (sx, y1 - h * 0.1), (w * 0.06, max(1.5, h * 0.07)),
                 lc if on else (70, 70, 70), emis=c.emis, e=255 if on else 0)
        gx, gy = cx, y1 - h * 0.1
    if on:
        c.glows.append(_Light(gx, gy, max(w, h) * 0.9, lc, 0.9))
        c.lamps.append(_Light(gx, gy + c.ih * 0.3, c.iw * 0.6, lc, 0.5))


def _dev_ceilfan(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """Crisp blades when off, a blurred disc when on; sometimes a light kit under the hub."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    hy = y0 + h * rng.uniform(0.45, 0.6)
    col = _c(rng.choice([[235, 235, 230], [120, 80, 50], [60, 60, 60], [170, 140, 100]]))
    _line(img, (cx, y0), (cx, hy), (60, 60, 60), max(2, w * 0.025))
    rx, ry = w * 0.49, max(h * 0.42, 3)
    n = int(rng.integers(3, 6))
    a0 = rng.uniform(0, 2 * math.pi)
    if on:
        _blend_poly(img, _ellipse_pts((cx, hy), (int(rx), int(ry)), 8), col, 0.45)
        for i in range(n):  # faint smeared blades
            a = a0 + 2 * math.pi * i / n
            pts = [(cx + math.cos(a + da) * rx * 0.95, hy + math.sin(a + da) * ry * 0.95)
                   for da in np.linspace(-0.35, 0.35, 5)]
            _blend_poly(img, [(cx, hy), *pts], col, 0.25)
    else:
        for i in range(n):
            a = a0 + 2 * math.pi * i / n
            ca, sa = math.cos(a), math.sin(a)
            px, py = -sa, ca
            r0, r1 = 0.12, 0.97
            pts = [(ca * r0 + px * 0.04, sa * r0 + py * 0.04),
                   (ca * r1 + px * 0.11, sa * r1 + py * 0.11),
                   (ca * r1 - px * 0.11, sa * r1 - py * 0.11),
                   (ca * r0 - px * 0.04, sa * r0 - py * 0.04)]
            _poly(img, [(cx + u * rx, hy + v * ry) for u, v in pts], _c(col, 0.8 + 0.2 * abs(sa)))
    _ell(img, (cx, hy), (w * 0.09, max(2, h * 0.22)), (90, 90, 90))
    if rng.random() < 0.5:  # light kit under the hub
        _ell(img, (cx, hy + h * 0.15), (w * 0.06, max(1.5, h * 0.18)),
             _WARM if on else (200, 200, 195), emis=c.emis, e=230 if on else 0, arc=(0, 180))


def _dev_floorlamp(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator
                   ) -> None:
    """A drum shade on a pole, or a torchiere bowl."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2 + rng.uniform(-0.08, 0.08) * w
    metal = _c(rng.choice([[30, 30, 30], [200, 190, 170], [150, 120, 60], [110, 110, 115]]))
    _ell(img, (cx, y1 - h * 0.02), (w * 0.38, max(2, h * 0.025)), _c(metal, 0.8))
    fabric = _c(rng.choice([[235, 225, 200], [200, 190, 170], [240, 240, 235], [170, 150, 120],
                            [90, 90, 95]]))
    if rng.random() < 0.75:  # drum shade
        sh = h * rng.uniform(0.22, 0.32)
        tw, bw = w * rng.uniform(0.55, 0.8), w * rng.uniform(0.85, 0.98)
        _line(img, (cx, y1 - h * 0.03), (cx, y0 + sh), metal, max(2, w * 0.07))
        col = _c(fabric, 0.9) if not on else (255, 225, 160)
        shade = [(cx - tw / 2, y0), (cx + tw / 2, y0), (cx + bw / 2, y0 + sh),
                 (cx - bw / 2, y0 + sh)]
        _poly(img, shade, col, emis=c.emis, e=200 if on else 0)
        cv2.polylines(img, [np.array(shade, np.int32)], True, _c(col, 0.55), 1, cv2.LINE_AA)
        if on:
            _ell(img, (cx, y0 + sh), (bw / 2, max(1.5, h * 0.02)), (255, 250, 225), emis=c.emis,
                 e=255)
        gx, gy = cx, y0 + sh * 0.6
    else:  # torchiere bowl
        sh = h * 0.12
        _line(img, (cx, y1 - h * 0.03), (cx, y0 + sh), metal, max(2, w * 0.07))
        _poly(img, [(x0 + 0.02 * w, y0 + sh * 0.2), (x1 - 0.02 * w, y0 + sh * 0.2),
                    (cx + w * 0.12, y0 + sh), (cx - w * 0.12, y0 + sh)], metal)
        _ell(img, (cx, y0 + sh * 0.2), (w * 0.47, max(1.5, sh * 0.25)),
             (255, 245, 210) if on else _c(metal, 0.6), emis=c.emis, e=255 if on else 0)
        gx, gy = cx, y0
    if on:
        c.glows.append(_Light(gx, gy, max(w, h * 0.5) * 1.4, _WARM, 1.0))
        c.lamps.append(_Light(gx, gy, c.iw * 0.45, _WARM, 0.6))


def _dev_tablelamp(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator
                   ) -> None:
    """A shade on a vase or a stem."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    fabric = _c(rng.choice([[240, 230, 205], [210, 200, 180], [245, 245, 240], [180, 140, 110],
                            [120, 150, 170]]))
    basec = _c(rng.choice([[230, 230, 230], [60, 60, 60], [170, 120, 70], [90, 130, 150],
                           [200, 180, 130]]))
    sh = h * rng.uniform(0.4, 0.55)
    tw, bw = w * rng.uniform(0.5, 0.7), w * rng.uniform(0.85, 1.0)
    if rng.random() < 0.5:  # vase
        _ell(img, (cx, y1 - (h - sh) * 0.42), (w * 0.3, (h - sh) * 0.42), basec)
        _line(img, (cx, y0 + sh), (cx, y1 - (h - sh) * 0.8), _c(basec, 0.8), max(1, w * 0.06))
    else:  # stem
        _line(img, (cx, y0 + sh), (cx, y1), _c(basec, 0.9), max(2, w * 0.07))
        _ell(img, (cx, y1 - h * 0.03), (w * 0.3, max(1.5, h * 0.04)), basec)
    col = _c(fabric, 0.9) if not on else (255, 226, 165)
    shade = [(cx - tw / 2, y0), (cx + tw / 2, y0), (cx + bw / 2, y0 + sh), (cx - bw / 2, y0 + sh)]
    _poly(img, shade, col, emis=c.emis, e=210 if on else 0)
    cv2.polylines(img, [np.array(shade, np.int32)], True, _c(col, 0.55), 1, cv2.LINE_AA)
    if on:
        _ell(img, (cx, y0 + sh), (bw / 2, max(1.5, h * 0.03)), (255, 250, 225), emis=c.emis,
             e=255)
        c.glows.append(_Light(cx, y0 + sh * 0.6, max(w, h) * 1.1, _WARM, 0.95))
        c.lamps.append(_Light(cx, y0 + sh, c.iw * 0.3, _WARM, 0.5))


def _dev_desklamp(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator
                  ) -> None:
    """An arm lamp with a conical head (a table lamp in about a third of the frames)."""
    if rng.random() < 0.35:
        _dev_tablelamp(img, c, b, on, rng)
        return
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    flip = rng.random() < 0.5

    def at(u: float) -> float:
        return x1 - u * w if flip else x0 + u * w

    col = _c(rng.choice([[30, 30, 30], [230, 230, 230], [200, 40, 40], [60, 110, 180],
                         [170, 170, 175]]))
    _ell(img, (at(0.3), y1 - h * 0.04), (w * 0.28, max(1.5, h * 0.05)), col)
    elb = (at(0.18), y0 + h * rng.uniform(0.25, 0.4))
    head = (at(0.72), y0 + h * 0.12)
    t = max(2, w * 0.07)
    _line(img, (at(0.3), y1 - h * 0.05), elb, col, t)
    _line(img, elb, head, col, t)
    hw = w * 0.22  # the conical head, pointing down
    p0 = (head[0] - hw * 0.4, head[1] - h * 0.04)
    p1 = (head[0] + hw * 0.4, head[1] - h * 0.04)
    _poly(img, [p0, p1, (head[0] + hw, head[1] + h * 0.2), (head[0] - hw, head[1] + h * 0.2)],
          col)
    _ell(img, (head[0], head[1] + h * 0.2), (hw, max(1.5, h * 0.04)),
         (255, 248, 220) if on else _c(col, 0.5), emis=c.emis, e=255 if on else 0)
    if on:
        c.glows.append(_Light(head[0], head[1] + h * 0.25, max(w, h) * 0.9, _WARM, 0.9))
        c.lamps.append(_Light(head[0], head[1] + h * 0.6, c.iw * 0.25, _WARM, 0.55))


def _dev_tv(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """A photo on the screen when on; a dark screen with a reflection when off."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    stand = rng.random() < 0.5
    sy1 = y1 - (h * 0.1 if stand else 0)
    bez = max(1, int(min(w, h) * rng.uniform(0.025, 0.05)))
    frame = _c(rng.choice([[20, 20, 22], [45, 45, 48], [150, 150, 155]]))
    if stand:
        mx = (x0 + x1) / 2
        _poly(img, [(mx - w * 0.05, sy1), (mx + w * 0.05, sy1), (mx + w * 0.18, y1),
                    (mx - w * 0.18, y1)], _c(frame, 0.9))
    _rect(img, (x0, y0, x1, sy1), frame)
    sx0, sy0, sx1, sy1b = x0 + bez, y0 + bez, x1 - bez, sy1 - bez
    if on:
        ph = c.photos[int(rng.integers(len(c.photos)))]
        _put_photo(img, ph, (sx0, sy0, sx1, sy1b), rng, emis=c.emis, e=255)
        c.glows.append(_Light((x0 + x1) / 2, (y0 + y1) / 2, max(w, h) * 0.7, (170, 190, 255),
                              0.45))
        c.lamps.append(_Light((x0 + x1) / 2, (y0 + y1) / 2, c.iw * 0.35, (170, 190, 255), 0.25))
    else:
        g = rng.uniform(18, 40)
        _rect(img, (sx0, sy0, sx1, sy1b), (g, g, g * 1.05))
        k = rng.uniform(0.2, 0.6)  # a diagonal reflection
        _blend_poly(img, [(sx0 + (sx1 - sx0) * k, sy0), (sx0 + (sx1 - sx0) * (k + 0.18), sy0),
                          (sx0 + (sx1 - sx0) * (k - 0.05), sy1b),
                          (sx0 + (sx1 - sx0) * (k - 0.23), sy1b)], (160, 165, 175), 0.12)
        _ell(img, (x1 - bez * 2, sy1 - bez * 0.5), (1, 1), (200, 20, 20), emis=c.emis, e=255)


def _dev_speaker(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """A smart-speaker cylinder, or a box with drivers or grille cloth."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    if rng.random() < 0.35:  # smart speaker cylinder
        col = _c(rng.choice([[40, 40, 42], [215, 215, 210], [130, 130, 135]]))
        cw = w * 0.8
        ty = y0 + h * 0.35
        _rect(img, (cx - cw / 2, ty, cx + cw / 2, y1 - h * 0.04), col)
        _ell(img, (cx, y1 - h * 0.04), (cw / 2, max(1.5, h * 0.04)), col)
        _ell(img, (cx, ty), (cw / 2, max(1.5, h * 0.05)), _c(col, 1.15))
        if on:
            _ell(img, (cx, ty), (cw / 2, max(1.5, h * 0.05)), (60, 200, 255), emis=c.emis,
                 e=255, thick=max(1, int(h * 0.02)))
            c.glows.append(_Light(cx, ty, w * 1.3, (80, 190, 255), 0.5))
        return
    wood = _c(rng.choice([[25, 25, 25], [110, 70, 40], [160, 120, 80], [230, 230, 225]]))
    _rect(img, (x0 + w * 0.04, y0, x1 - w * 0.04, y1), wood)
    _rect(img, (x1 - w * 0.16, y0 + h * 0.02, x1 - w * 0.04, y1), _c(wood, 0.7))  # side face
    iw = w * 0.8
    if rng.random() < 0.3:  # grille cloth
        _rect(img, (x0 + w * 0.1, y0 + h * 0.04, x1 - w * 0.2, y1 - h * 0.04), (50, 50, 55))
    else:
        dc = (15, 15, 15)
        _ell(img, (cx - w * 0.06, y0 + h * 0.18), (iw * 0.16, iw * 0.16), dc)
        _ell(img, (cx - w * 0.06, y0 + h * 0.45), (iw * 0.3, iw * 0.3), dc)
        _ell(img, (cx - w * 0.06, y0 + h * 0.45), (iw * 0.1, iw * 0.1), (70, 70, 70))
        _ell(img, (cx - w * 0.06, y0 + h * 0.75), (iw * 0.3, iw * 0.3), dc)
        _ell(img, (cx - w * 0.06, y0 + h * 0.75), (iw * 0.1, iw * 0.1), (70, 70, 70))
    if on:
        _ell(img, (cx - w * 0.06, y1 - h * 0.05), (max(1, w * 0.05), max(1, w * 0.05)),
             (60, 230, 120), emis=c.emis, e=255)
        c.glows.append(_Light(cx, y1 - h * 0.05, w * 0.8, (80, 255, 150), 0.35))


def _dev_blinds(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """A window (a photo view) behind slats or a roller; open ("on") shows the view."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    fr = max(2, min(w, h) * 0.05)
    fcol = _c(rng.choice([[240, 240, 235], [120, 85, 55], [60, 60, 60]]))
    _rect(img, (x0, y0, x1, y1), fcol)
    gx0, gy0, gx1, gy1 = x0 + fr, y0 + fr, x1 - fr, y1 - fr
    ph = c.photos[int(rng.integers(len(c.photos)))]
    _put_photo(img, ph, (gx0, gy0, gx1, gy1), rng, emis=c.emis, e=170)
    _line(img, ((gx0 + gx1) / 2, gy0), ((gx0 + gx1) / 2, gy1), fcol, max(1, fr * 0.6))
    scol = np.array(rng.choice([[235, 232, 220], [200, 190, 170], [150, 150, 155],
                                [215, 200, 160]]), float)
    roller = rng.random() < 0.4
    if on:
        bot = gy0 + (gy1 - gy0) * rng.uniform(0.1, 0.2)
        c.glows.append(_Light((x0 + x1) / 2, (y0 + y1) / 2, max(w, h) * 0.7, (255, 250, 240),
                              0.35))
        c.lamps.append(_Light((x0 + x1) / 2, (y0 + y1) / 2, c.iw * 0.6, (255, 250, 240), 0.45))
    else:
        bot = gy1
    # the blind covers the view: not self-luminous there
    c.emis[int(max(0, y0)):int(max(0, bot)), int(max(0, x0)):int(max(0, x1))] = 0
    if roller:
        _rect(img, (x0 + fr * 0.3, y0 + fr * 0.5, x1 - fr * 0.3, bot), _c(scol))
        _rect(img, (x0 + fr * 0.3, bot - max(2, h * 0.02), x1 - fr * 0.3, bot), _c(scol, 0.7))
    else:
        ns = max(3, int((bot - gy0) / max(2.5, h * 0.035)))
        step = (bot - gy0) / ns
        for i in range(ns):
            ya = gy0 + i * step
            _rect(img, (gx0 - fr * 0.5, ya, gx1 + fr * 0.5, ya + step * 0.85),
                  _c(scol, 0.95 + 0.1 * (i % 2)))
            _line(img, (gx0 - fr * 0.5, ya + step * 0.85), (gx1 + fr * 0.5, ya + step * 0.85),
                  _c(scol, 0.6), 1)
        _line(img, (gx0 + w * 0.15, gy0), (gx0 + w * 0.15, bot + h * 0.05), _c(scol, 0.7), 1)


def _dev_vacuum(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, y0 + h * 0.5
    col = _c(rng.choice([[30, 30, 32], [235, 235, 235], [120, 120, 125], [60, 60, 70]]))
    rx, ry = w * 0.48, h * 0.3
    th = h * 0.16
    _ell(img, (cx, cy + th), (rx, ry), (20, 20, 20))
    _rect(img, (cx - rx, cy, cx + rx, cy + th), _c(col, 0.6))
    _ell(img, (cx, cy), (rx, ry), col)
    _ell(img, (cx, cy - ry * 0.1), (rx * 0.22, ry * 0.3),
         _c(col, 0.75) if sum(col) > 300 else (90, 90, 95))
    if on:
        lc = (60, 255, 120) if rng.random() < 0.5 else (80, 170, 255)
        _ell(img, (cx, cy + ry * 0.45), (rx * 0.25, max(1, ry * 0.12)), lc, emis=c.emis, e=255)
        c.glows.append(_Light(cx, cy + ry * 0.4, w * 0.6, lc, 0.5))
    else:
        _ell(img, (cx, cy + ry * 0.45), (rx * 0.25, max(1, ry * 0.12)), (70, 70, 70))


def _dev_coffee(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _c(rng.choice([[30, 30, 32], [185, 185, 190], [160, 30, 30], [235, 235, 230]]))
    bx0, bx1 = x0 + 0.05 * w, x1 - 0.05 * w
    _rect(img, (bx0, y0 + h * 0.18, bx1, y1), col)
    _rect(img, (bx0 - 0.03 * w, y0 + h * 0.15, bx1 + 0.03 * w, y0 + h * 0.42),
          _c(col, 1.15))  # head
    _rect(img, (bx0 + 0.15 * w, y0 + h * 0.45, bx1 - 0.12 * w, y1 - h * 0.1),
          (15, 15, 15))  # recess
    _rect(img, (bx0 + 0.05 * w, y1 - h * 0.1, bx1 - 0.05 * w, y1 - h * 0.02),
          (90, 90, 95))  # drip tray
    cx = (bx0 + bx1) / 2
    _rect(img, (cx - 0.06 * w, y0 + h * 0.42, cx + 0.06 * w, y0 + h * 0.5), (70, 70, 70))  # spout
    _rect(img, (cx - 0.14 * w, y1 - h * 0.26, cx + 0.14 * w, y1 - h * 0.1), (240, 240, 235))  # cup
    lc = (255, 70, 40) if rng.random() < 0.5 else (60, 255, 90)
    for i, t in enumerate((0.3, 0.5, 0.7)):
        led_on = on and (i == 0 or rng.random() < 0.6)
        _ell(img, (bx0 + (bx1 - bx0) * t, y0 + h * 0.29), (max(1, w * 0.04), max(1, w * 0.04)),
             lc if led_on else (50, 50, 50), emis=c.emis, e=255 if led_on else 0)
    if on:
        c.glows.append(_Light(cx, y0 + h * 0.29, w * 0.7, lc, 0.45))
        for k in range(2):  # steam
            sx = cx + rng.uniform(-0.15, 0.15) * w
            _blend_poly(img, _ellipse_pts((sx, y0 + h * 0.06 + k * h * 0.04),
                                          (max(1, int(w * 0.12)), max(1, int(h * 0.06))), 30),
                        (245, 245, 245), 0.35)


def _dev_kettle(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _c(rng.choice([[200, 200, 205], [240, 240, 238], [30, 30, 32], [190, 40, 40],
                         [140, 180, 200]]))
    _ell(img, (cx, y1 - h * 0.06), (w * 0.42, max(1.5, h * 0.06)), (40, 40, 40))  # base plate
    bt, bb = y0 + h * 0.22, y1 - h * 0.1
    _poly(img, [(cx - w * 0.26, bt), (cx + w * 0.26, bt), (cx + w * 0.38, bb),
                (cx - w * 0.38, bb)], col)
    _ell(img, (cx, bt), (w * 0.26, max(1.5, h * 0.05)), _c(col, 0.85))
    _ell(img, (cx, bt - h * 0.04), (w * 0.06, max(1, h * 0.03)), (40, 40, 40))
    side = 1 if rng.random() < 0.5 else -1
    cv2.ellipse(img, _pt(cx + side * w * 0.33, (bt + bb) / 2),  # the handle
                (max(1, int(w * 0.14)), max(1, int(h * 0.28))), 0, -90, 90 if side > 0 else 270,
                (30, 30, 30), max(1, int(w * 0.07)), cv2.LINE_AA)
    _poly(img, [(cx - side * w * 0.25, bt + h * 0.08), (cx - side * w * 0.47, bt - h * 0.02),
                (cx - side * w * 0.32, bt + h * 0.22)], col)  # the spout
    if on:
        lc = (70, 150, 255)
        _rect(img, (cx - w * 0.3, bb - h * 0.08, cx + w * 0.3, bb - h * 0.02), lc, emis=c.emis,
              e=255)
        c.glows.append(_Light(cx, bb - h * 0.05, w * 0.8, lc, 0.55))
        _blend_poly(img, _ellipse_pts((cx - side * w * 0.45, y0 + h * 0.1),
                                      (max(1, int(w * 0.14)), max(1, int(h * 0.08))), 30),
                    (245, 245, 245), 0.4)


def _dev_router(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _c(rng.choice([[25, 25, 28], [235, 235, 235], [60, 60, 70]]))
    by0 = y0 + h * rng.uniform(0.45, 0.6)
    _poly(img, [(x0 + w * 0.05, by0), (x1 - w * 0.05, by0), (x1 - w * 0.1, by0 - h * 0.1),
                (x0 + w * 0.1, by0 - h * 0.1)], _c(col, 1.2))
    _rect(img, (x0 + w * 0.05, by0, x1 - w * 0.05, y1 - h * 0.04), col)
    na = int(rng.integers(2, 5))
    for i in range(na):  # antennas
        ax = x0 + w * (0.15 + 0.7 * i / max(1, na - 1))
        _line(img, (ax, by0 - h * 0.05), (ax + rng.uniform(-0.08, 0.08) * w, y0 + h * 0.03),
              _c(col, 0.8), max(1, w * 0.05))
    for i in range(5):
        lx = x0 + w * (0.2 + 0.15 * i)
        lit = on and rng.random() < 0.85
        lc = (60, 255, 80) if i != 4 else (80, 160, 255)
        _ell(img, (lx, (by0 + y1) / 2), (1, 1), lc if lit else (60, 60, 60), emis=c.emis,
             e=255 if lit else 0)
    if on:
        c.glows.append(_Light((x0 + x1) / 2, (by0 + y1) / 2, w * 0.5, (60, 255, 80), 0.3))


def _dev_plug(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    plate = _c(rng.choice([[245, 245, 240], [230, 225, 210], [200, 200, 200]]))
    _rect(img, (x0 + w * 0.04, y0 + h * 0.04, x1 - w * 0.04, y1 - h * 0.04), _c(plate, 0.85))
    _rect(img, (x0 + w * 0.08, y0 + h * 0.08, x1 - w * 0.08, y1 - h * 0.08), plate)
    mod = _c(rng.choice([[250, 250, 250], [40, 40, 40], [230, 230, 235]]))
    _ell(img, (cx, cy), (w * 0.3, h * 0.3), _c(mod, 0.8))
    _ell(img, (cx, cy), (w * 0.26, h * 0.26), mod)
    _line(img, (cx, cy + h * 0.2), (cx + w * 0.1, y1 + h * 0.6), (30, 30, 30),
          max(1, w * 0.06))  # the cord, hanging down
    lc = (60, 160, 255) if rng.random() < 0.5 else (60, 255, 100)
    _ell(img, (cx, cy), (w * 0.12, h * 0.12), lc if on else (110, 110, 110), emis=c.emis,
         e=255 if on else 0, thick=max(1, int(w * 0.05)))
    if on:
        c.glows.append(_Light(cx, cy, max(w, h) * 0.8, lc, 0.45))


def _dev_thermostat(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator
                    ) -> None:
    """A round or square unit; on: a lit ring and a temperature."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = min(w, h) * 0.45
    ring = _c(rng.choice([[190, 190, 195], [40, 40, 40], [230, 230, 230]]))
    if rng.random() < 0.6:
        _ell(img, (cx, cy), (r, r), ring)
        _ell(img, (cx, cy), (r * 0.78, r * 0.78), (20, 20, 20))
    else:
        _rect(img, (cx - r, cy - r * 1.1, cx + r, cy + r * 1.1), ring)
        _rect(img, (cx - r * 0.75, cy - r * 0.6, cx + r * 0.75, cy + r * 0.4), (20, 20, 20))
    if on:
        lc = (255, 140, 40) if rng.random() < 0.6 else (70, 160, 255)
        _ell(img, (cx, cy), (r * 0.6, r * 0.6), lc, emis=c.emis, e=255,
             thick=max(1, int(r * 0.12)))
        cv2.putText(img, str(int(rng.integers(17, 25))), _pt(cx - r * 0.4, cy + r * 0.22),
                    cv2.FONT_HERSHEY_SIMPLEX, max(0.2, r / 30), lc, 1, cv2.LINE_AA)
        c.glows.append(_Light(cx, cy, r * 2.0, lc, 0.45))


def _dev_door(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """A door (or a lock plate on a small zone) with a lock whose LED is red when locked."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    if h > 1.4 * w and h > 0.2 * c.ih:
        col = _c(rng.choice([[150, 100, 60], [230, 230, 225], [90, 60, 40], [60, 80, 100]]))
        _rect(img, (x0, y0, x1, y1), _c(col, 0.7))
        _rect(img, (x0 + w * 0.06, y0 + h * 0.03, x1 - w * 0.06, y1), col)
        for yy in (0.1, 0.55):
            _rect(img, (x0 + w * 0.18, y0 + h * yy, x1 - w * 0.18, y0 + h * (yy + 0.35)),
                  _c(col, 0.9))
        lx, ly, s = x1 - w * 0.2, y0 + h * 0.52, w * 0.07
    else:
        _rect(img, (x0, y0, x1, y1), (120, 85, 55))
        lx, ly, s = (x0 + x1) / 2, (y0 + y1) / 2, min(w, h) * 0.3
    _rect(img, (lx - s, ly - s * 1.8, lx + s, ly + s * 1.8), (40, 40, 45))
    _line(img, (lx, ly + s * 0.5), (lx - s * 2.5, ly + s * 0.5), (190, 190, 195), max(1, s * 0.6))
    lc = (255, 50, 40) if on else (60, 230, 90)
    _ell(img, (lx, ly - s), (max(1, s * 0.4), max(1, s * 0.4)), lc, emis=c.emis, e=255)
    c.glows.append(_Light(lx, ly - s, s * 4, lc, 0.35))


def _dev_standfan(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator
                  ) -> None:
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    r = min(w * 0.48, h * 0.3)
    cy = y0 + r
    col = _c(rng.choice([[235, 235, 235], [40, 40, 40], [150, 150, 155]]))
    _line(img, (cx, cy), (cx, y1 - h * 0.03), col, max(2, w * 0.06))
    _ell(img, (cx, y1 - h * 0.03), (w * 0.35, max(1.5, h * 0.03)), col)
    _ell(img, (cx, cy), (r, r), _c(col, 0.7), thick=max(1, int(r * 0.08)))
    if on:
        _blend_poly(img, _ellipse_pts((cx, cy), (int(r * 0.9), int(r * 0.9)), 10), col, 0.4)
    else:
        for i in range(3):
            a = i * 2.1 + 0.3
            _ell(img, (cx + math.cos(a) * r * 0.45, cy + math.sin(a) * r * 0.45),
                 (r * 0.35, r * 0.2), col)
    for i in range(6):  # the guard
        a = i * math.pi / 3
        _line(img, (cx, cy), (cx + math.cos(a) * r, cy + math.sin(a) * r), _c(col, 0.6), 1)
    _ell(img, (cx, cy), (r * 0.15, r * 0.15), _c(col, 0.5))


def _dev_box(img: Rgb, c: _Canvas, b: Box4, on: bool, rng: np.random.Generator) -> None:
    """Any other device: a box with a status LED."""
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _c(rng.choice([[200, 200, 205], [40, 40, 40], [230, 230, 225]]))
    _rect(img, (x0 + w * 0.05, y0 + h * 0.1, x1 - w * 0.05, y1), col)
    _poly(img, [(x0 + w * 0.05, y0 + h * 0.1), (x1 - w * 0.05, y0 + h * 0.1),
                (x1 - w * 0.12, y0), (x0 + w * 0.12, y0)], _c(col, 1.15))
    lc = (60, 255, 100)
    _ell(img, (x1 - w * 0.2, y1 - h * 0.2), (max(1, w * 0.05), max(1, w * 0.05)),
         lc if on else (70, 70, 70), emis=c.emis, e=255 if on else 0)
    if on:
        c.glows.append(_Light(x1 - w * 0.2, y1 - h * 0.2, w * 0.6, lc, 0.35))


_Drawer = Callable[[Rgb, _Canvas, Box4, bool, np.random.Generator], None]
_DRAW: dict[str, _Drawer] = {
    "ceiling": _dev_ceiling, "ceilfan": _dev_ceilfan, "floorlamp": _dev_floorlamp,
    "tablelamp": _dev_tablelamp, "desklamp": _dev_desklamp, "tv": _dev_tv,
    "speaker": _dev_speaker, "blinds": _dev_blinds, "vacuum": _dev_vacuum,
    "coffee": _dev_coffee, "kettle": _dev_kettle, "router": _dev_router, "plug": _dev_plug,
    "thermostat": _dev_thermostat, "door": _dev_door, "standfan": _dev_standfan,
    "box": _dev_box}


# ----------------------------------------------------------------------------- room
@dataclass
class _Room:
    """A frontal box (back wall between xl and xr, side walls through the vanishing point
    (vx, vy)) or a corner (two walls meeting at column xk, vanishing points xk + d1 and
    xk - d2 on row vy). yf/yc: floor/ceiling row at the back; yfl/ycl/seg per column: floor
    row, ceiling row, which wall. hb/ht: a person's height (fraction of the frame) with the
    feet at row yref (the farthest floor) and at the bottom edge."""

    corner: bool
    vy: float
    yf: float
    yc: float
    yfl: F32
    ycl: F32
    seg: npt.NDArray[np.int32]
    xk: float = 0.0
    d1: float = 0.0
    d2: float = 0.0
    xl: float = 0.0
    xr: float = 0.0
    vx: float = 0.0
    hb: float = 0.4
    ht: float = 0.7
    yref: float = 0.0


def _room_geometry(rng: np.random.Generator, ih: int, iw: int, devs: list[_Device]) -> _Room:
    """A frontal box or a corner, resampled (up to 14 times) until floor devices stand on the
    floor, wall devices hang above it and nothing but ceiling devices is in the ceiling."""
    xs = np.arange(iw, dtype=np.float32)
    best: tuple[float, _Room] | None = None
    for _ in range(14):
        corner = rng.random() < 0.45
        yc = rng.uniform(-0.15, 0.1) * ih
        yf = rng.uniform(0.42, 0.78) * ih
        vy = yc + rng.uniform(0.1, 0.55) * (yf - yc)
        if corner:
            xk = rng.uniform(0.2, 0.8) * iw
            d1, d2 = rng.uniform(1.3, 4.0) * iw, rng.uniform(1.3, 4.0) * iw  # to the VPs
            dist = np.where(xs < xk, (xk - xs) / d1, (xs - xk) / d2)
            yfl = yf + dist * (yf - vy)
            ycl = yc + dist * (yc - vy)
            seg = (xs >= xk).astype(np.int32)
            room = _Room(True, vy, yf, yc, yfl.astype(np.float32), ycl.astype(np.float32), seg,
                         xk=xk, d1=d1, d2=d2)
        else:
            xl = rng.uniform(-0.35, 0.22) * iw
            xr = rng.uniform(0.78, 1.35) * iw
            vx = rng.uniform(xl + 0.25 * (xr - xl), xr - 0.25 * (xr - xl))
            kl = (xl - xs) / (vx - xl)
            kr = (xs - xr) / (xr - vx)
            dist = np.where(xs < xl, kl, np.where(xs > xr, kr, 0.0))
            yfl = yf + dist * (yf - vy)
            ycl = yc + dist * (yc - vy)
            seg = np.where(xs < xl, 0, np.where(xs > xr, 2, 1)).astype(np.int32)
            room = _Room(False, vy, yf, yc, yfl.astype(np.float32), ycl.astype(np.float32), seg,
                         xl=xl, xr=xr, vx=vx)
        bad = 0.0
        for d in devs:
            x0, y0, x1, y1 = d.px
            c = int(min(iw - 1, max(0, (x0 + x1) / 2)))
            if d.cat == "floor" and yfl[c] > y1 - 0.01 * ih:
                bad += (yfl[c] - y1) / ih + 0.1
            if d.cat == "wall" and yfl[c] < y1 + 0.02 * ih:
                bad += (y1 - yfl[c]) / ih + 0.1
            if d.cat != "ceiling" and ycl[c] > y0 - 0.01 * ih:
                bad += (ycl[c] - y0) / ih + 0.05
        if best is None or bad < best[0]:
            best = (bad, room)
        if bad == 0:
            break
    assert best is not None
    return best[1]


def _floor_tile(rng: np.random.Generator, texs: Sequence[tuple[F32, F32]]) -> F32:
    """The floor's source image: a texture crop, tinted or as detail on a floor colour, tiled,
    with planks or tiles drawn in."""
    tim, _ = texs[int(rng.integers(len(texs)))]
    th, tw = tim.shape[:2]
    cs = int(rng.integers(min(th, tw) // 3, min(th, tw) + 1))
    oy, ox = int(rng.integers(0, th - cs + 1)), int(rng.integers(0, tw - cs + 1))
    tile = np.asarray(cv2.resize(tim[oy:oy + cs, ox:ox + cs], (128, 128)), np.float32)
    fmode = int(rng.integers(3))
    fcol = np.array(rng.choice([[0.55, 0.38, 0.22], [0.7, 0.55, 0.38], [0.45, 0.45, 0.47],
                                [0.8, 0.78, 0.74], [0.35, 0.25, 0.18], [0.6, 0.6, 0.55],
                                [0.3, 0.35, 0.45]]), np.float32)
    if fmode == 0:  # texture as-is, tinted
        tile = tile * (0.5 + 0.5 * fcol / fcol.mean()) * rng.uniform(0.7, 1.1)
    else:  # colour + texture detail
        g = tile.mean(axis=2, keepdims=True)
        tile = fcol * (1 + rng.uniform(0.15, 0.45) * (g - g.mean()) / (g.std() + 1e-6))
    nt = int(rng.integers(2, 6))
    src = np.tile(np.clip(tile, 0, 1), (nt, nt, 1))
    size = src.shape[0]
    if fmode == 1:  # planks
        step = size // int(rng.integers(5, 14))
        for k in range(0, size, step):
            src[k:k + 2] *= 0.6
        for r0 in range(0, size, step):
            off = int(rng.integers(0, size))
            src[r0:r0 + step, off:off + 2] *= 0.65
    elif fmode == 2 and rng.random() < 0.6:  # tiles
        step = size // int(rng.integers(3, 9))
        src[::step] *= 0.55
        src[:, ::step] *= 0.55
    if rng.random() < 0.5:
        src = np.ascontiguousarray(src.transpose(1, 0, 2))
    return src


def _intersect(p1: Floats64, p2: Floats64, p3: Floats64, p4: Floats64) -> Floats64:
    """Where line p1-p2 meets line p3-p4."""
    d1, d2 = p2 - p1, p4 - p3
    den = d1[0] * d2[1] - d1[1] * d2[0]
    t = ((p3[0] - p1[0]) * d2[1] - (p3[1] - p1[1]) * d2[0]) / den
    at: Floats64 = p1 + t * d1
    return at


def _floor(rng: np.random.Generator, room: _Room, texs: Sequence[tuple[F32, F32]], ih: int,
           iw: int) -> npt.NDArray[np.floating[Any]]:
    """The floor plane over the whole frame (RGB 0..1): a homography of the tiled source."""
    src = _floor_tile(rng, texs)
    size = src.shape[0]
    if not room.corner:
        xl, xr, vx, vy, yf = room.xl, room.xr, room.vx, room.vy, room.yf
        yn = 1.6 * ih
        nl = vx + (xl - vx) * (yn - vy) / (yf - vy)
        nr = vx + (xr - vx) * (yn - vy) / (yf - vy)
        dst = np.array([[xl, yf], [xr, yf], [nr, yn], [nl, yn]], np.float32)
        sr = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
    else:
        xk, d1, d2, vy, yf = room.xk, room.d1, room.d2, room.vy, room.yf
        v1 = np.array([xk + d1, vy])
        v2 = np.array([xk - d2, vy])
        near = np.array([xk, yf])
        left = np.array([-0.2 * iw, float(yf + (xk + 0.2 * iw) / d1 * (yf - vy))])
        right = np.array([1.2 * iw, float(yf + (1.2 * iw - xk) / d2 * (yf - vy))])
        far = _intersect(v1, right, v2, left)
        dst = np.array([near, left, far, right], np.float32)
        sr = np.array([[0, 0], [0, size], [size, size], [size, 0]], np.float32)
    hm = cv2.getPerspectiveTransform(sr, dst)
    return np.asarray(cv2.warpPerspective(src, hm, (iw, ih), flags=cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_REFLECT))


def _walls(rng: np.random.Generator, room: _Room, texs: Sequence[tuple[F32, F32]], ih: int,
           iw: int) -> npt.NDArray[np.floating[Any]]:
    """The walls over the whole frame (RGB 0..1): a paint colour with the texture as detail,
    each wall a little brighter or darker, sometimes two-tone."""
    rows = np.arange(ih, dtype=np.float32)[:, None]
    _, wdet = texs[int(rng.integers(len(texs)))]
    cs = int(rng.integers(48, min(wdet.shape) + 1))
    oy = int(rng.integers(0, wdet.shape[0] - cs + 1))
    ox = int(rng.integers(0, wdet.shape[1] - cs + 1))
    det = np.asarray(cv2.resize(wdet[oy:oy + cs, ox:ox + cs], (iw, ih)), np.float32)
    wcol = np.array(rng.choice([[0.86, 0.84, 0.78], [0.75, 0.8, 0.82], [0.9, 0.88, 0.85],
                                [0.7, 0.62, 0.5], [0.55, 0.62, 0.58], [0.82, 0.72, 0.65],
                                [0.6, 0.6, 0.65], [0.93, 0.93, 0.93]]),
                    np.float32) * rng.uniform(0.8, 1.05)
    wamp = rng.uniform(0.03, 0.1) if rng.random() < 0.75 else rng.uniform(0.15, 0.3)
    segf = np.array([rng.uniform(0.75, 1.0), rng.uniform(0.85, 1.05), rng.uniform(0.7, 1.0)],
                    np.float32)
    if room.corner:
        segf = segf[:2]
    fac = segf[room.seg][None, :, None]
    wall = wcol[None, None, :] * (1 + wamp * det[..., None]) * fac
    if rng.random() < 0.35:  # two-tone wall (wainscot)
        k = rng.uniform(0.55, 0.75)
        ywain = room.ycl + (room.yfl - room.ycl) * k
        low = rows > ywain[None, :]
        tone = np.array(rng.choice([[0.8, 0.8, 0.8], [0.9, 0.8, 0.7], [1.05, 1.05, 1.05]]),
                        np.float32)
        wall = np.where(low[..., None], wall * tone, wall)
    return wall


def _draw_room(img: Rgb, rng: np.random.Generator, room: _Room,
               texs: Sequence[tuple[F32, F32]]) -> None:
    """Floor, walls and ceiling per column, then the skirting, corner edges and ceiling line."""
    ih, iw = img.shape[:2]
    yfl, ycl = room.yfl, room.ycl
    rows = np.arange(ih, dtype=np.float32)[:, None]
    floor = _floor(rng, room, texs, ih, iw)
    wall = _walls(rng, room, texs, ih, iw)
    ceil_c = np.float32(rng.uniform(0.85, 0.97)) * np.ones(3, np.float32)
    is_floor = rows >= yfl[None, :]
    is_ceil = rows < ycl[None, :]
    out = np.where(is_floor[..., None], floor, np.where(is_ceil[..., None], ceil_c, wall))
    np.clip(out * 255, 0, 255, out=out)
    img[:] = out.astype(np.uint8)
    sk = _c(rng.choice([[240, 240, 235], [90, 70, 50], [60, 60, 60], [200, 200, 195]]))
    pts = np.stack([np.arange(iw), yfl], 1).astype(np.int32)
    t = max(2, int(ih * rng.uniform(0.008, 0.02)))
    cv2.polylines(img, [pts - [0, t // 2]], False, sk, t, cv2.LINE_AA)  # skirting
    edges = [room.xk] if room.corner else [room.xl, room.xr]
    for ex in edges:
        if 0 <= ex < iw:
            c = int(ex)
            _line(img, (ex, max(0, ycl[c])), (ex, yfl[c]), (0, 0, 0), 1)
            band = img[int(max(0, ycl[c])):int(yfl[c]), max(0, c - 1):c + 1]
            band[:] = (band * 0.8).astype(np.uint8)
    if ycl.max() > 0:
        pts = np.stack([np.arange(iw), ycl], 1).astype(np.int32)
        cv2.polylines(img, [pts], False, (185, 185, 180), 1, cv2.LINE_AA)


def _rects_overlap(a: Box4, b: Box4, m: float = 0.0) -> bool:
    return not (a[2] + m <= b[0] or b[2] + m <= a[0] or a[3] + m <= b[1] or b[3] + m <= a[1])


def _overlap_area(a: Box4, b: Box4) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


# ----------------------------------------------------------------------------- supports
@dataclass
class _Support:
    """A cabinet, table or counter (top row top, front-bottom row fb) under table devices."""

    x0: float
    x1: float
    top: float
    fb: float
    style: str  # "legs" or "cab"
    col: tuple[int, ...]
    dx: float  # the top's depth shift, towards the vanishing side
    devs: list[_Device]


def _stand(rng: np.random.Generator, devs: list[_Device], room: _Room, ih: int, iw: int
           ) -> list[_Support]:
    """Decides what each device stands on or hangs from, and its contact row (its depth in
    the drawing order); table devices get a support each."""
    supports = []
    for d in devs:
        x0, _, x1, y1 = d.px
        fl = float(room.yfl[int(np.clip((x0 + x1) / 2, 0, iw - 1))])
        if d.cat in ("table", "either"):
            low = y1 >= fl + 0.01 * ih
            if (low and (d.cat == "either" or y1 > 0.93 * ih)
                    and (d.dk == "speaker" or rng.random() < 0.5)):
                d.contact = y1  # stands on the floor
                d.cat = "floor"
            elif not low and d.cat == "either" and (d.dk == "tv" and rng.random() < 0.35):
                d.contact = fl
                d.cat = "wall"
            else:
                depth = rng.uniform(0.02, 0.1) * ih
                fb = (max(fl + depth, y1 + 0.06 * ih) if not low
                      else y1 + rng.uniform(0.05, 0.12) * ih)
                fb = min(fb, 0.995 * ih)
                wpad = (x1 - x0) * rng.uniform(0.2, 1.2) + 0.02 * iw
                s = _Support(
                    x0=x0 - wpad * rng.uniform(0.3, 1), x1=x1 + wpad * rng.uniform(0.3, 1),
                    top=y1, fb=fb, style="legs" if rng.random() < 0.35 else "cab",
                    col=_c(rng.choice([[150, 105, 65], [200, 170, 130], [235, 235, 230],
                                       [60, 50, 45], [110, 110, 115], [190, 140, 90]])),
                    dx=(iw / 2 - (x0 + x1) / 2) * rng.uniform(0.02, 0.06), devs=[d])
                supports.append(s)
                d.contact = fb
                d.cat = "table"
        elif d.cat == "floor":
            d.contact = y1
        elif d.cat == "wall":
            if y1 > fl + 0.01 * ih:  # e.g. a socket/plug at floor level in front of the wall line
                d.cat = "floor"
                d.contact = y1
            else:
                d.contact = fl
        else:
            d.contact = -1.0
    return supports


def _merge_supports(supports: list[_Support], devs: list[_Device], ih: int, iw: int
                    ) -> list[_Support]:
    """Overlapping supports of about the same height become one counter; supports are kept
    off the other devices' zones."""
    supports.sort(key=lambda s: s.x0)
    merged: list[_Support] = []
    for s in supports:
        if merged and s.x0 <= merged[-1].x1 and abs(s.top - merged[-1].top) < 0.05 * ih:
            m = merged[-1]
            m.x1 = max(m.x1, s.x1)
            m.top = min(m.top, s.top)
            m.fb = max(m.fb, s.fb)
            m.devs += s.devs
        else:
            merged.append(s)
    for s in merged:
        s.x0, s.x1 = max(-5.0, s.x0), min(iw + 5.0, s.x1)
        for d2 in devs:
            if d2 in s.devs or d2.cat == "ceiling":
                continue
            a0, b0, a1, b1 = d2.px
            if a1 <= s.x0 or a0 >= s.x1 or b1 <= s.top - 0.03 * ih or b0 >= s.fb:
                continue
            if b0 > s.top + 0.06 * ih:
                s.fb = min(s.fb, b0 - 1)
            else:
                own = s.devs[0].px
                if a0 >= (own[0] + own[2]) / 2:
                    s.x1 = min(s.x1, a0 - 2)
                else:
                    s.x0 = max(s.x0, a1 + 2)
        for d in s.devs:
            d.contact = s.fb
    return merged


def _support_draw(img: Rgb, s: _Support) -> None:
    """A table on legs or a cabinet with doors and handles; the top in perspective."""
    ih = img.shape[0]
    x0, top, x1, fb = s.x0, s.top, s.x1, s.fb
    col = s.col
    tt = max(2, (fb - top) * 0.12, ih * 0.015)
    dx = s.dx
    _poly(img, [(x0, top), (x1, top), (x1 + dx, top - tt), (x0 + dx, top - tt)], _c(col, 1.15))
    if s.style == "legs":
        lt = max(2, (x1 - x0) * 0.04)
        _rect(img, (x0, top, x1, top + max(2, tt * 0.8)), col)
        for lx in (x0 + lt, x1 - lt * 2):
            _rect(img, (lx, top, lx + lt, fb), _c(col, 0.75))
        for lx in (x0 + lt + dx * 0.6, x1 - lt * 2 + dx * 0.6):
            _rect(img, (lx, top - tt * 0.5, lx + lt * 0.8, fb - (fb - top) * 0.12), _c(col, 0.55))
    else:
        _rect(img, (x0, top, x1, fb), _c(col, 0.85))
        n = max(1, int((x1 - x0) / max(8, (fb - top) * 0.9)))
        for i in range(1, n):
            xx = x0 + (x1 - x0) * i / n
            _line(img, (xx, top + 2), (xx, fb - 2), _c(col, 0.6), 1)
        for i in range(n):
            xx = x0 + (x1 - x0) * (i + 0.5) / n
            _line(img, (xx - 2, top + (fb - top) * 0.2), (xx + 2, top + (fb - top) * 0.2),
                  (150, 150, 150), 1)
        _rect(img, (x0, fb - max(1, (fb - top) * 0.06), x1, fb), _c(col, 0.45))


# ----------------------------------------------------------------------------- furniture
@dataclass
class _Furniture:
    kind: str  # picture, window, sofa, shelf, plant, rug, door or radiator
    box: Box4
    depth: float  # floor-contact row; negative: on the wall or the floor, behind everything
    col: tuple[int, ...]
    poly: list[Point] = field(default_factory=list)  # a rug's outline
    centre: Point = (0.0, 0.0)  # a rug's centre


def _draw_picture(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    fr = max(2, min(x1 - x0, y1 - y0) * 0.08)
    _rect(img, f.box, f.col)
    _rect(img, (x0 + fr * 0.6, y0 + fr * 0.6, x1 - fr * 0.6, y1 - fr * 0.6), (235, 235, 230))
    _put_photo(img, c.photos[int(rng.integers(len(c.photos)))],
               (x0 + fr, y0 + fr, x1 - fr, y1 - fr), rng)


def _draw_window(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    fr = max(2, min(x1 - x0, y1 - y0) * 0.06)
    _rect(img, f.box, f.col)
    _put_photo(img, c.photos[int(rng.integers(len(c.photos)))],
               (x0 + fr, y0 + fr, x1 - fr, y1 - fr), rng, emis=c.emis, e=150)
    _line(img, ((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1), f.col, max(1, fr * 0.7))
    _line(img, (x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2), f.col, max(1, fr * 0.7))


def _draw_sofa(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    w, h = x1 - x0, y1 - y0
    col = f.col
    arm = w * 0.09
    _rect(img, (x0 + arm * 0.5, y0, x1 - arm * 0.5, y0 + h * 0.55), _c(col, 0.85))  # back
    _rect(img, (x0, y0 + h * 0.45, x1, y1 - h * 0.08), col)  # seat front
    _rect(img, (x0 + arm, y0 + h * 0.4, x1 - arm, y0 + h * 0.55), _c(col, 1.1))  # seat top
    _rect(img, (x0, y0 + h * 0.25, x0 + arm, y1 - h * 0.08), _c(col, 0.95))
    _rect(img, (x1 - arm, y0 + h * 0.25, x1, y1 - h * 0.08), _c(col, 0.95))
    n = int(rng.integers(2, 4))
    for i in range(1, n):
        xx = x0 + arm + (w - 2 * arm) * i / n
        _line(img, (xx, y0 + h * 0.42), (xx, y1 - h * 0.1), _c(col, 0.7), 1)
    for lx in (x0 + arm * 0.5, x1 - arm * 0.7):
        _rect(img, (lx, y1 - h * 0.08, lx + max(2, arm * 0.3), y1), (40, 30, 20))
    if rng.random() < 0.6:  # a cushion
        pc = _c(rng.choice([[200, 60, 50], [230, 200, 80], [80, 120, 170], [240, 240, 230]]))
        _ell(img, (x0 + arm + w * 0.1, y0 + h * 0.35), (w * 0.08, h * 0.15), pc)


def _draw_shelf(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    w, h = x1 - x0, y1 - y0
    col = f.col
    _rect(img, f.box, _c(col, 0.8))
    _rect(img, (x0 + w * 0.06, y0 + h * 0.03, x1 - w * 0.06, y1 - h * 0.03), _c(col, 0.45))
    ns = int(rng.integers(3, 6))
    for i in range(ns):
        yy = y0 + h * 0.03 + (h * 0.94) * (i + 1) / ns
        _rect(img, (x0 + w * 0.06, yy - max(1, h * 0.015), x1 - w * 0.06, yy), col)
        xx = x0 + w * 0.08
        while xx < x1 - w * 0.1 and rng.random() < 0.92:  # books
            bw = w * rng.uniform(0.04, 0.1)
            bh = h / ns * rng.uniform(0.5, 0.85)
            bc = _c(rng.integers(40, 230, 3).tolist())
            _rect(img, (xx, yy - max(1, h * 0.015) - bh, min(xx + bw, x1 - w * 0.08),
                        yy - max(1, h * 0.015)), bc)
            xx += bw + 1


def _draw_plant(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    w, h = x1 - x0, y1 - y0
    pc = _c(rng.choice([[170, 90, 60], [230, 230, 225], [60, 60, 60], [120, 100, 80]]))
    _poly(img, [(x0 + w * 0.25, y0 + h * 0.65), (x1 - w * 0.25, y0 + h * 0.65),
                (x1 - w * 0.32, y1), (x0 + w * 0.32, y1)], pc)
    gc = np.array(rng.choice([[50, 110, 50], [70, 130, 60], [40, 90, 45]]))
    for _ in range(int(rng.integers(6, 12))):
        lx = x0 + w * rng.uniform(0.15, 0.85)
        ly = y0 + h * rng.uniform(0.05, 0.6)
        _ell(img, (lx, ly), (w * rng.uniform(0.1, 0.22), h * rng.uniform(0.05, 0.12)),
             _c(gc, rng.uniform(0.7, 1.3)))


def _draw_rug(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    cx, cy = f.centre
    _poly(img, f.poly, f.col)
    _poly(img, [((p[0] * 0.85 + cx * 0.15), (p[1] * 0.85 + cy * 0.15)) for p in f.poly],
          _c(f.col, 1.2))


def _draw_door(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    w, h = x1 - x0, y1 - y0
    _rect(img, f.box, _c(f.col, 0.7))
    _rect(img, (x0 + w * 0.07, y0 + h * 0.03, x1 - w * 0.07, y1), f.col)
    _ell(img, (x1 - w * 0.2, y0 + h * 0.55), (max(1, w * 0.04), max(1, w * 0.04)),
         (200, 200, 200))


def _draw_radiator(img: Rgb, c: _Canvas, rng: np.random.Generator, f: _Furniture) -> None:
    x0, y0, x1, y1 = f.box
    w = x1 - x0
    _rect(img, f.box, (225, 225, 222))
    n = max(3, int(w / 4))
    for i in range(n):
        xx = x0 + w * (i + 0.5) / n
        _line(img, (xx, y0 + 1), (xx, y1 - 1), (185, 185, 182), 1)


_FURNITURE: dict[str, Callable[[Rgb, _Canvas, np.random.Generator, _Furniture], None]] = {
    "picture": _draw_picture, "window": _draw_window, "sofa": _draw_sofa,
    "shelf": _draw_shelf, "plant": _draw_plant, "rug": _draw_rug, "door": _draw_door,
    "radiator": _draw_radiator}


# ----------------------------------------------------------------------------- people
_SKIN = [(235, 200, 170), (210, 165, 130), (175, 125, 90), (130, 90, 60), (95, 65, 45),
         (240, 210, 185)]


class _Plan(NamedTuple):
    """Who stands where: cut-out index, mirrored, feet centre (xc, yfeet), height, box."""

    idx: int
    flip: bool
    xc: float
    yfeet: float
    hpx: float
    box: Box4


def _person_height(y_feet: float, room: _Room, ih: int) -> float:
    """A person's height in pixels with the feet on row y_feet (linear in the row)."""
    f = room.hb + (y_feet - room.yref) / max(1.0, (ih - room.yref)) * (room.ht - room.hb)
    return ih * float(np.clip(f, 0.3, 0.8))


def _feet_row(rng: np.random.Generator, room: _Room, tdev: _Device | None, *, pose: str,
              size: tuple[int, int]) -> tuple[float, float]:
    """(feet row, centre column) to try: anywhere on the floor for "none" (the column is
    decided later for the other poses), else near the target's floor contact."""
    ih, iw = size
    yfl = room.yfl
    if pose == "none" or tdev is None:
        yfeet = rng.uniform(float(yfl.min()) + 0.03 * ih, 0.99 * ih)
        return yfeet, rng.uniform(0.08, 0.92) * iw
    x0, _, x1, y1 = tdev.px
    if tdev.cat == "ceiling":
        lo = float(yfl[int(np.clip((x0 + x1) / 2, 0, iw - 1))]) + 0.05 * ih
        # a ceiling device low in the frame over a floor line near the bottom edge: no room
        # below it, the feet go on the lowest row tried
        yfeet = rng.uniform(min(lo, 0.98 * ih), 0.98 * ih)
    elif tdev.cat == "floor":
        yfeet = (y1 + rng.uniform(-0.04, 0.06) * ih if pose == "stand"
                 else y1 + rng.uniform(-0.05, 0.12) * ih)
    elif pose == "stand":
        yfeet = tdev.contact + rng.uniform(0.01, 0.07) * ih
    else:
        yfeet = tdev.contact + rng.uniform(0.01, 0.3) * ih
    return min(yfeet, 0.995 * ih), 0.0


def _beside(tdev: _Device, bw: float, torso: float, *, pose: str, u_side: float, u_gap: float,
            iw: int) -> float:
    """The person's centre column for "point" (0-2 torso widths beside the target, or
    offset from under a ceiling device) or "stand" (touching distance, or under it)."""
    x0, _, x1, _ = tdev.px
    if tdev.cat == "ceiling":
        if pose == "stand":
            return (x0 + x1) / 2 + (u_gap * 0.6 - 0.3) * (x1 - x0)
        side = 1 if u_side < 0.5 else -1
        return (x0 + x1) / 2 + side * ((x1 - x0) / 2 + (0.2 + 2.0 * u_gap) * torso)
    lsp, rsp = x0, iw - x1
    pl = lsp / max(1e-6, lsp + rsp)
    side = -1 if u_side < pl else 1
    gap = (-0.05 + 0.4 * u_gap) * torso if pose == "stand" else 2.0 * u_gap * torso
    return (x0 - gap - bw / 2) if side < 0 else (x1 + gap + bw / 2)


def _penalty(plan: _Plan, tdev: _Device, devs: list[_Device], *, pose: str, torso: float,
             ih: int) -> float | None:
    """How much of the other devices the person (and, pointing, the arm's rough path) covers;
    None when the person is wrong for the target (covering it, or not under a ceiling one)."""
    box, top, yfeet, xc, hpx = plan.box, plan.box[1], plan.yfeet, plan.xc, plan.hpx
    z = tdev.px
    za = max(1.0, (z[2] - z[0]) * (z[3] - z[1]))
    ov = _overlap_area(box, z) / za
    if tdev.cat == "ceiling":
        if top < z[3] + 0.03 * ih:
            return None
    elif yfeet >= tdev.contact - 1:
        hov = max(0.0, min(box[2], z[2]) - max(box[0], z[0])) / max(1.0, z[2] - z[0])
        if ov > (0.25 if pose == "point" else 0.15) or hov > (0.3 if pose == "point" else 0.2):
            return None
    pen = 0.0
    for d in devs:
        if d is tdev or d.cat == "ceiling":
            continue
        zz = d.px
        pen += _overlap_area(box, zz) / max(1.0, (zz[2] - zz[0]) * (zz[3] - zz[1]))
    if pose == "point":  # the approximate arm path should not run over other devices
        sx = xc + (0.3 if (z[0] + z[2]) / 2 >= xc else -0.3) * torso
        sy = top + 0.2 * hpx
        tx, ty = (z[0] + z[2]) / 2, (z[1] + z[3]) / 2
        dd = math.hypot(tx - sx, ty - sy) + 1e-6
        reach = min(0.44 * hpx, dd)
        for f in (0.4, 0.7, 1.0):
            px_, py_ = sx + (tx - sx) / dd * reach * f, sy + (ty - sy) / dd * reach * f
            for d in devs:
                if d is tdev:
                    continue
                zz = d.px
                if zz[0] - 2 <= px_ <= zz[2] + 2 and zz[1] - 2 <= py_ <= zz[3] + 2:
                    pen += 1.0
    return pen


def _clear_of_all(box: Box4, xc: float, torso: float, devs: list[_Device]) -> bool:
    """For "none": the person is away from every zone (not under a ceiling device either)."""
    for d in devs:
        z = d.px
        if d.cat == "ceiling":
            if z[0] - torso < xc < z[2] + torso:
                return False
        elif _rects_overlap(box, z, m=0.6 * torso):
            return False
    return True


def _plan_person(rng: np.random.Generator, room: _Room, people: tuple[npt.NDArray[np.uint8], ...],
                 *, pose: str, tdev: _Device | None, devs: list[_Device], size: tuple[int, int]
                 ) -> _Plan | None:
    """Up to 40 candidate places, the one covering the fewest other devices; None if none
    fits."""
    ih, iw = size
    idx = int(rng.integers(len(people)))
    cut = people[idx]
    asp = cut.shape[1] / cut.shape[0]
    flip = bool(rng.random() < 0.5)
    yfl = room.yfl
    cands: list[tuple[float, _Plan]] = []
    for _ in range(40):
        yfeet, xc = _feet_row(rng, room, tdev, pose=pose, size=size)
        u_side, u_gap = rng.random(), rng.random()
        for _pass in range(2):
            hpx = _person_height(yfeet, room, ih)
            bw = hpx * asp
            torso = hpx * 0.28
            if pose != "none" and tdev is not None:
                xc = _beside(tdev, bw, torso, pose=pose, u_side=u_side, u_gap=u_gap, iw=iw)
            flc = float(yfl[int(np.clip(xc, 0, iw - 1))])
            if pose == "none" or yfeet >= flc + 0.01 * ih:
                break
            yfeet = min(0.995 * ih, flc + rng.uniform(0.01, 0.05) * ih)
        top = yfeet - hpx
        plan = _Plan(idx, flip, xc, yfeet, hpx, (xc - bw / 2, top, xc + bw / 2, yfeet))
        if top < 0.005 * ih or xc < 0.06 * iw or xc > 0.94 * iw:
            continue
        if yfeet < yfl[int(np.clip(xc, 0, iw - 1))] + 0.01 * ih:
            continue
        if pose == "none" or tdev is None:
            if not _clear_of_all(plan.box, xc, torso, devs):
                continue
            pen = 0.0
        else:
            scored = _penalty(plan, tdev, devs, pose=pose, torso=torso, ih=ih)
            if scored is None:
                continue
            pen = scored
        cands.append((pen, plan))
        if pen == 0 and pose == "none":
            break
        if len(cands) >= 8 or (pen == 0 and len(cands) >= 3):
            break
    if not cands:
        return None
    cands.sort(key=lambda c: c[0])
    return cands[0][1]


def _prepare_person(cut: npt.NDArray[np.uint8], hpx: float, flip: bool,
                    rng: np.random.Generator) -> tuple[F32, F32]:
    """(RGB 0..255 with brightness/offset jitter, alpha 0..1 feathered 3x3) at height hpx."""
    ch, cw = cut.shape[:2]
    s = hpx / ch
    nw, nh = max(2, round(cw * s)), max(4, round(hpx))
    im = np.asarray(cv2.resize(cut, (nw, nh), interpolation=cv2.INTER_LINEAR), np.uint8)
    if flip:
        im = im[:, ::-1]
    rgb = im[..., :3].astype(np.float32)
    rgb = rgb * rng.uniform(0.8, 1.2) + rng.uniform(-12, 12)
    a = cv2.GaussianBlur(im[..., 3], (3, 3), 0).astype(np.float32) / 255.0
    return np.clip(rgb, 0, 255), a


def _shoulder(alpha: F32, side: int) -> tuple[float, float, float, float]:
    """(x, y) of the arm's root, 20 % down the body at the torso's edge on that side, and the
    silhouette's top and bottom rows."""
    h = alpha.shape[0]
    rows = np.nonzero(alpha.max(axis=1) > 0.5)[0]
    top = rows[0] if len(rows) else 0
    bot = rows[-1] if len(rows) else h - 1
    hh = bot - top
    r = int(top + 0.2 * hh)
    band = alpha[max(0, r - 1):r + 2].max(axis=0) > 0.5
    cols = np.nonzero(band)[0]
    if len(cols) == 0:
        cols = np.array([alpha.shape[1] // 2])
    # the torso's columns: where rows 25-45 % are mostly inside (swinging arms are not)
    tb = alpha[int(top + 0.25 * hh):int(top + 0.45 * hh)] > 0.5
    tc = np.nonzero(tb.mean(axis=0) > 0.5)[0]
    lo, hi = (tc[0], tc[-1]) if len(tc) >= 2 else (cols[0], cols[-1])
    wid = hi - lo
    x = hi - 0.15 * wid if side > 0 else lo + 0.15 * wid
    return float(x), float(r), float(top), float(bot)


def _ray_rect_entry(p: Point, d: Point, rect: Box4) -> float | None:
    """Smallest t >= 0 where p + t d enters rect (x0, y0, x1, y1); None if it never does; 0
    if p is inside."""
    t0, t1 = 0.0, 1e9
    for i, (lo, hi) in enumerate(((rect[0], rect[2]), (rect[1], rect[3]))):
        if abs(d[i]) < 1e-9:
            if p[i] < lo or p[i] > hi:
                return None
        else:
            a, b = (lo - p[i]) / d[i], (hi - p[i]) / d[i]
            if a > b:
                a, b = b, a
            t0, t1 = max(t0, a), min(t1, b)
            if t0 > t1:
                return None
    return t0


def _floor_shadow(img: Rgb, rng: np.random.Generator, plan: _Plan, nw: int, nh: int) -> None:
    """A soft dark ellipse on the floor under the feet."""
    ih, iw = img.shape[:2]
    sw = nw * rng.uniform(0.55, 0.8)
    sh = max(2.0, nh * 0.035)
    sx0, sy0 = int(plan.xc - sw * 1.3), int(plan.yfeet - sh * 2)
    sx1, sy1 = int(plan.xc + sw * 1.3), int(plan.yfeet + sh * 2)
    cx0, cy0, cx1, cy1 = max(0, sx0), max(0, sy0), min(iw, sx1), min(ih, sy1)
    if cx1 > cx0 and cy1 > cy0:
        m = np.zeros((sy1 - sy0, sx1 - sx0), np.float32)
        cv2.ellipse(m, (int(plan.xc - sx0), int(plan.yfeet - sy0 - sh * 0.3)), (int(sw), int(sh)),
                    0, 0, 360, 1.0, -1)
        m = np.asarray(cv2.GaussianBlur(m, (0, 0), max(1.0, sh * 0.6)), np.float32)
        m = m[cy0 - sy0:cy1 - sy0, cx0 - sx0:cx1 - sx0]
        k = rng.uniform(0.3, 0.55)
        roi = img[cy0:cy1, cx0:cx1]
        roi[:] = (roi * (1 - k * m[..., None])).astype(np.uint8)


def _draw_arm(img: Rgb, c: _Canvas, rng: np.random.Generator, start: Point,
              aim: tuple[Box4, float, tuple[int, ...]]) -> None:
    """Upper arm and forearm from the shoulder at start towards the centre of zone z, about
    0.4 of the body's height hpx long and stopping about at the zone's edge; the sleeve
    colour with a dark outline, then a skin-tone hand and an index finger."""
    z, hpx, sleeve_col = aim
    sx, sy = start
    tx, ty = (z[0] + z[2]) / 2, (z[1] + z[3]) / 2
    dx, dy = tx - sx, ty - sy
    dist = math.hypot(dx, dy) + 1e-6
    d = (dx / dist, dy / dist)
    length = hpx * rng.uniform(0.36, 0.44)
    tent = _ray_rect_entry((sx, sy), d, z)
    if tent is None:
        tent = dist
    reach = min(length, tent + 0.12 * length)
    reach = max(reach, 0.5 * length)
    hx, hy = sx + d[0] * reach, sy + d[1] * reach
    # the elbow sags a little: downwards in the image, perpendicular to the arm
    perp = (-d[1], d[0]) if d[0] >= 0 else (d[1], -d[0])
    if perp[1] < 0:
        perp = (-perp[0], -perp[1])
    sag = rng.uniform(0.0, 0.08) * reach
    ex, ey = sx + d[0] * reach * 0.47 + perp[0] * sag, sy + d[1] * reach * 0.47 + perp[1] * sag
    sleeve = np.array(sleeve_col, float) * rng.uniform(0.85, 1.1)
    t_up = max(2.0, hpx * rng.uniform(0.05, 0.062))
    t_fo = max(2.0, hpx * rng.uniform(0.04, 0.05))
    dark = _c(sleeve, 0.6)
    _line(img, (sx, sy), (ex, ey), dark, t_up + 2)
    _line(img, (ex, ey), (hx, hy), dark, t_fo + 2)
    _line(img, (sx, sy), (ex, ey), _c(sleeve), t_up)
    _line(img, (ex, ey), (hx, hy), _c(sleeve), t_fo)
    _ell(img, (sx, sy), (t_up * 0.55, t_up * 0.55), _c(sleeve))
    skin = _SKIN[int(rng.integers(len(_SKIN)))]
    if rng.random() < 0.2:  # a glove or dark cuff
        _line(img, (hx - d[0] * t_fo * 0.6, hy - d[1] * t_fo * 0.6), (hx, hy), _c(sleeve, 0.8),
              t_fo)
    hr = max(1.5, hpx * 0.03)
    _ell(img, (hx + d[0] * hr * 0.5, hy + d[1] * hr * 0.5), (hr, hr), _c(skin, 0.85))
    _ell(img, (hx + d[0] * hr * 0.5, hy + d[1] * hr * 0.5), (hr * 0.8, hr * 0.8), skin)
    fl = max(3.0, hpx * 0.045)
    _line(img, (hx + d[0] * hr, hy + d[1] * hr), (hx + d[0] * (hr + fl), hy + d[1] * (hr + fl)),
          skin, max(1, hpx * 0.014))
    arm = np.array([_pt(sx, sy), _pt(ex, ey), _pt(hx, hy)], np.int32)
    cv2.polylines(c.emis, [arm], False, 0, int(t_up + 2))


def _draw_person(img: Rgb, c: _Canvas, rng: np.random.Generator, plan: _Plan,
                 assets: _Assets, *, aim: Box4 | None) -> None:
    """The cut-out on a floor shadow, hiding self-luminous pixels behind it; pointing at the
    zone aim unless it is None."""
    ih, iw = img.shape[:2]
    rgb, a = _prepare_person(assets.people[plan.idx], plan.hpx, plan.flip, rng)
    nh, nw = a.shape
    xl = round(plan.xc - nw / 2)
    yt = round(plan.yfeet - nh)
    _floor_shadow(img, rng, plan, nw, nh)
    x0, y0, x1, y1 = max(0, xl), max(0, yt), min(iw, xl + nw), min(ih, yt + nh)
    if x1 > x0 and y1 > y0:
        aa = a[y0 - yt:y1 - yt, x0 - xl:x1 - xl, None]
        roi = img[y0:y1, x0:x1].astype(np.float32)
        img[y0:y1, x0:x1] = (roi * (1 - aa) + rgb[y0 - yt:y1 - yt, x0 - xl:x1 - xl] * aa
                             ).astype(np.uint8)
        c.emis[y0:y1, x0:x1] = (c.emis[y0:y1, x0:x1] * (1 - aa[..., 0])).astype(np.uint8)
    if aim is None:
        return
    side = 1 if (aim[0] + aim[2]) / 2 >= plan.xc else -1
    sxl, syl, top, bot = _shoulder(a, side)
    _draw_arm(img, c, rng, (xl + sxl, yt + syl), (aim, bot - top, assets.sleeves[plan.idx]))


# ----------------------------------------------------------------------------- furnishing
def _wall_piece(rng: np.random.Generator, kind: str, c: float, *, fl: float, cl: float,
                size: tuple[int, int]) -> tuple[Box4, tuple[int, ...]] | None:
    """(box, colour) of a picture, window, door or radiator on the wall at column c (floor
    row fl, ceiling row cl there); None if it does not fit."""
    ih, iw = size
    wall_h = fl - cl
    if kind in ("picture", "window"):
        w = rng.uniform(0.08, 0.25) * iw
        h = w * rng.uniform(0.6, 1.3) if kind == "picture" else w * rng.uniform(0.9, 1.5)
        yc_ = cl + wall_h * rng.uniform(0.25, 0.5)
        box = (c - w / 2, yc_ - h / 2, c + w / 2, yc_ + h / 2)
        if box[1] < cl + 0.02 * ih or box[3] > fl - 0.12 * ih:
            return None
        return box, _c(rng.choice([[30, 30, 30], [120, 85, 50], [200, 170, 90],
                                   [240, 240, 235]]))
    if kind == "door":
        h = wall_h * rng.uniform(0.75, 0.9)
        w = h * rng.uniform(0.38, 0.48)
        return (c - w / 2, fl - h, c + w / 2, fl), _c(rng.choice([[150, 100, 60],
                                                                  [230, 230, 225], [90, 60, 40]]))
    w, h = rng.uniform(0.12, 0.25) * iw, wall_h * rng.uniform(0.15, 0.25)  # radiator
    return (c - w / 2, fl - h - 0.02 * ih, c + w / 2, fl - 0.02 * ih), (225, 225, 222)


def _floor_piece(rng: np.random.Generator, kind: str, c: float, *, fl: float, room: _Room,
                 size: tuple[int, int]) -> tuple[Box4, float, tuple[int, ...]]:
    """(box, floor-contact row, colour) of a sofa, shelf or plant standing on the floor just in
    front of the wall at column c, sized like a person standing there."""
    ih, iw = size
    yb = fl + rng.uniform(0.005, 0.08) * ih
    s_h = _person_height(yb, room, ih)
    if kind == "sofa":
        w, h = rng.uniform(0.25, 0.45) * iw, s_h * rng.uniform(0.45, 0.55)
        col = _c(rng.choice([[120, 60, 50], [70, 90, 120], [150, 150, 140], [60, 60, 60],
                             [180, 150, 110], [80, 110, 80]]))
    elif kind == "shelf":
        w, h = rng.uniform(0.1, 0.2) * iw, s_h * rng.uniform(0.8, 1.15)
        col = _c(rng.choice([[150, 105, 65], [230, 230, 225], [60, 50, 45]]))
    else:  # plant
        w, h = rng.uniform(0.06, 0.12) * iw, s_h * rng.uniform(0.35, 0.7)
        col = (0, 0, 0)
    return (c - w / 2, yb - h, c + w / 2, yb), yb, col


def _furnish(rng: np.random.Generator, room: _Room, devs: list[_Device], *,
             supports: list[_Support], plan: _Plan | None, size: tuple[int, int]
             ) -> list[_Furniture]:
    """2-6 tries at a piece of furniture (kept off the zones, the supports, each other and the
    person when in front of them), then a rug in 40 % of the frames."""
    ih, iw = size
    yfl, ycl = room.yfl, room.ycl
    occupied = [d.px for d in devs]
    occupied += [(s.x0, s.top - 0.03 * ih, s.x1, s.fb) for s in supports]
    furn = []
    for _ in range(int(rng.integers(2, 7))):
        kind = str(rng.choice(["picture", "picture", "window", "sofa", "shelf", "plant", "plant",
                               "door", "radiator"]))
        c = rng.uniform(0.05, 0.95) * iw
        ci = int(np.clip(c, 0, iw - 1))
        fl, cl = float(yfl[ci]), float(max(0.0, ycl[ci]))
        if fl - cl < 0.15 * ih:
            continue
        if kind in ("picture", "window", "door", "radiator"):
            piece = _wall_piece(rng, kind, c, fl=fl, cl=cl, size=size)
            if piece is None:
                continue
            (box, col), depth = piece, -2.0
        else:
            box, depth, col = _floor_piece(rng, kind, c, fl=fl, room=room, size=size)
        if any(_rects_overlap(box, o, m=0.02 * iw) for o in occupied):
            continue
        if plan is not None and depth > plan.yfeet - 2 and _rects_overlap(box, plan.box,
                                                                           m=0.01 * iw):
            continue
        if box[0] < -0.1 * iw or box[2] > 1.1 * iw:
            continue
        furn.append(_Furniture(kind, box, depth, col))
        occupied.append(box)
    if rng.random() < 0.4:  # a rug on the floor
        cx = rng.uniform(0.3, 0.7) * iw
        fl = float(yfl[int(cx)])
        cy = fl + (ih - fl) * rng.uniform(0.3, 0.6)
        rw, rh = rng.uniform(0.15, 0.35) * iw, (ih - fl) * rng.uniform(0.12, 0.3)
        sk = rng.uniform(-0.1, 0.1) * iw
        poly = [(cx - rw + sk, cy - rh), (cx + rw + sk, cy - rh), (cx + rw * 1.2 - sk, cy + rh),
                (cx - rw * 1.2 - sk, cy + rh)]
        furn.append(_Furniture("rug", (0, 0, 0, 0), -3.0, _c(rng.integers(60, 200, 3).tolist()),
                               poly=poly, centre=(cx, cy)))
    return furn


def _place_person(rng: np.random.Generator, room: _Room, assets: _Assets, *, pose: str,
                  tdev: _Device | None, devs: list[_Device], size: tuple[int, int]
                  ) -> _Plan | None:
    """Always a person for "point" and "stand" (smaller ones tried if a normal one does not
    fit); in 60 % of the "none" frames."""
    if pose not in ("point", "stand") and rng.random() >= 0.6:
        return None
    plan = _plan_person(rng, room, assets.people, pose=pose, tdev=tdev, devs=devs, size=size)
    if plan is None and pose != "none":  # relax: a smaller person, nearer
        plan = _plan_person(rng, replace(room, hb=0.3, ht=0.62), assets.people, pose=pose,
                            tdev=tdev, devs=devs, size=size)
        if plan is None:
            plan = _plan_person(rng, replace(room, hb=0.28, ht=0.5), assets.people, pose=pose,
                                tdev=tdev, devs=devs, size=size)
    return plan


# ----------------------------------------------------------------------------- light, camera
def _gauss(xx: F32, yy: F32, g: _Light, size: tuple[int, int]) -> npt.NDArray[np.floating[Any]]:
    """A light's Gaussian on the small grid (xx, yy) of a frame of that size."""
    ih, iw = size
    sh, sw = xx.shape
    r = max(g.r, 2.0)
    e: npt.NDArray[np.floating[Any]] = np.exp(
        -(((xx + 0.5) * iw / sw - g.x) ** 2 + ((yy + 0.5) * ih / sh - g.y) ** 2) / (2 * r * r))
    return e


def _light(img: Rgb, c: _Canvas, rng: np.random.Generator
           ) -> tuple[npt.NDArray[np.floating[Any]], float]:
    """(lit frame 0..1, ambient level): albedo x an illumination map computed at 1/8 size
    (ambient 0.3-1.05 with a colour cast, a gradient, a vignette, light from lamps, weaker in
    bright rooms); self-luminous pixels keep their colour; glow halos added on top."""
    ih, iw = img.shape[:2]
    amb = rng.uniform(0.3, 1.05)
    cast = np.array(rng.choice([[1.0, 0.86, 0.66], [1.0, 0.95, 0.85], [1.0, 1.0, 1.0],
                                [0.86, 0.94, 1.08], [1.05, 0.95, 0.9], [0.9, 1.0, 0.92]]),
                    np.float32) * np.float32(amb)
    sh, sw = max(4, ih // 8), max(4, iw // 8)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gdir = rng.uniform(-1, 1, 2)
    grad = 1 + 0.25 * (gdir[0] * (xx / sw - 0.5) + gdir[1] * (yy / sh - 0.5)) * 2
    vig = 1 - rng.uniform(0.1, 0.4) * (((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2) * 2)
    ill = (grad * vig)[..., None] * cast[None, None, :]
    halo = np.zeros((sh, sw, 3), np.float32)
    for lamp in c.lamps:  # light cast on the room (a glow's radius is floored at 2 px)
        g = np.exp(-(((xx + 0.5) * iw / sw - lamp.x) ** 2 + ((yy + 0.5) * ih / sh - lamp.y) ** 2)
                   / (2 * lamp.r * lamp.r))
        ill += ((g * lamp.s * max(0.15, 1.1 - amb))[..., None]
                * (np.array(lamp.col, np.float32) / 255.0)[None, None, :])
    for glow in c.glows:
        g = _gauss(xx, yy, glow, (ih, iw))
        halo += ((g * glow.s * 0.45)[..., None]
                 * (np.array(glow.col, np.float32) / 255.0)[None, None, :])
    ill = cv2.resize(ill, (iw, ih), interpolation=cv2.INTER_LINEAR)
    halo = np.asarray(cv2.resize(halo, (iw, ih), interpolation=cv2.INTER_LINEAR), np.float32)
    e = (c.emis.astype(np.float32) / 255.0)[..., None]
    egain = rng.uniform(0.9, 1.15)
    return img.astype(np.float32) / 255.0 * (ill * (1 - e) + egain * e) + halo, amb


def _camera(lit: npt.NDArray[np.floating[Any]], rng: np.random.Generator, amb: float) -> Rgb:
    """Night (IR) mode in some dark frames, gamma, sometimes desaturation; a tilt of up to
    1.5 degrees, up to 2 % zoom and a slight perspective warp (zones move up to ~3.7 % at the
    corners); Gaussian or motion blur; luma and chroma noise, stronger in the dark; JPEG."""
    ih, iw = lit.shape[:2]
    out = lit
    if rng.random() < 0.08 and amb < 0.55:  # night / IR mode
        g = out.mean(axis=2, keepdims=True)
        g = g * (rng.uniform(0.35, 0.5) / max(1e-3, float(g.mean())))
        out = np.repeat(g, 3, axis=2)
    gam = rng.uniform(0.85, 1.15)
    out = np.clip(out, 0, 1) ** gam
    if rng.random() < 0.3:  # desaturate somewhat
        k = rng.uniform(0.2, 0.6)
        out = out * (1 - k) + out.mean(axis=2, keepdims=True) * k
    out = (out * 255).astype(np.float32)
    ang = math.radians(rng.uniform(-1.5, 1.5))
    sc = rng.uniform(1.0, 1.02)
    cxw, cyw = iw / 2, ih / 2
    src = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
    dst = []
    for px_, py_ in src:
        ux, uy = (px_ - cxw) * sc, (py_ - cyw) * sc
        dst.append([cxw + ux * math.cos(ang) - uy * math.sin(ang) + rng.uniform(-0.01, 0.01) * iw,
                    cyw + ux * math.sin(ang) + uy * math.cos(ang) + rng.uniform(-0.01, 0.01) * ih])
    warp = cv2.getPerspectiveTransform(src, np.array(dst, np.float32))
    out = np.asarray(cv2.warpPerspective(out, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REFLECT), np.float32)
    if rng.random() < 0.75:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 1.1)), np.float32)
    if rng.random() < 0.08:  # motion blur
        k = int(rng.integers(3, 6))
        ker = np.zeros((k, k), np.float32)
        ker[k // 2, :] = 1.0 / k
        out = np.asarray(cv2.filter2D(out, -1, ker), np.float32)
    nsig = rng.uniform(1.0, 5.0) / max(0.35, amb)
    out += rng.standard_normal((ih, iw, 1), dtype=np.float32) * np.float32(nsig * 0.5)
    out += rng.standard_normal((ih, iw, 3), dtype=np.float32) * np.float32(nsig * 0.5)
    res = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.85:
        q = int(rng.integers(30, 93))
        _, buf = cv2.imencode(".jpg", res[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
        bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
        assert bgr is not None
        res = np.asarray(bgr, np.uint8)[..., ::-1]
    return np.ascontiguousarray(res)


# ----------------------------------------------------------------------------- frame
def _devices(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
             kinds: Mapping[str, str] | None, states: Mapping[str, bool] | None,
             size: tuple[int, int]) -> list[_Device]:
    """The zones' devices in id order: what is drawn, what holds it up, on or off."""
    ih, iw = size
    devs = []
    for dev in sorted(zones):
        x, y, w, h = (float(v) for v in zones[dev])
        kind = (kinds or {}).get(dev) or _guess_kind(dev, (x, y, w, h))
        top = y <= 0.01
        dk = _draw_kind(kind, top, h, w)
        on = bool(states[dev]) if states is not None and dev in states else bool(rng.random() < 0.5)
        cat = _CAT[dk]
        if top and cat != "wall":
            cat = "ceiling"
        devs.append(_Device(dev, dk, on, (x * iw, y * ih, (x + w) * iw, (y + h) * ih), cat))
    return devs


def render_unseen_scene(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
                        target: str | None, pose: Pose, *, split: Split = "heldout",
                        kinds: Mapping[str, str] | None = None,
                        states: Mapping[str, bool] | None = None,
                        size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of shape (size[0], size[1], 3) of a room with the zones' devices.

    zones: device id -> (x, y, w, h), fractions of the frame (Frigate-style); target: the
    device pointed at or stood by (ignored for pose "none"); kinds: device id -> a hint such as
    "light floor lamp" (else guessed from the id's words and the zone); states: device id ->
    on (else drawn at random)."""
    if split not in FRAMES:
        raise ValueError(f"unknown split {split!r} (train or heldout)")
    assets = assets_for(split, pose, target, zones, _load_assets)
    ih, iw = int(size[0]), int(size[1])
    devs = _devices(rng, zones, kinds, states, (ih, iw))
    room = _room_geometry(rng, ih, iw, devs)
    room.hb = rng.uniform(0.34, 0.46)
    room.ht = rng.uniform(0.66, 0.76)
    room.yref = float(room.yfl.min())
    img = np.zeros((ih, iw, 3), np.uint8)
    c = _Canvas(emis=np.zeros((ih, iw), np.uint8), photos=assets.photos, ih=ih, iw=iw)
    _draw_room(img, rng, room, assets.textures)
    supports = _merge_supports(_stand(rng, devs, room, ih, iw), devs, ih, iw)
    tdev = next((d for d in devs if d.id == target), None) if pose != "none" else None
    plan = _place_person(rng, room, assets, pose=pose, tdev=tdev, devs=devs, size=(ih, iw))
    furn = _furnish(rng, room, devs, supports=supports, plan=plan, size=(ih, iw))

    # painter's order: by floor-contact row; at equal rows furniture, supports, devices, person
    items: list[tuple[float, int, _Furniture | _Support | _Device | _Plan]] = []
    items += [(f.depth, 0, f) for f in furn]
    items += [(s.fb, 1, s) for s in supports]
    for d in devs:
        dep = d.contact if d.cat != "ceiling" else -1.5
        if d.cat == "wall":
            dep = -1.0
        items.append((dep, 2, d))
    if plan is not None:
        items.append((plan.yfeet, 3, plan))
    items.sort(key=lambda t: (t[0], t[1]))
    for _, _, obj in items:
        if isinstance(obj, _Furniture):
            _FURNITURE[obj.kind](img, c, rng, obj)
        elif isinstance(obj, _Support):
            _support_draw(img, obj)
        elif isinstance(obj, _Device):
            _DRAW[obj.dk](img, c, obj.px, obj.on, rng)
        else:
            aim = tdev.px if pose == "point" and tdev is not None else None
            _draw_person(img, c, rng, obj, assets, aim=aim)
    lit, amb = _light(img, c, rng)
    return _camera(lit, rng, amb)
