"""The MILM graph cut in two where the image encoder's output meets the text.

The exported graph runs the image encoder on every row of a call, frame or not: with the
pretrained trunk that is about 1.1 ms a row, for a blank image when the camera is off, and
again for each n-best reading or clause of one request that shares its frame. Cut at the
image-only tensors the rest of the graph reads (the "frontier", found by following which
graph inputs each tensor depends on), the two parts answer exactly as the whole graph
does (the same kernels on the same values), while

- a frame is encoded once per call however many rows share it, one frame at a time;
- a row without a frame takes the frontier of a blank image, computed once at load;
- a call without frames never runs the image encoder.

Cutting needs the `onnx` package and a few copies of the model in memory, so it runs once
per model file in a child process (`python -m assistant.split_session MODEL DIR`) and the
two parts are cached under the cache root (`model-parts/<sha256 of the model>`); the
runtime then loads them with ONNX Runtime alone. `load_split` returns None, and the caller
keeps one session of the whole graph, when anything fails: no `onnx`, a cache it cannot
write, a graph that does not cut cleanly.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cache import cache_root

log = logging.getLogger(__name__)
IMAGE = "image"
CUT_VERSION = 1  # bump when the cut changes (the cache key carries it)
PARTS = ("image.onnx", "text.onnx")
KEEP = 4  # models whose parts stay cached (a benchmark loads two in turn)


class SplitSession:
    """Two ONNX Runtime sessions standing in for one session of the whole graph:
    `run` takes the whole graph's feeds and returns its outputs."""

    def __init__(self, image: Any, text: Any, frontier: Sequence[str]) -> None:
        self.image, self.text, self.frontier = image, text, list(frontier)
        shape = tuple(int(d) for d in image.get_inputs()[0].shape[1:])  # (3, H, W)
        blank = np.zeros((1, *shape), np.float32)
        self.blank = [np.asarray(a) for a in image.run(self.frontier, {IMAGE: blank})]
        self.encoded = 0  # frames run through the image part (tests count them)

    def get_outputs(self) -> Any:
        return self.text.get_outputs()

    def get_providers(self) -> list[str]:
        providers: list[str] = self.text.get_providers()
        return providers

    def get_modelmeta(self) -> Any:
        return self.text.get_modelmeta()

    def run(self, names: Sequence[str] | None, feeds: dict[str, Any]) -> list[Any]:
        image = np.asarray(feeds[IMAGE], np.float32)
        present = np.asarray(feeds["image_present"], np.float32)
        index = np.zeros(len(present), np.int64)  # 0: the blank frame's frontier
        slots: dict[bytes, int] = {}  # a frame's digest -> its slot in the bank
        firsts: list[int] = []  # the first row showing each distinct frame
        for row in np.flatnonzero(present):
            key = hashlib.blake2b(np.ascontiguousarray(image[row]).data).digest()
            if key not in slots:
                slots[key] = len(firsts) + 1
                firsts.append(int(row))
            index[row] = slots[key]
        bank = self.blank
        if firsts:
            # One frame a call: the encoder's activations are most of a call's memory.
            shown = [self.image.run(self.frontier, {IMAGE: image[row:row + 1]})
                     for row in firsts]
            self.encoded += len(shown)
            bank = [np.concatenate([b, *(np.asarray(f[t]) for f in shown)])
                    for t, b in enumerate(self.blank)]
        text_feeds = {k: v for k, v in feeds.items() if k != IMAGE}
        text_feeds.update({name: b[index] for name, b in zip(self.frontier, bank, strict=True)})
        outputs: list[Any] = self.text.run(names, text_feeds)
        return outputs


# --------------------------------------------------------------------------- the cut


def _frontier(graph: Any) -> tuple[list[str], set[str]]:
    """The image-only tensors that other nodes (or outputs) read, and all image-only ones."""
    depends: dict[str, frozenset[str]] = {i.name: frozenset([i.name]) for i in graph.input}
    for node in graph.node:
        deps: frozenset[str] = frozenset()
        for name in node.input:
            deps |= depends.get(name, frozenset())
        for name in node.output:
            depends[name] = deps
    image_only = {t for t, d in depends.items() if d == {IMAGE}}
    frontier = sorted({name for node in graph.node
                       if not all(o in image_only for o in node.output)
                       for name in node.input if name in image_only} |
                      {o.name for o in graph.output if o.name in image_only})
    if not frontier or IMAGE in frontier:
        raise ValueError("no image-only tensor between the image input and the rest")
    return frontier, image_only


def cut(model_path: Path, out_dir: Path) -> list[str]:
    """Write the two parts of the model and the frontier's names into `out_dir`."""
    import onnx
    import onnx.utils
    from onnx import TensorProto

    model = onnx.load(str(model_path))
    graph = model.graph
    frontier, image_only = _frontier(graph)
    types = {v.name: v for v in graph.value_info}
    for name in frontier:
        t = types[name].type.tensor_type if name in types else None
        if t is None or t.elem_type != TensorProto.FLOAT or not t.shape.dim or \
                not t.shape.dim[0].dim_param:
            raise ValueError(f"frontier tensor {name} is not a batch-first float tensor")
    image_part = onnx.utils.Extractor(model).extract_model([IMAGE], frontier)
    del image_part.metadata_props[:]
    onnx.save(image_part, str(out_dir / "image.onnx"))
    del image_part
    # The text part: the graph without its image-only nodes, the frontier as inputs, only
    # the weights it reads, and all the metadata.
    keep = [n for n in graph.node if not all(o in image_only for o in n.output)]
    del graph.node[:]
    graph.node.extend(keep)
    inputs = [i for i in graph.input if i.name != IMAGE]
    del graph.input[:]
    graph.input.extend([*inputs, *(types[name] for name in frontier)])
    used = {name for n in graph.node for name in n.input}
    weights = [w for w in graph.initializer if w.name in used]
    del graph.initializer[:]
    graph.initializer.extend(weights)
    onnx.checker.check_model(model)
    onnx.save(model, str(out_dir / "text.onnx"))
    return frontier


def _digest(path: Path) -> str:
    h = hashlib.sha256(f"cut {CUT_VERSION}\n".encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:32]


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in PARTS)


def parts_for(model_path: Path, cache: Path | None = None) -> Path:
    """The folder with the model's two parts, cut (in a child process) if not cached."""
    root = (cache or cache_root()) / "model-parts"
    final = root / _digest(model_path)
    if _complete(final):
        return final
    shutil.rmtree(final, ignore_errors=True)  # a broken one (a file lost): cut again
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".cut-", dir=root))
    try:
        done = subprocess.run([sys.executable, "-m", "assistant.split_session",
                               str(model_path), str(staging)],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not _complete(staging):
            lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
            raise RuntimeError(lines[-1] if lines else f"exit code {done.returncode}")
        try:
            os.replace(staging, final)  # atomic; fails if another process got there first
        except OSError:
            if not _complete(final):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    cached = sorted((d for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")),
                    key=lambda d: d.stat().st_mtime, reverse=True)
    for old in cached[KEEP:]:  # parts of models replaced since
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return final


def load_split(model_path: Path, options: Any, providers: list[str]) -> SplitSession | None:
    """A SplitSession of the model at `model_path`, or None (one session of the whole
    graph then does the work, slower)."""
    import onnxruntime as ort

    try:
        folder = parts_for(model_path)
        image = ort.InferenceSession(str(folder / "image.onnx"), options, providers=providers)
        text = ort.InferenceSession(str(folder / "text.onnx"), options, providers=providers)
        # The frontier is what the image part gives and the text part takes besides the
        # whole graph's own inputs; two parts that disagree are not used.
        frontier = [o.name for o in image.get_outputs()]
        extra = {i.name for i in text.get_inputs()} - {"input_ids", "attention_mask",
                                                      "image_present"}
        if extra != set(frontier):
            raise ValueError(f"the parts in {folder} do not fit together")
        return SplitSession(image, text, frontier)
    except Exception as exc:  # any failure: the whole graph still works
        log.warning("%s: image encoder not split off (%s); every row encodes its frame",
                    model_path.name, str(exc).splitlines()[0] if str(exc) else type(exc))
        return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m assistant.split_session MODEL.onnx OUT_DIR", file=sys.stderr)
        return 2
    try:
        cut(Path(args[0]), Path(args[1]))
    except Exception as exc:  # one line for the parent's log
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
