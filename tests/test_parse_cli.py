"""The `assistant parse` contract (README, "Usage"), run as users run it: a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["text", "intent", "confidence", "targets", "value", "decision", "commands", "reason"]


def parse(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant.cli", "--config",
                           str(ROOT / "devices.yaml"), "parse", *args],
                          input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_single_utterance_prints_one_object() -> None:
    proc = parse("turn on the kitchen light")
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()
    out = json.loads(line)
    assert list(out) == KEYS
    assert out["intent"] == "turn_on" and out["targets"] == ["kitchen_light"]
    assert out["decision"] == "act" and 0 < out["confidence"] <= 1
    assert out["commands"] == [{"topic": "zigbee2mqtt/kitchen_light/set",
                                "payload": json.dumps({"state": "ON"}), "intent": "turn_on",
                                "device": "kitchen_light"}]


def test_camera_gives_the_default_room_and_image_is_accepted(tmp_path: Path) -> None:
    frame = tmp_path / "frame.png"
    cv2.imwrite(str(frame), np.full((120, 160, 3), 90, np.uint8))
    out = json.loads(parse("lights off", "--camera", "kitchen_cam", "--image",
                           str(frame)).stdout)
    assert (out["targets"], out["decision"]) == (["kitchen_light"], "act")


def test_batch_keeps_input_order_and_reports_bad_lines() -> None:
    lines = [
        {"text": "turn on the kitchen light"},
        "not json",
        {"text": "lights off", "camera": "nope"},
        {"text": "unlock the front door"},
        {"text": "what's the weather like tomorrow"},
        {"text": "x", "camera": "kitchen_cam", "image": "/no/such/frame.png"},
        {"text": ""},
        {"text": "switch the kettle on"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    proc = parse("--jsonl", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(lines)
    assert out[0]["targets"] == ["kitchen_light"]
    assert out[1]["error"].startswith("line 2: invalid JSON")
    assert out[2]["error"] == ("line 3: unknown camera 'nope' (known: living_room_cam, "
                               "kitchen_cam, bedroom_cam, office_cam)")
    assert (out[3]["decision"], out[3]["commands"]) == ("confirm", [])
    assert (out[4]["intent"], out[4]["decision"], out[4]["commands"]) == ("none", "ignore", [])
    assert out[5]["error"] == "line 6: /no/such/frame.png: image not found"
    assert (out[6]["decision"], out[6]["reason"]) == ("ignore", "nothing said")
    assert out[7]["targets"] == ["kitchen_kettle"]


def test_batch_larger_than_one_model_call_stays_in_order() -> None:
    wanted = [n % 100 + 1 for n in range(150)]  # 150 lines: several model calls
    texts = [f"set the bedside lamp to {n} percent" for n in wanted]
    proc = parse("--jsonl", stdin="".join(json.dumps({"text": t}) + "\n" for t in texts))
    values = [json.loads(line)["value"] for line in proc.stdout.splitlines()]
    assert values == wanted


@pytest.mark.parametrize(("args", "message"), [
    (["--camera", "garden_cam", "lights on"], "error: unknown camera 'garden_cam'"),
    (["--camera", "kitchen_cam", "--image", "/no/such.png", "lights on"],
     "error: /no/such.png: image not found"),
    (["--image", "/no/such.png", "lights on"], "error: 'image' needs the 'camera'"),
    (["--audio", "/no/such.wav"], "/no/such.wav"),
    ([], "error: give the TEXT to parse"),
])
def test_bad_input_exits_non_zero_with_one_line(args: list[str], message: str) -> None:
    proc = parse(*args)
    assert proc.returncode != 0 and proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert message in line


def test_unreadable_wav_and_image_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    proc = parse("--audio", str(bad))
    assert proc.returncode != 0 and str(bad) in proc.stderr.strip()
    img = tmp_path / "x.png"
    img.write_text("not a png")
    proc = parse("--camera", "kitchen_cam", "--image", str(img), "lights on")
    assert proc.returncode != 0 and f"{img}: not a readable image" in proc.stderr


def test_missing_model_and_bad_config_are_one_line(tmp_path: Path) -> None:
    proc = parse("--model", str(tmp_path / "none.onnx"), "lights on")
    assert proc.returncode == 2 and "model file not found" in proc.stderr
    bad = tmp_path / "devices.yaml"
    bad.write_text("rooms: {}\ndevices:\n  x: {name: x}\n")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "--config", str(bad),
                           "parse", "hi"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert f"error: {bad}:3: devices.x.type: Field required" in proc.stderr
