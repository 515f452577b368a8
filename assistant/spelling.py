"""Typing slips mended before the model reads a typed command: "trun off the kitchen lihgt".

A word is mended only when all of these hold, so that real words are never changed:
- it is at least four letters and not itself a word of the home or of commands;
- the bundled US English pronouncing dictionary (PocketSphinx's CMUdict, 126k words) does
  not know it ("lice", "hole" and "dinning" are words, so they stay);
- exactly one word of the home or of commands is one edit away (an insertion, a deletion, a
  substitution or two letters swapped), starting with the same letter.

Contractions typed without their apostrophe get it back ("dont", "im", "theyre"; "ill" before
a verb, "its" before how things are), where the bare word is no other word. A recognizer
only writes words of its dictionary, so spoken commands pass through unchanged.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA

from assistant.vocabulary import VERBS

# Words of commands that are not names of a home (the home's own words are added per home).
COMMAND_WORDS = frozenset({
    *VERBS, "lights", "light", "lamp", "lamps", "temperature", "thermostat", "heating",
    "brightness", "volume", "degrees", "percent", "please", "blinds", "curtains", "shades",
    "vacuum", "kettle", "speaker", "television", "bedroom", "kitchen", "bathroom", "hallway",
    "garage", "front", "door", "living", "room", "office", "dining", "upstairs", "downstairs",
    "everything", "brighter", "dimmer", "louder", "quieter", "warmer", "cooler", "colour",
    "color", "down", "darker", "colder", "hotter", "freezing", "roasting", "boiling",
    "stuffy", "chilly", "gloomy", "telly", "music", "robot",
})
# Slips and spellings of the commonest short words, and Scots ones ("pit the big light
# aff"), that the one-edit rule cannot take: too short, or words of the dictionary.
_SHORT = {"teh": "the", "hte": "the", "adn": "and", "aff": "off", "oan": "on", "doon": "down",
          "pls": "please", "plz": "please", "plez": "please", "darlin": "darling",
          # names said as they sound: "start the rumba", "the garridge door"
          "rumba": "roomba", "roomber": "roomba", "garridge": "garage", "dinning": "dining"}
# Contractions typed without their apostrophe, where the bare word is no other word ("were",
# "well", "its", "hell" are, and stay). "ill" is "i'll" only before a verb it would take.
_UNAPOSTROPHED = {w.replace("'", ""): w for w in (
    "don't", "doesn't", "didn't", "can't", "couldn't", "wouldn't", "shouldn't", "isn't",
    "aren't", "wasn't", "weren't", "haven't", "hasn't", "hadn't", "won't", "i'm", "i've",
    "you're", "you've", "you'll", "they're", "they've", "they'll", "we've", "that's",
    "what's", "where's", "who's", "there's", "she's", "he's", "it'll", "that'll")}
_ILL = re.compile(r"(?<![\w'])ill(?=\s+(?:just\s+|probably\s+|do\s+it\s+)?(?:be|make|do|get|"
                  r"have|take|go|turn|switch|put|open|close|lock|unlock|start|stop|sort|"
                  r"deal|fix|check|need|leave|want|see|try|let|grab)(?![\w']))", re.I)
# "its freezing": "its" before how things are is "it's" (the possessive takes a noun).
_ITS = re.compile(r"(?<![\w'])its(?=\s+(?:so|too|really|very|way|a bit|a little|quite|rather|"
                  r"absolutely|bloody|far|getting|pitch|freezing|boiling|roasting|baking|"
                  r"cold|hot|warm|chilly|dark|bright|dim|loud|quiet|stuffy|muggy|nippy)"
                  r"(?![\w']))", re.I)
_WORD = re.compile(rf"(?<![\w'])(?:[a-z]{{4,}}|im|ive|hes|{'|'.join(_SHORT)})(?![\w'])", re.I)


def _hash(word: str) -> int:
    return zlib.crc32(word.encode())


@lru_cache(maxsize=1)
def _dictionary_hashes() -> npt.NDArray[np.uint32]:
    """CRC-32s of the dictionary's words, sorted (half a megabyte where a set of the words
    would take ten; a collision can only stop a mend, never make one)."""
    from assistant.g2p import cmudict_path

    with open(cmudict_path(), encoding="utf-8", errors="replace") as handle:
        # streamed, never held as strings: a set of the words would add 10 MB to the peak
        hashes = np.fromiter((_hash(line.split(" ", 1)[0].split("(", 1)[0].lower())
                              for line in handle), dtype=np.uint32)
    return np.unique(hashes)


def in_dictionary(word: str) -> bool:
    """Does the bundled pronouncing dictionary know `word`?"""
    table = _dictionary_hashes()
    key = np.uint32(_hash(word))
    at = int(np.searchsorted(table, key))
    return at < len(table) and table[at] == key


class Speller:
    """Mends one-letter slips in the words of one home's commands."""

    def __init__(self, home_words: Iterable[str], names: Iterable[str] = ()) -> None:
        # a name of several words written as one ("livingroom lamp", "kidsroom light")
        words = {w for w in home_words if w.isalpha()}
        self._joined = {n.replace(" ", ""): n for n in names
                        if " " in n and n.replace(" ", "") not in words | COMMAND_WORDS}
        words |= {w + "s" for w in words if not w.endswith("s")}
        self.words = frozenset(words | COMMAND_WORDS)
        self._by_letter: dict[str, list[str]] = {}
        for word in sorted(self.words):
            self._by_letter.setdefault(word[0], []).append(word)

    def mend_word(self, word: str) -> str:
        """The home's or commands' word `word` is a slip of, else `word`."""
        if word in self.words:
            return word
        near = [w for w in self._by_letter.get(word[0], ())
                if abs(len(w) - len(word)) <= 1 and OSA.distance(word, w, score_cutoff=1) <= 1]
        if len(near) != 1 or in_dictionary(word):
            return word
        return near[0]

    def mend(self, text: str) -> str:
        """`text` with its slips mended, every other word kept as typed."""
        def one(m: re.Match[str]) -> str:
            word = m.group(0).lower()
            mended = _UNAPOSTROPHED.get(word) or _SHORT.get(word) or self._joined.get(word) \
                or self.mend_word(word)
            return m.group(0) if mended == word else mended
        return _WORD.sub(one, _ITS.sub("it's", _ILL.sub("i'll", text)))
