"""Typing slips mended before the model reads a typed command: "trun off the kitchen lihgt".

A word is mended only when all of these hold, so that real words are never changed:
- it is at least four letters and not itself a word of the home or of commands;
- the bundled US English pronouncing dictionary (PocketSphinx's CMUdict, 126k words) does
  not know it ("lice", "hole" and "dinning" are words, so they stay);
- exactly one word of the home or of commands is one edit away (an insertion, a deletion, a
  substitution or two letters swapped), starting with the same letter.

A recognizer only writes words of its dictionary, so spoken commands pass through unchanged.
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
    "color",
})
_WORD = re.compile(r"(?<![\w'])[a-z]{4,}(?![\w'])", re.I)


def _hash(word: str) -> int:
    return zlib.crc32(word.encode())


@lru_cache(maxsize=1)
def _dictionary_hashes() -> npt.NDArray[np.uint32]:
    """CRC-32s of the dictionary's words, sorted (half a megabyte where a set of the words
    would take ten; a collision can only stop a mend, never make one)."""
    from assistant.g2p import cmudict_path

    words = set()
    with open(cmudict_path(), encoding="utf-8", errors="replace") as handle:
        for line in handle:
            head = line.split(" ", 1)[0]
            words.add(head.split("(", 1)[0].lower())
    return np.unique(np.fromiter((_hash(w) for w in words), dtype=np.uint32, count=len(words)))


def in_dictionary(word: str) -> bool:
    """Does the bundled pronouncing dictionary know `word`?"""
    table = _dictionary_hashes()
    key = np.uint32(_hash(word))
    at = int(np.searchsorted(table, key))
    return at < len(table) and table[at] == key


class Speller:
    """Mends one-letter slips in the words of one home's commands."""

    def __init__(self, home_words: Iterable[str]) -> None:
        words = {w for w in home_words if w.isalpha()}
        words |= {w + "s" for w in words if not w.endswith("s")}
        self.words = frozenset(words | COMMAND_WORDS)
        self._by_letter: dict[str, tuple[str, ...]] = {}
        for word in sorted(self.words):
            self._by_letter[word[0]] = (*self._by_letter.get(word[0], ()), word)

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
            mended = self.mend_word(m.group(0).lower())
            return m.group(0) if mended == m.group(0).lower() else mended
        return _WORD.sub(one, text)
