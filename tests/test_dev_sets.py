"""The hand-written dev sets of the later rounds (tests/data/dev3_* to dev13_*) are well-formed
for the reference home, fresh (no line equals a line of another hand-written set, or of the
issue's examples, word for word) and held out of training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import load_config
from assistant.corpus.training import HELD_OUT_FILES, held_out_texts, normalised
from assistant.labels import DECISIONS, INTENTS, VALUE_KIND

DATA = Path(__file__).resolve().parent / "data"
# set name -> at least this many commands, non-commands
SETS = {"dev3": (150, 150), "dev4": (120, 250), "dev5": (250, 600), "dev6": (400, 1000),
        "dev7": (240, 420), "dev8": (500, 580),
        "dev9": (910, 1390), "dev10": (970, 990), "dev11": (340, 590), "dev12": (580, 560),
        "dev13": (340, 230)}


def files(name: str) -> tuple[Path, Path]:
    return DATA / f"{name}_commands.jsonl", DATA / f"{name}_noncommands.jsonl"


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()
            if raw.strip()]


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("kind", [0, 1], ids=["commands", "noncommands"])
def test_every_line_is_a_valid_label(name: str, kind: int) -> None:
    path = files(name)[kind]
    home = load_config(DATA.parent.parent / "devices.yaml")
    is_command = kind == 0
    rows = lines(path)
    assert len(rows) >= SETS[name][kind], path.name
    for number, line in enumerate(rows, 1):
        where = f"{path.name}:{number}"
        assert set(line) == {"text", "camera", "intent", "targets", "value", "decision"}, where
        assert isinstance(line["text"], str) and line["text"].strip(), where
        assert line["camera"] is None or line["camera"] in home.cameras, where
        assert line["intent"] in INTENTS and line["decision"] in DECISIONS, where
        targets = line["targets"]
        assert isinstance(targets, list) and set(targets) <= set(home.devices), where
        assert (line["intent"] != "none") == is_command, where
        assert (line["intent"] == "none") == (line["decision"] == "ignore"), where
        assert bool(targets) == (line["decision"] in ("act", "confirm")), where
        if line["decision"] == "act" or line["intent"] == "none":
            assert (line["value"] is None) == (VALUE_KIND[str(line["intent"])] is None), where


@pytest.mark.parametrize("name", SETS)
def test_fresh_against_the_other_sets(name: str) -> None:
    mine = [normalised(str(line["text"])) for path in files(name) for line in lines(path)]
    assert len(set(mine)) == len(mine)
    others = {normalised(line["text"]) for path in DATA.rglob("*.jsonl")
              if not path.name.startswith(f"{name}_") for line in lines(path)
              if isinstance(line.get("text"), str)}
    assert not set(mine) & others


@pytest.mark.parametrize("name", ["dev4", "dev5", "dev6", "dev7", "dev8", "dev9",
                                  "dev10", "dev11", "dev12", "dev13"])
def test_fresh_against_the_issue_examples(name: str) -> None:
    import test_issue8_examples as issue

    examples = {normalised(t) for t in [*issue.NON_COMMANDS, *(a[0] for a in issue.ACTS),
                                        *(c[0] for c in issue.COMPOUND),
                                        *(c[0] for c in issue.CLARIFY), issue.BED_LIGHT]}
    assert not {normalised(str(line["text"])) for path in files(name)
                for line in lines(path)} & examples


@pytest.mark.parametrize("name", SETS)
def test_held_out_of_training(name: str) -> None:
    assert f"{name}_*.jsonl" in HELD_OUT_FILES
    held = held_out_texts(DATA)
    assert all(normalised(str(line["text"])) in held for path in files(name)
               for line in lines(path))
