"""The fifth scene renderer (export/scenes_alt4.py, a corner-mounted camera): what is its own.
What every renderer does alike (frames, determinism, splits, poses, errors) is in
tests/test_renderers.py."""

from __future__ import annotations

import numpy as np

from assistant.config import HomeConfig
from export import people
from export.scenes_alt4 import FRAMES, render_alt4_scene
from tests.scene_cases import SPLITS, zones_of


def test_each_splits_people_come_from_its_own_frames(home: HomeConfig) -> None:
    from export.scenes_alt4 import _split_people

    for split in SPLITS:
        render_alt4_scene(np.random.default_rng(0), zones_of(home, "office_cam"), None, "none",
                          split=split)
        cut = _split_people(people.video_path(), split)
        lo, hi = FRAMES[split]
        assert len(cut) > 50
        assert all(lo <= c.frame < hi for c in cut)
        for c in cut[::25]:  # RGBA with a soft edge, feet at the bottom (a 3 px margin)
            alpha = c.rgba[..., 3]
            assert c.rgba.dtype == np.uint8 and c.rgba.shape[2] == 4
            assert alpha.min() == 0 and alpha.max() == 255
            assert alpha[-6:].any() and c.rgba.shape[0] / c.rgba.shape[1] >= 1.5


def test_a_sliver_of_a_screen_or_window_renders() -> None:
    """Regression (fuzzing): a tall screen or window a few pixels wide cropped its photo to
    zero columns and OpenCV's resize raised."""
    for kind, seed in (("media_player tv", 4), ("cover blinds", 4)):
        zones = {"dev": (0.5, 0.02, 0.004, 0.97), "lamp": (0.1, 0.5, 0.1, 0.2)}
        frame = render_alt4_scene(np.random.default_rng(seed), zones, "dev", "point",
                                  kinds={"dev": kind}, states={"dev": True}, size=(960, 1280))
        assert frame.shape == (960, 1280, 3) and frame.dtype == np.uint8
