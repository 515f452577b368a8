"""Benchmark the ear: spoken sets through the recognizer and the brain, per voice.

    python -m bench.benchmark_speech [--sets test,dev,devspeech,real] [--modes lm,lm-raw,grammar]

Each WAV is decoded on its own, as `assistant parse --audio` does it (one recognizer for the
whole batch, the brain choosing among the recognizer's alternatives), and the answer is
compared with its labels (intent, targets, value and decision all equal: "exact"). The same
audio goes through the old JSGF grammar in the same run, the baseline, and through the
language model without noise suppression (lm-raw: the ear before RNNoise).

Sets:
- test: tests/data/speech_test, the spoken test set (sentences written by hand for the
  reference home, tests/data/test_speech.jsonl; Piper and espeak-ng voices, half of them with
  synthetic room noise at 10-20 dB SNR). Nothing was tuned on it.
- dev: tests/data/speech, the 66 spoken fixtures (the dev set: settings were tuned on it and
  on a spoken copy of the text dev set, which `scripts/make_speech_fixtures.py --set
  dev-extra` writes).
- devspeech: tests/data/speech_dev, the ear's own spoken dev set (128 sentences written by
  hand for the reference home to tune on, tests/data/dev_speech.jsonl, spoken like the test
  set: `scripts/make_speech_fixtures.py --set dev`).
- real: tests/data/speech_real/coffee-orders, 60 recordings of real people ordering coffee.
  Not commands for this home: right = nothing done, or at most the coffee machine switched
  on; anything else acted on is a wrong action.

Printed per voice (and noise condition): exact share, wrong actions (act or confirm when
the answer is not exact), the real-time factor (decoding time / audio time, model load
apart). A fixed CPU workload is timed in the same run: the machine is shared and noisy.
Results go to bench/results/speech.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.benchmark_daemon import reference_ms

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SETS: dict[str, Path] = {
    "test": DATA / "speech_test",
    "dev": DATA / "speech",
    "devspeech": DATA / "speech_dev",
    "real": DATA / "speech_real" / "coffee-orders",
}
COFFEE_ON = ("turn_on", ("kitchen_coffee",))


@dataclass
class Tally:
    """Counts for one group of clips."""

    n: int = 0
    exact: int = 0
    wrong: int = 0
    decode_s: float = 0.0
    audio_s: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, ok: bool, wrong: bool, decode_s: float, audio_s: float,
            miss: dict[str, Any]) -> None:
        self.n += 1
        self.exact += ok
        self.wrong += wrong
        self.decode_s += decode_s
        self.audio_s += audio_s
        if not ok:
            self.misses.append(miss)

    def summary(self) -> dict[str, Any]:
        return {"n": self.n, "exact": self.exact / max(1, self.n), "wrong": self.wrong,
                "rtf": self.decode_s / max(1e-9, self.audio_s)}


def load_rows(set_name: str) -> list[dict[str, Any]]:
    """The set's manifest, with labels for the real recordings (not commands here)."""
    rows = [json.loads(line) for line in
            (SETS[set_name] / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    if set_name == "real":
        return [{"file": r["audio"], "text": "(real voice: a coffee order)", "camera": None,
                 "intent": "none", "targets": [], "value": None, "decision": "ignore",
                 "voice": "real people", "noise": None} for r in rows]
    return rows


def same_value(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 0.01
    return a == b


def judge(row: dict[str, Any], result: Any, set_name: str) -> tuple[bool, bool]:
    """(exact, wrong action) for one answer."""
    acted = result.decision in ("act", "confirm")
    if set_name == "real":
        harmless = not acted or (result.decision == "act" and
                                 (result.intent, tuple(result.targets)) == COFFEE_ON)
        return harmless, not harmless
    ok = (result.intent == row["intent"] and sorted(result.targets) == sorted(row["targets"])
          and result.decision == row["decision"] and same_value(result.value, row["value"]))
    return ok, acted and not ok


def run_set(set_name: str, brain: Any, recognizer: Any) -> dict[str, Tally]:
    """Every clip of a set through `recognizer` and the brain; tallies per voice."""
    from assistant.audio import wav_utterance
    from assistant.types import ParseRequest

    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in load_rows(set_name):
        utt = wav_utterance(SETS[set_name] / row["file"])
        t0 = time.perf_counter()
        heard = recognizer.recognize(utt)
        decode_s = time.perf_counter() - t0
        result = brain.parse_batch([ParseRequest(text=heard.text, camera=row["camera"],
                                                 alternatives=heard.alternatives)])[0]
        ok, wrong = judge(row, result, set_name)
        group = row["voice"] + (f" + {row['noise']} noise" if row.get("noise") else "")
        miss = {"said": row["text"], "heard": heard.text, "decision": result.decision,
                "intent": result.intent, "targets": list(result.targets),
                "confidence": heard.confidence, "wrong": wrong}
        for key in (group, "all"):
            tallies[key].add(ok, wrong, decode_s, len(utt.audio) / utt.sample_rate, miss)
    return tallies


def build_recognizers(config: Any, modes: list[str]) -> tuple[dict[str, Any], float]:
    """A recognizer per mode, and the language model recognizer's start-up time."""
    from assistant.home_speech import home_recognizer

    raw_config = config.model_copy(update={"speech": config.speech.model_copy(
        update={"denoise": "off"})})
    recognizers: dict[str, Any] = {}
    lm_load = 0.0
    for mode in modes:
        t0 = time.perf_counter()
        if mode == "lm-raw":
            recognizers[mode] = home_recognizer(raw_config, mode="lm")
        else:
            recognizers[mode] = home_recognizer(config, mode=mode)
        lm_load = max(lm_load, time.perf_counter() - t0) if mode == "lm" else lm_load
    return recognizers, lm_load


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.config import load_config
    from assistant.pipeline import Brain

    parser = argparse.ArgumentParser(prog="python -m bench.benchmark_speech",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "devices.yaml")
    parser.add_argument("--sets", default="test,dev,devspeech,real")
    parser.add_argument("--modes", default="lm,lm-raw,grammar",
                        help="lm (the default recognizer), lm-raw (the same without noise "
                        "suppression), grammar (the old baseline); comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "speech.json")
    args = parser.parse_args(argv)
    sets = [s for s in args.sets.split(",") if s]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}: choose from {', '.join(SETS)}")

    config = load_config(args.config)
    brain = Brain(config, Brain.load(args.config).model)
    ref_before = reference_ms()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or set(modes) - {"lm", "lm-raw", "grammar"}:
        parser.error("--modes: a comma-separated choice of lm, lm-raw, grammar")
    recognizers, lm_load = build_recognizers(config, modes)
    report: dict[str, Any] = {"lm_load_s": lm_load}
    for set_name in sets:
        report[set_name] = {}
        for mode, recognizer in recognizers.items():
            if (set_name, mode) == ("real", "grammar"):
                # PocketSphinx 5.1.1 segfaults in process_raw with the grammar on the third
                # real recording (062998e3..., 8.7 s) after two others (not alone, not with
                # the language model): the baseline skips this set rather than crash.
                print("real: no grammar baseline (it crashes PocketSphinx, see the source)")
                continue
            tallies = run_set(set_name, brain, recognizer)
            report[set_name][mode] = {k: t.summary() for k, t in sorted(tallies.items())}
            # The test set's failures are not for reading (nothing is tuned on it): counts only.
            report[set_name][mode]["misses"] = tallies["all"].misses if set_name != "test" else []
    report["reference_ms"] = statistics.median([ref_before, reference_ms()])

    print(f"reference workload {report['reference_ms']:.1f} ms (this machine, now); "
          f"recognizer start-up (language model from the cache or built) {lm_load:.1f} s")
    for set_name in sets:
        print(f"\n{set_name} ({SETS[set_name].relative_to(ROOT)}):")
        modes = list(recognizers)
        print(f"  {'voice':44s} " + "  ".join(f"{m:>24s}" for m in modes))
        first = modes[0]
        groups = [g for g in report[set_name][first] if g not in ("all", "misses")] + ["all"]
        for group in groups:
            cells = []
            for mode in modes:
                if mode not in report[set_name]:
                    cells.append("-")
                    continue
                s = report[set_name][mode][group]
                cells.append(f"{s['exact']:6.1%} wr {s['wrong']:2d} rtf {s['rtf']:.2f}")
            print(f"  {group + ' (' + str(report[set_name][first][group]['n']) + ')':44s} "
                  + "  ".join(f"{c:>24s}" for c in cells))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    summary = "; ".join(
        f"{s} {m}: {report[s][m]['all']['exact']:.1%} exact, {report[s][m]['all']['wrong']}"
        f" wrong, rtf {report[s][m]['all']['rtf']:.2f}" for s in sets for m in modes
        if m in report[s])
    print(f"\nSUMMARY {summary}; details in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
