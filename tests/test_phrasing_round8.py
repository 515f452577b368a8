"""Rules of the eighth round, through the whole brain (shipped model): a correction said
without a pause, and a question about the home followed by the request. The sentences are
other ones of the kinds the round's probes showed, not the probes' own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.phrasing import split_clauses
from assistant.pipeline import Brain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


def _parts(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in split_clauses(text)]


def test_a_question_then_a_request_is_split_where_the_request_starts() -> None:
    assert _parts("is the kettle on switch it off") == ["is the kettle on", "switch it off"]
    # the state asked about is not the request: "open" of "are the blinds open"
    assert _parts("are the blinds open close them") == ["are the blinds open", "close them"]
    assert _parts("is the light on in the kitchen") == []
    assert _parts("is it ok to turn off the lamp") == []  # a question, not about the home


@pytest.mark.parametrize(("text", "camera", "intent", "device"), [
    ("switch on the kettle no wait switch it off", None, "turn_off", "kitchen_kettle"),
    ("turn on the fan no sorry turn it off", None, "turn_off", "bedroom_fan"),
    ("is the kettle on switch it off", "kitchen_cam", "turn_off", "kitchen_kettle"),
    ("is there a fan in here turn it on", "bedroom_cam", "turn_on", "bedroom_fan"),
    ("the blinds are open, close them", None, "close", "living_room_blinds"),
])
def test_the_verb_on_them_acts_on_the_device_said_before(brain: Brain, text: str,
                                                         camera: str | None, intent: str,
                                                         device: str) -> None:
    result = brain.parse(text, camera=camera)
    assert [(c.device_id, c.intent) for c in result.commands] == [(device, intent)], \
        (result.decision, result.reason)


@pytest.mark.parametrize("text", ["is there a fan in here turn it on",
                                  "is there a fan in here, can you turn it on"])
def test_a_device_asked_about_in_a_room_it_is_not_in_is_not_switched(brain: Brain,
                                                                      text: str) -> None:
    # the living room has no fan: "it" is not the bedroom's
    result = brain.parse(text, camera="living_room_cam")
    assert result.decision == "clarify" and not result.commands, result


def test_a_correction_of_a_device_not_found_does_not_fall_back(brain: Brain) -> None:
    # the kitchen has no blinds: "them" is not the living room's
    result = brain.parse("close the kitchen blinds no wait open them")
    assert result.decision != "act" and not result.commands, result
