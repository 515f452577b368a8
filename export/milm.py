"""The MILM (multimodal interaction language model): modules and its one config.

Text: frozen static word-piece embeddings distilled from MiniLM (see
static_embeddings.py) -> trainable adapter + learned positions -> pre-LN transformer.
Image: ImageNet-pretrained EfficientNet-Lite0 blocks (export/pretrained_trunk.py) and a
1x1 projection, or a small CNN learnt from scratch (4x4 patch stem, 3x3 conv stages), on
a normalised square RGB frame -> a grid x grid lattice of region features (m regions,
c channels) + a 2-d (row + column) position encoding -> self-attention layers over the
regions (where the person points needs more than a 3x3 neighbourhood).
Core: the corrected bidirectional text-image cross-attention of docs/architecture.md,

    S   = (T W_I) I^T + ((I W_T) T^T)^T          # (n, m) per head
    A_t = softmax_over_regions(S / sqrt(c_h))    # token -> regions
    A_i = softmax_over_tokens(S^T / sqrt(c_h))   # region -> tokens
    T'  = T + W_o^T (A_t I)   gated by image_present,   I' = I + W_o^I (A_i T)

with several heads (c_h, d_h: per-head widths), residuals, pre-LayerNorm and a
feed-forward layer on each side (as LXMERT/ALBEF do). The image path is gated by the
`image_present` input, so a dead camera is an input (0.0), never a crash: with it at 0
the text states, and so intent and slots, do not depend on the frame at all, and the
grounding logits are all zero (a uniform distribution). A text self-attention layer after
the cross block spreads what "that" learnt from the image to the rest of the utterance.

Heads: intent logits from [CLS] + masked-mean of the fused text; slot logits per token;
grounding logits over the m regions, from a learned query that attention-pools the fused
text and is matched against the fused region features.

This file holds only nn.Modules and the config: no I/O (nanoGPT style).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F  # noqa: N812 (the conventional torch alias)
from torch import nn

NEG_INF = -1e9  # additive mask value: finite, so fully masked rows stay NaN-free


@dataclass(frozen=True)
class MILMConfig:
    """Everything needed to rebuild the network; stored as JSON in the ONNX metadata."""

    vocab_size: int = 30522  # MiniLM uncased WordPiece
    static_dim: int = 128  # width of the frozen distilled embedding table
    static_fp16: bool = True  # store that table in fp16 (half the file; a Cast after Gather)
    max_len: int = 48  # tokens including [CLS] and [SEP]
    d_model: int = 128  # text width d
    n_heads: int = 4  # heads in text self-attention and in the cross block
    n_text_layers: int = 2  # transformer layers before the cross block
    n_fusion_layers: int = 1  # text self-attention layers after the cross block
    d_ff: int = 256
    dropout: float = 0.1
    image_size: int = 96
    grid: int = 6  # image regions are a grid x grid lattice: m = grid**2
    cnn_channels: tuple[int, ...] = (16, 32, 48, 64)  # stem width, then one stage each
    n_image_layers: int = 1  # self-attention layers over the regions (who points where)
    # "cnn": the small CNN above, learnt from scratch; "efficientnet-lite0": ImageNet-
    # pretrained EfficientNet-Lite0 blocks (export/pretrained_trunk.py) and a 1x1
    # projection to cnn_channels[-1]. The grid is then image_size / the trunk's stride.
    image_backbone: str = "cnn"
    trunk_blocks: int = 11  # Lite0 blocks kept (11: stride 16, 112 channels)
    n_intents: int = 23
    n_slot_tags: int = 9

    @property
    def c_image(self) -> int:
        """Region feature width c (the last CNN stage)."""
        return self.cnn_channels[-1]

    @property
    def n_regions(self) -> int:
        return self.grid * self.grid

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def padding_bias(attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, n) int mask, 1 = token -> (B, 1, 1, n) additive bias for attention scores."""
    return (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * NEG_INF


class SelfAttention(nn.Module):
    def __init__(self, d: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        h = self.n_heads
        q, k, v = self.qkv(x).split(d, dim=2)  # 3 x (B, n, d)
        q = q.view(b, n, h, d // h).transpose(1, 2)  # (B, h, n, d_h)
        k = k.view(b, n, h, d // h).transpose(1, 2)  # (B, h, n, d_h)
        v = v.view(b, n, h, d // h).transpose(1, 2)  # (B, h, n, d_h)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h) + bias, dim=-1)
        out = (att @ v).transpose(1, 2).reshape(b, n, d)  # (B, h, n, n) @ (B, h, n, d_h)
        y: torch.Tensor = self.drop(self.proj(out))  # (B, n, d)
        return y


class FeedForward(nn.Module):
    def __init__(self, d: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.fc = nn.Linear(d, d_ff)
        self.proj = nn.Linear(d_ff, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.drop(self.proj(F.gelu(self.fc(x))))
        return y


class TransformerLayer(nn.Module):
    """Pre-LN self-attention + feed-forward (stable to train from scratch, small data)."""

    def __init__(self, d: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = SelfAttention(d, n_heads, dropout)
        self.ln2 = nn.LayerNorm(d)
        self.ff = FeedForward(d, d_ff, dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), bias)
        y: torch.Tensor = x + self.ff(self.ln2(x))
        return y


class TextEncoder(nn.Module):
    """input_ids (B, n) -> token states T (B, n, d)."""

    static: torch.Tensor  # (vocab, static_dim) frozen buffer

    def __init__(self, cfg: MILMConfig) -> None:
        super().__init__()
        dtype = torch.float16 if cfg.static_fp16 else torch.float32
        # Frozen: a buffer, not a parameter. Filled by MILM.load_static_embeddings().
        self.register_buffer("static", torch.zeros(cfg.vocab_size, cfg.static_dim, dtype=dtype))
        self.adapter = nn.Linear(cfg.static_dim, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_len, cfg.d_model)
        self.ln = nn.LayerNorm(cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList(
            TransformerLayer(cfg.d_model, cfg.n_heads, cfg.d_ff, cfg.dropout)
            for _ in range(cfg.n_text_layers))

    def forward(self, input_ids: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        n = input_ids.shape[1]
        words = self.static[input_ids].to(torch.float32)  # (B, n, static_dim)
        x = self.adapter(words) + self.pos.weight[:n][None]  # (B, n, d)
        x = self.drop(self.ln(x))
        layer: nn.Module
        for layer in self.layers:
            x = layer(x, bias)
        out: torch.Tensor = x  # (B, n, d)
        return out


def small_cnn(cfg: MILMConfig) -> tuple[nn.Sequential, int]:
    """The from-scratch CNN (see ImageEncoder) and its output width."""
    c0 = cfg.cnn_channels[0]
    layers: list[nn.Module] = [nn.Conv2d(3, c0, 4, stride=4), nn.ReLU(),
                               nn.Conv2d(c0, c0, 3, padding=1), nn.ReLU()]
    size, c_in = cfg.image_size // 4, c0
    for c_out in cfg.cnn_channels[1:]:
        stride = 2 if size > cfg.grid else 1
        size = (size + stride - 1) // stride
        layers += [nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1), nn.ReLU(),
                   nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU()]
        c_in = c_out
    return nn.Sequential(*layers), c_in


class ImageEncoder(nn.Module):
    """image (B, 3, H, W) normalised -> region features I (B, m, c) with 2-d positions.

    Backbone "efficientnet-lite0": the pretrained trunk (frozen while fine-tuning the
    eye but for its last blocks, see export/finetune_eye.py) and a trainable 1x1
    projection to c channels.
    Backbone "cnn": a 4x4 stride-4 patch stem (96 -> 24 px) and a 3x3 conv, then one
    stage per further channel width: a 3x3 conv, stride 2 while the map is larger than
    the grid, and a 3x3 conv (ReLU after each). A last 3x3 conv on the grid lets every
    region see its neighbours (a person standing next to a device). About 8 M multiply-adds a frame,
    a third of plain stride-2 stages from full resolution, for the same grid.
    No BatchNorm: absent frames are zeros and would skew its statistics.
    """

    def __init__(self, cfg: MILMConfig) -> None:
        super().__init__()
        c_in = cfg.c_image
        if cfg.image_backbone == "efficientnet-lite0":
            from export.pretrained_trunk import Lite0Trunk

            trunk = Lite0Trunk(cfg.trunk_blocks)
            if cfg.image_size != cfg.grid * trunk.stride:
                raise ValueError(f"image_size {cfg.image_size} != grid {cfg.grid} x the "
                                 f"trunk's stride {trunk.stride}")
            self.trunk: nn.Module | None = trunk
            self.cnn = nn.Sequential(nn.Conv2d(trunk.out_channels, c_in, 1), nn.ReLU())
        elif cfg.image_backbone == "cnn":
            self.trunk = None
            self.cnn, c_in = small_cnn(cfg)
        else:
            raise ValueError(f"image_backbone {cfg.image_backbone!r}: cnn or efficientnet-lite0")
        self.pool = nn.AdaptiveAvgPool2d(cfg.grid)  # identity when the map is grid x grid
        self.context = nn.Conv2d(c_in, c_in, 3, padding=1)
        self.row = nn.Parameter(torch.zeros(cfg.grid, c_in))
        self.col = nn.Parameter(torch.zeros(cfg.grid, c_in))
        nn.init.normal_(self.row, std=0.02)
        nn.init.normal_(self.col, std=0.02)
        self.ln = nn.LayerNorm(c_in)
        self.layers = nn.ModuleList(
            TransformerLayer(c_in, cfg.n_heads, 2 * c_in, cfg.dropout)
            for _ in range(cfg.n_image_layers))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        if self.trunk is not None:
            # A frozen trunk needs no autograd graph: 2-3x less time and memory a step.
            trainable = any(p.requires_grad for p in self.trunk.parameters())
            with torch.set_grad_enabled(torch.is_grad_enabled() and trainable):
                image = self.trunk(image)  # (B, 112, g, g)
        f = self.pool(self.cnn(image))  # (B, c, g, g)
        f = f + F.relu(self.context(f))  # (B, c, g, g)
        c, g = f.shape[1], f.shape[2]
        f = f.flatten(2).transpose(1, 2)  # (B, m, c), region r = row * g + col
        pos = (self.row[:, None, :] + self.col[None, :, :]).reshape(g * g, c)  # (m, c)
        f = self.ln(f + pos[None])  # (B, m, c)
        no_mask = f.new_zeros(1, 1, 1, g * g)
        for layer in self.layers:
            f = layer(f, no_mask)
        out: torch.Tensor = f  # (B, m, c)
        return out


class CrossAttention(nn.Module):
    """The bidirectional text<->image block with the corrected score matrix (see module doc)."""

    def __init__(self, d: int, c: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        if d % n_heads or c % n_heads:
            raise ValueError(f"widths d={d}, c={c} must split into {n_heads} heads")
        self.h = n_heads
        self.ln_t = nn.LayerNorm(d)
        self.ln_i = nn.LayerNorm(c)
        self.w_i = nn.Linear(d, c, bias=False)  # W_I: d x c
        self.w_t = nn.Linear(c, d, bias=False)  # W_T: c x d
        self.out_t = nn.Linear(c, d)  # T_att (c per token) back to the text width
        self.out_i = nn.Linear(d, c)  # I_att (d per region) back to the image width
        self.ff_t = nn.Sequential(nn.LayerNorm(d), FeedForward(d, d_ff, dropout))
        self.ff_i = nn.Sequential(nn.LayerNorm(c), FeedForward(c, 2 * c, dropout))
        self.drop = nn.Dropout(dropout)

    def forward(self, t: torch.Tensor, i: torch.Tensor, token_bias: torch.Tensor,
                gate: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """t (B, n, d), i (B, m, c), token_bias (B, 1, 1, n), gate (B,) -> T', I'."""
        b, n, d = t.shape
        m, c = i.shape[1], i.shape[2]
        h = self.h
        tn, inn = self.ln_t(t), self.ln_i(i)
        t_h = tn.view(b, n, h, d // h).transpose(1, 2)  # (B, h, n, d_h)
        i_h = inn.view(b, m, h, c // h).transpose(1, 2)  # (B, h, m, c_h)
        tw = self.w_i(tn).view(b, n, h, c // h).transpose(1, 2)  # T W_I: (B, h, n, c_h)
        iw = self.w_t(inn).view(b, m, h, d // h).transpose(1, 2)  # I W_T: (B, h, m, d_h)
        s = tw @ i_h.transpose(-1, -2) + (iw @ t_h.transpose(-1, -2)).transpose(-1, -2)
        s = s / math.sqrt(c // h)  # (B, h, n, m)
        a_t = torch.softmax(s, dim=-1)  # over regions: (B, h, n, m)
        a_i = torch.softmax(s.transpose(-1, -2) + token_bias, dim=-1)  # over tokens: (B, h, m, n)
        t_att = (a_t @ i_h).transpose(1, 2).reshape(b, n, c)  # A_t I: (B, n, c)
        i_att = (a_i @ t_h).transpose(1, 2).reshape(b, m, d)  # A_i T: (B, m, d)
        g = gate[:, None, None]  # (B, 1, 1)
        t = t + g * self.drop(self.out_t(t_att))  # (B, n, d): no image -> unchanged
        i = i + self.drop(self.out_i(i_att))  # (B, m, c)
        t = t + g * self.ff_t(t)
        i = i + self.ff_i(i)
        return t, i


class MILM(nn.Module):
    """(input_ids, attention_mask, image, image_present) -> intent, slot, grounding logits."""

    def __init__(self, cfg: MILMConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d, c = cfg.d_model, cfg.c_image
        self.text = TextEncoder(cfg)
        self.image = ImageEncoder(cfg)
        self.cross = CrossAttention(d, c, cfg.n_heads, cfg.d_ff, cfg.dropout)
        self.fusion = nn.ModuleList(
            TransformerLayer(d, cfg.n_heads, cfg.d_ff, cfg.dropout)
            for _ in range(cfg.n_fusion_layers))
        self.ln_f = nn.LayerNorm(d)
        self.intent_head = nn.Sequential(
            nn.Linear(2 * d, d), nn.GELU(), nn.Dropout(cfg.dropout), nn.Linear(d, cfg.n_intents))
        self.slot_head = nn.Linear(d, cfg.n_slot_tags)
        self.ground_query = nn.Parameter(torch.zeros(d))
        self.ground_q = nn.Linear(d, c)
        self.ground_ln = nn.LayerNorm(c)
        self.ground_k = nn.Linear(c, c)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    def load_static_embeddings(self, table: torch.Tensor) -> None:
        """Copy the distilled (vocab, static_dim) table into the frozen buffer."""
        static = self.text.static
        if table.shape != static.shape:
            raise ValueError(f"static table {tuple(table.shape)} != {tuple(static.shape)}")
        with torch.no_grad():
            static.copy_(table.to(static.dtype))

    def trainable_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                image: torch.Tensor, image_present: torch.Tensor,
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """input_ids, attention_mask (B, n) int64; image (B, 3, 96, 96); image_present (B,).

        Returns intent_logits (B, n_intents), slot_logits (B, n, n_slot_tags),
        grounding_logits (B, m).
        """
        bias = padding_bias(attention_mask)  # (B, 1, 1, n)
        mask = attention_mask.to(torch.float32)[:, :, None]  # (B, n, 1)
        gate = image_present.to(torch.float32)  # (B,)
        t = self.text(input_ids, bias)  # (B, n, d)
        if self.training:
            # Nothing depends on the features of a withheld frame (the gate zeroes them
            # out), so training encodes only the frames shown: 3x fewer on our data.
            # Export traces eval mode, which always runs the CNN on the whole batch.
            shown = torch.nonzero(gate > 0)[:, 0]  # (k,)
            i = image.new_zeros(image.shape[0], self.cfg.n_regions, self.cfg.c_image)
            i = i.index_copy(0, shown, self.image(image[shown]))  # (B, m, c)
        else:
            i = self.image(image)  # (B, m, c)
        t, i = self.cross(t, i, bias, gate)
        for layer in self.fusion:
            t = layer(t, bias)
        t = self.ln_f(t)  # (B, n, d)
        mean = (t * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # (B, d)
        intent = self.intent_head(torch.cat([t[:, 0], mean], dim=-1))  # (B, n_intents)
        slots = self.slot_head(t)  # (B, n, n_slot_tags)
        # Grounding: a learned query pools the tokens that say what is pointed at; the
        # pooled text, projected to the image width, scores each fused region.
        w = (t @ self.ground_query) / math.sqrt(t.shape[-1]) + bias[:, 0, 0]  # (B, n)
        pooled = (torch.softmax(w, dim=-1)[:, :, None] * t).sum(1)  # (B, d)
        q = self.ground_q(pooled)  # (B, c)
        k = self.ground_k(self.ground_ln(i))  # (B, m, c)
        ground = (k @ q[:, :, None])[:, :, 0] / math.sqrt(k.shape[-1])  # (B, m)
        return intent, slots, ground * gate[:, None]
