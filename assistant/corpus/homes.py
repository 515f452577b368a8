"""Homes the generator writes utterances for: the reference home and random ones.

A `Home` is what the resolver sees of a devices.yaml: rooms with their spoken names,
devices with names, aliases, type, room, features and sensitivity, and the cameras
with the frame zone of each device they see. `random_home` draws plausible, varied
homes so the model learns device and room words from context rather than by heart.

Names and aliases are unique within a home (a name picks one device wherever the
speaker is), and a bare kind word ("fan", "light") is a name only when the home has
a single device of that type, so the kind rules of docs/labeling.md stay unambiguous.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.corpus import lexicon as lx
from assistant.labels import DEVICE_TYPES

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Device:
    """A device of a home, as devices.yaml describes it (spoken forms lower case)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    type: str  # one of labels.DEVICE_TYPES
    room: str  # a room id of the home
    features: tuple[str, ...] = ()
    sensitive: bool = False

    @property
    def surfaces(self) -> tuple[str, ...]:
        """Every spoken form that picks this device: the name, then the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Camera:
    """A camera: the room it watches and the frame zone [x, y, w, h] of each device."""

    id: str
    room: str
    zones: dict[str, Box] = field(default_factory=dict)


@dataclass(frozen=True)
class Home:
    """Rooms (id -> spoken names, the usual one first), devices and cameras."""

    id: str
    rooms: dict[str, tuple[str, ...]]
    devices: tuple[Device, ...]
    cameras: tuple[Camera, ...] = ()

    def device(self, device_id: str) -> Device:
        """The device with this id (KeyError if the home has none)."""
        for dev in self.devices:
            if dev.id == device_id:
                return dev
        raise KeyError(device_id)


# --------------------------------------------------------------------------- loading


def _names(value: Any) -> tuple[str, ...]:
    """Spoken names of a room entry: {name, aliases} or a plain list of names."""
    if isinstance(value, dict):
        first = [value["name"]] if value.get("name") else []
        names = first + list(value.get("aliases") or [])
    elif isinstance(value, str):
        names = [value]
    else:
        names = list(value or [])
    out: list[str] = []
    for name in names:
        low = str(name).strip().lower()
        if low and low not in out:
            out.append(low)
    return tuple(out)


def _entries(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """(id, spec) pairs from a mapping id -> spec or a list of specs with an `id`."""
    if isinstance(value, dict):
        return [(str(key), dict(spec or {})) for key, spec in value.items()]
    return [(str(spec["id"]), dict(spec)) for spec in value or []]


def home_from_dict(data: dict[str, Any], home_id: str = "reference") -> Home:
    """Build a Home from parsed devices.yaml data (the JSON list form works too)."""
    rooms = {room_id: _names(spec) or (room_id.replace("_", " "),)
             for room_id, spec in (data.get("rooms") or {}).items()}
    devices = []
    for dev_id, spec in _entries(data.get("devices")):
        aliases = tuple(a for a in _names(spec.get("aliases") or [])
                        if a != str(spec["name"]).strip().lower())
        devices.append(Device(
            id=dev_id,
            name=str(spec["name"]).strip().lower(),
            aliases=aliases,
            type=str(spec["type"]),
            room=str(spec["room"]),
            features=tuple(str(f) for f in spec.get("features") or ()),
            sensitive=bool(spec.get("sensitive", False)),
        ))
    cameras = []
    for cam_id, spec in _entries(data.get("cameras")):
        zones = {str(dev): (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
                 for dev, b in (spec.get("zones") or {}).items()}
        cameras.append(Camera(id=cam_id, room=str(spec["room"]), zones=zones))
    return Home(id=home_id, rooms=rooms, devices=tuple(devices), cameras=tuple(cameras))


def reference_home(path: str | Path = "devices.yaml") -> Home:
    """Read the project's devices.yaml (yaml.safe_load) into a Home with id "reference".

    A relative path that does not exist from the working directory is looked up from
    the repository root.
    """
    file = Path(path)
    if not file.is_absolute() and not file.exists():
        file = Path(__file__).resolve().parents[2] / file
    with file.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return home_from_dict(data, "reference")


# --------------------------------------------------------------------------- random homes

_ROOM_NAMES: dict[str, tuple[str, ...]] = dict(lx.ROOM_POOL)
_TYPE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("light", 36.0), ("switch", 18.0), ("media_player", 12.0), ("cover", 9.0),
    ("fan", 7.0), ("climate", 6.0), ("lock", 6.0), ("vacuum", 3.0),
)
_UNSENSITIVE_LOCKS = ("cat flap", "pet door", "cat door", "dog flap")


def slug(text: str) -> str:
    """A lower-case identifier from spoken words: "emma's room" -> "emmas_room"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("'", "")).strip("_")


def _pick_rooms(rng: random.Random) -> dict[str, tuple[str, ...]]:
    n_rooms = rng.randint(5, 12)
    ids: list[str] = [r for r in lx.CORE_ROOMS if rng.random() < 0.85]
    person_rooms: dict[str, tuple[str, ...]] = {}
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        if rng.random() < 0.85:
            person = rng.choice(lx.PERSON_NAMES)
            forms = tuple(f.format(p=person) for f in lx.PERSON_ROOM_FORMS)
            names = forms if rng.random() < 0.5 else forms[:1]
        else:
            names = (rng.choice(lx.ELDER_ROOMS),)
        person_rooms[slug(names[0])] = names
    others = [r for r, _ in lx.ROOM_POOL if r not in ids]
    rng.shuffle(others)
    while len(ids) + len(person_rooms) < n_rooms and others:
        ids.append(others.pop())
    rooms: dict[str, tuple[str, ...]] = {}
    for room_id in ids:
        pool = _ROOM_NAMES[room_id]
        spoken = [pool[0]] + [n for n in pool[1:] if rng.random() < 0.55]
        if len(spoken) > 1 and rng.random() < 0.2:
            rng.shuffle(spoken)
        rooms[room_id] = tuple(spoken)
    for room_id, owned in person_rooms.items():
        if room_id not in rooms:
            rooms[room_id] = owned
    return rooms


def _made_up_word(rng: random.Random) -> str:
    word = "".join(rng.choice(lx.NAME_ONSETS) + rng.choice(lx.NAME_VOWELS)
                   for _ in range(rng.choice((1, 2, 2, 3))))
    return word + rng.choice(lx.NAME_CODAS)


def _device_names(rng: random.Random, dtype: str, entry: str,
                  room_name: str) -> tuple[str, list[str]]:
    """Name and candidate aliases for a device drawn from a pool entry."""
    parts = entry.split("|")
    name, aliases = parts[0], [a for a in parts[1:] if rng.random() < 0.6]
    roll = rng.random()
    if roll < 0.16:  # "bedroom fan", "kitchen lights"
        base = name
        name = f"{room_name} {base}"
        aliases = [f"{room_name} {a}" for a in aliases if rng.random() < 0.4] + [base]
    elif roll < 0.26:  # "kasa plug", "the sonos"
        brand = rng.choice(lx.BRANDS[dtype])
        noun = rng.choice(lx.TYPE_NOUNS[dtype])
        if rng.random() < 0.5:
            name, aliases = brand, [f"{brand} {noun}", *aliases[:1]]
        else:
            name, aliases = f"{brand} {noun}", [brand] if rng.random() < 0.5 else []
    elif roll < 0.32:  # a word nobody has seen: "zorbo", "kelvani lamp"
        word = _made_up_word(rng)
        noun = rng.choice(lx.TYPE_NOUNS[dtype])
        name = word if rng.random() < 0.5 else f"{word} {noun}"
        aliases = [word] if name != word and rng.random() < 0.5 else []
    elif roll < 0.36:  # "grandma's lamp"
        name = f"{rng.choice(lx.OWNERS)} {name.split()[-1]}"
        aliases = [a for a in aliases if rng.random() < 0.5]
    return name, aliases


def _place(rng: random.Random, entry: str, rooms: list[str]) -> str:
    likely = [r for r in lx.DEVICE_ROOMS.get(entry.split("|", maxsplit=1)[0], ()) if r in rooms]
    if likely and rng.random() < 0.85:
        return rng.choice(likely)
    return rng.choice(rooms)


def _device_id(name: str, room: str) -> str:
    return slug(name) if slug(name).startswith(room) else f"{room}_{slug(name)}"


def _draw_devices(rng: random.Random, rooms: dict[str, tuple[str, ...]]
                  ) -> list[tuple[str, str, list[str], str]]:
    """(type, name, aliases, room) tuples, names unique, before alias clean-up."""
    room_ids = list(rooms)
    n_devices = rng.randint(8, 30)
    types = [t for t, _ in _TYPE_WEIGHTS]
    weights = [w for _, w in _TYPE_WEIGHTS]
    chosen = ["light", "light", *rng.choices(types, weights, k=n_devices - 2)]
    if chosen.count("vacuum") > 2:
        chosen = [t for t in chosen if t != "vacuum"] + ["vacuum"]
    drawn: list[tuple[str, str, list[str], str]] = []
    taken: set[str] = set()  # spoken forms of names and of ids read as words
    for dtype in chosen:
        for _ in range(8):  # a name already used: draw again
            entry = rng.choice(lx.DEVICE_POOL[dtype])
            room = _place(rng, entry, room_ids)
            room_name = rooms[room][0]
            name, aliases = _device_names(rng, dtype, entry, room_name)
            if name in lx.KIND_WORDS.get(dtype, ()) or spoken_key(name) in taken:
                name = f"{room_name} {name}"
            keys = {spoken_key(name), spoken_key(_device_id(name, room).replace("_", " "))}
            if not keys & taken:
                taken |= keys
                drawn.append((dtype, name, aliases, room))
                break
    return drawn


_LEADING = re.compile(r"^((the|my|our|a|an|your|all|every|each|both|of|da)\s+)+")


def spoken_key(text: str) -> str:
    """How a resolver compares spoken names: "the Kids' lamps" -> "kids lamp".

    Lower case, apostrophes and punctuation out, leading articles off, a plural last
    word made singular (as assistant/resolve.py normalises names).
    """
    low = text.lower().replace("'s ", "s ").replace("'", "")
    words = re.findall(r"[a-z0-9]+", _LEADING.sub("", low))
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _finalise(rng: random.Random, drawn: list[tuple[str, str, list[str], str]],
              rooms: dict[str, tuple[str, ...]]) -> list[Device]:
    """Ids and alias clean-up: every spoken form (names, aliases, and ids read as words,
    which the resolver also accepts) picks one device only. Aliases that are shared,
    a room's name, or a kind word of a type with several devices are dropped."""
    named: list[tuple[str, str, list[str], str, str]] = []
    taken: set[str] = set()
    for dtype, name, aliases, room in drawn:
        dev_id = _device_id(name, room)
        keys = {spoken_key(name), spoken_key(dev_id.replace("_", " "))}
        if keys & taken:
            continue
        taken |= keys
        named.append((dtype, name, aliases, room, dev_id))
    counts: dict[str, int] = {}
    for _, _, aliases, _, _ in named:
        for key in {spoken_key(a) for a in aliases}:
            counts[key] = counts.get(key, 0) + 1
    per_type: dict[str, int] = {}
    for dtype, *_ in named:
        per_type[dtype] = per_type.get(dtype, 0) + 1
    room_keys = {spoken_key(n) for names in rooms.values() for n in names}
    kind_keys = {spoken_key(w) for words in lx.KIND_WORDS.values() for w in words}
    devices: list[Device] = []
    for dtype, name, aliases, room, dev_id in named:
        own = {spoken_key(name), spoken_key(dev_id.replace("_", " "))}
        keep: list[str] = []
        for alias in aliases:
            key = spoken_key(alias)
            if key in own or counts[key] > 1 or (key in taken and key not in own):
                continue
            if key in room_keys and not (dtype == "cover" and alias == "garage"):
                continue
            if key in kind_keys and (per_type[dtype] > 1
                                     or alias not in lx.KIND_WORDS.get(dtype, ())):
                continue
            keep.append(alias)
            own.add(key)
        if dtype not in DEVICE_TYPES:
            raise ValueError(f"unknown device type {dtype!r} in the device pool")
        devices.append(Device(dev_id, name, tuple(keep), dtype, room, _features(rng, dtype),
                              _sensitive(dtype, name, tuple(keep))))
    return devices


def _features(rng: random.Random, dtype: str) -> tuple[str, ...]:
    if dtype == "light":
        if rng.random() < 0.12:
            return ()
        return ("brightness", "color") if rng.random() < 0.5 else ("brightness",)
    return {
        "media_player": ("volume", "mute"),
        "cover": ("position",) if rng.random() < 0.8 else (),
        "climate": ("temperature",),
    }.get(dtype, ())


def _sensitive(dtype: str, name: str, aliases: tuple[str, ...]) -> bool:
    words = " ".join((name, *aliases))
    if dtype == "lock":
        return not any(w in words for w in _UNSENSITIVE_LOCKS)
    return dtype == "cover" and ("garage" in words or "gate" in words)


def _cameras(rng: random.Random, devices: list[Device]) -> tuple[Camera, ...]:
    by_room: dict[str, list[Device]] = {}
    for dev in devices:
        by_room.setdefault(dev.room, []).append(dev)
    rooms = sorted(by_room, key=lambda r: (-len(by_room[r]), r))
    if not rooms:
        return ()
    count = min(len(rooms), rng.choice((1, 2, 2, 3, 3, 4)))
    chosen = rooms[:max(1, count // 2)]
    rest = rooms[len(chosen):]
    rng.shuffle(rest)
    chosen += rest[:count - len(chosen)]
    cameras = []
    for room in chosen:
        zones: dict[str, Box] = {}
        for dev in by_room[room]:
            if rng.random() < 0.9:
                box = _free_box(rng, list(zones.values()))
                if box is not None:
                    zones[dev.id] = box
        cameras.append(Camera(id=f"{room}_cam", room=room, zones=zones))
    return tuple(cameras)


def _free_box(rng: random.Random, boxes: list[Box]) -> Box | None:
    """A random [x, y, w, h] that overlaps none of `boxes` (None after 40 tries)."""
    for _ in range(40):
        w, h = rng.uniform(0.08, 0.28), rng.uniform(0.08, 0.38)
        x, y = rng.uniform(0, 1 - w), rng.uniform(0, 1 - h)
        gap = 0.04
        if all(x + w + gap <= bx or bx + bw + gap <= x or y + h + gap <= by or by + bh + gap <= y
               for bx, by, bw, bh in boxes):
            return (math.floor(x * 1000) / 1000, math.floor(y * 1000) / 1000,
                    math.floor(w * 1000) / 1000, math.floor(h * 1000) / 1000)
    return None


def random_home(rng: random.Random, home_id: str | None = None) -> Home:
    """A plausible random home: 5-12 rooms, 8-30 devices, 1-4 cameras."""
    if home_id is None:
        home_id = f"home_{rng.getrandbits(32):08x}"
    rooms = _pick_rooms(rng)
    devices = _finalise(rng, _draw_devices(rng, rooms), rooms)
    # Rooms without devices stay: "turn on the lights in the attic" may find nothing.
    return Home(id=home_id, rooms=rooms, devices=tuple(devices), cameras=_cameras(rng, devices))
