"""The training-data generator: spans, labels, targets and determinism."""

from __future__ import annotations

import hashlib
import os
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from assistant.corpus import lexicon as lx
from assistant.corpus.example import Example
from assistant.corpus.generate import (
    EXPLICIT,
    IMPLICIT,
    NONE_TEMPLATES,
    HomeView,
    compile_template,
    fits,
    generate,
    gerund,
    make_homes,
    past,
    third_person,
)
from assistant.corpus.homes import Home, random_home, reference_home, spoken_key
from assistant.labels import COLORS, DEVICE_TYPES, INTENTS, SPAN_KINDS, TYPE_INTENTS, VALUE_KIND

ROOT = Path(__file__).resolve().parent.parent
SEED, N_HOMES, PER_HOME = 11, 24, 300

REFERENCE_YAML = """
version: 1
rooms:
  living_room: {name: living room, aliases: [lounge]}
  hallway: {name: hallway, aliases: [hall]}
  garage: {name: garage}
cameras:
  living_room_cam:
    source: 0
    room: living_room
    zones:
      lamp: [0.1, 0.2, 0.1, 0.3]
      tv: [0.5, 0.3, 0.2, 0.2]
devices:
  lamp:
    name: floor lamp
    aliases: [lamp, Standing Lamp]
    type: light
    room: living_room
    features: [brightness]
    mqtt: {preset: zigbee2mqtt}
  tv:
    name: tv
    type: media_player
    room: living_room
    features: [volume, mute]
    mqtt: {preset: generic, base: home}
  front_door:
    name: front door
    type: lock
    room: hallway
    sensitive: true
    mqtt: {preset: generic, base: home}
  garage_door:
    name: garage door
    type: cover
    room: garage
    features: [position]
    sensitive: true
    mqtt: {preset: generic, base: home}
mqtt: {host: 127.0.0.1}
policy: {act_threshold: 0.6}
"""


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The project's devices.yaml when present, else the small inline home."""
    path = ROOT / "devices.yaml"
    if not path.exists():
        path = tmp_path_factory.mktemp("home") / "devices.yaml"
        path.write_text(REFERENCE_YAML)
    return reference_home(path)


@pytest.fixture(scope="module")
def homes(reference: Home) -> dict[str, Home]:
    return {h.id: h for h in make_homes(SEED, N_HOMES)} | {"reference": reference}


@pytest.fixture(scope="module")
def data(reference: Home) -> list[Example]:
    return generate(SEED, n_homes=N_HOMES, per_home=PER_HOME, reference=reference)


def _digest(examples: list[Example]) -> str:
    """A digest that does not depend on set order (tags are a frozenset)."""
    rows = [(e.text, e.intent, e.spans, e.targets, e.value, e.home_id, e.camera_room,
             e.pointed_device, sorted(e.tags)) for e in examples]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# --------------------------------------------------------------------------- homes


def test_reference_home_reads_devices_yaml(tmp_path: Path) -> None:
    path = tmp_path / "devices.yaml"
    path.write_text(REFERENCE_YAML)
    home = reference_home(path)
    assert home.id == "reference"
    assert home.rooms["living_room"] == ("living room", "lounge")
    lamp = home.device("lamp")
    assert (lamp.name, lamp.aliases, lamp.type, lamp.room) == (
        "floor lamp", ("lamp", "standing lamp"), "light", "living_room")
    assert lamp.features == ("brightness",) and not lamp.sensitive
    assert home.device("front_door").sensitive and home.device("garage_door").sensitive
    (cam,) = home.cameras
    assert cam.room == "living_room" and cam.zones["tv"] == (0.5, 0.3, 0.2, 0.2)


def test_random_homes_are_plausible_and_unambiguous() -> None:
    for i in range(60):
        home = random_home(random.Random(i), f"h{i}")
        assert 5 <= len(home.rooms) <= 12
        assert 8 <= len(home.devices) <= 30
        assert len({d.id for d in home.devices}) == len(home.devices)
        keys: Counter[str] = Counter()
        for dev in home.devices:
            assert dev.type in DEVICE_TYPES and dev.room in home.rooms
            keys.update({spoken_key(s) for s in (*dev.surfaces, dev.id.replace("_", " "))})
            if dev.type == "lock" and "cat flap" not in dev.name:
                assert dev.sensitive
        assert max(keys.values()) == 1, "a spoken form names two devices"
        assert 1 <= len(home.cameras) <= 4
        for cam in home.cameras:
            for dev_id, (x, y, w, h) in cam.zones.items():
                assert home.device(dev_id).room == cam.room
                assert x >= 0 and y >= 0 and x + w <= 1 and y + h <= 1


def test_random_homes_vary() -> None:
    homes = make_homes(3, 40)
    rooms = {r for h in homes for r in h.rooms}
    names = {d.name for h in homes for d in h.devices}
    assert len(rooms) > 40 and len(names) > 250
    assert any("'s" in name for h in homes for names_ in h.rooms.values() for name in names_)


# --------------------------------------------------------------------------- templates


def test_templates_compile_and_cover_every_intent() -> None:
    commands = set(EXPLICIT) | set(IMPLICIT)
    assert commands == set(INTENTS) - {"none"}
    for intent, by_type in EXPLICIT.items():
        assert by_type, intent
        for dtype, tpls in by_type.items():
            assert intent in TYPE_INTENTS[dtype]
            assert all("D" in t.slots for t in tpls)
    for tpls in IMPLICIT.values():
        assert all(len(t.types) == 1 and "D" not in t.slots for t in tpls)
    assert sum(len(t) for _, _, t in NONE_TEMPLATES) > 400
    tpl = compile_template("!turn [on|off] {D} {R} @light,fan #lamp")
    assert tpl.imperative and tpl.pointable and tpl.types == {"light", "fan"}
    assert tpl.words == ("lamp",) and tpl.slots == {"D", "R"}


def test_verb_forms() -> None:
    assert [gerund(v) for v in ("turn", "dim", "make", "set", "see")] == [
        "turning", "dimming", "making", "setting", "seeing"]
    assert [past(v) for v in ("turn", "dim", "bring", "raise", "shut")] == [
        "turned", "dimmed", "brought", "raised", "shut"]
    assert [third_person(v) for v in ("turn", "switch", "go")] == ["turns", "switches", "goes"]


# --------------------------------------------------------------------------- examples


def test_spans_are_exact_word_spans(data: list[Example]) -> None:
    for ex in data:
        assert ex.text and ex.text == ex.text.strip() and "  " not in ex.text
        end = 0
        for span in ex.spans:
            piece = ex.text[span.start:span.end]
            assert span.kind in SPAN_KINDS, ex
            assert piece and piece == piece.strip(), ex
            assert span.start >= end, f"overlapping spans: {ex}"
            assert span.start == 0 or not ex.text[span.start - 1].isalnum(), ex
            assert span.end == len(ex.text) or not ex.text[span.end].isalnum(), ex
            end = span.end


def test_every_intent_is_covered(data: list[Example]) -> None:
    counts = Counter(ex.intent for ex in data)
    assert set(counts) == set(INTENTS)
    for intent in INTENTS:
        assert counts[intent] >= 0.006 * len(data), (intent, counts[intent])
    assert 0.28 <= counts["none"] / len(data) <= 0.38


def test_values_follow_value_kind(data: list[Example]) -> None:
    for ex in data:
        kind = VALUE_KIND[ex.intent]
        if kind is None:
            assert ex.value is None, ex
        elif kind == "percent":
            assert type(ex.value) is int and 0 <= ex.value <= 100, ex
            assert any(s.kind == "NUM" for s in ex.spans), ex
        elif kind == "degrees":
            assert type(ex.value) in (int, float) and 5 <= ex.value <= 90, ex
            assert any(s.kind == "NUM" for s in ex.spans), ex
        else:
            assert ex.value in COLORS, ex
            assert any(s.kind == "COLOR" for s in ex.spans), ex


def test_targets_exist_and_fit(data: list[Example], homes: dict[str, Home]) -> None:
    for ex in data:
        home = homes[ex.home_id]
        view = HomeView(home)
        assert ex.camera_room is None or ex.camera_room in view.camera_rooms, ex
        assert len(set(ex.targets)) == len(ex.targets)
        for dev_id in ex.targets:
            assert fits(home.device(dev_id), ex.intent), ex
        if ex.pointed_device is not None:
            assert ex.targets == (ex.pointed_device,), ex
            cams = [c for c in home.cameras if c.room == ex.camera_room]
            assert ex.pointed_device in cams[0].zones, ex
            assert any(s.kind == "DEV" for s in ex.spans), ex


def test_none_examples_carry_nothing(data: list[Example]) -> None:
    nones = [ex for ex in data if ex.intent == "none"]
    assert nones
    for ex in nones:
        assert not ex.spans and not ex.targets, ex
        assert ex.value is None and ex.pointed_device is None, ex


def test_negatives_share_the_command_vocabulary(data: list[Example],
                                                homes: dict[str, Home]) -> None:
    """Many non-commands name a device of their home, so device words decide nothing."""
    nones = [ex for ex in data if ex.intent == "none"]
    with_device = sum(
        1 for ex in nones
        if any(s in ex.text.lower() for d in homes[ex.home_id].devices for s in d.surfaces))
    # A quarter and more: the everyday requests to an assistant (email, travel, ...) that
    # name no device are the rest.
    assert with_device / len(nones) > 0.2
    verbs = {"turn", "switch", "dim", "open", "close", "lock", "set", "put", "start", "stop",
             "pause", "mute", "on", "off", "up", "down"}
    share = sum(1 for ex in nones if verbs & set(re.findall(r"[a-z']+", ex.text.lower())))
    assert share / len(nones) > 0.3


def test_phrasing_variety(data: list[Example]) -> None:
    commands = [ex for ex in data if ex.intent != "none"]
    tags = Counter(t for ex in commands for t in ex.tags)
    for tag in ("name", "kind", "all", "multi", "point", "unknown", "implicit", "wake",
                "polite", "noise", "asr", "typed"):
        assert tags[tag] > 0.005 * len(commands), tag
    assert len({ex.text.lower() for ex in commands}) > 0.9 * len(commands)
    assert sum(1 for ex in commands if not ex.targets) < 0.25 * len(commands)
    multi = [ex for ex in commands if "multi" in ex.tags]
    assert all(len(ex.targets) >= 2 for ex in multi)


def test_reference_share(data: list[Example]) -> None:
    share = sum(1 for ex in data if ex.home_id == "reference") / len(data)
    assert 0.1 <= share <= 0.15


def test_deterministic_for_a_seed(reference: Home) -> None:
    first = generate(5, n_homes=4, per_home=60, reference=reference)
    assert first == generate(5, n_homes=4, per_home=60, reference=reference)
    assert first != generate(6, n_homes=4, per_home=60, reference=reference)
    assert len(first) == 240


def test_independent_of_hash_seed() -> None:
    code = ("import hashlib; from assistant.corpus.generate import generate\n"
            "rows = [(e.text, e.intent, e.spans, e.targets, e.value, e.home_id, e.camera_room,"
            " e.pointed_device, sorted(e.tags)) for e in generate(2, n_homes=3, per_home=50)]\n"
            "print(hashlib.sha256(repr(rows).encode()).hexdigest())")
    outs = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        outs.add(run.stdout.strip())
    assert len(outs) == 1
    assert outs == {_digest(generate(2, n_homes=3, per_home=50))}


# --------------------------------------------------------------------------- phrasing variants


def _overlaps(ex: Example, start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in ex.spans)


def _tagged(data: list[Example], tag: str, least: int = 10) -> list[Example]:
    found = [ex for ex in data if tag in ex.tags]
    assert len(found) >= least, (tag, len(found))
    return found


def test_trailing_phrases_stay_outside_spans(data: list[Example]) -> None:
    """ "turn the tv down a bit for the baby": the tail is O, never DEV."""
    phrases = sorted({p for p in (*lx.TRAIL_PURPOSE, *lx.TRAIL_AMOUNT, *lx.TRAIL_DEGREES)
                      if " " in p}, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b"
                         r"(?! room| bedroom| bathroom|'s)", re.I)
    trailed = _tagged(data, "trail", 200)
    assert all(ex.intent != "none" for ex in trailed)
    hits = 0
    for ex in trailed:
        matches = list(pattern.finditer(ex.text))
        hits += bool(matches)
        for m in matches:
            assert not _overlaps(ex, m.start(), m.end()), (m.group(0), ex)
    assert hits > 0.6 * len(trailed)
    amounts = [ex for ex in trailed if re.search(r"\b(down|up|\w+er) (a bit|a notch|a little)\b",
                                                 ex.text, re.I)]
    assert amounts, "no verb-particle split with an amount"


def test_leading_context_clause_is_outside_spans(data: list[Example]) -> None:
    """ "we're heading out, lock the front door": the command is the label."""
    pattern = re.compile(r"\b(?:" + "|".join(
        re.escape(p).replace(r"\ ,\ ", ",? ").replace(r"\ ", " ")
        for p in sorted(lx.LEAD_CONTEXT, key=len, reverse=True)) + r")(?![\w'])", re.I)
    led = _tagged(data, "lead", 100)
    found = 0
    for ex in led:
        assert ex.intent != "none", ex
        m = pattern.search(ex.text)
        # The lead comes first: a match after the first span is a trailing word ("right
        # there"), the lead itself slipped ("rise shine").
        if m and (not ex.spans or m.start() < ex.spans[0].start):
            found += 1
            assert not _overlaps(ex, m.start(), m.end()), ex
            assert all(m.end() <= s.start for s in ex.spans), ex
    assert found > 0.85 * len(led)


def test_stacked_device_nouns_cover_the_whole_phrase(data: list[Example],
                                                     homes: dict[str, Home]) -> None:
    """ "the lamp light", "the tv screen", "the fan thing": one DEV span over all of it."""
    nouns = {*lx.STACK_ANY, *(w for ws in lx.STACK_AFTER.values() for w in ws), "locks",
             "lite", "lites"}
    for ex in _tagged(data, "stack", 30):
        devs = [ex.text[s.start:s.end].lower() for s in ex.spans if s.kind == "DEV"]
        assert any(len(d.split()) >= 2 and d.split()[-1] in nouns for d in devs), ex
        if "name" in ex.tags:
            view = HomeView(homes[ex.home_id])
            assert len(ex.targets) == 1 and view.mention_is(devs[0], ex.targets[0]), ex


def test_misspelled_device_words_still_resolve(data: list[Example],
                                               homes: dict[str, Home]) -> None:
    """ "front dor", "shandelier": tagged DEV, and the resolver's fuzzy match still finds it."""
    for ex in _tagged(data, "slip", 10):
        (dev,) = [ex.text[s.start:s.end] for s in ex.spans if s.kind == "DEV"]
        home = homes[ex.home_id]
        (target,) = ex.targets
        assert dev.lower() not in home.device(target).surfaces, ex
        assert HomeView(home).mention_is(dev, target), ex


def test_asr_splits_are_outside_spans(data: list[Example]) -> None:
    """ "un mute", "turn the heating app", "of" for "off": plain words, spans untouched."""
    heard = {w for forms in lx.ASR_SPLITS.values() for f in forms for w in f.split()}
    split = _tagged(data, "split", 30)
    outside = 0
    for ex in split:
        words = [(m.start(), m.end()) for m in re.finditer(r"[a-z']+", ex.text.lower())
                 if m.group(0) in heard]
        outside += any(not _overlaps(ex, a, b) for a, b in words)
    assert outside > 0.9 * len(split)


def test_condition_and_household_nones(data: list[Example], homes: dict[str, Home]) -> None:
    """Remarks about a device's state or needs, and household talk with command verbs."""
    for cat in ("none:condition", "none:household"):
        found = _tagged(data, cat, 40)
        for ex in found:
            assert ex.intent == "none" and not ex.spans and not ex.targets, ex
            assert ex.value is None, ex
    cond = [ex for ex in data if "none:condition" in ex.tags]
    with_device = sum(1 for ex in cond if any(
        s in ex.text.lower() for d in homes[ex.home_id].devices for s in d.surfaces))
    assert with_device > 0.3 * len(cond)
    house = [ex.text.lower() for ex in data if "none:household" in ex.tags]
    assert sum(1 for t in house if re.search(r"\b(turn|open|stop|switch|start|lock)\b", t)) \
        > 0.3 * len(house)


def test_appliances_the_home_lacks_stay_commands(data: list[Example]) -> None:
    """ "start the washing machine", "open the fridge": intent by verb, DEV tagged, no targets."""
    for ex in _tagged(data, "appliance", 20):
        assert ex.intent in lx.APPLIANCES and not ex.targets, ex
        devs = [ex.text[s.start:s.end].lower() for s in ex.spans if s.kind == "DEV"]
        assert len(devs) == 1 and devs[0] in lx.APPLIANCES[ex.intent][0], ex


def test_media_pause_and_resume_with_duration(data: list[Example]) -> None:
    """ "pause the telly for a sec" = stop, "resume the tv" = start; the duration is O."""
    paused = [ex for ex in data if ex.intent == "stop" and re.search(
        r"\bpause\b.*\bfor (a|now)\b", ex.text, re.I)]
    assert paused
    for ex in paused:
        m = re.search(r"\bfor (a (sec|second|minute|moment|bit|tick)|now)\b", ex.text, re.I)
        assert m is None or not _overlaps(ex, m.start(), m.end()), ex
    assert any(ex.intent == "start" and re.search(r"\bresume\b", ex.text, re.I) and ex.spans
               for ex in data)


def test_needs_stories_delays_and_word_salad(data: list[Example], homes: dict[str, Home]) -> None:
    """ "make me a coffee" turns on the coffee machine (no span: the need is not its name);
    a long story before a command keeps the command's label; "... in five minutes" keeps
    its intent (the runtime never acts on it now); bags of device words are not commands."""
    for ex in _tagged(data, "need", 20):
        assert ex.intent == "turn_on" and not ex.spans, ex
        for dev_id in ex.targets:
            words = " ".join(homes[ex.home_id].device(dev_id).surfaces)
            assert any(w in words for w in ("coffee", "espresso", "kettle", "toaster")), ex
    stories = _tagged(data, "story", 40)
    assert all(ex.intent != "none" for ex in stories)
    assert sum(len(ex.text.split()) > 35 for ex in stories) > 0.2 * len(stories)
    assert all(ex.intent != "none" for ex in _tagged(data, "later", 40))
    for ex in _tagged(data, "none:salad", 40):
        assert ex.intent == "none" and not ex.spans, ex
    everyday = {"none:email", "none:calendar", "none:travel", "none:cooking", "none:money",
                "none:apps", "none:media", "none:news", "none:weather", "none:topics"}
    assert everyday <= {t for ex in data for t in ex.tags}
