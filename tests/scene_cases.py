"""What the scene renderers' tests share: the renderers by name, and the reference home's
zones and kind hints per camera (tests/test_renderers.py and each tests/test_scenes_*.py)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

import numpy as np
import numpy.typing as npt

from assistant.config import HomeConfig
from export.people import Split
from export.scene_sources import TRAINING_RENDERERS

SPLITS: tuple[Split, ...] = ("train", "heldout")
# Every renderer: the ones training mixes, and the benchmark's measuring-only one.
RENDERERS: dict[str, tuple[str, str]] = {
    **TRAINING_RENDERERS, "unseen": ("bench.scenes_unseen", "render_unseen_scene")}
Render = Callable[..., npt.NDArray[np.uint8]]


def module_of(name: str) -> ModuleType:
    return importlib.import_module(RENDERERS[name][0])


def render_of(name: str) -> Render:
    render: Render = getattr(module_of(name), RENDERERS[name][1])
    return render


def zones_of(home: HomeConfig, camera: str) -> dict[str, tuple[float, float, float, float]]:
    return {d: (z[0], z[1], z[2], z[3]) for d, z in home.cameras[camera].zones.items()}


def kinds_of(home: HomeConfig, camera: str) -> dict[str, str]:
    """Type and name of each device, the hint a training set (and the benchmark) passes."""
    return {d: f"{home.devices[d].type} {home.devices[d].name}"
            for d in home.cameras[camera].zones}
