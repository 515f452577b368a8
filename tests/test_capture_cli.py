"""`assistant capture` on a real video file, and its manifest read back as hostile input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from assistant.capture_cli import CaptureInputError, capture, read_manifest
from assistant.cli import main
from assistant.config import HomeConfig

FPS = 10


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 MJPG frames, 320x240, frame k a flat grey of level 8 k (told apart after decoding)."""
    path = tmp_path_factory.mktemp("video") / "room.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (320, 240))
    assert writer.isOpened()
    for k in range(30):
        writer.write(np.full((240, 320, 3), 8 * k, np.uint8))
    writer.release()
    return path


def level(png: Path) -> int:
    image = cv2.imread(str(png))
    assert image is not None
    return round(float(image.mean()) / 8)


def test_capture_saves_labelled_frames(video: Path, home: HomeConfig, tmp_path: Path) -> None:
    out = tmp_path / "captures"
    entries = capture(home, camera="living_room_cam", device="floor lamp", pose="point",
                      out=out, source=str(video), count=4, interval=0.3)
    # 0.3 s at 10 fps: every third frame of the file
    assert [level(out / e.file) for e in entries] == [0, 3, 6, 9]
    lines = (out / "manifest.jsonl").read_text().splitlines()
    assert len(lines) == 4
    first = json.loads(lines[0])
    assert first["device"] == "living_room_lamp" and first["pose"] == "point"
    assert first["size"] == [320, 240]
    assert first["sha256"] == hashlib.sha256((out / first["file"]).read_bytes()).hexdigest()
    assert read_manifest(out / "manifest.jsonl", home) == entries
    # a second run appends; a file ends early: fewer frames, no error
    more = capture(home, camera="living_room_cam", device=None, pose="none", out=out,
                   source=str(video), count=50, interval=0.5)
    assert len(more) == 6 and all(e.device is None for e in more)
    assert len(read_manifest(out / "manifest.jsonl", home)) == 10


def test_the_command_line(video: Path, tmp_path: Path, root: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(root / "devices.yaml")
    out = tmp_path / "c"
    assert main(["--config", cfg, "capture", "--camera", "office_cam", "--device", "office_lamp",
                 "--pose", "stand", "--source", str(video), "--count", "2",
                 "--out", str(out)]) == 0
    assert "saved 2 frame(s)" in capsys.readouterr().out
    bad = [
        (["--camera", "attic_cam", "--device", "office_lamp", "--pose", "point"], "attic_cam"),
        (["--camera", "office_cam", "--device", "kitchen_light", "--pose", "point"],
         "has no zone on camera office_cam"),
        (["--camera", "office_cam", "--device", "toaster", "--pose", "point"], "not in the config"),
        (["--camera", "office_cam", "--pose", "point"], "needs --device"),
        (["--camera", "office_cam", "--device", "office_lamp", "--pose", "none"], "takes no"),
        (["--camera", "office_cam", "--device", "office_lamp", "--pose", "point", "--count",
          "0"], "--count 0"),
        (["--camera", "office_cam", "--device", "office_lamp", "--pose", "point", "--count",
          "100000"], "--count 100000"),
        (["--camera", "office_cam", "--device", "office_lamp", "--pose", "point",
          "--interval", "-1"], "--interval"),
    ]
    for args, words in bad:
        code = main(["--config", cfg, "capture", *args, "--source", str(video), "--out",
                     str(tmp_path / "x")])
        err = capsys.readouterr().err
        assert code == 2 and words in err and err.count("\n") == 1, (args, err)
    # a source that is not a video
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video at all")
    code = main(["--config", cfg, "capture", "--camera", "office_cam", "--device", "office_lamp",
                 "--pose", "point", "--source", str(junk), "--out", str(tmp_path / "y")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: camera office_cam") and err.count("\n") == 1
    assert not (tmp_path / "y" / "manifest.jsonl").exists()


@pytest.fixture
def folder(video: Path, home: HomeConfig, tmp_path: Path) -> Path:
    out = tmp_path / "m"
    capture(home, camera="living_room_cam", device="living_room_tv", pose="stand", out=out,
            source=str(video), count=2, interval=0.1)
    return out


def rewrite(folder: Path, change: Any) -> Path:
    path = folder / "manifest.jsonl"
    lines = path.read_text().splitlines()
    obj = json.loads(lines[1])
    lines[1] = change(obj)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(("key", "value", "words"), [
    ("file", "../../etc/passwd.png", "plain .png file name"),
    ("file", "absent.png", "no such regular file"),
    ("file", 7, "plain .png file name"),
    ("camera", "garage_cam", "not a camera"),
    ("camera", ["living_room_cam"], "not a camera"),
    ("device", "kitchen_light", "not a device with a zone"),
    ("device", None, "not a device with a zone"),
    ("pose", "wave", "expected one of"),
    ("time", "yesterday", "ISO 8601"),
    ("time", 5, "ISO 8601"),
    ("size", [320], "[width, height]"),
    ("size", [320, True], "[width, height]"),
    ("size", [10**9, 240], "[width, height]"),
    ("size", [640, 480], "PNG's own width and height"),  # in range, not the file's
    ("sha256", "0" * 64, "does not match"),
    ("sha256", "xyz", "64 lowercase hex"),
])
def test_hostile_manifest_fields(folder: Path, home: HomeConfig, key: str, value: Any,
                                 words: str) -> None:
    path = rewrite(folder, lambda o: json.dumps({**o, key: value}))
    with pytest.raises(CaptureInputError) as err:
        read_manifest(path, home)
    message = str(err.value)
    assert message.startswith(f"{path}:2:{key}:") and words in message, message
    assert "\n" not in message


@pytest.mark.parametrize(("line", "words"), [
    ("[1, 2]", "expected a JSON object"),
    ("{not json", "not JSON"),
    ('{"file": "a.png"}', "camera: missing"),
    ("x" * 5000, "longer than"),
])
def test_hostile_manifest_lines(folder: Path, home: HomeConfig, line: str, words: str) -> None:
    path = rewrite(folder, lambda _: line)
    with pytest.raises(CaptureInputError, match=words):
        read_manifest(path, home)


def test_a_manifest_file_that_is_not_a_png(folder: Path, home: HomeConfig) -> None:
    """A file whose hash the line matches but that is no PNG is refused before decoding."""
    fake = b"GIF89a" + bytes(100)
    (folder / "fake.png").write_bytes(fake)
    path = rewrite(folder, lambda o: json.dumps(
        {**o, "file": "fake.png", "sha256": hashlib.sha256(fake).hexdigest()}))
    with pytest.raises(CaptureInputError, match=r":2:file: not a PNG file"):
        read_manifest(path, home)


def test_manifest_extra_key_and_encoding(folder: Path, home: HomeConfig) -> None:
    path = rewrite(folder, lambda o: json.dumps({**o, "evil": 1}))
    with pytest.raises(CaptureInputError, match=r":2:evil: unknown key"):
        read_manifest(path, home)
    path.write_bytes(b"\xff\xfe\n")
    with pytest.raises(CaptureInputError, match=r":1: not UTF-8"):
        read_manifest(path, home)
    with pytest.raises(CaptureInputError, match="no manifest"):
        read_manifest(folder / "nothing.jsonl", home)
