"""The realistic scene renderer (export/scenes_real.py) on the reference home's zones, with
the real sample sources (scikit-image's data, opencv-doc's vtest.avi and photos): what is its
own. What every renderer does alike (frames, determinism, splits, poses, errors) is in
tests/test_renderers.py."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from assistant.config import HomeConfig
from export import people
from export.scenes import Box
from export.scenes_real import (
    PHOTOS,
    TEXTURES,
    Split,
    device_kind,
    render_real_scene,
    render_real_scene_labelled,
    sources,
)
from tests.scene_cases import zones_of

ROOT = Path(__file__).resolve().parent.parent


def box_px(zone: Box, shape: tuple[int, ...]) -> tuple[slice, slice]:
    x, y, w, h = zone
    return (slice(round(y * shape[0]), round((y + h) * shape[0])),
            slice(round(x * shape[1]), round((x + w) * shape[1])))


@pytest.mark.parametrize("pose", ["point", "stand"])
@pytest.mark.parametrize("target", ["living_room_lamp", "living_room_tv", "vacuum",
                                    "living_room_ceiling"])
def test_a_person_is_drawn_by_the_target_for_point_and_stand(
        home: HomeConfig, pose: str, target: str) -> None:
    zones = zones_of(home, "living_room_cam")
    for seed in range(6):
        frame, person = render_real_scene_labelled(
            np.random.default_rng(seed), zones, target, pose,  # type: ignore[arg-type]
            split="heldout")
        assert person.shape == frame.shape[:2]
        cover = person > 0.5
        assert cover.mean() > 0.02, "no person drawn"
        # Where the person is: the nearest person pixel to the zone is within reach.
        ys, xs = np.nonzero(cover)
        x, y, w, h = zones[target]
        dx = np.maximum(0, np.maximum(x * 320 - xs, xs - (x + w) * 320))
        dy = np.maximum(0, np.maximum(y * 240 - ys, ys - (y + h) * 240))
        limit = 0.35 * 320 if pose == "point" else 0.2 * 320
        if y + h < 0.3:  # a ceiling device: the person is on the floor below or beside it
            assert dx.min() <= limit
        else:
            assert np.hypot(dx, dy).min() <= limit


def test_nobody_points_without_a_target_and_some_frames_have_nobody(home: HomeConfig) -> None:
    zones = zones_of(home, "office_cam")
    covers = [render_real_scene_labelled(np.random.default_rng(s), zones, None, "none",
                                         split="train")[1].mean() for s in range(12)]
    assert any(c == 0 for c in covers) and any(c > 0.01 for c in covers)


@pytest.mark.parametrize(("camera", "device"), [("living_room_cam", "living_room_lamp"),
                                                ("bedroom_cam", "bedroom_light"),
                                                ("living_room_cam", "living_room_tv")])
def test_the_target_zone_looks_different_on_and_off(home: HomeConfig, camera: str,
                                                    device: str) -> None:
    zones = {device: zones_of(home, camera)[device]}
    brighter = 0
    for seed in range(5):
        on = render_real_scene(np.random.default_rng(seed), zones, None, "none",
                               split="train", states={device: True})
        off = render_real_scene(np.random.default_rng(seed), zones, None, "none",
                                split="train", states={device: False})
        rows, cols = box_px(zones[device], on.shape)
        zone_on = on[rows, cols].astype(float)
        zone_off = off[rows, cols].astype(float)
        assert np.abs(zone_on - zone_off).mean() > 8
        brighter += int(zone_on.mean() > zone_off.mean())
    assert brighter == 5  # a light that is on glows; a tv that is on shows a picture


def test_held_out_and_train_share_no_source() -> None:
    assert not set(TEXTURES["train"]) & set(TEXTURES["heldout"])
    assert not set(PHOTOS["train"]) & set(PHOTOS["heldout"])
    assert not set(TEXTURES["train"]) & set(PHOTOS["heldout"])
    assert not set(PHOTOS["train"]) & set(TEXTURES["heldout"])
    train, heldout = sources("train"), sources("heldout")
    assert len(train.textures) == len(TEXTURES["train"])
    assert len(heldout.photos) == len(PHOTOS["heldout"])
    train_frames = {c.frame for c in train.people}
    heldout_frames = {c.frame for c in heldout.people}
    assert len(train_frames) > 20 and len(heldout_frames) > 20
    assert max(train_frames) + 40 < min(heldout_frames)  # a gap between the frame ranges
    # no cut-out's pixels are in both
    train_bytes = {c.rgba.tobytes() for c in train.people}
    assert not any(c.rgba.tobytes() in train_bytes for c in heldout.people)


def test_layout_seeds_differ_by_split(home: HomeConfig, monkeypatch: pytest.MonkeyPatch
                                      ) -> None:
    """The room's look comes from default_rng(layout seed): even for train, odd for held-out."""
    seen: dict[str, list[int]] = {"train": [], "heldout": []}
    real = np.random.default_rng

    def spy(seed: int | None = None) -> np.random.Generator:
        if isinstance(seed, int):
            seen[current].append(seed)
        return real(seed)

    monkeypatch.setattr(np.random, "default_rng", spy)
    zones = zones_of(home, "bedroom_cam")
    current: Split
    for current in ("train", "heldout"):
        for seed in range(10):
            render_real_scene(real(seed), zones, "bedroom_lamp", "point", split=current)
    assert len(seen["train"]) == len(seen["heldout"]) == 10
    assert all(s % 2 == 0 for s in seen["train"])
    assert all(s % 2 == 1 for s in seen["heldout"])


def test_device_kinds_from_ids_hints_and_shapes(home: HomeConfig) -> None:
    zones = zones_of(home, "living_room_cam")
    assert device_kind("living_room_ceiling", zones["living_room_ceiling"]) == "fixture"
    assert device_kind("living_room_lamp", zones["living_room_lamp"]) == "lamp"
    assert device_kind("living_room_tv", zones["living_room_tv"]) == "tv"
    assert device_kind("living_room_blinds", zones["living_room_blinds"]) == "blinds"
    assert device_kind("vacuum", zones["vacuum"]) == "vacuum"
    assert device_kind("bedroom_fan", (0.6, 0.0, 0.25, 0.1)) == "fan"
    assert device_kind("kitchen_coffee", (0.15, 0.4, 0.1, 0.15)) == "coffee"
    assert device_kind("office_router", (0.2, 0.5, 0.1, 0.08)) == "router"
    assert device_kind("hallway_x", (0.4, 0.3, 0.1, 0.1), "climate thermostat") == "thermostat"
    assert device_kind("kids_room_light", (0.4, 0.0, 0.2, 0.1)) == "fixture"
    assert device_kind("dev_7", (0.1, 0.3, 0.05, 0.5)) == "lamp"  # tall and narrow


def test_a_frame_size_out_of_range_is_refused(home: HomeConfig) -> None:
    # the errors every renderer gives alike: tests/test_renderers.py
    with pytest.raises(ValueError, match="out of range"):
        render_real_scene(np.random.default_rng(0), zones_of(home, "office_cam"), None, "none",
                          split="train", size=(10, 10))


def test_a_missing_video_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MILM_OPENCV_DATA", str(tmp_path))
    with pytest.raises(people.AssetError, match=r"vtest\.avi: pedestrian video not found"):
        people.video_path()


def test_contact_sheet_writes_one_row_per_camera(tmp_path: Path) -> None:
    from export.scenes_real import main

    out = tmp_path / "sheet.png"
    assert main(["--config", str(ROOT / "devices.yaml"), "--per-camera", "2",
                 "--out", str(out)]) == 0
    sheet = cv2.imread(str(out))
    assert sheet is not None and sheet.shape == (4 * 240, 2 * 320, 3)


@pytest.mark.parametrize(("hint", "kind"), [
    ("media_player speaker", "speaker"), ("media_player tv", "tv"),
    ("light tv light", "lamp"),  # the type decides: a light, whatever its name says
    ("light ceiling light", "fixture"), ("switch coffee machine", "coffee"),
    ("switch dehumidifier", "plug"), ("cover garage door", "blinds"),
    ("climate thermostat", "thermostat"), ("switch wifi", "router"),
])
def test_a_type_and_name_hint_decides_the_kind(hint: str, kind: str) -> None:
    assert device_kind("dev", (0.4, 0.3, 0.1, 0.2), hint) == kind
