"""Rules of the thirteenth round, through the whole brain (shipped model) where a rule needs
it: typing slips mended, a colour word at the end of an order, a device of another list
after "on and the", and a device that does something on its own. The sentences are other
ones of the kinds the round's probe showed, not the probe's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.pipeline import Brain
from assistant.spelling import Speller, in_dictionary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(["kitchen", "light", "bedroom", "lamp", "hallway", "thermostat", "garage",
                    "door"])


@pytest.mark.parametrize(("typed", "meant"), [
    ("tunr off the kitchen lihgt", "turn off the kitchen light"),  # letters swapped
    ("switch on the bedrom lamp", "switch on the bedroom lamp"),  # one left out
    ("set the thermastat to 20", "set the thermostat to 20"),  # one wrong
    ("Open The Garrage", "Open The garage"),  # one too many; other words kept as typed
    ("lock the frnt door", "lock the front door"),  # a command word, not the home's
    ("turn on the kitchen lght", "turn on the kitchen light"),
])
def test_a_one_letter_slip_of_a_home_or_command_word_is_mended(speller: Speller, typed: str,
                                                              meant: str) -> None:
    assert speller.mend(typed) == meant


@pytest.mark.parametrize("text", [
    "pass the lamb",  # a word of the dictionary, one letter from "lamp"
    "the lice are back",  # "lice" is a word, however near "light"
    "a dog in the hall",  # three letters: too short to tell
    "turn on the kitchen light 20",  # digits and words of the home are left as they are
])
def test_real_words_and_short_words_are_kept(speller: Speller, text: str) -> None:
    assert speller.mend(text) == text


def test_two_words_one_edit_away_leave_the_slip_alone() -> None:
    speller = Speller(["lamp", "lamb"])  # "lamz" is a slip of either
    assert not in_dictionary("lamz")
    assert speller.mend("the lamz") == "the lamz"


def test_the_dictionary_knows_words_and_not_slips() -> None:
    assert in_dictionary("kitchen") and in_dictionary("hole")
    assert not in_dictionary("kichen") and not in_dictionary("trun")


@pytest.mark.parametrize(("text", "target"), [
    ("trun the garage light off", "garage_light"),
    ("swich off the bathroom lihgts", "bathroom_light"),
])
def test_a_typed_slip_still_acts(brain: Brain, text: str, target: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.targets) == ("act", (target,)), result


@pytest.mark.parametrize(("text", "targets", "color"), [
    ("make the bedside lamp lilac", ("bedroom_lamp",), "purple"),
    ("turn the nursery light a soft white please", ("kids_room_light",), "warm white"),
    ("set the overhead light to daylight", ("living_room_ceiling",), "white"),
])
def test_an_order_ending_in_a_colour_sets_it(brain: Brain, text: str,
                                             targets: tuple[str, ...], color: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets, result.value) == \
        ("act", "set_color", targets, color), result


@pytest.mark.parametrize("text", [
    "i'd never make the bedroom light purple",  # not an order
    "make the garage door green",  # no colour on a door
    "make the reading lamp lilac",  # the floor lamp has no colour
])
def test_a_colour_said_otherwise_does_not_act(brain: Brain, text: str) -> None:
    assert brain.parse(text).decision != "act"


@pytest.mark.parametrize("text", [
    "put the bedside lamp on and the dishwasher",
    "switch the kettle off and the toaster",
])
def test_a_device_the_home_lacks_after_on_and_the_asks(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "clarify" and not result.targets, result


def test_two_devices_of_the_home_after_on_and_the_both_act(brain: Brain) -> None:
    result = brain.parse("switch the desk lamp on and the fan")
    assert (result.decision, set(result.targets)) == ("act", {"office_lamp", "bedroom_fan"}), \
        result


@pytest.mark.parametrize("text", [
    "at my mum's the curtains open on their own",
    "the garage door shuts by itself at night",
    "our blinds close automatically",
])
def test_a_device_that_does_it_on_its_own_is_told_of_not_asked(brain: Brain,
                                                               text: str) -> None:
    assert brain.parse(text).decision == "ignore"


@pytest.mark.parametrize(("text", "intent", "target"), [
    ("turn the lamp off would you the film's starting", "turn_off", "living_room_lamp"),
    ("mute the telly for a moment the baby's asleep", "mute", "living_room_tv"),
])
def test_a_question_tag_or_a_moment_ends_the_command_before_an_aside(
        brain: Brain, text: str, intent: str, target: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets) == ("act", intent, (target,)), \
        result


def test_a_name_said_last_with_and_too_joins_the_list(brain: Brain) -> None:
    result = brain.parse("lights off in the office and the wifi too")
    assert (result.decision, set(result.targets)) == ("act", {"office_lamp", "office_router"}), \
        result


def test_names_in_a_bag_still_ask(brain: Brain) -> None:
    assert brain.parse("off telly night light").decision == "clarify"


@pytest.mark.parametrize(("typed", "meant"), [
    ("dont switch it off", "don't switch it off"),
    ("im cold", "i'm cold"),
    ("ill turn it off myself", "i'll turn it off myself"),
    ("its way too dark", "it's way too dark"),
])
def test_a_contraction_typed_without_its_apostrophe_gets_it_back(speller: Speller, typed: str,
                                                                 meant: str) -> None:
    assert speller.mend(typed) == meant


@pytest.mark.parametrize("text", ["i feel ill", "its battery is low", "were home", "well done"])
def test_words_that_are_words_without_an_apostrophe_stay(speller: Speller, text: str) -> None:
    assert speller.mend(text) == text


def test_my_own_chore_typed_without_an_apostrophe_asks_nothing(brain: Brain) -> None:
    assert brain.parse("ill put the kettle on myself").decision == "ignore"


def test_a_name_split_by_a_room_word_is_the_name(brain: Brain) -> None:
    result = brain.parse("dining room light off")
    assert (result.decision, result.targets) == ("act", ("dining_light",)), result


def test_an_alias_of_a_kind_in_a_room_tagged_as_a_device_is_the_device(brain: Brain) -> None:
    result = brain.parse("turn the socket in the study off")
    assert (result.decision, result.targets) == ("act", ("office_plug",)), result


@pytest.mark.parametrize("text", ["turn on the heating at my parents place",
                                  "switch the lights off at my mums house"])
def test_another_home_typed_without_an_apostrophe_is_not_this_one(brain: Brain,
                                                                  text: str) -> None:
    assert brain.parse(text).decision == "ignore"


def test_this_house_is_this_home(brain: Brain) -> None:
    assert brain.parse("turn off every light in this house").decision == "act"


@pytest.mark.parametrize(("text", "intent", "value"), [
    ("telly volume 150", "set_volume", 150),  # out of range: asks
    ("speaker volume 35", "set_volume", 35),
])
def test_a_number_said_with_no_way_is_a_level(brain: Brain, text: str, intent: str,
                                             value: int) -> None:
    result = brain.parse(text)
    assert (result.intent, result.value) == (intent, value), result
    assert result.decision == ("clarify" if value > 100 else "act"), result


@pytest.mark.parametrize(("text", "color"), [("nursery light lilac", "purple"),
                                            ("the bedside lamp to soft white please",
                                             "warm white")])
def test_a_name_and_a_colour_alone_set_it(brain: Brain, text: str, color: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.value) == ("act", "set_color", color), result


def test_a_name_and_a_colour_on_a_device_without_colour_do_not_act(brain: Brain) -> None:
    assert brain.parse("reading lamp lilac").decision != "act"


def test_a_rooms_floor_is_the_room(brain: Brain) -> None:
    result = brain.parse("could the hoover do the bedroom floor")
    assert (result.decision, result.targets) == ("act", ("vacuum",)), result


@pytest.mark.parametrize(("text", "target"), [
    ("play a bit of reggae on the speaker", "living_room_speaker"),
    ("play the football on the telly", "living_room_tv"),
])
def test_what_is_played_on_a_named_device_is_no_device(brain: Brain, text: str,
                                                       target: str) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets) == ("act", "start", (target,)), \
        result


def test_a_comparative_ends_a_command_before_an_aside(brain: Brain) -> None:
    result = brain.parse("turn the radio louder i can't hear it")  # no radio: asks, never acts
    assert result.decision != "act"
    result = brain.parse("make the speaker louder we can't hear it")
    assert (result.decision, result.intent) == ("act", "volume_up"), result


@pytest.mark.parametrize("text", ["run the robot vacuum while we're away",
                                  "switch the heating off whilst everyone's asleep"])
def test_while_away_is_later(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "clarify" and "only act now" in result.reason, result


def test_while_here_is_now(brain: Brain) -> None:
    result = brain.parse("put the kitchen light on while i'm making dinner")
    assert (result.decision, result.targets) == ("act", ("kitchen_light",)), result
