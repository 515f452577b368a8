"""The shipped model in ONNX Runtime, without torch: metadata, shapes, a few behaviours."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ModelError
from assistant.labels import INTENTS, SLOT_TAGS
from assistant.model import REQUIRED_METADATA, MilmModel, shipped_model_path, shrink

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def model() -> MilmModel:
    return MilmModel(threads=1)


def test_the_runtime_never_imports_torch() -> None:
    # A finder that refuses torch: the whole parse path must work without it.
    code = (
        "import sys, json\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'onnx', 'export'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from assistant.cli import main\n"
        "sys.exit(main(['--config', 'devices.yaml', 'parse', 'turn the telly off']))\n")
    proc = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["targets"] == ["living_room_tv"]


def test_metadata_matches_the_runtime(model: MilmModel) -> None:
    meta = model.metadata
    assert all(key in meta for key in REQUIRED_METADATA)
    assert tuple(json.loads(meta["intents"])) == INTENTS
    assert tuple(json.loads(meta["slot_tags"])) == SLOT_TAGS
    assert len(meta["data_digest"]) == 64
    cfg = json.loads(meta["model_config"])
    # What ships: the ImageNet-pretrained trunk, 128x128 frames, 8x8 regions, [-1, 1] input.
    assert cfg["image_backbone"] == "efficientnet-lite0"
    assert model.image.grid == (cfg["grid"], cfg["grid"]) == (8, 8)
    assert (model.image.height, model.image.width) == (cfg["image_size"],) * 2 == (128, 128)
    assert model.image.mean == model.image.std == (0.5, 0.5, 0.5)


def test_outputs_for_text_and_frames(model: MilmModel) -> None:
    frame = np.random.default_rng(0).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    texts = ["turn on the kitchen light", "what time is it", "lights"]
    out = model.infer(texts, [None, frame, frame])
    assert [o.image_present for o in out] == [False, True, True]
    for o in out:
        assert o.intent_probs.shape == (len(INTENTS),)
        assert abs(float(o.intent_probs.sum()) - 1) < 1e-4
        assert o.grounding.shape == (64,) and abs(float(o.grounding.sum()) - 1) < 1e-4
        assert len(o.tags) == len(o.tokens) == len(o.offsets)
    assert out[0].intent == "turn_on" and out[1].intent == "none"
    assert [t for t in out[0].tags if t != "O"] == ["B-DEV", "I-DEV"]


def test_batch_equals_one_by_one(model: MilmModel) -> None:
    texts = ["set the lamp to 30 percent", "unlock the front door please", "hello"]
    batch = model.infer(texts)
    for text, together in zip(texts, batch, strict=True):
        (alone,) = model.infer([text])
        np.testing.assert_allclose(alone.intent_probs, together.intent_probs, atol=1e-5)
        assert alone.tags == together.tags


def test_long_input_is_truncated_not_an_error(model: MilmModel) -> None:
    (out,) = model.infer(["please " * 200 + "turn on the kettle"])
    assert len(out.tokens) == 46


def test_a_model_that_disagrees_is_refused(tmp_path: Path) -> None:
    import onnx  # the export extra, installed by scripts/bootstrap.sh: missing is a failure

    proto = onnx.load(str(shipped_model_path()))
    for prop in proto.metadata_props:
        if prop.key == "intents":
            prop.value = json.dumps([*INTENTS[:-1], "dance"])
    path = tmp_path / "other.onnx"
    onnx.save(proto, str(path))
    with pytest.raises(ModelError, match="intent labels differ"):
        MilmModel(path)
    path.write_bytes(b"not onnx")
    with pytest.raises(ModelError, match="cannot load ONNX model"):
        MilmModel(path)
    with pytest.raises(ModelError, match="model file not found"):
        MilmModel(tmp_path / "missing.onnx")


def test_calls_of_a_few_rows_answer_as_one_batch_would(model: MilmModel) -> None:
    """Rows go to ONNX Runtime a few at a time (the image encoder's memory grows with
    rows x pixels); the answers are those of one call over the whole batch."""
    rng = np.random.default_rng(3)
    frame = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    texts = ["turn that on", "dim the kitchen lights to forty percent", "what time is it",
             "lock the front door", "switch this off", "make it warmer in here please"]
    frames = [frame, None, frame, None, frame, None]
    saved = model.max_rows
    try:
        model.max_rows = 1
        one = model.infer(texts, frames)
        model.max_rows = len(texts)
        whole = model.infer(texts, frames)
    finally:
        model.max_rows = saved
    assert saved >= 1
    for a, b in zip(one, whole, strict=True):
        assert a.tags == b.tags and a.image_present == b.image_present
        assert np.allclose(a.intent_probs, b.intent_probs, atol=1e-5)
        assert np.allclose(a.grounding, b.grounding, atol=1e-5)


@pytest.mark.parametrize("shape", [(240, 320), (480, 640), (1080, 1920), (200, 130), (128, 128),
                                   (97, 301)])
@pytest.mark.parametrize("size", [(128, 128), (96, 96)])
def test_frames_shrink_as_opencv_inter_area_does(shape: tuple[int, int],
                                                 size: tuple[int, int]) -> None:
    """The model was trained on frames OpenCV shrank; the runtime shrinks them in numpy."""
    import cv2

    frame = np.random.default_rng(sum(shape)).integers(0, 256, (*shape, 3), dtype=np.uint8)
    ours = shrink(frame, *size).astype(int)
    theirs = cv2.resize(frame, size, interpolation=cv2.INTER_AREA).astype(int)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1
    assert (ours != theirs).mean() < 0.01


def test_parse_with_a_frame_or_audio_never_imports_opencv(tmp_path: Path) -> None:
    """OpenCV's import alone is 14 MiB of parse's 150 MB: neither a frame file nor a WAV
    file needs it (the recognizer comes without the daemon and its cameras)."""
    import cv2

    image = tmp_path / "frame.png"
    cv2.imwrite(str(image), np.zeros((240, 320, 3), np.uint8))
    wav = ROOT / "samples" / "speech" / "02_turn_on_the_lights.wav"
    code = ("import sys; from assistant.cli import main; "
            f"main(['parse', 'turn that on', '--camera', 'living_room_cam', '--image', "
            f"{str(image)!r}]); main(['parse', '--audio', {str(wav)!r}]); "
            "print('cv2' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, cwd=ROOT)
    assert done.stdout.strip().splitlines()[-1] == "False"
