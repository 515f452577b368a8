"""What the words around a command say, read by rule before and after the model.

The model gives an intent and tagged spans; these rules, from `assistant/data/phrasing.yaml`,
decide what it cannot see or must not be trusted with alone:

- `clean`: a wake word or an assistant's name before or after the command is dropped
  ("okay rhasspy turn on ..."), and words a recogniser split are joined ("bed room");
- `has_cue`: the words outside the device mentions ask for the action at all (a bag of
  device words, "router garden but quickly or", does not);
- `implies`: the words imply a device type when nothing is named ("too dark", "freezing");
- `need_words`: a need names the device that meets it ("make me a coffee");
- `later`: a delay, schedule or condition ("in five minutes", "when I leave");
- `split_except`: "all the lights except the bedroom", "every light but the hallway";
- `split_clauses`: "turn on the lamp and turn off the tv" (several actions);
- `asks_no_change`: "leave the hall light on" asks for nothing to change;
- `own_chore`: "I need to clean the bathroom" is the speaker's job, not the robot's;
- `cooking`: "heat up some soup" is cooking, not the heating;
- `corrects`: "the kitchen light, no wait, the hall light" (the later one is meant).

Everything works on the original text and returns character offsets into it, so spans
and clauses map back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from assistant.labels import COLOR_ALIASES, COLORS

_SEP = r"[\s,.;:!?\"()-]+"  # between words in the original text
_NUMBER_WORD = (r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|"
                r"forty|fifty|sixty|seventy|eighty|ninety|hundred)(?![\w'])")
_SAID_NUMBER = (rf"(?:minus\s+)?(?:\d+(?:[.,]\d+)?|{_NUMBER_WORD}"
                rf"(?:[\s-]+(?:and\s+|point\s+)?{_NUMBER_WORD})*)")


_NOT_AFTER_COPULA = r"(?<!'s )(?<!\bis )(?<!\bare )(?<!'re )(?<!\bwas )(?<!\bfeels )"


def _word_regex(entry: str) -> str:
    """One YAML entry -> a regex fragment: words separated by any punctuation, * = any
    ending."""
    body = entry.strip()
    suffix = r"\w*" if body.endswith("*") else ""
    body = body.rstrip("*")
    return _SEP.join(body.split(" ")) + suffix


def _alternation(entries: Iterable[str]) -> str:
    ordered = sorted({e for e in entries if e.strip()}, key=len, reverse=True)
    return "|".join(_word_regex(e) for e in ordered)


def _compile(entries: Iterable[str]) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{_alternation(entries)})(?![\w'])", re.I)


@dataclass(frozen=True)
class Need:
    """Words of a need, and the words a device's name must hold to meet it."""

    words: re.Pattern[str]
    device_words: tuple[str, ...]


@dataclass(frozen=True)
class Phrasing:
    """The compiled word lists of assistant/data/phrasing.yaml."""

    wake: re.Pattern[str]  # at the start of a text
    wake_end: re.Pattern[str]  # at the end of a text
    wake_inside: re.Pattern[str]  # inside a text, before the request
    wake_words: tuple[str, ...]
    joined_words: tuple[str, ...]
    cues: dict[str, re.Pattern[str]]  # intent -> words that ask for it
    any_cue: re.Pattern[str]  # a word of any cue family (fullmatch one word)
    verb: re.Pattern[str]  # a verb that starts an action (fullmatch one word)
    evidence: dict[str, re.Pattern[str]]  # device type -> words that imply it
    needs: tuple[Need, ...]
    later: re.Pattern[str]
    story_breaks: re.Pattern[str]
    except_words: re.Pattern[str]
    joiners: re.Pattern[str]
    action_start: re.Pattern[str]
    action_end: re.Pattern[str]
    one_word: frozenset[str]
    statement: re.Pattern[str]  # right after a device mention
    no_change: re.Pattern[str]  # at the start of a command
    own_chore: re.Pattern[str]
    own_doing: re.Pattern[str]
    own_action: re.Pattern[str]
    past_report: re.Pattern[str]
    need_asks: frozenset[str]
    cooking: re.Pattern[str]
    not_devices: frozenset[str]
    corrections: re.Pattern[str]
    correction_end: re.Pattern[str]
    except_after_all: re.Pattern[str]
    polite: re.Pattern[str]
    request_lead: re.Pattern[str]
    addressed: re.Pattern[str]
    clause_subject: re.Pattern[str]
    polite_if: re.Pattern[str]
    not_request: re.Pattern[str]
    habit: re.Pattern[str]  # what if, and habits, at the start
    plain_verbs: dict[str, str]


@cache
def phrasing() -> Phrasing:
    """The word lists, read and compiled once per process."""
    text = (resources.files("assistant") / "data" / "phrasing.yaml").read_text(encoding="utf-8")
    return compile_phrasing(yaml.safe_load(text))


def compile_phrasing(data: dict[str, Any]) -> Phrasing:
    wake_alt = _alternation([*data["wake_words"], *data.get("wake_words_misheard", [])])
    greet = _alternation(data["wake_greetings"])
    families = {name: _alternation(words) for name, words in data["cues"].items()}
    cues = {intent: re.compile(rf"(?<![\w'])(?:{'|'.join(families[f] for f in fams)})(?![\w'])",
                               re.I)
            for intent, fams in data["intent_cues"].items()}
    fillers = _alternation(data["clause_fillers"])
    polite = "|".join([*data["polite_leads"], *data["polite_if"]])
    return Phrasing(
        polite=re.compile(rf"^\W*(?:{polite})(?![\w'])[\s,]*", re.I),
        request_lead=_compile(data["request_leads"]),
        addressed=re.compile(rf"^\W*(?:(?:{_alternation(data['no_change_lead'])}){_SEP})*"
                             # "jess, every light off": a name and a pause, then anything
                             rf"(?:{_alternation(data['addressees'])})(?:\s*,\s*(?=[a-z])|"
                             rf"\s+(?:{_alternation(data['addressee_next'])})(?![\w']))",
                             re.I),
        clause_subject=re.compile(rf"\W*(?:{'|'.join(data['clause_subjects'])})(?![\w'])", re.I),
        polite_if=re.compile(rf"(?:{'|'.join(data['polite_if'])})(?![\w'])", re.I),
        habit=re.compile(rf"^\W*(?:(?:{_alternation(data['no_change_lead'])}){_SEP})*"
                         rf"(?:{'|'.join(data['habits'])})(?![\w'])", re.I),
        not_request=re.compile(rf"^\W*(?:(?:{_alternation(data['no_change_lead'])}){_SEP})*"
                               rf"(?:{'|'.join(data['not_requests'])})(?![\w'])", re.I),
        plain_verbs={str(k).lower(): str(v).lower() for k, v in data["plain_verbs"].items()},
        wake=re.compile(rf"^\W*(?:(?:{greet}){_SEP})*(?:{wake_alt})(?![\w'])[\s,.!?:;-]*", re.I),
        wake_end=re.compile(rf"[\s,.!?:;-]+(?:{wake_alt})[\s.!?]*$", re.I),
        wake_inside=re.compile(rf"[\s,.!?:;-](?:{_alternation(data['wake_words_inside'])})"
                               r"(?![\w'])[\s,.!?:;-]*", re.I),
        wake_words=tuple([*data["wake_words"], *data.get("wake_words_misheard", [])]),
        joined_words=tuple(data["joined_words"]),
        cues=cues,
        any_cue=re.compile(rf"(?:{'|'.join(families.values())}|{wake_alt}|{greet}|"
                           rf"{_alternation(data['action_starts'])})", re.I),
        verb=re.compile(rf"(?:{_alternation(w for w in data['action_starts'] if ' ' not in w)})",
                        re.I),
        evidence={t: _compile(words) for t, words in data["evidence"].items()},
        needs=tuple(Need(_compile(n["words"]), tuple(n["devices"])) for n in data["needs"]),
        later=re.compile(rf"(?<![\w'])(?:{'|'.join(data['later'])})(?![\w'])", re.I),
        story_breaks=re.compile(
            rf"(?:[.!?;]|(?<![\w'])(?:{_alternation(data['story_breaks'])})(?![\w']))", re.I),
        except_words=_compile(data["except_words"]),
        joiners=re.compile(
            rf"\s*(?:,\s*(?:(?:{_alternation(data['clause_joiners'])})(?![\w'])\s*)?|"
            rf"(?<![\w'])(?:{_alternation(data['clause_joiners'])})(?![\w'])\s*)", re.I),
        action_start=re.compile(
            rf"^\W*(?:(?:{fillers}){_SEP})*(?:{_alternation(data['action_starts'])})(?![\w'])",
            re.I),
        action_end=re.compile(
            rf"(?<![\w'])(?:{_alternation(data['action_ends'])})(?![\w'])[\s,.!?]*"
            rf"(?:(?:please|thanks|thank you|now|too|as well|again)[\s,.!?]*)?$", re.I),
        one_word=frozenset(str(w).lower() for w in data["one_word_requests"]),
        statement=re.compile(rf"^[\s,]*(?:{_alternation(data['statement_verbs'])})(?![\w'])",
                             re.I),
        no_change=re.compile(
            rf"^\W*(?:(?:{_alternation(data['no_change_lead'])}){_SEP})*"
            rf"(?:{'|'.join(data['no_change'])})", re.I),
        own_chore=re.compile(rf"(?<![\w'])(?:{'|'.join(data['own_chore'])})", re.I),
        own_doing=re.compile(rf"(?<![\w'])(?:{'|'.join(data['own_doing'])})", re.I),
        own_action=re.compile(rf"(?:{'|'.join(data['own_action'])})", re.I),
        past_report=re.compile(rf"(?:{'|'.join(data['past_report'])})", re.I),
        need_asks=frozenset(str(w).lower() for w in data["need_asks"]),
        cooking=_compile(data["cooking_objects"]),
        not_devices=frozenset(str(w).lower() for w in data["not_devices"]),
        # "it's rather warm": after a copula "rather" says how much, it corrects nothing
        corrections=re.compile(rf"{_NOT_AFTER_COPULA}{_compile(data['corrections']).pattern}",
                               re.I),
        correction_end=re.compile(
            rf"(?<![\w'])(?:{_alternation(data['corrections'])})[\s,.!?;:-]*$", re.I),
        except_after_all=re.compile(
            rf"(?<![\w'])(?:all|every|everything)(?![\w'])[^,.;!?]*?"
            rf"(?<![\w'])(?P<word>{_alternation(data['except_after_all'])})(?![\w'])", re.I),
    )


# --------------------------------------------------------------------------- cleaning


def clean(text: str, protected: Iterable[str] = (), vocabulary: Iterable[str] = ()) -> str:
    """The text the model reads: wake words off both ends, recogniser splits joined.

    `protected`: spoken names of the home (a device called "echo" keeps its name);
    `vocabulary`: single words of the home's names, joined when heard split in two.
    """
    p = phrasing()
    keep = protected if isinstance(protected, frozenset) else frozenset(
        " ".join(n.lower().split()) for n in protected)
    def named(words: str) -> bool:  # "echo", "computer monitor": a name of the home
        low = " ".join(re.findall(r"[\w']+", words.lower()))
        return any(low == k or low.startswith(k + " ") for k in keep if k)

    out = text
    for _ in range(3):  # "hey google, alexa, ..." : a few in a row
        m = p.wake.match(out)
        if not m or m.end() >= len(out.rstrip()):
            break
        said = re.findall(r"[\w']+", m.group(0).lower())
        if any(named(" ".join(said[i:]) + " " + out[m.end():]) for i in range(len(said))):
            break
        out = out[m.end():]
    # (a wake word at the end is in its last words: a hostile line of 1000 commas cost
    # 0.4 s searched whole)
    m = p.wake_end.search(out, max(0, len(out) - 120))
    if m and m.start() > 0 and not named(m.group(0)):
        out = out[: m.start()]
    tag = _FILLER_END.search(out)  # "turn the heating off you know"
    if tag is not None and len(out[: tag.start()].split()) >= 3:
        out = out[: tag.start()]
    tag = _TAG_END.search(out)
    if tag is not None and _FELT_HERE.match(out[: tag.start()]):
        out = out[: tag.start()]
    lead = _PREAMBLE.match(out)
    if lead is not None and out[lead.end():].strip(" ,.!?"):
        out = out[lead.end():]
    out = _AC.sub("ac", _TV.sub("tv", _OF_OFF.sub("off", out)))
    out = _OPEN_LIGHT.sub(lambda m: ("turn on" if m.group(1).lower() == "open" else "turn off")
                          + m.group(2), _TUBE_LIGHT.sub("light", out))
    out = _BARE_CONTRACTION.sub(lambda m: _CONTRACTIONS[m.group(0).lower()], out)
    out = _ITS.sub("it's", out)
    return join_splits(out, (*p.joined_words, *vocabulary))


def after_wake(text: str, named: re.Pattern[str] | None = None) -> str | None:
    """The request after a wake word said inside the text, when what comes before it is
    talk to others ("you two stop it, alexa turn on the fan" -> "turn on the fan"); None when
    there is none, when the part before is a request for something of the home (`named`
    matches its names: "turn on the lamp and alexa turn off the tv") or holds a condition
    ("if it gets dark alexa turn on the lights")."""
    p = phrasing()
    for m in p.wake_inside.finditer(text):
        before, rest = text[: m.start()], text[m.end():].strip(" ,.!?")
        if not before.strip(" ,.!?") or len(rest.split()) < 2 or not (
                p.action_start.match(rest) or _TERSE_START.match(rest)):  # "lights off ..."
            continue
        if p.later.search(before) or (p.action_start.match(before.strip(" ,.!?")) and (
                named is None or named.search(before))):
            return None
        return rest
    return None


# Contractions typed without their apostrophe ("im freezing", "dont"), as the model reads
# them with it; only words that mean nothing else ("ill", "its", "wont" do).
_CONTRACTIONS = {"im": "i'm", "ive": "i've", "dont": "don't", "cant": "can't",
                 "isnt": "isn't", "arent": "aren't", "doesnt": "doesn't", "didnt": "didn't",
                 "wasnt": "wasn't", "werent": "weren't", "whats": "what's", "thats": "that's",
                 "theres": "there's", "youre": "you're", "theyre": "they're",
                 "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't"}
# "its" where only "it's" fits: first in a clause, or before how things are ("its freezing").
_ITS = re.compile(r"(?:(?<=^)|(?<=[,.;!?]\s)|(?<=[,.;!?])|(?<=\band\s)|(?<=\bbut\s)|(?<=\boh\s)|"
                  r"(?<=\bcos\s)|(?<=\bbecause\s))its(?![\w'])|(?<![\w'])its(?=\s+(?:so|too|"
                  r"really|very|quite|pretty|way|getting|a bit|freezing|cold|hot|warm|dark|bright|"
                  r"boiling|roasting|pitch|stuffy|chilly|loud|late|like)(?![\w']))", re.I)
_BARE_CONTRACTION = re.compile(rf"(?<![\w'])(?:{'|'.join(_CONTRACTIONS)})(?![\w'])", re.I)
# A filler at the end: "turn the heating off you know".
_FILLER_END = re.compile(r"(?<=[\w'])[\s,]+(?:you know(?: what i mean)?|yeah)[\s?.!]*$", re.I)
# A question tag after how it feels in here: "it's a bit gloomy in here isn't it", "it's
# baltic in here so it is" say what they say without it.
_FELT_HERE = re.compile(r"\W*(?:it'?s|it is|it feels)\s.*(?<![\w'])(?:in here|this room)$",
                        re.I)
_TAG_END = re.compile(r"(?<=[\w'])[\s,]+(?:isn'?t it|is it not|innit|so it is|aren'?t (?:i|we)|"
                      r"don'?t you think|eh)[\s?.!]*$", re.I)
# A way into a request that says nothing of it: "right, before i forget, ...", "sorry, one
# more thing, could you ...".
_PREAMBLE = re.compile(
    r"^\W*(?:(?:right|ok|okay|oh|so|and|sorry|um|uh|oh and)\W+)*(?:before i forget|"
    r"you know what|while i (?:think of it|remember)|one (?:more|last) thing|"
    r"(?:a |one )?last thing|another thing|"
    r"(?:a )?quick one)(?![\w'])[\s,.:;!-]*", re.I)
# "open the light", "close the light in bedroom": in many languages a light is opened and
# closed; said of lights alone (no blinds or door in between), it is on and off.
_OPEN_LIGHT = re.compile(
    r"(?<![\w'])(open|close)((?:\s+up)?(?:\s+(?:the|my|our|all|all the))?"
    r"(?:\s+(?!(?:and|or|blinds?|curtains?|shades?|shutters?|doors?|garage|windows?|gates?)"
    r"(?![\w']))[a-z]+){0,2}\s+(?:lights?|lamps?|bulbs?))(?![\w'])", re.I)
_TUBE_LIGHT = re.compile(r"(?<![\w'])tube\s*light(?=s?(?![\w']))", re.I)
# Recogniser slips joined before the model reads them: "t v" is "tv", "the a c" "the ac";
# "of" with nothing after it that it could be "of" ("lights of in the office", "turn the fan
# of") is "off".
_AC = re.compile(r"(?:(?<=the )|(?<=my )|(?<=our )|(?<=the\s\s))a\.?\s+c\.?(?![\w'])", re.I)
_TV = re.compile(r"(?<![\w'])t\.?\s+v\.?(?![\w'])", re.I)
_OF_OFF = re.compile(r"(?<![\w'])of(?=\s*(?:$|[,.!?;]|\s(?:in|please|now|for|again|too|"
                     r"thanks|thank|then|and|at|right|quickly|as)(?![\w'])))", re.I)


def join_splits(text: str, words: Iterable[str]) -> str:
    """ "the bed room light" -> "the bedroom light" for each known word heard in two."""
    known = _joinable(tuple(sorted({w.lower() for w in words})))
    found = list(re.finditer(r"[A-Za-z]+", text))
    out, last = [], 0
    i = 0
    while i < len(found) - 1:
        one, two = found[i], found[i + 1]
        gap = text[one.end() : two.start()]
        joined = (one.group(0) + two.group(0)).lower()
        if gap in (" ", "-") and joined in known and min(len(one.group(0)),
                                                         len(two.group(0))) >= 2:
            out += [text[last : one.start()], joined]
            last = two.end()
            i += 2
        else:
            i += 1
    return "".join([*out, text[last:]]) if out else text


def names_alternation(names: Iterable[str]) -> str:
    """A regex alternation of these names (normalised: lower case, single spaces), the
    longest first, their words joined by spaces or hyphens."""
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    return "|".join(r"[\s-]+".join(map(_word_said, n.split())) for n in ordered)


def _word_said(word: str) -> str:
    """A normalised word of a name as it may be written: "childrens" is "children's" too."""
    if len(word) > 3 and word.endswith("s"):
        return f"{re.escape(word[:-1])}'?s"
    return re.escape(word)


def and_slip_regex(devices: Iterable[str], rooms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for "and" heard as "in" or "on" between two of the home's device names:
    "turn off the tv in the speaker", "the kettle on the coffee machine". A device is not
    a place, so the words can only have been "and" (the recognizer's commonest slip of it):
    read as it was said, both devices are named, rather than the second alone. A name that
    is also a room's ("the lamp in the office") is a place and left alone. Names come
    normalised (`resolve.normalize`)."""
    names = set(devices) - set(rooms)
    if not any(names):
        return None
    alt = names_alternation(names)
    return re.compile(rf"(?<![\w'])(?P<a>{alt})\s+(?:in|on|an|n)\s+(?P<art>(?:the|my)\s+)?"
                      rf"(?P<b>{alt})(?![\w'])", re.I)


def room_list_regex(rooms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for rooms listed before one kind word: "the kitchen and the dining room
    lights" (`distribute_kind` says the kind of each room). Names come normalised."""
    if not any(rooms):
        return None
    alt = names_alternation(rooms)
    return re.compile(rf"(?<![\w'])(?P<a>{alt})(?P<mid>\s*,\s*(?:and\s+)?(?:the\s+)?|"
                      rf"\s+(?:and|&)\s+(?:the\s+)?)(?P<b>{alt})\s+(?P<kind>lights|lamps|"
                      r"blinds|curtains|shades|fans|speakers)(?![\w'])", re.I)


def distribute_kind(text: str, pattern: re.Pattern[str] | None) -> str:
    """ "dim the kitchen and the dining room lights" -> "dim the kitchen lights and the
    dining room lights": each room listed has the kind said after the last."""
    if pattern is None:
        return text
    for _ in range(3):  # "the kitchen, the hall and the bathroom lights"
        mended = pattern.sub(lambda m: f"{m['a']} {m['kind']}{m['mid']}{m['b']} {m['kind']}",
                             text, count=1)
        if mended == text:
            break
        text = mended
    return text


def mend_and_slip(text: str, pattern: re.Pattern[str] | None) -> str:
    """ "the tv in the speaker" -> "the tv and the speaker" (see `and_slip_regex`)."""
    if pattern is None:
        return text
    return pattern.sub(lambda m: f"{m.group('a')} and {m.group('art') or ''}{m.group('b')}",
                       text)


@lru_cache(maxsize=16)
def _joinable(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in words if len(w) >= 5 and w.isalpha())


# --------------------------------------------------------------------------- reading


def _outside(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with the given character spans blanked out (offsets stay)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


_COLOR_NAMES = re.compile(
    rf"(?<![\w'])(?:{'|'.join(sorted(map(re.escape, COLORS), key=len, reverse=True))})"
    r"(?![\w'])", re.I)
# A colour after a word of degree describes the light, it does not ask for that colour:
# "why is the big light so yellow", "the lamp looks too blue".
_ANY_COLOR = sorted({*COLORS, *(a for alts in COLOR_ALIASES.values() for a in alts)},
                    key=len, reverse=True)
# Every colour name and alias, the longest first, as a regular-expression alternation.
COLOR_ALT = "|".join(map(re.escape, _ANY_COLOR))
_DEGREE_COLOR = re.compile(
    r"(?<![\w'])(?:so|too|very|really|quite|rather|awfully|a bit|kind of|sort of)\s+"
    rf"(?:{COLOR_ALT})(?![\w'])", re.I)
# "can the lamp be red", "could I have red lights"
_COLOR_ASKS = frozenset({"please", "to", "go", "into", "be", "have", "can", "could", "want",
                         "like", "make"})
# Words besides a verb that ask for a value: "heating to 20", "the lamp at half", "blinds
# halfway please", "lights full blast", "brightness 80 on the chandelier".
_VALUE_ASKS = frozenset({"to", "at", "on", "please", "up", "down", "be", "full", "max",
                         "maximum", "minimum", "blast", "halfway", "brightness", "volume",
                         "level", "position", "temperature", "want", "like", "need",
                         # verbs that set a level ("start fifty garden" sets nothing)
                         "set", "turn", "put", "make", "dim", "brighten", "change", "adjust",
                         "bring", "raise", "lower", "crank", "bump", "increase", "decrease",
                         "reduce", "drop", "lift", "pull", "open", "close", "shut", "heat",
                         "cool", "warm", "take", "get", "give", "move", "push", "boost",
                         "tone", "switch", "could", "can", "would", "will"})
_NEGATION = re.compile(r"(?<![\w'])(not|don'?t|do not|leave|keep|except|but|without|never)"
                       r"(?![\w'])", re.I)
_VALUE_INTENTS = frozenset({"set_brightness", "set_color", "set_temperature", "set_volume",
                            "set_position"})


def described_colors(text: str) -> str:
    """The text without the colours it describes ("too cool ... warm white" -> "...
    warm white"): those are what the light is, not what is asked."""
    return _DEGREE_COLOR.sub(lambda m: " " * len(m.group()), text)  # offsets kept


def terse_color(text: str, spans: Sequence[tuple[int, int]]) -> bool:
    """One device, then its colour, and nothing else ("bedroom lights blue", "ceiling light
    warm white"): the terse form asks, as "kitchen light off" does."""
    merged: list[tuple[int, int]] = []  # a name said and its tagged words are one mention
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    if not merged or len(merged) > 2:  # a room and a device at most
        return False
    end = merged[-1][1]
    said = [w for w in re.findall(r"[a-z']+", _outside(text[:end], merged).lower())
            if w not in ("the", "my", "our", "in", "here")]  # "lights in here crimson"
    return not said and bool(_COLOR_NAMES.fullmatch(text[end:].strip(" ,.!?").lower()))


def has_cue(intent: str, text: str, spans: Sequence[tuple[int, int]] = ()) -> bool:
    """Do the words outside the device and room spans ask for `intent` (or a need)?"""
    p = phrasing()
    cue = p.cues.get(intent)
    if cue is None:
        return True
    # A colour alone asks for nothing ("lamp kitchen the blue maybe"): some other word
    # must ask, a verb, "to", "please" ("the ceiling light cool white please").
    if intent == "set_color":
        rest = _COLOR_NAMES.sub(" ", _outside(text, spans))
        return bool(cue.search(described_colors(text))) and any(
            w in _COLOR_ASKS or p.any_cue.fullmatch(w) or p.verb.fullmatch(w)
            for w in re.findall(r"[a-z']+", rest.lower()))
    # A value asks wherever it is (a tagger may take "fifty" into "the lamp fifty"), but
    # a number alone asks for nothing ("fifty percent garden then"): some other word must
    # ask, a verb, "to", "at", "please", "full" ("the desk lamp to fifty").
    if intent in _VALUE_INTENTS:
        said = re.findall(r"[a-z']+", _outside(text, spans).lower())
        return bool(cue.search(text)) and any(w in _VALUE_ASKS for w in said)
    if cue.search(_outside(text, spans)):
        return True
    # A device named by its verb asks by itself, as the verb ("hoover the lounge", "vacuum
    # please"), not as the object of another ("empty the hoover").
    first = re.match(r"\W*(?:(?:please|can you|could you|would you|just|now|ok|okay|so)\W+)*"
                     r"([a-z]+)", text.lower())
    if intent in ("start", "stop", "dock") and first and cue.fullmatch(first.group(1)) \
            and not any(a <= first.start(1) and b > first.end(1) for a, b in spans):
        return True  # ("vacuum cleaner yes": the first word is a longer name's, a noun)
    # So does a need ("make me a coffee", "espresso please"), said outside a device name
    # or as the whole mention: "coffee machine garden lamp" asks for nothing.
    if intent == "turn_on":
        kept = [(a, b) for a, b in spans if not any(
            n.words.fullmatch(text[a:b].strip().lower().removeprefix("a ").removeprefix("the "))
            for n in p.needs)]
        words = set(re.findall(r"[a-z]+", text.lower()))
        return any(n.words.search(_outside(text, kept)) for n in p.needs) \
            and bool(words & p.need_asks)
    return False


def implies(device_type: str, text: str) -> bool:
    """Do the words imply a device of this type ("too dark" -> light)?"""
    pattern = phrasing().evidence.get(device_type)
    return bool(pattern and pattern.search(text))


def need_words(text: str) -> tuple[str, ...]:
    """Words a device's name must hold to meet the need said ("coffee" for "I need
    caffeine"); empty when no need is said."""
    for need in phrasing().needs:
        if need.words.search(text):
            return need.device_words
    return ()


_NEED_EXTRAS = frozenset({"a", "an", "some", "please", "now", "me", "us", "cup", "of", "mug",
                          "pot", "quick", "fresh", "another", "one", "more", "i'd", "id",
                          "like", "i", "would", "could", "can", "have", "get", "want", "just",
                          "pls", "thanks", "thank", "ok", "okay", "time", "strong",
                          "hot", "nice", "lovely", "large", "small", "big", "with", "milk",
                          "oat", "sugar", "need", "make", "brew", "pour", "fancy", "for",
                          "ta", "cheers", "right", "really", "love", "kill", "murder", "die",
                          "dying", "gasping", "desperate", "i'm", "im", "so", "go", "proper",
                          "decent", "the", "do"})  # not "you": "would you like a coffee" offers


_FELT_LEAD = (r"^\W*(?:(?:honestly|god|gosh|brr+|ooh|oh|ugh|phew|blimey|jeez|man|wow|right|"
              r"so|well|um|uh|mate|hey)\W+)*(?:it'?s|it is|i'?m|im|i am|we'?re|we are|"
              r"(?:it\s+)?feels|this room is|this place is)\s+(?:(?:a bit|a little|so|really|"
              r"absolutely|bloody|pretty|quite|way too|far too|too|rather|well|proper|a tad|"
              r"getting|literally|actually)\s+)*")
_FELT_TAIL = (r"(?:[\s,]+(?:in here|this morning|today|tonight|now|again|so i am|mate|innit|"
              r"isn't it|eh|in this house|in this room))*[\s.!?,]*$")
_FELT = {
    "temperature_up": re.compile(
        _FELT_LEAD + r"(?:cold|freezing|frozen|chilly|nippy|baltic|perished|parky|arctic|icy|"
        r"frigid|shivering|like an igloo|like a fridge|brass monkeys)"
        r"(?:\s+(?:to the bone|to death|half to death|solid|stiff))?" + _FELT_TAIL, re.I),
    "temperature_down": re.compile(
        _FELT_LEAD + r"(?:hot|warm|boiling|roasting|baking|sweltering|sweating|stifling|stuffy|"
        r"muggy|like a sauna|like an oven|(?:(?<=it's )|(?<=its )|(?<=it is ))cooking)"
        + _FELT_TAIL, re.I),  # ("i'm cooking tonight" is what the speaker does)
    "brightness_up": re.compile(
        _FELT_LEAD + r"(?:dark|gloomy|pitch black|like a cave|murky)" + _FELT_TAIL, re.I),
    "brightness_down": re.compile(
        _FELT_LEAD + r"(?:bright|blinding|glaring|dazzling)" + _FELT_TAIL, re.I),
}


def feeling(text: str) -> str | None:
    """What a bare feeling about the room asks for ("honestly it's baltic this morning" ->
    temperature_up, "it's like a cave in here" -> brightness_up); None when the text is
    no such feeling alone ("I'm cold-hearted, everyone says so")."""
    return next((intent for intent, said in _FELT.items() if said.match(text)), None)


def need_alone(text: str) -> bool:
    """Is the utterance a need and nothing else but the words that ask for it ("a flat
    white please", "another cuppa for me")? Such a need names its device beyond doubt."""
    p = phrasing()
    need = next((n for n in p.needs if n.words.search(text)), None)
    if need is None:
        return False
    rest = need.words.sub(" ", text.lower())
    words = re.findall(r"[a-z']+", rest)
    return bool(words) and all(w in _NEED_EXTRAS for w in words) \
        and bool(set(words) & p.need_asks)


def said_value(qualifier: str, value: object) -> bool:
    """Is the qualifier "at N" the command's value N ("set the heating at 21"), not a time?
    Not when N could be an hour of the clock ("set the heating at 7"): asking is safer."""
    said = re.fullmatch(r"at (\d+(?:[.,]\d+)?)", qualifier.strip(), re.I)
    if said is None or not isinstance(value, int | float) or isinstance(value, bool):
        return False
    return float(said.group(1).replace(",", ".")) == value and not 1 <= value <= 12


_WISH_IF = (r"(?:it(?:'d|\s+would)\s+be\s+(?:really\s+|so\s+|very\s+)?(?:nice|good|great|lovely|"
            r"grand|brilliant|wonderful|perfect|ace)|i(?:'d|\s+would)\s+(?:really\s+)?love\s+it)"
            r"\s+if")
# "it'd be nice if the stereo was louder": a wish, no condition
_WISHED_IF = re.compile(rf"(?<![\w']){_WISH_IF}", re.I)
_STATE_NOW = re.compile(r"(?<![\w'])(?:it'?s|it is|i'?m|i am|we'?re|we are|it feels)"
                        r"(?:\s+[a-z']+){1,3}\s+$", re.I)
_BEFORE_REASON = re.compile(r"before (?:i|we) (?:can|forget)(?![\w'])", re.I)


def later(text: str, start: int = 0, end: int | None = None,
          value: object = None) -> str | None:
    """A delay, schedule or condition that applies to the command at text[start:end].

    A qualifier in a story told before the command, ended by "so", "because" or a full
    stop ("we'll eat later, so dim the lights"), or in one after it, does not count; nor
    does "at 21" when 21 is the command's `value` ("set the heating at 21").
    """
    p = phrasing()
    end = len(text) if end is None else end
    for m in p.later.finditer(text):
        if p.polite_if.match(text, m.start()) or any(  # "if it's no trouble": politeness
                w.end() == m.start() + 2 for w in _WISHED_IF.finditer(text, 0, m.start() + 2)):
            continue
        if said_value(m.group(0), value):
            continue
        # "it's freezing this morning": how it is now; "... before I can function": a reason
        if (m.group(0).lower().startswith(("this ", "tonight"))
                and _STATE_NOW.search(text[: m.start()])) \
                or _BEFORE_REASON.match(text, m.start()):
            continue
        if m.end() <= start:
            between = text[m.end():start]
        elif m.start() >= end:
            between = text[end:m.start()]
        else:
            return m.group(0)
        if not p.story_breaks.search(between) and not _told_around(text, m, start, end):
            return m.group(0)
    return None


# A part of its own (between commas or stops) with a subject and its verb: "the baby's
# been up three times already tonight", "I was up at five with the baby".
_SUBJECT_VERB = re.compile(
    r"(?<![\w'])(?:i|we|he|she|they|you|it|there|that|this|[a-z]+)(?:'s|'re|'m|'ve|'d|'ll|"
    r"\s+(?:(?:just|only|already|still|finally|never|always)\s+)?(?:is|are|was|were|"
    r"have|has|had|will|would|could|can|can't|did|didn't|do|don't|does|got|been|kept|"
    r"went|came|said|rang|called|forgot|know|think|need|want))(?![\w'])", re.I)
_PART_BREAK = re.compile(r"[,.;!?]")
_HAD_SINCE = re.compile(r"after (?:the|a|all) (?:[a-z]+ ){1,2}(?:i'?ve|we'?ve|i have|we have) "
                        r"had(?![\w'])", re.I)


def has_subject_verb(text: str) -> bool:
    """Does the text say who does or is something ("I've been trying to find the right
    volume", "the baby's asleep"), as a story does and a terse command does not?"""
    return _SUBJECT_VERB.search(text) is not None


def _told_around(text: str, m: re.Match[str], start: int, end: int) -> bool:
    """Is the qualifier `m` part of a story told beside the command ("it's my turn to cook
    tonight, boil the kettle please"), not said of it ("..., when I leave", "in ten
    minutes, ...")? A part that starts with the qualifier is the command's."""
    if _HAD_SINCE.match(text, m.start()):  # "after the week I've had, dim the light"
        return True
    starts = [b.end() for b in _PART_BREAK.finditer(text, 0, m.start())]
    begin = starts[-1] if starts else 0
    stop = _PART_BREAK.search(text, m.end())
    finish = stop.start() if stop else len(text)
    part = text[begin:finish]
    if (begin < end and start < finish) or text[begin:m.start()].strip(" ,") == "" or re.match(
            r"\W*(?:(?:and|but|so|or|then|just|only)\s+)*(?:when|whenever|once|as soon as|if|"
            r"unless|until|till|before|after|while|whilst)(?![\w'])", part, re.I):
        return False
    return _SUBJECT_VERB.search(part) is not None


_PAST_VERB = re.compile(
    r"(?<![\w'])(?:(?!(?:need|feed|speed|bleed|breed|seed|weed|shed|bed|red|bred|sled|led|"
    r"wed|fed|shred|sacred|hundred|naked|wicked|tired|bored|scared|red)(?![\w']))[a-z]{2,}ed|"
    r"was|were|went|got|came|did|said|made|took|saw|told|kept|felt|left|ran|sat|spent|"
    r"bought|brought|thought|found|gave|fell|broke|woke|ate|drank|slept|heard|been|drove|"
    r"rode|wrote|forgot|lost|won|met|paid|sent|began|caught|taught|threw|wore|"
    r"(?<!have )(?<!has )(?<!'ve )had)(?![\w'])", re.I)


def told_in_the_past(text: str) -> bool:
    """Does the text tell of the past ("the meeting went on for hours", "she has been
    revising")? A delay or time said in such a story is the story's, not the command's."""
    return bool(_PAST_VERB.search(text))


# "switch the big light off and leave the lamp on": the lamp is left out.
_LEAVE_AS_IS = re.compile(
    r"(?:[\s,]+(?:and|but)\s+|\s*,\s*)(?:just\s+)?(?:leave|keep)\s+(?P<what>(?:the|my|our)\s+[^,.;!?]+?)"
    r"\s+(?:on|off|alone|open|closed|shut|as (?:it|they) (?:is|are)|where (?:it|they) (?:is|are))"
    r"(?:\s+(?:please|for (?:now|\w+)|for (?:the|my|our) \w+))?[\s.!?]*$", re.I)  # "... for nana"


def split_except(text: str) -> tuple[str, str] | None:
    """ "turn off all the lights except the bedroom" -> ("turn off all the lights",
    "the bedroom"); None without an exclusion."""
    p = phrasing()
    kept = _LEAVE_AS_IS.search(text, max(0, len(text) - 200))
    if kept is not None and _complete(text[:kept.start()]):  # ("big light off but keep ...")
        return text[:kept.start()].rstrip(" ,"), kept.group("what")
    m = p.except_words.search(text)
    start, end = (m.start(), m.end()) if m else (0, 0)
    if m is None:  # "switch off every light but the hallway": "but" excludes after
        # "all"/"every" in a command ("all the lights are on but ..." is no exclusion)
        after_all = p.except_after_all.search(text)
        if after_all is None or not (p.action_start.search(text) or _TERSE_START.match(text)):
            return None
        start, end = after_all.start("word"), after_all.end("word")
    if not text[:start].strip() or not text[end:].strip():
        return None
    # "... except the porch light and lock the front door": a command after the exclusion
    # is one of its own
    then = _THEN_COMMAND.search(text, end)
    if then is not None and text[end:then.start()].strip(" ,"):
        return (f"{text[:start].rstrip(' ,')} and {text[then.end():].strip()}",
                text[end:then.start()].strip(" ,.!?"))
    # "all the lights except the lamp off please", "every light except the garage to 40
    # percent": the way or value said after the exclusion is the command's
    tail = _EXCLUDED_TAIL.search(text, end)
    if tail is not None and text[end:tail.start()].strip(" ,"):
        return (f"{text[:start].rstrip(' ,')} {tail.group(0).strip(' ,.!?')}",
                text[end:tail.start()].strip(" ,.!?"))
    return text[:start].rstrip(" ,"), text[end:].strip(" ,.!?")


_EXCLUDED_TAIL = re.compile(
    rf"\s+(?:on|off|up|down|(?:to|at)\s+{_SAID_NUMBER}(?:\s*(?:%|percent|per cent|degrees?))?)"
    r"(?:\s+(?:please|now|thanks))?[\s,.!?]*$", re.I)


_THEN_COMMAND = re.compile(r"(?:\s*,\s*|\s+)(?:and\s+|then\s+|and then\s+)(?:also\s+|please\s+)?"
                           r"(?=(?:turn|switch|close|open|shut|lock|unlock|start|stop|pause|mute|"
                           r"unmute|dim|brighten|set|put|make)\s)", re.I)


# "turn on the hall light and off the garden lights": the particle says the second action.
_PARTICLE_FIRST = re.compile(r"\W*(?:on|off)\s+(?:the|my|our|all|every)\s+\w", re.I)


_NEXT_COMMAND = re.compile(r"(?<=[a-z] )(?:turn|switch|close|open|shut|lock|unlock|start|stop|"
                           r"pause|mute|unmute|dim|brighten|set)\s+(?:[a-z']+\s+)?"
                           r"(?:the|my|our|all|every|it|them)(?![\w'])", re.I)
_ASKED_FIRST = re.compile(r"\W*(?:is|are)\s+(?:there|the|my|our)(?![\w'])", re.I)
_REQUEST_AFTER = re.compile(r"(?<=\s)(?:turn|switch|shut|put|open|close|start|stop|can you|"
                            r"lock(?=\s+(?:it|them|up|the|my|our|all)(?![\w']))|"
                            r"could you)(?=\s+\w)", re.I)

# A request put to the assistant, and a state said before it ("the floor is filthy can you
# hoover").
_ASKED_YOU = re.compile(r"(?<=\s)(?:(?:can|could|would|will)\s+(?:you|u)\s+(?=\w)|"
                        r"(?:turn|switch|put|close|open|shut|start|stop|pause|mute|dim|"
                        r"brighten|set)\s+(?:[a-z']+\s+)?(?:the|my|our|all|every|it|them)"
                        r"(?![\w']))", re.I)
# ... not when the state is the speaker's own doing or a question: "i'm going to turn off
# the lights", "is it time to switch off the tv", "it's cold i'll put the heating on".
_NOT_STATE_END = frozenset({"to", "i", "i'll", "we", "we'll", "you", "you'll", "they", "he",
                            "she", "will", "would", "should", "can", "could", "must", "gonna",
                            "let's", "lets", "don't", "dont", "not", "never", "and", "or",
                            "for", "of", "about", "say", "says", "said", "so", "but",
                            "because", "cause", "if", "when", "then"})
_QUESTION_FIRST = re.compile(r"\W*(?:is|are|was|were|do|does|did|should|shall|can|could|"
                             r"would|will|what|when|why|how|who|where|which)(?:'s)?(?![\w'])",
                             re.I)
_STATED = re.compile(r"\w(?:'s|'re|'m)(?![\w'])|(?<![\w'])(?:is|are|was|were|its|im)(?![\w'])",
                     re.I)

# A verb whose particle the left part lacks: "switch the coffee maker and the kettle off" is
# one action on both ("turn the tv on and the lamp off" is two).
_NEEDS_PARTICLE = re.compile(r"\W*(?:(?:please|can you|could you|would you|just)\s+)*"
                             r"(?:turn|switch|shut|power|flip|flick|make|set|put|get|knock|"
                             r"whack|chuck|pop|bang|stick)\s+(?!(?:on|off|up|down)(?![\w']))"
                             r"(?:(?!(?:on|off|up|down)(?![\w']))[\w' ])*$", re.I)


# What completes a "turn" of its own: a colour, a number, "to ..." ("turn the bedroom light
# blue and the lamp off" is two).
_SETTING = re.compile(rf"(?<![\w'])(?:to|at|\d+|{COLOR_ALT})"
                      r"(?![\w'])", re.I)


# A part that ends in the value it sets: "set the kitchen light to forty", "the hall light
# to sixty percent".
_TO_VALUE_END = re.compile(
    rf"(?<![\w'])to\s+{_SAID_NUMBER}(?:\s*(?:%|percent|per cent|degrees?))?[\s,.!?]*$", re.I)


# A part with a way of its own: "the kitchen light off (and the hall light on)".
_PARTICLE_ANY = re.compile(r"(?<![\w'])(?:on|off|up|down|open|closed|shut|locked|unlocked)"
                           r"(?![\w'])", re.I)


_HALF = re.compile(r"\s*(?:a\s+)?(?:half|quarter)(?:\s+(?:percent|per cent|degrees?))?\W*$",
                   re.I)


def _complete(left: str) -> bool:
    """Does the part before "and the hall light on" say an action of its own (a verb, a
    particle, a value)? "office and garage lights off", "we could do with the kettle and
    the coffee machine on" are one action on a list."""
    return bool(phrasing().action_start.search(left) or _PARTICLE_ANY.search(left)
                or _SETTING.search(left))


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Character ranges of the actions in `text`, when it holds more than one.

    A joiner ("and", "then", a comma) splits where the part after it starts with an
    action verb ("... and turn off the tv") or ends with a particle that says the action
    ("turn the tv on and the lamp off"); "turn off the tv and the lamp" stays whole.
    Returns [] when there is nothing to split.
    """
    p = phrasing()
    cuts: list[tuple[int, int]] = []  # (end of left part, start of right part)
    for m in p.joiners.finditer(text):
        left_start = cuts[-1][1] if cuts else 0
        left = text[left_start : m.start()]
        if not left.strip() or m.end() >= len(text):
            continue
        nxt = p.joiners.search(text, m.end())
        right = text[m.end() : nxt.start() if nxt else len(text)]
        if not right.strip() or _HALF.match(right):  # "nineteen and a half"
            continue
        if p.action_start.search(right) or _PARTICLE_FIRST.match(right) or (
                p.action_end.search(right) and len(right.split()) >= 2
                and not (_NEEDS_PARTICLE.match(left) and not _SETTING.search(left))
                and ("," in m.group(0) or _complete(left))) or (
                p.clause_subject.match(right) and p.action_start.search(left)) or (
                _TO_VALUE_END.search(left) and _TO_VALUE_END.search(right)):
            cuts.append((m.start(), m.end()))  # ("... to 40 and the hall light to 60")
    # A correction said without a pause, then the command again: "set the heating to 20 uh
    # no make it 21" (speech has no commas) ends one clause, taken back, and starts the next.
    for m in p.corrections.finditer(text):
        right = text[m.end():].lstrip(" ,.;:!?-")
        # (the part taken back may be terse: "bedroom lights red actually make them blue")
        if _complete(text[: m.start()]) and p.action_start.match(right) \
                and not any(a - 1 <= m.end() <= b + 1 for a, b in cuts):
            cuts.append((m.end(), m.end()))
    # A question about the home, then the request with no pause and no joiner: "is there a
    # fan in here turn it on".
    asked = _ASKED_FIRST.match(text)
    requests = [r for r in _REQUEST_AFTER.finditer(text, asked.end()) if not
                _REQUEST_AFTER.match(text, len(text) - len(text[r.end():].lstrip()))
                ] if asked and not cuts else []
    # ("are the blinds open close them": the state asked about is no request)
    if requests and len(text[: requests[0].start()].split()) >= 3:
        cuts.append((requests[0].start(), requests[0].start()))
    # How things are, then the request with no pause: "the room is dark can you turn on the
    # lamp" is read as "the room is dark, can you turn on the lamp".
    asked_you = _ASKED_YOU.search(text) if not cuts else None
    if asked_you:
        left = text[: asked_you.start()]
        # (a longer story before a request is after_story's: "so the printer jammed ...")
        if 3 <= len(left.split()) <= 8 and _STATED.search(left) \
                and not p.action_start.search(left) \
                and left.split()[-1].lower() not in _NOT_STATE_END \
                and not _QUESTION_FIRST.match(left):
            cuts.append((asked_you.start(), asked_you.start()))
    # One command after another with no pause and no joiner: "close the blinds dim the lights
    # and turn the tv on". The next starts with a verb and its object ("dim the lights", not
    # "dim a bit" or "open please").
    if p.action_start.match(text):
        for m in _NEXT_COMMAND.finditer(text):
            start = max((b for _, b in cuts if b <= m.start()), default=0)
            left = text[start : m.start()]
            if len(left.split()) >= 3 and p.action_start.match(left) \
                    and not p.own_action.search(text[start:]) \
                    and not any(a <= m.start() <= b for a, b in cuts):
                cuts.append((m.start(), m.start()))
                cuts.sort()
    cuts.sort()
    if not cuts:
        return []
    ranges = []
    start = 0
    for left_end, right_start in cuts:
        ranges.append((start, left_end))
        start = right_start
    ranges.append((start, len(text)))
    return [(a, b) for a, b in ranges if text[a:b].strip()]


def one_word_request(text: str) -> bool:
    """Is a one-word utterance a request by itself ("louder": yes, "boiling": no)?
    True for longer utterances."""
    words = re.findall(r"[a-z']+", text.lower())
    return len(words) != 1 or words[0] in phrasing().one_word


def statement_subject(text: str) -> str | None:
    """The device words of a statement ("the thermostat says 21 degrees" -> "thermostat"):
    up to four words before a state verb at the start; None when the text is no such
    statement. The caller checks that the subject names a device."""
    found = statement(text)
    return found[0] if found else None


_PAST = re.compile(r"(?:was|were|had been|went|kept|used|said|showed)(?![\w'])", re.I)


def past_statement_subject(text: str) -> str | None:
    """The subject of a statement in the past ("the office was really bright today" ->
    "office"): about another time, it asks for nothing, whatever its subject (a room
    too). None when the text is no such statement."""
    found = statement(text)
    return found[0] if found and _PAST.match(found[1]) else None


# "the fan's on", "the garage door's still open": how a device is, said with "'s".
_STATE_IS = re.compile(
    r"^\W*(?:(?:so|and|um|uh|well|oh|hmm|look|wow|nice|great|brilliant|typical|ugh|sure)\W+)*"
    r"(?:(?:the|my|our|your)\s+)?"
    # not a request for the state: "make sure the front door's locked"
    r"(?!(?:make|making) sure\b|ensure\b|check\b|double check\b|be sure\b|verify\b)"
    r"(?P<subject>[a-z][a-z -]*?)'s\s+(?:still\s+|already\s+|now\s+|not\s+)?"
    r"(?:switched\s+|turned\s+|gone\s+|come\s+|been\s+)?"
    r"(?:on|off|open|closed|shut|locked|unlocked|running|broken|stuck|dead|out|new|old|"
    r"empty|full|working)(?![\w'])(?![^,.;!?]*(?<![\w'])(?:too|please|can|could|would|"
    r"turn|switch|put|so)(?![\w']))", re.I)


# "the speaker's at max", "the lights in here are on a quarter", "the bedroom's at 22
# degrees": where a device or a room is now, with no request after it.
AT_LEVEL = "is at"
_AT_LEVEL = re.compile(
    r"^\W*(?:(?:so|and|um|uh|well|oh|hmm|look|wow|nice|sure|right)\W+)*"
    r"(?:(?:the|my|our|your)\s+)?(?P<subject>[a-z][a-z -]*?)(?:'s|'re|\s+is|\s+are)\s+"
    r"(?:still\s+|already\s+|now\s+|currently\s+|sitting\s+)?(?:at|on)\s+"
    rf"(?:about\s+|around\s+|roughly\s+|like\s+)?(?:{_SAID_NUMBER}|a quarter|half|"
    r"three quarters|max(?:imum)?|full|min(?:imum)?)(?![\w'])"
    r"(?!.*(?<![\w'])(?:please|can|could|would|turn|switch|put|set|make|so|but)"
    r"(?![\w']))", re.I)


_STATE_HEAD = re.compile(
    r"^\W*(?:(?:the|my|our|your)\s+)?[a-z][a-z -]*?(?:'s|\s+is|\s+are|'re)\s+"
    r"(?:still\s+|already\s+|now\s+|not\s+)?(?:on|off|open|closed|shut|locked|unlocked|"
    r"running|going|up|down|at)(?![\w'])", re.I)


def state_then_request(text: str) -> tuple[str, str] | None:
    """(how a device is, the request after it): "the heating's off so turn it on" ->
    ("the heating's off", "turn it on"); None when the text does not start so."""
    if not _STATE_HEAD.match(text):
        return None
    tail = command_tail(text)
    if tail is None:
        return None
    head = _HEAD_END.sub("", text[: text.rfind(tail)]).strip(" ,.;")
    return (head, tail) if head else None


_HEAD_END = re.compile(r"[\s,]*(?<![\w'])(?:(?:and\s+)?so|anyway|because|then|and)?[\s,]*$",
                       re.I)


# Words after which a verb is a verb, not part of a name ("can you make sure ...").
_BEFORE_VERB = frozenset({"you", "u", "please", "pls", "to", "and", "then", "just", "also",
                          "sure", "ok", "okay"})


def statement(text: str) -> tuple[str, str] | None:
    """(subject, verb) of a statement: up to four words before a state verb at the
    start ("the thermostat says 21 degrees" -> ("thermostat", "says")); None when the
    text is no such statement."""
    said = _STATE_IS.match(text)
    if said is not None:
        return said.group("subject").lower(), "is"
    level = _AT_LEVEL.match(text)
    if level is not None:
        return level.group("subject").lower(), AT_LEVEL
    m = re.match(r"^\W*(?:(?:so|and|um|uh|well|oh|hmm|look|hey|wow|nice|great|brilliant|typical|"
                 r"ugh|sure|lovely|perfect|honestly)\W+)*"
                 r"(?:(?:the|my|our|your|this|that|these|those)\s+)?", text, re.I)
    rest = text[m.end():] if m else text
    words = list(re.finditer(r"[\w'-]+", rest))
    p = phrasing()
    for k in range(1, min(4, len(words)) + 1):
        if p.verb.fullmatch(words[k - 1].group(0)) and (
                k == 1 or words[k - 2].group(0).lower() in _BEFORE_VERB):
            return None  # "make sure the lamp is off" asks ("the door lock is" is a noun)
        verb = p.statement.match(rest[words[k - 1].end():])
        if verb:
            return (" ".join(w.group(0) for w in words[:k]).lower(),
                    verb.group(0).strip(" ,").lower())
    return None


# "so" saying what for: "... so you can see my face", "so that we don't trip over".
_PURPOSE = re.compile(r"\s+(?:that\s+)?(?:you|i|we|they|he|she|it|everyone|everybody)\s+"
                      r"(?:can|could|will|'ll|won'?t|don'?t|do not|may|might|are able)"
                      r"(?![\w'])", re.I)


def after_story(text: str) -> str | None:
    """What follows the last "so", "anyway", "because" or full stop of a text ("... and we
    talked about the weather, anyway could you turn on the light" -> "could you turn on
    the light"); None when nothing does."""
    last = None
    for m in phrasing().story_breaks.finditer(text):
        if not _PURPOSE.match(text, m.end()):  # "so you can see my face": why, not what
            last = m
    if last is None:
        return None
    tail = text[last.end():].strip(" ,.!?")
    return tail if len(tail.split()) >= 2 else None


# An aside after a command: "turn the garden lights off, the neighbours are complaining",
# "alexa turn the stereo up this is my song". It starts like a clause of its own (a subject)
# and has a verb; it is not a place, a value or more of the device ("in the kitchen",
# "to fifty", "the one by the window").
_ASIDE_START = re.compile(
    r"(?:(?:oh|and|because|cause|cos|since|as|cuz)\s+)?(?:i|im|i'm|i've|ive|i'll|ill|i'd|it|"
    r"it's|its|he|he's|hes|she|she's|shes|they|they're|theyre|we|we're|were|you|you're|youre|"
    r"there's|theres|that's|thats|that|this|my|your|his|her|our|their|the|does|do|did|who|"
    r"anyone|anybody|someone|somebody|everyone|everybody|nobody|[a-z]+'s)(?![\w'])", re.I)
# After a command with no verb ("fan on"), only an aside that starts with who says or what
# is ("i can't sleep", "it's gone ten") is one: "patio on again children's room" is a bag.
_SPEAKER_ASIDE = re.compile(
    r"(?:(?:oh|and|because|cause|cos|since|as|cuz)\s+)?(?:i|im|i'm|i've|ive|i'd|it|it's|its|"
    r"he|he's|she|she's|they|they're|we|we're|you|you're|there's|that's)(?![\w'])", re.I)
_ASIDE_VERB = re.compile(
    r"(?<![\w'])(?:is|are|was|were|am|has|have|had|just|went|can|can't|cant|won't|wont|"
    r"will|wants?|needs?|coming|gone|got|get|gets|keeps?|likes?|hates?|loves?|"
    r"feels?|looks?|seems?|sounds?|do|does|did|don't|doesn't|didn't|need|must|its|should|"
    r"could|would|might|may|forgot|left|came|broke|lost|woke|fell|spilled|dropped|arrived|"
    r"heard|saw|think|thought|know|knew|reckon|guess)"
    r"(?![\w'])"
    r"|[a-z]'(?:s|re|m|ve|ll|d)(?![\w'])", re.I)
# "turn on the lamp that is by the window": a relative clause says which device, no aside.
_WHICH_ONE = re.compile(r"(?:that|which)(?:'s|\s+is|\s+are|\s+was)\s+(?:by|in|on|near|next|"
                        r"beside|behind|above|below|under|over|at|with|from|for|the\s+ones?|"
                        r"my|our)(?![\w'])", re.I)  # not "..., that's the doorbell"
# The last word of a command (matched whole: "warm white" ends in "white" too).
_COMMAND_END = re.compile(
    r"(?:on|off|up|down|out|please|here|percent|degrees|\d+%?|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|"
    r"quarter|max|maximum|minimum|full|bit|little|lot|more|less|now|again|louder|quieter|"
    r"brighter|dimmer|darker|warmer|cooler|hotter|colder|higher|lower|"
    rf"{COLOR_ALT})", re.I)
# A command may end in a question tag or a moment: "put the heat on would you", "shut the
# tv up for a sec".
_POLITE_END = re.compile(r"(?<![\w'])(?:(?:would|will|could|can|won't) you|(?:for )?a (?:sec|"
                         r"second|moment|mo|minute)|for a bit)$", re.I)
def _barred(aside: str) -> bool:
    """Does the aside take back, qualify or add to the command? A story told after it
    ("..., I'm already in bed and I've done those stairs all day") is barred only by the
    words that do so in a story too."""
    if len(aside.split()) >= 6 and has_subject_verb(aside):
        return _STORY_BAR.search(aside) is not None
    return _ASIDE_BAR.search(aside) is not None


_STORY_BAR = re.compile(
    r"(?<![\w'])(?:not|no|(?<!i )(?<!we )don'?t|do not|never|except|but not|instead|"
    r"actually|wait|sorry|"
    r"i mean|rather|if|when|unless|until|till|once|called|whatever|(?:in|within|after)\s+"
    r"(?:\w+\s+){0,2}(?:minutes?|hours?|seconds?))(?![\w'])", re.I)
_ASIDE_BAR = re.compile(
    r"(?<![\w'])(?:not|no|(?<!i )(?<!we )don'?t|do not|never|except|but|instead|actually|"
    r"wait|sorry|mean|rather|if|when|unless|until|till|after|before|once|while|minutes?|hours?|seconds?|"
    r"tonight|tomorrow|later|one|ones|also|as well|both|all|every|only|just the|"
    # "..., the hall light too", not "..., it's too dark to read"
    r"too(?!\s+(?:dark|bright|hot|cold|warm|chilly|loud|quiet|dim|stuffy|noisy|gloomy))|"
    r"whatever|called|says?|said|tells?|told|asks?|asked|way)(?![\w'])",
    re.I)


def command_head(text: str, named: re.Pattern[str] | None = None) -> tuple[str, str] | None:
    """(the command, the aside after it): "turn the garden lights off, the neighbours are
    complaining" -> ("turn the garden lights off", "the neighbours are complaining"); None
    when the text does not start with a command followed by such an aside. An aside that
    takes the command back, qualifies it ("..., not the lamp", "..., when I leave"), or
    says more of what is meant ("..., the one by the window") is none: the whole is read.
    The command ends as one does: "on", "off", a value, a colour, "please", or a name
    `named` matches ("... the dining room light"); without a comma (speech has none) it is
    three words or more. An aside that names one is no aside."""
    p = phrasing()
    terse = not p.action_start.match(text) and bool(  # "fan on, i can't sleep"
        _TERSE_START.match(text) or (named is not None and named.match(text)))
    if not (terse or p.action_start.match(text)):
        return None
    # "sixty-five" is one word: its hyphen is no break before an aside
    words = list(re.finditer(r"[\w']+(?:-[\w']+)*", text))
    # Cheap tests first: every cut point is tried, and a hostile line has hundreds.
    for k in range(2, len(words) - 1):
        end = words[k - 1].end()
        tail = text[end:]
        comma = tail.lstrip().startswith((",", ";", ".", "-"))
        aside = tail.strip(" ,.;:!?-")
        if (not comma and k < (2 if terse else 3)) or not (comma or _ASIDE_START.match(aside)) \
                or (terse and not _SPEAKER_ASIDE.match(aside)  # "patio on again kids' room"
                    and not (comma and _ASIDE_START.match(aside))):  # ", nana's coming down"
            continue
        head = text[:end]
        last = words[k - 1].group().rsplit("-", 1)[-1]  # "five" of "sixty-five"
        said_end = end
        # "put the big light on now, ...", "whack the heater on mate, ..."
        if last.lower() in ("now", "there", "mate", "love", "pal") and k > 2:
            last = words[k - 2].group().rsplit("-", 1)[-1]
            said_end = words[k - 2].end()
        if not (_COMMAND_END.fullmatch(last) or _POLITE_END.search(head) or (
                named is not None and any(m.end() == said_end for m in named.finditer(head)))):
            continue
        if len(aside.split()) < 2 or not _ASIDE_VERB.search(aside) \
                or _barred(aside) or _WHICH_ONE.match(aside) \
                or p.action_start.match(aside) or p.corrections.search(aside) \
                or (named is not None and named.search(aside)):  # "..., the kitchen one's fine"
            continue
        return head.strip(" ,"), aside
    return None


_TERSE_START = re.compile(r"(?:the\s+|my\s+|our\s+)?[a-z]+(?:\s+[a-z]+)?\s+(?:on|off|up|down)"
                          r"(?![\w'])", re.I)


def after_question(text: str) -> str | None:
    """The request after a question ("is the front door locked? lock it for me, please" ->
    "lock it for me, please"); None when nothing after the last question mark starts as a
    command."""
    at = text.rfind("?")
    rest = text[at + 1:].strip(" ,.!")
    if at <= 0 or len(rest.split()) < 2:
        return None
    return rest if phrasing().action_start.match(rest) or _TERSE_START.match(rest) else None


def command_tail(text: str) -> str | None:
    """The command at the end of a long utterance, from the last request lead ("... we both
    got soaked could you turn the heating up" -> "could you turn the heating up") or, failing
    that, after the last comma or story break when what follows starts as a command ("...
    everyone wants to sleep, lights off in the lounge"); None when there is no such part or
    it is the whole text."""
    p = phrasing()
    start = next((m.start() for m in reversed(list(p.request_lead.finditer(text)))
                  if len(text[m.end():].split()) >= 2), None)  # not "..., please"
    if start is None:
        breaks = [m.end() for m in re.finditer(r",", text)]
        breaks += [m.end() for m in p.story_breaks.finditer(text)]
        for at in sorted(breaks, reverse=True):
            rest = text[at:].strip(" ,.!?")
            if p.action_start.search(rest) or _TERSE_START.match(rest):
                start = at
                break
    if start is None or not text[:start].strip(" ,.!?") or _REPORTED.search(text[:start]):
        return None  # "I asked my son could you turn the tv off": his words, not a request
    tail = text[start:].strip(" ,.!?")
    if told_in_the_past(tail):  # "... could you turn the tv off and he ignored me"
        return None
    return tail if len(tail.split()) >= 2 else None


# Words that report what someone said, up to three words before it ("she said", "I asked
# my son", "told them").
_REPORTED = re.compile(r"(?<![\w'])(?:say|says|said|saying|ask|asks|asked|asking|tell|tells|told|"
                       r"telling|shout\w*|yell\w*|scream\w*|goes|went|like|text\w*|wrote|"
                       r"write|writes|message\w*)(?:\W+[\w']+){0,2}\W*$", re.I)


_OI = re.compile(r"\W*oi(?![\w'])", re.I)


def addressed_to_someone(text: str) -> bool:
    """Is the utterance said to another person ("mum, close the blinds", "tom can you turn
    off the tv")? The assistant's own names are stripped before (`clean`), so an "oi" left
    at the start calls someone in the room ("oi, lights off, it's gone ten")."""
    return bool(phrasing().addressed.match(text) or _OI.match(text))


def asks_no_change(text: str) -> bool:
    """ "leave the hall light on", "keep the heating off for now": nothing to change."""
    return bool(phrasing().no_change.search(text))


def own_action(text: str) -> bool:
    """ "going to lock the front door now", "let me just unplug the fan": what the speaker
    does with a device, not a request."""
    return bool(phrasing().own_action.search(text))


def habit(text: str) -> bool:
    """ "most evenings we dim the lights and put the telly on", "imagine turning off every
    light": a habit or a what-if, told in one breath (no sentence after it)."""
    return bool(phrasing().habit.search(text)) and not re.search(r"[.?!;]\s*\w", text)


def past_report(text: str) -> bool:
    """ "dad turned the telly up so loud the neighbours complained": what someone did with a
    device, told; a request after it ("..., can you turn it down") is read on its own."""
    told = phrasing().past_report.search(text)
    # what a list or a person says is read out, requests and all: "the checklist says ...,
    # big light off, ..."
    return told is not None and (command_tail(text) is None or _SAYS.search(told.group(0))
                                 is not None)


_SAYS = re.compile(r"(?<![\w'])(?:says|said|reads|wrote|told)(?![\w'])", re.I)


def own_chore(text: str) -> bool:
    """ "I need to clean the bathroom": the speaker's own chore, not the robot's; "I'm
    making a cup of tea": what the speaker is doing already."""
    p = phrasing()
    return bool(p.own_chore.search(text) or p.own_doing.search(text))


def corrects(between: str) -> bool:
    """Do the words between two device mentions correct the first ("no wait", "sorry, I
    mean")?"""
    p = phrasing()
    # "the lights, no, not the lamp" leaves the lamp out: an exclusion, not a correction
    return bool(p.corrections.search(between)) and not _NEGATION.search(between)


def ends_in_correction(text: str) -> bool:
    """Does a clause end by taking itself back ("open the blinds, no wait")?"""
    return bool(phrasing().correction_end.search(text))


def cooking(text: str) -> bool:
    """Is there food or a cooking thing in it ("heat up some soup")?"""
    return bool(phrasing().cooking.search(text))


def not_a_device(word: str) -> bool:
    """Is this word a thing of the home that is no device ("window", "table")?"""
    return word.lower() in phrasing().not_devices


def is_cue_word(intent: str, word: str) -> bool:
    """Is this one word a word that asks for `intent` ("lock" for lock)?"""
    cue = phrasing().cues.get(intent)
    return bool(cue and cue.fullmatch(word.strip()))


_PLACE = re.compile(r"(?<![\w'])(?:in|at)\s+(?:the\s+|my\s+|our\s+|this\s+)?"
                    # "at twenty four degrees" is a value, not a place
                    rf"(?!{_SAID_NUMBER}\s+(?:degree|percent|per cent))"
                    r"(?P<place>[a-z]+(?:\s+[a-z]+)?)", re.I)
_HOME_PLACES = frozenset({"here", "house", "home", "flat", "apartment", "room", "place",
                          "bed", "there", "all", "a", "an", "every", "each"})


_OUTDOORS = re.compile(r"(?<![\w'])(?:today|outside|out there|this (?:week|summer|winter|"
                       r"spring|autumn|year)|these days|the weather)(?![\w'])", re.I)
# Out of the home, said of something the speaker does or where they are: "too cold for a
# walk", "freezing at the office" (the home's study is not where one works "at").
_AWAY = re.compile(r"(?<![\w'])(?:for a (?:walk|run|jog|swim|picnic|barbecue|bbq|bike ride|"
                   r"stroll)|to go (?:out|outside)|at (?:the )?(?:office|work|school|gym|"
                   r"station|bus stop|shops?|airport|hospital|beach|park|stadium|match))"
                   r"(?![\w'])", re.I)
# "the water is too hot", "my tea is cold": a thing that is hot or dark, not the home.
_THING_IS = re.compile(r"^\W*(?:(?:so|oh|well|ugh|hmm)\W+)*(?:the|my|our|this|that|your)\s+"
                       r"(?P<thing>[a-z]+(?:\s+[a-z]+)?)\s+(?:is|are|was|were|'s|feels|seems|"
                       r"gets|got|looks)(?![\w'])", re.I)
_HOME_THINGS = frozenset({"house", "home", "flat", "apartment", "room", "place", "air", "hall",
                          "upstairs", "downstairs", "floor", "heating", "heat", "temperature",
                          "light", "lights", "lighting",
                          # the speaker's own: "my feet are freezing" is the speaker cold
                          "hands", "feet", "toes", "fingers", "nose", "ears", "hand", "foot"})


def outdoors(text: str) -> str | None:
    """The weather or a place outside the home said ("today", "for a walk", "at the
    office"), or None."""
    m = _OUTDOORS.search(text) or _AWAY.search(text)
    return m.group(0).lower() if m else None


def thing_said(text: str, rooms: Iterable[str]) -> str | None:
    """The thing a statement is about when it is not the home, a room or its air ("the water
    is too hot" -> "water"); None when there is none or it is the home's."""
    m = _THING_IS.match(text)
    if m is None:
        return None
    thing = m.group("thing").lower()
    known = set(rooms)
    if thing in known or thing.split()[-1] in _HOME_THINGS or thing.split()[0] in known \
            or any(r.split()[0] == thing.split()[0] for r in known):
        return None
    return thing


def elsewhere(text: str, rooms: Iterable[str]) -> str | None:
    """A place said that is not in the home ("it's hot in spain", "freezing at work"), or
    the weather ("it's so hot today", "dark outside"): what the words imply is not about
    here. `rooms`: the home's room names (normalised). None when every place said is in
    the home."""
    outdoors = _OUTDOORS.search(text)
    if outdoors is not None:
        return outdoors.group(0).lower()
    known = set(rooms)
    for m in _PLACE.finditer(text):
        words = m.group("place").lower().split()
        if words[0] in _HOME_PLACES or words[0] in known or " ".join(words) in known \
                or any(r.split()[0] == words[0] for r in known):
            continue
        return words[0]
    return None


def polite_core(text: str) -> str | None:
    """The request inside a polite way into it, its first verb in the plain form ("do you
    mind turning off the telly" -> "turn off the telly"); None when there is none."""
    p = phrasing()
    m = p.polite.match(text)
    if m is None or not text[m.end():].strip():
        return None
    rest = text[m.end():].strip()
    first, _, tail = rest.partition(" ")
    plain = p.plain_verbs.get(first.lower())
    if plain is not None:
        rest = f"{plain} {tail}".strip()
    return rest if len(rest.split()) >= 2 else None


# "we could do with the heating on", "it would be nice if the telly was a bit louder": a
# wish for how a device should be, which reads as the terse command "the heating on".
_WISH = re.compile(rf"\W*(?:(?:well|so|honestly|um|uh|you know)\W+)*(?:(?:we|i)\s+could\s+"
                   rf"(?:really\s+|just\s+)?do\s+with|{_WISH_IF}|let'?s\s+have|"
                   r"(?:i\s+think\s+)?i(?:'d|\s+would)\s+(?:really\s+|quite\s+)?(?:like|love))\s+"
                   r"(?=(?:the|my|our|a\s+bit|a\s+little|some)\s)", re.I)
_STATE_VERB = re.compile(r"\s+(?:was|were|is|are|could\s+be|would\s+be|went|came)(?=\s)", re.I)


def wished_state(text: str) -> str | None:
    """The terse command a wish says ("we could do with the big light off" -> "the big
    light off"); None when the text is no such wish."""
    m = _WISH.match(text)
    if m is None or re.search(r"(?<![\w'])to\s+be(?![\w'])", text[m.end():], re.I):
        return None  # ("... if the kitchen was to be painted": no state of a device)
    rest = _STATE_VERB.sub("", text[m.end():], count=1).strip(" ,.!?")
    return rest if len(rest.split()) >= 2 else None


_ARTICLE = re.compile(r"(?<![\w'])(?:the|my|our|a|an)(?![\w'])", re.I)
_PARTICLES = frozenset({"on", "off", "up", "down", "open", "closed", "shut"})


_SAID_VALUE = re.compile(
    rf"(?P<color>(?:{COLOR_ALT})(?![\w']))|(?P<number>{_SAID_NUMBER})"
    r"(?P<unit>\s*(?:percent|per cent|%|degrees?|°))?", re.I)
_PART_END = re.compile(r"[,;!?]|\.(?!\d)")
_CORRECTED_LEAD = re.compile(r"(?:i mean|i meant|make it|make that|to|it'?s|no)\s+", re.I)


def value_corrected(text: str) -> str | None:
    """The request with its value corrected: "make the nursery light blue, sorry, green" ->
    "make the nursery light green"; "heating to 21 no 22 degrees" -> "heating to 22
    degrees". Only where the correction is a value alone and the request before it ends
    with a value of the same kind; else None (a device corrected: `corrected_request`)."""
    found = list(phrasing().corrections.finditer(text))
    if not found:
        return None
    last = found[-1]
    # "to blue, um, actually green": the filler before the correction is no part of it
    before = re.sub(r"(?:[\s,]+(?:um+|uh+|er+m?|hmm+|no|sorry|wait|oops))+$", "",
                    text[: last.start()].rstrip(" ,.;-"), flags=re.I)
    # "..., actually green, he said green this morning": the value, then an aside
    after = _PART_END.split(text[last.end():].strip(" ,.;!?-"), maxsplit=1)[0].strip()
    while (lead := _CORRECTED_LEAD.match(after)) is not None:
        after = after[lead.end():]
    new = _SAID_VALUE.fullmatch(after)
    if new is None or not before:
        return None
    please = re.search(r"(?:\s+please)?$", before, re.I)
    head = before[: please.start()] if please is not None else before
    old = next((m for m in _SAID_VALUE.finditer(head) if m.end() == len(head)
                and (m.start() == 0 or not head[m.start() - 1].isalnum())), None)
    if old is None or bool(old.group("color")) != bool(new.group("color")):
        return None
    value = after
    if new.group("number") and not new.group("unit") and old.group("unit"):
        value += old.group("unit")  # "30 percent, no, 40": 40 percent
    return head[: old.start()] + value + before[len(head):]


def corrected_request(text: str) -> str | None:
    """The request a correction makes, with the verb of what it corrects: "turn the kitchen
    light on, no wait, the hall light" -> "turn the hall light on"; None when the text
    holds no correction followed by a device alone."""
    p = phrasing()
    found = list(p.corrections.finditer(text))
    if not found:
        return None
    last = found[-1]
    before, after = text[: last.start()].strip(" ,.;-"), text[last.end():].strip(" ,.;!?-")
    after = re.sub(r"^(?:just|only)\s+", "", after, flags=re.I)  # "actually just the tv"
    # "..., sorry, the coffee machine, the kettle's already off": the device, then an aside
    after = _PART_END.split(after, maxsplit=1)[0].strip()
    if not re.match(r"(?:the|my|our)\s", after, re.I) or p.action_start.search(after):
        return None
    article = _ARTICLE.search(before)
    if article is not None and article.start() > 0:
        verb = before[: article.start()].strip()
    else:  # "switch off tv and stereo actually only the stereo": the verb and its particle
        said = p.action_start.match(before)
        if said is None:
            return None
        rest = before[said.end():].split()
        verb = before[: said.end()].strip() + (
            f" {rest[0]}" if rest and rest[0].lower() in _PARTICLES else "")
    particle = before.rsplit(maxsplit=1)[-1].lower()
    tail = f" {particle}" if particle in _PARTICLES and verb.lower().split()[-1] not in \
        _PARTICLES else ""
    return f"{verb} {after}{tail}"


def without_condition(text: str) -> tuple[str, str] | None:
    """(the command, the qualifier) of a command said for later or on a condition, read
    apart so the command is known even when the whole is not: "if it rains close the
    blinds" -> ("close the blinds", "if it"); "turn the hall light off when i leave" ->
    ("turn the hall light off", "when i"). None without a qualifier, or with no action
    around it."""
    p = phrasing()
    m = next((q for q in p.later.finditer(text) if not p.polite_if.match(text, q.start())
              and not _BEFORE_REASON.match(text, q.start())),
             None)  # "if it's no trouble" asks politely, it sets no condition; nor does
    # "before i forget"
    if m is None:
        return None
    before = text[: m.start()].strip(" ,.;")
    if before and (p.action_start.search(before) or _TERSE_START.fullmatch(before)):
        return before, m.group(0)  # ("heating off when we leave")
    for verb in re.finditer(r"[a-z]+", text[m.end():].lower()):
        rest = text[m.end() + verb.start():].strip(" ,.;")
        if p.verb.fullmatch(verb.group(0)) and len(rest.split()) >= 2:
            if p.story_breaks.search(text[m.end():m.end() + verb.start()]):
                return None  # "... an early start tomorrow, so switch off the tv": the story's
            return rest, m.group(0)
    return None


def no_request(text: str) -> bool:
    """Does the utterance start as no request: a question about what was done ("have you
    switched off the kettle") or how things are ("is the tv on"), a hope or a wish ("I hope
    the heating comes on soon"), an offer ("would you like a coffee")?"""
    return bool(phrasing().not_request.match(text))


_OFFER = re.compile(r"(?<![\w'])(?:do|would|d'?)\s*(?:you|ya)\s+(?:like|want|fancy)\s+"
                    r"(?:a|an|some|another|one)(?![\w'])", re.I)


# The verb right before "on their own" has no object, so it is not an order: "the blinds
# close on their own" (an order names what: "close the blinds").
_BY_ITSELF = re.compile(r"(?<![\w'])(?:(?:comes?|goes?|turns?|switches?|clicks?|kicks?)\s+"
                        r"(?:on|off|in)|(?:close|open|lock|unlock|shut|start|stop|dim|"
                        r"brighten)s?)\s+"
                        r"(?:by (?:itself|themselves)|on (?:its|their) own|automatically)",
                        re.I)


def by_itself(text: str) -> bool:
    """Does the text say a device does it by itself ("the garage light's on a sensor now so
    it comes on by itself")? Nothing is asked."""
    return bool(_BY_ITSELF.search(text))


def offered(text: str) -> bool:
    """Is there an offer to someone after what was said, with no request before it ("the
    kettle's boiled, do you want a tea")?"""
    m = _OFFER.search(text)
    return m is not None and not _verb_words().search(text[: m.start()])


@cache
def _verb_words() -> re.Pattern[str]:
    """The single-word action verbs as whole words ("boil", not the "boil" of "boiled")."""
    return words_regex(phrasing().verb.pattern)


def ends_with_action(text: str) -> bool:
    """Does the text end with the way or value it asks for ("... the air con on too")?"""
    return bool(phrasing().action_end.search(text))


def has_action_verb(text: str) -> bool:
    """Does a verb that asks for an action appear anywhere in the text ("we're off turn
    off all the lights")?"""
    return _verb_words().search(text) is not None


def starts_with_action(text: str) -> bool:
    """Does the text start with a verb that asks for an action ("close them")?"""
    return bool(phrasing().action_start.search(text))


_TOO_DARK = re.compile(r"(?<![\w'])(?:dark|gloomy|gloom|murky|pitch black|can'?t see|"
                       r"cannot see)(?![\w'])", re.I)
_TOO_BRIGHT = re.compile(r"(?<![\w'])(?:bright|glaring|glare|blinding|harsh|dazzling)"
                         r"(?![\w'])", re.I)
_DOWN_WORDS = re.compile(r"(?<![\w'])(?:dim\w*|darker|darken\w*|lower\w*|reduce|down|less|"
                         r"decrease|soft\w*|tone|turn\w* off|off|low)(?![\w'])", re.I)
_UP_WORDS = re.compile(r"(?<![\w'])(?:brighten\w*|brighter|up|more|increase|raise|boost|"
                       r"lighter|full|max\w*|on)(?![\w'])", re.I)


def words_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` (an alternation) as whole words, any case."""
    return re.compile(rf"(?<![\w'])(?:{pattern})(?![\w'])", re.I)


# Words that ask for one way of a pair of opposite intents: a reading of the other way with
# only these words in it is a misreading ("kick off a cleaning run" read as stop).
_WAYS: dict[str, re.Pattern[str]] = {
    "turn_on": words_regex(r"on|start\w*|up|activat\w*|enabl\w*|boil\w*|brew\w*|fire up|"
                      r"power up|light up|wake|get\w* going"),
    "turn_off": words_regex(r"off|out|stop\w*|kill|shut\w*|cut|deactivat\w*|disabl\w*|unplug\w*|"
                       r"no more|enough|down"),
    "open": words_regex(r"open\w*|raise\w*|up|lift\w*|roll\w* up|pull\w* up|let\w*|part\w*|"
                   r"crack\w*|draw\w*"),
    "close": words_regex(r"close\w*|shut\w*|lower\w*|down|drop\w*|roll\w* down|pull\w* down|"
                    r"draw\w*|block\w*"),
    "start": words_regex(r"start\w*|kick\w* off|begin\w*|resum\w*|play\w*|unpause\w*|continu\w*|"
                    r"carry on|go|going|run\w*|on|clean\w*|vacuum\w*|hoover\w*|sweep\w*|"
                    r"mop\w*|dust\w*|do|get\w*"),
    "stop": words_regex(r"stop\w*|paus\w*|halt\w*|end|finish\w*|quit|off|enough|hold|freeze|"
                   r"kill|cancel\w*|abort\w*|break|done|no more"),
}
_ASKS_DIMMER = words_regex(r"dim\w*|darker|darken\w*")
_ASKS_BRIGHTER = words_regex(r"brighten\w*|brighter")
_ASKS_QUIETER = words_regex(r"quiet\w*|softer|lower|down|turn\w* down|less|reduce|decrease|"
                       r"too loud|mute\w*|hush")
_ASKS_LOUDER = words_regex(r"loud\w*|louder|up|raise|increase|boost|more|can'?t hear|"
                      r"cannot hear|crank\w*|pump\w*|blast\w*")
_TOO_QUIET = words_regex(r"(?:too|so|very|really|a bit|far too|way too) (?:quiet|soft|low|faint)")
_TOO_LOUD = words_regex(r"(?:too|so|very|really|a bit|far too|way too) (?:loud|noisy|high)")
_IS_DIM = words_regex(r"(?:too|so|very|a bit|bit|rather|quite|pretty|really|is|it'?s|are|"
                 r"getting|gets|far too|way too) (?:dim|dingy|dark)")
# "it's getting darker in here", "it's a bit dimmer in here": how the room is (too dark),
# not a request to dim it ("make it a bit darker" has no such verb before the degree).
_GROWN_DIM = words_regex(r"(?:it'?s|it is|is|are|getting|gets|got|gotten|grown|growing|"
                         r"become|becoming)\s+(?:(?:a|bit|little|lot|much|way|so|too|rather|"
                         r"quite|really|even|far)\s+)*(?:dimmer|darker)")
_KICK_OFF = re.compile(r"(?<![\w'])kick\w*\s+off(?![\w'])", re.I)
_OPPOSITE = {"turn_on": "turn_off", "turn_off": "turn_on", "open": "close", "close": "open",
             "start": "stop", "stop": "start"}


# Words that say which way the temperature should go. "thermostat degrees" or "thermostat
# again turn" name the heating but not the way: a guess either way is a wrong action.
_TEMPERATURE_WAY = words_regex(
    r"up|down|warm\w*|cool\w*|hot\w*|cold\w*|heat(?!ing|er)\w*|chill\w*|freez\w*|froz\w*|"
    r"boil\w*|roast\w*|toast\w*|icy|ice|frigid|melt\w*|shiver\w*|arctic|tropical|"
    r"swelter\w*|sweat\w*|stuff\w*|nipp\w*|brr\w*|raise\w*|lower\w*|increase\w*|decrease\w*|"
    r"reduce\w*|bump\w*|crank\w*|more|less|higher|high|low|notch|igloo|oven|sauna|fridge|"
    r"icebox|cos[yi]\w*|coz[yi]\w*|humid\w*|mild\w*|crisp\w*|bake\w*|baking|burn\w*|"
    r"plus|minus|add|drop\w*|knock\w*|lift\w*|boost\w*|hike\w*|pump\w*")


def way_doubt(intent: str, text: str) -> str | None:
    """Why the way of a reading is in doubt, or None: the words say the other way
    (`contradicts`), or a relative temperature command says no way ("thermostat degrees")."""
    if contradicts(intent, text):
        return f"the words say the other way than {intent}"
    if intent in ("temperature_up", "temperature_down") and not _TEMPERATURE_WAY.search(text):
        return "which way: warmer or cooler?"
    return None


def contradicts(intent: str, text: str) -> bool:
    """Do the words say the other way ("dark in here" read as dimming, "it's glaring"
    read as brightening, "kick off a cleaning run" read as stopping), with no word that
    asks for this way?"""
    other = _OPPOSITE.get(intent)
    if other is not None:
        said = _KICK_OFF.sub("start", text)  # its "off" says no "off"
        return bool(_WAYS[other].search(said)) and not _WAYS[intent].search(said)
    if intent == "brightness_down":
        said = _GROWN_DIM.sub(" dark ", text)
        return bool(_TOO_DARK.search(said) or _ASKS_BRIGHTER.search(said)) \
            and not _DOWN_WORDS.search(said)
    if intent == "brightness_up":  # "it's a bit dim" is how it is, not what is asked
        said = _IS_DIM.sub(" dark ", text)
        return bool(_TOO_BRIGHT.search(said) or _ASKS_DIMMER.search(said)) \
            and not _UP_WORDS.search(said)
    if intent in ("volume_up", "volume_down"):  # "too quiet" asks for louder
        said = _TOO_LOUD.sub(" quieter ", _TOO_QUIET.sub(" louder ", text))
        up, down = bool(_ASKS_LOUDER.search(said)), bool(_ASKS_QUIETER.search(said))
        return (down and not up) if intent == "volume_up" else (up and not down)
    return False


_GOES_ON = re.compile(r"\W*(?:then|and|or|but)(?![\w'])", re.I)
_SPEECH = re.compile(r"(?<![\w'])(?:say|says|said|reads|read|tells|told|asks|asked|writes|wrote|"
                     r"shouted|yelled|screamed)(?![\w'])", re.I)
_NAMING_WORDS = frozenset({"light", "lights", "plug", "heat", "power"})  # nouns more than verbs


def request_after_story(story: str, tail: str) -> bool:
    """Is `tail` the speaker's own request after a story ("mum says it's freezing in here,
    turn the heating up"), not more of what was told ("the sign says switch off the lights,
    lock the door", "..., then turn off the heat")? It asks for an action, does not go on
    from the story, and where the story told an instruction, a break or a clause of the
    speaker's own ("so", "and now i'm spooked") comes between them."""
    if _GOES_ON.match(tail) or not has_action_verb(tail):
        return False
    said = [m for m in (*_verb_words().finditer(story), *_SPEECH.finditer(story))
            if m.group(0).lower() not in _NAMING_WORDS]
    if not said:
        return True
    between = story[max(m.end() for m in said):]
    return bool(phrasing().story_breaks.search(between) or has_subject_verb(between))


_REFUSAL = re.compile(r"^\W*(?:(?:no|oh|um|uh|er|and|so|please)\W+)*(?:don'?t|do not|dont|"
                      r"never mind|no need (?:for|to))\s(?!forget)", re.I)
_TAIL_LEAD = re.compile(r"^(?:(?:but|and|so|then|instead|no)\W+)+", re.I)
_INSTEAD = re.compile(r"[\s,]+instead$", re.I)
_BREAK_BEFORE = re.compile(r"(?:[,;]|(?<![\w'])(?:but|just|so))\s*$", re.I)
_LET_BE = re.compile(r"let (?:it|them|her|him)(?![\w'])", re.I)  # "..., let it finish"


def after_refusal(text: str) -> tuple[str, str, bool] | None:
    """(the request, what was said before it, whether that was a device to leave as it is)
    for a request said after what not to do: "don't bother with the coffee machine, boil the
    kettle instead" -> ("boil the kettle instead", "don't bother with the coffee machine",
    False); "leave the tv on, but turn the stereo off" -> (..., True). None otherwise."""
    p = phrasing()
    lead = _REFUSAL.match(text)
    kept = None if lead else p.no_change.match(text)
    said = lead or kept
    if said is None:
        return None
    start = said.end()
    verb = text[start:].split(maxsplit=1)[0].lower() if lead and text[start:].split() else None
    for word in re.finditer(r"[^\s,;.!?]+", text):
        if word.start() <= start:
            continue
        # after a pause or a "but", or the verb said not to be done said again ("don't
        # open the garage door open the front door")
        if not (_BREAK_BEFORE.search(text, 0, word.start())
                or (word.group(0).lower() == verb)):
            continue
        tail = _INSTEAD.sub("", _TAIL_LEAD.sub("", text[word.start():].strip(" ,;.!?")))
        if (p.action_start.match(tail) or p.request_lead.match(tail)) \
                and len(tail.split()) >= 2 and not _LET_BE.match(tail):
            return tail, text[:word.start()].strip(" ,;.!?"), kept is not None
    return None
