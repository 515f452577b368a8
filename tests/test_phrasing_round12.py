"""Rules of the twelfth round, through the whole brain (shipped model): a value taken back
and said again, a delay said with a contracted pronoun or as a deadline, and a question
about how a device is. The sentences are other ones of the kinds the round's probe showed,
not the probe's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.phrasing import value_corrected
from assistant.pipeline import Brain

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


@pytest.mark.parametrize(("text", "fixed"), [
    ("turn the bedside lamp red, sorry, blue", "turn the bedside lamp blue"),
    ("set the heating to 19 no 20", "set the heating to 20"),
    ("lamp to 40 percent, actually 60", "lamp to 60 percent"),
    ("heating to nineteen i mean twenty one degrees", "heating to twenty one degrees"),
    ("make the lamp pink please, no, make it purple", "make the lamp purple please"),
])
def test_a_value_taken_back_is_replaced(text: str, fixed: str) -> None:
    assert value_corrected(text) == fixed


@pytest.mark.parametrize("text", [
    "turn on the kitchen light, no wait, the hall light",  # a device corrected
    "set the lamp to blue actually",  # nothing after the correction
    "turn the lamp blue, sorry, 30 percent",  # another kind of value: not this rule
    "dim the lamp, sorry",
])
def test_other_corrections_are_left_alone(text: str) -> None:
    assert value_corrected(text) is None


@pytest.mark.parametrize(("text", "intent", "target", "value"), [
    ("turn the bedside lamp red, sorry, blue", "set_color", "bedroom_lamp", "blue"),
    ("set the thermostat to 19 no 20", "set_temperature", "thermostat", 20),
    ("dim the desk lamp to 30 percent, no, 50", "set_brightness", "office_lamp", 50),
])
def test_the_corrected_value_is_the_one_set(brain: Brain, text: str, intent: str,
                                            target: str, value: object) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets, result.value) == \
        ("act", intent, (target,), value)


@pytest.mark.parametrize("text", [
    "turn the heating off after we've left",
    "switch the porch light on once they've arrived",
    "put the kettle on when you've finished the update",
    "close the blinds by noon",
    "have the heating on by 6 pm",
])
def test_a_contracted_or_deadline_delay_does_not_act_now(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "clarify" and "only act now" in result.reason, result


def test_by_an_amount_is_not_a_deadline(brain: Brain) -> None:
    result = brain.parse("brighten the desk lamp by 20 percent")
    assert result.decision == "act" and result.targets == ("office_lamp",), result


@pytest.mark.parametrize("text", [
    "has the garage door shut yet", "have the kitchen lights gone off",
    "has the coffee machine finished", "have the blinds opened already?",
])
def test_a_question_about_a_device_is_no_request(brain: Brain, text: str) -> None:
    assert brain.parse(text).decision == "ignore"


@pytest.mark.parametrize("text", ["computer switch the sound system off",
                                  "turn the sound system off now"])
def test_off_said_to_a_device_named_for_its_sound_switches_it_off(brain: Brain,
                                                                  text: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets) == \
        ("act", "turn_off", ("living_room_speaker",)), result


def test_muting_is_still_muting(brain: Brain) -> None:
    result = brain.parse("mute the sound system")
    assert (result.intent, result.targets) == ("mute", ("living_room_speaker",))


def test_frozen_is_cold(brain: Brain) -> None:
    result = brain.parse("i'm frozen stiff")
    assert (result.decision, result.intent, result.targets) == \
        ("act", "temperature_up", ("thermostat",)), result
