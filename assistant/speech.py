"""Speech recognition: an endpointed utterance (or a stream of chunks) in, text out.

Two recognizers behind one `Recognizer` protocol:

- `VoskRecognizer`: the primary one. Streaming Kaldi models (about 40 MB for small
  English), biased to the home with a runtime phrase list where the model allows it.
  Models are never downloaded here: a path comes from the config or
  `VOSK_MODEL_PATH` (`assistant models fetch vosk-en` fetches the official one).
- `PocketSphinxRecognizer`: the out-of-the-box English recognizer. Its US English
  acoustic model and dictionary ship in the pocketsphinx wheel; it decodes against a
  JSGF grammar of the home's command shapes (`HomeVocabulary.jsgf()`). The grammar
  also has a chit-chat branch (everyday words no command uses), so other speech has
  somewhere to go other than the nearest command; it yields "". Noise is kept out by
  the lattice pass (`bestpath`, below).

`make_recognizer()` is the one factory the daemon calls.

Audio is 16 kHz mono int16 throughout (`Utterance`); chunks may be int16 numpy
arrays or little-endian PCM bytes.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Levenshtein

from assistant.errors import AssistantError
from assistant.speech_lm import HomeLanguageModel
from assistant.types import Alternative, Transcript, Utterance
from assistant.vocabulary import (
    COLOR_NAMES,
    NUMBERS,
    HomeVocabulary,
    fallback_pronunciations,
)

log = logging.getLogger(__name__)

Backend = Literal["vosk", "pocketsphinx", "auto"]
PcmChunk = npt.NDArray[np.int16] | bytes

VOSK_MODEL_ENV = "VOSK_MODEL_PATH"
UNKNOWN_WORD = "[unk]"
_FEED_SAMPLES = 4000  # 0.25 s at 16 kHz: how recognize() feeds a whole utterance


class SpeechError(AssistantError):
    """A recognizer cannot be built or fed; the message is one line for the user."""


class Recognizer(Protocol):
    """Turns speech into text, for a whole utterance or as a stream of chunks."""

    name: str
    """ "vosk" or "pocketsphinx", as `Transcript.recognizer` reports it."""
    sample_rate: int
    """Sample rate the recognizer expects (16000)."""
    load_seconds: float
    """How long building the recognizer took (model load, grammar compile)."""

    def recognize(self, utt: Utterance) -> Transcript:
        """Final text of a whole utterance ("" if nothing was understood)."""
        ...

    def accept(self, chunk: PcmChunk) -> str | None:
        """Feed the next chunk of a stream; the partial text so far, or None if none."""
        ...

    def final(self) -> Transcript:
        """End the stream: its final text. The next `accept` starts a new one."""
        ...

    def reset(self) -> None:
        """Drop any stream in progress."""
        ...


def pcm_bytes(chunk: PcmChunk) -> bytes:
    """Little-endian 16-bit PCM bytes of an int16 array (or bytes, passed through)."""
    if isinstance(chunk, bytes | bytearray | memoryview):
        return bytes(chunk)
    if chunk.dtype != np.int16:
        raise SpeechError(f"audio chunks must be int16 samples, got {chunk.dtype}")
    if chunk.ndim != 1:
        raise SpeechError(f"audio chunks must be mono (1-D), got shape {chunk.shape}")
    return chunk.astype("<i2", copy=False).tobytes()


def _check_rate(utt: Utterance, expected: int) -> None:
    if utt.sample_rate != expected:
        raise SpeechError(
            f"{utt.source or 'audio'}: {utt.sample_rate} Hz audio, the recognizer "
            f"expects {expected} Hz"
        )


def _feed(rec: Recognizer, audio: npt.NDArray[np.int16]) -> None:
    for start in range(0, len(audio), _FEED_SAMPLES):
        rec.accept(audio[start:start + _FEED_SAMPLES])


# --------------------------------------------------------------------------- Vosk


def vosk_model_dir(model_path: str | os.PathLike[str] | None) -> Path:
    """The model directory from the argument or VOSK_MODEL_PATH, checked to exist."""
    raw = os.fspath(model_path) if model_path is not None else os.environ.get(VOSK_MODEL_ENV)
    if not raw:
        raise SpeechError(
            f"no Vosk model configured: set speech.vosk_model or {VOSK_MODEL_ENV} "
            "(`assistant models fetch vosk-en` downloads the small English model)"
        )
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise SpeechError(f"Vosk model not found: {path} is not a directory")
    if not (path / "am" / "final.mdl").is_file():
        raise SpeechError(f"not a Vosk model: {path} has no am/final.mdl")
    return path


def vosk_supports_grammar(model_dir: Path) -> bool:
    """Whether a Vosk model takes runtime phrase lists.

    Small ("lookahead") models carry graph/HCLr.fst + graph/Gr.fst and compile a
    grammar at run time. Big models carry a static graph/HCLG.fst, which Vosk
    prefers; they ignore phrase lists (with a log line) and use their full vocabulary.
    """
    graph = model_dir / "graph"
    return (
        (graph / "HCLr.fst").is_file()
        and (graph / "Gr.fst").is_file()
        and not (graph / "HCLG.fst").is_file()
    )


class VoskRecognizer:
    """Vosk (Kaldi) streaming recognizer, biased toward the home's words."""

    name = "vosk"

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        vocabulary: HomeVocabulary | None = None,
        sample_rate: int = 16000,
        *,
        log_level: int = -1,
    ) -> None:
        """Load the model at `model_path` (else VOSK_MODEL_PATH).

        `log_level` is Vosk's (Kaldi's) global log level: -1 silences its stderr
        chatter; 0 shows it. Phrase-list words the model lacks are dropped (logged)
        before Vosk sees them.
        """
        import vosk

        self.model_dir = vosk_model_dir(model_path)
        self.sample_rate = sample_rate
        vosk.SetLogLevel(log_level)
        t0 = time.perf_counter()
        try:
            self._model = vosk.Model(str(self.model_dir))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise SpeechError(f"Vosk could not load the model at {self.model_dir}") from exc
        self.supports_grammar = vosk_supports_grammar(self.model_dir)
        self.phrases: list[str] | None = None
        """The phrase list in force (filtered to words the model knows), or None."""
        if vocabulary is not None:
            self.phrases = self._phrase_list(vocabulary)
        self._vosk = vosk
        self._rec = self._new_kaldi()
        self._segments: list[list[Alternative]] = []
        self.load_seconds = time.perf_counter() - t0
        log.info("vosk model %s loaded in %.2f s (phrase list: %s)", self.model_dir,
                 self.load_seconds,
                 f"{len(self.phrases)} words" if self.phrases is not None else "none")

    def knows(self, word: str) -> bool:
        """Whether the model's vocabulary has `word`."""
        return int(self._model.vosk_model_find_word(word)) >= 0

    def _phrase_list(self, vocabulary: HomeVocabulary) -> list[str] | None:
        if not self.supports_grammar:
            log.info("vosk model %s has a static graph (HCLG.fst): it ignores phrase "
                     "lists, decoding with its full vocabulary", self.model_dir)
            return None
        wanted = vocabulary.phrase_list()
        known = [w for w in wanted if self.knows(w)]
        missing = [w for w in wanted if w not in set(known)]
        if missing:
            log.info("vosk phrase list leaves out %d words the model lacks: %s",
                     len(missing), " ".join(missing))
        if not [w for w in known if w != UNKNOWN_WORD]:
            log.warning("vosk model %s knows none of the home's words: no phrase list",
                        self.model_dir)
            return None
        return known

    def _new_kaldi(self) -> Any:
        if self.phrases is not None:
            # ensure_ascii=False: Vosk's JSON reader does not decode \uXXXX escapes,
            # so an escaped non-ASCII word would never match the model's vocabulary.
            grammar = json.dumps(self.phrases, ensure_ascii=False)
            rec = self._vosk.KaldiRecognizer(self._model, float(self.sample_rate), grammar)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, float(self.sample_rate))
        rec.SetWords(True)
        rec.SetMaxAlternatives(MAX_ALTERNATIVES)  # the n-best list the brain chooses from
        return rec

    def recognize(self, utt: Utterance) -> Transcript:
        _check_rate(utt, self.sample_rate)
        self.reset()
        _feed(self, utt.audio)
        return replace(self.final(), source=utt.source, ended_at=utt.ended_at)

    def accept(self, chunk: PcmChunk) -> str | None:
        data = pcm_bytes(chunk)
        if self._rec.AcceptWaveform(data):
            # Vosk found an endpoint inside the stream: keep the finished segment.
            readings = _vosk_readings(json.loads(self._rec.Result()))
            if readings:
                self._segments.append(readings)
            partial = ""
        else:
            partial = json.loads(self._rec.PartialResult()).get("partial", "")
        text = " ".join([*(seg[0].text for seg in self._segments), _clean(partial)])
        return text.strip() or None

    def final(self) -> Transcript:
        """The stream's text: each segment's best reading, with the last segment's n-best
        readings as the alternatives (earlier segments' best readings before them)."""
        last = _vosk_readings(json.loads(self._rec.FinalResult()))
        segments = [*self._segments, last] if last else self._segments
        self._segments = []
        if not segments:
            return Transcript(text="", recognizer=self.name, confidence=None, source="stream",
                              ended_at=time.monotonic())
        head = " ".join(seg[0].text for seg in segments[:-1])
        alternatives = tuple(Alternative(f"{head} {alt.text}".strip(), alt.confidence)
                             for alt in segments[-1])
        confidence = min(seg[0].confidence for seg in segments)
        return Transcript(text=alternatives[0].text, recognizer=self.name,
                          confidence=confidence, source="stream", ended_at=time.monotonic(),
                          alternatives=alternatives)

    def reset(self) -> None:
        self._rec.Reset()
        self._segments = []


def _clean(text: str) -> str:
    """Vosk text without "[unk]" tokens (speech outside the phrase list)."""
    return " ".join(w for w in text.split() if w != UNKNOWN_WORD)


def _vosk_readings(result: dict[str, Any]) -> list[Alternative]:
    """The distinct non-empty readings of one Vosk result, best first, with confidences.

    With SetMaxAlternatives, each alternative carries a total log-likelihood ("confidence",
    larger is better): a reading's confidence is its softmax share of the list. Without
    alternatives (one "text"), the mean of the word confidences."""
    if "alternatives" not in result:
        text = _clean(str(result.get("text", "")))
        confs = [float(w["conf"]) for w in result.get("result", ())
                 if w.get("word") != UNKNOWN_WORD and "conf" in w]
        return [Alternative(text, float(np.mean(confs)) if confs else 1.0)] if text else []
    scores: dict[str, float] = {}
    for alt in result["alternatives"]:
        text = _clean(str(alt.get("text", "")))
        if text:
            scores[text] = max(scores.get(text, -math.inf), float(alt.get("confidence", 0.0)))
    if not scores:
        return []
    top = max(scores.values())
    weights = {t: math.exp(v - top) for t, v in scores.items()}
    total = sum(weights.values())
    return [Alternative(t, w / total) for t, w in weights.items()]


# ------------------------------------------------------------------- PocketSphinx


# Decoder settings, each checked on synthetic commands (Piper and espeak-ng voices
# against the reference home's grammar; tests/data/speech):
DECODER_SETTINGS: dict[str, Any] = {
    # Dither: +-1 LSB of noise before the features. Stretches of digital silence
    # (file padding, muted USB microphones) otherwise give log energies of -inf
    # that throw normalisation off: exact transcripts went from 4 to 8 of 10.
    # A fixed seed keeps results repeatable.
    "dither": True,
    "seed": 1,
    # Narrower beams than the defaults (1e-48, 7e-29) for speed. With the grammar's
    # chit-chat branch, a session of the 66 spoken fixtures (bench/benchmark_daemon.py)
    # came out 59/60/61 right with wbeam 1e-20/1e-22/1e-25, and the final pass took
    # 154/232/399 ms median (the first two measured two runs at a time, so slower than
    # alone): 1e-22 keeps it mostly inside the endpointing silence.
    "beam": 1e-40,
    "wbeam": 1e-22,
    # The lattice pass (bestpath) is the costly part of the final result, but keep it:
    # without it, loud noise came out as short commands ("dim lamp": 3 of 160 noise
    # clips acted on, against 0 with it), though the fixtures took ~10 ms and 61/66.
    "bestpath": True,
    # Only each word's first pronunciation in the grammar: fewer arcs, so a faster final
    # pass (149 vs 234 ms median on the fixture session, p90 416 vs 693 ms), and fewer
    # commands heard as another (1 vs 3 over both fixture runs); 121 vs 121 of 132 right.
    "fsgusealtpron": False,
    # Silence is cheap enough that trailing noise is not taken for a short optional
    # word ("... the router up"); the default 0.005 invited that.
    "silprob": 0.2,
    # Gaussians scored per senone: 8 instead of 4 took a few more of the robotic
    # espeak-ng clips; more gained little for the time.
    "topn": 8,
}


# When the lattice pass's path leaves the grammar, the Viterbi path stands in for it if
# it is this close: 61 instead of 60 of the 66 spoken fixtures in a session, 60 instead of
# 59 one at a time; of 160 noise clips 159 still come out as nothing and 1 as "no"
# (allowing 2 edits: the same).
MAX_VITERBI_EDITS = 1
MIN_VITERBI_WORDS = 3


# Decoder settings with the home's language model (`assistant.speech_lm`), chosen on the
# dev sets (the 66 spoken fixtures and the spoken text dev set, see
# scripts/make_speech_fixtures.py --set dev-extra); never on the spoken test set.
LM_DECODER_SETTINGS: dict[str, Any] = {
    "dither": True,
    "seed": 1,
    "bestpath": True,  # the lattice pass: word posteriors and the n-best list need it
    "topn": 8,
    # No second (flat-lexicon) pass: it re-decodes the whole utterance at its end, which is
    # where latency counts. Decoding took 0.68x the time (31 dev clips, same run), and 132
    # vs 135 of 184 dev clips came out exactly right (within run-to-run noise).
    "fwdflat": False,
}
NBEST_SCAN = 12
"""N-best entries read per utterance (many differ only in silences or pronunciations)."""
MAX_ALTERNATIVES = 5
"""Distinct readings kept in `Transcript.alternatives`."""
NBEST_SHARPNESS = 100.0
"""Alternatives' confidences: softmax of SHARPNESS x ln(score) over the list (the n-best
scores are close together: ln-ratios of 0.001-0.05 between plausible readings). Chosen
with `alternatives.STRONG_SHARE` and `policy.speech_threshold` on 184 spoken dev clips:
wrong actions 16 -> 2 for exact 73.9 % -> 70.7 % (300: 7 wrong; 50: 69.6 %, 4 wrong)."""
_NOT_WORDS = frozenset({"<s>", "</s>", "<sil>", "[NOISE]", "++NOISE++"})
VALUE_WORDS = frozenset({w for n in (*NUMBERS, *COLOR_NAMES) for w in n.split()}
                        | {"point", "half", "quarter"})
"""Words that say a value (numbers, colours): their posterior caps a reading's confidence
(`reading_confidence`). On the spoken dev sets (194 clips, with the rules of
`assistant.alternatives`): 2 wrong actions fewer for 2 exact fewer."""
GARBLED_WORDS = 3
GARBLED_POSTERIOR = 0.3
"""A reading with this many words under this posterior is garbled ("make the hallway light to
be you", acted on as "turn on"): on the spoken dev sets (194 clips) 1 wrong action fewer for
1 exact fewer; 2 words under 0.2 cost 4 exact for the same; no change on real voices."""


def reading_confidence(words: Sequence[tuple[str, float]]) -> float:
    """A reading's confidence from its words' lattice posteriors: their mean, capped by the
    posterior of any value word (number, colour) in it. A misheard value sets a wrong one
    ("ninety" heard as "nineteen" at 0.55 in a reading at 0.81; "in the home" as "in purple"
    at 0.2), so it must be heard as surely as the rest. A garbled reading (`GARBLED_WORDS`
    words under `GARBLED_POSTERIOR`: noise, or speech the model has no words for) gets 0:
    it never acts. Silences and fillers do not count."""
    heard = [(w, min(1.0, max(0.0, p))) for w, p in words if w not in _NOT_WORDS]
    if not heard or sum(p < GARBLED_POSTERIOR for _, p in heard) >= GARBLED_WORDS:
        return 0.0
    mean = sum(p for _, p in heard) / len(heard)
    return min([mean, *(p for w, p in heard if w in VALUE_WORDS)])


class PocketSphinxRecognizer:
    """PocketSphinx 5 with its bundled US English model and the home's language model
    (default) or JSGF grammar."""

    name = "pocketsphinx"
    search_name = "home"

    def __init__(
        self, vocabulary: HomeVocabulary | None, sample_rate: int = 16000,
        *, cmn_warmup: int = 3, language_model: HomeLanguageModel | None = None,
        settings: dict[str, Any] | None = None,
    ) -> None:
        """Build the decoder: with `language_model`, the home's n-gram model (the default
        path, see `assistant.speech_lm`); else with `vocabulary`, the JSGF grammar of
        command shapes (the old path, kept as an option and as the benchmark's baseline);
        with neither, PocketSphinx's general model (poor on commands: 0-2 of 5 in a check).

        Grammar mode: vocabulary words its dictionary lacks are spelled from parts where
        possible ("unmute" = "un" + "mute") or left out of the grammar; both are logged.
        `settings` override decoder settings (tuning tools).
        """
        import pocketsphinx

        t0 = time.perf_counter()
        self.sample_rate = sample_rate
        self.grammar: str | None = None
        """The JSGF grammar in force, or None for a language model."""
        self.language_model = language_model
        """The home's language model in force, or None."""
        self.spelled: dict[str, str] = {}
        """Words given a pronunciation built from dictionary parts."""
        self.dropped: tuple[str, ...] = ()
        """Vocabulary words left out: no pronunciation could be found."""
        self._fsg: Any = None
        self.chat_words: frozenset[str] = frozenset()
        """The grammar's chit-chat words: a transcript of only these is not a command."""
        try:
            if language_model is not None:
                self._decoder = pocketsphinx.Decoder(
                    samprate=sample_rate, lm=str(language_model.lm_path),
                    dict=str(language_model.dict_path), loglevel="FATAL",
                    **{**LM_DECODER_SETTINGS, **(settings or {})})
            elif vocabulary is None:
                log.warning("pocketsphinx without a home vocabulary: general language "
                            "model, expect poor command accuracy")
                self._decoder = pocketsphinx.Decoder(
                    samprate=sample_rate, loglevel="FATAL", **DECODER_SETTINGS
                )
            else:
                self._decoder = pocketsphinx.Decoder(
                    samprate=sample_rate, lm=None, loglevel="FATAL",
                    **{**DECODER_SETTINGS, **(settings or {})}
                )
                self._load_grammar(vocabulary)
        except (RuntimeError, ValueError) as exc:
            raise SpeechError(f"pocketsphinx could not start: {exc}") from exc
        self._in_utt = False
        self._utterances = 0
        self.cmn_warmup = cmn_warmup
        """Whole utterances decoded with batch CMN before the live estimate is used."""
        self.load_seconds = time.perf_counter() - t0
        self.mode = ("lm" if language_model is not None else
                     "grammar" if self.grammar else "general")
        """"lm" (the home's language model), "grammar" or "general"."""
        log.info("pocketsphinx ready in %.2f s (%s)", self.load_seconds,
                 {"lm": "home language model", "grammar": "home grammar",
                  "general": "general LM"}[self.mode])

    def _load_grammar(self, vocabulary: HomeVocabulary) -> None:
        decoder = self._decoder
        self.spelled, self.dropped = fallback_pronunciations(
            vocabulary.words(), decoder.lookup_word
        )
        for word, phones in self.spelled.items():
            decoder.add_word(word, phones, True)
        dropped = set(self.dropped)
        self.grammar = vocabulary.jsgf(known=lambda w: w not in dropped)
        self.chat_words = frozenset(vocabulary.chat_words(lambda w: w not in dropped))
        decoder.add_jsgf_string(self.search_name, self.grammar)
        decoder.activate_search(self.search_name)
        self._fsg = decoder.get_fsg(self.search_name)

    def knows(self, word: str) -> bool:
        """Whether the decoder's dictionary has `word` (after spelled additions)."""
        return self._decoder.lookup_word(word) is not None

    @property
    def streaming_ready(self) -> bool:
        """Streaming (accept while speech goes on) is as good as whole utterances once the
        live normalisation has heard `cmn_warmup` utterances."""
        return self._utterances >= self.cmn_warmup

    def recognize(self, utt: Utterance) -> Transcript:
        _check_rate(utt, self.sample_rate)
        self.reset()
        # Cepstral mean normalisation (CMN): the live estimate starts from the
        # model's generic value and adapts to the microphone utterance by utterance,
        # which beats a per-utterance (batch) mean once it has heard a few (41 vs 37
        # of 55 fixtures in sequence) but not for the first ones (32 vs 35 of 55
        # single-shot, as `parse --audio` runs). So: batch CMN for the first
        # `cmn_warmup` whole utterances, the adapted live estimate after that.
        # With the home's language model, a whole utterance always gets its own (batch)
        # mean: 139 vs 135 of 184 dev clips right, decoded one after another in mixed voices
        # as `parse --audio` decodes files. Streaming (the daemon) uses the live estimate.
        full_utt = self.mode == "lm" or self._utterances < self.cmn_warmup
        result = self._decode(utt, full_utt)
        if not result.text:
            # Nothing reached the grammar's end: the live estimate may have drifted (a
            # loud utterance, a new voice), or one utterance's own mean was not enough
            # (a short clip). One more pass with the other normalisation.
            result = self._decode(utt, not full_utt)
        return replace(result, source=utt.source, ended_at=utt.ended_at)

    def _start_utt(self) -> None:
        # The front end's dither draws from one random stream for the decoder's life, so
        # an utterance's transcript depended on how much audio came before it: the demo's
        # "unlock the front door" was heard right alone and as "i'm off before up door"
        # after five others. Reseeding the front end per utterance (keeping the live CMN
        # estimate) makes a clip decode the same whatever preceded it.
        cmn = self._decoder.get_cmn()
        self._decoder.reinit_feat()
        self._decoder.set_cmn(cmn)
        self._decoder.start_utt()
        self._in_utt = True

    def _decode(self, utt: Utterance, full_utt: bool) -> Transcript:
        self._start_utt()
        self._decoder.process_raw(pcm_bytes(utt.audio), False, full_utt)
        return self.final()

    def accept(self, chunk: PcmChunk) -> str | None:
        if not self._in_utt:
            self._start_utt()
        self._decoder.process_raw(pcm_bytes(chunk), False, False)
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None and hyp.hypstr else None

    def final(self) -> Transcript:
        if self.mode == "lm":
            return self._final_lm()
        # No confidence: the grammar search has no lattice, so PocketSphinx's
        # posterior is not calibrated (0.0003-0.04 on correct transcripts here), and
        # the path score per frame did not separate commands from chit-chat either.
        text = ""
        if self._in_utt:
            # The Viterbi path through the grammar, before the lattice pass rescores it.
            viterbi = self._decoder.hyp()
            self._decoder.end_utt()
            self._in_utt = False
            self._utterances += 1
            hyp = self._decoder.hyp()
            if hyp is not None and hyp.hypstr:
                text = hyp.hypstr
                if self._fsg is not None and not self._fsg.accept(text):
                    text = self._in_grammar(text, viterbi.hypstr if viterbi else "")
                elif self.chat_words.issuperset(text.split()):
                    log.debug("pocketsphinx: %r is chit-chat, not a command", text)
                    text = ""
        return Transcript(text=text, recognizer=self.name, confidence=None,
                          source="stream", ended_at=time.monotonic())

    def _final_lm(self) -> Transcript:
        """The best path of the lattice, its confidence (the mean posterior of its words)
        and the n-best list's distinct readings with normalised confidences."""
        empty = Transcript(text="", recognizer=self.name, confidence=None, source="stream",
                           ended_at=time.monotonic())
        if not self._in_utt:
            return empty
        self._decoder.end_utt()
        self._in_utt = False
        self._utterances += 1
        hyp = self._decoder.hyp()
        text = " ".join(hyp.hypstr.split()) if hyp is not None else ""
        if not text:
            return empty
        confidence = reading_confidence([(seg.word.split("(", 1)[0], float(seg.prob))
                                         for seg in self._decoder.seg()])
        return Transcript(text=text, recognizer=self.name, confidence=confidence,
                          source="stream", ended_at=time.monotonic(),
                          alternatives=self._alternatives(text, confidence))

    def _alternatives(self, best: str, confidence: float) -> tuple[Alternative, ...]:
        """Distinct readings of the n-best list; the best path first, with its own
        confidence, the others scaled by their n-best weight relative to it."""
        scores: dict[str, float] = {}
        for i, hyp in enumerate(self._decoder.nbest()):
            if i >= NBEST_SCAN:
                break
            if hyp is None:  # PocketSphinx 5.1.1 yields None for some entries
                continue
            reading = " ".join(hyp.hypstr.split())
            if reading and hyp.score > 0:
                scores[reading] = max(scores.get(reading, -math.inf), math.log(hyp.score))
        if not scores:
            return (Alternative(best, confidence),)
        return (Alternative(best, confidence),
                *alternatives_by_score(best, confidence, scores)[:MAX_ALTERNATIVES - 1])

    def _in_grammar(self, best: str, viterbi: str) -> str:
        """The lattice pass's best path left the grammar ("turn off all the night"): the
        Viterbi path if it is a whole command within `MAX_VITERBI_EDITS` words of it,
        else nothing (noise comes out as short paths far from it: "dim lamp")."""
        words, fallback = best.split(), viterbi.split()
        if (self._fsg.accept(viterbi) and len(fallback) >= MIN_VITERBI_WORDS
                and Levenshtein.distance(words, fallback) <= MAX_VITERBI_EDITS):
            log.debug("pocketsphinx: %r is outside the grammar, taking %r", best, viterbi)
            return viterbi
        # No path reached the grammar's end: PocketSphinx then reports the best partial
        # path ("turn off the"), which is not a command.
        log.debug("pocketsphinx: %r is outside the grammar, dropped", best)
        return ""

    def reset(self) -> None:
        if self._in_utt:
            self._decoder.end_utt()
            self._in_utt = False


# ------------------------------------------------------------------------ factory


def make_recognizer(
    backend: Backend | str = "auto",
    model_path: str | os.PathLike[str] | None = None,
    vocabulary: HomeVocabulary | None = None,
    sample_rate: int = 16000,
    *,
    language_model: Callable[[], HomeLanguageModel] | None = None,
    vosk_phrase_list: bool = False,
    denoise: str = "off",
) -> Recognizer:
    """Build the configured recognizer.

    "auto": Vosk when a model path is configured (it must then exist: a configured
    path that is wrong is an error, not a silent downgrade), VOSK_MODEL_PATH names
    an existing directory, or `assistant models fetch vosk-en` installed the English model
    (`model_fetch.default_model_dir()`); otherwise PocketSphinx, the English recognizer that
    works out of the box (offline).

    PocketSphinx decodes with the home's language model when `language_model` is given
    (called only if PocketSphinx is chosen: building one takes seconds the first time);
    if it cannot be built, with the grammar of `vocabulary` (logged: the daemon degrades
    rather than dies). Vosk transcribes freely; `vosk_phrase_list` restricts it to the
    vocabulary's words instead.

    `denoise` ("auto", "on", "off"): a loud utterance is decoded again through RNNoise
    (`assistant/denoise.py`); auto is on for PocketSphinx, off for Vosk. `home_recognizer`
    passes the home's `speech.denoise` (auto by default); off here keeps a bare recognizer.
    If RNNoise cannot be loaded, the recognizer hears the audio as it is (logged).
    """
    if denoise not in ("auto", "on", "off"):
        raise SpeechError(f"unknown speech denoise setting {denoise!r}: use auto, on or off")
    if backend not in ("vosk", "pocketsphinx", "auto"):
        raise SpeechError(
            f"unknown speech backend {backend!r}: use vosk, pocketsphinx or auto"
        )
    chosen = backend
    if backend == "auto":
        from assistant.model_fetch import installed_model

        env = os.environ.get(VOSK_MODEL_ENV)
        fetched = installed_model("vosk-en")
        if model_path is not None or (env and Path(env).expanduser().is_dir()):
            chosen = "vosk"
        elif fetched is not None:  # `assistant models fetch vosk-en` put it there
            chosen, model_path = "vosk", fetched
        else:
            if env:
                log.warning("%s=%s is not a directory: using pocketsphinx",
                            VOSK_MODEL_ENV, env)
            chosen = "pocketsphinx"
    recognizer: Recognizer
    if chosen == "vosk":
        recognizer = VoskRecognizer(model_path, vocabulary if vosk_phrase_list else None,
                                    sample_rate)
    else:
        lm = None
        if language_model is not None:
            try:
                lm = language_model()
            except AssistantError as exc:
                log.error("%s: decoding with the grammar of command shapes instead", exc)
        recognizer = PocketSphinxRecognizer(vocabulary, sample_rate, language_model=lm)
    gated = False
    if denoise == "on" or (denoise == "auto" and chosen == "pocketsphinx"):
        from assistant.denoise import DenoisedRecognizer

        try:
            recognizer, gated = DenoisedRecognizer(recognizer), True
        except AssistantError as exc:
            log.error("%s: decoding without noise suppression", exc)
    log.info("speech recognizer: %s (backend %s, %s), loaded in %.2f s", recognizer.name,
             backend, "RNNoise for loud rooms" if gated else "no noise suppression",
             recognizer.load_seconds)
    return recognizer


def alternatives_by_score(best: str, confidence: float, scores: dict[str, float]
                          ) -> list[Alternative]:
    """The readings other than `best`, strongest first, each with `confidence` scaled by
    its n-best weight relative to the best reading's (at most 1).

    Computed from log-score differences: the weights themselves (exp of a sharpened
    log score) underflow to 0 when the best path is far down the n-best list, which made
    the ratio a division by zero."""
    anchor = scores.get(best, max(scores.values()))
    others = sorted(((v, t) for t, v in scores.items() if t != best), reverse=True)
    return [Alternative(t, confidence * math.exp(min(0.0, NBEST_SHARPNESS * (v - anchor))))
            for v, t in others]
