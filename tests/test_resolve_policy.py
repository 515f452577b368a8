"""Resolver and policy behaviour on the reference home, with hand-marked spans.

Spans are written inline as "[words](KIND)" so each case reads as what the model tagged.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.config import HomeConfig
from assistant.decode import TaggedSpan, parse_color, parse_number, spans_from_tags
from assistant.pipeline import extract_value
from assistant.policy import decide
from assistant.resolve import Resolver, Scene, zone_scores

MARK = re.compile(r"\[([^\]]+)\]\((DEV|ROOM|NUM|COLOR)\)")


def marked(text: str) -> tuple[str, list[TaggedSpan]]:
    spans, plain, last = [], "", 0
    for m in MARK.finditer(text):
        plain += text[last : m.start()]
        spans.append(TaggedSpan(m.group(2), len(plain), len(plain) + len(m.group(1)),
                                m.group(1)))
        plain += m.group(1)
        last = m.end()
    return plain + text[last:], spans


def run(home: HomeConfig, intent: str, text: str, camera: str | None = None,
        grounding: np.ndarray | None = None, confidence: float = 0.99
        ) -> tuple[str, tuple[str, ...], str]:
    plain, spans = marked(text)
    cam = home.cameras[camera] if camera else None
    res = Resolver(home).resolve(intent, plain, spans, Scene(cam, grounding, (6, 6), 0.5))
    own = res.intents[0] if res.intents else intent
    value = extract_value(own, plain, spans)
    verdict = decide(home.policy, home, intent, confidence=confidence, p_none=0.0,
                     resolution=res, value=value)
    targets = res.targets if verdict.decision in ("act", "confirm") else ()
    return own, tuple(sorted(targets)), verdict.decision


@pytest.mark.parametrize(("intent", "text", "camera", "expected"), [
    ("turn_on", "turn on the [kitchen light](DEV)", None, ("kitchen_light",)),
    ("turn_off", "switch the [telly](DEV) off", "bedroom_cam", ("living_room_tv",)),
    ("turn_on", "[lights](DEV) on", "kitchen_cam", ("kitchen_light",)),
    ("turn_on", "[lights](DEV) on in [here](ROOM)", "living_room_cam",
     ("living_room_ceiling", "living_room_lamp")),
    ("turn_on", "the [lamp](DEV) in the [bedroom](ROOM)", None, ("bedroom_lamp",)),
    ("turn_on", "[bedroom lamp](DEV) on", None, ("bedroom_lamp",)),
    ("turn_off", "[kitchen lights](DEV) off", None, ("kitchen_light",)),
    ("turn_off", "the [kettle](DEV) and the [coffee maker](DEV)", None,
     ("kitchen_coffee", "kitchen_kettle")),
    ("turn_off", "turn off the [kitchin lite](DEV)", None, ("kitchen_light",)),
    ("set_volume", "set the [tv volume](DEV) to [20](NUM)", None, ("living_room_tv",)),
    ("temperature_up", "it's freezing in [here](ROOM)", "bedroom_cam", ("thermostat",)),
    # how it is, tagged as a room, is no room; a verb and "it" tagged as a device is "it"
    ("turn_on", "[fan](DEV) on it's [roasting](ROOM)", None, ("bedroom_fan",)),
    ("temperature_up", "can we [have it](DEV) warmer", None, ("thermostat",)),
    ("turn_on", "[dining room lights](DEV) on dinner['s](ROOM) ready", None, ("dining_light",)),
    ("temperature_up", "it's freezing in [here](ROOM)", None, ("thermostat",)),  # one heating
    ("brightness_up", "too dark in [here](ROOM)", "office_cam", ("office_lamp",)),
    ("start", "turn on the [hoover](DEV)", None, ("vacuum",)),
    ("dock", "send [it](DEV) home", None, ("vacuum",)),
    ("start", "[vacuum](DEV) the [lounge](DEV) please", None, ("vacuum",)),
    ("close", "close the [window blinds](DEV)", None, ("living_room_blinds",)),
    ("turn_off", "turn off the [kids](ROOM) [room light](DEV)", None, ("kids_room_light",)),
    ("set_brightness", "[bedroom](ROOM) [light](DEV) to [40](NUM)", None, ("bedroom_light",)),
    ("set_brightness", "[bedroom](ROOM) [lights](DEV) to [40](NUM)", None,
     ("bedroom_light", "bedroom_lamp")),
    ("stop", "stop the [music](DEV) on the [sound system](DEV)", None, ("living_room_speaker",)),
    ("start", "vacuum the [lounge](DEV) please", None, ("vacuum",)),
    ("start", "hoover the [kitchen](DEV)", None, ("vacuum",)),
    ("turn_on", "turn on the [lamb](DEV)", None, ("living_room_lamp",)),
    ("start", "the floor is dirty can the [robot](DEV) clean [it](DEV)", "kitchen_cam",
     ("vacuum",)),
    ("turn_on", "make me a [coffee](DEV)", None, ("kitchen_coffee",)),
    ("turn_on", "i need caffeine", None, ("kitchen_coffee",)),
    ("turn_off", "turn off the [bedroom lights](DEV)", None, ("bedroom_light", "bedroom_lamp")),
    ("turn_on", "turn on the [light](DEV) of my [bed room](ROOM)", None,
     ("bedroom_light", "bedroom_lamp")),
])
def test_resolves_targets_and_acts(home: HomeConfig, intent: str, text: str,
                                   camera: str | None, expected: tuple[str, ...]) -> None:
    _, targets, decision = run(home, intent, text, camera)
    assert (targets, decision) == (tuple(sorted(expected)), "act")


def test_all_lights_means_the_whole_home(home: HomeConfig) -> None:
    _, targets, decision = run(home, "turn_off", "turn off all the [lights](DEV)")
    assert decision == "act"
    assert set(targets) == {d for d, dev in home.devices.items() if dev.type == "light"}


def test_brightness_skips_lights_that_cannot_dim(home: HomeConfig) -> None:
    _, targets, _ = run(home, "set_brightness", "all [lights](DEV) to [half](NUM)")
    assert "garage_light" not in targets and "kitchen_light" in targets


@pytest.mark.parametrize(("intent", "text", "camera"), [
    ("turn_on", "turn on the [jacuzzi](DEV)", None),          # not in this home
    ("turn_on", "turn on the [light](DEV)", None),             # which one?
    ("volume_up", "turn it up", "living_room_cam"),            # tv or speaker
    ("lock", "lock the [tv](DEV)", None),                      # cannot
    ("set_color", "make the [kettle](DEV) [blue](COLOR)", None),
    ("open", "open the [kitchen blinds](DEV)", None),          # no blinds there
    ("unlock", "unlock the [back door](DEV)", None),            # only a front door here
    ("turn_off", "turn [that](DEV) off", "living_room_cam"),   # no frame to look at
    ("set_brightness", "dim the [lamp](DEV) to", None),        # to what?
    ("turn_on", "lights on in [here](ROOM)", None),            # no camera: which room
    ("lock", "lock up", None),                                 # a lock is never implied
    ("turn_on", "set [bed light](DEV) to 50", "living_room_cam"),  # unknown: no fallback
    ("set_brightness", "set bed [light](DEV) brightness to [50](NUM) %", "living_room_cam"),
    ("turn_on", "[dining room light](DEV) [kettle](DEV)", None),  # a bag of device words
])
def test_unclear_commands_clarify(home: HomeConfig, intent: str, text: str,
                                  camera: str | None) -> None:
    _, targets, decision = run(home, intent, text, camera)
    assert (targets, decision) == ((), "clarify")


@pytest.mark.parametrize(("intent", "text", "decision"), [
    ("unlock", "unlock the [front door](DEV)", "confirm"),
    ("open", "open the [garage door](DEV)", "confirm"),
    ("close", "close the [garage](DEV) door", "confirm"),  # the one device there that closes
    ("close", "close the [garage door](DEV)", "confirm"),
    ("lock", "lock the [front door](DEV)", "act"),
])
def test_sensitive_devices_confirm(home: HomeConfig, intent: str, text: str,
                                   decision: str) -> None:
    assert run(home, intent, text)[2] == decision


def test_sensitive_devices_and_implied_devices_need_a_firmer_reading(home: HomeConfig) -> None:
    plain, spans = marked("lock the [front door](DEV)")
    res = Resolver(home).resolve("lock", plain, spans, Scene())
    for confidence, decision in ((0.95, "act"), (0.7, "clarify")):
        assert decide(home.policy, home, "lock", confidence=confidence, p_none=0.1,
                      resolution=res, value=None).decision == decision
    cam = home.cameras["bedroom_cam"]
    res = Resolver(home).resolve("temperature_up", "i'm freezing", [], Scene(cam))
    assert res.implied and res.targets == ("thermostat",)
    for confidence, decision in ((0.95, "act"), (0.7, "clarify")):
        assert decide(home.policy, home, "temperature_up", confidence=confidence, p_none=0.1,
                      resolution=res, value=None).decision == decision


def test_non_commands_and_low_confidence(home: HomeConfig) -> None:
    res = Resolver(home).resolve("turn_on", "x", [], Scene())
    assert decide(home.policy, home, "none", confidence=0.9, p_none=0.9, resolution=res,
                  value=None).decision == "ignore"
    plain, spans = marked("turn on the [kettle](DEV)")
    res = Resolver(home).resolve("turn_on", plain, spans, Scene())
    assert decide(home.policy, home, "turn_on", confidence=0.4, p_none=0.3, resolution=res,
                  value=None).decision == "clarify"


def test_pointing_uses_grounding_over_camera_zones(home: HomeConfig) -> None:
    cam = home.cameras["living_room_cam"]
    grid = np.zeros((6, 6), np.float32)
    grid[2:5, 0] = 1 / 3  # the lamp's column, rows 2-4
    scores = zone_scores(grid.ravel(), (6, 6), cam.zones)
    assert max(scores, key=lambda k: scores[k]) == "living_room_lamp"
    assert run(home, "turn_off", "turn [that](DEV) off", "living_room_cam",
               grid.ravel()) == ("turn_off", ("living_room_lamp",), "act")
    flat = np.full(36, 1 / 36, np.float32)  # looking everywhere: not sure
    assert run(home, "turn_off", "turn [that](DEV) off", "living_room_cam", flat)[2] == "clarify"


@pytest.mark.parametrize(("words", "value"), [
    ("twenty five", 25), ("25%", 25), ("19.5", 19.5), ("nineteen point five", 19.5),
    ("half", 50), ("a quarter", 25), ("three quarters", 75), ("one hundred", 100),
    ("forty", 40), ("max", 100), ("seventy-five", 75), ("minus five", -5),
    ("two thirds", 67), ("negative 3", -3),
])
def test_numbers(words: str, value: float) -> None:
    assert parse_number(words) == value


def test_colours_and_values() -> None:
    assert parse_color("Warm-White") == "warm white"
    assert parse_color("violet") == "violet"
    assert parse_color("sky") is None
    text, spans = marked("set the lamp to [fifty](NUM) percent")
    assert extract_value("set_brightness", text, spans) == 50
    assert extract_value("set_temperature", "heating to 21.5 degrees", []) == 21.5
    assert extract_value("set_volume", "volume to 150", []) == 150  # as said: it clarifies
    assert extract_value("set_temperature", "thermostat to minus five", []) == -5
    assert extract_value("set_position", "blinds three quarters open", []) == 75
    assert extract_value("turn_on", "turn on 5 lights", []) is None


def test_bio_tags_to_spans() -> None:
    text = "turn on the kitchen light and kettle"
    offsets = [(0, 4), (5, 7), (8, 11), (12, 19), (20, 25), (26, 29), (30, 33), (33, 36)]
    tags = ["O", "O", "O", "B-DEV", "I-DEV", "O", "B-DEV", "I-DEV"]
    assert [s.text for s in spans_from_tags(text, tags, offsets)] == ["kitchen light", "kettle"]
    # A stray I- starts a span; a word takes its first piece's tag ("ket" + "##tle"); spans
    # of one kind with only a space between are one mention.
    tags = ["O", "O", "O", "I-DEV", "B-DEV", "O", "B-DEV", "O"]
    assert [s.text for s in spans_from_tags(text, tags, offsets)] == ["kitchen light", "kettle"]
    text = "the lamp, the tv"
    offsets = [(0, 3), (4, 8), (8, 9), (10, 13), (14, 16)]
    tags = ["O", "B-DEV", "O", "O", "B-DEV"]
    assert [s.text for s in spans_from_tags(text, tags, offsets)] == ["lamp", "tv"]


def test_zone_score_is_relative_to_what_the_zone_can_reach(home: HomeConfig) -> None:
    cam = home.cameras["living_room_cam"]
    grid = np.zeros((6, 6), np.float32)
    grid[3, 4] = 1.0  # most of the speaker zone [0.68, 0.45, 0.08, 0.2] is in this region
    scores = zone_scores(grid.ravel(), (6, 6), cam.zones)
    assert scores["living_room_speaker"] > 0.5 > scores["living_room_tv"]
    half = np.zeros((6, 6), np.float32)
    half[3, 0] = half[3, 4] = 0.5  # between the lamp and the speaker: ask
    assert run(home, "turn_off", "turn [that](DEV) off", "living_room_cam",
               half.ravel())[2] == "clarify"


def test_pointing_at_something_that_cannot_do_it_falls_back_to_the_implied_device(
        home: HomeConfig) -> None:
    at_lamp = np.zeros((6, 6), np.float32)
    at_lamp[2:5, 0] = 1 / 3
    assert run(home, "temperature_up", "make [it](DEV) warmer", "living_room_cam",
               at_lamp.ravel()) == ("temperature_up", ("thermostat",), "act")
    # ... but never to a lock: a sensitive device is acted on only when named.
    assert run(home, "lock", "lock [it](DEV)", "living_room_cam",
               at_lamp.ravel()) == ("lock", (), "clarify")


# Several device words tagged in one command: which ones it means.
@pytest.mark.parametrize(("intent", "text", "camera", "expected"), [
    # a correction: the later mention is meant
    ("turn_on", "turn on the [floor lamp](DEV) sorry i mean the [ceiling light](DEV)", None,
     ("living_room_ceiling",)),
    ("turn_on", "the [kitchen light](DEV) on, no wait, the [hall light](DEV)", None,
     ("hallway_light",)),
    # a word that names nothing of the home, next to a device's own name: context
    ("turn_on", "switch the [porch light](DEV) on for the [pizza](DEV) guy", None,
     ("garden_lights",)),
    ("stop", "pause the [telly](DEV) i need the [loo](DEV)", None, ("living_room_tv",)),
    ("lock", "lock the [door](DEV) for the [plumber](DEV)", None, ("front_door",)),
    ("turn_off", "turn off the [nursery light](DEV) the baby['s](DEV) asleep", None,
     ("kids_room_light",)),
    # a room word the tagger split from the rest of the mention
    ("turn_off", "shut the [dining](ROOM) [room lights](DEV) off", None, ("dining_light",)),
    # the kind word of what a named device plays, a particle between them
    ("volume_down", "turn the [music](DEV) down on the [speaker](DEV)", None,
     ("living_room_speaker",)),
    # words after the name that the tagger took in
    ("lock", "please lock the [door behind](DEV) me", None, ("front_door",)),
    # a word of one room's name before a kind word: that room
    ("turn_on", "turn on the [kids light](DEV)", None, ("kids_room_light",)),
    # a loose name: a word of one device's name and "thing"
    ("turn_on", "turn on the [coffee thing](DEV)", None, ("kitchen_coffee",)),
])
def test_which_of_several_mentions_is_meant(home: HomeConfig, intent: str, text: str,
                                            camera: str | None, expected: tuple[str, ...]
                                            ) -> None:
    _, targets, decision = run(home, intent, text, camera)
    assert (targets, decision) == (tuple(sorted(expected)), "act")


@pytest.mark.parametrize(("intent", "text"), [
    ("turn_on", "turn on the [kitchen light](DEV) and the [jacuzzi](DEV)"),  # listed: asks
    ("turn_on", "turn on the [light](DEV) in the [loo](DEV)"),  # only a kind word named
    ("turn_on", "[kitchen light](DEV) [pizza](DEV) [kettle](DEV)"),  # a bag of device words
    ("turn_on", "can we have some light in the [hallway](ROOM)"),  # no device tagged: asks
    ("turn_on", "the [pizza](DEV) on the [tv](DEV)"),  # a word before the device is no reason
    ("open", "open the [window](DEV)"),  # a window, not the "window blinds"
])
def test_an_unknown_mention_that_may_be_meant_still_asks(home: HomeConfig, intent: str,
                                                         text: str) -> None:
    assert run(home, intent, text)[1:] == ((), "clarify")


@pytest.mark.parametrize(("intent", "text"), [
    ("brightness_down", "dim [this](DEV)"),
    ("brightness_up", "make [this one](DEV) brighter"),
    ("turn_off", "switch [that](DEV) off"),
    ("turn_on", "turn [it](DEV) on"),
    ("brightness_down", "dim this"),               # the pointing word left untagged
    ("brightness_up", "brighten that a bit"),
])
def test_a_word_pointing_at_one_device_never_acts_on_several(
        home: HomeConfig, intent: str, text: str) -> None:
    """Two lights in the living room and no frame to show which: ask, never both."""
    assert run(home, intent, text, "living_room_cam") == (intent, (), "clarify")


def test_without_a_frame_a_pointing_word_acts_on_the_one_device_of_the_room(
        home: HomeConfig) -> None:
    # The office has one light: "dim this" there can only be it.
    assert run(home, "brightness_down", "dim [this](DEV)", "office_cam") == (
        "brightness_down", ("office_lamp",), "act")
    # The thermostat is the home's only one, but not in the room seen: "this" asks...
    assert run(home, "temperature_up", "turn [this](DEV) up", "office_cam")[2] == "clarify"
    # ... while "make it warmer" is about the home's one thermostat.
    assert run(home, "temperature_up", "make [it](DEV) warmer", "office_cam") == (
        "temperature_up", ("thermostat",), "act")
    # Plural pointing words and the room's lights as a whole are not one device.
    assert run(home, "brightness_up", "it's too dark in [here](ROOM)", "living_room_cam") == (
        "brightness_up", ("living_room_ceiling", "living_room_lamp"), "act")


@pytest.mark.parametrize(("intent", "text", "camera", "expected"), [
    # the verb is the device's own name: named, not implied
    ("start", "hoover the [hallway](ROOM)", None, ("vacuum",)),
    # start on a switch or a fan switches it on
    ("start", "start the [kettle](DEV)", None, ("kitchen_kettle",)),
    ("start", "start the [fan](DEV)", None, ("bedroom_fan",)),
    # what a media player plays, before the named player, is not a second device
    ("volume_up", "the [sound](DEV) is much too low on the [telly](DEV)", None,
     ("living_room_tv",)),
    # punctuation and politeness tagged as a device name nothing
    ("turn_off", "[lights](DEV) off [thx](DEV)", "kitchen_cam", ("kitchen_light",)),
    ("turn_on", "turn the [fan](DEV) on [:)](DEV)", None, ("bedroom_fan",)),
    # a verb after "to" is no device
    ("brightness_up", "it's too gloomy in the [study](ROOM) to [read](DEV)", None,
     ("office_lamp",)),
    # "this room" is the room, not a pointing word
    ("brightness_down", "make [this room](ROOM) darker", "bedroom_cam",
     ("bedroom_lamp", "bedroom_light")),
])
def test_devices_said_in_other_ways(home: HomeConfig, intent: str, text: str,
                                    camera: str | None, expected: tuple[str, ...]) -> None:
    _, targets, decision = run(home, intent, text, camera)
    assert (targets, decision) == (expected, "act")


def test_everywhere_is_every_room(home: HomeConfig) -> None:
    _, targets, decision = run(home, "turn_off", "[lights](DEV) off everywhere please")
    assert decision == "act" and set(targets) == {
        i for i, d in home.devices.items() if d.type == "light"}


def test_rooms_in_a_list_are_both(home: HomeConfig) -> None:
    assert run(home, "turn_off", "[lights](DEV) off in the [garage](ROOM) and the [study](ROOM)"
               )[1:] == (("garage_light", "office_lamp"), "act")


def test_a_name_said_elsewhere_still_implies(home: HomeConfig) -> None:
    plain, spans = marked("can the vacuum go upstairs")
    res = Resolver(home).resolve("start", plain, spans, Scene(None, None, (6, 6), 0.5))
    assert res.implied  # the high bar of an implied device still holds


@pytest.mark.parametrize("text", [
    "turn on the [salt lamp](DEV)",  # a lamp, but not one the home has
    "switch on the [disco speaker](DEV)",
    "[stereo bedside lamp](DEV) on",  # two devices' names in one mention
    "[lights](DEV) [garage](ROOM) router [study](ROOM) on",  # two rooms, no list
    "open the [shutters](DEV) in the [garage](ROOM)",  # window words: never the garage door
    "turn on the [kitchen ceiling light](DEV) in the [bedroom](ROOM)",
    "[kitchen](ROOM) [ceiling light](DEV) in the [nursery](ROOM)",
    "[bathroom lights](DEV) on in the [office](ROOM)",
])
def test_a_device_of_another_room_than_the_one_said_asks(home: HomeConfig, text: str) -> None:
    assert run(home, "turn_on", text)[1:] == ((), "clarify")


def test_open_this_at_the_blinds_opens_them_in_whichever_sense_the_verb_was_read(
        home: HomeConfig) -> None:
    at_blinds = np.zeros((6, 6), np.float32)
    at_blinds[0:3, 5] = 1 / 3  # the blinds' zone [0.8, 0.05, 0.18, 0.5]
    # "open this" read as a door's verb (unlock): the frame shows blinds, so open them
    assert run(home, "unlock", "open [this](DEV)", "living_room_cam",
               at_blinds.ravel()) == ("open", ("living_room_blinds",), "act")
    assert run(home, "lock", "close [that](DEV)", "living_room_cam",
               at_blinds.ravel()) == ("close", ("living_room_blinds",), "act")
    # a cover named, not seen, keeps the plain sense: a garage door cannot lock
    assert run(home, "lock", "lock the [garage door](DEV)") == ("lock", (), "clarify")


def test_a_level_verb_at_the_speaker_is_its_volume_when_the_words_allow_it(
        home: HomeConfig) -> None:
    at_speaker = np.zeros((6, 6), np.float32)
    at_speaker[3, 4] = 1.0  # the speaker's zone [0.68, 0.45, 0.08, 0.2]
    assert run(home, "brightness_down", "turn [that one](DEV) down a bit", "living_room_cam",
               at_speaker.ravel()) == ("volume_down", ("living_room_speaker",), "act")
    # "dim" asks for light only: no reading of it lowers a speaker's volume
    assert run(home, "brightness_down", "dim [this](DEV)", "living_room_cam",
               at_speaker.ravel())[1:] == ((), "clarify")


def with_alias(home: HomeConfig, device: str, alias: str) -> HomeConfig:
    """The reference home with one more alias for `device`."""
    dev = home.devices[device]
    devices = {**home.devices, device: dev.model_copy(update={"aliases": [*dev.aliases, alias]})}
    return home.model_copy(update={"devices": devices})


def test_an_alias_that_is_a_kind_word_once_my_is_dropped_names_no_device(home: HomeConfig
                                                                         ) -> None:
    # "my lamp" as the bedside lamp's alias must not make every "lamp" the bedside lamp
    names = Resolver(with_alias(home, "bedroom_lamp", "my lamp")).names
    assert names["lamp"] == {"living_room_lamp"}  # the reference home's own alias "lamp"
    assert "bedroom_lamp" not in names.get("lamp", set())


def test_a_long_name_said_whole_is_one_device_however_it_was_tagged(home: HomeConfig
                                                                   ) -> None:
    other = with_alias(home, "office_router", "smart plug for the wifi box")
    plain, spans = marked("turn off the [smart plug](DEV) for the [wifi box](DEV)")
    res = Resolver(other).resolve("turn_off", plain, spans, Scene(None, None, (6, 6), 0.5))
    assert res.targets == ("office_router",), res.problem


def test_a_device_name_tagged_as_a_room_is_the_device(home: HomeConfig) -> None:
    other = with_alias(home, "vacuum", "dusty")
    plain, spans = marked("pause [dusty](ROOM)")
    res = Resolver(other).resolve("stop", plain, spans, Scene(None, None, (6, 6), 0.5))
    assert res.targets == ("vacuum",), res.problem
