"""The words a recognizer should expect in this home, and the command shapes they form.

`HomeVocabulary` joins the home's device and room names (with aliases) to a fixed
command vocabulary. Two renderings feed the recognizers:

- `phrase_list()`: a word list for Vosk's runtime grammar (`KaldiRecognizer(model,
  rate, json.dumps(words))`). Vosk decodes any sequence of the listed words, so the
  list biases the recognizer toward the home without fixing the sentence shapes.
- `jsgf()`: a JSGF grammar for PocketSphinx covering the command shapes people use
  with these devices ("turn off the lamp in the bedroom", "set the heating to
  twenty one degrees", "make the bedside lamp blue"). Speech outside the grammar
  yields no hypothesis, which is what rejects chit-chat.

Everything here is pure: no files, no recognizer. Which words a recognizer's
dictionary knows is passed in as a function (`known=`, `lookup=`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from assistant.labels import COLORS

log = logging.getLogger(__name__)

_ONES: Final[tuple[str, ...]] = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen",
)
_TENS: Final[tuple[str, ...]] = (
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
)


def number_words(n: int) -> str:
    """Spell 0..100 the way people say it: 21 -> "twenty one", 100 -> "one hundred"."""
    if not 0 <= n <= 100:
        raise ValueError(f"number_words covers 0..100, got {n}")
    if n < 20:
        return _ONES[n]
    if n == 100:
        return "one hundred"
    tens, ones = divmod(n, 10)
    return _TENS[tens] if ones == 0 else f"{_TENS[tens]} {_ONES[ones]}"


# The fixed command vocabulary. Every word here is in PocketSphinx's bundled US
# English dictionary but "unmute", which `fallback_pronunciations` spells as "un" +
# "mute" (tests check both), so the grammar below compiles as written.
VERBS: Final[tuple[str, ...]] = (
    "turn", "switch", "set", "put", "change", "make", "dim", "brighten", "open",
    "close", "shut", "raise", "lower", "lock", "unlock", "start", "stop", "pause",
    "resume", "play", "dock", "send", "mute", "unmute", "silence", "crank",
    "increase", "decrease",
)
PARTICLES: Final[tuple[str, ...]] = (
    "on", "off", "up", "down", "to", "in", "the", "my", "all", "every", "of", "and",
    "it", "it's", "that", "this", "those", "these", "one", "here", "room", "home",
    "back", "base", "a", "bit", "little", "too", "way", "halfway", "everything",
    "warmer", "cooler", "colder", "hotter", "brighter", "darker", "dimmer", "louder",
    "quieter", "dark", "bright", "cold", "hot", "warm", "loud", "volume", "music",
    "temperature", "brightness", "light", "lights", "lamp", "lamps", "fan", "fans",
    "vacuuming", "cleaning", "half", "full", "maximum", "quarter", "point",
)
UNITS: Final[tuple[str, ...]] = ("percent", "degrees")
NUMBERS: Final[tuple[str, ...]] = tuple(number_words(n) for n in range(101))
FILLERS: Final[tuple[str, ...]] = (
    "please", "could", "can", "would", "will", "you", "thanks", "thank", "okay",
    "just", "now", "hey",
)
COLOR_NAMES: Final[tuple[str, ...]] = tuple(COLORS)

# Words that may stand before a dictionary word when a name is spelled from parts.
_PREFIXES: Final[frozenset[str]] = frozenset({"un", "re", "de", "dis", "pre", "non"})

_WORD_RE = re.compile(r"[^\w' ]+")

# Everyday words of four letters or more for the grammar's chit-chat branch: speech
# that is not a command is decoded as a string of these rather than forced onto the
# nearest command ("i had a long day at work" came out as "my kettle on please"). Short
# words are left out because strings of them fit any audio, commands included.
CHAT_WORDS: Final[tuple[str, ...]] = (
    "they", "them", "your", "their", "with", "from", "about", "into", "like", "than",
    "were", "been", "does", "have", "will", "would", "could", "should", "might", "must",
    "because", "when", "where", "what", "which", "there", "here", "then", "today",
    "tomorrow", "tonight", "yesterday", "morning", "night", "week", "time", "year",
    "going", "went", "come", "came", "make", "made", "know", "think", "thought", "want",
    "need", "love", "look", "said", "tell", "told", "call", "give", "take", "good",
    "great", "nice", "okay", "well", "really", "very", "just", "also", "much", "many",
    "more", "some", "three", "thing", "things", "people", "woman", "kids", "mother",
    "father", "friend", "home", "work", "school", "dinner", "lunch", "breakfast", "food",
    "movie", "game", "show", "weather", "long", "last", "first", "next", "back", "over",
    "again", "still", "never", "always", "maybe", "sure", "thanks", "please", "sorry",
    "hello",
)
CHAT_WEIGHT: Final = 1e-4
"""Prior of the chit-chat branch against the command branch (JSGF weights)."""


def normalize_phrase(text: str) -> str:
    """Lowercase, digits spelled out, punctuation (but apostrophes) dropped.

    "Kids-Room Light" -> "kids room light"; "TV 2" -> "tv two". Letters of any
    script are kept, so a Korean name stays what it is.
    """
    text = text.lower().replace("_", " ").replace("-", " ").replace("/", " ")
    text = _WORD_RE.sub(" ", text)
    text = re.sub(r"\d+", lambda m: _spell_digits(m.group(0)), text)
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


def _spell_digits(digits: str) -> str:
    value = int(digits)
    if value <= 100:
        return f" {number_words(value)} "
    return " " + " ".join(_ONES[int(d)] for d in digits) + " "


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return tuple(seen)


@dataclass(frozen=True)
class HomeVocabulary:
    """What people say to this home: its names plus the fixed command vocabulary."""

    device_names: tuple[str, ...]
    """Device names and aliases, normalised ("floor lamp", "telly"), first-seen order."""
    room_names: tuple[str, ...]
    """Room names and aliases, normalised ("living room", "lounge")."""
    wake_phrase: str | None = None
    """Optional wake phrase ("hey jarvis"); the grammar lets it lead a command."""
    verbs: tuple[str, ...] = VERBS
    """Command verbs ("turn", "dim", "unlock", "dock")."""
    particles: tuple[str, ...] = PARTICLES
    """Function and modifier words of the command shapes ("on", "the", "warmer")."""
    numbers: tuple[str, ...] = NUMBERS
    """0..100 in words ("zero" .. "one hundred")."""
    units: tuple[str, ...] = UNITS
    """"percent", "degrees"."""
    colors: tuple[str, ...] = COLOR_NAMES
    """Colour names from `labels.COLORS` ("red", "warm white")."""
    fillers: tuple[str, ...] = FILLERS
    """Politeness and lead-ins ("please", "could you", "okay", "thanks")."""

    @classmethod
    def from_names(
        cls,
        device_names: Iterable[str],
        room_names: Iterable[str],
        wake_phrase: str | None = None,
    ) -> HomeVocabulary:
        """Build from flat lists of names and aliases (any case and punctuation)."""
        wake = normalize_phrase(wake_phrase) if wake_phrase else ""
        return cls(
            device_names=_unique(normalize_phrase(n) for n in device_names),
            room_names=_unique(normalize_phrase(n) for n in room_names),
            wake_phrase=wake or None,
        )

    @classmethod
    def from_home(cls, home: Mapping[str, Any]) -> HomeVocabulary:
        """Build from a parsed devices.yaml or the reference-home JSON.

        devices.yaml: `rooms: {id: {name, aliases}}`, `devices: {id: {name, aliases}}`,
        `speech: {wake_phrase}`. reference-home.json: `rooms: {id: [names]}`,
        `devices: [{id, name, aliases}]`.
        """
        rooms: list[str] = []
        for room in (home.get("rooms") or {}).values():
            if isinstance(room, Mapping):
                rooms.append(str(room.get("name", "")))
                rooms.extend(str(a) for a in room.get("aliases") or ())
            else:
                rooms.extend(str(a) for a in room)
        raw_devices = home.get("devices") or ()
        entries = raw_devices.values() if isinstance(raw_devices, Mapping) else raw_devices
        devices: list[str] = []
        for dev in entries:
            devices.append(str(dev.get("name", "")))
            devices.extend(str(a) for a in dev.get("aliases") or ())
        speech = home.get("speech") or {}
        wake = speech.get("wake_phrase") if isinstance(speech, Mapping) else None
        return cls.from_names(devices, rooms, wake_phrase=str(wake) if wake else None)

    def words(self) -> tuple[str, ...]:
        """Every distinct word of the vocabulary, sorted."""
        phrases: list[str] = [
            *self.device_names, *self.room_names, *self.verbs, *self.particles,
            *self.numbers, *self.units, *self.colors, *self.fillers,
        ]
        if self.wake_phrase:
            phrases.append(self.wake_phrase)
        return tuple(sorted({w for p in phrases for w in p.split()}))

    def phrase_list(self) -> list[str]:
        """Words for a Vosk runtime grammar, ending with "[unk]" for anything else.

        Vosk decodes any sequence of the listed entries; "[unk]" absorbs speech
        outside them instead of forcing it onto a home word.
        """
        return [*self.words(), "[unk]"]

    def jsgf(self, known: Callable[[str], bool] | None = None, name: str = "home") -> str:
        """A JSGF grammar of the command shapes over this home's names, with a chit-chat
        branch (`chat_words`) and an empty one that both stand for "no command" (the
        empty one alone did not change what noise decodes to; the lattice pass does).

        `known(word)` says whether the recognizer's dictionary has a word.
        """
        chat = self.chat_words(known)
        return self._command_rules(known, name) + f"<chat> = ({' | '.join(chat)})+;\n"

    def chat_words(self, known: Callable[[str], bool] | None = None) -> tuple[str, ...]:
        """`CHAT_WORDS` that no command shape uses (and `known` has): a transcript of
        only these came from the chit-chat branch, so it never reads as a command and
        the branch cannot split one in two."""
        ok: Callable[[str], bool] = known or (lambda _w: True)
        rules = self._command_rules(lambda _w: True, "home").split(";", 2)[2]
        in_commands = set(re.findall(r"(?<![<\w'])[a-z']+(?![>\w'])", rules))
        return tuple(w for w in CHAT_WORDS if w not in in_commands and ok(w))

    def _command_rules(self, known: Callable[[str], bool] | None, name: str) -> str:
        """The grammar without the <chat> rule.

        `known(word)` says whether the recognizer's dictionary has a word (after any
        fallback pronunciations were added); names with an unknown word are left
        out and logged. The fixed command words are all in PocketSphinx's dictionary
        (with "unmute" spelled from parts).
        """
        ok: Callable[[str], bool] = known or (lambda _w: True)

        def keep(phrases: Iterable[str], what: str) -> list[str]:
            kept: list[str] = []
            dropped: list[str] = []
            for phrase in phrases:
                (kept if all(ok(w) for w in phrase.split()) else dropped).append(phrase)
            if dropped:
                log.info("grammar leaves out %s not in the dictionary: %s",
                            what, ", ".join(dropped))
            return kept

        devices = keep(self.device_names, "device names")
        rooms = keep(self.room_names, "room names")
        colors = keep(self.colors, "colours")
        wake = keep([self.wake_phrase] if self.wake_phrase else [], "the wake phrase")
        numbers = [n for n in self.numbers if all(ok(w) for w in n.split())]

        def alts(phrases: Sequence[str]) -> str:
            # <VOID> (never spoken) only for fixed lists that cannot be empty with
            # PocketSphinx's dictionary; it voids more than its own branch there.
            return " | ".join(phrases) if phrases else "<VOID>"

        wake_alts = list(wake)
        for phrase in wake:
            first, _, rest = phrase.partition(" ")
            if first in {"hey", "okay", "ok", "hi"} and rest:
                wake_alts.append(rest)  # "hey jarvis" is also just "jarvis"
        wake_rule = alts(_unique(wake_alts))

        # One branch per verb family, each with the tails that family takes. PocketSphinx
        # expands every rule reference into its own copy of the sub-network, but only
        # the copies after the verb heard so far are searched, so a family per verb
        # keeps decoding fast while shapes like "lock the front door up" stay out.
        return "\n".join([
            "#JSGF V1.0;",
            f"grammar {name};",
            "",
            # An optional <VOID> voids the whole sequence in PocketSphinx, so rules
            # that may be empty (wake phrase, rooms, devices) are only referenced
            # where they are not empty.
            f"public <utterance> = /1/ ({'[<wake>] ' if wake else ''}[<lead>] <command>"
            f" [<tail>] | <reply> | <question>) | /{CHAT_WEIGHT:g}/ (<chat> | <NULL>);",
            # Questions about devices come out as themselves (and the brain ignores them),
            # rather than being forced into the nearest command ("just the light on").
            "<question> = (is | are | was | were) <asked> [<where>] [still]"
            " (on | off | open | closed | locked | unlocked | working)"
            " | (did | have) (you | i | we | they | he | she) (turn | switch | leave | lock"
            " | close | open) [on | off] <asked> [on | off]"
            " | (what | which | how) (is | are) <asked> [<where>];",
            # A named device or kind only: "are that off" must not compete with "turn
            # that off".
            "<asked> = " + ("[<det>] <device> | " if devices else "") + "[<det>] "
            + ("[<room>] " if rooms else "") + "<kind> [and <asked>];",
            # Answers to a confirmation request ("unlock the front door?" - "yes").
            "<reply> = yes [please | do it] | yeah | yep | confirm | go ahead | do it"
            " | no | nope | cancel | never mind;",
            "",
            *([f"<wake> = {wake_rule};"] if wake else []),
            # Common wake words lead commands even when no wake phrase is configured.
            "<lead> = [hey | okay | ok] (assistant | computer | jarvis)"
            " | [(hey | okay | ok) (assistant | computer | jarvis)]"
            " (please | (could | can | would | will) you [please] | okay | just | hey);",
            "<tail> = please | thanks | thank you | now;",
            "",
            "<command> = (turn | switch | crank) [on | off | up | down] <targets> [<where>]"
            " [<turn_tail>]",
            "          | (set | put | change | dim) <targets> [<where>]"
            " [to (<amount> | <colour>)]",
            "          | make <targets> (<colour> | <comparative>) [<where>]",
            "          | <verb> <targets> [<where>] [a bit | a little | all the way | halfway]",
            "          | send <targets> (home | back to [the] (dock | base))",
            "          | <targets> [<where>] (on | off)",
            "          | <free>;",
            "<turn_tail> = (on | off | up | down) [a bit | a little] | to <amount>"
            " | [to] <colour>;",
            "<verb> = brighten | open | close | shut | raise | lower | lock | unlock | start"
            " | stop | pause | resume | play | dock | mute | unmute | silence | increase"
            " | decrease;",
            "<comparative> = warmer | cooler | colder | hotter | brighter | darker | dimmer"
            " | louder | quieter;",
            "<free> = it's too (dark | bright | cold | hot | warm | loud) [<where>]"
            " | (mute | unmute | silence | pause | resume)"
            " | (start | stop) (vacuuming | cleaning) [<where>]"
            " | (volume | brightness) (up | down);",
            "",
            "<targets> = <target> [and <target>];",
            "<target> = " + ("[<det>] <device> | " if devices else "") + "[<det>] "
            + ("[<room>] " if rooms else "") + "<kind> | <pointing>"
            " | the (volume | music | temperature | heating | heat | brightness)"
            + (" [(on | of) [the] <device>]" if devices else "") + ";",
            "<det> = the | my | all [of] the | all | every;",
            "<kind> = light | lights | lamp | lamps | fan | fans;",
            "<pointing> = it | that | this | those | these | everything"
            " | (that | this) (one | <kind>);",
            "<where> = " + ("in [the | my] <room> | " if rooms else "")
            + "in here | in this room;",
            "",
            "<amount> = <number> [percent | degrees | point <digit> [degrees]]"
            " | half | full | maximum | a quarter;",
            f"<number> = {alts(numbers)};",
            f"<digit> = {alts([n for n in numbers if n in _ONES[:10]])};",
            f"<colour> = {alts(colors)};",
            *([f"<device> = {alts(devices)};"] if devices else []),
            *([f"<room> = {alts(rooms)};"] if rooms else []),
            "",
        ])


def fallback_pronunciations(
    words: Iterable[str], lookup: Callable[[str], str | None]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Pronounce dictionary-less words from dictionary parts, or give them up.

    A word missing from the dictionary ("unmute") is spelled from words that are
    in it ("un" + "mute") when it splits into parts of at least three letters (or
    a common prefix such as "un"); the phones are concatenated. Words that do not
    split ("roomba", "wemo") are returned as dropped. Returns (word -> phones,
    dropped words); words `lookup` already knows appear in neither.
    """
    added: dict[str, str] = {}
    dropped: list[str] = []
    for word in words:
        if lookup(word) is not None:
            continue
        phones = _spell(word, lookup, depth=0)
        if phones:
            added[word] = phones
        else:
            dropped.append(word)
    if added:
        log.info("spelled from parts: %s",
                 ", ".join(f"{w} ({p})" for w, p in sorted(added.items())))
    if dropped:
        log.info("no pronunciation for: %s", ", ".join(sorted(dropped)))
    return added, tuple(dropped)


def _spell(word: str, lookup: Callable[[str], str | None], depth: int) -> str | None:
    """Phones for `word` as a concatenation of dictionary words (longest head first)."""
    if depth > 0:
        whole = lookup(word)
        if whole is not None and (len(word) >= 3 or word in _PREFIXES):
            return whole
    if depth >= 2:
        return None
    for cut in range(len(word) - 1, 1, -1):
        head, tail = word[:cut], word[cut:]
        if len(head) < 3 and not (depth == 0 and head in _PREFIXES):
            continue
        head_phones = lookup(head)
        if head_phones is None:
            continue
        tail_phones = _spell(tail, lookup, depth + 1)
        if tail_phones is not None:
            return f"{head_phones} {tail_phones}"
    return None
