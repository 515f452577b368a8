"""Noise suppression for a loud room: RNNoise on 16 kHz speech, where the noise is high.

PocketSphinx's acoustic model was trained on clean read speech; room noise (a fan, a
kitchen, other voices) makes it hear words that were not said or none at all. RNNoise
(Xiph's recurrent noise suppressor, trained on real speech and real noise) removes most of
that noise, but its output is not clean speech either: on the 2152 spoken dev clips
(docs/speech.md) denoising every clip gained 60 noisy clips, lost 59 clean ones and added
10 wrong actions, and PocketSphinx is surer of its misreadings of denoised audio ("turn on
the tv" for "turn on the heating", 0.88). So only an utterance that stands less than
SNR_GATE_DB above its own noise floor is decoded denoised, and its plain reading stays
among the alternatives for the brain to weigh: 1406 -> 1438 exact, 12 -> 13 wrong actions.
WebRTC's suppressor (webrtc-noise-gain) and spectral gating (noisereduce) did no better in
earlier rounds.

RNNoise works at 48 kHz in 10 ms frames: audio is resampled up with libsoxr, denoised
frame by frame and resampled back, all streaming, so a stream fed in chunks gives the
same samples as the whole utterance at once (tests/test_denoise.py).

The library is the `librnnoise.so` that the pinned `pyrnnoise` wheel ships; it is loaded
with ctypes from the installed package without importing the package's Python side, which
pulls in audio-file and plotting libraries the assistant does not use.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import soxr

from assistant.errors import AssistantError
from assistant.types import Alternative, Transcript, Utterance

if TYPE_CHECKING:
    from assistant.speech import PcmChunk, Recognizer


__all__ = ["SNR_GATE_DB", "DenoiseError", "DenoisedRecognizer", "Denoiser", "denoise", "snr_db"]

SAMPLE_RATE = 16000
_RNNOISE_RATE = 48000
_FRAME = 480  # RNNoise's frame: 10 ms at 48 kHz (the library reports it; checked on load)
# Below this speech-to-noise-floor ratio an utterance is decoded denoised too. Set on the
# 2152 spoken dev clips (docs/speech.md): 15 dB gave 32 more exact answers for 1 more wrong
# action; 20 and 25 dB gave 48 and 56 more for 5 and 7 more wrong actions, and denoising
# every clip lost 59 clean clips and added 10 wrong actions. Real recordings in a quiet room
# stand 46 dB and more above their floor, so they are not touched.
SNR_GATE_DB = 15.0


class DenoiseError(AssistantError):
    """RNNoise cannot be loaded; the message is one line for the user."""


def _library_path() -> Path:
    spec = importlib.util.find_spec("pyrnnoise")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise DenoiseError("noise suppression: the pyrnnoise package is not installed "
                           "(pip install pyrnnoise==0.4.5, or set speech.denoise: off)")
    name = {"darwin": "librnnoise.dylib", "win32": "rnnoise.dll"}.get(sys.platform,
                                                                       "librnnoise.so")
    return Path(next(iter(spec.submodule_search_locations))) / name


@functools.cache
def _library() -> ctypes.CDLL:
    path = _library_path()
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise DenoiseError(f"noise suppression: cannot load {path}: {exc}") from None
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_destroy.restype = None
    lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                          ctypes.POINTER(ctypes.c_float)]
    lib.rnnoise_process_frame.restype = ctypes.c_float
    lib.rnnoise_get_frame_size.restype = ctypes.c_int
    if lib.rnnoise_get_frame_size() != _FRAME:
        raise DenoiseError(f"noise suppression: {path} uses {lib.rnnoise_get_frame_size()}-"
                           f"sample frames, not {_FRAME}: an unsupported RNNoise build")
    return lib


class Denoiser:
    """One stream of 16 kHz int16 audio through RNNoise. `process` returns what is ready
    (up to about 20 ms behind the input); `flush` ends the stream and returns the rest."""

    def __init__(self) -> None:
        self._lib = _library()
        self._state: int | None = self._lib.rnnoise_create(None)
        if not self._state:
            raise DenoiseError("noise suppression: rnnoise_create failed (out of memory?)")
        self._up = soxr.ResampleStream(SAMPLE_RATE, _RNNOISE_RATE, 1, dtype="float32")
        self._down = soxr.ResampleStream(_RNNOISE_RATE, SAMPLE_RATE, 1, dtype="float32")
        self._pending = np.empty(0, np.float32)  # 48 kHz samples short of a whole frame
        self._frame_out = np.empty(_FRAME, np.float32)
        self._out_ptr = self._frame_out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))

    def _frames(self, up: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        buf = np.concatenate([self._pending, up]) if len(self._pending) else up
        whole = len(buf) - len(buf) % _FRAME
        self._pending = buf[whole:].copy()
        out = np.empty(whole, np.float32)
        frames = np.ascontiguousarray(buf[:whole], dtype=np.float32)
        for start in range(0, whole, _FRAME):
            frame = frames[start:start + _FRAME]
            # RNNoise takes and returns floats on the int16 scale.
            self._lib.rnnoise_process_frame(
                self._state, self._out_ptr, frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
            out[start:start + _FRAME] = self._frame_out
        return out

    @staticmethod
    def _int16(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
        return np.clip(np.rint(samples), -32768, 32767).astype(np.int16)

    def process(self, samples: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
        """Feed the next samples; the denoised samples that are ready."""
        if self._state is None:
            raise DenoiseError("noise suppression: the stream was already flushed")
        up = self._up.resample_chunk(samples.astype(np.float32), last=False)
        return self._int16(self._down.resample_chunk(self._frames(up), last=False))

    def flush(self) -> npt.NDArray[np.int16]:
        """End the stream: the denoised samples still held back. The denoiser is then spent."""
        if self._state is None:
            return np.empty(0, np.int16)
        up = self._up.resample_chunk(np.empty(0, np.float32), last=True)
        tail = np.concatenate([self._pending, up])
        self._pending = np.zeros((-len(tail)) % _FRAME, np.float32)  # pad the last frame
        out = self._frames(tail)
        self.close()
        return self._int16(self._down.resample_chunk(out, last=True))

    def close(self) -> None:
        if getattr(self, "_state", None) is not None:  # also when __init__ failed
            self._lib.rnnoise_destroy(self._state)
            self._state = None

    def __del__(self) -> None:
        self.close()


def denoise(samples: npt.NDArray[np.int16]) -> npt.NDArray[np.int16]:
    """A whole utterance denoised, the same length as `samples`."""
    den = Denoiser()
    out = np.concatenate([den.process(samples), den.flush()])
    if len(out) >= len(samples):
        return out[:len(samples)]
    return np.concatenate([out, np.zeros(len(samples) - len(out), np.int16)])


def snr_db(samples: npt.NDArray[np.int16]) -> float:
    """How far the speech stands above the noise floor, in dB: the mean power of the 20 ms
    frames within 30 dB of the loudest over the 10th percentile of all frames' power (an
    endpointed utterance keeps some silence around the speech). inf for under 0.2 s."""
    frames = len(samples) // 320
    if frames < 10:
        return math.inf
    power = np.square(samples[:frames * 320].astype(np.float64)).reshape(frames, 320).mean(1)
    floor = float(np.percentile(power, 10)) + 1e-3  # digital silence: a floor of ~0
    speech = float(power[power >= power.max() / 1000].mean())
    return 10 * math.log10(max(speech, 1e-3) / floor)


class DenoisedRecognizer:
    """A recognizer that hears a loud room's utterances through RNNoise as well.

    Every utterance is decoded as it is (streamed or whole, as before). When it stands less
    than `snr_gate_db` above its noise floor, it is decoded again denoised: the denoised
    reading is the answer, and the plain reading joins its alternatives, so that the brain
    asks when the two mean different things (`assistant/alternatives.py`, rule 5).
    """

    def __init__(self, inner: Recognizer, snr_gate_db: float = SNR_GATE_DB) -> None:
        _library()  # fail now, with one line, rather than at the first loud utterance
        self.inner = inner
        self.snr_gate_db = snr_gate_db
        self.name = inner.name
        self.sample_rate = inner.sample_rate
        self.load_seconds = inner.load_seconds
        self.denoised = 0
        """Utterances decoded again denoised."""
        self._stream: list[npt.NDArray[np.int16]] = []

    @property
    def streaming_ready(self) -> bool:
        return bool(getattr(self.inner, "streaming_ready", True))

    def knows(self, word: str) -> bool:
        knows = getattr(self.inner, "knows", None)
        return bool(knows(word)) if knows is not None else True

    def _loud(self, utt: Utterance, plain: Transcript) -> Transcript:
        if utt.sample_rate != SAMPLE_RATE or snr_db(utt.audio) >= self.snr_gate_db:
            return plain
        self.denoised += 1
        heard = self.inner.recognize(replace(utt, audio=denoise(utt.audio)))
        if not plain.text or not plain.confidence or plain.text == heard.text:
            return heard
        others = tuple(a for a in heard.alternatives if a.text != plain.text)
        return replace(heard, alternatives=(*others, Alternative(plain.text, plain.confidence)))

    def recognize(self, utt: Utterance) -> Transcript:
        self.reset()
        return self._loud(utt, self.inner.recognize(utt))

    def accept(self, chunk: PcmChunk) -> str | None:
        self._stream.append(np.frombuffer(bytes(chunk), "<i2").astype(np.int16)
                            if isinstance(chunk, bytes | bytearray | memoryview) else chunk)
        return self.inner.accept(chunk)

    def final(self) -> Transcript:
        plain = self.inner.final()
        audio = np.concatenate(self._stream) if self._stream else np.empty(0, np.int16)
        self._stream = []
        utt = Utterance(audio=audio, sample_rate=self.sample_rate, source=plain.source,
                        started_at=0.0, ended_at=plain.ended_at)
        return self._loud(utt, plain)

    def reset(self) -> None:
        self._stream = []
        self.inner.reset()
