"""Rules of the ninth round, through the whole brain (shipped model). The sentences are
other ones of the kinds the round's probes showed, not the probes' own."""

from __future__ import annotations

from pathlib import Path

import pytest

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
