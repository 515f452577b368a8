"""The brain choosing among a recognizer's readings: the real brain (shipped ONNX model, the
reference home) on typed alternatives, as a recognizer's n-best list gives them."""

from __future__ import annotations

import pytest

from assistant.alternatives import MEANING_SHARE, RELAXED_THRESHOLD
from assistant.config import HomeConfig
from assistant.pipeline import Brain
from assistant.types import Alternative, ParseRequest, ParseResult


@pytest.fixture(scope="module")
def brain(home: HomeConfig) -> Brain:
    return Brain(home, Brain.load("devices.yaml").model)


def heard(brain: Brain, *readings: tuple[str, float], camera: str | None = None
          ) -> ParseResult:
    alternatives = tuple(Alternative(text, conf) for text, conf in readings)
    request = ParseRequest(text=readings[0][0], camera=camera, alternatives=alternatives)
    return brain.parse_batch([request])[0]


def test_a_confident_command_acts(brain: Brain) -> None:
    result = heard(brain, ("turn on the kettle please", 0.9), ("turn on the kettle", 0.7))
    assert (result.decision, result.intent, result.targets) == ("act", "turn_on",
                                                                ("kitchen_kettle",))
    assert result.commands


def test_strong_readings_that_disagree_clarify(brain: Brain) -> None:
    result = heard(brain, ("mute the tv", 0.8), ("unmute the tv", 0.7))
    assert result.decision == "clarify" and not result.commands
    assert "mute the tv / unmute the tv" in result.reason
    # A weak disagreeing reading does not stop a strong one.
    weak = heard(brain, ("mute the tv", 0.8), ("unmute the tv", 0.1))
    assert (weak.decision, weak.intent) == ("act", "mute")


def test_a_consistent_reading_is_taken_over_a_best_one_that_is_not(brain: Brain) -> None:
    # The best path names no device of this home; the second reading is a command for one.
    result = heard(brain, ("turn on the kitchen wight", 0.8), ("turn on the kitchen light", 0.7))
    assert (result.decision, result.targets) == ("act", ("kitchen_light",))
    assert result.text == "turn on the kitchen light"


def test_a_best_reading_that_is_no_command_stays_none(brain: Brain) -> None:
    result = heard(brain, ("did you lock the front door", 0.8), ("lock the front door", 0.75))
    assert result.decision == "ignore" and not result.commands


def test_a_best_reading_asking_for_later_never_acts_now(brain: Brain) -> None:
    # The weaker reading lost the delay's last word: it must not act now.
    result = heard(brain, ("switch the fan off in ten minutes", 0.9),
                   ("switch the fan off in", 0.85))
    assert result.decision == "clarify" and not result.commands
    assert "I only act now" in result.reason


def test_a_low_confidence_transcript_never_acts(brain: Brain) -> None:
    threshold = brain.config.policy.speech_threshold
    result = heard(brain, ("turn on the kettle", RELAXED_THRESHOLD * 0.9))
    assert result.decision == "clarify" and not result.commands
    assert "not sure" in result.reason
    sure = heard(brain, ("turn on the kettle", min(1.0, threshold + 0.05)))
    assert sure.decision == "act"


def test_a_command_whose_readings_all_mean_it_acts_under_the_threshold(brain: Brain) -> None:
    # Between RELAXED_THRESHOLD and speech_threshold: the words are unsure, the command not.
    conf = (RELAXED_THRESHOLD + brain.config.policy.speech_threshold) / 2
    result = heard(brain, ("put the kettle on", conf), ("put the kettle on please", conf * 0.9))
    assert (result.decision, result.targets) == ("act", ("kitchen_kettle",)), result
    # A strong reading that is no command takes more than MEANING_SHARE's complement.
    split = heard(brain, ("put the kettle on", conf), ("but a cattle on", conf * 0.9))
    assert split.decision == "clarify" and "not sure" in split.reason, split
    assert MEANING_SHARE > 0.5


def test_a_careful_command_is_never_relaxed(brain: Brain) -> None:
    conf = (RELAXED_THRESHOLD + brain.config.policy.speech_threshold) / 2
    result = heard(brain, ("set the heating to twenty", conf))
    assert result.decision == "clarify" and "not sure" in result.reason, result


def test_requests_with_and_without_alternatives_in_one_batch(brain: Brain) -> None:
    requests = [
        ParseRequest(text="turn off the tv"),
        ParseRequest(text="mute the tv", alternatives=(Alternative("mute the tv", 0.9),
                                                       Alternative("unmute the tv", 0.8))),
        ParseRequest(text="lock the front door"),
    ]
    results = brain.parse_batch(requests)
    assert [r.decision for r in results] == ["act", "clarify", "act"]
    assert [r.intent for r in results][::2] == ["turn_off", "lock"]


def test_a_value_or_a_lock_needs_the_careful_confidence(brain: Brain) -> None:
    """A misheard number or door does the most harm: between the policy's threshold and the
    careful one, a plain command acts but setting a value, locking or unlocking asks."""
    from assistant.alternatives import CAREFUL_THRESHOLD

    # a home that lowered its threshold still has the careful floor
    lowered = brain.config.policy.model_copy(update={"speech_threshold": 0.5})
    brain = Brain(brain.config.model_copy(update={"policy": lowered}), brain.model)
    between = (brain.config.policy.speech_threshold + CAREFUL_THRESHOLD) / 2
    assert brain.config.policy.speech_threshold < between < CAREFUL_THRESHOLD
    assert heard(brain, ("turn on the kettle", between)).decision == "act"
    for text in ("set the heating to twenty one degrees", "lock the front door",
                 "unlock the front door", "set the desk lamp to forty percent"):
        unsure = heard(brain, (text, between))
        assert unsure.decision == "clarify" and not unsure.commands, text
        assert "not sure" in unsure.reason
        assert heard(brain, (text, CAREFUL_THRESHOLD + 0.05)).decision in ("act", "confirm")


def test_a_reading_as_likely_as_the_best_that_means_something_else_clarifies(
        brain: Brain) -> None:
    """The n-best list ranks another reading as high as the best path: the deciding word was
    not heard for sure, even when the other reading is no command at all."""
    tied = heard(brain, ("turn the floor lamp on", 0.9), ("turn the floor lamp walk", 0.9))
    assert tied.decision == "clarify" and not tied.commands
    assert "turn the floor lamp walk" in tied.reason
    weaker = heard(brain, ("turn the floor lamp on", 0.9), ("turn the floor lamp walk", 0.5))
    assert (weaker.decision, weaker.targets) == ("act", ("living_room_lamp",))
    # A tied reading that means the same thing changes nothing.
    same = heard(brain, ("turn the floor lamp on", 0.9), ("turn the floor lamp on now", 0.9))
    assert same.decision == "act"
