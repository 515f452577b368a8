"""export/onnx_weights.py: the shipped ONNX back in torch, equal to ONNX Runtime."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
import torch
from onnx import numpy_helper

from assistant.model import MilmModel, shipped_model_path
from export import onnx_weights
from export.milm import MILM
from export.onnx_weights import WeightMapError, load_milm, parity
from export.scenes import render_scene

ZONES = {"lamp": (0.05, 0.25, 0.12, 0.55), "tv": (0.38, 0.35, 0.26, 0.25)}
TEXTS = ["turn that on", "switch off the kitchen light please", "dim this one a bit",
         "what's the weather like tomorrow"]


@pytest.fixture(scope="module")
def loaded() -> tuple[MILM, dict[str, str]]:
    torch.set_num_threads(2)
    return load_milm(shipped_model_path())


def runtime_feeds(present: list[float]) -> dict[str, Any]:
    """Real inputs, made the runtime's way: its tokenizer and its frame preprocessing."""
    rt = MilmModel(threads=1)
    enc = rt.tokenizer.encode_batch(TEXTS, add_special_tokens=False)
    cls_id, sep_id, _ = rt.special_ids
    n = max(len(e.ids) for e in enc) + 2
    ids = np.zeros((len(TEXTS), n), np.int64)
    mask = np.zeros((len(TEXTS), n), np.int64)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids) + 2] = [cls_id, *e.ids, sep_id]
        mask[i, : len(e.ids) + 2] = 1
    rng = np.random.default_rng(3)
    frames = [render_scene(rng, ZONES, "lamp" if k % 2 else "tv")[:, :, ::-1].copy()
              for k in range(len(TEXTS))]
    image = np.stack([rt.prepare_image(f) for f in frames])
    return {"input_ids": ids, "attention_mask": mask, "image": image,
            "image_present": np.asarray(present, np.float32)}


def test_torch_equals_onnx_runtime_on_real_inputs(loaded: tuple[MILM, dict[str, str]]) -> None:
    model, meta = loaded
    assert json.loads(meta["model_config"])["d_model"] == model.cfg.d_model
    for present in ([1.0, 1.0, 0.0, 1.0], [0.0] * 4):
        worst = parity(model, shipped_model_path(), runtime_feeds(present))
        assert max(worst.values()) < 1e-4, worst


def test_every_parameter_comes_from_the_file(loaded: tuple[MILM, dict[str, str]]) -> None:
    model, _ = loaded
    proto = onnx.load(str(shipped_model_path()))
    arrays = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    # named ones as they are; the fp16 static table bit for bit
    assert np.array_equal(model.text.pos.weight.detach().numpy(), arrays["text.pos.weight"])
    static = [a for a in arrays.values() if a.dtype == np.float16]
    assert len(static) == 1
    assert model.text.static.dtype == torch.float16
    assert np.array_equal(model.text.static.numpy(), static[0])
    # a fresh model differs from the loaded one in every parameter
    fresh = MILM(model.cfg).state_dict()
    for name, value in model.state_dict().items():
        if name != "text.static" and value.numel() > 1:
            assert not torch.equal(value, fresh[name]), name


def _save_altered(tmp_path: Path, change: Any) -> Path:
    proto = onnx.load(str(shipped_model_path()))
    change(proto)
    path = tmp_path / "altered.onnx"
    onnx.save(proto, str(path))
    return path


def test_an_unknown_initializer_fails_in_one_line(tmp_path: Path) -> None:
    def alter(proto: Any) -> None:
        load_milm(shipped_model_path())  # fill the layout cache
        mapping = onnx_weights.weight_map(proto, onnx_weights._config(
            {p.key: p.value for p in proto.metadata_props}, Path("x")))
        for init in proto.graph.initializer:
            value = numpy_helper.to_array(init)
            if init.name not in mapping and value.dtype == np.float32:
                init.CopyFrom(numpy_helper.from_array(value + 1.5, init.name))
                return
        raise AssertionError("no constant found")

    with pytest.raises(WeightMapError) as err:
        load_milm(_save_altered(tmp_path, alter))
    assert "matches no MILM parameter" in str(err.value) and "\n" not in str(err.value)


def test_a_parameter_without_initializer_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    proto = onnx.load(str(shipped_model_path()))
    cfg = onnx_weights._config({p.key: p.value for p in proto.metadata_props}, Path("x"))
    layout = onnx_weights.reference_layout(cfg)
    # The exporter's layout forgets slot_head.bias: the file's value becomes a "constant".
    bias = next(numpy_helper.to_array(i) for i in proto.graph.initializer
                if i.name == "slot_head.bias")
    place = {k: v for k, v in layout["place"].items() if v != "slot_head.bias"}
    constants = {**layout["constants"], **{k: onnx_weights._digest(bias)
                                           for k in layout["place"] if k not in place}}
    monkeypatch.setattr(onnx_weights, "reference_layout",
                        lambda _: {**layout, "place": place, "constants": constants})
    with pytest.raises(WeightMapError, match=r"no initializer for parameter\(s\) slot_head.bias"):
        load_milm(shipped_model_path())


def test_bad_metadata_fails_in_one_line(tmp_path: Path) -> None:
    def no_config(proto: Any) -> None:
        keep = [p for p in proto.metadata_props if p.key != "model_config"]
        del proto.metadata_props[:]
        proto.metadata_props.extend(keep)

    with pytest.raises(WeightMapError, match="no model_config"):
        load_milm(_save_altered(tmp_path, no_config))

    def odd_config(proto: Any) -> None:
        for p in proto.metadata_props:
            if p.key == "model_config":
                p.value = json.dumps({**json.loads(p.value), "colour": 3})

    with pytest.raises(WeightMapError, match="does not fit MILMConfig"):
        load_milm(_save_altered(tmp_path, odd_config))
    with pytest.raises(WeightMapError, match="no such ONNX file"):
        load_milm(tmp_path / "missing.onnx")
