"""The README's main command, `assistant demo`, end to end on the bundled samples: a local
Mosquitto, the simulated devices, the spoken session through the daemon. Slow (about 15 s):
it runs in CI with the other slow tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.demo import run_demo

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_demo_hears_acts_and_confirms_by_voice() -> None:
    lines: list[str] = []
    assert run_demo(ROOT / "devices.yaml", ROOT / "samples", lines.append) == 0
    text = "\n".join(lines)
    heard = [line.strip().removeprefix("heard ").strip("'\"") for line in text.splitlines()
             if line.strip().startswith("heard ")]
    assert len(heard) == len(list((ROOT / "samples" / "speech").glob("*.wav")))
    # the sensitive request asks first; the spoken yes confirms exactly it
    assert "please unlock the front door" in heard and "yes" in heard
    assert 'publish zigbee2mqtt/front_door/set  {"state": "UNLOCK"}' in text
    assert 'publish zigbee2mqtt/living_room_lamp/set  {"state": "OFF"}' in text  # "turn that off"
    assert "0 rejected" in text
