"""The sources the renderers written apart from export/scenes_real.py draw from, per split.

export/scenes_alt.py, export/scenes_alt2.py and the benchmark's unseen renderer take the
same images and the same split as export/scenes_real.py (its TEXTURES and PHOTOS name files;
these name scikit-image's loader functions), so a held-out frame of any renderer shares no
source with training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from export.people import HELDOUT_FRAMES, TRAIN_FRAMES, AssetError, cache_dir, opencv_data_dir

T = TypeVar("T")

# The renderers training mixes, by name: (module, function). Written apart from each other:
# a model trained on one renderer's frames reads another's poorly (docs/eye.md, eighth round).
TRAINING_RENDERERS: dict[str, tuple[str, str]] = {
    "real": ("export.scenes_real", "render_real_scene"),
    "alt": ("export.scenes_alt", "render_alt_scene"),
    "alt2": ("export.scenes_alt2", "render_alt2_scene"),
    "alt3": ("export.scenes_alt3", "render_alt3_scene"),
    "alt4": ("export.scenes_alt4", "render_alt4_scene"),
}

# Sources per split: ("skimage", a skimage.data function) or ("opencv", a file in opencv-doc's
# data). No source is in both splits.
TEXTURES: dict[str, tuple[tuple[str, str], ...]] = {
    "train": (("skimage", "brick"), ("skimage", "grass"), ("skimage", "gravel"),
              ("skimage", "microaneurysms")),
    "heldout": (("skimage", "moon"), ("skimage", "retina"), ("opencv", "rubberwhale1.png"),
                ("opencv", "aero3.jpg")),
}
PHOTOS: dict[str, tuple[tuple[str, str], ...]] = {
    "train": (("skimage", "astronaut"), ("skimage", "coffee"), ("skimage", "chelsea"),
              ("skimage", "rocket"), ("skimage", "motorcycle_left"),
              ("opencv", "starry_night.jpg"), ("opencv", "fruits.jpg"), ("opencv", "baboon.jpg"),
              ("opencv", "building.jpg")),
    "heldout": (("skimage", "hubble_deep_field"), ("skimage", "immunohistochemistry"),
                ("opencv", "home.jpg"), ("opencv", "messi5.jpg"), ("opencv", "butterfly.jpg"),
                ("opencv", "HappyFish.jpg"), ("opencv", "aero1.jpg"), ("opencv", "leuvenA.jpg")),
}
# export/people.py's ranges: a person held out from one renderer is held out from all.
FRAMES: dict[str, tuple[int, int]] = {"train": TRAIN_FRAMES, "heldout": HELDOUT_FRAMES}


def load_source_image(spec: tuple[str, str], data_dir: Path) -> npt.NDArray[np.uint8]:
    """A source of TEXTURES or PHOTOS as a contiguous RGB uint8 image: from opencv-doc's
    data (`data_dir`) or scikit-image's."""
    package, name = spec
    if package == "opencv":
        path = data_dir / name
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise AssetError(f"{path}: sample image missing or unreadable "
                             "(apt-get install opencv-doc, or set MILM_OPENCV_DATA)")
        return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), np.uint8)
    try:
        import skimage.data as skd
    except ImportError as e:
        raise AssetError("scikit-image is not installed (pip install -e '.[export]')") from e
    # motorcycle_left: the left view of skimage's stereo pair
    loaded = getattr(skd, "stereo_motorcycle" if name == "motorcycle_left" else name)()
    im = np.asarray(loaded[0] if name == "motorcycle_left" else loaded)
    if im.dtype != np.uint8:
        im = (255 * (im.astype(np.float32) / max(1e-6, float(im.max())))).astype(np.uint8)
    if im.ndim == 2:
        im = np.stack([im] * 3, -1)
    return np.ascontiguousarray(im[..., :3])


def people_digest(video: Path, version: str) -> str:
    """The cut-out cache key of a renderer: its extraction `version`, the frame split and
    the video's bytes, so that a change of any rebuilds the cache."""
    h = hashlib.sha256(f"{version} {sorted(FRAMES.items())}".encode())
    h.update(video.read_bytes())
    return h.hexdigest()[:16]


def people_npz(video: Path, version: str, suffix: str = "") -> Path:
    """Where a renderer's cut-outs of extraction `version` are cached (people_digest's key)."""
    return cache_dir() / f"{people_digest(video, version)}-{version}{suffix}.npz"


def assets_for(split: str, pose: str, target: str | None, zones: Mapping[str, object],
               load: Callable[[str, Path], T]) -> T:
    """A renderer's arguments checked (pose point, stand or none; for point and stand a target
    among the zones; split train or heldout), else a one-line ValueError; then
    `load(split, data_dir)`, data_dir being opencv-doc's data now: a renderer caches `load`
    by both, so that another MILM_OPENCV_DATA is looked at."""
    if pose not in ("point", "stand", "none"):
        raise ValueError(f"unknown pose {pose!r} (point, stand or none)")
    if pose != "none" and target not in zones:
        raise ValueError(f"target {target!r} not in zones")
    if split not in FRAMES:
        raise ValueError(f"unknown split {split!r} (train or heldout)")
    return load(split, opencv_data_dir())
