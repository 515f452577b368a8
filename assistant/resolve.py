"""Tagged spans + the camera -> devices of devices.yaml.

Matching order for a device mention: a pointing word ("that", "it") goes to the image
grounding; an exact name or alias wins; a room word inside the mention ("bedroom lamp")
narrows by room; a kind word ("lights", "lamp", "blinds") means every device of that kind
in the room (named, else the camera's); a fuzzy name match catches ASR slips. What cannot be
pinned down is reported as a problem, which the policy turns into a clarifying question:
acting on a guess is worse than asking again.

A command that names nothing (no device, room or kind word) is carried out only where its
words imply the device beyond doubt ("too dark in here", "start cleaning", "make me a
coffee"), never on a sensitive device; a named device that is not found never falls back
to other devices (the camera's room included).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from assistant.config import Camera, Device, HomeConfig
from assistant.decode import TaggedSpan
from assistant.labels import TYPE_INTENT_ALIASES, TYPE_INTENTS
from assistant.phrasing import (
    corrects,
    feeling,
    has_cue,
    implies,
    need_words,
    not_a_device,
    phrasing,
)

DEICTIC = frozenset({"that", "this", "it", "this one", "that one", "them", "those", "these",
                     "that thing", "this thing", "that light", "this light", "that lamp",
                     "this lamp", "that device", "this device"})
# Pointing words that mean one device: they never act on more than one. Without a frame
# that shows which, "this"/"that" act only on the one device of the camera's room that can
# do it; "it" may also be the one such device of the home ("make it warmer").
ONE_POINTED = frozenset({"that", "this", "it", "this one", "that one", "that thing",
                         "this thing", "that light", "this light", "that lamp", "this lamp",
                         "that device", "this device"})
_POINTING_WORD = re.compile(
    r"\b(?:this|that)\b(?!'s|\s+(?:the|i|we|you|it|is|was|my|our|they|he|she|room|place|"
    r"house|flat|home|morning|evening|afternoon|time|way)\b)")  # "this room" is the room
HERE = frozenset({"here", "in here", "this room", "the room", "this place", "this one",
                  "room", "place"})  # "brighten the room": "the" is gone when normalised
EVERYTHING = frozenset({"everything", "all", "all devices", "every device", "anything",
                        "all the devices", "the lot"})
# Kind words -> device type. "lamp" also narrows to devices called lamps.
KIND_WORDS: dict[str, str] = {
    "light": "light", "lights": "light", "lamp": "light", "lamps": "light",
    "lighting": "light", "bulb": "light", "bulbs": "light", "lite": "light",
    "lites": "light",
    "fan": "fan", "fans": "fan",
    "tv": "media_player", "television": "media_player", "telly": "media_player",
    "music": "media_player", "speaker": "media_player", "speakers": "media_player",
    "volume": "media_player", "sound": "media_player",
    "blind": "cover", "blinds": "cover", "curtain": "cover", "curtains": "cover",
    "drape": "cover", "drapes": "cover",
    "shade": "cover", "shades": "cover", "shutter": "cover", "shutters": "cover",
    "heating": "climate", "heat": "climate", "heater": "climate", "thermostat": "climate",
    # not "ac" or "air conditioning": a heating thermostat does not cool, and a home with
    # air conditioning names it ("fan on and the air con on too" asks, docs/labeling.md)
    "temperature": "climate",
    "lock": "lock", "locks": "lock", "door": "lock", "doors": "lock",
    "vacuum": "vacuum", "hoover": "vacuum", "robot": "vacuum", "robovac": "vacuum",
    "plug": "switch", "plugs": "switch", "socket": "switch", "sockets": "switch",
}
# Intents that say which kind of device they are for when no device is named.
IMPLIED_TYPE: dict[str, str] = {
    "set_brightness": "light", "brightness_up": "light", "brightness_down": "light",
    "set_color": "light", "set_temperature": "climate", "temperature_up": "climate",
    "temperature_down": "climate", "set_volume": "media_player", "volume_up": "media_player",
    "volume_down": "media_player", "mute": "media_player", "unmute": "media_player",
    "lock": "lock", "unlock": "lock", "dock": "vacuum", "open": "cover", "close": "cover",
    "set_position": "cover",
}
# The device type decides what "start" means too: a switch or a fan is turned on ("start
# the coffee machine"). Not "stop": the model reads "pause" as stop, and a paused socket is
# no request to switch it off.
ALIASES: dict[tuple[str, str], str] = {
    **TYPE_INTENT_ALIASES,
    ("switch", "start"): "turn_on", ("fan", "start"): "turn_on",
}
# What the frame shows decides the sense of a verb that more than one kind of device
# takes: "open this" at the blinds read as a door's unlocking, "turn that one down" at the
# speaker read as dimming. Only for a device the frame shows, and only where the words ask
# for its own sense too ("dim this" at the speaker is no request to turn it down): "lock
# the garage door" still says that a garage door cannot lock.
_LEVELS = {"light": "brightness", "media_player": "volume", "climate": "temperature"}
POINTED_ALIASES: dict[tuple[str, str], str] = {
    **ALIASES, ("cover", "unlock"): "open", ("cover", "lock"): "close",
    **{(kind, f"{other}_{way}"): f"{level}_{way}" for kind, level in _LEVELS.items()
       for other in _LEVELS.values() if other != level for way in ("up", "down")},
}
# Kind words that say what a media player plays, not which one: "the music is too loud on
# the speaker" is about the speaker.
_PLAYED = frozenset({"music", "sound", "volume"})
# What is done to what a device plays ("play some jazz on the stereo", not "the pizza on the tv").
_MEDIA_INTENTS = frozenset({"start", "stop", "volume_up", "volume_down", "set_volume", "mute",
                            "unmute"})
_NOT_DEVICE_WORDS = frozenset({"", "pls", "plz", "please", "thanks", "thx", "ta", "cheers",
                               "brr", "brrr", "ugh", "oof", "phew",
                               "asap", "now",
                               # how it is, not what ("its way too hot turn the fan on")
                               "hot", "cold", "warm", "chilly", "freezing", "roasting",
                               "boiling", "dark", "bright", "stuffy"})
# "could somebody turn the telly down": whoever is asked is no device ("get someone to look
# at the heating" keeps its person, and asks).
_ASKED_PERSON = re.compile(r"(?<![\w'])(?:can|could|would|will)\s+$", re.I)
_PEOPLE = frozenset({"somebody", "someone", "anybody", "anyone", "everybody", "everyone"})
# Kind words of covers that only window coverings answer to.
_WINDOW_WORDS = frozenset({"blind", "curtain", "shade", "shutter", "drape"})
# Devices that serve the whole home: a room named with them says where to act ("hoover
# the kitchen"), not which device.
HOME_SCOPE = frozenset({"vacuum", "lock"})
# Between two device mentions of one command: "the lamp and the tv". Mentions with none
# of these between them ("dining room light kettle") are a bag of words, not a list.
_LIST_JOINER = re.compile(r"(?:^|\b)(and|or|plus|also|with|then|n|as well as|&)\b|[,&/+]")
# Between a device and the room it is in: "the lights in here", "the lamp of the bedroom".
_OF_ROOM = re.compile(r"\s*(in|of|from|on)\s+(the\s+|my\s+|our\s+)?")
_FLOOR = re.compile(r"\s+(?:floor|floors|carpet|carpets|rug|tiles)$", re.I)
# Strictly a list between two mentions: "the lamp and the tv", "the lamp, the tv".
# A particle may end the first command: "the desk lamp on and the printer".
_AND_LIST = re.compile(r"\s*(?:(?:on|off|up|down)\s*,?\s*(?:and|plus|as well as|&)"
                       r"|(,\s*)?(and|or|plus|as well as|&|,)?)(\s+(the|my|our))?\s*")
# Between a kind word and the device it plays on: "the music on the sound system",
# "the music down on the speaker".
_ON_DEVICE = re.compile(r"\s+((up|down|off|a bit|a little)\s+)?(on|in|from|through|of)"
                        r"(\s+(the|my|our))?\s+")
# Words before a device mention that are not part of its name (the mention's left edge
# as tagged stands): articles, quantifiers, prepositions, fillers.
_NOT_NAME = frozenset({
    "the", "a", "an", "my", "our", "your", "his", "her", "their", "this", "that", "these",
    "those", "all", "every", "each", "both", "some", "any", "of", "in", "on", "at", "to",
    "for", "with", "from", "by", "and", "or", "but", "so", "then", "please", "can", "could",
    "would", "will", "you", "me", "i", "we", "it", "is", "are", "be", "just", "now", "um",
    "uh", "er", "erm", "hmm", "oh", "ok", "okay", "hey", "da", "thee", "de", "other",
    "main", "smart", "again", "too", "also", "still", "only", "no", "not", "more", "less",
    # said of a device, naming none: "the bloody telly", "the tall lamp in the lounge"
    "bloody", "flipping", "blooming", "ruddy", "damn", "damned", "stupid", "silly", "tall",
    "standard", "single",
})
# Words before the verb of a command: politeness, fillers.
_LEAD = frozenset({"please", "can", "could", "would", "will", "you", "just", "um", "uh", "er",
                   "erm", "ok", "okay", "so", "now", "right", "oh", "and", "then", "go"})
# Words that stand for "the device" in a loose name: "the coffee thing", "the wifi box".
_VAGUE = frozenset({"thing", "thingy", "thingie", "thingamajig", "gadget", "device", "unit",
                    "box", "one", "doodah", "whatsit"})
# Words after a device mention that are not part of its name, when the tagger took them in.
_NOT_NAME_AFTER = frozenset({"behind", "please", "now", "again", "too", "then", "for", "with",
                             "by", "off", "on", "up", "down", "out", "back", "thanks"})
_CLEANING = frozenset({"clean", "cleaning", "vacuum", "vacuuming", "hoover", "hoovering",
                       "sweep", "sweeping", "mop", "mopping", "robot"})
_PLAYING = frozenset({"play", "playing", "playback", "music", "song", "songs", "track",
                      "movie", "film", "show", "video", "resume", "pause", "podcast",
                      "radio", "album", "playlist", "episode"})
NEEDS_FEATURE: dict[str, str] = {
    "set_brightness": "brightness", "brightness_up": "brightness",
    "brightness_down": "brightness", "set_color": "color", "set_position": "position",
}
# Words that qualify a kind mention without naming a device: "the other light", "both lamps".
_MODIFIERS_OK = frozenset({"other", "both", "two", "three", "some", "these", "those", "this",
                           "that", "main", "smart"})
# Makers' and bulb words people put before a kind word: "the hue lights", "my led lamp" are
# the home's lights, whatever their make (a home that names a device so still matches it
# by name first).
_BRANDS = frozenset({"hue", "philips", "lifx", "led", "tradfri", "ikea", "nanoleaf", "wiz",
                     "govee", "sengled"})
# Words after a room's own words that still say the room: "the dining area", "lounge area".
_ROOM_SUFFIX = frozenset({"area", "zone", "space", "part", "side"})
# What a room named alone may ask of its sensitive device: "open the garage".
_ROOM_OPENS = frozenset({"open", "close", "set_position", "lock", "unlock"})
_EVERYTHING_WORD = re.compile(r"\b(everything|every device|all devices)\b", re.I)
_EVERYWHERE = re.compile(r"\b(everywhere|in every room|all over the (house|home|place)|"
                         r"(throughout|in) the (whole|entire) (house|home|place))\b", re.I)
# "can we have it a bit warmer" with "have it" tagged as the device: the device is "it".
_VERB_PRONOUN = re.compile(r"(?:have|get|make|keep|put|turn|set)\s+(it|them|that)", re.I)


def _floor_off(span: TaggedSpan) -> TaggedSpan:
    """A device span that names a room (or a room's floor: "the kitchen floor") as the
    room's span."""
    m = _FLOOR.search(span.text.lower().rstrip())
    end = span.start + m.start() if m else span.end
    return TaggedSpan("ROOM", span.start, end, span.text[: end - span.start])


def _pronoun_of(span: TaggedSpan) -> TaggedSpan:
    """A device mention that is a verb and a pronoun, as the pronoun alone."""
    m = _VERB_PRONOUN.fullmatch(span.text.strip()) if span.kind == "DEV" else None
    if m is None:
        return span
    start = span.start + len(span.text) - len(span.text.lstrip()) + m.start(1)
    return TaggedSpan("DEV", start, start + len(m.group(1)), m.group(1))


_STATE_BEFORE = re.compile(r"(?<![\w'])(?:it'?s|it is|i'?m|i am|so|too|very|really|bit|"
                           r"getting|feels?)\s+$", re.I)
_ALL_BEFORE = re.compile(r"\b(all|every|each)( single)?( of)?( the| my| our)?\s*$")
_LEADING = re.compile(r"^(the|my|our|a|an|your|all|every|each|both|of|da)\s+")
_ARTICLE_WORDS = frozenset({"the", "my", "our", "a", "an", "your", "all", "every", "each",
                            "both", "of", "in", "on", "da"})


# Spellings an ASR or a typist produces for the same word.
_VARIANTS = {"lite": "light", "lites": "lights", "t": "", "v": "", "tele": "telly",
             "tvs": "tv", "wi": "wifi", "fi": "", "lamb": "lamp", "lambs": "lamps"}


def normalize(text: str) -> str:
    """Lowercase words only: "the Kids' room-lite" -> "kids room light"."""
    text = text.lower().replace("'s ", "s ").replace("'", "").replace("t.v.", "tv")
    text = text.replace("wi-fi", "wifi").replace("t v ", "tv ")
    words = re.findall(r"[a-z0-9]+", text)
    text = " ".join(w for w in (_VARIANTS.get(w, w) for w in words) if w)
    while True:
        stripped = _LEADING.sub("", text)
        if stripped == text:
            return text
        text = stripped


def _trim_after(text: str) -> str:
    """A mention without the words after the name the tagger took in: "door behind" (of
    "lock the door behind me"), "lights on"."""
    while " " in text and text.rsplit(maxsplit=1)[-1] in _NOT_NAME_AFTER:
        text = text.rsplit(maxsplit=1)[0]
    return text


def singular(text: str) -> str:
    words = text.split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


@dataclass(frozen=True)
class Scene:
    """What the camera adds: its room and zones, and where the model looked in its frame."""

    camera: Camera | None = None
    grounding: npt.NDArray[np.float32] | None = None  # (m,) over grid regions; None: no frame
    grid: tuple[int, int] = (6, 6)
    threshold: float = 0.5  # share of attention a pointed-at device needs

    @cached_property
    def pointed(self) -> tuple[tuple[str, ...], bool, str | None]:
        """(the device pointed at, whether one is firmly, why not): worked out once for a
        command, however many of its words point."""
        camera, grounding = self.camera, self.grounding
        if camera is None or grounding is None:
            return (), False, "no camera frame to see what is meant"
        if not camera.zones:
            return (), False, "the camera has no device zones"
        scores = zone_scores(grounding, self.grid, camera.zones)
        ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
        best = ranked[0]
        runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
        # Firm enough, and clearly more than the next device: pointing between two
        # devices asks rather than guesses.
        if scores[best] < self.threshold or scores[best] < 1.5 * runner_up:
            return (), False, f"cannot tell what is pointed at (best {best} {scores[best]:.2f})"
        return (best,), True, None


@dataclass(frozen=True)
class Resolution:
    """Devices a command is for, its intent per device type, or the reason it is unclear."""

    targets: tuple[str, ...]
    intents: tuple[str, ...]  # the intent for each target, after type aliases
    problem: str | None = None
    implied: bool = False  # nothing was named: the words implied the device


class Resolver:
    """Matches mentions to the devices of one home. Built once per config."""

    def __init__(self, config: HomeConfig, fuzzy_threshold: float | None = None) -> None:
        self.config = config
        self.fuzzy_threshold = (config.policy.fuzzy_threshold if fuzzy_threshold is None
                                else fuzzy_threshold)
        self.names: dict[str, set[str]] = {}  # normalised name -> device ids
        for dev_id, dev in config.devices.items():
            for name in (dev.name, *dev.aliases, dev_id.replace("_", " ")):
                raw = " ".join(re.findall(r"[a-z0-9]+", name.lower()))
                for form in {normalize(name), singular(normalize(name))}:
                    # "my lamp" would be "lamp" once "my" is dropped: a kind word, not this
                    # device's name, unless "lamp" itself is an alias
                    if form != raw and singular(form) in KIND_WORDS and singular(raw) != form:
                        continue
                    self.names.setdefault(form, set()).add(dev_id)
        self.rooms: dict[str, str] = {}  # normalised room name -> room id
        for room_id, room in config.rooms.items():
            for name in (room.name, *room.aliases, room_id.replace("_", " ")):
                self.rooms[normalize(name)] = room_id
        self._name_list = sorted(self.names)
        # Names of more than one word, said whole: "the up and over door", "the smart plug
        # for the christmas tree" (the longest first)
        long_names = sorted((n for n in self.names if " " in n), key=len, reverse=True)
        self._long_names = re.compile(
            rf"(?<![\w'])(?:{'|'.join(map(re.escape, long_names))})(?![\w'])", re.I) \
            if long_names else None
        self._room_list = sorted(self.rooms, key=len, reverse=True)

    # -- rooms -----------------------------------------------------------------------------

    def room_of(self, mention: str, camera: Camera | None) -> str | None:
        text = normalize(mention)
        if text in HERE or text.startswith("in here"):
            return camera.room if camera else None
        if text in self.rooms:
            return self.rooms[text]
        best = process.extractOne(text, self.rooms.keys(), scorer=fuzz.ratio,
                                  score_cutoff=self.fuzzy_threshold)
        if best:
            return self.rooms[best[0]]
        words = text.split()
        if len(words) > 1 and words[-1] in _ROOM_SUFFIX:  # "the dining area"
            found = {room for name, room in self.rooms.items()
                     if set(words[:-1]) <= set(name.split())}
            return found.pop() if len(found) == 1 else None
        return None

    # -- devices ---------------------------------------------------------------------------

    def resolve(self, intent: str, text: str, spans: Sequence[TaggedSpan], scene: Scene
                ) -> Resolution:
        """Targets for `intent` from the DEV and ROOM spans of `text`."""
        camera = scene.camera
        # Punctuation, politeness and interjections tagged as a device ("the lamp on :)",
        # "lights off pls", "brr i'm chilly") name nothing; nor does a verb after "to" ("too
        # dark to shave").
        spans = [s for s in spans if s.kind != "DEV" or not (
            normalize(s.text) in _NOT_DEVICE_WORDS or (normalize(s.text) in _PEOPLE
                                                       and _ASKED_PERSON.search(text[: s.start])))]
        spans = [_pronoun_of(s) for s in self._join_named(text, self._repair(text, spans))]
        spans = self._whole_names(text, spans)
        # "pause dusty" with the robot's name tagged as a room: the name of a device, of no
        # room, is the device
        spans = [TaggedSpan("DEV", s.start, s.end, s.text) if s.kind == "ROOM"
                 and normalize(s.text) not in self.rooms and self.names.get(normalize(s.text))
                 else s for s in spans]
        spans = [s for s in spans if not (
            s.kind == "DEV" and " " not in s.text.strip()
            and re.search(r"(?<![\w'])to\s+$", text[: s.start].lower())
            and not self._names_anything(s.text))]
        dev_spans = [s for s in spans if s.kind == "DEV"]
        if len(dev_spans) > 1:  # "vacuum the lounge": a room tagged as a second device
            # ("clean the kitchen floor": the floor of a room is the room)
            spans = [_floor_off(s) if s.kind == "DEV"
                     and _FLOOR.sub("", normalize(s.text)) in self.rooms else s for s in spans]
            dev_spans = [s for s in spans if s.kind == "DEV"]
        devices = [s for s in dev_spans if normalize(s.text) not in DEICTIC]
        if devices and len(devices) < len(dev_spans):  # "can the robot clean it": "it" is no device
            spans = [s for s in spans if s.kind != "DEV" or s in devices]
            dev_spans = devices
        if len(dev_spans) > 1:
            dev_spans = self._meant(text, dev_spans, intent)
            spans = [s for s in spans if s.kind != "DEV" or s in dev_spans]
        for one, two in pairwise(dev_spans):
            if not _LIST_JOINER.search(text[one.end : two.start].lower()):
                return Resolution((), (), f"{one.text!r} {two.text!r}: which device, and what "
                                  "for?")
        # "fan on it's roasting", "its pitch black": how it is, tagged as a room, is none
        room_spans = [s for s in spans if s.kind == "ROOM" and not (
            self.room_of(s.text, camera) is None and (
                _STATE_BEFORE.search(text[: s.start]) or s.text.lower().endswith("'s")))]
        # ("the sun's in my eyes", "dinner's ready": something that is, not a room)
        for one, two in pairwise(room_spans):  # "hallway modem living room": no list
            if not _LIST_JOINER.search(text[one.end : two.start].lower()) \
                    and self.room_of(one.text, camera) != self.room_of(two.text, camera):
                return Resolution((), (), f"{one.text!r} or {two.text!r}? which room")
        rooms: list[str] = []
        for span in room_spans:
            room = self.room_of(span.text, camera)
            if room is None:
                where = normalize(span.text)
                if where in HERE and not dev_spans and IMPLIED_TYPE.get(intent) == "climate":
                    continue  # "it's nippy in here": the home's heating, wherever "here" is
                return Resolution((), (), f"unknown room {where!r}" if where not in HERE
                                  else "no camera to tell which room 'here' is")
            if room not in rooms:
                rooms.append(room)
        default_room = camera.room if camera else None
        found: list[str] = []
        explicit: set[str] = set()
        for span in dev_spans:
            quantified = bool(_ALL_BEFORE.search(text[: span.start].lower())
                              or _EVERYWHERE.search(text))
            ids, named, problem = self._mention(span.text, intent=intent, text_all=text,
                                                rooms=self._rooms_for(
                                                    span, text, dev_spans=dev_spans,
                                                    room_spans=room_spans, rooms=rooms,
                                                    camera=camera),
                                                default_room=default_room,
                                                quantified=quantified, scene=scene)
            if problem:
                return Resolution((), (), problem)
            if named:
                explicit.update(ids)
            found.extend(i for i in ids if i not in found)
        if not dev_spans and _EVERYTHING_WORD.search(text):
            scope = rooms or ([default_room] if default_room else [])
            if not scope:
                return Resolution((), (), "'everything' needs a room")
            found = self._of_kind(None, scope, None)
        elif not dev_spans:
            scope = rooms or ([default_room] if default_room else [])
            ids, problem = self._implied(intent, text, scope)
            if not problem and _POINTING_WORD.search(text.lower()):  # "dim this", untagged
                problem = self._one_device(ids, scope, True)
            if problem:
                return Resolution((), (), problem, implied=True)
            # The verb may be the device's own name: "hoover the lounge", "vacuum time".
            return replace(self._check(intent, ids, set()),
                           implied=not self._name_leads(ids, text))
        pointed = {i: self._shown_sense(i, intent, text) for i in scene.pointed[0]} \
            if any(normalize(s.text) in DEICTIC for s in dev_spans) else {}
        return self._check(intent, found, explicit, pointed)

    def _shown_sense(self, dev_id: str, intent: str, text: str) -> str:
        """What `intent` means for a device the frame shows (POINTED_ALIASES)."""
        kind = self.config.devices[dev_id].type
        plain = ALIASES.get((kind, intent), intent)
        own = POINTED_ALIASES.get((kind, intent), plain)
        return own if own == plain or has_cue(own, text) else plain

    def _name_leads(self, ids: Sequence[str], text: str) -> bool:
        """Is the command's verb a one-word name of one of these devices ("hoover the
        lounge", "vacuum time", "hoovering please")? A name said elsewhere, untagged ("can
        the vacuum go upstairs"), is not enough."""
        words = normalize(text).split()
        while words and words[0] in _LEAD:
            words = words[1:]
        if not words:
            return False
        verb = words[0].removesuffix("ing")
        return any(normalize(n) in (words[0], verb) for i in ids for n in self._names_of(i)
                   if " " not in normalize(n))

    def _meant(self, text: str, spans: list[TaggedSpan], intent: str) -> list[TaggedSpan]:
        """The device mentions a command means, of several tagged: a correction keeps the
        later one ("the kitchen light, no wait, the hall light"); a word that names nothing
        of the home, not listed with the others, is context when another mention is a
        device's own name ("the porch light on for the pizza guy", "pause the telly, I
        need the loo", "unlock the door for the plumber"). A mention that names nothing
        next to kind words only ("the light over the dining table") still asks."""
        out = list(spans)
        i = 0
        while i < len(out) - 1:
            if corrects(text[out[i].end : out[i + 1].start]):
                del out[i]
            else:
                i += 1
        named = [s for s in out if self._is_name(s.text)]
        if len(out) < 2 or not named:
            return out
        kept = []
        for k, span in enumerate(out):
            before = text[out[k - 1].end : span.start] if k > 0 else ""
            after = text[span.end : out[k + 1].start] if k + 1 < len(out) else ""
            listed = any(_AND_LIST.fullmatch(b.lower()) for b in (before, after) if b)
            # what is played on a named device: "play some [jazz] on the [sound system]"
            played = intent in _MEDIA_INTENTS and k + 1 < len(out) and out[k + 1] in named and bool(
                _ON_DEVICE.fullmatch(after.lower())) and not self._names_anything(span.text)
            # context comes after the command's device: "... for the pizza guy"
            if not played and (listed or span.start < named[0].end
                               or self._names_anything(span.text)):
                kept.append(span)
        return kept

    def is_name(self, mention: str) -> bool:
        """Is the mention a device's own name or alias ("the telly", "wemo plug")?"""
        text = normalize(mention)
        return bool(text) and (text in self.names or singular(text) in self.names)

    def _is_name(self, mention: str) -> bool:
        """A device's own name or alias, or the kind word of a device that serves the whole
        home ("the door": the home's lock)."""
        text = normalize(mention)
        return bool(text) and (text in self.names or singular(text) in self.names
                               or KIND_WORDS.get(text) in HOME_SCOPE)

    def _names_anything(self, mention: str) -> bool:
        """Is the mention a name, kind word, room, pointing word of this home, or close to
        one?"""
        text = normalize(mention)
        return (not text or text in DEICTIC or text in EVERYTHING or text in self.rooms
                or self.names_device(text) or self._fuzzy(text, []) is not None
                or self._partial(text) is not None
                or self._split_room(text)[0] is not None)

    def _join_named(self, text: str, spans: Sequence[TaggedSpan]) -> list[TaggedSpan]:
        """A room word tagged apart from the rest of a device's name is the name: "[kids]
        [room light]" is the "kids room light", "[bedroom] [light]" the "bedroom light"
        ("[bedroom] [lights]" stays every light of the bedroom), and "[son]['s room]" the
        room "son's room". And "the [music] on the
        [sound system]": the kind word only says what the named device plays (not "the
        [socket] in the [study]", a room tagged as a device)."""
        out: list[TaggedSpan] = []
        for span in spans:
            last = out[-1] if out else None
            if last is not None and span.kind == "ROOM" and last.end == span.start \
                    and normalize(text[last.start : span.end]) in self.rooms:
                # "[son]['s room]": a room's name cut at its apostrophe
                out[-1] = TaggedSpan("ROOM", last.start, span.end, text[last.start : span.end])
                continue
            if last is not None and span.kind == "DEV" and last.kind in ("ROOM", "DEV") \
                    and not text[last.end : span.start].strip():
                joined = text[last.start : span.end]
                if self._exact(normalize(joined), joined, [], None) is not None or (
                        last.kind == "ROOM" and normalize(last.text) not in self.rooms
                        and self._split_room(normalize(joined))[0] is not None):
                    # "[dining] [room lights]": the room is the joined words' beginning
                    out[-1] = TaggedSpan("DEV", last.start, span.end, joined)
                    continue
            if last is not None and span.kind == "DEV" and last.kind == "DEV" \
                    and normalize(last.text) in KIND_WORDS \
                    and normalize(span.text) not in self.rooms \
                    and (_ON_DEVICE.fullmatch(text[last.end : span.start].lower())
                         or (normalize(last.text) in _PLAYED and self._plays(span.text)
                             and not _LIST_JOINER.search(text[last.end : span.start]))):
                out[-1] = span
                continue
            out.append(span)
        return out

    def _whole_names(self, text: str, spans: Sequence[TaggedSpan]) -> list[TaggedSpan]:
        """A device's name of several words said whole, that the tagger took only part of
        ("the up and over [door]", "the [smart plug] for the [christmas tree]", "[dining]
        [room] [light]"): the name.
        A name the tagger took none of is left to the model's reading."""
        if self._long_names is None:
            return list(spans)
        out = list(spans)
        for m in self._long_names.finditer(text.lower()):
            # a room word inside the name is part of it: "[dining] [room] [light]"
            inside = [s for s in out if s.kind in ("DEV", "ROOM") and m.start() <= s.start
                      and s.end <= m.end()]
            crossing = [s for s in out if s.start < m.end() and m.start() < s.end
                        and s not in inside]
            if not any(s.kind == "DEV" for s in inside) or crossing or (
                    len(inside) == 1 and inside[0].start == m.start()
                    and inside[0].end == m.end()):
                continue
            out = sorted([s for s in out if s not in inside]
                         + [TaggedSpan("DEV", m.start(), m.end(), text[m.start():m.end()])],
                         key=lambda s: s.start)
        return out

    def _plays(self, mention: str) -> bool:
        """Is the mention the name of one media player ("the speaker", "the telly")?"""
        ids = (self.names.get(normalize(mention))
               or self.names.get(singular(normalize(mention))) or set())
        return bool(ids) and all(self.config.devices[i].type == "media_player" for i in ids)

    def _repair(self, text: str, spans: Sequence[TaggedSpan]) -> list[TaggedSpan]:
        """A device mention takes in the untagged name words just before it: "set bed light
        to 50 %" tagged only "light" is about a "bed light", never the room's lights."""
        spans = self._room_joined(text, spans)
        taken = [(s.start, s.end) for s in spans]
        cues = phrasing().any_cue
        out: list[TaggedSpan] = []
        for span in spans:
            start = span.start
            while span.kind == "DEV":
                m = re.search(r"([A-Za-z][A-Za-z'-]*)[ ]+$", text[:start])
                if m is None:
                    break
                word = m.group(1).lower()
                if (word in _NOT_NAME or cues.fullmatch(word) or word in KIND_WORDS
                        or any(a < m.end(1) and m.start(1) < b for a, b in taken)
                        or start - m.start(1) > 20 or span.end - m.start(1) > 40):
                    break
                start = m.start(1)
            end = self._name_after(text, span)
            if any(span.end < b and a < end for a, b in taken):  # into the next mention
                end = span.end
            out.append(span if (start, end) == (span.start, span.end)
                       else TaggedSpan(span.kind, start, end, text[start:end]))
        return out

    def _room_joined(self, text: str, spans: Sequence[TaggedSpan]) -> list[TaggedSpan]:
        """ "the front room" tagged as the room "front" and the device "room": two mentions
        side by side that together are a room's name are that room."""
        out: list[TaggedSpan] = []
        for span in spans:
            last = out[-1] if out else None
            if last is not None and not text[last.end : span.start].strip() \
                    and normalize(text[last.start : span.end]) in self.rooms:
                out[-1] = TaggedSpan("ROOM", last.start, span.end, text[last.start : span.end])
            else:
                out.append(span)
        return out

    def _name_after(self, text: str, span: TaggedSpan) -> int:
        """The end of "that telly" tagged only "that", or of "the front room" tagged only
        "front": a pointing word takes in a device's own name right after it, a room word the
        rest of a room's name (one or two words)."""
        known: Collection[str]
        if span.kind == "DEV" and normalize(span.text) in ("that", "this"):
            known, lead = self.names.keys(), ""
        elif span.kind == "ROOM" and normalize(span.text) not in self.rooms:
            known, lead = self.rooms.keys(), span.text + " "
        else:
            return span.end
        words = list(re.finditer(r"[A-Za-z][A-Za-z'-]*", text[span.end : span.end + 40]))
        if not words or words[0].start() != 1 or text[span.end] != " ":
            return span.end
        for n in (2, 1):
            said = lead + " ".join(w.group() for w in words[:n])
            if len(words) >= n and normalize(said) in known:
                return span.end + words[n - 1].end()
        return span.end

    def names_device(self, words: str) -> bool:
        """Are these words a device's name or alias, or a kind word ("the kitchen lights")?"""
        text = normalize(words)
        if not text:
            return False
        if text in self.names or singular(text) in self.names:
            return True
        return self._kind(self._split_room(text)[1] or text) is not None

    def excluded(self, phrase: str, camera: Camera | None) -> set[str] | None:
        """Devices an exclusion names ("the bedroom", "the floor lamp", "the ones in the
        kitchen"); None when it names nothing this home has."""
        text = f" {normalize(phrase)} "
        out: set[str] = set()
        # a device's own name first: "the hall light" is that light, not the hallway
        for name in sorted(self.names, key=len, reverse=True):
            if " " in name and name not in self.rooms and f" {name} " in text:
                out |= self.names[name]
                text = text.replace(f" {name} ", " ")
        for name in sorted(self.rooms, key=len, reverse=True):
            if f" {name} " in text:
                room = self.rooms[name]
                out |= {i for i, d in self.config.devices.items() if d.room == room}
                text = text.replace(f" {name} ", " ")
        for name in sorted(self.names, key=len, reverse=True):
            if len(name) >= 2 and f" {name} " in text:
                out |= self.names[name]
                text = text.replace(f" {name} ", " ")
        if (" here " in text or " this room " in text) and camera is not None:
            out |= {i for i, d in self.config.devices.items() if d.room == camera.room}
        return out or None

    def _rooms_for(self, span: TaggedSpan, text: str, *, dev_spans: Sequence[TaggedSpan],
                   room_spans: Sequence[TaggedSpan], rooms: list[str], camera: Camera | None
                   ) -> list[str]:
        """The rooms said that scope `span`. A room said after an earlier device and before
        a list joiner ("the lights in here and the hall light") is that device's, not the
        next one's when it names its own room."""
        if len(dev_spans) < 2 or self._split_room(normalize(span.text))[0] is None:
            return rooms
        theirs = set()
        for room in room_spans:
            before = [d for d in dev_spans if d.end <= room.start]
            if room.end <= span.start and before and _OF_ROOM.fullmatch(
                    text[before[-1].end : room.start].lower()) \
                    and _LIST_JOINER.search(text[room.end : span.start].lower()):
                theirs.add(self.room_of(room.text, camera))
        return [r for r in rooms if r not in theirs]

    def _mention(self, mention: str, *, intent: str, text_all: str, rooms: list[str],
                 default_room: str | None, quantified: bool, scene: Scene
                 ) -> tuple[list[str], bool, str | None]:
        """(device ids, whether named explicitly, problem) for one DEV mention."""
        text = _trim_after(normalize(mention))
        if not text:
            return [], False, "no device named"
        if text in DEICTIC or mention.lower().strip() in DEICTIC:
            return self._deictic(mention, intent=intent, text_all=text_all,
                                 scope=rooms or ([default_room] if default_room else []),
                                 scene=scene)
        if text in EVERYTHING:
            scope = rooms or ([default_room] if default_room else [])
            if not scope:
                return [], False, "'everything' needs a room"
            return self._of_kind(None, scope, None), False, None
        by_name = self._exact(text, mention, rooms, default_room)
        if by_name is not None:
            return by_name
        if text in self.rooms:  # "open the garage": the one device there that can
            def can(dev_id: str) -> bool:
                dev = self.config.devices[dev_id]
                # a room stands for its sensitive device only for what that device is
                # for ("open the garage"), not "stop the garage music"
                return fits(dev, ALIASES.get((dev.type, intent), intent)) and (
                    not dev.sensitive or intent in _ROOM_OPENS)

            fitting = [i for i in self._of_kind(None, [self.rooms[text]], None) if can(i)]
            # "vacuum the lounge": the home's vacuum, sent where it is told.
            cleaners = [i for i in self._of_kind("vacuum", [], None)
                        if can(i) and implies("vacuum", text_all)]
            typed = [i for i in fitting if implies(self.config.devices[i].type, text_all)]
            for found in (fitting, cleaners, typed):
                if len(found) == 1:
                    return found, False, None
            return [], False, f"which device in the {text}? {len(fitting)} fit"
        # A room inside the mention: "bedroom lamp", "kitchen lights".
        inner_room, rest = self._split_room(text)
        if inner_room and rooms and inner_room not in rooms:  # two rooms that disagree
            return [], False, f"the {text} is not in the {rooms[0].replace('_', ' ')}"
        scope = [inner_room] if inner_room else rooms
        if inner_room and rest:
            inside = [i for i in (self.names.get(rest) or self.names.get(singular(rest)) or ())
                      if self.config.devices[i].room == inner_room]
            if len(inside) == 1:
                return inside, True, None
        head = rest if inner_room else text
        if not inner_room:  # "the tv volume", "the kettle thing": a whole name inside
            inside_names = [n for n in self._name_list
                            if len(n) >= 2 and re.search(rf"\b{re.escape(n)}\b", text)]
            longest = max(inside_names, key=len, default=None)
            others = [n for n in inside_names if longest and self.names[n] != self.names[longest]
                      and not re.search(rf"\b{re.escape(n)}\b", longest)]
            if others:  # "telly night light": two devices' names in one mention
                return [], False, f"{longest!r} or {others[0]!r}? which device"
            if longest and len(self.names[longest]) == 1:
                (dev_id,) = self.names[longest]
                extra = [w for w in re.sub(rf"\b{re.escape(longest)}\b", " ", text).split()
                         if w not in _NOT_NAME and w not in _VAGUE and w not in KIND_WORDS
                         and w not in _NOT_NAME_AFTER and w not in _BRANDS]
                if extra and not self._names_anything(" ".join(extra)):
                    # "the lava lamp": a lamp, but not one this home has
                    return [], False, f"no {text!r} (nothing called {extra[0]!r})"
                if not rooms or self.config.devices[dev_id].room in rooms:
                    return [dev_id], True, None
        if not inner_room and text not in KIND_WORDS:  # ASR slips: "kitchin lite"
            fuzzy = self._fuzzy(text, rooms)
            if fuzzy:
                return [fuzzy], True, None
        partial = self._partial(text)
        if partial is not None:  # "the robot" of "robot vacuum", "the coffee"
            dev = self.config.devices[partial]
            if rooms and dev.room not in rooms and dev.type not in HOME_SCOPE:
                # "the kitchen ceiling light ... children's room": never another room's
                return [], False, f"no {text} in the {rooms[0].replace('_', ' ')}"
            return [partial], True, None
        kind = self._kind(head)
        if kind is not None:
            return self._kind_mention(kind, head, scope, default_room, quantified)
        return [], False, f"unknown device {text!r}"

    def _kind_mention(self, kind: str, head: str, scope: list[str], default_room: str | None,
                      quantified: bool) -> tuple[list[str], bool, str | None]:
        """Every device of the kind in the room ("the lights" in the kitchen)."""
        hinted = self._room_by_words(head) if not scope else None
        if kind in HOME_SCOPE:  # "lock the door", "can the robot clean it": the home's
            scope = []
        elif hinted is not None:  # "the kids light": a word of one room's name
            scope = [hinted]
        elif not scope and not quantified:
            scope = [default_room] if default_room else []
        candidates = self._of_kind(kind, scope, head)
        extra = self._unmatched_modifiers(head, candidates)
        if extra:  # "the back door" when the only door is the front door
            return [], False, f"no {head!r} (nothing called {extra[0]!r})"
        if not scope and len(candidates) > 1 and not quantified:
            return [], False, f"which {head}? several fit"
        if len(candidates) > 1 and kind != "light" and not quantified and singular(head) == head:
            # "the plug in the kitchen" is one plug: the room's lights are all its lights
            # (docs/labeling.md), but any other kind said in the singular is one device
            return [], False, f"which {head}? {len(candidates)} fit"
        if not candidates:
            where = f" in the {scope[0].replace('_', ' ')}" if scope else ""
            return [], False, f"no {head}{where}"
        return candidates, False, None

    def _fuzzy(self, text: str, rooms: list[str]) -> str | None:
        """The one device whose name is a close spelling of `text`, if any."""
        best = process.extractOne(text, self._name_list, scorer=fuzz.ratio,
                                  score_cutoff=self.fuzzy_threshold)
        if not best or len(self.names[best[0]]) != 1:
            return None
        (dev_id,) = self.names[best[0]]
        return dev_id if not rooms or self.config.devices[dev_id].room in rooms else None

    def _exact(self, text: str, mention: str, rooms: list[str], default_room: str | None
               ) -> tuple[list[str], bool, str | None] | None:
        """A name or alias said as it is; None when the mention is no such name (here)."""
        exact = self.names.get(text) or self.names.get(singular(text))
        if exact and text not in self.names and text.rsplit(maxsplit=1)[-1] in KIND_WORDS \
                and self._split_room(text)[0] is not None:
            return None  # "the bedroom lights": every light there, not the "bedroom light"
        if exact and text not in self.names and text in KIND_WORDS:
            return None  # "the lamps": a kind in the plural, not the one called "lamp"
        if exact and all(self.config.devices[i].type in HOME_SCOPE for i in exact):
            rooms = []  # "hoover the kitchen": the room is where, not which vacuum
        if not exact or (rooms and all(self.config.devices[i].room not in rooms
                                       for i in exact)):
            return None
        ids = sorted(exact) if not rooms else sorted(
            i for i in exact if self.config.devices[i].room in rooms)
        if len(ids) > 1 and default_room and not rooms:
            here = [i for i in ids if self.config.devices[i].room == default_room]
            ids = here or ids
        if len(ids) > 1:
            return [], False, f"{mention!r} fits {', '.join(ids)}"
        return ids, True, None

    def _partial(self, text: str) -> str | None:
        """The one device whose names hold every word of `text` ("robot" of "robot
        vacuum", "the coffee thing"), for mentions with no kind word; None when several or
        none do."""
        words = [w for w in text.split() if w not in _VAGUE] or text.split()
        if not words or any(w in KIND_WORDS or singular(w) in KIND_WORDS or len(w) < 3
                            for w in words):
            return None
        if not_a_device(words[-1]):  # "the window" is no "window blinds"
            return None
        found = {dev_id for name, ids in self.names.items() if set(words) <= set(name.split())
                 for dev_id in ids}
        return found.pop() if len(found) == 1 else None

    def _unmatched_modifiers(self, head: str, candidates: list[str]) -> list[str]:
        """Words of a kind mention ("back" of "back door") that no candidate's names use."""
        words = set()
        for dev_id in candidates:
            for name in self._names_of(dev_id):
                words.update(normalize(name).split())
        kind_words = set(KIND_WORDS) | _ARTICLE_WORDS | _MODIFIERS_OK | _BRANDS
        return [w for w in head.split() if w not in kind_words and w not in words
                and singular(w) not in words]

    def _room_by_words(self, head: str) -> str | None:
        """The one room whose names hold every word of a kind mention but the kind word
        ("kids" of "the kids light": the kids room); None when none or several do."""
        words = [w for w in head.split()[:-1] if w not in _ARTICLE_WORDS
                 and w not in _MODIFIERS_OK]
        if not words:
            return None
        found = {room for name, room in self.rooms.items() if set(words) <= set(name.split())}
        return found.pop() if len(found) == 1 else None

    def _split_room(self, text: str) -> tuple[str | None, str]:
        for name in self._room_list:
            if text.startswith(name + " ") or text.endswith(" " + name):
                rest = text.removeprefix(name + " ") if text.startswith(name + " ") \
                    else text.removesuffix(" " + name)
                rest = " ".join(w for w in rest.split() if w not in _ARTICLE_WORDS)
                return self.rooms[name], rest
        return None, text

    @staticmethod
    def _kind(head: str) -> str | None:
        if head in KIND_WORDS:
            return KIND_WORDS[head]
        last = head.rsplit(maxsplit=1)[-1] if head else ""
        return KIND_WORDS.get(last)

    def _of_kind(self, kind: str | None, rooms: Iterable[str], head: str | None) -> list[str]:
        """Devices of `kind` (any kind if None) in `rooms` (the whole home if empty)."""
        scope = set(rooms)
        ids = [i for i, d in self.config.devices.items()
               if (kind is None or d.type == kind) and (not scope or d.room in scope)]
        if head and head.rstrip("s").endswith("lamp"):
            # "the lamp" in a room with none is not its ceiling light: ask
            ids = [i for i in ids if any("lamp" in n for n in self._names_of(i))]
        if head and singular(head.rsplit(maxsplit=1)[-1]) in _WINDOW_WORDS:
            # "the curtains" are window coverings, never a garage door
            ids = [i for i in ids if any(w in n.split() or f"{w}s" in n.split()
                                         for n in self._names_of(i) for w in _WINDOW_WORDS)]
        return ids

    def _names_of(self, dev_id: str) -> list[str]:
        dev = self.config.devices[dev_id]
        return [n.lower() for n in (dev.name, *dev.aliases)]

    def _implied(self, intent: str, text: str, rooms: list[str], *, pronoun: bool = False
                 ) -> tuple[list[str], str | None]:
        """The device a command that names none is about, only where its words imply it
        beyond doubt; never a sensitive one. Vacuums, media players, covers and thermostats
        share their verbs and values with everyday speech ("go home", "play", "close", "set
        it for 6"): with nothing named (not even "it"), their own words must be there
        ("clean", "music", "blinds", "warmer"), or a feeling about the room."""
        if intent == "turn_on" and need_words(text):  # "make me a coffee"
            return self._needed(need_words(text), rooms)
        kind = IMPLIED_TYPE.get(intent)
        if intent in ("start", "stop"):  # "start cleaning" vs "resume the music"
            words = set(re.findall(r"[a-z]+", text.lower()))
            kind = ("vacuum" if words & _CLEANING or implies("vacuum", text) else
                    "media_player" if words & _PLAYING or implies("media_player", text)
                    else None)
        # The thermostat too: "set alrm for 6" is no temperature ("it's cooking in here",
        # a feeling about the room alone, is one)
        if kind in ("vacuum", "media_player", "cover", "climate") and not pronoun \
                and not implies(kind, text) and not (kind == "climate" and feeling(text)):
            return [], f"which device? nothing says a {kind.replace('_', ' ')}"
        if kind is None:
            return [], "no device named"
        if kind == "lock":  # "lock up": a lock is acted on only when named
            return [], "which lock? name it"
        safe = {i for i, d in self.config.devices.items() if not d.sensitive}
        everywhere = [i for i in self._of_kind(kind, [], None) if i in safe]
        here = [i for i in self._of_kind(kind, rooms, None) if i in safe] \
            if rooms and kind not in HOME_SCOPE else []
        if kind == "light" and here:
            return here, None  # "too dark in here": every light of the room
        if len(here) == 1:
            return here, None
        if not here and len(everywhere) == 1 and kind != "cover":
            return everywhere, None  # one thermostat, one vacuum in the home
        if kind == "climate" and not here and everywhere:
            return [], "which thermostat? several fit"
        if not everywhere:
            return [], f"no {kind.replace('_', ' ')} to do it"
        return [], f"which {kind.replace('_', ' ')}? {len(here or everywhere)} fit"

    def _deictic(self, mention: str, *, intent: str, text_all: str, scope: list[str],
                 scene: Scene) -> tuple[list[str], bool, str | None]:
        """ "that", "it", "those": what the frame shows, else the device implied."""
        shown, named, problem = scene.pointed
        ids = list(shown)
        fits_intent = not problem and all(
            fits(self.config.devices[i], self._shown_sense(i, intent, text_all)) for i in ids)
        if fits_intent:
            return ids, named, problem
        # Nothing pointed at that can do it ("make it warmer" while pointing at a lamp, or
        # no frame): "it" can still be the one device the intent implies here; anything
        # less certain asks.
        implied, implied_problem = self._implied(intent, text_all, scope, pronoun=True)
        one = " ".join(mention.lower().split())
        if not implied_problem and one in ONE_POINTED:
            implied_problem = self._one_device(implied, scope, one != "it")
        if not implied_problem:
            return implied, False, None
        return ids, named, problem or implied_problem

    def _one_device(self, ids: Sequence[str], scope: Sequence[str], in_room: bool
                    ) -> str | None:
        """Why a word that points at one device cannot have `ids` (None: it can). With
        `in_room`, that device must also be in the room spoken of or seen."""
        if len(ids) > 1:
            return f"which one? {len(ids)} fit and nothing shows which"
        if in_room and ids and self.config.devices[ids[0]].room not in scope:
            return "which one? nothing here can do it and nothing shows which"
        return None

    def _needed(self, wanted: Sequence[str], rooms: list[str]) -> tuple[list[str], str | None]:
        """The one device that meets a need: its names hold one of `wanted` ("coffee")."""
        found = sorted(
            dev_id for dev_id, dev in self.config.devices.items()
            if not dev.sensitive and fits(dev, "turn_on")
            and any(w in normalize(n).split() for n in self._names_of(dev_id) for w in wanted))
        here = [i for i in found if self.config.devices[i].room in rooms]
        if len(found) == 1 or len(here) == 1:
            return (found if len(found) == 1 else here), None
        return [], f"which {wanted[0]}? {len(found)} fit" if found else f"no {wanted[0]} here"

    def recheck(self, intent: str, devices: list[str]) -> Resolution:
        """Targets for `intent` among devices already named (the "it" of "turn on the lamp
        and dim it")."""
        return self._check(intent, devices, set(devices))

    def _check(self, intent: str, found: list[str], explicit: set[str],
               pointed: dict[str, str] | None = None) -> Resolution:
        """Keep the devices of `found` that can do `intent` (`pointed`: the ones the frame
        showed, with the intent's sense for each); an `explicit` one that cannot makes the
        command unclear."""
        if not found:
            return Resolution((), (), "no device fits")
        targets: list[str] = []
        intents: list[str] = []
        for dev_id in found:
            dev = self.config.devices[dev_id]
            own = (pointed or {}).get(dev_id) or ALIASES.get((dev.type, intent), intent)
            if fits(dev, own):
                targets.append(dev_id)
                intents.append(own)
            elif dev_id in explicit:
                return Resolution((), (), f"{dev.name} cannot {intent.replace('_', ' ')}")
        if not targets:
            return Resolution((), (), f"no device here can {intent.replace('_', ' ')}")
        return Resolution(tuple(targets), tuple(intents))


def fits(device: Device, intent: str) -> bool:
    """Can this device carry out this (type-aliased) intent?"""
    if intent not in TYPE_INTENTS[device.type]:
        return False
    feature = NEEDS_FEATURE.get(intent)
    return feature is None or feature in device.features


def _zone_cover(probs: npt.NDArray[np.float32], zone: tuple[float, float, float, float]
                ) -> tuple[float, float]:
    """(grounding mass on the zone, each region's mass weighted by the share of it the
    zone covers; the largest such share)."""
    rows, cols = probs.shape
    x, y, w, h = zone
    total, best_cover = 0.0, 0.0
    for r in range(rows):
        dy = max(0.0, min((r + 1) / rows, y + h) - max(r / rows, y)) * rows
        for c in range(cols):
            dx = max(0.0, min((c + 1) / cols, x + w) - max(c / cols, x)) * cols
            if dx > 0 and dy > 0:
                total += float(probs[r, c]) * dx * dy
                best_cover = max(best_cover, dx * dy)
    return total, best_cover


def zone_mass(grounding: npt.NDArray[np.float32], grid: tuple[int, int],
              zones: dict[str, tuple[float, float, float, float]]) -> dict[str, float]:
    """The grounding probability inside each zone (each region's mass spread evenly over
    it): the zones' masses sum to at most 1 when they do not overlap."""
    probs = grounding.reshape(grid)
    return {dev_id: _zone_cover(probs, zone)[0] for dev_id, zone in zones.items()}


def zone_scores(grounding: npt.NDArray[np.float32], grid: tuple[int, int],
                zones: dict[str, tuple[float, float, float, float]]) -> dict[str, float]:
    """How firmly the grounding points at each device's zone, 0..1.

    The attention mass on the zone's regions (weighted by how much of each region the zone
    covers), divided by the most a zone of that shape can get: all attention on its
    best-covered region. A small zone inside one region can thus still score 1.
    """
    probs = grounding.reshape(grid)
    scores = {}
    for dev_id, zone in zones.items():
        total, best_cover = _zone_cover(probs, zone)
        scores[dev_id] = total / best_cover if best_cover else 0.0
    return scores
