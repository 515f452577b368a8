"""Rules of the ninth round, through the whole brain (shipped model). The sentences are
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


@pytest.mark.parametrize(("text", "camera", "targets"), [
    # the room said after the first device is that device's; the next names its own
    ("turn off the lights in here and the hall light", "office_cam",
     ("hallway_light", "office_lamp")),
    ("switch off the lamp in the bedroom and the kitchen light", None,
     ("bedroom_lamp", "kitchen_light")),
    # a device with no room of its own is still in the room said
    ("turn off the lights in the bedroom and the lamp", None, ("bedroom_lamp", "bedroom_light")),
])
def test_a_room_said_after_a_device_is_that_devices(brain: Brain, text: str,
                                                    camera: str | None,
                                                    targets: tuple[str, ...]) -> None:
    result = brain.parse(text, camera=camera)
    assert (result.decision, result.intent, tuple(sorted(result.targets))) == \
        ("act", "turn_off", targets)


def test_a_room_said_first_still_scopes_every_device(brain: Brain) -> None:
    result = brain.parse("in the kitchen turn off the light and the bedroom lamp")
    assert result.decision == "clarify"


def test_another_kind_said_in_the_singular_is_one_device(brain: Brain) -> None:
    # the kitchen has two switches (the kettle and the coffee machine): "the plug" is one
    one = brain.parse("switch the kitchen plug off")
    assert (one.decision, one.targets) == ("clarify", ())
    both = brain.parse("switch the plugs in the kitchen off")
    assert (both.decision, sorted(both.targets)) == ("act", ["kitchen_coffee", "kitchen_kettle"])
    # the lights of a room stay all its lights (docs/labeling.md)
    lights = brain.parse("turn off the light in the bedroom")
    assert sorted(lights.targets) == ["bedroom_lamp", "bedroom_light"]


@pytest.mark.parametrize(("text", "camera", "intent", "targets"), [
    # how it is, tagged as a device, names none
    ("it's far too hot put the fan on", "kitchen_cam", "turn_on", ("bedroom_fan",)),
    # a state, then the request with no pause
    ("the room is so dark could you turn the lamp on", "living_room_cam", "turn_on",
     ("living_room_lamp",)),
    ("the carpet is covered in crumbs can you hoover", None, "start", ("vacuum",)),
    # a room's name cut at its apostrophe by the tagger
    ("in my son's room switch on the light", None, "turn_on", ("kids_room_light",)),
])
def test_commands_of_the_ninth_round(brain: Brain, text: str, camera: str | None, intent: str,
                                     targets: tuple[str, ...]) -> None:
    result = brain.parse(text, camera=camera)
    assert (result.decision, result.intent, result.targets) == ("act", intent, targets)


def test_a_state_then_a_request_is_split_before_the_request() -> None:
    text = "the floor is sticky can you hoover"
    assert [text[a:b].strip() for a, b in split_clauses(text)] == ["the floor is sticky",
                                                                  "can you hoover"]
    assert split_clauses("i wonder if you can turn it on") == []


@pytest.mark.parametrize(("text", "camera"), [
    # a fault of a device is no request, even when the device's name holds a verb
    ("the door lock is sticking again we need a new one", None),
    ("the kitchen light keeps flickering", "kitchen_cam"),
    # somebody else's home
    ("at my brother's flat the lights go off by themselves", "living_room_cam"),
    ("put the heating on at grandma's", None),
    # "this" of a thing that is not a device
    ("can you brighten this picture", "kitchen_cam"),
    ("turn this page", "office_cam"),
])
def test_not_requests_of_the_ninth_round(brain: Brain, text: str, camera: str | None) -> None:
    assert brain.parse(text, camera=camera).decision not in ("act", "confirm")
