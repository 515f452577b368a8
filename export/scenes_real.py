"""Camera frames that look like real rooms, for training and evaluating the image side.

Synthetic composites, made here from real pixels: every frame is drawn by this module, but
its walls and floors are real textures, the pictures on the walls and the TV's picture are
real photographs, and the people are real pedestrians cut from a video (export/people.py).
What a frame holds, for one camera's device zones (Frigate-style [x, y, w, h] fractions):

- a room: a textured back wall and a floor in perspective (random tints), a skirting board,
  furniture (sofa, table, shelf with books, rug, framed photos, a window with a photo
  behind it), kept out of the device zones where it fits;
- each device drawn by its kind inside its zone (floor/desk lamp, ceiling fixture, tv,
  speaker, blinds, ceiling fan, robot vacuum, thermostat, coffee machine, kettle, router,
  plug, lock, a generic box), on or off: a light that is on glows and lights the room
  around it, a tv that is on shows a photo, a fan that is on is a blur;
- `pose="point"`: a person stands beside the target's zone, scaled by depth (feet lower in
  the frame = nearer = taller), and an arm is drawn from the shoulder towards the
  target's centre (in 15 % of them someone else stands further back, away from the
  target, arms down: the pointing one is meant); `"stand"`: the person stands at
  touching distance of the device (under it for a ceiling device), arms down;
  `"none"`: nobody, or a person somewhere (arms down), so a person alone never means
  "pointing";
- ambient light from dark to bright with a gradient from a window side, colour cast;
- the camera: a small perspective warp of the whole frame (corners move at most 2.5 % of
  the frame, so zones stay on their devices), blur, sensor noise stronger in the dark,
  JPEG compression.

Held-out split: `split="heldout"` draws its wall/floor textures, photographs and person
cut-outs from sources `split="train"` never uses (TEXTURES, PHOTOS below; people by frame
range, export/people.py), and its layouts from odd layout seeds where train uses even
ones. Same rng state = same frame.

Rendered at camera-like resolution (default 240x320); the runtime resizes to the model's
input (assistant/model.py, prepare_image).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from export.people import AssetError, Cutout, opencv_data_dir, people
from export.scenes import Box

Split = Literal["train", "heldout"]
Pose = Literal["point", "stand", "none"]
Image = npt.NDArray[np.float32]  # (H, W, 3) RGB, 0..1

# Sources per split: (package, file). No file is in both lists.
TEXTURES: dict[str, tuple[tuple[str, str], ...]] = {
    "train": (("skimage", "brick.png"), ("skimage", "grass.png"),
              ("skimage", "gravel.png"), ("skimage", "microaneurysms.png")),
    "heldout": (("skimage", "moon.png"), ("skimage", "retina.jpg"),
                ("opencv", "rubberwhale1.png"), ("opencv", "aero3.jpg")),
}
PHOTOS: dict[str, tuple[tuple[str, str], ...]] = {
    "train": (("skimage", "astronaut.png"), ("skimage", "coffee.png"),
              ("skimage", "chelsea.png"), ("skimage", "rocket.jpg"),
              ("skimage", "motorcycle_left.png"), ("opencv", "starry_night.jpg"),
              ("opencv", "fruits.jpg"), ("opencv", "baboon.jpg"),
              ("opencv", "building.jpg")),
    "heldout": (("skimage", "hubble_deep_field.jpg"), ("skimage", "ihc.png"),
                ("opencv", "home.jpg"), ("opencv", "messi5.jpg"),
                ("opencv", "butterfly.jpg"), ("opencv", "HappyFish.jpg"),
                ("opencv", "aero1.jpg"), ("opencv", "leuvenA.jpg")),
}

KINDS = ("lamp", "fixture", "tv", "speaker", "blinds", "fan", "vacuum", "thermostat",
         "coffee", "kettle", "router", "plug", "lock", "box")
# Words in a device id (or the `kinds` hint) -> what is drawn, first match wins.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fan", ("fan",)),
    ("fixture", ("ceiling", "chandelier", "pendant", "fixture", "overhead")),
    ("lamp", ("lamp", "lantern")),
    ("speaker", ("speaker", "stereo", "sound", "sonos", "radio", "music", "soundbar")),
    ("tv", ("tv", "television", "telly", "screen", "media", "projector")),
    ("blinds", ("blind", "shade", "curtain", "shutter", "cover", "awning")),
    ("vacuum", ("vacuum", "roomba", "hoover", "robot", "mop")),
    ("thermostat", ("thermostat", "climate", "heat", "ac", "air", "temperature")),
    ("coffee", ("coffee", "espresso")),
    ("kettle", ("kettle",)),
    ("router", ("router", "wifi", "modem", "internet")),
    ("plug", ("plug", "socket", "outlet", "switch", "wemo", "power")),
    ("lock", ("lock", "door")),
)
BYSTANDER = 0.15  # share of pointing scenes with a second person, not pointing


@dataclass(frozen=True)
class _Sources:
    textures: tuple[Image, ...]  # grey, normalised to mean 1
    photos: tuple[Image, ...]  # RGB 0..1
    people: tuple[Cutout, ...]


def _skimage_dir() -> Path:
    spec = importlib.util.find_spec("skimage")
    if spec is None or spec.origin is None:
        raise AssetError("scikit-image is not installed (pip install -e '.[export]')")
    return Path(spec.origin).parent / "data"


def _read(package: str, name: str, max_side: int) -> npt.NDArray[np.uint8]:
    folder = _skimage_dir() if package == "skimage" else opencv_data_dir()
    path = folder / name
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        hint = "pip install scikit-image" if package == "skimage" else "apt-get install opencv-doc"
        raise AssetError(f"{path}: sample image missing or unreadable ({hint})")
    scale = max_side / max(image.shape[:2])
    if scale < 1:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image[:, :, ::-1])


@lru_cache(maxsize=2)
def sources(split: Split) -> _Sources:
    """The split's textures, photographs and people, loaded once per process."""
    textures = []
    for package, name in TEXTURES[split]:
        grey = _read(package, name, 480).astype(np.float32).mean(axis=2) + 1.0
        h, w = grey.shape  # the middle 60 %: no photo's border (the retina's black ring)
        grey = grey[round(h * 0.2):round(h * 0.8), round(w * 0.2):round(w * 0.8)]
        # Keep the fine grain, drop the picture: divided by its blur, a photo's big light
        # and dark areas (a page edge, the sea) no longer cross a wall as bands.
        local = cv2.GaussianBlur(grey, (0, 0), sigmaX=8.0)
        textures.append(np.clip(grey / local, 0.3, 2.0).astype(np.float32))
    photos = tuple(_read(p, n, 256).astype(np.float32) / 255.0 for p, n in PHOTOS[split])
    return _Sources(tuple(textures), photos, people(split))


def _by_words(words: list[str]) -> str | None:
    for kind, keys in _KIND_WORDS:
        if any(w == k or (len(k) > 2 and w.startswith(k)) for w in words for k in keys):
            return kind
    return None


# A device type (assistant.labels.DEVICE_TYPES) -> the kinds its name may pick among.
_TYPE_KINDS: dict[str, tuple[str, ...]] = {
    "light": ("fixture", "lamp"), "fan": ("fan",), "cover": ("blinds",),
    "climate": ("thermostat",), "lock": ("lock",), "vacuum": ("vacuum",),
    "media_player": ("speaker", "tv"),
    "switch": ("coffee", "kettle", "router", "plug", "fan", "lamp", "fixture", "tv",
               "speaker"),
}


def device_kind(device_id: str, zone: Box, hint: str | None = None) -> str:
    """What to draw for a device. `hint` "TYPE NAME" (a devices.yaml type first): the type
    decides, the name's words choose within it ("media_player sound bar" is a speaker).
    Otherwise the words of the hint or the id, then the zone's shape."""
    words = (hint or device_id).lower().replace("_", " ").replace("-", " ").split()
    _, y, w, h = zone
    if hint and words[0] in ("media", "light", "switch", "fan", "cover", "climate", "lock",
                             "vacuum"):
        dtype = "media_player" if words[:2] == ["media", "player"] else words[0]
        name = words[2:] if dtype == "media_player" else words[1:]
        allowed = _TYPE_KINDS[dtype]
        named = _by_words(name)
        if named in allowed:
            return named
        if dtype == "light":
            return "fixture" if y < 0.15 else "lamp"
        return "plug" if dtype == "switch" else allowed[-1] if dtype == "media_player" \
            else allowed[0]
    named = _by_words(words)
    if named is not None:
        return named
    if any(w_.startswith("light") for w_ in words) or "bulb" in words:
        return "fixture" if y < 0.15 else "lamp"
    if y < 0.1:
        return "fixture"
    if h > 1.8 * w:
        return "lamp"
    if y > 0.7:
        return "vacuum"
    return "tv" if w > 1.5 * h else "box"


# -- drawing helpers (all in float RGB 0..1, pixel coordinates) ----------------------------

def _tint(rng: np.random.Generator, lo: float = 0.25, hi: float = 0.9) -> Image:
    return rng.uniform(lo, hi, 3).astype(np.float32)


def _texture_patch(rng: np.random.Generator, tex: Image, h: int, w: int,
                   contrast: float) -> Image:
    """A (h, w) grey patch of a texture, mean ~1, its contrast scaled."""
    th, tw = tex.shape
    scale = float(rng.uniform(0.6, 1.6))
    ch, cw = min(th, max(4, round(h / scale))), min(tw, max(4, round(w / scale)))
    y0, x0 = int(rng.integers(0, th - ch + 1)), int(rng.integers(0, tw - cw + 1))
    patch = cv2.resize(tex[y0:y0 + ch, x0:x0 + cw], (max(1, w), max(1, h)),
                       interpolation=cv2.INTER_LINEAR)
    return (1.0 + (patch - 1.0) * contrast).astype(np.float32)


def _paste(img: Image, patch: Image, x0: int, y0: int,
           alpha: npt.NDArray[np.float32] | None = None) -> None:
    """Paste `patch` (h, w, 3) at (x0, y0), clipped to the image, optionally with alpha."""
    ih, iw = img.shape[:2]
    h, w = patch.shape[:2]
    ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(iw, x0 + w), min(ih, y0 + h)
    if ax1 <= ax0 or ay1 <= ay0:
        return
    sub = patch[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0]
    if alpha is None:
        img[ay0:ay1, ax0:ax1] = sub
    else:
        a = alpha[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
        img[ay0:ay1, ax0:ax1] = img[ay0:ay1, ax0:ax1] * (1 - a) + sub * a


def _box(img: Image, x0: float, y0: float, x1: float, y1: float,  # noqa: PLR0917
         colour: Image,
         shade: float = 0.0) -> None:
    """A filled box with a vertical shading gradient (top lit)."""
    ih, iw = img.shape[:2]
    a, b = max(0, round(y0)), min(ih, round(y1))
    c, d = max(0, round(x0)), min(iw, round(x1))
    if b <= a or d <= c:
        return
    ramp = np.linspace(1.0, 1.0 - shade, b - a, dtype=np.float32)[:, None, None]
    img[a:b, c:d] = colour[None, None, :] * ramp


def _poly(img: Image, points: list[tuple[float, float]], colour: Image) -> None:
    pts = np.round(np.array(points) * 4).astype(np.int32)  # 2 bits of subpixel precision
    cv2.fillPoly(img, [pts], colour.tolist(), lineType=cv2.LINE_AA, shift=2)


def _poly_mask(mask: npt.NDArray[np.float32], points: list[tuple[float, float]]) -> None:
    pts = np.round(np.array(points) * 4).astype(np.int32)
    cv2.fillPoly(mask, [pts], 1.0, lineType=cv2.LINE_AA, shift=2)


def _ellipse(img: Image, cx: float, cy: float, rx: float, ry: float,  # noqa: PLR0917
             colour: Image,
             thickness: int = -1) -> None:
    cv2.ellipse(img, (round(cx * 4), round(cy * 4)), (max(1, round(rx * 4)),
                max(1, round(ry * 4))), 0, 0, 360, colour.tolist(), thickness,
                cv2.LINE_AA, 2)


def _line(img: Image, p: tuple[float, float], q: tuple[float, float], colour: Image,
          width: float) -> None:
    cv2.line(img, (round(p[0] * 4), round(p[1] * 4)), (round(q[0] * 4), round(q[1] * 4)),
             colour.tolist(), max(1, round(width)), cv2.LINE_AA, 2)


def _photo_patch(rng: np.random.Generator, photos: tuple[Image, ...], h: int, w: int) -> Image:
    photo = photos[int(rng.integers(len(photos)))]
    ph, pw = photo.shape[:2]
    frac = float(rng.uniform(0.5, 1.0))
    ch = max(2, min(ph, round(ph * frac)))
    cw = max(2, min(pw, round(ch * w / max(h, 1))))
    y0, x0 = int(rng.integers(0, ph - ch + 1)), int(rng.integers(0, max(1, pw - cw + 1)))
    crop = photo[y0:y0 + ch, x0:x0 + cw]
    return np.asarray(cv2.resize(crop, (max(1, w), max(1, h)), interpolation=cv2.INTER_AREA),
                      np.float32)


# -- the room --------------------------------------------------------------------------------

@dataclass
class _Canvas:
    albedo: Image  # what surfaces reflect
    emit: Image  # light sources and screens: not dimmed by the room's light
    lights: list[tuple[float, float, float, Image]]  # x, y, radius, colour of lit lamps
    horizon: int
    person: npt.NDArray[np.float32]  # (H, W) where a person (and their arm) was drawn, 0..1


def _overlaps(box: tuple[float, float, float, float],
              zones: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in zones)


def _room(rng: np.random.Generator, src: _Sources, ih: int, iw: int,
          zone_px: list[tuple[float, float, float, float]]) -> _Canvas:
    img = np.empty((ih, iw, 3), np.float32)
    horizon = round(ih * float(rng.uniform(0.55, 0.72)))
    wall_tex = src.textures[int(rng.integers(len(src.textures)))]
    floor_tex = src.textures[int(rng.integers(len(src.textures)))]
    wall = _texture_patch(rng, wall_tex, horizon, iw, float(rng.uniform(0.05, 0.35)))
    img[:horizon] = wall[:, :, None] * _tint(rng, 0.45, 0.95)
    # Floor: a texture warped into perspective (far edge narrower) below the horizon.
    fh = ih - horizon
    flat = _texture_patch(rng, floor_tex, 2 * fh, 2 * iw, float(rng.uniform(0.2, 0.7)))
    inset = float(rng.uniform(0.15, 0.35)) * iw
    src_q = np.array([[0, 0], [2 * iw, 0], [2 * iw, 2 * fh], [0, 2 * fh]], np.float32)
    dst_q = np.array([[-inset, 0], [iw + inset, 0], [iw + 3 * inset, fh], [-3 * inset, fh]],
                     np.float32)
    warp = cv2.getPerspectiveTransform(src_q, dst_q)
    floor = cv2.warpPerspective(flat, warp, (iw, fh), borderMode=cv2.BORDER_REFLECT)
    depth = np.linspace(0.8, 1.05, fh, dtype=np.float32)[:, None, None]
    img[horizon:] = floor[:, :, None] * _tint(rng, 0.25, 0.8) * depth
    # skirting board
    _box(img, 0, horizon - max(2, ih // 80), iw, horizon + 1, _tint(rng, 0.6, 0.95))
    if rng.random() < 0.5:  # a side wall: the room's corner, in shade, its floor edge slanted
        d = float(rng.uniform(0.05, 0.15)) * iw
        quad = [(0.0, 0.0), (d, 0.0), (d, horizon), (0.0, horizon + d * 0.8)]
        if rng.random() < 0.5:
            quad = [(iw - x, y) for x, y in quad]
        side = _texture_patch(rng, wall_tex, ih, iw, 0.2)[:, :, None] * _tint(rng, 0.3, 0.7)
        mask = np.zeros((ih, iw), np.float32)
        _poly_mask(mask, quad)
        img[:] = img * (1 - mask[:, :, None]) + side * mask[:, :, None]
    if rng.random() < 0.7:  # the ceiling's edge, with a cornice line
        top = round(ih * float(rng.uniform(0.03, 0.1)))
        _box(img, 0, 0, iw, top, _tint(rng, 0.75, 0.98), -0.15)
        _box(img, 0, top, iw, top + max(1, ih // 120), _tint(rng, 0.5, 0.8))
    canvas = _Canvas(img, np.zeros_like(img), [], horizon, np.zeros((ih, iw), np.float32))
    _furniture(rng, src, canvas, zone_px)
    return canvas


# What stands on a table, counter or cabinet when its zone ends above the floor.
_ON_SURFACE = frozenset({"coffee", "kettle", "router", "tv", "speaker", "box", "lamp"})


def _supports(rng: np.random.Generator, src: _Sources, canvas: _Canvas,
              devices: list[tuple[str, tuple[float, float, float, float]]]) -> None:
    """A counter, desk or cabinet under each device that would otherwise float on the wall."""
    img, horizon = canvas.albedo, canvas.horizon
    ih = img.shape[0]
    colour = _tint(rng, 0.2, 0.85)
    tex = src.textures[int(rng.integers(len(src.textures)))]
    for kind, (x0, y0, x1, y1) in devices:
        if kind not in _ON_SURFACE or y1 > horizon + 0.04 * ih:
            continue  # on the floor already (a floor lamp, a tv on a low stand)
        if kind == "lamp" and y1 - y0 > 0.4 * ih:
            continue  # a floor lamp seen high: leave it
        w = x1 - x0
        grow = w * float(rng.uniform(0.3, 1.2))
        sx0, sx1 = x0 - grow, x1 + grow
        floor_y = max(horizon + 0.04 * ih, y1 + 0.12 * ih)
        front = _texture_patch(rng, tex, max(2, round(floor_y - y1)), max(2, round(sx1 - sx0)),
                               0.25)[:, :, None] * colour
        _paste(img, front, round(sx0), round(y1))
        slab = max(2.0, 0.025 * ih)
        _poly(img, [(sx0 + 3, y1 - slab), (sx1 - 3, y1 - slab), (sx1, y1 + 1), (sx0, y1 + 1)],
              np.clip(colour * 1.3, 0, 1))
        if rng.random() < 0.6:  # cabinet doors
            mid = (sx0 + sx1) / 2
            for dx in (sx0 + 3, mid + 2):
                _box(img, dx, y1 + 0.15 * (floor_y - y1), dx + (sx1 - sx0) / 2 - 5,
                     floor_y - 2, colour * 0.85, 0.1)


def _furniture(rng: np.random.Generator, src: _Sources, canvas: _Canvas,
               zone_px: list[tuple[float, float, float, float]]) -> None:
    """Things that belong to no zone: placed where they cover no device, a few tries each."""
    img, horizon = canvas.albedo, canvas.horizon
    ih, iw = img.shape[:2]
    items = ["sofa", "table", "shelf", "rug", "picture", "picture", "window", "door"]
    for item in rng.permutation(items)[: int(rng.integers(2, 6))]:
        for _ in range(6):
            if item == "sofa":
                w, h = rng.uniform(0.3, 0.5) * iw, rng.uniform(0.18, 0.28) * ih
                y1 = horizon + rng.uniform(0.05, 0.25) * ih
            elif item == "table":
                w, h = rng.uniform(0.15, 0.3) * iw, rng.uniform(0.1, 0.18) * ih
                y1 = horizon + rng.uniform(0.1, 0.3) * ih
            elif item == "shelf":
                w, h = rng.uniform(0.12, 0.22) * iw, rng.uniform(0.35, 0.55) * ih
                y1 = horizon + rng.uniform(0.0, 0.05) * ih
            elif item == "rug":
                w, h = rng.uniform(0.3, 0.6) * iw, rng.uniform(0.08, 0.15) * ih
                y1 = horizon + rng.uniform(0.15, 0.3) * ih
            elif item == "door":
                w, h = rng.uniform(0.12, 0.18) * iw, horizon * rng.uniform(0.75, 0.9)
                y1 = horizon
            else:  # picture, window: on the wall
                w, h = rng.uniform(0.1, 0.25) * iw, rng.uniform(0.1, 0.25) * ih
                y1 = rng.uniform(0.25, 0.5) * ih + h
            x0 = float(rng.uniform(-0.05 * iw, iw - 0.9 * w))
            y0 = y1 - h
            if not _overlaps((x0, y0, x0 + w, y1), zone_px):
                break
        else:
            continue  # no free place for it
        _draw_furniture(rng, src, canvas, str(item), (x0, y0, x0 + w, y1))


def _draw_furniture(rng: np.random.Generator, src: _Sources, canvas: _Canvas, item: str,
                    rect: tuple[float, float, float, float]) -> None:
    img = canvas.albedo
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    colour = _tint(rng, 0.15, 0.8)
    if item == "sofa":
        fabric = _texture_patch(rng, src.textures[int(rng.integers(len(src.textures)))],
                                round(h), round(w), 0.15)[:, :, None] * colour
        _paste(img, fabric, round(x0), round(y0))
        _box(img, x0, y0 + 0.45 * h, x0 + w, y0 + 0.6 * h, colour * 1.15, 0.2)
        _box(img, x0 - 0.05 * w, y0 + 0.2 * h, x0 + 0.08 * w, y1, colour * 0.8, 0.3)
        _box(img, x0 + 0.92 * w, y0 + 0.2 * h, x0 + 1.05 * w, y1, colour * 0.8, 0.3)
    elif item == "table":
        _box(img, x0, y0, x0 + w, y0 + 0.15 * h, colour, 0.2)
        for lx in (x0 + 0.05 * w, x0 + 0.9 * w):
            _box(img, lx, y0 + 0.15 * h, lx + 0.05 * w, y1, colour * 0.7)
    elif item == "shelf":
        _box(img, x0, y0, x0 + w, y1, colour * 0.7)
        rows = int(rng.integers(3, 6))
        for r in range(rows):
            top = y0 + (r + 0.1) * h / rows
            bx = x0 + 0.05 * w
            while bx < x0 + 0.92 * w:
                bw = float(rng.uniform(0.03, 0.08)) * w
                bh = float(rng.uniform(0.55, 0.85)) * h / rows
                _box(img, bx, top + (0.85 * h / rows - bh), min(bx + bw, x0 + 0.95 * w),
                     top + 0.85 * h / rows, _tint(rng, 0.1, 0.9), 0.1)
                bx += bw + 1
    elif item == "rug":
        rug = _tint(rng, 0.2, 0.8)
        _ellipse(img, x0 + w / 2, y0 + h / 2, w / 2, h / 2, rug)
        _ellipse(img, x0 + w / 2, y0 + h / 2, w / 2.6, h / 2.6, rug * 0.75, 2)
    elif item == "door":
        _box(img, x0, y0, x0 + w, y1, colour * 1.1, 0.15)
        _ellipse(img, x0 + 0.85 * w, y0 + 0.55 * h, 2, 2, colour * 0.4)
    else:
        frame_c = _tint(rng, 0.05, 0.9)
        _box(img, x0 - 3, y0 - 3, x0 + w + 3, y1 + 3, frame_c)
        pw, ph = max(2, round(w)), max(2, round(h))
        patch = _photo_patch(rng, src.photos, ph, pw)
        if item == "window":  # daylight behind glass, crossed by the frame's bars
            patch = np.clip(patch * 0.6 + 0.45, 0, 1)
            _paste(canvas.emit, patch * float(rng.uniform(0.0, 0.5)), round(x0), round(y0))
        _paste(img, patch, round(x0), round(y0))
        if item == "window":
            _box(img, x0 + w / 2 - 1, y0, x0 + w / 2 + 1, y1, frame_c)
            _box(img, x0, y0 + h / 2 - 1, x0 + w, y0 + h / 2 + 1, frame_c)


# -- devices ---------------------------------------------------------------------------------

def _device(rng: np.random.Generator, src: _Sources, canvas: _Canvas, kind: str, *,
            box: tuple[float, float, float, float], on: bool) -> None:
    """Draw one device of `kind` inside its pixel box, on or off."""
    body = _tint(rng, 0.05, 0.85)
    if kind in ("lamp", "fixture", "tv", "speaker"):
        _lit_device(rng, src, canvas, kind, box=box, body=body, on=on)
    elif kind in ("blinds", "fan", "vacuum"):
        _moving_device(rng, src, canvas, kind, box=box, body=body, on=on)
    else:
        _small_device(canvas, kind, box, body, on)


def _lit_device(rng: np.random.Generator, src: _Sources, canvas: _Canvas, kind: str, *,
                box: tuple[float, float, float, float], body: Image, on: bool) -> None:
    img, emit = canvas.albedo, canvas.emit
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    warm = np.array([1.0, float(rng.uniform(0.8, 0.95)), float(rng.uniform(0.5, 0.8))],
                    np.float32)
    if kind == "lamp":
        shade_h = h * float(rng.uniform(0.25, 0.38))
        top_w, bot_w = w * float(rng.uniform(0.4, 0.7)), w * float(rng.uniform(0.8, 1.0))
        _box(img, cx - w * 0.3, y1 - h * 0.06, cx + w * 0.3, y1, body * 0.6)  # base
        _line(img, (cx, y1 - h * 0.05), (cx, y0 + shade_h), body * 0.5, max(2, w * 0.08))
        shade = [(cx - top_w / 2, y0), (cx + top_w / 2, y0), (cx + bot_w / 2, y0 + shade_h),
                 (cx - bot_w / 2, y0 + shade_h)]
        shade_c = _tint(rng, 0.55, 0.95)
        _poly(img, shade, shade_c)
        if on:
            _poly(emit, shade, warm * 0.9)
            canvas.lights.append((cx, y0 + shade_h * 0.7, max(w, h) * 0.9, warm))
    elif kind == "fixture":
        fw = w * float(rng.uniform(0.45, 0.8))
        fy = y0 + h * float(rng.uniform(0.3, 0.55))
        _line(img, (cx, y0), (cx, fy), body * 0.4, 2)
        _ellipse(img, cx, fy + h * 0.2, fw / 2, h * 0.25, _tint(rng, 0.6, 0.95))
        if on:
            _ellipse(emit, cx, fy + h * 0.2, fw / 2, h * 0.25, warm)
            canvas.lights.append((cx, fy + h * 0.3, max(w, 2 * h) * 1.2, warm))
    elif kind == "tv":
        _box(img, x0, y0, x1, y1 - h * 0.1, np.full(3, 0.04, np.float32))
        sx0, sy0, sx1, sy1 = x0 + w * 0.04, y0 + h * 0.05, x1 - w * 0.04, y1 - h * 0.15
        _box(img, cx - w * 0.15, y1 - h * 0.1, cx + w * 0.15, y1, body * 0.4)  # stand
        sw, sh = max(2, round(sx1 - sx0)), max(2, round(sy1 - sy0))
        if on:
            screen = _photo_patch(rng, src.photos, sh, sw) * float(rng.uniform(0.75, 1.0))
            _paste(emit, screen, round(sx0), round(sy0))
            _box(img, sx0, sy0, sx0 + sw, sy0 + sh, np.zeros(3, np.float32))
        else:  # glossy black: a faint diagonal reflection
            glare = np.linspace(0.02, 0.16, sw, dtype=np.float32)[None, :, None]
            _paste(img, np.broadcast_to(glare, (sh, sw, 3)).copy(), round(sx0), round(sy0))
    elif kind == "speaker":
        _box(img, x0, y0, x1, y1, body * 0.5, 0.3)
        r = min(w, h) * 0.3
        _ellipse(img, cx, y0 + h * 0.65, r, r, np.full(3, 0.05, np.float32))
        _ellipse(img, cx, y0 + h * 0.25, r * 0.45, r * 0.45, np.full(3, 0.08, np.float32))
        if on:
            _ellipse(emit, cx, y0 + h * 0.08, 1.5, 1.5, np.array([0.2, 0.9, 1.0], np.float32))


def _moving_device(rng: np.random.Generator, src: _Sources, canvas: _Canvas, kind: str, *,
                   box: tuple[float, float, float, float], body: Image, on: bool) -> None:
    img, emit = canvas.albedo, canvas.emit
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    if kind == "blinds":
        outside = _photo_patch(rng, src.photos, max(2, round(h)), max(2, round(w)))
        outside = np.clip(outside * 0.6 + 0.4, 0, 1)
        _paste(img, outside, round(x0), round(y0))
        _paste(emit, outside * 0.35, round(x0), round(y0))
        slat = _tint(rng, 0.6, 0.95)
        n = max(4, round(h / 6))
        lowered = 0.15 if on else 1.0  # on = open (raised), off = lowered and closed
        for i in range(n):
            sy = y0 + i * h / n
            if sy > y0 + h * lowered:
                break
            gap = 0.35 if on else 0.9
            _box(img, x0, sy, x1, sy + h / n * gap, slat, 0.3)
            _box(emit, x0, sy, x1, sy + h / n * gap, np.zeros(3, np.float32))
        _box(img, x0 - 2, y0 - 3, x1 + 2, y0 + 1, slat * 0.8)
    elif kind == "fan":
        hub_y = y0 + h * 0.45
        _line(img, (cx, y0), (cx, hub_y), body * 0.4, 2)
        blade = _tint(rng, 0.3, 0.9)
        if on:  # spinning: a translucent disc
            _ellipse(img, cx, hub_y + 1, w * 0.48, h * 0.3, img[min(int(hub_y), img.shape[0] - 1),
                     min(max(int(cx), 0), img.shape[1] - 1)] * 0.6 + blade * 0.4)
        else:
            for sign in (-1, 1):
                _poly(img, [(cx, hub_y - 1), (cx + sign * w * 0.48, hub_y - h * 0.1),
                            (cx + sign * w * 0.48, hub_y + h * 0.15), (cx, hub_y + 2)], blade)
        _ellipse(img, cx, hub_y, max(2, w * 0.06), max(2, h * 0.18), body * 0.5)
    elif kind == "vacuum":
        _ellipse(img, cx, y0 + h * 0.6, w * 0.48, h * 0.38, body * 0.35)
        _ellipse(img, cx, y0 + h * 0.5, w * 0.45, h * 0.3, body * 0.6)
        _ellipse(img, cx, y0 + h * 0.42, w * 0.12, h * 0.1, body * 0.3)
        if on:
            _ellipse(emit, cx + w * 0.2, y0 + h * 0.45, 1.5, 1.5,
                     np.array([0.2, 1.0, 0.3], np.float32))


def _small_device(canvas: _Canvas, kind: str, box: tuple[float, float, float, float],
                  body: Image, on: bool) -> None:
    img, emit = canvas.albedo, canvas.emit
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    led = np.array([0.2, 1.0, 0.3], np.float32)
    if kind == "thermostat":
        r = min(w, h) * 0.45
        _ellipse(img, cx, (y0 + y1) / 2, r, r, np.full(3, 0.85, np.float32))
        colour = np.array([1.0, 0.55, 0.1], np.float32) if on else np.full(3, 0.15, np.float32)
        _ellipse(emit if on else img, cx, (y0 + y1) / 2, r * 0.6, r * 0.6, colour)
    elif kind == "router":
        _box(img, x0, y0 + h * 0.55, x1, y1, body * 0.4, 0.3)
        for ax in (x0 + w * 0.15, x1 - w * 0.15):
            _line(img, (ax, y0 + h * 0.55), (ax, y0), body * 0.3, 2)
        if on:
            for i in range(4):
                _ellipse(emit, x0 + w * (0.25 + 0.15 * i), y0 + h * 0.75, 1, 1, led)
    elif kind == "plug":
        _box(img, x0, y0, x1, y1, np.full(3, 0.9, np.float32), 0.15)
        for sx in (cx - w * 0.15, cx + w * 0.15):
            _ellipse(img, sx, (y0 + y1) / 2, 1, 1.5, np.full(3, 0.2, np.float32))
        if on:
            _ellipse(emit, cx, y0 + h * 0.2, 1.5, 1.5, np.array([0.3, 0.6, 1.0], np.float32))
    elif kind == "coffee":
        _box(img, x0, y0, x1, y1, body * 0.5, 0.3)
        _box(img, x0 + w * 0.2, y0 + h * 0.45, x1 - w * 0.2, y1 - h * 0.1,
             np.full(3, 0.05, np.float32))
        _box(img, cx - w * 0.12, y1 - h * 0.3, cx + w * 0.12, y1 - h * 0.1,
             np.full(3, 0.9, np.float32))  # a cup
        if on:
            _ellipse(emit, x0 + w * 0.8, y0 + h * 0.15, 1.5, 1.5,
                     np.array([1.0, 0.2, 0.1], np.float32))
    elif kind == "kettle":
        _ellipse(img, cx, y0 + h * 0.6, w * 0.38, h * 0.38, body * 0.8)
        _ellipse(img, cx + w * 0.38, y0 + h * 0.55, w * 0.1, h * 0.25, body * 0.6, 2)
        _box(img, cx - w * 0.42, y1 - h * 0.08, cx + w * 0.42, y1, body * 0.3)
        if on:
            _ellipse(emit, cx, y1 - h * 0.04, w * 0.3, 1.2, np.array([0.2, 0.5, 1.0], np.float32))
    elif kind == "lock":
        _box(img, x0 + w * 0.3, y0, x1 - w * 0.3, y1, np.full(3, 0.75, np.float32), 0.3)
        _line(img, (cx, (y0 + y1) / 2), (cx + w * 0.35, (y0 + y1) / 2),
              np.full(3, 0.6, np.float32), 2)
        if on:
            _ellipse(emit, cx, y0 + h * 0.15, 1.2, 1.2, np.array([1.0, 0.2, 0.1], np.float32))
    else:
        _box(img, x0, y0, x1, y1, body, 0.3)
        if on:
            _ellipse(emit, cx, y0 + h * 0.2, 1.5, 1.5, led)


# -- people ----------------------------------------------------------------------------------

def _person(rng: np.random.Generator, src: _Sources, canvas: _Canvas, *, cx: float,
            feet: float, point_at: tuple[float, float] | None) -> None:
    """Paste a real person, feet at (cx, feet), height by depth; maybe a pointing arm."""
    img = canvas.albedo
    ih, iw = img.shape[:2]
    cut = src.people[int(rng.integers(len(src.people)))]
    # nearer (lower feet) = taller: from ~0.45 H at the wall line to ~0.85 H at the bottom
    depth = (feet - canvas.horizon) / max(1.0, ih - canvas.horizon)
    height = ih * (0.45 + 0.4 * float(np.clip(depth, 0.0, 1.0))) * float(rng.uniform(0.9, 1.08))
    ch, cw = cut.rgba.shape[:2]
    pw = max(2, round(cw * height / ch))
    ph = max(2, round(height))
    rgba = cv2.resize(cut.rgba, (pw, ph), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:  # the video's walkers face either way: so may ours
        rgba = rgba[:, ::-1]
    # Everyone in the video dresses dark: a random colour gain varies the clothes.
    gain = rng.uniform(0.75, 1.35, 3).astype(np.float32)
    rgb = np.clip(rgba[:, :, :3].astype(np.float32) * (gain / 255.0), 0, 1)
    alpha = rgba[:, :, 3].astype(np.float32) / 255.0
    top, left = round(feet - ph), round(cx - pw / 2)
    # a soft contact shadow on the floor
    floor = img[min(ih - 1, max(0, round(feet) - 1)), min(iw - 1, max(0, round(cx)))]
    _ellipse(img, cx, feet - 1, pw * 0.45, max(2, ph * 0.03), floor * 0.55)
    _paste(img, rgb, left, top, alpha)
    mask = canvas.person[:, :, None].repeat(3, axis=2)
    _paste(mask, np.ones_like(rgb), left, top, alpha)
    canvas.person[:] = mask[:, :, 0]
    if point_at is None:
        return
    torso = rgb[round(ph * 0.25):round(ph * 0.45)][alpha[round(ph * 0.25):round(ph * 0.45)] > 0.5]
    sleeve = (np.median(torso, axis=0) if len(torso) else _tint(rng, 0.1, 0.5)).astype(np.float32)
    side = 1.0 if point_at[0] >= cx else -1.0
    sx, sy = cx + side * pw * 0.22, top + ph * 0.2
    tx, ty = point_at
    dist = float(np.hypot(tx - sx, ty - sy))
    if dist < 1e-3:
        return
    reach = min(ph * float(rng.uniform(0.33, 0.42)), 0.85 * dist)
    ex, ey = sx + (tx - sx) * reach / dist, sy + (ty - sy) * reach / dist
    thick = max(2.0, ph * 0.055)
    _line(img, (sx, sy), (ex, ey), sleeve, thick)
    cv2.line(canvas.person, (round(sx), round(sy)), (round(ex), round(ey)), 1.0,
             max(1, round(thick)))
    skin = np.array([rng.uniform(0.45, 0.95), rng.uniform(0.3, 0.75), rng.uniform(0.2, 0.6)],
                    np.float32)
    hx, hy = ex + (tx - sx) * thick * 0.6 / dist, ey + (ty - sy) * thick * 0.6 / dist
    _ellipse(img, hx, hy, thick * 0.6, thick * 0.6, skin)


def _place_person(rng: np.random.Generator, src: _Sources, canvas: _Canvas,
                  zone_px: tuple[float, float, float, float], pose: Pose) -> None:
    ih, iw = canvas.albedo.shape[:2]
    x0, y0, x1, y1 = zone_px
    zcx, zcy = (x0 + x1) / 2, (y0 + y1) / 2
    floor_lo = canvas.horizon + 0.08 * ih
    feet = float(np.clip(max(y1 + rng.uniform(0, 0.06) * ih, rng.uniform(floor_lo, 0.97 * ih)),
                         floor_lo, ih - 2))
    depth = (feet - canvas.horizon) / max(1.0, ih - canvas.horizon)
    width = ih * (0.45 + 0.4 * depth) * 0.35  # a person's width in pixels, about
    ceiling = y1 < canvas.horizon * 0.45  # a ceiling device: stand under it, or beside
    if pose == "stand":
        if ceiling:
            cx = float(rng.uniform(x0, x1))
        else:  # touching distance: the body's edge at or just over the zone's edge
            side = rng.random() < 0.5
            if x0 - width * 0.3 < 0:
                side = False
            elif x1 + width * 0.3 > iw:
                side = True
            off = width * float(rng.uniform(0.15, 0.4))
            cx = x0 - off if side else x1 + off
        _person(rng, src, canvas, cx=cx, feet=feet, point_at=None)
        return
    gap = width * float(rng.uniform(0.3, 1.5))
    left_ok, right_ok = x0 - gap > width * 0.3, x1 + gap < iw - width * 0.3
    side = bool(rng.random() < 0.5) if left_ok == right_ok else left_ok
    if ceiling:
        gap += width
    cx = x0 - gap if side else x1 + gap
    cx = float(np.clip(cx, width * 0.2, iw - width * 0.2))
    _person(rng, src, canvas, cx=cx, feet=feet, point_at=(zcx, zcy))


# -- light and camera ------------------------------------------------------------------------

def _expose(rng: np.random.Generator, canvas: _Canvas) -> Image:
    """Room light (ambient level, window-side gradient, colour cast, lit lamps) + emitters.

    The light map is smooth, so it is computed at a quarter of the size and scaled up."""
    ih, iw = canvas.albedo.shape[:2]
    sh, sw = max(2, ih // 4), max(2, iw // 4)
    level = float(np.exp(rng.uniform(np.log(0.12), np.log(1.25))))
    grad = np.linspace(1.0 - rng.uniform(0, 0.45), 1.0, sw, dtype=np.float32)
    if rng.random() < 0.5:
        grad = grad[::-1]
    cast = np.array([1.0, rng.uniform(0.9, 1.05), rng.uniform(0.75, 1.1)], np.float32)
    light = np.broadcast_to((level * grad)[None, :, None] * cast, (sh, sw, 3)).copy()
    if canvas.lights:
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * np.float32(ih / sh)
        for lx, ly, radius, colour in canvas.lights:
            r2 = ((xx - lx) ** 2 + (yy - ly) ** 2) / (2 * (radius * 1.6) ** 2)
            light += np.exp(-r2)[:, :, None] * colour * 0.9
    full = cv2.resize(light, (iw, ih), interpolation=cv2.INTER_LINEAR)
    out: Image = canvas.albedo * full + canvas.emit
    if canvas.lights:  # bloom: bright emitters spill light around them
        small = cv2.resize(canvas.emit, (sw, sh), interpolation=cv2.INTER_AREA)
        glow = cv2.GaussianBlur(small, (0, 0), sigmaX=max(1.0, sw / 40))
        out += cv2.resize(glow, (iw, ih), interpolation=cv2.INTER_LINEAR) * 1.2
    return out


def _camera(rng: np.random.Generator, img: Image, level_noise: float) -> npt.NDArray[np.uint8]:
    """Camera angle (a small perspective warp), blur, sensor noise, gamma, JPEG."""
    ih, iw = img.shape[:2]
    jitter = 0.025 * np.array([iw, ih], np.float32)
    corners = np.array([[0, 0], [iw, 0], [iw, ih], [0, ih]], np.float32)
    moved = (corners + rng.uniform(-1, 1, (4, 2)).astype(np.float32) * jitter).astype(np.float32)
    warp = cv2.getPerspectiveTransform(corners, moved)
    img = np.asarray(cv2.warpPerspective(img, warp, (iw, ih), flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REFLECT), np.float32)
    if rng.random() < 0.7:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), sigmaX=float(rng.uniform(0.3, 1.3))),
                         np.float32)
    elif rng.random() < 0.5:  # motion blur, a short horizontal smear
        k = int(rng.integers(3, 7))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2] = 1.0 / k
        img = np.asarray(cv2.filter2D(img, -1, kernel), np.float32)
    sigma = float(rng.uniform(0.005, 0.02)) + level_noise
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
    linear = np.clip(img * 255.0, 0, 255).astype(np.uint8)
    gamma = float(rng.uniform(0.85, 1.15))
    lut = (255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
    out = np.asarray(cv2.LUT(linear, lut), np.uint8)
    quality = int(rng.integers(35, 95))
    ok, buf = cv2.imencode(".jpg", out[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    decoded = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), np.uint8)
    return np.ascontiguousarray(decoded[:, :, ::-1])


# -- the interface ---------------------------------------------------------------------------

def render_real_scene(rng: np.random.Generator, zones: Mapping[str, Box], target: str | None,
                      pose: Pose, *, split: Split, size: tuple[int, int] = (240, 320),
                      kinds: Mapping[str, str] | None = None,
                      states: Mapping[str, bool] | None = None) -> npt.NDArray[np.uint8]:
    """An (H, W, 3) RGB uint8 frame of a room with `zones`' devices and maybe a person.

    `pose`: "point" (a person beside `target`'s zone points at it), "stand" (a person at
    touching distance of it, no pointing), "none" (no target; nobody or someone anywhere).
    `kinds`: device id -> words saying what it is (e.g. its type and name), else the id's
    words and the zone's shape decide; `states`: device id -> on, else drawn at random.
    """
    return render_real_scene_labelled(rng, zones, target, pose, split=split, size=size,
                                      kinds=kinds, states=states)[0]


def render_real_scene_labelled(
        rng: np.random.Generator, zones: Mapping[str, Box], target: str | None, pose: Pose, *,
        split: Split, size: tuple[int, int] = (240, 320), kinds: Mapping[str, str] | None = None,
        states: Mapping[str, bool] | None = None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]:
    """`render_real_scene`'s frame and where the person was drawn ((H, W) 0..1, before the
    camera's small warp): same rng state, same frame."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    if pose not in ("point", "stand", "none"):
        raise ValueError(f"pose must be 'point', 'stand' or 'none', not {pose!r}")
    if pose != "none" and (target is None or target not in zones):
        raise ValueError(f"pose {pose!r} needs a target among the zones, got {target!r}")
    ih, iw = size
    if not (32 <= ih <= 2048 and 32 <= iw <= 2048):
        raise ValueError(f"size {size} out of range (32..2048 pixels a side)")
    src = sources(split)
    # The room's look comes from a layout seed: even for train, odd for held-out.
    layout_seed = int(rng.integers(0, 2**31)) * 2 + (split == "heldout")
    layout = np.random.default_rng(layout_seed)
    zone_px = {d: (x * iw, y * ih, (x + w) * iw, (y + h) * ih) for d, (x, y, w, h) in zones.items()}
    canvas = _room(layout, src, ih, iw, list(zone_px.values()))
    kind_of = {d: device_kind(d, zones[d], (kinds or {}).get(d)) for d in zones}
    _supports(layout, src, canvas, [(kind_of[d], zone_px[d]) for d in sorted(zones)])
    for dev_id in sorted(zones):
        kind = kind_of[dev_id]
        on = states[dev_id] if states is not None and dev_id in states else bool(
            rng.random() < 0.5)
        j = rng.uniform(-0.01, 0.01, 4) * np.array([iw, ih, iw, ih])
        x0, y0, x1, y1 = (a + b for a, b in zip(zone_px[dev_id], j, strict=True))
        _device(layout, src, canvas, kind, box=(x0, y0, max(x1, x0 + 3), max(y1, y0 + 3)), on=on)
    if pose == "point" and target is not None and rng.random() < BYSTANDER:
        # someone else in the room, away from the target, arms down: drawn first (behind)
        x0, _, x1, _ = zone_px[target]
        away = [c for c in (0.1 * iw, 0.5 * iw, 0.9 * iw) if abs(c - (x0 + x1) / 2) > 0.3 * iw]
        cx = away[int(rng.integers(len(away)))] + float(rng.uniform(-0.08, 0.08)) * iw
        feet = float(rng.uniform(canvas.horizon + 0.08 * ih, canvas.horizon + 0.2 * ih))
        _person(rng, src, canvas, cx=cx, feet=feet, point_at=None)
    if pose != "none" and target is not None:
        _place_person(rng, src, canvas, zone_px[target], pose)
    elif rng.random() < 0.5:
        feet = float(rng.uniform(canvas.horizon + 0.08 * ih, ih - 2))
        _person(rng, src, canvas, cx=float(rng.uniform(0.05, 0.95)) * iw, feet=feet,
                point_at=None)
    img = _expose(rng, canvas)
    dark = float(np.clip(0.35 - img.mean(), 0.0, 0.35))
    return _camera(rng, img, dark * 0.08), canvas.person


# -- a contact sheet, to look at -------------------------------------------------------------

def contact_sheet(config_path: Path, *, split: Split, seed: int = 0, per_camera: int = 3
                  ) -> npt.NDArray[np.uint8]:
    """One row per camera of a home: `per_camera` scenes each (point, stand, none in turn),
    zones outlined (the target's in yellow), as one BGR image."""
    from assistant.config import load_config

    config = load_config(config_path)
    kinds = {d: f"{dev.type} {dev.name}" for d, dev in config.devices.items()}
    rng = np.random.default_rng(seed)
    poses: tuple[Pose, ...] = ("point", "stand", "none")
    rows = []
    for camera in sorted(config.cameras):
        zones = {d: (z[0], z[1], z[2], z[3]) for d, z in config.cameras[camera].zones.items()}
        tiles = []
        for i in range(per_camera):
            pose = poses[i % 3] if zones else "none"
            target = sorted(zones)[int(rng.integers(len(zones)))] if pose != "none" else None
            frame = np.ascontiguousarray(render_real_scene(
                rng, zones, target, pose, split=split, kinds=kinds)[:, :, ::-1])
            ih, iw = frame.shape[:2]
            for dev, (x, y, w, h) in zones.items():
                colour = (0, 255, 255) if dev == target else (160, 160, 160)
                cv2.rectangle(frame, (round(x * iw), round(y * ih)),
                              (round((x + w) * iw) - 1, round((y + h) * ih) - 1), colour, 1)
            cv2.putText(frame, f"{camera} {pose} {target or ''}", (3, ih - 5),
                        cv2.FONT_HERSHEY_SIMPLEX, 0.33, (0, 255, 255), 1, cv2.LINE_AA)
            tiles.append(frame)
        rows.append(np.hstack(tiles))
    return np.vstack(rows)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description="Write a contact sheet of realistic scenes for a home's cameras.")
    parser.add_argument("--config", type=Path, default=Path("devices.yaml"))
    parser.add_argument("--split", choices=("train", "heldout"), default="heldout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-camera", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True, help="a .png file")
    args = parser.parse_args(argv)
    if not 1 <= args.per_camera <= 50:
        parser.error(f"--per-camera must be 1..50, not {args.per_camera}")
    sheet = contact_sheet(args.config, split=args.split, seed=args.seed,
                          per_camera=args.per_camera)
    if not cv2.imwrite(str(args.out), sheet):
        parser.error(f"{args.out}: cannot write the image (a .png path?)")
    print(f"wrote {args.out} ({sheet.shape[1]}x{sheet.shape[0]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
