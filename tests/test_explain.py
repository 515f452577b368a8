"""`assistant explain` on the shipped model in ONNX Runtime and real PNG files: the
picture, the attention tensor taken from the graph, the decision (the same as `assistant
parse` prints), and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from assistant import cli
from assistant.errors import ModelError
from assistant.explain import (
    FOOTER_LINES,
    LINE_HEIGHT,
    PANEL_WIDTH,
    TITLE_HEIGHT,
    _Tap,
    attention_session,
    explain,
    probe_shapes,
    region_softmax,
    render,
    zone_mass,
)
from assistant.pipeline import Brain
from export.scenes import render_scene
from tests.hostile import assistant, config_args

ROOT = Path(__file__).resolve().parent.parent
# (text, camera, device the person in the frame points at): pointing, explicit, not a command
CASES = [
    ("turn that on", "living_room_cam", "living_room_lamp"),
    ("switch this off", "kitchen_cam", "kitchen_kettle"),
    ("hey assistant dim this one please", "living_room_cam", "living_room_ceiling"),
    ("turn on the kitchen light", "kitchen_cam", "kitchen_coffee"),
    ("I turned the lamp on yesterday", "bedroom_cam", "bedroom_lamp"),
]


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml")


@pytest.fixture(scope="module")
def tap(brain: Brain) -> _Tap:
    session, name = attention_session(brain.model.path, regions(brain))
    return _Tap(session, name)


def regions(brain: Brain) -> int:
    """The shipped model's number of image regions (its grid, from the metadata)."""
    rows, cols = brain.model.image.grid
    return rows * cols


def frame_file(folder: Path, brain: Brain, camera: str, pointed: str, seed: int = 0) -> str:
    """A rendered frame of the camera's zones with a person pointing, as a BGR PNG."""
    rgb = render_scene(np.random.default_rng(seed), brain.config.cameras[camera].zones, pointed)
    path = folder / f"{camera}-{seed}.png"
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb[:, :, ::-1]))
    return str(path)


def test_the_attention_is_the_cross_blocks_softmax_over_regions(
        brain: Brain, tap: _Tap, tmp_path: Path) -> None:
    image = frame_file(tmp_path, brain, "living_room_cam", "living_room_lamp")
    exp, frame = explain(brain, "turn that on", "living_room_cam", image, tap)
    pieces = len([p for w in exp.words for p in w.pieces])
    assert exp.attention.shape == (pieces, regions(brain)) and pieces == 3
    np.testing.assert_allclose(exp.attention.sum(1), 1.0, atol=1e-5)
    assert exp.attention.min() >= 0
    np.testing.assert_allclose(exp.grounding.sum(), 1.0, atol=1e-5)
    # The diagnostic graph computes what the runtime's own session computes.
    (own,) = brain.model.infer([exp.read], [frame])
    np.testing.assert_allclose(exp.grounding, own.grounding, atol=1e-5)
    # ... and that session is untouched: still the three outputs of the shipped graph.
    assert [o.name for o in brain.model.session.get_outputs()] == [
        "intent_logits", "slot_logits", "grounding_logits"]
    assert brain.model.session is not tap
    assert exp.key_words()[0].text == "that"


def test_the_decision_is_the_one_assistant_parse_prints(
        brain: Brain, tap: _Tap, tmp_path: Path) -> None:
    lines, explained = [], []
    for k, (text, camera, pointed) in enumerate(CASES):
        image = frame_file(tmp_path, brain, camera, pointed, seed=k)
        explained.append(explain(brain, text, camera, image, tap)[0])
        lines.append(json.dumps({"text": text, "camera": camera, "image": image}).encode())
    done = assistant(*config_args("parse", "--jsonl"), stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 0, done.stderr
    parsed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [e.result for e in explained] == parsed
    decisions = [p["decision"] for p in parsed]
    assert decisions[3] == "act" and parsed[3]["targets"] == ["kitchen_light"]
    assert decisions[4] == "ignore"
    for exp, result in zip(explained, parsed, strict=True):
        assert exp.lines[2].startswith(f"decision: {result['decision']}")
        assert any(line.startswith("zone: ") for line in exp.lines)


def test_the_cli_writes_the_picture_and_prints_the_words_and_the_parse_line(
        brain: Brain, tap: _Tap, tmp_path: Path) -> None:
    image = frame_file(tmp_path, brain, "living_room_cam", "living_room_lamp")
    out = tmp_path / "attn.png"
    done = assistant(*config_args("explain", "turn", "that", "on", "--camera",
                                  "living_room_cam", "--image", image, "--out", str(out)))
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert printed[0] == 'said: "turn that on"'
    assert printed[2].startswith("decision: ")
    parse = assistant(*config_args("parse", "--camera", "living_room_cam", "--image", image,
                                   "turn that on"))
    assert json.loads(printed[-1]) == json.loads(parse.stdout)
    picture = cv2.imread(str(out))
    assert picture is not None
    exp, _ = explain(brain, "turn that on", "living_room_cam", image, tap)
    panels = 3 + len(exp.key_words())  # frame, grounding, mean attention, one per word
    height = TITLE_HEIGHT + PANEL_WIDTH + FOOTER_LINES * LINE_HEIGHT + 10  # a square frame
    assert picture.shape == (height, panels * PANEL_WIDTH, 3)
    assert f"picture: {out} ({panels * PANEL_WIDTH}x{height})" in printed
    # The heat maps are drawn: the grounding panel is not the frame panel.
    first = picture[TITLE_HEIGHT:TITLE_HEIGHT + PANEL_WIDTH, :PANEL_WIDTH].astype(int)
    second = picture[TITLE_HEIGHT:TITLE_HEIGHT + PANEL_WIDTH,
                     PANEL_WIDTH:2 * PANEL_WIDTH].astype(int)
    assert np.abs(first - second).mean() > 10


def test_a_wide_frame_gives_a_lower_panel(brain: Brain, tap: _Tap, tmp_path: Path) -> None:
    rgb = render_scene(np.random.default_rng(0), brain.config.cameras["kitchen_cam"].zones,
                       "kitchen_kettle")
    wide = cv2.resize(rgb[:, :, ::-1], (640, 360))
    path = tmp_path / "wide.jpg"
    assert cv2.imwrite(str(path), wide)
    exp, frame = explain(brain, "switch this off", "kitchen_cam", str(path), tap)
    picture = render(frame, exp, brain.config.cameras["kitchen_cam"], brain.config)
    assert picture.shape[0] == TITLE_HEIGHT + 180 + FOOTER_LINES * LINE_HEIGHT + 10


def test_zone_mass_is_the_grounding_inside_the_zone() -> None:
    uniform = np.full(36, 1 / 36, np.float32)
    mass = zone_mass(uniform, (6, 6), {"a": (0.0, 0.0, 0.5, 0.5), "b": (0.1, 0.2, 0.3, 0.1)})
    assert mass["a"] == pytest.approx(0.25) and mass["b"] == pytest.approx(0.03)
    one = np.zeros(36, np.float32)
    one[7] = 1.0  # row 1, column 1
    mass = zone_mass(one, (6, 6), {"on": (1 / 6, 1 / 6, 1 / 6, 1 / 6),
                                   "half": (1 / 6, 1 / 6, 1 / 12, 1 / 6),
                                   "off": (0.5, 0.5, 0.2, 0.2)})
    assert mass == pytest.approx({"on": 1.0, "half": 0.5, "off": 0.0})


def test_the_softmax_is_found_by_a_probe_when_shapes_are_not_symbolic(brain: Brain) -> None:
    import onnx

    model = onnx.load(str(brain.model.path))
    m = regions(brain)
    by_shape = region_softmax(model, m)
    for dim in model.graph.input[0].type.tensor_type.shape.dim:  # input_ids: no names
        dim.Clear()
    with pytest.raises(ModelError):
        region_softmax(model, m)  # no symbolic token axis, no probe: not found
    assert region_softmax(model, m, probe_shapes) == by_shape


def test_a_graph_without_that_softmax_is_a_one_line_error() -> None:
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Softmax", ["x"], ["y"], axis=-1)], "g",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4, 36, 36])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4, 36, 36])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    onnx.checker.check_model(model)
    with pytest.raises(ModelError, match=r"^no single Softmax over the 36 image regions "
                                         r"with a \(\.\., n_tokens, 36\) output in the model"):
        region_softmax(model, 36)


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(["--config", str(ROOT / "devices.yaml"), "explain", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    return err[0]


def test_bad_input_is_one_line(brain: Brain, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    good = frame_file(tmp_path, brain, "kitchen_cam", "kitchen_kettle")
    out = str(tmp_path / "attn.png")
    missing = str(tmp_path / "missing.png")
    assert _error(capsys, "x", "--camera", "kitchen_cam", "--image", missing, "--out", out) \
        == f"error: {missing}: image not found"
    text = tmp_path / "notes.png"
    text.write_text("not a picture\n")
    assert _error(capsys, "x", "--camera", "kitchen_cam", "--image", str(text),
                  "--out", out) == f"error: {text}: not a readable image"
    assert _error(capsys, "x", "--camera", "attic_cam", "--image", good, "--out", out) \
        == ("error: unknown camera 'attic_cam' (known: living_room_cam, kitchen_cam, "
            "bedroom_cam, office_cam)")
    assert _error(capsys, "  ", "--camera", "kitchen_cam", "--image", good, "--out", out) \
        == "error: give the TEXT to explain"
    nowhere = str(tmp_path / "no" / "attn.png")
    assert _error(capsys, "x", "--camera", "kitchen_cam", "--image", good, "--out", nowhere) \
        == f"error: {nowhere}: output folder {tmp_path / 'no'} does not exist"
    assert _error(capsys, "x", "--camera", "kitchen_cam", "--image", good, "--out",
                  str(tmp_path)) == f"error: {tmp_path}: output exists and is not a regular file"
    assert not Path(out).exists()


def test_a_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    # In its own process, as a user runs it: the header's size is checked before decoding.
    bomb = tmp_path / "bomb.png"  # 160 KB of PNG claiming 12000 x 12000 pixels
    bomb.write_bytes(cv2.imencode(".png", np.zeros((12000, 12000), np.uint8))[1].tobytes())
    done = assistant(*config_args("explain", "turn that off", "--camera", "kitchen_cam",
                                  "--image", str(bomb), "--out", str(tmp_path / "a.png")))
    assert done.returncode == 2
    assert done.one_error_line() == f"error: {bomb}: image over 16777216 pixels"
    assert not (tmp_path / "a.png").exists()
