"""What every scene renderer does alike (export/scenes_real.py, scenes_alt.py, scenes_alt2.py,
scenes_alt3.py, scenes_alt4.py and bench/scenes_unseen.py), on the reference home's cameras
with the real sample sources (scikit-image's data, opencv-doc's vtest.avi and photos). What
is a renderer's own (its cut-outs, its crash regressions, its features) is in its
tests/test_scenes_*.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.config import HomeConfig
from export import people
from export.people import Split
from tests.scene_cases import RENDERERS, SPLITS, kinds_of, module_of, render_of, zones_of

NAMES = list(RENDERERS)
# Written apart from export/scenes_real.py, these share export/scene_sources.py's sources
# and their errors' wording.
APART = [name for name in NAMES if name != "real"]


def test_every_renderer_is_here() -> None:
    assert set(NAMES) == {"real", "alt", "alt2", "alt3", "alt4", "unseen"}
    for name in NAMES:
        assert callable(render_of(name))


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("pose", ["point", "stand", "none"])
@pytest.mark.parametrize("name", NAMES)
def test_frames_are_rgb_uint8_at_the_asked_size(home: HomeConfig, name: str, split: Split,
                                                pose: str) -> None:
    render = render_of(name)
    zones = zones_of(home, "living_room_cam")
    target = None if pose == "none" else "living_room_lamp"
    # the default size: test_every_pose_renders_for_every_device_of_each_camera
    small = render(np.random.default_rng(1), zones, target, pose, split=split, size=(96, 128))
    assert small.shape == (96, 128, 3) and small.dtype == np.uint8 and small.flags.c_contiguous
    assert 5 < small.mean() < 250 and small.std() > 5  # a picture, not a flat fill


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_frame_and_another_seed_or_split_another(home: HomeConfig, name: str
                                                                ) -> None:
    render = render_of(name)
    zones, kinds = zones_of(home, "kitchen_cam"), kinds_of(home, "kitchen_cam")

    def frame(seed: int, split: Split = "heldout") -> npt.NDArray[np.uint8]:
        return render(np.random.default_rng(seed), zones, "kitchen_kettle", "point",
                      split=split, kinds=kinds)

    a, b, c = frame(7), frame(7), frame(8)
    assert np.array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 5
    assert not np.array_equal(a, frame(7, "train"))  # other sources, another frame


@pytest.mark.parametrize("name", NAMES)
def test_held_out_and_train_share_no_source(name: str) -> None:
    module = module_of(name)
    textures, photos = module.TEXTURES, module.PHOTOS
    assert set(textures) == set(photos) == {"train", "heldout"}
    train = set(textures["train"]) | set(photos["train"])
    heldout = set(textures["heldout"]) | set(photos["heldout"])
    assert train and heldout and not train & heldout
    # people: vtest.avi's half-open frame ranges, export/people.py's (export/scenes_real.py
    # takes its people from there): held out from one renderer, held out from all
    frames = getattr(module, "FRAMES", None)
    assert frames is not None or name == "real"
    if frames is not None:
        assert frames == {"train": people.TRAIN_FRAMES, "heldout": people.HELDOUT_FRAMES}
    (a, b), (c, d) = people.TRAIN_FRAMES, people.HELDOUT_FRAMES
    assert a < b and c < d and (b <= c or d <= a)


@pytest.mark.parametrize("camera", ["living_room_cam", "kitchen_cam", "bedroom_cam",
                                    "office_cam"])
@pytest.mark.parametrize("name", NAMES)
def test_every_pose_renders_for_every_device_of_each_camera(home: HomeConfig, name: str,
                                                            camera: str) -> None:
    assert set(home.cameras) == {"living_room_cam", "kitchen_cam", "bedroom_cam", "office_cam"}
    render = render_of(name)
    zones = zones_of(home, camera)
    cases: list[tuple[str, str | None]] = [
        ("none", None), *((p, d) for d in zones for p in ("point", "stand"))]
    for i, (pose, target) in enumerate(cases):
        kinds = kinds_of(home, camera) if i % 2 else None  # with hints, and guessed from ids
        frame = render(np.random.default_rng(i), zones, target, pose, split=SPLITS[i % 2],
                       kinds=kinds)
        assert frame.shape == (240, 320, 3) and frame.dtype == np.uint8
        assert frame.flags.c_contiguous
        assert 5 < frame.mean() < 250 and frame.std() > 5  # a picture, not a flat fill


@pytest.mark.parametrize(("kwargs", "message", "real_message"), [
    ({"target": "nope", "pose": "point"}, "not in zones", "needs a target"),
    ({"target": None, "pose": "stand"}, "not in zones", "needs a target"),
    ({"target": None, "pose": "wave"}, "unknown pose", "pose must be"),
    ({"target": None, "pose": "none", "split": "test"}, "unknown split", "split must be"),
])
@pytest.mark.parametrize("name", NAMES)
def test_bad_arguments_get_one_line_errors(home: HomeConfig, name: str,
                                           kwargs: dict[str, object], message: str,
                                           real_message: str) -> None:
    args: dict[str, object] = {"split": "train", **kwargs}
    with pytest.raises(ValueError, match=real_message if name == "real" else message) as err:
        render_of(name)(np.random.default_rng(0), zones_of(home, "office_cam"), **args)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", APART)
def test_missing_opencv_data_is_named_even_with_everything_cached(
        home: HomeConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    render = render_of(name)
    zones = zones_of(home, "office_cam")
    for split in SPLITS:  # fill the in-process and on-disk caches first
        render(np.random.default_rng(0), zones, None, "none", split=split)
    empty = tmp_path / "opencv-data"
    empty.mkdir()
    monkeypatch.setenv("MILM_OPENCV_DATA", str(empty))
    for split in SPLITS:
        with pytest.raises(people.AssetError) as err:
            render(np.random.default_rng(0), zones, None, "none", split=split)
        message = str(err.value)
        assert "\n" not in message
        assert str(empty / "vtest.avi") in message and "MILM_OPENCV_DATA" in message
