"""Benchmark the daemon: spoken-command accuracy, per-stage latency, idle CPU and memory.

    python -m bench.benchmark_daemon [--config devices.yaml] [--idle-seconds 20]

1. Spoken fixtures (tests/data/speech): every WAV through the daemon's recognizer and the
   brain, compared with its labels (intent, targets, value, decision all equal): once as
   the daemon hears them (one session, endpointed and streamed), once one file at a time.
2. Latency: the daemon itself on a local Mosquitto, hearing a session of fixture commands
   with room tone between them in real time (so utterances end by endpointing); the
   per-stage timings of its events (end of speech -> ASR -> understanding -> publish).
   Again with the ear's noisy dev clips (a loud room: each decoded a second time, denoised).
3. Idle: `assistant run` as a process listening to silence in real time with one camera
   (the sample video at 5 fps): CPU as a share of one core, and peak RSS.

These machines are shared and noisy, so every figure is a median over repeats, and a fixed
reference workload is timed in the same run: stage times are also given as multiples of it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "speech"
LOUD_FIXTURES = ROOT / "tests" / "data" / "speech_dev"
"""The ear's dev clips: half have room noise mixed in at 10 to 20 dB (synthetic)."""


def reference_ms(repeats: int = 5) -> float:
    """A fixed CPU workload (numpy and Python), the yardstick for this machine right now."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((128, 128)).astype(np.float32)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(50):
            a = np.tanh(a @ a.T / 128)
        sum(i * i for i in range(20000))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def spoken_accuracy(config_path: Path, *, session: bool) -> dict[str, Any]:
    """Every fixture through the recognizer and the brain, scored against its labels.

    `session=False`: each WAV decoded whole and on its own, as `parse --audio` does.
    `session=True`: the daemon's path: all fixtures in one stream with room tone between
    them, endpointed, streamed and decoded by `Listener` as `assistant run` does.
    """
    from assistant.audio import open_audio_source, wav_utterance
    from assistant.endpoint import EndpointConfig
    from assistant.home_speech import home_recognizer
    from assistant.listener import Listener
    from assistant.pipeline import Brain

    brain = Brain.load(config_path)
    recognizer = home_recognizer(brain.config)
    rows = [json.loads(line) for line in (FIXTURES / "manifest.jsonl").read_text().splitlines()]
    if not session:
        heard_whole = [recognizer.recognize(wav_utterance(FIXTURES / r["file"])) for r in rows]
    else:
        listener = Listener(recognizer, EndpointConfig(
            end_silence_s=brain.config.speech.endpoint_silence_s), realtime=False)
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "session.wav"
            session_wav(rows, wav)
            heard = [h for chunk in open_audio_source(str(wav)) for h in listener.feed(chunk)]
            heard += listener.flush()
        heard_whole = [h.transcript for h in heard]
        if len(heard_whole) != len(rows):  # an utterance split or merged: no alignment
            return {"n": len(rows), "utterances": len(heard_whole), "exact": 0.0,
                    "transcripts": [t.text for t in heard_whole]}
    return _score(brain, rows, heard_whole)


def _score(brain: Any, rows: list[dict[str, Any]], transcripts: list[Any]) -> dict[str, Any]:
    """Each transcript through the brain with its alternatives, as the daemon parses it."""
    from assistant.types import ParseRequest

    per_voice: dict[str, list[bool]] = {}
    exact = transcript_exact = wrong_actions = 0
    failures = []
    for row, transcript in zip(rows, transcripts, strict=True):
        text = transcript.text
        got = brain.parse_batch([ParseRequest(text=text or " ", camera=row["camera"],
                                              alternatives=transcript.alternatives)])[0]
        ok = (got.intent == row["intent"] and sorted(got.targets) == sorted(row["targets"])
              and got.decision == row["decision"] and _same(got.value, row["value"]))
        if not text.strip():  # nothing recognised: the daemon ignores it
            ok = row["intent"] == "none"
        exact += ok
        transcript_exact += text == row["text"]
        wrong_actions += not ok and bool(text.strip()) and got.decision in ("act", "confirm")
        per_voice.setdefault(row["voice"], []).append(ok)
        if not ok:
            failures.append({"said": row["text"], "heard": text, "got": got.to_json()})
    return {
        "n": len(rows), "exact": exact / len(rows),
        "transcripts_exact": transcript_exact / len(rows), "wrong_actions": wrong_actions,
        "per_voice": {v: sum(x) / len(x) for v, x in per_voice.items()},
        "failures": failures,
    }


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 0.01
    return a == b


def session_wav(rows: list[dict[str, Any]], out: Path, gap_s: float = 1.5,
                fixtures: Path = FIXTURES) -> None:
    """The fixtures one after another with room tone between them, as a microphone hears a
    session: each utterance then ends by endpointing (0.5 s of silence), not at a file end."""
    from assistant.audio import read_wav

    rng = np.random.default_rng(0)
    parts = []
    for row in rows:
        parts += [rng.normal(0, 30, int(16000 * gap_s)).astype(np.int16),
                  read_wav(fixtures / row["file"])]
    parts.append(rng.normal(0, 30, int(16000 * gap_s)).astype(np.int16))
    with wave.open(str(out), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(np.concatenate(parts).astype("<i2").tobytes())


def latency(config_path: Path, n_files: int, early_decode_s: float | None = 0.2,
            loud: bool = False) -> dict[str, Any]:
    """The daemon on a local broker, hearing `n_files` spoken commands in real time.
    `loud`: the ear's dev clips with room noise mixed in (each under the 15 dB gate, so
    each is decoded a second time through RNNoise) instead of the clean fixtures."""
    from assistant.audio import read_wav
    from assistant.broker import HOST, LocalBroker
    from assistant.config import load_config
    from assistant.daemon import Daemon, DaemonOptions
    from assistant.denoise import SNR_GATE_DB, snr_db
    from assistant.home_speech import home_recognizer
    from assistant.pipeline import Brain

    fixtures = LOUD_FIXTURES if loud else FIXTURES
    rows = [json.loads(line) for line in (fixtures / "manifest.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["intent"] != "none" and (r.get("noise") is not None) == loud
            and (not loud or snr_db(read_wav(fixtures / r["file"])) < SNR_GATE_DB)][:n_files]
    events: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, LocalBroker() as broker:
        session = Path(tmp) / "session.wav"
        session_wav(rows, session, fixtures=fixtures)
        config = load_config(config_path)
        config = config.model_copy(update={"mqtt": config.mqtt.model_copy(
            update={"host": HOST, "port": broker.port})})
        brain = Brain(config, Brain.load(config_path).model)
        options = DaemonOptions(audio=(str(session),), realtime=True, exit_when_done=True,
                                camera_sources={"living_room_cam": str(ROOT / "samples"
                                                                       / "living_room.avi")},
                                start_cameras=("living_room_cam",),
                                early_decode_s=early_decode_s)
        Daemon(config, brain, home_recognizer(config), options=options,
               report=events.append).run()
    stages = ["endpoint_to_asr_ms", "asr_ms", "asr_after_end_ms", "understand_ms",
              "publish_ms", "end_to_publish_ms"]
    right = None
    if len(events) == len(rows):  # one event per command: compare with the labels
        right = sum(e.get("intent") == r["intent"]
                    and sorted(e.get("targets", [])) == sorted(r["targets"])
                    and e.get("decision") == r["decision"] for e, r in zip(events, rows,
                                                                           strict=True))
    return {"n": len(events), "commands": len(rows), "right": right,
            **{s: statistics.median(e["timings_ms"].get(s, 0.0) for e in events)
               for s in stages},
            "end_to_publish_p90_ms": float(np.percentile(
                [e["timings_ms"].get("end_to_publish_ms", 0.0) for e in events], 90)),
            "end_to_publish_max_ms": max(e["timings_ms"].get("end_to_publish_ms", 0.0)
                                         for e in events)}


def idle(config_path: Path, seconds: float) -> dict[str, float]:
    """CPU share of one core and peak RSS of `assistant run` listening to silence."""
    from assistant.broker import LocalBroker

    with tempfile.TemporaryDirectory() as tmp, LocalBroker() as broker:
        silence = Path(tmp) / "silence.wav"
        with wave.open(str(silence), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(16000)
            noise = np.random.default_rng(0).normal(0, 30, int(16000 * (seconds + 30)))
            wav.writeframes(noise.astype("<i2").tobytes())  # room tone, not digital silence
        data = yaml.safe_load(config_path.read_text())
        data["mqtt"].update(host="127.0.0.1", port=broker.port)
        data["cameras"] = {"living_room_cam": data["cameras"]["living_room_cam"]}
        config = Path(tmp) / "devices.yaml"
        config.write_text(yaml.safe_dump(data))
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "--config", str(config), "run",
             "--audio", str(silence), "--camera-source",
             f"living_room_cam={ROOT / 'samples' / 'living_room.avi'}"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(8)  # models load; measure the steady state only
        cpu0, t0 = _cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, t1 = _cpu_seconds(proc.pid), time.monotonic()
        peak = _peak_mb(proc.pid)
        proc.terminate()
        proc.wait(timeout=20)
    return {"cpu_percent_of_one_core": 100 * (cpu1 - cpu0) / (t1 - t0), "peak_rss_mb": peak,
            "exit_code": float(proc.returncode)}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.benchmark_daemon",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "devices.yaml")
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--latency-files", type=int, default=20)
    args = parser.parse_args(argv)

    ref_before = reference_ms()
    spoken = spoken_accuracy(args.config, session=True)
    single = spoken_accuracy(args.config, session=False)
    lat = latency(args.config, args.latency_files)
    # Baseline in the same run: the same daemon decoding each utterance only once it ended.
    late = latency(args.config, args.latency_files, early_decode_s=None)
    loud = latency(args.config, args.latency_files, loud=True)
    quiet = idle(args.config, args.idle_seconds)
    ref = statistics.median([ref_before, reference_ms()])

    print(f"reference workload: {ref:.1f} ms (median, this machine now)")
    for name, result in (("in one session (the daemon's path)", spoken),
                         ("one file at a time (parse --audio)", single)):
        print(f"spoken fixtures {name}: {result['exact']:.1%} exact of {result['n']} "
              f"(transcripts exact {result.get('transcripts_exact', 0):.1%}, wrong actions "
              f"{result.get('wrong_actions')})")
        for voice, share in sorted(result.get("per_voice", {}).items()):
            print(f"  {voice:<28} {share:.1%}")
    print(f"latency over {lat['n']} spoken commands (median ms, x reference):")
    for stage in ("endpoint_to_asr_ms", "asr_ms", "asr_after_end_ms", "understand_ms",
                  "publish_ms", "end_to_publish_ms"):
        print(f"  {stage:<20} {lat[stage]:8.1f}   {lat[stage] / ref:5.2f}x")
    print(f"  baseline, decoding only after the end: end_to_publish median "
          f"{late['end_to_publish_ms']:.1f} ms, p90 {late['end_to_publish_p90_ms']:.1f} ms "
          f"(x{late['end_to_publish_ms'] / max(lat['end_to_publish_ms'], 0.1):.0f} the median)")
    print(f"  end_to_publish p90   {lat['end_to_publish_p90_ms']:8.1f}, "
          f"max {lat['end_to_publish_max_ms']:.1f}; "
          f"{lat['n']} events for {lat['commands']} commands, right: {lat['right']}")
    print(f"loud room ({loud['commands']} noisy dev clips, each decoded again through RNNoise;"
          f" {loud['n']} events): "
          f"end_to_publish median {loud['end_to_publish_ms']:.1f} ms, p90 "
          f"{loud['end_to_publish_p90_ms']:.1f} ms, max {loud['end_to_publish_max_ms']:.1f}; "
          f"asr_after_end median {loud['asr_after_end_ms']:.1f} ms; right: {loud['right']} of "
          f"{loud['commands']}")
    print(f"idle, listening, one camera at 5 fps: {quiet['cpu_percent_of_one_core']:.1f} % "
          f"of one core, peak RSS {quiet['peak_rss_mb']:.0f} MB, "
          f"exit code after SIGTERM {quiet['exit_code']:.0f}")
    out = ROOT / "bench" / "results" / "daemon.json"
    out.write_text(json.dumps({"reference_ms": ref, "spoken": spoken,
                               "spoken_single_shot": single, "latency": lat,
                               "latency_decoding_after_end": late,
                               "latency_loud_room": loud,
                               "idle": quiet}, indent=1) + "\n")
    print(f"SUMMARY spoken exact {spoken['exact']:.1%} in a session, {single['exact']:.1%} "
          f"one at a time; end-to-publish median "
          f"{lat['end_to_publish_ms']:.0f} ms, idle CPU {quiet['cpu_percent_of_one_core']:.1f} %,"
          f" peak {quiet['peak_rss_mb']:.0f} MB; details in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
