"""The recognizer a home's devices.yaml asks for, built from its names.

Its own module so that `assistant parse --audio` gets a recognizer without importing the
daemon, whose cameras import OpenCV (14 MiB of parse's 150 MB).
"""

from __future__ import annotations

import functools

from assistant.config import HomeConfig
from assistant.speech import Recognizer, make_recognizer
from assistant.speech_lm import home_language_model
from assistant.vocabulary import HomeVocabulary

__all__ = ["home_recognizer"]


def home_recognizer(config: HomeConfig, *, mode: str | None = None) -> Recognizer:
    """The configured recognizer for this home: PocketSphinx with the home's language model
    (`speech.pocketsphinx: lm`, built and cached on first use) or grammar, or Vosk.
    `mode` overrides `speech.pocketsphinx` (the benchmark's grammar baseline, which also
    leaves out noise suppression)."""
    names = [n for dev in config.devices.values() for n in (dev.name, *dev.aliases)]
    rooms = [n for room in config.rooms.values() for n in (room.name, *room.aliases)]
    vocabulary = HomeVocabulary.from_names(names, rooms, config.speech.wake_phrase)
    use_lm = (mode or config.speech.pocketsphinx) == "lm"
    return make_recognizer(
        config.speech.backend, config.speech.vosk_model, vocabulary,
        language_model=(functools.partial(home_language_model, config, isolated=True)
                        if use_lm else None),
        vosk_phrase_list=config.speech.vosk_phrase_list,
        # The grammar baseline is the old ear as it was: no noise suppression.
        denoise="off" if mode == "grammar" else config.speech.denoise)
