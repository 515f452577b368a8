"""Training data for the MILM: labelled utterances over many random homes.

`generate(seed, n_homes, per_home, reference)` returns `Example`s (assistant/corpus/example.py):
the text, its intent, exact character spans (DEV, ROOM, NUM, COLOR), the device ids
the resolver should pick in that home, the value, and the camera scene (the room the
speaker is seen in and, for "turn that off", the device pointed at). Same seed, same
list, whatever PYTHONHASHSEED. The homes are `make_homes(seed, n_homes)` (ids
"s{seed}h{i}") plus the reference home ("reference"). `python -m assistant.corpus.generate [SEED]`
prints statistics and samples.

Labels follow docs/labeling.md; where it is silent, targets are what
assistant/resolve.py picks from the gold spans (checked against it):

- a name or alias of a device picks it wherever the speaker is (names, aliases and ids
  read as words never name two devices of a generated home);
- a kind word ("the lights", "the blinds", "the heating", "the door") picks every
  device of that type in the room named, else in the camera's room ("in here"/"this
  room" too); "all the lights" with no room picks every light of the home;
- a command naming no device ("it's too dark in here", "turn it up") picks every light
  of the room, or the room's only device of the type the intent implies, or the home's
  only one when the room has none; ties are never generated;
- a pointing word ("that", "this one", "that lamp") picks the device pointed at;
- only devices that can do the intent, features included (set_color needs "color"),
  are targets: a device the home lacks, or a room without that kind, gives none.

Known differences with assistant/resolve.py as it stands: it has no implied device for
"start"/"stop" ("resume playback", "start cleaning": the room's media player, the
home's vacuum here), and a bare "it" with no pointing ("turn it up") goes to the
grounding only, where these labels take the room's media player.

Besides: needs ("make me a coffee": the one device whose name holds "coffee", no span),
stories of two to four clauses before a command (often past the model's 46 word pieces),
delays after one ("... in five minutes": the intent stays, the runtime never acts now),
and among the non-commands everyday requests to an assistant (assistant/corpus/data/
everyday.yaml), statements about a device's state and bags of device and room words.

The intent is the one after the device type decides ("turn on the hoover" = start,
"open the front door" = unlock). Non-commands (`none`, about a third) carry no spans
and no targets, and reuse the command phrases inside negations, past tense, questions,
reminders and conditionals, so device words alone never decide.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from assistant.corpus import lexicon as lx
from assistant.corpus.example import Example, Span
from assistant.corpus.homes import Device, Home, random_home, spoken_key
from assistant.labels import COLORS, INTENTS, TYPE_INTENTS
from assistant.resolve import KIND_WORDS as RESOLVER_KIND_WORDS
from assistant.resolve import normalize, singular

NONE_SHARE = 0.33
REFERENCE_SHARE = 0.12
# Shares of the phrasing variants layered over commands.
TRAIL_SHARE = 0.13  # "... for the kids", "... for a sec"
AMOUNT_SHARE = 0.22  # "turn the tv down a bit" (up/down intents)
LEAD_SHARE = 0.06  # "we're heading out , lock the front door"
STACK_SHARE = 0.07  # "the lamp light", "the fan thing"
SLIP_SHARE = 0.08  # "front dor", "lamb" (asr/lower styles; less when typed)
SPLIT_SHARE = 0.07  # "un mute", "turn the heating app", "of" for "off"
STORY_SHARE = 0.03  # "so I got back from work and the traffic was awful, dim the lights"
LATER_SHARE = 0.025  # "turn off the fan in five minutes" (intent kept; never acted on now)
SALAD_SHARE = 0.03  # of non-commands: bags of the home's device and room words
APPLIANCE_SHARE = 0.45  # of unknown-device commands whose intent has appliances
AMOUNT_INTENTS = frozenset({"brightness_up", "brightness_down", "temperature_up",
                            "temperature_down", "volume_up", "volume_down"})
# Templates that already say how much (or are statements) take no amount phrase.
_HAS_AMOUNT = re.compile(r"\b(bit|notch|little|lot|much|way|right|too|enough|can't|barely|"
                         r"louder|quieter|brighter|dimmer|warmer|cooler|low)\b|\{N\}")

# Relative frequency of each command intent.
INTENT_WEIGHTS: dict[str, float] = {
    "turn_on": 11.0, "turn_off": 11.0, "set_brightness": 5.0, "brightness_up": 4.5,
    "brightness_down": 4.5, "set_color": 4.5, "set_temperature": 4.5,
    "temperature_up": 4.0, "temperature_down": 4.0, "set_volume": 3.5, "volume_up": 4.0,
    "volume_down": 4.0, "mute": 2.5, "unmute": 2.0, "open": 4.0, "close": 4.0,
    "set_position": 3.0, "lock": 3.5, "unlock": 3.5, "start": 3.5, "stop": 3.5, "dock": 3.0,
}
MODE_WEIGHTS: dict[str, float] = {
    "name": 44.0, "kind": 13.0, "all": 4.0, "multi": 8.0, "point": 11.0, "unknown": 7.0,
    "implicit": 14.0, "need": 16.0,
}
# Intents people mostly say without naming a device.
IMPLICIT_HEAVY = frozenset({"brightness_up", "brightness_down", "temperature_up",
                            "temperature_down", "volume_up", "volume_down", "mute"})
STYLES: tuple[tuple[str, float], ...] = (("asr", 0.45), ("typed", 0.38), ("lower", 0.15),
                                         ("caps", 0.02))
GLUE = frozenset({",", ".", "?", "!", "%", "°"})
QUESTION_PRE = frozenset({
    "can you", "could you", "could you please", "would you", "will you", "can you please",
    "would you please", "can u", "could u", "can you just", "would you be able to",
    "is it possible to", "could you maybe", "can we", "could we", "would you mind",
    "how about", "what about", "mind",
})
QUESTION_POST = frozenset({"would you", "will you", "would ya"})
HOME_SCOPE = frozenset({"vacuum", "lock"})
# Features an intent needs (as assistant/resolve.py checks them): a light without
# "color" cannot take set_color, so it is never a target of one.
NEEDS_FEATURE: dict[str, str] = {
    "set_brightness": "brightness", "brightness_up": "brightness",
    "brightness_down": "brightness", "set_color": "color", "set_position": "position",
}
NOT_PLURAL = frozenset({"sonos", "bose", "hifi", "xbox", "ps5", "hvac", "nanoleaf", "glass",
                        "lens", "chess", "canvas", "tapo", "kasa", "nest", "us", "bus"})

Piece = tuple[str, str | None]  # words, span kind (None = outside any span)


# --------------------------------------------------------------------------- grammar


@dataclass(frozen=True)
class Choice:
    """`[a|b]`: one of several word sequences."""

    options: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Slot:
    """`{NAME}`: filled per example."""

    name: str


Node = str | Choice | Slot

_TOKEN = re.compile(r"\[|\]|\||\{[A-Za-z_]+\}|[^\s\[\]|{}]+")


def _parse(tokens: list[str], i: int, nested: bool) -> tuple[tuple[Node, ...], int]:
    seq: list[Node] = []
    while i < len(tokens):
        tok = tokens[i]
        if tok == "[":
            options: list[tuple[Node, ...]] = []
            i += 1
            while True:
                option, i = _parse(tokens, i, True)
                options.append(option)
                closing = tokens[i]
                i += 1
                if closing == "]":
                    break
            seq.append(Choice(tuple(options)))
            continue
        if tok in ("|", "]"):
            if not nested:
                raise ValueError(f"unbalanced template: {' '.join(tokens)}")
            return tuple(seq), i
        seq.append(Slot(tok[1:-1]) if tok.startswith("{") else tok)
        i += 1
    if nested:
        raise ValueError(f"unclosed [ in template: {' '.join(tokens)}")
    return tuple(seq), i


def _slots(seq: Sequence[Node]) -> set[str]:
    found: set[str] = set()
    for node in seq:
        if isinstance(node, Slot):
            found.add(node.name)
        elif isinstance(node, Choice):
            for option in node.options:
                found |= _slots(option)
    return found


@dataclass(frozen=True)
class Template:
    """A compiled phrasing (see the mini-language in assistant/corpus/lexicon.py)."""

    text: str
    seq: tuple[Node, ...]
    types: frozenset[str]
    words: tuple[str, ...]
    imperative: bool
    pointable: bool
    slots: frozenset[str]
    question: bool


def compile_template(raw: str, default_types: frozenset[str] = frozenset()) -> Template:
    """Parse one template string with its flags, "@types" and "#words" suffixes."""
    text = raw.strip()
    imperative = text.startswith("!")
    pointable = not text.startswith("^")
    text = text.lstrip("!^")
    types = default_types
    words: tuple[str, ...] = ()
    parts = text.split(" ")
    while parts and parts[-1][:1] in ("@", "#"):
        last = parts.pop()
        if last.startswith("@"):
            types = frozenset(last[1:].split(","))
        else:
            words = tuple(last[1:].split(","))
    text = " ".join(parts)
    seq, _ = _parse(_TOKEN.findall(text), 0, False)
    return Template(text, seq, types, words, imperative, pointable,
                    frozenset(_slots(seq)), text.endswith("?"))


def _intent_types(intent: str) -> frozenset[str]:
    return frozenset(t for t, intents in TYPE_INTENTS.items() if intent in intents)


def _build_tables() -> tuple[dict[str, dict[str, list[Template]]], dict[str, list[Template]]]:
    explicit: dict[str, dict[str, list[Template]]] = {}
    for intent, raws in lx.COMMANDS.items():
        default = _intent_types(intent)
        by_type: dict[str, list[Template]] = {}
        for raw in raws:
            tpl = compile_template(raw, default)
            if "D" not in tpl.slots:
                raise ValueError(f"command template without {{D}}: {raw}")
            for dtype in sorted(tpl.types & default):
                by_type.setdefault(dtype, []).append(tpl)
        explicit[intent] = by_type
    implicit = {intent: [compile_template(raw) for raw in raws]
                for intent, raws in lx.IMPLICIT.items()}
    return explicit, implicit


EXPLICIT, IMPLICIT = _build_tables()
# Appliances no home has ("start the washing machine"): intent -> (surfaces, templates).
APPLIANCES: dict[str, tuple[tuple[str, ...], tuple[Template, ...]]] = {
    intent: (surfaces, tuple(compile_template(raw) for raw in raws))
    for intent, (surfaces, raws) in lx.APPLIANCES.items()
}
NONE_TEMPLATES: tuple[tuple[str, float, tuple[Template, ...]], ...] = tuple(
    (cat, weight, tuple(compile_template(raw) for raw in raws))
    for cat, (weight, raws) in lx.NONE.items()
)


# --------------------------------------------------------------------------- verb forms

_DOUBLE = frozenset({"run", "put", "set", "shut", "cut", "get", "dim", "stop", "flip", "drop",
                     "hit", "up", "let", "plug", "unplug", "bop", "pop", "knock_"})
_PAST = {
    "put": "put", "set": "set", "shut": "shut", "cut": "cut", "hit": "hit", "let": "let",
    "get": "got", "make": "made", "bring": "brought", "give": "gave", "take": "took",
    "run": "ran", "send": "sent", "tell": "told", "have": "had", "do": "did", "go": "went",
    "throw": "threw", "draw": "drew", "hold": "held", "freeze": "froze", "light": "lit",
    "begin": "began", "keep": "kept", "leave": "left", "buy": "bought", "read": "read",
    "sing": "sang", "say": "said", "wake": "woke", "stick": "stuck", "lighten": "lightened",
}


def gerund(verb: str) -> str:
    """turn -> turning, dim -> dimming, make -> making."""
    if verb in _DOUBLE:
        return verb + verb[-1] + "ing"
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    return verb + "ing"


def past(verb: str) -> str:
    """turn -> turned, dim -> dimmed, make -> made."""
    if verb in _PAST:
        return _PAST[verb]
    if verb in _DOUBLE:
        return verb + verb[-1] + "ed"
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "o", "u"):
        return verb[:-1] + "ied"
    return verb + "ed"


def third_person(verb: str) -> str:
    """turn -> turns, switch -> switches, have -> has."""
    if verb in ("have", "do", "go"):
        return {"have": "has", "do": "does", "go": "goes"}[verb]
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in ("a", "e", "o", "u"):
        return verb[:-1] + "ies"
    return verb + "s"


# --------------------------------------------------------------------------- numbers


def number_words(n: int, rng: random.Random, hyphen: bool = False) -> str:
    """0..100 in words: "twenty five" (or "twenty-five"), "a hundred"."""
    if n < 20:
        return lx.ONES[n]
    if n == 100:
        return rng.choice(("one hundred", "a hundred", "hundred"))
    tens, ones = divmod(n, 10)
    if ones == 0:
        return lx.TENS[tens]
    return f"{lx.TENS[tens]}{'-' if hyphen else ' '}{lx.ONES[ones]}"


def _num_pieces(words: str) -> list[Piece]:
    """NUM pieces for number words; a leading article stays outside the span."""
    if words.startswith("a "):
        return [("a", None), (words[2:], "NUM")]
    return [(words, "NUM")]


def _percent_value(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.35:
        return rng.randrange(10, 101, 10)
    if roll < 0.6:
        return rng.randrange(5, 100, 5)
    return rng.randint(1, 100)


def percent_pieces(rng: random.Random, style: str) -> tuple[list[Piece], int]:
    """A percent value as said: "fifty percent", "25%", "half", "max"."""
    if rng.random() < 0.15:
        words, value = rng.choice(lx.PERCENT_WORDS)
        pieces = _num_pieces("a quarter" if words == "quarter" else words)
        if value == 100 and words.endswith("hundred") and rng.random() < 0.7:
            pieces.append(("percent", None))
        return pieces, value
    value = _percent_value(rng)
    digits = rng.random() < (0.05 if style == "asr" else 0.65)
    text = str(value) if digits else number_words(value, rng, style == "typed"
                                                  and rng.random() < 0.3)
    pieces = _num_pieces(text)
    unit = rng.random()
    if digits and style != "asr" and unit < 0.3:
        pieces.append(("%", None))
    elif unit < 0.72:
        pieces.append(("percent" if rng.random() < 0.9 else "per cent", None))
    return pieces, value


def degrees_pieces(rng: random.Random, style: str) -> tuple[list[Piece], int | float]:
    """A temperature as said: "twenty one degrees", "19.5", "nineteen and a half"."""
    roll = rng.random()
    fahrenheit = False
    value: int | float
    if roll < 0.68:
        value = rng.choice((16, 17, 18, 18, 19, 19, 20, 20, 20, 21, 21, 21, 22, 22, 23, 24, 25))
    elif roll < 0.84:
        value = rng.randint(16, 25) + 0.5
    elif roll < 0.96:
        value, fahrenheit = rng.randint(62, 78), True
    else:
        value = rng.choice((10, 12, 14, 15, 26, 27, 28, 30))
    whole = int(value)
    if style != "asr" and rng.random() < 0.7:
        text = str(value)
    elif whole == value:
        text = number_words(whole, rng, style == "typed" and rng.random() < 0.3)
    else:
        half = rng.choice((" and a half", " point five"))
        text = number_words(whole, rng) + half
    pieces: list[Piece] = [(text, "NUM")]
    unit = rng.random()
    if fahrenheit:
        if unit < 0.6:
            pieces.append((rng.choice(("degrees", "degrees fahrenheit", "fahrenheit")), None))
    elif style != "asr" and unit < 0.05 and text[:1].isdigit():
        pieces.append(("°", None))
    elif unit < 0.62:
        pieces.append((rng.choice(("degrees",) * 8 + ("degrees celsius", "celsius", "degrees c")),
                       None))
    return pieces, value


def position_pieces(rng: random.Random, style: str, half_only: bool) -> tuple[list[Piece], int]:
    """An opening as said: "halfway", "half way", "a quarter of the way", "30 percent"."""
    roll = rng.random()
    if half_only or roll < 0.3:
        form = rng.choice(("halfway", "half way", "half", "to half", "halfway down"))
        if form == "halfway":
            return [("halfway", "NUM")], 50
        if form == "halfway down":
            return [("halfway", "NUM"), ("down", None)], 50
        if form == "to half":
            return [("to", None), ("half", "NUM")], 50
        return [("half", "NUM")] + ([("way", None)] if form == "half way" else []), 50
    if roll < 0.4:
        if rng.random() < 0.5:
            return [("a", None), ("quarter", "NUM"), ("of the way", None)], 25
        return [("three quarters", "NUM"), ("of the way", None)], 75
    pieces, value = percent_pieces(rng, style)
    return [("to", None), *pieces] if rng.random() < 0.3 else pieces, value


def color_pieces(rng: random.Random) -> tuple[list[Piece], str]:
    """A colour from COLORS as said ("warm white", "cold white" for cool white)."""
    name = rng.choice(tuple(COLORS))
    said = rng.choice(lx.COLOR_EXTRA_FORMS.get(name, (name,)))
    return [(said, "COLOR")], name


# --------------------------------------------------------------------------- homes


class HomeView:
    """Look-ups over one Home for fast generation."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self.by_surface: dict[str, Device] = {}
        for dev in home.devices:
            for surface in dev.surfaces:
                self.by_surface.setdefault(surface, dev)
        self.by_type: dict[str, list[Device]] = {}
        self.by_room_type: dict[tuple[str, str], list[Device]] = {}
        for dev in home.devices:
            self.by_type.setdefault(dev.type, []).append(dev)
            self.by_room_type.setdefault((dev.room, dev.type), []).append(dev)
        self.room_ids = list(home.rooms)
        self.room_words = frozenset(n for names in home.rooms.values() for n in names)
        self.camera_rooms = [cam.room for cam in home.cameras]
        self.zones = [(cam.room, dev_id) for cam in home.cameras for dev_id in cam.zones
                      if any(d.id == dev_id for d in home.devices)]
        self.by_id = {dev.id: dev for dev in home.devices}
        # Spoken forms as the resolver compares them (ids read as words count too).
        self.keys = frozenset(spoken_key(s) for dev in home.devices
                              for s in (*dev.surfaces, dev.id.replace("_", " ")))
        self.room_keys = [spoken_key(n) for n in self.room_words]
        self.usable = {intent: [d for d in home.devices if d.type in table and fits(d, intent)]
                       for intent, table in EXPLICIT.items()}
        self._names: dict[str, set[str]] | None = None
        self._room_norms: tuple[str, ...] = ()

    @property
    def names(self) -> dict[str, set[str]]:
        """Normalised spoken name -> device ids, as assistant/resolve.py builds it."""
        if self._names is None:
            names: dict[str, set[str]] = {}
            for dev in self.home.devices:
                for name in (*dev.surfaces, dev.id.replace("_", " ")):
                    norm = normalize(name)
                    for form in {norm, singular(norm)}:
                        names.setdefault(form, set()).add(dev.id)
            self._names = names
            self._room_norms = tuple(normalize(n) for names_ in self.home.rooms.values()
                                     for n in (*names_,) if normalize(n))
        return self._names

    def mention_is(self, mention: str, dev_id: str) -> bool:
        """Does the resolver read this DEV mention (no room named) as exactly `dev_id`?

        Mirrors assistant/resolve.py: an exact name, else the whole names inside it (all
        of that device), else the best fuzzy name (ratio >= 85, no other device close).
        """
        names = self.names
        text = normalize(mention)
        if not text or text in RESOLVER_KIND_WORDS:
            return False
        if any(text == r or text.startswith(r + " ") or text.endswith(" " + r)
               for r in self._room_norms):
            return False
        exact = names.get(text) or names.get(singular(text))
        if exact:
            return exact == {dev_id}
        padded = f" {text} "
        inside = [n for n in names if len(n) >= 2 and f" {n} " in padded]
        if inside:
            return all(names[n] == {dev_id} for n in inside)
        close = process.extract(text, list(names), scorer=fuzz.ratio, score_cutoff=85,
                                limit=None)
        return bool(close) and all(names[n] == {dev_id} for n, _, _ in close)

    def in_room(self, room: str, dtype: str) -> list[Device]:
        return self.by_room_type.get((room, dtype), [])

    def room_name(self, rng: random.Random, room: str) -> str:
        names = self.home.rooms[room]
        return names[0] if len(names) == 1 or rng.random() < 0.55 else rng.choice(names)


def fits(dev: Device, intent: str) -> bool:
    """Can this device carry out this (final) intent, features included?"""
    feature = NEEDS_FEATURE.get(intent)
    return intent in TYPE_INTENTS[dev.type] and (feature is None or feature in dev.features)


def _fitting(devs: Sequence[Device], intent: str) -> list[str]:
    return [d.id for d in devs if fits(d, intent)]


def make_homes(seed: int, n_homes: int) -> list[Home]:
    """The random homes of `generate(seed, n_homes, ...)`, ids "s{seed}h{i}"."""
    return [random_home(random.Random(f"home:{seed}:{i}"), f"s{seed}h{i}")
            for i in range(n_homes)]


# --------------------------------------------------------------------------- mentions


def _has_room_word(view: HomeView, surface: str) -> bool:
    return any(word in surface for word in view.room_words)


def _plural(surface: str) -> bool:
    last = surface.rsplit(maxsplit=1)[-1]
    return last.endswith("s") and not last.endswith(("ss", "'s")) and last not in NOT_PLURAL


def _article(rng: random.Random, surface: str, fragment: bool, style: str) -> list[Piece]:
    if "'" in surface.split(maxsplit=1)[0]:
        return []
    if fragment and rng.random() < 0.5:
        return []
    if style == "asr" and rng.random() < 0.04:
        return []
    art = rng.choice(lx.ARTICLES)
    return [(art, None)] if art else []


def room_pieces(rng: random.Random, view: HomeView, room: str, style: str,
                prep: bool = True) -> list[Piece]:
    """ "in the kitchen", "in emma's room", "on the landing" (ROOM on the name)."""
    name = view.room_name(rng, room) if room in view.home.rooms else room
    out: list[Piece] = []
    mine = False
    if prep:
        outside = room in ("landing", "patio", "porch", "balcony", "terrace", "driveway")
        roll = rng.random()
        if roll < 0.05:  # "the light of my bedroom", "the lamp in my study"
            out.append((rng.choice(("of", "in", "of", "from")), None))
            mine = True
        else:
            out.append((rng.choice(("on", "out on")) if outside and rng.random() < 0.5
                        else rng.choice(("in",) * 12 + ("inside", "for", "in", "over in")),
                        None))
    if "'" not in name and not name.startswith("our ") and not (
            style == "asr" and rng.random() < 0.06):
        out.append(("my" if mine and rng.random() < 0.7 else "the", None))
    out.append((name, "ROOM"))
    return out


def here_pieces(rng: random.Random, prep: bool = True) -> list[Piece]:
    """ "in here", "in this room", "here", "over here" (ROOM on "here"/"this room")."""
    roll = rng.random()
    if roll < 0.55:
        return [("in", None), ("here", "ROOM")] if prep else [("here", "ROOM")]
    if roll < 0.8:
        return [("in", None), ("this room", "ROOM")] if prep else [("this room", "ROOM")]
    if roll < 0.9:
        return [("over", None), ("here", "ROOM")]
    return [("here", "ROOM")]


@dataclass
class Plan:
    """What a command is about, before it is put into words."""

    mode: str
    dtype: str
    template: Template
    slots: dict[str, list[Piece]]
    targets: list[str]
    camera_room: str | None
    pointed: str | None = None
    plural: bool = False
    tags: set[str] = field(default_factory=set)  # phrasing variants ("stack", "appliance")


def _pick_camera(rng: random.Random, view: HomeView, p: float = 0.45) -> str | None:
    if view.camera_rooms and rng.random() < p:
        return rng.choice(view.camera_rooms)
    return None


def _usable_devices(view: HomeView, intent: str) -> list[Device]:
    return view.usable[intent]


def _choose_template(rng: random.Random, tpls: list[Template], surface: str | None,
                     need_pointable: bool = False, imperative: bool = False) -> Template | None:
    ok = [t for t in tpls
          if (not t.words or (surface is not None and any(w in surface for w in t.words)))
          and (t.pointable or not need_pointable) and (t.imperative or not imperative)]
    return rng.choice(ok) if ok else None


def _surface(rng: random.Random, dev: Device) -> str:
    if not dev.aliases or rng.random() < 0.5:
        return dev.name
    return rng.choice(dev.aliases)


def _plan_name(rng: random.Random, view: HomeView, intent: str, style: str,
               imperative: bool) -> Plan | None:
    devs = _usable_devices(view, intent)
    if not devs:
        return None
    dev = rng.choice(devs)
    surface = _surface(rng, dev)
    tpl = _choose_template(rng, EXPLICIT[intent][dev.type], surface, imperative=imperative)
    if tpl is None:
        return None
    fragment = tpl.seq[:1] == (Slot("D"),)
    stacked = None
    if rng.random() < STACK_SHARE and not _has_room_word(view, surface):
        stacked = _stacked(rng, view, dev, surface)
        surface = stacked or surface
    d_pieces: list[Piece] = [*_article(rng, surface, fragment, style), (surface, "DEV")]
    slots: dict[str, list[Piece]] = {"D": d_pieces}
    if not _has_room_word(view, surface) and dev.type not in HOME_SCOPE and rng.random() < 0.16:
        if "R" in tpl.slots and rng.random() < 0.5:
            slots["R"] = room_pieces(rng, view, dev.room, style)
        else:
            d_pieces.extend(room_pieces(rng, view, dev.room, style))
    return Plan("name", dev.type, tpl, slots, [dev.id], _pick_camera(rng, view),
                plural=_plural(surface), tags={"stack"} if stacked else set())


def _stacked(rng: random.Random, view: HomeView, dev: Device, surface: str) -> str | None:
    """ "the lamp light", "the tv screen", "the fan thing": a second noun after the name,
    only when the resolver still finds this device (and nothing else) in the phrase."""
    last = surface.rsplit(maxsplit=1)[-1]
    options = [w for w in lx.STACK_AFTER.get(last, ()) if w != last]
    if not options or rng.random() < 0.45:
        options = list(lx.STACK_ANY)
    stacked = f"{surface} {rng.choice(options)}"
    return stacked if view.mention_is(stacked, dev.id) else None


def _kind_word(rng: random.Random, view: HomeView, dtype: str) -> str | None:
    words = [w for w in lx.KIND_WORDS[dtype] if spoken_key(w) not in view.keys]
    return rng.choice(words) if words else None


def _kind_room(rng: random.Random, view: HomeView, dtype: str
               ) -> tuple[str, str, str | None] | None:
    """(form, room, camera room): form is "named", "camera", "here" or "unknown"."""
    roll = rng.random()
    if roll < 0.05:
        unknown = [r for r, names in lx.ROOM_POOL if r not in view.home.rooms and all(
            fuzz.ratio(spoken_key(n), k) < 75 for n in names for k in view.room_keys)]
        return "unknown", lx.ROOM_POOL[0][0] if not unknown else rng.choice(unknown), \
            _pick_camera(rng, view)
    def usable(room: str) -> bool:  # "the blinds" never means the garage door
        return not any(d.sensitive for d in view.in_room(room, dtype)) or dtype == "lock"

    rooms_ok = [r for r in view.room_ids if usable(r)]
    cams_ok = [r for r in view.camera_rooms if usable(r)]
    cams_with = [r for r in cams_ok if view.in_room(r, dtype)]
    if not rooms_ok:
        return None
    if roll < 0.5 or not cams_ok:
        with_kind = [r for r in rooms_ok if view.in_room(r, dtype)]
        rooms = with_kind if with_kind and rng.random() < 0.88 else rooms_ok
        return "named", rng.choice(rooms), _pick_camera(rng, view)
    cams = cams_with if cams_with and rng.random() < 0.9 else cams_ok
    room = rng.choice(cams)
    return ("camera" if roll < 0.8 else "here"), room, room


def _plan_kind(rng: random.Random, view: HomeView, intent: str, style: str,
               imperative: bool) -> Plan | None:
    table = EXPLICIT[intent]
    dtypes = [t for t in lx.KIND_WORDS if t in table]
    if not dtypes:
        return None
    dtype = rng.choices(dtypes, [lx.KIND_WEIGHTS[t] for t in dtypes])[0]
    word = _kind_word(rng, view, dtype)
    where = _kind_room(rng, view, dtype)
    tpl = _choose_template(rng, table[dtype], word, imperative=imperative)
    if word is None or where is None or tpl is None:
        return None
    form, room, camera = where
    if dtype == "lock" and word in ("door", "doors") and rng.random() < 0.3:
        stacked = f"{word[:4]} {'locks' if word == 'doors' else 'lock'}"  # "lock the door lock"
        key = spoken_key(stacked)
        if key not in view.keys and process.extractOne(
                key, view.keys, scorer=fuzz.ratio, score_cutoff=80) is None:
            word = stacked
    tags = {"stack"} if " " in word else set()
    art = [] if rng.random() < 0.25 else [("the", None)]
    d_pieces: list[Piece] = [*art, (word, "DEV")]
    slots: dict[str, list[Piece]] = {"D": d_pieces}
    targets = _fitting(view.in_room(room, dtype), intent)
    if form in ("named", "unknown"):
        name = view.room_name(rng, room) if form == "named" else rng.choice(
            dict(lx.ROOM_POOL)[room])
        roll = rng.random()
        if roll < 0.4:
            combined = f"{name} {word}"
            named = view.by_surface.get(combined)
            if named is not None:
                d_pieces[-1] = (combined, "DEV")
                targets = _fitting([named], intent)
            else:
                d_pieces[-1:] = [(name, "ROOM"), (word, "DEV")]
        else:
            pieces = room_pieces(rng, view, room if form == "named" else name, style)
            if roll > 0.75 and "R" in tpl.slots:
                slots["R"] = pieces
            else:
                d_pieces.extend(pieces)
        if form == "unknown":
            targets = []
    elif form == "here":
        pieces = here_pieces(rng)
        if "R" in tpl.slots and rng.random() < 0.5:
            slots["R"] = pieces
        else:
            d_pieces.extend(pieces)
    return Plan("kind", dtype, tpl, slots, targets, camera, plural=_plural(word), tags=tags)


def _plan_all(rng: random.Random, view: HomeView, intent: str, style: str,
              imperative: bool) -> Plan | None:
    table = EXPLICIT[intent]
    dtypes = [t for t in lx.ALL_FORMS if t in table]
    if not dtypes:
        return None
    dtype = rng.choice(dtypes)
    tpl = _choose_template(rng, table[dtype], None, imperative=imperative)
    if tpl is None:
        return None
    form = rng.choice(lx.ALL_FORMS[dtype]).split(" ")
    d_pieces: list[Piece] = [(" ".join(form[:-1]), None), (form[-1], "DEV")]
    targets = _fitting(view.by_type.get(dtype, []), intent)
    roll = rng.random()
    if dtype != "lock" and roll < 0.3:
        room = rng.choice([r for r in view.room_ids if view.in_room(r, dtype)] or view.room_ids)
        d_pieces.extend(room_pieces(rng, view, room, style))
        targets = _fitting(view.in_room(room, dtype), intent)
    elif roll < 0.45:
        d_pieces.append((rng.choice(("in the house", "in the whole house", "in the flat",
                                     "everywhere", "in the entire house", "at home")), None))
    return Plan("all", dtype, tpl, {"D": d_pieces}, targets, _pick_camera(rng, view),
                plural=True)


def _multi_items(rng: random.Random, view: HomeView, intent: str) -> list[Device] | None:
    devs = _usable_devices(view, intent)
    if len(devs) < 2:
        return None
    first = rng.choice(devs)
    if intent in ("turn_on", "turn_off"):
        pool = [d for d in devs if d.id != first.id and d.type in
                ("light", "switch", "fan", "media_player", "climate")]
        if first.type not in ("light", "switch", "fan", "media_player", "climate"):
            pool = [d for d in devs if d.id != first.id and d.type == first.type]
    else:
        pool = [d for d in devs if d.id != first.id and d.type == first.type]
    if not pool:
        return None
    k = 1 if len(pool) == 1 or rng.random() < 0.75 else 2
    return [first, *rng.sample(pool, k)]


def _plan_multi(rng: random.Random, view: HomeView, intent: str, style: str,
                imperative: bool) -> Plan | None:
    items = _multi_items(rng, view, intent)
    if items is None:
        return None
    types = {d.type for d in items}
    tpls = [t for t in EXPLICIT[intent].get(items[0].type, []) if types <= t.types and not t.words]
    tpl = _choose_template(rng, tpls, None, imperative=imperative)
    if tpl is None:
        return None
    fragment = tpl.seq[:1] == (Slot("D"),)
    shared_article = rng.random() < 0.2
    pieces: list[Piece] = []
    if rng.random() < 0.08 and len(items) == 2 and not fragment:
        pieces.append(("both", None))
    for i, dev in enumerate(items):
        if i > 0:
            last = i == len(items) - 1
            joiner = rng.choice(("and",) * 6 + ("as well as", "plus", "and also")) if last \
                else rng.choice((",", ",", "and"))
            pieces.append((joiner, None))
        surface = _surface(rng, dev)
        if not (shared_article and i > 0):
            pieces.extend(_article(rng, surface, fragment, style))
        pieces.append((surface, "DEV"))
    return Plan("multi", items[0].type, tpl, {"D": pieces}, [d.id for d in items],
                _pick_camera(rng, view), plural=True)


def _plan_point(rng: random.Random, view: HomeView, intent: str, style: str,
                imperative: bool) -> Plan | None:
    table = EXPLICIT[intent]
    spots = [(room, dev_id) for room, dev_id in view.zones
             if view.by_id[dev_id].type in table and fits(view.by_id[dev_id], intent)]
    if not spots:
        return None
    room, dev_id = rng.choice(spots)
    dev = view.by_id[dev_id]
    tpl = _choose_template(rng, table[dev.type], dev.name, need_pointable=True,
                           imperative=imperative)
    if tpl is None:
        return None
    word = rng.choice(lx.POINT_WORDS)
    typed_words = [w for w in lx.POINT_TYPE_WORDS.get(dev.type, ())
                   if w.split()[-1] != "lamp" or any("lamp" in n for n in dev.surfaces)]
    if typed_words and rng.random() < 0.2:
        word = rng.choice(typed_words)
    return Plan("point", dev.type, tpl, {"D": [(word, "DEV")]}, [dev.id], room, dev.id)


def _unknown_surface(rng: random.Random, view: HomeView, dtype: str) -> str | None:
    for _ in range(6):
        roll = rng.random()
        if roll < 0.55:
            name = rng.choice(lx.EXOTIC_DEVICES[dtype])
        elif roll < 0.9:
            name = rng.choice(rng.choice(lx.DEVICE_POOL[dtype]).split("|"))
        else:
            name = "".join(rng.choice(lx.NAME_ONSETS) + rng.choice(lx.NAME_VOWELS)
                           for _ in range(2)) + " " + rng.choice(lx.TYPE_NOUNS[dtype])
        key = spoken_key(name)
        taken = any(name in s or s in name for s in view.by_surface) or process.extractOne(
            key, view.keys, scorer=fuzz.ratio, score_cutoff=75) is not None
        kind = key in RESOLVER_KIND_WORDS or key.rsplit(maxsplit=1)[-1] in RESOLVER_KIND_WORDS
        if not taken and not kind and name not in view.room_words:
            return name
    return None


def _plan_appliance(rng: random.Random, view: HomeView, intent: str, style: str,
                    imperative: bool) -> Plan | None:
    """ "start the washing machine", "open the fridge": an appliance the home lacks."""
    surfaces, tpls = APPLIANCES[intent]
    surface = rng.choice(surfaces)
    key = spoken_key(surface)
    if any(surface in s or s in surface for s in view.by_surface) or process.extractOne(
            key, view.keys, scorer=fuzz.ratio, score_cutoff=75) is not None:
        return None
    ok = [t for t in tpls if t.imperative or not imperative]
    if not ok:
        return None
    tpl = rng.choice(ok)
    fragment = tpl.seq[:1] == (Slot("D"),)
    d_pieces: list[Piece] = [*_article(rng, surface, fragment, style), (surface, "DEV")]
    slots: dict[str, list[Piece]] = {"D": d_pieces}
    if "R" in tpl.slots and rng.random() < 0.4:
        slots["R"] = room_pieces(rng, view, rng.choice(view.room_ids), style)
    dtype = "switch" if intent in ("turn_on", "turn_off") else "cover" \
        if intent in ("open", "close") else "media_player"
    return Plan("unknown", dtype, tpl, slots, [], _pick_camera(rng, view),
                plural=_plural(surface), tags={"appliance"})


def _plan_unknown(rng: random.Random, view: HomeView, intent: str, style: str,
                  imperative: bool) -> Plan | None:
    if intent in APPLIANCES and rng.random() < APPLIANCE_SHARE:
        plan = _plan_appliance(rng, view, intent, style, imperative)
        if plan is not None:
            return plan
    table = EXPLICIT[intent]
    dtype = rng.choice(sorted(table))
    surface = _unknown_surface(rng, view, dtype)
    if surface is None:
        return None
    tpl = _choose_template(rng, table[dtype], surface, imperative=imperative)
    if tpl is None:
        return None
    fragment = tpl.seq[:1] == (Slot("D"),)
    d_pieces: list[Piece] = [*_article(rng, surface, fragment, style), (surface, "DEV")]
    if rng.random() < 0.15:
        d_pieces.extend(room_pieces(rng, view, rng.choice(view.room_ids), style))
    return Plan("unknown", dtype, tpl, {"D": d_pieces}, [], _pick_camera(rng, view),
                plural=_plural(surface))


def _implicit_targets(view: HomeView, intent: str, dtype: str, room: str | None
                      ) -> list[str] | None:
    """Devices a command naming none picks; None when several would tie.

    As the resolver does it: every light of the room; otherwise the room's only device
    of the type, or the home's only one when the room has none. Vacuums and locks
    ("start cleaning", "lock up") are only generated for homes with at most one.
    """
    everywhere = view.by_type.get(dtype, [])
    if dtype in HOME_SCOPE:
        return _fitting(everywhere, intent) if len(everywhere) <= 1 else None
    here = view.in_room(room, dtype) if room else []
    if dtype == "light" and here:
        return _fitting(here, intent)
    if len(here) == 1:
        return _fitting(here, intent)
    if not here and len(everywhere) <= 1:
        return _fitting(everywhere, intent)
    return None


def _implicit_room(rng: random.Random, view: HomeView, intent: str, dtype: str,
                   tpl: Template) -> tuple[str, str | None] | None:
    """(form, room): form "named", "here" or "camera"; None when not possible."""
    def fits_room(room: str) -> bool:
        targets = _implicit_targets(view, intent, dtype, room)
        return targets is not None and (bool(targets) or rng.random() < 0.1)

    cams = [r for r in view.camera_rooms if fits_room(r)]
    named = [r for r in view.room_ids if fits_room(r)]
    has_room_slot = bool(tpl.slots & {"R", "RR", "RO"})
    forms = []
    if has_room_slot and named:
        forms += ["named"] * 4
    if cams:
        forms += ["here"] * 2 if has_room_slot else []
        forms += ["camera"] * 4 if "RR" not in tpl.slots and "RO" not in tpl.slots else []
    if dtype in HOME_SCOPE and not has_room_slot:
        return None if _implicit_targets(view, intent, dtype, None) is None else ("home", None)
    if not forms:
        return None
    form = rng.choice(forms)
    return form, rng.choice(named if form == "named" else cams)


def _plan_implicit(rng: random.Random, view: HomeView, intent: str, style: str,
                   imperative: bool) -> Plan | None:
    tpls = [t for t in IMPLICIT.get(intent, []) if t.imperative or not imperative]
    if not tpls:
        return None
    tpl = rng.choice(tpls)
    dtype = next(iter(tpl.types))
    where = _implicit_room(rng, view, intent, dtype, tpl)
    if where is None:
        return None
    form, room = where
    targets = _implicit_targets(view, intent, dtype, room) or []
    slots: dict[str, list[Piece]] = {"IT": [("it", "DEV")]}
    camera = room if form in ("here", "camera") else _pick_camera(rng, view)
    if form == "named" and room is not None:
        slots["R"] = slots["RR"] = room_pieces(rng, view, room, style)
        slots["RO"] = room_pieces(rng, view, room, style, prep=False)
    elif form == "here":
        slots["R"] = slots["RR"] = here_pieces(rng)
        slots["RO"] = [("this room", "ROOM")]
    return Plan("implicit", dtype, tpl, slots, targets, camera)


NEED_WEIGHTS = {"coffee": 6.0, "tea": 3.0, "toast": 1.0}
NEEDS: dict[str, tuple[tuple[str, ...], tuple[Template, ...]]] = {
    need: (words, tuple(compile_template(raw) for raw in raws))
    for need, (words, raws) in lx.NEEDS.items()
}


def _plan_need(rng: random.Random, view: HomeView, intent: str, style: str,
               imperative: bool) -> Plan | None:
    """ "make me a coffee", "I need caffeine": the one device meeting the need is turned on
    (none in this home: a command with no target, which asks)."""
    if intent != "turn_on":
        return None
    need = rng.choices(list(NEED_WEIGHTS), list(NEED_WEIGHTS.values()))[0]
    words, tpls = NEEDS[need]
    ok = [t for t in tpls if t.imperative or not imperative]
    if not ok:
        return None
    meeting = [d for d in view.home.devices if not d.sensitive and fits(d, "turn_on")
               and any(w in spoken_key(s).split() for s in d.surfaces for w in words)]
    if len(meeting) > 1 or (not meeting and rng.random() < 0.6):
        return None  # several would tie; a home without one is asked about less often
    return Plan("need", "switch", rng.choice(ok), {}, [d.id for d in meeting],
                _pick_camera(rng, view), tags={"need"})


PLANNERS: dict[str, Callable[[random.Random, HomeView, str, str, bool], Plan | None]] = {
    "name": _plan_name, "kind": _plan_kind, "all": _plan_all, "multi": _plan_multi,
    "point": _plan_point, "unknown": _plan_unknown, "implicit": _plan_implicit,
    "need": _plan_need,
}


def _pick_mode(rng: random.Random, intent: str) -> str:
    modes, weights = [], []
    for mode, weight in MODE_WEIGHTS.items():
        if (mode == "implicit" and intent not in IMPLICIT) or (
                mode == "need" and intent != "turn_on"):
            continue
        modes.append(mode)
        weights.append(30.0 if mode == "implicit" and intent in IMPLICIT_HEAVY else weight)
    return rng.choices(modes, weights)[0]


# --------------------------------------------------------------------------- utterances


class Tok:
    """One word of an utterance: its text, its span (-1 = none) and whether it glues
    to the word before (punctuation)."""

    __slots__ = ("glue", "span", "word")

    def __init__(self, word: str, span: int, glue: bool) -> None:
        self.word = word
        self.span = span
        self.glue = glue


class Utt:
    """An utterance under construction: words with span membership."""

    def __init__(self) -> None:
        self.toks: list[Tok] = []
        self.kinds: list[str] = []

    def add(self, text: str, kind: str | None = None) -> None:
        span = -1
        if kind is not None:
            span = len(self.kinds)
            self.kinds.append(kind)
        for word in text.split():
            self.toks.append(Tok(word, span, word in GLUE))

    def extend(self, pieces: Sequence[Piece]) -> None:
        for text, kind in pieces:
            self.add(text, kind)


def expand(rng: random.Random, seq: Sequence[Node], utt: Utt,
           fill: Callable[[str], Sequence[Piece]]) -> None:
    """Write one random expansion of a template into `utt`."""
    for node in seq:
        if isinstance(node, str):
            utt.toks.append(Tok(node, -1, node in GLUE))
        elif isinstance(node, Slot):
            utt.extend(fill(node.name))
        else:
            expand(rng, rng.choice(node.options), utt, fill)


def _command_fill(rng: random.Random, plan: Plan, style: str,
                  value: list[int | float | str | None]) -> Callable[[str], Sequence[Piece]]:
    def fill(name: str) -> Sequence[Piece]:
        if name in plan.slots:
            return plan.slots[name]
        if name == "BE":
            return [("are" if plan.plural else "is", None)]
        pieces: list[Piece]
        if name == "N":
            if plan.dtype == "climate":
                pieces, value[0] = degrees_pieces(rng, style)
            else:
                pieces, value[0] = percent_pieces(rng, style)
        elif name in ("NP", "NH"):
            pieces, value[0] = position_pieces(rng, style, name == "NH")
        elif name == "C":
            pieces, value[0] = color_pieces(rng)
        else:
            pieces = []
        return pieces
    return fill


def render_command(rng: random.Random, view: HomeView, intent: str, style: str,
                   imperative: bool = False) -> tuple[Utt, Plan, int | float | str | None] | None:
    """The words of one command (no wake word, politeness or noise), or None."""
    for _ in range(4):
        mode = _pick_mode(rng, intent)
        plan = PLANNERS[mode](rng, view, intent, style, imperative)
        if plan is None and mode != "name":
            plan = _plan_name(rng, view, intent, style, imperative)
        if plan is None:
            plan = _plan_unknown(rng, view, intent, style, imperative)
        if plan is not None:
            break
    else:
        return None
    utt = Utt()
    value: list[int | float | str | None] = [None]
    expand(rng, plan.template.seq, utt, _command_fill(rng, plan, style, value))
    _strip_end(utt)
    return utt, plan, value[0]


def _strip_end(utt: Utt) -> bool:
    """Drop final punctuation (the style adds its own); True if it was a question mark."""
    question = False
    while utt.toks and utt.toks[-1].glue and utt.toks[-1].word in ",.?!":
        question = question or utt.toks[-1].word == "?"
        utt.toks.pop()
    return question


# --------------------------------------------------------------------------- wrapping


def _prepend(utt: Utt, words: str, comma: bool) -> None:
    new = [Tok(w, -1, False) for w in words.split()]
    if comma:
        new.append(Tok(",", -1, True))
    utt.toks[:0] = new


def _append(utt: Utt, words: str, comma: bool) -> None:
    if comma:
        utt.toks.append(Tok(",", -1, True))
    utt.toks.extend(Tok(w, -1, w in GLUE) for w in words.split())


def wrap(rng: random.Random, utt: Utt, style: str, *, imperative: bool, command: bool,
         tags: set[str]) -> bool:
    """Politeness, fillers and wake words around an utterance; True if it is a question."""
    question = False
    typed = style != "asr"
    if imperative and rng.random() < 0.3 and utt.toks:
        pre = rng.choice(lx.POLITE_PRE)
        if pre.startswith("{ING}"):
            pre = pre[5:]
            utt.toks[0].word = gerund(utt.toks[0].word)
        _prepend(utt, pre, False)
        question = pre in QUESTION_PRE
        tags.add("polite")
    if rng.random() < (0.18 if command else 0.15):
        post = rng.choice(lx.POLITE_POST)
        _append(utt, post, typed and rng.random() < 0.4)
        question = question or post in QUESTION_POST
        tags.add("polite")
    if rng.random() < 0.1:
        _prepend(utt, rng.choice(lx.FILLERS), typed and rng.random() < 0.5)
        tags.add("filler")
    roll = rng.random()
    if roll < 0.22:
        _prepend(utt, rng.choice(lx.WAKE_WORDS), typed and rng.random() < 0.7)
        tags.add("wake")
    elif roll < 0.25:
        _append(utt, rng.choice(lx.WAKE_WORDS), typed and rng.random() < 0.7)
        tags.add("wake")
    return question


def _asr_noise(rng: random.Random, utt: Utt, kinds: list[str]) -> None:
    """One recogniser-like slip: a homophone, a dropped or repeated word, a hesitation."""
    toks = utt.toks
    # Words just before a device mention stay ("all the lights" must keep its quantifier).
    near = {i - k for i, t in enumerate(toks) if t.span >= 0 for k in (1, 2)}
    op = rng.choice(("sub", "sub", "drop", "dup", "hes", "hes"))
    if op == "sub":
        cands = [i for i, t in enumerate(toks)
                 if (t.span < 0 and t.word.lower() in lx.ASR_SUBS and i not in near)
                 or (t.span >= 0 and kinds[t.span] in ("DEV", "ROOM")
                     and t.word.lower() in lx.ASR_SPAN_SUBS)]
        if cands:
            i = rng.choice(cands)
            table = lx.ASR_SUBS if toks[i].span < 0 else lx.ASR_SPAN_SUBS
            words = rng.choice(table[toks[i].word.lower()]).split()
            toks[i:i + 1] = [Tok(w, toks[i].span, False) for w in words]
    elif op == "drop":
        cands = [i for i, t in enumerate(toks)
                 if t.span < 0 and t.word in lx.DROPPABLE and i not in near]
        if cands and len(toks) > 2:
            del toks[rng.choice(cands)]
    elif op == "dup":
        cands = [i for i, t in enumerate(toks) if not t.glue and t.span < 0 and i not in near]
        if cands:
            i = rng.choice(cands)
            toks.insert(i + 1, Tok(toks[i].word, toks[i].span, False))
    else:
        cands = [i for i in range(1, len(toks))
                 if not toks[i].glue and toks[i].span < 0 and i not in near]
        if cands:
            toks.insert(rng.choice(cands), Tok(rng.choice(lx.HESITATIONS), -1, False))


_CAPITAL_WORDS = {"i": "I", "i'm": "I'm", "i'd": "I'd", "i'll": "I'll", "i've": "I've",
                  "tv": "TV"}


def finish(rng: random.Random, utt: Utt, style: str, question: bool
           ) -> tuple[str, tuple[Span, ...]]:
    """Casing and punctuation for the style, then the text and its character spans."""
    question = _strip_end(utt) or question
    toks = utt.toks
    if style == "asr":
        toks = [t for t in toks if t.word not in (",", ".", "?", "!")]
        for t in toks:
            t.word = t.word.lower()
    elif style == "typed":
        for t in toks:
            t.word = _CAPITAL_WORDS.get(t.word, t.word) if rng.random() < 0.8 else t.word
        if toks:
            toks[0].word = toks[0].word[:1].upper() + toks[0].word[1:]
        end = "?" if question else rng.choice((".", ".", ".", "!", "", ""))
        if end:
            toks.append(Tok(end, -1, True))
    elif style == "lower":
        toks = [t for t in toks if t.word != "," or rng.random() < 0.5]
        if rng.random() < 0.5:
            toks.append(Tok("?" if question else ".", -1, True))
    else:
        for t in toks:
            t.word = t.word.upper()
    parts: list[str] = []
    pos = 0
    bounds: dict[int, list[int]] = {}
    for t in toks:
        if parts and not t.glue:
            parts.append(" ")
            pos += 1
        if t.span >= 0:
            bound = bounds.setdefault(t.span, [pos, pos])
            bound[1] = pos + len(t.word)
        parts.append(t.word)
        pos += len(t.word)
    spans = tuple(sorted((Span(b[0], b[1], utt.kinds[s]) for s, b in bounds.items()),
                         key=lambda span: span.start))
    return "".join(parts), spans


def _style(rng: random.Random) -> str:
    return rng.choices([s for s, _ in STYLES], [w for _, w in STYLES])[0]


# --------------------------------------------------------------------------- examples


def command_example(rng: random.Random, view: HomeView, intent: str) -> Example | None:
    """One labelled command for `intent` in this home, or None if none could be made."""
    style = _style(rng)
    made = render_command(rng, view, intent, style)
    if made is None:
        return None
    utt, plan, value = made
    tags = {style, plan.mode, "command", *plan.tags}
    spoken = style in ("asr", "lower")
    if plan.mode == "name" and len(plan.targets) == 1 and rng.random() < (
            SLIP_SHARE if spoken else SLIP_SHARE / 3) and _dev_slip(rng, view, utt,
                                                                    plan.targets[0]):
        tags.add("slip")
    _trail(rng, utt, plan, intent, asr=style == "asr", tags=tags)
    if plan.template.imperative and rng.random() < LATER_SHARE:
        _append(utt, rng.choice(lx.LATER), style != "asr" and rng.random() < 0.2)
        tags.add("later")
    lead = rng.random() < LEAD_SHARE
    question = _lead(rng, utt, style, plan.template.imperative, tags) if lead else False
    question = wrap(rng, utt, style, imperative=plan.template.imperative and not lead,
                    command=True, tags=tags) or question
    question = question or plan.template.question
    if rng.random() < (0.3 if spoken else 0.08):
        for _ in range(rng.choice((1, 1, 2))):
            _asr_noise(rng, utt, utt.kinds)
        tags.add("noise")
    if rng.random() < (SPLIT_SHARE if spoken else SPLIT_SHARE / 4) and _asr_split(rng, utt):
        tags.add("split")
    if rng.random() < STORY_SHARE:
        _story(rng, utt, style)
        tags.add("story")
    text, spans = finish(rng, utt, style, question)
    if view.home.id == "reference":
        tags.add("reference")
    targets = tuple(dict.fromkeys(plan.targets))
    return Example(text=text, intent=intent, spans=spans, targets=targets, value=value,
                   home_id=view.home.id, camera_room=plan.camera_room,
                   pointed_device=plan.pointed, tags=frozenset(tags))


def _trail(rng: random.Random, utt: Utt, plan: Plan, intent: str, *, asr: bool,
           tags: set[str]) -> None:
    """ "turn the tv down a bit for the baby": how much and what for, after the command,
    never inside a span."""
    tpl = plan.template
    if (intent in AMOUNT_INTENTS and tpl.imperative and not _HAS_AMOUNT.search(tpl.text)
            and rng.random() < AMOUNT_SHARE):
        pool = lx.TRAIL_AMOUNT + (lx.TRAIL_DEGREES if plan.dtype == "climate" else ())
        _append(utt, rng.choice(pool), False)
        tags.add("trail")
    if rng.random() < TRAIL_SHARE:
        _append(utt, rng.choice(lx.TRAIL_PURPOSE), not asr and rng.random() < 0.15)
        tags.add("trail")


def _story(rng: random.Random, utt: Utt, style: str) -> None:
    """ "so I just got back from work and the traffic was awful , anyway dim the lights":
    a story of two to four clauses before the command, often longer than the model reads
    (its end is kept)."""
    clauses = rng.sample(lx.STORY, rng.choice((2, 3, 4, 5, 6)))
    joiner = rng.choice(lx.STORY_JOINERS)
    words = " and ".join(clauses)
    if rng.random() < 0.5:
        words = rng.choice(("so", "well", "right so", "okay so", "honestly")) + " " + words
    _prepend(utt, f"{words} {joiner}".strip() if style != "asr" or "," not in joiner
             else f"{words} {joiner.replace(',', '').strip()}".strip(), False)


def _lead(rng: random.Random, utt: Utt, style: str, imperative: bool, tags: set[str]) -> bool:
    """ "we're heading out , lock the front door": a context clause before the command.
    True if the joiner makes it a question ("..., can you ...")."""
    joiner = rng.choice(lx.LEAD_JOINERS)
    if joiner and not imperative:
        joiner = rng.choice(("", "so", "and"))
    if joiner:
        _prepend(utt, joiner, False)
    _prepend(utt, rng.choice(lx.LEAD_CONTEXT), style != "asr" or rng.random() < 0.3)
    tags.add("lead")
    return joiner in QUESTION_PRE


def _dev_slip(rng: random.Random, view: HomeView, utt: Utt, dev_id: str) -> bool:
    """Misspell one word of the device mention as a recogniser would ("front dor"), only
    when the resolver still finds the same device."""
    spans = [i for i, kind in enumerate(utt.kinds) if kind == "DEV"]
    if len(spans) != 1:
        return False
    idx = [i for i, t in enumerate(utt.toks) if t.span == spans[0]]
    cands = [i for i in idx if utt.toks[i].word in lx.SPAN_SLIPS]
    if not cands:
        return False
    i = rng.choice(cands)
    words = rng.choice(lx.SPAN_SLIPS[utt.toks[i].word]).split()
    new = [t.word for t in utt.toks[idx[0]:i]] + words + [
        t.word for t in utt.toks[i + 1:idx[-1] + 1]]
    if not view.mention_is(" ".join(new), dev_id):
        return False
    utt.toks[i:i + 1] = [Tok(w, spans[0], False) for w in words]
    return True


def _asr_split(rng: random.Random, utt: Utt) -> bool:
    """A split or near-homophone of a small word outside the spans: "un mute", "app"."""
    cands = [i for i, t in enumerate(utt.toks) if t.span < 0 and t.word.lower() in lx.ASR_SPLITS]
    if not cands:
        return False
    i = rng.choice(cands)
    words = rng.choice(lx.ASR_SPLITS[utt.toks[i].word.lower()]).split()
    utt.toks[i:i + 1] = [Tok(w, -1, False) for w in words]
    return True


def _verb_phrase(rng: random.Random, view: HomeView, style: str) -> list[Tok]:
    """A command verb phrase with its spans removed, for use inside a non-command."""
    intents = list(INTENT_WEIGHTS)
    weights = [INTENT_WEIGHTS[i] for i in intents]
    for _ in range(6):
        made = render_command(rng, view, rng.choices(intents, weights)[0], style, True)
        if made is not None and made[1].template.imperative:
            return [Tok(t.word, -1, t.glue) for t in made[0].toks]
    return [Tok("turn", -1, False), Tok("it", -1, False), Tok("off", -1, False)]


class _NoneFill:
    """Slot filler for non-command templates: plain words, never spans."""

    def __init__(self, rng: random.Random, view: HomeView, style: str, types: frozenset[str]):
        self.rng, self.view, self.style, self.types = rng, view, style, types
        self.device: tuple[list[Piece], str, bool] | None = None

    def _device(self) -> tuple[list[Piece], str, bool]:
        if self.device is None:
            rng, view = self.rng, self.view
            devs = [d for d in view.home.devices if not self.types or d.type in self.types]
            roll = rng.random()
            if devs and roll < 0.75:
                surface = _surface(rng, rng.choice(devs))
            elif roll < 0.88 and (not self.types or "light" in self.types):
                surface = rng.choice(("lights", "light", "fan", "lamp"))
            else:
                dtype = rng.choice(sorted(self.types) or sorted(lx.DEVICE_POOL))
                surface = rng.choice(rng.choice(lx.DEVICE_POOL[dtype]).split("|"))
            art = _article(rng, surface, False, self.style) or [("the", None)]
            pieces = [*art, (surface, None)]
            if rng.random() < 0.12 and view.room_ids:
                pieces += room_pieces(rng, view, rng.choice(view.room_ids), self.style)
            self.device = (pieces, surface, _plural(surface))
        return self.device

    def __call__(self, name: str) -> Sequence[Piece]:
        rng = self.rng
        if name == "D":
            return self._device()[0]
        if name == "DN":
            return [(self._device()[1], None)]
        if name == "BE":
            return [("are" if self._device()[2] else "is", None)]
        if name == "ROOM":
            return [(w, None) for w, _ in room_pieces(rng, self.view,
                                                      rng.choice(self.view.room_ids),
                                                      self.style, prep=False)]
        if name == "RQ":
            roll = rng.random()
            if roll < 0.4:
                return [(w, None) for w, _ in room_pieces(rng, self.view,
                                                          rng.choice(self.view.room_ids),
                                                          self.style)]
            return [(rng.choice(("in here", "upstairs", "downstairs", "inside", "")), None)]
        if name == "C":
            return [(color_pieces(rng)[0][0][0], None)]
        if name in ("VP", "VPING", "VPED", "VPS"):
            toks = _verb_phrase(rng, self.view, self.style)
            verb = toks[0].word
            toks[0].word = {"VP": verb, "VPING": gerund(verb), "VPED": past(verb),
                            "VPS": third_person(verb)}[name]
            return [(" ".join(t.word for t in toks), None)]
        return [(rng.choice(lx.FILLS[name]), None)]


def salad_example(rng: random.Random, view: HomeView) -> Example:
    """A bag of the home's device and room words with glue between, a verb last at most:
    "router garden but quickly or", "dining room light kettle". Not a request."""
    style = _style(rng)
    words: list[str] = []
    for _ in range(rng.choice((1, 2, 2, 3))):
        words.append(_surface(rng, rng.choice(view.home.devices)) if view.home.devices
                     else rng.choice(("lamp", "kettle")))
    for _ in range(rng.choice((0, 1, 1, 2))):
        words.append(view.room_name(rng, rng.choice(view.room_ids)))
    for _ in range(rng.choice((0, 1, 2, 2, 3))):
        words.append(rng.choice(lx.SALAD_GLUE))
    rng.shuffle(words)
    if rng.random() < 0.25:
        words.append(rng.choice(lx.SALAD_VERBS))
    utt = Utt()
    utt.add(" ".join(words))
    text, _ = finish(rng, utt, style, False)
    return Example(text=text, intent="none", home_id=view.home.id,
                   camera_room=_pick_camera(rng, view),
                   tags=frozenset({style, "none", "none:salad"}))


def none_example(rng: random.Random, view: HomeView) -> Example:
    """One non-command: no spans, no targets."""
    if rng.random() < SALAD_SHARE:
        return salad_example(rng, view)
    style = _style(rng)
    cats = NONE_TEMPLATES
    cat, _, tpls = rng.choices(cats, [w for _, w, _ in cats])[0]
    tpl = rng.choice(tpls)
    utt = Utt()
    expand(rng, tpl.seq, utt, _NoneFill(rng, view, style, tpl.types))
    _strip_end(utt)
    tags = {style, "none", f"none:{cat}"}
    question = wrap(rng, utt, style, imperative=tpl.imperative, command=False,
                    tags=tags) or tpl.question
    if rng.random() < (0.3 if style in ("asr", "lower") else 0.08):
        _asr_noise(rng, utt, utt.kinds)
        tags.add("noise")
    text, _ = finish(rng, utt, style, question)
    if view.home.id == "reference":
        tags.add("reference")
    return Example(text=text, intent="none", home_id=view.home.id,
                   camera_room=_pick_camera(rng, view), tags=frozenset(tags))


def example(rng: random.Random, view: HomeView) -> Example:
    """One labelled utterance for this home: a command or (about a third) a non-command.

    An intent whose device type the home lacks is mostly drawn again, so that commands
    about devices the home does not have stay a minority.
    """
    if rng.random() >= NONE_SHARE:
        intents = list(INTENT_WEIGHTS)
        weights = [INTENT_WEIGHTS[i] for i in intents]
        for _ in range(4):
            intent = rng.choices(intents, weights)[0]
            if view.usable.get(intent) or rng.random() < 0.3:
                break
        for _ in range(4):
            made = command_example(rng, view, intent)
            if made is not None:
                return made
    return none_example(rng, view)


def generate(seed: int, n_homes: int = 400, per_home: int = 250,
             reference: Home | None = None) -> list[Example]:
    """`n_homes * per_home` labelled examples, deterministic for `seed`.

    Homes are `make_homes(seed, n_homes)`. With a reference home, REFERENCE_SHARE of the
    examples are written for it (home_id "reference") and the rest over the random homes.
    The list is shuffled.
    """
    total = n_homes * per_home
    n_ref = round(total * REFERENCE_SHARE) if reference is not None else 0
    out: list[Example] = []
    homes = make_homes(seed, n_homes)
    for i, home in enumerate(homes):
        rng = random.Random(f"gen:{seed}:{i}")
        view = HomeView(home)
        count = (total - n_ref) // n_homes + (1 if i < (total - n_ref) % n_homes else 0)
        out.extend(example(rng, view) for _ in range(count))
    if reference is not None:
        rng = random.Random(f"gen:{seed}:reference")
        view = HomeView(reference)
        out.extend(example(rng, view) for _ in range(n_ref))
    random.Random(f"shuffle:{seed}").shuffle(out)
    return out


def _main(argv: list[str]) -> None:
    from assistant.corpus.homes import reference_home

    seed = int(argv[0]) if argv else 0
    try:
        reference: Home | None = reference_home()
    except FileNotFoundError:
        reference = None
    start = time.perf_counter()
    data = generate(seed, reference=reference)
    elapsed = time.perf_counter() - start
    print(f"{len(data)} examples in {elapsed:.1f} s ({len(data) / elapsed:.0f}/s), "
          f"reference home: {'yes' if reference else 'no (devices.yaml not found)'}")
    counts = Counter(e.intent for e in data)
    for intent in INTENTS:
        print(f"  {intent:17s} {counts[intent]:6d}  {100 * counts[intent] / len(data):5.1f}%")
    tags = Counter(t for e in data for t in e.tags)
    print("tags:", ", ".join(f"{t}={n}" for t, n in sorted(tags.items())))
    print("no targets (commands):",
          sum(1 for e in data if e.intent != "none" and not e.targets))
    rng = random.Random(seed)
    for ex in rng.sample(data, 30):
        marked = ex.text
        for span in sorted(ex.spans, key=lambda s: -s.start):
            marked = (f"{marked[:span.start]}[{marked[span.start:span.end]}]{span.kind}"
                      f"{marked[span.end:]}")
        print(f"{ex.intent:16s} {marked!r} targets={list(ex.targets)} value={ex.value!r} "
              f"cam={ex.camera_room} point={ex.pointed_device}")


if __name__ == "__main__":
    _main(sys.argv[1:])
