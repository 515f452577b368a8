"""Examples -> model tensors: word pieces, BIO slot labels, scenes, batches.

Tokenising follows the runtime (assistant/model.py) exactly: the MiniLM uncased
WordPiece tokenizer without special tokens, the last `max_len - 2` pieces kept (a long
preamble goes, the command at the end stays), then `[CLS] pieces [SEP]`. A piece's slot
label comes from the Example's character spans: the first piece overlapping a span is
`B-KIND`, the following ones `I-KIND`, the rest
`O`; `[CLS]`, `[SEP]` and padding are ignored by the loss (label -100).

Frames are rendered per batch from each example's SceneSpec (Encoded.scenes), so
each epoch sees fresh noise and the data set stays small (uint8 until the batch).
Modality dropout blanks the frame and sets `image_present` to 0 for a share of the
examples that have a camera, so explicit commands never come to rely on the image.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from tokenizers import Tokenizer

from assistant.corpus.example import Example, Span
from assistant.corpus.homes import Home
from assistant.labels import INTENTS, SLOT_TAGS
from assistant.model import first_kept
from export.scenes import SIZE, Box, grounding_target, render_scene
from export.static_embeddings import minilm_dir

IGNORE = -100
TOKENIZER_SETTINGS: dict[str, Any] = {
    "lowercase": True, "strip_accents": True, "cls": "[CLS]", "sep": "[SEP]",
    "pad": "[PAD]", "unk": "[UNK]",
}
_INTENT_ID = {name: i for i, name in enumerate(INTENTS)}
_TAG_ID = {name: i for i, name in enumerate(SLOT_TAGS)}
# MiniLM vocab: ids below 1996 are specials, [unused*] and single characters, ids above
# 29611 only '##' suffix pieces; between lie the word pieces proper (mostly whole words),
# which name noise draws from.
_FIRST_WORD_ID = 1996
_LAST_WORD_ID = 29611


def load_tokenizer() -> Tokenizer:
    """MiniLM's own tokenizer.json, with its padding and truncation switched off."""
    tok = Tokenizer.from_file(str(minilm_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def vocab_lines(tok: Tokenizer) -> list[str]:
    """The vocabulary in id order (metadata `vocab`: line i is id i)."""
    vocab = tok.get_vocab()
    lines = [""] * len(vocab)
    for token, idx in vocab.items():
        lines[idx] = token
    if any(not t for t in lines) or any("\n" in t for t in lines):
        raise ValueError("vocabulary ids are not contiguous or a token holds a newline")
    return lines


def tokenizer_metadata(max_len: int) -> dict[str, Any]:
    return {**TOKENIZER_SETTINGS, "max_length": max_len}


def example_json(ex: Example) -> dict[str, Any]:
    """Canonical JSON-able form of an Example (sorted tags, spans as lists)."""
    d = asdict(ex)
    d["spans"] = [[s.start, s.end, s.kind] for s in ex.spans]
    d["targets"] = list(ex.targets)
    d["tags"] = sorted(ex.tags)
    return d


def data_digest(examples: Iterable[Example]) -> str:
    """sha256 of the examples' canonical JSON, one object per line."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(json.dumps(example_json(ex), sort_keys=True, separators=(",", ":")).encode())
        h.update(b"\n")
    return h.hexdigest()


def bio_labels(offsets: Sequence[tuple[int, int]], spans: Sequence[Span]) -> list[int]:
    """Slot tag id per piece from character spans: first overlapping piece B, then I."""
    labels = [_TAG_ID["O"]] * len(offsets)
    for span in sorted(spans, key=lambda s: s.start):
        first = True
        for k, (start, end) in enumerate(offsets):
            if start < span.end and end > span.start and labels[k] == _TAG_ID["O"]:
                labels[k] = _TAG_ID[("B-" if first else "I-") + span.kind]
                first = False
    return labels


@dataclass(frozen=True)
class SceneSpec:
    """What the camera of an example shows: zones of its room, who is pointed at."""

    zones: dict[str, Box]
    pointed: str | None
    dropout: float  # P(frame withheld in training): modality dropout for this example


@dataclass
class Encoded:
    """N examples as padded arrays (length max_len) plus their scenes."""

    ids: npt.NDArray[np.int64]  # (N, L) piece ids, [PAD] = 0
    lengths: npt.NDArray[np.int64]  # (N,) including [CLS] and [SEP]
    slots: npt.NDArray[np.int64]  # (N, L) slot tag ids, IGNORE on specials and padding
    intents: npt.NDArray[np.int64]  # (N,)
    scenes: list[SceneSpec | None]

    def __len__(self) -> int:
        return len(self.intents)


def scene_for(ex: Example, home: Home | None, pointing_dropout: float,
              default_dropout: float) -> SceneSpec | None:
    """The scene of an example whose speaker a camera sees; None without one.

    The zones are those of the home's first camera in `camera_room`. A pointing
    example whose device has no zone there gets the frame but no grounding target.
    """
    if ex.camera_room is None or home is None:
        return None
    cams = [c for c in home.cameras if c.room == ex.camera_room]
    if not cams:
        return None
    zones = dict(cams[0].zones)
    pointed = ex.pointed_device if ex.pointed_device in zones else None
    return SceneSpec(zones=zones, pointed=pointed,
                     dropout=pointing_dropout if ex.pointed_device else default_dropout)


def _special_id(tok: Tokenizer, token: str) -> int:
    idx = tok.token_to_id(token)
    if idx is None:
        raise ValueError(f"the tokenizer has no {token}")
    return int(idx)


def encode(examples: Sequence[Example], tok: Tokenizer, max_len: int,
           homes: Mapping[str, Home], *, image_dropout: float = 0.4,
           pointing_dropout: float = 0.15) -> Encoded:
    """Tokenise, label and attach scenes (with their modality dropout); order kept.

    Pointing examples are scarce (about 5 %) and are the only ones with a grounding
    target, so their frames are withheld less often than those of other examples;
    their intent must still come from the text alone when the frame is withheld.
    """
    cls_id, sep_id = _special_id(tok, "[CLS]"), _special_id(tok, "[SEP]")
    n = len(examples)
    ids = np.zeros((n, max_len), np.int64)
    slots = np.full((n, max_len), IGNORE, np.int64)
    lengths = np.zeros(n, np.int64)
    encodings = tok.encode_batch([ex.text for ex in examples], add_special_tokens=False)
    for row, (ex, enc) in enumerate(zip(examples, encodings, strict=True)):
        first = first_kept(enc.tokens, max_len - 2)  # the end, as the runtime keeps it
        pieces = enc.ids[first:]
        length = len(pieces) + 2
        ids[row, :length] = [cls_id, *pieces, sep_id]
        slots[row, 1 : length - 1] = bio_labels(enc.offsets[first:], ex.spans)
        lengths[row] = length
    intents = np.array([_INTENT_ID[ex.intent] for ex in examples], np.int64)
    scenes = [scene_for(ex, homes.get(ex.home_id), pointing_dropout, image_dropout)
              for ex in examples]
    return Encoded(ids, lengths, slots, intents, scenes)


@dataclass(frozen=True)
class ImageNorm:
    """Per-channel mean and std of frames scaled to [0, 1] (metadata `image`)."""

    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def measure_norm(data: Encoded, seed: int, n: int = 512) -> ImageNorm:
    """Channel statistics of `n` rendered training frames, rounded to 4 decimals."""
    specs = [s for s in data.scenes if s is not None]
    if not specs:
        return ImageNorm((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(specs), size=min(n, len(specs)), replace=False)
    frames = np.stack([render_scene(rng, specs[i].zones, specs[i].pointed) for i in picks])
    px = frames.reshape(-1, 3).astype(np.float64) / 255.0
    mean = tuple(round(float(v), 4) for v in px.mean(0))
    std = tuple(round(float(v), 4) for v in px.std(0))
    return ImageNorm((mean[0], mean[1], mean[2]), (std[0], std[1], std[2]))


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, n) int64
    attention_mask: torch.Tensor  # (B, n) int64
    image: torch.Tensor  # (B, 3, 96, 96) float32, normalised; zeros where absent
    image_present: torch.Tensor  # (B,) float32
    intents: torch.Tensor  # (B,)
    slots: torch.Tensor  # (B, n)
    ground: torch.Tensor  # (B, m) target distribution (zeros where no target)
    ground_mask: torch.Tensor  # (B,) 1.0 where a grounding target applies


@dataclass(frozen=True)
class Augment:
    """Training-time noise; all off for evaluation."""

    image_dropout: bool = False  # withhold frames at each scene's dropout rate
    # P(the person in a scene of a non-pointing utterance points at a random device zone,
    # which then is the grounding target): the grounding head learns "what the person
    # points at" from every camera example, not only the 5 % of pointing utterances.
    extra_pointing: float = 0.0
    name_noise: float = 0.0  # P(an example's DEV/ROOM pieces get random words swapped in)


def make_batch(data: Encoded, rows: Sequence[int] | npt.NDArray[np.int64], norm: ImageNorm,
               rng: np.random.Generator, *, aug: Augment = Augment(), grid: int = 6,
               with_images: bool = True) -> Batch:
    """Pad to the longest row, render frames, apply augmentation; `rng` drives it all.

    `with_images=False` withholds every frame (the dead-camera condition).
    """
    rows = np.asarray(rows)
    n = int(data.lengths[rows].max())
    ids = data.ids[rows, :n].copy()  # (B, n)
    slots = data.slots[rows, :n]  # (B, n)
    b = len(rows)
    if aug.name_noise > 0:
        swap = rng.random(b) < aug.name_noise
        name = (slots >= _TAG_ID["B-DEV"]) & (slots <= _TAG_ID["I-ROOM"])  # DEV and ROOM
        inside = name & (rng.random(ids.shape) < 0.5) & swap[:, None]
        ids[inside] = rng.integers(_FIRST_WORD_ID, _LAST_WORD_ID + 1, int(inside.sum()))
    mask = (np.arange(n)[None] < data.lengths[rows][:, None]).astype(np.int64)
    frames = np.zeros((b, SIZE, SIZE, 3), np.uint8)
    present = np.zeros(b, np.float32)
    ground = np.zeros((b, grid * grid), np.float32)
    ground_mask = np.zeros(b, np.float32)
    for k, r in enumerate(rows):
        spec = data.scenes[int(r)]
        if spec is None or not with_images or (aug.image_dropout and rng.random() < spec.dropout):
            continue
        pointed = spec.pointed
        if pointed is None and spec.zones and rng.random() < aug.extra_pointing:
            pointed = sorted(spec.zones)[int(rng.integers(len(spec.zones)))]
        frames[k] = render_scene(rng, spec.zones, pointed)
        present[k] = 1.0
        if pointed is not None:
            ground[k] = grounding_target(spec.zones[pointed], grid)
            ground_mask[k] = 1.0
    image = torch.from_numpy(frames).permute(0, 3, 1, 2).float().div_(255.0)  # (B, 3, H, W)
    mean = torch.tensor(norm.mean).view(1, 3, 1, 1)
    std = torch.tensor(norm.std).view(1, 3, 1, 1)
    image = ((image - mean) / std) * torch.from_numpy(present).view(b, 1, 1, 1)
    return Batch(
        input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
        image=image.contiguous(memory_format=torch.channels_last),
        image_present=torch.from_numpy(present), intents=torch.from_numpy(data.intents[rows]),
        slots=torch.from_numpy(np.ascontiguousarray(slots)), ground=torch.from_numpy(ground),
        ground_mask=torch.from_numpy(ground_mask))

