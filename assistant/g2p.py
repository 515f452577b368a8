"""Pronunciations for PocketSphinx: the bundled CMU dictionary first, else grapheme-to-phoneme.

Every word a home's language model holds needs a pronunciation in the recognizer's phone set
(ARPAbet, as the CMU dictionary spells it). The CMU dictionary that ships in the pocketsphinx
wheel knows about 126 000 words but not the names people give devices ("roomba", "wemo",
"ecobee", "govee", a made-up "blinkomatic"). For those, in order:

1. espeak-ng's English letter-to-sound rules and dictionary (`espeak-ng -q --ipa`), its IPA
   mapped to ARPAbet here: "ecobee" -> EH K OW B IY, "roomba" -> R UW M B AH;
2. as a second pronunciation, a compound of dictionary words ("unmute" = "un" + "mute");
3. if espeak-ng is not installed (Debian `espeak-ng`; bootstrap.sh installs it) and the
   word is no compound, letter by letter ("lifx" -> EH L AY EH F EH K S beats dropping the
   name): no word is left out.

Why espeak-ng and not gruut: gruut's wheels install a top-level `tests` package into
site-packages (it shadowed this project's own `tests` imports) and pull dateparser, Babel,
networkx and a CRF library onto a Raspberry Pi; espeak-ng is one small Debian package, and
its readings of made-up brand names were as good or better (gruut read "ecobee" as
IH K OW B IY and dropped the Y of "unmute").

The results are cached with the language model (`assistant.speech_lm`), so the daemon only
runs espeak-ng when devices.yaml changes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

# IPA (as espeak-ng writes it for en-us) -> the ARPAbet phones of PocketSphinx's en-us model.
# Stress and length marks are stripped before the lookup; longest symbols match first.
IPA_TO_ARPABET: dict[str, str] = {
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "ɔɪ": "OY", "əʊ": "OW",
    "t͡ʃ": "CH", "tʃ": "CH", "d͡ʒ": "JH", "dʒ": "JH",
    "ɜɹ": "ER", "ɔɹ": "AO R", "oɹ": "AO R", "ɑɹ": "AA R", "ɪɹ": "IH R", "ɛɹ": "EH R",
    "ʊɹ": "UH R", "iə": "IY AH",
    "ɑ": "AA", "ɒ": "AA", "a": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH",
    "ɔ": "AO", "ɛ": "EH", "e": "EY", "ɝ": "ER", "ɚ": "ER", "ɜ": "ER", "ɪ": "IH", "ɨ": "IH",
    "ᵻ": "IH", "i": "IY", "o": "OW", "ʊ": "UH", "u": "UW", "y": "UW",
    "b": "B", "d": "D", "ð": "DH", "f": "F", "ɡ": "G", "g": "G", "h": "HH", "k": "K",
    "x": "K", "l": "L", "ɫ": "L", "m": "M", "n": "N", "ŋ": "NG", "p": "P", "ɹ": "R",
    "r": "R", "ɾ": "T", "s": "S", "ʃ": "SH", "t": "T", "θ": "TH", "v": "V", "w": "W",
    "j": "Y", "z": "Z", "ʒ": "ZH", "ʔ": "",
    "l̩": "AH L", "n̩": "AH N", "m̩": "AH M",
}
_IPA_KEYS = sorted(IPA_TO_ARPABET, key=len, reverse=True)
_MARKS = re.compile("[ˈˌːˑ.‿]")
ARPABET = frozenset({
    "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G",
    "HH", "IH", "IY", "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T",
    "TH", "UH", "UW", "V", "W", "Y", "Z", "ZH",
})
# How a letter is said on its own, for the last-resort spelling.
_LETTERS: dict[str, str] = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY",
    "h": "EY CH", "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M",
    "n": "EH N", "o": "OW", "p": "P IY", "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY",
    "u": "Y UW", "v": "V IY", "w": "D AH B AH L Y UW", "x": "EH K S", "y": "W AY", "z": "Z IY",
}


def cmudict_path() -> Path:
    """The US English dictionary that ships in the pocketsphinx wheel."""
    import pocketsphinx

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


@cache
def load_cmudict(path: str | os.PathLike[str] | None = None) -> dict[str, tuple[str, ...]]:
    """word -> its pronunciations (ARPAbet strings), the dictionary's first one first."""
    entries: dict[str, list[str]] = {}
    file = Path(path) if path is not None else cmudict_path()
    with file.open(encoding="utf-8") as fh:
        for line in fh:
            head, _, phones = line.strip().partition(" ")
            if not head or not phones:
                continue
            word = head.split("(", 1)[0]
            entries.setdefault(word, []).append(phones.strip())
    return {w: tuple(p) for w, p in entries.items()}


def ipa_to_arpabet(phonemes: Iterable[str]) -> str:
    """IPA of one word (whole or in pieces) -> ARPAbet ("" if nothing maps)."""
    out: list[str] = []
    for phoneme in phonemes:
        rest = _MARKS.sub("", phoneme)
        while rest:
            for key in _IPA_KEYS:
                if rest.startswith(key):
                    if IPA_TO_ARPABET[key]:
                        out.extend(IPA_TO_ARPABET[key].split())
                    rest = rest[len(key):]
                    break
            else:  # an IPA symbol with no ARPAbet counterpart: skip it, say so
                log.debug("g2p: no ARPAbet phone for %r", rest[0])
                rest = rest[1:]
    return " ".join(out)


def spell_letters(word: str) -> str:
    """The word said letter by letter (digits and other characters are skipped)."""
    return " ".join(_LETTERS[c] for c in word.lower() if c in _LETTERS)


def espeak_pronunciations(words: Iterable[str]) -> dict[str, str]:
    """ARPAbet for each word from espeak-ng's US English IPA ({} if espeak-ng is absent)."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        log.warning("espeak-ng is not installed: words missing from the dictionary are "
                    "spelled letter by letter (apt-get install espeak-ng)")
        return {}
    out: dict[str, str] = {}
    for word in words:
        try:  # the word goes on stdin, never as an argument (it comes from devices.yaml)
            done = subprocess.run([exe, "-q", "--ipa", "-v", "en-us", "--stdin"], input=word,
                                  capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("espeak-ng could not pronounce %r: %s", word, exc)
            continue
        phones = ipa_to_arpabet(done.stdout.split())
        if phones:
            out[word] = phones
    return out


def pronounce(words: Iterable[str], dictionary: Mapping[str, tuple[str, ...]] | None = None
              ) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Pronunciations of every word: (all of them, the first made-up one of each word the
    dictionary lacks).

    Dictionary words keep every pronunciation the dictionary has; the rest get espeak-ng's
    reading and, where they split into dictionary words, the parts' readings (as a second
    pronunciation), else letter by letter. A word with no letters at all gets
    none (it cannot be spoken: the caller must not put it in a language model).
    """
    from assistant.vocabulary import fallback_pronunciations

    cmu = dictionary if dictionary is not None else load_cmudict()
    wanted = sorted(set(words))
    known = {w: cmu[w] for w in wanted if w in cmu}
    missing = [w for w in wanted if w not in cmu]
    # espeak-ng's reading first; a compound of dictionary words ("unmute" = "un" + "mute")
    # as a second pronunciation (the recognizer takes whichever fits the audio).
    compound, _ = fallback_pronunciations(missing, lambda w: cmu[w][0] if w in cmu else None)
    guessed = espeak_pronunciations(missing) if missing else {}
    made: dict[str, tuple[str, ...]] = {}
    for word in missing:
        prons = tuple(dict.fromkeys(p for p in (guessed.get(word), compound.get(word)) if p))
        if not prons and spell_letters(word):
            prons = (spell_letters(word),)
        if prons:
            made[word] = prons
    if made:
        log.info("pronunciations not in the dictionary: %s",
                 ", ".join(f"{w} ({' | '.join(p)})" for w, p in sorted(made.items())))
    unspeakable = [w for w in missing if w not in made]
    if unspeakable:
        log.warning("no pronunciation for: %s", ", ".join(unspeakable))
    return {**known, **made}, {w: p[0] for w, p in made.items()}
