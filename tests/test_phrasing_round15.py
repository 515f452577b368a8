"""Rules of the fifteenth round, through the whole brain (shipped model): lists joined by a
bare "and" under one verb or one question, levels told ("the speaker's at max"), "leave
it at 20", corrections of a room or with "wait", "tonight", a time after an exclusion,
"both lights", "the lamps", people called by name, habits and what-ifs. The sentences are
other ones of the kinds the round's probes showed, not the probes' own."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.phrasing import habit, split_clauses, statement
from assistant.pipeline import Brain

ROOT = Path(__file__).resolve().parent.parent
ALL_LIGHTS = {"living_room_ceiling", "living_room_lamp", "kitchen_light", "dining_light",
              "bedroom_light", "bedroom_lamp", "kids_room_light", "office_lamp",
              "bathroom_light", "hallway_light", "garage_light", "garden_lights"}


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


def answer(brain: Brain, text: str, camera: str | None = None) -> tuple[str, set[str], object,
                                                                         str]:
    result = brain.parse(text, camera=camera)
    return result.intent, set(result.targets), result.value, result.decision


# -- one verb, or one question, over a list joined by "and"

@pytest.mark.parametrize(("text", "intent", "targets", "value"), [
    ("make the bedroom light and the kitchen light red", "set_color",
     {"bedroom_light", "kitchen_light"}, "red"),
    ("flick the kettle and the coffee machine off", "turn_off",
     {"kitchen_kettle", "kitchen_coffee"}, None),
    ("we could do with the tv and the speaker on", "turn_on",
     {"living_room_tv", "living_room_speaker"}, None),
])
def test_a_verb_said_once_goes_with_every_device_of_the_list(
        brain: Brain, text: str, intent: str, targets: set[str], value: object) -> None:
    assert answer(brain, text) == (intent, targets, value, "act")


def test_a_list_of_rooms_is_not_split_before_its_particle() -> None:
    assert split_clauses("bathroom and hallway lights off") == []
    assert split_clauses("we could do with the kettle and the coffee machine on") == []
    # a part with its own way is still its own clause
    assert len(split_clauses("the kitchen light off and the hall light on")) == 2


@pytest.mark.parametrize("text", [
    "set the fan and the kitchen light to 30 percent",  # a fan has no brightness
    "make the fan and the hall light green",
])
def test_a_setting_some_devices_of_the_list_cannot_take_asks(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "clarify"


@pytest.mark.parametrize("text", [
    "are the bathroom and kitchen lights still on",
    "did the kids leave the tv and the speaker on",
    "who left the garage light and the porch light on",
    "is the front door locked and the garage door shut",
    "keep the tv and the speaker on",
])
def test_a_question_or_no_change_over_a_list_does_nothing(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


# -- levels told, and levels kept

@pytest.mark.parametrize(("text", "camera"), [
    ("the tv's at max", None),
    ("the kitchen light's at forty percent, that's fine", None),
    ("the office is at 19 degrees now", None),
    ("the lights in here are at half", "kitchen_cam"),
])
def test_a_level_told_is_no_command(brain: Brain, text: str, camera: str | None) -> None:
    assert statement(text) is not None
    assert answer(brain, text, camera)[3] == "ignore"


def test_a_level_told_then_a_request_acts_or_asks_never_sets_the_level(brain: Brain) -> None:
    assert answer(brain, "the lights are at half can you make them brighter",
                  "kitchen_cam") == ("brightness_up", {"kitchen_light"}, None, "act")
    _, _, value, decision = answer(brain, "the heating's at 19, turn it up")
    assert (value, decision) != (19, "act")


@pytest.mark.parametrize("text", [
    "leave the thermostat at 21",
    "leave the bedroom light at thirty percent",
    "leave the heating at nineteen degrees please",
])
def test_a_level_to_keep_changes_nothing(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


# -- corrections

def test_a_room_corrected_is_the_only_room(brain: Brain) -> None:
    assert answer(brain, "dim the lights in the living room, sorry, the bedroom") == (
        "brightness_down", {"bedroom_light", "bedroom_lamp"}, None, "act")


def test_a_list_corrected_to_one_device_is_that_device(brain: Brain) -> None:
    assert answer(brain, "switch the kettle and the coffee machine on, actually just the "
                         "kettle") == ("turn_on", {"kitchen_kettle"}, None, "act")


def test_wait_before_a_new_value_corrects_it(brain: Brain) -> None:
    assert answer(brain, "make the bedroom light green, wait, make it purple") == (
        "set_color", {"bedroom_light"}, "purple", "act")


# -- later, and after an exclusion

@pytest.mark.parametrize("text", [
    "switch the garden lights on tonight",
    "tonight dim the bedroom light",
    "turn every light off except the bedroom at midnight",
    "my nan switches the porch light off every single night",
])
def test_tonight_and_a_time_after_an_exclusion_never_act_now(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] in ("clarify", "ignore")


def test_tonight_in_how_it_is_now_is_no_delay(brain: Brain) -> None:
    assert answer(brain, "it's chilly tonight, turn the heating up") == (
        "temperature_up", {"thermostat"}, None, "act")


def test_an_aside_about_the_dark_after_now_keeps_the_verb(brain: Brain) -> None:
    assert answer(brain, "switch the kitchen light on now, it's too dark to cook") == (
        "turn_on", {"kitchen_light"}, None, "act")


# -- kinds and lists of lights

def test_both_lights_are_the_lights_of_the_room(brain: Brain) -> None:
    assert answer(brain, "switch both lights on", "bedroom_cam") == (
        "turn_on", {"bedroom_light", "bedroom_lamp"}, None, "act")
    assert answer(brain, "switch both lights on")[3] == "clarify"


def test_the_lamps_are_a_kind_not_the_device_called_lamp(brain: Brain) -> None:
    # "lamp" is an alias of the living room's floor lamp: "the lamps" in the bedroom are
    # the bedroom's, never the living room's
    assert "living_room_lamp" not in answer(brain, "turn the lamps off", "bedroom_cam")[1]
    assert answer(brain, "turn the lamp off", "living_room_cam") == (
        "turn_off", {"living_room_lamp"}, None, "act")


def test_besides_excludes(brain: Brain) -> None:
    assert answer(brain, "switch off every light besides the bathroom") == (
        "turn_off", ALL_LIGHTS - {"bathroom_light"}, None, "act")


# -- said to people, habits and what-ifs

@pytest.mark.parametrize("text", [
    "ruby, every light off in the lounge please",
    "oscar, be a dear and switch the kettle on",
    "lily, blinds down",
])
def test_a_name_and_a_pause_is_said_to_someone(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


@pytest.mark.parametrize("text", [
    "most nights we turn the big light off and put the lamp on",
    "we usually leave the porch light on and lock the front door",
    "my morning routine is blinds open, kettle on, radio on",
    "imagine switching off the heating in january",
    "say we locked the front door and lost the key",
])
def test_a_habit_or_a_what_if_asks_nothing(brain: Brain, text: str) -> None:
    assert habit(text)
    assert answer(brain, text)[3] == "ignore"


def test_a_request_after_a_habit_in_its_own_sentence_is_read(brain: Brain) -> None:
    text = "we usually leave the hall light on. turn it off tonight though"
    assert not habit(text)


def test_people_who_did_something_are_reported(brain: Brain) -> None:
    assert answer(brain, "the cleaner switched the router off again")[3] == "ignore"


# -- long stories before or after the request

@pytest.mark.parametrize(("text", "intent", "targets", "value"), [
    ("the printer jammed twice and my manager kept ringing about a report nobody reads, "
     "anyway could you switch on the desk lamp", "turn_on", {"office_lamp"}, None),
    ("so the match is about to start and my brother is on his way round with the snacks, "
     "can you turn the tv up", "volume_up", {"living_room_tv"}, None),
    ("i've been going back and forth about the brightness in the kitchen all week, either it "
     "is too dim or it is blinding, set the kitchen light to sixty percent", "set_brightness",
     {"kitchen_light"}, 60),
])
def test_a_story_beside_a_request_is_its_reason(brain: Brain, text: str, intent: str,
                                               targets: set[str], value: object) -> None:
    assert answer(brain, text) == (intent, targets, value, "act")


@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("my sister is coming round this evening and the place looks like a cave, open the "
     "blinds", "open", {"living_room_blinds"}),
    ("the kids have swimming in the morning and they are still wide awake, dim the light in "
     "the kids room", "brightness_down", {"kids_room_light"}),
    ("switch the kettle on, i was up at six with the dog and i can barely keep my eyes open",
     "turn_on", {"kitchen_kettle"}),
])
def test_a_time_in_the_story_is_no_delay_of_the_request(brain: Brain, text: str, intent: str,
                                                        targets: set[str]) -> None:
    assert answer(brain, text) == (intent, targets, None, "act")


@pytest.mark.parametrize("text", [
    "turn the heating off, when we leave for the airport",
    "in twenty minutes, switch the fan off",
    "the kettle on at seven tomorrow",
])
def test_a_time_said_of_the_request_still_asks(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "clarify"


def test_a_correction_then_an_aside_keeps_the_corrected_value_or_device(brain: Brain) -> None:
    assert answer(brain, "set the bedroom light to red, um, actually blue, red gives me a "
                         "headache") == ("set_color", {"bedroom_light"}, "blue", "act")
    assert answer(brain, "turn the tv off, sorry, the speaker, the tv is already off") == (
        "turn_off", {"living_room_speaker"}, None, "act")
    assert answer(brain, "set the thermostat to 20 sorry 20.5") == (
        "set_temperature", {"thermostat"}, 20.5, "act")


def test_and_a_half_after_a_number_is_the_number() -> None:
    assert split_clauses("set the heating to twenty and a half") == []


def test_a_command_after_an_exclusion_is_its_own(brain: Brain) -> None:
    result = brain.parse("switch off every light except the hall light and lock the front "
                         "door")
    done = {(c.intent, c.device_id) for c in result.commands}
    assert ("lock", "front_door") in done
    assert ("turn_off", "hallway_light") not in done
    assert ("turn_off", "kitchen_light") in done


def test_a_request_after_so_is_read_without_the_story(brain: Brain) -> None:
    result = brain.parse("my mate is picking me up and we're off to the match, so lock the "
                         "front door and turn the porch light off")
    done = {(c.intent, c.device_id) for c in result.commands}
    assert done == {("lock", "front_door"), ("turn_off", "garden_lights")}


def test_a_clause_of_story_ending_in_a_particle_is_still_story(brain: Brain) -> None:
    assert answer(brain, "ugh, i left it running when i went out and i've only just "
                         "noticed while taking my boots off, turn the fan off") == (
        "turn_off", {"bedroom_fan"}, None, "act")


def test_sentences_are_read_apart(brain: Brain) -> None:
    assert answer(brain, "I've just come in from the rain and I'm soaked. Turn on the "
                         "bathroom light please. I need a hot shower before I freeze.") == (
        "turn_on", {"bathroom_light"}, None, "act")
    assert answer(brain, "My son has an exam tomorrow and he's asleep already. Put the "
                         "speaker on mute please. Thanks.") == (
        "mute", {"living_room_speaker"}, None, "act")


@pytest.mark.parametrize("text", [
    "yesterday i switched the kettle on and the coffee machine on and forgot both",
    "last night we left the garden lights on and went to bed",
    "no, i've got the speaker on mute, carry on",
    "i've just set the thermostat to 21 myself",
    "right, i'm just going to pop out to the garage and switch the light off myself",
    "the shopping list my wife wrote says, bulbs, batteries, lamp on sale",
    "how much louder can the speaker go",
    "the blinds keep getting stuck at about half",
])
def test_what_was_done_or_is_so_is_no_command(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("I wonder if you'd turn the hall light off for me", "turn_off", {"hallway_light"}),
    ("might I trouble you to switch the kettle on", "turn_on", {"kitchen_kettle"}),
    ("I don't suppose you could close the blinds", "close", {"living_room_blinds"}),
    ("do you think you could turn the fan off", "turn_off", {"bedroom_fan"}),
    ("I'd be ever so grateful if you switched the porch light on", "turn_on",
     {"garden_lights"}),
    ("it'd be grand if the big light was off", "turn_off", {"living_room_ceiling"}),
    ("I think I'd like the desk lamp on now", "turn_on", {"office_lamp"}),
    ("I'd really love it if the kitchen light came on", "turn_on", {"kitchen_light"}),
])
def test_hedged_requests_are_requests(brain: Brain, text: str, intent: str,
                                      targets: set[str]) -> None:
    assert answer(brain, text) == (intent, targets, None, "act")


@pytest.mark.parametrize(("text", "intent", "target"), [
    ("send the rumba back to its dock", "dock", "vacuum"),
    ("close the garridge door", "close", "garage_door"),
    ("switch the bloody telly off", "turn_off", "living_room_tv"),
    ("turn the standard lamp off", "turn_off", "living_room_lamp"),
])
def test_names_as_they_sound_and_words_said_of_a_device(brain: Brain, text: str, intent: str,
                                                      target: str) -> None:
    result = brain.parse(text)
    assert (result.intent, set(result.targets)) == (intent, {target})
    assert result.decision in ("act", "confirm")


def test_rooms_listed_before_one_kind_word_are_each_that_kind(brain: Brain) -> None:
    assert answer(brain, "turn off the bathroom and the kitchen lights") == (
        "turn_off", {"bathroom_light", "kitchen_light"}, None, "act")
    assert answer(brain, "office and hallway lights on please") == (
        "turn_on", {"office_lamp", "hallway_light"}, None, "act")


def test_the_way_or_value_after_an_exclusion_is_the_commands(brain: Brain) -> None:
    assert answer(brain, "all the lights except the kitchen off please") == (
        "turn_off", ALL_LIGHTS - {"kitchen_light"}, None, "act")
    assert answer(brain, "set every light except the garden to 30 percent") == (
        "set_brightness", ALL_LIGHTS - {"garden_lights", "garage_light"}, 30, "act")  # no dimmer
    assert answer(brain, "turn off every single light except the hall light") == (
        "turn_off", ALL_LIGHTS - {"hallway_light"}, None, "act")


def test_a_bare_number_ends_a_clause_of_its_own(brain: Brain) -> None:
    assert len(split_clauses("fan on and the kitchen light to 70")) == 2


def test_make_that_after_no_corrects_the_value(brain: Brain) -> None:
    assert answer(brain, "thermostat to 18, no, make that 19") == (
        "set_temperature", {"thermostat"}, 19, "act")


@pytest.mark.parametrize(("text", "camera", "intent", "targets"), [
    ("ooh it's parky this morning", None, "temperature_up", {"thermostat"}),
    ("I'm roasting, so I am", None, "temperature_down", {"thermostat"}),
    ("it's proper gloomy in here", "kitchen_cam", "brightness_up", {"kitchen_light"}),
    ("it's far too bright in here", "bedroom_cam", "brightness_down",
     {"bedroom_light", "bedroom_lamp"}),
])
def test_a_feeling_about_the_room_alone_asks_for_its_device(
        brain: Brain, text: str, camera: str | None, intent: str, targets: set[str]) -> None:
    assert answer(brain, text, camera) == (intent, targets, None, "act")


@pytest.mark.parametrize("text", ["he's so cold-hearted", "I'm a bit hot-headed, sorry"])
def test_a_character_is_no_feeling_about_the_room(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


def test_on_standby_is_off(brain: Brain) -> None:
    assert answer(brain, "can you put the speaker on standby") == (
        "turn_off", {"living_room_speaker"}, None, "act")


@pytest.mark.parametrize("text", [
    "the chore chart the kids drew says, feed the cat, lights off, bed",
    "mum said switch the porch light off before bed",
])
def test_what_a_list_or_a_person_says_is_read_out(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"


def test_a_long_story_after_the_command_is_an_aside(brain: Brain) -> None:
    assert answer(brain, "switch off the router in the office, it has been flashing for "
                         "hours and it is driving me up the wall") == (
        "turn_off", {"office_router"}, None, "act")


def test_a_word_to_the_listener_after_the_command_keeps_its_verb(brain: Brain) -> None:
    assert answer(brain, "put the lamp on there, sure I can't see a thing") == (
        "turn_on", {"living_room_lamp"}, None, "act")


@pytest.mark.parametrize("text", [
    "the neighbours leave their garden lights on all night",
    "the only lights on are the kitchen and the hall",
])
def test_others_habits_and_what_is_on_are_told(brain: Brain, text: str) -> None:
    assert answer(brain, text)[3] == "ignore"
