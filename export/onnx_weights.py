"""Load a shipped MILM ONNX file back into torch: `load_milm(path) -> (MILM, metadata)`.

The dynamo exporter keeps torch names for most initializers (text.pos.weight,
image.cnn.0.weight, ...) but not all: a Linear traced as a MatMul carries its weight
transposed under a generated name (val_19), and constant folding merges the image's row
and column position tables into one (1, m, c) sum. Names alone cannot place those.

So the mapping is learnt, not guessed: a reference MILM of the same config, with a
distinct random value in every parameter, is exported with the same exporter; each of
its initializers is identified by value (a parameter as is, transposed, or the folded
position sum). The two graphs must have the same nodes in the same order (same config,
same exporter): an initializer is then the same parameter when it feeds the same input
of the same node. Anything left over (a parameter no initializer carries, an
initializer that is neither a parameter nor an identical constant) fails with one line.

The reference layout is cached per config and torch version (build/onnx_weights/), so
only the first load of a given model shape pays for the reference export (about 7 s).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from export.milm import MILM, MILMConfig

CACHE_DIR = Path(__file__).resolve().parent.parent / "build" / "onnx_weights"
_POS = "image.row+image.col"  # the folded (1, m, c) position table


class WeightMapError(RuntimeError):
    """The ONNX file cannot be mapped onto the MILM's parameters."""


@dataclass(frozen=True)
class Slot:
    """Where an initializer sits: the `index`-th input of node number `node`."""

    node: int
    index: int


def _config(meta: dict[str, str], path: Path) -> MILMConfig:
    if "model_config" not in meta:
        raise WeightMapError(f"{path}: metadata has no model_config")
    raw: dict[str, Any] = json.loads(meta["model_config"])
    if "cnn_channels" in raw:
        raw["cnn_channels"] = tuple(raw["cnn_channels"])
    try:
        return MILMConfig(**raw)
    except TypeError as exc:
        raise WeightMapError(f"{path}: model_config does not fit MILMConfig: {exc}") from exc


def _arrays(graph: Any) -> dict[str, npt.NDArray[Any]]:
    from onnx import numpy_helper

    return {init.name: numpy_helper.to_array(init) for init in graph.initializer}


def _slots(graph: Any, names: set[str]) -> dict[str, list[Slot]]:
    """Every (node, input) place each initializer feeds, in graph order."""
    out: dict[str, list[Slot]] = {}
    for k, node in enumerate(graph.node):
        for j, name in enumerate(node.input):
            if name in names:
                out.setdefault(name, []).append(Slot(k, j))
    return out


def _digest(value: npt.NDArray[Any]) -> str:
    return hashlib.sha256(f"{value.dtype}{value.shape}".encode() + value.tobytes()).hexdigest()


def _cache_key(cfg: MILMConfig) -> str:
    text = json.dumps(cfg.to_dict(), sort_keys=True) + torch.__version__
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _candidates(model: MILM) -> dict[str, npt.NDArray[Any]]:
    """Every tensor an initializer may be, keyed 'name', 'name:T' or the folded positions."""
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    out: dict[str, npt.NDArray[Any]] = {}
    for name, value in state.items():
        out[name] = value
        if value.ndim == 2:
            out[name + ":T"] = value.T
    row, col = state["image.row"], state["image.col"]
    g, c = row.shape
    out[_POS] = (row[:, None, :] + col[None, :, :]).reshape(1, g * g, c)
    return out


def _reference_map(cfg: MILMConfig) -> tuple[Any, dict[str, str]]:
    """Export a random-valued reference model; map its initializers to parameter keys."""
    import onnx

    from export.build_model import export_onnx

    torch.manual_seed(12345)
    ref = MILM(cfg)
    with torch.no_grad():
        for p in ref.parameters():
            p.copy_(torch.randn_like(p))  # distinct values: identification by value is safe
        ref.text.static.copy_(torch.randn(ref.text.static.shape).to(ref.text.static.dtype))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ref.onnx"
        export_onnx(ref, path, {})
        proto = onnx.load(str(path))
    cands = _candidates(ref)
    by_shape: dict[tuple[int, ...], list[str]] = {}
    for key, value in cands.items():
        by_shape.setdefault(tuple(value.shape), []).append(key)
    names: dict[str, str] = {}
    for init_name, value in _arrays(proto.graph).items():
        if value.dtype.kind != "f" or value.size < 2:
            continue  # shapes, indices and scalar constants
        for key in by_shape.get(tuple(value.shape), []):
            if np.array_equal(cands[key].astype(value.dtype), value):
                names[init_name] = key
                break
    return proto, names


def reference_layout(cfg: MILMConfig) -> dict[str, Any]:
    """What this exporter's graph of `cfg` looks like: node op types, which parameter
    feeds each (node, input) place, and a digest of every other constant by place.
    Cached in build/onnx_weights/ per config and torch version."""
    cache = CACHE_DIR / f"{_cache_key(cfg)}.json"
    if cache.is_file():
        cached: dict[str, Any] = json.loads(cache.read_text())
        return cached
    ref, names = _reference_map(cfg)
    arrays = _arrays(ref.graph)
    place: dict[str, str] = {}
    constants: dict[str, str] = {}
    for name, slots in _slots(ref.graph, set(arrays)).items():
        for slot in slots:
            where = f"{slot.node}:{slot.index}"
            if name in names:
                place[where] = names[name]
            else:
                constants[where] = _digest(arrays[name])
    layout = {"ops": [n.op_type for n in ref.graph.node], "place": place,
              "constants": constants}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(layout))
    return layout


def weight_map(proto: Any, cfg: MILMConfig) -> dict[str, str]:
    """initializer name in `proto` -> parameter key ('name', 'name:T' or the folded pos)."""
    layout = reference_layout(cfg)
    if layout["ops"] != [n.op_type for n in proto.graph.node]:
        raise WeightMapError("the ONNX graph differs from this exporter's graph of the same "
                             "config (another torch version?): cannot place its weights")
    arrays = _arrays(proto.graph)
    mapping: dict[str, str] = {}
    for name, slots in _slots(proto.graph, set(arrays)).items():
        places = [f"{s.node}:{s.index}" for s in slots]
        keys = {layout["place"][p] for p in places if p in layout["place"]}
        if len(keys) > 1:
            raise WeightMapError(f"initializer {name} feeds places of several parameters: "
                                 f"{', '.join(sorted(keys))}")
        if keys and all(p in layout["place"] for p in places):
            mapping[name] = keys.pop()
        elif keys or any(layout["constants"].get(p) != _digest(arrays[name]) for p in places):
            raise WeightMapError(f"initializer {name} {list(arrays[name].shape)} matches no "
                                 "MILM parameter and is not a constant of the exporter")
    return mapping


def _split_pos(pos: npt.NDArray[np.float32], g: int) -> tuple[npt.NDArray[np.float32],
                                                               npt.NDArray[np.float32]]:
    """(1, g*g, c) = row[r] + col[q] -> row, col (least squares: the sum is all that counts)."""
    p = pos.reshape(g, g, -1).astype(np.float64)
    mean = p.mean(axis=(0, 1))
    row = p.mean(axis=1) - mean / 2
    col = p.mean(axis=0) - mean / 2
    if np.abs(row[:, None] + col[None] - p).max() > 1e-5:
        raise WeightMapError("the folded image position table is not a row + column sum")
    return row.astype(np.float32), col.astype(np.float32)


def load_milm(path: Path) -> tuple[MILM, dict[str, str]]:
    """The MILM in `path` as a torch module (eval mode) and the file's metadata."""
    import onnx

    path = Path(path)
    if not path.is_file():
        raise WeightMapError(f"{path}: no such ONNX file")
    proto = onnx.load(str(path))
    meta = {p.key: p.value for p in proto.metadata_props}
    cfg = _config(meta, path)
    mapping = weight_map(proto, cfg)
    arrays = _arrays(proto.graph)
    model = MILM(cfg)
    state = model.state_dict()
    loaded: dict[str, torch.Tensor] = {}
    for init_name, key in mapping.items():
        value = arrays[init_name]
        if key == _POS:
            row, col = _split_pos(value, cfg.grid)
            loaded["image.row"], loaded["image.col"] = torch.from_numpy(row), torch.from_numpy(col)
            continue
        name = key.removesuffix(":T")
        tensor = torch.from_numpy(np.array(value.T if key.endswith(":T") else value))
        if name in loaded and not torch.equal(loaded[name], tensor):
            raise WeightMapError(f"{path}: two initializers disagree on {name}")
        loaded[name] = tensor
    missing = sorted(set(state) - set(loaded))
    if missing:
        raise WeightMapError(f"{path}: no initializer for parameter(s) {', '.join(missing)}")
    for name, tensor in loaded.items():
        if tuple(tensor.shape) != tuple(state[name].shape):
            raise WeightMapError(f"{path}: {name} has shape {tuple(tensor.shape)}, the model "
                                 f"wants {tuple(state[name].shape)}")
        loaded[name] = tensor.to(state[name].dtype)
    model.load_state_dict(loaded, strict=True)
    model.eval()
    return model, meta


def parity(model: MILM, path: Path, feeds: dict[str, npt.NDArray[Any]]) -> dict[str, float]:
    """Max |ORT - torch| per output on the given inputs."""
    from export.build_model import OUTPUT_NAMES, ort_session

    outs = ort_session(path).run(OUTPUT_NAMES, feeds)
    model.eval()
    with torch.inference_mode():
        refs = model(*(torch.from_numpy(feeds[k]) for k in
                       ("input_ids", "attention_mask", "image", "image_present")))
    return {name: float(np.abs(o - r.numpy()).max())
            for name, o, r in zip(OUTPUT_NAMES, outs, refs, strict=True)}
