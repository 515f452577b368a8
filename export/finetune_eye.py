"""Fine-tune the MILM's image side on room-like frames: `python -m export.finetune_eye`.

    python -m export.finetune_eye --init assistant/models/milm.onnx --out build/eye \
        [--captured DIR ...] [--minutes N] [--steps N] [--ship]

The shipped model's text side (embeddings, text encoder, fusion layer, intent and slot
heads) is good and stays frozen; its image side learnt on coloured boxes. This loads the
shipped ONNX back into torch (export/onnx_weights.py), trains only the image encoder,
the cross-attention block and the grounding head, and exports a new ONNX with the same
metadata (plus an `eye_finetune` record).

Why the no-frame path cannot change: with `image_present` = 0 the cross block adds
`0 * (...)` to the text states and the grounding logits are multiplied by 0, so intent and
slots depend only on frozen parameters. The script checks it anyway: the exported model's
no-frame outputs must equal the initial model's (ONNX Runtime on both files).

Losses: the main training's (intent, slots, grounding cross-entropy against the zone's
area shares) plus two on the resolver's own zone scores (see eye_losses): the target's
score, and its share of all the camera's zone scores, so the grounding is firm enough
for the resolver to act and clear of neighbouring zones.

Training data: the main training's examples (assistant.corpus via
export.build_model.make_data, same seed and homes as the shipped model), only those whose
speaker a camera sees, every one shown a frame (a withheld frame gives no gradient to the
trained parameters). Frames come from export.scenes_real.render_real_scene(split="train")
(mixed, one renderer per frame, with export.scenes_alt, scenes_alt2, scenes_alt3 and
scenes_alt4: --renderers)
and go through the runtime's preprocessing (assistant/model.py: INTER_AREA resize to
96x96, /255, the metadata's mean and std). A pointing example ("turn that on") gets the
person pointing at or standing by its device, the grounding target being that device's
zone; another camera example gets a person at a random device zone (that zone the
target) half the time, an empty room otherwise. Frames captured in the home
(`assistant capture`, manifest.jsonl) are mixed in, oversampled, with pointing texts.

Evaluation (same run, same frames for both models): on held-out homes' pointing
examples, frames rendered with split="heldout", the device the resolver's zone score
picks (assistant.resolve.zone_scores) for the initial and the fine-tuned model; intent
and exact match of the other camera examples with and without their frame.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import importlib
import json
import logging
import math
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F  # noqa: N812 (the conventional torch alias)

from assistant.capture_cli import ManifestEntry, read_manifest
from assistant.config import HomeConfig, Policy, load_config
from assistant.corpus.example import Example
from assistant.corpus.homes import reference_home
from assistant.corpus.training import SHIPPED
from assistant.errors import AssistantError
from assistant.resolve import zone_scores
from export.build_model import (
    DataConfig,
    export_onnx,
    make_data,
    ort_session,
    run_with_tunables,
)
from export.dataset import Batch, Encoded, ImageNorm, encode, load_tokenizer, make_batch
from export.milm import MILM
from export.onnx_weights import WeightMapError, load_milm, parity
from export.scene_sources import TRAINING_RENDERERS
from export.scenes import Box, grounding_target, render_scene
from export.train import TrainConfig

log = logging.getLogger("export.finetune_eye")
ROOT = Path(__file__).resolve().parent.parent
RenderFn = Callable[..., npt.NDArray[np.uint8]]
# The parameters fine-tuning may change: all of them drop out when image_present is 0.
TRAINED_PREFIXES = ("image.", "cross.", "ground_query", "ground_q.", "ground_ln.", "ground_k.")
# ImageNet-pretrained layers stay as they are, but for the last --trunk-blocks (at a tenth
# of the rate): a few thousand rendered rooms would wear away what a million photographs
# taught them.
FROZEN_PREFIXES = ("image.trunk.",)
POSES = ("point", "stand")
RESOLVER_THRESHOLD = Policy().grounding_threshold  # what the runtime acts on


# Room renderers by --renderers name: mixing them is what carries the camera over to frames
# made another way.
RENDERERS = TRAINING_RENDERERS


def mixed_renderer(names: Sequence[str]) -> tuple[RenderFn, str]:
    """One of the named renderers per frame, chosen evenly with the frame's own rng."""
    if not names or any(n not in RENDERERS for n in names):
        raise SystemExit(f"--renderers: choose from {', '.join(RENDERERS)}, not "
                         f"{','.join(names) or 'nothing'}")
    if list(names) == ["real"]:
        return renderer()
    fns = [getattr(importlib.import_module(RENDERERS[n][0]), RENDERERS[n][1]) for n in names]

    def mix(rng: np.random.Generator, zones: dict[str, Box], target: str | None, pose: str,
            *, split: str, **kw: Any) -> npt.NDArray[np.uint8]:
        fn = fns[int(rng.integers(len(fns)))]
        return fn(rng, zones, target, pose, split=split, kinds=kw.get("kinds"))  # type: ignore[no-any-return]

    return mix, "mix(" + ", ".join(".".join(RENDERERS[n]) for n in names) + ")"


def renderer() -> tuple[RenderFn, str]:
    """The room-like renderer, or (development only) the box renderer in its signature."""
    try:
        from export.scenes_real import render_real_scene
    except ImportError:
        log.warning("export.scenes_real is missing: falling back to export.scenes boxes "
                    "(a development stand-in; --ship refuses it)")

        def boxes(rng: np.random.Generator, zones: dict[str, Box], target: str | None,
                  pose: str, *, split: str, **_: Any) -> npt.NDArray[np.uint8]:
            del split
            return render_scene(rng, zones, target if pose != "none" else None,
                                person=pose != "none")

        return boxes, "export.scenes.render_scene"
    return render_real_scene, "export.scenes_real.render_real_scene"


def runtime_frame(rgb: npt.NDArray[np.uint8], size: int) -> npt.NDArray[np.uint8]:
    """Resize as assistant.model.MilmModel.prepare_image does (INTER_AREA), uint8 RGB."""
    if rgb.shape[:2] == (size, size):
        return rgb
    return np.asarray(cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA), np.uint8)


def normalise(frames: npt.NDArray[np.uint8], present: npt.NDArray[np.float32],
              norm: ImageNorm) -> torch.Tensor:
    """(B, H, W, 3) uint8 RGB -> (B, 3, H, W) as the runtime feeds it; zeros where absent."""
    image = torch.from_numpy(frames).permute(0, 3, 1, 2).float().div_(255.0)
    mean = torch.tensor(norm.mean).view(1, 3, 1, 1)
    std = torch.tensor(norm.std).view(1, 3, 1, 1)
    return (((image - mean) / std) * torch.from_numpy(present).view(-1, 1, 1, 1)).contiguous()


# --------------------------------------------------------------------------- data


@dataclass
class Captured:
    """Frames a home captured, as 96x96 RGB, with the texts they train with."""

    frames: npt.NDArray[np.uint8]  # (K, S, S, 3)
    zones: list[dict[str, Box]]
    target: list[str | None]  # the device pointed at or stood by; None for pose none
    data: Encoded  # one text per frame (a pointing utterance, or another camera one)


@dataclass
class EyeData:
    train: Encoded
    pointing: npt.NDArray[np.int64]  # rows of `train` with a pointed device in the zones
    other: npt.NDArray[np.int64]  # rows with a camera and no pointed device
    held: Encoded
    train_kinds: list[dict[str, str]]  # per row: device id -> "type name" of its home
    held_kinds: list[dict[str, str]]
    home_pointing: npt.NDArray[np.int64]  # pointing rows of the home being fine-tuned for
    home_share: float = 0.0  # share of the pointing rows of a batch drawn from them
    captured: Captured | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _camera_rows(data: Encoded) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    pointing = [i for i, s in enumerate(data.scenes) if s is not None and s.pointed and s.zones]
    other = [i for i, s in enumerate(data.scenes) if s is not None and not s.pointed and s.zones]
    return np.asarray(pointing, np.int64), np.asarray(other, np.int64)


def read_captured(dirs: Sequence[Path], config: HomeConfig) -> list[tuple[Path, ManifestEntry]]:
    """Every entry of the capture folders' manifests, each checked (hostile input)."""
    return [(d, e) for d in dirs for e in read_manifest(d / "manifest.jsonl", config)]


def load_captured(dirs: Sequence[Path], config: HomeConfig, *,
                  pointing_texts: Sequence[Example], other_texts: Sequence[Example], tok: Any,
                  max_len: int, size: int, seed: int,
                  entries: Sequence[tuple[Path, ManifestEntry]] | None = None
                  ) -> Captured | None:
    """Load the frames of the folders' manifests (`entries` if already read) and pair
    each with a training text."""
    if entries is None:
        entries = read_captured(dirs, config)
    if not entries:
        return None
    rng = np.random.default_rng(seed)
    frames, zones, targets, texts = [], [], [], []
    for d, e in entries:
        bgr = cv2.imread(str(d / e.file), cv2.IMREAD_COLOR)
        if bgr is None:
            raise ValueError(f"{d / e.file}: cannot decode the captured frame")
        frames.append(runtime_frame(np.ascontiguousarray(bgr[:, :, ::-1]), size))
        cam = config.cameras[e.camera]
        zones.append({k: (float(v[0]), float(v[1]), float(v[2]), float(v[3]))
                      for k, v in cam.zones.items()})
        pool = pointing_texts if e.pose != "none" else other_texts
        ex = pool[int(rng.integers(len(pool)))]
        # the text is only the words: home, camera and target are the capture's
        texts.append(Example(text=ex.text, intent=ex.intent, spans=ex.spans))
        targets.append(e.device if e.pose != "none" else None)
    data = encode(texts, tok, max_len, {})
    return Captured(np.stack(frames), zones, targets, data)


def prepare(args: argparse.Namespace, max_len: int, size: int, config: HomeConfig,
            captured: Sequence[tuple[Path, ManifestEntry]]) -> EyeData:
    reference = reference_home(args.config)
    dc = DataConfig(train_homes=args.train_homes, per_home=args.per_home,
                    eval_homes=args.eval_homes, eval_per_home=args.eval_per_home,
                    reference_eval=0)
    train_ex, held_ex, _, homes = make_data(args.seed, dc, reference)
    tok = load_tokenizer()
    train = encode(train_ex, tok, max_len, homes)
    held = encode(held_ex, tok, max_len, homes)
    pointing, other = _camera_rows(train)
    kinds = {h.id: {d.id: f"{d.type} {d.name}" for d in h.devices} for h in homes.values()}
    home_rows = np.asarray([r for r in pointing if train_ex[r].home_id == "reference"], np.int64)
    data = EyeData(train, pointing, other, held, [kinds.get(e.home_id, {}) for e in train_ex],
                   [kinds.get(e.home_id, {}) for e in held_ex], home_rows,
                   args.home_share if len(home_rows) else 0.0)
    if args.captured:
        point_ex = [train_ex[i] for i in pointing]
        other_ex = [train_ex[i] for i in other]
        data.captured = load_captured(args.captured, config, pointing_texts=point_ex,
                                      other_texts=other_ex, tok=tok, max_len=max_len,
                                      size=size, seed=args.seed, entries=captured)
    data.counts = {"train_examples": len(train_ex), "pointing": len(pointing),
                   "other_camera": len(other), "held_examples": len(held_ex),
                   "captured": 0 if data.captured is None else len(data.captured.target)}
    return data


def _text_batch(data: Encoded, rows: npt.NDArray[np.int64], rng: np.random.Generator,
                grid: int) -> Batch:
    """Token, slot and intent tensors of `rows` (frames filled in by the caller)."""
    return make_batch(data, rows, ImageNorm((0.0,) * 3, (1.0,) * 3), rng, grid=grid,
                      with_images=False)


def render_rows(data: Encoded, rows: npt.NDArray[np.int64], rng: np.random.Generator,
                render: RenderFn, *, split: str, size: int, grid: int,
                kinds: Sequence[dict[str, str]], person_share: float = 0.5
                ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32],
                           npt.NDArray[np.float32], list[str | None]]:
    """Frames, grounding targets and masks for scene rows; the pointed device per row."""
    frames = np.zeros((len(rows), size, size, 3), np.uint8)
    ground = np.zeros((len(rows), grid * grid), np.float32)
    gmask = np.zeros(len(rows), np.float32)
    targets: list[str | None] = []
    for k, r in enumerate(rows):
        spec = data.scenes[int(r)]
        assert spec is not None
        target = spec.pointed
        if target is None and rng.random() < person_share:
            target = sorted(spec.zones)[int(rng.integers(len(spec.zones)))]
        pose = POSES[int(rng.random() < 0.5)] if target is not None else "none"
        # What each device is (its type and name) helps the renderer draw it; a camera
        # of another home may not say, so half the frames go without.
        hint = kinds[int(r)] if rng.random() < 0.5 else None
        frames[k] = runtime_frame(render(rng, spec.zones, target, pose, split=split,
                                         kinds=hint), size)
        if target is not None:
            ground[k] = grounding_target(spec.zones[target], grid)
            gmask[k] = 1.0
        targets.append(target)
    return frames, ground, gmask, targets


@dataclass
class ZoneCovers:
    """Every zone of each row's camera, as the resolver scores them: (B, Z, m) coverage of
    each region over the zone's best coverage, which zone is the target (-1: none)."""

    covers: torch.Tensor  # (B, Z, m)
    target: torch.Tensor  # (B,) int64
    mask: torch.Tensor  # (B, Z) 1.0 for a real zone


def zone_covers(zones: Sequence[dict[str, Box]], targets: Sequence[str | None],
                grid: int) -> ZoneCovers:
    z = max([1, *(len(zs) for zs in zones)])
    covers = np.zeros((len(zones), z, grid * grid), np.float32)
    mask = np.zeros((len(zones), z), np.float32)
    target = np.full(len(zones), -1, np.int64)
    for b, (zs, t) in enumerate(zip(zones, targets, strict=True)):
        for j, dev in enumerate(sorted(zs)):
            share = grounding_target(zs[dev], grid)
            covers[b, j], mask[b, j] = share / share.max(), 1.0
            if dev == t:
                target[b] = j
    return ZoneCovers(torch.from_numpy(covers), torch.from_numpy(target), torch.from_numpy(mask))


Segment = tuple[Encoded, npt.NDArray[np.int64], int]  # texts, the rows to draw from, how many


def train_batch(data: EyeData, rng: np.random.Generator, render: RenderFn, *, norm: ImageNorm,
                batch_size: int, size: int, grid: int
                ) -> tuple[Batch, ZoneCovers, list[Segment]]:
    """Half pointing rows (`home_share` of them of the home itself), the rest other camera
    rows; a quarter captured frames if any."""
    n_cap = batch_size // 4 if data.captured is not None else 0
    n_point = (batch_size - n_cap) // 2
    n_other = batch_size - n_cap - n_point
    parts: list[Batch] = []
    segments: list[Segment] = []
    all_zones: list[dict[str, Box]] = []
    all_targets: list[str | None] = []
    n_home = round(n_point * data.home_share)
    for src, n in ((data.pointing, n_point - n_home), (data.home_pointing, n_home),
                   (data.other, n_other)):
        if n == 0:
            continue
        rows = rng.choice(src, size=n, replace=len(src) < n)
        segments.append((data.train, src, n))
        b = _text_batch(data.train, rows, rng, grid)
        frames, ground, gmask, targets = render_rows(data.train, rows, rng, render,
                                                     split="train", size=size, grid=grid,
                                                     kinds=data.train_kinds)
        all_zones += [data.train.scenes[int(r)].zones for r in rows]  # type: ignore[union-attr]
        all_targets += targets
        present = np.ones(n, np.float32)
        b.image, b.image_present = normalise(frames, present, norm), torch.from_numpy(present)
        b.ground, b.ground_mask = torch.from_numpy(ground), torch.from_numpy(gmask)
        parts.append(b)
    if n_cap and data.captured is not None:
        cap = data.captured
        rows = rng.integers(0, len(cap.target), n_cap)
        segments.append((cap.data, np.arange(len(cap.target)), n_cap))
        b = _text_batch(cap.data, rows, rng, grid)
        frames = cap.frames[rows].copy()
        # light augmentation of the few real frames: brightness, flip-free noise
        gain = rng.uniform(0.75, 1.25, (n_cap, 1, 1, 1))
        noisy = frames * gain + rng.normal(0, 3, frames.shape)
        frames = np.clip(noisy, 0, 255).astype(np.uint8)
        ground = np.zeros((n_cap, grid * grid), np.float32)
        gmask = np.zeros(n_cap, np.float32)
        for k, r in enumerate(rows):
            t = cap.target[int(r)]
            all_zones.append(cap.zones[int(r)])
            all_targets.append(t)
            if t is not None:
                ground[k], gmask[k] = grounding_target(cap.zones[int(r)][t], grid), 1.0
        present = np.ones(n_cap, np.float32)
        b.image, b.image_present = normalise(frames, present, norm), torch.from_numpy(present)
        b.ground, b.ground_mask = torch.from_numpy(ground), torch.from_numpy(gmask)
        parts.append(b)
    return _concat(parts), zone_covers(all_zones, all_targets, grid), segments


def retext(batch: Batch, segments: Sequence[Segment], rng: np.random.Generator,
           grid: int) -> Batch:
    """The same frames and targets with other texts of the same kind (a pointing frame
    with another pointing utterance): rendering is half of a step's time, and the frame,
    not the words, decides where to look."""
    fresh = _concat([_text_batch(enc, rng.choice(pool, size=n, replace=len(pool) < n), rng,
                                 grid) for enc, pool, n in segments])
    fresh.image, fresh.image_present = batch.image, batch.image_present
    fresh.ground, fresh.ground_mask = batch.ground, batch.ground_mask
    return fresh


def _concat(parts: list[Batch]) -> Batch:
    n = max(int(p.input_ids.shape[1]) for p in parts)

    def pad(t: torch.Tensor, value: int) -> torch.Tensor:
        return torch.nn.functional.pad(t, (0, n - t.shape[1]), value=value)

    return Batch(
        input_ids=torch.cat([pad(p.input_ids, 0) for p in parts]),
        attention_mask=torch.cat([pad(p.attention_mask, 0) for p in parts]),
        image=torch.cat([p.image for p in parts]),
        image_present=torch.cat([p.image_present for p in parts]),
        intents=torch.cat([p.intents for p in parts]),
        slots=torch.cat([pad(p.slots, -100) for p in parts]),
        ground=torch.cat([p.ground for p in parts]),
        ground_mask=torch.cat([p.ground_mask for p in parts]))


# --------------------------------------------------------------------------- training


def eye_losses(model: MILM, batch: Batch, zc: ZoneCovers, cfg: TrainConfig,
               zone_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    """export.train.losses plus two terms on the resolver's own zone scores.

    The cross-entropy against the zone's area shares teaches where to look, but leaves the
    mass spread over neighbouring regions; the resolver acts only on a zone score of at
    least 0.5 and 1.5 times the next zone's (assistant/resolve.py: the mass on the zone's
    regions weighted by their coverage, over the best-covered region's coverage).
    -log(score of the target) pulls the mass onto the zone; -log(its share of all the
    camera's zone scores) pushes it off the neighbours' regions (small zones side by side
    share grid regions: only a precise split of the mass tells them apart).
    """
    intent, slots, ground = model(batch.input_ids, batch.attention_mask, batch.image,
                                  batch.image_present)
    l_intent = F.cross_entropy(intent, batch.intents, label_smoothing=cfg.label_smoothing)
    l_slot = F.cross_entropy(slots.reshape(-1, slots.shape[-1]), batch.slots.reshape(-1),
                             ignore_index=-100)
    has = batch.ground_mask > 0
    if bool(has.any()):
        logp = torch.log_softmax(ground[has], dim=-1)  # (k, m)
        target = batch.ground[has]  # (k, m)
        l_ground = -(target * logp).sum(-1).mean()
        cover = target / target.amax(-1, keepdim=True)
        score = (logp.exp() * cover).sum(-1).clamp(min=1e-6)
        l_zone = -score.log().mean()
        rows = has & (zc.target >= 0)
        probs = torch.softmax(ground[rows], dim=-1)  # (k, m)
        scores = (probs[:, None, :] * zc.covers[rows]).sum(-1) * zc.mask[rows]  # (k, Z)
        mine = scores.gather(1, zc.target[rows][:, None])[:, 0].clamp(min=1e-6)
        l_zone = l_zone - (mine / scores.sum(-1).clamp(min=1e-6)).log().mean()
    else:
        l_ground = l_zone = ground.sum() * 0.0
    total = l_intent + l_slot + cfg.grounding_weight * l_ground + zone_weight * l_zone
    return total, {"intent": l_intent.item(), "slot": l_slot.item(), "ground": l_ground.item(),
                   "zone": l_zone.item()}



def with_backbone(init: MILM, backbone: str, image_size: int,
                  image_layers: int | None = None) -> MILM:
    """A copy of `init` whose image encoder is `backbone` at `image_size` (grid = size /
    stride): every other parameter copied as is; a pretrained trunk loaded from its
    checkpoint; the rest of the new image encoder copied where its shape is the same
    (the region self-attention, the context conv) and freshly initialised otherwise."""
    from export.pretrained_trunk import Lite0Trunk, load_lite0

    grid = init.cfg.grid  # the small CNN pools to any grid
    if backbone != "cnn":
        stride = Lite0Trunk(init.cfg.trunk_blocks).stride
        if image_size % stride:
            raise ValueError(f"--image-size {image_size} is not a multiple of the stride "
                             f"{stride}")
        grid = image_size // stride
    cfg = replace(init.cfg, image_backbone=backbone, image_size=image_size, grid=grid,
                  n_image_layers=image_layers or init.cfg.n_image_layers)
    model = MILM(cfg)
    old = init.state_dict()
    state = model.state_dict()
    for name, value in state.items():
        if name.startswith("image.trunk."):
            continue
        if name in old and old[name].shape == value.shape and not name.startswith("image.cnn."):
            state[name] = old[name].clone()
        elif not name.startswith("image."):
            raise ValueError(f"{name}: the text side does not fit the new image encoder")
    model.load_state_dict(state)
    if model.image.trunk is not None:
        load_lite0(model.image.trunk)  # type: ignore[arg-type]  # a Lite0Trunk by cfg
    model.eval()
    return model


def backbone_norm(model: MILM, meta: dict[str, str]) -> ImageNorm:
    """The pretrained trunk's input scaling, else the one the shipped metadata records."""
    from export.pretrained_trunk import LITE0_MEAN, LITE0_STD

    if model.cfg.image_backbone == "efficientnet-lite0":
        return ImageNorm(LITE0_MEAN, LITE0_STD)
    img = json.loads(meta["image"])
    mean, std = (float(v) for v in img["mean"]), (float(v) for v in img["std"])
    return ImageNorm((next(mean), next(mean), next(mean)), (next(std), next(std), next(std)))


def image_metadata(model: MILM, norm: ImageNorm) -> dict[str, str]:
    """The metadata keys that describe the image input (assistant/model.py reads them)."""
    size, grid = model.cfg.image_size, model.cfg.grid
    return {"image": json.dumps({"height": size, "width": size, "channel_order": "RGB",
                                 "mean": list(norm.mean), "std": list(norm.std),
                                 "grid": [grid, grid]}),
            "model_config": json.dumps(model.cfg.to_dict())}


def _trunk_block(name: str) -> int | None:
    """The block number of a pretrained trunk parameter (-1: its stem), else None."""
    if not name.startswith(FROZEN_PREFIXES):
        return None
    parts = name.split(".")
    return int(parts[3]) if parts[2] == "blocks" else -1


def freeze_text(model: MILM, trunk_blocks: int = 0) -> list[torch.nn.Parameter]:
    """Only the image side trains, and of the pretrained trunk only its last
    `trunk_blocks` blocks; returns the trained parameters."""
    first = model.cfg.trunk_blocks - trunk_blocks  # first trunk block that trains
    trained = []
    for name, p in model.named_parameters():
        block = _trunk_block(name)
        p.requires_grad_(name.startswith(TRAINED_PREFIXES) and (block is None or block >= first))
        if p.requires_grad:
            trained.append(p)
    return trained


def fine_tune(model: MILM, data: EyeData, render: RenderFn, norm: ImageNorm, *, steps: int,
              minutes: float, seed: int, lr: float, batch_size: int,
              zone_weight: float = 1.0, reuse: int = 2, trunk_blocks: int = 0
              ) -> dict[str, Any]:
    """Train in place for `steps` (cosine schedule) or until `minutes` run out; trunk
    blocks that train do so at a tenth of the rate (they start from ImageNet, not noise)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    params = freeze_text(model, trunk_blocks)
    pretrained = {id(p) for n, p in model.named_parameters() if _trunk_block(n) is not None}
    groups = [{"params": [p for p in params if id(p) not in pretrained], "scale": 1.0},
              {"params": [p for p in params if id(p) in pretrained], "scale": 0.1}]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=lr, weight_decay=0.01,
                            betas=(0.9, 0.98))
    cfg = TrainConfig()
    warm = max(1, steps // 20)
    size, grid = model.cfg.image_size, model.cfg.grid
    started = time.perf_counter()
    done, window, curve = 0, [], []
    model.train()
    # Dropout stays off in the frozen text side: its states must be the shipped ones.
    model.text.eval()
    model.fusion.eval()
    model.intent_head.eval()
    for step in range(steps):
        # Progress is steps done or time spent, whichever is further: on a busy machine
        # the schedule still ends (lr -> 0) when the time budget does.
        progress = max(step / steps, (time.perf_counter() - started) / (minutes * 60))
        if progress >= 1:
            log.info("time budget reached after %d of %d steps", step, steps)
            break
        for g in opt.param_groups:
            g["lr"] = lr * g["scale"] * ((step + 1) / warm if step < warm else
                                         0.5 * (1 + math.cos(math.pi * progress)))
        if step % reuse == 0:
            batch, zc, segments = train_batch(data, rng, render, norm=norm,
                                              batch_size=batch_size, size=size, grid=grid)
        else:
            batch = retext(batch, segments, rng, grid)
        loss, parts = eye_losses(model, batch, zc, cfg, zone_weight)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]  # torch stubs leave it untyped
        torch.nn.utils.clip_grad_norm_(params, cfg.clip)
        opt.step()
        window.append([loss.item(), parts["ground"], parts["zone"], parts["intent"]])
        done = step + 1
        if done % 25 == 0:
            mean = np.mean(window, axis=0)
            curve.append({"step": done, "loss": float(mean[0]), "ground": float(mean[1]),
                          "zone": float(mean[2]), "intent": float(mean[3])})
            log.info("step %d/%d loss %.3f ground %.3f zone %.3f intent %.3f (%.0f s)", done,
                     steps,
                     *mean, time.perf_counter() - started)
            window = []
    model.eval()
    return {"steps": done, "planned_steps": steps, "seconds": time.perf_counter() - started,
            "batch_size": batch_size, "lr": lr, "curve": curve}


# --------------------------------------------------------------------------- evaluation


@dataclass
class EvalSet:
    """Fixed inputs both models see: held-out pointing rows with frames, other rows."""

    point_batches: list[tuple[Batch, list[dict[str, Box]], list[str | None]]]
    other_batches: list[Batch]


def eval_set(held: Encoded, render: RenderFn, *, norm: ImageNorm, seed: int, size: int,
             grid: int, n_point: int, n_other: int, kinds: Sequence[dict[str, str]]
             ) -> EvalSet:
    rng = np.random.default_rng(seed + 1)
    pointing, other = _camera_rows(held)
    pointing = rng.permutation(pointing)[:n_point]
    other = rng.permutation(other)[:n_other]
    point_batches = []
    for lo in range(0, len(pointing), 128):
        rows = pointing[lo : lo + 128]
        b = _text_batch(held, rows, rng, grid)
        frames, ground, gmask, targets = render_rows(held, rows, rng, render, split="heldout",
                                                     size=size, grid=grid, person_share=0.0,
                                                     kinds=kinds)
        present = np.ones(len(rows), np.float32)
        b.image, b.image_present = normalise(frames, present, norm), torch.from_numpy(present)
        b.ground, b.ground_mask = torch.from_numpy(ground), torch.from_numpy(gmask)
        zones = [held.scenes[int(r)].zones for r in rows]  # type: ignore[union-attr]
        point_batches.append((b, zones, targets))
    other_batches = []
    for lo in range(0, len(other), 128):
        rows = other[lo : lo + 128]
        b = _text_batch(held, rows, rng, grid)
        frames, _, _, _ = render_rows(held, rows, rng, render, split="heldout", size=size,
                                          grid=grid, kinds=kinds)
        present = np.ones(len(rows), np.float32)
        b.image, b.image_present = normalise(frames, present, norm), torch.from_numpy(present)
        other_batches.append(b)
    return EvalSet(point_batches, other_batches)


@torch.inference_mode()
def evaluate_eye(model: MILM, es: EvalSet) -> dict[str, float]:
    """Correct device on held-out pointing frames (the zone score's arg-max, and the
    resolver's decision: firm and clearly ahead, right or wrong); intent
    and exact match of the other camera examples with and without their frame."""
    model.eval()
    right = firm = wrong = total = 0
    for b, zones, targets in es.point_batches:
        _, _, g = model(b.input_ids, b.attention_mask, b.image, b.image_present)
        probs = torch.softmax(g, -1).numpy()
        for p, z, t in zip(probs, zones, targets, strict=True):
            scores = zone_scores(p, (model.cfg.grid, model.cfg.grid), z)
            ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
            second = scores[ranked[1]] if len(ranked) > 1 else 0.0
            # the resolver's rule (assistant/resolve.py): firm, and clearly ahead
            acts = scores[ranked[0]] >= RESOLVER_THRESHOLD and scores[ranked[0]] >= 1.5 * second
            right += int(ranked[0] == t)
            firm += int(acts and ranked[0] == t)
            wrong += int(acts and ranked[0] != t)
            total += 1
    out: dict[str, float] = {"pointing_n": total,
                             "pointing_device_accuracy": right / max(1, total),
                             "pointing_resolved": firm / max(1, total),
                             "pointing_wrong_device": wrong}
    for label, with_frame in (("with_frame", True), ("no_frame", False)):
        ok_i = ok_x = n = 0
        for b in es.other_batches:
            present = b.image_present if with_frame else torch.zeros_like(b.image_present)
            il, sl, _ = model(b.input_ids, b.attention_mask, b.image, present)
            ok = il.argmax(-1) == b.intents
            tags = sl.argmax(-1)
            slots_ok = ((tags == b.slots) | (b.slots == -100)).all(-1)
            ok_i += int(ok.sum())
            ok_x += int((ok & slots_ok).sum())
            n += len(ok)
        out["other_n"] = n
        out[f"other_intent_{label}"] = ok_i / max(1, n)
        out[f"other_exact_{label}"] = ok_x / max(1, n)
    return out


def no_frame_difference(a: Path, b: Path, batch: Batch, batch_b: Batch | None = None) -> float:
    """Max |outputs of file a - file b| on ONNX Runtime with image_present = 0 (`batch_b`:
    the same texts with frames of b's input size, when the two differ)."""
    outs = []
    for path, bt in ((a, batch), (b, batch_b or batch)):
        feeds = {"input_ids": bt.input_ids.numpy(), "attention_mask": bt.attention_mask.numpy(),
                 "image": bt.image.numpy(),
                 "image_present": np.zeros(len(bt.input_ids), np.float32)}
        outs.append(ort_session(path).run(None, feeds))
    (ia, sa, ga), (ib, sb, gb) = outs
    # Intent and slots must be equal; grounding has one logit per region (the grids may
    # differ) and must be all zeros without a frame.
    return max(float(np.abs(ia - ib).max()), float(np.abs(sa - sb).max()),
               float(np.abs(ga).max()), float(np.abs(gb).max()))


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m export.finetune_eye", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", type=Path, default=ROOT / "assistant" / "models" / "milm.onnx")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "eye")
    p.add_argument("--captured", type=Path, nargs="*", default=[],
                   help="folders written by `assistant capture` (manifest.jsonl + PNGs)")
    p.add_argument("--config", type=Path, default=ROOT / "devices.yaml")
    p.add_argument("--ship", action="store_true",
                   help="replace assistant/models/milm.onnx if the held-out figures improve "
                        "and the no-frame outputs are unchanged")
    p.add_argument("--backbone", choices=("cnn", "efficientnet-lite0"), default=None,
                   help="replace the image encoder (default: keep the initial model's)")
    p.add_argument("--image-size", type=int, default=128,
                   help="input size with a new --backbone (a multiple of its stride)")
    p.add_argument("--trunk-blocks", type=int, default=0,
                   help="fine-tune the last N blocks of the pretrained trunk (default: frozen)")
    p.add_argument("--image-layers", type=int, default=None,
                   help="region self-attention layers with a new --backbone (default: kept)")
    p.add_argument("--renderers", default="real,alt,alt2,alt3,alt4",
                   help="room renderers to mix, one chosen per frame: "
                        f"{', '.join(RENDERERS)} (default: all of them)")
    p.add_argument("--minutes", type=float, default=12.0, help="training time budget")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch-size", type=int, default=48)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--reuse", type=int, default=2,
                   help="steps each rendered batch of frames serves (with other texts)")
    p.add_argument("--zone-weight", type=float, default=1.0,
                   help="weight of -log(the resolver's score of the target zone)")
    p.add_argument("--home-share", type=float, default=0.5,
                   help="share of a batch's pointing rows from the home of --config (its "
                        "zones, training layouts); the rest from the other training homes")
    p.add_argument("--seed", type=int, default=SHIPPED.seed)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--train-homes", type=int, default=SHIPPED.n_homes)
    p.add_argument("--per-home", type=int, default=100,
                   help="utterances per training home (the same homes as the shipped model)")
    p.add_argument("--eval-homes", type=int, default=60)
    p.add_argument("--eval-per-home", type=int, default=200)
    p.add_argument("--eval-pointing", type=int, default=600)
    p.add_argument("--eval-other", type=int, default=600)
    return p.parse_args(argv)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    config = load_config(args.config)
    captured = read_captured(args.captured, config)  # hostile input: checked before anything slow
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    render, render_name = mixed_renderer(args.renderers.split(","))
    init, meta = load_milm(args.init)
    init_norm = backbone_norm(init, meta)
    if args.backbone is not None and args.backbone != init.cfg.image_backbone:
        model = with_backbone(init, args.backbone, args.image_size, args.image_layers)
    else:
        model = copy.deepcopy(init)
    norm = backbone_norm(model, meta)
    size, grid = model.cfg.image_size, model.cfg.grid
    data = prepare(args, model.cfg.max_len, size, config, captured)
    log.info("data: %s", data.counts)
    kw = {"seed": args.seed, "n_point": args.eval_pointing, "n_other": args.eval_other,
          "kinds": data.held_kinds}
    es = eval_set(data.held, render, norm=norm, size=size, grid=grid, **kw)
    # The same scenes and texts at the initial model's input size, scaling and grid
    # (the renderer's draws do not depend on the output size).
    es_init = es if (init.cfg.image_size, init.cfg.grid, init_norm) == (size, grid, norm) else \
        eval_set(data.held, render, norm=init_norm, size=init.cfg.image_size,
                 grid=init.cfg.grid, **kw)
    before = evaluate_eye(init, es_init)
    log.info("initial model: %s", before)
    train_log = fine_tune(model, data, render, norm, steps=args.steps, minutes=args.minutes,
                          seed=args.seed, lr=args.lr, batch_size=args.batch_size,
                          zone_weight=args.zone_weight, reuse=max(1, args.reuse),
                          trunk_blocks=args.trunk_blocks)
    after = evaluate_eye(model, es)
    log.info("fine-tuned: %s", after)
    out = args.out / "milm.onnx"
    record = {"init_sha256": sha256(args.init), "renderer": render_name,
              "steps": train_log["steps"], "seconds": round(train_log["seconds"], 1),
              "seed": args.seed, "lr": args.lr, "zone_weight": args.zone_weight,
              "captured_frames": data.counts["captured"],
              "trained": list(TRAINED_PREFIXES),
              "trunk_blocks_trained": args.trunk_blocks,
              "backbone": model.cfg.image_backbone}
    export_onnx(model, out, {**meta, **image_metadata(model, norm),
                             "eye_finetune": json.dumps(record)})
    probe = es.point_batches[0][0]
    par = {k: max(a, b) for (k, a), b in zip(
        parity(model, out, _feeds(probe, True)).items(),
        parity(model, out, _feeds(probe, False)).values(), strict=True)}
    if max(par.values()) > 1e-4:
        raise RuntimeError(f"ONNX Runtime differs from PyTorch: {par}")
    unchanged = max(no_frame_difference(args.init, out, a, b) for a, b in
                    zip(es_init.other_batches[:2], es.other_batches[:2], strict=True))
    metrics = {"counts": data.counts, "before": before, "after": after, "train": train_log,
               "parity": par, "no_frame_max_difference": unchanged, "record": record,
               "total_seconds": time.perf_counter() - started}
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    log.info("parity %.1e, no-frame difference %.1e, %.0f s", max(par.values()), unchanged,
             metrics["total_seconds"])
    return metrics


def _feeds(b: Batch, with_frame: bool) -> dict[str, npt.NDArray[Any]]:
    present = b.image_present.numpy() if with_frame else np.zeros(len(b.input_ids), np.float32)
    return {"input_ids": b.input_ids.numpy(), "attention_mask": b.attention_mask.numpy(),
            "image": b.image.numpy(), "image_present": present}


def ship(args: argparse.Namespace, metrics: dict[str, Any]) -> None:
    """Replace the shipped model only if it is better on held-out frames and unchanged
    without one."""
    before, after = metrics["before"], metrics["after"]
    problems = []
    if "export.scenes.render_scene" in metrics["record"]["renderer"]:
        problems.append("trained on the development box renderer")
    if after["pointing_resolved"] <= before["pointing_resolved"]:
        problems.append("no better on held-out pointing frames")
    if after["other_intent_with_frame"] < before["other_intent_with_frame"] - 0.005:
        problems.append("worse on commands with a frame")
    if metrics["no_frame_max_difference"] > 0:
        problems.append("no-frame outputs changed")
    if problems:
        raise SystemExit(f"not shipped: {'; '.join(problems)}")
    shutil.copyfile(args.out / "milm.onnx", ROOT / "assistant" / "models" / "milm.onnx")
    shutil.copyfile(args.out / "metrics.json", ROOT / "export" / "report" / "eye_finetune.json")
    log.info("shipped: assistant/models/milm.onnx and export/report/eye_finetune.json replaced")


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("export").setLevel(logging.INFO)
    args = parse_args(argv)
    try:
        metrics = run(args)
    except (AssistantError, WeightMapError, ValueError) as exc:
        raise SystemExit(f"error: {exc}") from None
    if args.ship:
        ship(args, metrics)


if __name__ == "__main__":
    run_with_tunables("export.finetune_eye")
    main()
