"""The rules read around the model (assistant/phrasing.py) and the value ranges of the policy."""

from __future__ import annotations

import pytest

from assistant.phrasing import (
    after_story,
    asks_no_change,
    clean,
    contradicts,
    corrected_request,
    corrects,
    elsewhere,
    ends_in_correction,
    has_cue,
    later,
    need_words,
    no_request,
    one_word_request,
    own_chore,
    past_statement_subject,
    polite_core,
    split_clauses,
    split_except,
    statement_subject,
    without_condition,
)
from assistant.policy import out_of_range


@pytest.mark.parametrize(("said", "read"), [
    ("okay rhasspy turn on the living room lamp", "turn on the living room lamp"),
    ("snowboy, turn on the kitchen light", "turn on the kitchen light"),
    ("olly brighten the lights", "brighten the lights"),
    ("hey siri, alexa, lights off", "lights off"),
    ("turn on the kitchen light alexa", "turn on the kitchen light"),
    ("turn on the light of my bed room", "turn on the light of my bedroom"),
    ("un lock the door", "unlock the door"),
    ("alexa", "alexa"),  # nothing after it: left as said
    ("alex are dim the hall light", "dim the hall light"),  # a misheard name
    ("excuse me polly, close the shades", "close the shades"),
    ("switch the t v of please", "switch the tv off please"),  # recogniser slips
    ("the light of my study", "the light of my study"),  # "of" that is "of"
    ("turn the desk lamp of", "turn the desk lamp off"),
    ("turn on the living room lamp", "turn on the living room lamp"),
])
def test_clean_drops_wake_words_and_joins_splits(said: str, read: str) -> None:
    assert clean(said) == read


def test_a_device_called_like_an_assistant_keeps_its_name() -> None:
    assert clean("echo turn off", protected=["echo"]) == "echo turn off"
    assert clean("computer monitor on", protected=["computer monitor"]) == "computer monitor on"
    assert clean("computer, monitor on", protected=["computer monitor"]) == \
        "computer, monitor on"  # said either way, the name wins over the wake word
    assert clean("turn off the echo", protected=["echo"]) == "turn off the echo"
    assert clean("turn on the night stand lamp", vocabulary=["nightstand"]) == \
        "turn on the nightstand lamp"


@pytest.mark.parametrize(("text", "parts"), [
    ("turn on the kitchen light and turn off the hallway light",
     ["turn on the kitchen light", "turn off the hallway light"]),
    ("turn the tv on and the lamp off", ["turn the tv on", "the lamp off"]),
    ("dim the lamp, then switch off the fan", ["dim the lamp", "switch off the fan"]),
    ("turn off the tv and the lamp", []),  # one action, two devices
    ("close the blinds and the garage door", []),
    ("switch the kettle on and off the desk lamp", ["switch the kettle on", "off the desk lamp"]),
    ("turn on the fan and the lamp", []),
])
def test_split_clauses(text: str, parts: list[str]) -> None:
    assert [text[a:b] for a, b in split_clauses(text)] == parts


@pytest.mark.parametrize(("text", "when"), [
    ("turn off the fan in five minutes", "in five minutes"),
    ("when i leave lock the front door", "when i"),
    ("switch off the lamp at ten thirty", "at ten thirty"),
    ("turn the heating on tomorrow morning", "tomorrow"),
    ("turn it off for an hour", "for an hour"),
    ("if it gets cold turn the heating up", "if it"),
    ("set the lamp at 50 percent", None),  # a value, not a time
    ("pause the telly for a sec", None),
    ("if you could turn on the light", None),  # politeness
    ("turn off the lights in here", None),
])
def test_later(text: str, when: str | None) -> None:
    assert later(text) == when


def test_at_the_value_is_no_time() -> None:
    assert later("set the heating at 21", value=21) is None
    assert later("turn on the porch light at 7", value=None) == "at 7"
    assert later("set the heating at 21 at 7 am", value=21) == "at 7 am"


def test_a_qualifier_in_a_story_before_the_command_does_not_count() -> None:
    text = "we'll eat later, so dim the lights"
    assert later(text, text.index("lights")) is None
    assert later("dim the lights later", 8, 14) == "later"


def test_split_except() -> None:
    assert split_except("turn off all the lights except the bedroom") == (
        "turn off all the lights", "the bedroom")
    assert split_except("all lights on apart from the kitchen, please") == (
        "all lights on", "the kitchen, please")
    assert split_except("turn off the lamp") is None
    assert split_except("turn on the bar lights") is None  # a name, not "except"


@pytest.mark.parametrize(("intent", "text", "spans", "asks"), [
    ("turn_on", "dining room light kettle", [(0, 17), (18, 24)], False),
    ("turn_off", "router garden but quickly or", [(0, 6)], False),
    ("lock", "stock price", [], False),
    ("temperature_down", "cooking", [], False),
    ("dock", "reply back to this email", [], False),
    ("turn_on", "turn on the kettle", [(12, 18)], True),
    ("start", "hoover please", [(0, 6)], True),  # the device is the verb
    ("turn_on", "espresso please", [(0, 8)], True),  # a need
    ("turn_on", "coffee machine garden lamp", [(0, 14), (15, 21), (22, 26)], False),
    ("set_color", "lights to cool white", [(0, 6)], True),
    ("temperature_up", "it's like an icebox in here", [(25, 29)], True),
    ("turn_on", "can we have some light in the hallway", [(30, 37)], True),
    # a number alone asks for nothing; a word that asks for the value does
    ("set_brightness", "seventy percent kitchen maybe", [(16, 23)], False),
    ("set_temperature", "heating twenty one yes", [(0, 7)], False),
    ("set_temperature", "heating on twenty one", [(0, 7)], True),
    ("set_position", "shades to a third", [(0, 6)], True),
    ("set_brightness", "the hall light full", [(4, 14)], True),
    # a need asks when it is asked for, not when it is talked about
    ("turn_on", "i adore espresso", [], False),
    ("turn_on", "an espresso would be lovely", [], True),
    # a device named by its verb asks as the verb, not as another verb's object
    ("start", "hoover upstairs please", [(0, 6)], True),
    ("start", "fix the hoover", [(8, 14)], False),
    ("start", "vacuum cleaner maybe", [(0, 14)], False),  # a longer name's first word
    ("start", "vacuum the landing", [(0, 6)], True),
])
def test_has_cue(intent: str, text: str, spans: list[tuple[int, int]], asks: bool) -> None:
    assert has_cue(intent, text, spans) is asks


def test_needs_name_the_device_words() -> None:
    assert "coffee" in need_words("i need caffeine")
    assert "kettle" in need_words("fancy a cup of tea")
    assert need_words("turn on the lamp") == ()


def test_one_word_and_statements() -> None:
    assert one_word_request("louder") and one_word_request("it's cold in here")
    assert not one_word_request("boiling") and not one_word_request("cooking")
    assert statement_subject("the thermostat says 21 degrees") == "thermostat"
    assert statement_subject("the kitchen lights are still on") == "kitchen lights"
    assert statement_subject("set the thermostat to 21") is None
    assert statement_subject("make sure the lamp is off") is None
    assert statement_subject("the lamp needs to be off") is None
    assert statement_subject("the kettle needs descaling") == "kettle"


@pytest.mark.parametrize(("intent", "value", "unit", "ok"), [
    ("set_brightness", 100, None, True), ("set_brightness", 150, None, False),
    ("set_volume", -5, None, False), ("set_temperature", 21, None, True),
    ("set_temperature", -5, None, False), ("set_temperature", 90, None, False),
    ("set_temperature", 68, None, True), ("set_temperature", 68, "celsius", False),
    ("set_temperature", 21, "fahrenheit", False), ("turn_on", None, None, True),
])
def test_value_ranges(intent: str, value: float | None, unit: str | None, ok: bool) -> None:
    assert (out_of_range(intent, value, unit) is None) is ok


def test_after_story() -> None:
    assert after_story("we talked about the weather, anyway could you turn on the light") == \
        "could you turn on the light"
    assert after_story("it was a long day so lights off") == "lights off"
    assert after_story("turn on the light") is None


@pytest.mark.parametrize(("text", "parts"), [
    ("switch off every light but the hallway", ("switch off every light", "the hallway")),
    ("turn off everything but the tv", ("turn off everything", "the tv")),
    ("turn it on but quickly", None),  # "but" excludes only after "all"/"every"
    ("turn on the lamp, but the tv off", None),
    ("all the lights are on but nobody is home", None),  # no command: no exclusion
])
def test_but_excludes_after_all_or_every(text: str, parts: tuple[str, str] | None) -> None:
    assert split_except(text) == parts


@pytest.mark.parametrize(("text", "no_change"), [
    ("leave the hall light on please", True),
    ("please keep the heating off for now", True),
    ("no, leave the blinds alone", True),
    ("keep me posted", False),
    ("turn on the hall light", False),
    ("turn on the lamp and leave it on", False),  # the first action asks
])
def test_asked_to_change_nothing(text: str, no_change: bool) -> None:
    assert asks_no_change(text) is no_change


@pytest.mark.parametrize(("text", "chore"), [
    ("we're having coffee with gran", True),  # what the speaker is doing already
    ("i'm boiling in here", False),
    ("i need to clean the bathroom", True),
    ("i'm going to hoover the stairs later", True),
    ("we have to tidy the kitchen", True),
    ("start cleaning", False),
    ("the floor is dirty can the robot clean it", False),
])
def test_the_speakers_own_chore(text: str, chore: bool) -> None:
    assert own_chore(text) is chore


def test_corrections_between_mentions() -> None:
    assert corrects(", no wait, the ") and corrects(" sorry i mean the ")
    assert not corrects(" and the ") and not corrects(" in the ")
    assert not corrects(", no, not the ")  # leaves it out: not the one meant instead
    assert ends_in_correction("open the blinds, no wait") and ends_in_correction("the lamp, sorry")
    assert not ends_in_correction("turn on the lamp") and not ends_in_correction("no lamp on")


@pytest.mark.parametrize(("text", "spans", "asks"), [
    ("lamp kitchen the blue maybe", [(0, 12)], False),  # a colour in a bag of words
    ("kitchen light blue", [(0, 13)], False),
    ("make the kitchen light blue", [(9, 22)], True),
    ("the ceiling light cool white please", [(4, 17)], True),
    ("bedroom light to turquoise", [(0, 13)], True),
])
def test_a_colour_alone_asks_for_nothing(text: str, spans: list[tuple[int, int]],
                                         asks: bool) -> None:
    assert has_cue("set_color", text, spans) is asks


@pytest.mark.parametrize(("text", "subject"), [
    ("the kitchen was freezing this morning", "kitchen"),
    ("the lamp was on all night", "lamp"),
    ("the kitchen is freezing", None),  # now: a need, not a story
    ("turn the kitchen light on", None),
])
def test_a_statement_in_the_past(text: str, subject: str | None) -> None:
    assert past_statement_subject(text) == subject


def test_a_colour_with_be_asks() -> None:
    assert has_cue("set_color", "could the nursery light be green", [(10, 23)])
    assert not has_cue("set_color", "nursery light green", [(0, 13)])
    assert has_cue("set_color", "could we have green lights", [(19, 25)])


@pytest.mark.parametrize(("text", "place"), [
    ("it's so humid in singapore", "singapore"),
    ("freezing at the bus stop", "bus"),
    ("it's freezing in here", None),
    ("too dark in the dining room", None),
    ("it's chilly in this house", None),
    ("so muggy today", "today"),  # the weather
    ("pitch black outside already", "outside"),
])
def test_a_place_outside_the_home(text: str, place: str | None) -> None:
    assert elsewhere(text, ["dining room", "kitchen", "living room"]) == place


@pytest.mark.parametrize(("text", "core"), [
    ("would you mind dimming the hall light", "dim the hall light"),
    ("why don't you open the shades", "open the shades"),
    ("are you able to switch the router on", "switch the router on"),
    ("do you mind", None),
    ("turn on the fan", None),
])
def test_the_request_inside_a_polite_lead(text: str, core: str | None) -> None:
    assert polite_core(text) == core


@pytest.mark.parametrize(("text", "meant"), [
    ("switch the fan on, sorry, the desk lamp", "switch the desk lamp on"),
    ("open the blinds no wait the garage door", "open the garage door"),
    ("close the blinds, no wait, open them", None),  # a verb of its own: a clause
    ("the fan sorry the lamp", None),  # nothing to take the verb from
])
def test_a_correction_takes_the_verb_it_corrects(text: str, meant: str | None) -> None:
    assert corrected_request(text) == meant


@pytest.mark.parametrize(("text", "apart"), [
    ("once the kids are asleep dim the lounge lights", ("dim the lounge lights", "once the")),
    ("switch the fan off before bed", ("switch the fan off", "before bed")),
    ("remind me to call mum at five", None),  # no action around the qualifier
    ("dim the lounge lights", None),
])
def test_a_command_read_without_its_condition(text: str, apart: tuple[str, str] | None
                                              ) -> None:
    assert without_condition(text) == apart


@pytest.mark.parametrize(("text", "none"), [
    ("has somebody switched the router off", True),  # a question about what was done
    ("we hope the blinds open by themselves", True),
    ("have the lights on in the hall please", False),  # "have" that asks
    ("switch the router off", False),
])
def test_no_request_at_the_start(text: str, none: bool) -> None:
    assert no_request(text) is none


@pytest.mark.parametrize(("intent", "text", "other_way"), [
    ("brightness_down", "so gloomy in the study", True),
    ("brightness_down", "dim the study lamp, it's gloomy", False),  # a word asks for it
    ("brightness_up", "the hall light is dazzling", True),
    ("brightness_up", "brighten the hall", False),
    ("turn_on", "it's dark", False),
])
def test_words_that_say_the_other_way(intent: str, text: str, other_way: bool) -> None:
    assert contradicts(intent, text) is other_way
