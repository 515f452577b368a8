"""The model's training data: the phrase generator's utterances plus Home Assistant's.

`training_examples` is what `python -m export.build_model` trains on, and what the test
that keeps the test set out of training (tests/test_test_set_is_held_out.py) regenerates.
The generator (generate.py) writes most of it; a share comes from Home Assistant's
community sentence templates (ha_phrases.py, needs hassil and home-assistant-intents from
the export extra), so the model also learns phrasing that is not ours.

Held out: templates write short, common sentences ("lights on", "mute") by chance, and
a hand-written test set has some of them too. Every generated utterance whose normalised
text is a sentence of a held-out set (`held_out_texts`: the repository's
tests/data/test_*.jsonl, and the second dev set tests/data/dev2_*.jsonl, which is for
measuring too) is dropped, so figures on those sets are never on sentences the model was
trained on (the usual decontamination of training data against test data).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.example import Example
from assistant.corpus.generate import generate, make_homes
from assistant.corpus.homes import Home


@dataclass(frozen=True)
class Sizes:
    """How much training data: the seed, the random homes and the utterances per home."""

    seed: int = 0
    n_homes: int = 300
    per_home: int = 200


SHIPPED = Sizes()  # the shipped model's data (export.build_model's defaults)
HA_SHARE = 0.12  # of all examples, from Home Assistant's templates ...
HA_COMMAND_SHARE = 0.75  # ... of which commands; the rest its non-command intents


def normalised(text: str) -> str:
    """How texts are compared with held-out sets: lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


# The test sets, and the second to eleventh dev sets (their figures must not be on trained
# lines).
HELD_OUT_FILES = ("test_*.jsonl", "dev2_*.jsonl", "dev3_*.jsonl", "dev4_*.jsonl",
                  "dev5_*.jsonl", "dev6_*.jsonl", "dev7_*.jsonl", "dev8_*.jsonl", "dev9_*.jsonl",
                  "dev10_*.jsonl", "dev11_*.jsonl", "dev12_*.jsonl",
                  "dev13_*.jsonl")


def held_out_texts(data_dir: Path) -> frozenset[str]:
    """Normalised `text` of every line of every held-out file (HELD_OUT_FILES) under
    `data_dir`."""
    found: set[str] = set()
    for path in sorted(p for pattern in HELD_OUT_FILES for p in data_dir.rglob(pattern)):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str) and text.strip():
                found.add(normalised(text))
    return frozenset(found)


def training_examples(seed: int, n_homes: int, per_home: int, reference: Home | None = None,
                      *, ha_share: float = HA_SHARE, held_out: Collection[str] = ()
                      ) -> list[Example]:
    """About `n_homes * per_home` examples, deterministic for the seed: generate()'s, with
    `ha_share` of them replaced by Home Assistant sentences over the same homes, and none
    whose normalised text is in `held_out`."""
    from assistant.corpus.ha_phrases import ha_example

    base = generate(seed, n_homes=n_homes, per_home=per_home, reference=reference)
    n_ha = round(len(base) * ha_share)
    if n_ha == 0:
        return [e for e in base if normalised(e.text) not in held_out]
    homes = make_homes(seed, n_homes) + ([reference] if reference is not None else [])
    rng = random.Random(f"ha:{seed}")
    extra: list[Example] = []
    while len(extra) < n_ha:
        home = rng.choice(homes)
        made = ha_example(rng, home.devices, home.rooms, home_id=home.id,
                          camera_rooms=[c.room for c in home.cameras],
                          command=rng.random() < HA_COMMAND_SHARE)
        if made is not None:
            extra.append(made)
    out = [e for e in base[: len(base) - n_ha] + extra if normalised(e.text) not in held_out]
    random.Random(f"mix:{seed}").shuffle(out)
    return out
