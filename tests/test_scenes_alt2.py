"""The third scene renderer (export/scenes_alt2.py): what is its own. What every renderer does
alike (frames, determinism, splits, poses, errors) is in tests/test_renderers.py."""

from __future__ import annotations

import numpy as np

from assistant.config import HomeConfig
from export import people
from export.scenes_alt2 import FRAMES, render_alt2_scene
from tests.scene_cases import SPLITS, zones_of


def test_each_splits_people_come_from_its_own_frames(home: HomeConfig) -> None:
    from export.scenes_alt2 import _split_people

    render_alt2_scene(np.random.default_rng(0), zones_of(home, "office_cam"), None, "none")
    cut = {split: _split_people(people.video_path(), split) for split in SPLITS}
    for split in SPLITS:
        lo, hi = FRAMES[split]
        assert len(cut[split]) > 50
        assert all(lo <= c.frame < hi for c in cut[split])
        for c in cut[split][::25]:  # RGBA, a solid silhouette, feet on the bottom row
            assert c.rgba.dtype == np.uint8 and c.rgba.shape[2] == 4
            assert set(np.unique(c.rgba[..., 3])) == {0, 255}
            assert c.rgba[-1, :, 3].any() and c.rgba.shape[0] / c.rgba.shape[1] >= 1.9
