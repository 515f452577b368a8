"""The runtime rules of the fifth dev set's round (tests/data/dev5_*.jsonl and the terse,
corpus-style probes that followed it): a value said with "at", a device and its colour with
no verb, a song title after "play". Unit tests of assistant/phrasing.py, then the same kinds
through the whole brain (shipped model), on other sentences than the probes'."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.phrasing import after_story, clean, said_value, terse_color
from assistant.pipeline import Brain

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("qualifier", "value", "expected"), [
    ("at 22", 22, True),
    ("at 22", 22.0, True),
    ("at 40", 35, False),  # another number: a time after all
    ("at 7", 7, False),  # an hour of the clock: ask
    ("at 12", 12, False),
    ("at 22", None, False),
    ("at 22", True, False),
    ("at noon", 12, False),
    ("in 20 minutes", 20, False),
])
def test_said_value(qualifier: str, value: object, expected: bool) -> None:
    assert said_value(qualifier, value) is expected


@pytest.mark.parametrize(("text", "spans", "expected"), [
    ("hall light pink", [(0, 10)], True),
    ("the hall light pink", [(4, 14)], True),
    ("office lamp cool white", [(0, 11)], True),
    ("bathroom light red", [(0, 8), (9, 14)], True),  # a room and its light
    ("hall light pink maybe", [(0, 10)], False),  # more words: not the terse form
    ("pink hall light", [(5, 15)], False),  # a colour before describes
    ("hall light bathroom light pink", [(0, 10), (11, 19), (20, 25)], False),  # a bag
    ("hall light", [(0, 10)], False),
    ("pink", [], False),
])
def test_terse_color(text: str, spans: list[tuple[int, int]], expected: bool) -> None:
    assert terse_color(text, spans) is expected


@pytest.fixture(scope="module")
def brain() -> Brain:
    return Brain.load(ROOT / "devices.yaml", threads=1)


@pytest.mark.parametrize(("text", "intent", "targets", "value"), [
    ("put the thermostat at 19", "set_temperature", ("thermostat",), 19),
    ("tv volume at 25", "set_volume", ("living_room_tv",), 25),
    ("put the blinds at a quarter", "set_position", ("living_room_blinds",), 25),
    ("bedroom light red", "set_color", ("bedroom_light",), "red"),
    ("big light pink", "set_color", ("living_room_ceiling",), "pink"),
])
def test_terse_and_at_values_act(brain: Brain, text: str, intent: str,
                                 targets: tuple[str, ...], value: object) -> None:
    got = brain.parse(text)
    assert (got.decision, got.intent, tuple(sorted(got.targets)), got.value) == \
        ("act", intent, targets, value)


def test_a_terse_colour_never_takes_the_room_for_the_name(brain: Brain) -> None:
    # "bedroom light" is one device's name: never both of the bedroom's lights
    for text in ("bedroom light blue", "bedroom light light blue"):
        got = brain.parse(text)
        assert got.decision != "act" or got.targets == ("bedroom_light",), (text, got)


@pytest.mark.parametrize("text", [
    "set the thermostat at 8",  # 8 o'clock, or 8 degrees? ask
    "turn the hall light on at 9",
    "set the heating to 20 at 10",
])
def test_an_hour_still_asks(brain: Brain, text: str) -> None:
    got = brain.parse(text)
    assert got.decision == "clarify" and "I only act now" in (got.reason or "")


@pytest.mark.parametrize(("text", "camera"), [
    ("play dancing in the dark", "kitchen_cam"),
    ("can you play too hot to handle", None),
    ("play turn the lights down low by bob marley", "bedroom_cam"),
    ("play blinding lights", "office_cam"),
])
def test_a_title_after_play_asks_for_nothing_else(brain: Brain, text: str,
                                                  camera: str | None) -> None:
    got = brain.parse(text, camera)
    assert got.decision not in ("act", "confirm"), got


def test_play_on_a_media_player_still_plays(brain: Brain) -> None:
    got = brain.parse("play on the speaker")
    assert (got.decision, got.intent, got.targets) == ("act", "start", ("living_room_speaker",))


@pytest.mark.parametrize(("text", "intent", "targets"), [
    # the model alone reads "shut them" as no request: the verb, on what was named before
    ("close the kitchen blinds, no wait, open them", None, None),  # no such blinds: asks
    ("open the living room blinds, sorry, shut them", "close", ("living_room_blinds",)),
    ("switch the tv on, actually no, turn it off", "turn_off", ("living_room_tv",)),
    # a bare "actually" between takes back the clause before it
    ("turn the kettle on, actually, switch it off", "turn_off", ("kitchen_kettle",)),
])
def test_a_correction_acts_on_what_was_named(brain: Brain, text: str, intent: str | None,
                                             targets: tuple[str, ...] | None) -> None:
    got = brain.parse(text)
    if intent is None:
        assert got.decision != "act", got
    else:
        assert (got.decision, got.intent, got.targets) == ("act", intent, targets), got


def test_a_corrected_lock_still_asks_to_confirm_an_unlock(brain: Brain) -> None:
    got = brain.parse("lock the front door, no wait, unlock it")
    assert (got.decision, got.intent, got.targets) == ("confirm", "unlock", ("front_door",))


@pytest.mark.parametrize(("text", "camera", "decision", "targets"), [
    # "lamp" narrows to the devices called lamps: a room with none asks
    ("switch the lamp on in here", "kitchen_cam", "clarify", ()),
    ("turn on the kitchen lamp", None, "clarify", ()),
    ("turn the lamp off in here", "office_cam", "act", ("office_lamp",)),
    # an interjection tagged as a device names nothing
    ("brr im chilly", "office_cam", "act", ("thermostat",)),
])
def test_room_words_and_interjections(brain: Brain, text: str, camera: str | None,
                                      decision: str, targets: tuple[str, ...]) -> None:
    got = brain.parse(text, camera)
    assert (got.decision, got.targets) == (decision, targets), got


@pytest.mark.parametrize("text", ["im just switching the kettle off myself",
                                  "i'm turning the telly off now",
                                  "we're locking up the front door"])
def test_the_speaker_saying_what_they_do_is_no_request(brain: Brain, text: str) -> None:
    assert brain.parse(text).decision == "ignore"


@pytest.mark.parametrize(("text", "tail"), [
    ("i moved the fan so you can hear me better", None),  # "so" saying what for
    ("we tidied the hall so that we don't trip over, is that ok", None),
    ("it's late so could you dim the bedroom light", "could you dim the bedroom light"),
    ("long day at work so lights off in the lounge", "lights off in the lounge"),
])
def test_a_purpose_after_so_is_no_story_break(text: str, tail: str | None) -> None:
    assert after_story(text) == tail


def test_a_purpose_is_not_read_as_a_request(brain: Brain) -> None:
    got = brain.parse("i'll move the lamp so you can see the board, is that better",
                      "office_cam")
    assert got.decision == "ignore", got


@pytest.mark.parametrize(("text", "read"), [
    ("im freezing", "i'm freezing"),
    ("Dont turn the fan off", "don't turn the fan off"),
    ("whats on tv", "what's on tv"),
    ("i feel ill", "i feel ill"),  # "ill", "its", "wont" mean something else: kept
    ("the tv lost its remote", "the tv lost its remote"),
    ("its too dark", "it's too dark"),  # but "its" first, or before how it is, is "it's"
    ("lamp on, its late", "lamp on, it's late"),
])
def test_contractions_typed_without_the_apostrophe(text: str, read: str) -> None:
    assert clean(text).lower() == read


def test_im_freezing_reads_as_i_am_freezing(brain: Brain) -> None:
    got = brain.parse("im freezing")
    assert (got.decision, got.intent, got.targets) == ("act", "temperature_up", ("thermostat",))
