"""`assistant explain`: what the model looked at in a frame, and what the pipeline decided.

A diagnostic, not a runtime path. The decision is the one `assistant parse` prints (the
same request checks and the same `Brain.parse_batch` call); this module only adds a
picture of the model's view of the frame:

- the camera's zones from devices.yaml, each labelled with its device and the grounding
  mass on it;
- the model's grounding distribution over the image regions (its `grounding` output);
- the text-to-region attention of the cross-attention block, A_t = softmax over regions
  of S (export/milm.py, CrossAttention), averaged over heads: the mean over the
  utterance's word pieces, and one map for each word that matters (pointing words,
  device words; at most MAX_WORD_PANELS).

A_t is no output of the shipped ONNX graph. It is exposed without retraining: the graph
is loaded with `onnx`, the one Softmax whose output is (.., n_tokens, m_regions) is found
(shape inference, else one probe run picked by shape), added as a graph output, and that
copy runs in its own ONNX Runtime session. The runtime's own session is never touched.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.cli import answer, build_request
from assistant.config import Camera, HomeConfig
from assistant.errors import InputError, ModelError
from assistant.input_files import check_path, shown
from assistant.resolve import normalize, zone_mass, zone_scores

PANEL_WIDTH = 320  # pixels of each panel; the height follows the frame's aspect
MIN_PANEL_HEIGHT, MAX_PANEL_HEIGHT = 160, 480  # a panorama or a portrait frame stays legible
TITLE_HEIGHT = 30
LINE_HEIGHT = 22
FOOTER_LINES = 6  # fixed, so the picture's size depends only on the frame and the words
MAX_WORD_PANELS = 3
PROBE_TOKENS = 5  # tokens of the probe run (6 when the grid has 5 regions: never equal)
POINTING = frozenset({"this", "that", "it", "them", "those", "these", "here"})
FONT_SCALE = 0.5
# Zone outline colours (BGR), one per device in zone order; distinct on the heat maps.
PALETTE = ((255, 255, 0), (0, 255, 0), (255, 0, 255), (0, 200, 255), (255, 128, 0),
           (128, 255, 255), (0, 128, 255), (200, 200, 200))


@dataclass(frozen=True)
class Word:
    """One word of what the model read: its text, pieces (rows of A_t) and slot tags."""

    text: str
    pieces: tuple[int, ...]
    tags: tuple[str, ...]

    @property
    def pointing(self) -> bool:
        return normalize(self.text) in POINTING

    @property
    def device(self) -> bool:
        return any(t.endswith("-DEV") for t in self.tags)


@dataclass(frozen=True)
class Explanation:
    """Everything the picture and the printed words show."""

    result: dict[str, Any]  # the `assistant parse` JSON object, unchanged
    read: str  # the utterance as the model read it (wake word and the like removed)
    words: tuple[Word, ...]
    grounding: npt.NDArray[np.float32]  # (m,) the model's grounding output
    attention: npt.NDArray[np.float32]  # (n_pieces, m) A_t averaged over heads
    grid: tuple[int, int]
    zone_mass: dict[str, float]  # device id -> grounding mass inside its zone
    zone_score: dict[str, float]  # device id -> the resolver's zone score (resolve.py)
    lines: tuple[str, ...]  # the decision in words

    def key_words(self) -> list[Word]:
        """Pointing words first, then device words: the maps worth a panel each."""
        chosen = [w for w in self.words if w.pointing]
        chosen += [w for w in self.words if w.device and not w.pointing]
        return chosen[:MAX_WORD_PANELS]

    def word_map(self, word: Word) -> npt.NDArray[np.float32]:
        out: npt.NDArray[np.float32] = self.attention[list(word.pieces)].mean(0)
        return out


# -- the attention tensor ------------------------------------------------------------------


def _dims(value: Any) -> tuple[int | str | None, ...] | None:
    """The shape of an ONNX ValueInfo: ints, symbolic names, None where unknown."""
    kind = value.type.tensor_type
    if not kind.HasField("shape"):
        return None
    return tuple(d.dim_value if d.HasField("dim_value") else
                 d.dim_param if d.HasField("dim_param") else None for d in kind.shape.dim)


def _last_axis(node: Any, opset: int) -> bool:
    """A Softmax over the last axis of a rank-4 tensor (axis -1 or 3; -1 by default
    from opset 13, 1 before, which flattens: not this one)."""
    axis = next((a.i for a in node.attribute if a.name == "axis"), -1 if opset >= 13 else 1)
    return axis in (-1, 3)


Probe = Callable[[Any, Sequence[str], int], dict[str, tuple[int, ...]]]


def region_softmax(model: Any, regions: int, probe: Probe | None = None) -> str:
    """The name of A_t in `model` (an onnx.ModelProto): the Softmax on the last axis
    whose output is (batch, heads, n_tokens, regions), n_tokens being input_ids' axis.

    Static shape inference decides when the graph keeps its symbolic token axis; else
    `probe(model, names, n_tokens)` runs the graph once with n_tokens != regions and
    returns each named output's shape. ModelError when no single Softmax fits (none, or
    several: a model with more than one cross-attention block needs a choice made here)."""
    import onnx

    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    softmaxes = [n for n in model.graph.node
                 if n.op_type == "Softmax" and _last_axis(n, opset)]
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: _dims(v) for v in (*inferred.graph.value_info, *inferred.graph.output)}
    inputs = {v.name: _dims(v) for v in model.graph.input}
    ids = inputs.get("input_ids")
    seq = ids[1] if ids and len(ids) == 2 else None
    if isinstance(seq, str):  # symbolic: no other axis can be it by accident
        found = [str(n.output[0]) for n in softmaxes
                 if (s := shapes.get(n.output[0])) and len(s) == 4
                 and s[2] == seq and s[3] == regions]
        if len(found) == 1:
            return found[0]
    if probe is not None and softmaxes:
        names = [str(n.output[0]) for n in softmaxes]
        tokens = PROBE_TOKENS if regions != PROBE_TOKENS else PROBE_TOKENS + 1
        measured = probe(_with_outputs(model, names), names, tokens)
        found = [name for name in names if len(s := measured[name]) == 4
                 and s[2] == tokens and s[3] == regions]
        if len(found) == 1:
            return found[0]
    raise ModelError(f"no single Softmax over the {regions} image regions with a "
                     f"(.., n_tokens, {regions}) output in the model: cannot show the "
                     "text-to-region attention")


def _with_outputs(model: Any, names: Sequence[str]) -> Any:
    """A copy of `model` that also returns the tensors `names`."""
    import onnx

    out = copy.deepcopy(model)
    known = {o.name for o in out.graph.output}
    for name in names:
        if name not in known:
            out.graph.output.append(onnx.helper.make_tensor_value_info(
                name, onnx.TensorProto.FLOAT, None))
    return out


def _session(model: Any, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


class _Tap:
    """Stands in for MilmModel.session in a copy of the model, so the copy's `infer`
    (its tokenizer, truncation and frame preparation, unchanged) runs the diagnostic
    graph; keeps A_t of the last call."""

    def __init__(self, session: Any, name: str) -> None:
        self.session, self.name = session, name
        self.attention: npt.NDArray[np.float32] | None = None

    def run(self, names: list[str], feeds: dict[str, Any]) -> list[Any]:
        *outputs, attention = self.session.run([*names, self.name], feeds)
        self.attention = np.asarray(attention, np.float32)
        return list(outputs)


def probe_shapes(model: Any, names: Sequence[str], tokens: int, threads: int = 1
                 ) -> dict[str, tuple[int, ...]]:
    """Run `model` once on `tokens` [PAD] tokens (id 0, in every vocabulary's range) and a
    blank frame; the shape of each output in `names`."""
    ids = np.zeros((1, tokens), np.int64)
    image = [i for i in model.graph.input if i.name == "image"]
    size = [d.dim_value or 1 for d in image[0].type.tensor_type.shape.dim[1:]] \
        if image else []
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids),
             "image": np.zeros((1, *size), np.float32),
             "image_present": np.ones(1, np.float32)}
    try:
        values = _session(model, threads).run(list(names), feeds)
    except Exception as exc:  # ORT raises its own untyped exceptions
        raise ModelError(f"a probe run of the model failed: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from exc
    return {n: tuple(np.shape(v)) for n, v in zip(names, values, strict=True)}


def attention_session(path: Path, regions: int, threads: int = 1) -> tuple[Any, str]:
    """An ORT session of the model at `path` with A_t as an extra output, and its name."""
    try:
        import onnx
    except ImportError as exc:  # a base dependency, but imported only here
        raise ModelError("explain needs the onnx package (pip install 'onnx>=1.17')") from exc
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # onnx raises DecodeError and friends
        raise ModelError(f"{shown(str(path))}: cannot load ONNX model: "
                         f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                         ) from exc
    try:
        name = region_softmax(model, regions, probe_shapes)
    except ModelError as exc:
        raise ModelError(f"{shown(str(path))}: {exc}") from exc
    return _session(_with_outputs(model, [name]), threads), name


# -- the explanation -----------------------------------------------------------------------


def _words(read: str, tokens: Sequence[str], offsets: Sequence[tuple[int, int]],
           tags: Sequence[str]) -> tuple[Word, ...]:
    """Word pieces grouped into words ("##" continues the previous word)."""
    groups: list[tuple[int, int, list[int]]] = []
    for i, (token, (start, end)) in enumerate(zip(tokens, offsets, strict=True)):
        if token.startswith("##") and groups:
            first, _, pieces = groups[-1]
            groups[-1] = (first, end, [*pieces, i])
        else:
            groups.append((start, end, [i]))
    return tuple(Word(read[a:b], tuple(p), tuple(tags[i] for i in p)) for a, b, p in groups)


def _name(config: HomeConfig, dev_id: str) -> str:
    device = config.devices.get(dev_id)
    return f"{device.name} ({dev_id})" if device else dev_id


def describe(config: HomeConfig, result: dict[str, Any], read: str, words: Sequence[Word],
             *, mass: dict[str, float], score: dict[str, float]) -> tuple[str, ...]:
    """The decision in words: intent, devices, decision, reason, and which zone and why."""
    said = f'said: "{result["text"]}"'
    if read != result["text"]:
        said += f' (the model read: "{read}")'
    devices = ", ".join(_name(config, t) for t in result["targets"]) or "none"
    lines = [said,
             f"intent: {result['intent']} (confidence {result['confidence']:.2f}); "
             f"devices: {devices}",
             f"decision: {result['decision']}"
             + (f" - {result['reason']}" if result["reason"] else "")]
    if not score:
        return (*lines, "zone: this camera has no device zones")
    ranked = sorted(score, key=lambda k: score[k], reverse=True)
    best = ranked[0]
    second = (f"; next {_name(config, ranked[1])} {score[ranked[1]]:.2f}"
              if len(ranked) > 1 else "")
    pointers = [w.text for w in words if w.pointing]
    strongest = (f"{_name(config, best)}: score {score[best]:.2f}, "
                 f"mass {mass[best]:.2f}{second}")
    if not pointers:
        lines.append(f"zone: no pointing word, so no zone chose the device; the grounding's "
                     f"strongest zone is {strongest}")
        return tuple(lines)
    said_words = ", ".join(f"'{p}'" for p in pointers)
    if best in result["targets"]:
        verdict = "that zone's device is the decision's"
    elif result["targets"]:
        verdict = "the decision's devices came from the words, not that zone"
    else:
        verdict = "no device was chosen"
    lines.append(f"zone: {said_words} points through the grounding; strongest zone "
                 f"{strongest} (a zone needs a score of "
                 f"{config.policy.grounding_threshold:.2f} and a clear lead); {verdict}")
    return tuple(lines)


def explain(brain: Any, text: str, camera: str, image_path: str, tap: _Tap
            ) -> tuple[Explanation, npt.NDArray[np.uint8]]:
    """The explanation of one request, and its frame (BGR)."""
    if not text.strip():
        raise InputError("give the TEXT to explain")
    request = build_request({"text": text, "camera": camera, "image": image_path}, brain)
    (result,) = answer(brain, [request])  # what `assistant parse` prints for it
    read = brain.plan(request).rows[0]  # the whole utterance as the model reads it
    model = copy.copy(brain.model)  # shallow: only the copy's session is swapped
    model.session = tap
    (out,) = model.infer([read], [request.image])
    if tap.attention is None:
        raise ModelError("the diagnostic session returned no attention")
    heads = np.asarray(tap.attention[0], np.float32)  # (heads, n with [CLS]/[SEP], m)
    attention = heads.mean(0)[1 : len(out.tokens) + 1]  # rows of the word pieces
    grid = brain.model.image.grid
    cam: Camera = brain.config.cameras[camera]
    mass = zone_mass(out.grounding, grid, cam.zones)
    score = zone_scores(out.grounding, grid, cam.zones)
    words = _words(read, out.tokens, out.offsets, out.tags)
    lines = describe(brain.config, result, read, words, mass=mass, score=score)
    return Explanation(result, read, words, out.grounding, attention, grid, mass, score,
                       lines), request.image


# -- the picture ---------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """OpenCV's Hershey fonts draw ASCII only."""
    return text.encode("ascii", "replace").decode("ascii")


def panel_size(frame_shape: tuple[int, ...]) -> tuple[int, int]:
    """(width, height) of one picture panel for a frame of `frame_shape`."""
    height, width = frame_shape[:2]
    return PANEL_WIDTH, int(np.clip(round(PANEL_WIDTH * height / width),
                                    MIN_PANEL_HEIGHT, MAX_PANEL_HEIGHT))


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label(img: npt.NDArray[np.uint8], text: str, x: int, y: int, *,
           colour: tuple[int, int, int], scale: float = FONT_SCALE,
           taken: list[Box] | None = None) -> None:
    """Text on a dark box, kept inside the image; moved down (then from the top) past
    the boxes in `taken`, to which its own is added, so that labels never cover labels."""
    import cv2

    text = _ascii(text)
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    x = int(np.clip(x, 0, max(0, img.shape[1] - w - 4)))
    y = int(np.clip(y, h + 3, img.shape[0] - base - 1))
    step = h + base + 6
    for _ in range(img.shape[0] // step + 1):
        box = (x, y - h - 3, x + w + 4, y + base + 1)
        if taken is None or not any(_overlaps(box, t) for t in taken):
            break
        y = y + step if y + step <= img.shape[0] - base - 1 else h + 3
    if taken is not None:
        taken.append(box)
    cv2.rectangle(img, box[:2], box[2:], (0, 0, 0), -1)
    cv2.putText(img, text, (x + 2, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 1,
                cv2.LINE_AA)


def _zones(img: npt.NDArray[np.uint8], zones: dict[str, tuple[float, float, float, float]],
           labels: dict[str, str] | None) -> None:
    """Each zone's outline in its colour; with `labels`, each labelled at its top left
    (outlines first, so that no outline crosses a label)."""
    import cv2

    height, width = img.shape[:2]
    corners = []
    for k, (x, y, w, h) in enumerate(zones.values()):
        colour = PALETTE[k % len(PALETTE)]
        p0 = (int(x * width), int(y * height))
        p1 = (int((x + w) * width) - 1, int((y + h) * height) - 1)
        cv2.rectangle(img, p0, p1, colour, 2 if labels else 1)
        corners.append((p0, colour))
    taken: list[Box] = []
    for dev_id, (p0, colour) in zip(zones, corners, strict=True):
        if labels:
            _label(img, labels[dev_id], p0[0], p0[1] + 16, colour=colour, taken=taken)


def _heat(base: npt.NDArray[np.uint8], probs: npt.NDArray[np.float32],
          grid: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """`probs` over the grid regions drawn over a grey copy of the frame: colour scaled
    to the map's maximum (printed in the bottom right corner), each region of 5 % or
    more labelled with its percentage."""
    import cv2

    rows, cols = grid
    height, width = base.shape[:2]
    cells = probs.reshape(rows, cols)
    scaled = (255 * cells / max(float(cells.max()), 1e-9)).astype(np.uint8)
    colour = cv2.applyColorMap(cv2.resize(scaled, (width, height),
                                          interpolation=cv2.INTER_NEAREST),
                               cv2.COLORMAP_INFERNO)
    grey = cv2.cvtColor(cv2.cvtColor(base, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    out = np.asarray(cv2.addWeighted(colour, 0.65, grey, 0.35, 0.0), np.uint8)
    for r in range(rows):
        for c in range(cols):
            if cells[r, c] >= 0.05:
                x = int((c + 0.5) * width / cols) - 12
                y = int((r + 0.5) * height / rows) + 5
                _label(out, f"{round(100 * float(cells[r, c]))}", x, y,
                       colour=(255, 255, 255), scale=0.45)
    # The colours are relative: the top says how peaked the map is (uniform: 3 % of 36).
    _label(out, f"top {100 * float(cells.max()):.0f}%", width, height, colour=(0, 255, 255))
    return out


def _wrap(text: str, width: int) -> list[str]:
    import cv2

    lines: list[str] = []
    current = ""
    for word in _ascii(text).split():
        trial = f"{current} {word}".strip()
        if current and cv2.getTextSize(trial, cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE,
                                       1)[0][0] > width:
            lines.append(current)
            current = "    " + word
        else:
            current = trial
    return [*lines, current] if current else lines


def render(frame: npt.NDArray[np.uint8], exp: Explanation, camera: Camera,
           config: HomeConfig) -> npt.NDArray[np.uint8]:
    """The picture: panels side by side (frame and zones, grounding, mean attention, one
    map per key word), each under its title, and the decision in words below."""
    import cv2

    width, height = panel_size(frame.shape)
    base = np.asarray(cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA),
                      np.uint8)
    labels = {d: f"{config.devices[d].name if d in config.devices else d} "
                 f"{100 * exp.zone_mass[d]:.0f}%" for d in camera.zones}
    first = base.copy()
    _zones(first, camera.zones, labels)
    panels = [("frame, zones: grounding mass", first),
              ("grounding (model output)", _heat(base, exp.grounding, exp.grid))]
    mean = exp.attention.mean(0)
    panels.append((f"attention, mean of {len(exp.attention)} pieces",
                   _heat(base, mean, exp.grid)))
    for word in exp.key_words():
        kind = "pointing" if word.pointing else "device"
        panels.append((f"attention: '{word.text}' ({kind})",
                       _heat(base, exp.word_map(word), exp.grid)))
    for _, img in panels[1:]:
        _zones(img, camera.zones, None)
    total = width * len(panels)
    footer = FOOTER_LINES * LINE_HEIGHT + 10
    canvas = np.full((TITLE_HEIGHT + height + footer, total, 3), 24, np.uint8)
    for k, (title, img) in enumerate(panels):
        x = k * width
        canvas[TITLE_HEIGHT : TITLE_HEIGHT + height, x : x + width] = img
        cv2.putText(canvas, _ascii(title), (x + 6, TITLE_HEIGHT - 10),
                    cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE, (255, 255, 255), 1, cv2.LINE_AA)
        if k:
            canvas[: TITLE_HEIGHT + height, x : x + 2] = 60  # a rule between panels
    wrapped = [part for line in exp.lines for part in _wrap(line, total - 16)]
    if len(wrapped) > FOOTER_LINES:
        wrapped = [*wrapped[: FOOTER_LINES - 1], wrapped[FOOTER_LINES - 1] + " ..."]
    for k, line in enumerate(wrapped):
        cv2.putText(canvas, line, (8, TITLE_HEIGHT + height + 22 + k * LINE_HEIGHT),
                    cv2.FONT_HERSHEY_SIMPLEX, FONT_SCALE, (235, 235, 235), 1, cv2.LINE_AA)
    return canvas


def check_output(path: str) -> str:
    """`path` if a picture can be written there (InputError naming the problem if not)."""
    name = check_path(path, "output")
    if os.path.lexists(name) and not os.path.isfile(name):
        raise InputError(f"{shown(name)}: output exists and is not a regular file")
    folder = os.path.dirname(name) or "."
    if not os.path.isdir(folder):
        raise InputError(f"{shown(name)}: output folder {shown(folder)} does not exist")
    return name


def write_png(path: str, image: npt.NDArray[np.uint8]) -> None:
    """Write `image` as PNG at `path`, replacing a regular file atomically; a one-line
    InputError when that cannot be done."""
    import cv2

    name = check_output(path)
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise InputError(f"{shown(name)}: cannot encode the picture as PNG")
    folder = os.path.dirname(name) or "."
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".explain-", suffix=".png",
                                         delete=False) as tmp:
            temporary = tmp.name
            tmp.write(data.tobytes())
        mask = os.umask(0)  # read the umask: a temporary file is 0600, a picture is not
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        os.replace(temporary, name)
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise InputError(f"{shown(name)}: cannot write output "
                         f"({exc.strerror or exc})") from None


def run_explain(config_path: str, text: str, *, camera: str, image: str, out: str,
                model_path: str | None = None) -> int:
    """`assistant explain`: print the decision in words and the parse JSON line, write
    the picture."""
    from assistant.pipeline import Brain

    check_output(out)  # before the model loads: a bad path fails fast
    brain = Brain.load(config_path, model_path)
    session, name = attention_session(brain.model.path, int(np.prod(brain.model.image.grid)),
                                      brain.config.model.threads)
    exp, frame = explain(brain, text, camera, image, _Tap(session, name))
    picture = render(frame, exp, brain.config.cameras[camera], brain.config)
    write_png(out, picture)
    for line in exp.lines:
        print(line)
    print(f"picture: {out} ({picture.shape[1]}x{picture.shape[0]})")
    print(json.dumps(exp.result))
    return 0


__all__ = ["Explanation", "attention_session", "explain", "region_softmax", "render",
           "run_explain", "write_png", "zone_mass"]
