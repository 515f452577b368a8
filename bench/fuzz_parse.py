"""Fuzz `assistant parse --jsonl` with hostile lines, through one real process.

    python -m bench.fuzz_parse [--lines 10000] [--seed 0]

A seeded generator writes each line (random bytes, invalid UTF-8, lone surrogates, deep
nesting, huge numbers and strings, wrong types, unknown keys, missing files, FIFOs,
/dev/zero, directories, symlinks, long paths, NUL, bad WAVs and images, and good
requests in between) to one `assistant parse --jsonl` process and waits for its answer
before sending the next, so each line's time is its own. Prints: lines, answers, errors
by kind, crashes, max/median/p99 seconds per line, peak RSS of the process.

Valid audio goes through PocketSphinx, whose cost grows faster than the audio's length
on loud noise (measured separately by `--noise-probe`); the fuzz lines carry at most
1 s of valid audio so that the figures are about input handling.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SPEECH = ROOT / "tests" / "data" / "speech"
HANG_S = 5.0  # a line answered later than this counts as a hang
DEAD_S = 120.0  # no answer for this long: the process is taken as dead
TEXTS = ["turn on the kitchen light", "lights off", "unlock the front door",
         "set the bedside lamp to 40 percent", "what's the weather like", "turn that off",
         "switch the kettle on", "dim the desk lamp", "   ", ""]
CAMERAS = ["kitchen_cam", "living_room_cam", "bedroom_cam", "office_cam"]
KINDS = [  # error kinds, by the first pattern an error message matches
    ("not UTF-8", "not UTF-8"), ("surrogate", "unpaired surrogate"),
    ("control character", "control character"), ("depth", "nested deeper"),
    ("number", "number longer|number out of range"), ("constant", "is not a JSON number"),
    ("line too long", "line too long"), ("empty line", "empty line"),
    ("invalid JSON", "invalid JSON"), ("not an object", "expected a JSON object"),
    ("unknown key", "unknown key"), ("type", "must be a string"),
    ("text or audio", "give 'text' or 'audio'"), ("too long", r"too long \(\d+ char"),
    ("image needs camera", "needs the 'camera'"), ("unknown camera", "unknown camera"),
    ("NUL in path", "NUL byte"), ("path length", r"path too long|path has a name"),
    ("path unicode", "path is not valid Unicode"), ("empty path", "path is empty"),
    ("not found", "not found"),
    ("not a regular file", "not a regular file"), ("too large", "too large"),
    ("unreadable", "cannot read"), ("sample rate", "sample rate"),
    ("duration", r"s of audio \(at most"), ("not WAV", "not a WAV|WAV variant"),
    ("truncated", "truncated"),
    ("WAV format", "unsupported|invalid WAV|fmt chunk|channels|chunks before"),
    ("no samples", "no audio samples"), ("image pixels", "image over"),
    ("bad image", "not a readable image"), ("internal", "internal error"),
]


@dataclass
class Report:
    lines: int = 0
    answers: int = 0
    crashes: int = 0
    out_of_order: int = 0
    results: Counter[str] = field(default_factory=Counter)  # act / ignore / ... / error
    errors: Counter[str] = field(default_factory=Counter)  # by kind
    seconds: list[float] = field(default_factory=list)  # wall, from sending to the answer
    cpu_seconds: list[float] = field(default_factory=list)  # the process's CPU time
    others: list[str] = field(default_factory=list)  # error messages of no known kind
    slowest: list[tuple[float, str]] = field(default_factory=list)  # by wall time
    slowest_cpu: list[tuple[float, str]] = field(default_factory=list)
    peak_rss_mb: float = 0.0
    wall_s: float = 0.0
    stderr_tail: str = ""

    def record(self, number: int, line: bytes, raw: bytes, took: float, cpu: float) -> None:
        """The answer to line `number`, `took` seconds after it was sent."""
        self.answers += 1
        self.seconds.append(took)
        self.cpu_seconds.append(cpu)
        shown = line[:100].decode("utf-8", "replace")
        self.slowest = sorted([*self.slowest, (round(took, 3), shown)], reverse=True)[:5]
        self.slowest_cpu = sorted([*self.slowest_cpu, (round(cpu, 3), shown)],
                                  reverse=True)[:5]
        try:
            answer = json.loads(raw)
        except ValueError:
            self.crashes += 1  # not one JSON object: the output is broken
            return
        if "error" not in answer:
            self.results[answer.get("decision", "?")] += 1
            return
        self.results["error"] += 1
        kind = classify(answer["error"])
        self.errors[kind] += 1
        if kind == "other":
            self.others.append(answer["error"][:120])
        if not answer["error"].startswith(f"line {number}: "):
            self.out_of_order += 1

    @property
    def hangs(self) -> int:
        return sum(s > HANG_S for s in self.seconds)

    @property
    def cpu_hangs(self) -> int:
        return sum(s > HANG_S for s in self.cpu_seconds)

    def summary(self) -> dict[str, Any]:
        q = sorted(self.seconds) or [0.0]
        c = sorted(self.cpu_seconds) or [0.0]
        return {"lines": self.lines, "answers": self.answers, "crashes": self.crashes,
                "out_of_order": self.out_of_order, "hangs_over_5s": self.hangs,
                "cpu_over_5s": self.cpu_hangs,
                "internal_errors": self.errors.get("internal", 0),
                "results": dict(self.results), "errors_by_kind": dict(self.errors),
                "seconds_per_line": {"median": statistics.median(q),
                                     "p99": q[int(0.99 * (len(q) - 1))], "max": q[-1]},
                "cpu_seconds_per_line": {"median": statistics.median(c), "max": c[-1]},
                "slowest": self.slowest[:5], "peak_rss_mb": round(self.peak_rss_mb, 1),
                "wall_s": round(self.wall_s, 1)}


# --------------------------------------------------------------------------- files


def wav(rate: int, data: bytes, *, channels: int = 1, bits: int = 16, tag: int = 1,
        declared: int | None = None) -> bytes:
    block = max(1, channels * bits // 8)
    fmt = struct.pack("<HHIIHH", tag, channels, rate & 0xFFFFFFFF,
                      (rate * block) & 0xFFFFFFFF, block & 0xFFFF, bits)
    size = len(data) if declared is None else declared
    return (b"RIFF" + struct.pack("<I", (36 + len(data)) & 0xFFFFFFFF) + b"WAVEfmt "
            + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data)


def make_files(tmp: Path, rng: random.Random) -> dict[str, list[str]]:
    """Hostile and good files to name in requests, by kind."""
    import cv2

    noise = np.random.default_rng(rng.randrange(2**32))
    files: dict[str, list[str]] = {"wav_bad": [], "wav_good": [], "image_bad": [],
                                   "image_good": [], "special": [], "missing": []}

    def put(kind: str, name: str, data: bytes) -> None:
        path = tmp / name
        path.write_bytes(data)
        files[kind].append(str(path))

    pcm = (noise.normal(0, 3000, 16000) .astype("<i2")).tobytes()  # 1 s of loud noise
    put("wav_bad", "one_hz.wav", wav(1, bytes(3000)))
    put("wav_bad", "hours.wav", wav(16000, bytes(320), declared=0xFFFFFFF0))
    put("wav_bad", "truncated.wav", wav(16000, pcm)[:5000])
    put("wav_bad", "mulaw.wav", wav(8000, bytes(800), tag=7, bits=8))
    put("wav_bad", "zero_channels.wav", wav(16000, pcm, channels=0))
    put("wav_bad", "odd_block.wav", wav(16000, pcm, channels=2, bits=12))  # align 3
    put("wav_bad", "many_channels.wav", wav(16000, pcm[:4000], channels=64))
    put("wav_bad", "header_only.wav", wav(16000, b"")[:30])
    put("wav_bad", "empty_data.wav", wav(16000, b""))
    put("wav_bad", "random.wav", noise.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    put("wav_bad", "riff_only.wav", b"RIFF\xff\xff\xff\xffWAVE")
    put("wav_bad", "many_chunks.wav", b"RIFF\x00\x00\x00\x00WAVE" + b"junk\x00\x00\x00\x00" * 5000)
    put("wav_bad", "sixty_one_s.wav", wav(8000, bytes(61 * 8000), bits=8))
    put("wav_bad", "empty.wav", b"")
    sparse = tmp / "sparse.wav"
    with sparse.open("wb") as f:
        f.truncate(64 * 2**20)
    files["wav_bad"].append(str(sparse))
    put("wav_good", "noise_1s.wav", wav(16000, pcm))
    put("wav_good", "prime_rate.wav", wav(191_999, bytes(191_999 // 4 * 2)))
    put("wav_good", "quiet_48k_stereo.wav", wav(48000, bytes(48000 * 4 // 2), channels=2))
    files["wav_good"] += [str(SPEECH / "cmd00_turn_on_the_kitchen_light.wav"),
                          str(SPEECH / "cmd07_turn_on_the_lights.wav")]
    bomb = cv2.imencode(".png", np.zeros((12000, 12000), np.uint8))[1].tobytes()
    put("image_bad", "bomb.png", bomb)
    put("image_bad", "not_png.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 100)
    put("image_bad", "text.jpg", b"turn on the light\n")
    put("image_bad", "half.png", cv2.imencode(".png", noise.integers(
        0, 256, (64, 64, 3), dtype=np.uint8))[1].tobytes()[:300])
    put("image_good", "frame.png", cv2.imencode(".png", np.full((120, 160, 3), 90,
                                                                np.uint8))[1].tobytes())
    put("image_good", "frame.jpg", cv2.imencode(".jpg", noise.integers(
        0, 256, (96, 96, 3), dtype=np.uint8))[1].tobytes())
    fifo = tmp / "fifo.wav"
    os.mkfifo(fifo)
    (tmp / "dir.wav").mkdir()
    for name, target in (("zero_link.wav", "/dev/zero"), ("dir_link.png", str(tmp / "dir.wav")),
                         ("dangling.wav", str(tmp / "nowhere")), ("loop_a", str(tmp / "loop_b")),
                         ("loop_b", str(tmp / "loop_a")), ("fifo_link.png", str(fifo))):
        (tmp / name).symlink_to(target)
    files["special"] += [str(fifo), str(tmp / "dir.wav"), "/dev/zero", "/dev/urandom",
                         "/dev/null", "/dev/stdin", "/dev/stdout", "/proc/self/mem",
                         "/proc/self/environ", "/", ".", str(tmp / "zero_link.wav"),
                         str(tmp / "dir_link.png"), str(tmp / "dangling.wav"),
                         str(tmp / "loop_a"), str(tmp / "fifo_link.png")]
    files["missing"] += ["", "nowhere.wav", "/no/such/file.wav", "~/x.png", "a" * 300,
                         "/" + "d/" * 2100, "/tmp/" + "é" * 200, "x\x00y.wav",
                         "bad\udcff.wav", "bad\ud800.wav", " ", "\n.wav"]
    return files


# --------------------------------------------------------------------------- lines


class Lines:
    """A seeded generator of hostile (and some good) request lines."""

    def __init__(self, rng: random.Random, files: dict[str, list[str]]) -> None:
        self.rng = rng
        self.files = files
        self.makers: list[tuple[float, Callable[[], bytes]]] = [
            (3, self.random_bytes), (2, self.bad_utf8), (2, self.surrogates),
            (2, self.deep), (2, self.huge_number), (2, self.huge_string),
            (4, self.wrong_types), (2, self.unknown_keys), (3, self.paths),
            (3, self.audio_files), (2, self.image_files), (1, self.good_audio),
            (4, self.good_text), (2, self.odd_text), (1, self.json_junk),
        ]
        self.weights = [w for w, _ in self.makers]

    def __call__(self) -> bytes:
        (_, make), = self.rng.choices(self.makers, self.weights)
        line = make()
        return line.replace(b"\n", b" ")  # one request is one line

    def pick(self, kind: str) -> str:
        return self.rng.choice(self.files[kind])

    @staticmethod
    def dump(obj: Any) -> bytes:
        return json.dumps(obj).encode()

    def random_bytes(self) -> bytes:
        return self.rng.randbytes(self.rng.randrange(0, 300))

    def bad_utf8(self) -> bytes:
        junk = self.rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                b"\xc0\xaf", b"\x80\x80"])
        return b'{"text": "turn on ' + junk + b' light"}'

    def surrogates(self) -> bytes:
        key = self.rng.choice(["text", "audio", "camera", "image", "\\ud800"])
        value = self.rng.choice(["\\ud800 hi", "\\udfff", "x\\udcff", "\\ud83d"])
        return f'{{"{key}": "{value}"}}'.encode()

    def deep(self) -> bytes:
        depth = self.rng.choice([17, 100, 1000, 5000, 30_000, 40_000])
        open_, close = self.rng.choice([("[", "]"), ('{"a":', "}")])
        return (open_ * depth + "1" + close * depth).encode()

    def huge_number(self) -> bytes:
        digits = self.rng.choice([33, 400, 4301, 5000, 20_000, 60_000])
        number = self.rng.choice(["1" + "0" * digits, "-" + "9" * digits, "1e" + "9" * 8,
                                  "0." + "1" * digits])
        return f'{{"text": {number}}}'.encode()

    def huge_string(self) -> bytes:
        size = self.rng.choice([1001, 60_000, 70_000, 1_000_000, 3_000_000])
        key = self.rng.choice(["text", "audio", "camera", "image", "mood"])
        return self.dump({key: "x" * size})

    def wrong_types(self) -> bytes:
        key = self.rng.choice(["text", "audio", "camera", "image"])
        value = self.rng.choice([1, 2.5, True, None, [], ["lights on"], {}, {"text": "x"}])
        obj: dict[str, Any] = {key: value}
        if key in ("camera", "image"):
            obj["text"] = "lights on"
        return self.dump(obj)

    def unknown_keys(self) -> bytes:
        keys = ["mood", "TEXT", "", "text ", "\u0000", "x" * 500, "__proto__"]
        return self.dump({"text": "lights on", self.rng.choice(keys): 1})

    def paths(self) -> bytes:
        path = self.pick(self.rng.choice(["special", "missing"]))
        key = self.rng.choice(["audio", "image"])
        obj: dict[str, Any] = {key: path}
        if key == "image":
            obj.update(text="turn that off", camera=self.rng.choice(CAMERAS))
        return json.dumps(obj).encode("utf-8", "surrogatepass")

    def audio_files(self) -> bytes:
        return self.dump({"audio": self.pick("wav_bad")})

    def image_files(self) -> bytes:
        good = self.rng.random() < 0.3
        return self.dump({"text": "turn that off", "camera": self.rng.choice(CAMERAS),
                          "image": self.pick("image_good" if good else "image_bad")})

    def good_audio(self) -> bytes:
        obj: dict[str, Any] = {"audio": self.pick("wav_good")}
        if self.rng.random() < 0.5:
            obj["camera"] = self.rng.choice(CAMERAS)
        return self.dump(obj)

    def good_text(self) -> bytes:
        obj: dict[str, Any] = {"text": self.rng.choice(TEXTS)}
        if self.rng.random() < 0.4:
            obj["camera"] = self.rng.choice([*CAMERAS, "garden_cam"])
        return self.dump(obj)

    def odd_text(self) -> bytes:
        text = self.rng.choice(["\u202eturn on the light", "lights \u0000 on", "🔥" * 300,
                                "supercalifragilistic" * 40, "turn on\tthe\rlight",
                                "ᴛᴜʀɴ ᴏɴ", "\ufeffturn on the light", "a" * 1000,
                                " ".join(["on"] * 400)])
        return self.dump({"text": text})

    def json_junk(self) -> bytes:
        return self.rng.choice([b"[1, 2]", b"null", b"42", b'"text"', b"NaN",
                                b'{"text": Infinity}', b'{"text": "a", "text": "b"}',
                                b"{", b"}", b'{"text": "x",}', b"   ", b"\t",
                                b'{"text": "\\u0000"}', b"\xef\xbb\xbf{\"text\": \"hi\"}"])


# --------------------------------------------------------------------------- running


def classify(message: str) -> str:
    for kind, pattern in KINDS:
        if re.search(pattern, message):
            return kind
    return "other"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(lines: int = 10_000, seed: int = 0, config: Path = ROOT / "devices.yaml",
        progress: bool = False) -> Report:
    """Send `lines` hostile lines, one at a time, to one `assistant parse --jsonl`."""
    rng = random.Random(seed)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="fuzz_parse_") as tmp:
        make = Lines(rng, make_files(Path(tmp), rng))
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "--config",
                                 str(config), "parse", "--jsonl"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        answers: queue.Queue[bytes] = queue.Queue()
        stderr: list[bytes] = []
        out, err = proc.stdout, proc.stderr

        def read_answers() -> None:
            for answer in out:
                answers.put(answer)

        readers = [threading.Thread(target=read_answers, daemon=True),
                   threading.Thread(target=lambda: stderr.extend(err), daemon=True)]
        for reader in readers:
            reader.start()
        started = time.monotonic()
        for number in range(1, lines + 1):
            line = make()
            report.lines += 1
            sent, cpu = time.monotonic(), cpu_seconds(proc.pid)
            try:
                proc.stdin.write(line + b"\n")
                proc.stdin.flush()
                raw = answers.get(timeout=DEAD_S)
            except (BrokenPipeError, queue.Empty):
                report.crashes += 1
                break
            report.record(number, line, raw, time.monotonic() - sent,
                          cpu_seconds(proc.pid) - cpu)
            if progress and number % 1000 == 0:
                print(f"{number} lines, {time.monotonic() - started:.0f} s", file=sys.stderr)
        if proc.poll() is None:
            report.peak_rss_mb = peak_rss_mb(proc.pid)
        proc.stdin.close()
        code = proc.wait(timeout=DEAD_S)
        for reader in readers:
            reader.join(timeout=10)
        if code != 0:
            report.crashes += 1
        report.wall_s = time.monotonic() - started
        report.stderr_tail = b"".join(stderr)[-2000:].decode("utf-8", "replace")
    return report


def noise_probe(seconds: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)) -> dict[float, float]:
    """Seconds PocketSphinx takes on loud white noise of each length (parse --audio)."""
    from assistant.config import load_config
    from assistant.home_speech import home_recognizer
    from assistant.types import Utterance

    recognizer = home_recognizer(load_config(ROOT / "devices.yaml"))
    taken = {}
    for length in seconds:
        audio = np.random.default_rng(0).normal(0, 3000, int(16000 * length))
        utt = Utterance(audio=audio.astype(np.int16), sample_rate=16000, source="noise",
                        started_at=0.0, ended_at=0.0)
        t0 = time.perf_counter()
        recognizer.recognize(utt)
        taken[length] = time.perf_counter() - t0
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise-probe", action="store_true",
                        help="also time PocketSphinx on 0.5-4 s of loud noise")
    args = parser.parse_args(argv)
    report = run(args.lines, args.seed, progress=True)
    summary = report.summary()
    print(f"lines {summary['lines']}, answers {summary['answers']}, crashes "
          f"{summary['crashes']}, out of order {summary['out_of_order']}, internal errors "
          f"{summary['internal_errors']}")
    sec = summary["seconds_per_line"]
    print(f"seconds per line: median {sec['median']:.4f}, p99 {sec['p99']:.3f}, max "
          f"{sec['max']:.3f}; over {HANG_S:g} s: {summary['hangs_over_5s']}")
    cpu = summary["cpu_seconds_per_line"]
    print(f"CPU seconds per line: median {cpu['median']:.4f}, max {cpu['max']:.3f}; over "
          f"{HANG_S:g} s: {summary['cpu_over_5s']}")
    print(f"peak RSS {summary['peak_rss_mb']} MB; wall {summary['wall_s']} s")
    print("results:", ", ".join(f"{k} {v}" for k, v in sorted(report.results.items())))
    print("errors by kind:")
    for kind, count in report.errors.most_common():
        print(f"  {kind:20s} {count}")
    for message in sorted(set(report.others))[:10]:
        print(f"  other: {message}")
    print("slowest lines (wall):")
    for took, line in report.slowest:
        print(f"  {took:7.3f} s  {line[:90]!r}")
    print("slowest lines (CPU):")
    for took, line in report.slowest_cpu:
        print(f"  {took:7.3f} s  {line[:90]!r}")
    if args.noise_probe:
        for length, took in noise_probe().items():
            print(f"pocketsphinx on {length:g} s of loud noise: {took:.2f} s")
    return 0 if report.crashes == 0 and report.answers == report.lines else 1


if __name__ == "__main__":
    sys.exit(main())
