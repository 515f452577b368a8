"""Synthetic camera scenes for training the image path and the grounding head.

A stand-in until the model is trained on real camera frames: it teaches the network
"which device zone is the speaker standing at and pointing to", nothing about what a
real lamp or tv looks like. Kept simple and honest:

- background: a wall and a floor in random colours, a random light gradient (some
  scenes dim), pixel noise;
- every device of the camera's room is a rectangle (random colour, darker outline)
  inside its zone, jittered by a pixel or two; one or two furniture rectangles
  belong to no zone (distractors);
- a person: a head disc and a body standing on the floor; for a pointing command
  the person stands beside the pointed device's zone and one arm points at its
  centre; otherwise (half the remaining scenes) the person stands anywhere with arms
  down, so a person alone never means "pointing";
- the grounding target is the share of the pointed zone's area in each of the
  grid x grid regions (a distribution over the m regions).

Zones are the home's camera zones (devices.yaml for the reference home, drawn by
assistant/corpus/homes.py for random ones): Frigate-style `[x, y, w, h]` fractions of the frame.

Frames stay uint8 (H, W, 3) RGB until a batch is built.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Box = tuple[float, float, float, float]  # x, y, w, h as fractions, origin top left
Frame = npt.NDArray[np.uint8]  # (H, W, 3) RGB

SIZE = 96
_YY, _XX = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)


def grounding_target(zone: Box, grid: int = 6) -> npt.NDArray[np.float32]:
    """(grid*grid,) share of the zone's area in each region, region r = row * grid + col."""
    x, y, w, h = zone
    edges = np.linspace(0.0, 1.0, grid + 1)
    cov_x = np.clip(np.minimum(edges[1:], x + w) - np.maximum(edges[:-1], x), 0.0, None)
    cov_y = np.clip(np.minimum(edges[1:], y + h) - np.maximum(edges[:-1], y), 0.0, None)
    area = np.outer(cov_y, cov_x).reshape(-1)  # (m,)
    total = area.sum()
    if total <= 0:
        raise ValueError(f"zone {zone} lies outside the frame")
    target: npt.NDArray[np.float32] = (area / total).astype(np.float32)
    return target


def _colour(rng: np.random.Generator, lo: int = 20, hi: int = 235) -> npt.NDArray[np.float32]:
    return rng.uniform(lo, hi, 3).astype(np.float32)


def _rect(img: npt.NDArray[np.float32], box: tuple[int, int, int, int],
          colour: npt.NDArray[np.float32]) -> None:
    x0, y0, x1, y1 = box
    img[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = colour


def _pixels(zone: Box, rng: np.random.Generator, jitter: int = 2) -> tuple[int, int, int, int]:
    x, y, w, h = zone
    j = rng.integers(-jitter, jitter + 1, 4)
    x0, y0 = round(x * SIZE) + j[0], round(y * SIZE) + j[1]
    x1, y1 = round((x + w) * SIZE) + j[2], round((y + h) * SIZE) + j[3]
    return x0, y0, max(x1, x0 + 2), max(y1, y0 + 2)


def _draw_person(img: npt.NDArray[np.float32], rng: np.random.Generator, *, cx: float,
                 feet: float, height: float, point_at: tuple[float, float] | None) -> None:
    """A standing person, pixel units: head disc, body, legs, and maybe a pointing arm."""
    skin = np.array([rng.uniform(90, 240), rng.uniform(60, 200), rng.uniform(40, 170)],
                    np.float32)
    clothes = _colour(rng)
    head_r = height * 0.11
    top = feet - height
    body_w = height * 0.28
    head_cy = top + head_r
    img[(_XX - cx) ** 2 + (_YY - head_cy) ** 2 <= head_r**2] = skin
    shoulder = head_cy + head_r * 1.3
    hip = top + height * 0.6
    _rect(img, (round(cx - body_w / 2), round(shoulder), round(cx + body_w / 2), round(hip)),
          clothes)
    legs = clothes * 0.6
    _rect(img, (round(cx - body_w / 2), round(hip), round(cx - 1), round(feet)), legs)
    _rect(img, (round(cx + 1), round(hip), round(cx + body_w / 2), round(feet)), legs)
    if point_at is not None:
        # An arm from the shoulder towards the target, stopping short of it.
        sx = cx + np.sign(point_at[0] - cx) * body_w / 2
        sy = shoulder + 1
        tx, ty = point_at
        length = float(np.hypot(tx - sx, ty - sy))
        reach = min(height * 0.45, 0.8 * length)
        if length > 1e-3:
            ex, ey = sx + (tx - sx) * reach / length, sy + (ty - sy) * reach / length
            # distance of each pixel to the segment (sx, sy)-(ex, ey)
            vx, vy = ex - sx, ey - sy
            t = np.clip(((_XX - sx) * vx + (_YY - sy) * vy) / (vx * vx + vy * vy), 0.0, 1.0)
            dist2 = (_XX - (sx + t * vx)) ** 2 + (_YY - (sy + t * vy)) ** 2
            img[dist2 <= max(1.2, height * 0.035) ** 2] = skin


def render_scene(rng: np.random.Generator, zones: Mapping[str, Box], pointed: str | None,
                 person: bool = True) -> Frame:
    """A (96, 96, 3) uint8 RGB frame of the room's device zones (and person)."""
    img = np.empty((SIZE, SIZE, 3), np.float32)
    horizon = int(rng.integers(55, 80))
    img[:horizon] = _colour(rng, 60, 230)
    img[horizon:] = _colour(rng, 30, 200)
    for _ in range(int(rng.integers(0, 3))):  # furniture: in no zone
        w, h = rng.integers(8, 30, 2)
        x0, y0 = int(rng.integers(0, SIZE - w)), int(rng.integers(horizon - h, SIZE - h))
        _rect(img, (x0, y0, x0 + int(w), y0 + int(h)), _colour(rng))
    for dev_id in sorted(zones):
        box = _pixels(zones[dev_id], rng)
        colour = _colour(rng)
        _rect(img, box, colour * 0.5)
        x0, y0, x1, y1 = box
        _rect(img, (x0 + 1, y0 + 1, x1 - 1, y1 - 1), colour)
    if pointed is not None and pointed in zones:
        x, y, w, h = (v * SIZE for v in zones[pointed])
        height = float(rng.uniform(0.38, 0.55)) * SIZE
        gap = height * 0.14 + float(rng.uniform(1.0, 5.0))  # half a body width + a step
        left_ok, right_ok = x - gap > 4, x + w + gap < SIZE - 4
        side = rng.random() < 0.5 if left_ok and right_ok else left_ok
        cx = x - gap if side else x + w + gap
        feet = float(np.clip(max(y + h, rng.uniform(0.75, 0.97) * SIZE), height + 2, SIZE - 1))
        _draw_person(img, rng, cx=cx, feet=feet, height=height, point_at=(x + w / 2, y + h / 2))
    elif person and rng.random() < 0.5:
        height = float(rng.uniform(0.38, 0.55)) * SIZE
        _draw_person(img, rng, cx=float(rng.uniform(8, SIZE - 8)),
                     feet=float(rng.uniform(0.75, 0.97)) * SIZE, height=height, point_at=None)
    # lighting: a horizontal gradient and an overall level (some rooms are dim), noise
    level = rng.uniform(0.35, 1.15)
    gradient = np.linspace(1.0 - rng.uniform(0, 0.3), 1.0, SIZE, dtype=np.float32)
    if rng.random() < 0.5:
        gradient = gradient[::-1]
    img *= (level * gradient)[None, :, None]
    img += rng.normal(0.0, rng.uniform(2, 12), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)
