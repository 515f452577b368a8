"""Rules of the sixteenth round, through the whole brain (shipped model): the thermostat is
implied only by words of warmth or temperature, a request said beside a statement acts on
its own devices only, corrections said without a pause after a terse command, and times
said without a unit. The sentences are other ones of the kinds the round's probes showed,
not the probes' own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.pipeline import Brain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


def answer(brain: Brain, text: str, camera: str | None = None) -> tuple[str, set[str], object,
                                                                         str]:
    result = brain.parse(text, camera=camera)
    return result.intent, set(result.targets), result.value, result.decision


# -- the thermostat is implied only by words about warmth or temperature

@pytest.mark.parametrize("text", ["set alrm for 9", "set the alrm for 10"])
def test_a_number_alone_implies_no_thermostat(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] != "act"


@pytest.mark.parametrize(("text", "intent", "value"), [
    ("set the temp to 20", "set_temperature", 20),
    ("i'm frozen stiff", "temperature_up", None),
    ("it's roasting in here", "temperature_down", None),
])
def test_words_of_warmth_still_imply_the_thermostat(brain: Brain, text: str, intent: str,
                                                    value: object) -> None:
    assert answer(brain, text) == (intent, {"thermostat"}, value, "act")


# -- a request beside a statement: the statement's devices are no part of it

@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("the lamp and the telly are both on, switch off the telly", "turn_off",
     {"living_room_tv"}),
    ("the coffee's made, now put the kettle on as well", "turn_on", {"kitchen_kettle"}),
    ("the kettle's boiled, switch on the coffee machine", "turn_on", {"kitchen_coffee"}),
])
def test_a_request_beside_a_statement_acts_on_its_own_devices(
        brain: Brain, text: str, intent: str, targets: set[str]) -> None:
    assert answer(brain, text) == (intent, targets, None, "act")


def test_a_list_after_the_request_stays_part_of_it(brain: Brain) -> None:
    # guard: "and the lights too" is more of the request, not a statement beside it
    got = answer(brain, "turn the tv off and the lights too we're off to bed",
                 "living_room_cam")
    assert got == ("turn_off", {"living_room_tv", "living_room_ceiling", "living_room_lamp"},
                   None, "act")


# -- a correction said without a pause

def test_wait_then_the_command_again_takes_the_first_back(brain: Brain) -> None:
    got = answer(brain, "set the kitchen light to green wait make it yellow")
    assert got == ("set_color", {"kitchen_light"}, "yellow", "act")


def test_a_terse_command_taken_back_is_not_done(brain: Brain) -> None:
    # guard: right before the round too
    assert answer(brain, "kitchen light red actually make it blue")[2:] != ("red", "act")


# -- a time said without its unit

@pytest.mark.parametrize("text", ["switch the fan off in 10", "turn off the lamp in 5 please",
                                  "give the kettle five more minutes then switch it off"])
def test_a_time_without_a_unit_is_later(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "clarify"


@pytest.mark.parametrize(("text", "value"), [("set the blinds to 5", 5),
                                             ("turn the speaker volume to 10", 10)])
def test_a_value_is_not_a_time(brain: Brain, text: str, value: int) -> None:
    assert answer(brain, text)[2:] == (value, "act")


# -- a device left as it is, after the command

@pytest.mark.parametrize(("text", "camera", "targets"), [
    ("turn all the lights off and leave the lamp on for dad", None,
     {"living_room_ceiling", "kitchen_light", "dining_light", "bedroom_light", "bedroom_lamp",
      "kids_room_light", "office_lamp", "bathroom_light", "hallway_light", "garage_light",
      "garden_lights"}),
    ("living room lights off but keep the lamp on", None, {"living_room_ceiling"}),
])
def test_a_device_left_on_is_left_out(brain: Brain, text: str, camera: str | None,
                                      targets: set[str]) -> None:
    assert answer(brain, text, camera) == ("turn_off", targets, None, "act")


# -- the speaker's request after a story or what someone said

@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("my husband says it's roasting in here, so turn the heating down", "temperature_down",
     {"thermostat"}),
    ("he always forgets the hall light, switch it off please", "turn_off", {"hallway_light"}),
])
def test_a_request_after_a_story_is_the_speakers(brain: Brain, text: str, intent: str,
                                                  targets: set[str]) -> None:
    assert answer(brain, text) == (intent, targets, None, "act")


@pytest.mark.parametrize("text", [
    "the note says switch off the lights, lock the door and turn the heating down",
    "the recipe says boil the kettle, then turn off the heat",
    "dad said, turn the heating up",
])
def test_an_instruction_read_out_stays_told(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


# -- a need beside a command

@pytest.mark.parametrize(("text", "targets", "decision"), [
    ("make me a tea and switch on the coffee machine", {"kitchen_kettle", "kitchen_coffee"},
     "act"),
    ("espresso please and open the garage", {"kitchen_coffee", "garage_door"}, "confirm"),
])
def test_a_need_beside_a_command_is_met_too(brain: Brain, text: str, targets: set[str],
                                            decision: str) -> None:
    assert answer(brain, text) == ("turn_on", targets, None, decision)
