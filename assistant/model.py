"""The MILM on ONNX Runtime: tokenizer, frame preprocessing and one batched inference call.

Everything the runtime must agree on with training (labels, vocabulary, tokenizer and image
settings) is read from the ONNX file's metadata, and the label lists are checked against
`assistant.labels`, so a model and a runtime can never silently mismatch.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

# ONNX Runtime writes telemetry state under ~/.cache unless this is set before import.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from tokenizers import Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordPiece

from assistant.errors import ModelError
from assistant.labels import INTENTS, SLOT_TAGS
from assistant.split_session import SplitSession, load_split

log = logging.getLogger(__name__)

# Image pixels per ONNX Runtime call, summed over its rows (one 128x128 frame).
ROW_PIXELS = 128 * 128
REQUIRED_METADATA = ("intents", "slot_tags", "vocab", "tokenizer", "image", "version",
                     "data_digest")


def shipped_model_path() -> Path:
    """The model that ships inside the package."""
    return Path(str(resources.files("assistant") / "models" / "milm.onnx"))


@dataclass(frozen=True)
class ImageSettings:
    """How a frame must be prepared for the image encoder (from the model metadata)."""

    height: int
    width: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    grid: tuple[int, int]  # (rows, cols) of image regions the grounding head scores


@dataclass(frozen=True)
class ModelOutput:
    """What the model says about one utterance."""

    intent_probs: npt.NDArray[np.float32]  # (n_intents,)
    tokens: tuple[str, ...]  # word pieces, without [CLS]/[SEP]
    offsets: tuple[tuple[int, int], ...]  # character span of each piece in the text
    tags: tuple[str, ...]  # slot tag per piece
    grounding: npt.NDArray[np.float32]  # (m,) attention over image regions, sums to 1
    image_present: bool

    @property
    def intent(self) -> str:
        return INTENTS[int(np.argmax(self.intent_probs))]

    @property
    def confidence(self) -> float:
        return float(np.max(self.intent_probs))


def _area_taps(n_in: int, n_out: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """Shrinking `n_in` pixels to `n_out`, each output pixel averages the span it covers:
    the input pixels it reads, (n_out, k), and the share of each."""
    scale = n_in / n_out
    lo = np.arange(n_out, dtype=np.float64) * scale
    first = np.floor(lo).astype(np.intp)
    taps = first[:, None] + np.arange(int(np.ceil(scale)) + 1)[None, :]
    cover = np.minimum(lo[:, None] + scale, taps + 1) - np.maximum(lo[:, None], taps)
    weights = np.where(taps < n_in, np.clip(cover, 0.0, None) / scale, 0.0)
    return np.minimum(taps, n_in - 1), weights.astype(np.float32)


def shrink(image: npt.NDArray[np.uint8], width: int, height: int) -> npt.NDArray[np.uint8]:
    """Resize an (H, W, C) uint8 image as OpenCV's INTER_AREA does, which the model was
    trained with (equal, or 1 apart on under 1 % of values; tests/test_runtime_model.py).
    In numpy because importing OpenCV costs `parse` 14 MiB of its 150 MB for this alone;
    a frame smaller than the model's input, which no camera gives, goes to OpenCV."""
    h, w = image.shape[:2]
    if h < height or w < width:
        import cv2

        return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA),
                          np.uint8)
    rows_at, row_w = _area_taps(h, height)
    cols_at, col_w = _area_taps(w, width)
    rows = np.zeros((height, w, image.shape[2]), np.float32)
    for k in range(rows_at.shape[1]):
        rows += row_w[:, k, None, None] * image[rows_at[:, k]].astype(np.float32)
    small = np.zeros((height, width, image.shape[2]), np.float32)
    for k in range(cols_at.shape[1]):
        small += col_w[None, :, k, None] * rows[:, cols_at[:, k]]
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def _softmax(x: npt.NDArray[np.float32], axis: int = -1) -> npt.NDArray[np.float32]:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out: npt.NDArray[np.float32] = (e / e.sum(axis=axis, keepdims=True)).astype(np.float32)
    return out


def _providers(choice: str) -> list[str]:
    available = ort.get_available_providers()
    if choice == "cpu":
        return ["CPUExecutionProvider"]
    if choice == "cuda" and "CUDAExecutionProvider" not in available:
        log.warning("CUDA requested but onnxruntime has no CUDA provider here; using the CPU")
    wanted = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return [p for p in wanted if p in available] or ["CPUExecutionProvider"]


class MilmModel:
    """One ONNX Runtime session of the MILM plus the tokenizer its metadata describes."""

    def __init__(self, path: Path | None = None, *, providers: str = "auto",
                 threads: int = 1) -> None:
        self.path = Path(path) if path is not None else shipped_model_path()
        if not self.path.is_file():
            raise ModelError(f"{self.path}: model file not found (run `python -m "
                             "export.build_model` or set model.path in devices.yaml)")
        started = time.perf_counter()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # No arena: memory goes back after each call; a parse process stays small.
        options.enable_cpu_mem_arena = False
        # No memory pattern either: it plans one block for a call's peak, per input shape
        # (text lengths vary), and cost 9 MB of peak RSS with the image trunk.
        options.enable_mem_pattern = False
        self.session: Any = load_split(self.path, options, _providers(providers))
        if self.session is None:
            try:
                self.session = ort.InferenceSession(str(self.path), options,
                                                    providers=_providers(providers))
            except Exception as exc:  # ORT raises its own untyped exceptions
                raise ModelError(f"{self.path}: cannot load ONNX model: "
                                 f"{str(exc).splitlines()[0]}") from exc
        meta = self.session.get_modelmeta().custom_metadata_map
        missing = [k for k in REQUIRED_METADATA if k not in meta]
        if missing:
            raise ModelError(f"{self.path}: metadata lacks {', '.join(missing)}")
        self.metadata = meta
        if tuple(json.loads(meta["intents"])) != INTENTS:
            raise ModelError(f"{self.path}: intent labels differ from this runtime's")
        if tuple(json.loads(meta["slot_tags"])) != SLOT_TAGS:
            raise ModelError(f"{self.path}: slot tags differ from this runtime's")
        self.version = meta["version"]
        self.tokenizer, self.max_length, self.special_ids = _build_tokenizer(
            meta["vocab"], json.loads(meta["tokenizer"]))
        img: dict[str, Any] = json.loads(meta["image"])
        self.image = ImageSettings(height=int(img["height"]), width=int(img["width"]),
                                   mean=tuple(img["mean"]), std=tuple(img["std"]),
                                   grid=(int(img["grid"][0]), int(img["grid"][1])))
        self._blank = np.zeros((3, self.image.height, self.image.width), np.float32)
        # Rows per ONNX Runtime call. The whole graph encodes a frame for every row, and
        # those activations grow with rows x pixels (16 rows at 128x128 took 40 MB more
        # than one); split, it encodes each distinct frame once, one at a time, and the
        # text part's memory still grows with rows (16 took 17 MB more than 4).
        self.max_rows = 4 if isinstance(self.session, SplitSession) else \
            max(1, ROW_PIXELS // (self.image.height * self.image.width))
        self.load_ms = (time.perf_counter() - started) * 1000
        log.info("model %s v%s loaded in %.0f ms on %s", self.path.name, self.version,
                 self.load_ms, self.session.get_providers()[0])

    def prepare_image(self, bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
        """A BGR uint8 frame -> normalised (3, H, W) float32 RGB, as the metadata says."""
        if bgr.ndim != 3 or bgr.shape[2] != 3:
            raise ValueError(f"expected an (H, W, 3) BGR frame, got shape {bgr.shape}")
        small = shrink(bgr, self.image.width, self.image.height)
        rgb = small[:, :, ::-1].astype(np.float32) / 255.0
        mean = np.asarray(self.image.mean, np.float32)
        std = np.asarray(self.image.std, np.float32)
        return np.ascontiguousarray(((rgb - mean) / std).transpose(2, 0, 1))  # (3, H, W)

    def infer(self, texts: Sequence[str],
              images: Sequence[npt.NDArray[np.uint8] | None] | None = None
              ) -> list[ModelOutput]:
        """Run one batch; `images[i]` is a BGR frame or None (camera absent)."""
        if not texts:
            return []
        frames = list(images) if images is not None else [None] * len(texts)
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        cls_id, sep_id, pad_id = self.special_ids
        width = self.max_length - 2
        # Over the model's length, the end is kept: a command comes after its preamble
        # ("so I had a long day ... could you turn on the lamp"), and a cut starts a word.
        firsts = [first_kept(e.tokens, width) for e in encodings]
        pieces = [e.ids[k:] for e, k in zip(encodings, firsts, strict=True)]
        seq = max(len(p) for p in pieces) + 2
        ids = np.full((len(texts), seq), pad_id, np.int64)
        mask = np.zeros((len(texts), seq), np.int64)
        for row, p in enumerate(pieces):
            ids[row, : len(p) + 2] = [cls_id, *p, sep_id]
            mask[row, : len(p) + 2] = 1
        prepared: dict[int, npt.NDArray[np.float32]] = {}  # a frame rows share: once
        for f in frames:
            if f is not None and id(f) not in prepared:
                prepared[id(f)] = self.prepare_image(f)
        image = np.stack([self._blank if f is None else prepared[id(f)] for f in frames])
        present = np.asarray([f is not None for f in frames], np.float32)
        parts = [self.session.run(
            ["intent_logits", "slot_logits", "grounding_logits"],
            {"input_ids": ids[at:at + self.max_rows], "attention_mask": mask[at:at + self.max_rows],
             "image": image[at:at + self.max_rows],
             "image_present": present[at:at + self.max_rows]})
            for at in range(0, len(texts), self.max_rows)]
        intent_logits, slot_logits, grounding_logits = (
            np.concatenate([part[k] for part in parts]) for k in range(3))
        intent_probs = _softmax(intent_logits)
        grounding = _softmax(grounding_logits)
        tag_ids = slot_logits.argmax(-1)
        outputs = []
        for row, enc in enumerate(encodings):
            n, k = len(pieces[row]), firsts[row]
            outputs.append(ModelOutput(
                intent_probs=intent_probs[row],
                tokens=tuple(enc.tokens[k:]),
                offsets=tuple(enc.offsets[k:]),
                tags=tuple(SLOT_TAGS[int(t)] for t in tag_ids[row, 1 : n + 1]),
                grounding=grounding[row],
                image_present=bool(present[row]),
            ))
        return outputs


def first_kept(tokens: Sequence[str], width: int) -> int:
    """Index of the first of the last `width` pieces, moved on to a word's first piece
    (training keeps the same pieces: export/dataset.py)."""
    first = max(0, len(tokens) - width)
    while 0 < first < len(tokens) and tokens[first].startswith("##"):
        first += 1
    return first


def _build_tokenizer(vocab_text: str, settings: dict[str, Any]
                     ) -> tuple[Tokenizer, int, tuple[int, int, int]]:
    """The BERT-style WordPiece tokenizer the model was trained with, from its metadata."""
    vocab = {token: i for i, token in enumerate(vocab_text.split("\n"))}
    for key in ("cls", "sep", "pad", "unk"):
        if settings[key] not in vocab:
            raise ModelError(f"tokenizer special token {settings[key]!r} is not in the vocab")
    tokenizer = Tokenizer(WordPiece(vocab, unk_token=settings["unk"],
                                    max_input_chars_per_word=100))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True,
        strip_accents=bool(settings.get("strip_accents", True)),
        lowercase=bool(settings.get("lowercase", True)))
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    special = (vocab[settings["cls"]], vocab[settings["sep"]], vocab[settings["pad"]])
    return tokenizer, int(settings["max_length"]), special
