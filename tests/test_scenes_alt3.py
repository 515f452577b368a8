"""The fourth scene renderer (export/scenes_alt3.py): what is its own. What every renderer
does alike (frames, determinism, splits, poses, errors) is in tests/test_renderers.py."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import HomeConfig
from export import people
from export.scenes_alt3 import FRAMES, render_alt3_scene
from tests.scene_cases import SPLITS, zones_of


def test_each_splits_people_come_from_its_own_frames(home: HomeConfig) -> None:
    from export.scenes_alt3 import _all_cutouts

    render_alt3_scene(np.random.default_rng(0), zones_of(home, "office_cam"), None, "none")
    cut = _all_cutouts(people.video_path())
    for split in SPLITS:
        lo, hi = FRAMES[split]
        mine = [c for c in cut if lo <= c.frame < hi]
        assert len(mine) > 50
        for c in mine[::25]:  # RGBA, a hard silhouette (feathered when loaded), upright
            assert c.rgba.dtype == np.uint8 and c.rgba.shape[2] == 4
            assert set(np.unique(c.rgba[..., 3])) == {0, 255}
            assert c.rgba.shape[0] / c.rgba.shape[1] >= 1.5
    assert all(any(lo <= c.frame < hi for lo, hi in FRAMES.values()) for c in cut)


@pytest.mark.parametrize("size", [(240, 320), (120, 160), (97, 131)])
def test_a_fan_on_the_bottom_edge_of_the_frame_renders(size: tuple[int, int]) -> None:
    # Fuzzing: a ceiling fan's hub below the last row raised IndexError when it was on.
    zones = {"fan": (0.54, 0.9945, 0.07, 0.0055), "plug": (0.1, 0.5, 0.05, 0.05)}
    for seed in range(6):
        for pose in ("point", "stand"):
            frame = render_alt3_scene(np.random.default_rng(seed), zones, "fan", pose,
                                      split=SPLITS[seed % 2], kinds={"fan": "fan ceiling fan"},
                                      states={"fan": True}, size=size)
            assert frame.shape == (*size, 3)
