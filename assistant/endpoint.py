"""Endpointing: a stream of 16 kHz mono chunks in, `Utterance`s out.

Per 30 ms frame a voice activity decision is made, then a small state machine:

- idle: frames go into a pre-roll ring (`pre_roll_s`, 300 ms); `onset_frames`
  consecutive voiced frames (60 ms) open an utterance that starts with the pre-roll,
  so the first consonant is not cut off;
- speech: frames are collected; the utterance ends once `end_silence_s` (0.5 s) has
  passed without confirmed speech (an isolated voiced frame does not count: it is
  more often a door or a cup than a word), or when it reaches `max_utterance_s`;
- an utterance with less than `min_speech_s` of voiced frames is a click or a knock
  and is dropped.

Voice activity: WebRTC's VAD (the `webrtcvad` module from the small
`webrtcvad-wheels` package) where installed, gated by an energy check; otherwise an
energy detector. Both compare the frame level with an adaptive noise floor that
follows the quietest frames at once and rises slowly (`floor_rise_db_per_s`), so
steady fan or fridge noise stops counting as speech after a few seconds. WebRTC's
VAD alone calls any loud steady noise speech; the energy alone calls any sound speech.

Times are monotonic seconds taken from the chunks (`AudioChunk.end_time`) or, when
none is given, from a sample clock. An utterance's audio covers exactly
[started_at, ended_at]: pre-roll, speech and the trailing silence.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from assistant.audio import SAMPLE_RATE, AudioChunk, AudioError
from assistant.types import Utterance

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.int16]
VadName = Literal["auto", "webrtc", "energy"]


@dataclass(frozen=True)
class EndpointConfig:
    """Endpointing settings. Durations are rounded to whole 30 ms frames."""

    vad: VadName = "auto"
    """"webrtc" (needs webrtcvad-wheels), "energy", or "auto": webrtc if installed."""
    frame_ms: int = 30
    """Decision frame: 10, 20 or 30 ms (what WebRTC's VAD accepts)."""
    pre_roll_s: float = 0.3
    """Audio kept from before the speech onset."""
    end_silence_s: float = 0.5
    """Non-speech after the last speech that ends the utterance."""
    max_utterance_s: float = 10.0
    """An utterance this long is ended even if speech goes on."""
    min_speech_s: float = 0.15
    """Voiced audio below this is a click, a knock or a cough, and is dropped."""
    onset_frames: int = 2
    """Consecutive voiced frames that open an utterance (or, inside one, count as speech)."""
    webrtc_mode: int = 2
    """WebRTC VAD aggressiveness 0 (accepts most) to 3 (rejects most)."""
    webrtc_margin_db: float = 3.0
    """With WebRTC, a voiced frame must also be this far above the noise floor."""
    energy_margin_db: float = 10.0
    """Energy detector: a frame this far above the noise floor is voiced."""
    min_level_dbfs: float = -55.0
    """Frames below this level are never speech (digital silence, distant hiss)."""
    floor_rise_db_per_s: float = 3.0
    """How fast the noise floor follows a louder background."""

    def __post_init__(self) -> None:
        if self.frame_ms not in (10, 20, 30):
            raise AudioError(f"endpointing frame must be 10, 20 or 30 ms, not {self.frame_ms}")
        if self.vad not in ("auto", "webrtc", "energy"):
            raise AudioError(f"unknown VAD {self.vad!r} (auto, webrtc, energy)")
        if not 0 <= self.webrtc_mode <= 3:
            raise AudioError(f"webrtc_mode must be 0-3, not {self.webrtc_mode}")
        if min(self.end_silence_s, self.max_utterance_s) <= 0 or self.onset_frames < 1:
            raise AudioError("end_silence_s and max_utterance_s must be > 0, onset_frames >= 1")


def _load_webrtc(mode: int) -> Any | None:
    try:
        import webrtcvad
    except ImportError:
        return None
    return webrtcvad.Vad(mode)


def level_dbfs(frame: Samples) -> float:
    """RMS level of int16 samples in dB relative to full scale (-100 for digital silence)."""
    if frame.size == 0:
        return -100.0
    power = float(np.mean(np.square(frame, dtype=np.float64))) / (32768.0 * 32768.0)
    return max(-100.0, 10.0 * math.log10(power + 1e-10))


class Endpointer:
    """Cuts a chunk stream into utterances. Not thread-safe: one audio thread feeds it.

    `feed()` returns the utterances that ended within the given samples; `flush()` at
    the end of a stream returns the one in progress. For partial results, `in_speech`,
    `speech_started_at` and `partial_audio()` describe the utterance in progress.
    """

    def __init__(self, config: EndpointConfig | None = None, *, source: str = "mic") -> None:
        self.config = config = config or EndpointConfig()
        self.source = source
        self.frame_samples = SAMPLE_RATE * config.frame_ms // 1000
        self.frame_s = config.frame_ms / 1000
        self._webrtc = None if config.vad == "energy" else _load_webrtc(config.webrtc_mode)
        if config.vad == "webrtc" and self._webrtc is None:
            raise AudioError("VAD 'webrtc' needs the webrtcvad-wheels package")
        self.vad_name = "webrtc" if self._webrtc is not None else "energy"
        log.debug("endpointing with the %s VAD", self.vad_name)

        def frames(seconds: float) -> int:
            return max(1, round(seconds / self.frame_s))

        self._end_frames = frames(config.end_silence_s)
        self._max_frames = max(1, int(config.max_utterance_s / self.frame_s + 1e-9))  # never over
        self._min_speech_frames = max(1, math.ceil(config.min_speech_s / self.frame_s - 1e-9))
        self._pre_roll: deque[Samples] = deque(
            maxlen=frames(config.pre_roll_s) + config.onset_frames
        )
        self._pending = np.zeros(0, np.int16)  # samples not yet making a whole frame
        self._clock: float | None = None  # monotonic time of the last sample fed
        self._last_frame_end = 0.0
        self._floor: float | None = None  # noise floor, dBFS
        self._frames: list[Samples] = []  # the utterance in progress
        self._started_at: float | None = None
        self._voiced_run = 0
        self._silence_run = 0
        self._speech_frames = 0
        self.utterances = 0  # emitted
        self.rejected = 0  # too little speech: clicks and knocks

    # -- partial state

    @property
    def in_speech(self) -> bool:
        """An utterance is open (speech started and has not ended yet)."""
        return self._started_at is not None

    @property
    def speech_started_at(self) -> float | None:
        """Monotonic start (pre-roll included) of the utterance in progress, else None."""
        return self._started_at

    @property
    def silence_frames(self) -> int:
        """Frames since the last confirmed speech of the utterance in progress (0 when idle)."""
        return self._silence_run if self._started_at is not None else 0

    @property
    def noise_floor_dbfs(self) -> float | None:
        return self._floor

    def partial_audio(self) -> Samples:
        """The audio of the utterance in progress so far (empty when idle)."""
        return np.concatenate(self._frames) if self._frames else np.zeros(0, np.int16)

    # -- feeding

    def feed(self, samples: Samples, end_time: float | None = None) -> list[Utterance]:
        """Add 16 kHz mono int16 samples whose last one was taken at `end_time` (monotonic;
        None: continue the sample clock). Returns the utterances that ended."""
        block = np.asarray(samples, dtype=np.int16).reshape(-1)
        if end_time is not None:
            self._clock = end_time
        elif self._clock is None:
            self._clock = time.monotonic()
        else:
            self._clock += len(block) / SAMPLE_RATE
        pending = np.concatenate((self._pending, block)) if self._pending.size else block
        whole = len(pending) - len(pending) % self.frame_samples
        done: list[Utterance] = []
        for start in range(0, whole, self.frame_samples):
            frame = pending[start : start + self.frame_samples]
            frame_end = self._clock - (len(pending) - start - self.frame_samples) / SAMPLE_RATE
            utterance = self._step(frame, frame_end)
            if utterance is not None:
                done.append(utterance)
        self._pending = pending[whole:].copy()
        return done

    def feed_chunk(self, chunk: AudioChunk) -> list[Utterance]:
        return self.feed(chunk.samples, chunk.end_time)

    def flush(self) -> list[Utterance]:
        """End of stream: close the utterance in progress (if it holds enough speech)."""
        self._pending = np.zeros(0, np.int16)
        if self._started_at is None or self._clock is None:
            return []
        utterance = self._close(self._last_frame_end)
        return [utterance] if utterance is not None else []

    def segment(self, chunks: Iterable[AudioChunk]) -> Iterator[Utterance]:
        """All utterances of a source, the last one flushed at its end."""
        for chunk in chunks:
            yield from self.feed(chunk.samples, chunk.end_time)
        yield from self.flush()

    # -- the state machine

    def _voiced(self, frame: Samples) -> bool:
        level = level_dbfs(frame)
        floor = level if self._floor is None else self._floor
        # The floor drops to any quieter frame at once and rises slowly.
        self._floor = min(floor + self.config.floor_rise_db_per_s * self.frame_s, level)
        if level < self.config.min_level_dbfs:
            return False
        if self._webrtc is not None:
            if level < floor + self.config.webrtc_margin_db:
                return False
            return bool(self._webrtc.is_speech(frame.tobytes(), SAMPLE_RATE))
        return level >= floor + self.config.energy_margin_db

    def _step(self, frame: Samples, frame_end: float) -> Utterance | None:
        self._last_frame_end = frame_end
        voiced = self._voiced(frame)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        confirmed = self._voiced_run >= self.config.onset_frames
        if self._started_at is None:
            self._pre_roll.append(frame)
            if confirmed:
                self._frames = list(self._pre_roll)
                self._pre_roll.clear()
                self._started_at = frame_end - len(self._frames) * self.frame_s
                self._speech_frames = self._voiced_run
                self._silence_run = 0
            return None
        self._frames.append(frame)
        if voiced:
            self._speech_frames += 1
        self._silence_run = 0 if confirmed else self._silence_run + 1
        if self._silence_run >= self._end_frames:
            tail = self._frames[-self._pre_roll.maxlen :] if self._pre_roll.maxlen else []
            utterance = self._close(frame_end)
            self._pre_roll.extend(tail)  # the trailing silence is the next pre-roll
            return utterance
        if len(self._frames) >= self._max_frames:
            log.debug("utterance reached %.1f s: ending it", self.config.max_utterance_s)
            return self._close(frame_end)
        return None

    def _close(self, ended_at: float) -> Utterance | None:
        started_at, frames, speech = self._started_at, self._frames, self._speech_frames
        self._started_at = None
        self._frames = []
        self._speech_frames = self._silence_run = self._voiced_run = 0
        if started_at is None or speech < self._min_speech_frames:
            self.rejected += 1
            return None
        self.utterances += 1
        return Utterance(
            audio=np.concatenate(frames),
            sample_rate=SAMPLE_RATE,
            source=self.source,
            started_at=started_at,
            ended_at=ended_at,
        )
