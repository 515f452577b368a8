"""Home Assistant's local intent matcher, wired up the way its default agent does it.

This is the baseline the benchmark compares `assistant parse` against: the strongest
local, non-LLM matcher in wide use (hassil 3.8.1 with home-assistant-intents
2025.12.2, the last pair that ships the fuzzy n-gram matcher and its English models).

How Home Assistant's default conversation agent works, and what is copied here
(read from `homeassistant/components/conversation/default_agent.py` and
`helpers/intent.py` of Home Assistant 2025.12.5, which pins home-assistant-intents
2025.12.2 with hassil 3.5.0; hassil 3.8.1 has the same recognize/fuzzy API):

1. **Strict**: `hassil.recognize_best(text, intents, slot_lists, intent_context,
   language="en", best_metadata_key="hass_custom_sentence", best_slot_name="name")`
   over the English intents of `home_assistant_intents.get_intents("en")`. The `name`
   slot list is first cut down to the names that occur in the text (a trie over the
   lowercased, punctuation-free names), as HA does. `intent_context` is the satellite's
   area, `{"area": {"value": ..., "text": ...}}`; here the camera's room plays the
   satellite, so "turn on the lights" heard by the kitchen camera means the kitchen.
2. **Fuzzy** (only if strict found nothing): `hassil.fuzzy.FuzzyNgramMatcher` built
   from `get_fuzzy_language("en")` (one `Sqlite3NgramModel` per domain_intent with the
   word ids as strings, the domain keywords and stop words) and `get_fuzzy_config()`
   (slot list -> slot names, and the slot combinations each intent accepts, as
   `SlotCombinationInfo`), with the home's slot lists passed at construction as HA
   does whenever its slot lists change. `match(text, context_area=<satellite area>)`.
3. HA then retries strict matching with *unexposed* entities: every device here is
   exposed, so that stage can find nothing new and is left out.
4. **Unknown names**: `recognize_all(..., allow_unmatched_entities=True)`, keeping the
   best result by HA's rules (literal text matched, entities matched, fewer unmatched
   entities, ...) and skipping results that match no literal text. HA answers such a
   result with an error ("no device called jacuzzi"): it understood the command but
   found no device, which is what `clarify` means in our labels.

Slot lists (built from the project's devices.yaml, or the reference home JSON):

- `name`: every device name and alias -> the device id, with the context
  `{"domain": type}` (HA's entity context) and, for covers, a `device_class` taken from
  the first HA cover class word found in the device's names ("garage door" -> garage,
  "blinds" -> blind, "shades" -> shade, "curtains" -> curtain), as a well-configured HA
  install would have it; HA's templates such as "open the garage door" need it. A text
  that names several devices gets one entry whose value is their ids joined by "|"
  (HA likewise puts the name, not an entity, in the slot and resolves it afterwards).
- `area`: every room name and alias -> the room id.
- `floor`: empty (the home has no floors).

Mapping HA's answer to our vocabulary (the part HA's intent handlers would do):

- Targets are resolved as `homeassistant.helpers.intent.async_match_targets` does:
  filter by the handler's domains (or the `domain` slot), then by name, device class,
  area (explicit or the context area the template pulled in); a name that fits several
  devices is narrowed by the preferred area (the camera's room), else it fails as
  HA's DUPLICATE_NAME does. An area plus a domain ("turn on the lights in the kitchen")
  targets every device of that domain in the area, like HA. Single-target handlers
  (HassClimateSetTemperature, HassMediaSearchAndPlay) narrow several candidates by the
  preferred area and fail if that does not leave one.
- Media-player intents with no name (HassSetVolume, HassSetVolumeRelative,
  HassMediaPause/Unpause, HassMediaPlayerMute/Unmute, HassMediaSearchAndPlay) that fit
  several players: HA picks the one that is playing, which a text benchmark cannot
  know; our policy calls that "a mention that fits several devices equally" ->
  `clarify`. (Lights are not treated so: an area's lights are all targeted, by HA and
  by our labels alike.)
- HassTurnOn / HassTurnOff by the target's domain, as HA's OnOffIntentHandler does:
  cover -> open / close, lock -> lock / unlock, anything else -> turn_on / turn_off;
  vacuum -> start / stop (HA itself would fail: vacuums have no turn_on service since
  2024; we give HA our own type-alias rule from `assistant.labels`).
- HassLightSet -> set_brightness (brightness percent, "max" = 100) or set_color
  (colour name, lowercased); a colour-temperature-only request -> set_color with no
  value (there is no such value in our vocabulary).
- HassClimateSetTemperature -> set_temperature (degrees; a whole number as an int).
- HassSetVolume -> set_volume (percent); HassSetVolumeRelative -> volume_up for "up"
  or a positive step, volume_down for "down" or a negative step (value null).
- HassMediaPause -> stop, HassMediaUnpause -> start, HassMediaSearchAndPlay -> start
  ("play/resume" = start in docs/labeling.md), HassMediaPlayerMute -> mute,
  HassMediaPlayerUnmute -> unmute.
- HassVacuumStart -> start, HassVacuumReturnToBase -> dock.
- HassSetPosition -> set_position (percent). HA has no separate open/close-cover
  intents in its English sentences: covers open and close through HassTurnOn/Off.
- HassFanSetSpeed -> turn_on (speed > 0) / turn_off (0): our vocabulary has no fan
  speed, this is the nearest effect.
- Every other HA intent (HassGetState, timers, weather, time/date, lists, broadcast,
  HassNevermind, HassRespond, HassMediaNext/Previous, lawn mower, ...) -> `none`,
  `ignore`, as are texts that no stage matched.

Decision, with the rules of docs/labeling.md applied to HA's output so HA is judged by
the same policy as our brain:

- `clarify` (targets empty, as our labels have them): the HA handler would fail (no
  device by that name, none of that domain in the area, duplicate name, several
  media players, a name that is not in the home), or a target's type cannot do the
  intent (`assistant.labels.TYPE_INTENTS`);
- `confirm`: a target is sensitive and the intent is not in `SAFE_ON_SENSITIVE` (lock);
- `act` otherwise.

Near-tie decisions of the fuzzy matcher depend on PYTHONHASHSEED: pin it for
repeatable figures (the benchmark script does).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml
from hassil import Intents, TextSlotList, Trie, recognize_all, recognize_best
from hassil.fuzzy import FuzzyNgramMatcher, SlotCombinationInfo
from hassil.intents import SlotList
from hassil.models import UnmatchedRangeEntity, UnmatchedTextEntity
from hassil.ngram import Sqlite3NgramModel
from hassil.recognize import MISSING_ENTITY, RecognizeResult
from hassil.util import remove_punctuation
from home_assistant_intents import get_fuzzy_config, get_fuzzy_language, get_intents

from assistant.labels import SAFE_ON_SENSITIVE, TYPE_INTENTS, VALUE_KIND

LANGUAGE: Final = "en"
# Our intents with no Home Assistant intent behind them: HA's English sentences set a
# light's brightness and a thermostat's temperature, but have no relative step for
# either. The benchmark reports lines with these intents apart.
HA_LACKS: Final = frozenset({"brightness_up", "brightness_down", "temperature_up",
                             "temperature_down"})
# HA's recognize_best keys (conversation/default_agent.py).
METADATA_CUSTOM_SENTENCE: Final = "hass_custom_sentence"
BEST_SLOT_NAME: Final = "name"
NAME_SEPARATOR: Final = "|"  # joins the ids of devices that share a name or alias

# Cover device classes as HA's English `cover_classes` list spells them (plural first).
_COVER_CLASS_WORDS: Final[tuple[tuple[str, str], ...]] = (
    ("garage doors", "garage"), ("garage door", "garage"), ("garage", "garage"),
    ("awnings", "awning"), ("awning", "awning"), ("blinds", "blind"), ("blind", "blind"),
    ("curtains", "curtain"), ("curtain", "curtain"), ("shades", "shade"), ("shade", "shade"),
    ("shutters", "shutter"), ("shutter", "shutter"), ("gates", "gate"), ("gate", "gate"),
    ("windows", "window"), ("window", "window"), ("doors", "door"), ("door", "door"),
)

# Domains HA's handler for each intent is registered for (required_domains/platforms).
_HANDLER_DOMAINS: Final[dict[str, frozenset[str]]] = {
    "HassLightSet": frozenset({"light"}),
    "HassClimateSetTemperature": frozenset({"climate"}),
    "HassSetVolume": frozenset({"media_player"}),
    "HassSetVolumeRelative": frozenset({"media_player"}),
    "HassMediaPause": frozenset({"media_player"}),
    "HassMediaUnpause": frozenset({"media_player"}),
    "HassMediaPlayerMute": frozenset({"media_player"}),
    "HassMediaPlayerUnmute": frozenset({"media_player"}),
    "HassMediaSearchAndPlay": frozenset({"media_player"}),
    "HassVacuumStart": frozenset({"vacuum"}),
    "HassVacuumReturnToBase": frozenset({"vacuum"}),
    "HassSetPosition": frozenset({"cover", "valve"}),
    "HassFanSetSpeed": frozenset({"fan"}),
}
# HA intents that have a counterpart in our vocabulary; all others mean `none`.
HANDLED_INTENTS: Final[frozenset[str]] = frozenset(_HANDLER_DOMAINS) | {"HassTurnOn", "HassTurnOff"}
# Handlers that need exactly one target (single_target=True in HA).
_SINGLE_TARGET: Final[frozenset[str]] = frozenset({"HassClimateSetTemperature",
                                                   "HassMediaSearchAndPlay"})
# Media intents whose handler, given several players and no name, picks by play state.
_MEDIA_BY_STATE: Final[frozenset[str]] = frozenset({
    "HassSetVolume", "HassSetVolumeRelative", "HassMediaPause", "HassMediaUnpause",
    "HassMediaPlayerMute", "HassMediaPlayerUnmute", "HassMediaSearchAndPlay",
})
_FIXED_INTENT: Final[dict[str, str]] = {
    "HassClimateSetTemperature": "set_temperature",
    "HassSetVolume": "set_volume",
    "HassMediaPause": "stop",
    "HassMediaUnpause": "start",
    "HassMediaSearchAndPlay": "start",
    "HassMediaPlayerMute": "mute",
    "HassMediaPlayerUnmute": "unmute",
    "HassVacuumStart": "start",
    "HassVacuumReturnToBase": "dock",
    "HassSetPosition": "set_position",
}
# HassTurnOn / HassTurnOff by target domain (HA's OnOffIntentHandler; vacuum: ours).
_ON_OFF: Final[dict[tuple[str, bool], str]] = {
    ("cover", True): "open", ("cover", False): "close",
    ("lock", True): "lock", ("lock", False): "unlock",
    ("vacuum", True): "start", ("vacuum", False): "stop",
}


@dataclass(frozen=True)
class HomeDevice:
    """One device of the home, as far as the baseline needs it."""

    id: str
    name: str
    aliases: tuple[str, ...]
    type: str
    room: str
    sensitive: bool = False

    @property
    def spoken(self) -> tuple[str, ...]:
        """Name then aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Home:
    """Rooms (id -> spoken names, the name first), devices by id, camera id -> room id."""

    rooms: Mapping[str, tuple[str, ...]]
    devices: Mapping[str, HomeDevice]
    cameras: Mapping[str, str]


@dataclass(frozen=True)
class Prediction:
    """HA's answer in our vocabulary, plus where it came from (for error studies)."""

    intent: str
    targets: tuple[str, ...]
    value: int | float | str | None
    decision: str
    stage: str = "none"  # strict | fuzzy | unknown_names | none
    ha_intent: str = ""  # HA's intent name ("" if nothing matched)
    ha_slots: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""


@dataclass(frozen=True)
class _Match:
    stage: str
    intent: str
    slots: dict[str, Any]
    domain_hint: str | None  # domain known from the sentence template or name context
    unmatched: tuple[str, ...] = ()  # slot names HA could not fill (unknown-names stage)


def load_home(path: Path) -> Home:
    """Read devices.yaml (`rooms: {id: {name, aliases}}`, `devices: {id: {...}}`,
    `cameras: {id: {room, ...}}`) or the reference home JSON (rooms as lists of names,
    devices and cameras as lists with an `id`)."""
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)

    rooms: dict[str, tuple[str, ...]] = {}
    for room_id, spec in data.get("rooms", {}).items():
        if isinstance(spec, Mapping):
            names = (str(spec["name"]), *(str(a) for a in spec.get("aliases", ())))
        else:
            names = tuple(str(n) for n in spec)
        rooms[str(room_id)] = names

    devices: dict[str, HomeDevice] = {}
    for dev_id, spec in _by_id(data.get("devices", {})):
        devices[dev_id] = HomeDevice(
            id=dev_id, name=str(spec["name"]),
            aliases=tuple(str(a) for a in spec.get("aliases", ())),
            type=str(spec["type"]), room=str(spec["room"]),
            sensitive=bool(spec.get("sensitive", False)),
        )
    cameras = {cam_id: str(spec["room"]) for cam_id, spec in _by_id(data.get("cameras", {}))}
    return Home(rooms=rooms, devices=devices, cameras=cameras)


def _by_id(section: Mapping[str, Any] | list[Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    if isinstance(section, Mapping):
        return ((str(k), v) for k, v in section.items())
    return ((str(item["id"]), item) for item in section)


def _cover_class(device: HomeDevice) -> str | None:
    for spoken in device.spoken:
        padded = f" {spoken.lower()} "
        for word, device_class in _COVER_CLASS_WORDS:
            if f" {word} " in padded:
                return device_class
    return None


def _norm_name(text: str) -> str:
    return remove_punctuation(text).strip().lower()


class HomeAssistantMatcher:
    """Strict hassil, then HA's fuzzy n-gram matcher, then HA's unknown-names pass."""

    def __init__(self, config_path: Path, *, fuzzy: bool = True,
                 unknown_names: bool = True) -> None:
        self.home = load_home(config_path)
        self.use_fuzzy = fuzzy
        self.use_unknown_names = unknown_names
        self._intents = Intents.from_dict(get_intents(LANGUAGE))

        # name text -> device ids (HA puts the name in the slot and resolves it later)
        by_text: dict[str, list[HomeDevice]] = {}
        for device in self.home.devices.values():
            for spoken in device.spoken:
                key = _norm_name(spoken)
                if key and device not in by_text.setdefault(key, []):
                    by_text[key].append(device)
        name_tuples: list[tuple[str, Any, dict[str, Any]]] = []
        for text, devices in by_text.items():
            context: dict[str, Any] = {"domain": devices[0].type}
            if devices[0].type == "cover" and (device_class := _cover_class(devices[0])):
                context["device_class"] = device_class
            name_tuples.append((text, NAME_SEPARATOR.join(d.id for d in devices), context))
        name_list = TextSlotList.from_tuples(name_tuples, allow_template=False)
        self._names_trie = Trie()
        for (text, _, _), name_value in zip(name_tuples, name_list.values, strict=True):
            self._names_trie.insert(text, name_value)

        area_tuples = [(spoken, room_id) for room_id, names in self.home.rooms.items()
                       for spoken in names]
        self._slot_lists: dict[str, SlotList] = {
            "area": TextSlotList.from_tuples(area_tuples, allow_template=False),
            "name": name_list,
            "floor": TextSlotList(name="floor", values=[]),
        }
        self._fuzzy = self._load_fuzzy() if fuzzy else None

    def _load_fuzzy(self) -> FuzzyNgramMatcher | None:
        """Build the matcher exactly as DefaultAgent._load_intents + _load_fuzzy_matchers."""
        info = get_fuzzy_language(LANGUAGE)
        if info is None:
            return None
        config = get_fuzzy_config()
        return FuzzyNgramMatcher(
            intents=self._intents,
            intent_models={
                intent_name: Sqlite3NgramModel(
                    order=model.order,
                    words={word: str(word_id) for word, word_id in model.words.items()},
                    database_path=model.database_path,
                )
                for intent_name, model in info.ngram_models.items()
            },
            intent_slot_list_names=config.slot_list_names,
            slot_combinations={
                intent_name: {
                    combo_key: SlotCombinationInfo(
                        context_area=combo_info.context_area,
                        name_domains=(set(combo_info.name_domains)
                                      if combo_info.name_domains else None),
                    )
                    for combo_key, combo_info in combos.items()
                }
                for intent_name, combos in config.slot_combinations.items()
            },
            domain_keywords=info.domain_keywords,
            stop_words=info.stop_words,
            slot_lists=self._slot_lists,
        )

    # ------------------------------------------------------------------ recognition

    def recognize(self, text: str, camera: str | None = None) -> Prediction:
        """Map an utterance (and the camera it came with) to our intent/targets/value/decision."""
        room = self.home.cameras.get(camera) if camera else None
        match = self._match(text, room)
        if match is None:
            return Prediction("none", (), None, "ignore", reason="no match")
        return self._resolve(match, room)

    def _match(self, text: str, room: str | None) -> _Match | None:
        intent_context: dict[str, Any] | None = None
        if room is not None:
            intent_context = {"area": {"value": room, "text": self.home.rooms[room][0]}}

        slot_lists = dict(self._slot_lists)
        text_lower = _norm_name(text)
        slot_lists["name"] = TextSlotList(
            name="name", values=[found[2] for found in self._names_trie.find(text_lower)])

        strict = recognize_best(
            text, self._intents, slot_lists=slot_lists, intent_context=intent_context,
            language=LANGUAGE, best_metadata_key=METADATA_CUSTOM_SENTENCE,
            best_slot_name=BEST_SLOT_NAME,
        )
        if strict is not None:
            return _from_result("strict", strict)

        if self._fuzzy is not None:
            matcher = self._fuzzy
            fuzzy = _within(FUZZY_BUDGET_S, lambda: matcher.match(text, context_area=room))
            if fuzzy is not None:
                slots = {name: value.value for name, value in fuzzy.slots.items()}
                hint = fuzzy.name_domain or _first(slots.get("domain"))
                return _Match("fuzzy", str(fuzzy.intent_name), slots, hint)

        if self.use_unknown_names:
            unknown = _best_unknown_names(text, self._intents, slot_lists, intent_context)
            if unknown is not None:
                return _from_result("unknown_names", unknown)
        return None

    # ------------------------------------------------------------------ resolution

    def _resolve(self, match: _Match, room: str | None) -> Prediction:
        slots = match.slots

        def answer(intent: str, targets: tuple[str, ...], value: int | float | str | None,
                   decision: str, reason: str = "") -> Prediction:
            return Prediction(intent, targets, value, decision, match.stage, match.intent,
                              dict(slots), reason)

        if match.intent not in HANDLED_INTENTS:
            return answer("none", (), None, "ignore", f"{match.intent} is not a device command")

        value = _value(match.intent, slots)
        fallback_domain = match.domain_hint or _first(_HANDLER_DOMAINS.get(match.intent))
        if match.unmatched:
            intent = _our_intent(match.intent, slots, fallback_domain)
            return answer(intent, (), _kept(intent, value), "clarify",
                          f"unknown {', '.join(match.unmatched)}")

        targets, failure = self._targets(match, room)
        if failure:
            intent = _our_intent(match.intent, slots, fallback_domain)
            return answer(intent, (), _kept(intent, value), "clarify", failure)

        devices = [self.home.devices[t] for t in targets]
        intents = {_our_intent(match.intent, slots, d.type) for d in devices}
        intent = _our_intent(match.intent, slots, devices[0].type)
        if len(intents) > 1:
            return answer(intent, (), _kept(intent, value), "clarify", "mixed device types")
        if any(intent not in TYPE_INTENTS.get(d.type, frozenset()) for d in devices):
            return answer(intent, (), _kept(intent, value), "clarify",
                          f"{intent} does not fit the device")
        value = _kept(intent, value)
        if any(d.sensitive for d in devices) and intent not in SAFE_ON_SENSITIVE:
            return answer(intent, targets, value, "confirm", "sensitive device")
        return answer(intent, targets, value, "act")

    def _targets(self, match: _Match, room: str | None) -> tuple[tuple[str, ...], str]:
        """async_match_targets over the home; returns (device ids, failure reason)."""
        slots = match.slots
        name = slots.get("name")
        if name == "all":  # HA: "all" targets everything that fits the other slots
            name = None
        area = slots.get("area")
        domains: frozenset[str] | None = _HANDLER_DOMAINS.get(match.intent)
        if "domain" in slots:
            domains = frozenset(_as_list(slots["domain"]))
        device_classes = frozenset(_as_list(slots["device_class"])) if "device_class" in slots \
            else None
        if not (name or area or domains or device_classes):
            return (), "cannot target all devices"

        candidates = list(self.home.devices.values())
        if domains:
            candidates = [d for d in candidates if d.type in domains]
        if name:
            ids = set(str(name).split(NAME_SEPARATOR))
            candidates = [d for d in candidates if d.id in ids]
            if not candidates:
                return (), "name does not fit"
        if device_classes:
            candidates = [d for d in candidates if d.type == "cover"
                          and _cover_class(d) in device_classes]
            if not candidates:
                return (), "no device of that class"
        if area:
            candidates = [d for d in candidates if d.room == area]
            if not candidates:
                return (), "no such device in the area"
        elif not candidates:
            return (), "no device of that domain"

        if name and len(candidates) > 1:  # duplicate name: the preferred area decides
            preferred = [d for d in candidates if d.room == room]
            if len(preferred) != 1:
                return (), "duplicate name"
            candidates = preferred
        if match.intent in _SINGLE_TARGET and len(candidates) > 1:
            preferred = [d for d in candidates if d.room == room]
            if len(preferred) != 1:
                return (), "several targets for a single-target intent"
            candidates = preferred
        if match.intent in _MEDIA_BY_STATE and not name and len(candidates) > 1:
            return (), "several media players and nothing decides"
        return tuple(d.id for d in candidates), ""


def _from_result(stage: str, result: RecognizeResult) -> _Match:
    slots = {e.name: e.value for e in result.entities_list
             if e.name not in result.unmatched_entities}
    hint = _first(slots.get("domain"))
    if hint is None:
        hint = _first(result.context.get("domain"))
    if hint is None:
        hint = _first(result.intent_data.requires_context.get("domain"))
    unmatched = tuple(result.unmatched_entities)
    return _Match(stage, result.intent.name, slots, hint, unmatched)


def _best_unknown_names(text: str, intents: Intents, slot_lists: dict[str, SlotList],
                        intent_context: dict[str, Any] | None) -> RecognizeResult | None:
    """DefaultAgent._recognize_unknown_names: the closest match with unfilled slots."""
    best: RecognizeResult | None = None
    best_matched = best_unmatched = best_ranges = 0
    for result in recognize_all(text, intents, slot_lists=slot_lists,
                                intent_context=intent_context,
                                allow_unmatched_entities=True):
        if result.text_chunks_matched < 1:
            continue
        matched = sum(1 for e in result.entities_list if e.name not in result.unmatched_entities)
        unmatched = ranges = 0
        for entity in result.unmatched_entities_list:
            if isinstance(entity, UnmatchedTextEntity):
                if entity.text != MISSING_ENTITY:
                    unmatched += 1
            elif isinstance(entity, UnmatchedRangeEntity):
                ranges += 1
                unmatched += 1
            else:
                unmatched += 1
        if (
            best is None
            or result.text_chunks_matched > best.text_chunks_matched
            or matched > best_matched
            or (matched == best_matched and unmatched < best_unmatched)
            or (matched == best_matched and unmatched == best_unmatched
                and ranges > best_ranges)
            or (result.text_chunks_matched == best.text_chunks_matched
                and unmatched == best_unmatched and ranges == best_ranges
                and ("name" in result.entities or "name" in result.unmatched_entities))
        ):
            best, best_matched, best_unmatched, best_ranges = result, matched, unmatched, ranges
    return best


def _our_intent(ha_intent: str, slots: Mapping[str, Any], domain: str | None) -> str:
    if ha_intent in ("HassTurnOn", "HassTurnOff"):
        on = ha_intent == "HassTurnOn"
        return _ON_OFF.get((domain or "", on), "turn_on" if on else "turn_off")
    if ha_intent == "HassLightSet":
        return "set_brightness" if "brightness" in slots else "set_color"
    if ha_intent == "HassSetVolumeRelative":
        step = slots.get("volume_step")
        if step == "down" or (isinstance(step, int | float) and step < 0):
            return "volume_down"
        return "volume_up"
    if ha_intent == "HassFanSetSpeed":
        percentage = slots.get("percentage")
        return "turn_off" if isinstance(percentage, int | float) and percentage <= 0 \
            else "turn_on"
    return _FIXED_INTENT.get(ha_intent, "none")


def _value(ha_intent: str, slots: Mapping[str, Any]) -> int | float | str | None:
    raw: Any = None
    if ha_intent == "HassLightSet":
        raw = slots.get("brightness", slots.get("color"))
    elif ha_intent == "HassClimateSetTemperature":
        raw = slots.get("temperature")
    elif ha_intent == "HassSetVolume":
        raw = slots.get("volume_level")
    elif ha_intent == "HassSetPosition":
        raw = slots.get("position")
    if isinstance(raw, str):
        return raw.strip().lower()
    if isinstance(raw, int | float):
        return int(raw) if float(raw).is_integer() else float(raw)
    return None


def _kept(intent: str, value: int | float | str | None) -> int | float | str | None:
    """Only intents that take a value keep one, of the kind they take."""
    kind = VALUE_KIND.get(intent)
    if kind is None:
        return None
    if kind == "color":
        return value if isinstance(value, str) else None
    if isinstance(value, str):
        return None
    if kind == "percent" and value is not None:
        return round(value)
    return value


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]


def _first(value: Any) -> str | None:
    if value is None:
        return None
    items = sorted(_as_list(value)) if isinstance(value, set | frozenset) else _as_list(value)
    return items[0] if items else None


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.ha_baseline [--config PATH] (--jsonl | TEXT [--camera ID])`.

    With --jsonl, stdin holds one {"text", "camera"?} per line and stdout gets one
    {"text", "intent", "targets", "value", "decision", "stage", "ha_intent"} per line:
    the same shape as `assistant parse --jsonl`, so both can be measured alike.
    """
    parser = argparse.ArgumentParser(prog="python -m bench.ha_baseline",
                                     description=main.__doc__)
    parser.add_argument("text", nargs="*", help="the utterance")
    parser.add_argument("--config", type=Path, default=Path("devices.yaml"))
    parser.add_argument("--camera", default=None)
    parser.add_argument("--jsonl", action="store_true")
    args = parser.parse_args(argv)
    matcher = HomeAssistantMatcher(args.config)

    def emit(text: str, camera: str | None) -> None:
        p = matcher.recognize(text, camera)
        print(json.dumps({"text": text, "intent": p.intent, "targets": list(p.targets),
                          "value": p.value, "decision": p.decision, "stage": p.stage,
                          "ha_intent": p.ha_intent, "reason": p.reason}), flush=not args.jsonl)

    if args.jsonl:
        for raw in sys.stdin:
            if raw.strip():
                obj = json.loads(raw)
                emit(str(obj["text"]), obj.get("camera"))
        return 0
    if not args.text:
        parser.error("give TEXT or --jsonl")
    emit(" ".join(args.text), args.camera)
    return 0


# hassil's fuzzy matcher takes minutes on a few long utterances (one line of the sixth dev
# set); a voice assistant would have answered long before, so past this budget it matches
# nothing ("no match", as Home Assistant's "sorry").
FUZZY_BUDGET_S = 2.0


_T = TypeVar("_T")


class _OverBudgetError(Exception):
    pass


def _within(seconds: float, call: Callable[[], _T]) -> _T | None:
    """`call()`, or None when it runs over `seconds` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread():
        return call()

    def stop(_signum: int, _frame: object) -> None:
        raise _OverBudgetError

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return call()
    except _OverBudgetError:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


if __name__ == "__main__":
    sys.exit(main())
