"""Training and export of the MILM: labels, scenes, the image gate, and a tiny real build.

The slow tests run `python -m export.build_model --tiny` through the same code as the
shipped build (generate, train, evaluate, export, check), then load the result with
ONNX Runtime and with the runtime's own `MilmModel`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from assistant.corpus.example import Span
from assistant.labels import INTENTS, SLOT_TAGS
from export.dataset import bio_labels, load_tokenizer, tokenizer_metadata
from export.milm import MILM, MILMConfig
from export.scenes import grounding_target, render_scene
from export.train import spans_of

TAG = {name: i for i, name in enumerate(SLOT_TAGS)}
TINY = MILMConfig(d_model=32, n_heads=2, n_text_layers=1, d_ff=64, cnn_channels=(8, 8, 16, 16))


def test_slot_labels_follow_the_character_spans() -> None:
    tok = load_tokenizer()
    text = "Dim the Kitchen telly to fifty percent"
    spans = (Span(8, 15, "ROOM"), Span(16, 21, "DEV"), Span(25, 30, "NUM"))
    enc = tok.encode(text, add_special_tokens=False)
    assert enc.tokens == ["dim", "the", "kitchen", "tell", "##y", "to", "fifty", "percent"]
    tags = [SLOT_TAGS[t] for t in bio_labels(enc.offsets, spans)]
    assert tags == ["O", "O", "B-ROOM", "B-DEV", "I-DEV", "O", "B-NUM", "O"]


def test_a_long_utterance_keeps_its_end_as_the_runtime_does() -> None:
    from assistant.corpus.example import Example
    from export.dataset import encode

    tok = load_tokenizer()
    story = "so we went to the shops and then we had lunch with my sister " * 4
    text = story + "turn on the kettle"
    ex = Example(text=text, intent="turn_on", spans=(Span(len(story) + 12, len(text), "DEV"),))
    data = encode([ex], tok, 48, {})
    pieces = tok.encode(text, add_special_tokens=False)
    assert len(pieces.ids) > 46 and data.lengths[0] == 48
    assert list(data.ids[0, 1:47]) == pieces.ids[-46:]  # the end, not the start
    assert [SLOT_TAGS[t] for t in data.slots[0, 45:47]] == ["O", "B-DEV"]


def test_spans_of_reads_bio_like_conlleval() -> None:
    tags = [TAG[t] for t in ("O", "B-DEV", "I-DEV", "I-ROOM", "O", "I-NUM", "B-NUM")]
    assert spans_of(tags) == {(1, 3, "DEV"), (3, 4, "ROOM"), (5, 6, "NUM"), (6, 7, "NUM")}


def test_grounding_target_is_the_zone_area_per_region() -> None:
    target = grounding_target((0.0, 0.0, 1 / 3, 1 / 6)).reshape(6, 6)
    assert target.sum() == pytest.approx(1.0)
    assert target[0, 0] == pytest.approx(0.5) and target[0, 1] == pytest.approx(0.5)
    assert target[1:].sum() == pytest.approx(0.0)


def test_scenes_are_uint8_and_reproducible() -> None:
    zones = {"lamp": (0.05, 0.25, 0.12, 0.55), "tv": (0.38, 0.35, 0.26, 0.25)}
    a = render_scene(np.random.default_rng(3), zones, "tv")
    b = render_scene(np.random.default_rng(3), zones, "tv")
    assert a.dtype == np.uint8 and a.shape == (96, 96, 3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, render_scene(np.random.default_rng(4), zones, "tv"))


def test_a_withheld_frame_changes_nothing_and_grounding_is_uniform() -> None:
    torch.manual_seed(0)
    model = MILM(TINY).eval()
    ids = torch.randint(1000, 5000, (3, 9))
    mask = torch.ones(3, 9, dtype=torch.int64)
    mask[1, 6:] = 0
    absent = torch.zeros(3)
    with torch.inference_mode():
        one = model(ids, mask, torch.randn(3, 3, 96, 96), absent)
        two = model(ids, mask, torch.randn(3, 3, 96, 96), absent)
        seen = model(ids, mask, torch.randn(3, 3, 96, 96), torch.ones(3))
    for x, y in zip(one, two, strict=True):
        assert torch.equal(x, y)
    assert torch.equal(one[2], torch.zeros(3, 36))  # softmax of zeros: uniform
    assert not torch.equal(one[0], seen[0])  # a frame that is shown does count


def test_padding_does_not_change_the_real_tokens() -> None:
    torch.manual_seed(0)
    model = MILM(TINY).eval()
    ids = torch.randint(1000, 5000, (1, 7))
    image, present = torch.randn(1, 3, 96, 96), torch.ones(1)
    padded = torch.cat([ids, torch.zeros(1, 5, dtype=torch.int64)], 1)
    mask = torch.cat([torch.ones(1, 7), torch.zeros(1, 5)], 1).long()
    with torch.inference_mode():
        a = model(ids, torch.ones(1, 7, dtype=torch.int64), image, present)
        b = model(padded, mask, image, present)
    assert torch.allclose(a[0], b[0], atol=1e-5)
    assert torch.allclose(a[1], b[1][:, :7], atol=1e-5)
    assert torch.allclose(a[2], b[2], atol=1e-5)


# --------------------------------------------------------------------------- tiny build


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    from export.build_model import build, parse_args

    out = tmp_path_factory.mktemp("milm")
    metrics = build(parse_args(["--tiny", "--seed", "3", "--out", str(out)]))
    return out / "milm.onnx", out / "report", metrics


def test_the_export_writes_to_its_own_directory_unless_asked_to_ship(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import export.build_model as bm

    args = bm.parse_args([])
    assert args.out == bm.ROOT / "build" / "model" and not args.ship
    assert bm.parse_args(["--ship"]).ship
    # --ship replaces the shipped model and report (here, of a stand-in repository).
    monkeypatch.setattr(bm, "ROOT", tmp_path)
    (tmp_path / "assistant" / "models").mkdir(parents=True)
    (tmp_path / "export" / "report").mkdir(parents=True)
    (tmp_path / "export" / "report" / "old.md").write_text("old")
    out = tmp_path / "out"
    (out / "report").mkdir(parents=True)
    (out / "milm.onnx").write_bytes(b"new model")
    (out / "report" / "report.md").write_text("new")
    bm.ship(out)
    assert (tmp_path / "assistant" / "models" / "milm.onnx").read_bytes() == b"new model"
    assert sorted(p.name for p in (tmp_path / "export" / "report").iterdir()) == ["report.md"]


@pytest.mark.slow
def test_the_same_seed_gives_the_same_onnx_bytes(
        tiny_build: tuple[Path, Path, dict[str, Any]],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    import hashlib

    from export.build_model import build, parse_args

    again = tmp_path_factory.mktemp("again")
    metrics = build(parse_args(["--tiny", "--seed", "3", "--out", str(again)]))
    first = tiny_build[0].read_bytes()
    assert metrics["data_digest"] == tiny_build[2]["data_digest"]
    assert hashlib.sha256((again / "milm.onnx").read_bytes()).hexdigest() == \
        hashlib.sha256(first).hexdigest()


@pytest.mark.slow
def test_tiny_build_writes_model_and_report(tiny_build: tuple[Path, Path, dict[str, Any]]
                                            ) -> None:
    model, report, metrics = tiny_build
    assert model.stat().st_size > 1_000_000
    for name in ("report.md", "metrics.json", "confusion.png", "training_curve.png"):
        assert (report / name).stat().st_size > 0, name
    saved = json.loads((report / "metrics.json").read_text())
    assert saved["seed"] == 3 and saved["data_digest"] == metrics["data_digest"]
    assert max(metrics["parity"].values()) < 1e-4
    # The reported accuracy is the one the held-out predictions give: every held-out
    # example counted once in the confusion matrix, its diagonal the accuracy, the
    # report showing that figure.
    held = metrics["heldout"]
    confusion = np.array(held["confusion"])
    assert confusion.shape == (len(INTENTS), len(INTENTS))
    assert confusion.sum() == held["n"] == metrics["data"]["heldout_examples"] > 0
    assert held["intent_accuracy"] == pytest.approx(np.trace(confusion) / confusion.sum())
    text = (report / "report.md").read_text()
    assert "## Held-out homes" in text
    assert f"| intent accuracy | {100 * held['intent_accuracy']:.1f} %" in text


@pytest.mark.slow
def test_metadata_carries_the_contract(tiny_build: tuple[Path, Path, dict[str, Any]]) -> None:
    import onnxruntime as ort

    model, _, metrics = tiny_build
    meta = ort.InferenceSession(str(model)).get_modelmeta().custom_metadata_map
    assert set(meta) >= {"intents", "slot_tags", "vocab", "tokenizer", "image", "version",
                         "data_digest", "seed", "model_config"}
    assert json.loads(meta["intents"]) == list(INTENTS)
    assert json.loads(meta["slot_tags"]) == list(SLOT_TAGS)
    vocab = meta["vocab"].split("\n")
    assert len(vocab) == 30522 and vocab[0] == "[PAD]" and vocab[101] == "[CLS]"
    assert json.loads(meta["tokenizer"]) == tokenizer_metadata(48)
    image = json.loads(meta["image"])
    assert (image["height"], image["width"], image["grid"]) == (96, 96, [6, 6])
    assert image["channel_order"] == "RGB" and len(image["mean"]) == len(image["std"]) == 3
    assert meta["seed"] == "3" and meta["data_digest"] == metrics["data_digest"]
    assert json.loads(meta["model_config"])["d_model"] == 32


@pytest.fixture(scope="module")
def random_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[MILM, Any]:
    """An untrained tiny model (random frozen table too) and its ONNX Runtime session."""
    import onnxruntime as ort

    from export.build_model import export_onnx

    path = tmp_path_factory.mktemp("random") / "m.onnx"
    torch.manual_seed(0)
    model = MILM(TINY).eval()
    with torch.no_grad():
        model.text.static.normal_()
    export_onnx(model, path, {"version": "test"})
    return model, ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.slow
@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("seq", [5, 40])
def test_dynamic_batch_and_length_match_torch(batch: int, seq: int,
                                              random_export: tuple[MILM, Any]) -> None:
    from export.build_model import OUTPUT_NAMES

    model, session = random_export
    torch.manual_seed(batch * 100 + seq)
    ids = torch.randint(1000, 5000, (batch, seq))
    mask = torch.ones(batch, seq, dtype=torch.int64)
    mask[0, seq - 2 :] = 0
    image = torch.randn(batch, 3, 96, 96)
    present = torch.tensor([1.0, 0.0] * 3)[:batch]
    outs = session.run(OUTPUT_NAMES, {"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                                      "image": image.numpy(), "image_present": present.numpy()})
    with torch.inference_mode():
        refs = model(ids, mask, image, present)
    shapes = [(batch, len(INTENTS)), (batch, seq, len(SLOT_TAGS)), (batch, 36)]
    for out, ref, shape in zip(outs, refs, shapes, strict=True):
        assert out.shape == shape
        assert np.abs(out - ref.numpy()).max() < 1e-4


@pytest.mark.slow
def test_the_runtime_loads_the_tiny_model(tiny_build: tuple[Path, Path, dict[str, Any]]
                                          ) -> None:
    from assistant.model import MilmModel

    model, _, _ = tiny_build
    runtime = MilmModel(model, threads=1)
    texts = ["Turn ON the café lights, please!", "dim the telly", "x" * 5, "word " * 60]
    outputs = runtime.infer(texts)
    tok = load_tokenizer()
    for text, out in zip(texts, outputs, strict=True):
        # Over 46 pieces the end is kept: a command comes after its preamble.
        assert list(out.tokens) == tok.encode(text, add_special_tokens=False).tokens[-46:]
        assert out.intent in INTENTS
        assert out.grounding.shape == (36,)
        assert math.isclose(float(out.grounding.sum()), 1.0, rel_tol=1e-5)
