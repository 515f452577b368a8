"""The EfficientNet-Lite0 trunk: real ImageNet weights, folded and padded right, and the
MILM built on it keeps the text side's behaviour without a frame."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 (the conventional torch alias)
from skimage import data as skdata

from export.finetune_eye import FROZEN_PREFIXES, freeze_text, with_backbone
from export.milm import MILM, MILMConfig
from export.pretrained_trunk import (
    BN_EPS,
    LITE0_MEAN,
    LITE0_STD,
    Lite0Trunk,
    lite0_weights_path,
    load_lite0,
)

TINY = MILMConfig(d_model=32, n_heads=2, n_text_layers=1, d_ff=64, cnn_channels=(8, 8, 16, 16))


@pytest.fixture(scope="module")
def checkpoint() -> dict[str, torch.Tensor]:
    sd: dict[str, torch.Tensor] = torch.load(lite0_weights_path(), map_location="cpu",
                                             weights_only=True)
    return sd


def _image(rgb: np.ndarray, size: int) -> torch.Tensor:
    x = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    x = (x - np.array(LITE0_MEAN, np.float32)) / np.array(LITE0_STD, np.float32)
    return torch.from_numpy(x).permute(2, 0, 1)[None]


def test_the_stem_is_conv_then_batchnorm_with_tf_same_padding(
        checkpoint: dict[str, torch.Tensor]) -> None:
    trunk = Lite0Trunk(1)
    load_lite0(trunk)
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    # TensorFlow "SAME" for a 3x3 stride-2 conv on an even map pads 0 before, 1 after.
    ref = F.conv2d(F.pad(x, (0, 1, 0, 1)), checkpoint["_conv_stem.weight"], stride=2)
    ref = F.batch_norm(ref, checkpoint["_bn0.running_mean"], checkpoint["_bn0.running_var"],
                       checkpoint["_bn0.weight"], checkpoint["_bn0.bias"], eps=BN_EPS)
    with torch.no_grad():
        ours = trunk.stem(x)
    assert torch.allclose(ours, ref.clamp(0, 6), atol=1e-5)


@torch.no_grad()
def test_the_whole_network_still_recognises_imagenet_photos(
        checkpoint: dict[str, torch.Tensor]) -> None:
    """All 16 blocks plus the checkpoint's own head: a cat is a cat, an espresso an
    espresso. Wrong padding, folding or scaling would break this."""
    trunk = Lite0Trunk(16)
    load_lite0(trunk)
    head_scale = checkpoint["_bn1.weight"] / torch.sqrt(checkpoint["_bn1.running_var"] + BN_EPS)

    def classify(rgb: np.ndarray) -> int:
        f = trunk(_image(rgb, 224))
        f = F.conv2d(f, checkpoint["_conv_head.weight"])
        f = (f - checkpoint["_bn1.running_mean"][None, :, None, None]) * \
            head_scale[None, :, None, None] + checkpoint["_bn1.bias"][None, :, None, None]
        pooled = f.clamp(0, 6).mean((2, 3))
        logits = pooled @ checkpoint["_fc.weight"].T + checkpoint["_fc.bias"]
        return int(logits.argmax())

    assert 281 <= classify(skdata.chelsea()) <= 285  # tabby / tiger / Egyptian cat ...
    assert classify(skdata.coffee()) == 967  # espresso


def test_trunk_sizes_and_bad_depth() -> None:
    trunk = Lite0Trunk(11)
    assert (trunk.out_channels, trunk.stride) == (112, 16)
    assert trunk(torch.zeros(1, 3, 128, 128)).shape == (1, 112, 8, 8)
    with pytest.raises(ValueError, match="trunk_blocks=17"):
        Lite0Trunk(17)


def test_the_grid_must_be_the_image_size_over_the_stride() -> None:
    with pytest.raises(ValueError, match="image_size 100 != grid 8"):
        MILM(MILMConfig(image_backbone="efficientnet-lite0", image_size=100, grid=8))
    with pytest.raises(ValueError, match="image_backbone 'resnet'"):
        MILM(MILMConfig(image_backbone="resnet"))


@torch.no_grad()
def test_a_new_backbone_keeps_the_text_side_and_its_no_frame_outputs() -> None:
    torch.manual_seed(0)
    init = MILM(TINY).eval()
    model = with_backbone(init, "efficientnet-lite0", 64)
    assert (model.cfg.image_size, model.cfg.grid, model.cfg.n_regions) == (64, 4, 16)
    old = init.state_dict()
    for name, value in model.state_dict().items():
        if not name.startswith("image."):
            assert torch.equal(value, old[name]), name
    ids = torch.randint(1000, 2000, (3, 7))
    mask = torch.ones(3, 7, dtype=torch.int64)
    absent = torch.zeros(3)
    a = init(ids, mask, torch.zeros(3, 3, 96, 96), absent)
    b = model(ids, mask, torch.randn(3, 3, 64, 64), absent)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not b[2].any()  # no frame: uniform grounding
    shown = model(ids, mask, torch.randn(3, 3, 64, 64), torch.ones(3))
    assert shown[2].shape == (3, 16) and shown[2].abs().sum() > 0


def test_the_pretrained_trunk_is_frozen_unless_asked() -> None:
    model = with_backbone(MILM(TINY), "efficientnet-lite0", 64)
    names = {n for n, _ in model.named_parameters()}
    trained = {n for n, p in model.named_parameters() if id(p) in {id(q) for q in
                                                                  freeze_text(model)}}
    assert not any(n.startswith(FROZEN_PREFIXES) for n in trained)
    assert {"image.cnn.0.weight", "image.row", "cross.w_i.weight"} <= trained
    assert any(n.startswith(FROZEN_PREFIXES) for n in names)
    last = {n for n, p in model.named_parameters()
            if id(p) in {id(q) for q in freeze_text(model, trunk_blocks=2)}} - trained
    assert last and all(n.startswith(("image.trunk.blocks.9.", "image.trunk.blocks.10."))
                        for n in last)
