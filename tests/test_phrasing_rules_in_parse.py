"""The runtime rules of the second dev set's round, through the whole brain (shipped model).

Each case is a kind of phrasing whose failure the second dev set (tests/data/dev2_*.jsonl)
showed; the sentences here are other ones of the same kind, so this checks the rule, not a
sentence of the set.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.pipeline import Brain
from assistant.resolve import Scene
from assistant.types import ParseRequest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


@pytest.mark.parametrize(("text", "camera"), [
    ("leave the kitchen light on please", None),  # asked to change nothing
    ("just keep the fan off for now", "bedroom_cam"),
    ("we need to clean the kitchen", "kitchen_cam"),  # the speaker's own chore
    ("i have to tidy the lounge", "living_room_cam"),
    ("ceiling light the purple maybe", None),  # a colour in a bag of words
    ("forty percent study then", "bedroom_cam"),  # a number in a bag of words
    ("nursery sixty", None),  # a room and a number
    ("did someone switch the porch light off", "kitchen_cam"),  # what was done
    ("i hope the blinds open in the morning", None),  # a hope
    ("the dining room was too bright at the party", "living_room_cam"),  # the past
    ("it's roasting in madrid", None),  # somewhere else
    ("door lock wednesday", None),  # a name's own words ask for nothing
    ("coffee pot maybe", "kitchen_cam"),
    ("play seventy study", None),  # no word that sets a level
    ("launch the garage door app", None),  # an app, not the door
    ("switch the internet off on my laptop", "office_cam"),  # the laptop's, not the home's
    ("turn the heater up in the car", None),
    ("i'm drinking a cup of tea", "kitchen_cam"),  # doing it already
    ("coffee is my favourite drink", None),  # a need talked about, not asked for
    ("empty the roomba's bin", None),  # the device is the object of another verb
    ("switch on the tv remote", "living_room_cam"),
    ("so chilly at the bus stop", "kitchen_cam"),
])
def test_not_acted_on(brain: Brain, text: str, camera: str | None) -> None:
    result = brain.parse(text, camera=camera)
    assert result.decision == "ignore" and not result.commands, (result.decision,
                                                                 result.reason)


@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("switch off every light but the kitchen", "turn_off",
     {"living_room_ceiling", "living_room_lamp", "dining_light", "bedroom_light",
      "bedroom_lamp", "kids_room_light", "office_lamp", "bathroom_light", "hallway_light",
      "garage_light", "garden_lights"}),
    ("my feet are killing me and i finally sat down on the sofa, can you switch the telly on",
     "turn_on", {"living_room_tv"}),
    # a long story before the command: the command is read on its own too
    ("so yesterday we went to the market and bought loads of vegetables and then came home "
     "and cooked for hours so could you turn off the kitchen light", "turn_off",
     {"kitchen_light"}),
    # a reason that names no device, beside a command that does, is not a second action
    ("it's chilly in the kids room, turn the heating on", "turn_on", {"thermostat"}),
    # a clause that names no room is in the room of the clause before
    ("the dining room is so dark, switch the light on", "turn_on", {"dining_light"}),
    ("start the kettle", "turn_on", {"kitchen_kettle"}),
    ("heater nineteen", "set_temperature", {"thermostat"}),  # a name and a value
    # "it" is the device a statement before it named
    ("the desk lamp is giving me a headache, switch it off", "turn_off", {"office_lamp"}),
    ("the bedside lamp forty percent", "set_brightness", {"bedroom_lamp"}),
    ("lounge lights twenty", "set_brightness", {"living_room_ceiling", "living_room_lamp"}),
    ("it's boiling in this house", "temperature_down", {"thermostat"}),
    ("alex are switch on the fan", "turn_on", {"bedroom_fan"}),
    ("would you mind switching the hall light off", "turn_off", {"hallway_light"}),
    ("switch the desk lamp off, no wait, the bathroom light", "turn_off", {"bathroom_light"}),
    ("the router needs switching off", "turn_off", {"office_router"}),
    ("could the nursery light be green", "set_color", {"kids_room_light"}),
])
def test_acted_on(brain: Brain, text: str, intent: str, targets: set[str]) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, set(result.targets)) == ("act", intent, targets), \
        result.reason


def test_an_action_taken_back_is_not_carried_out(brain: Brain) -> None:
    result = brain.parse("open the blinds, no wait, close them")
    assert not any(c.intent == "open" for c in (*result.commands, *result.held)), result
    result = brain.parse("switch on the kettle, sorry, switch it off")
    assert [(c.device_id, c.intent) for c in result.commands] == [("kitchen_kettle",
                                                                   "turn_off")], result


@pytest.mark.parametrize("text", ["heat up some soup", "cool the cake down",
                                  "can you heat the pasta up"])
def test_cooking_is_not_the_heating(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "ignore" and not result.commands, (result.decision, result.reason)


def test_the_heating_named_with_food_around_is_the_heating(brain: Brain) -> None:
    result = brain.parse("turn the heating up, dinner's ready")
    assert (result.decision, result.targets) == ("act", ("thermostat",)), result.reason


def test_a_verb_tagged_as_a_device_is_the_verb(brain: Brain) -> None:
    # "lock" names devices in other homes; before "all the doors" it is what is asked
    result = brain.parse("lock all the doors")
    assert (result.decision, result.intent, result.targets) == ("act", "lock", ("front_door",))


def test_like_an_oven_in_here_is_the_room_not_cooking(brain: Brain) -> None:
    result = brain.parse("it's like an oven in here", camera="bedroom_cam")
    assert (result.decision, result.intent, result.targets) == (
        "act", "temperature_down", ("thermostat",)), result.reason


@pytest.mark.parametrize(("text", "intent", "targets"), [
    ("telly on please", "turn_on", {"living_room_tv"}),  # the model doubts this one
    ("nightstand lamp off", "turn_off", {"bedroom_lamp"}),
    ("espresso machine on please", "turn_on", {"kitchen_coffee"}),
])
def test_a_name_and_on_or_off_is_a_command(brain: Brain, text: str, intent: str,
                                           targets: set[str]) -> None:
    result = brain.parse(text)
    assert (result.decision, result.intent, set(result.targets)) == ("act", intent, targets)


@pytest.mark.parametrize(("text", "camera"), [
    ("up modem desk lamp", "office_cam"),  # names side by side, not a list
    ("on toaster hall light", None),
])
def test_names_side_by_side_are_not_acted_on(brain: Brain, text: str, camera: str | None
                                            ) -> None:
    assert brain.parse(text, camera=camera).decision in ("ignore", "clarify")


@pytest.mark.parametrize("text", ["garage door off", "front door lock off", "pizza on",
                                  "the lights on"])
def test_a_terse_sensitive_or_unknown_device_never_acts(brain: Brain, text: str) -> None:
    assert brain.parse(text).decision != "act"


@pytest.mark.parametrize(("text", "intent"), [
    ("power on the wemo", "turn_on"), ("power off the wemo", "turn_off"),
    ("switch on the wemo", "turn_on"), ("shut off the wemo", "turn_off")])
def test_the_terse_form_reads_each_plain_verb_its_own_way(brain: Brain, text: str,
                                                          intent: str) -> None:
    # The path for a plain verb and a name the model doubts (Brain._terse), called directly:
    # "power on" once read as turning off when its table was shadowed.
    reading = brain._terse(text, Scene())
    assert reading is not None and (reading.intent, reading.resolution.targets if
                                    reading.resolution else ()) == (intent, ("office_plug",))


def test_a_particle_starts_a_second_action(brain: Brain) -> None:
    result = brain.parse("switch on the desk lamp and off the fan")
    assert result.decision == "act", result.reason
    assert {(c.device_id, c.intent) for c in result.commands} == {
        ("office_lamp", "turn_on"), ("bedroom_fan", "turn_off")}


@pytest.mark.parametrize("text", ["unless it's sunny open the blinds",
                                  "put the porch light on when it gets dark",
                                  "as soon as i get in switch the heating on"])
def test_a_condition_the_model_doubts_still_asks(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "clarify" and not result.commands, result


def bags_of_home_words(brain: Brain, n: int, seed: int) -> list[tuple[str, str | None]]:
    """Random bags of 2 to 6 of the home's names, room names, action and value words and
    fillers (synthetic: "router garden but quickly or"), each with a random camera. Some
    come out as terse commands ("hall light on"), so a few acting is right."""
    rng = random.Random(seed)
    config = brain.config
    names = [n for d in config.devices.values() for n in (d.name, *d.aliases)]
    rooms = [n for r in config.rooms.values() for n in (r.name, *r.aliases)]
    words = ["on", "off", "up", "down", "open", "close", "lock", "start", "stop", "dim",
             "brighter", "set", "turn", "switch", "play", "pause", "warm", "cold", "blue",
             "red", "fifty", "20", "percent", "degrees"]
    fillers = ["the", "and", "or", "but", "quickly", "maybe", "so", "then", "a", "my",
               "tuesday", "pizza", "because", "really", "later", "yes", "no", "again"]
    cameras = [None, *config.cameras]
    pools = [names, names, rooms, words, fillers, fillers]
    return [(" ".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(2, 6))),
             rng.choice(cameras)) for _ in range(n)]


def test_bags_of_home_words_rarely_act(brain: Brain) -> None:
    bags = bags_of_home_words(brain, 1000, seed=0)
    results = brain.parse_batch([ParseRequest(text=t, camera=c) for t, c in bags])
    acted = [t for (t, _), r in zip(bags, results, strict=True) if r.decision == "act"]
    # 21 of these 1000 act with this round's rules, 47 before them (terse commands among
    # them); none may touch or ask to touch the lock or the garage door (5 locked the door
    # before: "a front door lock").
    assert len(acted) <= 30, acted[:20]
    sensitive = {"front_door", "garage_door"}
    locked = [t for (t, _), r in zip(bags, results, strict=True)
              if r.decision in ("act", "confirm") and sensitive & set(r.targets)]
    assert not locked, locked


def test_a_pronoun_clause_acts_on_the_devices_before_it(brain: Brain) -> None:
    result = brain.parse("switch on the nursery light and make it pink")
    assert result.decision == "act", result.reason
    assert {(c.device_id, c.intent) for c in result.commands} == {
        ("kids_room_light", "turn_on"), ("kids_room_light", "set_color")}
    # the floor lamp has no colour: the whole asks rather than doing half
    assert brain.parse("put the lounge lights on and make them green").decision == "clarify"


@pytest.mark.parametrize(("text", "intent", "targets"), [
    # "and" heard as "in"/"on" between two device names: both devices, not the second alone
    ("switch off the telly in the stereo", "turn_off", {"living_room_tv", "living_room_speaker"}),
    ("turn on the kettle on the coffee maker", "turn_on", {"kitchen_kettle", "kitchen_coffee"}),
    # a room after "in" is a place
    ("turn the lamp on in the office", "turn_on", {"office_lamp"}),
])
def test_and_heard_as_in_between_devices(brain: Brain, text: str, intent: str,
                                         targets: set[str]) -> None:
    result = brain.parse(text)
    assert (result.intent, set(result.targets), result.decision) == (intent, targets, "act")


def test_and_slip_leaves_rooms_and_single_names_alone() -> None:
    from assistant.phrasing import and_slip_regex, mend_and_slip

    pattern = and_slip_regex(["tv", "speaker", "office"], ["office"])
    assert mend_and_slip("turn off the tv in the speaker", pattern) == \
        "turn off the tv and the speaker"
    assert mend_and_slip("turn off the tv in the office", pattern) == \
        "turn off the tv in the office"
    assert mend_and_slip("turn the speaker on", pattern) == "turn the speaker on"
    assert mend_and_slip("anything", and_slip_regex([], [])) == "anything"


@pytest.mark.parametrize("text", [
    "it's gotten a lot darker in the study",  # how the room is: too dark, not "dim it"
    "it is even dimmer in here now",
    "lads stop arguing about the tv",  # people told to stop, not the tv
    "so stop shouting over the speaker",
])
def test_states_and_people_told_to_stop_are_not_acted_on(brain: Brain, text: str) -> None:
    result = brain.parse_batch([ParseRequest(text=text, camera="office_cam")])[0]
    assert result.decision not in ("act", "confirm"), (text, result)


def test_a_request_for_darker_still_dims(brain: Brain) -> None:
    result = brain.parse_batch([ParseRequest(text="make it a bit darker in here",
                                             camera="office_cam")])[0]
    assert (result.intent, result.decision) == ("brightness_down", "act")


@pytest.mark.parametrize("text", ["the thermostat degrees", "the thermostat again please turn"])
def test_a_temperature_change_with_no_way_asks(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision == "clarify" and not result.commands, result


@pytest.mark.parametrize(("text", "intent"), [("heating cooler please", "temperature_down"),
                                              ("i'm shivering", "temperature_up")])
def test_a_temperature_change_with_a_way_acts(brain: Brain, text: str, intent: str) -> None:
    result = brain.parse_batch([ParseRequest(text=text, camera="office_cam")])[0]
    assert (result.intent, result.targets, result.decision) == (intent, ("thermostat",), "act")


@pytest.mark.parametrize("text", ["why is the big light so yellow",
                                  "the ceiling light in the lounge looks really blue tonight"])
def test_a_colour_described_is_not_asked_for(brain: Brain, text: str) -> None:
    result = brain.parse(text)
    assert result.decision != "act", result


def test_the_colour_asked_for_wins_over_the_one_described(brain: Brain) -> None:
    result = brain.parse("the big light is a bit too cool can you make it warm white")
    assert (result.decision, result.value) == ("act", "warm white"), result


@pytest.mark.parametrize(("text", "first", "second"), [
    ("stop the vacuum and turn on the lamp", ("vacuum", "stop"), ("living_room_lamp", "turn_on")),
    ("stop the hoover and mute the telly", ("vacuum", "stop"), ("living_room_tv", "mute"))])
def test_a_clause_naming_its_device_untagged_is_carried_out(
        brain: Brain, text: str, first: tuple[str, str], second: tuple[str, str]) -> None:
    # the tagger takes no span in "stop the vacuum": the clause is still named, not implied
    result = brain.parse(text)
    assert result.decision == "act"
    assert {(c.device_id, c.intent) for c in result.commands} == {first, second}, result


def test_make_sure_asks_for_the_state(brain: Brain) -> None:
    result = brain.parse("make sure the front door's locked")
    assert (result.decision, result.intent, result.targets) == ("act", "lock", ("front_door",))
    assert brain.parse("the front door's locked").decision == "ignore"


@pytest.mark.parametrize(("text", "intent", "target"), [
    ("turn the hallway light on, the postman is here", "turn_on", "hallway_light"),
    ("right everyone settle down, jarvis turn on the desk lamp", "turn_on", "office_lamp")])
def test_a_command_among_other_talk_is_carried_out(brain: Brain, text: str, intent: str,
                                                   target: str) -> None:
    # an aside after the command, or talk to others before a wake word, is not read into it
    result = brain.parse(text)
    assert (result.decision, result.intent, result.targets) == ("act", intent, (target,)), result


def test_an_aside_about_another_kind_of_device_is_not_cut_off(brain: Brain) -> None:
    # "it's boiling" speaks of the heating: "tv" may be the ear's slip, so it is read whole
    assert brain.plan(ParseRequest(text="turn the tv off it's boiling")).rows == (
        "turn the tv off it's boiling",)
    assert brain.plan(ParseRequest(text="turn the lamp on it's so dark")).rows == (
        "turn the lamp on it's so dark", "turn the lamp on")


@pytest.mark.parametrize("text", ["just switching the desk lamp off myself",
                                  "gonna unlock the front door for the plumber",
                                  "let me quickly close the blinds",
                                  "turn off the fan when you wake up"])
def test_the_speakers_own_doing_and_a_later_time_do_not_act(brain: Brain, text: str) -> None:
    assert brain.parse(text).decision not in ("act", "confirm")


def test_a_hundred_and_twenty_percent_is_out_of_range(brain: Brain) -> None:
    result = brain.parse("set the desk lamp to a hundred and twenty percent")
    assert (result.decision, result.value) == ("clarify", 120), result


@pytest.mark.parametrize(("text", "camera", "intent", "target", "value"), [
    # speech has no commas: the aside, the talk before a wake word and a correction are
    # found by their words
    ("put the kettle on does anyone want tea", None, "turn_on", "kitchen_kettle", None),
    ("stop arguing you two alexa pause the tv", None, "stop", "living_room_tv", None),
    ("switch the lamp on in here i can't see my book", "living_room_cam", "turn_on",
     "living_room_lamp", None),
    ("set the desk lamp to 30 no make it 40", None, "set_brightness", "office_lamp", 40)])
def test_speech_without_commas(brain: Brain, text: str, camera: str | None, intent: str,
                               target: str, value: int | None) -> None:
    result = brain.parse_batch([ParseRequest(text=text, camera=camera)])[0]
    assert (result.decision, result.intent, result.targets, result.value) == (
        "act", intent, (target,), value), result


def test_an_aside_starting_with_that_but_not_a_relative_clause(brain: Brain) -> None:
    result = brain.parse("turn the speaker up that song is great")
    assert (result.decision, result.intent, result.targets) == (
        "act", "volume_up", ("living_room_speaker",)), result
    # "that is by the window" says which lamp: the whole is read, not "turn on the lamp"
    assert brain.plan(ParseRequest(text="turn on the lamp that is by the window")).rows == (
        "turn on the lamp that is by the window",)
