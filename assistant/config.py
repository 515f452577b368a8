"""devices.yaml: loaded into validated, frozen models; every error names file, line and key.

Only this module touches the YAML file. Validation is pydantic with `extra="forbid"`, so a
typo in a key is an error rather than a silently ignored setting (as Frigate does).
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from assistant.errors import ConfigError, InputError
from assistant.input_files import read_regular
from assistant.labels import INTENTS
from assistant.topics import overlaps, topic_problem, within

_ID = r"^[a-z0-9_]+$"
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _topic(value: str | None) -> str | None:
    """A field validator: a topic (or part of one) the assistant may publish to."""
    if value is not None:
        problem = topic_problem(value)
        if problem is not None:
            raise ValueError(f"MQTT topic {problem}")
    return value


class Room(_Strict):
    name: str = Field(min_length=1, description="What people call the room.")
    aliases: tuple[str, ...] = Field(default=(), description="Other names for it.")


class Camera(_Strict):
    source: str | int = Field(description="Camera index, /dev/videoN, RTSP/HTTP URL, video "
                                          "file or image folder.")
    room: str = Field(description="Room id the camera sees; default room for its commands.")
    fps: float = Field(default=5.0, gt=0, le=60, description="Frames per second to read.")
    zones: dict[str, tuple[Fraction, Fraction, Fraction, Fraction]] = Field(
        default_factory=dict, description="Device id -> [x, y, w, h] as frame fractions.")

    @field_validator("zones")
    @classmethod
    def _zones_inside(cls, zones: dict[str, tuple[float, float, float, float]]
                      ) -> dict[str, tuple[float, float, float, float]]:
        for device, (x, y, w, h) in zones.items():
            if w <= 0 or h <= 0 or x + w > 1.0001 or y + h > 1.0001:
                raise ValueError(f"zone of {device!r} must lie inside the frame with w, h > 0")
        return zones


class MqttTemplate(_Strict):
    topic: str = Field(min_length=1, description="Topic every command of this device goes to.")
    payloads: dict[str, str] = Field(description="Intent -> payload; {value} is substituted.")

    _topic = field_validator("topic")(_topic)

    @field_validator("payloads")
    @classmethod
    def _known_intents(cls, payloads: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(payloads) - set(INTENTS))
        if unknown:
            raise ValueError(f"unknown intent(s) {', '.join(unknown)}")
        return payloads


class DeviceMqtt(_Strict):
    preset: Literal["zigbee2mqtt", "tasmota", "valetudo", "generic"] | None = Field(
        default=None, description="Firmware convention used to command the device.")
    topic: str | None = Field(default=None, description="Device topic; default: the id.")
    base: str | None = Field(default=None, description="Topic root for the generic preset.")
    template: MqttTemplate | None = Field(default=None, description="Explicit topic/payloads.")

    _topics = field_validator("topic", "base")(_topic)

    @model_validator(mode="after")
    def _one_form(self) -> DeviceMqtt:
        if (self.preset is None) == (self.template is None):
            raise ValueError("give exactly one of 'preset' or 'template'")
        return self

    def routes(self, device_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the topics this device's commands are published to, the topics at or below
        which a message reaches the device). The formulas are `assistant.commands`'s; a
        test keeps the two in step."""
        if self.template is not None:
            return (self.template.topic,), (self.template.topic,)
        topic = self.topic or device_id
        match self.preset:
            case "zigbee2mqtt":  # also zigbee2mqtt/<name>/set/<attribute>
                return (f"zigbee2mqtt/{topic}/set",), (f"zigbee2mqtt/{topic}/set",)
            case "tasmota":  # every command of the device is under cmnd/<topic>/
                return (tuple(f"cmnd/{topic}/{c}" for c in ("POWER", "Dimmer", "Color")),
                        (f"cmnd/{topic}",))
            case "valetudo":
                return ((f"valetudo/{topic}/BasicControlCapability/operation/set",),
                        (f"valetudo/{topic}",))
            case _:
                routed = f"{self.base or 'home'}/{topic}/set"
                return (routed,), (routed,)


class Device(_Strict):
    name: str = Field(min_length=1, description="The name people use.")
    aliases: tuple[str, ...] = Field(default=(), description="Other names people use.")
    type: Literal["light", "switch", "fan", "media_player", "cover", "climate", "lock",
                  "vacuum"]
    room: str = Field(description="Room id.")
    features: tuple[Literal["brightness", "color", "volume", "mute", "position",
                            "temperature"], ...] = ()
    sensitive: bool = Field(default=False, description="Ask for confirmation before acting.")
    mqtt: DeviceMqtt


class Mqtt(_Strict):
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=1883, ge=1, le=65535)
    client_id: str = "milm-assistant"
    prefix: str = "assistant"
    keepalive: int = Field(default=30, ge=5)
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    username: str | None = None
    password_file: str | None = Field(default=None, description="Password file; or the "
                                      "systemd credential mqtt_password. Never inline.")
    insecure: bool = Field(default=False, description="Skip the TLS host-name check.")
    queue_max: int = Field(default=100, ge=1, description="Commands kept while the broker "
                           "is down; the oldest are dropped beyond this.")
    queue_max_age_s: float = Field(default=60.0, gt=0, description="A queued command older "
                                   "than this is dropped, not delivered late.")
    reconnect_min_s: int = Field(default=1, ge=1)
    reconnect_max_s: int = Field(default=30, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _password_file_is_a_path(cls, data: Any) -> Any:
        # Checked here, not as a field: a field error would echo the value, and a password
        # put in password_file by mistake would be printed.
        if isinstance(data, dict):
            value = data.get("password_file")
            if value is not None and not (isinstance(value, str) and value.strip()
                                          and "\n" not in value):
                raise ValueError("password_file must be the path of a file holding the "
                                 "password (its value is not shown)")
        return data

    @field_validator("prefix")
    @classmethod
    def _prefix_is_a_topic(cls, prefix: str) -> str:
        problem = topic_problem(prefix) or ("ends with '/'" if prefix.endswith("/") else None)
        if problem is not None:
            raise ValueError(f"MQTT topic prefix {problem}")
        return prefix


class Speech(_Strict):
    backend: Literal["auto", "vosk", "pocketsphinx"] = "auto"
    vosk_model: str | None = Field(default=None, description="Vosk model directory; or "
                                   "$VOSK_MODEL_PATH. Never downloaded silently.")
    vosk_phrase_list: bool = Field(
        default=False, description="Restrict Vosk to the home's words (small models only); "
        "off: free transcription, so phrasing outside the list is heard too.")
    pocketsphinx: Literal["lm", "grammar"] = Field(
        default="lm", description="PocketSphinx decodes with a language model of this home "
        "(built from the phrase generator, cached) or the old grammar of command shapes.")
    denoise: Literal["auto", "on", "off"] = Field(
        default="auto", description="An utterance less than 15 dB above its noise floor is "
        "decoded through RNNoise too. auto: for PocketSphinx (trained on clean speech), not "
        "for Vosk (its models are trained with noise; no English Vosk figure is measured).")
    wake_phrase: str | None = Field(default=None, description="Off when null.")
    camera: str | None = Field(default=None, description="Camera of the microphone's room: "
                               "its frame and room go with every utterance.")
    microphone: str | int | None = Field(default=None, description="sounddevice device.")
    endpoint_silence_s: float = Field(default=0.5, gt=0, le=5,
                                      description="Silence that ends an utterance.")
    confirm_timeout_s: float = Field(default=10.0, gt=0,
                                     description="How long a confirmation request waits.")


class ModelSettings(_Strict):
    path: str | None = None
    providers: Literal["auto", "cpu", "cuda"] = "auto"
    threads: int = Field(default=1, ge=1, le=64)


class Policy(_Strict):
    act_threshold: float = Field(default=0.6, ge=0, le=1)
    ignore_threshold: float = Field(default=0.5, ge=0, le=1)
    grounding_threshold: float = Field(
        default=0.7, ge=0, le=1, description="Share of the model's grounding a pointed-at "
        "device's zone needs (and 1.5x the next zone's) to act on \"this\"/\"that\". 0.7 was "
        "set on rendered dev scenes (2 x 240, layout seeds 7001-7002, not the benchmark's): "
        "with the shipped model, wrong devices 29 -> 11 of 480 for right ones 312 -> 230 "
        "against 0.5 (0.6: 16 and 280).")
    speech_threshold: float = Field(
        default=0.7, ge=0, le=1, description="Recognizer confidence (mean word posterior) "
        "a spoken command needs to act; below it the assistant asks again. 0.7 was set on "
        "2152 spoken dev clips (against 0.5: wrong actions 20 -> 11, exact answers 1483 -> "
        "1405; assistant/alternatives.py).")
    fuzzy_threshold: float = Field(default=85.0, ge=0, le=100,
                                   description="rapidfuzz score a name match needs.")


class HomeConfig(_Strict):
    version: Literal[1] = 1
    rooms: dict[Annotated[str, Field(pattern=_ID)], Room]
    cameras: dict[Annotated[str, Field(pattern=_ID)], Camera] = Field(default_factory=dict)
    devices: dict[Annotated[str, Field(pattern=_ID)], Device]
    mqtt: Mqtt = Field(default_factory=Mqtt)
    speech: Speech = Field(default_factory=Speech)
    model: ModelSettings = Field(default_factory=ModelSettings)
    policy: Policy = Field(default_factory=Policy)

    @model_validator(mode="after")
    def _names_and_topics_are_unambiguous(self) -> HomeConfig:
        """Names and aliases unique in the home (one name, one device: the resolver and the
        phrase generator rely on it); no device publishes to the assistant's own topics;
        no device publishes to another's topic when either of them is sensitive."""
        errors: list[InitErrorDetails] = []

        def error(loc: tuple[str | int, ...], value: str, message: str) -> None:
            errors.append(InitErrorDetails(type=PydanticCustomError(
                "home_conflict", "{message}", {"message": message}), loc=loc, input=value))

        owner: dict[str, str] = {}
        for dev_id, dev in self.devices.items():
            spoken = [(("devices", dev_id, "name"), dev.name)] + [
                (("devices", dev_id, "aliases", str(i)), a) for i, a in enumerate(dev.aliases)]
            for loc, name in spoken:
                key = " ".join(name.lower().split())
                other = owner.setdefault(key, dev_id)
                if other != dev_id:
                    error(loc, name, f"{name!r} is already a name of {other}: names and "
                          "aliases must be unique in a home")
        routes = {dev_id: dev.mqtt.routes(dev_id) for dev_id, dev in self.devices.items()}
        for dev_id, (topics, _) in routes.items():
            for topic in topics:
                problem = topic_problem(topic)
                if problem is not None:
                    error(("devices", dev_id, "mqtt"), topic, f"MQTT topic {problem}")
                elif overlaps(topic, self.mqtt.prefix):
                    error(("devices", dev_id, "mqtt"), topic, "publishes under the assistant's "
                          f"own topics ({self.mqtt.prefix}/...)")
        def shared(x: str, y: str) -> str | None:  # a topic of x that reaches y
            return next((t for t in routes[x][0] for zone in routes[y][1] if within(t, zone)),
                        None)

        ids = list(self.devices)
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                sens_a, sens_b = self.devices[a].sensitive, self.devices[b].sensitive
                hit = (sens_a or sens_b) and (shared(a, b) or shared(b, a))
                if hit:  # reported at the device that is not sensitive (else the later one)
                    blame, other = (a, b) if sens_b and not sens_a else (b, a)
                    error(("devices", blame, "mqtt"), hit, f"shares MQTT topic {hit!r} with "
                          f"{other}: no device may publish to another's topic when either "
                          "is sensitive")
        if errors:
            raise ValidationError.from_exception_data("HomeConfig", errors)
        return self


# -- loading with line numbers ------------------------------------------------------------


# Limits on devices.yaml (docs/input-limits.md): checked before anything is built.
MAX_CONFIG_BYTES = 2**20  # the reference home is 9 KB; checked before reading
MAX_CONFIG_DEPTH = 16  # the deepest key is 5 levels down (devices.x.mqtt.template.payloads)
MAX_INT_DIGITS = 32
# What YAML 1.1 allows in a stream (PyYAML's reader); anything else is an error here,
# with its line, instead of a ReaderError from deep inside the parser.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                       "\U00010000-\U0010ffff]")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that rejects what devices.yaml has no use for and what can blow up:
    duplicate keys (YAML silently keeps the last one), aliases (a 537-byte "billion
    laughs" file expands to billions of nodes for anything that walks it), nesting past
    MAX_CONFIG_DEPTH (the composer recurses) and integers past MAX_INT_DIGITS (Python
    refuses ints over 4300 digits). Each is a MarkedYAMLError, so it has a line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in devices.yaml",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_CONFIG_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_CONFIG_DEPTH} levels",
                    self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date of month 13
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read the value ({exc})", node.start_mark) from None


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    digits = sum(c.isdigit() for c in str(node.value))
    if digits > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None, None, f"number too long ({digits} digits)", node.start_mark)
    value: int = loader.construct_yaml_int(node)
    return value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _key_lines(node: yaml.Node, path: tuple[str, ...], out: dict[tuple[str, ...], int]) -> None:
    """Record the 1-based line of every key path (and list index) in the YAML tree."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = (*path, str(key_node.value))
            out[sub] = key_node.start_mark.line + 1
            _key_lines(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, str(i))
            out[sub] = item.start_mark.line + 1
            _key_lines(item, sub, out)


def _reference_problems(data: dict[str, Any]) -> list[tuple[tuple[str, ...], str]]:
    """Cross-references (device room, camera room, zone device), checked on the raw data so
    they are reported together with field errors rather than after those are fixed."""
    def ids(section: str) -> dict[str, Any]:
        value = data.get(section)
        return value if isinstance(value, dict) else {}

    rooms, devices = ids("rooms"), ids("devices")
    problems: list[tuple[tuple[str, ...], str]] = []
    for dev_id, dev in devices.items():
        room = dev.get("room") if isinstance(dev, dict) else None
        if isinstance(room, str) and room not in rooms:
            problems.append((("devices", dev_id, "room"), f"unknown room {room!r}"))
    for cam_id, cam in ids("cameras").items():
        if not isinstance(cam, dict):
            continue
        room = cam.get("room")
        if isinstance(room, str) and room not in rooms:
            problems.append((("cameras", cam_id, "room"), f"unknown room {room!r}"))
        zones = cam.get("zones")
        for dev_id in zones if isinstance(zones, dict) else {}:
            if dev_id not in devices:
                problems.append((("cameras", cam_id, "zones", str(dev_id)), "unknown device"))
    speech = data.get("speech")
    camera = speech.get("camera") if isinstance(speech, dict) else None
    if isinstance(camera, str) and camera not in ids("cameras"):
        problems.append((("speech", "camera"), f"unknown camera {camera!r}"))
    return problems


def _line_of(lines: dict[tuple[str, ...], int], path: tuple[str, ...]) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _compose(file: Path) -> tuple[yaml.Node | None, Any]:
    """The YAML tree (for lines) and its data, or ConfigError with file:line."""
    try:
        raw = read_regular(os.fspath(file), "config file", MAX_CONFIG_BYTES)
    except InputError as exc:
        raise ConfigError([str(exc)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError([f"{file}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x})"]
                          ) from None
    bad = _NOT_YAML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ConfigError([f"{file}:{line}: control character U+{ord(bad.group()):04X} "
                           "(YAML takes tabs, line breaks and printable text)"])
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([f"{file}:{line}: invalid YAML: {exc.problem or exc.context}"]
                          ) from None
    except yaml.YAMLError as exc:  # the reader's errors carry no mark
        raise ConfigError([f"{file}:1: invalid YAML: {exc}"]) from None
    finally:
        loader.dispose()


def load_config(path: str | os.PathLike[str]) -> HomeConfig:
    """Read and validate devices.yaml; raise ConfigError listing every problem.

    Only a regular file of at most MAX_CONFIG_BYTES is read; YAML aliases, nesting past
    MAX_CONFIG_DEPTH, control characters and bytes that are not UTF-8 are errors with
    the file and line."""
    file = Path(path)
    node, data = _compose(file)
    if not isinstance(data, dict) or node is None:
        raise ConfigError([f"{file}:1: expected a mapping with rooms and devices"])
    lines: dict[tuple[str, ...], int] = {}
    _key_lines(node, (), lines)
    problems = [(_line_of(lines, loc), f"{'.'.join(loc)}: {msg}")
                for loc, msg in _reference_problems(data)]
    config: HomeConfig | None = None
    try:
        config = HomeConfig.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = f" (got {_shown(value)})" if not isinstance(value, dict | list) else ""
            if err["type"] == "extra_forbidden":
                msg, shown = "unknown key", ""
            problems.append((_line_of(lines, loc), f"{'.'.join(loc) or 'top level'}: {msg}{shown}"))
    if problems or config is None:
        raise ConfigError([f"{file}:{line}: {msg}" for line, msg in sorted(problems)])
    return config


def device_words(config: HomeConfig) -> dict[str, tuple[str, ...]]:
    """Device id -> every name people use for it, lowercase."""
    return {dev_id: tuple(n.lower() for n in (dev.name, *dev.aliases))
            for dev_id, dev in config.devices.items()}


def room_words(config: HomeConfig) -> dict[str, tuple[str, ...]]:
    """Room id -> every name people use for it, lowercase."""
    return {room_id: tuple(n.lower() for n in (room.name, *room.aliases))
            for room_id, room in config.rooms.items()}


