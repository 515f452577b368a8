"""The sources the renderers written apart from export/scenes_real.py draw from, per split.

export/scenes_alt.py, export/scenes_alt2.py and the benchmark's unseen renderer take the
same images and the same split as export/scenes_real.py (its TEXTURES and PHOTOS name files;
these name scikit-image's loader functions), so a held-out frame of any renderer shares no
source with training.
"""

from __future__ import annotations

from export.people import HELDOUT_FRAMES, TRAIN_FRAMES

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
