"""The shipped graph cut at the image encoder: the same answers as the whole graph, each
distinct frame encoded once, and the parts cut once per model file and cached."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from assistant.model import MilmModel, shipped_model_path
from assistant.split_session import SplitSession, load_split, parts_for

OUTPUTS = ["intent_logits", "slot_logits", "grounding_logits"]


def _options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    return options


@pytest.fixture(scope="module")
def split() -> SplitSession:
    session = load_split(shipped_model_path(), _options(), ["CPUExecutionProvider"])
    assert session is not None
    return session


def _feeds(rows: int, present: list[float], seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    image = rng.standard_normal((rows, 3, 128, 128)).astype(np.float32)
    image[2] = image[0]  # rows 0 and 2 share a frame
    return {"input_ids": rng.integers(1000, 2000, (rows, 9)).astype(np.int64),
            "attention_mask": np.ones((rows, 9), np.int64), "image": image,
            "image_present": np.asarray(present, np.float32)}


def test_the_parts_answer_as_the_whole_graph(split: SplitSession) -> None:
    whole = ort.InferenceSession(str(shipped_model_path()), _options(),
                                 providers=["CPUExecutionProvider"])
    feeds = _feeds(4, [1, 0, 1, 0])
    for a, b in zip(whole.run(OUTPUTS, feeds), split.run(OUTPUTS, feeds), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
        assert np.array_equal(a[[1, 3]], b[[1, 3]])  # no frame: bit for bit


def test_each_distinct_frame_is_encoded_once(split: SplitSession) -> None:
    before = split.encoded
    split.run(OUTPUTS, _feeds(4, [1, 1, 1, 0]))  # rows 0 and 2 share their frame
    assert split.encoded - before == 2
    split.run(OUTPUTS, _feeds(3, [0, 0, 0]))  # no frame: the encoder does not run
    assert split.encoded - before == 2


def test_the_runtime_uses_the_parts_and_shares_a_prepared_frame() -> None:
    model = MilmModel(threads=1)
    assert isinstance(model.session, SplitSession)
    frame = np.random.default_rng(1).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    before = model.session.encoded
    outs = model.infer(["turn that on", "switch this off", "lights on"], [frame, frame, None])
    assert model.session.encoded - before == 1
    assert [o.image_present for o in outs] == [True, True, False]


def test_the_cut_is_cached_and_redone_when_broken(tmp_path: Path) -> None:
    folder = parts_for(shipped_model_path(), tmp_path)
    stamp = (folder / "text.onnx").stat().st_mtime_ns
    assert parts_for(shipped_model_path(), tmp_path) == folder
    assert (folder / "text.onnx").stat().st_mtime_ns == stamp  # not cut again
    (folder / "image.onnx").unlink()
    assert parts_for(shipped_model_path(), tmp_path) == folder
    assert (folder / "image.onnx").is_file()


def test_a_file_that_does_not_cut_falls_back_to_the_whole_graph(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CACHE_DIRECTORY", str(tmp_path / "cache"))
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    assert load_split(broken, _options(), ["CPUExecutionProvider"]) is None
