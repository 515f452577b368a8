"""Camera frames of smart-home rooms drawn a third way, independently of export/scenes_real.py
and export/scenes_alt.py.

A model trained on one renderer's frames does not carry over to frames made another way: it
learns the renderer's look along with the task. So training mixes renderers, and this one
shares no code with the other two: its own room layouts (a horizon and camera-height model; a
flat back wall, a one-point box with side walls or a two-wall corner; walls and a floor plane
textured in perspective; furniture that carries the table-top devices), its own people
extraction (per-split median background, GrabCut, cast shadows removed, a height-vs-feet-row
fit) and its own pointing arm (upper arm and forearm from the silhouette's shoulder on the
target's side, a hand with an index finger).

Synthetic: all of a frame is drawn here (room, furniture, decor, each device by its kind, on
or off, the arm; light: ambient level, side gradient, lamp glow, self-luminous screens and
windows, colour cast, vignette; camera: small tilt/zoom/keystone, blur, noise, JPEG). The real
pixels in it: wall/floor textures, photographs (tv, pictures, window views) and pedestrians
cut from opencv-doc's vtest.avi.

Poses: "point" (a person beside the target, an arm drawn towards its centre), "stand" (a
person at touching distance of the target, under it for a ceiling device), "none" (with
target=None: nobody in about half of the frames, else a person away from every zone).

Held-out split: `split="heldout"` takes its textures, photographs and people from sources
`split="train"` never uses: TEXTURES, PHOTOS and FRAMES (vtest.avi frame ranges, half-open,
export/people.py's) below. Same rng state and arguments = same frame. The cut-outs are
extracted once (about 15 s) and cached like export/people.py's (`cache_dir()`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, cast, overload

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Cutout, Split, cached_cutouts, video_frames, video_path
from export.scene_sources import FRAMES, PHOTOS, TEXTURES, assets_for, load_source_image, people_npz

Pose = Literal["point", "stand", "none"]
Rgb = npt.NDArray[np.uint8]  # (H, W, 3) RGB
Bgr = npt.NDArray[np.uint8]  # (H, W, 3) BGR, as OpenCV decodes video
Mask = npt.NDArray[np.uint8]  # (H, W), 255 where self-luminous
Floats = npt.NDArray[np.floating[Any]]
Box4 = tuple[float, float, float, float]  # x0, y0, x1, y1
PointLike = Sequence[float] | npt.NDArray[np.floating[Any]]
ColourLike = float | Sequence[float] | npt.NDArray[Any]

# The sources and their split, shared by the renderers (export/scene_sources.py).

_PEOPLE_VERSION = "alt2-people-v1"  # bump when the extraction changes: the cache key includes it
# GrabCut's k-means starts from OpenCV's global RNG: seeded per split, a split's cut-outs do not
# depend on what ran before in the process nor on the other split.
_PEOPLE_SEED = 1234
_MAX_PEOPLE = 260  # per split, spread evenly over the frames
# vtest.avi's fixed clutter (x0, y0, x1, y1): the lamp post with its sign, the tripod. A blob
# touching them is cut in two or merged with them.
_OCCLUDERS = ((405, 0, 455, 400), (455, 330, 530, 490))


# ----------------------------------------------------------------------------- people
def _refine(sub: Bgr, bg: Bgr, diff: npt.NDArray[np.uint8], comp: npt.NDArray[np.bool_],
            shadow_from: int) -> tuple[npt.NDArray[np.uint8], int, int] | None:
    """GrabCut of one blob's box, seeded from the difference mask, with the cast shadow below
    row shadow_from forced to background. (RGBA, top, height) of the one person in it, or None
    when it is not one whole upright person."""
    gm = np.full(diff.shape, cv2.GC_BGD, np.uint8)
    gm[cv2.dilate(comp.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0] = cv2.GC_PR_BGD
    gm[comp] = cv2.GC_PR_FGD
    core = cv2.erode(comp.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    gm[core & (diff > 45)] = cv2.GC_FGD
    # a cast shadow is a darker copy of the background: about the same factor in each channel
    ratio = (sub.astype(np.float32) + 1) / (bg.astype(np.float32) + 1)
    rm = ratio.mean(2)
    spread = ratio.max(2) - ratio.min(2)
    shadow = (rm > 0.3) & (rm < 0.93) & (spread < 0.13)
    low = np.zeros_like(shadow)
    low[shadow_from:] = True
    gm[shadow & low] = cv2.GC_BGD
    try:
        bgm = np.zeros((1, 65), np.float64)
        fgm = np.zeros((1, 65), np.float64)
        # rect is unused with GC_INIT_WITH_MASK; the stubs do not allow None for it
        cv2.grabCut(sub, gm, None, bgm, fgm, 4, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    except cv2.error:
        return None
    fg = ((gm == cv2.GC_FGD) | (gm == cv2.GC_PR_FGD)).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, lab, st, _ = cv2.connectedComponentsWithStats(fg)
    if n < 2:
        return None
    # the largest part, its holes filled
    fg = (lab == 1 + int(np.argmax(st[1:, 4]))).astype(np.uint8)
    contours, _ = cv2.findContours(fg, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    fg = np.zeros_like(fg)
    cv2.drawContours(fg, contours, -1, 1, -1)
    bx, by, bw, bh = cv2.boundingRect(fg)
    if bh < 64 or not 1.9 <= bh / max(bw, 1) <= 4.8:
        return None
    if not 0.33 <= fg.sum() / float(bw * bh) <= 0.85:
        return None
    crop = fg[by:by + bh, bx:bx + bw]
    # one person: the head is narrower than the shoulders (two side by side are not)
    rows = crop.sum(1).astype(float)
    head = rows[:max(2, bh // 10)].mean()
    torso = rows[int(bh * .25):int(bh * .45)].mean()
    if head > 0.85 * torso or head < 2:
        return None
    rgb = cv2.cvtColor(sub[by:by + bh, bx:bx + bw], cv2.COLOR_BGR2RGB)
    return np.dstack([rgb, crop * 255]).astype(np.uint8), by, bh


def _cutouts_in(frame: Bgr, bg: Bgr, bg_blur: npt.NDArray[np.int16], index: int
                ) -> list[tuple[Cutout, int, int]]:
    """(cut-out, feet row, height) of each person found in the frame: |frame - background|
    > 28, open/close, connected components of an upright person's size and shape."""
    src_h, src_w = bg.shape[:2]
    d = np.abs(cv2.GaussianBlur(frame, (3, 3), 0).astype(np.int16) - bg_blur).max(2)
    d = d.astype(np.uint8)
    m = (d > 28).astype(np.uint8) * 255
    m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE,
                         cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 13)))
    n, lab, st, _ = cv2.connectedComponentsWithStats(m)
    out = []
    for k in range(1, n):
        x, y, w, h, a = (int(v) for v in st[k])
        if h < 58 or w < 14 or a < 500 or not 1.9 <= h / w <= 4.6:
            continue
        if x <= 2 or y <= 2 or x + w >= src_w - 2 or y + h >= src_h - 2:
            continue  # cut by the frame's edge
        if any(x < o[2] and x + w > o[0] and y < o[3] and y + h > o[1] for o in _OCCLUDERS):
            continue
        x0, y0 = max(0, x - 10), max(0, y - 10)
        x1, y1 = min(src_w, x + w + 10), min(src_h, y + h + 10)
        found = _refine(frame[y0:y1, x0:x1], bg[y0:y1, x0:x1], d[y0:y1, x0:x1],
                        lab[y0:y1, x0:x1] == k, int((y + 0.8 * h) - y0))
        if found is not None:
            rgba, top, height = found
            out.append((Cutout(rgba, index), y0 + top + height, height))
    return out


def _one_person_each(found: list[tuple[Cutout, int, int]]) -> list[Cutout]:
    """Drops crops of two people, one behind the other, and of half a person: over the plaza,
    one person's height is about linear in the row of the feet."""
    people = [c for c, _, _ in found]
    if len(people) <= 10:
        return people
    feet = np.array([f for _, f, _ in found], np.float64)
    height = np.array([h for _, _, h in found], np.float64)
    a, b = np.polyfit(feet, height, 1)
    for _ in range(3):  # fit, trim the outliers, fit again
        keep = np.abs(height / (a * feet + b) - 1) < 0.15
        a, b = np.polyfit(feet[keep], height[keep], 1)
    ratio = height / (a * feet + b)
    return [p for p, r in zip(people, ratio, strict=True) if 0.85 < r < 1.15]


def _extract_split(video: Path, split: str) -> list[Cutout]:
    """People of the split's frames only, against the median of the split's own frames."""
    cv2.setRNGSeed(_PEOPLE_SEED)
    span = FRAMES[split]
    sampled = [f for _, f in video_frames(video, span, 2)]
    if not sampled:
        raise AssetError(f"{video}: no frame readable in {span[0]}-{span[1]}")
    bg = np.median(np.stack(sampled), axis=0).astype(np.uint8)
    del sampled
    bg_blur = cv2.GaussianBlur(bg, (3, 3), 0).astype(np.int16)
    found = []
    for index, frame in video_frames(video, span, 3):
        found.extend(_cutouts_in(frame, bg, bg_blur, index))
    people = _one_person_each(found)
    if len(people) > _MAX_PEOPLE:
        chosen = np.linspace(0, len(people) - 1, _MAX_PEOPLE).round().astype(int)
        people = [people[k] for k in chosen]
    return people


@lru_cache(maxsize=2)
def _split_people(video: Path, split: str) -> tuple[Cutout, ...]:
    """A split's cut-outs, from the disk cache or extracted (then cached)."""
    return cached_cutouts(people_npz(video, _PEOPLE_VERSION, f"-{split}"),
                          lambda: _extract_split(video, split))


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Assets:
    textures: tuple[npt.NDArray[np.float32], ...]  # standardised luminance, mirror-tiled 512x512
    photos: tuple[Rgb, ...]
    people: tuple[npt.NDArray[np.uint8], ...]  # RGBA, feet on the bottom row


def _texture(spec: tuple[str, str], im: Rgb) -> npt.NDArray[np.float32]:
    """Standardised luminance, clipped, tiled with its mirror images: it wraps seamlessly."""
    if spec[1] == "retina":  # the fundus photo without its black surround
        h, w = im.shape[:2]
        im = im[int(h * .3):int(h * .7), int(w * .3):int(w * .7)]
    g = cv2.cvtColor(im, cv2.COLOR_RGB2GRAY).astype(np.float32)
    g = cast(npt.NDArray[np.float32], cv2.resize(g, (256, 256), interpolation=cv2.INTER_AREA))
    g = (g - g.mean()) / (g.std() + 1e-6)
    g = np.clip(g, -2.5, 2.5)
    g = np.vstack([np.hstack([g, g[:, ::-1]]), np.hstack([g[::-1], g[::-1, ::-1]])])
    return np.ascontiguousarray(g)


def _photo(im: Rgb) -> Rgb:
    s = 240.0 / max(im.shape[:2])
    size = (max(8, int(im.shape[1] * s)), max(8, int(im.shape[0] * s)))
    return np.asarray(cv2.resize(im, size, interpolation=cv2.INTER_AREA), np.uint8)


@lru_cache(maxsize=4)
def _load_assets(split: str, data_dir: Path) -> _Assets:
    """Keyed by the data directory too, so that another MILM_OPENCV_DATA is looked at."""
    people = tuple(c.rgba for c in _split_people(video_path(), split))
    if not people:
        raise AssetError(f"no {split} person cut out of vtest.avi frames {FRAMES[split]}")
    return _Assets(
        textures=tuple(_texture(s, load_source_image(s, data_dir)) for s in TEXTURES[split]),
        photos=tuple(_photo(load_source_image(s, data_dir)) for s in PHOTOS[split]),
        people=people)


# ----------------------------------------------------------------------------- kinds
def _device_kind(dev: str, zone: tuple[float, float, float, float], hint: str | None) -> str:
    """What to draw: from the hint and the id's words, else from the zone's (x, y, w, h)
    place and shape."""
    t = (hint or "").lower() + " " + dev.lower().replace("_", " ")
    _, y, w, h = zone
    top = y <= 0.01

    def has(*words: str) -> bool:
        return any(k in t for k in words)

    if has("fan"):
        return "fan"
    if has("vacuum", "robot", "roomba", "mop"):
        return "vacuum"
    if has("blind", "shade", "curtain", "cover", "shutter", "window"):
        return "blinds"
    if has(" tv", "tv ", "television", "telly", "screen", "monitor"):
        return "tv"
    if has("speaker", "stereo", "sound", "radio", "sonos", "echo"):
        return "speaker"
    if has("coffee", "espresso"):
        return "coffee"
    if has("kettle"):
        return "kettle"
    if has("router", "wifi", "modem", "network"):
        return "router"
    if has("plug", "outlet", "socket"):
        return "plug"
    if has("thermostat", "climate", "heater", "heating", "hvac"):
        return "thermostat"
    if has("door", "lock"):
        return "door"
    if has("media player", "media_player"):
        return "tv" if w * 4 > h * 3 * 1.2 else "speaker"
    if has("lamp", "light", "bulb", "chandelier"):
        if top or has("ceiling", "chandelier", "overhead", "pendant"):
            return "ceiling_light" if top or y < 0.2 else "table_lamp"
        if has("floor", "standing") or h >= 0.33:
            return "floor_lamp"
        return "desk_lamp" if has("desk", "office", "study") else "table_lamp"
    if top:
        return "ceiling_light"
    return "appliance"


# What holds each kind up; "table" devices get a counter, desk or cabinet under them.
_SUPPORT = {"ceiling_light": "ceiling", "fan": "ceiling", "floor_lamp": "floor",
            "vacuum": "floor", "blinds": "wall", "plug": "wall", "thermostat": "wall",
            "door": "door", "table_lamp": "table", "desk_lamp": "table", "coffee": "table",
            "kettle": "table", "router": "table", "appliance": "table"}
_LIGHTS = ("ceiling_light", "floor_lamp", "table_lamp", "desk_lamp")


@dataclass
class _Device:
    id: str
    kind: str
    zf: Box4  # the zone in fractions of the frame
    zp: Box4  # the zone in pixels
    support: str  # ceiling, wall, door, floor or table
    on: bool
    wall_tv: bool = False
    base: float | None = None  # floor row under it (floor, door and table devices)


# ----------------------------------------------------------------------------- drawing
# img is RGB uint8; emis marks self-luminous pixels, which the room's light does not dim.
# Shapes are drawn anti-aliased at 1/4 px (shift=2).
_AA = cv2.LINE_AA


@overload
def _c(col: float) -> int: ...
@overload
def _c(col: Sequence[float] | npt.NDArray[Any]) -> tuple[int, ...]: ...
def _c(col: ColourLike) -> int | tuple[int, ...]:
    """A colour (or a mask value) as OpenCV takes it: ints, clipped to 0..255."""
    if isinstance(col, int | float | np.generic):
        return int(max(0, min(255, col)))
    return tuple(int(max(0, min(255, v))) for v in col)


def _shade(col: Sequence[float], f: float) -> tuple[int, ...]:
    return _c([v * f for v in col])


def _poly(img: npt.NDArray[np.uint8], pts: Sequence[PointLike], col: ColourLike,
          emis: Mask | None = None) -> None:
    p = np.round(np.asarray(pts, np.float32) * 4).astype(np.int32)
    cv2.fillPoly(img, [p], _c(col), _AA, shift=2)
    if emis is not None:
        cv2.fillPoly(emis, [p], 255, _AA, shift=2)


def _rect(img: npt.NDArray[np.uint8], box: Box4, col: ColourLike, emis: Mask | None = None
          ) -> None:
    x0, y0, x1, y1 = box
    _poly(img, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], col, emis)


def _ell(img: npt.NDArray[np.uint8], c: PointLike, ax: PointLike, col: ColourLike, *,
         ang: float = 0, emis: Mask | None = None) -> None:
    cc = (round(c[0] * 4), round(c[1] * 4))
    aa = (max(1, round(ax[0] * 4)), max(1, round(ax[1] * 4)))
    cv2.ellipse(img, cc, aa, ang, 0, 360, _c(col), -1, _AA, shift=2)
    if emis is not None:
        cv2.ellipse(emis, cc, aa, ang, 0, 360, 255, -1, _AA, shift=2)


def _line(img: npt.NDArray[np.uint8], p: PointLike, q: PointLike, col: ColourLike,
          t: float = 1, *, emis: Mask | None = None) -> None:
    pp = (round(p[0] * 4), round(p[1] * 4))
    qq = (round(q[0] * 4), round(q[1] * 4))
    thick = max(1, round(t))
    cv2.line(img, pp, qq, _c(col), thick, _AA, shift=2)
    if emis is not None:
        cv2.line(emis, pp, qq, 255, thick, _AA, shift=2)


def _outline(img: Rgb, pts: Sequence[PointLike] | Floats, col: ColourLike, *,
             closed: bool = True, thick: int = 1) -> None:
    cv2.polylines(img, [np.round(np.array(pts) * 4).astype(np.int32)], closed, _c(col), thick,
                  _AA, 2)


def _paste(img: Rgb, patch: cv2.typing.MatLike, box: Box4) -> None:
    """The patch resized into the box (clipped to the frame)."""
    x0, y0, x1, y1 = (round(v) for v in box)
    ih, iw = img.shape[:2]
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    p = cv2.resize(patch, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(iw, x1), min(ih, y1)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    img[cy0:cy1, cx0:cx1] = p[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]


def _photo_crop(rng: np.random.Generator, photos: tuple[Rgb, ...], aspect: float) -> Rgb:
    ph = photos[int(rng.integers(len(photos)))]
    h, w = ph.shape[:2]
    cw = min(w, int(h * aspect)) if aspect > 0 else w
    ch = min(h, int(cw / max(aspect, 1e-3)))
    s = rng.uniform(0.55, 1.0)
    cw, ch = max(4, int(cw * s)), max(4, int(ch * s))
    x = int(rng.integers(0, w - cw + 1))
    y = int(rng.integers(0, h - ch + 1))
    return ph[y:y + ch, x:x + cw]


def _choice(rng: np.random.Generator, options: Sequence[tuple[int, int, int]]
            ) -> tuple[int, int, int]:
    return options[int(rng.integers(len(options)))]


_PAINT = [(232, 228, 218), (214, 206, 190), (198, 205, 210), (180, 196, 182), (222, 200, 178),
          (200, 184, 200), (170, 180, 196), (240, 236, 230), (150, 160, 150), (196, 150, 120),
          (120, 130, 140), (225, 215, 170)]
_FLOORS = [(150, 105, 70), (120, 85, 55), (180, 140, 100), (95, 90, 85), (160, 160, 155),
           (200, 190, 170), (90, 70, 55), (70, 80, 100), (130, 120, 110), (185, 170, 150)]
_FABRIC = [(90, 90, 100), (150, 60, 50), (60, 80, 120), (170, 150, 120), (70, 100, 80),
           (200, 195, 185), (40, 40, 45), (120, 100, 80)]
_WOOD = [(140, 95, 60), (170, 130, 90), (100, 70, 45), (200, 170, 130), (60, 45, 35),
         (225, 220, 210)]
_SKIN = [(224, 180, 150), (200, 150, 115), (160, 110, 80), (110, 75, 55), (235, 200, 175)]
_WARM = (255, 236, 200)


# ----------------------------------------------------------------------------- devices
class _Glow(NamedTuple):
    """A light source: a Gaussian of radius r (pixels) added to the room's light field."""

    x: float
    y: float
    r: float
    col: npt.NDArray[np.float32]  # 0..1
    strength: float


@dataclass
class _Canvas:
    """What drawing leaves besides pixels: self-luminous pixels, light sources; and the photos
    screens, pictures and windows show."""

    emis: Mask
    photos: tuple[Rgb, ...]
    glows: list[_Glow] = field(default_factory=list)

    def glow(self, x: float, y: float, r: float, col: Sequence[float], strength: float
             ) -> None:
        self.glows.append(_Glow(float(x), float(y), float(max(r, 2.0)),
                                np.asarray(col, np.float32) / 255.0, float(strength)))

    def lit(self, on: bool) -> Mask | None:
        """The self-luminous mask when on, else None (nothing marked)."""
        return self.emis if on else None


def _dev_ceiling_light(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                       ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    v = int(rng.integers(3))
    lit = (255, 246, 222)
    if v == 0:  # pendant
        sc = _choice(rng, [(245, 245, 240), (35, 35, 38), (190, 150, 80), (120, 160, 150)])
        st = y0 + h * rng.uniform(0.3, 0.5)
        _line(img, (cx, -2), (cx, st), (40, 40, 40), max(1, w * 0.02))
        tw, bw = w * rng.uniform(0.15, 0.3), w * rng.uniform(0.75, 0.95)
        yb = y1 - h * 0.12
        if on:
            _ell(img, (cx, yb), (bw / 2, h * 0.1), lit, emis=c.emis)
        _poly(img, [(cx - tw / 2, st), (cx + tw / 2, st), (cx + bw / 2, yb), (cx - bw / 2, yb)],
              sc)
        _poly(img, [(cx + tw / 4, st), (cx + tw / 2, st), (cx + bw / 2, yb), (cx + bw / 4, yb)],
              _shade(sc, 0.8))
        _ell(img, (cx, yb + h * 0.04), (w * 0.1, h * 0.09), lit if on else (150, 150, 140),
             emis=c.lit(on))
        if on:
            c.glow(cx, yb, max(w, h) * 2.2, _WARM, 0.75)
    elif v == 1:  # flush dome
        cy = y0 + h * rng.uniform(0.4, 0.6)
        _rect(img, (cx - w * 0.08, y0 - 2, cx + w * 0.08, cy), (200, 200, 200))
        col = lit if on else (205, 205, 200)
        _ell(img, (cx, cy), (w * 0.5, h * 0.44), (150, 150, 150) if on else (120, 120, 118))
        _ell(img, (cx, cy), (w * 0.48, h * 0.42), _shade(col, 0.85), emis=c.lit(on))
        _ell(img, (cx, cy - h * 0.05), (w * 0.36, h * 0.28), col, emis=c.lit(on))
        if not on:
            _ell(img, (cx - w * 0.12, cy - h * 0.12), (w * 0.1, h * 0.08), (230, 230, 228))
        else:
            c.glow(cx, cy, max(w, h) * 2.5, _WARM, 0.8)
    else:  # bar with spots
        by = y0 + h * 0.25
        _line(img, (x0 + w * 0.05, by), (x1 - w * 0.05, by), (60, 60, 60), max(2, h * 0.12))
        n = int(rng.integers(2, 5))
        for i in range(n):
            sx = x0 + w * (0.15 + 0.7 * i / max(1, n - 1))
            _line(img, (sx, by), (sx, y0 + h * 0.55), (50, 50, 50), max(1, w * 0.015))
            _poly(img, [(sx - w * 0.05, y0 + h * 0.5), (sx + w * 0.05, y0 + h * 0.5),
                        (sx + w * 0.08, y1 - h * 0.1), (sx - w * 0.08, y1 - h * 0.1)],
                  (30, 30, 32))
            _ell(img, (sx, y1 - h * 0.1), (w * 0.07, h * 0.07), lit if on else (90, 90, 85),
                 emis=c.lit(on))
            if on:
                c.glow(sx, y1, max(w, h) * 1.3, _WARM, 0.35)


def _dev_fan(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, y0 + h * 0.55
    col = _choice(rng, [(235, 235, 230), (120, 85, 55), (60, 60, 60), (180, 150, 110)])
    _line(img, (cx, -2), (cx, cy), (70, 70, 70), max(2, w * 0.025))
    rx, ry = w * 0.5, max(h * 0.45, w * 0.08)
    nb = int(rng.integers(3, 6))
    ph = rng.uniform(0, 2 * np.pi)
    if on:  # spinning: a translucent blurred disc with faint blade streaks
        ov = img.copy()
        _ell(ov, (cx, cy), (rx, ry), _shade(col, 0.9))
        img[:] = cv2.addWeighted(ov, 0.45, img, 0.55, 0)
        for k in range(nb * 3):
            a = ph + 2 * np.pi * k / (nb * 3)
            _line(img, (cx, cy), (cx + rx * 0.95 * np.cos(a), cy + ry * 0.95 * np.sin(a)),
                  _shade(col, 0.8), 1)
        ov = img.copy()
        _ell(ov, (cx, cy), (rx * 0.97, ry * 0.97), col)
        img[:] = cv2.addWeighted(ov, 0.2, img, 0.8, 0)
    else:
        for k in range(nb):
            a = ph + 2 * np.pi * k / nb
            d = np.array([np.cos(a), np.sin(a)])
            p = np.array([-np.sin(a), np.cos(a)])
            pts = []
            for t, wd in ((0.15, 0.05), (0.95, 0.11), (1.0, 0.0), (0.95, -0.11), (0.15, -0.05)):
                q = d * t + p * wd * 1.6
                pts.append((cx + q[0] * rx, cy + q[1] * ry))
            _poly(img, pts, _shade(col, 0.9 + 0.2 * np.sin(a)))
    _ell(img, (cx, cy), (w * 0.07, h * 0.28), (90, 90, 95))
    _ell(img, (cx, cy - h * 0.06), (w * 0.05, h * 0.16), (140, 140, 145))


def _dev_floor_lamp(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                    ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2 + rng.uniform(-0.05, 0.05) * w
    metal = _choice(rng, [(40, 40, 40), (190, 160, 90), (170, 170, 175)])
    _ell(img, (cx, y1 - h * 0.02), (w * 0.33, h * 0.025), _shade(metal, 0.7))
    torch = rng.random() < 0.3  # a torchiere: an upturned bowl shade
    sh_h = h * (0.12 if torch else rng.uniform(0.2, 0.3))
    _line(img, (cx, y1 - h * 0.03), (cx, y0 + sh_h * 0.9), metal, max(2, w * 0.06))
    lit = (255, 240, 200)
    if torch:
        sh_h = h * 0.16
        _poly(img, [(x0 - w * 0.1, y0), (x1 + w * 0.1, y0), (cx + w * 0.15, y0 + sh_h),
                    (cx - w * 0.15, y0 + sh_h)],
              _choice(rng, [(150, 120, 60), (110, 110, 115), (50, 50, 52)]), c.lit(on))
        if on:
            _ell(img, (cx, y0 + 1), (w * 0.55, h * 0.02), lit, emis=c.emis)
            c.glow(cx, y0 - h * 0.2, h * 0.6, _WARM, 0.9)
    else:
        fab = _choice(rng, [(235, 225, 200), (245, 245, 240), (200, 180, 150), (60, 60, 60),
                            (150, 40, 40)])
        tw = w * rng.uniform(0.5, 0.75)
        pts = [(cx - tw / 2, y0), (cx + tw / 2, y0), (x1, y0 + sh_h), (x0, y0 + sh_h)]
        if on:  # a light fabric glows, a dark one only shows its rims
            col = (255, 238, 195) if fab[0] > 120 else (120, 95, 60)
            _poly(img, pts, col, c.emis if fab[0] > 120 else None)
            _outline(img, pts, (170, 140, 90))
            _ell(img, (cx, y0 + sh_h), (w * 0.5, h * 0.02), (255, 250, 230), emis=c.emis)
            c.glow(cx, y0 + sh_h * 0.6, h * 0.55, _WARM, 0.9)
        else:
            _poly(img, pts, fab)
            _poly(img, [(cx + tw / 6, y0), (cx + tw / 2, y0), (x1, y0 + sh_h),
                        (cx + w / 6, y0 + sh_h)], _shade(fab, 0.82))


def _dev_desk_lamp(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                   ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _choice(rng, [(30, 30, 30), (220, 220, 220), (200, 60, 40), (60, 110, 160)])
    _ell(img, (cx, y1 - h * 0.04), (w * 0.35, h * 0.04), col)
    flip = 1 if rng.random() < 0.5 else -1
    ex, ey = cx - flip * w * 0.25, y0 + h * 0.35
    hx, hy = cx + flip * w * 0.25, y0 + h * 0.12
    _line(img, (cx, y1 - h * 0.06), (ex, ey), col, max(2, w * 0.06))
    _line(img, (ex, ey), (hx, hy), col, max(2, w * 0.06))
    hp = [(hx - w * 0.2, hy - h * 0.08), (hx + w * 0.2, hy - h * 0.08),
          (hx + w * 0.3, hy + h * 0.12), (hx - w * 0.3, hy + h * 0.12)]
    _poly(img, hp, col)
    if on:  # a translucent cone of light down to the desk
        ov = img.copy()
        _poly(ov, [(hx - w * 0.28, hy + h * 0.12), (hx + w * 0.28, hy + h * 0.12),
                   (hx + w * 0.55, y1), (hx - w * 0.55, y1)], (255, 245, 210))
        img[:] = cv2.addWeighted(ov, 0.35, img, 0.65, 0)
        _ell(img, (hx, hy + h * 0.12), (w * 0.26, h * 0.03), (255, 252, 235), emis=c.emis)
        c.glow(hx, hy + h * 0.3, max(w, h) * 1.2, _WARM, 0.7)


def _dev_table_lamp(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                    ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    base = _choice(rng, [(230, 225, 215), (60, 90, 130), (170, 120, 80), (40, 40, 40),
                         (200, 180, 90)])
    bt = y0 + h * rng.uniform(0.45, 0.55)
    _ell(img, (cx, bt + (y1 - bt) * 0.55), (w * 0.2, (y1 - bt) * 0.45), base)
    _rect(img, (cx - w * 0.04, bt - h * 0.05, cx + w * 0.04, bt + h * 0.05), (150, 140, 120))
    fab = _choice(rng, [(240, 232, 210), (250, 250, 245), (210, 195, 170), (120, 60, 60)])
    sh = [(cx - w * 0.3, y0), (cx + w * 0.3, y0), (x1, bt - h * 0.03), (x0, bt - h * 0.03)]
    if on:
        _poly(img, sh, (255, 236, 190), c.emis)
        _outline(img, sh, (170, 140, 90))
        c.glow(cx, (y0 + bt) / 2, max(w, h) * 1.6, _WARM, 0.85)
    else:
        _poly(img, sh, fab)
        _poly(img, [(cx + w * 0.1, y0), (cx + w * 0.3, y0), (x1, bt - h * 0.03),
                    (cx + w * 0.2, bt - h * 0.03)], _shade(fab, 0.8))


def _dev_tv(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator, *,
            on_stand: bool) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    b = max(1.0, min(w, h) * rng.uniform(0.03, 0.06))
    frame = _choice(rng, [(15, 15, 17), (40, 40, 44), (170, 170, 175)])
    if on_stand:
        _poly(img, [(x0 + w * 0.42, y1 - h * 0.08), (x0 + w * 0.58, y1 - h * 0.08),
                    (x0 + w * 0.64, y1), (x0 + w * 0.36, y1)], (30, 30, 30))
        y1s = y1 - h * 0.08
    else:  # on the wall: a soft drop shadow
        y1s = y1
        ov = img.copy()
        _rect(ov, (x0 + 3, y0 + 3, x1 + 3, y1 + 3), (0, 0, 0))
        img[:] = cv2.addWeighted(ov, 0.25, img, 0.75, 0)
    _rect(img, (x0, y0, x1, y1s), frame)
    sx0, sy0, sx1, sy1 = x0 + b, y0 + b, x1 - b, y1s - b * (1.6 if rng.random() < 0.5 else 1)
    if on:
        ph = _photo_crop(rng, c.photos, max(sx1 - sx0, 2) / max(sy1 - sy0, 2))
        shown = cv2.convertScaleAbs(ph, alpha=rng.uniform(1.0, 1.25), beta=rng.uniform(5, 30))
        _paste(img, shown, (sx0, sy0, sx1, sy1))
        _rect(c.emis, (sx0, sy0, sx1, sy1), 255)
        c.glow((x0 + x1) / 2, (y0 + y1) / 2, max(w, h) * 0.9, (200, 220, 255), 0.35)
    else:  # a dark screen with a faint reflection
        g = np.linspace(0, 1, 16, dtype=np.float32)
        grad = (np.add.outer(g, g)[..., None] * np.array([14, 16, 20], np.float32) + 12
                ).astype(np.uint8)
        _paste(img, grad, (sx0, sy0, sx1, sy1))
        ov = img.copy()
        _poly(ov, [(sx0 + (sx1 - sx0) * 0.55, sy0), (sx0 + (sx1 - sx0) * 0.75, sy0),
                   (sx0 + (sx1 - sx0) * 0.4, sy1), (sx0 + (sx1 - sx0) * 0.2, sy1)],
              (90, 95, 105))
        img[:] = cv2.addWeighted(ov, 0.18, img, 0.82, 0)
    if rng.random() < 0.6:  # the power LED: red on standby
        _ell(img, (x1 - b * 2, y1s - b * 0.5), (max(1, b * 0.35), max(1, b * 0.35)),
             (255, 40, 40) if not on else (60, 200, 255), emis=c.emis)


def _dev_speaker(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    if h / max(w, 1) < 1.7 and rng.random() < 0.7:  # smart speaker cylinder
        col = _choice(rng, [(50, 50, 55), (215, 215, 210), (150, 140, 130), (70, 90, 110)])
        ew = h * 0.08
        _rect(img, (x0 + w * 0.1, y0 + ew, x1 - w * 0.1, y1 - ew), col)
        _rect(img, (x1 - w * 0.35, y0 + ew, x1 - w * 0.1, y1 - ew), _shade(col, 0.8))
        _ell(img, (cx, y1 - ew), (w * 0.4, ew), _shade(col, 0.85))
        _ell(img, (cx, y0 + ew), (w * 0.4, ew), _shade(col, 1.15))
        if on:  # the light ring on top
            rc = _choice(rng, [(60, 200, 255), (80, 120, 255), (255, 255, 255)])
            centre = (int(cx * 4), int((y0 + ew) * 4))
            axes = (int(w * 0.36 * 4), int(ew * 0.8 * 4))
            cv2.ellipse(img, centre, axes, 0, 0, 360, rc, 2, _AA, shift=2)
            cv2.ellipse(c.emis, centre, axes, 0, 0, 360, 255, 2, _AA, shift=2)
            c.glow(cx, y0 + ew, w * 0.9, rc, 0.5)
        return
    col = _choice(rng, [(30, 30, 32), (120, 80, 50), (200, 195, 185), (60, 40, 30)])
    _rect(img, (x0, y0, x1, y1), col)
    _rect(img, (x1 - w * 0.15, y0, x1, y1), _shade(col, 0.75))
    cone = (20, 20, 22)
    _ell(img, (cx - w * 0.05, y0 + h * 0.18), (w * 0.16, w * 0.16), cone)
    for yy in (0.45, 0.72) if h / max(w, 1) > 1.6 else (0.6,):
        r = min(w * 0.36, h * 0.16)
        _ell(img, (cx - w * 0.05, y0 + h * yy), (r, r), cone)
        _ell(img, (cx - w * 0.05, y0 + h * yy), (r * 0.45, r * 0.45), (70, 70, 72))
    led = (40, 255, 120) if on else (45, 45, 45)
    _ell(img, (cx - w * 0.05, y1 - h * 0.06), (max(1, w * 0.06), max(1, w * 0.06)), led,
         emis=c.lit(on))
    if on:
        c.glow(cx, y1 - h * 0.06, w * 0.6, led, 0.4)


def _dev_blinds(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    fr = _choice(rng, [(245, 245, 240), (120, 85, 55), (50, 50, 50)])
    b = max(2.0, w * 0.05)
    _rect(img, (x0 - b * 0.3, y0 - b * 0.3, x1 + b * 0.3, y1 + b * 0.6), fr)
    ix0, iy0, ix1, iy1 = x0 + b * 0.5, y0 + b * 0.5, x1 - b * 0.5, y1 - b * 0.2
    slat = _choice(rng, [(235, 232, 222), (200, 180, 150), (170, 175, 180), (140, 100, 70)])
    view = cv2.convertScaleAbs(_photo_crop(rng, c.photos, max(ix1 - ix0, 2) / max(iy1 - iy0, 2)),
                               alpha=1.1, beta=40)
    if on:  # open: outside view, slats stacked at the top
        _paste(img, view, (ix0, iy0, ix1, iy1))
        _rect(c.emis, (ix0, iy0, ix1, iy1), 255)
        _line(img, ((ix0 + ix1) / 2, iy0), ((ix0 + ix1) / 2, iy1), fr, max(1, b * 0.5))
        stack = iy0 + (iy1 - iy0) * rng.uniform(0.08, 0.2)
        _rect(img, (ix0 - 1, iy0, ix1 + 1, stack), slat)
        n = max(2, int((stack - iy0) / 2.5))
        for k in range(n):
            yy = iy0 + (stack - iy0) * (k + 1) / (n + 1)
            _line(img, (ix0, yy), (ix1, yy), _shade(slat, 0.8), 1)
        c.glow((x0 + x1) / 2, (y0 + y1) / 2, max(w, h) * 0.9, (235, 240, 255), 0.45)
    else:  # closed slats with faint light leaks
        _rect(img, (ix0 - 1, iy0, ix1 + 1, iy1), slat)
        pitch = max(2.5, h * rng.uniform(0.03, 0.05))
        yy = iy0
        while yy < iy1:
            _line(img, (ix0, yy), (ix1, yy), _shade(slat, 0.72), 1)
            if yy + 1 < iy1:
                _line(img, (ix0, yy + 1), (ix1, yy + 1), _shade(slat, 1.08), 1)
            yy += pitch
        _line(img, (ix1 - w * 0.1, iy0), (ix1 - w * 0.1, iy1 + h * 0.05), (200, 200, 200), 1)
        _rect(img, (ix0 - 1, iy1 - pitch, ix1 + 1, iy1), _shade(slat, 0.85))


def _dev_vacuum(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _choice(rng, [(30, 30, 32), (230, 230, 228), (150, 150, 155), (60, 60, 70)])
    ry = min(h * 0.32, w * 0.22)
    body_h = h - 2 * ry - 1
    ytop = y0 + ry + h * 0.05
    ybot = ytop + max(body_h * 0.6, 2)
    ov = img.copy()
    _ell(ov, (cx + 2, ybot + 2), (w * 0.52, ry * 1.05), (0, 0, 0))
    img[:] = cv2.addWeighted(ov, 0.3, img, 0.7, 0)
    _ell(img, (cx, ybot), (w * 0.49, ry), _shade(col, 0.55))
    _rect(img, (cx - w * 0.49, ytop, cx + w * 0.49, ybot), _shade(col, 0.7))
    _ell(img, (cx, ytop), (w * 0.49, ry), col)
    _ell(img, (cx - w * 0.05, ytop - ry * 0.1), (w * 0.13, ry * 0.4),
         _shade(col, 0.8 if col[0] > 100 else 1.6))
    if on:
        lc = _choice(rng, [(40, 255, 140), (60, 180, 255), (255, 255, 255)])
        _line(img, (cx - w * 0.3, ytop + ry * 0.55), (cx + w * 0.3, ytop + ry * 0.55), lc,
              max(1, h * 0.06), emis=c.emis)
        c.glow(cx, ytop, w * 0.6, lc, 0.5)
    else:
        _ell(img, (cx + w * 0.2, ytop), (max(1, w * 0.04), max(1, ry * 0.2)), (80, 80, 80))


def _dev_coffee(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    col = _choice(rng, [(25, 25, 28), (185, 185, 190), (160, 40, 35), (235, 235, 230)])
    _rect(img, (x0, y0 + h * 0.05, x1, y1), col)
    _rect(img, (x1 - w * 0.22, y0 + h * 0.05, x1, y1), _shade(col, 0.75))
    _rect(img, (x0 + w * 0.1, y0, x1 - w * 0.1, y0 + h * 0.1),
          _shade(col, 1.2 if col[0] < 200 else 0.9))
    nx0, ny0, nx1, ny1 = x0 + w * 0.15, y0 + h * 0.45, x1 - w * 0.3, y1 - h * 0.08
    _rect(img, (nx0, ny0, nx1, ny1), (20, 20, 20))
    _rect(img, ((nx0 + nx1) / 2 - w * 0.05, ny0, (nx0 + nx1) / 2 + w * 0.05, ny0 + h * 0.08),
          (120, 120, 120))
    cup = (245, 245, 240)
    _rect(img, ((nx0 + nx1) / 2 - w * 0.13, ny1 - h * 0.2, (nx0 + nx1) / 2 + w * 0.13, ny1), cup)
    _rect(img, (x0, y1 - h * 0.06, x1, y1), (70, 70, 70))
    for k in range(3):
        lx = x0 + w * (0.2 + 0.2 * k)
        lc = [(40, 255, 80), (255, 160, 30), (255, 255, 255)][k] if on else (70, 70, 70)
        _ell(img, (lx, y0 + h * 0.25), (max(1, w * 0.05), max(1, w * 0.05)), lc,
             emis=c.lit(on))
    if on:
        c.glow((x0 + x1) / 2, y0 + h * 0.25, w * 0.7, (255, 220, 160), 0.4)
        ov = img.copy()
        sx = (nx0 + nx1) / 2
        for k in range(2):
            pts = np.array([(sx + w * 0.05 * np.sin(t * 6 + k * 2), ny1 - h * 0.2 - t * h * 0.3)
                            for t in np.linspace(0, 1, 8)], np.float32)
            _outline(ov, pts, (250, 250, 250), closed=False, thick=2)
        img[:] = cv2.addWeighted(ov, 0.5, img, 0.5, 0)


def _dev_kettle(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    col = _choice(rng, [(200, 200, 205), (245, 245, 240), (30, 30, 32), (170, 40, 40),
                        (120, 160, 190)])
    _rect(img, (x0 + w * 0.08, y1 - h * 0.1, x1 - w * 0.08, y1), (40, 40, 40))
    body = [(x0 + w * 0.22, y0 + h * 0.18), (x1 - w * 0.22, y0 + h * 0.18),
            (x1 - w * 0.12, y1 - h * 0.1), (x0 + w * 0.12, y1 - h * 0.1)]
    _poly(img, body, col)
    _poly(img, [(cx + w * 0.1, y0 + h * 0.18), (x1 - w * 0.22, y0 + h * 0.18),
                (x1 - w * 0.12, y1 - h * 0.1), (cx + w * 0.15, y1 - h * 0.1)], _shade(col, 0.8))
    _ell(img, (cx, y0 + h * 0.18), (w * 0.28, h * 0.06), _shade(col, 1.1))
    _ell(img, (cx, y0 + h * 0.12), (w * 0.07, h * 0.04), (40, 40, 40))
    side = 1 if rng.random() < 0.5 else -1
    hx = cx + side * w * 0.38
    # the handle: half an ellipse on the side away from the spout
    cv2.ellipse(img, (int(hx * 4), int((y0 + h * 0.45) * 4)),
                (int(w * 0.13 * 4), int(h * 0.25 * 4)), 0, -90 if side > 0 else 90,
                90 if side > 0 else 270, (35, 35, 35), max(1, int(w * 0.08)), _AA, 2)
    sxp = cx - side * w * 0.28
    _poly(img, [(sxp, y0 + h * 0.25), (sxp - side * w * 0.2, y0 + h * 0.12),
                (sxp - side * w * 0.2, y0 + h * 0.2), (sxp, y0 + h * 0.4)], col)
    gx = cx - side * w * 0.05
    if on:  # the lit water window, steam from the spout
        _rect(img, (gx - w * 0.05, y0 + h * 0.35, gx + w * 0.05, y1 - h * 0.18), (90, 170, 255),
              c.emis)
        c.glow(gx, y1 - h * 0.2, max(w, h) * 0.7, (90, 150, 255), 0.6)
        ov = img.copy()
        pts = np.array([(sxp - side * w * 0.2 + w * 0.06 * np.sin(t * 7),
                         y0 + h * 0.1 - t * h * 0.35) for t in np.linspace(0, 1, 8)], np.float32)
        _outline(ov, pts, (250, 250, 250), closed=False, thick=2)
        img[:] = cv2.addWeighted(ov, 0.5, img, 0.5, 0)
    else:
        _rect(img, (gx - w * 0.05, y0 + h * 0.35, gx + w * 0.05, y1 - h * 0.18), _shade(col, 0.6))


def _dev_router(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    col = _choice(rng, [(25, 25, 28), (235, 235, 232), (60, 60, 70)])
    bt = y0 + h * rng.uniform(0.4, 0.6)
    na = int(rng.integers(0, 5))
    for k in range(na):  # antennas
        ax = x0 + w * (0.15 + 0.7 * k / max(1, na - 1))
        _line(img, (ax, bt), (ax + (k - na / 2) * w * 0.04, y0), (30, 30, 30), max(1, w * 0.05))
    _poly(img, [(x0 + w * 0.05, bt), (x1 - w * 0.05, bt), (x1, bt + (y1 - bt) * 0.3),
                (x0, bt + (y1 - bt) * 0.3)], _shade(col, 1.15))
    _rect(img, (x0, bt + (y1 - bt) * 0.3, x1, y1), col)
    nl = int(rng.integers(3, 6))
    for k in range(nl):
        lx = x0 + w * (0.15 + 0.7 * k / max(1, nl - 1))
        lit = on and (k == 0 or rng.random() < 0.8)
        lc = _choice(rng, [(40, 255, 90), (60, 170, 255), (255, 190, 40)]) if lit else (80, 80, 80)
        _ell(img, (lx, bt + (y1 - bt) * 0.62), (max(1, w * 0.03), max(1, h * 0.05)), lc,
             emis=c.lit(lit))
    if on:
        c.glow((x0 + x1) / 2, y1, w * 0.5, (80, 255, 140), 0.3)


def _dev_plug(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    plate = _choice(rng, [(245, 245, 240), (225, 220, 205), (60, 60, 60)])
    _rect(img, (x0, y0, x1, y1), plate)
    _rect(img, (x1 - 1, y0, x1, y1), _shade(plate, 0.7))
    pc = _choice(rng, [(250, 250, 250), (40, 40, 40)])
    _ell(img, (cx, cy), (w * 0.33, h * 0.36), _shade(pc, 0.85))
    _ell(img, (cx - w * 0.03, cy - h * 0.03), (w * 0.3, h * 0.32), pc)
    lc = _choice(rng, [(40, 170, 255), (60, 255, 110), (255, 80, 60)])
    _ell(img, (cx, cy - h * 0.12), (max(1, w * 0.08), max(1, w * 0.08)),
         lc if on else (150, 150, 150), emis=c.lit(on))
    if on:
        c.glow(cx, cy, max(w, h) * 0.9, lc, 0.6)
    if rng.random() < 0.6:  # a cable dropping to the floor
        _line(img, (cx, y1), (cx + w * 0.3, y1 + h * 1.5),
              (30, 30, 30) if rng.random() < .5 else (230, 230, 230), 1)


def _dev_thermostat(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                    ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = min(w, h) * 0.48
    if rng.random() < 0.5:  # round, with a ring display
        _ell(img, (cx, cy), (r, r), (190, 190, 195))
        _ell(img, (cx, cy), (r * 0.8, r * 0.8), (20, 20, 24))
        if on:
            dc = (255, 130, 30) if rng.random() < 0.6 else (40, 130, 255)
            _ell(img, (cx, cy), (r * 0.75, r * 0.75), dc, emis=c.emis)
    else:  # square, with a screen
        _rect(img, (x0, y0, x1, y1), (240, 240, 238))
        _rect(img, (x0 + w * 0.15, y0 + h * 0.15, x1 - w * 0.15, y1 - h * 0.4), (30, 30, 34))
        if on:
            _rect(img, (x0 + w * 0.18, y0 + h * 0.18, x1 - w * 0.18, y1 - h * 0.43),
                  (120, 220, 255), c.emis)
    if on:  # the set temperature
        fs = max(0.2, min(w, h) / 40.0)
        cv2.putText(img, str(int(rng.integers(17, 25))), (int(cx - r * 0.5), int(cy + r * 0.25)),
                    cv2.FONT_HERSHEY_SIMPLEX, fs, (255, 255, 255), 1, _AA)
        c.glow(cx, cy, r * 2.5, (255, 180, 100), 0.35)


def _dev_door(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    wood = _choice(rng, _WOOD)
    _rect(img, (x0 - w * 0.05, y0 - h * 0.02, x1 + w * 0.05, y1), (235, 235, 230))
    _rect(img, (x0, y0, x1, y1), wood)
    for a, b in ((0.08, 0.45), (0.55, 0.92)):
        _rect(img, (x0 + w * 0.15, y0 + h * a, x1 - w * 0.15, y0 + h * b), _shade(wood, 0.9))
    hx = x1 - w * 0.15
    _rect(img, (hx - w * 0.04, y0 + h * 0.45, hx + w * 0.04, y0 + h * 0.58), (60, 60, 60))
    _line(img, (hx, y0 + h * 0.5), (hx - w * 0.12, y0 + h * 0.5), (200, 200, 200),
          max(1, w * 0.03))
    lc = (255, 40, 40) if on else (40, 255, 90)  # the lock's LED: red when locked
    _ell(img, (hx, y0 + h * 0.47), (max(1, w * 0.02), max(1, w * 0.02)), lc, emis=c.emis)


def _dev_appliance(img: Rgb, c: _Canvas, z: Box4, on: bool, rng: np.random.Generator
                   ) -> None:
    x0, y0, x1, y1 = z
    w, h = x1 - x0, y1 - y0
    col = _choice(rng, [(235, 235, 230), (40, 40, 44), (170, 170, 175), (120, 150, 170)])
    _rect(img, (x0, y0, x1, y1), col)
    _rect(img, (x1 - w * 0.2, y0, x1, y1), _shade(col, 0.78))
    _rect(img, (x0 + w * 0.15, y0 + h * 0.15, x1 - w * 0.3, y0 + h * 0.4), _shade(col, 0.6))
    lc = (60, 255, 100) if on else (70, 70, 70)
    _ell(img, (x0 + w * 0.25, y1 - h * 0.2), (max(1, w * 0.06), max(1, w * 0.06)), lc,
         emis=c.lit(on))
    if on:
        _rect(img, (x0 + w * 0.15, y0 + h * 0.15, x1 - w * 0.3, y0 + h * 0.4), (140, 230, 255),
              c.emis)
        c.glow((x0 + x1) / 2, (y0 + y1) / 2, max(w, h) * 0.7, (160, 230, 255), 0.4)


_Drawer = Callable[[Rgb, _Canvas, Box4, bool, np.random.Generator], None]
_DRAWERS: dict[str, _Drawer] = {
    "ceiling_light": _dev_ceiling_light, "fan": _dev_fan, "floor_lamp": _dev_floor_lamp,
    "table_lamp": _dev_table_lamp, "desk_lamp": _dev_desk_lamp, "speaker": _dev_speaker,
    "blinds": _dev_blinds, "vacuum": _dev_vacuum, "coffee": _dev_coffee, "kettle": _dev_kettle,
    "router": _dev_router, "plug": _dev_plug, "thermostat": _dev_thermostat, "door": _dev_door,
    "appliance": _dev_appliance,
}


def _draw_device(img: Rgb, c: _Canvas, rng: np.random.Generator, d: _Device) -> None:
    # each device draws from its own stream: its variants do not shift the later draws
    sub = np.random.default_rng(rng.integers(1 << 62))
    if d.kind == "tv":
        _dev_tv(img, c, d.zp, d.on, sub, on_stand=not d.wall_tv)
    else:
        _DRAWERS[d.kind](img, c, d.zp, d.on, sub)


# ----------------------------------------------------------------------------- room
@dataclass(frozen=True)
class _Room:
    """The camera over a flat floor, in fractions of the frame: the horizon at y=vy; an
    upright object of h metres standing at image row y is r * h * (y - vy) high. The back
    wall(s) meet the floor on the polyline (xs, ys); the ceiling line is yc."""

    vy: float
    k: float  # ceiling line: yc = vy - k * (ys - vy)
    r: float  # 1 / camera height (m)
    vx: float  # the vanishing point's x, for the floor's perspective
    mode: str  # flat, box or corner
    xs: list[float]
    ys: npt.NDArray[np.float64]
    yc: npt.NDArray[np.float64]


def _floor_line(rng: np.random.Generator, mode: str, vy: float
                ) -> tuple[list[float], npt.NDArray[np.float64], float]:
    """(xs, ys, vanishing x) of a floor line: flat; a box (back wall, side walls converging on
    the vanishing point); or a corner of two walls, each with its own vanishing point."""
    base = rng.uniform(0.48, 0.8)
    if mode == "flat":
        xs = [0.0, 1.0]
        ys = [base + rng.uniform(-0.03, 0.03), base + rng.uniform(-0.03, 0.03)]
        vx = rng.uniform(0.2, 0.8)
    elif mode == "box":
        vx = rng.uniform(0.3, 0.7)
        bx0 = rng.uniform(0.04, vx - 0.18)
        bx1 = rng.uniform(vx + 0.18, 0.96)
        yl = vy + (base - vy) * (0 - vx) / (bx0 - vx)
        yr = vy + (base - vy) * (1 - vx) / (bx1 - vx)
        xs, ys = [0.0, bx0, bx1, 1.0], [yl, base, base, yr]
    else:
        cx = rng.uniform(0.2, 0.8)
        vl = rng.uniform(1.6, 5.0)
        vr = -rng.uniform(0.6, 4.0)
        yl = vy + (base - vy) * (vl - 0) / (vl - cx)
        yr = vy + (base - vy) * (1 - vr) / (cx - vr)
        xs, ys = [0.0, cx, 1.0], [yl, base, yr]
        vx = cx
    return xs, np.array(ys), vx


def _geometry(rng: np.random.Generator, devs: list[_Device]) -> _Room:
    """A random room whose floor line lets floor devices stand on the floor and wall devices
    hang above it (else the best of 10 tries)."""
    vy = rng.uniform(-0.10, 0.16)  # the camera looks slightly down
    cam_h = rng.uniform(2.05, 2.6)  # m
    ceil_h = rng.uniform(max(2.4, cam_h + 0.1), 2.9)
    lo_c: list[tuple[float, float]] = []  # the floor line at x: y >= lo
    hi_c: list[tuple[float, float]] = []  # y <= hi
    for d in devs:
        x0, _, x1, y1 = d.zf
        at = (x0, (x0 + x1) / 2, x1)
        if d.support == "floor":
            hi_c += [(x, y1 - 0.02) for x in at]
        elif d.support == "wall":
            lo_c += [(x, y1 + 0.02) for x in at]
        elif d.support == "door":
            hi_c += [(x, y1 + 0.005) for x in at]
            lo_c += [(x, y1 - 0.02) for x in at]
    mode = ["flat", "box", "corner"][int(rng.choice(3, p=[0.25, 0.4, 0.35]))]
    best: tuple[str, list[float], npt.NDArray[np.float64]] | None = None
    best_score = 0.0
    for attempt in range(10):
        m = mode if attempt < 6 else "flat"
        xs, ys, vx = _floor_line(rng, m, vy)
        # the vertical shifts of the line that meet every bound: dlo <= shift <= dhi
        dlo = max([lo - np.interp(x, xs, ys) for x, lo in lo_c], default=-1.0)
        dhi = min([hi - np.interp(x, xs, ys) for x, hi in hi_c], default=1.0)
        # keep the floor line reasonably placed
        dlo = max(dlo, 0.42 - ys.min())
        dhi = min(dhi, 0.9 - ys.min())
        if dlo <= dhi:
            best = (m, xs, ys + rng.uniform(dlo, min(dhi, dlo + 0.2)))
            break
        if best is None or dlo - dhi < best_score:  # none: the try that misses by least
            best_score = dlo - dhi
            best = (m, xs, ys + (dlo + dhi) / 2 if dhi > -1 else ys)
    assert best is not None
    # vx stays the last try's, also when an earlier try's floor line is kept
    mode, xs, ys = best
    ys = np.maximum(np.asarray(ys, np.float64), vy + 0.1)
    k = (ceil_h - cam_h) / cam_h
    return _Room(vy=vy, k=k, r=1.0 / cam_h, vx=vx, mode=mode, xs=xs, ys=ys,
                 yc=vy - k * (ys - vy))


def _floor_y(room: _Room, x: float) -> float:
    return float(np.interp(x, room.xs, room.ys))


def _obj_px_h(room: _Room, y_base: float, metres: float) -> float:
    """Image height (fraction) of an upright object of `metres` standing at image row y_base."""
    return room.r * metres * (y_base - room.vy)


def _walls(img: Rgb, room: _Room, rng: np.random.Generator, tex: Sequence[npt.NDArray[np.float32]]
           ) -> tuple[npt.NDArray[np.float32], Mask, npt.NDArray[np.float32]]:
    """(RGB, mask, paint colour) of the walls: the texture warped onto each face (wrapping:
    the tiles are mirrored), each face lit a little differently."""
    ih, iw = img.shape[:2]
    wall_base = np.array(_choice(rng, _PAINT), np.float32)
    t_i = int(rng.integers(len(tex)))
    contrast = rng.uniform(0.04, 0.22) if rng.random() < 0.85 else rng.uniform(0.22, 0.42)
    tscale = rng.uniform(0.6, 2.2)
    xs, ys, yc = room.xs, room.ys, room.yc
    light_dir = rng.uniform(-0.25, 0.25)
    nfaces = len(xs) - 1
    wall_layer = np.zeros((ih, iw), np.float32)
    face_mask = np.zeros((ih, iw), np.uint8)
    fm = np.zeros((ih, iw), np.uint8)
    for i in range(nfaces):
        fx0, fx1 = xs[i] * iw, xs[i + 1] * iw
        q = np.array([[fx0, yc[i] * ih], [fx1, yc[i + 1] * ih], [fx1, ys[i + 1] * ih],
                      [fx0, ys[i] * ih]], np.float32)
        h0, h1 = (ys[i] - yc[i]) * ih, (ys[i + 1] - yc[i + 1]) * ih
        hmax = max(h0, h1, 1)
        uext = max(fx1 - fx0, 1) * max(h0, h1) / max(min(h0, h1), 1) * tscale
        vext = hmax * tscale
        src = np.array([[0, 0], [uext, 0], [uext, vext], [0, vext]], np.float32)
        warp = cv2.getPerspectiveTransform(src, q)
        warped = cv2.warpPerspective(tex[t_i], warp, (iw, ih), flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_WRAP)
        fm[:] = 0
        cv2.fillPoly(fm, [np.round(q).astype(np.int32)], 1)
        shade = 1.0 + (light_dir * (1 if i % 2 else -1) if nfaces > 1 else 0)
        if nfaces == 3 and i == 1:  # a corner's second wall faces the camera
            shade = 1.0 + abs(light_dir) * 0.3
        np.copyto(wall_layer, (1.0 + contrast * warped) * np.float32(shade), where=fm > 0)
        face_mask |= fm
    wall_rgb = wall_layer[..., None] * wall_base.astype(np.float32)[None, None, :]
    return wall_rgb, face_mask, wall_base


def _floor(img: Rgb, room: _Room, rng: np.random.Generator,
           tex: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    """RGB of the floor plane: the texture (plain, planks or tiles) through the ground-plane
    homography of the horizon, rotated in corner views, darker far away."""
    ih, iw = img.shape[:2]
    fcol = np.array(_choice(rng, _FLOORS), np.float32)
    f_i = int(rng.integers(len(tex)))
    fcon = rng.uniform(0.08, 0.35)
    ftex = tex[f_i]
    style = rng.integers(3)
    if style == 1:  # planks
        ftex = ftex.copy()
        ftex[:, ::int(rng.integers(24, 64))] -= 2.0
    elif style == 2:  # tiles
        ftex = ftex * 0.5
        step = int(rng.integers(40, 128))
        ftex[::step, :] -= 2.5
        ftex[:, ::step] -= 2.5
    s = rng.uniform(60, 220)
    vx, vy = room.vx * iw, room.vy * ih
    ang = rng.uniform(-0.8, 0.8) if room.mode == "corner" else rng.uniform(-0.08, 0.08)
    ca, sa = np.cos(ang), np.sin(ang)
    # image -> floor texture: (u, v, w) = ((x - vx), s, (y - vy)), then rotated and scaled
    to_plane = np.array([[1.0, 0, -vx], [0, 0, s], [0, 1, -vy]])
    rot = np.array([[ca * s * 0.6, -sa * s * 0.6, 0], [sa * s * 0.6, ca * s * 0.6, 0],
                    [0, 0, 1]])
    floor_t = cv2.warpPerspective(ftex, (rot @ to_plane).astype(np.float32), (iw, ih),
                                  flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                  borderMode=cv2.BORDER_WRAP)
    ramp = np.linspace(0.85, 1.08, ih, dtype=np.float32)[:, None]
    return (((1.0 + np.float32(fcon) * floor_t) * ramp)[..., None]
            * fcol.astype(np.float32)[None, None, :])


def _draw_room(img: Rgb, room: _Room, rng: np.random.Generator,
               tex: Sequence[npt.NDArray[np.float32]]) -> None:
    ih, iw = img.shape[:2]
    cc = np.array(_choice(rng, _PAINT), np.float32) * rng.uniform(0.95, 1.05)
    img[:] = _c(cc * 0.92)  # the ceiling
    wall_rgb, face_mask, wall_base = _walls(img, room, rng, tex)
    floor_rgb = _floor(img, room, rng, tex)
    xs, ys, yc = room.xs, room.ys, room.yc
    fpts = [(0, ih + 2), *[(x * iw, y * ih) for x, y in zip(xs, ys, strict=True)], (iw, ih + 2)]
    fmask = np.zeros((ih, iw), np.uint8)
    cv2.fillPoly(fmask, [np.round(np.array(fpts)).astype(np.int32)], 1)
    out = img.astype(np.float32)
    np.copyto(out, wall_rgb, where=face_mask[..., None] > 0)
    np.copyto(out, floor_rgb, where=fmask[..., None] > 0)
    np.clip(out, 0, 255, out=out)
    img[:] = out.astype(np.uint8)
    # skirting board, ceiling edge, corner lines
    sk = _c(wall_base * 0.7) if rng.random() < 0.5 else (235, 235, 230)
    skh = max(1.5, 0.012 * ih)
    nfaces = len(xs) - 1
    for i in range(nfaces):
        p0 = (xs[i] * iw, ys[i] * ih)
        p1 = (xs[i + 1] * iw, ys[i + 1] * ih)
        _poly(img, [(p0[0], p0[1] - skh), (p1[0], p1[1] - skh), p1, p0], sk)
        _line(img, (xs[i] * iw, yc[i] * ih), (xs[i + 1] * iw, yc[i + 1] * ih),
              _c(wall_base * 0.8), 1)
    for i in range(1, nfaces):
        _line(img, (xs[i] * iw, yc[i] * ih), (xs[i] * iw, ys[i] * ih), _c(wall_base * 0.78), 1)


# ----------------------------------------------------------------------------- furniture, decor
def _px(img: Rgb, r: Box4) -> Box4:
    """A box in fractions of the frame, in pixels."""
    ih, iw = img.shape[:2]
    return r[0] * iw, r[1] * ih, r[2] * iw, r[3] * ih


def _free(rect: Box4, occupied: list[Box4], pad: float = 0.01) -> bool:
    x0, y0, x1, y1 = rect
    for o in occupied:
        if x0 < o[2] + pad and x1 > o[0] - pad and y0 < o[3] + pad and y1 > o[1] - pad:
            return False
    return x0 >= 0 and x1 <= 1 and y1 <= 1.05


def _draw_sofa(img: Rgb, r: Box4, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = _px(img, r)
    w, h = x1 - x0, y1 - y0
    col = _choice(rng, _FABRIC)
    _rect(img, (x0, y0, x1, y0 + h * 0.55), _shade(col, 0.9))  # back
    _rect(img, (x0 + w * 0.06, y0 + h * 0.45, x1 - w * 0.06, y0 + h * 0.7), _shade(col, 1.1))
    _rect(img, (x0, y0 + h * 0.3, x0 + w * 0.08, y1 - h * 0.08), _shade(col, 0.8))  # arms
    _rect(img, (x1 - w * 0.08, y0 + h * 0.3, x1, y1 - h * 0.08), _shade(col, 0.8))
    _rect(img, (x0 + w * 0.06, y0 + h * 0.7, x1 - w * 0.06, y1 - h * 0.08), _shade(col, 0.75))
    for fx in (0.08, 0.92):  # feet
        _rect(img, (x0 + w * fx - 2, y1 - h * 0.08, x0 + w * fx + 2, y1), (40, 30, 25))
    for _ in range(int(rng.integers(0, 3))):  # cushions
        px = x0 + w * rng.uniform(0.15, 0.8)
        _ell(img, (px, y0 + h * 0.42), (w * 0.07, h * 0.13), _choice(rng, _FABRIC))


def _draw_shelf(img: Rgb, r: Box4, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = _px(img, r)
    w, h = x1 - x0, y1 - y0
    wood = _choice(rng, _WOOD)
    _rect(img, (x0, y0, x1, y1), wood)
    _rect(img, (x0 + w * 0.06, y0 + h * 0.03, x1 - w * 0.06, y1 - h * 0.05), _shade(wood, 0.55))
    ns = int(rng.integers(3, 6))
    for k in range(ns):
        sy = y0 + h * 0.03 + (h * 0.92) * (k + 1) / ns
        _rect(img, (x0 + w * 0.06, sy - max(1, h * 0.015), x1 - w * 0.06, sy), wood)
        bx = x0 + w * 0.08
        top = y0 + h * 0.03 + (h * 0.92) * k / ns + 2
        while bx < x1 - w * 0.1:  # books, with gaps
            bw = max(1.5, w * rng.uniform(0.04, 0.1))
            if rng.random() < 0.8:
                bh = (sy - top) * rng.uniform(0.55, 0.95)
                _rect(img, (bx, sy - bh, min(bx + bw, x1 - w * 0.08), sy - 1),
                      _choice(rng, _FABRIC))
            bx += bw + 0.5


def _draw_plant(img: Rgb, r: Box4, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = _px(img, r)
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    pot = _choice(rng, [(180, 90, 60), (235, 235, 230), (60, 60, 60), (120, 150, 170)])
    _poly(img, [(cx - w * 0.3, y1 - h * 0.3), (cx + w * 0.3, y1 - h * 0.3), (cx + w * 0.22, y1),
                (cx - w * 0.22, y1)], pot)
    green = np.array(_choice(rng, [(50, 110, 50), (70, 140, 60), (40, 90, 45), (90, 150, 70)]),
                     np.float32)
    for _ in range(int(rng.integers(7, 14))):  # leaves on stems
        a = rng.uniform(-2.6, -0.5)
        length = h * rng.uniform(0.35, 0.7)
        ex, ey = cx + np.cos(a) * length * 0.7, y1 - h * 0.3 + np.sin(a) * length
        _line(img, (cx, y1 - h * 0.3), (ex, ey), _c(green * 0.7), max(1, w * 0.03))
        _ell(img, (ex, ey), (w * rng.uniform(0.08, 0.16), h * rng.uniform(0.04, 0.08)),
             _c(green * rng.uniform(0.8, 1.2)), ang=float(np.degrees(a)))


def _draw_cabinet(img: Rgb, r: Box4, rng: np.random.Generator, *,
                  col: tuple[int, int, int] | None = None, top_band: float | None = None,
                  kind: str = "cabinet") -> None:
    """A cabinet (doors) or a desk (open below); top_band: the visible top's depth, as a
    fraction of the frame."""
    x0, y0, x1, y1 = _px(img, r)
    ih = img.shape[0]
    w, h = x1 - x0, y1 - y0
    if col is None:
        col = _choice(rng, _WOOD)
    tb = top_band * ih if top_band else max(2.0, h * 0.12)
    # top surface (seen from above), then the front
    _rect(img, (x0, y0, x1, y0 + tb), _shade(col, 1.15))
    _rect(img, (x0, y0 + tb, x1, y1), col)
    _line(img, (x0, y0 + tb), (x1, y0 + tb), _shade(col, 0.6), 1)
    if kind == "desk":
        _rect(img, (x0 + w * 0.02, y0 + tb + max(2, h * 0.06), x1 - w * 0.02, y1),
              _shade(col, 0.35))
        _rect(img, (x0, y0 + tb, x0 + w * 0.06, y1), col)
        _rect(img, (x1 - w * 0.3, y0 + tb, x1, y1), col)
        _line(img, (x1 - w * 0.15, y0 + tb + h * 0.2), (x1 - w * 0.15, y0 + tb + h * 0.28),
              (200, 200, 200), 1)
    else:
        nd = max(1, int(w / max(h * 0.8, 8)))
        for k in range(1, nd):
            xx = x0 + w * k / nd
            _line(img, (xx, y0 + tb + 2), (xx, y1 - 2), _shade(col, 0.6), 1)
        for k in range(nd):
            xx = x0 + w * (k + 0.5) / nd
            _line(img, (xx - 2, y0 + tb + (h - tb) * 0.25), (xx + 2, y0 + tb + (h - tb) * 0.25),
                  (190, 190, 190), 1)
        _rect(img, (x0, y1 - max(1, h * 0.06), x1, y1), _shade(col, 0.45))


def _draw_picture(img: Rgb, c: _Canvas, r: Box4, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = _px(img, r)
    fr = _choice(rng, [(30, 30, 30), (240, 240, 235), (150, 110, 60), (190, 160, 90)])
    b = max(1.5, (x1 - x0) * 0.07)
    ov = img.copy()
    _rect(ov, (x0 + 2, y0 + 2, x1 + 2, y1 + 2), (0, 0, 0))
    img[:] = cv2.addWeighted(ov, 0.25, img, 0.75, 0)
    _rect(img, (x0, y0, x1, y1), fr)
    if rng.random() < 0.4:  # a passe-partout
        _rect(img, (x0 + b, y0 + b, x1 - b, y1 - b), (245, 243, 238))
        b *= 2
    ph = _photo_crop(rng, c.photos, max(x1 - x0 - 2 * b, 2) / max(y1 - y0 - 2 * b, 2))
    _paste(img, ph, (x0 + b, y0 + b, x1 - b, y1 - b))


def _draw_window(img: Rgb, c: _Canvas, r: Box4, rng: np.random.Generator) -> None:
    x0, y0, x1, y1 = _px(img, r)
    fr = (240, 240, 236)
    _rect(img, (x0 - 2, y0 - 2, x1 + 2, y1 + 3), fr)
    view = cv2.convertScaleAbs(_photo_crop(rng, c.photos, (x1 - x0) / max(y1 - y0, 1)),
                               alpha=1.1, beta=45)
    _paste(img, view, (x0 + 2, y0 + 2, x1 - 2, y1 - 2))
    _rect(c.emis, (x0 + 2, y0 + 2, x1 - 2, y1 - 2), 255)
    _line(img, ((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1), fr, 2)
    _line(img, (x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2), fr, 2)
    c.glow((x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) * 1.2, (230, 240, 255), 0.35)
    if rng.random() < 0.6:  # curtains
        cc = _choice(rng, _FABRIC)
        cw = (x1 - x0) * rng.uniform(0.12, 0.22)
        for sx in (x0 - cw * 0.6, x1 - cw * 0.4):
            _rect(img, (sx, y0 - 4, sx + cw, y1 + (y1 - y0) * 0.1), cc)
            for k in range(3):
                _line(img, (sx + cw * (k + 1) / 4, y0 - 4),
                      (sx + cw * (k + 1) / 4, y1 + (y1 - y0) * 0.1), _shade(cc, 0.75), 1)


def _draw_rug(img: Rgb, room: _Room, rng: np.random.Generator) -> None:
    """A rug on the floor, its sides converging on the vanishing point."""
    ih, iw = img.shape[:2]
    cx = rng.uniform(0.2, 0.8)
    yb = _floor_y(room, cx)
    if yb > 0.9:
        return
    ya = rng.uniform(yb + 0.05, min(0.98, yb + 0.25))
    yb2 = min(1.05, ya + rng.uniform(0.08, 0.25))
    hw = rng.uniform(0.12, 0.3)
    sp = (yb2 - room.vy) / max(ya - room.vy, 1e-3)
    col = _choice(rng, _FABRIC)
    pts = [((cx - hw) * iw, ya * ih), ((cx + hw) * iw, ya * ih),
           ((room.vx + (cx + hw - room.vx) * sp) * iw, yb2 * ih),
           ((room.vx + (cx - hw - room.vx) * sp) * iw, yb2 * ih)]
    ov = img.copy()
    _poly(ov, pts, col)
    img[:] = cv2.addWeighted(ov, 0.85, img, 0.15, 0)
    mx, my = np.mean([q[0] for q in pts]), np.mean([q[1] for q in pts])
    inner = [(p[0] * 0.85 + mx * 0.15, p[1] * 0.85 + my * 0.15) for p in pts]
    _outline(img, inner, _shade(col, 1.35))


_FLOOR_DECOR: dict[str, Callable[[Rgb, Box4, np.random.Generator], None]] = {
    "sofa": _draw_sofa, "shelf": _draw_shelf, "plant": _draw_plant, "cabinet": _draw_cabinet}


def _decor(img: Rgb, c: _Canvas, room: _Room, rng: np.random.Generator, occupied: list[Box4],
           *, has_blinds: bool) -> None:
    """Off every zone and furniture: a rug, pictures (a window if there are no blinds) on the
    walls, furniture on the floor against the walls."""
    ih, iw = img.shape[:2]
    if rng.random() < 0.5:
        _draw_rug(img, room, rng)
    n_wall = int(rng.integers(1, 4))
    for k in range(n_wall):
        for _ in range(8):
            x0 = rng.uniform(0.02, 0.85)
            ww = rng.uniform(0.07, 0.22)
            x1 = min(0.98, x0 + ww)
            yf = min(_floor_y(room, x0), _floor_y(room, x1))
            ycl = max(room.vy - room.k * (yf - room.vy), 0.0)
            hh = ww * iw / ih * rng.uniform(0.6, 1.3)
            win = (not has_blinds) and k == 0 and rng.random() < 0.6
            if win:
                hh = (yf - ycl) * rng.uniform(0.35, 0.55)
            y0 = ycl + (yf - ycl) * rng.uniform(0.12, 0.3)
            r = (x0, y0, x1, y0 + hh)
            if y0 + hh < yf - 0.12 and _free(r, occupied, 0.02):
                (_draw_window if win else _draw_picture)(img, c, r, rng)
                occupied.append(r)
                break
    n_f = int(rng.integers(1, 4))
    for _ in range(n_f):
        typ = ["sofa", "shelf", "plant", "cabinet"][int(rng.integers(4))]
        for _ in range(8):
            x0 = rng.uniform(-0.05, 0.9)
            yb = max(_floor_y(room, x0), _floor_y(room, x0 + 0.1)) + rng.uniform(0.01, 0.06)
            if yb > 0.98:
                continue
            # every entry is drawn, whatever the type: the same draws follow for each type
            mh = {"sofa": 0.85, "shelf": rng.uniform(1.2, 2.0), "plant": rng.uniform(0.5, 1.3),
                  "cabinet": rng.uniform(0.5, 0.9)}[typ]
            hh = _obj_px_h(room, yb, mh)
            ww = {"sofa": hh * rng.uniform(2.0, 3.2), "shelf": hh * rng.uniform(0.35, 0.6),
                  "plant": hh * 0.5, "cabinet": hh * rng.uniform(1.0, 2.5)}[typ] * ih / iw
            r = (x0, yb - hh, x0 + ww, yb)
            if _free(r, occupied, 0.015):
                _FLOOR_DECOR[typ](img, r, rng)
                occupied.append(r)
                break


def _furnish(img: Rgb, rng: np.random.Generator, room: _Room, devs: list[_Device]
             ) -> list[Box4]:
    """One counter, desk or cabinet under each group of table devices (about the same bottom,
    near each other), as high as its kind in metres; sets each device's base (its floor row).
    Returns the zones and furniture, for decor to stay off."""
    occupied = [d.zf for d in devs]
    groups: list[list[_Device]] = []
    for d in sorted([d for d in devs if d.support == "table"], key=lambda d: d.zf[3]):
        for gr in groups:
            if (abs(gr[-1].zf[3] - d.zf[3]) < 0.06
                    and min(abs(d.zf[0] - o.zf[2]) for o in gr) < 0.3):
                gr.append(d)
                break
        else:
            groups.append([d])
    for gr in groups:
        top = min(d.zf[3] for d in gr) - 0.005
        front = max(d.zf[3] for d in gr) + 0.01
        fx0 = max(-0.02, min(d.zf[0] for d in gr) - rng.uniform(0.02, 0.12))
        fx1 = min(1.02, max(d.zf[2] for d in gr) + rng.uniform(0.02, 0.12))
        kinds = {d.kind for d in gr}
        col: tuple[int, int, int] | None = None
        fk = "cabinet"
        if kinds & {"coffee", "kettle"}:  # a kitchen counter
            metres = 0.9
            col = _choice(rng, [(235, 235, 230), (90, 60, 40), (60, 70, 80), (200, 190, 170)])
        elif kinds & {"desk_lamp", "router"}:
            metres, fk = 0.75, "desk"
        elif "tv" in kinds:
            metres = rng.uniform(0.4, 0.6)
        else:
            metres = rng.uniform(0.5, 0.8)
        # the row whose object of `metres` has its top at the front edge of the devices' bottoms
        q = room.r * metres
        base = (front - q * room.vy) / max(1 - q, 0.2)
        fl = max(_floor_y(room, fx0), _floor_y(room, fx1), _floor_y(room, (fx0 + fx1) / 2))
        base = min(max(base, fl + 0.02, front + 0.04), 1.06)
        r = (fx0, top, fx1, base)
        _draw_cabinet(img, r, rng, col=col, top_band=max(front - top, 0.012), kind=fk)
        occupied.append(r)
        for d in gr:
            d.base = base
    for d in devs:
        if d.support in ("floor", "door"):
            d.base = d.zf[3]
    return occupied


# ----------------------------------------------------------------------------- people
class _Pick(NamedTuple):
    person: int  # its index
    flip: bool
    h: int  # the sprite's size in pixels
    w: int


def _pick_sprite(rng: np.random.Generator, people: tuple[npt.NDArray[np.uint8], ...],
                 h_px: float) -> _Pick:
    i = int(rng.integers(len(people)))
    flip = bool(rng.random() < 0.5)
    jit = rng.uniform(0.92, 1.08)  # a slimmer or broader build
    a = people[i]
    hh = max(8, round(h_px))
    ww = max(3, round(a.shape[1] * hh / a.shape[0] * jit))
    return _Pick(i, flip, hh, ww)


def _person_sprite(rng: np.random.Generator, people: tuple[npt.NDArray[np.uint8], ...],
                   pick: _Pick) -> tuple[Floats, npt.NDArray[np.float32]]:
    """(RGB, alpha 0..1) of the picked cut-out at its size, its edge feathered."""
    a = people[pick.person]
    if pick.flip:
        a = a[:, ::-1]
    sp = cv2.resize(np.ascontiguousarray(a), (pick.w, pick.h),
                    interpolation=cv2.INTER_LINEAR if pick.h > a.shape[0] else cv2.INTER_AREA)
    al = cast(npt.NDArray[np.float32],
              cv2.GaussianBlur(sp[..., 3].astype(np.float32) / 255.0, (3, 3), 0.7))
    rgb = sp[..., :3].astype(np.float32)
    # bring outdoor-plaza colours to a neutral exposure, jitter clothing tones a bit
    m = rgb[al > 0.5].mean(0) if (al > 0.5).any() else np.array([100, 100, 100], np.float32)
    gain = np.clip(90.0 / max(m.mean(), 1.0), 0.8, 1.3) * rng.uniform(0.85, 1.1)
    rgb = rgb * gain * rng.uniform(0.92, 1.08, 3)[None, None, :]
    return np.clip(rgb, 0, 255), al


def _composite(img: Rgb, rgb: Floats, al: npt.NDArray[np.float32], fx: float, fy: float
               ) -> tuple[int, int, int, int]:
    """Feet (the sprite's bottom centre) at pixel (fx, fy); returns the sprite's box."""
    ih, iw = img.shape[:2]
    h, w = al.shape
    x0 = round(fx - w / 2)
    y0 = round(fy - h)
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(iw, x0 + w), min(ih, y0 + h)
    if cx1 <= cx0 or cy1 <= cy0:
        return (x0, y0, x0 + w, y0 + h)
    a = al[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0, None]
    sub = img[cy0:cy1, cx0:cx1].astype(np.float32)
    img[cy0:cy1, cx0:cx1] = (rgb[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0] * a + sub * (1 - a)
                             ).astype(np.uint8)
    return (x0, y0, x0 + w, y0 + h)


def _contact_shadow(img: Rgb, fx: float, fy: float, w: int, strength: float) -> None:
    """A soft dark ellipse on the floor around the feet."""
    ih, iw = img.shape[:2]
    rx, ry = w * 0.55, max(2.0, w * 0.13)
    x0, x1 = int(max(0, fx - rx * 1.6)), int(min(iw, fx + rx * 1.6))
    y0, y1 = int(max(0, fy - ry * 2.5)), int(min(ih, fy + ry * 2.5))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    d = ((xx - fx) / rx) ** 2 + ((yy - fy) / ry) ** 2
    m = 1 - strength * np.exp(-d * 1.5)
    img[y0:y1, x0:x1] = (img[y0:y1, x0:x1] * m[..., None]).astype(np.uint8)


def _shoulder(rng: np.random.Generator, sprite: tuple[Floats, npt.NDArray[np.float32]],
              box: tuple[int, int, int, int], tx: float) -> tuple[float, float, Floats]:
    """(x, y, sleeve colour) of the shoulder on the silhouette's edge facing x=tx, at 19-23 %
    of its height; the sleeve is the median of the torso next to it."""
    rgb, al = sprite
    x0, y0, x1, _ = box
    h, w = al.shape
    sy_rel = int(h * rng.uniform(0.19, 0.23))
    cols = np.nonzero(al[sy_rel] > 0.5)[0]
    if len(cols) == 0:
        cols = np.array([w // 3, 2 * w // 3])
    side = 1 if tx >= (x0 + x1) / 2 else -1
    edge = cols.max() if side > 0 else cols.min()
    width = max(cols.max() - cols.min(), 2)
    sx = x0 + edge - side * width * 0.18
    sy = y0 + sy_rel + h * 0.02
    r0, r1 = int(h * 0.22), int(h * 0.42)
    c0, c1 = ((int(edge - width * 0.45), int(edge + 1)) if side > 0
              else (int(edge), int(edge + width * 0.45)))
    c0, c1 = max(0, c0), min(w, max(c1, c0 + 1))
    patch = rgb[r0:r1, c0:c1][al[r0:r1, c0:c1] > 0.6]
    sleeve = np.median(patch, 0) if len(patch) > 3 else np.array([60, 60, 70], np.float32)
    return sx, sy, sleeve


def _draw_arm(img: Rgb, rng: np.random.Generator,
              sprite: tuple[Floats, npt.NDArray[np.float32]], box: tuple[int, int, int, int],
              *, aim: tuple[float, float], h_px: float) -> None:
    """A pointing arm from the shoulder on the target's side towards aim: upper arm and
    forearm on the shoulder-aim line (the elbow sags a little), sleeve or bare forearm,
    a hand with an index finger and a thumb."""
    tx, ty = aim
    sx, sy, sleeve = _shoulder(rng, sprite, box, tx)
    skin = np.array(_choice(rng, _SKIN), np.float32)
    d = np.array([tx - sx, ty - sy], np.float64)
    dist = np.linalg.norm(d) + 1e-6
    u = d / dist
    n = np.array([-u[1], u[0]])
    if n[1] < 0:
        n = -n  # the elbow sags downwards
    arm = min(h_px * rng.uniform(0.36, 0.44), max(dist - h_px * 0.03, h_px * 0.22))
    s = np.array([sx, sy])
    elbow = s + u * arm * 0.47 + n * arm * rng.uniform(0.0, 0.06)
    wrist = s + u * arm * 0.86
    t_up = max(2.0, h_px * 0.05)
    t_fo = max(2.0, h_px * 0.042)
    short = rng.random() < 0.25  # short sleeves: a bare forearm
    fore = skin if short else sleeve
    segments = ((s, elbow, t_up, sleeve), (elbow, wrist, t_fo, fore))
    for p, q, t, col in segments:  # outlines first, then fills with a highlight
        _line(img, p, q, _c(col * 0.55), t + 2)
    for p, q, t, col in segments:
        _line(img, p, q, _c(col), t)
        _line(img, p - n * t * 0.2, q - n * t * 0.2, _c(col * 1.25 + 8), max(1, t * 0.3))
    _ell(img, s + u * t_up * 0.2, (t_up * 0.6, t_up * 0.6), _c(sleeve))
    pr = max(1.8, h_px * 0.027)  # palm radius
    palm = wrist + u * pr * 0.9
    ang = float(np.degrees(np.arctan2(u[1], u[0])))
    _ell(img, palm, (pr * 1.25 + 0.6, pr + 0.6), _c(skin * 0.6), ang=ang)
    _ell(img, palm, (pr * 1.25, pr), _c(skin), ang=ang)
    tip = palm + u * (pr + max(2.5, h_px * 0.045))
    _line(img, palm, tip, _c(skin * 0.6), max(1.0, pr * 0.7) + 1)
    _line(img, palm, tip, _c(skin), max(1.0, pr * 0.7))
    _line(img, palm - n * pr * 0.3, palm - n * pr * 1.1 + u * pr * 0.6, _c(skin * 0.85),
          max(1.0, pr * 0.5))
    if not short:
        _line(img, wrist - u * 1.0, wrist + u * 0.5, _c(sleeve * 0.8), t_fo + 1)  # cuff


# ----------------------------------------------------------------------------- placement
class _Placement(NamedTuple):
    pick: _Pick
    fx: float  # the feet, in pixels
    fy: float
    h_px: float


def _sized_pick(rng: np.random.Generator, room: _Room, people: tuple[npt.NDArray[np.uint8], ...],
                fy: float, *, stature: float, ih: int) -> tuple[float, _Pick]:
    """(height in pixels, sprite) of a person with the feet at row fy (fraction): the
    ground-plane height, kept within 33-78 % of the frame."""
    h_px = float(np.clip(_obj_px_h(room, fy, 1.7 * stature) * ih, 0.33 * ih, 0.78 * ih))
    return h_px, _pick_sprite(rng, people, h_px)


def _place_away(rng: np.random.Generator, room: _Room, people: tuple[npt.NDArray[np.uint8], ...],
                devs: list[_Device], *, stature: float, size: tuple[int, int]
                ) -> _Placement | None:
    """A person on the floor, over 1.3 body widths from every zone (None if no try fits)."""
    ih, iw = size
    for _ in range(40):
        fx = rng.uniform(0.08, 0.92)
        fl = _floor_y(room, fx)
        if fl > 0.95:
            continue
        fy = rng.uniform(fl + 0.02, 0.995)
        h_px, pick = _sized_pick(rng, room, people, fy, stature=stature, ih=ih)
        body = pick.w * 0.7
        fxp = fx * iw
        if any(max(d.zp[0] - (fxp + body / 2), (fxp - body / 2) - d.zp[2]) < body * 1.3
               for d in devs):
            continue
        if fy < _floor_y(room, fxp / iw) + 0.012:
            continue
        return _Placement(pick, fxp, fy * ih, h_px)
    return None


def _feet_row(rng: np.random.Generator, room: _Room, t: _Device, pose: str, relax: float
              ) -> float:
    """Where the feet of a person by device t may be (fraction of the frame): near the front
    of what it stands on, a little further for "point"; anywhere in front of a ceiling one."""
    zx0, _, zx1, _ = t.zf
    if t.support == "ceiling":
        fl = _floor_y(room, (zx0 + zx1) / 2)
        fy = rng.uniform(min(fl + 0.04, 0.97), 0.995)
    elif t.base is not None:
        lo = t.base + (0.0 if pose == "stand" else -0.02)
        hi = t.base + (0.06 if pose == "stand" else 0.16) + relax * 0.1
        fy = rng.uniform(lo, hi)
    else:
        fl = min(_floor_y(room, zx0), _floor_y(room, zx1))
        fy = rng.uniform(fl + 0.015, fl + (0.07 if pose == "stand" else 0.25) + relax * 0.1)
    return min(fy, 0.995)


def _beside(rng: np.random.Generator, t: _Device, pose: str, pw: int, iw: int) -> float | None:
    """The feet's x (pixels) beside t, on a random side that keeps the person in the frame:
    touching it for "stand" (under a ceiling device), 0.15-2.3 body widths away for "point"."""
    zx0, _, zx1, _ = t.zp
    body = pw * 0.7
    sides = [-1, 1]
    rng.shuffle(sides)
    for s in sides:
        if t.support == "ceiling" and pose == "stand":
            fxp = (zx0 + zx1) / 2 + rng.uniform(-0.25, 0.25) * (zx1 - zx0)
        elif pose == "stand":
            gap = rng.uniform(-0.15, 0.2) * body
            fxp = (zx1 + gap + pw / 2) if s > 0 else (zx0 - gap - pw / 2)
        else:
            gap = rng.uniform(0.15, 2.3) * body
            if t.support == "ceiling":
                gap += body * 0.5
            fxp = (zx1 + gap + pw / 2) if s > 0 else (zx0 - gap - pw / 2)
        if pw * 0.4 <= fxp <= iw - pw * 0.4:
            return fxp
    return None


def _covers_little(box: Box4, zone: Box4, limit: float) -> bool:
    """Whether the person's box covers at most `limit` of the zone's area."""
    x0, y0, x1, y1 = box
    ix = max(0, min(x1, zone[2]) - max(x0, zone[0]))
    iy = max(0, min(y1, zone[3]) - max(y0, zone[1]))
    za = max(1.0, (zone[2] - zone[0]) * (zone[3] - zone[1]))
    return ix * iy / za <= limit


def _place_near(rng: np.random.Generator, room: _Room, people: tuple[npt.NDArray[np.uint8], ...],
                t: _Device, *, pose: str, stature: float, size: tuple[int, int]
                ) -> _Placement | None:
    """A person by device t (40 tries, the later ones further in front of it); None if no try
    keeps the person on the floor, in the frame and off most of t."""
    ih, iw = size
    for attempt in range(40):
        fy = _feet_row(rng, room, t, pose, attempt / 40.0)
        h_px, pick = _sized_pick(rng, room, people, fy, stature=stature, ih=ih)
        fxp = _beside(rng, t, pose, pick.w, iw)
        if fxp is None:
            continue
        fyp = fy * ih
        if fy < _floor_y(room, fxp / iw) + 0.012:
            continue
        box = (fxp - pick.w / 2, fyp - pick.h, fxp + pick.w / 2, fyp)
        if _covers_little(box, t.zp, 0.25 if pose == "point" else 0.3):
            return _Placement(pick, fxp, fyp, h_px)
    return None


def _place_fallback(rng: np.random.Generator, room: _Room,
                    people: tuple[npt.NDArray[np.uint8], ...], t: _Device, *, stature: float,
                    size: tuple[int, int]) -> _Placement:
    """Beside device t on the roomier side, in front of the floor line at its centre."""
    ih, iw = size
    zx0, _, zx1, zy1 = t.zp
    fyp = min(ih * 0.995, max(ih * (_floor_y(room, (zx0 + zx1) / 2 / iw) + 0.03), zy1 + 2))
    h_px, pick = _sized_pick(rng, room, people, fyp / ih, stature=stature,
                               ih=ih)
    pw = pick.w
    fxp = (zx1 + pw * 0.55) if (iw - zx1) > zx0 else (zx0 - pw * 0.55)
    return _Placement(pick, float(np.clip(fxp, pw * 0.4, iw - pw * 0.4)), fyp, h_px)


def _draw_person(img: Rgb, rng: np.random.Generator, people: tuple[npt.NDArray[np.uint8], ...],
                 at: _Placement, aim: tuple[float, float] | None) -> None:
    """The person on a contact shadow; pointing at aim (pixels) unless it is None."""
    sprite = _person_sprite(rng, people, at.pick)
    _contact_shadow(img, at.fx, at.fy, sprite[1].shape[1], rng.uniform(0.3, 0.55))
    box = _composite(img, sprite[0], sprite[1], at.fx, at.fy)
    if aim is not None:
        _draw_arm(img, rng, sprite, box, aim=aim, h_px=at.h_px)


# ----------------------------------------------------------------------------- light, camera
def _light(img: Rgb, c: _Canvas, rng: np.random.Generator, devs: list[_Device]
           ) -> tuple[Rgb, float]:
    """(lit frame, ambient level). A quarter-resolution light field: log-uniform ambient
    (brighter with each lamp on), a side gradient, a Gaussian glow per light source;
    self-luminous pixels keep their drawn colour. Then a colour cast and a vignette."""
    ih, iw = img.shape[:2]
    amb = float(np.exp(rng.uniform(np.log(0.35), np.log(1.2))))
    n_on = sum(1 for d in devs if d.on and d.kind in _LIGHTS)
    amb = min(1.3, amb + 0.12 * n_on)
    cast = np.array([1.0, 1.0, 1.0], np.float32)
    tint = rng.integers(4)
    if tint == 1:  # warm
        cast = np.array([1.08, 1.0, 0.86], np.float32)
    elif tint == 2:  # cool
        cast = np.array([0.9, 0.98, 1.1], np.float32)
    elif tint == 3:  # greenish
        cast = np.array([1.0, 1.05, 0.92], np.float32)
    cast = cast * rng.uniform(0.95, 1.05, 3).astype(np.float32)
    h4, w4 = max(2, ih // 4), max(2, iw // 4)
    yy = np.linspace(0, ih, h4, dtype=np.float32)[:, None]
    xx = np.linspace(0, iw, w4, dtype=np.float32)[None, :]
    field = np.full((h4, w4, 3), amb, np.float32)
    grad_dir = rng.uniform(-0.3, 0.3)  # light from a window or off-screen, to one side
    field *= (1 + grad_dir * (xx / iw - 0.5))[..., None]
    for g in c.glows:
        e = np.exp(-(((xx - g.x) ** 2 + (yy - g.y) ** 2) / (g.r * g.r)))
        field += (g.strength * 0.55) * e[..., None] * g.col[None, None, :]
    light = cv2.resize(field, (iw, ih), interpolation=cv2.INTER_LINEAR)
    em = (c.emis.astype(np.float32) / 255.0)[..., None]
    np.minimum(light, 1.75, out=light)
    light = light * (1 - em) + em
    out = img.astype(np.float32) * light * cast[None, None, :]
    vg = rng.uniform(0.0, 0.35)
    if vg > 0.02:
        ry = np.linspace(-1, 1, ih, dtype=np.float32)[:, None]
        rx = np.linspace(-1, 1, iw, dtype=np.float32)[None, :]
        out *= (1 - vg * 0.5 * (rx * rx + ry * ry))[..., None]
    return np.clip(out, 0, 255).astype(np.uint8), amb


def _camera(img: Rgb, rng: np.random.Generator, amb: float) -> Rgb:
    """Tilt +-1.2 degrees, zoom up to 2 %, a small shift, sometimes a slight keystone (zones
    move up to ~3 %); blur or motion blur; luma and chroma noise, stronger in the dark; JPEG."""
    ih, iw = img.shape[:2]
    ang = rng.uniform(-1.2, 1.2)
    sc = rng.uniform(1.0, 1.02)
    warp = cv2.getRotationMatrix2D((iw / 2 + rng.uniform(-3, 3), ih / 2 + rng.uniform(-3, 3)),
                                   ang, sc)
    warp[:, 2] += rng.uniform(-0.008, 0.008, 2) * np.array([iw, ih])
    if rng.random() < 0.3:
        src = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
        j = rng.uniform(-0.008, 0.008, (4, 2)) * np.array([iw, ih])
        keystone = cv2.getPerspectiveTransform(src, (src + j).astype(np.float32))
        out = cv2.warpPerspective(img, keystone @ np.vstack([warp, [0, 0, 1]]), (iw, ih),
                                  flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    else:
        out = cv2.warpAffine(img, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REFLECT)
    bl = rng.uniform(0, 1.2)
    if bl > 0.35:
        out = cv2.GaussianBlur(out, (0, 0), bl)
    if rng.random() < 0.1:  # a touch of horizontal motion blur
        kl = int(rng.integers(3, 6))
        kern = np.zeros((kl, kl), np.float32)
        kern[kl // 2] = 1.0 / kl
        out = cv2.filter2D(out, -1, kern)
    sigma = rng.uniform(1.0, 4.0) + (1.2 - amb) * 5
    noise = rng.standard_normal((ih, iw, 1), dtype=np.float32) * sigma
    noise = noise + rng.standard_normal((ih, iw, 3), dtype=np.float32) * (sigma * 0.4)
    out = np.clip(out.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    q = int(rng.integers(30, 93))
    _, enc = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, q])
    bgr = cv2.imdecode(enc, cv2.IMREAD_COLOR)
    assert bgr is not None
    return np.ascontiguousarray(bgr[..., ::-1], np.uint8)


# ----------------------------------------------------------------------------- frame
def _devices(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
             kinds: Mapping[str, str] | None, states: Mapping[str, bool] | None,
             size: tuple[int, int]) -> list[_Device]:
    """The zones' devices in id order: kind, what holds each up, on or off."""
    ih, iw = size
    devs = []
    for dev in sorted(zones):
        x, y, w, h = (float(v) for v in zones[dev])
        k = _device_kind(dev, (x, y, w, h), (kinds or {}).get(dev))
        sup = _SUPPORT.get(k, "table")
        wall_tv = False
        if k == "tv":
            wall_tv = rng.random() < 0.4
            sup = "wall" if wall_tv else "table"
        if k == "speaker":  # a tall one low in the frame stands on the floor
            tall = h / max(w, 1e-3) >= 1.8 * iw / ih * 0.75
            sup = "floor" if (tall and y + h >= 0.6) else "table"
        if y <= 0.01 and k not in ("blinds", "door"):
            sup = "ceiling"
        on = states.get(dev) if states is not None and dev in states else None
        devs.append(_Device(
            id=dev, kind=k, zf=(x, y, x + w, y + h),
            zp=(x * iw, y * ih, (x + w) * iw, (y + h) * ih), support=sup,
            on=bool(rng.random() < 0.5) if on is None else bool(on), wall_tv=wall_tv))
    return devs


def render_alt2_scene(rng: np.random.Generator, zones: Mapping[str, Sequence[float]],
                      target: str | None, pose: Pose, *, split: Split = "train",
                      kinds: Mapping[str, str] | None = None,
                      states: Mapping[str, bool] | None = None,
                      size: tuple[int, int] = (240, 320)) -> npt.NDArray[np.uint8]:
    """An RGB uint8 frame of shape (size[0], size[1], 3) of a room with the zones' devices.

    zones: device id -> (x, y, w, h), fractions of the frame (Frigate-style); target: the
    device pointed at or stood by (for pose "none", pass None: with a device, a person, if
    any, stands near it without pointing); kinds: device id -> a hint such as "light floor
    lamp" (with the id's words and the zone, it decides what is drawn); states: device id ->
    on (else drawn at random)."""
    assets = assets_for(split, pose, target, zones, _load_assets)
    ih, iw = int(size[0]), int(size[1])
    c = _Canvas(emis=np.zeros((ih, iw), np.uint8), photos=assets.photos)
    devs = _devices(rng, zones, kinds, states, (ih, iw))
    tdev = next((d for d in devs if d.id == target), None)
    room = _geometry(rng, devs)
    img = np.zeros((ih, iw, 3), np.uint8)
    _draw_room(img, room, rng, assets.textures)
    occupied = _furnish(img, rng, room, devs)
    _decor(img, c, room, rng, occupied, has_blinds=any(d.kind == "blinds" for d in devs))
    # wall and door devices first (a table or floor device may stand in front of them)
    for d in sorted(devs, key=lambda d: (d.support not in ("wall", "door"), d.zf[3])):
        _draw_device(img, c, rng, d)

    stature = rng.uniform(0.9, 1.08)  # relative to 1.7 m
    if pose != "none" or rng.random() < 0.55:
        if tdev is None:
            at = _place_away(rng, room, assets.people, devs, stature=stature, size=(ih, iw))
        else:
            at = _place_near(rng, room, assets.people, tdev, pose=pose, stature=stature,
                             size=(ih, iw))
            if at is None and pose != "none":
                at = _place_fallback(rng, room, assets.people, tdev, stature=stature,
                                     size=(ih, iw))
        if at is not None:
            aim = None
            if pose == "point" and tdev is not None:
                zx0, zy0, zx1, zy1 = tdev.zp
                aim = ((zx0 + zx1) / 2, (zy0 + zy1) / 2)
            _draw_person(img, rng, assets.people, at, aim)
    lit, amb = _light(img, c, rng, devs)
    return _camera(lit, rng, amb)
