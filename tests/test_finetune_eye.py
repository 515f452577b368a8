"""export/finetune_eye.py: runtime preprocessing, what trains, captured frames, a tiny run."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from assistant.capture_cli import capture
from assistant.config import HomeConfig
from assistant.corpus.example import Example
from assistant.model import MilmModel, shipped_model_path
from export.dataset import ImageNorm, load_tokenizer
from export.finetune_eye import (
    TRAINED_PREFIXES,
    freeze_text,
    load_captured,
    normalise,
    parse_args,
    run,
    runtime_frame,
)
from export.milm import MILM, MILMConfig


@pytest.fixture(scope="module")
def runtime() -> MilmModel:
    return MilmModel(threads=1)


def test_frames_are_prepared_as_the_runtime_prepares_them(runtime: MilmModel) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    norm = ImageNorm(runtime.image.mean, runtime.image.std)
    size = runtime.image.height
    ours = normalise(runtime_frame(rgb, size)[None], np.ones(1, np.float32), norm)[0].numpy()
    theirs = runtime.prepare_image(np.ascontiguousarray(rgb[:, :, ::-1]))  # the camera's BGR
    assert ours.shape == theirs.shape == (3, size, size)
    assert np.abs(ours - theirs).max() < 1e-5


def test_only_the_image_side_trains() -> None:
    model = MILM(MILMConfig(d_model=32, n_heads=2, n_text_layers=1, d_ff=64,
                            cnn_channels=(8, 8, 16, 16)))
    trained = {id(p) for p in freeze_text(model)}
    names = {n for n, p in model.named_parameters() if id(p) in trained}
    assert names == {n for n, p in model.named_parameters() if p.requires_grad}
    assert all(n.startswith(TRAINED_PREFIXES) for n in names)
    assert {"image.cnn.0.weight", "cross.out_t.weight", "ground_k.weight"} <= names
    frozen = {n for n, _ in model.named_parameters()} - names
    assert {"text.adapter.weight", "fusion.0.attn.qkv.weight", "intent_head.0.weight",
            "slot_head.weight", "ln_f.weight"} <= frozen


def captured_folder(tmp: Path, home: HomeConfig) -> Path:
    video = tmp / "room.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"MJPG"), 10, (320, 240))
    rng = np.random.default_rng(1)
    for _ in range(12):
        writer.write(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8))
    writer.release()
    out = tmp / "captures"
    capture(home, camera="living_room_cam", device="living_room_tv", pose="point", out=out,
            source=str(video), count=3, interval=0.1)
    capture(home, camera="living_room_cam", device=None, pose="none", out=out,
            source=str(video), count=2, interval=0.1)
    return out


def test_captured_frames_pair_with_texts(tmp_path: Path, home: HomeConfig) -> None:
    folder = captured_folder(tmp_path, home)
    point = [Example(text="turn that on", intent="turn_on")]
    other = [Example(text="what time is it", intent="none")]
    cap = load_captured([folder], home, pointing_texts=point, other_texts=other,
                        tok=load_tokenizer(), max_len=48, size=96, seed=0)
    assert cap is not None
    assert cap.frames.shape == (5, 96, 96, 3)
    assert cap.target == ["living_room_tv"] * 3 + [None] * 2
    assert all(z == cap.zones[0] for z in cap.zones) and "living_room_tv" in cap.zones[0]
    assert [int(i) for i in cap.data.intents[:3]] == [int(cap.data.intents[0])] * 3
    assert cap.data.scenes == [None] * 5


@pytest.mark.slow
def test_a_tiny_fine_tune_end_to_end(tmp_path: Path, home: HomeConfig, root: Path,
                                     runtime: MilmModel) -> None:
    folder = captured_folder(tmp_path, home)
    out = tmp_path / "eye"
    args = parse_args(["--out", str(out), "--steps", "4", "--batch-size", "16",
                       "--per-home", "3", "--eval-homes", "3", "--eval-per-home", "60",
                       "--eval-pointing", "8", "--eval-other", "8", "--captured", str(folder),
                       "--config", str(root / "devices.yaml")])
    metrics = run(args)
    assert metrics["train"]["steps"] == 4 and metrics["counts"]["captured"] == 5
    assert metrics["no_frame_max_difference"] == 0.0
    assert max(metrics["parity"].values()) < 1e-4
    tuned = MilmModel(out / "milm.onnx", threads=1)
    record = json.loads(tuned.metadata["eye_finetune"])
    assert record["steps"] == 4 and record["captured_frames"] == 5
    for key in ("intents", "slot_tags", "vocab", "tokenizer", "image", "data_digest"):
        assert tuned.metadata[key] == runtime.metadata[key]
    texts = ["turn that on", "switch off the kitchen light", "how warm is it in the bedroom"]
    for a, b in zip(tuned.infer(texts), runtime.infer(texts), strict=True):
        assert np.array_equal(a.intent_probs, b.intent_probs) and a.tags == b.tags
    frame = np.asarray(cv2.imread(str(sorted(folder.glob("*.png"))[0])), np.uint8)
    with_frame = tuned.infer(texts[:1], [frame])[0].grounding
    assert not np.allclose(with_frame, runtime.infer(texts[:1], [frame])[0].grounding)
    assert shipped_model_path().read_bytes() != (out / "milm.onnx").read_bytes()


def test_a_bad_manifest_stops_the_run_in_one_line(tmp_path: Path, home: HomeConfig,
                                                  root: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from export.finetune_eye import main

    folder = captured_folder(tmp_path, home)
    lines = (folder / "manifest.jsonl").read_text().splitlines()
    lines[2] = lines[2].replace('"living_room_tv"', '"kitchen_kettle"')
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(SystemExit) as stop:
        main(["--out", str(tmp_path / "eye"), "--captured", str(folder),
              "--config", str(root / "devices.yaml")])
    message = str(stop.value.code)
    assert message.startswith(f"error: {folder / 'manifest.jsonl'}:3:device:")
    assert "\n" not in message and not (tmp_path / "eye").exists()
    with pytest.raises(SystemExit, match="no manifest"):
        main(["--out", str(tmp_path / "eye"), "--captured", str(tmp_path / "nowhere")])


def test_the_renderers_are_mixed_one_per_frame() -> None:
    from export.finetune_eye import mixed_renderer
    from export.scenes_alt import render_alt_scene
    from export.scenes_real import render_real_scene

    zones = {"living_room_lamp": (0.05, 0.25, 0.12, 0.55),
             "living_room_tv": (0.38, 0.35, 0.26, 0.25)}
    mix, name = mixed_renderer(["real", "alt"])
    assert name == "mix(export.scenes_real.render_real_scene, export.scenes_alt.render_alt_scene)"
    drawn = set()
    for seed in range(8):
        rng = np.random.default_rng(seed)
        frame = mix(rng, zones, "living_room_tv", "point", split="train")
        # the frame is the chosen renderer's, drawn with the rng after the choice
        rng = np.random.default_rng(seed)
        which = int(rng.integers(2))
        alone = (render_real_scene, render_alt_scene)[which](rng, zones, "living_room_tv",
                                                             "point", split="train")
        assert np.array_equal(frame, alone)
        drawn.add(which)
    assert drawn == {0, 1}
    with pytest.raises(SystemExit, match="--renderers: choose from real, alt, alt2, alt3, alt4"):
        mixed_renderer(["real", "blender"])
