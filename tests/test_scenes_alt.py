"""The second scene renderer (export/scenes_alt.py): what is its own. What every renderer does
alike (frames, determinism, splits, poses, errors) is in tests/test_renderers.py."""

from __future__ import annotations

import numpy as np

from export.scenes_alt import render_alt_scene


def test_a_counter_that_starts_at_the_frame_edge_renders() -> None:
    # a kettle's counter reaching the left edge once failed to draw ("high - low < 0")
    zones = {"kettle": (0.0218, 0.685, 0.471, 0.162), "ceiling": (0.904, 0.785, 0.011, 0.039)}
    kinds = {"kettle": "switch kettle", "ceiling": "light ceiling light"}
    for seed in range(445, 446):
        frame = render_alt_scene(np.random.default_rng(seed), zones, "ceiling", "stand",
                                 split="train", kinds=kinds)
        assert frame.shape == (240, 320, 3)
