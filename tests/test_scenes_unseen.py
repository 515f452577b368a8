"""The measuring-only scene renderer (bench/scenes_unseen.py): what is its own. What every
renderer does alike (frames, determinism, splits, poses, errors) is in
tests/test_renderers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from assistant.config import HomeConfig
from bench.scenes_unseen import FRAMES, PHOTOS, TEXTURES, Pose, render_unseen_scene
from export import people
from export.scene_sources import TRAINING_RENDERERS
from tests.scene_cases import SPLITS, kinds_of, module_of, zones_of


def test_frames_are_held_out_unless_asked_otherwise(home: HomeConfig) -> None:
    # what bench/benchmark_eye.py measures on
    zones, kinds = zones_of(home, "kitchen_cam"), kinds_of(home, "kitchen_cam")
    heldout = render_unseen_scene(np.random.default_rng(7), zones, "kitchen_kettle", "point",
                                  split="heldout", kinds=kinds)
    default = render_unseen_scene(np.random.default_rng(7), zones, "kitchen_kettle", "point",
                                  kinds=kinds)
    assert np.array_equal(heldout, default)


def test_no_held_out_source_is_a_training_source_of_any_renderer() -> None:
    def stems(sources: tuple[tuple[str, str], ...]) -> set[str]:
        return {Path(name).stem for _, name in sources}

    training: set[str] = set()
    for name in TRAINING_RENDERERS:
        renderer = module_of(name)
        training |= stems(renderer.TEXTURES["train"] + renderer.PHOTOS["train"])
    heldout = TEXTURES["heldout"] + PHOTOS["heldout"]
    assert "brick" in training and not training & stems(heldout)


def test_each_splits_people_come_from_its_own_frames(home: HomeConfig) -> None:
    from bench.scenes_unseen import _split_people

    for split in SPLITS:
        render_unseen_scene(np.random.default_rng(0), zones_of(home, "office_cam"), None, "none",
                            split=split)
        cut = _split_people(people.video_path(), split)
        lo, hi = FRAMES[split]
        assert len(cut) > 50
        assert all(lo <= c.frame < hi for c in cut)
        for c in cut[::25]:  # RGBA, a solid silhouette, feet on the bottom row
            assert c.rgba.dtype == np.uint8 and c.rgba.shape[2] == 4
            assert set(np.unique(c.rgba[..., 3])) == {0, 255}
            assert c.rgba[-1, :, 3].any() and c.rgba.shape[0] / c.rgba.shape[1] >= 1.9


def test_nothing_under_export_imports_it(root: Path) -> None:
    # measuring only: a training set must never hold its frames
    users = [p.name for p in sorted((root / "export").rglob("*.py"))
             if "scenes_unseen" in p.read_text(encoding="utf-8")]
    assert users == []


def test_it_imports_no_training_renderer(root: Path) -> None:
    # written apart: of export/ it uses people.py's and scene_sources.py's helpers only
    tree = ast.parse((root / "bench" / "scenes_unseen.py").read_text(encoding="utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for a in node.names}
    from_export = {m for m in imported if m == "export" or m.startswith("export.")}
    assert from_export == {"export.people", "export.scene_sources"}
    assert not from_export & {module for module, _ in TRAINING_RENDERERS.values()}


@pytest.mark.parametrize("pose", ["point", "stand"])
def test_a_ceiling_device_low_in_the_frame_renders(pose: Pose) -> None:
    # a ceiling fan's zone near the bottom edge, where a side wall's floor line runs below
    # 93 % of the frame, once failed to draw ("high - low < 0"): no feet row was left under it
    zones = {"fan": (0.93, 0.85, 0.06, 0.02), "tv": (0.3, 0.3, 0.3, 0.2)}
    kinds = {"fan": "fan ceiling fan", "tv": "media_player tv"}
    for seed in (65, 106, 119):
        frame = render_unseen_scene(np.random.default_rng(seed), zones, "fan", pose,
                                    split="train", kinds=kinds)
        assert frame.shape == (240, 320, 3)
