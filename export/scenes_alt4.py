"""Camera frames of smart-home rooms seen by a corner-mounted security camera, drawn yet
another way, independently of export/scenes_real.py and the other renderers.

A model trained on one renderer's frames does not carry over to frames made another way: it
learns the renderer's look along with the task. So training mixes renderers, and this one
shares no drawing code with the others: a wide-angle camera high in a room corner looking
down (two textured walls meeting at a far vertical corner, a strip of ceiling, a floor plane
receding to the corner; floor-line heights and slopes, ceiling drop and a person-height model
drawn per frame and sampled until they agree with the zones), its own people extraction
(per-split median background, differencing, morphology, hole filling, groups rejected) and
its own pointing arm (from the silhouette's shoulder edge towards the target).

Design: the frame is drawn undistorted, then remapped once through the lens (barrel, roll,
keystone). Each device is drawn in the pre-image box of its zone under that lens map, so after
the remap it lands on its zone (within about 3 % of the frame).

Synthetic: all of a frame is drawn here (room, supports under table-top devices, furniture,
framed pictures, each device by its kind, on or off, soft floor shadows, the arm; light:
ambient level, colour cast, side gradient, vignette, lamp and screen glows; camera: lens,
blur, noise, JPEG). The real pixels in it: wall/floor textures, photographs (tv, pictures,
window views) and pedestrians cut from opencv-doc's vtest.avi.

Poses: "point" (a person beside the target, an arm drawn towards its centre; off the axis of
a ceiling device), "stand" (a person at touching distance of the target, under a ceiling
device), "none" (target=None: nobody in 40 % of the frames, else a person clear of every
device).

Held-out split: `split="heldout"` takes its textures, photographs and people from sources
`split="train"` never uses: TEXTURES, PHOTOS and FRAMES (vtest.avi frame ranges, half-open,
export/people.py's), from export/scene_sources.py. Same rng state and arguments = same frame.
Each split's cut-outs are extracted once (a few seconds) and cached like export/people.py's
(`cache_dir()`, keyed by the extraction's version, the split table and the video).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Cutout, Split, cached_cutouts, video_frames, video_path
from export.scene_sources import FRAMES, PHOTOS, TEXTURES, assets_for, load_source_image, people_npz

__all__ = ["FRAMES", "PHOTOS", "TEXTURES", "Pose", "render_alt4_scene"]

Pose = Literal["point", "stand", "none"]
Rgb = npt.NDArray[np.uint8]  # (H, W, 3) RGB
Bgr = npt.NDArray[np.uint8]  # (H, W, 3) BGR, as OpenCV decodes video
Gray = npt.NDArray[np.uint8]  # (H, W)
Floats = npt.NDArray[np.floating[Any]]
Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels
IntBox = tuple[int, int, int, int]
Colour = tuple[int, ...]
ColourLike = Sequence[float | np.number[Any]] | npt.NDArray[Any]
Point = tuple[float, float]
# The lens: destination pixel coordinates -> source (undistorted) coordinates.
LensMap = Callable[[Floats, Floats], tuple[Floats, Floats]]
Shadow = tuple[float, float, float, float]  # centre x, floor y, radii x, y
Glow = tuple[float, float, float, tuple[float, float, float]]  # x, y, radius, colour

_PEOPLE_VERSION = "alt4-people-v1"  # bump when the extraction changes: the cache key includes it


# ----------------------------------------------------------------------------- people
def _fill_holes(comp: Gray) -> Gray:
    """The blob with every hole inside it filled: what a flood from the corner cannot reach."""
    flooded = comp.copy()
    cv2.floodFill(flooded, np.zeros((flooded.shape[0] + 2, flooded.shape[1] + 2), np.uint8),
                  (0, 0), 255)
    return np.asarray(comp | (255 - flooded), np.uint8)


def _two_heads(comp: Gray) -> bool:
    """Two separate runs (4 px or wider) in one row at head/shoulder height: a group."""
    rows = comp.shape[0]
    for ry in range(int(rows * 0.06), int(rows * 0.22) + 1):
        r = (comp[ry] > 0).astype(np.int8)
        edges = np.diff(np.concatenate([[0], r, [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        if sum(1 for a, b in zip(starts, ends, strict=True) if b - a >= 4) >= 2:
            return True
    return False


def _cutouts_in(frame: Bgr, bg: Bgr, index: int) -> list[tuple[Cutout, int, int]]:
    """(cut-out, feet row, height) of each person-shaped blob of |frame - background|."""
    k_open = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    k_close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 15))
    src_h, src_w = bg.shape[:2]
    m = (cv2.absdiff(frame, bg).max(axis=2) > 30).astype(np.uint8)
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, k_open)
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, k_close)
    n, lab, st, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    out = []
    for j in range(1, n):
        x, y, w, h, area = (int(v) for v in st[j])
        if not (60 <= h <= 135 and 1.7 <= h / max(w, 1) <= 4.2 and area / (w * h) > 0.42):
            continue  # not one standing person: a fragment, a group, a shadow
        if x < 3 or y < 3 or x + w > src_w - 3 or y + h > src_h - 3:
            continue  # cut by the frame's edge
        x0, y0, x1, y1 = x - 3, y - 3, x + w + 3, y + h + 3  # a margin for the soft edge
        comp = _fill_holes((lab[y0:y1, x0:x1] == j).astype(np.uint8) * 255)
        if _two_heads(comp) or w > 0.55 * h:
            continue
        alpha = cv2.GaussianBlur(cv2.erode(comp, k_open), (3, 3), 0)
        rgb = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)
        out.append((Cutout(np.dstack([rgb, alpha]), index), y + h, h))
    return out


def _extract_split(video: Path, split: str) -> list[Cutout]:
    """People of the split's frames only, against the median of the split's own frames."""
    span = FRAMES[split]
    sampled = [f for _, f in video_frames(video, span, 6)]
    if not sampled:
        raise AssetError(f"{video}: no frame readable in {span[0]}-{span[1]}")
    bg = np.median(np.stack(sampled), axis=0).astype(np.uint8)
    del sampled  # two passes: holding a split's frames would take up to 600 MB
    found: list[tuple[Cutout, int, int]] = []
    for index, frame in video_frames(video, span, 4):
        found.extend(_cutouts_in(frame, bg, index))
    # Over the plaza a person lower in the frame is taller: a blob far taller than that trend
    # is two people, one behind the other.
    feet = np.array([f for _, f, _ in found], np.float64)
    height = np.array([h for _, _, h in found], np.float64)
    keep = height <= 1.18 * np.polyval(np.polyfit(feet, height, 1), feet)
    return [c for (c, _, _), k in zip(found, keep, strict=True) if k]


@lru_cache(maxsize=2)
def _split_people(video: Path, split: str) -> tuple[Cutout, ...]:
    """A split's cut-outs, from the disk cache or extracted (then cached)."""
    return cached_cutouts(people_npz(video, _PEOPLE_VERSION, f"-{split}"),
                          lambda: _extract_split(video, split))


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Assets:
    textures: tuple[npt.NDArray[np.float32], ...]  # standardised luminance, 160x160
    photos: tuple[Rgb, ...]  # longer side 200 px
    people: tuple[tuple[Rgb, Gray], ...]  # RGB and soft alpha, feet on the bottom row


def _texture(im: Rgb) -> npt.NDArray[np.float32]:
    g = cv2.resize(cv2.cvtColor(im, cv2.COLOR_RGB2GRAY), (160, 160),
                   interpolation=cv2.INTER_AREA).astype(np.float32)
    return np.asarray((g - g.mean()) / (g.std() + 1e-6), np.float32)


def _photo(im: Rgb) -> Rgb:
    s = 200.0 / max(im.shape[:2])
    size = (int(im.shape[1] * s), int(im.shape[0] * s))
    return np.asarray(cv2.resize(im, size, interpolation=cv2.INTER_AREA), np.uint8)


@lru_cache(maxsize=4)
def _load_assets(split: str, data_dir: Path) -> _Assets:
    """Keyed by the data directory too, so that another MILM_OPENCV_DATA is looked at."""
    cut = _split_people(video_path(), split)
    if not cut:
        raise AssetError(f"no {split} person cut out of vtest.avi frames {FRAMES[split]}")
    people = tuple((np.ascontiguousarray(c.rgba[..., :3]), np.ascontiguousarray(c.rgba[..., 3]))
                   for c in cut)
    return _Assets(
        textures=tuple(_texture(load_source_image(s, data_dir)) for s in TEXTURES[split]),
        photos=tuple(_photo(load_source_image(s, data_dir)) for s in PHOTOS[split]),
        people=people)


# ----------------------------------------------------------------------------- kinds
_CEILING = {"ceiling_light", "fan"}
_WALL = {"blinds", "plug", "thermostat"}
# Height of a device's bottom edge above the floor, as a fraction of a person's height: the
# floor row under it follows, and a support (counter, desk, stand) fills the gap.
_BASE = {"floor_lamp": 0.0, "speaker": 0.0, "vacuum": 0.0, "door": 0.0, "fan_stand": 0.0,
         "box": 0.0, "tv": 0.27, "blinds": 0.5, "coffee": 0.53, "kettle": 0.53,
         "router": 0.44, "desk_lamp": 0.44, "table_lamp": 0.34, "plug": 0.12,
         "thermostat": 0.8}
_GLOWING = ("ceiling_light", "floor_lamp", "table_lamp", "desk_lamp", "tv")


def _device_kind(dev: str, zone: tuple[float, float, float, float], hint: str | None) -> str:
    """What to draw: from the hint (else the id's words), then the zone's (x, y, w, h)."""
    t = (hint or dev).lower().replace("_", " ")
    _, y, w, h = zone
    top = y <= 0.02

    def has(*words: str) -> bool:
        return any(k in t for k in words)

    if has("fan"):
        return "fan" if top else "fan_stand"
    if has("vacuum", "roomba"):
        return "vacuum"
    if "tv" in t.split() or has("television", "screen"):
        return "tv"
    if has("speaker", "stereo", "media"):
        return "speaker"
    if has("blind", "cover", "curtain", "shade", "window"):
        return "blinds"
    if has("coffee", "espresso"):
        return "coffee"
    if has("kettle"):
        return "kettle"
    if has("router", "wifi", "modem"):
        return "router"
    if has("plug", "socket"):
        return "plug"
    if has("thermostat", "climate"):
        return "thermostat"
    if has("lock", "door"):
        return "door"
    if has("ceiling", "chandelier") or (top and has("light", "lamp")):
        return "ceiling_light"
    if has("lamp", "light"):
        if has("floor", "standing") or (h > 0.4 and h * 3 > w * 4 * 2.2):
            return "floor_lamp"
        if has("desk", "office"):
            return "desk_lamp"
        return "table_lamp"
    if top:
        return "ceiling_light"
    if has("switch") and w * h < 0.012:
        return "plug"
    return "box"


@dataclass
class _Device:
    id: str
    kind: str
    on: bool
    box: Box4  # the pre-image of the zone under the lens, in pixels
    ceiling: bool


# ----------------------------------------------------------------------------- drawing
def _rint(v: float) -> int:
    return round(v)


def _c(col: ColourLike, f: float = 1.0) -> Colour:
    """A colour scaled by f, as OpenCV takes it: ints clipped to 0..255."""
    return tuple(int(max(0, min(255, v * f))) for v in col)


def _pick(rng: np.random.Generator, options: Sequence[tuple[int, int, int]]) -> Colour:
    return _c(rng.choice(options).tolist())


def _poly(img: Rgb, pts: Sequence[Point], col: ColourLike) -> None:
    cv2.fillPoly(img, [np.round(np.asarray(pts)).astype(np.int32)], _c(col), cv2.LINE_AA)


def _vgrad(img: Rgb, box: IntBox, a: float, b: float) -> None:
    """Multiply a rectangle by a vertical brightness ramp a->b."""
    ih, iw = img.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(iw, box[2]), min(ih, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    g = np.linspace(a, b, y1 - y0, dtype=np.float32)[:, None, None]
    img[y0:y1, x0:x1] = np.clip(img[y0:y1, x0:x1] * g, 0, 255).astype(np.uint8)


def _hgrad(img: Rgb, box: IntBox, lo: float = 0.55, hi: float = 1.15, peak: float = 0.35
           ) -> None:
    """Cylinder-like horizontal shading (a bright stripe at `peak`)."""
    ih, iw = img.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(iw, box[2]), min(ih, box[3])
    if x1 <= x0 or y1 <= y0:
        return
    u = np.linspace(0, 1, x1 - x0, dtype=np.float32)
    g = lo + (hi - lo) * np.exp(-((u - peak) / 0.35) ** 2)
    img[y0:y1, x0:x1] = np.clip(img[y0:y1, x0:x1] * g[None, :, None], 0, 255).astype(np.uint8)


def _box3d(img: Rgb, box: Box4, col: ColourLike, side: int, *, dtop: float | None = None,
           dside: float | None = None) -> IntBox:
    """A box seen from above-front inside the rectangle: top face, front face, the side face
    towards the frame's centre. Returns the front face."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    dt = max(1.0, h * 0.22) if dtop is None else dtop
    ds = max(1.0, w * 0.15) if dside is None else dside
    if side > 0:  # right side face visible
        fx0, fx1 = x0, x1 - ds
        top = [(fx0, y0 + dt), (fx1, y0 + dt), (x1, y0), (x0 + ds, y0)]
        sd = [(fx1, y0 + dt), (x1, y0), (x1, y1 - dt), (fx1, y1)]
    else:
        fx0, fx1 = x0 + ds, x1
        top = [(fx0, y0 + dt), (fx1, y0 + dt), (x1 - ds, y0), (x0, y0)]
        sd = [(fx0, y0 + dt), (x0, y0), (x0, y1 - dt), (fx0, y1)]
    _poly(img, top, _c(col, 1.25))
    _poly(img, sd, _c(col, 0.6))
    _poly(img, [(fx0, y0 + dt), (fx1, y0 + dt), (fx1, y1), (fx0, y1)], col)
    _vgrad(img, (int(fx0), int(y0 + dt), int(fx1), int(y1)), 1.05, 0.8)
    return int(fx0), int(y0 + dt), int(fx1), int(y1)


def _paste(img: Rgb, src: Rgb, box: Box4) -> None:
    """src resized to the rectangle, clipped to the image."""
    ix0, iy0, ix1, iy1 = (int(v) for v in box)
    if ix1 - ix0 < 2 or iy1 - iy0 < 2:
        return
    r = cv2.resize(src, (ix1 - ix0, iy1 - iy0), interpolation=cv2.INTER_AREA)
    ih, iw = img.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, ix0), max(0, iy0), min(iw, ix1), min(ih, iy1)
    if cx1 > cx0 and cy1 > cy0:
        img[cy0:cy1, cx0:cx1] = r[cy0 - iy0:cy1 - iy0, cx0 - ix0:cx1 - ix0]


def _crop_photo(rng: np.random.Generator, ph: Rgb, aspect: float) -> Rgb:
    """A random crop of the photo at the aspect (width / height)."""
    h, w = ph.shape[:2]
    if w / h > aspect:
        cw = max(1, int(h * aspect))  # a sliver of a screen or window still gets a column
        x = int(rng.integers(0, w - cw + 1))
        return ph[:, x:x + cw]
    ch = max(2, int(w / aspect))
    y = int(rng.integers(0, h - ch + 1))
    return ph[y:y + ch]


def _overlap(a: Box4, b: Box4) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


# ----------------------------------------------------------------------------- lens
def _lens(rng: np.random.Generator, ih: int, iw: int) -> LensMap:
    """Barrel distortion, roll and keystone, zoomed so that the corners stay inside."""
    k = rng.uniform(0.06, 0.22)  # barrel strength
    th = np.deg2rad(rng.uniform(-2.5, 2.5))  # roll
    kx = rng.uniform(-0.04, 0.04)  # keystone
    zoom = 1.0 / (1.0 + 0.025 + abs(th))
    cx, cy, radius = (iw - 1) / 2, (ih - 1) / 2, np.hypot(iw, ih) / 2
    c, s = np.cos(th), np.sin(th)

    def source_of(x: Floats, y: Floats) -> tuple[Floats, Floats]:
        u, v = (x - cx) / radius, (y - cy) / radius
        u, v = u * c - v * s, u * s + v * c
        r2 = u * u + v * v
        m = (1 + k * r2) / (1 + k * 0.8) * zoom
        u = u * m * (1 + kx * v)
        v = v * m
        return cx + radius * u, cy + radius * v
    return source_of


def _source_box(lens: LensMap, zone: tuple[float, float, float, float], ih: int, iw: int
                ) -> Box4:
    """The bounding box of the zone's border mapped through the lens: drawn there, a device
    lands on its zone after the remap."""
    x, y, w, h = zone
    t = np.linspace(0, 1, 7)
    xs = np.concatenate([x + w * t, x + w * t, np.full(7, x), np.full(7, x + w)]) * iw
    ys = np.concatenate([np.full(7, y), np.full(7, y + h), y + h * t, y + h * t]) * ih
    sx, sy = lens(xs, ys)
    return float(sx.min()), float(sy.min()), float(sx.max()), float(sy.max())


# ----------------------------------------------------------------------------- devices
_WARM = (255, 236, 185)
# (image, device, side face to show, rng, photos)
_Drawer = Callable[[Rgb, _Device, int, np.random.Generator, tuple[Rgb, ...]], None]


def _dev_ceiling_light(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                       photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    metal = _c((rng.integers(150, 230),) * 3)
    cv2.rectangle(img, (_rint(cx - w * 0.12), 0), (_rint(cx + w * 0.12), _rint(y0 + h * 0.08)),
                  metal, -1)
    cv2.line(img, (_rint(cx), 0), (_rint(cx), _rint(y0 + h * 0.45)), _c(metal, 0.6),
             max(1, _rint(w * 0.03)), cv2.LINE_AA)
    sy = y0 + h * 0.42
    shade = _WARM if on else (230, 228, 220)
    cv2.ellipse(img, (_rint(cx), _rint(sy)), (_rint(w * 0.48), _rint(h * 0.56)), 0, 0, 180,
                _c(shade, 1.0 if on else 0.8), -1, cv2.LINE_AA)
    cv2.ellipse(img, (_rint(cx), _rint(sy)), (_rint(w * 0.48), _rint(h * 0.1)), 0, 0, 360,
                _c(shade, 1.0 if on else 1.1), -1, cv2.LINE_AA)
    _hgrad(img, (_rint(x0), _rint(sy + h * 0.05), _rint(x1), _rint(y1)), 0.92 if on else 0.7,
           1.15, 0.4)
    if on:
        cv2.ellipse(img, (_rint(cx), _rint(sy + h * 0.45)), (_rint(w * 0.32), _rint(h * 0.1)),
                    0, 0, 360, (255, 255, 245), -1, cv2.LINE_AA)


def _dev_fan(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
             photos: tuple[Rgb, ...]) -> None:
    """A ceiling fan: four blades, blurred into one disc while it spins."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    hub_y = y0 + h * 0.55
    cv2.line(img, (_rint(cx), 0), (_rint(cx), _rint(hub_y)), (90, 90, 90),
             max(1, _rint(w * 0.03)), cv2.LINE_AA)
    blade = _pick(rng, [(140, 100, 60), (230, 230, 225), (70, 60, 50)])
    if on:
        cv2.ellipse(img, (_rint(cx), _rint(hub_y)), (_rint(w * 0.49), _rint(h * 0.28)), 0, 0,
                    360, _c(blade, 0.9), -1, cv2.LINE_AA)
        sub = img[max(0, _rint(hub_y - h * 0.3)):_rint(hub_y + h * 0.3) + 1,
                  max(0, _rint(x0)):_rint(x1) + 1]
        if sub.size:
            sub[:] = cv2.GaussianBlur(sub, (5, 5), 0)
    else:
        a0 = rng.uniform(0, 90)
        for j in range(4):
            a = np.deg2rad(a0 + 90 * j)
            ex, ey = cx + np.cos(a) * w * 0.3, hub_y + np.sin(a) * h * 0.16
            angle = float(np.rad2deg(np.arctan2(np.sin(a) * 0.5, np.cos(a))))
            cv2.ellipse(img, (_rint(ex), _rint(ey)), (_rint(w * 0.2), _rint(h * 0.08)), angle,
                        0, 360, _c(blade, 0.8 + 0.1 * j), -1, cv2.LINE_AA)
    cv2.ellipse(img, (_rint(cx), _rint(hub_y)), (_rint(w * 0.09), _rint(h * 0.22)), 0, 0, 360,
                (70, 70, 75), -1, cv2.LINE_AA)
    cv2.ellipse(img, (_rint(cx), _rint(hub_y + h * 0.2)), (_rint(w * 0.06), _rint(h * 0.16)),
                0, 0, 360, _WARM if on else (200, 200, 200), -1, cv2.LINE_AA)


def _dev_lamp(img: Rgb, d: _Device, side: int, rng: np.random.Generator, *, floor: bool
              ) -> None:
    """A floor lamp (a pole) or a table lamp (a shaded body) under a tapered shade."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    shade_h = h * (0.3 if floor else 0.5)
    pole = _c((rng.integers(40, 200),) * 3)
    cv2.ellipse(img, (_rint(cx), _rint(y1 - h * 0.03)), (_rint(w * 0.35), _rint(max(2, h * 0.03))),
                0, 0, 360, _c(pole, 0.7), -1, cv2.LINE_AA)
    if floor:
        cv2.line(img, (_rint(cx), _rint(y1 - h * 0.03)), (_rint(cx), _rint(y0 + shade_h)), pole,
                 max(2, _rint(w * 0.08)), cv2.LINE_AA)
    else:
        half = w * 0.22
        col = _c(rng.integers(60, 230, 3).tolist())
        cv2.rectangle(img, (_rint(cx - half), _rint(y0 + shade_h)),
                      (_rint(cx + half), _rint(y1 - h * 0.04)), col, -1)
        _hgrad(img, (_rint(cx - half), _rint(y0 + shade_h), _rint(cx + half), _rint(y1 - h * 0.04)))
    shade = _WARM if on else _pick(rng, [(215, 205, 185), (200, 200, 205), (190, 170, 140)])
    _poly(img, [(cx - w * 0.28, y0), (cx + w * 0.28, y0), (x1, y0 + shade_h), (x0, y0 + shade_h)],
          shade)
    _hgrad(img, (_rint(x0), _rint(y0), _rint(x1), _rint(y0 + shade_h)), 0.88 if on else 0.6,
           1.12, 0.35)
    cv2.ellipse(img, (_rint(cx), _rint(y0 + shade_h)), (_rint(w * 0.5), _rint(max(1, h * 0.025))),
                0, 0, 180, (255, 255, 235) if on else _c(shade, 0.55), -1, cv2.LINE_AA)


def _dev_floor_lamp(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                    photos: tuple[Rgb, ...]) -> None:
    _dev_lamp(img, d, side, rng, floor=True)


def _dev_table_lamp(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                    photos: tuple[Rgb, ...]) -> None:
    _dev_lamp(img, d, side, rng, floor=False)


def _dev_desk_lamp(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                   photos: tuple[Rgb, ...]) -> None:
    """An arm lamp, its elbow away from the frame's centre."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    col = _pick(rng, [(40, 40, 45), (200, 200, 205), (180, 40, 40), (30, 80, 150)])
    cv2.ellipse(img, (_rint(cx), _rint(y1 - h * 0.06)), (_rint(w * 0.35), _rint(h * 0.06)), 0, 0,
                360, col, -1, cv2.LINE_AA)
    ex, ey = cx - side * w * 0.25, y0 + h * 0.45
    hx, hy = cx + side * w * 0.15, y0 + h * 0.2
    t = max(2, _rint(w * 0.07))
    cv2.line(img, (_rint(cx), _rint(y1 - h * 0.06)), (_rint(ex), _rint(ey)), col, t, cv2.LINE_AA)
    cv2.line(img, (_rint(ex), _rint(ey)), (_rint(hx), _rint(hy)), col, t, cv2.LINE_AA)
    _poly(img, [(hx - w * 0.12, y0), (hx + w * 0.12, y0), (hx + w * 0.3, y0 + h * 0.33),
                (hx - w * 0.3, y0 + h * 0.33)], col)
    _hgrad(img, (_rint(hx - w * 0.3), _rint(y0), _rint(hx + w * 0.3), _rint(y0 + h * 0.33)))
    cv2.ellipse(img, (_rint(hx), _rint(y0 + h * 0.33)), (_rint(w * 0.28), _rint(h * 0.05)), 0, 0,
                360, (255, 250, 225) if on else _c(col, 0.5), -1, cv2.LINE_AA)


def _dev_tv(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
            photos: tuple[Rgb, ...]) -> None:
    """A screen showing a photo when on, a dark glass with a reflection when off."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    f = _box3d(img, b, (28, 28, 32), side, dtop=h * 0.06, dside=w * 0.04)
    bz = max(1, int(w * 0.03))
    sx0, sy0, sx1, sy1 = f[0] + bz, f[1] + bz, f[2] - bz, f[3] - bz - max(1, int(h * 0.03))
    if sx1 > sx0 + 2 and sy1 > sy0 + 2:
        if on:
            ph = photos[int(rng.integers(len(photos)))]
            _paste(img, _crop_photo(rng, ph, (sx1 - sx0) / (sy1 - sy0)), (sx0, sy0, sx1, sy1))
            reg = img[sy0:sy1, sx0:sx1]
            reg[:] = np.clip(reg.astype(np.float32) * 1.15 + 15, 0, 255).astype(np.uint8)
        else:
            img[sy0:sy1, sx0:sx1] = (18, 20, 24)
            _poly(img, [(sx0, sy1), (sx0 + (sx1 - sx0) * 0.5, sy0), (sx0 + (sx1 - sx0) * 0.7, sy0),
                        (sx0 + (sx1 - sx0) * 0.2, sy1)], (40, 43, 50))
    cv2.circle(img, (_rint(f[2] - w * 0.06), _rint(f[3] - max(1, h * 0.02))), 1,
               (60, 230, 60) if on else (230, 40, 40), -1)


def _dev_speaker(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                 photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _pick(rng, [(30, 30, 32), (90, 60, 40), (200, 200, 200)])
    f = _box3d(img, b, col, side, dtop=h * 0.1, dside=w * 0.18)
    fw, fh = f[2] - f[0], f[3] - f[1]
    fcx = (f[0] + f[2]) / 2
    r1 = max(1, _rint(min(fw, fh) * 0.32))
    for cyf, rr in ((0.7, r1), (0.3, max(1, r1 // 2))):  # woofer, tweeter
        cv2.circle(img, (_rint(fcx), _rint(f[1] + fh * cyf)), rr, _c(col, 0.4), -1, cv2.LINE_AA)
        cv2.circle(img, (_rint(fcx), _rint(f[1] + fh * cyf)), rr, _c(col, 1.6), 1, cv2.LINE_AA)
    if on:
        cv2.circle(img, (_rint(fcx), _rint(f[1] + fh * 0.08)), max(1, _rint(fw * 0.07)),
                   (80, 200, 255), -1, cv2.LINE_AA)


def _dev_blinds(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                photos: tuple[Rgb, ...]) -> None:
    """A window with a view; the slats are raised to near the top when on."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    frame = _pick(rng, [(235, 235, 230), (120, 90, 60), (60, 60, 60)])
    cv2.rectangle(img, (_rint(x0), _rint(y0)), (_rint(x1), _rint(y1)), frame, -1)
    m = max(1, _rint(w * 0.05))
    wx0, wy0, wx1, wy1 = _rint(x0) + m, _rint(y0) + m, _rint(x1) - m, _rint(y1) - m
    if wx1 > wx0 + 2 and wy1 > wy0 + 2:
        ph = photos[int(rng.integers(len(photos)))]
        _paste(img, _crop_photo(rng, ph, (wx1 - wx0) / (wy1 - wy0)), (wx0, wy0, wx1, wy1))
        reg = img[wy0:wy1, wx0:wx1]
        reg[:] = np.clip(reg.astype(np.float32) * 0.7 + 80, 0, 255).astype(np.uint8)  # daylight
        slat = _pick(rng, [(225, 220, 205), (200, 200, 200), (170, 140, 100)])
        stop = wy0 + (wy1 - wy0) * (rng.uniform(0.08, 0.25) if on else 1.0)
        n = max(4, int((stop - wy0) / max(2.0, h * 0.035)))
        ys = np.linspace(wy0, stop, n + 1)
        for j in range(n):
            cv2.rectangle(img, (wx0, _rint(ys[j])), (wx1, _rint(ys[j + 1]) - 1),
                          _c(slat, 0.85 + 0.15 * (j % 2)), -1)
        _hgrad(img, (wx0, wy0, wx1, _rint(stop)), 0.8, 1.05, 0.5)
        cv2.line(img, (_rint((wx0 + wx1) / 2), wy0), (_rint((wx0 + wx1) / 2), wy1), _c(frame, 0.8),
                 max(1, m // 2))
    cv2.rectangle(img, (_rint(x0), _rint(y1 - m)), (_rint(x1), _rint(y1)), _c(frame, 1.15), -1)


def _dev_vacuum(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    col = _pick(rng, [(30, 30, 35), (220, 220, 225), (120, 120, 130)])
    eh = h * 0.6
    cv2.ellipse(img, (_rint(cx), _rint(y1 - eh / 2)), (_rint(w / 2), _rint(eh / 2)), 0, 0, 360,
                _c(col, 0.55), -1, cv2.LINE_AA)
    cv2.ellipse(img, (_rint(cx), _rint(y0 + eh / 2)), (_rint(w / 2), _rint(eh / 2)), 0, 0, 360,
                _c(col, 1.1), -1, cv2.LINE_AA)
    cv2.ellipse(img, (_rint(cx), _rint(y0 + eh * 0.45)), (_rint(w * 0.15), _rint(eh * 0.14)), 0,
                0, 360, _c(col, 1.4), -1, cv2.LINE_AA)
    cv2.circle(img, (_rint(cx + w * 0.2), _rint(y0 + eh * 0.35)), max(1, _rint(w * 0.04)),
               (60, 255, 80) if on else (90, 90, 90), -1)


def _dev_coffee(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _pick(rng, [(30, 30, 30), (170, 170, 175), (150, 30, 30)])
    f = _box3d(img, b, col, side, dtop=h * 0.12, dside=w * 0.15)
    fw, fh = f[2] - f[0], f[3] - f[1]
    cv2.rectangle(img, (_rint(f[0] + fw * 0.2), _rint(f[1] + fh * 0.35)),
                  (_rint(f[2] - fw * 0.2), _rint(f[3] - fh * 0.08)), (15, 15, 15), -1)
    cv2.rectangle(img, (_rint(f[0] + fw * 0.35), _rint(f[1] + fh * 0.62)),
                  (_rint(f[2] - fw * 0.35), _rint(f[3] - fh * 0.1)), (235, 235, 230), -1)  # cup
    cv2.circle(img, (_rint(f[0] + fw * 0.8), _rint(f[1] + fh * 0.15)), max(1, _rint(fw * 0.06)),
               (255, 60, 40) if on else (70, 70, 70), -1)
    if on:  # steam
        cv2.ellipse(img, (_rint((f[0] + f[2]) / 2), _rint(f[1] + fh * 0.5)),
                    (max(1, _rint(fw * 0.05)), max(1, _rint(fh * 0.1))), 0, 0, 360,
                    (200, 200, 200), 1, cv2.LINE_AA)


def _dev_kettle(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    col = _pick(rng, [(200, 200, 205), (240, 240, 240), (40, 40, 45), (180, 40, 40)])
    cv2.rectangle(img, (_rint(x0 + w * 0.05), _rint(y1 - h * 0.1)),
                  (_rint(x1 - w * 0.05), _rint(y1)), (40, 40, 40), -1)  # the base
    _poly(img, [(x0 + w * 0.22, y0 + h * 0.1), (x1 - w * 0.3, y0 + h * 0.1),
                (x1 - w * 0.15, y1 - h * 0.1), (x0 + w * 0.08, y1 - h * 0.1)], col)
    _hgrad(img, (_rint(x0 + w * 0.08), _rint(y0 + h * 0.1), _rint(x1 - w * 0.15),
                 _rint(y1 - h * 0.1)))
    cv2.ellipse(img, (_rint(cx - w * 0.06), _rint(y0 + h * 0.1)),
                (_rint(w * 0.27), _rint(max(1, h * 0.07))), 0, 0, 360, _c(col, 1.2), -1,
                cv2.LINE_AA)
    cv2.ellipse(img, (_rint(x1 - w * 0.2), _rint(y0 + h * 0.45)),
                (_rint(w * 0.14), _rint(h * 0.27)), 0, -90, 90, _c(col, 0.7),
                max(1, _rint(w * 0.07)), cv2.LINE_AA)  # the handle
    cv2.line(img, (_rint(x0 + w * 0.12), _rint(y1 - h * 0.12)),
             (_rint(x1 - w * 0.2), _rint(y1 - h * 0.12)), (70, 140, 255) if on else (60, 60, 60),
             max(1, _rint(h * 0.04)))


def _dev_router(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _pick(rng, [(30, 30, 35), (235, 235, 235)])
    f = _box3d(img, (x0, y0 + h * 0.35, x1, y1), col, side, dtop=h * 0.25, dside=w * 0.08)
    for j in range(3):  # antennas
        ax = x0 + w * (0.2 + 0.3 * j)
        cv2.line(img, (_rint(ax), _rint(y0 + h * 0.45)),
                 (_rint(ax + (j - 1) * w * 0.06), _rint(y0)), _c(col, 0.8),
                 max(1, _rint(w * 0.04)), cv2.LINE_AA)
    for j in range(4):
        cv2.circle(img, (_rint(f[0] + (f[2] - f[0]) * (0.2 + 0.2 * j)), _rint((f[1] + f[3]) / 2)),
                   1, (60, 255, 90) if on else (70, 70, 70), -1)


def _dev_plug(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
              photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    cv2.rectangle(img, (_rint(x0), _rint(y0)), (_rint(x1), _rint(y1)), (232, 232, 228), -1)
    _vgrad(img, (_rint(x0), _rint(y0), _rint(x1), _rint(y1)), 1.05, 0.8)
    inner = ((_rint(x0 + w * 0.2), _rint(y0 + h * 0.2)),
             (_rint(x1 - w * 0.2), _rint(y1 - h * 0.15)))  # the socket
    cv2.rectangle(img, *inner, (250, 250, 250), -1)
    cv2.rectangle(img, *inner, (150, 150, 150), 1)
    cv2.circle(img, (_rint(cx), _rint(y0 + h * 0.35)), max(1, _rint(w * 0.1)),
               (40, 140, 255) if on else (120, 120, 120), -1)


def _dev_thermostat(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                    photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    r = _rint(min(w, h) * 0.48)
    centre = (_rint(cx), _rint((y0 + y1) / 2))
    cv2.circle(img, centre, r, (225, 225, 222), -1, cv2.LINE_AA)
    cv2.circle(img, centre, max(1, _rint(r * 0.7)), (30, 30, 30), -1, cv2.LINE_AA)
    if on:
        cv2.circle(img, centre, max(1, _rint(r * 0.3)), (255, 140, 40), -1, cv2.LINE_AA)


def _dev_door(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
              photos: tuple[Rgb, ...]) -> None:
    """A door with its lock on the handle side; the lock's LED is red when locked (on)."""
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h = x1 - x0, y1 - y0
    col = _pick(rng, [(150, 100, 60), (230, 230, 225), (90, 60, 40)])
    f = _box3d(img, b, col, side, dtop=h * 0.01, dside=w * 0.08)
    fx = f[2] - (f[2] - f[0]) * 0.15 if side < 0 else f[0] + (f[2] - f[0]) * 0.15
    cv2.rectangle(img, (_rint(fx - w * 0.05), _rint(y0 + h * 0.45)),
                  (_rint(fx + w * 0.05), _rint(y0 + h * 0.55)), (40, 40, 40), -1)
    cv2.circle(img, (_rint(fx), _rint(y0 + h * 0.47)), 1, (230, 40, 40) if on else (40, 230, 40),
               -1)


def _dev_fan_stand(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
                   photos: tuple[Rgb, ...]) -> None:
    b, on = d.box, d.on
    x0, y0, x1, y1 = b
    w, h, cx = x1 - x0, y1 - y0, (x0 + x1) / 2
    head_y = _rint(y0 + w * 0.5)
    cv2.ellipse(img, (_rint(cx), _rint(y1 - h * 0.03)), (_rint(w * 0.35), _rint(h * 0.03)), 0, 0,
                360, (60, 60, 60), -1)
    cv2.line(img, (_rint(cx), _rint(y1)), (_rint(cx), head_y), (80, 80, 80),
             max(1, _rint(w * 0.06)))
    cv2.circle(img, (_rint(cx), head_y), _rint(w * 0.48),
               (170, 170, 180) if on else (200, 200, 205), max(1, _rint(w * 0.04)), cv2.LINE_AA)
    cv2.circle(img, (_rint(cx), head_y), max(1, _rint(w * 0.1)), (60, 60, 60), -1)


def _dev_box(img: Rgb, d: _Device, side: int, rng: np.random.Generator,
             photos: tuple[Rgb, ...]) -> None:
    """Any other device: a coloured box with a status LED."""
    b, on = d.box, d.on
    w = b[2] - b[0]
    col = _c(rng.integers(40, 220, 3).tolist())
    f = _box3d(img, b, col, side)
    cv2.circle(img, (_rint(f[2] - (f[2] - f[0]) * 0.15), _rint(f[1] + (f[3] - f[1]) * 0.15)),
               max(1, _rint(w * 0.04)), (60, 255, 90) if on else (70, 70, 70), -1)


_DRAWERS: dict[str, _Drawer] = {
    "ceiling_light": _dev_ceiling_light, "fan": _dev_fan, "floor_lamp": _dev_floor_lamp,
    "table_lamp": _dev_table_lamp, "desk_lamp": _dev_desk_lamp, "tv": _dev_tv,
    "speaker": _dev_speaker, "blinds": _dev_blinds, "vacuum": _dev_vacuum,
    "coffee": _dev_coffee, "kettle": _dev_kettle, "router": _dev_router, "plug": _dev_plug,
    "thermostat": _dev_thermostat, "door": _dev_door, "fan_stand": _dev_fan_stand,
}


# ----------------------------------------------------------------------------- room
@dataclass(frozen=True)
class _Room:
    """Two walls meeting at a far vertical corner (x = corner_x): the floor line and the
    ceiling line each run from the left edge to the corner to the right edge."""

    width: int
    corner_x: float
    floor_left: float
    floor_corner: float
    floor_right: float
    ceiling_left: float
    ceiling_corner: float
    ceiling_right: float
    # a person's height: from `heights[1]` of the frame with the feet `heights[0]` down the
    # frame, growing to `heights[2]` at the bottom
    heights: tuple[float, float, float]

    def floor_at(self, x: float | Floats) -> Any:
        return np.interp(x, [0, self.corner_x, self.width],
                         [self.floor_left, self.floor_corner, self.floor_right])

    def ceiling_at(self, x: float | Floats) -> Any:
        return np.interp(x, [0, self.corner_x, self.width],
                         [self.ceiling_left, self.ceiling_corner, self.ceiling_right])


def _person_h(fy: float, ih: int, heights: tuple[float, float, float]) -> float:
    """The height in pixels of a person with the feet on row fy: 35-75 % of the frame."""
    y0, hmin, hmax = heights
    t = np.clip((fy / ih - y0) / max(0.05, 1 - y0), 0, 1)
    return ih * float(np.clip(hmin + (hmax - hmin) * t, 0.35, 0.75))


def _random_room(rng: np.random.Generator, ih: int, iw: int) -> _Room:
    xc = rng.uniform(0.15, 0.85) * iw
    yc = rng.uniform(0.28, 0.55) * ih
    y_left = yc + rng.uniform(0.0, 0.5) * ih * xc / iw
    y_right = yc + rng.uniform(0.0, 0.5) * ih * (iw - xc) / iw
    cc = rng.uniform(0.03, 0.16) * ih
    c_left = cc - rng.uniform(0.05, 0.3) * ih * xc / iw
    c_right = cc - rng.uniform(0.05, 0.3) * ih * (iw - xc) / iw
    heights = (yc / ih - 0.03, rng.uniform(0.33, 0.4), rng.uniform(0.62, 0.75))
    return _Room(iw, xc, y_left, yc, y_right, c_left, cc, c_right, heights)


def _disagreement(room: _Room, devs: list[_Device], ih: int
                  ) -> tuple[float, dict[str, float]]:
    """How far (pixels) the devices are from where the room wants them (ceiling devices
    below the ceiling line, wall devices above the floor, standing ones on it), and the floor
    row each standing or wall device is over."""
    bad = 0.0
    contact = {}
    for d in devs:
        x0, y0, x1, y1 = d.box
        xs = np.array([x0, (x0 + x1) / 2, x1])
        if d.ceiling:
            bad += max(0.0, float((room.ceiling_at(xs) - y1).max()))
            continue
        fy = y1
        for _ in range(4):  # the floor row depends on the person height there
            fy = min(0.985 * ih, y1 + _BASE[d.kind] * _person_h(fy, ih, room.heights))
        contact[d.id] = fy
        bad += max(0.0, float((room.ceiling_at(xs) - (y0 - 0.01 * ih)).max()))
        if d.kind in _WALL:
            bad += max(0.0, float((y1 + 0.015 * ih - room.floor_at(xs)).max()))
        else:
            bad += max(0.0, float((room.floor_at(xs) - (fy - 0.015 * ih)).max()))
    return bad, contact


def _room(rng: np.random.Generator, ih: int, iw: int, devs: list[_Device]
          ) -> tuple[_Room, dict[str, float]]:
    """A room that agrees with the devices (up to 60 tries, else the closest one), and the
    floor row of each device that is not on the ceiling."""
    best: tuple[float, _Room, dict[str, float]] | None = None
    for _ in range(60):
        room = _random_room(rng, ih, iw)
        bad, contact = _disagreement(room, devs, ih)
        if best is None or bad < best[0]:
            best = (bad, room, contact)
        if bad <= 0:
            break
    assert best is not None
    return best[1], best[2]


def _tex_rgb(tex: npt.NDArray[np.float32], base: Floats, amp: float) -> Rgb:
    t = np.clip(np.asarray(base, np.float32)[None, None, :] * (1 + amp * tex[..., None]), 0, 255)
    return t.astype(np.uint8)


def _int_pts(pts: Sequence[Sequence[float]]) -> npt.NDArray[np.int32]:
    return np.round(pts).astype(np.int32)


def _warp_plane(tex_rgb: Rgb, dst_quad: Sequence[Sequence[float]], reps: tuple[float, float],
                iw: int, ih: int) -> Rgb:
    """The texture tiled reps times over the quad, in perspective."""
    th, tw = tex_rgb.shape[:2]
    srcq = np.array([[0, 0], [tw * reps[0], 0], [tw * reps[0], th * reps[1]], [0, th * reps[1]]],
                    np.float32)
    m = cv2.getPerspectiveTransform(srcq, np.asarray(dst_quad, np.float32))
    return np.asarray(cv2.warpPerspective(tex_rgb, m, (iw, ih), flags=cv2.INTER_LINEAR,
                                          borderMode=cv2.BORDER_WRAP), np.uint8)


_PAINTS = [(225, 220, 205), (200, 210, 215), (235, 230, 225), (190, 200, 180), (215, 195, 175),
           (170, 175, 185), (240, 238, 230)]
_FLOORS = [(150, 105, 65), (190, 150, 105), (120, 120, 120), (200, 195, 185), (95, 70, 50),
           (170, 160, 140)]


def _draw_room(img: Rgb, rng: np.random.Generator, room: _Room,
               textures: tuple[npt.NDArray[np.float32], ...]) -> None:
    """Ceiling, the two walls and the floor, textured in perspective; skirting and edges."""
    ih, iw = img.shape[:2]
    xc, yc, y_left, y_right = room.corner_x, room.floor_corner, room.floor_left, room.floor_right
    cc, c_left, c_right = room.ceiling_corner, room.ceiling_left, room.ceiling_right
    paint = np.array(rng.choice(_PAINTS), np.float32)
    paint = np.clip(paint * rng.uniform(0.85, 1.08, 3), 0, 255)
    wall = _tex_rgb(textures[int(rng.integers(len(textures)))], paint, rng.uniform(0.03, 0.16))
    ft = textures[int(rng.integers(len(textures)))]
    fbase = np.array(rng.choice(_FLOORS), np.float32) * rng.uniform(0.85, 1.1, 3)
    floor = _tex_rgb(ft, fbase, rng.uniform(0.12, 0.35))
    # the floor: one homography of the tiled texture, its far end at the corner
    bx = xc + rng.uniform(-0.3, 0.3) * iw
    by = ih * rng.uniform(1.1, 1.6)
    ext = 3.0
    q = [[xc, yc], [iw + (iw - xc) * (ext - 1), yc + (y_right - yc) * ext],
         [bx + (iw - xc) * 1.5, by + (ih * 0.3)], [-xc * (ext - 1), yc + (y_left - yc) * ext]]
    f_img = _warp_plane(floor, q, (rng.uniform(3, 8), rng.uniform(3, 8)), iw, ih)
    # the walls: quads between the ceiling line and the floor line, reaching past the edges
    left = [[-iw, c_left - (cc - c_left) * iw / max(xc, 1)], [xc, cc], [xc, yc],
            [-iw, y_left + (y_left - yc) * iw / max(xc, 1)]]
    right = [[xc, cc], [2 * iw, c_right + (c_right - cc) * iw / max(iw - xc, 1)],
             [2 * iw, y_right + (y_right - yc) * iw / max(iw - xc, 1)], [xc, yc]]
    l_img = (_warp_plane(wall, left, (rng.uniform(2, 5), rng.uniform(1, 2)), iw, ih)
             if xc > 2 else None)  # no left wall when the corner is at the left edge
    r_img = _warp_plane(wall, right, (rng.uniform(2, 5), rng.uniform(1, 2)), iw, ih)
    img[:] = _c(paint, rng.uniform(0.95, 1.1))  # the ceiling
    mask = np.zeros((ih, iw), np.uint8)
    side_gain = rng.uniform(0.7, 0.92)  # one wall is in shade
    lg, rg = (side_gain, 1.0) if rng.random() < 0.5 else (1.0, side_gain)
    if l_img is not None:
        cv2.fillPoly(mask, [_int_pts([[0, c_left], [xc, cc], [xc, yc], [0, y_left]])], 255)
        img[mask > 0] = (l_img[mask > 0] * lg).astype(np.uint8)
    mask[:] = 0
    cv2.fillPoly(mask, [_int_pts([[xc, cc], [iw, c_right], [iw, y_right], [xc, yc]])], 255)
    img[mask > 0] = (r_img[mask > 0] * rg).astype(np.uint8)
    mask[:] = 0
    cv2.fillPoly(mask, [_int_pts([[0, y_left], [xc, yc], [iw, y_right], [iw, ih], [0, ih]])],
                 255)
    img[mask > 0] = f_img[mask > 0]
    skirting = _pick(rng, [(245, 245, 240), (110, 80, 55), (60, 60, 60)])
    t = max(2, int(ih * 0.012))
    cv2.polylines(img, [_int_pts([[0, y_left - t / 2], [xc, yc - t / 2], [iw, y_right - t / 2]])],
                  False, skirting, t, cv2.LINE_AA)
    cv2.line(img, (int(xc), int(cc)), (int(xc), int(yc)), _c(paint, 0.75), 1, cv2.LINE_AA)
    cv2.polylines(img, [_int_pts([[0, c_left], [xc, cc], [iw, c_right]])], False,
                  _c(paint, 0.7), 1, cv2.LINE_AA)


# ----------------------------------------------------------------------------- layout
@dataclass
class _Person:
    rgb: Rgb
    alpha: Gray
    x: float  # centre
    feet: float  # row
    height: float
    width: float
    flip: bool
    gain: float


@dataclass
class _Item:
    """Something drawn in depth order (by its floor row, `depth`)."""

    depth: float
    kind: str  # "dev", "support", "person" or a furniture piece (sofa, cabinet, ...)
    box: Box4 = (0.0, 0.0, 0.0, 0.0)
    colour: Colour = ()
    top: float = 0.0  # a support's top-face depth
    device: _Device | None = None
    person: _Person | None = None
    shadow: Shadow | None = None  # a furniture piece's, once it is kept
    piece: bool = False  # a furniture piece: dropped where the person stands


@dataclass
class _Layout:
    items: list[_Item] = field(default_factory=list)
    shadows: list[Shadow] = field(default_factory=list)
    # what may hide a person: (box, floor row, device id)
    occluders: list[tuple[Box4, float, str]] = field(default_factory=list)
    blocked: list[Box4] = field(default_factory=list)  # kept clear of furniture and pictures


def _support_box(rng: np.random.Generator, d: _Device, devs: list[_Device], fy: float
                 ) -> tuple[Box4, float]:
    """The counter, desk or stand under a device, from its bottom down to the floor row fy,
    kept from hiding the other standing devices beside it. (box, top-face depth)."""
    x0, _, x1, y1 = d.box
    w = x1 - x0
    padl, padr = w * rng.uniform(0.2, 1.2), w * rng.uniform(0.2, 1.2)
    dt = (fy - y1) * rng.uniform(0.25, 0.4)
    for o in devs:
        if o is d or o.ceiling or o.kind in _WALL:
            continue
        ob = o.box
        if ob[3] > y1 - dt and ob[1] < fy:
            if ob[2] <= x0:
                padl = min(padl, max(0.0, x0 - ob[2] - 2))
            elif ob[0] >= x1:
                padr = min(padr, max(0.0, ob[0] - x1 - 2))
    return (x0 - padl, y1 - dt * 0.6, x1 + padr, fy), dt


_SUPPORT_COLOURS = [(140, 100, 65), (200, 195, 185), (90, 65, 45), (235, 235, 230), (60, 60, 65)]


def _place_devices(rng: np.random.Generator, devs: list[_Device], contact: dict[str, float],
                   ih: int) -> _Layout:
    """Each device in depth order, a support under each raised standing one."""
    lay = _Layout(blocked=[d.box for d in devs])
    for d in devs:
        if d.ceiling:
            lay.items.append(_Item(0.0, "dev", device=d))
            continue
        x0, _, x1, y1 = d.box
        fy = contact[d.id]
        wall = d.kind in _WALL
        if not wall and fy - y1 > 0.02 * ih:
            fb, dt = _support_box(rng, d, devs, fy)
            col = _c(rng.choice(_SUPPORT_COLOURS).tolist(), rng.uniform(0.85, 1.1))
            lay.items.append(_Item(fy - 0.5, "support", box=fb, colour=col, top=dt))
            lay.occluders.append((fb, fy - 0.5, d.id))
            lay.shadows.append(((fb[0] + fb[2]) / 2, fy, (fb[2] - fb[0]) * 0.6, dt * 0.8 + 3))
            lay.blocked.append(fb)
        elif not wall:
            lay.shadows.append(((x0 + x1) / 2, y1, (x1 - x0) * 0.65, (x1 - x0) * 0.2 + 2))
        lay.items.append(_Item(-0.5 if wall else fy, "dev", device=d))
        if not wall:
            lay.occluders.append((d.box, fy, d.id))
    return lay


# a piece's width and height as fractions of a person's height there
_PIECES = {"sofa": (1.1, 0.4), "cabinet": (0.6, 0.6), "plant": (0.25, 0.45), "rug": (1.3, 0.12),
           "chair": (0.35, 0.5)}


def _add_furniture(rng: np.random.Generator, lay: _Layout, room: _Room, ih: int) -> None:
    """1-3 pieces on the floor clear of the devices and their supports (a rug may go under)."""
    iw = room.width
    for _ in range(int(rng.integers(1, 4))):
        for _try in range(8):
            kind = str(rng.choice(["sofa", "cabinet", "plant", "rug", "chair"]))
            fx = rng.uniform(0, iw)
            fy = rng.uniform(float(room.floor_at(fx)) + 0.03 * ih, 1.05 * ih)
            ph = _person_h(fy, ih, room.heights)
            fw, fh = _PIECES[kind]
            wdt = ph * fw * rng.uniform(0.8, 1.2)
            hgt = ph * fh * rng.uniform(0.85, 1.15)
            b = (fx - wdt / 2, fy - hgt, fx + wdt / 2, fy)
            rug = kind == "rug"
            if rug or all(_overlap(b, z) < 0.05 * (z[2] - z[0]) * (z[3] - z[1]) + 1
                          for z in lay.blocked):
                col = _c(rng.integers(40, 220, 3).tolist())
                lay.items.append(_Item(-1.0 if rug else fy, kind, box=b, colour=col, piece=True,
                                       shadow=None if rug else (fx, fy, wdt * 0.6, hgt * 0.18 + 2)))
                if not rug:
                    lay.blocked.append(b)
                break


def _hang_pictures(img: Rgb, rng: np.random.Generator, lay: _Layout, room: _Room,
                   photos: tuple[Rgb, ...]) -> None:
    """0-2 framed photos on the walls, clear of the devices and off the corner."""
    ih, iw = img.shape[:2]
    xc = room.corner_x
    for _ in range(int(rng.integers(0, 3))):
        ph = photos[int(rng.integers(len(photos)))]
        pw, phh = iw * rng.uniform(0.08, 0.16), ih * rng.uniform(0.08, 0.15)
        px = rng.uniform(0, iw - pw)
        top = max(float(room.ceiling_at(px)), float(room.ceiling_at(px + pw))) + 0.04 * ih
        bot = min(float(room.floor_at(px)), float(room.floor_at(px + pw))) - 0.2 * ih
        if bot - top < phh:
            continue
        py = rng.uniform(top, bot - phh)
        b = (px, py, px + pw, py + phh)
        if any(_overlap(b, z) > 0 for z in lay.blocked) or (px < xc < px + pw):
            continue
        frame = _pick(rng, [(30, 30, 30), (200, 170, 90), (240, 240, 240), (110, 70, 40)])
        cv2.rectangle(img, (int(px), int(py)), (int(px + pw), int(py + phh)), frame, -1)
        m = max(1, int(pw * 0.07))
        _paste(img, _crop_photo(rng, ph, (pw - 2 * m) / max(1, phh - 2 * m)),
               (px + m, py + m, px + pw - m, py + phh - m))


# ----------------------------------------------------------------------------- person
Spot = tuple[float, float, float, float]  # centre x, feet row, height, width


def _place_away(rng: np.random.Generator, room: _Room, devs: list[_Device],
                contact: dict[str, float], *, aspect: float, ih: int) -> Spot | None:
    """A spot on the floor clear of every device (and under no ceiling device), or None."""
    iw = room.width
    for _try in range(30):
        px = rng.uniform(0.05, 0.95) * iw
        fy = rng.uniform(min(0.97 * ih, float(room.floor_at(px)) + 0.06 * ih), 0.99 * ih)
        ph = _person_h(fy, ih, room.heights)
        pw = ph * aspect
        pb = (px - pw / 2 - pw * 0.6, fy - ph, px + pw / 2 + pw * 0.6, fy)
        ok = True
        for d in devs:
            b = d.box
            if d.ceiling:
                ok &= abs(px - (b[0] + b[2]) / 2) > (b[2] - b[0]) / 2 + pw * 1.5
            else:
                ok &= _overlap(pb, (b[0] - pw, b[1], b[2] + pw,
                                    max(b[3], contact[d.id]) + 0.05 * ih)) <= 0
        if ok:
            return px, fy, ph, pw
    return None


def _candidate_near(rng: np.random.Generator, room: _Room, t: _Device, pose: str, *,
                    contact: dict[str, float], ih: int) -> tuple[float, float]:
    """(centre x, feet row) of one try beside the target (under or off the axis of a ceiling
    device), before the feet are moved onto the floor."""
    iw = room.width
    b = t.box
    bw_t = b[2] - b[0]
    tcx = (b[0] + b[2]) / 2
    if t.ceiling:
        fy = rng.uniform(0.74, 0.99) * ih
        ph = _person_h(fy, ih, room.heights)
        fy = max(fy, min(0.99 * ih, b[3] + 0.04 * ih + ph))  # the head below the device
        ph = _person_h(fy, ih, room.heights)
        body = 0.3 * ph
        if pose == "stand":
            return tcx + rng.uniform(-0.3, 0.3) * min(body, bw_t), fy
        off = bw_t / 2 * rng.uniform(0.3, 1.0) + body * rng.uniform(0.6, 2.2)
        s = -1 if rng.random() < 0.5 else 1
        if not (body * 0.6 < tcx + s * off < iw - body * 0.6):
            s = -s
        return tcx + s * off, fy
    fy0 = contact[t.id]
    fy = fy0 + (rng.uniform(0.015, 0.05) if pose == "stand" else rng.uniform(0.015, 0.12)) * ih
    fy = min(fy, 0.995 * ih)
    ph = _person_h(fy, ih, room.heights)
    body = 0.3 * ph
    gap = body * (rng.uniform(-0.1, 0.3) if pose == "stand" else rng.uniform(0.1, 2.0))
    s = -1 if rng.random() < 0.5 else 1
    sides = {-1: b[0] - gap - body / 2, 1: b[2] + gap + body / 2}
    if not (body * 0.5 < sides[s] < iw - body * 0.5):
        s = -s
    return sides[s], fy


def _cost(lay: _Layout, devs: list[_Device], t: _Device, spot: Spot, *, iw: int, ih: int) -> float:
    """How bad a spot is: hidden by nearer furniture, covering other devices or much of the
    target, leaving the frame."""
    b = t.box
    px, fy, ph, _ = spot
    pb = (px - 0.15 * ph, fy - ph, px + 0.15 * ph, fy)  # the body, without the arms
    area = max(1.0, (b[2] - b[0]) * (b[3] - b[1]))
    body_area = 0.3 * ph * ph
    score = 0.0
    for ob, dep, oid in lay.occluders:
        if oid != t.id and dep > fy - 0.05 * ih:
            score += 2.0 * _overlap(pb, ob) / body_area
    for o in devs:
        if o.id != t.id and not o.ceiling:
            ob = o.box
            fr = _overlap(pb, ob) / max(1.0, (ob[2] - ob[0]) * (ob[3] - ob[1]))
            score += max(0.0, fr - (0.5 if o.kind in _WALL else 0.2))
    score += 5.0 * max(0.0, _overlap(pb, b) / area - 0.15)
    score += 3.0 * max(0.0, 0.2 * ph - px, px - (iw - 0.2 * ph)) / ph
    return score


def _place_near(rng: np.random.Generator, room: _Room, lay: _Layout, devs: list[_Device],
                t: _Device, *, pose: str, contact: dict[str, float], aspect: float, ih: int
                ) -> Spot:
    """The first of up to 24 tries beside the target that costs (almost) nothing, else the
    cheapest."""
    best: tuple[float, Spot] | None = None
    for _try in range(24):
        px, fy = _candidate_near(rng, room, t, pose, contact=contact, ih=ih)
        fy = min(max(fy, float(room.floor_at(px)) + 0.03 * ih), 0.995 * ih)
        ph = _person_h(fy, ih, room.heights)
        spot = (px, fy, ph, ph * aspect)
        score = _cost(lay, devs, t, spot, iw=room.width, ih=ih)
        if best is None or score < best[0]:
            best = (score, spot)
        if score <= 0.02:
            return spot
    assert best is not None
    return best[1]


def _add_person(rng: np.random.Generator, lay: _Layout, room: _Room, devs: list[_Device],
                target: _Device | None, *, pose: str, contact: dict[str, float],
                people: tuple[tuple[Rgb, Gray], ...], ih: int) -> None:
    """A pedestrian placed for the pose; furniture pieces where they stand are dropped."""
    if pose == "none" and rng.random() >= 0.6:
        return
    rgb, al = people[int(rng.integers(len(people)))]
    fs = rng.uniform(0.82, 0.95)  # foreshortening seen from above: squatter
    aspect = rgb.shape[1] / rgb.shape[0] / fs
    flip = bool(rng.random() < 0.5)
    gain = rng.uniform(0.85, 1.2)
    if pose == "none":
        spot = _place_away(rng, room, devs, contact, aspect=aspect, ih=ih)
    else:
        assert target is not None
        spot = _place_near(rng, room, lay, devs, target, pose=pose, contact=contact,
                           aspect=aspect, ih=ih)
    if spot is None:
        return
    px, fy, ph, pw = spot
    lay.items.append(_Item(fy, "person", person=_Person(rgb, al, px, fy, ph, pw, flip, gain)))
    lay.shadows.append((px, fy, ph * 0.17, ph * 0.05 + 2))
    pbb = (px - pw / 2, fy - ph, px + pw / 2, fy + 0.02 * ih)
    lay.items = [it for it in lay.items if not it.piece or _overlap(it.box, pbb) <= 0]


def _paste_person(img: Rgb, p: _Person) -> tuple[Gray, int, int]:
    """Alpha-blends the cut-out, feet at (x, feet); returns its resized alpha and top-left."""
    y0, x0 = _rint(p.feet - p.height), _rint(p.x - p.width / 2)
    ph, pw = _rint(p.height), max(2, _rint(p.width))
    r = cv2.resize(p.rgb, (pw, ph), interpolation=cv2.INTER_LINEAR)
    a = np.asarray(cv2.resize(p.alpha, (pw, ph), interpolation=cv2.INTER_LINEAR), np.uint8)
    if p.flip:
        r, a = r[:, ::-1], a[:, ::-1]
    ih, iw = img.shape[:2]
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(iw, x0 + pw), min(ih, y0 + ph)
    if cx1 <= cx0 or cy1 <= cy0:
        return a, x0, y0
    alpha = a[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0, None].astype(np.float32) / 255
    pix = r[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0].astype(np.float32) * p.gain
    dst = img[cy0:cy1, cx0:cx1]
    dst[:] = np.clip(dst * (1 - alpha) + pix * alpha, 0, 255).astype(np.uint8)
    return a, x0, y0


_SKIN = [(224, 172, 140), (198, 134, 100), (141, 85, 60), (90, 56, 38), (240, 200, 170)]


def _sleeve(rgb: Rgb, a: Gray) -> Colour:
    """The median colour of the cut-out's torso: the arm's sleeve."""
    rows = slice(int(rgb.shape[0] * 0.25), int(rgb.shape[0] * 0.45))
    solid = cv2.resize(a, (rgb.shape[1], rgb.shape[0]))[rows] > 160
    sel = rgb[rows][solid]
    return _c(np.median(sel, axis=0) if len(sel) else np.array([60, 60, 70]))


def _draw_arm(img: Rgb, rng: np.random.Generator, rgb: Rgb, a: Gray, *, top_left: tuple[int, int],
              ph: float, target_pt: Point) -> None:
    """Upper arm and forearm from the shoulder edge on the target's side (at 20 % of the
    height) towards the target, a slight droop at the elbow, a hand and a finger."""
    x0, y0 = top_left
    rowy = int(ph * 0.2)
    cols = np.nonzero(a[min(rowy, a.shape[0] - 1)] > 110)[0]
    if len(cols) == 0:
        cols = np.array([a.shape[1] // 3, 2 * a.shape[1] // 3])
    tx, ty = target_pt
    right = tx >= x0 + (cols[0] + cols[-1]) / 2
    sx = x0 + (cols[-1] - ph * 0.025 if right else cols[0] + ph * 0.025)
    sy = y0 + rowy
    d = np.array([tx - sx, ty - sy], np.float64)
    dist = float(np.hypot(*d)) + 1e-6
    u = d / dist
    length = ph * rng.uniform(0.36, 0.42)
    length = min(length, max(ph * 0.22, dist - ph * 0.04))  # not past the target
    hand = np.array([sx, sy]) + u * length
    nrm = np.array([-u[1], u[0]])
    if nrm[1] < 0:
        nrm = -nrm
    elbow = np.array([sx, sy]) + u * length * 0.5 + nrm * ph * rng.uniform(0.0, 0.03)
    sleeve = _sleeve(rgb, a)
    skin = _c(_SKIN[int(rng.integers(len(_SKIN)))], rng.uniform(0.9, 1.05))
    t = max(2, _rint(ph * 0.05))

    def pt(p: Sequence[float] | Floats) -> tuple[int, int]:
        return _rint(p[0]), _rint(p[1])

    for col, tt in ((_c(sleeve, 0.55), t + 2), (sleeve, t)):  # a dark outline, then the sleeve
        cv2.line(img, pt((sx, sy)), pt(elbow), col, tt, cv2.LINE_AA)
        cv2.line(img, pt(elbow), pt(hand), col, max(2, tt - 2), cv2.LINE_AA)
    cv2.line(img, pt(elbow), pt(elbow + (hand - elbow) * 0.7), _c(sleeve, 1.2), max(1, t // 3),
             cv2.LINE_AA)
    hr = max(2, _rint(ph * 0.03))
    cv2.circle(img, pt(hand), hr + 1, _c(skin, 0.6), -1, cv2.LINE_AA)
    cv2.circle(img, pt(hand), hr, skin, -1, cv2.LINE_AA)
    cv2.line(img, pt(hand), pt(hand + u * ph * 0.045), skin, max(1, hr // 2 + 1), cv2.LINE_AA)


# ----------------------------------------------------------------------------- drawing order
def _floor_shadows(img: Rgb, rng: np.random.Generator, shadows: list[Shadow]) -> None:
    """Soft shadows under furniture, devices and the person, before anything is drawn."""
    ih, iw = img.shape[:2]
    sh = np.zeros((ih, iw), np.float32)
    ldx = rng.uniform(-0.4, 0.4)  # the light's side
    for sx, sy, rx, ry in shadows:
        cv2.ellipse(sh, (int(sx + ldx * rx), int(sy - ry * 0.2)),
                    (max(1, int(rx)), max(1, int(ry))), 0, 0, 360, 1.0, -1)
    if shadows:
        k = int(max(3, ih * 0.03)) | 1
        sh = np.asarray(cv2.GaussianBlur(sh, (k, k), 0), np.float32)
        dim = 1 - rng.uniform(0.35, 0.6) * np.clip(sh, 0, 1)
        img[:] = (img * dim[..., None]).astype(np.uint8)


def _draw_piece(img: Rgb, rng: np.random.Generator, it: _Item, side: int) -> None:
    """A furniture piece: rug, sofa, chair, cabinet or plant."""
    b, col = it.box, it.colour
    w, hh = b[2] - b[0], b[3] - b[1]
    if it.kind == "rug":
        dx = w * 0.2
        _poly(img, [(b[0] + dx, b[1]), (b[2] + dx, b[1]), (b[2], b[3]), (b[0], b[3])], col)
    elif it.kind == "sofa":
        _box3d(img, (b[0], b[1], b[2], b[3] - hh * 0.35), _c(col, 0.9), side)  # back
        _box3d(img, (b[0], b[1] + hh * 0.45, b[2], b[3]), col, side, dtop=hh * 0.25)  # seat
    elif it.kind == "chair":
        _box3d(img, (b[0], b[1], b[2], b[1] + hh * 0.5), col, side)
        _box3d(img, (b[0], b[1] + hh * 0.45, b[2], b[1] + hh * 0.62), _c(col, 1.1), side,
               dtop=hh * 0.1)
        for lx in (b[0] + 2, b[2] - 3):
            cv2.line(img, (int(lx), int(b[1] + hh * 0.6)), (int(lx), int(b[3])), _c(col, 0.5),
                     max(1, int(hh * 0.04)))
    elif it.kind == "cabinet":
        f = _box3d(img, b, col, side)
        cv2.line(img, ((f[0] + f[2]) // 2, f[1]), ((f[0] + f[2]) // 2, f[3]), _c(col, 0.6), 1)
    else:  # a plant: a pot and leaves
        _poly(img, [(b[0] + w * 0.2, b[1] + hh * 0.6), (b[2] - w * 0.2, b[1] + hh * 0.6),
                    (b[2] - w * 0.3, b[3]), (b[0] + w * 0.3, b[3])],
              _c((150, 80, 50), rng.uniform(0.7, 1.2)))
        g = _c((40, 110, 40), rng.uniform(0.7, 1.3))
        for _ in range(6):
            cv2.ellipse(img, (int(b[0] + w * rng.uniform(0.2, 0.8)),
                              int(b[1] + hh * rng.uniform(0.15, 0.5))),
                        (max(1, int(w * 0.25)), max(1, int(hh * 0.12))), rng.uniform(0, 180), 0,
                        360, _c(g, rng.uniform(0.7, 1.3)), -1, cv2.LINE_AA)


def _draw_items(img: Rgb, rng: np.random.Generator, items: list[_Item], target: _Device | None,
                *, pose: str, photos: tuple[Rgb, ...]) -> list[Glow]:
    """Far to near (ceiling devices last, over everything); the glows of lit lamps and
    screens."""
    iw = img.shape[1]

    def side_of(x: float) -> int:  # the side face that shows: the one towards the centre
        return 1 if x < iw / 2 else -1

    glows: list[Glow] = []
    for it in sorted(items, key=lambda t: (t.device is not None and t.device.ceiling, t.depth)):
        if it.device is not None:
            d = it.device
            x0, y0, x1, y1 = d.box
            _DRAWERS.get(d.kind, _dev_box)(img, d, side_of((x0 + x1) / 2), rng, photos)
            if d.on and d.kind in _GLOWING:
                tv = d.kind == "tv"
                gy = y0 + (y1 - y0) * 0.3 if d.kind == "floor_lamp" else y1
                glows.append(((x0 + x1) / 2, gy, max(x1 - x0, 0.12 * iw) * (1.5 if tv else 2.5),
                              (0.6, 0.7, 1.0) if tv else (1.0, 0.88, 0.65)))
        elif it.kind == "support":
            fb = it.box
            _box3d(img, fb, it.colour, side_of((fb[0] + fb[2]) / 2), dtop=it.top,
                   dside=(fb[2] - fb[0]) * 0.06)
        elif it.person is not None:
            p = it.person
            a, x0p, y0p = _paste_person(img, p)
            if pose == "point" and target is not None:
                b = target.box
                _draw_arm(img, rng, p.rgb, a, top_left=(x0p, y0p), ph=p.height,
                          target_pt=((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))
        else:
            _draw_piece(img, rng, it, side_of((it.box[0] + it.box[2]) / 2))
    return glows


# ----------------------------------------------------------------------------- light, camera
@lru_cache(maxsize=4)
def _grid(ih: int, iw: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    yy, xx = np.mgrid[0:ih, 0:iw].astype(np.float32)
    return yy, xx


def _light(img: Rgb, rng: np.random.Generator, glows: list[Glow]) -> npt.NDArray[np.float32]:
    """Ambient level, colour cast, side gradient, vignette, additive glows (stronger in the
    dark)."""
    ih, iw = img.shape[:2]
    yy, xx = _grid(ih, iw)
    amb = rng.uniform(0.35, 1.2)
    cast = (1 + rng.normal(0, 0.07, 3)).astype(np.float32)
    g = rng.uniform(-0.3, 0.3)
    gain = amb * (1 + g * (xx / iw - 0.5) * 2)
    vig = rng.uniform(0.1, 0.4)
    gain = gain * (1 - vig * (((xx - iw / 2) / (iw / 2)) ** 2 + ((yy - ih / 2) / (ih / 2)) ** 2)
                   * 0.5)
    out = img.astype(np.float32) * gain[..., None] * cast
    for gx, gy, rad, col in glows:
        s = rng.uniform(60, 120) * (1.45 - amb)
        gl = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * rad * rad)).astype(np.float32)
        out += gl[..., None] * np.array(col, np.float32) * np.float32(s)
    return np.asarray(out, np.float32)


def _camera(lit: npt.NDArray[np.float32], rng: np.random.Generator, lens: LensMap) -> Rgb:
    """The lens remap, blur, noise, JPEG."""
    ih, iw = lit.shape[:2]
    yy, xx = _grid(ih, iw)
    mx, my = lens(xx, yy)
    out = np.asarray(cv2.remap(lit, mx.astype(np.float32), my.astype(np.float32),
                               cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT), np.float32)
    sig = rng.uniform(0.0, 1.1)
    if sig > 0.3:
        out = np.asarray(cv2.GaussianBlur(out, (0, 0), sig), np.float32)
    out += rng.standard_normal((ih, iw, 3), dtype=np.float32) * np.float32(rng.uniform(1.5, 7.0))
    q = int(rng.integers(35, 92))
    _, enc = cv2.imencode(".jpg", np.clip(out, 0, 255).astype(np.uint8)[..., ::-1],
                          [cv2.IMWRITE_JPEG_QUALITY, q])
    bgr = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(bgr[..., ::-1], np.uint8)


# ----------------------------------------------------------------------------- frame
def _devices(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
             kinds: Mapping[str, str] | None, states: Mapping[str, bool] | None, *,
             lens: LensMap, size: tuple[int, int]) -> list[_Device]:
    """The zones' devices in id order: kind, on or off, where to draw them before the lens."""
    ih, iw = size
    devs = []
    for dev in sorted(zones):
        x, y, w, h = (float(v) for v in zones[dev])
        k = _device_kind(dev, (x, y, w, h), (kinds or {}).get(dev))
        on = (bool(states[dev]) if states is not None and dev in states
              else bool(rng.random() < 0.5))
        devs.append(_Device(dev, k, on, _source_box(lens, (x, y, w, h), ih, iw), k in _CEILING))
    return devs


def render_alt4_scene(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
                      target: str | None, pose: Pose, *, split: Split = "train",
                      kinds: Mapping[str, str] | None = None,
                      states: Mapping[str, bool] | None = None,
                      size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of shape (size[0], size[1], 3) of a room with the zones' devices.

    zones: device id -> (x, y, w, h), fractions of the frame (Frigate-style); target: the
    device pointed at or stood by (for pose "none", pass None); kinds: device id -> a hint
    such as "light floor lamp" (else the id's words and the zone decide what is drawn);
    states: device id -> on (else drawn at random)."""
    if split not in FRAMES:
        raise ValueError(f"unknown split {split!r} (train or heldout)")
    assets = assets_for(split, pose, target, zones, _load_assets)
    ih, iw = int(size[0]), int(size[1])
    lens = _lens(rng, ih, iw)
    devs = _devices(rng, zones, kinds, states, lens=lens, size=(ih, iw))
    room, contact = _room(rng, ih, iw, devs)
    img = np.empty((ih, iw, 3), np.uint8)
    _draw_room(img, rng, room, assets.textures)
    lay = _place_devices(rng, devs, contact, ih)
    _add_furniture(rng, lay, room, ih)
    _hang_pictures(img, rng, lay, room, assets.photos)
    tdev = next((d for d in devs if d.id == target), None)
    _add_person(rng, lay, room, devs, tdev, pose=pose, contact=contact, people=assets.people,
                ih=ih)
    lay.shadows += [it.shadow for it in lay.items if it.shadow is not None]
    _floor_shadows(img, rng, lay.shadows)
    glows = _draw_items(img, rng, lay.items, tdev, pose=pose, photos=assets.photos)
    return _camera(_light(img, rng, glows), rng, lens)
