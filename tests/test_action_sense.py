"""How the brain reads the action: intents that mean the same action on the devices found
count together; a door verb said as "open" or "close" takes the words' sense."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.config import HomeConfig
from assistant.labels import INTENTS
from assistant.model import ModelOutput
from assistant.pipeline import Brain, _door_sense
from assistant.resolve import Resolution


@pytest.fixture(scope="module")
def brain(home: HomeConfig) -> Brain:
    return Brain(home, Brain.load("devices.yaml").model)


def probs(**share: float) -> np.ndarray:
    out = np.zeros(len(INTENTS), np.float32)
    for name, p in share.items():
        out[INTENTS.index(name)] = p
    out[INTENTS.index("none")] = 1.0 - sum(share.values())
    return out


def test_close_and_lock_on_blinds_are_one_action(brain: Brain) -> None:
    blinds = Resolution(("living_room_blinds",), ("close",))
    assert brain._same_action(probs(close=0.46, lock=0.4), blinds) == pytest.approx(0.86)
    # turn_off on a cover is close too; opening is not
    assert brain._same_action(probs(close=0.4, turn_off=0.2, open=0.3),
                              blinds) == pytest.approx(0.6)


def test_a_sensitive_device_or_an_unclear_resolution_keeps_its_doubt(brain: Brain) -> None:
    split = probs(close=0.46, lock=0.4)
    assert brain._same_action(split, Resolution(("garage_door",), ("close",))) == 0.0
    assert brain._same_action(split, Resolution(("front_door",), ("lock",))) == 0.0
    assert brain._same_action(split, Resolution((), (), "which one?")) == 0.0


def test_devices_of_several_types_count_only_what_means_the_same_on_all(
        brain: Brain) -> None:
    # the lamp's turn_off and the blinds' close: turn_off means both, close only one
    both = Resolution(("living_room_lamp", "living_room_blinds"), ("turn_off", "close"))
    assert brain._same_action(probs(turn_off=0.5, close=0.3), both) == pytest.approx(0.5)


@pytest.mark.parametrize(("intent", "text", "expected"), [
    ("lock", "close that", "close"),  # the words say close: the device decides the sense
    ("unlock", "open this one", "unlock"),  # "open" is a door's word too: the device decides
    ("lock", "lock that", "lock"),
    ("lock", "close and lock the door", "lock"),
    ("unlock", "let me in", "unlock"),  # no word for either: the model's reading stays
    ("turn_off", "close that", "turn_off"),
    ("lock", "close the deal", "lock"),  # no pointing word: nothing is shown to decide
])
def test_a_door_verb_read_from_open_or_close_takes_the_words_sense(
        intent: str, text: str, expected: str) -> None:
    assert _door_sense(intent, text, shown=True) == expected
    assert _door_sense(intent, text, shown=False) == intent  # nothing shown to decide


def test_without_a_frame_the_doubt_stays(brain: Brain) -> None:
    """"close this conversation" in the living room, no frame: the room's one cover is
    implied, and close 0.46 + lock 0.4 must not add up to a reason to close it."""
    blinds = Resolution(("living_room_blinds",), ("close",))
    split = probs(close=0.46, lock=0.4)
    seen = ModelOutput(split, (), (), (), np.zeros(64, np.float32), image_present=True)
    unseen = replace(seen, image_present=False)
    assert brain._own_action("close", 0.46, seen, blinds)[1] == pytest.approx(0.86)
    assert brain._own_action("close", 0.46, unseen, blinds)[1] == pytest.approx(0.46)
