"""The hand-written dev sets (tests/data/dev_*.jsonl, dev2_*.jsonl) are well-formed labels for
the reference home (docs/labeling.md): a mislabelled line would skew every figure quietly.
(The test set is left out: its lines are not for reading while tuning, and a failing check
here would print them.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import load_config
from assistant.labels import DECISIONS, INTENTS, VALUE_KIND

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted(p for pattern in ("dev_*.jsonl", "dev2_*.jsonl")
              for p in (ROOT / "tests" / "data").glob(pattern))


def test_the_sets_are_there() -> None:
    assert {p.name for p in SETS} >= {"dev2_commands.jsonl", "dev2_noncommands.jsonl"}


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_line_is_a_valid_label(path: Path) -> None:
    home = load_config(ROOT / "devices.yaml")
    texts: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        line = json.loads(raw)
        assert set(line) == {"text", "camera", "intent", "targets", "value", "decision"}, where
        assert line["text"].strip() and line["text"] not in texts, where
        texts.add(line["text"])
        assert line["camera"] is None or line["camera"] in home.cameras, where
        assert line["intent"] in INTENTS and line["decision"] in DECISIONS, where
        assert set(line["targets"]) <= set(home.devices), where
        assert (line["intent"] == "none") == (line["decision"] == "ignore"), where
        if line["decision"] in ("act", "confirm"):
            assert line["targets"], where
        if line["decision"] in ("clarify", "ignore"):
            assert not line["targets"], where
        if line["decision"] == "act" or line["intent"] == "none":
            assert (line["value"] is None) == (VALUE_KIND[line["intent"]] is None), where
        if path.stem.endswith(("_commands", "_noncommands")):  # the rest mix both
            is_command = path.stem.endswith("_commands")
            assert (line["intent"] != "none") == is_command, where
