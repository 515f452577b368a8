"""Home Assistant's community sentence templates as labelled training utterances.

The English templates of `home-assistant-intents` (written by Home Assistant's community,
CC BY 4.0) are parsed by `hassil` and expanded here by a random walk over each template's
expression tree, over the rooms and devices of a generated home: the names, rooms,
numbers and colours put into a template become DEV, ROOM, NUM and COLOR spans, and each
Home Assistant intent is mapped onto ours (HassTurnOn on a cover = open, HassLightSet with a
brightness = set_brightness, HassGetState = none, ...). Sentences the homes cannot say
(floors, valves, scenes, lawn mowers, fan speeds) are skipped.

Only the export needs this: `hassil` and `home-assistant-intents` are pinned in the
`export` extra; the runtime's phrase generator (generate.py) does not import this module.
The targets given are the devices the sentence names or whose kind it names in a room
(approximate where Home Assistant's own rules differ); the model learns intents and spans
from these utterances.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from assistant.corpus import lexicon as lx
from assistant.corpus.example import Example, Span
from assistant.corpus.homes import Device
from assistant.labels import COLORS, TYPE_INTENT_ALIASES, TYPE_INTENTS

# Home Assistant domains we have devices for (the same names as our device types).
DOMAINS = frozenset(TYPE_INTENTS)
# HA intent -> how it maps: (our intent, the domain its sentences are about, or None).
COMMANDS: dict[str, tuple[str, str | None]] = {
    "HassTurnOn": ("turn_on", None), "HassTurnOff": ("turn_off", None),
    "HassLightSet": ("set_brightness", "light"),
    "HassClimateSetTemperature": ("set_temperature", "climate"),
    "HassSetPosition": ("set_position", "cover"),
    "HassMediaPause": ("stop", "media_player"), "HassMediaUnpause": ("start", "media_player"),
    "HassSetVolume": ("set_volume", "media_player"),
    "HassSetVolumeRelative": ("volume_up", "media_player"),
    "HassMediaPlayerMute": ("mute", "media_player"),
    "HassMediaPlayerUnmute": ("unmute", "media_player"),
    "HassVacuumStart": ("start", "vacuum"), "HassVacuumReturnToBase": ("dock", "vacuum"),
}
# How often each HA intent is drawn (others 1): on/off and light settings are most of what
# people ask; HassGetState holds most of the state questions.
_WEIGHTS = {"HassTurnOn": 4.0, "HassTurnOff": 4.0, "HassLightSet": 3.0,
            "HassClimateSetTemperature": 1.5, "HassSetPosition": 1.5, "HassGetState": 6.0,
            "HassMediaPlayerUnmute": 0.5, "HassMediaPlayerMute": 0.7}
# HA intents that are not commands to a device of ours: questions about state, timers,
# weather, lists, time, broadcasts, "never mind", next/previous track, search-and-play.
NONE_INTENTS = frozenset({
    "HassGetState", "HassClimateGetTemperature", "HassGetWeather", "HassGetCurrentDate",
    "HassGetCurrentTime", "HassStartTimer", "HassCancelTimer", "HassCancelAllTimers",
    "HassIncreaseTimer", "HassDecreaseTimer", "HassPauseTimer", "HassUnpauseTimer",
    "HassTimerStatus", "HassListAddItem", "HassListCompleteItem", "HassShoppingListAddItem",
    "HassShoppingListCompleteItem", "HassBroadcast", "HassNevermind", "HassRespond",
    "HassMediaNext", "HassMediaPrevious", "HassMediaSearchAndPlay",
})
# Rules whose words mean the speaker's room ("in here"): tagged ROOM on "here"/"this room".
_HERE_RULES = frozenset({"here", "in_here"})
# Rules and lists whose words are a kind of device ("lights", "blinds"): tagged DEV.
_KIND_RULES = frozenset({"light", "lockable"})
_KIND_LISTS = frozenset({"cover_classes", "on_off_domains"})
_WILDCARD_FILLS = {"shopping_list_item": "item", "todo_list_item": "todo", "zone": "city",
                   "timer_name": "food", "message": "todo", "search_query": "song"}


class SkipError(Exception):
    """This sentence cannot be said about this home (a floor, an unknown list)."""


@cache
def ha_intents() -> Any:
    """hassil's Intents for English, from home-assistant-intents (parsed once)."""
    from hassil import Intents
    from home_assistant_intents import get_intents

    return Intents.from_dict(get_intents("en"))


@dataclass
class Walk:
    """One random expansion: pieces of text with their span kind."""

    pieces: list[tuple[str, str | None]] = field(default_factory=list)
    value: int | float | str | None = None
    step: str | None = None  # "up"/"down" of HassSetVolumeRelative

    def text_and_spans(self) -> tuple[str, tuple[Span, ...]]:
        """Whitespace-normalised text and the character spans of the tagged pieces."""
        raw, spans = "", []
        for text, kind in self.pieces:
            if kind is not None and text.strip():
                start = len(raw) + len(text) - len(text.lstrip())
                spans.append((start, start + len(text.strip()), kind))
            raw += text
        keep: list[int] = []
        for i, ch in enumerate(raw):
            if ch.isspace() and (not keep or raw[keep[-1]].isspace()):
                continue
            keep.append(i)
        while keep and raw[keep[-1]].isspace():
            keep.pop()
        index = {old: new for new, old in enumerate(keep)}
        text = "".join(" " if raw[i].isspace() else raw[i] for i in keep)
        return text, tuple(Span(index[a], index[b - 1] + 1, kind) for a, b, kind in spans
                           if a in index and b - 1 in index)


Filler = Callable[[str, str, Walk], None]


def walk(rng: random.Random, expression: Any, rules: dict[str, Any], fill: Filler,
         out: Walk, *, rule: str | None = None) -> None:
    """Append one random expansion of a hassil expression to `out`."""
    from hassil.expression import (
        Alternative,
        ListReference,
        Permutation,
        RuleReference,
        TextChunk,
    )
    from hassil.expression import Sequence as Seq

    if isinstance(expression, TextChunk):
        text = expression.original_text if expression.original_text is not None \
            else expression.text
        if rule in _HERE_RULES:
            for part in re.split(r"(\bhere\b|\bthis room\b)", text):
                out.pieces.append((part, "ROOM" if part in ("here", "this room") else None))
        else:
            out.pieces.append((text, "DEV" if rule in _KIND_RULES and text.strip() else None))
    elif isinstance(expression, Alternative):
        walk(rng, rng.choice(expression.items), rules, fill, out, rule=rule)
    elif isinstance(expression, Permutation):
        items = list(expression.items)
        rng.shuffle(items)
        for i, item in enumerate(items):
            if i:
                out.pieces.append((" ", None))
            walk(rng, item, rules, fill, out, rule=rule)
    elif isinstance(expression, Seq):
        for item in expression.items:
            walk(rng, item, rules, fill, out, rule=rule)
    elif isinstance(expression, ListReference):
        fill(expression.list_name, expression.slot_name, out)
    elif isinstance(expression, RuleReference):
        if expression.rule_name not in rules:
            raise SkipError(expression.rule_name)
        name = expression.rule_name
        walk(rng, rules[name].expression, rules, fill, out,
             rule=name if name in _HERE_RULES | _KIND_RULES else rule)
    else:
        raise SkipError(type(expression).__name__)


def _number(rng: random.Random, low: float, high: float, fractions: bool = False) -> float:
    value: float = rng.randint(int(low), int(high))
    if fractions and rng.random() < 0.15:
        value += 0.5
    return value


def _said(rng: random.Random, value: float) -> str:
    from assistant.corpus.generate import number_words

    if value == int(value) and 0 <= value <= 100 and rng.random() < 0.5:
        return number_words(int(value), rng)
    return str(int(value)) if value == int(value) else str(value)


@dataclass(frozen=True)
class Target:
    """Who a sentence is about: the device of {name}, the domain and room it names."""

    domain: str | None
    device: Device | None


class HomeFiller:
    """Fills a template's lists from one home: names, rooms, numbers, colours."""

    def __init__(self, rng: random.Random, home_devices: Sequence[Device],
                 rooms: dict[str, tuple[str, ...]], *, domain: str | None, ha_intent: str,
                 lists: dict[str, Any]) -> None:
        self.rng, self.rooms, self.domain, self.ha_intent = rng, rooms, domain, ha_intent
        self.lists = lists
        fitting = [d for d in home_devices if domain is None or d.type == domain]
        self.device: Device | None = rng.choice(fitting) if fitting else None
        self.room: str | None = None
        self.named = False  # {name} was said

    def __call__(self, list_name: str, slot_name: str, out: Walk) -> None:
        rng = self.rng
        if list_name in ("name", "area") and self.ha_intent == "HassMediaSearchAndPlay":
            raise SkipError("content on a named player")  # not a none of our labels
        if list_name == "name":
            if self.device is None:
                raise SkipError("no device of that domain")
            surface = rng.choice(self.device.surfaces)
            self.named = True
            out.pieces.append((surface, "DEV"))
        elif list_name == "area":
            self.room = self.room or rng.choice(list(self.rooms))
            out.pieces.append((rng.choice(self.rooms[self.room]), "ROOM"))
        elif list_name == "floor":
            raise SkipError("floor")
        elif list_name == "color":
            name = rng.choice(tuple(COLORS))
            out.value = name
            out.pieces.append((name, "COLOR"))
        elif list_name in ("brightness", "position", "volume", "volume_step_up",
                           "volume_step_down", "temperature"):
            if list_name == "temperature":
                value = _number(rng, 16, 26, fractions=True) if rng.random() < 0.9 \
                    else _number(rng, 60, 78)
            else:
                value = rng.choice((_number(rng, 1, 100), rng.randrange(10, 101, 10)))
            if list_name.startswith("volume_step"):  # a step: no value, as our labels
                out.step = "up" if list_name.endswith("up") else "down"
                out.pieces.append((_said(rng, value), None))
                return
            out.value = int(value) if value == int(value) else value
            out.pieces.append((_said(rng, value), "NUM"))
        elif list_name == "timer_command":
            # "in 5 minutes turn off the oven": a delayed command, which our labels keep
            # as a command that asks (docs/labeling.md), not as a timer.
            raise SkipError(list_name)
        elif list_name in _WILDCARD_FILLS:
            out.pieces.append((rng.choice(lx.FILLS[_WILDCARD_FILLS[list_name]]), None))
        elif list_name in ("timer_seconds", "timer_minutes", "timer_hours", "fan_speed"):
            out.pieces.append((str(rng.randint(1, 59)), None))
        elif list_name in self.lists:
            slot = self.lists[list_name]
            values = getattr(slot, "values", None)
            if not values:
                raise SkipError(list_name)
            chosen = rng.choice(values)
            kind = "DEV" if list_name in _KIND_LISTS else None
            if list_name == "brightness_level":
                out.value = int(chosen.value_out)
                kind = "NUM"
            sub = Walk()
            walk(rng, chosen.text_in, {}, lambda *_: None, sub)
            out.pieces.append(("".join(t for t, _ in sub.pieces), kind))
        else:
            raise SkipError(list_name)


def _domain_of(data: Any) -> str | None:
    for source in (data.requires_context, data.slots):
        domain = source.get("domain") if isinstance(source, dict) else None
        if isinstance(domain, str):
            return domain
        if isinstance(domain, list) and len(domain) == 1:
            return str(domain[0])
    return None


def _our_intent(ha_intent: str, walk_: Walk, domain: str | None) -> str:
    intent, _ = COMMANDS[ha_intent]
    if ha_intent == "HassLightSet" and isinstance(walk_.value, str):
        intent = "set_color"
    if ha_intent == "HassSetVolumeRelative" and walk_.step == "down":
        intent = "volume_down"
    if domain == "lock":
        intent = {"turn_on": "lock", "turn_off": "unlock"}.get(intent, intent)
    elif domain is not None:
        intent = TYPE_INTENT_ALIASES.get((domain, intent), intent)
    return intent


def _sentences(ha_intent: str) -> list[tuple[Any, Any]]:
    """(intent data, sentence) pairs of one HA intent."""
    intents = ha_intents()
    if ha_intent not in intents.intents:
        return []
    return [(data, sentence) for data in intents.intents[ha_intent].data
            for sentence in data.sentences]


def _kind_words_outside(text: str, spans: tuple[Span, ...]) -> tuple[Span, ...]:
    """Kind words a literal template holds ("fans", "the music") tagged DEV, as our labels
    tag them."""
    words = sorted({w for ws in lx.KIND_WORDS.values() for w in ws}, key=len, reverse=True)
    found = list(spans)
    for m in re.finditer(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", text):
        if not any(s.start < m.end() and m.start() < s.end for s in found):
            found.append(Span(m.start(), m.end(), "DEV"))
    merged: list[Span] = []
    for span in sorted(found, key=lambda s: s.start):  # "office lamp" + "lights": one mention
        last = merged[-1] if merged else None
        if last and last.kind == span.kind == "DEV" and not text[last.end:span.start].strip():
            merged[-1] = Span(last.start, span.end, "DEV")
        else:
            merged.append(span)
    return tuple(merged)


def ha_example(rng: random.Random, devices: Sequence[Device], rooms: dict[str, tuple[str, ...]],
               *, home_id: str, camera_rooms: Sequence[str], command: bool,
               tries: int = 8) -> Example | None:
    """One utterance from Home Assistant's templates for this home, or None."""
    intents = ha_intents()
    names = sorted(COMMANDS) if command else sorted(NONE_INTENTS)
    weights = [_WEIGHTS.get(n, 1.0) for n in names]
    for _ in range(tries):
        ha_intent = rng.choices(names, weights)[0]
        pairs = _sentences(ha_intent)
        if not pairs:
            continue
        data, sentence = rng.choice(pairs)
        domain = _domain_of(data) or COMMANDS.get(ha_intent, ("", None))[1]
        if command and domain is not None and domain not in DOMAINS:
            continue
        if command and ha_intent in ("HassTurnOn", "HassTurnOff") and domain is None:
            excluded = set(data.excludes_context.get("domain", [])) if isinstance(
                data.excludes_context, dict) else set()
            usable = [d for d in devices if d.type not in excluded]
            if not usable:
                continue
            domain = rng.choice(usable).type
        rules = {**intents.expansion_rules, **(data.expansion_rules or {})}
        filler = HomeFiller(rng, devices, rooms, domain=domain if command else None,
                            ha_intent=ha_intent,
                            lists={**intents.slot_lists, **(data.slot_lists or {})})
        if command and ha_intent in ("HassTurnOn", "HassTurnOff") and filler.device is not None:
            domain = filler.device.type if domain is None else domain
        out = Walk()
        try:
            walk(rng, sentence.expression, rules, filler, out)
        except SkipError:
            continue
        text, spans = out.text_and_spans()
        if not text or len(text) > 160:
            continue
        camera = rng.choice(list(camera_rooms)) if camera_rooms and rng.random() < 0.4 \
            else None
        here = any(s.kind == "ROOM" and text[s.start:s.end] in ("here", "this room")
                   for s in spans)
        if here or (data.requires_context or {}).get("area"):
            if not camera_rooms:
                continue  # "in here", or a sentence that needs the speaker's room
            camera = rng.choice(list(camera_rooms))
        if not command:
            return Example(text=text, intent="none", home_id=home_id, camera_room=camera,
                           tags=frozenset({"ha", "none", f"ha:{ha_intent}"}))
        if out.step is None and isinstance(data.slots, dict):  # "volume down" blocks
            step = data.slots.get("volume_step")
            out.step = step if isinstance(step, str) else None
        intent = _our_intent(ha_intent, out, domain)
        spans = _kind_words_outside(text, spans)
        value = out.value if _value_kind(intent) else None
        if _value_kind(intent) and value is None:
            continue
        targets = _targets(intent, filler, devices, domain, filler.room or camera)
        return Example(text=text, intent=intent, spans=spans, targets=targets, value=value,
                       home_id=home_id, camera_room=camera,
                       tags=frozenset({"ha", "command", f"ha:{ha_intent}"}))
    return None


def _value_kind(intent: str) -> str | None:
    from assistant.labels import VALUE_KIND

    return VALUE_KIND[intent]


def _targets(intent: str, filler: HomeFiller, devices: Sequence[Device], domain: str | None,
             room: str | None) -> tuple[str, ...]:
    from assistant.corpus.generate import fits

    if filler.named and filler.device is not None:
        return (filler.device.id,) if fits(filler.device, intent) else ()
    if room is not None and domain is not None:
        return tuple(d.id for d in devices if d.room == room and d.type == domain
                     and fits(d, intent))
    return ()
