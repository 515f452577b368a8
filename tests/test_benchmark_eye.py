"""bench/benchmark_eye.py end to end on a tiny run: one held-out layout per device and pose,
the shipped model through the real pipeline, the HOG heuristic, a real `assistant parse`
process for the peak RSS. Checks that every figure is computed, not what it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench import benchmark_eye as eye

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("eye")
    assert eye.main(["--layouts", "1", "--out", str(out)]) == 0
    result = json.loads((out / "eye.json").read_text(encoding="utf-8"))
    return result, out


def test_every_figure_is_computed(tiny: tuple[dict[str, Any], Path]) -> None:
    result, out = tiny
    # 4 cameras, 15 zoned devices, 2 poses, 1 layout
    assert result["deictic_cases"] == 30
    assert isinstance(result["explicit_cases"], int) and result["explicit_cases"] > 20
    (model,) = result["models"]
    for key in ("deictic_with_frame", "deictic_no_frame", "explicit_with_frame",
                "explicit_no_frame"):
        part = model[key]
        assert part["total"] == (30 if key.startswith("deictic") else result["explicit_cases"])
        assert 0 <= part["correct"] <= part["total"] and 0.0 <= part["rate"] <= 1.0
        assert 0 <= part["wrong_actions"] <= part["acted"] <= part["total"]
        assert 0 <= part["wrong_on_several"] <= part["wrong_actions"]
    by_pose = model["deictic_with_frame_by_pose"]
    assert by_pose["point"]["total"] == by_pose["stand"]["total"] == 15
    assert model["parse_ms_median_with_frame"] > 0 and model["parse_ms_median_no_frame"] > 0
    assert model["image_branch_ms"] == pytest.approx(
        model["parse_ms_median_with_frame"] - model["parse_ms_median_no_frame"])
    assert model["time_ratio_frame_over_none"] > 0
    assert model["rss"]["note"] == "" and 30 < model["rss"]["peak_rss_mib"] < 2000
    assert model["rss"]["cli_agrees_with_api"] == "30/30"
    assert model["rss_no_frame"]["cli_agrees_with_api"] == "30/30"
    assert 30 < model["rss_no_frame"]["peak_rss_mib"] < 2000
    hog = result["hog"]
    assert hog["total"] == 30 and 0 <= hog["detected"] <= 30
    assert hog["by_pose"]["point"]["total"] + hog["by_pose"]["stand"]["total"] == 30
    md = (out / "eye.md").read_text(encoding="utf-8")
    assert "synthetic composites" in md and "HOG" in md and "(shipped)" in md


def test_cases_follow_the_home(tiny: tuple[dict[str, Any], Path]) -> None:
    from assistant.config import load_config
    from assistant.labels import TYPE_INTENTS

    config = load_config(ROOT / "devices.yaml")
    cases = eye.deictic_cases(config, 1)
    assert len(cases) == 30
    for case in cases:
        (target,) = case.target
        assert target in config.cameras[case.camera].zones
        assert case.intent in TYPE_INTENTS[config.devices[target].type]
        assert case.frame.shape == (240, 320, 3)
    again = eye.deictic_cases(config, 1)
    assert all((a.frame == b.frame).all() and a.text == b.text for a, b in zip(cases, again,
                                                                              strict=True))


@pytest.mark.parametrize("renderer", sorted(eye.RENDERERS))
def test_every_renderer_gives_the_same_cases(renderer: str) -> None:
    from assistant.config import load_config

    config = load_config(ROOT / "devices.yaml")
    cases = eye.deictic_cases(config, 1, renderer=renderer)
    plain = eye.deictic_cases(config, 1)
    assert [(c.text, c.target, c.pose) for c in cases] == [(c.text, c.target, c.pose)
                                                            for c in plain]
    assert all(c.frame.shape == (240, 320, 3) and c.frame.dtype == np.uint8 for c in cases)


def test_training_never_reads_the_unseen_renderer() -> None:
    module = eye.RENDERERS["unseen"][0]
    for path in (ROOT / "export").glob("*.py"):
        assert module not in path.read_text(encoding="utf-8"), path
        assert "scenes_unseen" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize(("argv", "message"), [
    (["--layouts", "0"], "--layouts must be 1..1000"),
    (["--model", "/nonexistent/model.onnx"], "no such file"),
])
def test_bad_arguments_are_named(argv: list[str], message: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        eye.main(argv)
    assert message in capsys.readouterr().err
