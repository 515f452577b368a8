"""Train, evaluate and export the MILM: `python -m export.build_model`.

One reproducible run (fixed seed; 2 torch threads):

1. generate training examples over many random homes plus the reference home
   (devices.yaml), and held-out examples over homes the training never saw;
2. distil (or load from the cache) the static MiniLM word-piece table;
3. train the MILM (export/milm.py) on text + synthetic camera scenes;
4. evaluate on the held-out homes (with frames, and with every frame withheld, the
   dead-camera case) and on fresh reference-home utterances;
5. export one ONNX file with the metadata the runtime checks, verify ONNX Runtime
   against PyTorch on batches of several lengths with and without frames, measure
   latency, load time and RSS of a torch-free process;
6. write export/report/ (report.md, metrics.json, confusion.png, training_curve.png).

`--tiny` runs the same code with a tiny network and a few hundred examples (tests).

Output goes to `--out` (default `build/model/`: `milm.onnx` and `report/`); the shipped
model (`assistant/models/milm.onnx`) and report (`export/report/`) are replaced only with
`--ship`. The same seed on the same machine and thread count gives a byte-identical ONNX
file: the data, its order, every random draw and torch's algorithms are all fixed.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tokenizers import Tokenizer

from assistant.corpus.example import Example
from assistant.corpus.generate import make_homes
from assistant.corpus.homes import Home, reference_home
from assistant.corpus.training import SHIPPED, held_out_texts, training_examples
from assistant.labels import INTENTS, SLOT_TAGS
from export.dataset import (
    Encoded,
    ImageNorm,
    data_digest,
    encode,
    load_tokenizer,
    make_batch,
    measure_norm,
    tokenizer_metadata,
    vocab_lines,
)
from export.milm import MILM, MILMConfig
from export.static_embeddings import load_static_embeddings
from export.train import TrainConfig, TrainLog, evaluate, predict, train

log = logging.getLogger("export.build_model")
ROOT = Path(__file__).resolve().parent.parent
VERSION = "1"
INPUT_NAMES = ["input_ids", "attention_mask", "image", "image_present"]
OUTPUT_NAMES = ["intent_logits", "slot_logits", "grounding_logits"]
# glibc malloc settings that stop torch's CPU training from returning and re-mapping
# memory on every step (measured about 2x faster on the 2-core build machine).
GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=17179869184"


@dataclass(frozen=True)
class DataConfig:
    """How much data: training homes x utterances each, held-out homes x utterances."""

    train_homes: int = SHIPPED.n_homes
    per_home: int = SHIPPED.per_home
    eval_homes: int = 60
    eval_per_home: int = 50
    reference_eval: int = 600  # fresh reference-home utterances (approximate)


TINY_MODEL = MILMConfig(d_model=32, n_heads=2, n_text_layers=1, n_fusion_layers=1, d_ff=64,
                        cnn_channels=(8, 8, 16, 16))
TINY_DATA = DataConfig(train_homes=8, per_home=40, eval_homes=4, eval_per_home=30,
                       reference_eval=60)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m export.build_model", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=SHIPPED.seed)
    p.add_argument("--out", type=Path, default=ROOT / "build" / "model",
                   help="output directory: milm.onnx and report/ (default build/model)")
    p.add_argument("--ship", action="store_true",
                   help="then replace the shipped model (assistant/models/milm.onnx) and "
                        "report (export/report/) with this build's")
    p.add_argument("--config", type=Path, default=ROOT / "devices.yaml",
                   help="devices.yaml of the reference home (rooms, devices, camera zones)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--examples", type=int, default=None,
                   help="training examples in total (spread over the training homes)")
    p.add_argument("--tiny", action="store_true",
                   help="tiny network, a few hundred examples: the test path")
    p.add_argument("--threads", type=int, default=2, help="torch threads for training")
    return p.parse_args(argv)


# --------------------------------------------------------------------------- data


def make_data(seed: int, dc: DataConfig, reference: Home | None
              ) -> tuple[list[Example], list[Example], list[Example], dict[str, Home]]:
    """(train, held-out, reference-eval) examples and every home by id."""
    # Sentences of the hand-written test sets are never trained on (training.py).
    train_ex = training_examples(seed, dc.train_homes, dc.per_home, reference,
                                 held_out=held_out_texts(ROOT / "tests" / "data"))
    eval_seed = seed + 7919
    held = training_examples(eval_seed, dc.eval_homes, dc.eval_per_home)
    homes = {h.id: h for h in make_homes(seed, dc.train_homes)}
    eval_homes = {h.id: h for h in make_homes(eval_seed, dc.eval_homes)}
    if homes.keys() & eval_homes.keys():
        raise RuntimeError("held-out homes share ids with the training homes")
    homes |= eval_homes
    ref_eval: list[Example] = []
    if reference is not None:
        homes["reference"] = reference
        # generate() writes REFERENCE_SHARE of its examples for the reference home; ask
        # for enough over one throwaway random home and keep only those.
        ref_seed = seed + 104729
        many = training_examples(ref_seed, 1, int(dc.reference_eval / 0.12) + 1, reference)
        ref_eval = [e for e in many if e.home_id == "reference"]
    return train_ex, held, ref_eval, homes


# --------------------------------------------------------------------------- export


def export_onnx(model: MILM, path: Path, metadata: dict[str, str]) -> None:
    """One-file ONNX (dynamo exporter) with dynamic batch and sequence, plus metadata."""
    import onnx

    model.eval()
    cfg = model.cfg
    b, n = 2, 12
    args = (torch.randint(1000, 2000, (b, n)), torch.ones(b, n, dtype=torch.int64),
            torch.zeros(b, 3, cfg.image_size, cfg.image_size), torch.ones(b))
    batch = torch.export.Dim("batch", min=1, max=4096)
    seq = torch.export.Dim("seq", min=1, max=cfg.max_len)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, args, str(path), dynamo=True, external_data=False, verbose=False,
        input_names=INPUT_NAMES, output_names=OUTPUT_NAMES,
        dynamic_shapes={"input_ids": {0: batch, 1: seq}, "attention_mask": {0: batch, 1: seq},
                        "image": {0: batch}, "image_present": {0: batch}})
    proto = onnx.load(str(path))
    for node in proto.graph.node:  # the exporter's stack traces name local source paths
        del node.metadata_props[:]
    del proto.metadata_props[:]
    for key, value in metadata.items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


def ort_session(path: Path, threads: int = 1) -> Any:
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def parity(model: MILM, path: Path, data: Encoded, norm: ImageNorm, seed: int
           ) -> dict[str, float]:
    """Max |ORT - torch| per output over batches of several lengths, with/without frames."""
    session = ort_session(path)
    rng = np.random.default_rng(seed)
    order = np.argsort(data.lengths)
    cases = [order[:1], order[-1:], order[:: max(1, len(order) // 7)][:7],
             rng.choice(len(data), size=min(5, len(data)), replace=False)]
    worst = dict.fromkeys(OUTPUT_NAMES, 0.0)
    model.eval()
    for rows in cases:
        for with_images in (True, False):
            b = make_batch(data, rows, norm, np.random.default_rng(seed), with_images=with_images)
            if with_images:  # make sure frames are really there: show one in every row
                b.image_present = torch.ones_like(b.image_present)
                b.image = torch.randn_like(b.image)
            feeds = {"input_ids": b.input_ids.numpy(), "attention_mask": b.attention_mask.numpy(),
                     "image": b.image.contiguous().numpy(),
                     "image_present": b.image_present.numpy()}
            outs = session.run(OUTPUT_NAMES, feeds)
            with torch.inference_mode():
                refs = model(b.input_ids, b.attention_mask, b.image.contiguous(),
                             b.image_present)
            for name, o, r in zip(OUTPUT_NAMES, outs, refs, strict=True):
                worst[name] = max(worst[name], float(np.abs(o - r.numpy()).max()))
    return worst


def latency(path: Path, data: Encoded, norm: ImageNorm, runs: int = 300) -> dict[str, float]:
    """Median ORT milliseconds on one thread: batch 1 (typical length) and batches of 32."""
    session = ort_session(path, threads=1)
    typical = int(np.argsort(data.lengths)[len(data) // 2])
    rng = np.random.default_rng(0)
    out: dict[str, float] = {}

    def timed(feeds: dict[str, np.ndarray], n: int) -> float:
        for _ in range(10):
            session.run(OUTPUT_NAMES, feeds)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            session.run(OUTPUT_NAMES, feeds)
            times.append(time.perf_counter() - t0)
        return float(np.median(times) * 1000)

    for label, rows, with_images in (("batch1_text_ms", [typical], False),
                                     ("batch1_image_ms", [typical], True),
                                     ("batch32_per_utterance_ms", list(range(32)), True)):
        b = make_batch(data, rows[: len(data)], norm, rng, with_images=with_images)
        if with_images:
            b.image_present = torch.ones_like(b.image_present)
        feeds = {"input_ids": b.input_ids.numpy(), "attention_mask": b.attention_mask.numpy(),
                 "image": b.image.contiguous().numpy(), "image_present": b.image_present.numpy()}
        ms = timed(feeds, runs if len(rows) == 1 else max(20, runs // 10))
        out[label] = ms / len(b.input_ids)
    out["batch1_tokens"] = float(data.lengths[typical])
    return out


_PROBE = """
import os, sys, time
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
t0 = time.perf_counter()
import numpy as np, onnxruntime as ort
t1 = time.perf_counter()
o = ort.SessionOptions(); o.intra_op_num_threads = 1; o.inter_op_num_threads = 1
s = ort.InferenceSession(sys.argv[1], o, providers=["CPUExecutionProvider"])
t2 = time.perf_counter()
s.run(None, {"input_ids": np.array([[101, 2735, 2006, 102]]), "attention_mask": np.ones((1, 4),
      np.int64), "image": np.zeros((1, 3, 96, 96), np.float32),
      "image_present": np.zeros(1, np.float32)})
t3 = time.perf_counter()
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the (large) parent across exec.
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1]
print((t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, int(hwm) / 1024,
      "torch" in sys.modules)
"""


def load_probe(path: Path) -> dict[str, float]:
    """Import, load and first-run times and peak RSS of a fresh torch-free process."""
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "1"}
    res = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True,
                         text=True, check=True, env=env)
    imp, load, first, rss, torch_loaded = res.stdout.split()
    if torch_loaded != "False":
        raise RuntimeError("the probe process imported torch")
    return {"import_ms": float(imp), "load_ms": float(load), "first_run_ms": float(first),
            "rss_mb": float(rss)}


# --------------------------------------------------------------------------- report


def plot_confusion(confusion: list[list[int]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = np.asarray(confusion, np.float64)
    norm = m / np.maximum(m.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(10, 9))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(INTENTS)), INTENTS, rotation=90, fontsize=8)
    ax.set_yticks(range(len(INTENTS)), INTENTS, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Held-out homes: intent confusion (row-normalised, counts in cells)")
    for i in range(len(INTENTS)):
        for j in range(len(INTENTS)):
            if m[i, j]:
                ax.text(j, i, str(int(m[i, j])), ha="center", va="center", fontsize=6,
                        color="white" if norm[i, j] > 0.5 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_curve(log_: TrainLog, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(log_.steps, log_.loss, label="training loss (25-step mean)", color="tab:blue")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    if log_.epochs and "val_intent_accuracy" in log_.epochs[0]:
        ax2 = ax.twinx()
        per_epoch = max(log_.steps) / len(log_.epochs)
        xs = [e["epoch"] * per_epoch for e in log_.epochs]
        for key, style in (("val_intent_accuracy", "o-"), ("val_slot_f1", "s-"),
                           ("val_exact_match", "^-")):
            ax2.plot(xs, [e[key] for e in log_.epochs], style, label=key.replace("_", " "))
        ax2.set_ylabel("held-out (subset)")
        ax2.set_ylim(min(0.5, *(e["val_exact_match"] for e in log_.epochs)), 1.0)
        ax2.legend(loc="lower right", fontsize=8)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("MILM training")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(x: float | None) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f} %"


def write_report(report: Path, m: dict[str, Any]) -> None:
    h, dead, ref = m["heldout"], m["heldout_no_image"], m.get("reference")
    g = h["grounding"]
    lines = [
        "# MILM build report",
        "",
        f"Seed {m['seed']}, {m['data']['train_examples']} training examples over "
        f"{m['data']['train_homes']} random homes + the reference home; held out: "
        f"{m['data']['heldout_examples']} examples over {m['data']['heldout_homes']} "
        "homes never seen in training. Data digest `" + m["data_digest"][:16] + "...`.",
        "",
        "## Held-out homes",
        "",
        "| figure | with frames | every frame withheld |",
        "| --- | --- | --- |",
        f"| intent accuracy | {_pct(h['intent_accuracy'])} | {_pct(dead['intent_accuracy'])} |",
        f"| slot F1 (spans) | {_pct(h['slot_f1'])} | {_pct(dead['slot_f1'])} |",
        f"| exact match (intent + every tag) | {_pct(h['exact_match'])} | "
        f"{_pct(dead['exact_match'])} |",
        f"| none -> command (false accept) | {_pct(h['none_false_accept'])} | "
        f"{_pct(dead['none_false_accept'])} |",
        f"| command -> none (false reject) | {_pct(h['command_false_reject'])} | "
        f"{_pct(dead['command_false_reject'])} |",
        "",
        "Slot F1 per kind: " + ", ".join(f"{k} {_pct(v)}"
                                          for k, v in h["slot_f1_per_kind"].items()) + ".",
        "",
        f"Grounding ({g['n']} pointing examples with a frame): region accuracy "
        f"{_pct(g.get('region_accuracy'))} (arg-max region inside the pointed zone), device "
        f"accuracy {_pct(g.get('device_accuracy'))} (arg-max of the resolver's zone score), "
        f"mass on the pointed zone's regions {_pct(g.get('zone_mass'))}; the resolver's zone "
        f"score of the pointed device averages {g.get('pointed_zone_score', float('nan')):.2f} "
        f"and reaches 0.5 in {_pct(g.get('pointed_zone_score_ge_0.5'))} of cases: a zone "
        "that covers no region fully can never reach 0.5 with that score. Divided by the "
        "best score the zone can reach (all mass on its best-covered region), it reaches 0.5 "
        f"in {_pct(g.get('pointed_zone_score_normalised_ge_0.5'))} of cases.",
        "",
    ]
    if ref:
        lines += [
            f"Reference home (fresh utterances, {ref['n']}): intent "
            f"{_pct(ref['intent_accuracy'])}, slot F1 {_pct(ref['slot_f1'])}, exact match "
            f"{_pct(ref['exact_match'])}, false accept {_pct(ref['none_false_accept'])}.",
            "",
        ]
    lines += ["Per-intent accuracy (held-out, with frames):", "",
              "| intent | n | accuracy |", "| --- | --- | --- |"]
    lines += [f"| {k} | {v['n']} | {_pct(v['accuracy'])} |" for k, v in h["per_intent"].items()]
    lines += ["", "![confusion](confusion.png)", "", "![training curve](training_curve.png)", ""]
    t, lat, probe, par = m["timings"], m["latency"], m["load_probe"], m["parity"]
    mc = m["model_config"]
    lines += [
        "## Model",
        "",
        f"Text: frozen MiniLM-distilled word-piece table ({mc['static_dim']}-d) -> adapter + "
        f"learned positions -> {mc['n_text_layers']} pre-LN transformer layers "
        f"(d={mc['d_model']}, {mc['n_heads']} heads, ff {mc['d_ff']}). Image: 4x4 patch stem "
        f"and 3x3 conv stages {mc['cnn_channels']} -> {mc['grid']}x{mc['grid']} regions, "
        f"2-d positions, {mc['n_image_layers']} region self-attention layer(s). Core: the "
        "bidirectional cross-attention of docs/architecture.md (S = (T W_I) I^T + ((I W_T) T^T)^T, "
        "softmax over regions / over tokens), gated by image_present, then "
        f"{mc['n_fusion_layers']} text self-attention layer(s). Heads: intent from [CLS] + "
        "mean, slots per token, grounding from a learned text query against the regions.",
        "",
        f"{m['parameters']['trainable']:,} trainable parameters + a frozen "
        f"{m['parameters']['static_table']:,}-entry static embedding table "
        f"({m['model_config']['vocab_size']} x {m['model_config']['static_dim']}, "
        f"{'fp16' if m['model_config']['static_fp16'] else 'fp32'}); ONNX file "
        f"{m['onnx_bytes'] / 1e6:.1f} MB. Config: `{json.dumps(m['model_config'])}`.",
        "",
        "## ONNX Runtime",
        "",
        f"- Parity, max |ORT - torch| over batches of 1-7 utterances of several lengths, with "
        f"and without frames: intent {par['intent_logits']:.2e}, slots "
        f"{par['slot_logits']:.2e}, grounding {par['grounding_logits']:.2e}.",
        f"- Latency, one ORT thread, median: batch 1 text only {lat['batch1_text_ms']:.2f} ms, "
        f"batch 1 with a frame {lat['batch1_image_ms']:.2f} ms "
        f"({int(lat['batch1_tokens'])} tokens), batch of 32 with frames "
        f"{lat['batch32_per_utterance_ms']:.2f} ms per utterance.",
        f"- Fresh process without torch: import onnxruntime {probe['import_ms']:.0f} ms, "
        f"model load {probe['load_ms']:.0f} ms, first run {probe['first_run_ms']:.1f} ms, "
        f"peak RSS {probe['rss_mb']:.0f} MB.",
        "",
        "## Timings (this machine, shared with other jobs)",
        "",
        f"- data generation {t['generate_s']:.1f} s, static embeddings {t['static_s']:.1f} s "
        "(cached after the first run), encoding "
        f"{t['encode_s']:.1f} s",
        f"- training {t['train_s']:.0f} s ({m['train']['examples_per_second']:.0f} examples/s, "
        f"{m['train_config']['epochs']} epochs, batch {m['train_config']['batch_size']}), "
        f"evaluation {t['eval_s']:.0f} s, export {t['export_s']:.1f} s, checks "
        f"{t['check_s']:.1f} s",
        f"- whole run {t['total_s']:.0f} s",
        "",
        "## Caveats",
        "",
        "- Every figure here is on generated data: held-out *homes*, but the same generator "
        "and templates. The hand-written dev set (tests/data/) is the honest test.",
        "- Camera frames are synthetic (coloured rectangles for device zones, a stick person "
        "pointing): the grounding head learns 'the zone the person points at', nothing about "
        "how real devices look. Real frames need real training scenes.",
        "- Words MiniLM splits into pieces keep only the pieces' meanings "
        "('telly' = 'tell' + '##y').",
        "",
    ]
    (report / "report.md").write_text("\n".join(lines))


# --------------------------------------------------------------------------- main


@dataclass
class Run:
    """What one build works on, filled step by step."""

    args: argparse.Namespace
    mc: MILMConfig
    dc: DataConfig
    tc: TrainConfig
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Prepared:
    train_ex: list[Example]
    held_ex: list[Example]
    ref_ex: list[Example]
    homes: dict[str, Home]
    table: np.ndarray
    tok: Tokenizer
    train: Encoded
    held: Encoded
    ref: Encoded | None
    norm: ImageNorm


def configure(args: argparse.Namespace) -> Run:
    mc = TINY_MODEL if args.tiny else MILMConfig()
    dc = TINY_DATA if args.tiny else DataConfig()
    tc = TrainConfig(epochs=2) if args.tiny else TrainConfig()
    if args.epochs is not None:
        tc = replace(tc, epochs=args.epochs)
    if args.examples is not None:
        dc = replace(dc, per_home=max(1, args.examples // dc.train_homes))
    return Run(args, mc, dc, tc)


def prepare(run: Run) -> Prepared:
    """Generate, distil (or load) the static table, tokenise, measure frame statistics."""
    args, mc, tc = run.args, run.mc, run.tc
    t0 = time.perf_counter()
    reference = reference_home(args.config) if args.config else None
    train_ex, held_ex, ref_ex, homes = make_data(args.seed, run.dc, reference)
    run.timings["generate_s"] = time.perf_counter() - t0
    log.info("%d training, %d held-out, %d reference examples", len(train_ex), len(held_ex),
             len(ref_ex))
    t0 = time.perf_counter()
    table = load_static_embeddings(mc.static_dim)
    run.timings["static_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    tok = load_tokenizer()
    tr = encode(train_ex, tok, mc.max_len, homes, image_dropout=tc.image_dropout,
                pointing_dropout=tc.pointing_dropout)
    held = encode(held_ex, tok, mc.max_len, homes)
    ref = encode(ref_ex, tok, mc.max_len, homes) if ref_ex else None
    norm = measure_norm(tr, args.seed)
    run.timings["encode_s"] = time.perf_counter() - t0
    return Prepared(train_ex, held_ex, ref_ex, homes, table, tok, tr, held, ref, norm)


def fit(run: Run, p: Prepared) -> tuple[MILM, TrainLog]:
    """Train a fresh model; a fixed 1000-example held-out subset gives the curve."""
    seed, mc = run.args.seed, run.mc
    model = MILM(mc)
    model.load_static_embeddings(torch.from_numpy(p.table))
    model = model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # the stub lacks memory_format
    rows = np.random.default_rng(seed).permutation(len(p.held_ex))[:1000]
    val = encode([p.held_ex[i] for i in rows], p.tok, mc.max_len, p.homes)

    def on_epoch(_: int) -> dict[str, float]:
        r = evaluate(val, predict(model, val, p.norm, seed))
        return {"val_intent_accuracy": r["intent_accuracy"], "val_slot_f1": r["slot_f1"],
                "val_exact_match": r["exact_match"]}

    t0 = time.perf_counter()
    train_log = train(model, p.train, p.norm, run.tc, seed, on_epoch=on_epoch)
    run.timings["train_s"] = time.perf_counter() - t0
    model = model.to(memory_format=torch.contiguous_format)
    return model, train_log


def evaluate_all(run: Run, model: MILM, p: Prepared) -> dict[str, Any]:
    t0 = time.perf_counter()
    seed = run.args.seed
    results = {"heldout": evaluate(p.held, predict(model, p.held, p.norm, seed)),
               "heldout_no_image": evaluate(p.held, predict(model, p.held, p.norm, seed,
                                                            with_images=False))}
    if p.ref is not None:
        results["reference"] = evaluate(p.ref, predict(model, p.ref, p.norm, seed))
    run.timings["eval_s"] = time.perf_counter() - t0
    return results


def metadata_for(run: Run, p: Prepared, digest: str) -> dict[str, str]:
    mc = run.mc
    return {
        "intents": json.dumps(list(INTENTS)),
        "slot_tags": json.dumps(list(SLOT_TAGS)),
        "vocab": "\n".join(vocab_lines(p.tok)),
        "tokenizer": json.dumps(tokenizer_metadata(mc.max_len)),
        "image": json.dumps({"height": mc.image_size, "width": mc.image_size,
                             "channel_order": "RGB", "mean": list(p.norm.mean),
                             "std": list(p.norm.std), "grid": [mc.grid, mc.grid]}),
        "version": VERSION,
        "data_digest": digest,
        "seed": str(run.args.seed),
        "model_config": json.dumps(mc.to_dict()),
    }


def export_and_check(run: Run, model: MILM, p: Prepared, digest: str) -> dict[str, Any]:
    """Export, then parity (fails the build past 1e-3), latency and a torch-free load."""
    out = run.args.out / "milm.onnx"
    t0 = time.perf_counter()
    export_onnx(model, out, metadata_for(run, p, digest))
    run.timings["export_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    par = parity(model, out, p.held, p.norm, run.args.seed)
    if max(par.values()) > 1e-3:
        raise RuntimeError(f"ONNX Runtime differs from PyTorch: {par}")
    lat = latency(out, p.held, p.norm, runs=30 if run.args.tiny else 300)
    probe = load_probe(out)
    run.timings["check_s"] = time.perf_counter() - t0
    return {"onnx_bytes": out.stat().st_size, "parity": par, "latency": lat,
            "load_probe": probe}


def seed_everything(seed: int, threads: int) -> None:
    """Every source of randomness fixed and torch's algorithms deterministic: the same seed
    gives the same ONNX bytes on the same machine and thread count."""
    random.seed(seed)
    np.random.seed(seed)  # legacy global state, in case a library draws from it
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.set_flush_denormal(True)


def ship(out: Path) -> None:
    """Replace the shipped model and report with this build's."""
    shutil.copyfile(out / "milm.onnx", ROOT / "assistant" / "models" / "milm.onnx")
    shutil.rmtree(ROOT / "export" / "report", ignore_errors=True)
    shutil.copytree(out / "report", ROOT / "export" / "report")
    log.info("shipped: assistant/models/milm.onnx and export/report/ replaced")


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The whole run; returns the metrics also written to the report."""
    started = time.perf_counter()
    seed_everything(args.seed, args.threads)
    run = configure(args)
    p = prepare(run)
    model, train_log = fit(run, p)
    results = evaluate_all(run, model, p)
    digest = data_digest(p.train_ex)
    checks = export_and_check(run, model, p, digest)
    run.timings["total_s"] = time.perf_counter() - started
    metrics: dict[str, Any] = {
        "seed": args.seed,
        "threads": args.threads,
        "data_digest": digest,
        "data": {"train_examples": len(p.train_ex), "train_homes": run.dc.train_homes,
                 "heldout_examples": len(p.held_ex), "heldout_homes": run.dc.eval_homes,
                 "reference_eval_examples": len(p.ref_ex), "config": asdict(run.dc)},
        "model_config": run.mc.to_dict(),
        "train_config": asdict(run.tc),
        "parameters": {"trainable": model.trainable_parameters(),
                       "static_table": int(p.table.size)},
        "image_norm": asdict(p.norm),
        "train": {"seconds": train_log.seconds,
                  "examples_per_second": train_log.examples_per_second,
                  "epochs": train_log.epochs, "loss_steps": train_log.steps,
                  "loss": train_log.loss},
        **results,
        **checks,
        "timings": run.timings,
        "peak_rss_mb_build": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    report = args.out / "report"
    report.mkdir(parents=True, exist_ok=True)
    (report / "metrics.json").write_text(json.dumps(metrics, indent=1))
    plot_confusion(results["heldout"]["confusion"], report / "confusion.png")
    plot_curve(train_log, report / "training_curve.png")
    write_report(report, metrics)
    log.info("held-out intent %.3f slot F1 %.3f exact %.3f; parity %.1e; %.2f ms; %.0f s",
             results["heldout"]["intent_accuracy"], results["heldout"]["slot_f1"],
             results["heldout"]["exact_match"], max(checks["parity"].values()),
             checks["latency"]["batch1_image_ms"], run.timings["total_s"])
    return metrics


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("export").setLevel(logging.INFO)
    args = parse_args(argv)
    build(args)
    if args.ship:
        ship(args.out)


def run_with_tunables(module: str) -> None:
    """Re-run `python -m module` with the allocator tunables, once (no return then).

    glibc reads its tunables at process start only. Passive OpenMP waiting: on a machine
    shared with other jobs, spinning torch threads measured 6x slower here; passive costs
    little when the cores are free."""
    if os.environ.get("GLIBC_TUNABLES") is None:
        os.environ["GLIBC_TUNABLES"] = GLIBC_TUNABLES
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.execv(sys.executable, [sys.executable, "-m", module, *sys.argv[1:]])


if __name__ == "__main__":
    run_with_tunables("export.build_model")
    main()
