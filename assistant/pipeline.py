"""The brain: text (+ the camera and its frame) -> intent, devices, decision, MQTT commands.

The same object serves `assistant parse` and the daemon, so both run one pipeline:

1. the words around the command are read by rule (assistant/phrasing.py): a wake word
   or an assistant's name is dropped, words a recogniser split are joined, an
   exclusion ("except the bedroom") is set aside, and an utterance with several actions
   ("turn on the lamp and turn off the tv") is cut into clauses;
2. the model reads the whole utterance and each clause, all requests in one batch;
3. each reading is resolved to devices and judged by the policy; clauses with different
   actions each go to their own devices (or the whole utterance clarifies), an
   exclusion removes its devices, a delay or condition ("in five minutes") never acts now.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.alternatives import choose
from assistant.commands import RenderError, render
from assistant.config import Camera, HomeConfig, load_config
from assistant.decode import (
    COLOR_PHRASES,
    TaggedSpan,
    find_number,
    number_phrase,
    parse_color,
    parse_number,
    retaken,
    said_numbers,
    signed,
    spans_from_tags,
    temperature_unit,
)
from assistant.errors import InputError
from assistant.labels import INTENTS, TYPE_INTENTS, VALUE_KIND
from assistant.model import MilmModel, ModelOutput
from assistant.phrasing import (
    AT_LEVEL,
    COLOR_ALT,
    addressed_to_someone,
    after_question,
    after_refusal,
    after_story,
    after_wake,
    and_slip_regex,
    asks_no_change,
    by_itself,
    clean,
    command_head,
    command_tail,
    cooking,
    corrected_request,
    described_colors,
    distribute_kind,
    elsewhere,
    ends_in_correction,
    ends_with_action,
    feeling,
    habit,
    has_action_verb,
    has_cue,
    has_subject_verb,
    implies,
    is_cue_word,
    later,
    mend_and_slip,
    names_alternation,
    need_alone,
    need_words,
    no_request,
    offered,
    one_word_request,
    outdoors,
    own_action,
    own_chore,
    past_report,
    past_statement_subject,
    polite_core,
    request_after_story,
    room_list_regex,
    said_value,
    split_clauses,
    split_except,
    starts_with_action,
    state_then_request,
    statement,
    terse_color,
    thing_said,
    told_in_the_past,
    value_corrected,
    way_doubt,
    wished_state,
    without_condition,
    words_regex,
)
from assistant.policy import IMPLIED_CONFIDENCE, Decision, decide
from assistant.resolve import DEICTIC, HERE, POINTED_ALIASES, Resolution, Resolver, Scene, normalize
from assistant.spelling import Speller
from assistant.types import Command, ParseRequest, ParseResult

log = logging.getLogger(__name__)
_NONE = INTENTS.index("none")
_DOOR_SENSE = {"lock": "close", "unlock": "open"}


_CLIMATE = frozenset({"temperature_up", "temperature_down", "set_temperature"})
# Words that may come before the verb of a command.
# "telly off", "wemo plug on": a device's own name and the word that says the action, all
# of the utterance (a politeness word after it at most).
# "the fan can go off now", "I think the kitchen light should go off": the same, said as
# what should be.
_TERSE = re.compile(r"\W*(?:(?:i think|i reckon|maybe|perhaps)\s+)?(?:(?:the|my|our)\s+)?"
                    r"(?P<dev>[a-z][a-z' -]*?)\s+(?:(?:should|can|could|must|ought to|needs to)"
                    r"\s+(?:go|be|come)\s+(?:switched\s+|turned\s+)?)?(?P<act>on|off)"
                    r"(?:\s+(?:please|now|thanks|thank you|for now))?\W*", re.I)
# "big light lilac", "the bedside lamp to warm white please": a name and a colour.
# (words and the spaces between them kept apart, so a long run of spaces costs no search)
_TERSE_COLOR = re.compile(r"\W*(?:please\s+)?(?:(?:the|my|our)\s+)?"
                          r"(?P<dev>[a-z][a-z'-]*(?:\s+[a-z'-]+)*?)\s+"
                          rf"(?:(?:to|in)\s+)?(?P<color>{COLOR_ALT})"
                          r"(?:\s+(?:please|now|thanks|thank you))?\W*", re.I)
# "start the coffee maker", "switch the wemo off": a plain verb and a device's own name,
# nothing else, read as the terse form is.
_PLAIN_VERBS = {"turn on": "turn_on", "switch on": "turn_on", "power on": "turn_on",
                "turn off": "turn_off", "switch off": "turn_off", "power off": "turn_off",
                "shut off": "turn_off", "start": "start", "stop": "stop", "pause": "stop",
                "open": "open", "close": "close", "shut": "close", "mute": "mute",
                "unmute": "unmute"}
_PLAIN = re.compile(
    r"\W*(?:please\s+)?(?P<act>" + "|".join(v.replace(" ", r"\s+") for v in _PLAIN_VERBS)
    + r")\s+(?:(?:the|my|our)\s+)?(?P<dev>[a-z][a-z' -]*?)"
    r"(?:\s+(?:please|now|thanks|thank you))?\W*", re.I)
# After a device's name, these make it another thing: "open the door app", "the tv
# remote", "a garage sale".
_OTHER_THING = frozenset({"app", "apps", "application", "website", "site", "account",
                          "program", "programme", "game", "password", "code", "remote", "sale",
                          "opener", "battery", "batteries", "manual", "bill", "company"})
# After "this" or "that", things on a screen or in a hand: "brighten up this photo" (what
# a media player plays is not among them: "turn this song down" is the speaker's volume).
_POINTED_THING = frozenset({"photo", "photos", "picture", "pictures", "pic", "pics", "image",
                            "images", "selfie", "page", "document", "doc", "file", "message",
                            "text", "email", "chat", "book", "chapter", "spreadsheet",
                            "slide", "article", "post", "recipe", "essay", "letter", "drawing",
                            "painting"})
# Somebody else's home: "at my sister's house the lights turn on when you clap".
# "at my sister's house", typed without the apostrophe: "at my parents place".
_OTHER_HOME = re.compile(r"(?<![\w'])(?:at|in|round|over at)\s+(?:my|our|his|her|their|the|a)?\s*"
                         r"(?!(?:this|its)(?![\w']))(?P<who>[a-z]+)(?:'s|s'|s(?=\s+(?:house|"
                         r"place|flat|home|apartment)(?![\w'])))(?:\s+(?:house|place|flat|home|"
                         r"apartment|parents|mum|mom|dad))?(?![\w'])", re.I)
# Words about software and accounts: said anywhere, they keep a sensitive device out.
_SOFTWARE_WORDS = (r"apps?|application|website|site|account|program|programme|folder|file|"
                   r"document|browser|tab|email|e-mail|phone|laptop|computer|screen|"
                   r"password|login|settings|game")
_SOFTWARE = words_regex(_SOFTWARE_WORDS)
# ... and what a command that names no device may be about instead: "clean up my inbox".
_SOFTWARE_NEED = words_regex(_SOFTWARE_WORDS + r"|inbox|desktop|cache|history|storage|photos|"
                             r"emails|messages|downloads|disk|drive|memory|contacts|calendar|"
                             r"playlist|notifications")
# The reasons `Brain._told` gives (a statement's is followed by what it is about).
_OWN_CHORE = "the speaker's own chore"
_REPORT = "a report of what was done"
_STATEMENT = "a statement about the "
_TOLD = (_OWN_CHORE, _REPORT, _STATEMENT)
_STANDBY = re.compile(r"(?<![\w'])on(?:\s+to)?\s+stand\s*by(?![\w'])", re.I)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9'][.!?])\s+(?=[A-Za-z])")
_BARE_AND = re.compile(r"[^\s,.;:!?]\s+(?:and|&)\s*$", re.I)
# A clause that ends in a way: "the big light up".
_WAY_END = re.compile(r"(?<![\w'])(?:on|off|up|down)[\s,.!?]*$", re.I)
# "by 20 percent", "by a couple of degrees": a change by an amount, not a level.
_BY_AMOUNT = re.compile(r"(?<![\w'])by\s+(?:a\s+|another\s+|about\s+)?(?:\d|one|two|three|four|"
                        r"five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|half|"
                        r"quarter|couple|few|bit|little|notch|degree|tad)"
                        # "ten percent brighter", "two degrees warmer": an amount, then the way
                        r"|(?<![\w'])(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|"
                        r"fifteen|twenty|thirty|forty|fifty)\s*(?:%|percent|per cent|degrees?|"
                        r"notches?|steps?)?\s+(?:brighter|dimmer|darker|louder|quieter|softer|"
                        r"warmer|cooler|colder|hotter|higher|lower)(?![\w'])", re.I)
_STEPS: dict[str, tuple[str, ...]] = {
    "set_brightness": ("brightness_up", "brightness_down"),
    "set_volume": ("volume_up", "volume_down"),
    "set_temperature": ("temperature_up", "temperature_down"), "set_position": ()}
_LEVEL_OF = {step: level for level, steps in _STEPS.items() for step in steps}
# Words that say which way without "up" or "down": "max", "full blast".
_EXTREME = words_regex(r"max\w*|min\w*|full|blast|loud|bright|warm|hot|cold|cool|dark|dim")
_UPWARD = words_regex(r"brighten\w*|brighter|raise\w*|increase\w*|up|more|louder|warmer|"
                      r"hotter|boost\w*|bump\w*|higher")
_DOWNWARD = words_regex(r"dim\w*|lower\w*|reduce\w*|decrease\w*|down|less|darker|darken\w*|"
                        r"cooler|colder|quieter|softer|drop\w*|cut")
# Words beside a name and a number that still say only "set it to this value".
_VALUE_WORDS = frozenset({"the", "my", "percent", "per", "cent", "%", "degrees", "degree",
                          "please", "and", "a", "point", "celsius", "fahrenheit", "c", "f"})
_PRONOUN = words_regex("it|them|those|these")
_THIS = words_regex("this|that|it|them|those|these")  # a pronoun, or a word that points
# Rows (utterances and their clauses) per model call: the runtime's memory grows with the
# largest call, and clauses, stories and polite leads add rows to a batch of requests.
_MAX_ROWS = 16
# A device's feature on a gadget of the speaker's is not the home's: "turn off the wifi on my
# tablet", "put the heating on in the car".
_ON_GADGET = re.compile(r"(?<![\w'])(?:on|in|of|from|for)\s+(?:my|the|your|our)\s+(?:phone|"
                        r"mobile|cell|tablet|laptop|computer|ipad|iphone|android|pc|mac|"
                        r"macbook|watch|car|kindle|headphones|earbuds|console|xbox|"
                        r"playstation)(?![\w'])", re.I)
# A verb on a pronoun, as a correction says it: "close them", "turn it off instead".
_VERB_ON_PRONOUN = re.compile(
    r"(?:(?:please|just|no|actually|then|so)\s+)*(?P<verb>[a-z]+)\s+(?:them|it|those|that|"
    r"that one|these)(?:\s+(?P<way>on|off|up|down))?(?:\s+(?:please|instead|then|now))*")
# What such a verb asks, when it can ask only one thing: the plain verbs above, and the
# ones a named lock or light takes (the terse form keeps to the plain ones).
_PRONOUN_VERBS = {**_PLAIN_VERBS, "lock": "lock", "unlock": "unlock",
                  "dim": "brightness_down", "brighten": "brightness_up",
                  "turn up": "brightness_up", "turn down": "brightness_down"}
# Verbs whose intent the device's type decides: "lower them" of blinds closes them.
_TYPED_VERBS = {
    "raise": {"cover": "open", "light": "brightness_up", "media_player": "volume_up",
              "climate": "temperature_up"},
    "lower": {"cover": "close", "light": "brightness_down", "media_player": "volume_down",
              "climate": "temperature_down"},
}
# A list or a note read out: "to do: fix the garage door, reset the wifi, clean the fan".
_READ_OUT = re.compile(r"^\W*(?:to ?do|to-do|note to self|notes?|list|reminders?|chores|jobs)"
                       r"(?:\s+for\s+[\w ]{1,20}?)?\s*:", re.I)
# Where a request to play something is to be played: "... on the speaker".
_ON_DEVICE_END = re.compile(r"(?<![\w'])on\s+(?:the|my|our)\s+(?P<device>[a-z][a-z' ]*?)"
                            r"(?:\s+(?:please|now|thanks))?[\s.!?]*$", re.I)
# More of the request after a clause: "... and the lights too".
_MORE_OF_IT = re.compile(r"\W*(?:and|&|plus|also|as well as|with)(?![\w'])", re.I)
# A request that starts with "play" ("can you play ...", "play ..."), and a second request
# joined to it ("play some jazz and dim the lights").
_PLAY_FIRST = re.compile(r"^\W*(?:(?:can|could|would|will|you|u|please|just|now|go on|ok|okay|"
                         r"hey|so)\W+)*play(?![\w'])", re.I)
# A last "and the <thing>" that the tagger left untagged: a device the home may not have.
_AND_THE = re.compile(r"(?<![\w'])and\s+(?:the|my|our)\s+(?P<what>[a-z][a-z-]*(?:\s+[a-z][a-z-]*)?)"
                      r"(?:\s+(?:on|off|up|down|too|as well|please|now))*[\s.!?]*$", re.I)
# Before and after a name said last in a list: "... and the router too".
_AND_BEFORE = re.compile(r"(?<![\w'])and\s+(?:the\s+|my\s+|our\s+)?$", re.I)
_TOO_AFTER = re.compile(r"\s*(?:too|as well|also|please)?[\s.!?]*", re.I)
# Colours said in two words, by name or alias ("warm white", "soft white").
_TWO_WORD_COLORS = {phrase: name for phrase, name in COLOR_PHRASES if " " in phrase}
# Words for no thing in particular ("can't see a thing in the hall"): not a device missing.
_VAGUE = frozenset({"thing", "things", "something", "anything", "everything", "stuff", "one",
                    "lot", "bit", "it", "that", "this", "rest", "others", "other one"})
_WHERE = frozenset({"on", "in", "through", "over", "from", "at", "with"})
_JOINED = re.compile(r"(?<![\w'])(?:and|then|also|plus)(?![\w'])|[,;]", re.I)
# A story told before a command this long (in words) is read on its own as well.
_LONG_STORY = 14
_POLITE = frozenset({"can", "could", "would", "will", "you", "please", "just", "um", "uh",
                     "er", "erm", "so", "ok", "okay", "hey", "right", "now", "quickly"})


@dataclass(frozen=True)
class Plan:
    """How one request is read: the texts the model reads and what is set aside."""

    request: ParseRequest
    rows: tuple[str, ...]  # the utterance (wake word off, exclusion off), then its clauses
    excluded: str | None = None  # "the bedroom" of "... except the bedroom"
    when: str | None = None  # "when i leave" of a command read without it
    corrected: bool = False  # rows[1] is the request as a correction made it


@dataclass(frozen=True)
class Reading:
    """One text the model read, resolved and judged."""

    text: str
    intent: str  # after the device type decides ("turn on the hoover" = start)
    confidence: float
    p_none: float
    spans: tuple[TaggedSpan, ...]
    resolution: Resolution | None
    value: int | float | str | None
    unit: str | None
    verdict: Decision
    pronoun_only: bool = False  # its only device words are "it"/"them": the last clause's

    @property
    def acts(self) -> bool:
        return self.verdict.decision != "ignore"


@dataclass
class Outcome:
    """What a request comes to, before it becomes a ParseResult."""

    readings: list[Reading] = field(default_factory=list)
    decision: str = "ignore"
    reason: str = ""


class Brain:
    """Model + resolver + policy + renderer for one home."""

    def __init__(self, config: HomeConfig, model: MilmModel) -> None:
        self.config = config
        self.model = model
        self.resolver = Resolver(config)
        devices = [normalize(n) for d in config.devices.values() for n in (d.name, *d.aliases)]
        rooms = [normalize(n) for r in config.rooms.values() for n in (r.name, *r.aliases)]
        self._protected = frozenset(devices + rooms)
        self._vocabulary = tuple(sorted({w for n in self._protected for w in n.split()}))
        self._speller = Speller(self._vocabulary, self._protected)
        # The home's names as said, wherever the tagger missed them: words of a name ask
        # for nothing ("front door lock pizza", "espresso machine quickly").
        self._names = _names_regex(self._protected)
        self._device_names = _names_regex(devices)
        self._and_slip = and_slip_regex(devices, rooms)
        self._room_list = room_list_regex(rooms)

    @classmethod
    def load(cls, config_path: str | Path, model_path: str | Path | None = None,
             threads: int | None = None, providers: str | None = None) -> Brain:
        config = load_config(config_path)
        settings = config.model
        path = model_path or settings.path
        model = MilmModel(Path(path) if path else None,
                          providers=providers or settings.providers,
                          threads=threads or settings.threads)
        return cls(config, model)

    def check(self, request: ParseRequest) -> None:
        """Reject what cannot be served before any work is done."""
        if request.camera is not None and request.camera not in self.config.cameras:
            known = ", ".join(self.config.cameras) or "none configured"
            raise InputError(f"unknown camera {request.camera!r} (known: {known})")

    def parse(self, text: str, camera: str | None = None,
              image: npt.NDArray[np.uint8] | None = None) -> ParseResult:
        return self.parse_batch([ParseRequest(text=text, camera=camera, image=image)])[0]

    def parse_batch(self, requests: Sequence[ParseRequest]) -> list[ParseResult]:
        """One model call for the whole batch; results in input order. A request with a
        recognizer's alternatives has each of them parsed (in the same call) and the brain
        chooses among them (`assistant.alternatives`)."""
        for request in requests:
            self.check(request)
        readings = [r for request in requests for r in _readings(request)]
        parsed = self._parse_readings(readings)
        results: list[ParseResult] = []
        at = 0
        for request in requests:
            if not request.alternatives:
                results.append(parsed[at])
                at += 1
                continue
            n = len(request.alternatives)
            results.append(choose(request.alternatives, parsed[at:at + n], self.config.policy))
            at += n
        return results

    def _parse_readings(self, requests: Sequence[ParseRequest]) -> list[ParseResult]:
        started = time.perf_counter()
        plans = [self.plan(r) for r in requests]
        texts = [row for plan in plans for row in plan.rows]
        images = [plan.request.image for plan in plans for _ in plan.rows]
        outputs = [out for at in range(0, len(texts), _MAX_ROWS)
                   for out in self.model.infer(texts[at : at + _MAX_ROWS],
                                               images[at : at + _MAX_ROWS])]
        model_ms = (time.perf_counter() - started) * 1000 / max(1, len(requests))
        results = []
        at = 0
        for plan in plans:
            t0 = time.perf_counter()
            mine = outputs[at : at + len(plan.rows)]
            at += len(plan.rows)
            result = self._interpret(plan, mine)
            timings = {"model_ms": round(model_ms, 3),
                       "resolve_ms": round((time.perf_counter() - t0) * 1000, 3)}
            results.append(replace(result, timings_ms=timings))
        return results

    def plan(self, request: ParseRequest) -> Plan:
        """The texts the model reads for this request."""
        text = distribute_kind(mend_and_slip(clean(self._speller.mend(request.text),
                                                   self._protected, self._vocabulary),
                                             self._and_slip), self._room_list)
        # "kids, stop it, alexa pause the tv": the request is to the assistant
        text = after_wake(text, self._names) or text
        # "make the nursery light blue, sorry, green": the corrected value is what is asked
        text = value_corrected(text) or text
        text = _STANDBY.sub("off", text)  # "put the telly on standby"
        read_out = _READ_OUT.match(text) is not None  # a list or a note: all of it told
        told = past_report(text) or habit(text) or read_out
        if told or own_action(text):
            tail = command_tail(text)
            story = text[: text.rfind(tail)] if tail is not None else text
            if tail is None or read_out or (told and not request_after_story(story, tail)):
                # told, not asked: its parts ask nothing ("recipe says set the oven to 180")
                return Plan(request, (text,), None, None)
            if told:  # "mum says it's freezing in here, turn the heating up": the request
                # after the story is read alone, "it" being the one device the story named
                text = self._with_antecedent(tail, story)
        excluded = None
        refused = after_refusal(text)
        if refused is not None:  # "don't turn the heating off, just turn it down a bit"
            tail, before, kept = refused
            asked = self._with_antecedent(tail, before)
            text, excluded = asked, (before if kept and asked == tail else None)
        cut = split_except(text) if excluded is None else None
        if cut is not None:
            text, excluded = cut
        clauses = [part for sentence in _SENTENCE_END.split(text) if sentence.strip()
                   for part in ([sentence[a:b] for a, b in split_clauses(sentence)]
                                or [sentence])]
        clauses = [c.strip(" ,.") for c in clauses if c.strip(" ,.")]
        clauses = clauses if len(clauses) > 1 else []  # "I'm home. Turn on the hall light."
        # "we're going for a walk, so lock the front door": the part after the story
        clauses = [_after_story_request(c) for c in clauses]
        if len(clauses) > 1:  # "... and open the garage, dad's home": the aside apart
            clauses = [self._without_aside(c) or c for c in clauses]
        rows = (text, *clauses) if len(clauses) > 1 else (text,)
        core = polite_core(text) or wished_state(text)  # "do you mind turning off the telly":
        # read as a request too; "we could do with the heating on": as "the heating on"
        if core is not None and len(rows) == 1:
            rows = (text, core)
        played = self._played_on(text)  # "play heat waves by glass animals on the speaker":
        if played is not None and len(rows) == 1:  # the title is no part of the command
            rows = (text, played)
        fixed = corrected_request(text)  # "the kitchen light on, no wait, the hall light"
        if fixed is not None and len(rows) == 1:
            rows = (text, fixed)
        said = state_then_request(text) if len(rows) == 1 else None
        if said is not None:  # "the heating's off so turn it on": "it" is the heating
            rows = (text, *said)
        # "if it rains close the blinds": the command is read without the "if"; "all the
        # lights off except the hall at eleven": the time said after the exclusion counts
        when = later(excluded) if excluded is not None else None
        apart = without_condition(text) if len(rows) == 1 else None
        if apart is not None:
            rows, when = (text, apart[0]), apart[1]
        head = self._without_aside(text) if len(rows) == 1 else None
        if head is not None:  # "turn the fan on, it's stuffy": the aside is read apart
            rows = (text, head)
        if len(text.split()) >= _LONG_STORY or after_question(text) or len(
                self.model.tokenizer.encode(text, add_special_tokens=False).ids) \
                > self.model.max_length - 2:
            # Long, or longer than the model reads (it keeps the end): the part after the
            # story ("..., anyway could you turn on the light") is read on its own as well,
            # so a word of the story is not taken for a device.
            for tail in dict.fromkeys(t for t in (after_story(text), command_tail(text),
                                                  after_question(text)) if t):
                # a clause holding it, story and all, is read as it
                rows = (text, *(c for c in rows[1:] if c == tail or not c.endswith(tail)),
                        *(() if tail in rows else (tail,)))
        return Plan(request, tuple(rows), excluded, when, len(rows) > 1 and rows[1] == fixed)

    def _played_on(self, text: str) -> str | None:
        """ "play music on the speaker" for a request to play something on a device named
        at its end ("play the new album on the stereo"); None otherwise."""
        if not _PLAY_FIRST.match(text):
            return None
        where = _ON_DEVICE_END.search(text)
        if where is None or not self._device_names.fullmatch(where.group("device")):
            return None
        return f"play music on the {where.group('device')}"

    def _with_antecedent(self, request: str, story: str) -> str:
        """`request` with its one pronoun ("switch it off") put as the one device name the
        story before it said ("every night i forget the porch light"); as it is when the
        story names none or several."""
        names = {m.group(0).lower() for m in self._device_names.finditer(story)}
        pronouns = list(_PRONOUN.finditer(request))
        if len(names) != 1 or len(pronouns) != 1:
            return request
        at = pronouns[0]
        return f"{request[: at.start()]}the {names.pop()}{request[at.end():]}"

    def _without_aside(self, text: str) -> str | None:
        """The command of `text` without the aside after it (phrasing.command_head), when
        the aside agrees with it; else None."""
        head = command_head(text, self._names)
        return head[0] if head is not None and self._aside_agrees(*head) else None

    def _aside_agrees(self, command: str, aside: str) -> bool:
        """An aside that speaks of a kind of device ("it's boiling": the heating) goes with
        a command that names one of that kind; "turn the tv off it's boiling" (the ear's
        "heating" heard as "tv") is read whole, and asks."""
        # Only what is felt says which device is meant ("the neighbours are complaining"
        # fits blinds as well as the garden lights).
        kinds = {kind for kind in ("light", "climate") if implies(kind, aside)}
        if not kinds or any(implies(kind, command) for kind in kinds):
            return True  # "turn the light on, i can't see"
        named = {self.config.devices[i].type for i in self._ids_named(command)}
        if "fan" in named:  # a fan is for the air as much as the heating is
            named.add("climate")
        return bool(kinds & named)

    # -- reading ---------------------------------------------------------------------------

    def _scene(self, request: ParseRequest, out: ModelOutput, room: str | None) -> Scene:
        """What the camera gives a reading: its room (or `room`, said in an earlier clause,
        with no zones then) and the grounding of its frame."""
        camera = self.config.cameras.get(request.camera) if request.camera else None
        if room is not None:
            camera = (camera or next(iter(self.config.cameras.values()), None))
            camera = camera.model_copy(update={"room": room, "zones": {}}) if camera else None
        return Scene(camera=camera, grounding=out.grounding if out.image_present else None,
                     grid=self.model.image.grid,
                     threshold=self.config.policy.grounding_threshold)

    def read(self, text: str, request: ParseRequest, out: ModelOutput,
             room: str | None = None) -> Reading:
        """One model output -> resolved devices and the policy's verdict. `room`: the room
        an earlier clause named ("the kitchen's dark, turn the light on"), standing for
        the camera's."""
        intent, confidence = _door_sense(out.intent, text, out.image_present), out.confidence
        p_none = float(out.intent_probs[_NONE])
        scene = self._scene(request, out, room)
        if intent == "none" or p_none >= self.config.policy.ignore_threshold:
            terse = self._terse(text, scene) or self._need_alone(text, scene)
            if terse is not None:
                return terse
            return Reading(text, "none", p_none, p_none, (), None, None, None,
                           Decision("ignore", f"not a command (p_none {p_none:.2f})"))
        spans = _verb_off(intent, text, spans_from_tags(text, out.tags, out.offsets))
        named = [(s.start, s.end) for s in spans if s.kind in ("DEV", "ROOM")]
        said = [(m.start(), m.end()) for m in self._names.finditer(text)]
        intent, confidence = _power_sense(intent, confidence, out, text, named + said)
        intent, confidence, spans = _color_sense(intent, confidence, text, spans,
                                                 self.config.policy.act_threshold)
        # "bedroom lights blue": a device the tagger found, then its colour, no verb
        bare_color = intent == "set_color" and any(s.kind == "DEV" for s in spans) \
            and terse_color(text, named)
        if not has_cue(intent, text, named + said) and not bare_color \
                and not self._name_and_value(intent, text, spans):  # "router garden but quickly or"
            # "bedside lamp warm" read as brightening: a name and a colour
            return self._terse_color(text, scene) or self._need_alone(text, scene) or Reading(
                text, "none", confidence, p_none, tuple(spans), None, None, None,
                Decision("ignore", f"no request in it ({intent} without a word that asks "
                                   "for it)"))
        devs = [s for s in spans if s.kind == "DEV"]
        other = next((s for s in devs if _other_thing(intent, text, s)), None)
        if (away := self._not_this_home(text)) is not None:
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", away))
        if other is not None:  # "open the door app": an app, not the door
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", f"{_with_next_word(text, other)!r} is another "
                                              "thing here"))
        # "dark in here" read as dimming, "thermostat degrees": asking beats guessing
        if (doubt := way_doubt(intent, text)) is not None:
            return Reading(text, intent, confidence, p_none, tuple(spans), None, None, None,
                           Decision("clarify", doubt))
        if no_request(text) or offered(text) or by_itself(text) or habit(text):
            # "have you switched ...", "most evenings we dim the lights"
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", "a question, a wish or an offer, no request"))
        if asks_no_change(text):  # "leave the hall light on"
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", "asked to change nothing"))
        topic = _other_topic(intent, text, devs)
        if topic is not None:
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", topic))
        told = self._told(text, bool(devs))
        if told is not None:
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", told))
        resolution = self.resolver.resolve(intent, text, spans, scene)
        software = _SOFTWARE.search(text)
        if software is not None and any(self.config.devices[t].sensitive
                                        for t in resolution.targets):
            # "open the door for me app": a lock or garage door is never touched on words
            # that are about an app, a site or an account, wherever they are said
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", f"about {software.group(0)!r}, not the "
                                              f"{resolution.targets[0]}"))
        if resolution.implied and not named and not one_word_request(text):
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", f"{text!r} alone asks for nothing"))
        place = self._not_the_home(text, resolution, bool(named))
        if place is not None:  # "it's hot in spain": not about the home
            return Reading(text, "none", confidence, p_none, tuple(spans), None, None, None,
                           Decision("ignore", f"about {place!r}, not the home"))
        stray = self._stray_name(text, spans, resolution)
        if stray is not None:  # "off telly night light": a bag of names, not a list
            resolution = self._listed_too(intent, text, spans, stray, scene) or Resolution(
                (), (), f"the {stray.group(0)} as well? which device is meant")
        resolution = self._untagged_extra(text, spans, resolution)
        intent, resolution = self._relative(intent, text, resolution)
        own, confidence = self._own_action(intent, confidence, out, resolution)
        value = extract_value(own, text, spans)
        unit = temperature_unit(text)
        verdict = decide(self.config.policy, self.config, intent, confidence=confidence,
                         p_none=p_none, resolution=resolution, value=value, unit=unit)
        if confidence < self.config.policy.act_threshold:  # "start the coffee maker", unsure
            terse = self._terse(text, scene)
            if terse is not None:
                return terse
        if verdict.decision == "clarify":  # "i'd kill for a cup of tea" read as turning off
            need = self._need_alone(text, scene)
            if need is not None:
                return need
        # "make them blue": the pronoun is the device, tagged or not
        pronoun_only = all(normalize(s.text) in DEICTIC for s in devs) and (
            bool(devs) or bool(_PRONOUN.search(text)))
        return Reading(text, own, confidence, p_none, tuple(spans), resolution, value, unit,
                       verdict, pronoun_only)

    def _told(self, text: str, devices_tagged: bool) -> str | None:
        """Why `text` tells something rather than asks for it, or None: the speaker's own
        chore or doing, someone's past action, a statement about a device or a past one
        about a room."""
        # "I need to clean the bathroom", "just turning the big light off with the switch"
        if own_action(text) or (own_chore(text) and not devices_tagged):
            return _OWN_CHORE
        if past_report(text):  # "dad turned the telly up so loud the neighbours complained"
            return _REPORT
        found = statement(text)
        subject = found[0] if found else None
        if subject is not None and (self.resolver.names_device(subject) or (
                found is not None and found[1] == AT_LEVEL and self._place(subject))):
            return f"{_STATEMENT}{subject}"
        past = past_statement_subject(text)  # "the office was really bright today"
        if past is not None and normalize(past) in self.resolver.rooms:
            return f"{_STATEMENT}{past}, in the past"
        return None

    def _place(self, words: str) -> bool:
        """Are these words a room of the home, "here", or a device "in here"?"""
        place = normalize(words)
        thing = re.sub(r"\s+(?:in|of)\s+(?:here|this room)$", "", place)
        return place in self.resolver.rooms or place in HERE or (
            thing != place and self.resolver.names_device(thing))

    def _untagged_extra(self, text: str, spans: Sequence[TaggedSpan], resolution: Resolution
                        ) -> Resolution:
        """A last "and the <thing>" the tagger left untagged, no name of the home: a device
        the home may not have ("turn on the fan and the dehumidifier"), so asking beats
        doing half of it."""
        extra = _AND_THE.search(text) if resolution.targets else None
        if extra is None or any(s.start < extra.end("what") and extra.start("what") < s.end
                                for s in spans) \
                or self._names.search(extra.group("what")) or extra.group("what") in _VAGUE:
            return resolution
        return Resolution((), (), f"unknown device {extra.group('what')!r}")

    def _own_action(self, intent: str, confidence: float, out: ModelOutput,
                    resolution: Resolution) -> tuple[str, float]:
        """The action on the devices found, and the belief in it: with a frame, the
        intents that mean that action on the devices count together (see _same_action)."""
        own = resolution.intents[0] if resolution.intents else intent
        if not out.image_present:  # "close this conversation": no frame, the doubt stays
            return own, confidence
        return own, max(confidence, self._same_action(out.intent_probs, resolution))

    def _same_action(self, probs: npt.NDArray[np.float32], resolution: Resolution) -> float:
        """The model's belief in what will be done to the devices found: intents that mean
        the same action on them count together ("close that" at the blinds read as close
        or lock). Never for a sensitive device, whose doubt is kept whole."""
        if not resolution.targets or resolution.problem or any(
                self.config.devices[t].sensitive for t in resolution.targets):
            return 0.0
        kinds = {(self.config.devices[t].type, own)
                 for t, own in zip(resolution.targets, resolution.intents, strict=True)}
        return float(sum(p for name, p in zip(INTENTS, probs, strict=True) if all(
            POINTED_ALIASES.get((kind, name), name) == own for kind, own in kinds)))

    def _not_this_home(self, text: str) -> str | None:
        """Why the words are about a gadget or a home that is not this one ("the wifi on my
        tablet", "at my sister's house"), or None."""
        gadget = _ON_GADGET.search(text)
        if gadget is not None:
            return f"{gadget.group(0)!r} is not the home's"
        away = _OTHER_HOME.search(text)
        if away is not None and not any(normalize(text[away.start("who"):]).startswith(r)
                                        for r in self.resolver.rooms):
            return f"{away.group(0)!r}: not this home"
        return None

    def _not_the_home(self, text: str, resolution: Resolution, named: bool) -> str | None:
        """What a command that names no device is about when it is not the home: a place
        ("it's hot in spain", "at the office", "too cold for a walk"), a thing ("the water
        is too hot"), software ("clean up my inbox"); None when it may be the home."""
        if not resolution.implied:
            return None
        software = _SOFTWARE_NEED.search(text)
        return (None if named else elsewhere(text, self.resolver.rooms)) or outdoors(text) \
            or thing_said(text, self.resolver.rooms) or (software.group(0) if software else None)

    def _relative(self, intent: str, text: str, resolution: Resolution
                  ) -> tuple[str, Resolution]:
        """ "dim the lamp by 20 percent" read as setting 20: a change by an amount is a
        step up or down (the way its words say), never the amount as a level; with no
        way said, or for a cover, it asks."""
        level = _LEVEL_OF.get(intent)
        if level is not None and find_number(text) is not None and not _BY_AMOUNT.search(text) \
                and not _UPWARD.search(text) and not _DOWNWARD.search(text) \
                and not _EXTREME.search(text):
            # "tv volume 200" read as louder: a number said with no way is a level, and
            # one out of range asks
            if not resolution.targets:
                return level, resolution
            return level, replace(self.resolver.recheck(level, list(resolution.targets)),
                                  implied=resolution.implied)
        steps = _STEPS.get(intent)
        if steps is None or not _BY_AMOUNT.search(text):
            return intent, resolution
        up, down = bool(_UPWARD.search(text)), bool(_DOWNWARD.search(text))
        if not steps:
            return intent, Resolution((), (), "to what position? a cover is not moved by an "
                                              "amount")
        if up == down:
            return intent, Resolution((), (), "by how much, and which way?")
        step = steps[0] if up else steps[1]
        if not resolution.targets:
            return step, resolution
        return step, replace(self.resolver.recheck(step, list(resolution.targets)),
                             implied=resolution.implied)

    def _listed_too(self, intent: str, text: str, spans: Sequence[TaggedSpan],
                    stray: re.Match[str], scene: Scene) -> Resolution | None:
        """ "lights off in here and the router too": a name the tagger missed, joined last
        with "and", is one more device of the list; None when it is not so joined or the
        list does not resolve with it."""
        if not (_AND_BEFORE.search(text[: stray.start()])
                and _TOO_AFTER.fullmatch(text[stray.end():])):
            return None
        more = sorted([*spans, TaggedSpan("DEV", stray.start(), stray.end(), stray.group(0))],
                      key=lambda s: s.start)
        resolution = self.resolver.resolve(intent, text, more, scene)
        return resolution if resolution.targets and resolution.problem is None else None

    def _stray_name(self, text: str, spans: Sequence[TaggedSpan], resolution: Resolution
                    ) -> re.Match[str] | None:
        """Another device's name said beside the devices found, untagged and not listed
        with them ("on kettle porch light": the kettle), or None."""
        if not resolution.targets or resolution.implied:
            return None
        for m in self._device_names.finditer(text):
            if any(s.start < m.end() and m.start() < s.end for s in spans):
                continue
            ids = self.resolver.names.get(normalize(m.group(0))) or set()
            if ids and not ids & set(resolution.targets):
                return m
        return None

    def _name_and_value(self, intent: str, text: str, spans: Sequence[TaggedSpan]) -> bool:
        """ "thermostat 70", "the desk lamp thirty percent": a device's own name and a value,
        nothing else, ask for the value (a room and a number do not: "fifty percent
        garden")."""
        devs = [s for s in spans if s.kind == "DEV"]
        rooms = [s for s in spans if s.kind == "ROOM"]
        if VALUE_KIND.get(intent) not in ("percent", "degrees") or len(devs) != 1 \
                or len(rooms) > 1 or (rooms and text[rooms[0].end : devs[0].start].strip()) \
                or not self.resolver.names_device(devs[0].text):
            return False  # a room stands only as part of the name: "bedroom lights 20"
        start = rooms[0].start if rooms else devs[0].start
        rest = re.findall(r"[a-z0-9.%]+", self._names.sub(" ", text[:start] + " "
                                                          + text[devs[0].end:]).lower())
        return bool(rest) and any(parse_number(w) is not None for w in rest) and all(
            parse_number(w) is not None or w in _VALUE_WORDS for w in rest)

    def _terse_color(self, text: str, scene: Scene) -> Reading | None:
        """ "big light lilac", "bedside lamp warm": a device's own name (or alias) and a
        colour, nothing else, sets the colour even when the model doubts it is a request;
        only on a device that takes a colour (else the model's reading stands)."""
        m = _TERSE_COLOR.fullmatch(text)
        if m is None or not self.resolver.is_name(m.group("dev")):
            return None
        spans = (TaggedSpan("DEV", m.start("dev"), m.end("dev"), m.group("dev")),)
        resolution = self.resolver.resolve("set_color", text, spans, scene)
        if not resolution.targets or resolution.problem:
            return None
        confidence = self.config.policy.act_threshold
        value = extract_value("set_color", text, ())
        verdict = decide(self.config.policy, self.config, "set_color", confidence=confidence,
                         p_none=0.0, resolution=resolution, value=value)
        return Reading(text, "set_color", confidence, 0.0, spans, resolution, value, None,
                       verdict)

    def _terse(self, text: str, scene: Scene) -> Reading | None:
        """ "telly off": a device's own name (or alias) and "on"/"off", nothing else, is a
        command even when the model doubts it. Read with just enough confidence to act on
        an ordinary device, so a sensitive one asks."""
        m = _TERSE.fullmatch(text) or _PLAIN.fullmatch(text)
        if m is None:
            return self._terse_color(text, scene)
        if not self.resolver.is_name(m.group("dev")) \
                or re.search(r"'s\s*$", m.group("dev")):  # "the fan's on" says how it is
            return None
        verb = " ".join(m.group("act").lower().split())
        intent = _PLAIN_VERBS.get(verb, "turn_on" if verb == "on" else "turn_off")
        spans = (TaggedSpan("DEV", m.start("dev"), m.end("dev"), m.group("dev")),)
        resolution = self.resolver.resolve(intent, text, spans, scene)
        confidence = self.config.policy.act_threshold
        verdict = decide(self.config.policy, self.config, intent, confidence=confidence,
                         p_none=0.0, resolution=resolution, value=None)
        own = resolution.intents[0] if resolution.intents else intent
        return Reading(text, own, confidence, 0.0, spans, resolution, None, None, verdict)

    def _need_alone(self, text: str, scene: Scene) -> Reading | None:
        """ "a flat white please": a need and the words that ask for it, nothing else, turn
        on the one device that meets it even when the model doubts it is a request."""
        felt = feeling(text)  # "honestly it's baltic this morning": the heating, up
        if not need_alone(text) and felt is None:
            return None
        intent = felt or "turn_on"
        resolution = self.resolver.resolve(intent, text, (), scene)
        if not resolution.targets:
            return None
        verdict = decide(self.config.policy, self.config, intent,
                         confidence=IMPLIED_CONFIDENCE, p_none=0.0, resolution=resolution,
                         value=None)
        return Reading(text, resolution.intents[0], IMPLIED_CONFIDENCE, 0.0, (), resolution,
                       None, None, verdict)

    def _room_said(self, reading: Reading) -> str | None:
        """The room a reading names ("the kitchen" of "the kitchen's pitch black")."""
        for span in reading.spans:
            if span.kind == "ROOM" and normalize(span.text) not in HERE:
                room = self.resolver.room_of(span.text, None)
                if room is not None:
                    return room
        return None

    def _rejudge(self, reading: Reading, resolution: Resolution) -> Reading:
        verdict = decide(self.config.policy, self.config, reading.intent,
                         confidence=reading.confidence, p_none=reading.p_none,
                         resolution=resolution, value=reading.value, unit=reading.unit)
        own = resolution.intents[0] if resolution.intents else reading.intent
        return replace(reading, intent=own, resolution=resolution, verdict=verdict)

    # -- combining -------------------------------------------------------------------------

    def _interpret(self, plan: Plan, outputs: Sequence[ModelOutput]) -> ParseResult:
        request = plan.request
        readings = [self.read(plan.rows[0], request, outputs[0])]
        if addressed_to_someone(plan.rows[0]):  # "dad please put the kettle on"
            return ParseResult(request.text, "none", readings[0].p_none, (), None, "ignore",
                               reason="said to someone else")
        room = None  # a clause that names no room is in the room of the one before
        for text, out in zip(plan.rows[1:], outputs[1:], strict=True):
            readings.append(self.read(text, request, out, room))
            room = self._room_said(readings[-1]) or room
        whole, clauses = readings[0], readings[1:]
        camera = self.config.cameras.get(request.camera) if request.camera else None
        chosen = self._actions(whole, clauses, camera)
        if plan.corrected and clauses[0].acts:  # "the bedroom lights, sorry, the living room"
            chosen = clauses[:1]
        if not chosen:
            return ParseResult(request.text, "none", whole.p_none, (), None, "ignore",
                               reason=whole.verdict.reason)
        if plan.excluded is not None:
            chosen = self._exclude(chosen, plan.excluded, request)
        whole_text = plan.rows[0]
        for reading in chosen:  # a part read alone keeps the qualifiers said around it
            at = whole_text.rfind(reading.text) if reading.text != whole_text else -1
            when = later(whole_text, at, at + len(reading.text), reading.value) \
                if at >= 0 else None
            if when is not None and told_in_the_past(whole_text[:at]) \
                    and later(reading.text, value=reading.value) is None \
                    and later(whole_text[at:], value=reading.value) is None:
                when = None  # "the meeting went on for hours, ...": the story's time
            if when is not None:
                plan = replace(plan, when=when)
        if plan.when is not None and said_value(plan.when, chosen[0].value):
            plan = replace(plan, when=None)  # "set the thermostat at 20": the value, not 8 pm
        if plan.when is not None:  # asked for later: never now
            first = chosen[0]
            return ParseResult(request.text, first.intent, first.confidence, (), first.value,
                               "clarify", reason=f"'{plan.when}': I only act now")
        for reading in chosen:  # "set the blinds to ten fifty": which one?
            said = said_numbers(reading.text) if _is_number(reading.value) else set()
            if len(said) > 1:
                return ParseResult(request.text, reading.intent, reading.confidence, (),
                                   reading.value, "clarify", reason="which value? "
                                   + " or ".join(f"{v:g}" for v in sorted(said)))
        return self._result(request.text, chosen)

    def _actions(self, whole: Reading, clauses: list[Reading], camera: Camera | None = None
                 ) -> list[Reading]:
        """The readings whose actions are carried out: the whole utterance, or its
        clauses when they ask for different things ("turn on the lamp and turn off the
        tv"); "it" in a clause is the device of the clause before; a clause corrected by
        the next ("..., no wait, close them") is dropped."""
        # "open the blinds, no wait, close them": what comes before a correction is taken
        # back (its devices are still what "them" means), and only what follows counts.
        prior: Resolution | None = None
        corrected = [i for i, c in enumerate(clauses[:-1]) if ends_in_correction(c.text)]
        if corrected:  # a bare "actually" clause takes back the one before it
            prior = next((c.resolution for c in reversed(clauses[:corrected[-1] + 1])
                          if c.resolution is not None and c.resolution.targets), None)
            # Said without a pause ("open the blinds no wait close them"), the clause taken
            # back may be read as no request at all: the devices it names are still "them".
            after = clauses[corrected[-1] + 1]  # there is one: the last clause is not counted
            devices = list(prior.targets) if prior is not None else self._named_before(
                clauses, after, camera)
            clauses = clauses[corrected[-1] + 1:]
            if devices and clauses:
                clauses[0] = self._verb_on_pronoun(clauses[0], devices)
        # A plain verb on "them" after a clause that names one device ("are the blinds open
        # close them"), which the model alone reads as no request, is that verb on it.
        clauses = [c if c.acts or i == 0 or not _VERB_ON_PRONOUN.fullmatch(normalize(c.text))
                   else self._verb_on_pronoun(c, self._named_before(clauses, c, camera))
                   for i, c in enumerate(clauses)]
        if not whole.acts:  # "are the kitchen and hall lights on": one question, not two
            clauses = [c for c in clauses if not _listed_after(whole.text, c.text)]
        # A clause is an action when it is carried out or names something; one that only
        # asks what it is about ("let me in" of "let me in, unlock the door") is context.
        # A clause the model is unsure of, whose words name nothing of the home ("I've
        # finished the washing up and sat down", "sat" tagged), is a story, not an action.
        asked = [c for c in clauses if c.verdict.decision in ("act", "confirm")
                 or (c.acts and c.pronoun_only)
                 or (c.acts and any(s.kind in ("DEV", "ROOM") for s in c.spans)
                     and (c.confidence >= self.config.policy.act_threshold
                          or any(self.resolver.names_device(s.text)
                                 or normalize(s.text) in self.resolver.rooms
                                 for s in c.spans if s.kind in ("DEV", "ROOM"))))]
        # "... my boss kept me back for a meeting, could you turn on the floor lamp": a story
        # told beside a request that acts is its reason, whatever words of it were tagged.
        if any(c.verdict.decision in ("act", "confirm") and starts_with_action(c.text)
               for c in asked):
            # ("so lock the front door and turn the porch light off" read whole and unsure,
            # beside its two halves read clearly)
            acting = [c.text for c in asked if c.verdict.decision in ("act", "confirm")]
            asked = [c for c in asked if c.verdict.decision in ("act", "confirm")
                     or not any(t in c.text for t in acting)]
            asked = [c for c in asked if not _story(c.text) or (
                c.verdict.decision in ("act", "confirm") and not (
                    has_subject_verb(c.text) and not has_action_verb(c.text)))]
        # A clause that names no device, beside one that does, is the reason for it: "it's
        # stuffy in the bedroom, fan on please", "the kitchen's dark, turn the light on".
        if any(c.resolution is not None and c.resolution.targets and not c.resolution.implied
               for c in asked):
            asked = [c for c in asked if c.resolution is None or not c.resolution.implied
                     or c.pronoun_only or self._names_targets(c)
                     or (c.intent == "turn_on" and need_words(c.text))]  # "coffee on and ..."
        rebound: list[Reading] = []  # "it" of a clause: the devices of the one before
        for clause in asked:
            last = rebound[-1].resolution if rebound else prior
            before = [] if last is not None and last.targets else self._named_before(
                clauses, clause, camera)  # "the vacuum is too noisy, stop it": said, not acted on
            if clause.pronoun_only and last is not None and last.targets:
                rebound.append(self._rejudge(clause, self.resolver.recheck(
                    clause.intent, list(last.targets))))
            elif clause.pronoun_only and before:
                rebound.append(self._rejudge(clause, self.resolver.recheck(clause.intent,
                                                                           before)))
            else:
                rebound.append(clause)
        different = len({(c.intent, c.value) for c in rebound}) > 1
        # "fan on and the air con on too": a device named and not found is asked about, not
        # left out of what the whole does.
        missing = [c for c in rebound if c.verdict.decision == "clarify" and c.resolution
                   is not None and (c.resolution.problem or "").startswith("unknown device")
                   and not set(re.findall(r"[a-z]+", (c.resolution.problem or "")[15:])) <= _VAGUE]
        if missing and whole.acts and len(rebound) > 1:
            return [whole, missing[0]]
        # The clauses also win when they are clear and the whole is not, or when the whole
        # reads another action than all of them ("the lamp's too dim, brighten it" read as
        # dimming): "we're heading out, lock the door lock", the story misread as the command.
        clear = bool(rebound) and all(c.verdict.decision in ("act", "confirm")
                                      for c in rebound) \
            and (whole.verdict.decision not in ("act", "confirm")
                 or {c.intent for c in rebound} != {whole.intent}
                 or self._more_than(rebound, whole))  # "make me a coffee and boil the kettle"
        # "open the blinds and close them" with "close them" not understood: asking beats
        # doing half of it.
        # So does "... and the big light up" read as no request: a device named, then a way.
        lost = [c for c in clauses if not c.acts and (
            (_PRONOUN.search(c.text) and starts_with_action(c.text))
            # "send the vacuum round and lock the front door": a device named with a verb
            # not understood
            or (starts_with_action(c.text) and c.verdict.reason.startswith("no request in it")
                and f"{c.text.lower()} and " in whole.text.lower()
                and any(s.kind == "DEV" and self.resolver.names_device(s.text)
                        for s in c.spans))
            or (_WAY_END.search(c.text) and not starts_with_action(c.text)
                and c.verdict.reason.startswith("no request in it") and any(
                s.kind == "DEV" and self.resolver.names_device(s.text) for s in c.spans)))]
        if lost and (rebound or whole.acts):
            unsure = replace(lost[0], verdict=Decision(
                "clarify", f"{lost[0].text!r}: not understood, so nothing is done"))
            return [*(rebound or [whole]), unsure]
        # "thanks for turning the fan on, now turn off the tv": a clause that tells is no
        # part of what the whole asks
        told = bool(asked) and any(c.verdict.reason.startswith(_TOLD) for c in clauses)
        if not (corrected or different or clear or told or (asked and not whole.acts)):
            return [self._request_of(whole, rebound)] if whole.acts else []
        return rebound

    @staticmethod
    def _more_than(clauses: list[Reading], whole: Reading) -> bool:
        """Do the clauses, together, act on more devices than the whole read at once?"""
        if len(clauses) < 2 or whole.resolution is None:
            return False
        theirs = {t for c in clauses if c.resolution is not None for t in c.resolution.targets}
        return theirs > set(whole.resolution.targets)

    @staticmethod
    def _request_of(whole: Reading, clauses: list[Reading]) -> Reading:
        """The one clause that asks what the whole does, said as a request ("..., i'm
        desperate for a tea, boil the kettle please"): the times of the story around it are
        no part of it. Else the whole."""
        if len(clauses) != 1 or whole.resolution is None:
            return whole
        (clause,) = clauses
        same = clause.verdict.decision == whole.verdict.decision \
            and clause.resolution is not None and starts_with_action(clause.text) \
            and (clause.intent, clause.value) == (whole.intent, whole.value)
        if not same or clause.resolution is None:
            return whole
        mine, all_of = set(clause.resolution.targets), set(whole.resolution.targets)
        # "the tv and the speaker are both blaring, turn off the speaker", "turn off the
        # router, the kids need to sleep": the devices of what is told around the request
        # are no part of it
        told = _told_part(whole.text, clause.text)
        return clause if mine == all_of or (mine and mine < all_of and told) else whole

    def _verb_on_pronoun(self, clause: Reading, devices: list[str]) -> Reading:
        """A correction's plain verb on "them" ("open the blinds, no wait, close them"),
        which the model alone reads as no request: the verb's intent on the devices the
        clause before named."""
        said = _VERB_ON_PRONOUN.fullmatch(normalize(clause.text))
        if clause.verdict.decision in ("act", "confirm") or said is None or not devices:
            return clause
        verb = said.group("verb")
        intent = _PRONOUN_VERBS.get(f"{verb} {said.group('way')}" if said.group("way") else verb)
        types = {self.config.devices[i].type for i in devices}
        if intent is None and len(types) == 1:  # "raise the shades, wait no, lower them"
            intent = _TYPED_VERBS.get(verb, {}).get(types.pop())
        if intent is None:
            return clause
        resolution = self.resolver.recheck(intent, devices)
        verdict = decide(self.config.policy, self.config, intent,
                         confidence=IMPLIED_CONFIDENCE, p_none=0.0, resolution=resolution,
                         value=None)
        own = resolution.intents[0] if resolution.intents else intent
        return replace(clause, intent=own, confidence=IMPLIED_CONFIDENCE, p_none=0.0,
                       resolution=resolution, verdict=verdict, pronoun_only=True)

    def _names_targets(self, clause: Reading) -> bool:
        """Does the clause name its devices, untagged ("stop the vacuum" of "stop the vacuum
        and turn on the lamp": the tagger took no span, the resolver found it by its
        words)?"""
        targets = set(clause.resolution.targets) if clause.resolution else set()
        return bool(targets) and targets <= self._ids_named(clause.text)

    def _ids_named(self, text: str) -> set[str]:
        """The devices the text names by their own names or aliases."""
        return {i for m in self._device_names.finditer(text)
                for i in self.resolver.names.get(normalize(m.group(0)), ())}

    def _named_before(self, clauses: list[Reading], clause: Reading,
                      camera: Camera | None = None) -> list[str]:
        """The one device named by its own name in the nearest clause before `clause` that
        names any ("the vacuum" of "the vacuum is too noisy, stop it"); [] when none or
        several, or when that clause puts it in a room it is not in ("is there a fan in
        here" in the living room) or did not find it ("close the kitchen blinds")."""
        for earlier in reversed(clauses[: clauses.index(clause)]):
            ids = self._ids_named(re.sub(r"'s(?![\w'])", "", earlier.text))  # "the kettle's on"
            if ids:
                said = earlier.resolution
                if said is not None and not said.targets and not said.implied:
                    return []  # "close the kitchen blinds": not found there, not elsewhere
                rooms = self._rooms_in(earlier.text, camera) | {
                    r for s in earlier.spans if s.kind == "ROOM"
                    and (r := self.resolver.room_of(s.text, camera)) is not None}
                if rooms and not all(self.config.devices[i].room in rooms for i in ids):
                    return []
                return sorted(ids) if len(ids) == 1 else []
        return []

    def _rooms_in(self, text: str, camera: Camera | None) -> set[str]:
        """The rooms a text puts things in by words alone ("in here", "in the kitchen"): a
        clause read as no request has no tagged spans."""
        said = normalize(text)
        rooms = {room for name, room in self.resolver.rooms.items()
                 if re.search(rf"(?<![\w'])(?:in|of)\s+(?:the\s+|my\s+|our\s+)?"
                              rf"{re.escape(name)}(?![\w'])", said)}
        if camera is not None and re.search(r"(?<![\w'])(?:in here|this room)(?![\w'])", said):
            rooms.add(camera.room)
        return rooms

    def _exclude(self, chosen: list[Reading], phrase: str, request: ParseRequest
                 ) -> list[Reading]:
        """ "all the lights except the bedroom": the bedroom's devices come off."""
        camera = self.config.cameras.get(request.camera) if request.camera else None
        gone = self.resolver.excluded(phrase, camera)
        # "every light off except the hall and lock the front door": the exclusion is of
        # the part whose devices it names
        holding = [r for r in chosen if gone and r.resolution is not None
                   and set(r.resolution.targets) & gone]
        out = []
        for reading in chosen:
            res = reading.resolution
            if len(chosen) > 1 and holding and reading not in holding:
                out.append(reading)
                continue
            if gone is None:
                res = Resolution((), (), f"except what? nothing called {phrase!r}")
            elif res is not None and res.targets:
                kept = [(t, i) for t, i in zip(res.targets, res.intents, strict=True)
                        if t not in gone]
                res = Resolution(tuple(t for t, _ in kept), tuple(i for _, i in kept),
                                 None if kept else f"nothing left but {phrase!r}")
            out.append(reading if res is None else self._rejudge(reading, res))
        return out

    def _result(self, text: str, chosen: list[Reading]) -> ParseResult:
        first = chosen[0]
        for reading in chosen:  # "in five minutes", "when I leave": never now
            ranges = [(s.start, s.end) for s in reading.spans] or [(0, len(reading.text))]
            when = later(reading.text, min(a for a, _ in ranges), max(b for _, b in ranges),
                         reading.value)
            if when:
                return ParseResult(text, first.intent, first.confidence, (), first.value,
                                   "clarify", reason=f"'{when}': I only act now")
        for reading in chosen:
            if reading.verdict.decision == "clarify":
                return ParseResult(text, first.intent, first.confidence, (), first.value,
                                   "clarify", reason=reading.verdict.reason)
        targets: list[str] = []
        commands: list[Command] = []
        try:
            for reading in chosen:
                res = reading.resolution
                if res is None:
                    continue
                for dev_id, own in zip(res.targets, res.intents, strict=True):
                    command = render(dev_id, self.config.devices[dev_id], own, reading.value)
                    commands.append(replace(command, intent=own))
                    if dev_id not in targets:
                        targets.append(dev_id)
        except RenderError as exc:
            log.warning("%s", exc)
            return ParseResult(text, first.intent, first.confidence, (), first.value, "clarify",
                               reason=str(exc))
        confirm = [r.verdict.reason for r in chosen if r.verdict.decision == "confirm"]
        if confirm:  # nothing is sent until the user says yes
            return ParseResult(text, first.intent, first.confidence, tuple(targets),
                               first.value, "confirm", held=tuple(commands),
                               reason="; ".join(confirm))
        return ParseResult(text, first.intent, first.confidence, tuple(targets), first.value,
                           "act", tuple(commands))


def _other_topic(intent: str, text: str, devs: Sequence[TaggedSpan]) -> str | None:
    """Why the request is about something else than the device its words suggest, if it
    is: cooking, or a title to play."""
    # "heat up some soup", "warm the milk": cooking, unless the heating is named after the
    # verb ("turn the heating up while I make dinner").
    if intent in _CLIMATE and cooking(text) and not any(
            set(re.findall(r"[a-z']+", text[: s.start].lower())) - _POLITE for s in devs):
        return "cooking, not the heating"
    # "play blinding lights by the weeknd": what follows "play" is a title, so a light or
    # heat word in it asks for nothing
    # ("play coffee and tv by blur": a title by an artist, whatever its words, unless a
    # device to play it on is said after the artist)
    if _PLAY_FIRST.match(text) and (_by_artist(text) or (
            intent not in TYPE_INTENTS["media_player"] and not _JOINED.search(text))):
        return "a request to play something"
    return None


def _by_artist(text: str) -> bool:
    """Does a request to play end with "by" and an artist ("... by blur"), with nothing
    after it that says where ("... by queen on the speaker")?"""
    words = re.findall(r"[a-z']+", text.lower())
    if "by" not in words[2:-1]:
        return False
    artist = words[len(words) - 1 - words[::-1].index("by") + 1:]
    return not set(artist) & _WHERE


def _after_story_request(clause: str) -> str:
    """The request at the end of a clause that starts with a story ("my friend's dropping
    her kids off, so lock the front door" -> "lock the front door"), or the clause."""
    tail = after_story(clause)
    # ("is the front door locked? lock it": "it" is said before)
    return tail if tail is not None and starts_with_action(tail) \
        and not _PRONOUN.search(tail) else clause


def _story(text: str) -> bool:
    """Is this part told rather than asked: no verb to start it, no way or value to end it
    ("my boss kept me back for a meeting", not "the air con on too")?"""
    return len(text.split()) >= 4 and not starts_with_action(text) \
        and (not ends_with_action(text) or has_subject_verb(text)) \
        and not ends_in_correction(text)


def _listed_after(whole: str, clause: str) -> bool:
    """Is `clause` only the next item of a list in `whole` ("... the porch light and the
    garage light on"): joined by a bare "and", with no verb of its own to start it?"""
    at = whole.rfind(clause)
    return at > 0 and not starts_with_action(clause) \
        and _BARE_AND.search(whole, 0, at) is not None


def _with_next_word(text: str, span: TaggedSpan) -> str:
    """The mention and the word after it ("door app", "this photo")."""
    return " ".join(text[span.start:].split()[:len(span.text.split()) + 1])


def _other_thing(intent: str, text: str, span: TaggedSpan) -> bool:
    """Does a word in or right after the device mention make it another thing ("the door
    app", "the tv remote", "this photo")? "app" after a rise is a misheard "up" ("turn the
    heating app")."""
    words = re.findall(r"[a-z]+", text[span.start:].lower())[1:len(span.text.split()) + 1]
    pointer = span.text.lower().strip() in DEICTIC
    found = [w for w in words if w in _OTHER_THING or (pointer and w in _POINTED_THING)]
    return bool(found) and not (intent.endswith("_up") and found == ["app"])


def _names_regex(names: Iterable[str]) -> re.Pattern[str]:
    """Any of these names as whole words, the longest first."""
    return words_regex(names_alternation(names))


def _door_sense(intent: str, text: str, shown: bool) -> str:
    """"close that" read as locking, with no word of a lock's: the words say close, and
    the device shown decides what closing means (a lock locks, blinds close). Only for a
    pointing word and a frame: "close the deal" stays a lock without a word that asks for
    it, which is no request, and so does "close this conversation" with no frame to show
    blinds. "open" is a door's word already (the resolver gives blinds its sense)."""
    plain = _DOOR_SENSE.get(intent)
    if shown and plain is not None and _THIS.search(text) and not has_cue(intent, text) \
            and has_cue(plain, text):
        return plain
    return intent


_POWER_SENSE = {"mute": ("turn_off", re.compile(r"(?<![\w'])off(?![\w'])", re.I)),
                "unmute": ("turn_on", re.compile(r"(?<![\w'])on(?![\w'])", re.I))}


def _power_sense(intent: str, confidence: float, out: ModelOutput, text: str,
                 spans: Sequence[tuple[int, int]]) -> tuple[str, float]:
    """ "turn the sound system off" read as muting, its only word of sound in the device's
    name: no word outside the names asks to mute, and "off" asks to switch off. The
    model's belief in muting is then a belief in silencing it: the two add up."""
    plain = _POWER_SENSE.get(intent)
    if plain is not None and plain[1].search(text) and not has_cue(intent, text, spans) \
            and has_cue(plain[0], text, spans):
        probs = out.intent_probs
        return plain[0], float(probs[INTENTS.index(intent)] + probs[INTENTS.index(plain[0])])
    return intent, confidence


# "make the kitchen light lilac", "set the main light to daylight": an order, first, whose
# last words are a colour (a name or an alias of labels.COLORS).
_COLOR_ORDER = re.compile(
    r"^(?:(?:please|can you|could you|would you|will you|just|now|ok|okay)\s+)*"
    r"(?:make|turn|set|change|switch|put)\s+(?P<dev>[a-z']+(?:\s+[a-z']+)*?)\s+"
    r"(?:(?:to|in|into)\s+)?(?:(?:a|an)\s+)?(?:(?:nice|soft|bright|light|pale|deep|dark)\s+)?"
    rf"(?P<color>{COLOR_ALT})"
    r"(?:\s+colou?r)?(?:\s+(?:please|thanks|thank you))?[\s.!?]*$", re.I)


# What the model reads a colour order as when it misses the colour ("set the overhead light
# to daylight" as opening): never a change of a number, which a colour alias may name
# ("heating to warm").
_COLOR_MISREAD = frozenset({"turn_on", "set_color", "open", "start"})


def _color_sense(intent: str, confidence: float, text: str, spans: list[TaggedSpan],
                 floor: float) -> tuple[str, float, list[TaggedSpan]]:
    """ "make the kitchen light lilac" read as switching on, a colour word the model knows
    less well tagged as (part of) a device: an order that ends in a colour, a device tagged
    before it, sets the colour. The words leave no other reading, so the belief is at least
    `floor` (the policy's act threshold: a sensitive device still asks); the colour's words
    are no device."""
    m = _COLOR_ORDER.match(text)
    if intent not in _COLOR_MISREAD or m is None:
        return intent, confidence, spans
    cut = m.end("dev")
    kept = [s if s.end <= cut or s.kind != "DEV" else TaggedSpan("DEV", s.start, cut,
                                                                 text[s.start:cut])
            for s in spans if s.kind != "DEV" or s.start < cut]
    if not any(s.kind == "DEV" and s.start >= m.start("dev") for s in kept):
        return intent, confidence, spans
    return "set_color", max(confidence, floor), kept


def _verb_off(intent: str, text: str, spans: list[TaggedSpan]) -> list[TaggedSpan]:
    """ "[lock] all the [doors]": the verb tagged as a device (it names devices in other
    homes) when another device follows is the verb, not a device."""
    devs = [s for s in spans if s.kind == "DEV"]
    first = devs[0] if len(devs) > 1 else None
    if first is None or " " in first.text.strip() or not is_cue_word(intent, first.text) \
            or set(re.findall(r"[a-z']+", text[: first.start].lower())) - _POLITE:
        return spans
    return [s for s in spans if s is not first]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _readings(request: ParseRequest) -> list[ParseRequest]:
    """The texts to parse for one request: its text, or each of its alternatives."""
    if not request.alternatives:
        return [request]
    return [ParseRequest(text=alt.text, camera=request.camera, image=request.image)
            for alt in request.alternatives]


def extract_value(intent: str, text: str, spans: Sequence[TaggedSpan]
                  ) -> int | float | str | None:
    """The value the intent takes, from its tagged span or, failing that, the text."""
    kind = VALUE_KIND.get(intent)
    if kind is None:
        return None
    if kind == "color":
        asked = described_colors(text)  # "too cool, make it warm white": warm white
        for span in spans:
            if span.kind == "COLOR" and asked[span.start:span.end] == text[span.start:span.end]:
                # the word before may be the colour's first ("soft" of "a soft white")
                before = re.search(r"([a-z]+)\s+$", text[: span.start].lower())
                whole = f"{before.group(1)} {span.text.lower()}" if before else ""
                color = _TWO_WORD_COLORS.get(whole) or parse_color(span.text)
                if color:
                    return color
        return parse_color(asked)
    number = None
    for span in spans:
        if span.kind == "NUM":
            # The span from its start to the end of the number phrase: "19" of "19.5",
            # "nineteen" of "nineteen and a half" when the tagger stopped early.
            number = parse_number(number_phrase(text, span.start) or span.text)
            if number is not None:
                number = retaken(text, span.start, signed(text, span.start, number))
                break
    if number is None:
        number = find_number(text)
    if number is None:
        return None
    if kind == "percent":  # as said: the policy asks again when it is out of range
        return round(number)
    return int(number) if float(number).is_integer() else round(number, 1)


def _told_part(whole: str, clause: str) -> bool:
    """Is what `whole` says beside `clause` a statement ("the kettle's boiled", "the kids
    need to sleep"): someone or something doing or being, and no verb that asks?"""
    at = whole.rfind(clause)
    if at < 0:
        return False
    after = whole[at + len(clause):]
    if _MORE_OF_IT.match(after):  # "turn the telly off and the lights too, we're going up"
        return False
    rest = (whole[:at] + " " + after).strip(" ,.!?;")
    return bool(rest) and has_subject_verb(rest) and not has_action_verb(rest)
