"""The fifth scene renderer (export/scenes_alt4.py, a corner-mounted camera) on the reference
home's cameras, with the real sample sources (scikit-image's data, opencv-doc's vtest.avi and
photos)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.config import HomeConfig
from export import people
from export.people import Split
from export.scenes_alt4 import FRAMES, PHOTOS, TEXTURES, Pose, render_alt4_scene

SPLITS: tuple[Split, ...] = ("train", "heldout")


def zones_of(home: HomeConfig, camera: str) -> dict[str, tuple[float, float, float, float]]:
    return {d: (z[0], z[1], z[2], z[3]) for d, z in home.cameras[camera].zones.items()}


def kinds_of(home: HomeConfig, camera: str) -> dict[str, str]:
    """Type and name of each device, the hint a training set passes."""
    return {d: f"{home.devices[d].type} {home.devices[d].name}"
            for d in home.cameras[camera].zones}


@pytest.mark.parametrize("split", ["train", "heldout"])
@pytest.mark.parametrize("pose", ["point", "stand", "none"])
def test_frames_are_rgb_uint8_at_the_asked_size(home: HomeConfig, split: Split, pose: Pose
                                                ) -> None:
    zones = zones_of(home, "living_room_cam")
    target = None if pose == "none" else "living_room_lamp"
    frame = render_alt4_scene(np.random.default_rng(1), zones, target, pose, split=split)
    assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
    assert frame.flags.c_contiguous
    assert 5 < frame.mean() < 250 and frame.std() > 5  # a picture, not a flat fill
    small = render_alt4_scene(np.random.default_rng(1), zones, target, pose, split=split,
                              size=(96, 128))
    assert small.shape == (96, 128, 3) and small.dtype == np.uint8


def test_same_seed_same_frame_and_another_seed_another(home: HomeConfig) -> None:
    zones, kinds = zones_of(home, "kitchen_cam"), kinds_of(home, "kitchen_cam")

    def frame(seed: int) -> npt.NDArray[np.uint8]:
        return render_alt4_scene(np.random.default_rng(seed), zones, "kitchen_kettle", "point",
                                 split="heldout", kinds=kinds)

    a, b, c = frame(7), frame(7), frame(8)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 5


def test_held_out_and_train_share_no_source() -> None:
    assert set(TEXTURES) == set(PHOTOS) == set(FRAMES) == {"train", "heldout"}
    train = set(TEXTURES["train"]) | set(PHOTOS["train"])
    heldout = set(TEXTURES["heldout"]) | set(PHOTOS["heldout"])
    assert train and heldout and not train & heldout
    (a, b), (c, d) = FRAMES["train"], FRAMES["heldout"]  # half-open frame ranges of vtest.avi
    assert a < b and c < d and (b <= c or d <= a)
    # the same ranges as the other renderers' people: held out from one, held out from all
    assert FRAMES == {"train": people.TRAIN_FRAMES, "heldout": people.HELDOUT_FRAMES}


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


@pytest.mark.parametrize("camera", ["living_room_cam", "kitchen_cam", "bedroom_cam",
                                    "office_cam"])
def test_every_pose_renders_for_every_device_of_each_camera(home: HomeConfig, camera: str
                                                            ) -> None:
    assert set(home.cameras) == {"living_room_cam", "kitchen_cam", "bedroom_cam", "office_cam"}
    zones = zones_of(home, camera)
    poses: tuple[Pose, ...] = ("point", "stand")
    cases: list[tuple[Pose, str | None]] = [("none", None), *((p, d) for d in zones for p in poses)]
    for i, (pose, target) in enumerate(cases):
        kinds = kinds_of(home, camera) if i % 2 else None  # with hints, and guessed from ids
        frame = render_alt4_scene(np.random.default_rng(i), zones, target, pose,
                                  split=SPLITS[i % 2], kinds=kinds)
        assert frame.shape == (240, 320, 3) and frame.std() > 5


def test_a_sliver_of_a_screen_or_window_renders() -> None:
    """Regression (fuzzing): a tall screen or window a few pixels wide cropped its photo to
    zero columns and OpenCV's resize raised."""
    for kind, seed in (("media_player tv", 4), ("cover blinds", 4)):
        zones = {"dev": (0.5, 0.02, 0.004, 0.97), "lamp": (0.1, 0.5, 0.1, 0.2)}
        frame = render_alt4_scene(np.random.default_rng(seed), zones, "dev", "point",
                                  kinds={"dev": kind}, states={"dev": True}, size=(960, 1280))
        assert frame.shape == (960, 1280, 3) and frame.dtype == np.uint8


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"target": "nope", "pose": "point"}, "not in zones"),
    ({"target": None, "pose": "stand"}, "not in zones"),
    ({"target": None, "pose": "wave"}, "unknown pose"),
    ({"target": None, "pose": "none", "split": "test"}, "unknown split"),
])
def test_bad_arguments_get_one_line_errors(home: HomeConfig, kwargs: dict[str, object],
                                           message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        render_alt4_scene(np.random.default_rng(0), zones_of(home, "office_cam"),
                          **kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(err.value)


def test_missing_opencv_data_is_named_even_with_everything_cached(
        home: HomeConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    zones = zones_of(home, "office_cam")
    for split in SPLITS:  # fill the in-process and on-disk caches first
        render_alt4_scene(np.random.default_rng(0), zones, None, "none", split=split)
    empty = tmp_path / "opencv-data"
    empty.mkdir()
    monkeypatch.setenv("MILM_OPENCV_DATA", str(empty))
    for split in SPLITS:
        with pytest.raises(people.AssetError) as err:
            render_alt4_scene(np.random.default_rng(0), zones, None, "none", split=split)
        message = str(err.value)
        assert "\n" not in message
        assert str(empty / "vtest.avi") in message and "MILM_OPENCV_DATA" in message
