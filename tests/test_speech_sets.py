"""Whole spoken sets through the default recognizer (PocketSphinx with the home's language
model) and the brain, as `bench/benchmark_speech.py` runs them: floors well under the
figures measured when this was written, so a regression fails here and the benchmark says
by how much. Slow: hundreds of decodes."""

from __future__ import annotations

import json

import pytest

from assistant.config import HomeConfig
from assistant.home_speech import home_recognizer
from assistant.pipeline import Brain
from bench.benchmark_speech import DATA, load_rows, run_set

pytestmark = pytest.mark.slow

# Measured when written (bench/benchmark_speech.py, a 2-core machine shared with other jobs):
# the test set 65.4 % exact (134 of 205) with 6 wrong actions, the real coffee orders none
# of 60 (before the careful confidence rules of this round: 69.3 % with 8 wrong, and 1 real
# order set the thermostat); the floors leave room for run-to-run differences (CPU load
# changes timing, not results, but the decoder's dither and a new language model after a
# generator change do move a few clips). Seventh round: the confidence thresholds were
# raised on the dev clips (docs/speech.md) to trade answers for wrong actions; the test set
# then gave 58.5 % (120) with 2 wrong, so the floor is lower and the ceiling tighter.
# Eleventh session: RNNoise for loud utterances, 62.9 % (129) with 2 wrong.
FLOOR_TEST_EXACT = 0.55
CEILING_TEST_WRONG = 4
CEILING_REAL_WRONG = 1


@pytest.fixture(scope="module")
def brain(home: HomeConfig) -> Brain:
    return Brain(home, Brain.load("devices.yaml").model)


def test_the_test_sentences_are_nobody_elses() -> None:
    """The test set's sentences were written for it: none is a dev sentence or a fixture."""
    test = {json.loads(line)["text"] for line in
            (DATA / "test_speech.jsonl").read_text(encoding="utf-8").splitlines()}
    dev = {json.loads(line)["text"] for name in ("dev_commands.jsonl", "dev_noncommands.jsonl",
                                                 "dev_speech.jsonl")
           for line in (DATA / name).read_text(encoding="utf-8").splitlines()}
    fixtures = {r["text"] for r in load_rows("dev")}
    assert len(test) == 205 and not test & dev and not test & fixtures
    assert {r["text"] for r in load_rows("test")} == test
    assert len({r["text"] for r in load_rows("devspeech")} & dev) == 128


def test_spoken_test_set(brain: Brain, home: HomeConfig) -> None:
    tallies = run_set("test", brain, home_recognizer(home))
    total = tallies["all"]
    print({k: t.summary() for k, t in tallies.items()})
    assert total.n == 205
    assert total.exact / total.n >= FLOOR_TEST_EXACT
    assert total.wrong <= CEILING_TEST_WRONG


def test_real_voices_are_not_acted_on(brain: Brain, home: HomeConfig) -> None:
    """60 real people ordering coffee: at most the coffee machine may be switched on."""
    tallies = run_set("real", brain, home_recognizer(home))
    assert tallies["all"].n == 60
    assert tallies["all"].wrong <= CEILING_REAL_WRONG, tallies["all"].misses
