"""Listening: one audio stream in, endpointed and recognised utterances out.

An utterance only ends after `end_silence_s` (0.5 s) without speech, and almost all of
that wait is silence the recognizer has nothing to learn from. So the decoding is done
inside the wait:

- while the user speaks, audio goes to the recognizer as it arrives (streaming), once
  the recognizer says streaming is as good as whole utterances (`streaming_ready`);
- once `early_decode_s` (0.2 s) of the closing silence has passed, the utterance so far
  is decoded to the end (PocketSphinx's lattice pass, the costly part);
- if the silence then lasts to the end of the utterance, that transcript is the answer
  and nothing is left to decode; if speech comes back (a pause mid-sentence), it is
  dropped and the utterance is decoded again from its start.

The audio thread does the decoding itself: chunks queue behind it meanwhile (the
microphone callback only enqueues) and the endpointer catches up afterwards, so a slow
decode shows up as latency from the utterance's real end time, never hidden.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from assistant.alternatives import CAREFUL_THRESHOLD
from assistant.audio import SAMPLE_RATE, AudioChunk
from assistant.endpoint import EndpointConfig, Endpointer, Samples
from assistant.speech import Recognizer
from assistant.types import Transcript, Utterance


@dataclass(frozen=True)
class Heard:
    """An utterance, its transcript and how long recognising it took."""

    utterance: Utterance
    transcript: Transcript
    timings: dict[str, float]
    """endpoint_to_asr_ms: end of utterance to the start of the decoding left after it;
    asr_ms: the recognizer's work on the final transcript, wherever it was done;
    asr_after_end_ms: the part of it done after the end of the utterance."""


@dataclass(frozen=True)
class _Early:
    transcript: Transcript
    silence_frames: int  # the closing silence when it was decoded
    asr_ms: float


class Listener:
    """Endpointer plus recognizer for one audio source. Not thread-safe: one thread feeds it."""

    def __init__(self, recognizer: Recognizer, endpoint: EndpointConfig | None = None, *,
                 source: str = "mic", early_decode_s: float | None = 0.2,
                 realtime: bool = True) -> None:
        """`early_decode_s`: closing silence after which the utterance is decoded (None:
        only at its end). `realtime`: chunk times are wall-clock times (a microphone, a
        paced file); otherwise latency starts when the endpointer closes the utterance."""
        self.recognizer = recognizer
        self.endpointer = Endpointer(endpoint, source=source)
        self.realtime = realtime
        frames = None if early_decode_s is None else early_decode_s / self.endpointer.frame_s
        self._early_frames = None if frames is None else max(1, round(frames))
        self._streamed = 0  # samples of the open utterance already given to the recognizer
        self._early: _Early | None = None
        self.early_used = 0
        """Utterances whose transcript was ready when they ended."""
        self.early_dropped = 0
        """Early transcripts dropped because speech came back."""
        self.streamed_used = 0
        """Utterances whose streamed transcript was kept."""
        self.batch_retries = 0
        """Streamed transcripts below the careful confidence, decoded again whole."""

    def feed(self, chunk: AudioChunk) -> list[Heard]:
        """The next chunk; the utterances that ended in it, recognised."""
        done = self.endpointer.feed_chunk(chunk)
        heard = [self._finish(utt) for utt in done]
        if not done:
            self._advance()
        return heard

    def flush(self) -> list[Heard]:
        """End of the stream: the utterance in progress, recognised."""
        return [self._finish(utt) for utt in self.endpointer.flush()]

    def _advance(self) -> None:
        ep = self.endpointer
        if not ep.in_speech:
            if self._streamed and self._early is None:  # a click was dropped: start afresh
                self.recognizer.reset()
            self._streamed, self._early = 0, None
            return
        silence = ep.silence_frames
        if self._early is not None:
            if silence >= self._early.silence_frames:
                return  # still silent: the early transcript stands
            self._early = None  # speech came back: decode from the start again
            self.early_dropped += 1
        if self._early_frames is not None and silence >= self._early_frames:
            t0 = time.monotonic()
            transcript = self._decode(ep.partial_audio())
            self._early = _Early(transcript, silence, (time.monotonic() - t0) * 1000)
            return
        if getattr(self.recognizer, "streaming_ready", True):
            audio = ep.partial_audio()
            if len(audio) > self._streamed:
                self.recognizer.accept(audio[self._streamed:])
                self._streamed = len(audio)

    def _decode(self, audio: Samples, source: str = "stream") -> Transcript:
        """Final text of `audio`, the open utterance so far (streamed up to `_streamed`)."""
        streamed, self._streamed = self._streamed, 0
        if streamed and streamed <= len(audio):
            if len(audio) > streamed:
                self.recognizer.accept(audio[streamed:])
            transcript = self.recognizer.final()
            if transcript.confidence is None or transcript.confidence >= CAREFUL_THRESHOLD:
                self.streamed_used += 1
                return transcript
            # Unsure: the live normalisation may not fit this voice yet. The whole
            # utterance with its own normalisation is the path the spoken test set
            # measures (`parse --audio`); it decides. Costs a decode only when unsure.
            self.batch_retries += 1
        self.recognizer.reset()
        now = time.monotonic()
        return self.recognizer.recognize(Utterance(audio=audio, sample_rate=SAMPLE_RATE,
                                                   source=source, started_at=now,
                                                   ended_at=now))

    def _finish(self, utt: Utterance) -> Heard:
        started = time.monotonic()
        # A file read faster than real time has a sample clock ahead of the wall clock:
        # its latency starts when the endpointer closed the utterance, i.e. now.
        end = utt.ended_at if self.realtime else started
        early, self._early = self._early, None
        if early is not None:
            self.early_used += 1
            self._streamed = 0
            transcript = early.transcript
        else:
            transcript = self._decode(utt.audio, utt.source)
        finished = time.monotonic()
        asr_ms = early.asr_ms if early is not None else (finished - started) * 1000
        transcript = dataclasses.replace(transcript, source=utt.source, ended_at=end)
        timings = {"endpoint_to_asr_ms": max(0.0, started - end) * 1000, "asr_ms": asr_ms,
                   "asr_after_end_ms": (finished - started) * 1000}
        return Heard(dataclasses.replace(utt, ended_at=end), transcript, timings)
